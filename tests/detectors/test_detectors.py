"""Each detector on tiny hand-built exports: what it flags and what it must not."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from conftest import HOUR, build, farm_rows, fast, organic, outside_rows, round_rows, slow

from pod_detect.candidates.context import Context
from pod_detect.detectors import DETECTORS
from pod_detect.pipeline import scan
from pod_detect.reduce import reduce
from pod_detect.scoring import effect
from pod_detect.settings import Settings


def context(rows, drop=()):
    data = build(rows, drop)
    return Context(data, reduce(data), Settings())


def names(data, members):
    return sorted(str(data.accounts[m]) for m in members)


def finding_for(ctx, detector, members):
    """The detector's finding on exactly ``members`` (as a reciprocal group, if it is one)."""
    return next(f for groups in ctx.candidate_sets()
                for f in DETECTORS[detector]().detect(ctx, groups)
                if names(ctx.data, f.members) == sorted(members))


def finding_on(ctx, detector, members):
    """The detector's finding on ``members`` examined as a candidate group of their own."""
    codes = {str(name): code for code, name in enumerate(ctx.data.accounts)}
    (finding,) = DETECTORS[detector]().detect(ctx, [frozenset(codes[m] for m in members)])
    return finding


def fans(n_fans=40, posts=8, seed=4):
    """Each fan engages about 40% of the celebrity's posts, hours after each."""
    rng = np.random.default_rng(seed)
    return [(f"fan{i}", "celeb", f"c{k}", k * 86400 + rng.lognormal(np.log(7200), 1.0),
             k * 86400.0)
            for i in range(n_fans) for k in range(posts) if rng.random() < 0.4]


def test_registry_maps_every_name_to_its_detector():
    assert DETECTORS
    for name, detector in DETECTORS.items():
        assert detector.name == name
        assert detector.requires and detector.description


def test_reciprocal_finds_a_fast_pod_exactly(pod_members):
    ctx = context(organic() + round_rows(pod_members, 6, fast) + outside_rows(pod_members))
    findings = DETECTORS["reciprocal"]().detect(ctx, ctx.reciprocal_groups)
    finding, *others = findings
    assert names(ctx.data, finding.members) == sorted(pod_members)
    assert all(other.strength < 0.2 for other in others)
    assert finding.evidence["reciprocal_density"] == 1.0
    assert finding.evidence["completed_rounds"] == 36
    assert finding.strength > 0.9


def test_timing_marks_a_fast_pod_and_not_a_slow_one(pod_members):
    fast_ctx = context(organic() + round_rows(pod_members, 6, fast) + outside_rows(pod_members))
    slow_ctx = context(organic() + round_rows(pod_members, 6, slow) + outside_rows(pod_members))
    quick = finding_for(fast_ctx, "timing", pod_members)
    unhurried = finding_for(slow_ctx, "timing", pod_members)
    assert quick.strength > 0.8
    assert quick.evidence["baseline"] == "members_outside"
    assert quick.evidence["median_latency_s"] < 600 < quick.evidence["baseline_median_latency_s"]
    assert unhurried.strength == 0.0
    assert unhurried.evidence["timing_pvalue"] > 0.001


def test_timing_falls_back_to_everyone_else_when_members_engage_no_one_else(pod_members):
    ctx = context(organic() + round_rows(pod_members, 6, fast))
    finding = finding_for(ctx, "timing", pod_members)
    assert finding.evidence["baseline"] == "everyone_else"
    assert finding.strength > 0.8


@pytest.mark.parametrize(
    ("shape", "rows", "at_most"),
    [
        ("friends: reciprocal but partial, organic timing",
         round_rows([f"f{i}" for i in range(6)], 6, slow, share=0.45), "low"),
        ("celebrity's fans: one-way, many posts, organic delays", fans(), None),
        ("viral post: one burst of strangers, no repetition",
         [(f"v{i}", "o1", "viral", 1000.0 + i, 900.0) for i in range(200)], None),
    ],
    ids=lambda v: v if isinstance(v, str) and ":" in v else "",
)
def test_organic_shapes_are_not_flagged_at_medium(shape, rows, at_most):
    report = scan(build(organic() + rows))
    severities = {g.severity for g in report.groups}
    assert "medium" not in severities and "high" not in severities, shape
    if at_most is None:
        assert not report.groups, shape


def test_without_timestamps_timing_is_skipped_and_said(pod_members):
    rows = organic() + round_rows(pod_members, 6, fast) + outside_rows(pod_members)
    report = scan(build(rows, drop=("timestamp", "post_time")))
    assert any("timing detector not run" in note for note in report.notes)
    (group,) = report.groups
    # complete rounds are enough on their own: a missing timing signal never caps a verdict
    assert group.severity in ("medium", "high")
    assert group.evidence["behaviour"] < 1.0 or "comments" in group.detectors
    assert names(report.interactions, group.members) == sorted(pod_members)
    assert "timing" not in group.detectors
    assert any("co-engagement counts posts" in note for note in report.notes)


def test_without_post_ids_rounds_cannot_be_counted(pod_members):
    rows = organic() + round_rows(pod_members, 6, fast) + outside_rows(pod_members)
    report = scan(build(rows, drop=("post_id", "post_time")))
    assert report.signals["coverage"] == "no post_id column"
    for group in report.groups:
        assert group.severity == "low"
        assert "round_completeness" not in group.evidence


def rotating_rows(members, posts_each=3, subset=10, seed=7):
    """A large pod: each member's post gets a random subset of the others, within minutes."""
    rng = np.random.default_rng(seed)
    rows = []
    for author, k in itertools.product(members, range(posts_each)):
        post_time = (k * 4 + rng.uniform(0, 4)) * 86400
        others = [m for m in members if m != author]
        for actor in rng.choice(others, size=subset, replace=False):
            rows.append((str(actor), author, f"{author}-r{k}",
                         post_time + rng.lognormal(np.log(400), 0.5), post_time))
    return rows


def test_a_like_farm_is_reported_as_lockstep_with_exact_members():
    farm = [f"farm{i}" for i in range(12)]
    report = scan(build(organic() + farm_rows(farm, ["o3", "o5"])))
    lockstep = [g for g in report.groups if g.kind == "lockstep"]
    assert [names(report.interactions, g.members) for g in lockstep] == [sorted(farm)]
    assert lockstep[0].severity == "high"
    assert lockstep[0].evidence["own_post_share"] == 0.0
    # every like the farm gave a client is counted as bought, none of the organic ones
    clients = {report.post_name(p.post).split("-")[0] for p in report.posts}
    assert clients == {"o3", "o5"}
    farmed = [p for p in report.posts if "-farmed-" in report.post_name(p.post)]
    farm_likes = sum(1 for r in farm_rows(farm, ["o3", "o5"]))
    assert sum(p.from_one_way for p in farmed) == farm_likes  # bought, and not a pod's
    assert sum(p.from_pods for p in report.posts) == 0


def test_a_rotating_pod_is_found_through_co_engagement():
    members = [f"rot{i:02d}" for i in range(40)]
    report = scan(build(organic() + rotating_rows(members)))
    best = max(report.groups, key=lambda g: len(set(names(report.interactions, g.members))
                                                 & set(members)))
    found = set(names(report.interactions, best.members))
    assert len(found & set(members)) / len(found | set(members)) >= 0.9
    assert best.kind == "pod" and best.severity in ("medium", "high")
    assert best.evidence["reciprocal_density"] < 0.5 < best.evidence["coengagement_density"]


def loyal_rows(group, client, posts_each=10, delay=slow, seed=8):
    """Accounts that engage every post of one popular client, after ``delay``; the client's
    posts also get an organic audience, engaging after about an hour."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(posts_each):
        post_time = (k + rng.uniform(0, 1)) * 86400
        audience = [f"o{i}" for i in rng.choice(80, size=len(group) * 3, replace=False)]
        for actor in audience:
            rows.append((actor, client, f"{client}-l{k}",
                         post_time + rng.lognormal(np.log(HOUR), 0.6), post_time))
        for actor in group:
            rows.append((actor, client, f"{client}-l{k}", post_time + delay(rng), post_time))
    return rows


@pytest.mark.parametrize(
    ("shape", "delay", "supplied_by_coverage"),
    [("a farm: every post, within minutes", fast, True),
     ("a brand's staff: every post, at their own pace", slow, False)],
    ids=["early", "late"],
)
def test_covering_a_clients_posts_counts_only_when_early(shape, delay, supplied_by_coverage):
    group = [f"g{i}" for i in range(8)]
    ctx = context(organic() + loyal_rows(group, "celeb", delay=delay))
    finding = finding_on(ctx, "coengagement", group)
    assert finding.kind == "lockstep", shape
    evidence = finding.evidence
    # the group is only a quarter of the client's audience, but engages all of its posts
    assert evidence["group_share_of_engagers"] < 0.3 and evidence["target_coverage"] > 0.9
    assert (evidence["earliness"] > 0.5) is supplied_by_coverage, shape
    by_share = evidence["coengagement_density"] * min(1, evidence["group_share_of_engagers"] / 0.5)
    if supplied_by_coverage:
        assert finding.strength > by_share + 0.2, shape
    else:  # not reportable, even with the strongest behaviour
        assert effect(finding.strength, 1.0) < Settings().low, shape


def test_fans_liking_a_few_of_each_others_posts_are_not_a_pod():
    fans_ = [f"fan{i}" for i in range(10)]
    rng = np.random.default_rng(9)
    rows = loyal_rows(fans_, "celeb", delay=fast)
    for author, k in itertools.product(fans_, range(3)):  # now and then one fan likes another
        post_time = rng.uniform(0, 10) * 86400
        actor = fans_[(fans_.index(author) + 1 + k) % len(fans_)]
        rows.append((actor, author, f"{author}-own{k}", post_time + slow(rng), post_time))
    ctx = context(organic() + rows)
    finding = finding_on(ctx, "coengagement", fans_)
    assert finding.kind == "lockstep"
    assert finding.evidence["own_post_share"] == 0.0


def test_group_rows_find_the_same_targets_and_places_as_the_dataframe_way():
    """The packed-key targets and the frame-wide places equal the group-by ones."""
    from pod_detect.candidates.context import Chance, _targeted, _targeted_frames
    from pod_detect.reduce import places

    members = [f"m{i}" for i in range(6)]
    rows = organic(n_accounts=60) + round_rows(members, 4, fast)
    rows += outside_rows(members, n_accounts=60)
    ctx = context(rows)
    groups = [g for groups in ctx.candidate_sets() for g in groups][:1] or [
        frozenset(range(6))]
    got = ctx.group_rows(groups)
    sizes = np.array([len(g) for g in groups] + [0])
    assert got["inside"].any() and not got["own"].all()
    chance = Chance(ctx.reduced.posts["engagers"].to_numpy(),
                    ctx.group_shares(groups, ctx.membership(groups)), ctx.settings.alpha)
    assert np.array_equal(
        _targeted(got, sizes, len(ctx.data.posts), len(ctx.data.accounts), chance),
        _targeted_frames(got, sizes, chance))
    frame = ctx.data.frame
    timed = frame[(frame["post"] >= 0) & frame["timestamp"].notna()]
    mine = (got["post"].to_numpy() >= 0) & got["timestamp"].notna().to_numpy()
    want = places(got["post"].to_numpy()[mine], got["timestamp"].to_numpy()[mine],
                  timed["post"].to_numpy(), timed["timestamp"].to_numpy())
    assert np.allclose(ctx.places(got)[mine], want, equal_nan=True)
    assert np.isnan(ctx.places(got)[~mine]).all()


def test_a_co_engagement_graph_past_its_edge_budget_keeps_its_heaviest_edges():
    from pod_detect.candidates.communities import communities
    from pod_detect.candidates.reciprocal import Budget

    members = [f"m{i}" for i in range(6)]
    rows = organic(n_accounts=60) + round_rows(members, 6, fast)
    ctx = context(rows)
    edges = ctx.coengagement.edges
    assert len(edges) > 10
    settings = Settings(max_edges=10)
    budget = Budget(10_000)
    found = communities(ctx.coengagement, settings, budget)
    assert any("heaviest edges" in note for note in budget.exhausted)
    assert any(names(ctx.data, group) == members for group in found)  # the pod's are heaviest
    assert found == communities(ctx.coengagement, settings, Budget(10_000))


@pytest.mark.parametrize("rows", [0, 1, 5_000])
def test_group_posts_by_sorting_are_the_dataframe_group_by(rows: int) -> None:
    from pod_detect.detectors import coengagement

    rng = np.random.default_rng(rows)
    group, post = rng.integers(0, 30, rows), rng.integers(0, 500, rows)
    author_group = rng.integers(-1, 30, 500)
    inside = pd.DataFrame({"group": group.astype("int64"), "own": author_group[post] == group,
                           "actor": rng.integers(0, 300, rows).astype("int32"),
                           "post": post.astype("int32")})
    distinct = inside.drop_duplicates(["group", "actor", "post"])
    expected = distinct.groupby(["group", "post"], sort=True).agg(
        own=("own", "first"), engagers=("actor", "size")).reset_index()
    sorted_path = coengagement._group_posts(inside, 30, 500, 300)
    pd.testing.assert_frame_equal(sorted_path, expected)
    too_wide = coengagement._group_posts(inside, 2**30, 2**20, 2**20)  # no packing
    pd.testing.assert_frame_equal(too_wide, expected)
