"""The raw table every reader returns: its columns by name (arrow strings as read, the rest in
pandas) and the input's row number of each row."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from pod_detect.errors import InputError
from pod_detect.io.strings import is_arrow_text


class Columns:
    """A raw table's columns by name: arrow string columns as read (and the columns of
    ``times``, which the reader parsed as times), any other in pandas.

    Made from a pandas frame, or from an arrow table whose pandas frame (:attr:`frame`) is
    made only when asked for, by ``convert``. The other columns of a table are converted
    apart (``others``, by position), or else taken from that frame.
    """

    def __init__(
        self, frame: pd.DataFrame | None = None, *, table: pa.Table | None = None,
        convert: Callable[[pa.Table], pd.DataFrame] | None = None,
        others: dict[int, pd.Series] | None = None, times: Iterable[str] = (),
    ) -> None:
        self._frame, self._table, self._convert = frame, table, convert
        self._others = others or {}
        self._times = frozenset(times)
        source = frame.columns if frame is not None else table.column_names  # type: ignore[union-attr]
        #: The column names, as strings.
        self.names = [str(name) for name in source]

    def __len__(self) -> int:
        return self._table.num_rows if self._table is not None else len(self.frame)

    @property
    def frame(self) -> pd.DataFrame:
        """The table as a pandas frame (strings as strings, integers exact)."""
        if self._frame is None:
            self._frame = self._convert(self._table)  # type: ignore[misc]
        return self._frame

    def column(self, name: str) -> pd.Series | pa.ChunkedArray:
        """The column ``name``: an arrow column of strings, or a pandas column."""
        index = self.names.index(name)
        if self._table is not None:
            values = self._table.column(index)
            if is_arrow_text(values) or name in self._times:
                return values
            if index in self._others:
                return self._others[index]
        return self.frame.iloc[:, index]


class Raw(NamedTuple):
    """A raw table, the input's row number of each of its rows, and the rows left out."""

    columns: Columns
    #: Row number of each table row in the input; None: position + 1.
    numbers: np.ndarray | None = None
    #: One error per input row the reader dropped (only when asked to skip them).
    skipped: tuple[InputError, ...] = ()

    @property
    def frame(self) -> pd.DataFrame:
        """The table as a pandas frame."""
        return self.columns.frame


def arrow_columns(table: pa.Table, convert: Callable[[pa.Table], pd.DataFrame]) -> Columns:
    """Columns of a table without pandas metadata: strings in arrow, the others converted."""
    others = {
        index: arrow_to_pandas(pa.table([column], names=["column"]))["column"]
        for index, column in enumerate(table.columns) if not is_arrow_text(column)
    }
    return Columns(table=table, convert=convert, others=others)


def arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """Convert keeping integer columns exact (nullable integers instead of float with NaN)."""

    def mapper(kind: pa.DataType) -> Any:
        if pa.types.is_unsigned_integer(kind):
            return pd.UInt64Dtype()
        if pa.types.is_integer(kind):
            return pd.Int64Dtype()
        if pa.types.is_boolean(kind):
            return pd.BooleanDtype()
        return None

    return table.to_pandas(types_mapper=mapper)
