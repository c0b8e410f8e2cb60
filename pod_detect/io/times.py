"""Read a time column as float seconds since the Unix epoch, UTC (a helper of :mod:`.io`).

Accepted: ISO 8601 text (``T`` or space, fractional seconds, with or without a zone, ``+00:00``
or ``+0000``; no zone means UTC; a trailing `` UTC`` or `` GMT``, as GitHub's archive writes
times, is UTC too), RFC 2822 e-mail dates (``Tue, 05 Mar 2024 10:00:00 +0000`` or ``GMT``),
Twitter v1.1's ``Wed Oct 10 20:19:24 +0000 2018``, numeric dates with ``/``, ``.`` or ``-``
(``01/03/2026 03:03``, month first unless ``dayfirst`` or a first field over 12 says day first;
``2026/03/01``), epoch numbers in seconds, milliseconds, microseconds or nanoseconds (one unit
per column, chosen from the magnitude of its values), Excel serial days (a column of numbers
all between 1955 and 2099 as Excel's 1900 date system counts days), and datetime columns
(Parquet); or, with ``time_format``, the one ``strptime`` form given.
Everything is vectorised: the only per-row work happens inside pandas, pyarrow and numpy.

Text is first cast by pyarrow, whose ISO 8601 forms pandas reads alike; a column it cannot
cast whole (other forms, bad values, mixed zones, far dates) takes the pandas path, which
decides what is ISO 8601 and what is not; the values that are not go on to the other forms
(pyarrow regular expressions, then calendar arithmetic in numpy), and what none reads is an
error.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api import types as ptypes

from pod_detect.errors import ConfigError, InputError
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
#: How every ISO 8601 time starts.
_YEAR = r"[+-]?\d{4}"
_NUMERIC_OBJECTS = {"integer", "floating", "mixed-integer-float", "decimal"}
#: Magnitude thresholds between epoch units, and each unit's name and size in seconds.
_LIMITS = np.array([1e11, 1e14, 1e17])
_UNITS = (("seconds", 1.0), ("milliseconds", 1e3), ("microseconds", 1e6), ("nanoseconds", 1e9))
_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
#: The forms a value is tried in, for messages.
_TRIED = ("ISO 8601 or epoch seconds/ms/us/ns, RFC 2822, Twitter v1.1, Excel serial days, "
          "day/month/year or month/day/year")
_EXPECTED = f"({_TRIED}: none fits)"
#: pyarrow's casts are trusted from 1700 to 2200 (UTC) only: near the ends of pandas'
#: nanosecond range, a local time out of range can be a UTC time in range, or the reverse.
_FAST_RANGE = (-8_520_336_000 * 10**9, 7_258_118_400 * 10**9)
#: The times a report can show: 0001-01-01 to 9999-12-31 UTC, the years ISO 8601 and Python's
#: datetimes hold. An epoch number past them (``1e300``, a year-0 date) is an error, not a
#: crash when the report prints its time span.
_SHOWABLE = (-62_135_596_800.0, 253_402_300_799.0)
#: Values a cast is tried on before the whole column (see :func:`_cast`).
_PROBE = 4096
_STAMPS = tuple(pa.timestamp(unit, tz=tz) for unit in ("s", "ns") for tz in ("UTC", None))
#: A time followed by a zone name that means UTC (``2019-08-05 11:52:30 UTC``), read as ``Z``.
_UTC_NAMED = r"^(.*\d)\s+(?i:UTC|GMT)$"

#: Excel's 1900 date system: serial day 25569 is 1970-01-01. A column of numbers all in
#: [20090, 73051) (1955-01-01 to 2099-12-31) is read as serial days: as epoch seconds every
#: one of them would be a time on 1 January 1970, which no social export holds.
_EXCEL_EPOCH = 25569
_EXCEL_RANGE = (20090.0, 73051.0)

#: How a column was read (the second value :func:`to_epoch_seconds` returns).
ISO = "ISO 8601"
RFC_2822 = "RFC 2822"
TWITTER = "Twitter v1.1"
EXCEL = "Excel serial days (1900 date system)"
YEAR_FIRST = "year/month/day"
DAY_FIRST = "day/month/year"
DAY_FIRST_INFERRED = "day/month/year (inferred: some first fields are over 12)"
MONTH_FIRST = "month/day/year"
MONTH_FIRST_AMBIGUOUS = "month/day/year (ambiguous: --dayfirst reads them day first)"
#: The starts of the ``how`` values a reader should be told about in a note ("column 'x'
#: read as <how>"): guesses from the values, not forms that say what they are.
NOTEWORTHY = ("epoch ", "Excel ", "day/month/year", "month/day/year")


def noteworthy(how: str) -> bool:
    """Whether a column read ``how`` deserves a note ("column 'x' read as <how>")."""
    return how.startswith(NOTEWORTHY)


def to_epoch_seconds(
    values: pd.Series | pa.ChunkedArray, *, source: str, column: str, bad: BadRows | None = None,
    time_format: str | None = None, dayfirst: bool = False,
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
    time_format
        A ``strptime`` format (``"%d/%m/%Y %H:%M"``) every value that is not blank must
        match; times without ``%z`` are UTC. Datetime columns are read as they are, and a
        column of numbers none of which matches is read as numbers (epoch or Excel), as
        without it. A column of text none of which matches is an error even with a lenient
        ``bad`` (a wrong format, not bad rows).
    dayfirst
        Read ambiguous numeric dates (``01/03/2026``) day first; else month first, unless
        some first field is over 12 and no second one is (then the column is day first).

    Returns
    -------
    seconds : numpy.ndarray
        float64 seconds since the epoch, UTC; NaN where the cell is blank.
    how : str
        How the column was read: ``"ISO 8601"``, ``"datetime"``, ``"epoch <unit>"``,
        ``"empty"``, ``"RFC 2822"``, ``"Twitter v1.1"``, ``"year/month/day"``,
        ``"day/month/year"`` or ``"month/day/year"`` (either maybe with a reason in
        parentheses), ``"Excel serial days (1900 date system)"`` or
        ``"time format '<format>'"``; a column mixing forms is named by the form most of its
        values have. :func:`noteworthy` says which deserve a note.

    Raises
    ------
    InputError
        On the first value that is not a time, or a column mixing epoch numbers and ISO text
        (when ``bad`` is strict); on a text column no value of which matches
        ``time_format``.
    ConfigError
        When ``time_format`` is not a ``strptime`` format.
    """
    bad = bad if bad is not None else BadRows("error", len(values))
    if isinstance(values, pa.ChunkedArray) and pa.types.is_timestamp(values.type):
        seconds, how = _from_stamps(values)
        return _showable(seconds, lambda row: values[row].as_py(), source, column, bad), how
    if time_format is not None and not (
            isinstance(values, pd.Series) and ptypes.is_datetime64_any_dtype(values.dtype)):
        return _from_format(values, time_format, source, column, bad)
    if is_arrow_text(values):
        return _from_text(values, source, column, bad, dayfirst)
    dtype = values.dtype
    if ptypes.is_datetime64_any_dtype(dtype):
        return _showable(_from_datetimes(values), values.iloc.__getitem__, source, column,
                         bad), "datetime"
    if ptypes.is_bool_dtype(dtype):
        values = as_strings(values)
    elif _is_numeric(values):
        number = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        return _from_epoch(number, values.iloc.__getitem__, source, column, bad)
    return _from_text(arrow_strings(values), source, column, bad, dayfirst)


def _is_numeric(values: pd.Series) -> bool:
    """Whether a pandas column holds numbers (not text, booleans or datetimes)."""
    dtype = values.dtype
    return not ptypes.is_bool_dtype(dtype) and (ptypes.is_numeric_dtype(dtype) or (
        ptypes.is_object_dtype(dtype)
        and ptypes.infer_dtype(values, skipna=True) in _NUMERIC_OBJECTS))


def _from_text(
    values: pa.ChunkedArray, source: str, column: str, bad: BadRows, dayfirst: bool = False,
) -> tuple[np.ndarray, str]:
    """Strings: cast by pyarrow when it can, as they are or stripped; else read by pandas."""
    fast = _cast(values)
    if fast is not None:
        return fast, ISO
    text = clean(values)
    present = text.is_valid().to_numpy(zero_copy_only=False)
    if not present.any():
        return np.full(len(text), np.nan), "empty"
    fast = _cast(text)
    if fast is not None:
        return fast, ISO
    shown = pd.Series(STR.__from_arrow__(text))
    named = _utc_named(text)
    if named is not None:
        fast = _cast(named)
        if fast is not None:
            return fast, ISO
        return _from_strings(pd.Series(STR.__from_arrow__(named)), present, source, column, bad,
                             shown, dayfirst)
    number = _numbers(text)
    if number is not None and not np.isnan(number[present]).any():
        return _from_epoch(number, lambda row: text[row].as_py(), source, column, bad)
    return _from_strings(shown, present, source, column, bad, dayfirst=dayfirst)


def _utc_named(text: pa.ChunkedArray) -> pa.ChunkedArray | None:
    """The text with a trailing `` UTC``/`` GMT`` written ``Z``; None when no value has one."""
    if not pc.any(pc.match_substring_regex(text, _UTC_NAMED)).as_py():
        return None
    return pc.replace_substring_regex(text, _UTC_NAMED, r"\1Z")


def _from_strings(
    text: pd.Series, present: np.ndarray, source: str, column: str, bad: BadRows,
    shown: pd.Series | None = None, dayfirst: bool = False,
) -> tuple[np.ndarray, str]:
    """Strings that are not all times pyarrow reads, nor all numbers: text forms or epoch.
    Messages quote ``shown`` (the values as read; default ``text``)."""
    shown = text if shown is None else shown
    numeric = text.str.fullmatch(_NUMBER).to_numpy(dtype=bool, na_value=False)
    if numeric.any() and _mixed(shown, present, numeric, source, column, bad):
        number = pd.to_numeric(text.where(numeric), errors="coerce")
        seconds, how = _from_epoch(number.to_numpy(dtype="float64", na_value=np.nan),
                                   text.iloc.__getitem__, source, column, bad)
        return np.where(numeric, seconds, np.nan), how
    return _from_forms(text, present & ~numeric, source, column, bad, shown, dayfirst)


def _cast(text: pa.ChunkedArray) -> np.ndarray | None:
    """Seconds when pyarrow casts every value (with a zone, or every one without), else None.

    Whole seconds first (exact as they are), then nanoseconds. A column with no value, or a
    time outside the trusted range, gives None as well.
    """
    if text.null_count == len(text):
        return None
    head = text.slice(0, _PROBE)
    for kind in _STAMPS:
        try:  # a cast that fails fails slowly: a failing head says so sooner, and exactly
            if len(text) > _PROBE:
                pc.cast(head, kind)
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
        if len(text) > _PROBE:  # as in _cast: a failing head says so sooner
            pc.cast(text.slice(0, _PROBE), pa.float64())
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
    """ISO 8601 text as pandas reads it; the values it cannot read are flagged."""
    shown = text if shown is None else shown
    seconds, failed = _iso_seconds(text, present)
    bad.flag(failed, lambda row: InputError(_unreadable(shown.iloc[row]), source=source,
                                            column=column))
    return seconds


def _iso_seconds(text: pd.Series, present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Seconds of the ``present`` values pandas reads as ISO 8601, and the mask of the
    others. Only values that start with a year are given to pandas: it would read ``now``
    and ``today`` as the time of the run, and it is slow to refuse the other forms."""
    dated = present & text.str.match(_YEAR).to_numpy(dtype=bool, na_value=False)
    stamps = pd.to_datetime(text.where(dated), utc=True, format="ISO8601", errors="coerce")
    return _seconds(stamps), present & stamps.isna().to_numpy()


def _from_forms(
    text: pd.Series, present: np.ndarray, source: str, column: str, bad: BadRows,
    shown: pd.Series, dayfirst: bool,
) -> tuple[np.ndarray, str]:
    """Text in any of the forms: ISO 8601 by pandas (``text``, a trailing `` UTC`` written
    ``Z``); then only the values it could not read, as read (``shown``), through
    :data:`_FORMS`, each form given the values the ones before it left. The values none reads
    are flagged; ``how`` is the form that read the most (the first such on a tie)."""
    seconds, failed = _iso_seconds(text, present)
    counts = {ISO: int(present.sum() - failed.sum())}
    if failed.any():
        rows = np.flatnonzero(failed)
        left = pa.array(shown.iloc[rows], type=pa.large_string())
        for pattern, form in _FORMS:
            # matching is fast; taking the fields out is not: only of the values that match
            hit = pc.match_substring_regex(left, pattern).to_numpy(zero_copy_only=False)
            if not hit.any():
                continue
            got, read, how = form(left if hit.all() else left.filter(pa.array(hit)), dayfirst)
            done = np.flatnonzero(hit)[read]
            seconds[rows[done]] = got[read]
            failed[rows[done]] = False
            counts[how] = counts.get(how, 0) + len(done)
            keep = np.ones(len(rows), dtype=bool)
            keep[done] = False
            rows, left = rows[keep], left.filter(pa.array(keep))
            if not len(rows):
                break
    bad.flag(failed, lambda row: InputError(_unreadable(shown.iloc[row], dayfirst),
                                            source=source, column=column))
    how = max(counts, key=counts.__getitem__)
    return _showable(seconds, shown.iloc.__getitem__, source, column, bad), how


# --------------------------------------------------------------------------- other text forms

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
           "january", "february", "march", "april", "june", "july", "august", "september",
           "october", "november", "december", "sept"]
#: The month (1-12) of each name of :data:`_MONTHS`.
_MONTH_OF = np.array([*range(1, 13), 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 9])
_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "tuesday", "wednesday",
             "thursday", "friday", "saturday", "sunday", "tues", "thur", "thurs"]
#: Days in each month of a common year (index 0: no month).
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
#: A zone: ``Z``, a name of UTC, or an offset (``+0000``, ``+00:00``); other names are not
#: read (``CST`` is three zones).
_ZONE = r"(?P<zone>Z|(?i:UTC|GMT|UT)|(?P<zsign>[+-])(?P<zhour>\d{2}):?(?P<zminute>\d{2}))"
_CLOCK = (r"(?P<hour>\d{1,2}):(?P<minute>\d{2})"
          r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?")
_WEEKDAY = r"(?:(?P<weekday>[A-Za-z]{3,9}),?\s+)?"
_AM_PM = r"(?:\s*(?P<ampm>[AaPp])\.?[Mm]\.?)?"
#: After a numeric date: an optional time of day, AM/PM and zone.
_TIME_OF_DAY = rf"(?:(?:\s+|T|,\s*){_CLOCK}{_AM_PM}(?:\s*{_ZONE})?)?"
#: ``Tue, 05 Mar 2024 10:00:00 +0000`` (weekday, seconds and zone optional; a comment after
#: the zone, ``+0000 (UTC)``, as mail headers have, is left out).
_RFC_2822 = (rf"^{_WEEKDAY}(?P<day>\d{{1,2}})\s+(?P<month_name>[A-Za-z]{{3,9}})\s+"
             rf"(?P<year>\d{{4}})\s+{_CLOCK}(?:\s*{_ZONE})?(?:\s*\([^()]*\))?$")
#: ``Wed Oct 10 20:19:24 +0000 2018`` (C's ctime, with an offset; zone optional).
_CTIME = (rf"^{_WEEKDAY}(?P<month_name>[A-Za-z]{{3,9}})\s+(?P<day>\d{{1,2}})\s+{_CLOCK}"
          rf"(?:\s+{_ZONE})?\s+(?P<year>\d{{4}})$")
#: ``01/03/2026 03:03``, ``01.03.2026``, ``1-3-2026 3:03 PM``: day and month in either order.
_NUMERIC = (rf"^(?P<first>\d{{1,2}})(?P<sep1>[./-])(?P<second_field>\d{{1,2}})(?P<sep2>[./-])"
            rf"(?P<year>\d{{4}}){_TIME_OF_DAY}$")
#: ``2026/03/01 03:03`` (what pandas' ISO 8601 leaves: AM/PM, ``,`` before the time). With
#: ``-`` it is ISO 8601, which pandas alone decides.
_YEAR_FIRST = (rf"^(?P<year>\d{{4}})(?P<sep1>[./])(?P<month>\d{{1,2}})(?P<sep2>[./])"
               rf"(?P<day>\d{{1,2}}){_TIME_OF_DAY}$")


def _fields(values: pa.Array, pattern: str) -> tuple[dict[str, pa.Array], np.ndarray]:
    """The named groups of ``pattern`` in each value ("" where a group did not take part),
    and the mask of the values it matches."""
    found = pc.extract_regex(values, pattern)
    matched = found.is_valid().to_numpy(zero_copy_only=False)
    names = [found.type.field(i).name for i in range(found.type.num_fields)]
    return {name: pc.struct_field(found, [i]) for i, name in enumerate(names)}, matched


def _integers(field: pa.Array) -> np.ndarray:
    """A field of digits as int64 (0 where empty or not matched)."""
    digits = pc.if_else(pc.equal(field, ""), "0", field)
    return pc.cast(digits, pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)


def _given(field: pa.Array) -> np.ndarray:
    """Where a field took part in the match."""
    return pc.not_equal(field, "").fill_null(False).to_numpy(zero_copy_only=False)


def _index(field: pa.Array, names: list[str]) -> np.ndarray:
    """The index of each value of ``field`` (case-insensitive) in ``names``; -1 if none."""
    index = pc.index_in(pc.utf8_lower(field), value_set=pa.array(names, pa.large_string()))
    return index.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")


def _assemble(
    fields: dict[str, pa.Array], matched: np.ndarray, year: np.ndarray, month: np.ndarray,
    day: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Seconds (exact: whole seconds in integers, then the fraction) of a date and the time
    of day, AM/PM and zone of ``fields``; and the mask of the values that are real times."""
    n = len(matched)
    hour, minute, second = (_integers(fields[k]) if k in fields else np.zeros(n, "int64")
                            for k in ("hour", "minute", "second"))
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    valid_month = (month >= 1) & (month <= 12)
    last = _MONTH_DAYS[np.where(valid_month, month, 0)] + (leap & (month == 2))
    ok = matched & valid_month & (day >= 1) & (day <= last)
    ok &= (hour <= 23) & (minute <= 59) & (second <= 59)
    if "ampm" in fields:
        ampm = pc.utf8_lower(fields["ampm"])
        twelve = _given(ampm)
        ok &= ~twelve | ((hour >= 1) & (hour <= 12))
        pm = pc.equal(ampm, "p").fill_null(False).to_numpy(zero_copy_only=False)
        hour = np.where(twelve, hour % 12 + 12 * pm, hour)
    offset = np.zeros(n, dtype="int64")
    if "zsign" in fields:
        zhour, zminute = _integers(fields["zhour"]), _integers(fields["zminute"])
        ok &= (zhour <= 23) & (zminute <= 59)
        sign = np.where(pc.equal(fields["zsign"], "-").fill_null(False)
                        .to_numpy(zero_copy_only=False), -1, 1)
        offset = sign * (zhour * 3600 + zminute * 60)
    # days from 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil)
    shifted = year - (month <= 2)
    era = shifted // 400
    of_era = shifted - era * 400
    of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    days = era * 146097 + of_era * 365 + of_era // 4 - of_era // 100 + of_year - 719468
    whole = days * 86400 + hour * 3600 + minute * 60 + second - offset
    seconds = whole.astype("float64")
    if "fraction" in fields:
        digits = fields["fraction"]
        given = _given(digits)
        if given.any():  # to the nanosecond, as pandas reads ISO 8601
            digits = pc.utf8_slice_codeunits(pc.if_else(given, digits, "0"), 0, 9)
            places = pc.utf8_length(digits).fill_null(0).to_numpy(zero_copy_only=False)
            seconds += _integers(digits) / 10.0 ** places
    return np.where(ok, seconds, np.nan), ok


def _named_date(values: pa.Array, pattern: str, how: str) -> tuple[np.ndarray, np.ndarray, str]:
    """A form with the month by name (``Mar``, ``March``) and maybe a weekday."""
    fields, matched = _fields(values, pattern)
    weekday = fields["weekday"]
    matched &= ~_given(weekday) | (_index(weekday, _WEEKDAYS) >= 0)
    month = _index(fields["month_name"], _MONTHS)
    month = np.where(month >= 0, _MONTH_OF[month], 0)
    seconds, ok = _assemble(fields, matched, _integers(fields["year"]), month,
                            _integers(fields["day"]))
    return seconds, ok, how


def _rfc_2822(values: pa.Array, dayfirst: bool) -> tuple[np.ndarray, np.ndarray, str]:
    return _named_date(values, _RFC_2822, RFC_2822)


def _twitter(values: pa.Array, dayfirst: bool) -> tuple[np.ndarray, np.ndarray, str]:
    return _named_date(values, _CTIME, TWITTER)


def _numeric_date(values: pa.Array, dayfirst: bool) -> tuple[np.ndarray, np.ndarray, str]:
    """``01/03/2026``: month first, or day first with ``dayfirst`` or when the column says
    so (some first field is a day over 12 and no second one is)."""
    fields, matched = _fields(values, _NUMERIC)
    matched &= pc.equal(fields["sep1"], fields["sep2"]).fill_null(False).to_numpy(
        zero_copy_only=False)
    first, second = _integers(fields["first"]), _integers(fields["second_field"])
    past_first = matched & (first > 12) & (first <= 31)
    past_second = matched & (second > 12) & (second <= 31)
    if dayfirst:
        day_first, how = True, DAY_FIRST
    elif past_first.any() and not past_second.any():
        day_first, how = True, DAY_FIRST_INFERRED
    else:
        day_first, how = False, MONTH_FIRST if past_second.any() else MONTH_FIRST_AMBIGUOUS
    day, month = (first, second) if day_first else (second, first)
    seconds, ok = _assemble(fields, matched, _integers(fields["year"]), month, day)
    return seconds, ok, how


def _year_first(values: pa.Array, dayfirst: bool) -> tuple[np.ndarray, np.ndarray, str]:
    fields, matched = _fields(values, _YEAR_FIRST)
    matched &= pc.equal(fields["sep1"], fields["sep2"]).fill_null(False).to_numpy(
        zero_copy_only=False)
    seconds, ok = _assemble(fields, matched, _integers(fields["year"]),
                            _integers(fields["month"]), _integers(fields["day"]))
    return seconds, ok, YEAR_FIRST


#: The forms tried after ISO 8601, in order: each a pattern and a function that gets the
#: values that match it and a ``dayfirst`` flag, and gives their seconds, the mask of those
#: that are real times, and its ``how``.
_FORMS: tuple[tuple[str, Callable[[pa.Array, bool], tuple[np.ndarray, np.ndarray, str]]],
              ...] = ((_RFC_2822, _rfc_2822), (_CTIME, _twitter), (_NUMERIC, _numeric_date),
                      (_YEAR_FIRST, _year_first))


# --------------------------------------------------------------------------- --time-format


def _from_format(
    values: pd.Series | pa.ChunkedArray, time_format: str, source: str, column: str,
    bad: BadRows,
) -> tuple[np.ndarray, str]:
    """Every value read by ``time_format`` (pandas' strptime, on the whole column)."""
    numeric = isinstance(values, pd.Series) and _is_numeric(values)
    text = clean(arrow_strings(values))
    present = text.is_valid().to_numpy(zero_copy_only=False)
    if not present.any():
        return np.full(len(text), np.nan), "empty"
    shown = pd.Series(STR.__from_arrow__(text))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stamps = pd.to_datetime(shown, format=time_format, utc=True, errors="coerce")
    except ValueError as error:
        raise ConfigError(f"--time-format {time_format!r} is not a strptime format: "
                          f"{error}") from None
    failed = present & stamps.isna().to_numpy()
    if failed.sum() == present.sum():  # no value matches: a wrong format, or numbers
        if numeric:
            return to_epoch_seconds(values, source=source, column=column, bad=bad)
        number = _numbers(text)
        if number is not None and not np.isnan(number[present]).any():
            return _from_epoch(number, lambda row: text[row].as_py(), source, column, bad)
        first = int(np.argmax(present))
        raise InputError(
            f"cannot read {shown.iloc[first]!r} as a time: it does not match --time-format "
            f"{time_format!r}, nor does any other value of the column", source=source,
            row=bad.number(first), column=column)
    bad.flag(failed, lambda row: InputError(
        f"cannot read {shown.iloc[row]!r} as a time: it does not match --time-format "
        f"{time_format!r}", source=source, column=column))
    return (_showable(_seconds(stamps), shown.iloc.__getitem__, source, column, bad),
            f"time format {time_format!r}")


# --------------------------------------------------------------------------- messages

#: A numeric date with day and month in some order (for the ``--dayfirst`` hint).
_NUMERIC_DATE = re.compile(r"\s*\d{1,2}([./-])\d{1,2}\1\d{2}(?:\d{2})?(?:\D.*)?")
#: The pieces of a value :func:`_guess_format` names.
_TOKEN = re.compile(r"(?P<clock>\d{1,2}:\d{2}(?P<seconds>:\d{2}(?P<fraction>[.,]\d+)?)?)"
                    r"|(?P<zone>[+-]\d{2}:?\d{2})(?!\d)|(?P<year>\d{4})(?!\d)"
                    r"|(?P<number>\d{1,2})(?!\d)|(?P<word>[A-Za-z]+)|(?P<other>[^\dA-Za-z])")


def _unreadable(value: Any, dayfirst: bool = False) -> str:
    """The message for a text value no form reads: what was tried and what to do."""
    value = scalar_string(value)
    guess = _guess_format(str(value), dayfirst)
    fix = (f"give its form with --time-format {guess!r}" if guess
           else "give its form with --time-format (a strptime format such as "
                "'%d/%m/%Y %H:%M')")
    if not dayfirst and _NUMERIC_DATE.fullmatch(str(value)):
        fix += ", or --dayfirst for day-first dates"
    return f"cannot read {value!r} as a time {_EXPECTED}; {fix}"


def _guess_format(value: str, dayfirst: bool) -> str | None:
    """The strptime format ``value`` seems written in, piece by piece (for a message: None
    when a piece is not one a time has)."""
    pieces: list[str] = []
    numbers: list[int] = []  # where the day and month numbers go, in pieces
    twelve = bool(re.search(r"\d\s*[AaPp]\.?[Mm]\b", value))
    for token in _TOKEN.finditer(value):
        kind, text = token.lastgroup, token.group()
        if kind == "clock":
            piece = ("%I" if twelve else "%H") + ":%M"
            piece += ":%S" if token.group("seconds") else ""
            fraction = token.group("fraction")
            piece += f"{fraction[0]}%f" if fraction else ""
        elif kind == "zone":
            piece = "%z"
        elif kind == "year":
            piece = "%Y"
        elif kind == "number":
            numbers.append(len(pieces))
            piece = text
        elif kind == "word":
            directive = _word_directive(text)
            if directive is None:
                return None
            piece = directive
        else:
            piece = text.replace("%", "%%")
        pieces.append(piece)
    if len(numbers) == 3 and "%Y" not in pieces:  # 01/03/26: the year last
        pieces[numbers.pop()] = "%y"
    named_month = any(p in ("%b", "%B") for p in pieces)
    fields = [int(pieces[i]) for i in numbers]
    if len(numbers) == 1 and named_month:
        order = ["%d"]
    elif len(numbers) == 2 and not named_month:
        year_first = "%Y" in pieces and pieces.index("%Y") < numbers[0]
        day_first = not year_first and (fields[0] > 12 or (fields[1] <= 12 and dayfirst))
        order = ["%d", "%m"] if day_first else ["%m", "%d"]
    elif numbers:
        return None
    else:
        order = []
    for at, directive, field in zip(numbers, order, fields, strict=True):
        if not 1 <= field <= (31 if directive == "%d" else 12):
            return None  # no form has it: the value is not a date
        pieces[at] = directive
    return "".join(pieces) if any(p.startswith("%") for p in pieces) else None


def _word_directive(word: str) -> str | None:
    """The directive of a word in a time (a name of a weekday or month, AM/PM, a UTC zone
    name or ``T``); None for another word."""
    lower = word.lower()
    if lower in ("am", "pm"):
        return "%p"
    if word in ("T", "Z", "UTC", "GMT"):
        return word
    if lower in _WEEKDAYS:
        return "%a" if len(lower) == 3 else "%A"
    if lower in _MONTHS:
        return "%b" if len(lower) == 3 else "%B"
    return None


def _from_epoch(
    number: np.ndarray, shown: Callable[[int], Any], source: str, column: str, bad: BadRows
) -> tuple[np.ndarray, str]:
    """Epoch numbers (``shown(row)``: the value as read, for messages) in one unit; or Excel
    serial days, when every one is in :data:`_EXCEL_RANGE`."""
    present = ~np.isnan(number)
    infinite = present & ~np.isfinite(number)
    bad.flag(infinite, lambda row: InputError(
        f"cannot read {scalar_string(shown(row))!r} as a time {_EXPECTED}",
        source=source, column=column))
    number = np.where(infinite, np.nan, number)
    present &= ~infinite
    if not present.any():
        return number, "empty"
    if _EXCEL_RANGE[0] <= number[present].min() and number[present].max() < _EXCEL_RANGE[1]:
        return _from_excel(number), EXCEL
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


def _from_excel(serial: np.ndarray) -> np.ndarray:
    """Excel serial days (1900 date system; days since 1899-12-30, the fraction the time of
    day) as seconds, to the millisecond Excel keeps: whole seconds, then the fraction."""
    millis = np.round((serial - _EXCEL_EPOCH) * 86_400_000)
    return millis // 1000 + (millis % 1000) / 1000


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
