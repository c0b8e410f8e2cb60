"""An export without the posts' authors (retweets, shared links: CrowdTangle, the Russian
retweets) is measured against all of its engagement, not against the share whose author is
known: without that, every account's share of all engagement was 0, and the search for
groups corrected for no account at all."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import RUSSIAN, SHARED_DATA

import pod_detect
from pod_detect.candidates.context import Context
from pod_detect.io import parse
from pod_detect.reduce import reduce
from pod_detect.settings import Settings

QUANTUM = SHARED_DATA / "quantumcomputing-se-2018.csv"


def test_activity_counts_engagements_of_posts_with_no_author():
    rows = pd.DataFrame({
        "actor": ["a", "a", "a", "b", "b", "c"],
        "author": ["x", None, None, "x", None, "a"],
        "post_id": ["p1", "p2", "p2", "p1", "p3", "p4"],
    })
    data = parse(rows)
    context = Context(data, reduce(data), Settings())
    given = context.reduced.accounts["given"].to_numpy()
    activity = context.activity()
    code = {name: i for i, name in enumerate(data.accounts)}
    # a: p1 (author known) and p2 (twice, one distinct engagement); b: p1 and p3; c: p4
    assert [activity[code[n]] for n in "abc"] == [2, 2, 1]
    assert [given[code[n]] for n in "abc"] == [1, 1, 1]
    assert activity[code["x"]] == 0
    named = parse(rows.fillna({"author": "y"}))
    named_context = Context(named, reduce(named), Settings())
    assert list(named_context.activity()) == list(named_context.reduced.accounts["given"])


@pytest.mark.skipif(not RUSSIAN.exists(), reason="shared data not here")
def test_the_russian_group_is_the_same_without_the_author_column():
    frame = pd.read_csv(RUSSIAN, dtype=str, keep_default_na=False)
    reports = [pod_detect.scan(parse(f)) for f in (frame, frame.drop(columns=["author"]))]
    found = [{frozenset(r.account_name(m) for m in g.members): g for g in r.groups
              if g.severity in ("medium", "high")} for r in reports]
    assert found[0].keys() == found[1].keys() and len(found[0]) == 1
    for groups in found:
        (group,) = groups.values()
        assert group.kind == "coordinated"
        assert "predicts 0.0%" not in " ".join(group.reasons)
        assert group.evidence["expected_share_of_engagers"] > 0
        assert group.evidence["log10_pvalue"] > -12  # corrected for the accounts searched


@pytest.mark.skipif(not QUANTUM.exists(), reason="shared data not here")
def test_an_organic_community_without_authors_is_still_clean():
    frame = pd.read_csv(QUANTUM, dtype=str, keep_default_na=False).drop(columns=["author"])
    report = pod_detect.scan(parse(frame))
    assert [g for g in report.groups if g.severity in ("medium", "high")] == []
    assert report.interactions.signals()["timing"] is None  # timing runs without authors
