"""An independent generator of platform exports with planted pods, for ``heldout.py``.

``generate(scenario, seed)`` draws one platform-neutral export (accounts, posts, engagement
rows and the truth); :mod:`heldout.platforms` writes it in the column names and formats of
an Instagram-, Twitter/X- or LinkedIn-like export. numpy only; the same arguments always
give the same rows. It shares no code or parameters with ``pod_detect.simulate``.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from . import groups as g
from . import negatives as n
from .engage import Part, join, organic
from .world import DAY, Posts, World, build_world, simulate_posts

__all__ = ["NEGATIVES", "SCENARIOS", "Export", "Scenario", "generate"]

Planter = Callable[[np.random.Generator, World], g.Group]
PLANTERS: dict[str, Planter] = {
    "classic": g.plant_classic, "classic-small": partial(g.plant_classic, lo=5, hi=12),
    "classic-large": partial(g.plant_classic, lo=13, hi=30), "window": g.plant_window,
    "slow": g.plant_slow, "rotating": g.plant_rotating, "camouflage": g.plant_camouflage,
    "drift": g.plant_drift, "likefarm": g.plant_likefarm, "partial": g.plant_partial,
}
#: Negatives planted in every scenario, in this order (exclusive members first).
NEGATIVES: tuple[tuple[str, Planter], ...] = (
    ("friends", n.plant_friends), ("friends", n.plant_friends),
    ("coworkers", n.plant_coworkers), ("community", n.plant_community),
    ("fans", n.plant_fans), ("brand", n.plant_brand),
    ("viral", n.plant_viral), ("viral", n.plant_viral), ("viral", n.plant_viral),
    ("giveaway", partial(n.plant_viral, host="giveaway")),
)


@dataclass(frozen=True)
class Scenario:
    """A named list of planted kinds (every scenario also gets all the negatives)."""

    name: str
    about: str
    planted: tuple[str, ...]


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("mixed", "one group of each planted kind",
             ("classic", "window", "slow", "rotating", "camouflage", "drift", "likefarm",
              "partial")),
    Scenario("classic", "2 classic pods (5-12 and 13-30 members)",
             ("classic-small", "classic-large")),
    Scenario("window", "2 pods answering inside a strict 20-60 min window", ("window",) * 2),
    Scenario("slow", "2 stealthy pods spreading engagement over 1-30 h", ("slow",) * 2),
    Scenario("rotating", "1 rotating pod of 100-300, 15-40 members a post", ("rotating",)),
    Scenario("camouflage", "2 pods whose members also engage popular accounts heavily",
             ("camouflage",) * 2),
    Scenario("drift", "2 pods whose members join and leave", ("drift",) * 2),
    Scenario("likefarm", "2 like-farms of throwaways, 1-3 clients each", ("likefarm",) * 2),
    Scenario("partial", "2 pods engaging only 60-70% of each other's posts", ("partial",) * 2),
    Scenario("clean", "nothing planted: only the negatives", ()),
)
BY_NAME = {s.name: s for s in SCENARIOS}


@dataclass(frozen=True)
class Export:
    """One generated export, platform-neutral.

    Attributes
    ----------
    scenario, seed
        What was generated.
    world, posts
        The accounts and posts.
    rows
        Engagement rows, sorted by (post, time): no self-engagement, none after the end,
        at most one reaction and one comment per (account, post).
    groups
        Planted groups then negatives, in planting order.
    """

    scenario: str
    seed: int
    world: World
    posts: Posts
    rows: Part
    groups: tuple[g.Group, ...]

    def truth(self, name: Callable[[np.ndarray], list[str]]) -> dict:
        """The truth document :mod:`pod_detect.simulate.evaluate` reads, accounts named by
        ``name``."""
        counters: dict[str, int] = {}
        out = []
        for group in self.groups:
            counters[group.kind] = counters.get(group.kind, -1) + 1
            entry = {"id": f"{group.kind}-{counters[group.kind]}", "kind": group.kind,
                     "label": group.label, "members": sorted(name(group.members))}
            if len(group.targets):
                entry["targets"] = sorted(name(group.targets))
            out.append(entry)
        return {"generator": "benchmarks/heldout", "scenario": self.scenario,
                "seed": self.seed, "groups": out}


def generate(scenario: str, seed: int, accounts: int = 3000, days: int = 14) -> Export:
    """Draw the export of ``scenario`` for ``seed``.

    Parameters
    ----------
    scenario
        A name of :data:`SCENARIOS`.
    seed
        Random seed; the world (accounts, follows) depends on it alone, the groups on both.
    accounts, days
        Organic accounts (like-farm accounts come on top) and days of the export.

    Returns
    -------
    Export
        The rows and the groups.
    """
    spec = BY_NAME[scenario]
    group_rng, post_rng, row_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(
            [seed, zlib.crc32(scenario.encode())]).spawn(3))
    world = build_world(np.random.default_rng(seed), accounts, days)
    planted = [PLANTERS[kind](group_rng, world) for kind in spec.planted]
    planted += [plant(group_rng, world) for _, plant in NEGATIVES]
    posts = simulate_posts(post_rng, world)
    parts = [organic(row_rng, world, posts)]
    for group in planted:
        parts += group.rows(row_rng, posts)
    rows = _finish(join(parts), posts, days * DAY)
    return Export(scenario, seed, world, posts, rows, tuple(planted))


def _finish(rows: Part, posts: Posts, end: float) -> Part:
    """Drop self-engagement and rows after ``end``; keep each (actor, post, kind) once."""
    keep = (rows.actor != posts.author[rows.post]) & (rows.t < end)
    rows = Part(*(getattr(rows, f)[keep] for f in ("actor", "post", "t", "comment", "text")))
    order = np.lexsort((rows.t, rows.comment, rows.actor, rows.post))
    key = np.stack([rows.post[order], rows.actor[order], rows.comment[order]])
    first = np.ones(len(order), dtype=bool)
    first[1:] = np.any(key[:, 1:] != key[:, :-1], axis=0)
    order = order[first]
    order = order[np.lexsort((rows.t[order], rows.post[order]))]
    return Part(*(getattr(rows, f)[order] for f in ("actor", "post", "t", "comment", "text")))
