"""Baselines: matching by kind and member-set Jaccard, expiry, update round trip, bad files."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import COLUMNS, build, fast, organic, outside_rows, round_rows

import pod_detect
from pod_detect.cli import cli
from pod_detect.errors import ConfigError
from pod_detect.report import baseline
from pod_detect.report.baseline import (
    Entry,
    apply_baseline,
    jaccard,
    parse_baseline,
    update_baseline,
)

POD = [f"pod{i}" for i in range(6)]
ROWS = organic() + round_rows(POD, 6, fast) + outside_rows(POD)


@pytest.fixture(scope="module")
def report():
    # one planted pod of six on an organic background
    return pod_detect.scan(build(ROWS))


def entry(members, kind="pod", expires=None, id="accepted", reason="our own staff"):
    return Entry(id, kind, frozenset(members), reason, "alice", expires)


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "export.csv"
    pd.DataFrame(ROWS, columns=COLUMNS).to_csv(path, index=False)
    return path


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_the_planted_pod_is_found_before_any_baseline(report):
    assert [sorted(report.account_name(m) for m in g.members) for g in report.groups] == [POD]


@pytest.mark.parametrize(
    ("members", "kind", "tolerance", "suppressed"),
    [
        (POD, "pod", 0.7, True),                        # the same six: Jaccard 1
        (POD[:5], "pod", 0.7, True),                    # one member left: 5/6 = 0.83
        (POD[:5] + ["x1"], "pod", 0.7, True),           # one swapped: 5/7 = 0.71
        (POD[:4] + ["x1", "x2"], "pod", 0.7, False),    # two swapped: 4/8 = 0.5
        (POD[:4] + ["x1", "x2"], "pod", 0.5, True),     # ... but the tolerance is 0.5
        (POD, "lockstep", 0.7, False),                  # same members, other kind
    ],
)
def test_match_needs_the_same_kind_and_jaccard_at_or_above_tolerance(
    report, members, kind, tolerance, suppressed
):
    out = apply_baseline(report, [entry(members, kind)], tolerance, today=date(2026, 1, 1))
    assert bool(out.suppressed) is suppressed
    assert len(out.groups) == (0 if suppressed else 1)
    if suppressed:
        assert out.accounts == () and out.posts == ()
        only = out.suppressed[0]
        assert (only.entry, only.reason) == ("accepted", "our own staff")
        assert only.jaccard == pytest.approx(jaccard(frozenset(members), frozenset(POD)))
    else:
        assert out.accounts == report.accounts and out.posts == report.posts


@pytest.mark.parametrize(
    ("expires", "suppressed"),
    [(date(2026, 5, 31), False), (date(2026, 6, 1), True), (None, True)],
)
def test_an_expired_entry_stops_suppressing_and_says_so(report, expires, suppressed):
    out = apply_baseline(report, [entry(POD, expires=expires)], today=date(2026, 6, 1))
    assert bool(out.suppressed) is suppressed
    note = "baseline entry accepted expired on 2026-05-31: no longer suppressing"
    assert (note in out.notes) is (not suppressed)


def test_update_keeps_what_people_wrote_and_fills_new_entries(report):
    kept = update_baseline(report, [entry(POD[:5], expires=date(2027, 1, 1))])["entries"]
    assert kept == [{"id": report.groups[0].id, "kind": "pod", "members": POD,
                     "reason": "our own staff", "approved_by": "alice", "expires": "2027-01-01"}]
    fresh = update_baseline(report, [])["entries"][0]
    assert (fresh["reason"], fresh["approved_by"], fresh["expires"]) == (
        baseline.TODO_REASON, None, None)


def test_update_then_scan_with_it_suppresses_everything(export, tmp_path):
    target = tmp_path / "baseline.json"
    first = run("scan", export, "-f", "json", "--update-baseline", target)
    assert first.exit_code == 1
    written = target.read_text()
    assert json.loads(written)["entries"][0]["members"] == POD
    assert written == json.dumps(json.loads(written), indent=2, sort_keys=True) + "\n"
    second = run("scan", export, "-f", "json", "--baseline", target, "--fail-on", "low")
    assert second.exit_code == 0, second.output
    report = json.loads(second.stdout)
    assert report["pods"] == [] and report["accounts"] == [] and report["posts"] == []
    assert report["summary"]["suppressed"] == 1
    assert report["suppressed"][0]["members"] == POD
    assert report["suppressed"][0]["jaccard"] == 1.0
    assert "1 group(s) suppressed by baseline" in second.stderr
    table = run("scan", export, "--baseline", target).stdout
    assert "1 group(s) suppressed by the baseline" in table


def test_an_expired_entry_fails_the_scan_again(export, tmp_path, monkeypatch):
    target = tmp_path / "baseline.json"
    run("scan", export, "--update-baseline", target)
    document = json.loads(target.read_text())
    document["entries"][0]["expires"] = "2026-03-01"
    target.write_text(json.dumps(document))
    monkeypatch.setattr(baseline, "today_utc", lambda: date(2026, 3, 2))
    result = run("scan", export, "-f", "json", "--baseline", target)
    assert result.exit_code == 1
    entry_id = document["entries"][0]["id"]
    assert (f"baseline entry {entry_id} expired on 2026-03-01: no longer suppressing"
            in json.loads(result.stdout)["notes"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"version": 2, "entries": []}', "not a version-1 pod-detect baseline"),
        ('{"version": 1, "entries": [{"id": "a", "kind": "pod"}]}', "entry 0: 'members'"),
        ('{"version": 1, "entries": [{"id": "a", "kind": "pod", "members": ["x"]},'
         ' {"id": "b", "kind": "ring", "members": ["x"]}]}', "entry 1: 'kind'"),
        ('{"version": 1, "entries": [{"id": "a", "kind": "pod", "members": ["x"],'
         ' "expires": "soon"}]}', "entry 0: 'expires'"),
    ],
)
def test_a_bad_baseline_file_exits_2_naming_the_file_and_entry(export, tmp_path, text, message):
    bad = tmp_path / "bad-baseline.json"
    bad.write_text(text)
    result = run("scan", export, "--baseline", bad)
    assert result.exit_code == 2
    assert str(bad) in result.stderr and message in result.stderr
    assert result.stdout == ""


def test_parse_rejects_a_document_without_entries():
    with pytest.raises(ConfigError, match="x.json: 'entries' must be a list"):
        parse_baseline({"version": 1}, "x.json")
