"""Exceptions the core raises; the CLI turns them into one-line messages and exit code 2."""

from __future__ import annotations


class PodDetectError(Exception):
    """Base class of every error pod-detect reports to a user."""


class InputError(PodDetectError):
    """An export that cannot be read or understood.

    Parameters
    ----------
    message
        What is wrong, in plain words.
    source
        The file name as the user gave it (``"-"`` or ``"<stdin>"`` for standard input).
    row
        1-based data row (the header is row 0 for delimited text; the first record is row 1).
    column
        The column name as it appears in the input.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.row = row
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.source is not None:
            where.append(self.source)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class ConfigError(PodDetectError):
    """Settings that contradict each other or are out of range."""


class ClusterError(PodDetectError):
    """A Dask cluster that could not finish the work (a worker that kept dying, most often
    because a task needed more memory than the worker has)."""
