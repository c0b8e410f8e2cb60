"""Read a time column as float seconds since the Unix epoch, UTC (a helper of :mod:`.io`).

Accepted: ISO 8601 text (``T`` or space, fractional seconds, with or without a zone; no zone
means UTC; a trailing `` UTC`` or `` GMT``, as GitHub's archive writes times, is UTC too),
epoch numbers in seconds, milliseconds, microseconds or nanoseconds (one unit per column,
chosen from the magnitude of its values), and datetime columns (Parquet).
Everything is vectorised: the only per-row work happens inside pandas, pyarrow and numpy.

Text is first cast by pyarrow, whose ISO 8601 forms pandas reads alike; a column it cannot
cast whole (other forms, bad values, mixed zones, far dates) takes the pandas path, which
decides what is an error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api import types as ptypes

from pod_detect.errors import InputError
from pod_detect.io.badrows import BadRows
from pod_detect.io.strings import (
    STR,
    arrow_strings,
    as_strings,
    clean,
    is_arrow_text,
    scalar_string,
)

_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_NUMERIC_OBJECTS = {"integer", "floating", "mixed-integer-float", "decimal"}
#: Magnitude thresholds between epoch units, and each unit's name and size in seconds.
_LIMITS = np.array([1e11, 1e14, 1e17])
_UNITS = (("seconds", 1.0), ("milliseconds", 1e3), ("microseconds", 1e6), ("nanoseconds", 1e9))
_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
_EXPECTED = "(ISO 8601 or epoch seconds/milliseconds expected)"
#: pyarrow's casts are trusted from 1700 to 2200 (UTC) only: near the ends of pandas'
#: nanosecond range, a local time out of range can be a UTC time in range, or the reverse.
_FAST_RANGE = (-8_520_336_000 * 10**9, 7_258_118_400 * 10**9)
#: The times a report can show: 0001-01-01 to 9999-12-31 UTC, the years ISO 8601 and Python's
#: datetimes hold. An epoch number past them (``1e300``, a year-0 date) is an error, not a
#: crash when the report prints its time span.
_SHOWABLE = (-62_135_596_800.0, 253_402_300_799.0)
_STAMPS = tuple(pa.timestamp(unit, tz=tz) for unit in ("s", "ns") for tz in ("UTC", None))
#: A time followed by a zone name that means UTC (``2019-08-05 11:52:30 UTC``), read as ``Z``.
_UTC_NAMED = r"^(.*\d)\s+(?i:UTC|GMT)$"


def to_epoch_seconds(
    values: pd.Series | pa.ChunkedArray, *, source: str, column: str, bad: BadRows | None = None
) -> tuple[np.ndarray, str]:
    """Convert one raw time column.

    Parameters
    ----------
    values
        The column as read (strings, numbers or datetimes; an arrow column of strings).
    source, column
        Where the column came from, for error messages.
    bad
        Where failing rows go (default: raise on the first); with a lenient policy a
        failing value is flagged there and read as NaN.

    Returns
    -------
    seconds : numpy.ndarray
        float64 seconds since the epoch, UTC; NaN where the cell is blank.
    how : str
        How the column was read: ``"ISO 8601"``, ``"datetime"``, ``"epoch <unit>"`` or
        ``"empty"``.

    Raises
    ------
    InputError
        On the first value that is not a time, or a column mixing epoch numbers and ISO text
        (when ``bad`` is strict).
    """
    bad = bad if bad is not None else BadRows("error", len(values))
    if is_arrow_text(values):
        return _from_text(values, source, column, bad)
    if isinstance(values, pa.ChunkedArray) and pa.types.is_timestamp(values.type):
        seconds, how = _from_stamps(values)
        return _showable(seconds, lambda row: values[row].as_py(), source, column, bad), how
    dtype = values.dtype
    if ptypes.is_datetime64_any_dtype(dtype):
        return _showable(_from_datetimes(values), values.iloc.__getitem__, source, column,
                         bad), "datetime"
    if ptypes.is_bool_dtype(dtype):
        values = as_strings(values)
    elif ptypes.is_numeric_dtype(dtype) or (
        ptypes.is_object_dtype(dtype)
        and ptypes.infer_dtype(values, skipna=True) in _NUMERIC_OBJECTS
    ):
        number = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        return _from_epoch(number, values.iloc.__getitem__, source, column, bad)
    return _from_text(arrow_strings(values), source, column, bad)


def _from_text(
    values: pa.ChunkedArray, source: str, column: str, bad: BadRows
) -> tuple[np.ndarray, str]:
    """Strings: cast by pyarrow when it can, as they are or stripped; else read by pandas."""
    fast = _cast(values)
    if fast is not None:
        return fast, "ISO 8601"
    text = clean(values)
    present = text.is_valid().to_numpy(zero_copy_only=False)
    if not present.any():
        return np.full(len(text), np.nan), "empty"
    fast = _cast(text)
    if fast is not None:
        return fast, "ISO 8601"
    shown = pd.Series(STR.__from_arrow__(text))
    named = _utc_named(text)
    if named is not None:
        fast = _cast(named)
        if fast is not None:
            return fast, "ISO 8601"
        return _from_strings(pd.Series(STR.__from_arrow__(named)), present, source, column, bad,
                             shown)
    number = _numbers(text)
    if number is not None and not np.isnan(number[present]).any():
        return _from_epoch(number, lambda row: text[row].as_py(), source, column, bad)
    return _from_strings(shown, present, source, column, bad)


def _utc_named(text: pa.ChunkedArray) -> pa.ChunkedArray | None:
    """The text with a trailing `` UTC``/`` GMT`` written ``Z``; None when no value has one."""
    if not pc.any(pc.match_substring_regex(text, _UTC_NAMED)).as_py():
        return None
    return pc.replace_substring_regex(text, _UTC_NAMED, r"\1Z")


def _from_strings(
    text: pd.Series, present: np.ndarray, source: str, column: str, bad: BadRows,
    shown: pd.Series | None = None,
) -> tuple[np.ndarray, str]:
    """Strings that are not all times pyarrow reads, nor all numbers: ISO text or epoch.
    Messages quote ``shown`` (the values as read; default ``text``)."""
    shown = text if shown is None else shown
    numeric = text.str.fullmatch(_NUMBER).to_numpy(dtype=bool, na_value=False)
    if numeric.any() and _mixed(shown, present, numeric, source, column, bad):
        number = pd.to_numeric(text.where(numeric), errors="coerce")
        seconds, how = _from_epoch(number.to_numpy(dtype="float64", na_value=np.nan),
                                   text.iloc.__getitem__, source, column, bad)
        return np.where(numeric, seconds, np.nan), how
    return _from_iso(text, present & ~numeric, source, column, bad, shown), "ISO 8601"


def _cast(text: pa.ChunkedArray) -> np.ndarray | None:
    """Seconds when pyarrow casts every value (with a zone, or every one without), else None.

    Whole seconds first (exact as they are), then nanoseconds. A column with no value, or a
    time outside the trusted range, gives None as well.
    """
    if text.null_count == len(text):
        return None
    for kind in _STAMPS:
        try:
            stamps = pc.cast(text, kind)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        return _from_stamps(stamps)[0] if trusted(stamps) else None
    return None


def stamp_type(sample: pa.Array | pa.ChunkedArray) -> pa.DataType | None:
    """The type a reader can parse a column of ISO times as, judged on a ``sample`` of its
    text, as :func:`_cast` would read it: nanoseconds (they hold whole seconds exactly),
    UTC when the values have a zone, else none; None when the sample is not all such
    times (empty strings left out: the reader reads them as missing)."""
    present = pc.filter(sample, pc.not_equal(sample, ""))
    if len(present) == 0:
        return None
    for kind in (pa.timestamp("ns", tz="UTC"), pa.timestamp("ns")):
        try:
            pc.cast(present, kind)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        return kind
    return None


def trusted(stamps: pa.ChunkedArray) -> bool:
    """Whether every time pyarrow parsed is in the range it is trusted in (outside it,
    pandas reads the text, and decides)."""
    bounds = pc.min_max(stamps.cast(pa.int64()))
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    first, last = (bound * _PER_SECOND[stamps.type.unit] // 10**9 for bound in _FAST_RANGE)
    return low is None or (first <= low and high < last)


def _from_stamps(stamps: pa.ChunkedArray) -> tuple[np.ndarray, str]:
    """Seconds of ISO times pyarrow parsed (by :func:`_cast`, or by a reader: see
    :func:`stamp_type`), exact: NaN where missing; all missing is ``"empty"`` as for
    blank text."""
    if stamps.null_count == len(stamps):
        return np.full(len(stamps), np.nan), "empty"
    ticks = stamps.cast(pa.int64())
    per_second = _PER_SECOND[stamps.type.unit]
    if per_second == 1:  # NaN where null
        return ticks.to_numpy(zero_copy_only=False).astype("float64", copy=False), "ISO 8601"
    missing = ticks.is_null().to_numpy(zero_copy_only=False) if ticks.null_count else None
    count = ticks.fill_null(0).to_numpy() if missing is not None else ticks.to_numpy()
    seconds = (count // per_second) + (count % per_second) / per_second
    if missing is not None:
        seconds[missing] = np.nan
    return seconds, "ISO 8601"


def _numbers(text: pa.ChunkedArray) -> np.ndarray | None:
    """The column as float64 when every value is a number (fast, in pyarrow), else None."""
    try:
        number = pc.cast(text, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return number.to_numpy().astype("float64", copy=False)


def _seconds(stamps: pd.Series) -> np.ndarray:
    """Exact to float64: whole seconds and the fraction are computed apart in integers."""
    moments = stamps.dt.tz_localize(None).to_numpy()
    ticks = moments.view("int64")
    per_second = _PER_SECOND[np.datetime_data(moments.dtype)[0]]
    if per_second == 1:  # the same, without two passes of integer division
        seconds = ticks.astype("float64")
    else:
        seconds = (ticks // per_second) + (ticks % per_second) / per_second
    seconds[np.isnat(moments)] = np.nan
    return seconds


def _from_datetimes(values: pd.Series) -> np.ndarray:
    if getattr(values.dtype, "tz", None) is None:
        return _seconds(values.dt.tz_localize("UTC"))
    return _seconds(values.dt.tz_convert("UTC"))


def _from_iso(
    text: pd.Series, present: np.ndarray, source: str, column: str, bad: BadRows,
    shown: pd.Series | None = None,
) -> np.ndarray:
    shown = text if shown is None else shown
    stamps = pd.to_datetime(text.where(present), utc=True, format="ISO8601", errors="coerce")
    failed = present & stamps.isna().to_numpy()
    bad.flag(failed, lambda row: InputError(
        f"cannot read {shown.iloc[row]!r} as a time {_EXPECTED}", source=source, column=column))
    return _seconds(stamps)


def _from_epoch(
    number: np.ndarray, shown: Callable[[int], Any], source: str, column: str, bad: BadRows
) -> tuple[np.ndarray, str]:
    """Epoch numbers (``shown(row)``: the value as read, for messages) in one unit."""
    present = ~np.isnan(number)
    infinite = present & ~np.isfinite(number)
    bad.flag(infinite, lambda row: InputError(
        f"cannot read {scalar_string(shown(row))!r} as a time {_EXPECTED}",
        source=source, column=column))
    number = np.where(infinite, np.nan, number)
    present &= ~infinite
    if not present.any():
        return number, "empty"
    with np.errstate(invalid="ignore"):
        unit = np.searchsorted(_LIMITS, np.abs(number), side="right")
    usual = int(np.median(unit[present]))
    # either way: a value in seconds in a column of milliseconds would be read as 1970
    other_unit = present & (unit != usual)
    bad.flag(other_unit, lambda row: InputError(
        f"{scalar_string(shown(row))!r} looks like epoch {_UNITS[unit[row]][0]}, but "
        f"most of the column is epoch {_UNITS[usual][0]}; one unit per column is expected",
        source=source, column=column))
    name, size = _UNITS[usual]
    seconds = np.where(other_unit, np.nan, number) / size
    return _showable(seconds, shown, source, column, bad), f"epoch {name}"


def _showable(seconds: np.ndarray, shown: Callable[[int], Any], source: str, column: str,
              bad: BadRows) -> np.ndarray:
    """``seconds`` with the times outside :data:`_SHOWABLE` flagged (NaN when skipped)."""
    with np.errstate(invalid="ignore"):
        outside = (seconds < _SHOWABLE[0]) | (seconds > _SHOWABLE[1])
    if not outside.any():
        return seconds
    bad.flag(outside, lambda row: InputError(
        f"{scalar_string(shown(row))!r} is out of the range of dates a report can show "
        "(years 1 to 9999)", source=source, column=column))
    return np.where(outside, np.nan, seconds)


def _mixed(
    text: pd.Series, present: np.ndarray, numeric: np.ndarray, source: str, column: str,
    bad: BadRows,
) -> bool:
    """Flag the values of the minority kind (epoch numbers or text); True: epoch wins.

    Strict, the first value's kind wins (so the first row that differs is the error); else
    the majority wins (text on a tie), so that the row order does not matter.
    """
    first = int(np.argmax(present))
    numbers = int((present & numeric).sum())
    epoch = bool(numeric[first]) if bad.strict else numbers > int(present.sum()) - numbers
    odd = present & (numeric != epoch)
    example = int(np.argmax(present & (numeric == epoch)))
    bad.flag(odd, lambda row: InputError(
        f"cannot read {text.iloc[row]!r} as a time: the column mixes epoch numbers and "
        f"ISO 8601 text (row {bad.number(example)} is {text.iloc[example]!r})",
        source=source, column=column))
    return epoch
