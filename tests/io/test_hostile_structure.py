"""Structure chosen by whoever wrote the file: nesting bombs, records where ids belong, and
(from Python) cells that are not text. Each is one line naming the place, never a crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pod_detect import io as podio
from pod_detect.errors import InputError
from pod_detect.io import load
from pod_detect.io.nesting import MAX_NESTING, deepest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "linkedin_pods.csv"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pod_detect", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize(("name", "text"), [
    # pyarrow's reader crashed the process on this (SIGSEGV, exit 139, no message)
    ("deep.jsonl", '{"actor":"a","author":"b","post_id":"p","x":' + "[" * 5000 + "]" * 5000
     + "}\n"),
    # Python's raised RecursionError (exit 3)
    ("deep.json", "[" * 100_000 + "]" * 100_000),
], ids=["jsonl", "json"])
def test_a_nesting_bomb_is_one_line_and_exit_2(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    result = run("scan", str(path), "-f", "json")
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "more than 256 levels deep" in result.stderr
    assert f"{name}, row 1" in result.stderr


def test_the_line_that_nests_too_deep_is_named(tmp_path):
    rows = [json.dumps({"actor": f"a{i}", "author": "b", "post_id": f"p{i}"}) for i in range(5)]
    rows[3] = '{"actor":"x","author":"b","post_id":"p","deep":' + "[" * 300 + "]" * 300 + "}"
    path = tmp_path / "x.jsonl"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(InputError, match="row 4: nests objects or arrays more than 256"):
        load(str(path))


def test_brackets_inside_strings_do_not_nest(tmp_path):
    name = "[" * 1000 + '\\"{' * 300  # an account named with brackets and escaped quotes
    rows = [{"actor": name, "author": "b", "post_id": "p1"},
            {"actor": "c", "author": "b", "post_id": "p2"}]
    for suffix, text in ((".jsonl", "\n".join(json.dumps(r) for r in rows) + "\n"),
                         (".json", json.dumps(rows))):
        path = tmp_path / f"names{suffix}"
        path.write_text(text)
        assert name in list(load(str(path)).accounts)


def test_deepest_agrees_with_a_character_walk_across_block_edges(monkeypatch):
    import pod_detect.io.nesting as nesting

    def walk(text: str) -> int:
        depth = most = 0
        inside = escaped = False
        for c in text:
            if inside:
                escaped, inside = (False, True) if escaped else (c == "\\", c != '"')
            elif c == '"':
                inside = True
            elif c in "[{":
                depth += 1
                most = max(most, depth)
            elif c in "]}":
                depth -= 1
        return most

    rng = np.random.default_rng(6)
    pieces = ['"a\\"[b"', '"\\\\"', "[", "]", "{", "}", '"x{"', ",", '"\\\\\\"]"']
    for _ in range(200):
        text = "".join(rng.choice(pieces, size=40))
        for block in (1, 2, 5, 1 << 22):
            monkeypatch.setattr(nesting, "BLOCK", block)
            assert deepest(memoryview(text.encode())) == walk(text), (text, block)
    assert MAX_NESTING == 256


@pytest.mark.parametrize(("kind", "text"), [
    ("baseline", "[" * 100_000 + "]" * 100_000),
    ("baseline", b"\xff\xfe{}"),
    ("config", "[tool.pod-detect]\nalpha = " + "[" * 100_000 + "]" * 100_000 + "\n"),
    ("config", b'[tool.pod-detect]\nalpha = "\xff"\n'),
    ("truth", "[" * 100_000 + "]" * 100_000),
    ("truth", b"\xff\xfe{}"),
], ids=["baseline-deep", "baseline-bytes", "config-deep", "config-bytes", "truth-deep",
        "truth-bytes"])
def test_a_deep_or_undecodable_side_file_is_exit_2_not_3(tmp_path, kind, text):
    path = tmp_path / ("pyproject.toml" if kind == "config" else f"{kind}.json")
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    if kind == "baseline":
        result = run("scan", str(EXAMPLE), "--baseline", str(path), "-f", "json")
    elif kind == "config":
        result = run("scan", str(EXAMPLE), "--config", str(path), "-f", "json")
    else:
        report = tmp_path / "report.json"
        assert run("scan", str(EXAMPLE), "-f", "json", "-o", str(report)).returncode in (0, 1)
        result = run("evaluate", str(report), "--truth", str(path))
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and str(path.name) in result.stderr
    assert "nested too deep" in result.stderr or "not UTF-8 text" in result.stderr


def test_a_record_where_an_id_belongs_is_an_error_naming_row_and_column(tmp_path):
    rows = [{"actor": "a", "author": "b", "post_id": "p1"},
            {"actor": {"id": "u1"}, "author": "b", "post_id": "p2"}]
    jsonl = tmp_path / "records.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    with pytest.raises(InputError, match="row 2, column 'actor': holds an object, not an id"):
        load(str(jsonl))
    listed = tmp_path / "lists.json"
    listed.write_text(json.dumps([{"actor": "a", "author": ["b"], "post_id": "p1"}]))
    with pytest.raises(InputError, match="row 1, column 'author': holds a list, not an id"):
        load(str(listed))
    data = load(str(jsonl), on_bad_rows="skip")  # or left out, as every bad row can be
    assert list(data.accounts) == ["a", "b"] and data.dropped["bad_row"] == 1


@pytest.mark.parametrize(("column", "values", "shape"), [
    ("actor", pa.array([{"id": "u0"}, {"id": "u1"}]), "an object"),
    ("post_id", pa.array([["p1"], ["p2"]]), "a list"),
])
def test_a_parquet_struct_or_list_id_is_an_error(tmp_path, column, values, shape):
    table = {"actor": pa.array(["a", "c"]), "author": pa.array(["b", "b"]),
             "post_id": pa.array(["p1", "p2"])}
    table[column] = values
    path = tmp_path / "nested.parquet"
    pq.write_table(pa.table(table), path)
    with pytest.raises(InputError, match=f"row 1, column '{column}': holds {shape}, not an id"):
        load(str(path))


@pytest.mark.parametrize("column", ["actor", "author", "post_id", "kind", "timestamp", "text"])
@pytest.mark.parametrize(("value", "says"), [
    (b"\xffab", "holds bytes that are not UTF-8"),
    ("a\udcffb", "holds a string with a lone surrogate"),
], ids=["bytes", "surrogate"])
def test_python_cells_that_are_not_text_are_input_errors(column, value, says):
    raw = pd.DataFrame({"actor": ["a", "c"], "author": ["b", "b"], "post_id": ["p1", "p2"],
                        "kind": ["like", "like"], "text": ["x", "y"],
                        "timestamp": ["2024-01-01T00:00:00Z"] * 2}, dtype=object)
    raw.loc[1, column] = value
    with pytest.raises(InputError, match=f"row 2, column '{column}': {says}"):
        podio.parse(raw)
    assert len(podio.parse(raw, on_bad_rows="skip").frame) == 1


def test_python_bytes_that_are_utf8_are_their_text():
    raw = pd.DataFrame({"actor": [b"alice", "c"], "author": ["b", b"b"],
                        "post_id": [b"p1", "p2"],
                        "timestamp": [b"2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z"]},
                       dtype=object)
    data = podio.parse(raw)
    assert list(data.accounts) == ["alice", "b", "c"] and list(data.posts) == ["p1", "p2"]
    assert data.frame["timestamp"].notna().all()


@pytest.mark.parametrize("shift", [0, 1, 2, 3])
def test_a_header_over_64_kib_with_a_character_across_the_cut_is_read(tmp_path, shift):
    # the header's sample ends at 65,536 bytes: some shift puts a 2-byte character across it
    extra = "x" * (65_536 - len("actor,author,post_id,") - shift) + "é" * 10
    path = tmp_path / "wide.csv"
    path.write_text(f"actor,author,post_id,{extra}\na,b,p1,1\nc,b,p2,2\n", encoding="utf-8")
    data = load(str(path))
    assert list(data.accounts) == ["a", "b", "c"]


def test_a_file_without_a_line_end_in_16_mib_is_not_a_header(tmp_path):
    path = tmp_path / "one_line.csv"
    path.write_bytes(b"a," * (9 << 20))
    with pytest.raises(InputError, match="no line end in its first 16 MiB"):
        load(str(path))


@pytest.mark.parametrize("change", ["truncate", "append", "replace"])
def test_a_file_written_to_while_it_is_read_is_an_error_not_a_partial_report(
        tmp_path, monkeypatch, change):
    from pod_detect.io import readers

    path = tmp_path / "live.csv"
    rows = "".join(f"a{i},b,p{i}\n" for i in range(200))
    path.write_text("actor,author,post_id\n" + rows)
    original = readers.READERS["csv"]

    def meanwhile(*args, **kwargs):  # another program writes the export as it is read
        if change == "truncate":
            with open(path, "r+b") as handle:
                handle.truncate(100)
        elif change == "append":
            with open(path, "a") as handle:
                handle.write("late,b,p9\n")
        else:
            replacement = tmp_path / "new.csv"
            replacement.write_text("actor,author,post_id\nx,y,q\n")
            os.replace(replacement, path)
        return original(*args, **kwargs)

    monkeypatch.setitem(readers.READERS, "csv", meanwhile)
    with pytest.raises(InputError, match="changed while it was read"):
        load(str(path))


def test_a_file_is_read_not_mapped(tmp_path, monkeypatch):
    """A mapped file truncated by another program kills the reader with SIGBUS when it
    touches a page past the new end; a read cannot."""
    path = tmp_path / "x.csv"
    path.write_text("actor,author,post_id\na,b,p\n")
    monkeypatch.setattr(pa, "memory_map", lambda *a, **k: pytest.fail("mapped"))
    assert list(load(str(path)).accounts) == ["a", "b"]


@pytest.mark.parametrize("compression", ["gzip", "zstd", None])
def test_an_input_past_max_input_bytes_is_refused_before_it_fills_the_memory(
        tmp_path, compression):
    header = b"actor,author,post_id\n"
    body = b"a,b,p\n" * 50_000  # 300,000 bytes
    path = tmp_path / ("x.csv" + {"gzip": ".gz", "zstd": ".zst", None: ""}[compression])
    if compression is None:
        path.write_bytes(header + body)
    else:
        with pa.output_stream(str(path), compression=compression) as out:
            out.write(header + body)
    with pytest.raises(InputError, match=r"more than 100,000 bytes \(--max-input-bytes"):
        load(str(path), max_input_bytes=100_000)
    assert len(load(str(path), max_input_bytes=1_000_000).frame) == 1  # one distinct row


def test_gzip_members_are_all_read_within_the_cap(tmp_path):
    import gzip

    path = tmp_path / "two.csv.gz"
    path.write_bytes(gzip.compress(b"actor,author,post_id\na,b,p1\n")
                     + gzip.compress(b"c,b,p2\n"))
    assert list(load(str(path)).accounts) == ["a", "b", "c"]


@pytest.mark.parametrize(("given", "ok"), [
    ("500M", True), ("8g", True), ("1099511627776", True), ("2.5GiB", True),
    ("1024", False), ("lots", False), ("0", False),  # 1 KiB: the example is larger
    ("inf", False), ("nan", False),  # float() reads both; the first parser then crashed
])
def test_max_input_bytes_takes_sizes(given, ok):
    result = run("scan", str(EXAMPLE), "--max-input-bytes", given, "-f", "json")
    assert (result.returncode in (0, 1)) is ok, result.stderr
    if not ok:
        assert result.returncode == 2 and "--max-input-bytes" in result.stderr
