"""Output formats: every registered format renders; golden files; SARIF schema; escaping.

Golden files in tests/golden/ come from a fixed, hand-built report (so detector and scoring
changes do not move them); regenerate with ``UPDATE_GOLDEN=1 pytest tests/formats/test_formats.py``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
from conftest import COLUMNS, DAY, HOUR, build, fast, organic, outside_rows, round_rows

import pod_detect
from pod_detect.formats import FORMATS, RenderOptions, github, markdown
from pod_detect.formats import csv as csv_format
from pod_detect.formats._common import first_line, members_fingerprint
from pod_detect.io import load
from pod_detect.model import AccountScore, Group, Report
from pod_detect.pipeline import scan
from pod_detect.report import to_dict

HERE = Path(__file__).resolve().parents[1]  # tests/
GOLDEN = HERE / "golden"
SARIF_SCHEMA = HERE / "schemas" / "sarif-schema-2.1.0.json"

HOSTILE = ["=cmd|' /C calc'!A0", "<script>alert(1)</script>", "a|b", "x,y:z%",
           "@here *bold* _it_ `code` [link](http://x)", "-2+3"]
FARM = ["liker1", "liker2", "liker3", "+likér4"]
GOLDEN_FILES = {"markdown": "report.md", "csv": "report.csv", "csv-authors": "report.authors.csv",
                "github": "report.github.txt",
                "junit": "report.junit.xml", "ndjson": "report.ndjson",
                "sarif": "report.sarif.json"}


@pytest.fixture(autouse=True)
def fixed_version(monkeypatch):
    """Goldens do not change when the package version does."""
    monkeypatch.setattr("pod_detect.report.__version__", "0.1.0")
    monkeypatch.setattr("pod_detect.formats.sarif.__version__", "0.1.0")


def group(report_data, kind, names, score, severity, reasons, detectors):
    codes = {str(name): code for code, name in enumerate(report_data.accounts)}
    gid = f"{kind}-{members_fingerprint(names)[:10]}"
    members = tuple(sorted(codes[n] for n in names))
    evidence = {"structure": score, "behaviour": 0.5, "size": len(names)}
    return Group(gid, kind, members, score, severity, evidence, tuple(reasons), detectors)


def golden_report() -> Report:
    """A pod of hostile names (high), a like-farm (medium) and a small pod (low), by hand."""
    farm_rows = [(liker, "o1", f"o1-{k}", k * DAY + 60.0 * (i + 1), k * DAY)
                 for k in range(3) for i, liker in enumerate(FARM)]
    pair = round_rows(["o2", "o3", "o4"], 2, lambda rng: 2 * HOUR, seed=5)
    data = build(round_rows(HOSTILE, 2, fast) + farm_rows + pair)
    groups = (
        group(data, "pod", HOSTILE, 0.9312, "high",
              ["30 of 30 member pairs engage each other repeatedly, both ways (100%)",
               "members engage each other a median 5 min after the post",
               "12 of 12 member posts got engagement from every other member"],
              ("reciprocal", "timing")),
        group(data, "lockstep", FARM, 0.6, "medium",
              ["6 of 6 member pairs engaged at least 3 of the same posts within 900 s",
               "members are 100% of the engagers of the posts they engage together"],
              ("coengagement",)),
        group(data, "pod", ["o2", "o3", "o4"], 0.3, "low",
              ["3 of 3 member pairs engage each other repeatedly, both ways (100%)"],
              ("reciprocal",)),
    )
    accounts = tuple(
        AccountScore(m, g.id, round(g.score * (1 - 0.01 * i), 4), g.severity, {"of": 5},
                     (f"member of {g.kind} {g.id} ({g.severity}, score {g.score:.2f})",
                      "engages and is engaged by the other members"))
        for g in groups for i, m in enumerate(g.members)
    )
    return Report(data, {"min_posts": 2}, data.signals(), groups, accounts, (),
                  ("column 'source' read as actor",))


@pytest.fixture(scope="module")
def fixed() -> Report:
    return golden_report()


@pytest.fixture(scope="module")
def scanned() -> Report:
    """The real pipeline on a tiny export with a planted pod of hostile names."""
    rows = organic(30, 3) + round_rows(HOSTILE, 6, fast) + outside_rows(HOSTILE, 30)
    return pod_detect.scan(build(rows))


@pytest.fixture(scope="module")
def empty() -> Report:
    return pod_detect.scan(build(organic(20, 2)))


def render(name, report, **options):
    return FORMATS[name](report, RenderOptions(**options))


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize("which", ["fixed", "scanned", "empty"])
def test_every_format_renders(request, name, which):
    text = render(name, request.getfixturevalue(which))
    assert isinstance(text, str)
    assert text == render(name, request.getfixturevalue(which))


def test_the_planted_pod_is_found(scanned):
    assert [sorted(scanned.account_name(m) for m in g.members) for g in scanned.groups] == [
        sorted(HOSTILE)]


@pytest.mark.parametrize("name", sorted(GOLDEN_FILES))
def test_golden(fixed, name):
    path = GOLDEN / GOLDEN_FILES[name]
    text = render(name, fixed)
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8", newline="")
    assert path.read_bytes().decode("utf-8") == text


def test_every_golden_file_belongs_to_a_registered_format():
    assert set(GOLDEN_FILES) <= set(FORMATS)
    assert {p.name for p in GOLDEN.iterdir() if not p.name.startswith(".")} == set(
        GOLDEN_FILES.values())


# --- SARIF ---------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["fixed", "scanned", "empty"])
def test_sarif_validates_against_the_official_schema(request, which):
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    log = json.loads(render("sarif", request.getfixturevalue(which)))
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    validator(schema).validate(log)


def test_sarif_results_rules_levels_and_fingerprints(fixed):
    log = json.loads(render("sarif", fixed))
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["pod", "lockstep", "coordinated"]
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["pod", "lockstep", "pod"]
    assert [r["level"] for r in results] == ["error", "warning", "note"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    digest = results[0]["partialFingerprints"]["podMembers/v1"]
    assert digest == members_fingerprint(sorted(HOSTILE))
    assert results[0]["properties"]["members"] == sorted(HOSTILE)
    location = results[0]["locations"][0]["physicalLocation"]
    where = first_line(fixed, fixed.groups[0])
    assert location == {"artifactLocation": {"uri": "test.csv"}, "region": {"startLine": where}}


def test_sarif_names_stdin_and_encodes_paths(fixed):
    data = fixed.interactions
    for source, uri in [("<stdin>", "stdin"), ("exports/my file.csv", "exports/my%20file.csv"),
                        ("exports\\win.csv", "exports/win.csv"),
                        ("/ci/work/my export.csv", "file:///ci/work/my%20export.csv"),
                        ("C:\\work\\a.csv", "file:///C:/work/a.csv")]:
        report = replace(fixed, interactions=replace(data, source=source))
        result = json.loads(render("sarif", report))["runs"][0]["results"][0]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri


# --- CSV -----------------------------------------------------------------------------

def test_csv_neutralises_formulas(fixed):
    rows = list(csv.reader(io.StringIO(render("csv", fixed), newline="")))
    assert rows[0] == list(csv_format.COLUMNS)
    accounts = [r[0] for r in rows[1:]]
    assert "'=cmd|' /C calc'!A0" in accounts and "'-2+3" in accounts
    assert "'+likér4" in accounts and "'@here *bold* _it_ `code` [link](http://x)" in accounts
    assert "x,y:z%" in accounts and "<script>alert(1)</script>" in accounts
    for cell in (c for r in rows for c in r):
        assert not cell.startswith(csv_format.FORMULA_STARTS)
    assert len(rows) == 1 + len(fixed.accounts)


@pytest.mark.parametrize(("cell", "safe"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), ("a=b", "a=b"), ("", ""),
])
def test_neutralise(cell, safe):
    assert csv_format.neutralise(cell) == safe


# --- Markdown ------------------------------------------------------------------------

def test_markdown_escapes_hostile_names(fixed):
    text = render("markdown", fixed)
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "a\\|b" in text
    assert "&#64;here \\*bold\\* \\_it\\_ \\`code\\` \\[link\\](http\\://x)" in text
    for line in text.splitlines():
        if line.startswith("| ") and "---" not in line:
            assert line.replace("\\|", "").count("|") == 7, line


@pytest.mark.parametrize(("raw", "escaped"), [
    ("a|b", "a\\|b"), ("<b>&", "&lt;b&gt;&amp;"), ("`x`", "\\`x\\`"), ("*_[]", "\\*\\_\\[\\]"),
    ("a\\b", "a\\\\b"), ("@team #1", "&#64;team &#35;1"), ("two\nlines", "two lines"),
    ("~~gone~~", "\\~\\~gone\\~\\~"), ("https://x.io", "https\\://x.io"),
    ("WWW.x.io", "WWW\\.x.io"), ("12:30 //", "12:30 //"), ("a.b", "a.b"),
])
def test_markdown_escape(raw, escaped):
    assert markdown.escape(raw) == escaped


@pytest.mark.parametrize("raw", ["~~struck~~", "https://evil.example/login",
                                 "www.evil.example", "<img src=x>", "[a](javascript:x)",
                                 "**bold** _it_ `code` # h", "a|b"])
def test_markdown_escaped_text_renders_as_itself(raw):
    """Rendered by a CommonMark parser with GitHub's strike-through and tables (rich's
    markdown-it): no tag but the paragraph, and the text reads as the name did."""
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable(["strikethrough", "table"]).render(
        markdown.escape(raw))
    inner = html.strip().removeprefix("<p>").removesuffix("</p>")
    assert "<" not in inner.replace("&lt;", ""), html
    import html as html_module

    assert html_module.unescape(inner) == raw


def test_markdown_truncates_long_member_lists(fixed, monkeypatch):
    monkeypatch.setattr(markdown, "MAX_MEMBERS", 5)
    big = fixed.groups[0]
    many = replace(big, members=tuple(range(len(fixed.interactions.accounts))))
    text = render("markdown", replace(fixed, groups=(many,)))
    extra = len(many.members) - markdown.MAX_MEMBERS
    assert f" and {extra} more" in text


# --- GitHub --------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "data", "prop"), [
    ("50% a\r\nb", "50%25 a%0D%0Ab", "50%25 a%0D%0Ab"),
    ("x,y:z", "x,y:z", "x%2Cy%3Az"),
    ("::error::", "::error::", "%3A%3Aerror%3A%3A"),
])
def test_github_escaping(raw, data, prop):
    assert github.escape_data(raw) == data
    assert github.escape_property(raw) == prop


def test_github_one_line_per_group(fixed):
    lines = render("github", fixed).splitlines()
    authors = [line for line in lines if line.startswith("::notice title=pod-detect%3A author ")]
    assert len(authors) == min(10, len(to_dict(fixed)["authors"]))  # then the inflated authors
    lines = lines[:len(lines) - len(authors)]
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::warning", "::notice"]
    for line, group in zip(lines, fixed.groups, strict=True):
        properties, message = line[2:].split(" ", 1)[1].split("::", 1)
        where = f"file=test.csv,line={first_line(fixed, group)},title=pod-detect%3A "
        assert properties.startswith(where)
        assert properties.count(",") == 2 and "\n" not in message
    assert "x,y:z%25" in lines[0]


# --- JUnit and NDJSON ----------------------------------------------------------------

@pytest.mark.parametrize(("fail_on", "failures"), [("low", 3), ("medium", 2), ("high", 1),
                                                    ("never", 0)])
def test_junit_one_testcase_per_group(fixed, fail_on, failures):
    root = ET.fromstring(render("junit", fixed, fail_on=fail_on))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "pod-detect"
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases[:3]] == [g.id for g in fixed.groups]
    assert [c.get("classname") for c in cases[:3]] == ["pod", "lockstep", "pod"]
    assert len(suite.findall("testcase/failure")) == failures == int(suite.get("failures"))
    assert len(cases) == 3 + (failures == 0) == int(suite.get("tests"))


def test_junit_without_groups_has_a_passing_case(empty):
    cases = ET.fromstring(render("junit", empty)).findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == ["no groups at or above medium"]


def test_junit_survives_control_characters(fixed):
    data = fixed.interactions
    names = data.accounts.copy()
    names[fixed.groups[0].members[0]] = "bell\x07name"
    text = render("junit", replace(fixed, interactions=replace(data, accounts=names)))
    # shown as an escape a CI log viewer prints, not run (was U+FFFD before issue 21)
    assert "bell\\x07name" in ET.fromstring(text).find("testsuite/testcase/failure").text


def test_ndjson_groups_then_accounts_then_authors(fixed):
    records = [json.loads(line) for line in render("ndjson", fixed).splitlines()]
    types = [r["type"] for r in records]
    authors = len(to_dict(fixed)["authors"])
    assert types == ["pod"] * 3 + ["account"] * len(fixed.accounts) + ["author"] * authors
    assert all(r["schema_version"] == 1 and r["tool"]["name"] == "pod-detect" for r in records)
    assert records[0]["members"] == sorted(HOSTILE) and records[1]["kind"] == "lockstep"
    assert "likér4" in render("ndjson", fixed)


def test_locations_point_at_the_line_of_the_groups_first_interaction(tmp_path):
    pod = [f"pod{i}" for i in range(6)]
    rows = organic() + round_rows(pod, 6, fast)
    path = tmp_path / "export.csv"
    pd.DataFrame(rows, columns=COLUMNS).sample(frac=1, random_state=3).to_csv(path, index=False)
    report = scan(load(path))
    (group,) = [g for g in report.groups if g.kind == "pod" and g.severity == "high"]
    lines = path.read_text().splitlines()
    where = first_line(report, group)
    actor, author, _, timestamp, _ = lines[where - 1].split(",")
    assert actor in pod and author in pod
    inside = [r for r in rows if r[0] in pod and r[1] in pod]
    assert float(timestamp) == pytest.approx(min(r[3] for r in inside))
    sarif = json.loads(render("sarif", report))
    (result,) = [r for r in sarif["runs"][0]["results"]
                 if r["properties"]["groupId"] == group.id]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == where


def test_first_interactions_of_all_groups_at_once_equal_one_group_at_a_time():
    """The annotations' first time and line, computed for every group in one pass, are
    what a scan of the rows of each group alone gives."""
    from pod_detect import load, scan
    from pod_detect.formats import _common

    report = scan(load(str(Path(__file__).resolve().parents[2] / "examples"
                       / "linkedin_pods.csv")))
    assert report.groups
    frame = report.interactions.frame
    for group in report.groups:
        members = list(group.members)
        mine = frame["actor"].isin(members)
        inside = mine & frame["author"].isin(members)
        rows = frame[inside if group.kind == "pod" and inside.any() else mine]
        first = rows["timestamp"].min()
        line = int(rows.loc[rows["timestamp"] == first, "line"].min())
        assert _common._where(report, group)[:2] == (float(first), line), group.id
