"""``--inflating``: from which severity a group's engagement counts as inauthentic in the
per-author and per-post figures (a library setting the command line could not reach)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from pod_detect.cli import cli

CLEAN = Path(__file__).resolve().parents[2] / "examples" / "clean.csv"


def scan(*args: str) -> str:
    result = CliRunner().invoke(cli, ["scan", str(CLEAN), "--fail-on", "never", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_low_groups_count_only_when_asked():
    report = json.loads(scan("-f", "json"))
    low = {g["id"] for g in report["pods"] if g["severity"] == "low"}
    assert low and report["settings"]["inflating"] == "medium"
    assert report["authors"] == [] and report["posts"] == []  # its only group is low
    asked = json.loads(scan("-f", "json", "--inflating", "low"))
    assert asked["settings"]["inflating"] == "low"
    assert asked["authors"] and asked["posts"]
    assert {g["id"] for r in asked["authors"] for g in r["groups"]} == low
    rows = list(csv.DictReader(io.StringIO(scan("-f", "csv-authors", "--inflating", "low"))))
    assert [r["author"] for r in rows] == [r["author"] for r in asked["authors"]]


def test_a_settings_file_sets_it(tmp_path):
    config = tmp_path / "pod-detect.toml"
    config.write_text('inflating = "low"\n')
    report = json.loads(scan("-f", "json", "--config", str(config)))
    assert report["settings"]["inflating"] == "low" and report["authors"]
