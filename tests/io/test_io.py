"""Reading exports: formats, sniffing, aliases, --map, times, errors, canonical table."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pod_detect import io as podio
from pod_detect.errors import ConfigError, InputError
from pod_detect.model import FRAME_COLUMNS

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "russian_coord_tweets.csv"

# Five engagements with two posts; row 4 has no author (same post as rows 1-2: bob).
CSV = (
    "actor,author,post_id,kind,timestamp,text\n"
    "alice,bob,p1,Like,2021-06-16T22:04:51Z,nice\n"
    'carol,bob,p1, COMMENT ,2021-06-16T22:05:00Z,"great, really\nwow"\n'
    "bob,alice,p2,like,2021-06-17T08:00:00Z,\n"
    "dave,,p1,like,2021-06-16T22:06:00Z,\n"
    "carol,alice,p2,like,2021-06-17T08:00:30Z,\n"
)
T0 = 1623881091.0  # 2021-06-16T22:04:51Z


def raw_frame() -> pd.DataFrame:
    return pd.read_csv(io.StringIO(CSV), dtype=str, keep_default_na=False)


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def same(a: podio.Interactions, b: podio.Interactions) -> None:
    """The same canonical table, but for where each row stood in its input (``line``)."""
    pd.testing.assert_frame_equal(a.frame.drop(columns="line"), b.frame.drop(columns="line"))
    assert list(a.accounts) == list(b.accounts)
    assert list(a.posts) == list(b.posts)
    assert (a.rows_read, a.dropped, a.columns) == (b.rows_read, b.dropped, b.columns)


def fails(call, *parts: str) -> str:  # type: ignore[no-untyped-def]
    """Run ``call``; it must raise a one-line InputError containing every part."""
    with pytest.raises(InputError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message and "\r" not in message
    for part in parts:
        assert part in message, (part, message)
    return message


@pytest.fixture
def expected(tmp_path: Path) -> podio.Interactions:
    return podio.load(write(tmp_path, "base.csv", CSV))


# --------------------------------------------------------------------------- canonical table


def test_canonical_table(expected: podio.Interactions) -> None:
    data = expected
    assert list(data.frame.columns) == list(FRAME_COLUMNS)
    assert list(data.accounts) == ["alice", "bob", "carol", "dave"]
    assert list(data.posts) == ["p1", "p2"]
    assert [str(t) for t in data.frame.dtypes[:3]] == ["int32"] * 3
    assert data.frame["timestamp"].tolist() == [T0, T0 + 9, T0 + 69, T0 + 35709, T0 + 35739]
    names = data.accounts[data.frame["actor"]].tolist()
    assert names == ["alice", "carol", "dave", "bob", "carol"]
    assert data.accounts[data.frame["author"]].tolist() == ["bob", "bob", "bob", "alice", "alice"]
    assert data.frame["kind"].tolist() == ["like", "comment", "like", "like", "like"]
    assert data.frame["text"].tolist()[:2] == ["nice", "great, really\nwow"]
    assert data.frame["text"].isna().tolist() == [False, False, True, True, True]
    assert data.frame["post_time"].isna().all()
    assert data.rows_read == 5
    assert data.dropped == {"self_engagement": 0, "duplicate": 0}
    assert data.columns == {"actor", "author", "post_id", "kind", "timestamp", "text"}
    assert any("author filled in for 1 rows" in note for note in data.notes)


def test_author_filled_from_other_rows_of_the_post() -> None:
    raw = pd.DataFrame({"actor": ["a", "b", "c", "d"], "author": ["", "z", "", ""],
                        "post_id": ["p", "p", "q", ""]})
    data = podio.parse(raw)
    authors = {data.accounts[a]: (data.accounts[u] if u >= 0 else None)
               for a, u in zip(data.frame["actor"], data.frame["author"], strict=True)}
    assert authors == {"a": "z", "b": "z", "c": None, "d": None}
    assert data.frame["post"].tolist().count(-1) == 1


def test_post_with_two_authors_is_an_error() -> None:
    raw = pd.DataFrame({"actor": ["a", "b", "c"], "author": ["x", "", "y"],
                        "post_id": ["p", "p", "p"]})
    fails(lambda: podio.parse(raw, source="e.csv"), "e.csv, row 3, column 'author'", "'p'",
          "'x'", "'y'")


def test_self_engagement_dropped_and_counted() -> None:
    raw = pd.DataFrame({"actor": ["a", "b", "a", "c"], "author": ["a", "a", "", "b"],
                        "post_id": ["p", "p", "p", "q"]})
    data = podio.parse(raw)
    # rows 1 and 3 (filled in from the post's author) are a engaging with a's own post
    assert data.dropped["self_engagement"] == 2
    assert len(data.frame) == 2 and data.rows_read == 4
    assert (data.frame["actor"] != data.frame["author"]).all()


def test_exact_duplicates_collapsed() -> None:
    raw = pd.DataFrame({"actor": ["a", "a", "a", "a"], "author": ["b", "b", "b", "b"],
                        "post_id": ["p", "p", "p", "p"], "timestamp": ["10", "10", "11", ""],
                        "text": ["hi", "hi", "hi", ""]})
    data = podio.parse(raw)
    assert data.dropped["duplicate"] == 1
    assert data.frame["timestamp"].tolist()[:2] == [10.0, 11.0]
    assert np.isnan(data.frame["timestamp"].iloc[2])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_row_order_does_not_matter(seed: int) -> None:
    raw = raw_frame()
    raw = pd.concat([raw, raw.iloc[[0, 2]]], ignore_index=True)  # with duplicates
    shuffled = raw.sample(frac=1, random_state=seed).reset_index(drop=True)
    same(podio.parse(raw), podio.parse(shuffled))


def test_kind_defaults_to_engage_and_missing_columns_are_empty() -> None:
    data = podio.parse(pd.DataFrame({"actor": ["a", "b"], "post_id": ["p", "q"]}))
    assert data.frame["kind"].tolist() == ["engage", "engage"]
    assert (data.frame["author"] == -1).all()
    assert data.frame[["timestamp", "post_time", "text"]].isna().all().all()
    assert data.columns == {"actor", "post_id"}


def test_ids_are_stripped_strings() -> None:
    data = podio.parse(pd.DataFrame({"actor": [" 007 ", "8"], "author": ["9", " 007"]}))
    assert list(data.accounts) == ["007", "8", "9"]
    assert all(isinstance(a, str) for a in data.accounts)


# --------------------------------------------------------------------------- formats


def canonical_export() -> pd.DataFrame:
    raw = raw_frame()
    seconds = (pd.to_datetime(raw["timestamp"]) - pd.Timestamp(0, tz="UTC")) // pd.Timedelta("1s")
    return raw.assign(timestamp=seconds)


@pytest.mark.parametrize("name", [
    "x.csv", "x.tsv", "x.tab", "x.json", "x.jsonl", "x.ndjson", "x.parquet", "x.pq",
    "x.csv.gz", "x.tsv.gz", "x.json.gz", "x.jsonl.gz", "x.parquet.gz",
])
def test_every_format_reads_the_same(tmp_path: Path, expected: podio.Interactions,
                                     name: str) -> None:
    path = tmp_path / name
    podio.write_table(canonical_export(), path)
    if name.endswith(".gz"):
        assert path.read_bytes()[:2] == b"\x1f\x8b"
    data = podio.load(path)
    same(data, expected)
    assert data.source == str(path)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl", "parquet", "csv.gz"])
def test_write_table_is_deterministic(tmp_path: Path, fmt: str) -> None:
    first, second = io.BytesIO(), io.BytesIO()
    podio.write_table(canonical_export(), first, fmt=fmt)
    podio.write_table(canonical_export(), second, fmt=fmt)
    assert first.getvalue() == second.getvalue() and first.getvalue()


def test_write_table_needs_a_format() -> None:
    with pytest.raises(ConfigError, match="output format"):
        podio.write_table(canonical_export(), io.BytesIO())
    with pytest.raises(ConfigError, match="xlsx"):
        podio.write_table(canonical_export(), io.BytesIO(), fmt="xlsx")


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "parquet", "tsv.gz"])
def test_stdin(expected: podio.Interactions, fmt: str) -> None:
    buffer = io.BytesIO()
    podio.write_table(canonical_export(), buffer, fmt=fmt)
    data = podio.load("-", stdin=io.BytesIO(buffer.getvalue()))
    same(data, expected)
    assert data.source == "<stdin>"


@pytest.mark.parametrize(("written", "name"), [
    ("jsonl", "export.csv"),      # misleading extension
    ("json", "export.jsonl"),
    ("jsonl", "export.json"),     # JSON Lines named .json: very common
    ("csv", "export.json"),
    ("parquet", "export.csv"),
    ("tsv", "export"),            # no extension
    ("parquet", "export.dat"),
    ("jsonl.gz", "export.bin"),
    ("csv.gz", "export.csv"),     # compressed but not named so
])
def test_format_sniffed_from_bytes(tmp_path: Path, expected: podio.Interactions,
                                   written: str, name: str) -> None:
    podio.write_table(canonical_export(), tmp_path / name, fmt=written)
    same(podio.load(tmp_path / name), expected)


@pytest.mark.skipif(not pa.Codec.is_available("zstd"), reason="pyarrow without zstd")
def test_zstd(expected: podio.Interactions) -> None:
    buffer = io.BytesIO()
    podio.write_table(canonical_export(), buffer, fmt="jsonl")
    packed = pa.Codec("zstd").compress(buffer.getvalue(), asbytes=True)
    same(podio.load("-", stdin=io.BytesIO(packed)), expected)
    fails(lambda: podio.load("-", stdin=io.BytesIO(packed[:-4])), "<stdin>: is truncated")


def test_semicolon_and_explicit_format(tmp_path: Path, expected: podio.Interactions) -> None:
    path = tmp_path / "data.txt"
    canonical_export().to_csv(path, sep=";", index=False)
    same(podio.load(path), expected)
    same(podio.load(path, fmt="csv"), expected)


def test_quoted_newlines_and_bom(tmp_path: Path) -> None:
    data = podio.load(write(tmp_path, "b.csv", b"\xef\xbb\xbfactor,author,text\n"
                            b'a,b,"line one\nline two"\nc,a,\n'))
    assert data.rows_read == 2 and "actor" in data.columns
    assert data.frame["text"].tolist()[0] == "line one\nline two"


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16"])
def test_other_encodings(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, "e.csv", "actor,author,text\nzoë,josé,café\nana,zoë,\n"
                 .encode(encoding))
    data = podio.load(path, encoding=encoding)
    assert list(data.accounts) == ["ana", "josé", "zoë"]
    assert "café" in data.frame["text"].tolist()


def test_numeric_ids_from_json_and_parquet(tmp_path: Path) -> None:
    big = 1405823480183316482  # more digits than a float64 keeps
    jsonl = (f'{{"actor": {big}, "author": 7, "post_id": 1.0}}\n'
             f'{{"actor": 5, "author": null, "post_id": 2}}\n')
    a = podio.load(write(tmp_path, "n.jsonl", jsonl))
    b = podio.load(write(tmp_path, "n.json", "[" + jsonl.replace("}\n{", "},{") + "]"))
    table = pa.table({"actor": pa.array([big, 5], pa.int64()),
                      "author": pa.array([7, None], pa.int64()),
                      "post_id": pa.array([1.0, 2.0])})
    pq.write_table(table, tmp_path / "n.parquet")
    c = podio.load(tmp_path / "n.parquet")
    for data in (a, b, c):
        assert sorted(data.accounts) == sorted([str(big), "5", "7"])
        assert list(data.posts) == ["1", "2"]


def test_jsonl_with_mixed_types_and_blank_lines(tmp_path: Path) -> None:
    lines = '{"actor": 1, "author": "x"}\n\n{"actor": "b", "author": 2}\n'
    path = write(tmp_path, "m.jsonl", lines)
    data = podio.load(path)
    assert sorted(data.accounts) == ["1", "2", "b", "x"] and data.rows_read == 2


# --------------------------------------------------------------------------- columns


ALIAS_CASES = [(c, a) for c, aliases in podio.ALIASES.items() for a in aliases if a != c]


@pytest.mark.parametrize(("canonical", "alias"), ALIAS_CASES)
def test_every_alias(expected: podio.Interactions, canonical: str, alias: str) -> None:
    raw = canonical_export()
    raw["post_time"] = raw["timestamp"] - 60
    theirs = f" {alias.upper().replace('_', '-')} "  # case, spaces and -/_ do not matter
    data = podio.parse(raw.rename(columns={canonical: theirs}))
    assert canonical in data.columns
    assert f"column {theirs!r} read as {canonical}" in data.notes
    base = podio.parse(raw)
    pd.testing.assert_frame_equal(data.frame, base.frame)


def test_first_alias_wins_and_says_so() -> None:
    raw = pd.DataFrame({"username": ["u1"], "user": ["u2"], "to": ["t"], "target": ["x"]})
    data = podio.parse(raw)
    assert list(data.accounts[data.frame[["actor", "author"]].iloc[0]]) == ["u2", "x"]
    assert "column 'user' read as actor" in data.notes
    assert any(n.startswith("column 'username' ignored") for n in data.notes)
    assert any(n.startswith("column 'to' ignored") for n in data.notes)


def test_canonical_name_beats_alias() -> None:
    raw = pd.DataFrame({"user": ["u"], "Actor": ["a"], "author": ["b"]})
    data = podio.parse(raw)
    assert data.accounts[data.frame["actor"].iloc[0]] == "a"


def test_map_option() -> None:
    raw = pd.DataFrame({"who": ["a", "b"], "whom": ["b", "a"], "user": ["x", "y"]})
    data = podio.parse(raw, mapping={"actor": "who", "author": "WHOM"})
    assert data.accounts[data.frame["actor"]].tolist() == ["a", "b"]
    assert data.columns == {"actor", "author"}


@pytest.mark.parametrize(("mapping", "parts"), [
    ({"actr": "who"}, ["e.csv: --map actr=who: unknown column 'actr'", "actor, author"]),
    ({"actor": "nobody"}, ["e.csv, column 'nobody': --map actor=nobody: no such column",
                           "found columns: who, whom"]),
    ({"actor": "who", "author": "who"}, ["column 'who'", "already mapped"]),
])
def test_bad_map(mapping: dict[str, str], parts: list[str]) -> None:
    raw = pd.DataFrame({"who": ["a"], "whom": ["b"]})
    fails(lambda: podio.parse(raw, source="e.csv", mapping=mapping), *parts)


@pytest.mark.parametrize(("columns", "parts"), [
    (["a", "b", "c"], ["export.csv: missing required column 'actor' (found columns: a, b, c; "
                       "use --map actor=COLUMN)"]),
    (["actor", "kind"], ["missing required column 'author' or 'post_id'", "--map author="]),
])
def test_missing_required_column(columns: list[str], parts: list[str]) -> None:
    raw = pd.DataFrame({c: ["v"] for c in columns})
    fails(lambda: podio.parse(raw, source="export.csv"), *parts)


def test_blank_actor_names_the_row(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", "user,target\na,b\n  ,c\n")
    fails(lambda: podio.load(path), f"{path}, row 2, column 'user'", "actor is empty")


# --------------------------------------------------------------------------- times


ISO_SAME = ["2021-06-16T22:04:51Z", "2021-06-16 22:04:51", "2021-06-16T22:04:51+00:00",
            "2021-06-17T01:04:51+03:00", "2021-06-16T22:04:51.000", "1623881091",
            "1623881091000", "1623881091000000", "1623881091000000000", "1623881091.0",
            "2021-06-16 22:04:51 UTC", "2021-06-16T22:04:51 gmt"]


def test_a_column_mixing_utc_forms_reads_as_github_writes_it(tmp_path: Path) -> None:
    """GitHub's archive writes ``2019-08-05 11:52:30 UTC``; an export may mix it with ``Z``."""
    path = tmp_path / "stars.csv"
    path.write_text("actor,author,post_id,timestamp\n"
                    "a,b,b/r,2021-06-16 22:04:51 UTC\nc,b,b/r,2021-06-16T22:04:52Z\n")
    assert podio.load(path).frame["timestamp"].tolist() == [T0, T0 + 1]


@pytest.mark.parametrize("value", ISO_SAME)
def test_times_read_as_epoch_seconds(value: str) -> None:
    raw = pd.DataFrame({"actor": ["a", "b"], "author": ["b", "a"], "created_at": [value, ""]})
    data = podio.parse(raw)
    assert data.frame["timestamp"].iloc[0] == T0
    assert np.isnan(data.frame["timestamp"].iloc[1])


def test_fractional_seconds_and_numeric_columns() -> None:
    raw = pd.DataFrame({"actor": ["a", "b"], "author": ["b", "a"],
                        "timestamp": ["2021-06-16T22:04:51.250Z", "2021-06-16T22:04:52"],
                        "post_time": [1623881091000, 1623881000000]})
    data = podio.parse(raw)
    assert data.frame["timestamp"].tolist() == [T0 + 0.25, T0 + 1]
    assert data.frame["post_time"].tolist() == [T0, T0 - 91]
    assert "column 'post_time' read as epoch milliseconds" in data.notes


@pytest.mark.parametrize("tz", [None, "UTC", "Europe/Moscow"])
def test_datetime_columns_from_parquet(tmp_path: Path, tz: str | None) -> None:
    stamp = pd.Timestamp("2021-06-16 22:04:51", tz="UTC")
    stamp = stamp.tz_convert(tz) if tz else stamp.tz_localize(None)
    frame = pd.DataFrame({"actor": ["a"], "author": ["b"], "timestamp": [stamp]})
    frame.to_parquet(tmp_path / "t.parquet")
    assert podio.load(tmp_path / "t.parquet").frame["timestamp"].tolist() == [T0]


@pytest.mark.parametrize(("values", "parts"), [
    (["2021-06-16T22:04:51Z", "1623881091"],
     ["e.csv, row 2, column 'ts'", "'1623881091'", "mixes epoch numbers and ISO 8601"]),
    (["1623881091", "", "2021-06-16"], ["row 3, column 'ts'", "mixes"]),
    (["2021-06-16T22:04:51Z", "2021-13-45"],
     ["e.csv, row 2, column 'ts': cannot read '2021-13-45' as a time (ISO 8601 or epoch"]),
    (["yesterday", "2021-06-16"], ["row 1, column 'ts'", "'yesterday'"]),
    (["2021-06-16 22:04:51 UTC", "2021-13-45 22:04:51 UTC"],
     ["row 2, column 'ts': cannot read '2021-13-45 22:04:51 UTC' as a time"]),
    (["2021-06-16 22:04:51 UTC", "22:04:51 Moscow"], ["row 2", "'22:04:51 Moscow'"]),
    (["1623881091", "1623881091000"], ["row 2", "epoch milliseconds", "epoch seconds"]),
])
def test_bad_times(values: list[str], parts: list[str]) -> None:
    raw = pd.DataFrame({"actor": ["a"] * len(values), "author": ["b"] * len(values),
                        "ts": values})
    fails(lambda: podio.parse(raw, source="e.csv"), *parts)


# --------------------------------------------------------------------------- input errors


GARBAGE = bytes(range(256)) * 8


@pytest.mark.parametrize(("name", "data", "parts"), [
    ("e.csv", b"", ["e.csv: is empty"]),
    ("e.csv", b"  \n", ["e.csv: is empty"]),
    ("e.csv", b"actor,author\n", ["e.csv: has a header but no rows"]),
    ("e.csv", b"actor,author", ["e.csv: has a header but no rows"]),
    ("e.csv", b"actor,author\n\n\n", ["e.csv: has a header but no rows"]),
    ("e.json", b"[]", ["e.json: has no rows"]),
    ("e.json", b'{"actor": "a"}\n  ', ["e.json: is a JSON object, not a list of records"]),
    ("e.json", b"[1, 2]", ["e.json, row 1: is a JSON number, not an object"]),
    ("e.json", b'[{"actor": "a"},\n {"actor": }]', ["e.json: is not valid JSON", "line 2"]),
    ("e.jsonl", b'{"actor": "a"}\n{"actor": "b"\n', ["e.jsonl, row 2: is not valid JSON"]),
    ("e.jsonl", b'{"actor": "a"}\n["b"]\n', ["e.jsonl, row 2: is a JSON array, not an object"]),
    ("e.csv", b"actor,author\na,b\nc,d,e\nf,g\n",
     ["e.csv, row 2: has 3 fields but the header has 2"]),
    ("e.csv", b'actor,author\n"a\nb",c\nd\n', ["e.csv, row 2: has 1 fields"]),
    ("e.csv", b"actor,author\na,b\nc\xe9,d\n",
     ["e.csv, row 2, column 'actor': cannot decode byte 0xe9 as utf-8", "--encoding"]),
    ("e.jsonl", b'{"actor": "a", "author": "b"}\n{"actor": "\xe9", "author": "b"}\n',
     ["e.jsonl, row 2: cannot decode byte 0xe9", "--encoding"]),
    ("e.json", b'[{"actor": "a", "author": "b"},\n{"actor": "\xe9", "author": "b"}]\n',
     ["e.json: cannot decode byte 0xe9 as utf-8 at line 2", "--encoding"]),
    ("e.csv.gz", gzip.compress(b"actor,author\n" + b"a,b\n" * 1000)[:-20],
     ["e.csv.gz: is truncated or not valid gzip"]),
    ("e.bin", GARBAGE, ["e.bin: cannot tell the format", "(use --input-format)"]),
    ("e", b"\x00\x01\x02garbage", ["cannot tell the format"]),
    ("e.parquet", b"PAR1 not really", ["e.parquet: is not a valid Parquet file"]),
    ("e.csv", b"actor,author,actor\na,b,c\n", ["e.csv, column 'actor': appears twice"]),
    ("e.csv", b"PK\x03\x04rest", ["e.csv: is a zip archive"]),
])
def test_input_errors(tmp_path: Path, name: str, data: bytes, parts: list[str]) -> None:
    path = write(tmp_path, name, data)
    fails(lambda: podio.load(path), *[str(path) + p[len(name):] if p.startswith(name) else p
                                      for p in parts])


def test_errors_on_stdin_and_bad_paths(tmp_path: Path) -> None:
    fails(lambda: podio.load("-", stdin=io.BytesIO(b"")), "<stdin>: is empty")
    fails(lambda: podio.load("-", stdin=io.BytesIO(GARBAGE)), "<stdin>: cannot tell the format")
    fails(lambda: podio.load(tmp_path / "nope.csv"), "nope.csv: no such file")
    fails(lambda: podio.load(tmp_path), "is a directory")
    fails(lambda: podio.load(write(tmp_path, "a.csv", "x\n1\n"), encoding="klingon"),
          "unknown encoding 'klingon'")


def test_garbage_with_a_forced_format_is_still_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "g.bin", GARBAGE)
    for fmt in podio.FORMATS:
        fails(lambda fmt=fmt: podio.load(path, fmt=fmt), str(path))


def test_read_table_keeps_raw_values(tmp_path: Path) -> None:
    frame, name = podio.read_table(write(tmp_path, "r.csv", "id,n\n007,1.50\n,x\n"))
    assert name == str(tmp_path / "r.csv")
    assert frame["id"].tolist() == ["007", ""] and frame["n"].tolist() == ["1.50", "x"]


# --------------------------------------------------------------------------- real data


@pytest.mark.skipif(not REAL.exists(), reason="../shared/data is not beside the checkout")
def test_russian_coord_tweets() -> None:
    data = podio.load(REAL)
    raw = pd.read_csv(REAL, dtype=str)
    assert data.rows_read == 35_125
    assert data.dropped == {"self_engagement": 105, "duplicate": 1}
    assert len(data.frame) == 35_125 - 106
    assert len(data.accounts) == 9_509
    assert data.columns == {"actor", "author", "post_id", "kind", "timestamp"}
    assert "column 'timestamp' read as epoch seconds" in data.notes
    assert data.frame["timestamp"].min() == float(raw["timestamp"].astype(int).min())
    assert data.frame["timestamp"].is_monotonic_increasing
    assert set(data.frame["kind"]) == {"share"}
    # authors: known on about 10% of rows, and every row of a post with a known author has it
    known = data.frame[data.frame["author"] >= 0]
    assert 0.09 < len(known) / len(data.frame) < 0.11
    authors = data.frame[data.frame["post"].isin(known["post"])].groupby("post")["author"]
    assert (authors.min() >= 0).all() and (authors.nunique() == 1).all()
    # the same rows in another order give the same table
    table, _ = podio.read_table(REAL)
    same(podio.parse(table.sample(frac=1, random_state=3)), data)


def test_posts_are_identified_by_author_and_post_time_without_a_post_id():
    raw = pd.DataFrame({
        "actor": ["a", "b", "c", "c"],
        "author": ["b", "a", "a", "a"],
        "post_time": ["2021-01-01T00:00:00Z", "2021-01-01T00:00:00Z", "2021-01-01T00:00:00Z",
                      "2021-01-02T00:00:00Z"],
        "timestamp": ["2021-01-01T00:01:00Z", "2021-01-01T00:02:00Z", "2021-01-01T00:03:00Z",
                      "2021-01-02T00:03:00Z"],
    })
    data = podio.parse(raw, source="x.csv")
    assert list(data.posts) == ["a@2021-01-01T00:00:00Z", "a@2021-01-02T00:00:00Z",
                                "b@2021-01-01T00:00:00Z"]
    assert data.frame["post"].nunique() == 3
    assert "post_id" in data.columns
    assert any("identified by their author and post_time" in note for note in data.notes)


@pytest.mark.parametrize(("fmt", "first"), [("csv", 2), ("tsv", 2), ("jsonl", 1), ("json", 1)])
def test_each_row_keeps_its_line_in_the_input(tmp_path: Path, fmt: str, first: int) -> None:
    raw = pd.DataFrame({"actor": ["c", "a", "b", "a"], "author": ["x", "y", "z", "y"],
                        "post_id": ["p3", "p1", "p2", "p1"]})
    path = tmp_path / f"export.{fmt}"
    podio.write_table(raw, path)
    data = podio.load(path)
    line = dict(zip(data.accounts[data.frame["actor"]], data.frame["line"], strict=True))
    # c is record 1, a record 2 (its duplicate, record 4, is collapsed), b record 3
    assert [line["c"], line["a"], line["b"]] == [first, first + 1, first + 2]
