"""Bad, hostile and huge input: exit 2 with one line naming file, row and column; no traceback.

Each malformed export is written to a file and scanned through the command line; the line
pod-detect prints is checked (docs/bad-input.md lists the same cases and messages).
"""

from __future__ import annotations

import gzip
import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import DAY, HOUR, build, organic

from pod_detect import io as podio
from pod_detect.cli import cli, main
from pod_detect.io import readers as _readers
from pod_detect.pipeline import scan as run_scan
from pod_detect.report import to_dict
from pod_detect.settings import Settings

GARBAGE = bytes(range(256)) * 8

# (file name, bytes, extra options, parts of the one line printed after "pod-detect: error: ")
CASES = [
    ("empty.csv", b"", [], ["empty.csv: is empty"]),
    ("blank.csv", b" \n\n", [], ["blank.csv: is empty"]),
    ("header_only.csv", b"actor,author,post_id,timestamp\n", [],
     ["header_only.csv: has a header but no rows"]),
    ("missing_column.csv", b"who,author\na,b\n", [],
     ["missing_column.csv: missing required column 'actor' (found columns: who, author; "
      "use --map actor=COLUMN)"]),
    ("no_author.csv", b"actor,when\na,1\n", [],
     ["no_author.csv: missing required column 'author' or 'post_id'"]),
    ("unknown.xyz", GARBAGE, [], ["unknown.xyz: cannot tell the format (use --input-format)"]),
    ("garbage.csv", GARBAGE, [], ["garbage.csv: looks like binary data, not csv text"]),
    ("garbage.json", GARBAGE, ["--input-format", "json"], ["garbage.json:", "binary data"]),
    ("zip.csv", b"PK\x03\x04rest", [], ["zip.csv: is a zip archive"]),
    ("damaged.parquet", b"PAR1 not really", [], ["damaged.parquet: is not a valid Parquet file"]),
    ("latin1.csv", "actor,author\nbob,josé\n".encode("latin-1"), [],
     ["latin1.csv, row 1, column 'author': cannot decode byte 0xe9 as utf-8; pass --encoding"]),
    ("latin1_text.csv", 'actor,author,text\na,b,"one\ntwo"\nc,d,"caf\xe9"\n'.encode("latin-1"),
     [], ["latin1_text.csv, row 2, column 'text': cannot decode byte 0xe9"]),
    ("utf16.csv", "actor,author\na,b\n".encode("utf-16"), [],
     ["utf16.csv: starts with a UTF-16 byte-order mark; pass --encoding utf-16"]),
    ("bad_encoding.csv", b"actor,author\na,b\n", ["--encoding", "klingon"],
     ["bad_encoding.csv: unknown encoding 'klingon'"]),
    ("latin1.jsonl", b'{"actor": "a", "author": "b"}\n{"actor": "\xe9", "author": "b"}\n', [],
     ["latin1.jsonl, row 2: cannot decode byte 0xe9 as utf-8"]),
    ("bad_time.csv", b"actor,author,timestamp\na,b,2021-06-16T22:04:51Z\nc,d,yesterday\n", [],
     ["bad_time.csv, row 2, column 'timestamp': cannot read 'yesterday' as a time"]),
    ("bad_date.csv", b"actor,author,timestamp\na,b,2021-06-16\nc,d,2021-13-45\n", [],
     ["bad_date.csv, row 2, column 'timestamp': cannot read '2021-13-45' as a time"]),
    ("mixed_time.csv", b"actor,author,timestamp\na,b,2021-06-16T22:04:51Z\nc,d,1623881091\n", [],
     ["mixed_time.csv, row 2, column 'timestamp': cannot read '1623881091' as a time: the "
      "column mixes epoch numbers and ISO 8601 text (row 1 is '2021-06-16T22:04:51Z')"]),
    ("mixed_units.csv", b"actor,author,timestamp\na,b,1623881091\nc,d,1623881091000\ne,f,1\n",
     [], ["mixed_units.csv, row 2, column 'timestamp': '1623881091000' looks like epoch "
          "milliseconds, but most of the column is epoch seconds"]),
    # one value in seconds in a column of milliseconds: read as 1970 before issue 21
    ("seconds_among_ms.csv",
     b"actor,author,timestamp\na,b,1623881091000\nc,d,1623881092000\ne,f,1623881093\n",
     [], ["seconds_among_ms.csv, row 3, column 'timestamp': '1623881093' looks like epoch "
          "seconds, but most of the column is epoch milliseconds"]),
    ("bad_post_time.csv", b"actor,author,post_time\na,b,2021-06-16\nc,d,noon\n", [],
     ["bad_post_time.csv, row 2, column 'post_time': cannot read 'noon' as a time"]),
    ("ragged_short.csv", b"actor,author,post_id\na,b,p1\nc,d\ne,f,p2\n", [],
     ["ragged_short.csv, row 2: has 2 fields but the header has 3; column 'post_id' is "
      "missing"]),
    ("ragged_long.csv", b"actor,author,post_id\na,b,p1\nc,d,p2,x\n", [],
     ["ragged_long.csv, row 2: has 4 fields but the header has 3; a field after the last "
      "column 'post_id'"]),
    ("ragged_after_newline.csv", b'actor,author,text\na,b,"x\ny"\nc,d\n', [],
     ["ragged_after_newline.csv, row 2: has 2 fields"]),
    ("unclosed_quote.csv", b'actor,author\na,b\nc,"d\ne,f\n', [],
     ["unclosed_quote.csv, row 2, column 'author': a quote opens here and never closes"]),
    ("unclosed_then_ragged.csv", b'actor,author,text\na,b,"x\ny"\nc,"d\ne,f\n', [],
     ["unclosed_then_ragged.csv, row 2, column 'author': a quote opens here and never closes"]),
    ("duplicate_header.csv", b"actor,author,actor\na,b,c\n", [],
     ["duplicate_header.csv, column 'actor': appears twice in the header; rename one of them"]),
    ("blank_actor.csv", b"actor,author\na,b\n ,c\n", [],
     ["blank_actor.csv, row 2, column 'actor': the actor is empty (every row needs one)"]),
    ("two_authors.csv", b"actor,author,post_id\na,b,p1\nc,d,p1\n", [],
     ["two_authors.csv, row 2, column 'author': post 'p1' has two authors: 'b' and 'd'"]),
    ("only_self.csv", b"actor,author\na,a\n", [],
     ["only_self.csv: has no rows left to scan (dropped: 1 self engagement)"]),
    ("object.json", b'{"actor": "a", "author": "b"}', [],
     ["object.json: is a JSON object, not a list of records"]),
    ("string.json", b'"actor"', [], ["string.json: is a JSON string, not a list of records"]),
    ("numbers.json", b"[1, 2]", [], ["numbers.json, row 1: is a JSON number, not an object"]),
    ("empty_list.json", b"[]", [], ["empty_list.json: has no rows"]),
    ("broken.json", b'[{"actor": "a"},\n {"actor": }]', [],
     ["broken.json: is not valid JSON: Expecting value at line 2"]),
    ("broken.jsonl", b'{"actor": "a", "author": "b"}\n{"actor": \n', [],
     ["broken.jsonl, row 2: is not valid JSON"]),
    ("array_line.jsonl", b'{"actor": "a", "author": "b"}\n["b"]\n', [],
     ["array_line.jsonl, row 2: is a JSON array, not an object"]),
    ("truncated.csv.gz", gzip.compress(b"actor,author\n" + b"a,b\n" * 1000)[:-20], [],
     ["truncated.csv.gz: is truncated or not valid gzip"]),
    ("not_gzip.csv.gz", b"\x1f\x8b\x08garbage", [], ["not_gzip.csv.gz: is truncated"]),
    ("missing.csv", None, [], ["missing.csv: no such file"]),
    # platforms' exports (docs/inputs.md)
    ("no_login.jsonl", b'{"type": "WatchEvent", "actor": {"id": 7}, "repo": {"name": "o/r"}, '
                       b'"created_at": "2024-05-31T16:42:56Z"}\n', ["--input-format", "github"],
     ["no_login.jsonl, row 1, column 'actor.login': GitHub events: the record has no "
      "actor.login"]),
    ("no_author_id.json", b'{"data": [{"id": "1", "text": "hi", "referenced_tweets": '
                          b'[{"type": "retweeted", "id": "2"}]}]}', [],
     ["no_author_id.json, row 1, column ", "X API v2 responses: the record ",
      "author_id"]),
    ("pushes.jsonl", b'{"type": "PushEvent", "actor": {"login": "a"}, "repo": {"name": "o/r"}, '
                     b'"created_at": "2024-05-31T16:42:56Z"}\n', [],
     ["pushes.jsonl: has no engagements: none of its 1 record is an engagement or a post that "
      "the GitHub events adapter reads"]),
    ("day_first.csv", b"actor,author,timestamp\na,b,2026-03-01T10:00:00Z\n",
     ["--time-format", "%d/%m/%Y"],
     ["day_first.csv, row 1, column 'timestamp': cannot read '2026-03-01T10:00:00Z' as a "
      "time: it does not match --time-format '%d/%m/%Y'"]),
    ("nested.jsonl", b'{"did": "a", "commit": {"record": {"subject": {"uri": "at://b/p/1"}}}}\n',
     ["--map", "actor=did", "--map", "post_id=commit.record.subject.url"],
     ["nested.jsonl, column 'commit.record.subject.url': --map "
      "post_id=commit.record.subject.url: no such column (found columns: did, commit; nested "
      "fields: commit.record.subject.uri)"]),
]


def scan_cli(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["scan", *[str(a) for a in args]])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stderr


@pytest.mark.parametrize(("name", "data", "options", "parts"), CASES,
                         ids=[case[0] for case in CASES])
def test_malformed_input_exits_2_with_one_line(
    tmp_path: Path, name: str, data: bytes | None, options: list[str], parts: list[str]
) -> None:
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    code, stderr = scan_cli(path, *options)
    assert code == 2, stderr
    assert "Traceback" not in stderr
    assert stderr.count("\n") == 1 and stderr.startswith("pod-detect: error: ")
    for part in parts:
        part = part.replace(name, str(path), 1) if part.startswith(name) else part
        assert part in stderr, (part, stderr)


@pytest.mark.parametrize("name", ["garbage.csv", "truncated.csv.gz", "mixed_time.csv",
                                  "ragged_short.csv", "object.json"])
def test_malformed_input_through_the_real_entry_point(tmp_path: Path, name: str) -> None:
    _, data, options, parts = next(case for case in CASES if case[0] == name)
    assert data is not None
    (tmp_path / name).write_bytes(data)
    proc = subprocess.run([sys.executable, "-m", "pod_detect", "scan", name, *options],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    assert proc.stderr == f"pod-detect: error: {proc.stderr.split(': error: ', 1)[1]}"
    assert all(part in proc.stderr for part in parts), proc.stderr


def test_unknown_input_format_option_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "unknown.csv"
    path.write_bytes(b"actor,author\na,b\n")
    code, stderr = scan_cli(path, "--input-format", "xml")
    assert code == 2 and "Traceback" not in stderr
    assert "Error: Invalid value for '--input-format': 'xml' is not one of 'csv'" in stderr


def test_quoted_newlines_are_read_not_refused(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_bytes(b'actor,author,post_id,text\na,b,p1,"hello\nworld, twice"\r\nc,b,p1,ok\n')
    data = podio.load(path)
    assert sorted(data.frame["text"].tolist()) == ["hello\nworld, twice", "ok"]
    code, stderr = scan_cli(path, "-f", "json")
    assert code == 0 and stderr == ""


def test_latin1_reads_with_encoding(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("actor,author\nbob,josé\n".encode("latin-1"))
    assert list(podio.load(path, encoding="latin-1").accounts) == ["bob", "josé"]
    code, _ = scan_cli(path, "--encoding", "latin-1", "-f", "json")
    assert code == 0


# --------------------------------------------------------------------------- --on-bad-rows

# Rows 2, 4, 5, 6 fail: ragged, blank actor, unreadable time, a second author for p1.
MIXED_BAG = (
    b"actor,author,post_id,timestamp\n"
    b"a,b,p1,2021-06-16T10:00:00Z\n"
    b"c,b\n"
    b"d,b,p1,2021-06-16T10:05:00Z\n"
    b" ,b,p1,2021-06-16T10:06:00Z\n"
    b"e,b,p1,soon\n"
    b"f,x,p1,2021-06-16T10:07:00Z\n"
    b"g,b,p1,2021-06-16T10:08:00Z\n"
    b"g,b,p1,2021-06-16T10:08:00Z\n"
    b"b,b,p1,2021-06-16T10:09:00Z\n"
)


@pytest.mark.parametrize("policy", ["skip", "warn"])
def test_bad_rows_dropped_and_counted(tmp_path: Path, policy: str) -> None:
    path = tmp_path / "bag.csv"
    path.write_bytes(MIXED_BAG)
    data = podio.load(path, on_bad_rows=policy)
    assert data.dropped == {"bad_row": 4, "duplicate": 1, "self_engagement": 1}
    assert data.rows_read == 9 and len(data.frame) == 3
    assert list(data.accounts) == ["a", "b", "d", "g"]
    note = podio.bad_rows_note(data)
    assert note is not None and note.startswith("bad rows dropped: 4 (rows 2, 4, 5, 6); first: "
                                                "row 2: has 2 fields")
    result = CliRunner().invoke(cli, ["scan", str(path), "--on-bad-rows", policy, "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["input"]["dropped"]["bad_row"] == 4
    warned = [line for line in result.stderr.splitlines() if "bad rows dropped" in line]
    assert warned == ([f"pod-detect: warning: {path}: {note}"] if policy == "warn" else [])


def test_bad_rows_error_is_the_default(tmp_path: Path) -> None:
    path = tmp_path / "bag.csv"
    path.write_bytes(MIXED_BAG)
    with pytest.raises(podio.InputError, match="row 2: has 2 fields"):
        podio.load(path)
    good = tmp_path / "good.csv"
    good.write_bytes(b"actor,author\na,b\n")
    assert podio.load(good).dropped == {"duplicate": 0, "self_engagement": 0}
    with pytest.raises(podio.ConfigError):
        podio.load(path, on_bad_rows="sometimes")


def test_bad_rows_keep_their_input_row_numbers_after_ragged_rows(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    path.write_bytes(b"actor,author\na,b\nc\nd,e,f\n,g\nh,i\n")
    data = podio.load(path, on_bad_rows="skip")
    assert data.dropped["bad_row"] == 3
    assert podio.bad_rows_note(data) == (
        "bad rows dropped: 3 (rows 2, 3, 4); first: row 2: has 1 fields but the header has 2; "
        "column 'author' is missing")
    with pytest.raises(podio.InputError, match="row 2: has 1 fields"):
        podio.load(path)


def test_bad_rows_in_json(tmp_path: Path) -> None:
    path = tmp_path / "e.json"
    path.write_bytes(b'[{"actor": "a", "author": "b"}, 7, {"actor": "", "author": "b"},'
                     b' {"actor": "c", "author": "b"}]')
    data = podio.load(path, on_bad_rows="skip")
    assert data.dropped["bad_row"] == 2 and len(data.frame) == 2
    assert "(rows 2, 3)" in (podio.bad_rows_note(data) or "")


def test_skip_picks_the_author_most_rows_name_whatever_the_order() -> None:
    rows = [("a", "b", "p1"), ("c", "x", "p1"), ("d", "b", "p1"), ("e", "b", "p1")]
    for order in itertools.permutations(rows):
        raw = pd.DataFrame(list(order), columns=["actor", "author", "post_id"])
        data = podio.parse(raw, on_bad_rows="skip")
        assert list(data.accounts) == ["a", "b", "d", "e"]
        assert data.dropped["bad_row"] == 1


def test_skip_keeps_the_majority_time_kind() -> None:
    raw = pd.DataFrame({"actor": list("abcd"), "author": ["z"] * 4,
                        "timestamp": ["1623881091", "2021-06-16", "1623881092", "1623881093"]})
    data = podio.parse(raw, on_bad_rows="skip")
    assert data.dropped["bad_row"] == 1
    assert data.frame["timestamp"].tolist() == [1623881091.0, 1623881092.0, 1623881093.0]


def test_everything_bad_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "all_bad.json"
    path.write_bytes(b"[1, 2]")
    with pytest.raises(podio.InputError, match="has no rows left after dropping 2 bad rows"):
        podio.load(path, on_bad_rows="skip")


# --------------------------------------------------------------------------- memory, crashes


@pytest.mark.parametrize("error", [MemoryError(), pa.ArrowMemoryError("malloc of 8 GB failed")])
def test_out_of_memory_while_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     error: Exception) -> None:
    path = tmp_path / "huge.csv"
    path.write_bytes(b"actor,author\na,b\n")

    def explode(*args: object, **kwargs: object) -> object:
        raise error

    monkeypatch.setitem(_readers.READERS, "csv", explode)
    code, stderr = scan_cli(path)
    assert code == 2
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert f"{path}: does not fit in the memory available" in stderr
    for advice in ("columns", "Parquet", "--engine dask"):
        assert advice in stderr


def test_out_of_memory_on_parquet_does_not_advise_parquet(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.parquet"
    pq.write_table(pa.table({"actor": ["a"], "author": ["b"]}), path)

    def explode(*args: object, **kwargs: object) -> object:
        raise pa.ArrowMemoryError("malloc of 8 GB failed")

    monkeypatch.setitem(_readers.READERS, "parquet", explode)
    code, stderr = scan_cli(path)
    assert code == 2 and f"{path}: does not fit in the memory available" in stderr
    assert "Parquet" not in stderr and "--engine dask" in stderr


def test_a_file_too_large_to_read_is_the_memory_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pod_detect.io import sources as _sources

    path = tmp_path / "huge.csv"
    path.write_bytes(b"actor,author\na,b\n")

    def no_room(*args: object, **kwargs: object) -> object:
        raise _sources.pa.ArrowMemoryError("malloc of size 40000000000 failed")

    monkeypatch.setattr(_sources, "_read_file", no_room)
    code, stderr = scan_cli(path)
    assert code == 2 and f"{path}: does not fit in the memory available" in stderr


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
             args: list[str]) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["pod-detect", *args])
    with pytest.raises(SystemExit) as info:
        main()
    code = info.value.code
    return code if isinstance(code, int) else 0, capsys.readouterr().err


def test_unexpected_error_is_one_line_and_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ok.csv"
    path.write_bytes(b"actor,author\na,b\n")

    def boom(*args: object, **kwargs: object) -> object:
        raise ZeroDivisionError("float division\nby zero")

    monkeypatch.setattr(sys.modules["pod_detect.pipeline"], "scan", boom)
    monkeypatch.delenv("POD_DETECT_DEBUG", raising=False)
    code, stderr = run_main(monkeypatch, capsys, ["scan", str(path)])
    assert code == 3
    assert stderr == ("pod-detect: internal error: ZeroDivisionError: float division by zero "
                      "(please report; run with POD_DETECT_DEBUG=1 for the traceback)\n")
    monkeypatch.setenv("POD_DETECT_DEBUG", "1")
    monkeypatch.setattr(sys, "argv", ["pod-detect", "scan", str(path)])
    with pytest.raises(ZeroDivisionError):
        main()


def test_out_of_memory_after_reading_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ok.csv"
    path.write_bytes(b"actor,author\na,b\n")

    def hungry(*args: object, **kwargs: object) -> object:
        raise MemoryError

    monkeypatch.setattr(sys.modules["pod_detect.pipeline"], "scan", hungry)
    code, stderr = run_main(monkeypatch, capsys, ["scan", str(path)])
    assert code == 2
    assert stderr.startswith("pod-detect: error: out of memory; what helps:")
    assert stderr.count("\n") == 1


# --------------------------------------------------------------------------- hostile graphs


def moon_moser_rows(n_triangles: int = 20, posts_each: int = 3, seed: int = 5) -> list[tuple]:
    """60 accounts in 20 triangles; each engages every post of every non-triangle-mate, fast.

    The reciprocal graph is the complement of 20 disjoint triangles: 3**20 maximal cliques.
    """
    rng = np.random.default_rng(seed)
    members = [f"mm{i}" for i in range(3 * n_triangles)]
    rows = []
    for a, author in enumerate(members):
        for k in range(posts_each):
            post_time = rng.uniform(0, 14 * DAY)
            for b, actor in enumerate(members):
                if a // 3 != b // 3:
                    rows.append((actor, author, f"{author}-{k}",
                                 post_time + rng.uniform(60, HOUR), post_time))
    return rows


def test_moon_moser_graph_hits_the_clique_budget_and_finishes() -> None:
    # ~80 000 organic rows: enough that 3 posts each way is significant for every pair.
    data = build(organic(n_accounts=2000, posts_each=4) + moon_moser_rows())
    report = run_scan(data, Settings(clique_budget=2000))
    notes = to_dict(report)["notes"]
    assert any(note.startswith("budget hit: clique enumeration") for note in notes), notes
    found = [{str(data.accounts[m]) for m in g.members} for g in report.groups]
    assert {f"mm{i}" for i in range(60)} in found


def test_the_budget_notes_do_not_depend_on_the_accounts_names() -> None:
    """The same graph under other names (another sort order of the accounts) hits the same
    budgets, says the same and finds the same group."""
    import hashlib

    def renamed(name: str) -> str:
        return "z" + hashlib.sha1(name.encode()).hexdigest()[:10]

    rows = organic(n_accounts=2000, posts_each=4) + moon_moser_rows()
    other = [(renamed(a), renamed(b), p.replace(b, renamed(b), 1), t, pt)
             for a, b, p, t, pt in rows]
    notes, sizes = [], []
    for version in (rows, other):
        report = run_scan(build(version), Settings(clique_budget=2000))
        notes.append([n for n in to_dict(report)["notes"] if n.startswith("budget hit")])
        sizes.append(sorted(len(g.members) for g in report.groups))
    assert notes[0] == notes[1] and notes[0]
    assert sizes[0] == sizes[1]
