"""Group-by on integer keys by sorting, for the pandas engine's hot loops.

numpy sorts int64 with vectorised instructions: a plain ``np.sort`` of four million keys
takes a few hundredths of a second, where the hash tables behind ``pd.factorize``,
``drop_duplicates``, ``value_counts`` and ``groupby`` take most of a second each. So the
steps that touch every row pack what they group by into one non-negative int64 (a row
index may ride in the low bits, which makes the sort stable and gives the order back),
sort it, and read groups off as runs of equal keys.
"""

from __future__ import annotations

import numpy as np

#: Bits of a non-negative int64 key.
_BITS = 63


def bits(bound: int) -> int:
    """Bits needed for the values ``0 .. bound - 1``."""
    return max(int(bound) - 1, 1).bit_length()


def fits(*bounds: int) -> bool:
    """Whether values below each bound, packed side by side, fit in a non-negative int64."""
    return sum(bits(b) for b in bounds) <= _BITS


def stable_order(key: np.ndarray, bound: int) -> np.ndarray:
    """``np.argsort(key, kind="stable")`` for integer keys in ``0 .. bound - 1``.

    The position rides in the low bits of the key when both fit, and a plain sort of those
    is several times faster than an argsort; else the argsort.
    """
    n = len(key)
    if not fits(bound, n + 1):
        return np.argsort(key, kind="stable")
    shift = bits(n + 1)
    packed = key.astype(np.int64)  # a copy, then shifted and tagged in place
    packed <<= shift
    packed |= np.arange(n, dtype=np.int64)
    packed.sort()
    packed &= (1 << shift) - 1
    return packed


def unique(key: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an array, by one sort (numpy 2.4's ``np.unique``
    without ``return_*`` hashes, which is far slower on millions of int64)."""
    ordered = np.sort(key)
    return ordered[_run_heads(ordered)]


def starts(ordered: np.ndarray) -> np.ndarray:
    """Where each run of equal values of a sorted array begins."""
    return np.flatnonzero(_run_heads(ordered))


def _run_heads(ordered: np.ndarray) -> np.ndarray:
    """Whether each value of a sorted array begins a run of equal values: one mask, no
    shifted copies."""
    heads = np.empty(len(ordered), dtype=bool)
    if len(ordered):
        heads[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=heads[1:])
    return heads


def runs(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted array and how often each occurs."""
    first = starts(ordered)
    return ordered[first], lengths(first, len(ordered))


def lengths(first: np.ndarray, total: int) -> np.ndarray:
    """The length of each run, from where the runs begin (:func:`starts`) and the total."""
    out = np.empty(len(first), dtype=np.int64)
    if len(first):
        np.subtract(first[1:], first[:-1], out=out[:-1])
        out[-1] = total - first[-1]
    return out


def counts(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of an integer array, sorted, and how often each occurs."""
    return runs(np.sort(key))


def factorize(key: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(key, sort=False)``'s codes (each distinct key numbered in the order
    it first occurs) for integer keys in ``0 .. bound - 1``, by sorting; and how many times
    each code occurs."""
    n = len(key)
    if fits(bound, n + 1):
        order = stable_order(key, bound)
        ordered = key[order]
        first = starts(ordered)
        head = order[first]  # a stable order: the first occurrence leads its run
    else:
        order = np.argsort(key)
        ordered = key[order]
        first = starts(ordered)
        head = np.minimum.reduceat(order, first) if n else first
    size = lengths(first, n)
    leads = np.zeros(n, dtype=bool)
    leads[head] = True
    number = np.cumsum(leads)[head] - 1  # distinct keys that occur before each one
    codes = np.empty(n, dtype=np.int64)
    codes[order] = np.repeat(number, size)
    counts = np.empty(len(first), dtype=np.int64)
    counts[number] = size
    return codes, counts
