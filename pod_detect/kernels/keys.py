"""One packer for the int64 keys the sorting group-bys sort: several integer columns, each
below a bound, side by side in bit fields of one non-negative int64.

The first column is the most significant, so sorting the keys sorts the rows by (first,
second, ...), and every column is read back exactly (:meth:`Key.field`). Whether the columns
fit is decided once, from their bounds (:attr:`Key.fits`); a caller whose columns do not fit
takes its general path (a pandas group-by), and :meth:`Key.pack` refuses rather than wrap.
Before this module the packing was written out by hand at each use, one of them a fixed
``post << 31 | actor`` that was right only while codes stayed below 2**31.
"""

from __future__ import annotations

import numpy as np

from pod_detect.kernels.sorting import bits

#: Bits of a non-negative int64.
_BITS = 63


class Key:
    """Integer columns below ``bounds`` packed into one int64, the first most significant.

    >>> key = Key(3, 1000)
    >>> packed = key.pack(np.array([2, 0]), np.array([7, 999]))
    >>> key.field(packed, 0).tolist(), key.field(packed, 1).tolist()
    ([2, 0], [7, 999])
    """

    def __init__(self, *bounds: int) -> None:
        self.bounds = tuple(int(b) for b in bounds)
        self.widths = tuple(bits(b) for b in self.bounds)
        #: Whether every combination of the columns fits in a non-negative int64.
        self.fits = sum(self.widths) <= _BITS
        self.shifts = tuple(sum(self.widths[i + 1:]) for i in range(len(self.widths)))
        #: One past the largest key (for :func:`~pod_detect.kernels.sorting.stable_order`).
        self.bound = 1 << sum(self.widths)

    def pack(self, *columns: np.ndarray) -> np.ndarray:
        """One fresh int64 array of keys; the columns must be non-negative and below their
        bounds (not checked: they are codes, by construction)."""
        if not self.fits:
            raise OverflowError(f"columns below {self.bounds} do not fit in an int64 key")
        if len(columns) != len(self.widths):
            raise ValueError(f"{len(self.widths)} columns expected, not {len(columns)}")
        packed = np.asarray(columns[0]).astype(np.int64)  # a copy, shifted and filled in place
        for column, width in zip(columns[1:], self.widths[1:], strict=True):
            packed <<= width
            packed |= column
        return packed

    def field(self, packed: np.ndarray, index: int) -> np.ndarray:
        """Column ``index`` of packed keys (int64)."""
        shifted = packed >> self.shifts[index] if self.shifts[index] else packed
        return shifted & ((1 << self.widths[index]) - 1) if index else shifted

    def prefix(self, packed: np.ndarray, count: int) -> np.ndarray:
        """The keys of the first ``count`` columns alone (as ``Key(*bounds[:count])`` would
        pack them): the rest shifted out."""
        return packed >> self.shifts[count - 1]
