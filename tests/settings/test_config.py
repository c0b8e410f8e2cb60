"""Config files: discovery upwards, precedence (flags > file > defaults), errors, ``config``."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import COLUMNS, fast, organic, outside_rows, round_rows

from pod_detect.cli import cli
from pod_detect.settings import files as config

POD = [f"pod{i}" for i in range(6)]


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "export.csv"
    pd.DataFrame(organic() + round_rows(POD, 6, fast) + outside_rows(POD),
                 columns=COLUMNS).to_csv(path, index=False)
    return path


@pytest.fixture
def nested(tmp_path, monkeypatch):
    """A working directory two levels below tmp_path."""
    cwd = tmp_path / "a" / "b"
    cwd.mkdir(parents=True)
    monkeypatch.chdir(cwd)
    return cwd


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def settings_of(result):
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["settings"]


def test_file_sets_defaults_and_flags_override_them(export, nested):
    (nested / "pod-detect.toml").write_text('min-posts = 3\nwindow = 600\nformat = "json"\n')
    from_file = settings_of(run("scan", export))
    assert (from_file["min_posts"], from_file["window"], from_file["alpha"]) == (3, 600.0, 0.001)
    flagged = settings_of(run("scan", export, "--min-posts", "4"))
    assert (flagged["min_posts"], flagged["window"]) == (4, 600.0)


def test_discovery_walks_up_from_a_nested_working_directory(export, nested, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.pod-detect]\nmin_posts = 5\nformat = "json"\n')
    assert config.discover() == tmp_path / "pyproject.toml"
    assert settings_of(run("scan", export))["min_posts"] == 5
    # nearer wins; in one directory pod-detect.toml comes before pyproject.toml
    (nested.parent / "pyproject.toml").write_text('[tool.pod-detect]\nmin_posts = 6\n')
    (nested.parent / "pod-detect.toml").write_text('min_posts = 7\nformat = "json"\n')
    assert config.discover() == nested.parent / "pod-detect.toml"
    assert settings_of(run("scan", export))["min_posts"] == 7


def test_a_pyproject_without_a_pod_detect_table_is_skipped(nested, tmp_path):
    (nested / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "pod-detect.toml").write_text("alpha = 0.01\n")
    assert config.discover() == tmp_path / "pod-detect.toml"


def test_config_flag_names_the_file(export, nested, tmp_path):
    (nested / "pod-detect.toml").write_text("min_posts = 9\n")
    other = tmp_path / "ci.toml"
    other.write_text('min_posts = 2\nfail_on = "never"\nformat = "json"\n')
    result = run("scan", export, "--config", other)
    assert result.exit_code == 0
    assert settings_of(result)["min_posts"] == 2


def test_config_command_names_the_source_of_each_setting(nested):
    path = nested / "pod-detect.toml"
    path.write_text('min-posts = 3\nfail_on = "high"\nmap = ["actor=liker"]\n')
    table = run("config")
    assert table.exit_code == 0
    lines = {line.split()[0]: line.split() for line in table.stdout.splitlines()}
    assert lines["min_posts"] == ["min_posts", "3", str(path)]
    assert lines["fail_on"] == ["fail_on", "high", str(path)]
    assert lines["alpha"] == ["alpha", "0.001", "default"]
    document = json.loads(run("config", "--format", "json").stdout)
    assert document["config_file"] == str(path)
    by_name = {s["name"]: s for s in document["settings"]}
    assert by_name["map"] == {"name": "map", "value": ["actor=liker"], "source": str(path)}
    # no fixed window by default: co-engagement is tested at every scale of ``windows``
    assert by_name["window"] == {"name": "window", "value": None, "source": "default"}


def test_config_without_a_file_is_all_defaults(nested):
    document = json.loads(run("config", "-f", "json").stdout)
    assert document["config_file"] is None
    assert {s["source"] for s in document["settings"]} == {"default"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("min_postz = 3\n", "unknown key 'min_postz'"),
        ('alpha = "often"\n', "key 'alpha'"),
        ("min_posts = true\n", "key 'min_posts'"),
        ('fail_on = "sometimes"\n', "key 'fail_on'"),
        ("exit_zero = 1\n", "key 'exit_zero'"),
        ("min_posts = [\n", "not valid TOML"),
    ],
)
@pytest.mark.parametrize("command", [["scan", "{export}"], ["config"]])
def test_bad_config_exits_2_naming_file_and_key(export, nested, text, message, command):
    path = nested / "pod-detect.toml"
    path.write_text(text)
    result = run(*[c.format(export=export) for c in command])
    assert result.exit_code == 2
    assert str(path) in result.stderr and message in result.stderr
    assert result.stdout == ""
