"""Markdown within its budget (issue 23): a pull-request comment never goes over GitHub's
limit, however many groups and however long their ids; the groups left out are counted; no
table, code span or block is cut; expired baseline entries are said."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from markdown_it import MarkdownIt

from pod_detect.formats import FORMATS, RenderOptions, markdown
from pod_detect.model import ExpiredEntry, Group, Interactions, Report

GROUPS = 2_000
LEFT_OUT = re.compile(r"\*\*([\d,]+) of ([\d,]+) groups not shown\*\*")
#: What an id can be made of to break a document: markup, HTML, a code span that never
#: closes, controls, a character that counts twice in UTF-16, a line break.
HOSTILE = "|`<script>@here #1 *_[x](http://e)~\x1b[2J\u202e😀\n\\"
REASONS = ("6 of 6 member pairs engage each other repeatedly, both ways (100%)",
           "members engage each other a median 5 min after the post",
           "12 of 12 member posts got engagement from every other member")


def report_of(names: list[list[str]], notes: tuple[str, ...] = (),
              ids: list[str] | None = None, reasons: tuple[str, ...] = REASONS,
              expired: tuple[ExpiredEntry, ...] = ()) -> Report:
    """A report of one group per list of names, by hand: no scan, one row (the markdown
    reads the names, the groups and the input's counts, not the rows)."""
    accounts = np.asarray(sorted({n for group in names for n in group}), dtype=object)
    code = {name: i for i, name in enumerate(accounts)}
    frame = pd.DataFrame({
        "actor": np.array([0], dtype="int32"), "author": np.array([1], dtype="int32"),
        "post": np.array([0], dtype="int32"), "kind": pd.Categorical(["engage"]),
        "timestamp": [1.6e9], "post_time": [np.nan], "text": [None],
        "line": np.array([2], dtype="int64")})
    data = Interactions(frame, accounts, np.asarray(["p0"], dtype=object), source="many.csv",
                        columns=frozenset({"actor", "author", "post_id", "timestamp"}),
                        rows_read=1)
    groups = tuple(
        Group(ids[g] if ids else f"pod-{g:010d}", "pod",
              tuple(sorted(code[n] for n in members)), round(0.99 - g / 10 / len(names), 4),
              "high" if g < len(names) // 3 else "medium", {}, reasons, ("reciprocal",))
        for g, members in enumerate(names))
    return Report(data, {}, data.signals(), groups, (), (), notes, expired=expired)


def render(report: Report) -> str:
    return FORMATS["markdown"](report, RenderOptions())


def shown_groups(text: str) -> int:
    return sum(line.startswith("### ") for line in text.splitlines())


def check_valid(text: str, report: Report) -> int:
    """The document parses as one table with a row per section, each table line has its
    seven cell borders, and the number of groups shown plus those said to be left out is
    every group. Returns the number shown."""
    shown = shown_groups(text)
    # the most inflated authors' table comes after the groups: parse the two parts apart
    groups_part, _, authors_part = text.partition("\n**Most inflated authors**")
    parse = MarkdownIt("commonmark").enable(["strikethrough", "table"]).render
    html = parse(groups_part)
    assert html.count("<h3>") == shown
    if shown:
        assert html.count("<table>") == 1
        assert html.count("<tr>") == shown + 1  # the header row and one per group
    else:
        assert "<table>" not in html and "| group |" not in text
    if authors_part:
        rows = sum(line.startswith("| ") for line in authors_part.splitlines()) - 2  # head, rule
        authors = parse(authors_part)
        assert authors.count("<table>") == 1 and authors.count("<tr>") == rows + 1
    for line in text.splitlines():
        if line.startswith("| "):
            assert line.replace("\\\\", "").replace("\\|", "").count("|") == 7, line
        # no code span left open: backticks only in our own pairs or escaped
        assert (line.count("`") - line.count("\\`")) % 2 == 0, line
    assert "<script" not in text
    assert text.count("<details>") == text.count("</details>") <= 1
    found = LEFT_OUT.search(text)
    if shown < len(report.groups):
        assert found, text[-500:]
        assert int(found[1].replace(",", "")) == len(report.groups) - shown
        assert int(found[2].replace(",", "")) == len(report.groups)
        assert "`-f html` or `-f json`" in text
    else:
        assert found is None
    return shown


@pytest.fixture(scope="module")
def many() -> Report:
    return report_of([[f"g{g}m{k}" for k in range(6)] for g in range(GROUPS)])


def test_two_thousand_groups_stay_under_the_budget_and_say_how_many_were_left_out(many):
    text = render(many)
    assert markdown.size(text) <= markdown.BUDGET
    assert len(text) <= markdown.BUDGET < 65_536
    shown = check_valid(text, many)
    assert 20 < shown < GROUPS
    # the strongest come first, in the report's order, and the summary counts them all
    assert [line[4:18] for line in text.splitlines() if line.startswith("### ")] == [
        g.id for g in many.groups[:shown]]
    assert f"**{GROUPS} groups (" in text
    assert f"**{GROUPS - shown:,} of {GROUPS:,} groups not shown**" in text
    # the budget is used, not wasted: one more group would not have fitted
    assert markdown.BUDGET - markdown.size(text) < 2 * markdown.size(
        render(replace(many, groups=many.groups[:1])))


def test_the_same_report_gives_the_same_bytes(many):
    assert render(many) == render(many)
    assert render(replace(many)) == render(many)


def test_a_report_that_fits_is_whole_and_says_nothing_is_left_out():
    report = report_of([[f"g{g}m{k}" for k in range(6)] for g in range(10)])
    text = render(report)
    assert check_valid(text, report) == 10
    assert "not shown" not in text


@pytest.mark.parametrize("budget", [3_000, 4_321, 7_777, 12_000, 25_000])
def test_never_over_any_budget(many, monkeypatch, budget):
    monkeypatch.setattr(markdown, "BUDGET", budget)
    monkeypatch.setattr(markdown, "NOTES_BUDGET", 1_000)
    report = replace(many, notes=tuple(f"note {i} " + "n" * 300 for i in range(40)))
    text = render(report)
    assert markdown.size(text) <= budget
    check_valid(text, report)


def test_every_group_that_would_fit_exactly_is_shown(monkeypatch):
    """With a budget of exactly the whole document, nothing is left out; one character
    less and the last group goes, with the line that says so."""
    report = report_of([[f"g{g}m{k}" for k in range(6)] for g in range(30)])
    whole = markdown.size(render(report))
    monkeypatch.setattr(markdown, "BUDGET", whole)
    assert check_valid(render(report), report) == 30
    monkeypatch.setattr(markdown, "BUDGET", whole - 1)
    text = render(report)
    assert markdown.size(text) <= whole - 1
    assert check_valid(text, report) < 30


def test_hostile_long_ids_cannot_break_the_budget_or_hide_their_group():
    """The strongest group's members have ids of 5,000 characters of markup and controls:
    they are cut, so the group is still shown first, and nothing breaks out."""
    names = [[f"{HOSTILE * 200}{k}" for k in range(markdown.MAX_MEMBERS + 5)]]
    names += [[f"{HOSTILE * 50}-{g}-{k}" for k in range(8)] for g in range(1, 400)]
    ids = [f"pod-{HOSTILE * 300}{g}" for g in range(len(names))]
    report = report_of(names, ids=ids, reasons=(HOSTILE * 400, HOSTILE * 3),
                       notes=tuple(HOSTILE * 100 for _ in range(100)))
    text = render(report)
    assert markdown.size(text) <= markdown.BUDGET
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e]", text)
    assert check_valid(text, report) >= 1
    first = next(line for line in text.splitlines() if line.startswith("### "))
    assert first.startswith("### pod-\\|\\`&lt;script&gt;") and "\u2026" in first
    assert "more notes (`-f json` lists them all)" in text


def test_astral_characters_count_twice():
    """A site that counts UTF-16 code units (JavaScript does) sees an emoji as two: the
    budget holds for that count, the larger one."""
    report = report_of([[f"{'😀' * 90}{g}-{k}" for k in range(6)] for g in range(200)])
    text = render(report)
    assert markdown.size(text) == len(text.encode("utf-16-le")) // 2 > len(text)
    assert markdown.size(text) <= markdown.BUDGET
    check_valid(text, report)


def test_clip_cuts_raw_text_before_it_is_escaped():
    assert markdown.clip("abc", 3) == "abc"
    assert markdown.clip("abcd", 3) == "ab\u2026"
    # a cut never leaves half an escape: the escape is made after the cut
    assert markdown.escape(markdown.clip("a" * 99 + "<b>", 100)) == "a" * 99 + "\u2026"
    assert markdown.escape(markdown.clip("a" * 98 + "<b>", 100)) == "a" * 98 + "&lt;\u2026"


# --- expired baseline entries ----------------------------------------------------------

def expired(entry: str, day: str) -> ExpiredEntry:
    """An expired baseline entry, as report/baseline.py puts it in the report."""
    return ExpiredEntry(entry, "pod", ("a", "b", "c"), date.fromisoformat(day))


def with_expired(entries: list[ExpiredEntry], notes: tuple[str, ...] = ()) -> Report:
    """A report of one group whose baseline had ``entries`` expired, each with its note
    after ``notes``, as the baseline writes them."""
    return report_of([["a", "b", "c"]], notes=notes + tuple(e.note for e in entries),
                     expired=tuple(entries))


def test_expired_baseline_entries_are_said_after_the_summary():
    report = with_expired([expired("pod-old <b>@team</b>", "2025-06-30"),
                           expired("old-2", "2025-12-31")],
                          notes=("column 'source' read as actor",))
    text = render(report)
    lines = text.splitlines()
    warning = lines[4]
    assert warning == ("**Warning:** 2 baseline entries expired and no longer suppress: "
                       "pod-old &lt;b&gt;&#64;team&lt;/b&gt; (expired 2025-06-30), "
                       "old-2 (expired 2025-12-31). Renew or remove them in the baseline "
                       "file.")
    assert text.index(warning) < text.index("| group |")
    # said once: not again among the notes, which keep the others
    assert "no longer suppressing" not in text
    assert "- column 'source' read as actor" in text
    check_valid(text, report)


def test_many_expired_entries_are_counted_not_all_named():
    report = with_expired([expired(f"e{i:03d}", "2025-01-01") for i in range(500)])
    text = render(report)
    assert ("**Warning:** 500 baseline entries expired and no longer suppress: e000 "
            "(expired 2025-01-01)") in text
    assert f"and {500 - markdown.MAX_EXPIRED} more. Renew" in text
    assert "<details>" not in text  # those were the only notes
    assert markdown.size(text) <= markdown.BUDGET


def test_one_expired_entry_is_an_entry():
    text = render(with_expired([expired("x", "2025-01-01")]))
    assert ("**Warning:** 1 baseline entry expired and no longer suppresses: x (expired "
            "2025-01-01). Renew or remove it in the baseline file.") in text
