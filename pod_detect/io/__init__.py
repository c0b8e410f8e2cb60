"""Read an export (CSV, TSV, JSON, JSON Lines, Parquet; gzip or not) into the canonical table.

Opening and parsing are split: :func:`read_table` only opens and reads the raw table,
:func:`parse` maps its columns onto the canonical ones and builds
:class:`~pod_detect.model.Interactions`; :func:`load` does both. Every problem with the input
is a one-line :class:`~pod_detect.errors.InputError` naming the file, row and column.

Rows are numbered from 1 for the first record (the header of delimited text is row 0; in
JSON Lines row N is line N; in a JSON array row N is item N).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pod_detect.errors import ConfigError, InputError
from pod_detect.io import readers as _readers
from pod_detect.io import sources as _sources
from pod_detect.io import table as _table
from pod_detect.io import writers as _writers
from pod_detect.io.badrows import NOTE_PREFIX, ON_BAD_ROWS, BadRows
from pod_detect.io.sources import FORMATS
from pod_detect.io.strings import Coded, arrow_strings, clean, code, is_arrow_text
from pod_detect.io.times import to_epoch_seconds
from pod_detect.model import CANONICAL_COLUMNS, Interactions

#: Lines before the first record: a delimited file's header.
HEADER_LINES = {"csv": 1, "tsv": 1}

__all__ = ["ALIASES", "FORMATS", "ON_BAD_ROWS", "bad_rows_note", "load", "parse", "read_table",
           "write_table"]

Source = str | os.PathLike[str] | IO[bytes]

#: Other names each canonical column is recognised by, most likely first. Matching ignores
#: case, surrounding spaces and ``-``/``_``/space differences (``Post-ID`` is ``post_id``).
ALIASES: dict[str, tuple[str, ...]] = {
    "actor": ("source", "user", "user_id", "username", "actor_id", "liker", "commenter",
              "engager", "from", "from_user", "src", "account", "account_id", "follower"),
    "author": ("target", "owner", "owner_id", "author_id", "poster", "post_author", "creator",
               "to", "to_user", "dst", "original_author", "retweeted_user", "author_username",
               "owner_username", "post_owner", "media_owner", "retweeted_user_id"),
    "post_id": ("post", "post_id", "media_id", "tweet_id", "status_id", "object_id",
                "content_id", "item_id", "retweeted_status_id", "message_id", "url", "post_url"),
    "kind": ("type", "action", "interaction", "interaction_type", "engagement_type", "event",
             "event_type", "action_type", "reaction_type", "referenced_type"),
    "timestamp": ("time", "created_at", "created", "ts", "date", "datetime", "engaged_at",
                  "interaction_time", "timestamp_ms", "created_time"),
    "post_time": ("posted_at", "post_created_at", "published_at", "post_timestamp", "post_date",
                  "taken_at", "post_created_time", "post_published_at"),
    "text": ("comment", "comment_text", "body", "message", "content"),
}

_DEFAULT_KIND = "engage"


def load(
    source: Source,
    *,
    fmt: str | None = None,
    mapping: Mapping[str, str] | None = None,
    encoding: str = "utf-8",
    stdin: IO[bytes] | None = None,
    on_bad_rows: str = "error",
) -> Interactions:
    """Read an export into the canonical interactions table.

    Parameters
    ----------
    source
        A path, ``"-"`` for standard input, or a binary file object.
    fmt
        One of :data:`FORMATS` (optionally with ``.gz``); default: from the name, else sniffed.
    mapping
        ``{canonical: their_column}``, as given by ``--map canonical=theirs``.
    encoding
        Text encoding of CSV/TSV/JSON input.
    stdin
        The stream ``"-"`` reads (default ``sys.stdin.buffer``).
    on_bad_rows
        ``"error"``: the first row that fails (ragged, blank actor, a time that cannot be
        read, a post with two authors, a JSON item that is not an object) is an error;
        ``"skip"`` or ``"warn"``: such rows are dropped and counted in
        ``dropped["bad_row"]``, with a note (see :func:`bad_rows_note`).

    Returns
    -------
    Interactions

    Raises
    ------
    InputError
        When the input cannot be opened, read or understood, or does not fit in memory.
    """
    BadRows(on_bad_rows, 0)  # check the policy before reading
    name = _sources.source_name(source)
    try:
        raw, name, kind = _read(source, fmt, encoding, stdin, skip=on_bad_rows != "error",
                                times=lambda names: _time_columns(names, mapping, name))
        data = _parse(raw, name, mapping, on_bad_rows, HEADER_LINES.get(kind, 0))
    except (MemoryError, pa.ArrowMemoryError):
        raise InputError(too_large(name), source=name) from None
    del raw
    # The export as read is gone; arrow's allocator keeps the pages it held (most of the
    # file's size again) for its own later use unless told to give them back.
    pa.default_memory_pool().release_unused()
    return data


def too_large(name: str) -> str:
    """What to say when ``name`` does not fit in memory: the advice that can still help."""
    parquet = name.lower().removesuffix(".gz").endswith((".parquet", ".pq"))
    convert = "" if parquet else (
        "convert it to Parquet (typed and compressed, it takes far less memory than text), ")
    return ("does not fit in the memory available; what helps: keep only the columns "
            "pod-detect reads (actor, author, post_id, timestamp, post_time, kind, text), "
            f"{convert}or scan it with the Dask engine, which reduces it in parts on workers "
            "(pip install 'pod-detect[dask]'; scan --engine dask)")


def bad_rows_note(data: Interactions) -> str | None:
    """The note about rows dropped by ``on_bad_rows="skip"`` or ``"warn"``, or None."""
    return next((n for n in data.notes if n.startswith(NOTE_PREFIX)), None)


def read_table(
    source: Source,
    *,
    fmt: str | None = None,
    encoding: str = "utf-8",
    stdin: IO[bytes] | None = None,
) -> tuple[pd.DataFrame, str]:
    """Open an export and read its raw table (all columns, values as read).

    Parameters
    ----------
    source, fmt, encoding, stdin
        As for :func:`load`.

    Returns
    -------
    frame : pandas.DataFrame
        The table; delimited text gives string columns, JSON and Parquet their own types.
    name : str
        The source's name for messages (the path as given, ``<stdin>`` for ``"-"``).
    """
    raw, name, _ = _read(source, fmt, encoding, stdin, skip=False)
    return raw.frame, name


def _read(
    source: Source, fmt: str | None, encoding: str, stdin: IO[bytes] | None, *, skip: bool,
    times: Callable[[list[str]], list[str]] | None = None,
) -> tuple[_readers.Raw, str, str]:
    forced = _sources.format_name(fmt)[0] if fmt else None
    data, name = _sources.open_source(source, stdin)
    mapped = data if _sources.is_path(source) else None
    data = _sources.decompress(data, name)
    if data.size == 0:
        raise InputError("is empty", source=name)
    _sources.check_magic(data, name)
    _sources.check_text(data, name, encoding)
    hint = None if forced else _sources.format_from_path(name)[0]
    kind = forced or ("parquet" if data[:4].to_pybytes() == b"PAR1" else None)
    if kind != "parquet":
        # Sniff before and after re-encoding: before, to number rows in decoding errors.
        first_row = {"jsonl": 1, "json": None}.get(kind or _sources.sniff(data, hint) or "", 0)
        data = _sources.to_utf8(data, encoding, name, first_row=first_row)
        kind = kind or _sources.sniff(data, hint)
    if kind is None:
        raise InputError("cannot tell the format (use --input-format)", source=name)
    reader = _readers.READERS[kind]
    if kind in ("csv", "tsv"):  # the file's bytes as they are can be streamed from it
        reader = partial(reader, file=name if data is mapped else None, times=times)
    return reader(data, name, encoding, skip=skip), name, kind


def _time_columns(names: list[str], mapping: Mapping[str, str] | None, source: str) -> list[str]:
    """The columns of a header that will be read as times (none when its columns do not
    match: that error comes later); not ``post_time`` when it names posts, as text."""
    try:
        chosen, _ = _match_columns(names, mapping or {}, source)
    except InputError:
        return []
    wanted = ("timestamp",) if derives_posts(chosen) else ("timestamp", "post_time")
    return [chosen[c] for c in wanted if c in chosen]


def parse(
    raw: pd.DataFrame,
    *,
    source: str = "<memory>",
    mapping: Mapping[str, str] | None = None,
    on_bad_rows: str = "error",
) -> Interactions:
    """Build the canonical table from a raw one.

    Parameters
    ----------
    raw
        A table as :func:`read_table` returns it.
    source
        Its name, for messages.
    mapping
        ``{canonical: their_column}``; other columns are found by name or :data:`ALIASES`.
    on_bad_rows
        As for :func:`load`.

    Returns
    -------
    Interactions
        Accounts and posts coded from their sorted ids; self-engagement removed and exact
        duplicates collapsed (both counted in ``dropped``); rows sorted, so the same rows in
        any order give the same result.

    Raises
    ------
    InputError
        On a missing required column, or (with ``on_bad_rows="error"``) an empty actor, a
        post with two authors or a bad time.
    """
    return _parse(_readers.Raw(_readers.Columns(raw)), source, mapping, on_bad_rows)


def _parse(
    read: _readers.Raw, source: str, mapping: Mapping[str, str] | None, on_bad_rows: str,
    header_lines: int = 0,
) -> Interactions:
    raw = read.columns
    bad = BadRows(on_bad_rows, len(raw), read.numbers)
    bad.skipped(read.skipped)
    names = raw.names
    if len(raw) == 0:
        left = f" left after dropping {bad.count} bad rows" if bad.count else ""
        raise InputError(f"has no rows{left}", source=source)
    _sources.check_names(names, source)
    chosen, notes = _match_columns(names, mapping or {}, source)
    _require(chosen, names, source)
    with _threads() as pool:
        reading = _Reading(raw, chosen, source, notes, bad, pool)
        columns, accounts, posts = reading.canonical(header_lines)
        rows, dropped = columns.collapse()
        if len(rows) == 0:
            left = ", ".join(f"{n} {why.replace('_', ' ')}" for why, n in
                             {**dropped, "bad_row": bad.count}.items() if n)
            raise InputError(f"has no rows left to scan (dropped: {left})", source=source)
        frame = columns.frame(rows, pool)
    if not bad.strict:
        dropped["bad_row"] = bad.count
        note = bad.note()
        notes += [note] if note else []
    return Interactions(
        frame=frame, accounts=accounts, posts=posts, source=source,
        columns=frozenset(chosen) | ({"post_id"} if derives_posts(chosen) else set()),
        rows_read=len(raw) + len(read.skipped),
        dropped=dropped,
        notes=tuple(notes),
    )


def write_table(frame: pd.DataFrame, dest: Source, fmt: str | None = None) -> None:
    """Write a plain table in any format :func:`read_table` reads.

    Parameters
    ----------
    frame
        String and number columns.
    dest
        A path, ``"-"`` for standard output, or a binary file object.
    fmt
        One of :data:`FORMATS`, optionally with ``.gz`` (``"csv.gz"``); default: from the name.

    Raises
    ------
    ConfigError
        When the format is unknown or cannot be told from the name.

    Notes
    -----
    The same frame always gives the same bytes (gzip without a time stamp or file name).
    """
    path = os.fspath(dest) if isinstance(dest, (str, os.PathLike)) else None
    name = path if path is not None else getattr(dest, "name", None)
    kind, gz = _output_format(fmt, name if isinstance(name, str) else None)
    payload = _writers.encode(frame, kind, gz=gz)
    if path is None:
        dest.write(payload)  # type: ignore[union-attr]
    elif path == "-":
        sys.stdout.buffer.write(payload)
    else:
        with open(path, "wb") as handle:
            handle.write(payload)


# --------------------------------------------------------------------------- columns


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name.strip().lower())


def _match_columns(
    names: list[str], mapping: Mapping[str, str], source: str
) -> tuple[dict[str, str], list[str]]:
    """Choose the input column of each canonical column: ``--map`` first, then names/aliases."""
    chosen: dict[str, str] = {}
    for canonical, theirs in mapping.items():
        chosen[canonical] = _mapped(canonical, theirs, names, chosen, source)
    notes: list[str] = []
    for canonical in CANONICAL_COLUMNS:
        if canonical in chosen:
            continue
        wanted = [_key(alias) for alias in (canonical, *ALIASES[canonical])]
        used = set(chosen.values())
        hits = [n for k in dict.fromkeys(wanted) for n in names if _key(n) == k and n not in used]
        if not hits:
            continue
        chosen[canonical] = hits[0]
        if _key(hits[0]) != _key(canonical):
            notes.append(f"column {hits[0]!r} read as {canonical}")
        for other in dict.fromkeys(hits[1:]):
            notes.append(f"column {other!r} ignored: {hits[0]!r} was read as {canonical}"
                         f" (use --map {canonical}={other} to read it instead)")
    return chosen, notes


def _mapped(
    canonical: str, theirs: str, names: list[str], chosen: dict[str, str], source: str
) -> str:
    if canonical not in CANONICAL_COLUMNS:
        raise InputError(f"--map {canonical}={theirs}: unknown column {canonical!r} (canonical "
                         f"columns: {', '.join(CANONICAL_COLUMNS)})", source=source)
    found = [n for n in names if n == theirs] or [n for n in names if _key(n) == _key(theirs)]
    if not found:
        raise InputError(f"--map {canonical}={theirs}: no such column (found columns: "
                         f"{_listing(names)})", source=source, column=theirs)
    if found[0] in chosen.values():
        raise InputError(f"--map {canonical}={theirs}: the column is already mapped",
                         source=source, column=found[0])
    return found[0]


def _require(chosen: Mapping[str, str], names: list[str], source: str) -> None:
    found = _listing(names)
    if "actor" not in chosen:
        raise InputError(f"missing required column 'actor' (found columns: {found}; "
                         "use --map actor=COLUMN)", source=source)
    if "author" not in chosen and "post_id" not in chosen:
        raise InputError(f"missing required column 'author' or 'post_id' (found columns: {found}"
                         "; use --map author=COLUMN or --map post_id=COLUMN)", source=source)


def _listing(names: list[str], limit: int = 20) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "") or "none"


# --------------------------------------------------------------------------- values

#: The text, and the row of it of each row left (None: the same), from the rows left.
_Texter = Callable[[np.ndarray | None], tuple[pa.Array, np.ndarray | None]]
#: Labels and codes, as :func:`pod_detect.io.table.sorted_codes` gives them.
_Sorted = tuple[np.ndarray, list[np.ndarray]]


@contextmanager
def _threads() -> Iterator[ThreadPoolExecutor]:
    """Two threads for arrow and numpy work (which runs without the GIL); on an error the
    work not started is dropped and the work running is not waited for."""
    pool = ThreadPoolExecutor(max_workers=2)
    try:
        yield pool
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


class _Reading:
    """The canonical columns (codes, times, kind, text), the account ids and the post ids.

    Failing rows go to ``bad`` (raising on the first when it is strict); when some were
    flagged they are dropped before the ids are coded. Meanwhile ``pool`` codes the arrow
    string columns and, for all rows, sorts the ids, the kinds and the rows themselves:
    used when no row was dropped nor author filled in, else made again.
    """

    def __init__(self, raw: _readers.Columns, chosen: Mapping[str, str], source: str,
                 notes: list[str], bad: BadRows, pool: ThreadPoolExecutor) -> None:
        self.raw, self.chosen, self.source, self.notes, self.bad = raw, chosen, source, notes, bad
        self.pool = pool
        # Submitted in the order needed; a job waits only for jobs submitted before it.
        self.coders = {c: _Coder(pool, raw.column(chosen[c]))
                       for c in ("actor", "post_id", "author") if c in chosen}
        self.ahead: dict[str, Future[Any]] = {}
        if self._early("post_id"):
            self.ahead["posts"] = pool.submit(
                lambda: _table.sorted_codes(self.coders["post_id"](None)))
        if all(self._early(c) for c in ("actor", "author") if c in self.coders):
            self.ahead["accounts"] = pool.submit(lambda: _table.sorted_codes(
                self.coders["actor"](None), self._get("author", None)))
        if "kind" in chosen:
            self.coders["kind"] = _Coder(pool, raw.column(chosen["kind"]))
            if self._early("kind"):
                self.ahead["kind"] = pool.submit(self._kind, None, len(raw))
        self.text = _text(pool, raw.column(chosen["text"])) if "text" in chosen else None
        self._early_text = "text" in chosen and is_arrow_text(raw.column(chosen["text"]))

    def canonical(self, header_lines: int) -> tuple[_table.Canonical, np.ndarray, np.ndarray]:
        """The columns of the rows left (line: the input's, ``header_lines`` after a row's
        number), the accounts and the posts."""
        actor = self._actor()
        times = {c: self._times(c) for c in ("timestamp", "post_time")}
        rows: np.ndarray | None = None
        for attempt in range(2):
            keep = self.bad.narrow()
            if keep is not None:
                rows = np.flatnonzero(keep) if rows is None else rows[keep]
            (accounts, (actor_codes, author)), (posts, (post,)) = self._sorted_ids(actor, rows)
            guess = self._guess(actor_codes, author, post, times, header_lines, rows)
            if attempt == 0 and _table.clashes(author, post, accounts, posts, self.source,
                                               self.chosen.get("author"), self.bad):
                continue  # drop the rows naming a post's other author, and code again
            break
        filled = _author_notes(author, post, len(posts), self.chosen, times, self.notes)
        if guess is not None and filled is author:
            return guess, accounts, posts
        return self._columns(actor_codes, filled, post, times, header_lines, rows), accounts, posts

    def _columns(
        self, actor: np.ndarray, author: np.ndarray, post: np.ndarray,
        times: dict[str, tuple[np.ndarray, str]], header_lines: int, rows: np.ndarray | None,
    ) -> _table.Canonical:
        size = len(actor)
        kind = (self.ahead["kind"].result() if rows is None and "kind" in self.ahead
                else self._kind(rows, size))
        seconds = {c: v if rows is None else v[rows] for c, (v, _) in times.items()}
        return _table.Canonical(actor, author, post, kind, seconds, self._texts(rows),
                                _line(self.bad.numbers, size) + header_lines)

    def _texts(self, rows: np.ndarray | None) -> Callable[[], tuple[pa.Array | None,
                                                                    np.ndarray | None]]:
        """The text when needed: arrow strings cannot fail, so later; others now, as before."""
        text = self.text
        if text is None:
            return lambda: (None, None)
        if self._early_text:
            return lambda: text(rows)
        texts = text(rows)
        return lambda: texts

    def _guess(
        self, actor: np.ndarray, author: np.ndarray, post: np.ndarray,
        times: dict[str, tuple[np.ndarray, str]], header_lines: int, rows: np.ndarray | None,
    ) -> _table.Canonical | None:
        """With no row dropped, the columns as they will be unless a post has two authors
        or an author is filled in; their rows already sorting in the pool. None when rows
        were dropped, or a pandas column would be converted early (it could fail first)."""
        kind = "kind" not in self.chosen or "kind" in self.ahead
        if rows is not None or not kind or ("text" in self.chosen and not self._early_text):
            return None
        columns = self._columns(actor, author, post, times, header_lines, None)
        columns.collapse_in(self.pool)
        return columns

    def _early(self, column: str) -> bool:
        return column in self.coders and self.coders[column].job is not None

    def _get(self, column: str, rows: np.ndarray | None) -> Coded:
        """A coded column on the rows left; all missing when the input has no such column."""
        if column in self.coders:
            return self.coders[column](rows)
        size = len(self.raw) if rows is None else len(rows)
        return Coded(np.full(size, -1, dtype=np.int32), pa.array([], pa.large_string()))

    def _actor(self) -> Coded:
        """The actor ids, stripped; blank cells are bad rows."""
        ids = self.coders["actor"](None)
        column = self.chosen["actor"]
        self.bad.flag(ids.codes < 0, lambda row: InputError(
            "the actor is empty (every row needs one)", source=self.source, column=column))
        return ids

    def _times(self, canonical: str) -> tuple[np.ndarray, str]:
        column = self.chosen.get(canonical)
        if column is None:
            return np.full(len(self.raw), np.nan), "absent"
        return to_epoch_seconds(self.raw.column(column), source=self.source, column=column,
                                bad=self.bad)

    def _sorted_ids(self, actor: Coded, rows: np.ndarray | None) -> tuple[_Sorted, _Sorted]:
        """The accounts (actor, author) and posts of the rows left, coded."""
        author = self._get("author", rows)
        if rows is None and "accounts" in self.ahead:
            accounts = self.ahead["accounts"].result()
        else:
            accounts = _table.sorted_codes(_take(actor, rows), author)
        if rows is None and "posts" in self.ahead:
            return accounts, self.ahead["posts"].result()
        if derives_posts(self.chosen):
            post_time = self.raw.column(self.chosen["post_time"])
            return accounts, _table.sorted_codes(_derived_post_ids(author, post_time, rows))
        return accounts, _table.sorted_codes(self._get("post_id", rows))

    def _kind(self, rows: np.ndarray | None, size: int) -> pd.Categorical:
        """Kinds in lower case, ``engage`` where blank or absent."""
        if "kind" not in self.coders:
            return pd.Categorical.from_codes(np.zeros(size, dtype=np.int8), [_DEFAULT_KIND])
        kinds = self.coders["kind"](rows)
        lowered = pc.fill_null(pc.utf8_lower(kinds.labels), _DEFAULT_KIND)
        labels = pa.concat_arrays([lowered.cast(pa.large_string()),
                                   pa.array([_DEFAULT_KIND], pa.large_string())])
        names, (codes,) = _table.sorted_codes(
            Coded(np.where(kinds.codes < 0, len(labels) - 1, kinds.codes), labels))
        return pd.Categorical.from_codes(codes, names)


class _Coder:
    """A column coded on the rows left (None: all rows).

    Arrow strings are coded at once, in the pool (that cannot fail); other columns when
    asked, on the rows left then, as before (a dropped row cannot fail them).
    """

    def __init__(self, pool: ThreadPoolExecutor, values: pd.Series | pa.ChunkedArray) -> None:
        self.values = values
        self.job = pool.submit(code, values) if is_arrow_text(values) else None

    def __call__(self, rows: np.ndarray | None) -> Coded:
        if self.job is not None:
            return _take(self.job.result(), rows)
        return code(self.values if rows is None else self.values.iloc[rows])


def _take(coded: Coded, rows: np.ndarray | None) -> Coded:
    return coded if rows is None else coded.take(rows)


def _author_notes(
    author: np.ndarray, post: np.ndarray, n_posts: int, chosen: Mapping[str, str],
    times: dict[str, tuple[np.ndarray, str]], notes: list[str],
) -> np.ndarray:
    """Fill in missing authors; note that, derived posts and epoch times."""
    if derives_posts(chosen):
        notes.append("no post_id column: posts identified by their author and post_time")
    author, filled = _table.fill_authors(author, post, n_posts)
    if filled:
        notes.append(f"author filled in for {filled} rows from other rows of the same post")
    for canonical, (_, how) in times.items():
        if how.startswith("epoch"):
            notes.append(f"column {chosen[canonical]!r} read as {how}")
    return author


def _line(numbers: np.ndarray | None, size: int) -> np.ndarray:
    """The input's row number of each row left."""
    return np.asarray(numbers if numbers is not None else np.arange(1, size + 1), dtype="int64")


def derives_posts(chosen: Mapping[str, str]) -> bool:
    """Whether posts must be identified by (author, post_time) for want of a post_id."""
    return "post_id" not in chosen and "author" in chosen and "post_time" in chosen


def _derived_post_ids(
    author: Coded, post_time: pd.Series | pa.ChunkedArray, rows: np.ndarray | None
) -> Coded:
    """``author@post_time`` for rows that have both, missing otherwise."""
    if rows is not None:
        post_time = (post_time.take(pa.array(rows)) if isinstance(post_time, pa.ChunkedArray)
                     else post_time.iloc[rows])
    names = author.labels.cast(pa.large_string()).take(
        pa.array(author.codes, mask=author.codes < 0))
    times = clean(arrow_strings(post_time)).cast(pa.large_string())
    at = pa.scalar("@", pa.large_string())
    return code(pc.binary_join_element_wise(pa.chunked_array([names]), times, at))


def _text(pool: ThreadPoolExecutor, values: pd.Series | pa.ChunkedArray) -> _Texter:
    """Blank text missing: arrow strings at once, in ``pool``; others when asked, on the rows
    left then. The function gives the strings and the row of them of each row left."""
    if is_arrow_text(values):
        job = pool.submit(_blank_text, values)
        return lambda rows: (job.result(), rows)
    return lambda rows: (_blank_text(arrow_strings(values if rows is None else values.iloc[rows])),
                         None)


def _blank_text(values: pa.ChunkedArray) -> pa.Array:
    """Blank strings missing, in one array (taking rows from many chunks is slow)."""
    return clean(values, strip=False).cast(pa.large_string()).combine_chunks()


# --------------------------------------------------------------------------- writing


def _output_format(fmt: str | None, name: str | None) -> tuple[str, bool]:
    try:
        if fmt:
            return _sources.format_name(fmt, what="output")
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    kind, gz = _sources.format_from_path(name) if name and name != "-" else (None, False)
    if kind is None:
        raise ConfigError(f"cannot tell the output format of {name or 'the output'!r}; "
                          f"give one of {', '.join(FORMATS)}")
    return kind, gz
