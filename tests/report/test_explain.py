"""``pod-detect explain``: the core dict, the rich view, JSON, and unknown accounts."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hostile import MEMBERS, SCRIPT, report, write_csv

from pod_detect.cli import cli
from pod_detect.report.explain import UnknownAccount, explain


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    return write_csv(tmp_path_factory.mktemp("explain") / "hostile.csv")


def test_member_of_the_pod():
    info = explain(report(), "anna")
    assert info["group"]["members"] == sorted(MEMBERS)
    assert info["account_score"]["reasons"]
    partners = {r["account"] for r in info["engages"] if r["reciprocal"] and r["same_group"]}
    assert set(MEMBERS) - {"anna"} <= partners | {r["account"] for r in info["engages"]}
    assert info["latency"]["account"]["median"] < info["latency"]["everyone_else"]["median"]
    assert info["comments"]["group_templates"] == info["comments"]["comments"] > 0
    assert info["posts_with_group"][0]["group_members_engaged"] >= 2


def test_organic_account_has_no_group():
    info = explain(report(), "o3")
    assert info["group"] is None and info["posts_with_group"] == []


def test_unknown_account_suggests_close_names():
    with pytest.raises(UnknownAccount, match="did you mean anna"):
        explain(report(), "annaa")


def test_cli_json_and_rich(export):
    runner = CliRunner()
    result = runner.invoke(cli, ["explain", SCRIPT, export, "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["account"] == SCRIPT
    rich = runner.invoke(cli, ["explain", "anna", export, "--color", "never"])
    assert rich.exit_code == 0
    for words in ("member of pod pod-", "Engages", "Engaged by", "Latency", "Posts where"):
        assert words in rich.stdout


def test_cli_unknown_account_exits_2(export):
    result = CliRunner().invoke(cli, ["explain", "zzz-nobody", export])
    assert result.exit_code == 2
    assert "not in the export" in result.output
