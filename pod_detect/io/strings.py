"""Turn raw columns of any dtype into strings (a helper of :mod:`pod_detect.io`).

Ids arrive as text from CSV but as numbers from JSON and Parquet; both must end up as the
decimal string a person would write (``123``, not ``123.0``). Columns that are strings already
(arrow columns from the readers) are cleaned and coded in arrow, without a pandas copy.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api import types as ptypes


def _string_dtype() -> pd.StringDtype:
    try:  # pandas >= 2.3: the missing value is NaN, as in the rest of the frame
        return pd.StringDtype("pyarrow", na_value=np.nan)
    except TypeError:  # pragma: no cover - pandas 2.2
        return pd.StringDtype("pyarrow")


#: The string dtype of every text column the reader produces.
STR = _string_dtype()

_FLOATISH = {"floating", "mixed-integer-float", "mixed", "decimal"}


def as_strings(values: pd.Series) -> pd.Series:
    """Return ``values`` as strings: integral numbers without ``.0``, missing stays missing."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return as_strings(values.astype(dtype.categories.dtype))
    if ptypes.is_object_dtype(dtype):
        if ptypes.infer_dtype(values, skipna=True) in ("bytes", "mixed"):
            values = values.map(_decoded, na_action="ignore")  # b"u1" is "u1", not "b'u1'"
        if ptypes.infer_dtype(values, skipna=True) in _FLOATISH:
            converted = np.frompyfunc(scalar_string, 1, 1)(values.to_numpy())
            return pd.Series(converted, index=values.index, dtype=STR)
        return values.astype(STR)
    if ptypes.is_float_dtype(dtype):
        return _float_strings(values)
    return values.astype(STR)


def blank_to_na(values: pd.Series, *, strip: bool = True) -> pd.Series:
    """Mark empty and all-space strings missing; strip the others when ``strip``."""
    stripped = values.str.strip()
    blank = (stripped == "").to_numpy(dtype=bool, na_value=False)
    return (stripped if strip else values).mask(blank)


def _float_strings(values: pd.Series) -> pd.Series:
    number = values.to_numpy(dtype="float64", na_value=np.nan)
    out = np.full(number.shape, np.nan, dtype=object)
    finite = np.isfinite(number)
    out[finite] = number[finite].astype(str)
    whole = finite & (np.floor(number) == number) & (np.abs(number) < 2.0**63)
    out[whole] = number[whole].astype(np.int64).astype(str)
    return pd.Series(out, index=values.index, dtype=STR)


def _decoded(value: Any) -> Any:
    """Bytes as the UTF-8 text they hold (the reader refused those that are not)."""
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value


def scalar_string(value: Any) -> Any:
    if value is None or value is pd.NA:
        return np.nan
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return np.nan if math.isnan(value) else str(value)
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)


# --------------------------------------------------------------------------- in arrow


class Coded(NamedTuple):
    """A string column as codes into labels: row ``i`` is ``labels[codes[i]]``, missing at -1.

    ``labels`` may repeat a value (unless ``distinct``), and hold nulls no code points at:
    :func:`pod_detect.io.table.sorted_codes` merges the labels rows use into one sorted space.
    ``complete``: every label that is not null is some row's.
    """

    codes: np.ndarray
    labels: pa.Array
    distinct: bool = False
    complete: bool = False

    def take(self, rows: np.ndarray) -> Coded:
        """The rows ``rows`` (positions) of the column."""
        return self._replace(codes=self.codes[rows], complete=False)


def is_arrow_text(values: object) -> bool:
    """Whether ``values`` is an arrow string column (the columns arrow readers give)."""
    return isinstance(values, pa.ChunkedArray) and (
        pa.types.is_string(values.type) or pa.types.is_large_string(values.type))


def arrow_strings(values: pd.Series | pa.ChunkedArray) -> pa.ChunkedArray:
    """An arrow string column as it is; a pandas column converted by :func:`as_strings`."""
    if is_arrow_text(values):
        return values
    strings = values if values.dtype == STR else as_strings(values)
    return pa.chunked_array([pa.array(strings)])


def clean(values: pa.ChunkedArray | pa.Array, *, strip: bool = True) -> pa.ChunkedArray:
    """:func:`blank_to_na` in arrow (pandas strips with the same arrow kernel).

    Without ``strip``, blank is empty or all space by ``utf8_is_space``, whose spaces are
    those ``utf8_trim_whitespace`` strips (the same Unicode predicate), without a copy.
    """
    if strip:
        values = pc.utf8_trim_whitespace(values)
        blank = pc.equal(values, "")
    else:
        blank = pc.or_(pc.equal(pc.binary_length(values), 0), pc.utf8_is_space(values))
    return pc.if_else(blank, pa.scalar(None, values.type), values)


def code(values: pd.Series | pa.ChunkedArray) -> Coded:
    """The values as :func:`blank_to_na` of :func:`as_strings` gives them, coded.

    The column is dictionary-encoded first, so only its distinct values are stripped.
    """
    chunks = pc.dictionary_encode(arrow_strings(values))
    if chunks.num_chunks:
        encoded = chunks.combine_chunks()
    else:  # an empty column; pyarrow < 25 cannot combine no chunks of a dictionary type
        encoded = pa.DictionaryArray.from_arrays(pa.array([], pa.int32()),
                                                 pa.array([], chunks.type.value_type))
    codes = encoded.indices.fill_null(-1).to_numpy().astype(np.int32, copy=False)
    labels = clean(encoded.dictionary)
    blank = labels.is_null().to_numpy(zero_copy_only=False)
    if blank.any():  # values that are blank once stripped: missing
        mapping = np.where(blank, -1, np.arange(len(blank))).astype(np.int32)
        codes = np.append(mapping, np.int32(-1))[codes]
    unstripped = pc.all(pc.equal(labels, encoded.dictionary)).as_py() is not False
    return Coded(codes, labels, distinct=unstripped, complete=True)  # as dictionaries are
