"""Vectorised steps that build the canonical frame (helpers of :func:`pod_detect.io.parse`).

Codes come from sorted ids and rows are fully sorted, so the same rows in any order give the
same codes and the same frame.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from functools import cached_property, partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pod_detect.errors import InputError
from pod_detect.io.badrows import BadRows
from pod_detect.io.strings import STR, Coded
from pod_detect.model import FRAME_COLUMNS, POST, source_dtype

_PACK_LIMIT = 2**62
#: A sort key: an array, or a function giving the key of some rows (by position).
Key = np.ndarray | Callable[[np.ndarray], np.ndarray]
#: Whole-second keys span at most this many values before they are ranked instead.
_SPAN_LIMIT = 2**40


class Canonical:
    """The canonical columns of the rows left after bad rows: codes, times, kind and line.

    The text (blank: missing) stays in arrow, with the row of it of each row (None: the
    same), given by ``text()`` when first needed: only the rows that reach the frame are
    converted.
    """

    def __init__(self, actor: np.ndarray, author: np.ndarray, post: np.ndarray,
                 kind: pd.Categorical, times: dict[str, np.ndarray],
                 text: Callable[[], tuple[pa.Array | None, np.ndarray | None]],
                 line: np.ndarray) -> None:
        self.actor, self.author, self.post, self.kind = actor, author, post, kind
        self.timestamp, self.post_time = times["timestamp"], times["post_time"]
        self.line, self._texts = line, text
        self._collapsed: Future[tuple[np.ndarray, dict[str, int]]] | None = None
        self._dropped_kind = False

    @cached_property
    def _text_and_rows(self) -> tuple[pa.Array | None, np.ndarray | None]:
        return self._texts()

    def collapse_in(self, pool: Executor) -> None:
        """Start :meth:`collapse` in ``pool``."""
        self._collapsed = pool.submit(self._collapse, True)

    def collapse(self, settle: bool = True) -> tuple[np.ndarray, dict[str, int]]:
        """The rows left, in order, without self-engagement and duplicates; the counts.

        Post records (rows of kind ``post``) give their post time to the post's other rows
        and are dropped, unless ``settle`` is False (they are kept for a later merge)."""
        if self._collapsed is None or not settle:
            return self._collapse(settle)
        return self._collapsed.result()

    def _collapse(self, settle: bool) -> tuple[np.ndarray, dict[str, int]]:
        own = self.actor == self.author
        records = post_records(self.kind)
        if records is not None:
            self.post_time = fill_post_times(self.post, self.post_time, records, self.timestamp)
            own &= ~records
            if settle:
                own |= records
                self._dropped_kind = True
        keys = [self.actor, self.author, self.post, self.kind.codes, self.timestamp,
                self.post_time, self.line]
        kept = np.flatnonzero(~own) if own.any() else None  # None: every row, no copies
        if kept is not None:
            keys = [values[kept] for values in keys]
        order, duplicates = sort_and_collapse(
            keys[:4], keys[4:6],
            lambda rows: self._text_ranks(rows if kept is None else kept[rows]), keys[6])
        rows = order if kept is None else kept[order]
        counts = {"self_engagement": int(own.sum()), "duplicate": duplicates}
        if records is not None and settle:
            counts["self_engagement"] -= int(records.sum())
            counts["post_record"] = int(records.sum())
        return rows, counts

    def frame(self, rows: np.ndarray, pool: Executor) -> pd.DataFrame:
        """The canonical frame of ``rows`` (:data:`~pod_detect.model.FRAME_COLUMNS`); the
        text is taken in ``pool`` meanwhile."""
        text = pool.submit(self._text, rows)
        kind = self.kind[rows]
        if self._dropped_kind:  # the post records' kind named no row left
            kind = kind.remove_unused_categories()
        columns = {"actor": self.actor[rows], "author": self.author[rows],
                   "post": self.post[rows], "kind": kind,
                   "timestamp": self.timestamp[rows], "post_time": self.post_time[rows],
                   "line": self.line[rows], "text": text.result(),
                   "source": np.zeros(len(rows), dtype=source_dtype(1))}
        return pd.DataFrame({name: columns[name] for name in FRAME_COLUMNS}, copy=False)

    def _text(self, rows: np.ndarray) -> pd.Series:
        text, of = self._text_and_rows
        if text is None:
            return pd.Series(np.nan, index=pd.RangeIndex(len(rows)), dtype=STR)
        return pd.Series(STR.__from_arrow__(text.take(pa.array(rows if of is None else of[rows]))))

    def _text_ranks(self, rows: np.ndarray) -> np.ndarray:
        text, of = self._text_and_rows
        if text is None:
            return np.zeros(len(rows), dtype=np.int64)
        return text_ranks(text, rows if of is None else of[rows])


def post_records(kind: pd.Categorical) -> np.ndarray | None:
    """Which rows are post records (kind ``post``); None when none is."""
    if POST not in kind.categories:
        return None
    mask = np.asarray(kind.codes == kind.categories.get_loc(POST))
    return mask if mask.any() else None


def fill_post_times(post: np.ndarray, post_time: np.ndarray, records: np.ndarray,
                    timestamp: np.ndarray) -> np.ndarray:
    """Give rows without a post time the time their post's record gives it: its post time,
    else its own time (a record's time is when the post was made)."""
    when = np.where(np.isnan(post_time), timestamp, post_time)
    given = records & (post >= 0) & ~np.isnan(when)
    missing = np.isnan(post_time) & (post >= 0)
    if not given.any() or not missing.any():
        return post_time
    times = np.full(int(post.max()) + 1, np.nan)
    times[post[given]] = when[given]
    out = post_time.copy()
    out[missing] = times[post[missing]]
    return out


def used_ids(frame: pd.DataFrame, n_accounts: int, n_posts: int
             ) -> tuple[np.ndarray, np.ndarray]:
    """Which account and post codes some row of ``frame`` names (as actor, author or post)."""
    people = np.zeros(n_accounts + 1, dtype=bool)  # the last slot takes -1, unknown
    people[frame["actor"].to_numpy()] = True
    people[frame["author"].to_numpy()] = True
    seen = np.zeros(n_posts + 1, dtype=bool)
    seen[frame["post"].to_numpy()] = True
    return people[:-1], seen[:-1]


def recode(people: np.ndarray, seen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """New codes (old code -> new, -1 last) keeping only the ids marked used, in order."""
    return (np.append(np.cumsum(people) - 1, -1).astype("int32"),
            np.append(np.cumsum(seen) - 1, -1).astype("int32"))


def compact(frame: pd.DataFrame, accounts: np.ndarray, posts: np.ndarray
            ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Only the ids some row names: after post records are dropped, a post no one engaged,
    and an author known only as its writer, are no part of the export's engagement."""
    people, seen = used_ids(frame, len(accounts), len(posts))
    if people.all() and seen.all():
        return frame, accounts, posts
    account_code, post_code = recode(people, seen)
    frame = frame.assign(actor=account_code[frame["actor"].to_numpy()],
                         author=account_code[frame["author"].to_numpy()],
                         post=post_code[frame["post"].to_numpy()])
    return frame, accounts[people], posts[seen]


def sorted_codes(*columns: Coded) -> tuple[np.ndarray, list[np.ndarray]]:
    """Code the strings of all ``columns`` in one space numbered in sorted order.

    Returns the labels (object array of str, ``labels[code]``) of the values some row holds,
    and one int32 code array per column, -1 where the value is missing.
    """
    used = [_used(c) for c in columns]
    parts = [c.labels.filter(pa.array(u)).cast(pa.large_string())
             for c, u in zip(columns, used, strict=True)]
    joined = pa.concat_arrays(parts)
    if len(columns) == 1 and columns[0].distinct:
        unique, index = joined, np.arange(len(joined))
    else:
        encoded = pc.dictionary_encode(joined)
        unique, index = encoded.dictionary, encoded.indices.to_numpy()
    order = pc.sort_indices(unique).to_numpy()
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    ranks = np.split(rank[index], np.cumsum([len(p) for p in parts])[:-1])
    codes = []
    for column, mask, ranked in zip(columns, used, ranks, strict=True):
        mapping = np.full(len(column.labels) + 1, -1, dtype=np.int32)  # [-1]: missing
        mapping[np.flatnonzero(mask)] = ranked
        codes.append(mapping[column.codes])
    labels = unique.take(pa.array(order)).to_numpy(zero_copy_only=False)
    return np.asarray(labels, dtype=object), codes


def _used(column: Coded) -> np.ndarray:
    """Which labels some row holds."""
    if column.complete:
        return column.labels.is_valid().to_numpy(zero_copy_only=False)
    used = np.zeros(len(column.labels) + 1, dtype=bool)  # [-1]: missing
    used[column.codes] = True
    return used[:-1]


def text_ranks(text: pa.Array, rows: np.ndarray) -> np.ndarray:
    """Sort ranks of the strings at ``rows``; missing ranks last."""
    encoded = pc.dictionary_encode(text.take(pa.array(rows)))
    order = pc.sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order) + 1, dtype=np.int64)
    rank[order] = np.arange(len(order))
    rank[-1] = len(order)
    return rank[encoded.indices.fill_null(-1).to_numpy()]


def clashes(
    author: np.ndarray, post: np.ndarray, accounts: np.ndarray, posts: np.ndarray,
    source: str, column: str | None, bad: BadRows,
) -> bool:
    """Flag rows naming another author for a post than its other rows; True if any.

    Strict, the first row of a post names its author (the first row that differs is the
    error); else the author most rows name (the first in sort order on a tie).
    """
    rows = (author >= 0) & (post >= 0)
    every = bool(rows.all())  # then no copies
    if not every and not rows.any():
        return False
    known, of = (author, post) if every else (author[rows], post[rows])
    owner = _first_owners(known, of, len(posts))
    differ = known != owner[of]
    if not differ.any():
        return False
    if not bad.strict:
        owner = _majority(known, of, differ, owner)
        differ = known != owner[of]
    clash = differ
    if not every:
        clash = np.zeros(len(author), dtype=bool)
        clash[rows] = differ

    def describe(row: int) -> InputError:
        return InputError(
            f"post {posts[post[row]]!r} has two authors: {accounts[owner[post[row]]]!r} and "
            f"{accounts[author[row]]!r}", source=source, column=column,
        )

    bad.flag(clash, describe)
    return True


def fill_authors(author: np.ndarray, post: np.ndarray, n_posts: int) -> tuple[np.ndarray, int]:
    """Give rows without an author the author other rows name for the same post."""
    missing = np.flatnonzero((author < 0) & (post >= 0))
    if missing.size == 0:
        return author, 0
    rows = np.flatnonzero((author >= 0) & (post >= 0))
    if rows.size == 0:
        return author, 0
    owner = owners(author[rows], post[rows], n_posts, first=True)
    found = owner[post[missing]]
    author = author.copy()
    author[missing] = found
    return author, int((found >= 0).sum())


def owners(author: np.ndarray, post: np.ndarray, n_posts: int, first: bool) -> np.ndarray:
    """The author of each post (-1: none): of its first row (``first``) or named by most rows.

    On a tie the author first in sort order wins. ``author`` and ``post`` are codes >= 0.
    """
    owner = _first_owners(author, post, n_posts)
    if first:
        return owner
    differ = author != owner[post]
    return _majority(author, post, differ, owner) if differ.any() else owner


def _first_owners(author: np.ndarray, post: np.ndarray, n_posts: int) -> np.ndarray:
    at = np.full(n_posts, len(post), dtype=np.int64)
    np.minimum.at(at, post, np.arange(len(post)))
    owner = np.full(n_posts, -1, dtype=np.int32)
    seen = at < len(post)
    owner[seen] = author[at[seen]]
    return owner


def _majority(
    author: np.ndarray, post: np.ndarray, differ: np.ndarray, first: np.ndarray
) -> np.ndarray:
    """``first``, but for posts where some rows (``differ``) name another author: the author
    most of their rows name, counted on packed (post, author) keys."""
    rows = np.isin(post, post[differ])
    size = int(author.max()) + 1
    pairs, counts = np.unique(post[rows].astype(np.int64) * size + author[rows],
                              return_counts=True)
    pair_post, pair_author = pairs // size, pairs % size
    order = np.lexsort([pair_author, -counts, pair_post])
    best = order[np.concatenate([[True], np.diff(pair_post[order]) != 0])]
    owner = first.copy()
    owner[pair_post[best]] = pair_author[best]
    return owner


def sort_and_collapse(
    ints: list[np.ndarray], floats: list[np.ndarray], text: Callable[[np.ndarray], np.ndarray],
    line: np.ndarray,
) -> tuple[np.ndarray, int]:
    """Sort by timestamp, actor, author, post, kind, text, post_time, line; drop duplicates.

    ``ints`` are the actor, author, post and kind codes (-1, missing, sorts last); ``floats``
    the timestamp and post_time (NaN last; a column all NaN is left out, so without timestamps
    post_time comes first); ``text(rows)`` gives sort ranks of the text of some rows. Rows
    equal in every column but the line are then neighbours: all but the first are dropped.

    Returns the positions of the rows kept, in order, and how many rows were dropped.
    """
    if len(line) == 0:
        return np.arange(0), 0
    floats = [v for v in floats if not np.isnan(np.fmax.reduce(v))]  # NaN only if all are
    word, size = _float_key(floats[0]) if floats else (np.zeros(len(line), np.int64), 1)
    packed = 0  # the int keys in the first word
    for values in ints:
        span = int(values.max(initial=-1)) + 2
        if size * span >= _PACK_LIMIT:
            break
        word *= span
        word += values
        missing = values < 0
        if missing.any():
            word[missing] += span  # -1, missing, sorts last: span - 1
        size, packed = size * span, packed + 1
    order = np.argsort(word, kind="stable")  # fast on exports already in time order
    ordered = word[order]
    tie = ordered[1:] == ordered[:-1]
    if not tie.any():
        return order, 0
    later: list[Key] = [partial(_some, values) for values in ints[packed:]]
    return _break_ties(order, tie, [*later, text, *floats[1:]], line)


def _break_ties(
    order: np.ndarray, tie: np.ndarray, later: list[Key], line: np.ndarray
) -> tuple[np.ndarray, int]:
    """Order the runs of rows equal in the first key by the later keys, then drop duplicates.

    ``later`` are arrays, or functions giving the key of some rows (the text).
    """
    starts = np.flatnonzero(tie)  # sorted position p ties with p + 1
    where = np.union1d(starts, starts + 1)
    joined = np.zeros(len(where), dtype=bool)  # in the run of the position before
    joined[where > 0] = tie[where[where > 0] - 1]
    run = np.cumsum(~joined)
    rows = order[where]
    keys = [k(rows) if callable(k) else k[rows] for k in later]
    sub = np.lexsort([rows, line[rows], *keys[::-1], run])
    order[where] = rows[sub]
    same = run[1:] == run[:-1]  # run is the first key: sub keeps it in order
    for values in (k[sub] for k in keys):
        same &= (values[1:] == values[:-1]) | _both_nan(values)
    if not same.any():
        return order, 0
    return np.delete(order, where[1:][same]), int(same.sum())


def _both_nan(values: np.ndarray) -> np.ndarray | bool:
    if values.dtype.kind != "f":
        return False
    return np.isnan(values[1:]) & np.isnan(values[:-1])


def _float_key(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Int64 keys in the order of ``values`` (NaN last, -0.0 equal to 0.0), and their span.

    Whole numbers within a modest span (epoch seconds) are their own key, to share a word
    with other keys; others are their bits, ordered as the floats (a word of their own).
    """
    missing = np.isnan(values)
    low, high = np.fmin.reduce(values), np.fmax.reduce(values)  # NaN left out
    if high - low < _SPAN_LIMIT:
        span = int(high - low) + 2
        shifted = values - low
        shifted[missing] = span - 1
        key = shifted.astype(np.int64)
        if np.array_equal(key, shifted):  # whole numbers
            return key, span
    bits = (values + 0.0).view(np.int64)  # + 0.0: -0.0 becomes 0.0
    key = np.where(bits < 0, bits ^ np.int64(2**63 - 1), bits)
    key[missing] = np.iinfo(np.int64).max
    return key, 2**64


def _some(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The int64 key of ``rows`` of codes, missing (-1) last."""
    key = values[rows].astype(np.int64)
    key[key < 0] = _PACK_LIMIT
    return key
