"""``pod-detect pairs``: the QUT toolkit's pairs from the command line (issue 23).

``tests/data/qut_co_retweet_60s_w2.csv`` holds the 43 pairs (with weights) that the QUT
coordination-network-toolkit 1.5.2 found on all rows of ``shared/data/russian_coord_tweets.csv``
at ``--time_window 60 --min_edge_weight 2`` (see tests/candidates/test_coengage.py for how
they were measured).
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import HAND

from pod_detect.cli import cli

RUSSIAN = Path(__file__).resolve().parents[3] / "shared" / "data" / "russian_coord_tweets.csv"
RECORDED = Path(__file__).resolve().parents[1] / "data" / "qut_co_retweet_60s_w2.csv"
needs_russian = pytest.mark.skipif(not RUSSIAN.exists(), reason="shared data not present")

HAND_CSV = ("account_1,account_2,weight,posts\r\n"
            "a,b,3,3\r\na,c,2,1\r\na,d,2,1\r\nc,d,2,2\r\n")


def run(*args, input=None):
    return CliRunner().invoke(cli, ["pairs", *map(str, args)], input=input)


def write(path: Path, rows: list[tuple]) -> Path:
    pd.DataFrame({"actor": [r[0] for r in rows], "author": "z",
                  "post_id": [r[1] for r in rows],
                  "timestamp": [r[2] for r in rows]}).to_csv(path, index=False)
    return path


def pairs_of(text: str) -> dict[tuple[str, str], int]:
    return {(r["account_1"], r["account_2"]): int(r["weight"])
            for r in csv.DictReader(io.StringIO(text, newline=""))}


# --------------------------------------------------------------------------- the QUT toolkit


@pytest.fixture(scope="module")
def qut_run():
    if not RUSSIAN.exists():
        pytest.skip("shared data not present")
    return run(RUSSIAN, "--window", 60, "--min-coengaged", 2, "--weighting", "qut")


@needs_russian
def test_the_command_writes_the_toolkits_43_pairs_with_their_weights(qut_run):
    assert qut_run.exit_code == 0, qut_run.stderr
    recorded = pd.read_csv(RECORDED, dtype=str)
    expected = {(a, b): int(w) for a, b, w in recorded.itertuples(index=False)}
    got = pairs_of(qut_run.stdout)
    assert len(got) == len(expected) == 43
    assert got == expected


@needs_russian
def test_the_toolkits_pairs_are_ordered_and_32_shared_two_tweets(qut_run):
    rows = list(csv.DictReader(io.StringIO(qut_run.stdout, newline="")))
    assert all(r["account_1"] < r["account_2"] for r in rows)
    assert all(int(r["weight"]) >= 2 for r in rows)
    assert all(1 <= int(r["posts"]) <= int(r["weight"]) for r in rows)
    assert sum(int(r["posts"]) >= 2 for r in rows) == 32  # docs/co-engagement.md
    keys = [(-int(r["weight"]), r["account_1"], r["account_2"]) for r in rows]
    assert keys == sorted(keys)


@needs_russian
def test_defaults_are_the_qut_comparison(qut_run):
    assert run(RUSSIAN).stdout == qut_run.stdout


@needs_russian
def test_count_weighting_gives_the_32_pairs():
    result = run(RUSSIAN, "--weighting", "count", "-f", "json")
    document = json.loads(result.stdout)
    assert document["counts"]["pairs"] == len(document["pairs"]) == 32
    assert document["settings"] == {"window": 60.0, "min_weight": 2, "weighting": "count",
                                    "significant": False, "alpha": None, "redacted": False}


@needs_russian
def test_significant_pairs_are_a_subset_with_small_pvalues(qut_run):
    result = run(RUSSIAN, "--significant")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert rows and {(r["account_1"], r["account_2"]) for r in rows} <= set(
        pairs_of(qut_run.stdout))
    assert all(0 < float(r["pvalue"]) <= 0.001 for r in rows)


# --------------------------------------------------------------------------- by hand


def test_hand_made_export_gives_these_bytes(tmp_path):
    result = run(write(tmp_path / "hand.csv", HAND))
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == HAND_CSV.encode()
    assert result.stderr == ""


def test_stdin(tmp_path):
    path = write(tmp_path / "hand.csv", HAND)
    result = run("-", input=path.read_bytes())
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == HAND_CSV.encode()


def test_several_inputs_and_globs_are_one_export(tmp_path):
    write(tmp_path / "part1.csv", HAND[:7])
    write(tmp_path / "part2.csv", HAND[7:])
    for args in ([tmp_path / "part1.csv", tmp_path / "part2.csv"], [str(tmp_path / "part*.csv")],
                 [tmp_path]):
        result = run(*args)
        assert result.exit_code == 0, result.stderr
        assert result.stdout_bytes == HAND_CSV.encode()


def test_a_file_and_stdin_together(tmp_path):
    write(tmp_path / "part1.csv", HAND[:7])
    second = write(tmp_path / "part2.csv", HAND[7:])
    result = run(tmp_path / "part1.csv", "-", input=second.read_bytes())
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == HAND_CSV.encode()


@pytest.mark.parametrize("fmt", ["csv", "json", "gexf"])
def test_the_same_input_twice_gives_the_same_bytes(tmp_path, fmt):
    path = write(tmp_path / "hand.csv", HAND)
    first, second = run(path, "-f", fmt), run(path, "-f", fmt)
    assert first.exit_code == second.exit_code == 0
    assert first.stdout_bytes == second.stdout_bytes and first.stdout_bytes


def test_output_file_and_quiet(tmp_path):
    path = write(tmp_path / "hand.csv", HAND)
    target = tmp_path / "pairs.json"
    result = run(path, "-f", "json", "-o", target)
    assert result.exit_code == 0 and result.stdout == ""
    assert "wrote 4 pair(s)" in result.stderr
    assert json.loads(target.read_text())["pairs"][0]["weight"] == 3
    quiet = run(path, "-f", "json", "-o", target, "-q")
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_redact(tmp_path):
    from pod_detect.report.redact import pseudonym

    result = run(write(tmp_path / "hand.csv", HAND), "--redact")
    assert result.exit_code == 0
    got = pairs_of(result.stdout)
    assert set(got) == {tuple(sorted((pseudonym(a), pseudonym(b))))
                        for a, b in [("a", "b"), ("a", "c"), ("a", "d"), ("c", "d")]}
    assert all(a < b for a, b in got)


def test_rows_without_a_time_are_noted(tmp_path):
    rows = [*HAND, ("e", "p1", "")]
    result = run(write(tmp_path / "untimed.csv", rows))
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == HAND_CSV.encode()
    assert "1 row(s) without a post or a time left out" in result.stderr


# --------------------------------------------------------------------------- errors


def one_error_line(result) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_missing_file_exits_2_with_one_line(tmp_path):
    line = one_error_line(run(tmp_path / "nope.csv"))
    assert line.startswith("pod-detect: error:") and "nope.csv" in line


def test_input_without_an_actor_exits_2_with_one_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("who,what\n1,2\n")
    assert one_error_line(run(path)).startswith("pod-detect: error:")


def test_garbage_on_stdin_exits_2_with_one_line():
    assert one_error_line(run("-", input=b"\x00\x01\x02binary\x00")).startswith(
        "pod-detect: error:")


@pytest.mark.parametrize("args", [["--window", "-1"], ["--min-coengaged", "0"],
                                  ["--weighting", "idf"], ["-f", "xlsx"],
                                  ["--significant", "--alpha", "1.5"]])
def test_bad_options_exit_2(tmp_path, args):
    result = run(write(tmp_path / "hand.csv", HAND), *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


def test_alpha_without_significant_exits_2_with_one_line(tmp_path):
    line = one_error_line(run(write(tmp_path / "hand.csv", HAND), "--alpha", "0.01"))
    assert line == "pod-detect: error: --alpha applies only with --significant"


# --------------------------------------------------------------------------- hostile ids

FORMULA = "=cmd|' /C calc'!A0"
HOSTILE = [FORMULA, "a<b&c", "x&y>z", "bell\x07x", "esc\x1b[2Jx", "@SUM(A1)"]


@pytest.fixture
def hostile_export(tmp_path):
    rows = [(name, post, base + i) for post, base in (("p1", 0), ("p2", 1000))
            for i, name in enumerate(HOSTILE)]
    return write(tmp_path / "hostile.csv", rows)


def test_hostile_ids_make_safe_csv(hostile_export):
    result = run(hostile_export)
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))[1:]
    assert len(rows) == len(HOSTILE) * (len(HOSTILE) - 1) // 2
    cells = {c for row in rows for c in row[:2]}
    assert "'" + FORMULA in cells and "'@SUM(A1)" in cells and "esc\\x1b[2Jx" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)


def test_hostile_ids_make_well_formed_gexf(hostile_export, tmp_path):
    target = tmp_path / "pairs.gexf"
    result = run(hostile_export, "-f", "gexf", "-o", target, "-q")
    assert result.exit_code == 0, result.stderr
    root = ElementTree.parse(target).getroot()
    nodes = {n.get("id") for n in root.iter("{http://www.gexf.net/1.2draft}node")}
    assert len(nodes) == len(HOSTILE)
    assert {FORMULA, "a<b&c", "x&y>z", "@SUM(A1)"} <= nodes
    assert "\x1b" not in target.read_text(encoding="utf-8")
