"""The row pairs of a co-engagement count and their sums per account pair: which sorted rows are
within the window of each other (a vectorised bisection, or one search when times are whole
seconds), the row pairs built chunk by chunk with :func:`numpy.repeat`, and their units
counted per pair key by sorting packed integers, so memory follows the distinct pairs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pod_detect.kernels import fast_paths
from pod_detect.kernels import sorting as _sorting
from pod_detect.kernels.keys import Key

#: ``weighted`` is added up in fixed point, units of 2**-24: integer sums are exact, so the
#: result is the same to the bit whatever the chunking and the order of the rows.
TICKS = 2**24


@dataclass(frozen=True)
class Rows:
    """The rows to pair, sorted by (post, time), and the facts each pair needs."""

    post: np.ndarray
    time: np.ndarray
    actor: np.ndarray
    size: np.ndarray  # code of the post's engager count, an index into ``ticks``
    repeated: np.ndarray  # the actor has another row on the same post
    ticks: np.ndarray  # per size code: 1 / log2(engagers) in units of 1 / TICKS


@dataclass(frozen=True)
class Sums:
    """Per pair key, sorted by key: ``weight`` units and ``ticks`` of ``weighted``."""

    key: np.ndarray
    weight: np.ndarray
    ticks: np.ndarray


def ticks_of(engagers: np.ndarray) -> np.ndarray:
    """``1 / log2(engagers)`` in ticks: 1 for two engagers, 0.1 for 1,024 (1 for one)."""
    factor = 1.0 / np.log2(np.maximum(engagers, 2).astype(np.float64))
    return np.round(factor * TICKS).astype(np.int64)


def window_ends(post: np.ndarray, time: np.ndarray, window: float) -> np.ndarray:
    """For each sorted row, one past the last row of the same post within ``window`` after it.

    A vectorised bisection over the rest of each row's post: ``lo`` is always within the
    window (it starts at the row itself), ``hi`` always past it or at the post's end.
    """
    fast = integer_window_ends(post, time, window)
    if fast is not None:
        return fast
    lo = np.arange(len(post))
    hi = np.searchsorted(post, post, side="right")
    active = np.flatnonzero(hi - lo > 1)
    while active.size:
        mid = (lo[active] + hi[active]) // 2
        inside = time[mid] - time[active] <= window
        lo[active] = np.where(inside, mid, lo[active])
        hi[active] = np.where(inside, hi[active], mid)
        active = active[hi[active] - lo[active] > 1]
    return hi


def integer_window_ends(post: np.ndarray, time: np.ndarray, window: float) -> np.ndarray | None:
    """:func:`window_ends` by one binary search of sorted queries, when every time is a
    whole number of seconds (exports with second resolution): each row's (post, time) as
    one exact int64 ``post * span + time``, the window end that key plus the window.
    ``None`` when the times are not whole numbers or the keys would not all be exact (the
    stand-in time of untimed rows is one such case)."""
    if not len(post) or not float(window).is_integer():
        return None
    low, high = float(time.min()), float(time.max())
    span = high - low + window + 1
    # every number below 2**53, so the float subtraction and the int64 keys are exact
    if span * (float(post.max()) + 1) >= 2.0**53 or not np.array_equal(time, np.floor(time)):
        return None
    key = post.astype(np.int64) * int(span) + (time - low).astype(np.int64)
    return np.searchsorted(key, key + int(window), side="right")


def chunks_of(counts: np.ndarray, budget: int) -> Iterator[np.ndarray]:
    """Left rows (those with a partner) in runs of at most ``budget`` row pairs.

    A single row with more partners than the budget is a chunk of its own.
    """
    rows = np.flatnonzero(counts > 0)
    total = np.cumsum(counts[rows])
    begin = 0
    while begin < len(rows):
        done = int(total[begin - 1]) if begin else 0
        end = max(int(np.searchsorted(total, done + budget, side="right")), begin + 1)
        yield rows[begin:end]
        begin = end


def count_chunk(
    rows: Rows, left: np.ndarray, counts: np.ndarray, n_accounts: int, weighting: str,
    units: Units, shared: Shared,
) -> None:
    """Count the row pairs of one chunk.

    The row pairs that are alone in their unit go to ``units``; the others to ``shared``,
    to be de-duplicated across chunks: a unit is a (pair, post) for ``"count"``, a (pair,
    row of ``actor_a``) for ``"qut"``. A row pair shares its unit with another only when an
    account engaged the post more than once, so only those (about one in seven on
    simulated data) go through the de-duplication.
    """
    # positions as int32 where they fit: these arrays are as long as the chunk's row pairs
    index = np.int32 if len(rows.actor) < 2**31 - 1 else np.int64
    firsts = np.cumsum(counts) - counts
    i = np.repeat(left.astype(index), counts)
    j: np.ndarray = np.arange(len(i), dtype=index)
    j += np.repeat((left - firsts + 1).astype(index), counts)  # i + 1 + its pair's rank
    a, b = rows.actor[i], rows.actor[j]
    key = Key(n_accounts, n_accounts).pack(np.minimum(a, b), np.maximum(a, b))
    distinct = a != b  # an account beside itself is no pair: left out by the masks below
    if weighting == "count":
        unit, repeated = rows.post[i], rows.repeated[i] | rows.repeated[j]
    else:  # the lower account's row; it pairs more than once only if the other repeated
        low = a < b
        unit, repeated = np.where(low, i, j), rows.repeated[np.where(low, j, i)]
    del a, b
    alone = distinct & ~repeated
    repeated &= distinct
    units.add(key[alone], rows.size[i[alone]])
    shared.add(key[repeated], unit[repeated])


@dataclass
class Shared:
    """The row pairs that may share their unit with another, each unit counted once across
    all chunks. Packed as ``key << bits | unit`` and de-duplicated by sorting when both fit
    in an int64 (pandas' hashing ``drop_duplicates`` is much slower); by
    ``drop_duplicates`` otherwise. Every row pair of a unit is on one post, so
    the post's size code is read off the unit (``size_of``)."""

    bits: int
    packs: bool
    size_of: np.ndarray
    parts: list[Any]

    @classmethod
    def of(cls, rows: Rows, n_accounts: int, weighting: str) -> Shared:
        if weighting == "count":  # the unit is a post
            bound = int(rows.post.max(initial=0)) + 1
            size_of = np.zeros(bound, dtype=np.int64)
            size_of[rows.post] = rows.size
        else:  # the unit is a row
            bound, size_of = len(rows.post), rows.size
        packs = (Key(n_accounts, n_accounts, bound).fits
                 and fast_paths.enabled("pair_units"))
        return cls(_sorting.bits(bound), packs, size_of, [])

    def add(self, key: np.ndarray, unit: np.ndarray) -> None:
        if self.packs:
            self.parts.append(_sorting.unique((key << self.bits) | unit))
        else:
            frame = pd.DataFrame({"key": key, "unit": unit})
            self.parts.append(frame.drop_duplicates(["key", "unit"]))

    def into(self, units: Units) -> None:
        """Each distinct unit, with its post's size code, added to ``units``."""
        if not self.parts:
            return
        if self.packs:
            packed = _sorting.unique(np.concatenate(self.parts))
            key, unit = packed >> self.bits, packed & ((1 << self.bits) - 1)
        else:
            distinct = pd.concat(self.parts, ignore_index=True).drop_duplicates(["key", "unit"])
            key, unit = distinct["key"].to_numpy(np.int64), distinct["unit"].to_numpy(np.int64)
        units.add(key, self.size_of[unit].astype(np.int64))


class Units:
    """Units (a pair key and the size code of its post) gathered to be counted per key.

    They are kept packed, the size code in the low bits of the key, and counted together
    by one sort at the end; when more than ``most`` are waiting, those are counted and kept
    as sums (one per pair), so memory follows the distinct pairs, not the row pairs. The
    packing is done as they arrive and the counting reuses its arrays: on millions of
    units each fresh array costs more in page faults than the arithmetic on it.
    """

    def __init__(self, ticks: np.ndarray, n_accounts: int, most: int) -> None:
        self.ticks, self.n_accounts, self.most = ticks, n_accounts, most
        self.size_bits = _sorting.bits(len(ticks))
        self.packs = (Key(n_accounts, n_accounts, len(ticks)).fits
                      and fast_paths.enabled("pair_units"))
        self.waiting: list[Any] = []  # packed arrays, or (key, size) pairs
        self.count = 0
        self.sums: list[Sums] = []

    def add(self, key: np.ndarray, size: np.ndarray) -> None:
        if self.packs:
            packed = np.left_shift(key, self.size_bits, dtype=np.int64)
            packed |= size
            self.waiting.append(packed)
        else:
            self.waiting.append((key, size))
        self.count += len(key)
        if self.count > self.most:
            self.sums.append(self._collapse())

    def total(self) -> Sums:
        """The count and ticks of every key, sorted by key."""
        last = self._collapse()
        return _merge([*self.sums, last]) if self.sums else last

    def _collapse(self) -> Sums:
        waiting, self.waiting, self.count = self.waiting, [], 0
        if not self.packs:
            key = np.concatenate([k for k, _ in waiting] or [np.zeros(0, np.int64)])
            size = np.concatenate([s for _, s in waiting] or [np.zeros(0, np.int64)])
            order = np.argsort(key, kind="stable")
            return _runs(key[order], None, self.ticks[size[order]])
        # a plain sort of int64 is several times faster than an argsort
        packed = waiting[0] if len(waiting) == 1 else np.concatenate(
            waiting or [np.zeros(0, np.int64)])
        del waiting
        packed.sort()
        size = packed & ((1 << self.size_bits) - 1)
        ticks = self.ticks[size]
        del size
        packed >>= self.size_bits  # the keys, sorted
        return _runs(packed, None, ticks)


def _runs(key: np.ndarray, weight: np.ndarray | None, ticks: np.ndarray) -> Sums:
    """Add up ``weight`` (None: one per key) and ``ticks`` over runs of equal keys of a
    sorted ``key``."""
    if not len(key):
        return Sums(key, np.zeros(0, np.int64) if weight is None else weight, ticks)
    first = _sorting.starts(key)
    weights = (_sorting.lengths(first, len(key)) if weight is None
               else np.add.reduceat(weight, first))
    return Sums(key[first], weights, np.add.reduceat(ticks, first))


def _merge(parts: list[Sums]) -> Sums:
    """Add up sums per key over parts (each sorted by key)."""
    key = np.concatenate([p.key for p in parts])
    order = np.argsort(key, kind="stable")  # merges the sorted runs
    weight = np.concatenate([p.weight for p in parts])[order]
    return _runs(key[order], weight, np.concatenate([p.ticks for p in parts])[order])


