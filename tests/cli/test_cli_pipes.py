"""Pipelines and CI flags: --exit-zero, colour, -o -, stdin, | head, -q and -v."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import COLUMNS, fast, organic, outside_rows, round_rows

from pod_detect.cli import cli

POD = [f"pod{i}" for i in range(6)]
ESC = "\x1b["


def write(path, rows):
    pd.DataFrame(rows, columns=COLUMNS).to_csv(path, index=False)
    return path


@pytest.fixture
def planted(tmp_path):
    return write(tmp_path / "export.csv", organic() + round_rows(POD, 6, fast) + outside_rows(POD))


def run(*args, env=None, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, input=input)


def pod_detect(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "pod_detect", *map(str, args)],
                          capture_output=True, text=True, **kwargs)


@pytest.mark.parametrize(("extra", "code"), [([], 1), (["--exit-zero"], 0),
                                             (["--exit-zero", "--fail-on", "low"], 0)])
def test_exit_zero_turns_findings_into_success(planted, extra, code):
    result = run("scan", planted, "-f", "json", *extra)
    assert result.exit_code == code
    assert json.loads(result.stdout)["summary"]["groups"] == 1


def test_exit_zero_does_not_hide_errors(tmp_path):
    assert run("scan", tmp_path / "missing.csv", "--exit-zero").exit_code == 2


@pytest.mark.parametrize(
    ("flag", "env", "colour"),
    [
        ("auto", {}, False),                                  # not a terminal
        ("auto", {"FORCE_COLOR": "1"}, True),
        ("auto", {"NO_COLOR": "1"}, False),
        ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),  # NO_COLOR wins
        ("auto", {"NO_COLOR": ""}, False),                    # empty means unset
        ("always", {}, True),
        ("always", {"NO_COLOR": "1"}, True),                  # the flag beats the environment
        ("never", {"FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_follows_flag_then_no_color_then_force_color(planted, flag, env, colour):
    base = {"NO_COLOR": None, "FORCE_COLOR": None, "TERM": "xterm-256color"}
    result = run("scan", planted, "--color", flag, env={**base, **env})
    assert result.exit_code == 1
    assert (ESC in result.stdout) is colour
    assert "Groups (1)" in result.stdout


def test_json_is_never_coloured(planted):
    result = run("scan", planted, "-f", "json", "--color", "always")
    assert ESC not in result.stdout
    json.loads(result.stdout)


def test_dash_output_is_stdout(planted, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("scan", planted, "-f", "json", "-o", "-")
    assert json.loads(result.stdout)["summary"]["groups"] == 1
    assert not (tmp_path / "-").exists()


def test_stdin_through_a_real_pipe(planted):
    proc = pod_detect("scan", "-", "-f", "json", input=planted.read_text())
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["input"]["source"] == "<stdin>"
    assert report["pods"][0]["members"] == POD
    assert proc.stderr == ""


@pytest.fixture
def big(tmp_path):
    # a pod of 20 posting 30 times each: about 600 inflated posts, a JSON report (~110 kB)
    # larger than a pipe's buffer
    members = [f"m{i:02d}" for i in range(20)]
    return write(tmp_path / "big.csv", organic() + round_rows(members, 30, fast))


def test_piping_into_head_ends_quietly(big):
    scan = subprocess.Popen([sys.executable, "-m", "pod_detect", "scan", str(big), "-f",
                             "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = subprocess.run(["head", "-1"], stdin=scan.stdout, capture_output=True)
    scan.stdout.close()
    stderr = scan.stderr.read().decode()
    scan.stderr.close()
    assert scan.wait(timeout=120) == 1  # the findings still decide the exit code
    assert head.stdout == b"{\n"
    assert stderr == ""


@pytest.mark.parametrize("command", [["scan", "{big}", "-f", "json"], ["simulate"]])
def test_a_reader_that_is_already_gone_is_no_error(big, command):
    # the read end is closed before pod-detect writes: every write fails with EPIPE
    read, write_end = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "pod_detect", *(c.format(big=big) for c in command)],
            stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(write_end)
    assert proc.returncode == (1 if command[0] == "scan" else 0)
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr
    assert "Exception ignored" not in proc.stderr


def test_quiet_says_nothing_and_verbose_says_timings_and_notes(planted, tmp_path):
    target = tmp_path / "report.json"
    quiet = run("scan", planted, "-f", "json", "-o", target, "-q")
    assert (quiet.stdout, quiet.stderr) == ("", "")
    loud = run("scan", planted, "-f", "json", "-o", target)
    assert loud.stderr == f"pod-detect: wrote json report to {target}\n"
    verbose = run("scan", planted, "-f", "json", "-v", "--min-posts", "2")
    json.loads(verbose.stdout)  # stdout stays pure data
    lines = verbose.stderr.splitlines()
    assert any(line.startswith("pod-detect: timings: read ") and "reduce" in line
               for line in lines)
    assert "pod-detect: note: comments detector not run: no text column" in lines
    assert any("min_posts (command line)" in line for line in lines)


CI = Path(__file__).resolve().parents[2] / "examples" / "ci"


@pytest.mark.parametrize("recipe", ["github-actions.yml", "gitlab-ci.yml"])
def test_the_ci_recipes_commands_run_and_fail_only_on_new_findings(
    planted, tmp_path, monkeypatch, recipe
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deliverables").mkdir()
    shutil.copy(planted, tmp_path / "deliverables" / "export.csv")
    text = (CI / recipe).read_text()
    commands = [shlex.split(c.split(">>")[0])[1:]
                for c in re.findall(r"pod-detect scan[^\n]*(?:\n\s+--[^\n]*)*", text)]
    assert commands
    (tmp_path / ".pod-detect-baseline.json").write_text('{"version": 1, "entries": []}')
    for args in commands:  # an empty baseline: the planted pod is new
        expected = 0 if "--exit-zero" in args else 1
        assert run(*args).exit_code == expected, args
    run("scan", "deliverables/export.csv", "--update-baseline", ".pod-detect-baseline.json")
    for args in commands:  # the pod is accepted now
        assert run(*args).exit_code == 0, args
