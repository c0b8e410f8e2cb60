"""The third kind, ``coordinated``: co-engagement whose posts' authors the export does not give.

A group that engages the same posts together is a pod (members' own posts) or lockstep (others'
posts) only when the export says whose posts those are. Without an author column, or with the
author unknown for most of the group's engagements on them, it is ``coordinated``, and nothing
it reports may claim whose posts they were.
"""

from __future__ import annotations

import json
import re
from datetime import date

import conftest
import pytest
from conftest import RUSSIAN, build, fast, organic, outside_rows, round_rows

import pod_detect
from pod_detect.detectors.coengagement import kind_of
from pod_detect.formats import FORMATS
from pod_detect.formats.base import RenderOptions
from pod_detect.model import KINDS
from pod_detect.report.baseline import Entry, apply_baseline, parse_baseline, update_baseline

FARM = [f"farm{i}" for i in range(12)]
CLIENTS = ("o3", "o5")
#: What a coordinated group cannot know, in the words the other kinds use for it.
CLAIMS = re.compile(r"own|boost|outside|target|one-way|lockstep|each other's|"
                    r"engage each other|members' posts", re.I)


def farm_rows():
    """Accounts that never post, liking nearly every post of two clients within minutes."""
    return conftest.farm_rows(FARM, CLIENTS)


def unnamed(rows, hidden):
    """``rows`` with the author left out on the farmed posts numbered in ``hidden``."""
    return [(actor, None if "-farmed-" in post and int(post.rsplit("-", 1)[1]) in hidden
             else author, post, time, post_time)
            for actor, author, post, time, post_time in rows]


def names(report, group):
    return sorted(report.account_name(m) for m in group.members)


def the_farm(report):
    """The reported group with the farm's members (exactly them)."""
    (group,) = [g for g in report.groups if set(names(report, g)) & set(FARM)]
    assert names(report, group) == sorted(FARM)
    return group


def claims(texts):
    """The texts of ``texts`` that say whose posts they were."""
    return [t for t in texts if CLAIMS.search(t)]


@pytest.fixture(scope="module")
def without_authors():
    return pod_detect.scan(build(organic() + farm_rows(), drop=("author",)))


@pytest.fixture(scope="module")
def with_authors():
    return pod_detect.scan(build(organic() + farm_rows()))


def test_the_rule():
    # a pod when most posts engaged together are the members' own, whatever else
    assert kind_of(0.5, 0, 10, True) == "pod"
    assert kind_of(0.9, 9, 10, False) == "pod"
    # else coordinated without an author column, or with most engagements' authors unknown
    assert kind_of(0.0, 0, 10, False) == "coordinated"
    assert kind_of(0.0, 4, 10, True) == "coordinated"
    assert kind_of(0.4, 4, 9, True) == "coordinated"
    # else lockstep: half or more of its engagements are on posts of known (others') authors
    assert kind_of(0.0, 5, 10, True) == "lockstep"
    assert kind_of(0.0, 10, 10, True) == "lockstep"
    assert kind_of(0.0, 0, 0, True) == "lockstep"  # nothing engaged together: as before
    assert KINDS == ("pod", "lockstep", "coordinated")


def test_a_farm_in_an_export_without_authors_is_coordinated(without_authors):
    group = the_farm(without_authors)
    assert group.kind == "coordinated" and group.id.startswith("coordinated-")
    assert not [r for r in group.reasons if "own" in r or "boost" in r]
    assert not claims(group.reasons)
    assert any("the posts' authors are not in the export" in r for r in group.reasons)
    evidence = group.evidence
    assert evidence["author_known_share"] == 0.0
    assert "own_post_share" not in evidence and "target_coverage" not in evidence
    for account in without_authors.accounts:
        assert not claims(account.reasons), account.reasons


def test_the_same_farm_with_authors_is_lockstep_and_scores_the_same(without_authors,
                                                                    with_authors):
    farm = the_farm(with_authors)
    assert farm.kind == "lockstep"
    assert "author_known_share" not in farm.evidence  # every author known: not said
    assert farm.evidence["own_post_share"] == 0.0
    assert any("(one-way: lockstep)" in r for r in farm.reasons)
    # kind is what the report calls it, not how strong it is
    assert farm.severity == the_farm(without_authors).severity == "high"


@pytest.mark.parametrize(("hidden", "kind"), [(range(6), "coordinated"), (range(2), "lockstep")],
                         ids=["most-unknown", "few-unknown"])
def test_authors_unknown_for_most_of_the_engagements_make_it_coordinated(hidden, kind):
    report = pod_detect.scan(build(organic() + unnamed(farm_rows(), set(hidden))))
    group = the_farm(report)
    assert group.kind == kind
    share = group.evidence["author_known_share"]
    assert (share < 0.5) is (kind == "coordinated")
    if kind == "coordinated":  # the reciprocal and timing detectors ran too: no claims there
        assert {"reciprocal", "timing"} <= set(group.detectors)
        assert not claims(group.reasons), group.reasons
        assert f"given for {share:.0%}" in " ".join(group.reasons)


def test_a_reciprocal_pod_with_authors_stays_a_pod(pod_members):
    report = pod_detect.scan(build(organic() + round_rows(pod_members, 6, fast)
                                   + outside_rows(pod_members)))
    (group,) = report.groups
    assert names(report, group) == sorted(pod_members) and group.kind == "pod"


def test_a_coordinated_groups_members_count_like_a_like_farms():
    report = pod_detect.scan(build(organic() + unnamed(farm_rows(), set(range(6)))))
    group = the_farm(report)
    assert group.kind == "coordinated"
    # every engagement by a member, on a post whose author is known, is counted
    farmed = [p for p in report.posts if "-farmed-" in report.post_name(p.post)]
    assert {report.post_name(p.post).rsplit("-", 1)[1] for p in farmed} == {"6", "7"}
    assert all(p.from_one_way == p.engagements and p.from_pods == 0 for p in farmed)
    # members take part in full: there are no rounds to measure them by
    scores = {a.score for a in report.accounts if a.group == group.id}
    assert scores == {group.score}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_renders_a_coordinated_group(without_authors, name):
    text = FORMATS[name](without_authors, RenderOptions())
    if name == "sarif":  # the driver declares every kind's rule; the results are the group's
        text = json.dumps(json.loads(text)["runs"][0]["results"])
    if name == "csv-authors":  # a row per known author: without authors, the header alone
        assert text.splitlines() == [text.splitlines()[0]] and "author" in text
        return
    assert "coordinated" in text
    assert "lockstep" not in text
    assert "members' own" not in text


def test_sarif_has_a_rule_for_coordinated_groups(without_authors):
    log = json.loads(FORMATS["sarif"](without_authors, RenderOptions()))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    (result,) = run["results"]
    assert result["ruleId"] == "coordinated"
    rule = rules[result["ruleIndex"]]
    assert rule["id"] == "coordinated" and rule["name"] == "CoordinatedEngagement"
    assert "authors are not in the export" in rule["fullDescription"]["text"]
    assert result["message"]["text"].startswith("Coordinated group of 12 accounts")


def test_a_baseline_entry_matches_its_own_kind_only(without_authors):
    group = the_farm(without_authors)
    members = frozenset(FARM)
    today = date(2026, 1, 1)

    def entry(kind):
        return Entry("accepted", kind, members, "a known campaign", None, None)

    assert not apply_baseline(without_authors, [entry("lockstep")], 0.7, today=today).suppressed
    out = apply_baseline(without_authors, [entry("coordinated")], 0.7, today=today)
    assert [s.group.id for s in out.suppressed] == [group.id] and not out.groups
    document = update_baseline(without_authors, [entry("lockstep")])
    assert [(e["kind"], e["reason"]) for e in document["entries"]] == [
        ("coordinated", "TODO: why is this group accepted?")]
    (parsed,) = parse_baseline(document, "baseline.json")
    assert parsed.kind == "coordinated"


@pytest.mark.skipif(not RUSSIAN.exists(), reason="../shared/data is not beside the checkout")
def test_the_russian_retweets_group_is_coordinated_not_lockstep():
    report = pod_detect.scan(pod_detect.load(str(RUSSIAN)))
    assert report.groups
    assert {g.kind for g in report.groups} == {"coordinated"}
    for group in report.groups:
        assert group.evidence["author_known_share"] < 0.5
        assert not claims(group.reasons), group.reasons
    for account in report.accounts:
        assert not claims(account.reasons), account.reasons
