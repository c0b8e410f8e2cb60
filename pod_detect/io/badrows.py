"""Rows that fail: raise on the first, or drop and count them (a helper of :mod:`pod_detect.io`).

``--on-bad-rows error`` (the default) raises the first failing row's :class:`InputError`;
``skip`` and ``warn`` drop every failing row, count it under ``dropped["bad_row"]`` and keep
the first few row numbers and the first reason for a note.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from pod_detect.errors import ConfigError, InputError

#: Values of ``on_bad_rows``.
ON_BAD_ROWS = ("error", "skip", "warn")
#: Row numbers shown in the note.
SHOWN = 5
#: The note about dropped rows starts with this (see :func:`pod_detect.io.bad_rows_note`).
NOTE_PREFIX = "bad rows dropped"


class BadRows:
    """Collect the failing rows of a table of ``n`` rows.

    Parameters
    ----------
    policy
        One of :data:`ON_BAD_ROWS`.
    n
        Rows in the table.
    numbers
        The input's row number of each table row (default: position + 1).
    """

    def __init__(self, policy: str, n: int, numbers: np.ndarray | None = None) -> None:
        if policy not in ON_BAD_ROWS:
            raise ConfigError(f"on_bad_rows must be one of {', '.join(ON_BAD_ROWS)}, "
                              f"not {policy!r}")
        self.policy = policy
        self.strict = policy == "error"
        self.mask = np.zeros(n, dtype=bool)
        self.numbers = numbers
        self.count = 0
        self.shown: list[int] = []
        self.first: InputError | None = None

    def number(self, index: int) -> int:
        """The input's row number of table row ``index``."""
        return int(self.numbers[index]) if self.numbers is not None else index + 1

    def flag(self, mask: np.ndarray, describe: Callable[[int], InputError]) -> None:
        """Mark the rows of ``mask`` bad; ``describe(index)`` is the error of one of them."""
        mask = np.asarray(mask, dtype=bool)
        new = mask & ~self.mask
        if not new.any():
            return
        index = int(np.argmax(new))
        error = describe(index)
        error.row = self.number(index)
        if self.strict:
            raise error
        self.mask |= mask
        self._remember(error)

    def skipped(self, errors: Iterable[InputError]) -> None:
        """Count rows the reader dropped already (their errors name their rows)."""
        for error in errors:
            if self.strict:
                raise error
            self.count += 1
            self._remember(error)

    def narrow(self) -> np.ndarray | None:
        """Drop the flagged rows: the mask of rows kept, or None when none is flagged."""
        if not self.mask.any():
            return None
        keep = ~self.mask
        dropped = np.flatnonzero(self.mask)
        self.count += len(dropped)
        self.shown = sorted({*self.shown, *(self.number(int(i)) for i in dropped[:SHOWN])})
        self.shown = self.shown[:SHOWN]
        self.numbers = (self.numbers[keep] if self.numbers is not None
                        else np.flatnonzero(keep) + 1)
        self.mask = np.zeros(int(keep.sum()), dtype=bool)
        return keep

    def note(self) -> str | None:
        """``"bad rows dropped: 3 (rows 2, 5, 9); first: row 2, ...: ..."``, or None."""
        detail = self.detail()
        return None if detail is None else dropped_note(detail)

    def detail(self) -> str | None:
        """What the note says after its prefix, ``"3 (rows 2, 5, 9); first: row 2, ...: ..."``
        (:attr:`pod_detect.model.ReadNotes.bad_rows`), or None when no row was dropped."""
        if self.count == 0 or self.first is None:
            return None
        rows = ", ".join(str(n) for n in self.shown) + (", ..." if self.count > SHOWN else "")
        first = self.first
        where = f"row {first.row}" + (f", column {first.column!r}" if first.column else "")
        return (f"{self.count} (row{'s' if len(self.shown) > 1 else ''} {rows});"
                f" first: {where}: {first.message}")

    def _remember(self, error: InputError) -> None:
        if error.row is not None:
            self.shown = sorted({*self.shown, error.row})[:SHOWN]
        if self.first is None or (error.row or 0) < (self.first.row or 0):
            self.first = error


def dropped_note(detail: str, name: str | None = None) -> str:
    """The note on dropped rows of :meth:`BadRows.detail`; ``name``: the input they were
    dropped from, said when a scan reads several (``"bad rows dropped in a.csv: ..."``)."""
    return f"{NOTE_PREFIX}{f' in {name}' if name is not None else ''}: {detail}"
