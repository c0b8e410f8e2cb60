"""Parquet: read as arrow, converted to pandas only where a column is not text."""

from __future__ import annotations

from functools import partial

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pod_detect.errors import InputError
from pod_detect.io.readers.base import Columns, Raw, arrow_columns, arrow_to_pandas
from pod_detect.io.sources import one_line
from pod_detect.io.strings import STR, is_arrow_text


def read_parquet(data: pa.Buffer, name: str, encoding: str = "utf-8", *, skip: bool = False) -> Raw:
    """Read a Parquet file (``encoding`` and ``skip`` are unused: Parquet strings are UTF-8
    and its rows all have every column)."""
    try:
        table = pq.read_table(pa.BufferReader(data))
        table.validate(full=True)  # e.g. strings that are not UTF-8
    except MemoryError:
        raise
    except (pa.ArrowException, OSError, ValueError) as exc:  # UnicodeDecodeError: a ValueError
        raise InputError(f"is not a valid Parquet file ({one_line(exc)})", source=name) from None
    if table.num_rows == 0:
        raise InputError("has no rows", source=name)
    return Raw(_parquet_columns(table, name))


def _parquet_columns(table: pa.Table, name: str) -> Columns:
    """The columns, in arrow where the pandas frame would hold them as they are.

    Without pandas metadata every column converts on its own; with it, only a table of
    string columns that the metadata leaves alone (checked on no rows) stays in arrow.
    """
    convert = partial(_parquet_frame, name=name)
    if b"pandas" not in (table.schema.metadata or {}):  # (unparsed: if damaged, the frame says)
        try:
            return arrow_columns(table, convert)
        except MemoryError:
            raise
        except Exception:  # the whole frame says what is wrong
            pass
    elif all(is_arrow_text(column) for column in table.columns) and _plain(table):
        return Columns(table=table, convert=convert)
    return Columns(convert(table))


def _plain(table: pa.Table) -> bool:
    """Whether the pandas metadata keeps the columns' names and makes every one a string."""
    try:
        probe = arrow_to_pandas(table.slice(0, 0))
    except MemoryError:
        raise
    except Exception:
        return False
    return list(probe.columns) == table.column_names and all(t == STR for t in probe.dtypes)


def _parquet_frame(table: pa.Table, name: str) -> pd.DataFrame:
    try:
        return arrow_to_pandas(table)
    except MemoryError:
        raise
    except Exception:  # damaged pandas metadata: it is optional, so read without it
        pass
    try:
        return arrow_to_pandas(table.replace_schema_metadata(None))
    except MemoryError:
        raise
    except Exception as exc:
        raise InputError(f"is not a valid Parquet file ({one_line(exc)})", source=name) from None


