"""Bursts a post's own rhythm does not explain: the windows counted, and what they mean."""

from __future__ import annotations

import numpy as np
from conftest import DAY, HOUR, build

from pod_detect.candidates.context import Chance, Context
from pod_detect.detectors.coengagement import _excess, _near
from pod_detect.reduce import reduce
from pod_detect.settings import Settings


def test_near_counts_what_a_double_loop_counts():
    rng = np.random.default_rng(4)
    keys = rng.integers(0, 7, size=300)
    times = rng.uniform(0, 50, size=300).round(1)
    at_keys = rng.integers(0, 9, size=80)
    at_times = rng.uniform(0, 50, size=80).round(1)
    window = rng.choice([0.5, 2.0, 10.0], size=80)
    got = _near(keys, times, at_keys, at_times, window)
    want = [int(((keys == k) & (np.abs(times - t) <= w)).sum())
            for k, t, w in zip(at_keys, at_times, window, strict=True)]
    assert got.tolist() == want


def test_near_splits_keys_that_float64_could_not_space_exactly():
    keys = np.arange(3000, dtype=np.int64)
    times = np.where(keys % 2 == 0, 0.0, 3e15)  # a span that leaves room for one key a pass
    got = _near(keys, times, keys, times + 1.0, np.full(3000, 2.0))
    assert got.tolist() == [1] * 3000


def test_excess_is_the_share_of_bursts_the_rhythm_does_not_explain():
    assert _excess(1.0, 0.0) == 1.0
    assert _excess(0.9, 0.5) == 0.8
    assert _excess(0.4, 0.5) == 0.0  # less bursty than the posts themselves
    assert _excess(float("nan"), 0.2) == 0.0


def crowd_and_farm(farm_day: float | None) -> Context:
    """Ten repositories starred by a crowd over a year (who star others too); eight silent
    accounts star all ten,
    each repository within two hours (on ``farm_day`` + its index), or, with ``None``, at
    times drawn like the crowd's."""
    rng = np.random.default_rng(5)
    rows = []
    for r in range(10):
        for i in range(30):
            rows.append((f"c{r}_{i}", f"owner{r}", f"repo{r}", rng.uniform(0, 365) * DAY, 0.0))
            for o in rng.choice(100, size=5, replace=False):  # the crowd's life elsewhere
                rows.append((f"c{r}_{i}", f"other{o}", f"elsewhere{o}",
                             rng.uniform(0, 365) * DAY, 0.0))
        for k in range(8):
            when = (rng.uniform(0, 365) * DAY if farm_day is None
                    else (farm_day + r) * DAY + rng.uniform(0, 2 * HOUR))
            rows.append((f"farm{k}", f"owner{r}", f"repo{r}", when, 0.0))
    data = build(rows)
    return Context(data, reduce(data), Settings())


def test_a_farm_bursts_on_posts_that_do_not_and_a_crowd_does_not():
    from pod_detect.detectors import DETECTORS

    for day, bursty in ((100.0, True), (None, False)):
        ctx = crowd_and_farm(day)
        names = list(ctx.data.accounts)
        members = frozenset(names.index(f"farm{k}") for k in range(8))
        found = DETECTORS["coengagement"]().detect(ctx, [members])[0]
        evidence = found.evidence
        if bursty:
            assert evidence["synced_share"] == 1.0 and evidence["expected_synced_share"] < 0.1
        else:  # eight accounts at random over a year: a day together is rare
            assert evidence.get("synced_share", 0.0) < 0.5


def test_a_post_engaged_by_few_members_of_a_big_group_is_theirs_when_chance_cannot_say_so():
    # a group that gives 1% of all engagement: 4 of a post's 10 engagers is no accident,
    # 4 of its 1,000 is
    chance = Chance(np.array([10, 1000]), np.array([0.01, 0.0]), 0.01)
    assert chance.beyond(np.array([0, 0]), np.array([0, 1]), np.array([4, 4])).tolist() == [
        True, False]
