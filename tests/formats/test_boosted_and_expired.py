"""Issue 23: the accounts a one-way group boosts (its clients) and the baseline entries that
expired, named in every format; every id hostile and escaped as its format escapes; the same
report gives the same bytes."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import COLUMNS, DAY, HOUR, build, fast, organic, outside_rows, round_rows

import pod_detect
from pod_detect.cli import cli
from pod_detect.formats import FORMATS, RenderOptions, github, markdown
from pod_detect.formats._common import members_fingerprint
from pod_detect.model import AccountScore, ExpiredEntry, Group, Report
from pod_detect.report import baseline, to_dict
from pod_detect.report.analysis import boosted
from pod_detect.report.baseline import Entry, apply_baseline
from pod_detect.text import visible

FARM = ["liker1", "liker2", "liker3", "liker4"]
POD = ["o2", "o3", "o4"]
#: The accounts the farm boosts, most boosted first: the first three are hostile (a
#: spreadsheet formula, markup, a forged workflow command and terminal escapes).
CLIENTS = ["=cmd|' /C calc'!A0", "<script>alert(1)</script> @here *b* [l](http://x)",
           "x,y:z%\n::error::forged\x1b[2J"] + [f"client{i:02d}" for i in range(3, 12)]
#: What each client's posts got from the farm: 4 likers on 12, 11, ... posts.
ENGAGEMENTS = [4 * (12 - c) for c in range(len(CLIENTS))]
#: A baseline file is someone's text: its ids are hostile too.
EXPIRED_ID = "old <b>@team</b> |x| `c` \x1b]52;c;ZXZpbA==\x07 %0A::error::forged"
TODAY = date(2026, 1, 1)
#: Formats that say nothing of expired entries, and why (docs/formats.md): a CSV row is a
#: flagged account. ``html`` is not this issue's.
NO_EXPIRED = {"csv", "csv-authors", "html"}
TEXT_FORMATS = sorted(set(FORMATS) - {"html"})

#: The GitHub notices of the most inflated authors (after the groups and expired entries).
AUTHOR_NOTICE = "::notice title=pod-detect%3A author "


@pytest.fixture(autouse=True)
def fixed_version(monkeypatch):
    monkeypatch.setattr("pod_detect.report.__version__", "0.1.0")
    monkeypatch.setattr("pod_detect.formats.sarif.__version__", "0.1.0")


def farm_rows() -> list[tuple]:
    """Each client posts 12, 11, ... times; every liker engages each post a minute apart."""
    rows = []
    for c, client in enumerate(CLIENTS):
        for k in range(12 - c):
            posted = c * DAY + k * HOUR
            rows += [(liker, client, f"p{c}-{k}", posted + 60.0 * (i + 1), posted)
                     for i, liker in enumerate(FARM)]
    return rows


def group(data, kind, names, score, severity) -> Group:
    codes = {str(name): code for code, name in enumerate(data.accounts)}
    return Group(f"{kind}-{members_fingerprint(names)[:10]}", kind,
                 tuple(sorted(codes[n] for n in names)), score, severity,
                 {"structure": score}, ("a reason",), ("coengagement",))


def farm_report(severity: str = "medium", inflating: str = "medium") -> Report:
    """A like-farm boosting :data:`CLIENTS` and a small pod (which boosts no one), by hand."""
    data = build(farm_rows() + round_rows(POD, 2, fast, seed=5))
    groups = (group(data, "lockstep", FARM, 0.6, severity),
              group(data, "pod", POD, 0.3, "low"))
    accounts = tuple(AccountScore(m, g.id, g.score, g.severity, {}, (f"member of {g.id}",))
                     for g in groups for m in g.members)
    return Report(data, {"inflating": inflating}, data.signals(), groups, accounts, (),
                  ("column 'source' read as actor",))


def expired_entries() -> list[Entry]:
    return [Entry(EXPIRED_ID, "lockstep", frozenset(["gone1", "gone2", "gone3"]),
                  "a campaign <i>we ran</i>", "alice", date(2025, 6, 30)),
            Entry("live", "pod", frozenset(["x1", "x2", "x3"]), "", None, date(2027, 1, 1)),
            Entry("old-2", "pod", frozenset(["y1", "y2", "y3"]), "", None, date(2025, 12, 31))]


@pytest.fixture(scope="module")
def farm() -> Report:
    return farm_report()


@pytest.fixture(scope="module")
def baselined(farm) -> Report:
    return apply_baseline(farm, expired_entries(), today=TODAY)


def render(name: str, report: Report, **options) -> str:
    return FORMATS[name](report, RenderOptions(**options))


# --- the accounts a one-way group boosts -----------------------------------------------

def test_the_farm_boosts_its_clients_as_analysis_counts_them(farm):
    farm_id = farm.groups[0].id
    assert boosted(farm) == {farm_id: list(zip(CLIENTS, ENGAGEMENTS, strict=True))}


def test_json_lists_the_first_ten_and_counts_them_all(farm):
    lockstep, pod = to_dict(farm)["pods"]
    assert lockstep["boosts"] == [{"account": who, "engagements": n}
                                  for who, n in zip(CLIENTS[:10], ENGAGEMENTS, strict=False)]
    assert lockstep["boosts_total"] == 12
    assert "boosts" not in pod and "boosts_total" not in pod  # a pod boosts its members


def test_ndjson_follows_json(farm):
    lines = [json.loads(line) for line in render("ndjson", farm).splitlines()]
    (line,) = [x for x in lines if x["type"] == "pod" and x["kind"] == "lockstep"]
    assert (line["boosts"], line["boosts_total"]) == (
        to_dict(farm)["pods"][0]["boosts"], 12)


def test_a_group_below_inflating_still_says_whom_it_boosts():
    low = farm_report(severity="low", inflating="medium")
    document = to_dict(low)
    assert document["pods"][0]["boosts_total"] == 12
    # ... while the per-author figures count only groups at inflating or above
    assert document["authors"] == []


def test_a_one_way_group_that_boosts_no_known_author_has_an_empty_list(farm):
    lonely = replace(farm, interactions=replace(
        farm.interactions, frame=farm.interactions.frame.assign(author=-1)))
    lockstep = to_dict(lonely)["pods"][0]
    assert (lockstep["boosts"], lockstep["boosts_total"]) == ([], 0)
    sarif = json.loads(render("sarif", lonely))["runs"][0]["results"][0]
    assert (sarif["properties"]["boosts"], sarif["properties"]["boostsTotal"]) == ([], 0)
    assert "Boosts" not in sarif["message"]["text"]


def test_the_table_card_names_three_and_counts_the_rest(farm):
    text = render("table", farm, width=400)
    line = next(x for x in text.splitlines() if "boosts (12 accounts):" in x)
    assert (f"{visible(CLIENTS[0])} (48), {visible(CLIENTS[1])} (44), "
            f"{visible(CLIENTS[2])} (40), +9 more") in line
    assert "\x1b" not in text and "client03" not in line
    # the pod's card has no boosts line
    assert text.count("boosts (") == 1


def test_markdown_names_ten_in_the_section_escaped(farm):
    text = render("markdown", farm)
    line = next(x for x in text.splitlines() if x.startswith("**Boosts (12 accounts):**"))
    listed = ", ".join(f"{markdown.escape(who)} ({n})"
                       for who, n in zip(CLIENTS[:10], ENGAGEMENTS, strict=False))
    assert line == f"**Boosts (12 accounts):** {listed}, +2 more"
    assert "<script>" not in text and "@here" not in text
    # between the members and the reasons of its own section
    section = text[text.index(f"### {farm.groups[0].id}"):]
    assert section.index("**Members") < section.index("**Boosts") < section.index("- a reason")


def test_markdown_cuts_long_boosted_ids_as_it_cuts_members():
    long_clients = [f"{i}{'<@|' * 200}" for i in range(12)]
    rows = [(liker, client, f"q{c}-{k}", float(c * DAY + k), float(c * DAY))
            for c, client in enumerate(long_clients) for k in range(2) for liker in FARM]
    data = build(rows)
    report = Report(data, {}, data.signals(), (group(data, "lockstep", FARM, 0.6, "medium"),),
                    (), ())
    text = render("markdown", report)
    line = next(x for x in text.splitlines() if x.startswith("**Boosts"))
    # each id cut at markdown.MAX_NAME before it is escaped, like the members
    cut = markdown.escape(markdown.clip(long_clients[0], markdown.MAX_NAME))
    assert line.startswith(f"**Boosts (12 accounts):** {cut} (8), ")
    assert markdown.size(line) < 10 * 6 * markdown.MAX_NAME
    assert markdown.size(text) <= markdown.BUDGET


def test_sarif_message_and_properties(farm):
    result = json.loads(render("sarif", farm))["runs"][0]["results"][0]
    assert result["properties"]["boosts"] == to_dict(farm)["pods"][0]["boosts"]
    assert result["properties"]["boostsTotal"] == 12
    assert (f"Boosts 12 accounts (engagements from its members): {CLIENTS[0]} (48), "
            f"{CLIENTS[1]} (44), {CLIENTS[2]} (40), +9 more.") in result["message"]["text"]
    pod = json.loads(render("sarif", farm))["runs"][0]["results"][1]
    assert "boosts" not in pod["properties"]


def test_junit_failure_message_and_body(farm):
    root = ET.fromstring(render("junit", farm, fail_on="medium"))
    failure = root.find(".//testcase[@classname='lockstep']/failure")
    assert failure is not None
    assert (f"Boosts 12 accounts (engagements from its members): {visible(CLIENTS[0])} (48), "
            f"{visible(CLIENTS[1])} (44), {visible(CLIENTS[2])} (40), +9 more."
            ) in failure.get("message", "")
    body = failure.text or ""
    assert f"boosts (12 accounts): {visible(CLIENTS[0])} (48)" in body
    assert "client09 (12), +2 more" in body
    # below the threshold the same body is in system-out
    out = ET.fromstring(render("junit", farm, fail_on="high"))
    system_out = out.find(".//testcase[@classname='lockstep']/system-out")
    assert system_out is not None and system_out.text == body


def test_github_message_line_cannot_forge_a_command(farm):
    text = render("github", farm)
    groups = [line for line in text.splitlines() if not line.startswith(AUTHOR_NOTICE)]
    assert len(groups) == 2  # one command per group (then one per inflated author)
    line = groups[0]
    shown = github.escape_data(f"boosts (12 accounts): {CLIENTS[0]} (48), {CLIENTS[1]} (44), "
                               f"{CLIENTS[2]} (40), +9 more")
    assert shown in line
    assert "\n::error::forged" not in text and "\x1b" not in text


def test_csv_group_boosts_column(farm):
    table = list(csv.DictReader(io.StringIO(render("csv", farm), newline="")))
    cells = {row["group"]: row["group_boosts"] for row in table}
    lockstep, pod = (g.id for g in farm.groups)
    assert cells[lockstep] == (f"'{CLIENTS[0]} (48); {CLIENTS[1]} (44); "
                               f"{visible(CLIENTS[2])} (40); +9 more")
    assert cells[pod] == ""


@pytest.mark.parametrize("name", TEXT_FORMATS)
def test_boosts_give_the_same_bytes_twice(farm, name):
    assert render(name, farm) == render(name, farm_report())


def test_boosts_on_a_real_scan_are_analysis_boosted():
    farm = [f"bot{i}" for i in range(6)]
    clients = [f"o{i}" for i in range(5)]
    rows = organic()
    for c, client in enumerate(clients):
        for k in range(6):
            posted = (c * 6 + k) * HOUR * 5
            rows += [(bot, client, f"farmed-{c}-{k}", posted + 30.0 * (i + 1), posted)
                     for i, bot in enumerate(farm)]
    report = pod_detect.scan(build(rows))
    document = to_dict(report)
    one_way = [p for p in document["pods"] if p["kind"] != "pod"]
    assert one_way, document["pods"]
    expected = boosted(replace(report, settings={**report.settings, "inflating": "low"}))
    for pod in one_way:
        clients_of = expected.get(pod["id"], [])
        assert pod["boosts_total"] == len(clients_of)
        assert pod["boosts"] == [{"account": who, "engagements": n}
                                 for who, n in clients_of[:10]]
    assert any(p["boosts_total"] for p in one_way)


# --- expired baseline entries ----------------------------------------------------------

def test_apply_baseline_fills_the_field_and_keeps_the_notes(baselined):
    assert baselined.expired == (
        ExpiredEntry(EXPIRED_ID, "lockstep", ("gone1", "gone2", "gone3"), date(2025, 6, 30),
                     "a campaign <i>we ran</i>", "alice"),
        ExpiredEntry("old-2", "pod", ("y1", "y2", "y3"), date(2025, 12, 31), "", None))
    assert [e.note for e in baselined.expired] == [
        f"baseline entry {EXPIRED_ID} expired on 2025-06-30: no longer suppressing",
        "baseline entry old-2 expired on 2025-12-31: no longer suppressing"]
    assert baselined.notes[-2:] == tuple(e.note for e in baselined.expired)


def test_json_lists_the_expired_entries(baselined, farm):
    document = to_dict(baselined)
    assert document["expired_baseline_entries"] == [
        {"id": EXPIRED_ID, "kind": "lockstep", "expires": "2025-06-30",
         "reason": "a campaign <i>we ran</i>", "approved_by": "alice",
         "members": ["gone1", "gone2", "gone3"], "size": 3},
        {"id": "old-2", "kind": "pod", "expires": "2025-12-31", "reason": "",
         "approved_by": None, "members": ["y1", "y2", "y3"], "size": 3}]
    assert to_dict(farm)["expired_baseline_entries"] == []


def test_ndjson_has_an_expired_entry_line_each_last(baselined):
    lines = [json.loads(line) for line in render("ndjson", baselined).splitlines()]
    expired = [x for x in lines if x["type"] == "expired_entry"]
    assert [x["id"] for x in expired] == [EXPIRED_ID, "old-2"]
    assert lines[-2:] == expired
    assert all(x["schema_version"] == 1 and x["tool"]["name"] == "pod-detect"
               for x in expired)


def test_ndjson_of_a_report_with_only_expired_entries(baselined):
    alone = replace(baselined, groups=(), accounts=(), posts=())
    lines = render("ndjson", alone).splitlines()
    assert [json.loads(x)["type"] for x in lines] == ["expired_entry", "expired_entry"]


@pytest.mark.parametrize("name", sorted(set(FORMATS) - NO_EXPIRED))
def test_every_format_names_the_expired_entry(baselined, name):
    text = render(name, baselined)
    assert text == render(name, apply_baseline(farm_report(), expired_entries(), today=TODAY))
    shown = {
        "json": json.dumps(EXPIRED_ID, ensure_ascii=False)[1:-1],
        "ndjson": json.dumps(EXPIRED_ID, ensure_ascii=False)[1:-1],
        "sarif": json.dumps(EXPIRED_ID, ensure_ascii=False)[1:-1],
        "table": visible(EXPIRED_ID),
        "markdown": markdown.escape(EXPIRED_ID),
        "junit": visible(EXPIRED_ID).replace("&", "&amp;").replace("<", "&lt;")
                                     .replace(">", "&gt;"),
        "github": github.escape_data(EXPIRED_ID),
    }[name]
    assert shown in text, name
    assert "old-2" in text
    assert "\x1b" not in text and "\x07" not in text


def test_csv_does_not_change_with_expired_entries(baselined, farm):
    assert render("csv", baselined) == render("csv", farm)


def test_the_table_warns_once_before_the_groups(baselined):
    text = render("table", baselined, width=400)
    warnings = [x for x in text.splitlines() if x.startswith("warning:")]
    assert warnings == [
        f"warning: Baseline entry {visible(EXPIRED_ID)} (lockstep of 3) expired on 2025-06-30 "
        "and no longer suppresses its group: renew its date or remove it.",
        "warning: Baseline entry old-2 (pod of 3) expired on 2025-12-31 and no longer "
        "suppresses its group: renew its date or remove it."]
    assert text.index("warning:") < text.index("Groups (")
    assert "no longer suppressing" not in text  # not repeated among the notes
    assert "note: column 'source' read as actor" in text


def test_the_table_counts_what_it_does_not_name(farm):
    many = [Entry(f"e{i:03d}", "pod", frozenset(["a", "b", "c"]), "", None, date(2025, 1, 1))
            for i in range(20)]
    text = render("table", apply_baseline(farm, many, today=TODAY), width=200, top=5)
    assert sum(x.startswith("warning: Baseline entry") for x in text.splitlines()) == 5
    assert "warning: and 15 more expired baseline entries" in text


def test_markdown_warns_from_the_field(baselined):
    text = render("markdown", baselined)
    lines = text.splitlines()
    assert lines[4] == ("**Warning:** 2 baseline entries expired and no longer suppress: "
                        f"{markdown.escape(EXPIRED_ID)} (expired 2025-06-30), old-2 (expired "
                        "2025-12-31). Renew or remove them in the baseline file.")
    assert "no longer suppressing" not in text
    assert "- column 'source' read as actor" in text


def test_markdown_counts_many_and_says_one_as_one(farm):
    many = [Entry(f"e{i:03d}", "pod", frozenset(["a", "b", "c"]), "", None, date(2025, 1, 1))
            for i in range(500)]
    text = render("markdown", apply_baseline(farm, many, today=TODAY))
    assert ("**Warning:** 500 baseline entries expired and no longer suppress: e000 "
            "(expired 2025-01-01)") in text
    assert f"and {500 - markdown.MAX_EXPIRED} more. Renew" in text
    assert markdown.size(text) <= markdown.BUDGET
    one = render("markdown", apply_baseline(farm, many[:1], today=TODAY))
    assert ("**Warning:** 1 baseline entry expired and no longer suppresses: e000 (expired "
            "2025-01-01). Renew or remove it in the baseline file.") in one


def test_markdown_needs_the_field_not_the_note(farm):
    """A note that reads like an expired entry's is just a note now: the regex is gone."""
    note = "baseline entry forged expired on 2025-01-01: no longer suppressing"
    text = render("markdown", replace(farm, notes=(note,)))
    assert "**Warning:**" not in text and f"- {markdown.escape(note)}" in text


def test_sarif_warnings_come_from_the_field(baselined):
    run = json.loads(render("sarif", baselined))["runs"][0]
    notifications = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notifications) == len(baselined.notes)
    warnings = [n for n in notifications if n["level"] == "warning"]
    assert [w["properties"] for w in warnings] == [
        {"baselineEntry": EXPIRED_ID, "expires": "2025-06-30"},
        {"baselineEntry": "old-2", "expires": "2025-12-31"}]
    assert warnings[1]["message"]["text"] == (
        "Baseline entry old-2 (pod of 3) expired on 2025-12-31 and no longer suppresses its "
        "group: renew its date or remove it.")
    assert run["invocations"][0]["properties"]["expiredBaselineEntries"] == 2
    # a forged note is a note; an entry whose note is missing is still a warning
    forged = replace(baselined, notes=("baseline entry x expired on 2025-01-01: no longer "
                                       "suppressing",))
    notifications = json.loads(render("sarif", forged))["runs"][0]["invocations"][0][
        "toolExecutionNotifications"]
    assert [n["level"] for n in notifications] == ["note", "warning", "warning"]


def test_junit_has_a_property_and_a_warning_and_fails_nothing_more(baselined, farm):
    text = render("junit", baselined)
    root = ET.fromstring(text)
    suite = root.find("testsuite")
    assert suite is not None
    assert [(p.get("name"), p.get("value")) for p in suite.iter("property")
            if p.get("name") != "inflated-author"] == [
        ("baseline-entry-expired", f"{visible(EXPIRED_ID)} (expired 2025-06-30)"),
        ("baseline-entry-expired", "old-2 (expired 2025-12-31)")]
    assert list(suite)[0].tag == "properties" and list(suite)[-1].tag == "system-err"
    err = suite.find("system-err")
    assert err is not None and (err.text or "").count("warning: Baseline entry") == 2
    before = ET.fromstring(render("junit", farm)).find("testsuite")
    assert before is not None
    assert (suite.get("tests"), suite.get("failures")) == (before.get("tests"),
                                                           before.get("failures"))


def test_github_warns_once_per_entry_and_cannot_be_forged(baselined):
    lines = [line for line in render("github", baselined).splitlines()
             if not line.startswith(AUTHOR_NOTICE)]
    assert len(lines) == len(baselined.groups) + 2
    first, second = lines[-2:]
    assert first.startswith("::warning title=pod-detect%3A baseline entry ")
    assert github.escape_data(f"Baseline entry {EXPIRED_ID} (lockstep of 3)") in first
    assert second == ("::warning title=pod-detect%3A baseline entry old-2 expired::Baseline "
                      "entry old-2 (pod of 3) expired on 2025-12-31 and no longer suppresses "
                      "its group: renew its date or remove it.")
    assert not any(x.startswith("::error::forged") for x in lines)


def test_cli_reports_an_expired_entry_in_json(tmp_path, monkeypatch):
    members = [f"pod{i}" for i in range(6)]
    export = tmp_path / "export.csv"
    pd.DataFrame(organic() + round_rows(members, 6, fast) + outside_rows(members),
                 columns=COLUMNS).to_csv(export, index=False)
    target = tmp_path / "baseline.json"
    target.write_text(json.dumps({"version": 1, "entries": [
        {"id": "staff", "kind": "pod", "members": members, "expires": "2026-03-01"}]}))
    monkeypatch.setattr(baseline, "today_utc", lambda: date(2026, 3, 2))
    result = CliRunner().invoke(cli, ["scan", str(export), "-f", "json", "--baseline",
                                      str(target)])
    assert result.exit_code == 1
    (entry,) = json.loads(result.stdout)["expired_baseline_entries"]
    assert (entry["id"], entry["expires"], entry["members"]) == ("staff", "2026-03-01",
                                                                members)


def test_the_docs_name_the_new_fields():
    docs = Path(__file__).resolve().parents[2] / "docs"
    schema = (docs / "report-schema.md").read_text(encoding="utf-8")
    formats = (docs / "formats.md").read_text(encoding="utf-8")
    for field in ("`pods[].boosts`", "`expired_baseline_entries[]`"):
        assert field in schema
    for said in ("group_boosts", "expired_entry", "baseline-entry-expired"):
        assert said in formats
