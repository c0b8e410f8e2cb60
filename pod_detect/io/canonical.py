"""The canonical columns of a raw table: ids coded as integers from their sorted labels, times
in float seconds UTC, kinds, text, and each row's input line; failing rows flagged as they
are found. Arrow work runs in a pool of two threads meanwhile (it runs without the GIL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pod_detect.errors import InputError
from pod_detect.io import readers as _readers
from pod_detect.io import table as _table
from pod_detect.io.badrows import BadRows
from pod_detect.io.columns import derives_posts
from pod_detect.io.strings import Coded, arrow_strings, clean, code, is_arrow_text
from pod_detect.io.times import noteworthy, to_epoch_seconds

_DEFAULT_KIND = "engage"


#: The text, and the row of it of each row left (None: the same), from the rows left.
_Texter = Callable[[np.ndarray | None], tuple[pa.Array, np.ndarray | None]]


#: Labels and codes, as :func:`pod_detect.io.table.sorted_codes` gives them.
_Sorted = tuple[np.ndarray, list[np.ndarray]]


@contextmanager
def threads() -> Iterator[ThreadPoolExecutor]:
    """Two threads for arrow and numpy work (which runs without the GIL); on an error the
    work not started is dropped and the work running is not waited for."""
    pool = ThreadPoolExecutor(max_workers=2)
    try:
        yield pool
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


class Timing(NamedTuple):
    """How time columns are read (see :func:`pod_detect.io.times.to_epoch_seconds`)."""

    time_format: str | None = None
    dayfirst: bool = False


class Reading:
    """The canonical columns (codes, times, kind, text), the account ids and the post ids.

    Failing rows go to ``bad`` (raising on the first when it is strict); when some were
    flagged they are dropped before the ids are coded. Meanwhile ``pool`` codes the arrow
    string columns and, for all rows, sorts the ids, the kinds and the rows themselves:
    used when no row was dropped nor author filled in, else made again.
    """

    def __init__(self, raw: _readers.Columns, chosen: Mapping[str, str], source: str,
                 notes: list[str], bad: BadRows, pool: ThreadPoolExecutor,
                 timing: Timing | None = None) -> None:
        self.raw, self.chosen, self.source, self.notes, self.bad = raw, chosen, source, notes, bad
        #: Rows whose author was filled in, and the notes on how times were read (set by
        #: :meth:`canonical`; ``notes`` gets the notes said before them).
        self.filled = 0
        self.times: tuple[str, ...] = ()
        self.timing = timing or Timing()
        self.pool = pool
        # cells that cannot be text: flagged in canonical(), blanked here so that no coder
        # or time parser meets them on a row flagged bad but not dropped yet
        self.broken = {c: _broken(raw.column(chosen[c]), ids=c in _IDS)
                       for c in _CHECKED if c in chosen}
        # Submitted in the order needed; a job waits only for jobs submitted before it.
        self.coders = {c: _Coder(pool, self._column(c))
                       for c in ("actor", "post_id", "author") if c in chosen}
        self.ahead: dict[str, Future[Any]] = {}
        if self._early("post_id"):
            self.ahead["posts"] = pool.submit(
                lambda: _table.sorted_codes(self.coders["post_id"](None)))
        if all(self._early(c) for c in ("actor", "author") if c in self.coders):
            self.ahead["accounts"] = pool.submit(lambda: _table.sorted_codes(
                self.coders["actor"](None), self._get("author", None)))
        if "kind" in chosen:
            self.coders["kind"] = _Coder(pool, self._column("kind"))
            if self._early("kind"):
                self.ahead["kind"] = pool.submit(self._kind, None, len(raw))
        self.text = _text(pool, self._column("text")) if "text" in chosen else None
        self._early_text = "text" in chosen and is_arrow_text(raw.column(chosen["text"]))

    def canonical(self, header_lines: int) -> tuple[_table.Canonical, np.ndarray, np.ndarray]:
        """The columns of the rows left (line: the input's, ``header_lines`` after a row's
        number), the accounts and the posts."""
        self._flag_broken("actor")
        actor = self._actor()  # an empty actor is the first thing said of its row
        for column in _CHECKED[1:]:
            self._flag_broken(column)
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
        filled, self.filled, self.times = _author_notes(author, post, len(posts), self.chosen,
                                                        times, self.notes)
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

    def _column(self, canonical: str) -> pd.Series | pa.ChunkedArray:
        """The input column chosen for ``canonical``, its broken cells blanked."""
        values = self.raw.column(self.chosen[canonical])
        broken = self.broken.get(canonical)
        if broken is None or isinstance(values, pa.ChunkedArray):
            return values
        return values.mask(broken[0])

    def _flag_broken(self, canonical: str) -> None:
        """Rows whose ``canonical`` cell cannot be text are bad rows (see :func:`_broken`)."""
        broken = self.broken.get(canonical)
        if broken is not None:
            mask, describe = broken
            self.bad.flag(mask, lambda row: InputError(
                describe(row), source=self.source, column=self.chosen[canonical]))

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
        given = {k: v for k, v in self.timing._asdict().items() if v}  # only when asked
        return to_epoch_seconds(self._column(canonical), source=self.source, column=column,
                                bad=self.bad, **given)

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


#: The columns whose cells are checked (:func:`_broken`), in the order their errors come.
_CHECKED = ("actor", "author", "post_id", "kind", "timestamp", "post_time", "text")
_IDS = ("actor", "author", "post_id")


def _broken(values: pd.Series | pa.ChunkedArray, *, ids: bool
            ) -> tuple[np.ndarray, Callable[[int], str]] | None:
    """Which cells cannot be text, and what to say of one: an object or a list in an id
    column (a JSON record's nested ``user``, a Parquet struct: its text would be an id no
    platform gave), and, from a Python frame, bytes that are not UTF-8 or a string with a
    lone surrogate (neither can be written out). None when every cell is fine."""
    nested = _nested(values) if ids else None
    not_text = _not_text(values)
    if nested is None and not_text is None:
        return None
    if nested is None:
        nested = np.zeros(len(values), dtype=bool)
    if not_text is None:
        not_text = np.zeros(len(values), dtype=bool)

    def describe(row: int) -> str:
        if nested[row]:
            return (f"holds {_shape(values, row)}, not an id: give the column that holds the "
                    "id itself (--map), or flatten the export first")
        # only a pandas column can hold bytes or surrogates: an arrow one is text already
        cell = values.iloc[row]
        return (("holds bytes that are not UTF-8" if isinstance(cell, bytes) else
                 "holds a string with a lone surrogate, which is not Unicode text")
                + " (decode it before passing it in)")

    return nested | not_text, describe


#: Arrow types whose values are not ids: records and lists of values.
_NESTED_TYPES = (pa.types.is_struct, pa.types.is_list, pa.types.is_large_list,
                 pa.types.is_fixed_size_list, pa.types.is_map)
#: pandas' inferred types of a column that cannot hold an object or a list.
_FLAT_KINDS = {"string", "empty", "integer", "floating", "mixed-integer-float", "boolean",
               "decimal", "datetime", "datetime64", "date", "timedelta", "time", "period"}


def _nested(values: pd.Series | pa.ChunkedArray) -> np.ndarray | None:
    """Which rows hold an object or a list rather than a value; None when none can."""
    if isinstance(values, pa.ChunkedArray):
        if not any(test(values.type) for test in _NESTED_TYPES):
            return None
        return values.is_valid().to_numpy(zero_copy_only=False)
    if not pd.api.types.is_object_dtype(values.dtype):
        return None
    if pd.api.types.infer_dtype(values, skipna=True) in _FLAT_KINDS:
        return None
    mask = np.fromiter((isinstance(v, (dict, list, tuple, np.ndarray)) for v in values.to_numpy()),
                       dtype=bool, count=len(values))
    return mask if mask.any() else None


def _not_text(values: pd.Series | pa.ChunkedArray) -> np.ndarray | None:
    """Which cells of a Python-object column are bytes that are not UTF-8, or strings that
    are not Unicode (a lone surrogate); None when none is. Arrow columns hold neither."""
    if isinstance(values, pa.ChunkedArray) or not pd.api.types.is_object_dtype(values.dtype):
        return None
    cells = values.to_numpy()
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "string":
        try:
            "\n".join(cells[pd.notna(cells)].tolist()).encode("utf-8")
            return None  # every string encodes: the usual case, in one call
        except UnicodeEncodeError:
            pass
    elif kind not in ("bytes", "mixed"):
        return None
    mask = np.fromiter((not _is_text(v) for v in cells), dtype=bool, count=len(cells))
    return mask if mask.any() else None


def _is_text(value: object) -> bool:
    try:
        if isinstance(value, bytes):
            value.decode("utf-8")
        elif isinstance(value, str):
            value.encode("utf-8")
    except UnicodeError:
        return False
    return True


def _shape(values: pd.Series | pa.ChunkedArray, row: int) -> str:
    """How one nested value reads in an error: ``an object`` or ``a list``."""
    if isinstance(values, pa.ChunkedArray):
        record = pa.types.is_struct(values.type) or pa.types.is_map(values.type)
    else:
        record = isinstance(values.iloc[row], dict)
    return "an object" if record else "a list"


def _take(coded: Coded, rows: np.ndarray | None) -> Coded:
    return coded if rows is None else coded.take(rows)


def _author_notes(
    author: np.ndarray, post: np.ndarray, n_posts: int, chosen: Mapping[str, str],
    times: dict[str, tuple[np.ndarray, str]], notes: list[str],
) -> tuple[np.ndarray, int, tuple[str, ...]]:
    """Fill in missing authors: the authors, how many were filled in and the notes on times
    read in a form worth saying (epoch numbers, Excel serial days, day/month order); a note
    on derived posts goes to ``notes``."""
    if derives_posts(chosen):
        notes.append("no post_id column: posts identified by their author and post_time")
    author, filled = _table.fill_authors(author, post, n_posts)
    said = tuple(f"column {chosen[canonical]!r} read as {how}"
                 for canonical, (_, how) in times.items() if noteworthy(how))
    return author, filled, said


def _line(numbers: np.ndarray | None, size: int) -> np.ndarray:
    """The input's row number of each row left."""
    return np.asarray(numbers if numbers is not None else np.arange(1, size + 1), dtype="int64")


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


