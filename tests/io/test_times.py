"""The time forms platform exports use, read by ``to_epoch_seconds`` (pod_detect.io.times).

Every expectation is computed apart, with :class:`datetime.datetime`.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from pod_detect import io as podio
from pod_detect.errors import ConfigError, InputError
from pod_detect.io import times
from pod_detect.io.badrows import BadRows
from pod_detect.io.times import to_epoch_seconds


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, *,
       offset: float = 0) -> float:
    """Epoch seconds of a time (in UTC; ``offset``: the zone's hours east of UTC)."""
    zone = timezone(timedelta(hours=offset))
    return datetime(year, month, day, hour, minute, second, tzinfo=zone).timestamp()


def arrow(values: list[str | None]) -> pa.ChunkedArray:
    return pa.chunked_array([pa.array(values, pa.string())])


def read(values: list[str | None] | pd.Series, **options: object) -> tuple[list[float], str]:
    column = values if isinstance(values, pd.Series) else arrow(values)
    seconds, how = to_epoch_seconds(column, source="x.csv", column="t",
                                    **options)  # type: ignore[arg-type]
    return seconds.tolist(), how


def message(values: list[str | None], **options: object) -> str:
    with pytest.raises(InputError) as caught:
        read(values, **options)
    return str(caught.value)


# --------------------------------------------------------------------------- forms read alone


@pytest.mark.parametrize(("values", "expected", "how"), [
    # Instagram Graph API: an offset without a colon
    (["2024-01-05T10:00:00+0000", "2024-01-05T15:30:00+0530"],
     [at(2024, 1, 5, 10), at(2024, 1, 5, 10)], "ISO 8601"),
    # RFC 2822 / e-mail dates, with an offset, GMT, UT, no weekday, one-digit day
    (["Tue, 05 Mar 2024 10:00:00 +0000", "Tue, 05 Mar 2024 10:00:00 GMT",
      "5 Mar 2024 12:00:00 +0200", "Tuesday, 05 March 2024 05:00 -0500",
      "Tue, 5 Mar 2024 10:00:00 +0000 (UTC)"],
     [at(2024, 3, 5, 10)] * 5, "RFC 2822"),
    # Twitter v1.1 (C's ctime with an offset)
    (["Wed Oct 10 20:19:24 +0000 2018", "Wed Oct 10 22:19:24 +0200 2018"],
     [at(2018, 10, 10, 20, 19, 24)] * 2, "Twitter v1.1"),
    # a trailing UTC/GMT, as GitHub's archive writes times
    (["2019-08-05 11:52:30 UTC", "2019-08-05T11:52:31 GMT"],
     [at(2019, 8, 5, 11, 52, 30), at(2019, 8, 5, 11, 52, 31)], "ISO 8601"),
    # year first with slashes or dots: ISO 8601 as pandas reads it
    (["2026/03/01 03:03", "2026.03.01"], [at(2026, 3, 1, 3, 3), at(2026, 3, 1)], "ISO 8601"),
    # ... and what pandas leaves of it
    (["2026/03/01 3:03 PM", "2026/03/01, 03:03:05.25"],
     [at(2026, 3, 1, 15, 3), at(2026, 3, 1, 3, 3, 5) + 0.25], "year/month/day"),
])
def test_each_form(values: list[str], expected: list[float], how: str) -> None:
    assert read(values) == (expected, how)


def test_fractions_and_zones_are_exact() -> None:
    seconds, how = read(["Tue, 05 Mar 2024 10:00:00.125 +0130", "05 Mar 2024 10:00 Z"])
    assert seconds == [at(2024, 3, 5, 8, 30) + 0.125, at(2024, 3, 5, 10)]
    assert how == "RFC 2822"


# --------------------------------------------------------------------------- day and month


def test_ambiguous_numeric_dates_are_month_first_unless_dayfirst() -> None:
    values = ["01/03/2026 03:03", "01.03.2026", "1-3-2026 3:03:04 pm", None]
    month_first = [at(2026, 1, 3, 3, 3), at(2026, 1, 3), at(2026, 1, 3, 15, 3, 4)]
    day_first = [at(2026, 3, 1, 3, 3), at(2026, 3, 1), at(2026, 3, 1, 15, 3, 4)]
    seconds, how = read(values)
    assert seconds[:3] == month_first and np.isnan(seconds[3])
    assert how == times.MONTH_FIRST_AMBIGUOUS
    assert how == "month/day/year (ambiguous: --dayfirst reads them day first)"
    seconds, how = read(values, dayfirst=True)
    assert seconds[:3] == day_first and how == "day/month/year"


def test_a_first_field_over_12_makes_the_column_day_first() -> None:
    values = ["01/03/2026 03:03", "31/03/2026 23:59", "12/01/2026"]
    expected = [at(2026, 3, 1, 3, 3), at(2026, 3, 31, 23, 59), at(2026, 1, 12)]
    assert read(values) == (expected, "day/month/year (inferred: some first fields are over 12)")
    assert read(values[::-1]) == (expected[::-1], times.DAY_FIRST_INFERRED)  # order: no matter


def test_a_second_field_over_12_confirms_month_first() -> None:
    assert read(["01/03/2026", "12/31/2026 12:00 AM"]) == (
        [at(2026, 1, 3), at(2026, 12, 31)], "month/day/year")


def test_a_column_mixing_forms_is_named_by_the_most_common() -> None:
    seconds, how = read(["Tue, 05 Mar 2024 10:00:00 +0000", "2024-03-05T10:00:01Z",
                         "Tue, 05 Mar 2024 10:00:02 GMT"])
    assert seconds == [at(2024, 3, 5, 10), at(2024, 3, 5, 10, 0, 1), at(2024, 3, 5, 10, 0, 2)]
    assert how == "RFC 2822"


def test_long_columns_read_alike() -> None:
    """Past the head pyarrow's casts are tried on first, in either order of forms."""
    iso = [f"2024-03-05T10:{m % 60:02d}:00Z" for m in range(5000)]
    rfc = [f"Tue, 05 Mar 2024 10:{m % 60:02d}:00 +0000" for m in range(5000)]
    expected = [at(2024, 3, 5, 10, m % 60) for m in range(5000)]
    assert read(iso + rfc[:10]) == (expected + expected[:10], "ISO 8601")
    assert read(rfc + iso[:10]) == (expected + expected[:10], "RFC 2822")


@pytest.mark.parametrize(("how", "noted"), [
    ("ISO 8601", False), ("RFC 2822", False), ("Twitter v1.1", False), ("datetime", False),
    ("year/month/day", False), ("time format '%d/%m/%Y'", False), ("empty", False),
    ("epoch seconds", True), (times.EXCEL, True), (times.DAY_FIRST, True),
    (times.DAY_FIRST_INFERRED, True), (times.MONTH_FIRST, True),
    (times.MONTH_FIRST_AMBIGUOUS, True),
])
def test_which_hows_deserve_a_note(how: str, noted: bool) -> None:
    assert times.noteworthy(how) is noted


# --------------------------------------------------------------------------- --time-format


def test_time_format_without_zone_is_utc() -> None:
    values = ["01/03/2026 03:03", " 02/03/2026 04:05 ", ""]
    seconds, how = read(values, time_format="%d/%m/%Y %H:%M")
    assert seconds[:2] == [at(2026, 3, 1, 3, 3), at(2026, 3, 2, 4, 5)] and np.isnan(seconds[2])
    assert how == "time format '%d/%m/%Y %H:%M'"


def test_time_format_with_zone_is_converted_to_utc() -> None:
    seconds, _ = read(["01/03/2026 03:03 +0100", "01/03/2026 03:03 -0230"],
                      time_format="%d/%m/%Y %H:%M %z")
    assert seconds == [at(2026, 3, 1, 3, 3, offset=1), at(2026, 3, 1, 3, 3, offset=-2.5)]


def test_time_format_is_the_only_form_read() -> None:
    # an ISO time that does not match the format is an error, not read as ISO
    assert "does not match --time-format '%d/%m/%Y'" in message(
        ["01/03/2026", "2026-03-01"], time_format="%d/%m/%Y")


def test_a_time_format_no_value_matches_is_an_error_even_when_skipping() -> None:
    bad = BadRows("skip", 3)
    with pytest.raises(InputError) as caught:
        read(["", "2026-03-01 03:03", "2026-03-02 03:03"], time_format="%d/%m/%Y %H:%M",
             bad=bad)
    assert str(caught.value) == (
        "x.csv, row 2, column 't': cannot read '2026-03-01 03:03' as a time: it does not "
        "match --time-format '%d/%m/%Y %H:%M', nor does any other value of the column")


def test_a_time_format_some_values_match_drops_the_others_when_skipping() -> None:
    bad = BadRows("skip", 3)
    seconds, _ = read(["01/03/2026", "1 March", "02/03/2026"], time_format="%d/%m/%Y", bad=bad)
    assert seconds[0] == at(2026, 3, 1) and np.isnan(seconds[1]) and seconds[2] == at(2026, 3, 2)
    assert bad.mask.tolist() == [False, True, False]
    assert bad.first is not None and bad.first.row == 2


def test_a_time_format_leaves_numbers_it_does_not_match_to_the_number_forms() -> None:
    number = pd.Series([1_709_251_200, 1_709_251_260])
    assert read(number, time_format="%d/%m/%Y") == (
        [at(2024, 3, 1), at(2024, 3, 1, 0, 1)], "epoch seconds")
    assert read(["20260301"], time_format="%Y%m%d") == ([at(2026, 3, 1)], "time format '%Y%m%d'")


def test_a_time_format_that_is_not_one_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="--time-format '%Q' is not a strptime format"):
        read(["01/03/2026"], time_format="%Q")


# --------------------------------------------------------------------------- Excel


@pytest.mark.parametrize("column", [
    pd.Series([45352, 45353, None], dtype="Int64"),
    pd.Series([45352.0, 45353.0, np.nan]),
    pd.Series(["45352", " 45353", ""], dtype="object"),
])
def test_excel_serial_days(column: pd.Series) -> None:
    seconds, how = read(column)
    assert seconds[:2] == [at(2024, 3, 1), at(2024, 3, 2)] and np.isnan(seconds[2])
    assert how == "Excel serial days (1900 date system)"
    assert times.noteworthy(how)


def test_excel_fractions_are_times_of_day() -> None:
    seconds, how = read(pd.Series([45352.5, 45352 + 10 / 24, 45352 + (13 * 3600 + 14 * 60 + 15)
                                   / 86400, 20090.0, 73050.99]))
    assert seconds == [at(2024, 3, 1, 12), at(2024, 3, 1, 10), at(2024, 3, 1, 13, 14, 15),
                       at(1955, 1, 1), at(2099, 12, 31, 23, 45, 36)]
    assert how == times.EXCEL


@pytest.mark.parametrize("values", [
    [1_709_251_200, 1_709_251_260],  # epoch seconds
    [45352, 1_709_251_200],          # a value that is a plausible epoch: not a sheet of days
    [20089, 45352],                  # before 1955
    [45352, 73051],                  # after 2099
])
def test_other_numbers_are_not_excel(values: list[int]) -> None:
    assert read(pd.Series(values)) == ([float(v) for v in values], "epoch seconds")


# --------------------------------------------------------------------------- failures


def test_the_message_names_row_and_column_and_says_the_fix() -> None:
    assert message(["01/03/2026 03:03", "31.02.2026 3:03"]) == (
        "x.csv, row 2, column 't': cannot read '31.02.2026 3:03' as a time (ISO 8601 or epoch "
        "seconds/ms/us/ns, RFC 2822, Twitter v1.1, Excel serial days, day/month/year or "
        "month/day/year: none fits); give its form with --time-format '%d.%m.%Y %H:%M', or "
        "--dayfirst for day-first dates")


@pytest.mark.parametrize(("value", "fix"), [
    ("yesterday", "--time-format (a strptime format such as '%d/%m/%Y %H:%M')"),
    ("31/12/26 1:02 PM", "--time-format '%d/%m/%y %I:%M %p', or --dayfirst"),
    ("13/13/2026", "--time-format (a strptime format such as '%d/%m/%Y %H:%M'), or --dayfirst"),
    ("Tue, 5 Mar 2024 10:00 EST", "--time-format (a strptime"),
    ("Tue, 35 Mar 2024 10:00:00 +0000", "--time-format"),
])
def test_the_message_suggests_a_time_format(value: str, fix: str) -> None:
    text = message(["2024-03-05T10:00:00Z", value])
    assert text.startswith(f"x.csv, row 2, column 't': cannot read {value!r} as a time (")
    assert "Excel serial days" in text and f"; give its form with {fix}" in text
    assert "\n" not in text


@pytest.mark.parametrize("value", [
    "Tue, 05 Mar 2024 25:00:00 +0000",  # no hour 25
    "Wed Feb 29 10:00:00 +0000 2023",  # not a leap year
    "Wed Oct 10 20:19:24 +2500 2018",  # no such offset
    "Foo, 05 Mar 2024 10:00:00 +0000",  # not a weekday
    "05 Mar 2024 10:00:00 EST",  # zone names other than UTC's are not guessed
    "01/03-2026",  # two separators
    "13:00 PM 01/03/2026",
    "now",  # pandas reads it as the time of the run
    "today",
])
def test_near_misses_are_errors(value: str) -> None:
    assert f"cannot read {value!r} as a time" in message([value])


def test_lenient_bad_rows_drop_only_the_values_no_form_reads() -> None:
    bad = BadRows("skip", 5)
    seconds, how = read(["Tue, 05 Mar 2024 10:00:00 +0000", "not a time", "",
                         "Wed Oct 10 20:19:24 +0000 2018", "Tue, 31 Feb 2024 10:00:00 +0000"],
                        bad=bad)
    assert seconds[0] == at(2024, 3, 5, 10) and seconds[3] == at(2018, 10, 10, 20, 19, 24)
    assert np.isnan(seconds[1]) and np.isnan(seconds[2]) and np.isnan(seconds[4])
    assert bad.mask.tolist() == [False, True, False, False, True]
    assert how == "RFC 2822"
    assert bad.first is not None and bad.first.row == 2
    assert "cannot read 'not a time' as a time" in bad.first.message


# --------------------------------------------------------------------------- end to end


def test_load_reads_instagram_offsets(tmp_path: Path) -> None:
    path = tmp_path / "instagram.csv"
    path.write_text("actor,author,post_id,timestamp\n"
                    "a,b,p1,2024-01-05T10:00:00+0000\n"
                    "c,b,p1,2024-01-05T10:00:30+0000\n"
                    "d,b,p1,2024-01-05T12:01:00+0200\n")
    data = podio.load(path)
    assert data.frame["timestamp"].tolist() == [
        at(2024, 1, 5, 10), at(2024, 1, 5, 10, 0, 30), at(2024, 1, 5, 10, 1)]


def test_load_reads_rfc_2822(tmp_path: Path) -> None:
    path = tmp_path / "mail.csv"
    path.write_text("actor,author,post_id,timestamp\n"
                    'a,b,p1,"Tue, 05 Mar 2024 10:00:00 +0000"\n'
                    'c,b,p1,"Tue, 05 Mar 2024 10:00:30 GMT"\n')
    assert podio.load(path).frame["timestamp"].tolist() == [
        at(2024, 3, 5, 10), at(2024, 3, 5, 10, 0, 30)]
