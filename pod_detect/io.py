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
from collections.abc import Mapping
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa

from pod_detect import _readers, _sources, _table, _writers
from pod_detect._badrows import NOTE_PREFIX, ON_BAD_ROWS, BadRows
from pod_detect._sources import FORMATS
from pod_detect._strings import STR, as_strings, blank_to_na
from pod_detect._timeparse import to_epoch_seconds
from pod_detect.errors import ConfigError, InputError
from pod_detect.model import CANONICAL_COLUMNS, FRAME_COLUMNS, Interactions

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
        raw, name, kind = _read(source, fmt, encoding, stdin, skip=on_bad_rows != "error")
        return _parse(raw.frame, name, mapping, on_bad_rows, raw, HEADER_LINES.get(kind, 0))
    except (MemoryError, pa.ArrowMemoryError):
        raise InputError(_TOO_LARGE, source=name) from None


_TOO_LARGE = (
    "does not fit in the memory available; what helps: keep only the columns pod-detect "
    "reads (actor, author, post_id, timestamp, post_time, kind, text), convert it to Parquet "
    "(typed and compressed, it takes far less memory than text), or split it by time and "
    "scan the parts"
)


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
    source: Source, fmt: str | None, encoding: str, stdin: IO[bytes] | None, *, skip: bool
) -> tuple[_readers.Raw, str, str]:
    forced = _sources.format_name(fmt)[0] if fmt else None
    data, name = _sources.open_source(source, stdin)
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
    return _readers.READERS[kind](data, name, encoding, skip=skip), name, kind


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
    return _parse(raw, source, mapping, on_bad_rows, _readers.Raw(raw))


def _parse(
    raw: pd.DataFrame, source: str, mapping: Mapping[str, str] | None, on_bad_rows: str,
    read: _readers.Raw, header_lines: int = 0,
) -> Interactions:
    bad = BadRows(on_bad_rows, len(raw), read.numbers)
    bad.skipped(read.skipped)
    names = [str(column) for column in raw.columns]
    if len(raw) == 0:
        left = f" left after dropping {bad.count} bad rows" if bad.count else ""
        raise InputError(f"has no rows{left}", source=source)
    _sources.check_names(names, source)
    raw = raw.set_axis(names, axis=1).reset_index(drop=True)
    chosen, notes = _match_columns(names, mapping or {}, source)
    _require(chosen, names, source)
    columns, accounts, posts = _columns(raw, chosen, source, notes, bad)
    columns["line"] = columns["line"] + header_lines  # type: ignore[operator]
    frame = pd.DataFrame(columns)[list(FRAME_COLUMNS)]
    own = (frame["actor"] == frame["author"]).to_numpy()
    frame, duplicates = _table.sort_and_collapse(frame[~own])
    dropped = {"self_engagement": int(own.sum()), "duplicate": duplicates}
    if len(frame) == 0:
        left = ", ".join(f"{n} {why.replace('_', ' ')}" for why, n in
                         {**dropped, "bad_row": bad.count}.items() if n)
        raise InputError(f"has no rows left to scan (dropped: {left})", source=source)
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


def _columns(
    raw: pd.DataFrame, chosen: Mapping[str, str], source: str, notes: list[str], bad: BadRows
) -> tuple[dict[str, object], np.ndarray, np.ndarray]:
    """The canonical columns (codes, times, kind, text), the account ids and the post ids.

    Failing rows go to ``bad`` (raising on the first when it is strict); when some were
    flagged they are dropped before the ids are coded.
    """
    ids = {"actor": _ids(raw, chosen.get("actor"), source, bad=bad)}
    times = {c: _times(raw, chosen.get(c), source, bad) for c in ("timestamp", "post_time")}
    for attempt in range(2):
        keep = bad.narrow()
        if keep is not None:
            raw = raw[keep].reset_index(drop=True)
            ids["actor"] = ids["actor"][keep].reset_index(drop=True)
            times = {c: (v[keep], how) for c, (v, how) in times.items()}
        ids.update({c: _ids(raw, chosen.get(c), source) for c in ("author", "post_id")})
        if derives_posts(chosen):
            ids["post_id"] = _derived_post_ids(ids["author"], raw[chosen["post_time"]])
        accounts, (actor, author) = _table.sorted_codes(ids["actor"], ids["author"])
        posts, (post,) = _table.sorted_codes(ids["post_id"])
        if attempt == 0 and _clashes(author, post, accounts, posts, source,
                                     chosen.get("author"), bad):
            continue  # drop the rows naming a post's other author, and code again
        break
    if derives_posts(chosen):
        notes.append("no post_id column: posts identified by their author and post_time")
    author, filled = _fill_authors(author, post, len(posts))
    if filled:
        notes.append(f"author filled in for {filled} rows from other rows of the same post")
    columns: dict[str, object] = {"actor": actor, "author": author, "post": post}
    columns["kind"] = _kind(raw, chosen.get("kind"))
    for canonical, (seconds, how) in times.items():
        columns[canonical] = seconds
        if how.startswith("epoch"):
            notes.append(f"column {chosen[canonical]!r} read as {how}")
    columns["text"] = _text(raw, chosen.get("text"))
    numbers = bad.numbers  # the input's row number of each row left
    columns["line"] = np.asarray(
        numbers if numbers is not None else np.arange(1, len(raw) + 1), dtype="int64")
    return columns, accounts, posts


def derives_posts(chosen: Mapping[str, str]) -> bool:
    """Whether posts must be identified by (author, post_time) for want of a post_id."""
    return "post_id" not in chosen and "author" in chosen and "post_time" in chosen


def _derived_post_ids(author: pd.Series, post_time: pd.Series) -> pd.Series:
    """``author@post_time`` for rows that have both, missing otherwise."""
    times = blank_to_na(as_strings(post_time))
    return (author + "@" + times).astype(author.dtype)


def _ids(
    raw: pd.DataFrame, column: str | None, source: str, *, bad: BadRows | None = None
) -> pd.Series:
    """Id strings, stripped; blank cells missing (bad rows when ``bad`` is given)."""
    if column is None:
        return pd.Series(np.nan, index=raw.index, dtype=STR)
    ids = blank_to_na(as_strings(raw[column]))
    if bad is not None:
        bad.flag(ids.isna().to_numpy(), lambda row: InputError(
            "the actor is empty (every row needs one)", source=source, column=column))
    return ids


def _clashes(
    author: np.ndarray, post: np.ndarray, accounts: np.ndarray, posts: np.ndarray,
    source: str, column: str | None, bad: BadRows,
) -> bool:
    """Flag rows naming another author for a post than its other rows; True if any.

    Strict, the first row of a post names its author (the first row that differs is the
    error); else the author most rows name (the first in sort order on a tie).
    """
    rows = np.flatnonzero((author >= 0) & (post >= 0))
    if rows.size == 0:
        return False
    owner = _owners(author[rows], post[rows], len(posts), bad.strict)
    clash = np.zeros(len(author), dtype=bool)
    clash[rows] = author[rows] != owner[post[rows]]

    def describe(row: int) -> InputError:
        return InputError(
            f"post {posts[post[row]]!r} has two authors: {accounts[owner[post[row]]]!r} and "
            f"{accounts[author[row]]!r}", source=source, column=column,
        )

    bad.flag(clash, describe)
    return bool(clash.any())


def _owners(author: np.ndarray, post: np.ndarray, n_posts: int, first: bool) -> np.ndarray:
    """The author of each post: of its first row (``first``) or named by most rows."""
    owner = np.full(n_posts, -1, dtype=np.int32)
    if first:
        unique, index = np.unique(post, return_index=True)
        owner[unique] = author[index]
        return owner
    pairs, counts = np.unique(np.stack([post, author]), axis=1, return_counts=True)
    order = np.lexsort([pairs[1], -counts, pairs[0]])
    best = order[np.concatenate([[True], np.diff(pairs[0][order]) != 0])]
    owner[pairs[0][best]] = pairs[1][best]
    return owner


def _fill_authors(author: np.ndarray, post: np.ndarray, n_posts: int) -> tuple[np.ndarray, int]:
    """Give rows without an author the author other rows name for the same post."""
    rows = np.flatnonzero((author >= 0) & (post >= 0))
    if rows.size == 0:
        return author, 0
    owner = _owners(author[rows], post[rows], n_posts, first=True)
    missing = np.flatnonzero((author < 0) & (post >= 0))
    found = owner[post[missing]]
    author = author.copy()
    author[missing] = found
    return author, int((found >= 0).sum())


def _kind(raw: pd.DataFrame, column: str | None) -> pd.Categorical:
    if column is None:
        return pd.Categorical.from_codes(np.zeros(len(raw), dtype=np.int8), [_DEFAULT_KIND])
    kinds = blank_to_na(as_strings(raw[column])).str.lower().fillna(_DEFAULT_KIND)
    labels, (codes,) = _table.sorted_codes(kinds)
    return pd.Categorical.from_codes(codes, labels)


def _times(
    raw: pd.DataFrame, column: str | None, source: str, bad: BadRows
) -> tuple[np.ndarray, str]:
    if column is None:
        return np.full(len(raw), np.nan), "absent"
    return to_epoch_seconds(raw[column], source=source, column=column, bad=bad)


def _text(raw: pd.DataFrame, column: str | None) -> pd.Series:
    if column is None:
        return pd.Series(np.nan, index=raw.index, dtype=STR)
    return blank_to_na(as_strings(raw[column]), strip=False)


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
