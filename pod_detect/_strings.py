"""Turn raw columns of any dtype into strings (a helper of :mod:`pod_detect.io`).

Ids arrive as text from CSV but as numbers from JSON and Parquet; both must end up as the
decimal string a person would write (``123``, not ``123.0``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
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


def scalar_string(value: Any) -> Any:
    if value is None or value is pd.NA:
        return np.nan
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return np.nan if math.isnan(value) else str(value)
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)
