"""A farm rented out in batches: pieces of the co-engagement graph, joined by their targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
from conftest import DAY, HOUR, build

from pod_detect.candidates.campaigns import campaigns
from pod_detect.candidates.cograph import CoGraph
from pod_detect.model import Group
from pod_detect.pipeline import scan
from pod_detect.scoring import fill, select


def graph(pairs: list[tuple[int, int]]) -> CoGraph:
    a, b = zip(*pairs, strict=True) if pairs else ((), ())
    edges = pd.DataFrame({"actor_a": np.array(a, dtype=np.int64),
                          "actor_b": np.array(b, dtype=np.int64),
                          "weight": 3, "weighted": 1.0, "pvalue": 1e-6, "scale": 86400.0})
    return CoGraph(edges, edges[["actor_a", "actor_b", "weight"]], {})


def rows(engaged: list[tuple[int, int]]) -> pd.DataFrame:
    return pd.DataFrame(engaged, columns=["actor", "post"]).astype("int64")


def test_pieces_that_engaged_a_common_post_are_one_campaign():
    silent = np.ones(20, dtype=bool)
    pieces = graph([(0, 1), (1, 2), (3, 4), (10, 11)])  # pieces {0,1,2}, {3,4}, {10,11}
    engaged = rows([(0, 7), (1, 7), (3, 7), (4, 7),  # two of each of the first two: post 7
                    (10, 8), (11, 8)])  # the third piece engaged another post
    assert campaigns(pieces, engaged, silent, 3) == [frozenset({0, 1, 2, 3, 4})]


def test_one_member_in_common_is_no_batch_and_one_piece_is_no_campaign():
    silent = np.ones(20, dtype=bool)
    pieces = graph([(0, 1), (1, 2), (3, 4)])
    one_each = rows([(0, 7), (3, 7), (0, 8), (1, 8), (2, 8)])
    assert campaigns(pieces, one_each, silent, 3) == []


def test_accounts_that_post_are_left_out():
    silent = np.ones(20, dtype=bool)
    silent[4] = False  # an author: a farm is made of accounts with no life of their own
    pieces = graph([(0, 1), (1, 2), (3, 4), (4, 5)])
    engaged = rows([(0, 7), (1, 7), (3, 7), (5, 7)])
    assert campaigns(pieces, engaged, silent, 3) == []  # {3} and {5} are pieces of one now


def group(members, severity, score, name):
    return Group(name, "lockstep", tuple(sorted(members)), score, severity, {}, (), ())


def test_a_residual_keeps_its_accounts_from_weaker_pieces_until_it_fails():
    core = group({0, 1, 2}, "high", 0.9, "core")
    campaign = group(set(range(12)), "medium", 0.5, "campaign")
    piece = group({5, 6, 7}, "low", 0.3, "piece")
    taken: set[int] = set()
    accepted, residual = select([core, campaign, piece], taken, 3)
    assert [g.id for g in accepted] == ["core"]
    assert residual == [frozenset(range(3, 12))]  # the piece does not take 5, 6, 7 first
    # the residual failed its own examination: the piece gets its turn
    assert [g.id for g in fill([core, campaign, piece], taken)] == ["piece"]


def test_a_farm_working_in_batches_over_months_is_flagged_as_one_campaign():
    """Sixty throwaway accounts in twelve batches of five; each batch stars four of twenty
    long-lived repositories within a few hours, on a day of its own; each repository gets
    stars from two or three batches (about 40% of its stars, like the real campaign in
    ../shared/data) and, over a year, from an organic crowd that posts and stars other
    repositories too."""
    rng = np.random.default_rng(3)
    data = []
    repos = [f"repo{i}" for i in range(20)]
    owners = [f"owner{i}" for i in range(20)]
    for i in range(400):  # organic: each account owns a post and stars a few, any time
        actor = f"o{i}"
        data.append((f"o{(i + 1) % 400}", actor, f"own{i}", rng.uniform(0, 365) * DAY, 0.0))
        for r in rng.choice(20, size=1, replace=False):
            data.append((actor, owners[r], repos[r], rng.uniform(0, 365) * DAY, 0.0))
        for r in rng.choice(200, size=5, replace=False):  # and a life elsewhere
            data.append((actor, f"elsewhere{r}", f"other{r}", rng.uniform(0, 365) * DAY, 0.0))
    batches = [[f"farm{b}_{k}" for k in range(5)] for b in range(12)]
    for b, batch in enumerate(batches):
        day = rng.uniform(30, 330) * DAY
        for r in [(b + j * 3) % 20 for j in range(4)]:
            for actor in batch:
                data.append((actor, owners[r], repos[r], day + rng.uniform(0, 4 * HOUR), 0.0))
            day += rng.uniform(1, 3) * DAY
    report = scan(build(data))
    farm = {a for batch in batches for a in batch}
    flagged = {report.account_name(m) for g in report.groups
               if g.severity in ("medium", "high") for m in g.members}
    assert len(flagged & farm) >= 0.8 * len(farm)
    assert not flagged - farm
    biggest = max(report.groups, key=lambda g: len(g.members))
    names = {report.account_name(m) for m in biggest.members}
    assert sum(bool(names & set(batch)) for batch in batches) >= 3  # pieces joined
