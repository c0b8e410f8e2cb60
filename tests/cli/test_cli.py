"""The command line end to end: exit codes, formats, stdin, determinism, real data."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import COLUMNS, RUSSIAN, fast, organic, outside_rows, round_rows

from pod_detect.cli import cli
from pod_detect.formats import FORMATS

POD = [f"pod{i}" for i in range(6)]


def write(tmp_path, rows, name="export.csv"):
    path = tmp_path / name
    pd.DataFrame(rows, columns=COLUMNS).to_csv(path, index=False)
    return path


@pytest.fixture
def planted(tmp_path):
    return write(tmp_path, organic() + round_rows(POD, 6, fast) + outside_rows(POD))


@pytest.fixture
def clean(tmp_path):
    return write(tmp_path, organic(), "clean.csv")


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


@pytest.mark.parametrize(
    ("fixture", "fail_on", "code"),
    [
        ("clean", "medium", 0), ("clean", "low", 0),
        ("planted", "medium", 1), ("planted", "high", 1), ("planted", "low", 1),
        ("planted", "never", 0),
    ],
)
def test_exit_codes(request, fixture, fail_on, code):
    result = run("scan", request.getfixturevalue(fixture), "--fail-on", fail_on, "-f", "json")
    assert result.exit_code == code, result.output


def test_planted_pod_is_reported_with_exact_members(planted):
    result = run("scan", planted, "-f", "json")
    report = json.loads(result.stdout)
    assert [p["members"] for p in report["pods"]] == [sorted(POD)]
    assert report["pods"][0]["severity"] == "high"
    assert {a["account"] for a in report["accounts"]} == set(POD)
    assert all(p["from_pods"] == 5 for p in report["posts"])
    assert all(p["author"] in POD for p in report["posts"])


def test_json_report_has_the_version_1_fields(planted):
    report = json.loads(run("scan", planted, "-f", "json").stdout)
    assert report["schema_version"] == 1
    assert report["tool"]["name"] == "pod-detect"
    assert {"rows", "accounts", "posts", "start", "end", "signals"} <= set(report["input"])
    assert {"id", "kind", "severity", "score", "members", "evidence", "reasons"} <= set(
        report["pods"][0]
    )
    assert {"account", "pod", "score", "reasons"} <= set(report["accounts"][0])
    assert {"post_id", "author", "engagements", "from_pods", "authentic"} <= set(
        report["posts"][0]
    )
    assert report["settings"]["min_posts"] == 2


def test_the_same_rows_in_any_order_give_the_same_report(tmp_path):
    rows = organic() + round_rows(POD, 6, fast) + outside_rows(POD)
    first = write(tmp_path, rows, "a.csv")
    shuffled = pd.DataFrame(rows, columns=COLUMNS).sample(frac=1, random_state=7)
    second = tmp_path / "b.csv"
    shuffled.to_csv(second, index=False)
    one = json.loads(run("scan", first, "-f", "json").stdout)
    two = json.loads(run("scan", second, "-f", "json").stdout)
    one["input"].pop("source"), two["input"].pop("source")
    assert json.dumps(one) == json.dumps(two)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders(planted, fmt):
    result = run("scan", planted, "-f", fmt)
    assert result.exit_code == 1
    assert "pod0" in result.stdout


def test_table_names_members_evidence_and_posts(planted):
    out = run("scan", planted).stdout
    for words in ("Input", "Groups (1)", "HIGH", "Most involved accounts", "Most inflated posts",
                  "engaged by at least"):
        assert words in out


def test_output_file_and_stdin(planted, tmp_path):
    target = tmp_path / "report.json"
    result = run("scan", "-", "-f", "json", "-o", target, input=planted.read_bytes())
    assert result.exit_code == 1
    assert result.stdout == ""
    assert json.loads(target.read_text())["input"]["source"] == "<stdin>"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "missing.csv"], "missing.csv"),
        (["scan", "{bad}", "--map", "nonsense"], "CANONICAL=COLUMN"),
        (["scan", "{bad}"], "missing required column 'actor'"),
        (["scan", "{bad}", "--map", "actor=nope"], "nope"),
        (["scan", "{planted}", "--fail-on", "sometimes"], "sometimes"),
    ],
)
def test_usage_and_input_errors_exit_2_with_one_line(tmp_path, planted, args, message):
    bad = tmp_path / "bad.csv"
    bad.write_text("who,whom\na,b\n")
    args = [a.format(bad=bad, planted=planted) for a in args]
    proc = subprocess.run([sys.executable, "-m", "pod_detect", *args], capture_output=True,
                          text=True)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_version_and_help():
    assert run("--version").exit_code == 0
    help_text = run("scan", "--help").stdout
    for option in ("--format", "--fail-on", "--map", "--output", "--min-posts"):
        assert option in help_text


@pytest.mark.skipif(not RUSSIAN.exists(), reason="../shared/data is not beside the checkout")
def test_real_retweet_export_runs_and_says_what_it_could_not_use():
    result = run("scan", RUSSIAN, "-f", "json")
    assert result.exit_code in (0, 1)
    report = json.loads(result.stdout)
    assert report["input"]["rows"] == 35_125
    assert report["input"]["signals_unavailable"] == {"comments": "no text column"}
    assert any("author is known for" in note for note in report["notes"])
    assert any("no post_time column" in note for note in report["notes"])
    table = run("scan", RUSSIAN).stdout
    assert "not used: comments" in table and "no text column" in table


def test_the_cycle_collector_is_off_for_the_scan_and_back_on_after(planted, monkeypatch):
    import gc

    from pod_detect import pipeline

    seen = []
    real = pipeline.scan

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "scan", watched)
    assert gc.isenabled()
    result = run("scan", planted, "-f", "json")
    assert result.exit_code == 1, result.output
    assert seen == [False]
    assert gc.isenabled()
    failed = run("scan", planted.with_name("missing.csv"))
    assert failed.exit_code == 2 and gc.isenabled()


@pytest.mark.parametrize(("env", "pool", "huge"), [
    ({}, "system", "False"),
    ({"ARROW_DEFAULT_MEMORY_POOL": "jemalloc", "NUMPY_MADVISE_HUGEPAGE": "1"}, "jemalloc", "True"),
])
def test_the_command_line_sets_the_allocators_unless_the_user_did(env, pool, huge):
    import os

    probe = ("import pod_detect.cli, pyarrow, numpy._core.multiarray as m; "
             "print(pyarrow.default_memory_pool().backend_name, m._get_madvise_hugepage())")
    clean = {k: v for k, v in os.environ.items()
             if k not in ("ARROW_DEFAULT_MEMORY_POOL", "NUMPY_MADVISE_HUGEPAGE")}
    out = subprocess.run([sys.executable, "-c", probe], env={**clean, **env},
                         capture_output=True, text=True, check=True).stdout.split()
    if pool == "jemalloc" and out[0] != "jemalloc":
        pytest.skip("this pyarrow has no jemalloc")
    assert out == [pool, huge]
