"""Co-engagement at every time scale: a farm that delivers over hours is invisible to a
15-minute window and found by the default scales, at the scale it acts."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import DAY, HOUR, build, organic

from pod_detect.candidates.cograph import coengagement_graph
from pod_detect.pipeline import scan
from pod_detect.settings import Settings


def slow_farm(farm, n_posts=8, seed=3, passers=12):
    """Throwaway accounts starring the same repositories, each a few hours after the other;
    the repositories are starred by others too, once each, over two weeks (a repository's
    stars spread over its life, the farm's come in a burst)."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n_posts):
        start = (k * 1.5 + rng.uniform(0, 0.5)) * DAY
        for i, actor in enumerate(farm):
            rows.append((actor, f"client{k % 3}", f"repo{k}", start + i * 2 * HOUR
                         + rng.uniform(0, HOUR), start))
        for j in range(passers):
            rows.append((f"passer{k}-{j}", f"client{k % 3}", f"repo{k}",
                         rng.uniform(0, 14) * DAY, 0.0))
    return rows


def test_a_day_says_nothing_on_a_post_whose_engagement_all_comes_within_a_day():
    farm = [f"star{i}" for i in range(8)]
    rows = [r for r in slow_farm(farm) if not r[0].startswith("passer")]  # only the farm
    _, scaled = edges_of(organic() + rows)
    assert not {p for p in scaled if set(p) <= set(farm)}


def edges_of(rows, **settings):
    data = build(rows)
    graph = coengagement_graph(data.frame, Settings(**settings), len(data.accounts))
    names = np.asarray(data.accounts, dtype=object)
    return graph, {(names[a], names[b]): s for a, b, s in zip(
        graph.edges["actor_a"], graph.edges["actor_b"], graph.edges["scale"], strict=True)}


def test_a_farm_acting_over_hours_is_invisible_at_15_minutes_and_found_at_its_scale():
    farm = [f"star{i}" for i in range(8)]
    rows = organic() + slow_farm(farm)
    _, fixed = edges_of(rows, window=900)
    inside = {p for p in fixed if set(p) <= set(farm)}
    assert not inside
    graph, scaled = edges_of(rows)
    inside = {p: s for p, s in scaled.items() if set(p) <= set(farm)}
    assert len(inside) == len(list(itertools.combinations(farm, 2)))
    assert set(inside.values()) <= {86_400.0, 604_800.0}
    assert graph.counts["scales"] == 4 and graph.counts["significant_by_scale"]["86400"] > 0


def test_the_pvalue_is_corrected_for_the_scales_tried():
    farm = [f"star{i}" for i in range(8)]
    rows = organic() + slow_farm(farm)
    tried = Settings().scales
    alone = {w: edges_of(rows, windows=(w,), alpha=0.5)[0].edges for w in tried}
    five, _ = edges_of(rows)
    for _, edge in five.edges.iterrows():
        raw = sorted(
            float(table.loc[(table["actor_a"] == edge["actor_a"])
                            & (table["actor_b"] == edge["actor_b"]), "pvalue"].min())
            if ((table["actor_a"] == edge["actor_a"])
                & (table["actor_b"] == edge["actor_b"])).any() else 1.0
            for table in alone.values())
        simes = min(len(tried) * p / (i + 1) for i, p in enumerate(raw))
        assert edge["pvalue"] == pytest.approx(min(1.0, simes), rel=1e-9)
        assert raw[0] <= edge["pvalue"] <= min(1.0, len(tried) * raw[0]) + 1e-12


def test_the_report_says_the_scale_and_the_budget():
    farm = [f"star{i}" for i in range(8)]
    rows = organic() + slow_farm(farm, passers=3)  # the farm: most of its targets' stars
    report = scan(build(rows))
    (group,) = [g for g in report.groups if g.kind == "lockstep"]
    assert group.evidence["scale_s"] in (86_400.0, 604_800.0)
    assert any("within 1 day" in r or "within 1 week" in r for r in group.reasons)
    assert any("time scales" in note for note in report.notes)
    tight = scan(build(rows), Settings(scale_budget=1))
    assert any("budget hit: co-engagement not tested at" in n for n in tight.notes)
    assert not [g for g in tight.groups if g.kind == "lockstep"]  # the 1-minute scale only


def test_the_report_says_when_busy_posts_were_capped():
    farm = [f"star{i}" for i in range(8)]
    rows = organic() + slow_farm(farm, passers=3)
    rows += [(f"crowd{i}", "o1", "viral-post", 1000.0 + i, 900.0) for i in range(30)]
    report = scan(build(rows), Settings(max_engagers=10))
    capped = [n for n in report.notes if "paired only the first 10 engagers of" in n]
    assert len(capped) == 1 and "busy posts (max_engagers)" in capped[0]
    assert not any("paired only the first" in n for n in scan(build(rows)).notes)
