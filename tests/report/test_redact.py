"""``--redact``: stable pseudonyms, no original id or comment in any format's output."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hostile import MEMBERS, report, write_csv

from pod_detect.cli import cli
from pod_detect.formats import FORMATS, RenderOptions
from pod_detect.report.redact import pseudonym, redact

ORIGINAL = [*MEMBERS, "o1-0", "hostile"]


@pytest.fixture(scope="module")
def redacted():
    return redact(report())


def test_pseudonyms_are_stable_and_documented_shape():
    assert pseudonym("anna") == pseudonym("anna") == "acct-" + pseudonym("anna")[5:]
    assert len(pseudonym("anna")) == 15 and pseudonym("anna") != pseudonym("ben")


def test_group_ids_are_recomputed(redacted):
    assert redacted.groups[0].id != report().groups[0].id
    assert all(a.group == redacted.groups[0].id for a in redacted.accounts)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_no_original_id_in_any_format(redacted, name):
    out = FORMATS[name](redacted, RenderOptions())
    for original in (*MEMBERS, "anna", "o1-0", "alert", report().groups[0].id):
        assert original not in out, original
    assert pseudonym("anna") in out or name in ("github", "junit", "sarif")


def test_cli_scan_and_explain(tmp_path):
    export = write_csv(tmp_path / "hostile.csv")
    graph = tmp_path / "g.gexf"
    runner = CliRunner()
    result = runner.invoke(cli, ["scan", export, "--redact", "-f", "json",
                                 "--export-graph", str(graph), "-q"])
    assert result.exit_code == 1
    for text in (result.stdout, graph.read_text()):
        assert "anna" not in text and pseudonym("anna") in text
    explained = runner.invoke(cli, ["explain", "anna", export, "--redact", "-f", "json"])
    assert explained.exit_code == 0
    assert "anna" not in explained.stdout and pseudonym("anna") in explained.stdout
