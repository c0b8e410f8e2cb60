"""The raw table every reader returns: its columns by name (arrow strings as read, the rest in
pandas) and the input's row number of each row."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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
        """The column ``name``: an arrow column of strings, or a pandas column. A dotted
        name that is not a column is a field of a nested one (:meth:`nested`)."""
        if name not in self.names:
            return self._field(name)
        index = self.names.index(name)
        if self._table is not None:
            values = self._table.column(index)
            if is_arrow_text(values) or name in self._times:
                return values
            if index in self._others:
                return self._others[index]
        return self.frame.iloc[:, index]


    def records(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The first ``limit`` rows (None: all) as dicts, nested records as dicts, missing
        values as None: what a platform adapter reads."""
        if self._table is not None:
            table = self._table if limit is None else self._table.slice(0, limit)
            for index, column in enumerate(table.columns):
                if pa.types.is_temporal(column.type):  # as text: Python's dates end at 9999
                    table = table.set_column(index, table.field(index).name,
                                             pc.cast(column, pa.large_string()))
            return table.to_pylist()
        frame = self.frame if limit is None else self.frame.iloc[:limit]
        cells = frame.astype(object).where(frame.notna(), None)
        return [dict(zip(self.names, row, strict=True)) for row in cells.itertuples(index=False)]

    def nested(self, limit: int = 200) -> list[str]:
        """The dotted paths of the fields inside nested columns (``commit.record``,
        ``commit.record.subject.uri``): from an arrow struct's type, or from the dicts of a
        pandas column's first ``limit`` values. Lists are not entered (an item is not one
        value per row)."""
        paths: list[str] = []
        for index, name in enumerate(self.names):
            if self._table is not None:
                kind = self._table.schema.field(index).type
                if pa.types.is_struct(kind):
                    paths += [f"{name}.{p}" for p in _struct_paths(kind)]
                continue
            values = self.frame.iloc[:, index]
            if pd.api.types.is_object_dtype(values.dtype):
                found: dict[str, None] = {}
                for value in values.iloc[:limit]:
                    if isinstance(value, dict):
                        found.update(dict.fromkeys(_dict_paths(value)))
                paths += [f"{name}.{p}" for p in found]
        return paths

    def _field(self, path: str) -> pd.Series | pa.ChunkedArray:
        """A nested field by its dotted path (KeyError when there is none)."""
        head = next((n for n in sorted(self.names, key=len, reverse=True)
                     if path.startswith(n + ".")), None)
        if head is None:
            raise KeyError(path)
        rest = path[len(head) + 1:].split(".")
        if self._table is not None:
            values = self._table.column(self.names.index(head))
            for step in rest:
                if not pa.types.is_struct(values.type) or values.type.get_field_index(step) < 0:
                    raise KeyError(path)
                values = pc.struct_field(values, step)
            if is_arrow_text(values):
                return values
            return arrow_to_pandas(pa.table([values], names=["column"]))["column"]
        cells = self.frame.iloc[:, self.names.index(head)].to_numpy()
        out = []
        for cell in cells:
            for step in rest:
                cell = cell.get(step) if isinstance(cell, dict) else None
            out.append(cell)
        if all(v is None for v in out) and path not in self.nested():
            raise KeyError(path)
        return pd.Series(out, dtype=object)


def _struct_paths(kind: pa.StructType) -> list[str]:
    paths = []
    for index in range(kind.num_fields):
        field = kind.field(index)
        paths.append(field.name)
        if pa.types.is_struct(field.type):
            paths += [f"{field.name}.{p}" for p in _struct_paths(field.type)]
    return paths


def _dict_paths(value: dict[str, Any], depth: int = 0) -> list[str]:
    paths = []
    for key, item in value.items():
        paths.append(str(key))
        if isinstance(item, dict) and item and depth < 32:
            paths += [f"{key}.{p}" for p in _dict_paths(item, depth + 1)]
    return paths


class Raw(NamedTuple):
    """A raw table, the input's row number of each of its rows, and the rows left out."""

    columns: Columns
    #: Row number of each table row in the input; None: position + 1.
    numbers: np.ndarray | None = None
    #: One error per input row the reader dropped (only when asked to skip them).
    skipped: tuple[InputError, ...] = ()
    #: Records read, when a platform's adapter made the rows from them (None: a row each).
    records: int | None = None

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
