"""The fast paths of reading agree with the exact ones they stand in for.

pyarrow casts the times it can (pandas reads the others, and decides the errors); ids are
cleaned and coded in arrow; the sort packs keys and orders only runs of ties. Each is
checked here against the plain computation.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from pod_detect import io as podio
from pod_detect.errors import InputError
from pod_detect.io import canonical
from pod_detect.io import readers as _readers
from pod_detect.io import table as _table
from pod_detect.io import times as _timeparse
from pod_detect.io.badrows import BadRows
from pod_detect.io.columns import time_columns
from pod_detect.io.readers.delimited import read_delimited
from pod_detect.io.readers.parquet import read_parquet
from pod_detect.io.strings import STR, Coded, blank_to_na, clean, code


def arrow(values: list[str | None]) -> pa.ChunkedArray:
    return pa.chunked_array([pa.array(values, pa.string())])


def by_pandas(values: list[str | None]) -> np.ndarray:
    """Seconds as pandas reads the ISO text (the exact path)."""
    text = blank_to_na(pd.Series(values, dtype=STR))
    present = text.notna().to_numpy()
    return _timeparse._from_iso(text, present, "x.csv", "t", BadRows("error", len(values)))


# --------------------------------------------------------------------------- times

CAST = [
    ["2021-06-16T22:04:51Z", "2021-06-16 22:04:52Z", None],
    ["2021-06-16T22:04:51+02:00", "2021-06-16T22:04:51-0530", "2021-06-16T22:04:51+14"],
    ["2021-06-16T22:04:51", "2021-06-16 22:04", "2021-06-16", "2021-06-16T22"],
    ["2021-06-16T22:04:51.5Z", "1969-12-31T23:59:59.999999999Z", "2021-06-16T22:04:51Z"],
    ["2021-06-16T22:04:51.123456", "2021-06-16T22:04:51.1"],
    ["1700-01-01T00:00:00Z", "2199-12-31T23:59:59Z", "2020-02-29T00:00:00Z"],
]

PANDAS = [  # forms only pandas reads, times out of the trusted range, mixed zones
    ["2021-6-16T22:04:51Z", "2021-06-16T22:04:51Z"],
    ["20210616T220451Z"],
    ["2021-06-16T22:04:51.Z"],
    ["2021-06-16T22:04:51Z", "2021-06-16T22:04:51"],
    ["1600-01-01T00:00:00Z", "2021-06-16T22:04:51Z"],
    ["9999-12-31T23:59:59Z"],
]


@pytest.mark.parametrize("values", CAST)
def test_pyarrow_casts_times_as_pandas_reads_them(values: list[str | None]) -> None:
    fast = _timeparse._cast(arrow(values))
    assert fast is not None
    np.testing.assert_array_equal(fast, by_pandas(values))
    seconds, how = to_epoch(values)
    np.testing.assert_array_equal(seconds, fast)
    assert how == "ISO 8601"


@pytest.mark.parametrize("values", PANDAS)
def test_other_times_take_the_pandas_path(values: list[str | None]) -> None:
    assert _timeparse._cast(arrow(values)) is None
    seconds, how = to_epoch(values)
    assert how == "ISO 8601"
    np.testing.assert_array_equal(seconds, by_pandas(values))


def to_epoch(values: list[str | None]) -> tuple[list[float], str]:
    seconds, how = _timeparse.to_epoch_seconds(arrow(values), source="x.csv", column="t")
    return seconds.tolist(), how


def test_padded_and_blank_times_are_cast_once_stripped() -> None:
    values = [" 2021-06-16T22:04:51Z", "", "  ", "2021-06-16T22:04:52Z\t"]
    assert _timeparse._cast(arrow(values)) is None  # as read: not times
    seconds, how = to_epoch(values)
    assert how == "ISO 8601"
    np.testing.assert_array_equal(seconds, by_pandas(values))


@pytest.mark.parametrize(("values", "how"), [
    (["1623881091", " 1623881092 ", ""], "epoch seconds"),
    (["1623881091000", "1623881092500"], "epoch milliseconds"),
    (["", " "], "empty"),
])
def test_numbers_and_blanks_are_not_cast_as_times(values: list[str], how: str) -> None:
    assert _timeparse._cast(arrow(values)) is None
    assert to_epoch(values)[1] == how


@pytest.mark.parametrize(("values", "message"), [
    (["2021-06-16T22:04:51Z", "yesterday"], "row 2, column 't': cannot read 'yesterday'"),
    (["2021-06-16T22:04:51Z", "2021-02-30T00:00:00Z"], "row 2, column 't': cannot read '2021-02"),
    (["2021-06-16T22:04:51Z", "1623881091"], "row 2, column 't': cannot read '1623881091'"),
    (["1623881091", "1623881091000"], "row 2, column 't': '1623881091000' looks like epoch milli"),
    # pyarrow reads it (in UTC it is in range) but pandas, at nanoseconds, does not
    (["2262-04-12 01:38+05:30", "2021-06-16T22:04:51.123456789Z"],
     "row 1, column 't': cannot read '2262-04-12 01:38[+]05:30'"),
])
def test_errors_come_from_the_exact_path(values: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        to_epoch(values)


# --------------------------------------------------------------------------- strings

SPACES = ["", " ", "\t", "\u00a0", "\u3000", "\u2003", "\x85", "\u200b", "\ufeff"]


def test_blank_text_is_what_stripping_leaves_empty() -> None:
    points = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    values = pa.array(points + ["a", "", None])
    stripped = pc.equal(pc.utf8_trim_whitespace(values), "").fill_null(False)
    blank = clean(values, strip=False).is_null()
    assert pc.equal(pc.or_(stripped, values.is_null()), blank).to_pylist() == [True] * len(values)


def test_codes_are_the_stripped_values() -> None:
    rng = np.random.default_rng(3)
    words = ["a", "b", " a", "a ", "B", "é", "x y", *SPACES, None]
    values = [words[i] for i in rng.integers(0, len(words), 500)]
    coded = code(arrow(values))
    expected = blank_to_na(pd.Series(values, dtype=STR))
    labels = np.append(coded.labels.to_numpy(zero_copy_only=False), None)
    got = [None if c < 0 else labels[c] for c in coded.codes]
    assert got == [None if pd.isna(v) else v for v in expected]
    names, (codes,) = _table.sorted_codes(coded)
    assert list(names) == sorted(set(expected.dropna()))
    assert [names[c] if c >= 0 else None for c in codes] == got


def test_sorted_codes_keep_only_the_values_of_rows_left() -> None:
    coded = code(arrow(["b", "a", "c", "a", " "]))
    names, (codes,) = _table.sorted_codes(coded.take(np.array([1, 3, 4])))
    assert list(names) == ["a"] and codes.tolist() == [0, 0, -1]
    names, codes = _table.sorted_codes(coded, Coded(np.array([0, -1]), pa.array(["z", "q"])))
    assert list(names) == ["a", "b", "c", "z"] and codes[1].tolist() == [3, -1]


# --------------------------------------------------------------------------- the sort


def reference_order(ints: list[np.ndarray], floats: list[np.ndarray], text: np.ndarray,
                    line: np.ndarray) -> tuple[np.ndarray, int]:
    """The plain stable lexsort over every key, then equal neighbours dropped."""
    floats = [v for v in floats if not np.isnan(v).all()]
    keys = [np.where(k < 0, k.max(initial=0) + 1, k) for k in [*ints, text]]
    order = np.lexsort([line, *floats[1:][::-1], *keys[::-1], *floats[:1]])
    same = np.ones(len(order) - 1, dtype=bool)
    for values in keys + floats:
        ordered = values[order]
        same &= (ordered[1:] == ordered[:-1]) | (np.isnan(ordered[1:]) & np.isnan(ordered[:-1])
                                                 if ordered.dtype.kind == "f" else False)
    return order[np.concatenate([[True], ~same])], int(same.sum())


def random_table(rng: np.random.Generator, n: int) -> tuple[list, list, np.ndarray]:
    small = int(rng.integers(1, 6))
    ints = [rng.integers(-1, small, n) for _ in range(4)]
    ints[0] = np.abs(ints[0])
    choice = rng.integers(0, 4)
    if choice == 0:  # whole seconds
        stamp = rng.integers(0, small, n).astype(float) + 1.6e9
    elif choice == 1:  # fractions, signs and zeros
        stamp = rng.choice([-0.0, 0.0, 0.5, -1.25, 3.0, 1e12 + 0.5], n)
    elif choice == 2:
        stamp = np.full(n, np.nan)
    else:  # a span too wide to pack
        stamp = rng.choice([0.0, 2.0**45, -(2.0**45)], n)
    stamp[rng.random(n) < 0.2] = np.nan
    post_time = rng.choice([np.nan, 1.0, 2.0, -0.0, 0.0], n)
    text = rng.integers(-1, 3, n)
    return ints, [stamp, post_time], text


@pytest.mark.parametrize("seed", range(40))
def test_sort_and_collapse_is_the_full_lexsort(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    ints, floats, text = random_table(rng, n)
    line = rng.choice(10 * n, n, replace=False) + 1  # rising in real tables; any order here
    got = _table.sort_and_collapse([k.astype(np.int32) for k in ints], floats,
                                   lambda rows: np.where(text[rows] < 0, 9, text[rows]), line)
    want = reference_order(ints, floats, text, line)
    assert got[1] == want[1]
    np.testing.assert_array_equal(got[0], want[0])


@pytest.mark.parametrize("seed", range(10))
def test_owners_match_counting_every_pair(seed: int) -> None:
    rng = np.random.default_rng(seed)
    post = rng.integers(0, 6, 80).astype(np.int32)
    author = rng.integers(0, 4, 80).astype(np.int32)
    pairs, counts = np.unique(np.stack([post, author]), axis=1, return_counts=True)
    order = np.lexsort([pairs[1], -counts, pairs[0]])
    best = order[np.concatenate([[True], np.diff(pairs[0][order]) != 0])]
    want = np.full(7, -1)
    want[pairs[0][best]] = pairs[1][best]
    assert _table.owners(author, post, 7, first=False).tolist() == want.tolist()
    first = np.full(7, -1)
    first[np.unique(post)] = author[np.unique(post, return_index=True)[1]]
    assert _table.owners(author, post, 7, first=True).tolist() == first.tolist()


# --------------------------------------------------------------------------- readers


def test_arrow_columns_and_the_frame_give_the_same_table(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("actor,author,post_id,kind,timestamp,text\n"
                    " a ,b,p,Like,2021-06-16T22:04:51Z,hi\n"
                    "c,\u00a0,p,, 2021-06-16T22:05:00Z ,\u3000\n"
                    "b,a,q,share,2021-06-16T22:04:51Z,\n", encoding="utf-8")
    loaded = podio.load(path)
    parsed = podio.parse(podio.read_table(path)[0].astype(object))
    pd.testing.assert_frame_equal(loaded.frame.drop(columns="line"),
                                  parsed.frame.drop(columns="line"))
    assert loaded.frame["line"].tolist() == [2, 4, 3]  # in time order
    assert (list(loaded.accounts), list(loaded.posts)) == (list(parsed.accounts), ["p", "q"])


def parquet_columns(table: pa.Table) -> _readers.Columns:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return read_parquet(pa.py_buffer(buffer.getvalue()), "x.parquet").columns


def test_parquet_stays_in_arrow_unless_pandas_metadata_changes_it() -> None:
    frame = pd.DataFrame({"actor": ["a", "b"], "kind": ["like", "x"]})
    plain = parquet_columns(pa.Table.from_pandas(frame))
    assert isinstance(plain.column("kind"), pa.ChunkedArray)
    bare = parquet_columns(pa.table({"actor": ["a", "b"], "n": pa.array([1, None], pa.int64())}))
    assert isinstance(bare.column("actor"), pa.ChunkedArray)
    assert bare.column("n").dtype == "Int64"  # converted alone, as the frame would have it
    typed = parquet_columns(pa.Table.from_pandas(frame.astype({"kind": "category"})))
    assert isinstance(typed.column("kind").dtype, pd.CategoricalDtype)


def test_object_columns_are_converted_only_on_the_rows_left() -> None:
    raw = pd.DataFrame({"actor": ["a", "", "c"], "author": ["x", b"\xff", "y"],
                        "post_id": ["p", "q", "r"]})
    data = podio.parse(raw, on_bad_rows="skip")  # the undecodable author is on a bad row
    assert list(data.accounts) == ["a", "c", "x", "y"] and data.dropped["bad_row"] == 1
    with pytest.raises(InputError, match="row 2, column 'actor': the actor is empty"):
        podio.parse(raw)


def test_the_first_failing_column_in_reading_order_is_the_error() -> None:
    raw = pd.DataFrame({"actor": ["a", "b", ""], "author": ["x", "y", "z"],
                        "timestamp": ["2021-06-16T22:04:51Z", "soon", "2021-06-16T22:04:52Z"]})
    with pytest.raises(InputError, match="row 3, column 'actor'"):
        podio.parse(raw)
    data = podio.parse(raw, on_bad_rows="skip")
    assert data.dropped["bad_row"] == 2 and len(data.frame) == 1


def test_running_out_of_memory_in_a_thread_is_reported(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "x.csv"
    path.write_text("actor,author,post_id\na,b,p\nc,d,q\n", encoding="utf-8")

    def exhausted(values: object) -> Coded:
        raise pa.ArrowMemoryError("malloc of 8 GB failed")

    monkeypatch.setattr(canonical, "code", exhausted)  # the ids are coded in the pool
    with pytest.raises(InputError, match="does not fit in the memory available"):
        podio.load(path)


# --------------------------------------------------------------------------- streamed read

TRICKY = (
    'actor,author,post_id,timestamp,text\n'
    'a,b,p1,2026-03-01T00:00:00Z,"two\nlines"\n'
    'c,b,p1,2026-03-01T00:01:00Z,"a ""quoted"" word, and a comma"\n'
    'd,b,p2,2026-03-01T00:02:00Z,\n'
)


def test_a_file_read_as_a_stream_reads_as_its_bytes(tmp_path: Path) -> None:
    """A path is parsed from a stream of the file, other sources from their bytes: the same
    table, and ragged rows are left out and numbered the same way."""
    path = tmp_path / "tricky.csv"
    ragged = TRICKY + "e,b\nf,b,p3,2026-03-01T00:03:00Z,ok\n"
    for text, skip in ((TRICKY, False), (ragged, True)):
        path.write_text(text, encoding="utf-8")
        data = pa.py_buffer(text.encode())
        streamed = read_delimited(data, str(path), "utf-8", preferred=",",
                                           skip=skip, file=str(path))
        mapped = read_delimited(data, str(path), "utf-8", preferred=",", skip=skip)
        pd.testing.assert_frame_equal(streamed.frame, mapped.frame)
        assert [str(e) for e in streamed.skipped] == [str(e) for e in mapped.skipped]
    assert streamed.frame["text"].tolist()[:2] == ["two\nlines", 'a "quoted" word, and a comma']
    assert [e.row for e in streamed.skipped] == [4]


def test_a_file_with_a_byte_order_mark_is_read_from_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + TRICKY.encode())
    data = podio.load(path)
    assert data.frame["text"].tolist()[0] == "two\nlines"
    assert "actor" in data.columns


# ------------------------------------------------------------- times the reader parses

FILLER = 3_000  # rows of good times first: more than the reader's sample of the file


def export_with(tail: list[tuple[str, str]], *, zone: str = "Z") -> bytes:
    """An export whose first rows have ISO times (with ``zone``), then ``tail``'s
    (timestamp, post_time) cells as they are written."""
    lines = ["actor,author,post_id,timestamp,post_time"]
    lines += [f"a{i % 97},b{i % 13},p{i % 13},2021-06-16T22:{i % 60:02d}:{i % 59:02d}{zone},"
              f"2021-06-16T20:00:00{zone}" for i in range(FILLER)]
    lines += [f"z,b1,p1,{stamp},{posted}" for stamp, posted in tail]
    return ("\n".join(lines) + "\n").encode()


def same(a: podio.Interactions, b: podio.Interactions) -> None:
    """The same canonical table, accounts, posts, counts and notes."""
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert list(a.accounts) == list(b.accounts) and list(a.posts) == list(b.posts)
    assert (a.rows_read, a.dropped, a.columns, a.notes) == (b.rows_read, b.dropped, b.columns,
                                                          b.notes)


def by_strings(path: Path, on_bad_rows: str = "error") -> podio.Interactions:
    """What loading ``path`` gives when every column is read as strings (the exact path:
    a file object is read from its bytes, and no reader is told of times)."""
    with path.open("rb") as stream:
        raw, name, kind, _ = podio._read(stream, "csv", "utf-8", None,
                                      skip=on_bad_rows != "error")
    return podio._parse(raw, name, None, on_bad_rows, podio.HEADER_LINES.get(kind, 0))


def times_of(path: Path, *, skip: bool = False) -> list[str]:
    raw, _, _, _ = podio._read(path, None, "utf-8", None, skip=skip,
                            times=lambda names: time_columns(names, None, str(path)))
    table = raw.columns._table
    return [c for c in ("timestamp", "post_time") if pa.types.is_timestamp(table[c].type)]


@pytest.mark.parametrize("zone", ["Z", "+02:00", ""])
@pytest.mark.parametrize("tail", [
    [("2021-06-16T22:04:51.5Z", "")],  # fractions, and a missing post time
    [("1969-12-31T23:59:59.999999999Z", "2021-06-16 22:04:52+0530")],
    [("2021-06-16T22:04:51", "2021-06-16")],  # no zone
    [("2021-6-16T22:04:51Z", "2021-06-16T20:00:00Z")],  # a form only pandas reads
    [("1600-01-01T00:00:00Z", "2021-06-16T20:00:00Z")],  # out of the trusted range
    [(" 2021-06-16T22:04:51Z", '""')],  # padded, and a quoted blank
    [("1623881091", "2021-06-16T20:00:00Z")],  # an epoch number among ISO times
])
def test_times_the_reader_parses_are_what_reading_strings_gives(
        tmp_path: Path, zone: str, tail: list[tuple[str, str]]) -> None:
    path = tmp_path / "times.csv"
    path.write_bytes(export_with(tail, zone=zone))
    try:
        expected = by_strings(path, on_bad_rows="skip")
    except InputError as exc:  # mixed epoch and ISO: an error either way
        with pytest.raises(InputError) as info:
            podio.load(path, on_bad_rows="skip")
        assert str(info.value) == str(exc)
        return
    same(podio.load(path, on_bad_rows="skip"), expected)


def test_the_reader_parses_iso_times_and_falls_back_on_others(tmp_path: Path) -> None:
    path = tmp_path / "times.csv"
    path.write_bytes(export_with([("2021-06-16T22:04:51.25Z", "")]))
    assert times_of(path) == ["timestamp", "post_time"]
    path.write_bytes(export_with([("2021-06-16T22:04:51", "2021-06-16T20:00:00Z")]))
    assert times_of(path) == []  # a value with no zone after zoned ones: strings again
    path.write_bytes(export_with([("1600-01-01T00:00:00Z", "2021-06-16T20:00:00Z")]))
    assert times_of(path) == []  # out of the trusted range: pandas decides
    path.write_bytes(export_with([], zone="").replace(b"2021-06-16T20:00:00\n", b"\n", 1))
    assert times_of(path) == ["timestamp", "post_time"]  # naive times, one missing


def test_a_bad_time_after_good_ones_names_its_row(tmp_path: Path) -> None:
    path = tmp_path / "times.csv"
    path.write_bytes(export_with([("2021-06-16T22:04:51Z", "2021-06-16T20:00:00Z"),
                                  ("not a time", "2021-06-16T20:00:00Z")]))
    with pytest.raises(InputError) as info:
        podio.load(path)
    message = str(info.value)
    assert f"row {FILLER + 2}" in message and "timestamp" in message and "not a time" in message


def test_ragged_rows_are_skipped_alike_with_times_parsed(tmp_path: Path) -> None:
    data = export_with([("2021-06-16T22:04:51Z", "2021-06-16T20:00:00Z")]) + b"q,b1\n"
    path = tmp_path / "times.csv"
    path.write_bytes(data)
    assert times_of(path, skip=True) == ["timestamp", "post_time"]
    loaded = podio.load(path, on_bad_rows="skip")
    same(loaded, by_strings(path, on_bad_rows="skip"))
    assert loaded.dropped["bad_row"] == 1


def test_posts_named_by_post_time_keep_its_text(tmp_path: Path) -> None:
    lines = export_with([]).decode().splitlines()
    data = ("\n".join(",".join(v for i, v in enumerate(line.split(",")) if i != 2)
                       for line in lines) + "\n").encode()  # no post_id column
    path = tmp_path / "times.csv"
    path.write_bytes(data)
    assert times_of(path) == ["timestamp"]
    loaded = podio.load(path)
    assert "no post_id column" in " ".join(loaded.notes)
    same(loaded, by_strings(path))
