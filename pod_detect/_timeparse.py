"""Read a time column as float seconds since the Unix epoch, UTC (a helper of :mod:`.io`).

Accepted: ISO 8601 text (``T`` or space, fractional seconds, with or without a zone; no zone
means UTC), epoch numbers in seconds, milliseconds, microseconds or nanoseconds (one unit
per column, chosen from the magnitude of its values), and datetime columns (Parquet).
Everything is vectorised: the only per-row work happens inside pandas and numpy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api import types as ptypes

from pod_detect._strings import as_strings, blank_to_na, scalar_string
from pod_detect.errors import InputError

_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_NUMERIC_OBJECTS = {"integer", "floating", "mixed-integer-float", "decimal"}
#: Magnitude thresholds between epoch units, and each unit's name and size in seconds.
_LIMITS = np.array([1e11, 1e14, 1e17])
_UNITS = (("seconds", 1.0), ("milliseconds", 1e3), ("microseconds", 1e6), ("nanoseconds", 1e9))
_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
_EXPECTED = "(ISO 8601 or epoch seconds/milliseconds expected)"


def to_epoch_seconds(values: pd.Series, *, source: str, column: str) -> tuple[np.ndarray, str]:
    """Convert one raw time column.

    Parameters
    ----------
    values
        The column as read (strings, numbers or datetimes).
    source, column
        Where the column came from, for error messages.

    Returns
    -------
    seconds : numpy.ndarray
        float64 seconds since the epoch, UTC; NaN where the cell is blank.
    how : str
        How the column was read: ``"ISO 8601"``, ``"datetime"`` or ``"epoch <unit>"``.

    Raises
    ------
    InputError
        On the first value that is not a time, or a column mixing epoch numbers and ISO text.
    """
    dtype = values.dtype
    if ptypes.is_datetime64_any_dtype(dtype):
        return _from_datetimes(values), "datetime"
    if ptypes.is_bool_dtype(dtype):
        values = as_strings(values)
    elif ptypes.is_numeric_dtype(dtype) or (
        ptypes.is_object_dtype(dtype)
        and ptypes.infer_dtype(values, skipna=True) in _NUMERIC_OBJECTS
    ):
        number = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        return _from_epoch(number, values, source, column)
    text = blank_to_na(as_strings(values))
    present = text.notna().to_numpy()
    if not present.any():
        return np.full(len(text), np.nan), "empty"
    number = _numbers(text)
    if number is not None and not np.isnan(number[present]).any():
        return _from_epoch(number, text, source, column)
    numeric = text.str.fullmatch(_NUMBER).to_numpy(dtype=bool, na_value=False)
    if numeric.any():
        _raise_mixed(text, present, numeric, source, column)
    return _from_iso(text, present, source, column), "ISO 8601"


def _numbers(text: pd.Series) -> np.ndarray | None:
    """The column as float64 when every value is a number (fast, in pyarrow), else None."""
    try:
        number = pc.cast(pa.chunked_array(pa.array(text)), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return number.to_numpy().astype("float64", copy=False)


def _seconds(stamps: pd.Series) -> np.ndarray:
    """Exact to float64: whole seconds and the fraction are computed apart in integers."""
    moments = stamps.dt.tz_localize(None).to_numpy()
    ticks = moments.view("int64")
    per_second = _PER_SECOND[np.datetime_data(moments.dtype)[0]]
    seconds = (ticks // per_second) + (ticks % per_second) / per_second
    return np.where(np.isnat(moments), np.nan, seconds)


def _from_datetimes(values: pd.Series) -> np.ndarray:
    if getattr(values.dtype, "tz", None) is None:
        return _seconds(values.dt.tz_localize("UTC"))
    return _seconds(values.dt.tz_convert("UTC"))


def _from_iso(text: pd.Series, present: np.ndarray, source: str, column: str) -> np.ndarray:
    stamps = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
    bad = present & stamps.isna().to_numpy()
    if bad.any():
        row = int(np.argmax(bad))
        raise InputError(
            f"cannot read {text.iloc[row]!r} as a time {_EXPECTED}",
            source=source, row=row + 1, column=column,
        )
    return _seconds(stamps)


def _from_epoch(
    number: np.ndarray, shown: pd.Series, source: str, column: str
) -> tuple[np.ndarray, str]:
    present = ~np.isnan(number)
    bad = present & ~np.isfinite(number)
    if bad.any():
        row = int(np.argmax(bad))
        raise InputError(f"cannot read {scalar_string(shown.iloc[row])!r} as a time {_EXPECTED}",
                         source=source, row=row + 1, column=column)
    unit = np.searchsorted(_LIMITS, np.abs(number), side="right")
    if not present.any():
        return number, "empty"
    usual = int(np.median(unit[present]))
    bigger = present & (unit > usual)
    if bigger.any():
        row = int(np.argmax(bigger))
        raise InputError(
            f"{scalar_string(shown.iloc[row])!r} looks like epoch {_UNITS[unit[row]][0]}, but "
            f"most of the column is epoch {_UNITS[usual][0]}; one unit per column is expected",
            source=source, row=row + 1, column=column,
        )
    name, size = _UNITS[usual]
    return number / size, f"epoch {name}"


def _raise_mixed(
    text: pd.Series, present: np.ndarray, numeric: np.ndarray, source: str, column: str
) -> None:
    first = int(np.argmax(present))
    odd = present & (numeric != numeric[first])
    row = int(np.argmax(odd))
    raise InputError(
        f"cannot read {text.iloc[row]!r} as a time: the column mixes epoch numbers and "
        f"ISO 8601 text (row {first + 1} is {text.iloc[first]!r})",
        source=source, row=row + 1, column=column,
    )
