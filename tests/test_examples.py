"""The bundled examples: they scan as examples/README.md says, and regenerate byte for byte."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from pod_detect.cli import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NAMES = ("linkedin_pods", "clean", "no_timestamps")

#: The commands examples/README.md documents, one per example.
COMMANDS = {
    "linkedin_pods": "pod-detect simulate --seed 11 --accounts 400 --days 10 --rotating 0 "
    "--celebrities 3 --viral 2 --friends 3 --coworkers 1 "
    "-o linkedin_pods.csv --truth linkedin_pods.truth.json",
    "clean": "pod-detect simulate --seed 12 --accounts 400 --days 10 --classic 0 --window 0 "
    "--slow 0 --rotating 0 --camouflage 0 --likefarm 0 --celebrities 3 --viral 2 --friends 3 "
    "--coworkers 1 -o clean.csv --truth clean.truth.json",
    "no_timestamps": "pod-detect simulate --seed 13 --accounts 400 --days 10 --rotating 0 "
    "--celebrities 3 --viral 2 --friends 3 --coworkers 1 --without-timestamps "
    "-o no_timestamps.csv --truth no_timestamps.truth.json",
}


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Each example scanned once: (exit code, JSON report, path of the report)."""
    folder = tmp_path_factory.mktemp("reports")
    out = {}
    for name in NAMES:
        path = folder / f"{name}.report.json"
        result = run("scan", EXAMPLES / f"{name}.csv", "-f", "json", "-o", path, "-q")
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.output
        )
        out[name] = (result.exit_code, json.loads(path.read_text()), path)
    return out


def evaluation(reports, name):
    path = reports[name][2]
    result = run("evaluate", path, "--truth", EXAMPLES / f"{name}.truth.json", "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", NAMES)
def test_example_scans_without_error(reports, name):
    code, report, _ = reports[name]
    assert code in (0, 1)
    assert report["schema_version"] == 1
    truth = json.loads((EXAMPLES / f"{name}.truth.json").read_text())
    assert report["input"]["rows"] == truth["rows"]
    assert report["input"]["accounts"] == truth["accounts"]


def test_clean_example_has_no_group_at_medium_or_above(reports):
    code, report, _ = reports["clean"]
    assert code == 0
    assert [p for p in report["pods"] if p["severity"] in ("medium", "high")] == []
    assert evaluation(reports, "clean")["counted"] == 0


def test_linkedin_example_exits_1_and_finds_its_classic_pods(reports):
    code, report, _ = reports["linkedin_pods"]
    assert code == 1
    out = evaluation(reports, "linkedin_pods")
    classic = [g for g in out["groups"] if g["kind"] == "classic"]
    assert [g["id"] for g in classic] == ["classic-1", "classic-2"]
    for group in classic:
        assert group["found"], group
        assert group["jaccard"] >= 0.5
    assert out["negatives_flagged"] == 0


def test_no_timestamps_example_says_timing_was_not_used(reports):
    _, report, _ = reports["no_timestamps"]
    assert "timing" not in report["input"]["signals"]
    assert "timing" in report["input"]["signals_unavailable"]
    assert "timestamp" in report["input"]["signals_unavailable"]["timing"]
    table = run("scan", EXAMPLES / "no_timestamps.csv", "--color", "never", "-q")
    assert table.exit_code in (0, 1), table.output
    lines = [line for line in table.stdout.splitlines() if "timing" in line]
    assert any(word in line for line in lines for word in ("not used", "not run")), lines


@pytest.mark.parametrize("name", NAMES)
def test_documented_command_is_in_the_examples_readme(name):
    text = " ".join((EXAMPLES / "README.md").read_text().split())
    assert COMMANDS[name] in text


@pytest.mark.parametrize("name", NAMES)
def test_example_regenerates_byte_for_byte(tmp_path, monkeypatch, name):
    argv = shlex.split(COMMANDS[name])
    assert argv[0] == "pod-detect"
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, argv[1:])
    assert result.exit_code == 0, result.output
    for file in (f"{name}.csv", f"{name}.truth.json"):
        assert (tmp_path / file).read_bytes() == (EXAMPLES / file).read_bytes(), file


def test_no_timestamps_example_still_finds_the_classic_pods(reports):
    code, _, _ = reports["no_timestamps"]
    assert code == 1
    out = evaluation(reports, "no_timestamps")
    classic = [g for g in out["groups"] if g["kind"] == "classic"]
    assert len(classic) == 2
    assert all(g["found"] for g in classic), classic


def test_the_example_baseline_suppresses_one_group_and_has_expired_for_another():
    """examples/linkedin_pods.baseline.json, as examples/README.md describes it: the slow pod
    accepted (listed in SARIF with a suppression), the farm's entry past its expiry (the farm
    reported again, and the entry named as expired in the report)."""
    baseline = json.loads((EXAMPLES / "linkedin_pods.baseline.json").read_text())
    accepted, expired = baseline["entries"]
    result = run("scan", EXAMPLES / "linkedin_pods.csv", "--baseline",
                 EXAMPLES / "linkedin_pods.baseline.json", "-f", "sarif")
    assert result.exit_code == 1, result.output
    sarif = json.loads(result.stdout)["runs"][0]
    suppressed = [r for r in sarif["results"] if r.get("suppressions")]
    assert [r["suppressions"][0]["justification"] for r in suppressed] == [accepted["reason"]]
    reported = {r["properties"]["groupId"] for r in sarif["results"] if not r.get("suppressions")}
    assert expired["id"] in reported and accepted["id"] not in reported
    notices = sarif["invocations"][0]["toolExecutionNotifications"]
    assert any(n.get("properties", {}).get("baselineEntry") == expired["id"] for n in notices)
