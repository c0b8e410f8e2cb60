"""``--redact``: stable pseudonyms, no original id or comment in any format's output."""

from __future__ import annotations

import functools
from datetime import date

import pytest
from click.testing import CliRunner
from hostile import MEMBERS, report, write_csv

from pod_detect.cli import cli
from pod_detect.formats import FORMATS, RenderOptions
from pod_detect.model import AccountScore, Group, Report, group_id
from pod_detect.report import to_dict
from pod_detect.report.baseline import Entry, apply_baseline
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


# --- the accounts a one-way group boosts, expired baseline entries (issue 23) -----------

FARM = ["farm-anna", "farm-ben", "farm-cara", "farm-dan"]
CLIENTS = ["client-erin", "<script>alert('client')</script>", "client-fay", "client-gus"]
GONE = ["gone-hal", "gone-ida", "gone-jo"]


@functools.cache
def farm_redacted() -> tuple[Report, Report]:
    """A like-farm boosting :data:`CLIENTS`, an expired baseline entry of :data:`GONE`
    whose id is the farm's own group id; and the same redacted."""
    from conftest import DAY, build

    rows = [(liker, client, f"post-{client}-{k}", c * DAY + k * 3600.0 + 60.0 * (i + 1),
             c * DAY + k * 3600.0)
            for c, client in enumerate(CLIENTS) for k in range(5 - c)
            for i, liker in enumerate(FARM)]
    data = build(rows)
    codes = {str(name): code for code, name in enumerate(data.accounts)}
    farm = Group(group_id("lockstep", FARM), "lockstep", tuple(sorted(codes[m] for m in FARM)),
                 0.7, "medium", {}, (f"reason naming {group_id('lockstep', FARM)}",),
                 ("coengagement",))
    accounts = tuple(AccountScore(codes[m], farm.id, 0.7, "medium", {}, ()) for m in FARM)
    report = Report(data, {"inflating": "medium"}, data.signals(), (farm,), accounts, ())
    entry = Entry(farm.id, "lockstep", frozenset(GONE), "", None, date(2025, 1, 1))
    report = apply_baseline(report, [entry], today=date(2026, 1, 1))
    return report, redact(report)


def test_boosted_and_expired_ids_are_pseudonyms():
    report, redacted = farm_redacted()
    assert to_dict(report)["pods"][0]["boosts_total"] == len(CLIENTS)
    pod = to_dict(redacted)["pods"][0]
    assert [b["account"] for b in pod["boosts"]] == [pseudonym(c) for c in CLIENTS]
    (entry,) = redacted.expired
    assert entry.members == tuple(sorted(pseudonym(m) for m in GONE))
    assert entry.id == redacted.groups[0].id != report.groups[0].id
    assert entry.note in redacted.notes


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_no_boosted_or_expired_id_in_any_format(name):
    report, redacted = farm_redacted()
    out = FORMATS[name](redacted, RenderOptions())
    for original in (*FARM, *CLIENTS, *GONE, "client", "alert", report.groups[0].id):
        assert original not in out, original
    if name not in ("html", "csv"):
        assert redacted.groups[0].id in out
