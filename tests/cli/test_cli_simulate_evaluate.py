"""`pod-detect simulate` and `pod-detect evaluate` through CliRunner, and the two end to end."""

from __future__ import annotations

import gzip
import io
import json
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from pod_detect.cli import cli
from pod_detect.io import load, read_table

# A tiny platform (about 4,700 rows): every planted kind but the rotating pod, small farm.
SMALL = ["--seed", "3", "--accounts", "150", "--days", "3", "--rotating", "0",
         "--likefarm-size", "5-6", "--celebrities", "1", "--viral", "1", "--friends", "1",
         "--coworkers", "1"]
PLANTED_KINDS = {"classic", "window", "slow", "camouflage", "likefarm"}
NEGATIVE_KINDS = {"friends", "coworkers", "fans", "viral"}


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def simulate(tmp_path, name, *extra):
    path = tmp_path / name
    result = run("simulate", *SMALL, "-o", path, *extra)
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The small export as CSV: the raw table, its truth, and the canonical table."""
    folder = tmp_path_factory.mktemp("reference")
    path = simulate(folder, "export.csv", "--truth", folder / "truth.json")
    truth = json.loads((folder / "truth.json").read_text())
    return read_table(path)[0], truth, load(path)


# --------------------------------------------------------------------------- simulate


@pytest.mark.parametrize(
    ("name", "magic"),
    [
        ("export.csv", b'"actor","author"'),
        ("export.tsv", None),
        ("export.json", b"["),
        ("export.jsonl", b"{"),
        ("export.parquet", b"PAR1"),
        ("export.csv.gz", b"\x1f\x8b"),
    ],
)
def test_simulate_writes_the_format_named_by_the_file(tmp_path, reference, name, magic):
    path = simulate(tmp_path, name)
    data = path.read_bytes()
    if magic is not None:
        assert data.startswith(magic)
    if name.endswith(".tsv"):
        assert "\t" in data.decode().splitlines()[0]
    assert sorted(read_table(path)[0].columns) == sorted(reference[0].columns)
    # Read back, every format gives the same canonical table as the CSV.
    data, expected = load(path), reference[2]
    assert data.rows_read == expected.rows_read == len(reference[0])
    assert list(data.accounts) == list(expected.accounts)
    assert list(data.posts) == list(expected.posts)
    # the same rows in the same order: only where a record stands in the file differs
    pd.testing.assert_frame_equal(data.frame.drop(columns="line"),
                                  expected.frame.drop(columns="line"))
    assert (data.frame["line"] - data.frame["line"].min()).equals(
        expected.frame["line"] - expected.frame["line"].min())


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("parquet", lambda data: data[:4] == b"PAR1"),
        ("jsonl", lambda data: json.loads(data.splitlines()[0])["actor"].startswith("u")),
        ("csv.gz", lambda data: gzip.decompress(data).startswith(b'"actor"')),
    ],
)
def test_output_format_overrides_the_name(tmp_path, fmt, check):
    path = simulate(tmp_path, "export.data", "--output-format", fmt)
    assert check(path.read_bytes())


def test_simulate_to_stdout_is_csv_by_default():
    result = run("simulate", *SMALL)
    assert result.exit_code == 0, result.stderr
    frame = pd.read_csv(io.BytesIO(result.stdout_bytes), dtype=str)
    assert list(frame.columns) == [
        "actor", "author", "post_id", "kind", "timestamp", "post_time", "text"
    ]
    assert len(frame) > 1000
    assert re.fullmatch(r"pod-detect: simulated [\d,]+ rows, 6 planted groups\n", result.stderr)


def test_truth_lists_the_planted_groups(reference):
    frame, truth, _ = reference
    groups = truth["groups"]
    planted = [g for g in groups if g["label"] != "negative"]
    assert {g["kind"] for g in planted} == PLANTED_KINDS
    assert [g["id"] for g in planted] == [
        "classic-1", "classic-2", "window-1", "slow-1", "camouflage-1", "likefarm-1"
    ]
    assert {g["kind"] for g in groups if g["label"] == "negative"} == NEGATIVE_KINDS
    assert {g["label"] for g in planted} == {"pod", "lockstep"}
    accounts = set(frame["actor"]) | set(frame["author"])
    for group in groups:
        assert group["members"] == sorted(group["members"])
        assert set(group["members"]) <= accounts, group["id"]
    farm = next(g for g in planted if g["kind"] == "likefarm")
    assert 5 <= len(farm["members"]) <= 6
    assert truth["config"]["accounts"] == 150
    assert truth["rows"] == len(frame)
    assert truth["accounts"] == len(accounts)


@pytest.mark.parametrize("name", ["export.csv", "export.parquet", "export.csv.gz"])
def test_same_seed_same_bytes(tmp_path, name):
    first = simulate(tmp_path, "a-" + name, "--truth", tmp_path / "a.json")
    second = simulate(tmp_path, "b-" + name, "--truth", tmp_path / "b.json")
    assert first.read_bytes() == second.read_bytes()
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    other = tmp_path / ("c-" + name)
    assert run("simulate", *SMALL, "--seed", "4", "-o", other).exit_code == 0
    assert other.read_bytes() != first.read_bytes()


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (["--classic-size", "9-3"], r"classic[-_]size"),
        (["--classic-size", "abc"], r"classic[-_]size"),
        (["--accounts", "0"], r"accounts"),
        (["--fan-share", "0.9"], r"fan[-_]share"),
        (["--classic-size", "200"], r"not enough accounts"),
    ],
)
def test_invalid_option_value_exits_2_with_one_line(tmp_path, args, pattern):
    result = run("simulate", *SMALL, *args, "-o", tmp_path / "x.csv")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pod-detect: error:")
    assert re.search(pattern, lines[0])
    assert result.stdout == ""
    assert not (tmp_path / "x.csv").exists()


def test_simulate_help_lists_the_options_with_defaults():
    result = run("simulate", "--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for option, default in [
        ("--seed INTEGER", "[default: 0]"),
        ("--accounts INTEGER", "[default: 2000]"),
        ("--days INTEGER", "[default: 14]"),
        ("--classic-size LOW-HIGH", "[default: 8-15]"),
        ("--rotating-subset LOW-HIGH", "[default: 20-30]"),
        ("--likefarm INTEGER", "[default: 1]"),
        ("--fan-share FLOAT", "[default: 0.08]"),
        ("--start TEXT", "[default: 2026-03-01]"),
    ]:
        assert option in text
        after = text[text.index(option):]
        next_option = after.find(" --", len(option))
        assert default in after[:next_option], option
    for flag in ("--truth", "--output-format", "--without-timestamps", "--without-text",
                 "--without-post-ids", "--friends", "--coworkers", "--viral"):
        assert flag in text


# --------------------------------------------------------------------------- evaluate

# Truth: classic pod a-d, like-farm f1-f4, friends x-z.
TRUTH = {
    "groups": [
        {"id": "classic-1", "kind": "classic", "label": "pod", "members": ["a", "b", "c", "d"]},
        {"id": "likefarm-1", "kind": "likefarm", "label": "lockstep",
         "members": ["f1", "f2", "f3", "f4"], "clients": ["k"]},
        {"id": "friends-1", "kind": "friends", "label": "negative", "members": ["x", "y", "z"]},
    ]
}


def pod(id_, members, severity):
    return {"id": id_, "kind": "pod", "severity": severity, "score": 0.5,
            "members": members, "evidence": {}, "reasons": []}


# Counted (medium+): g1 {a, b, c, x}; predicted 4, true positives 3 of 8 positives.
# g2 is low and not counted.
REPORT = {"schema_version": 1, "pods": [pod("g1", ["a", "b", "c", "x"], "high"),
                                        pod("g2", ["f1", "f2", "f3", "f4"], "low")]}


@pytest.fixture
def documents(tmp_path):
    report, truth = tmp_path / "report.json", tmp_path / "truth.json"
    report.write_text(json.dumps(REPORT, indent=2))
    truth.write_text(json.dumps(TRUTH, indent=2))
    return report, truth


def test_evaluate_json_has_the_exact_figures(documents):
    report, truth = documents
    result = run("evaluate", report, "--truth", truth, "-f", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["reported"], out["counted"]) == (2, 1)
    assert (out["positives"], out["predicted"], out["true_positives"]) == (8, 4, 3)
    assert out["precision"] == 0.75
    assert out["recall"] == 0.375
    assert out["f1"] == pytest.approx(2 * 0.75 * 0.375 / (0.75 + 0.375))
    classic, farm = out["groups"]
    assert (classic["match"], classic["jaccard"], classic["found"]) == ("g1", 0.6, True)
    assert (farm["match"], farm["jaccard"], farm["found"]) == (None, 0.0, False)
    assert out["negatives"][0]["flagged"] == 1
    assert out["negatives"][0]["groups"] == ["g1"]
    assert out["unmatched"] == []


def test_evaluate_min_severity_low_counts_every_group(documents):
    report, truth = documents
    out = json.loads(run("evaluate", report, "--truth", truth, "-f", "json",
                         "--min-severity", "low").stdout)
    assert (out["counted"], out["predicted"], out["true_positives"]) == (2, 8, 7)
    assert out["recall"] == 7 / 8
    assert out["groups"][1]["jaccard"] == 1.0


def test_evaluate_table_shows_the_figures(documents):
    report, truth = documents
    result = run("evaluate", report, "--truth", truth)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "counting groups at medium or above: 1 of 2 reported" in text
    assert "precision 0.750" in text
    assert "recall 0.375" in text
    assert "F1 0.500" in text
    classic = next(line for line in text.splitlines() if "classic-1" in line)
    assert "g1" in classic and "0.60" in classic and "yes" in classic
    farm = next(line for line in text.splitlines() if "likefarm-1" in line)
    assert "0.00" in farm and "NO" in farm
    friends = next(line for line in text.splitlines() if "friends-1" in line)
    assert friends.split()[:4] == ["friends-1", "friends", "3", "1"]


def test_evaluate_malformed_report_names_file_and_line(tmp_path, documents):
    _, truth = documents
    bad = tmp_path / "broken.json"
    bad.write_text('{\n  "pods": [\n    {"id": "g1",,}\n  ]\n}\n')
    result = run("evaluate", bad, "--truth", truth)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert str(bad) in lines[0]
    assert "line 3" in lines[0]
    assert "Traceback" not in result.output


def test_evaluate_without_truth_exits_2(documents):
    report, _ = documents
    result = run("evaluate", report)
    assert result.exit_code == 2
    assert "--truth" in result.stderr


# --------------------------------------------------------------------------- end to end


@pytest.mark.parametrize("days", [14, 7])
def test_simulate_scan_evaluate_finds_the_classic_pod(tmp_path, days):
    export, truth, report = tmp_path / "e.csv", tmp_path / "t.json", tmp_path / "r.json"
    only_classic = ["--classic", "1", "--window", "0", "--slow", "0", "--rotating", "0",
                    "--camouflage", "0", "--likefarm", "0"]
    made = run("simulate", "--accounts", "300", "--days", days, *only_classic,
               "-o", export, "--truth", truth)
    assert made.exit_code == 0, made.output
    scanned = run("scan", export, "-f", "json", "-o", report, "-q")
    assert scanned.exit_code == 1, scanned.output  # a group at medium or above
    scored = run("evaluate", report, "--truth", truth, "-f", "json")
    assert scored.exit_code == 0, scored.output
    out = json.loads(scored.stdout)
    [classic] = out["groups"]
    assert classic["id"] == "classic-1"
    assert classic["found"]
    assert classic["jaccard"] >= 0.9
    assert out["precision"] == 1.0
