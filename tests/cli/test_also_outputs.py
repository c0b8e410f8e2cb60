"""``scan --also FORMAT=FILE``: several reports from one scan (a CI job that uploads SARIF and
writes a markdown summary scans the export once), each the bytes ``-f FORMAT -o FILE`` gives."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from pod_detect.cli import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "linkedin_pods.csv"


def test_also_writes_what_a_scan_of_its_own_would(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["scan", str(EXAMPLE), "-f", "sarif", "-o",
                                 str(tmp_path / "a.sarif"), "--also",
                                 f"markdown={tmp_path / 'a.md'}", "--also",
                                 f"json={tmp_path / 'a.json'}", "--fail-on", "high"])
    assert result.exit_code == 1, result.output  # the gate still applies
    for fmt, name in (("sarif", "a.sarif"), ("markdown", "a.md"), ("json", "a.json")):
        alone = tmp_path / f"alone-{name}"
        runner.invoke(cli, ["scan", str(EXAMPLE), "-f", fmt, "-o", str(alone), "-q"])
        assert (tmp_path / name).read_bytes() == alone.read_bytes(), fmt


def test_also_is_checked_before_the_scan(tmp_path):
    runner = CliRunner()
    for args, message in ((["--also", "xml=out.xml"], "give FORMAT=FILE"),
                          (["--also", "markdown"], "give FORMAT=FILE"),
                          (["--also", "markdown=-"], "only one report can go to stdout")):
        result = runner.invoke(cli, ["scan", str(tmp_path / "missing.csv"), *args])
        assert result.exit_code == 2 and message in result.output, result.output
