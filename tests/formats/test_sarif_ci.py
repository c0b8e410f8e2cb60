"""SARIF for CI (issue 23): suppressed groups as suppressed results, the invocation and its
notifications (expired baseline entries among them), standard input's location, bytes that
depend on nothing but the report."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from conftest import build, fast, organic, outside_rows, round_rows

import pod_detect
from pod_detect.formats import FORMATS, RenderOptions, sarif
from pod_detect.formats._common import first_line, members_fingerprint
from pod_detect.model import Report
from pod_detect.report.baseline import Entry, apply_baseline

SARIF_SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "sarif-schema-2.1.0.json"

STAFF = [f"pod{i}" for i in range(6)]
HOSTILE = ["=cmd|' /C calc'!A0", "<script>alert(1)</script>", "a|b", "x,y:z%",
           "@here *bold* _it_ `code` [link](http://x)", "-2+3"]
#: A baseline's reason and ids come from a file someone wrote: hostile too.
REASON = "our own staff <b>team</b> @here \x1b[31mred\u202e ~~x~~"
EXPIRED_ID = "old\x1b]52;c;ZXZpbA==\x07 entry: expired on 1999-01-01: no longer suppressing"
TODAY = date(2026, 1, 1)
RAW_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(autouse=True)
def fixed_version(monkeypatch):
    monkeypatch.setattr("pod_detect.report.__version__", "0.1.0")
    monkeypatch.setattr("pod_detect.formats.sarif.__version__", "0.1.0")


@pytest.fixture(scope="module")
def scanned() -> Report:
    """Two planted pods: the staff's (a baseline accepts it) and one of hostile names."""
    rows = (organic() + round_rows(STAFF, 6, fast) + outside_rows(STAFF)
            + round_rows(HOSTILE, 6, fast, seed=7) + outside_rows(HOSTILE, seed=4))
    report = pod_detect.scan(build(rows))
    assert sorted(sorted(report.account_name(m) for m in g.members)
                  for g in report.groups) == sorted([sorted(STAFF), sorted(HOSTILE)])
    return report


def entries() -> list[Entry]:
    return [
        Entry("staff", "pod", frozenset(STAFF), REASON, "alice", date(2027, 1, 31)),
        Entry(EXPIRED_ID, "pod", frozenset(["gone1", "gone2", "gone3"]), "left", None,
              date(2025, 6, 30)),
        Entry("old-2", "lockstep", frozenset(["f1", "f2", "f3"]), "", None, date(2025, 12, 31)),
    ]


@pytest.fixture(scope="module")
def baselined(scanned) -> Report:
    report = apply_baseline(scanned, entries(), today=TODAY)
    assert len(report.groups) == 1 and len(report.suppressed) == 1
    return report


def render(report: Report) -> str:
    return FORMATS["sarif"](report, RenderOptions())


def log_of(report: Report) -> dict:
    return json.loads(render(report))


def validate(log: dict) -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    validator(schema).validate(log)


def by_group(log: dict) -> dict[str, dict]:
    return {r["properties"]["groupId"]: r for r in log["runs"][0]["results"]}


# --- the schema and GitHub's own rules -------------------------------------------------

@pytest.mark.parametrize("which", ["scanned", "baselined"])
def test_validates_against_the_schema_with_suppressions_and_invocations(request, which):
    log = log_of(request.getfixturevalue(which))
    validate(log)
    run = log["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is True
    if which == "baselined":
        assert any("suppressions" in r for r in run["results"])


@pytest.mark.parametrize("source", ["<stdin>", "export.csv", "<memory>"])
def test_every_result_has_the_location_github_requires(baselined, source):
    """GitHub rejects a whole upload when one result has no physical location with a uri
    (SARIF validator rule GH1001; "locationFromSarifResult: expected at least one
    location"), suppressed results and standard input included."""
    report = replace(baselined, interactions=replace(baselined.interactions, source=source))
    log = log_of(report)
    validate(log)
    for result in log["runs"][0]["results"]:
        (location,) = result["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uri"]
        assert location["physicalLocation"]["region"]["startLine"] >= 1


# --- suppressed groups -----------------------------------------------------------------

def test_a_suppressed_group_is_a_result_with_its_justification(scanned, baselined):
    (accepted,) = baselined.suppressed
    results = by_group(log_of(baselined))
    assert list(results) == [baselined.groups[0].id, accepted.group.id]  # reported first
    result = results[accepted.group.id]
    (suppression,) = result["suppressions"]
    assert suppression["kind"] == "external" and suppression["status"] == "accepted"
    # the reason as written (the JSON escapes what would act on a terminal, the value is
    # the same)
    assert suppression["justification"] == REASON
    assert suppression["properties"] == {"baselineEntry": "staff", "jaccard": 1.0}
    assert result["properties"]["members"] == sorted(STAFF)
    assert "Accepted by baseline entry staff: " in result["message"]["text"]
    # the same alert as before the baseline: fingerprint, rule, level, line
    before = by_group(log_of(scanned))[accepted.group.id]
    assert result["partialFingerprints"] == before["partialFingerprints"] == {
        sarif.FINGERPRINT: members_fingerprint(sorted(STAFF))}
    assert result["locations"] == before["locations"]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == first_line(
        scanned, accepted.group)
    assert (result["ruleId"], result["level"]) == (before["ruleId"], before["level"])
    assert "suppressions" not in before


def test_the_reported_groups_are_what_they_were_without_a_baseline(scanned, baselined):
    (kept,) = baselined.groups
    assert by_group(log_of(baselined))[kept.id] == by_group(log_of(scanned))[kept.id]
    assert "suppressions" not in by_group(log_of(baselined))[kept.id]


def test_an_entry_without_a_reason_still_justifies(baselined):
    (accepted,) = baselined.suppressed
    report = replace(baselined, suppressed=(replace(accepted, reason=""),))
    result = by_group(log_of(report))[accepted.group.id]
    assert result["suppressions"][0]["justification"] == (
        "accepted by baseline entry staff, which gives no reason")
    assert result["message"]["text"].endswith("Accepted by baseline entry staff.")


# --- invocations and expired entries ---------------------------------------------------

def test_expired_baseline_entries_are_warnings(baselined):
    run = log_of(baselined)["runs"][0]
    descriptors = run["tool"]["driver"]["notifications"]
    assert [d["id"] for d in descriptors] == ["baseline-entry-expired", "scan-note"]
    notifications = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notifications) == len(baselined.notes)
    warnings = [n for n in notifications if n["level"] == "warning"]
    assert [w["properties"] for w in warnings] == [
        {"baselineEntry": EXPIRED_ID, "expires": "2025-06-30"},
        {"baselineEntry": "old-2", "expires": "2025-12-31"},
    ]
    for warning in warnings:
        assert warning["descriptor"] == {"id": "baseline-entry-expired", "index": 0}
        assert "no longer suppresses its group" in warning["message"]["text"]
        assert descriptors[warning["descriptor"]["index"]]["id"] == warning["descriptor"]["id"]
    notes = [n for n in notifications if n["level"] == "note"]
    assert all(n["descriptor"] == {"id": "scan-note", "index": 1} for n in notes)
    assert any("suppressed by the baseline" in n["message"]["text"] for n in notes)
    assert run["invocations"][0]["properties"]["expiredBaselineEntries"] == 2
    assert run["invocations"][0]["properties"]["suppressed"] == 1
    assert [e[:2] for e in sarif.expired_entries(baselined)] == [
        (EXPIRED_ID, "2025-06-30"), ("old-2", "2025-12-31")]


def test_the_invocation_holds_no_clock_and_no_machine(baselined, scanned):
    for report in (baselined, scanned):
        (invocation,) = log_of(report)["runs"][0]["invocations"]
        assert set(invocation) <= {"executionSuccessful", "toolExecutionNotifications",
                                   "properties"}
        properties = invocation["properties"]
        assert properties["input"]["rows"] == report.interactions.rows_read
        assert properties["groups"] == len(report.groups)
        assert properties["settings"] == json.loads(json.dumps(report.settings))


def test_a_report_without_notes_has_no_notifications(scanned):
    (invocation,) = log_of(replace(scanned, notes=()))["runs"][0]["invocations"]
    assert invocation == {"executionSuccessful": True, "properties": invocation["properties"]}


# --- standard input --------------------------------------------------------------------

@pytest.mark.parametrize(("source", "uri", "described"), [
    ("<stdin>", "stdin", "standard input"),
    ("stdin", "stdin", None),            # a file really named stdin: no description
    ("<memory>", "memory", "not a file"),
    ("exports/a b.csv", "exports/a%20b.csv", None),
])
def test_the_location_of_standard_input(baselined, source, uri, described):
    report = replace(baselined, interactions=replace(baselined.interactions, source=source))
    log = log_of(report)
    validate(log)
    for result in log["runs"][0]["results"]:
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uri"] == uri
        assert "uriBaseId" not in artifact
        if described:
            assert described in artifact["description"]["text"]
        else:
            assert "description" not in artifact


# --- bytes -----------------------------------------------------------------------------

def test_the_same_report_gives_the_same_bytes(scanned, baselined):
    for report in (scanned, baselined):
        assert render(report) == render(report)
        # another report object of the same content (no cache, clock or id in the output)
        assert render(replace(report)) == render(report)
    again = apply_baseline(scanned, entries(), today=TODAY)
    assert render(again) == render(baselined)


def test_hostile_baseline_text_acts_on_nothing(baselined):
    text = render(baselined)
    assert not RAW_CONTROLS.search(text)
    assert "\\u001b[31m" in text and "\\u202e" in text  # escaped in the JSON text
    assert json.loads(text)["runs"][0]["results"][1]["suppressions"][0][
        "justification"] == REASON
