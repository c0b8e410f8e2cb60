"""Planted groups (pods, like-farms) and their authentic look-alikes (negatives).

Each ``plant_*`` function chooses members in a :class:`~heldout.world.World` (before posts
exist: it may change members' posting rates and follows) and returns a :class:`Group`
whose ``rows`` callable writes the group's engagement once the posts are drawn. The
docstring of each says which signal in the rows reveals it (positives) or tells it apart
from a pod (negatives).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import text as texts
from .engage import Delay, Part, make_part, rounds, scatter
from .world import HOUR, MINUTE, Posts, World

Rows = Callable[[np.random.Generator, Posts], list[Part]]


@dataclass
class Group:
    """One planted or negative group: truth entry plus the rows it adds."""

    kind: str
    label: str
    members: np.ndarray
    rows: Rows
    targets: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))


def pick(rng: np.random.Generator, world: World, k: int, *, home: float = 0.7,
         among: np.ndarray | None = None, take: bool = True) -> np.ndarray:
    """``k`` free organic accounts, a ``home`` share from one random community.

    ``among`` restricts the choice to a boolean mask; ``take`` marks them taken.
    """
    free = ~world.taken & ~world.throwaway & (True if among is None else among)
    community = rng.choice(np.unique(world.community[free]))
    local = np.flatnonzero(free & (world.community == community))
    first = rng.choice(local, min(len(local), round(k * home)), replace=False)
    rest = np.setdiff1d(np.flatnonzero(free), first)
    chosen = np.sort(np.concatenate([first, rng.choice(rest, k - len(first), replace=False)]))
    world.taken[chosen] |= take
    return chosen


def _creators(rng: np.random.Generator, world: World, members: np.ndarray,
              lo: float, hi: float) -> None:
    """Members post ``lo``-``hi`` times a day and follow each other."""
    world.rate[members] = rng.uniform(lo, hi, len(members))
    world.follow(members, members)


def _pod_texter(pool: tuple[str, ...], templated: float) -> texts.Texter:
    def write(rng: np.random.Generator, n: int) -> list[str]:
        own = rng.random(n) < templated
        out = np.array(texts.organic(rng, n), dtype=object)
        out[own] = texts.templated(rng, pool, int(own.sum()))
        return list(out)
    return write


def _pod(rng: np.random.Generator, kind: str, members: np.ndarray, p: object,
         delay: Delay, comments: float, templated: float = 1.0) -> Group:
    """A pod whose members engage each other's posts (``rounds``) with templated comments."""
    texter = _pod_texter(texts.pod_pool(rng), templated)

    def rows(rng: np.random.Generator, posts: Posts) -> list[Part]:
        actor, post, t = rounds(rng, posts, members, members, p, delay)
        return [make_part(rng, actor, post, t, comments, texter)]
    return Group(kind, "pod", members, rows)


def gamma_delay(scale: float) -> Delay:
    """Gamma(2) delays with mean ``2 * scale`` seconds: a round answered within minutes."""
    return lambda rng, n: 30.0 + rng.gamma(2.0, scale, n)


# --------------------------------------------------------------------------- positives


def plant_classic(rng: np.random.Generator, world: World, lo: int = 5, hi: int = 30) -> Group:
    """Classic pod: every member engages 85-95% of the others' posts within minutes.

    Signal: reciprocal, repeated engagement among all members far beyond popularity;
    completeness near 0.9; latency a Gamma(2) of mean 10-20 min; templated comments.
    """
    members = pick(rng, world, int(rng.integers(lo, hi + 1)))
    _creators(rng, world, members, 0.6, 1.8)
    return _pod(rng, "classic", members, rng.uniform(0.85, 0.95),
                gamma_delay(rng.uniform(5, 10) * MINUTE), rng.uniform(0.3, 0.6))


def plant_window(rng: np.random.Generator, world: World) -> Group:
    """Window pod (8-20): 95% of rounds, always inside a strict 20-60 minute window.

    Signal: as a classic pod, with every in-group latency below the window.
    """
    members = pick(rng, world, int(rng.integers(8, 21)))
    _creators(rng, world, members, 0.6, 1.8)
    window = rng.uniform(20, 60) * MINUTE
    return _pod(rng, "window", members, 0.95,
                lambda r, n: 20.0 + (window - 20.0) * r.beta(1.2, 2.5, n), 0.4)


def plant_slow(rng: np.random.Generator, world: World) -> Group:
    """Slow pod (6-15): 80-90% of rounds, spread log-uniformly over 1-30 hours.

    Signal: reciprocity and completeness alone (timing is organic-looking); 40% of its
    comments are templated.
    """
    members = pick(rng, world, int(rng.integers(6, 16)))
    _creators(rng, world, members, 0.6, 1.5)
    return _pod(rng, "slow", members, rng.uniform(0.8, 0.9),
                lambda r, n: np.exp(r.uniform(np.log(HOUR), np.log(30 * HOUR), n)),
                0.3, templated=0.4)


def plant_partial(rng: np.random.Generator, world: World) -> Group:
    """Partial pod (8-16): members engage only 60-70% of each other's posts, quickly.

    Signal: reciprocity far beyond popularity, fast latency, templated comments;
    completeness about 0.65 (few rounds reach 80% of the members).
    """
    members = pick(rng, world, int(rng.integers(8, 17)))
    _creators(rng, world, members, 0.6, 1.8)
    return _pod(rng, "partial", members, rng.uniform(0.6, 0.7),
                gamma_delay(rng.uniform(6, 12) * MINUTE), 0.4)


def plant_rotating(rng: np.random.Generator, world: World) -> Group:
    """Rotating pod (100-300, at most a tenth of the accounts): 15-40 random members a post.

    Signal: members co-engage the same posts within minutes, pair after pair, far more
    than their activity predicts (each pair meets on dozens of posts); fast latency.
    """
    size = int(rng.integers(100, max(101, min(300, world.n // 10) + 1)))
    members = pick(rng, world, size, home=0.3)
    world.rate[members] = rng.uniform(0.4, 1.0, size)
    texter = _pod_texter(texts.pod_pool(rng), 1.0)

    def rows(rng: np.random.Generator, posts: Posts) -> list[Part]:
        def share(mine: np.ndarray, engagers: np.ndarray) -> np.ndarray:
            return rng.integers(15, 41, len(mine))[:, None] / size
        actor, post, t = rounds(rng, posts, members, members, share,
                                lambda r, n: 20.0 + 35 * MINUTE * r.weibull(1.3, n))
        return [make_part(rng, actor, post, t, 0.35, texter)]
    return Group("rotating", "pod", members, rows)


def plant_camouflage(rng: np.random.Generator, world: World) -> Group:
    """Camouflaged pod (8-15): a classic pod whose members also engage popular accounts.

    Each member adds 15-25 engagements a day on posts of the 50 most-followed accounts, at
    organic delays. Signal: the pod's own reciprocity and fast rounds are still there, but
    diluted in a large, popularity-driven activity.
    """
    group = plant_classic(rng, world, 8, 15)
    members, inner = group.members, group.rows
    stars = np.argsort(-world.follower_counts(), kind="stable")[:50]
    per_day = rng.uniform(15, 25)

    def rows(rng: np.random.Generator, posts: Posts) -> list[Part]:
        pool = np.flatnonzero(np.isin(posts.author, stars))
        actor, post, t = scatter(rng, posts, members, pool, per_day, world.days)
        return inner(rng, posts) + [make_part(rng, actor, post, t, 0.2, texts.organic)]
    return Group("camouflage", "pod", members, rows)


def plant_drift(rng: np.random.Generator, world: World) -> Group:
    """Drifting pod (18-28 ever): members join and leave; each active 6 days or more.

    Half the members are there from the start and half stay to the end; the others join
    or leave at random (at least 45% of the export when it is shorter than
    two weeks). Active members engage 90% of active members' posts within minutes.
    Signal: reciprocity and fast rounds among members whose active periods overlap.
    """
    members = pick(rng, world, int(rng.integers(18, 29)))
    _creators(rng, world, members, 0.7, 1.8)
    days = world.days
    least = min(6.0, 0.45 * days)
    join = np.where(rng.random(len(members)) < 0.5, 0.0,
                    rng.uniform(0, days - least, len(members)))
    leave = np.where(rng.random(len(members)) < 0.5, days,
                     np.minimum(days, join + rng.uniform(least, days, len(members))))
    start, end = np.zeros(world.n), np.zeros(world.n)
    start[members], end[members] = join * 86400.0, leave * 86400.0
    texter = _pod_texter(texts.pod_pool(rng), 1.0)

    def rows(rng: np.random.Generator, posts: Posts) -> list[Part]:
        def active(mine: np.ndarray, engagers: np.ndarray) -> np.ndarray:
            t, author = posts.t[mine, None], posts.author[mine, None]
            on = (start[author] <= t) & (t < end[author])
            return 0.9 * (on & (start[engagers] <= t) & (t < end[engagers]))
        actor, post, t = rounds(rng, posts, members, members, active, gamma_delay(8 * MINUTE))
        return [make_part(rng, actor, post, t, 0.4, texter)]
    return Group("drift", "pod", members, rows)


def plant_likefarm(rng: np.random.Generator, world: World) -> Group:
    """Like-farm: 25-60 throwaway accounts react to every post of 1-3 clients in minutes.

    Half the farms have one client among the most-followed accounts (organically popular).
    Each farm account reacts to 75-95% of the clients' posts, a minute or two after a run
    starts (2 min Weibull after the post); otherwise it reacts to a few random posts.
    Signal: the same accounts on the clients' posts within minutes, one-way, post after post.
    """
    farm = world.add_throwaways(rng, int(rng.integers(25, 61)))
    clients = pick(rng, world, int(rng.integers(1, 4)), home=0.0)
    if rng.random() < 0.5:
        top = world.follower_counts() >= np.quantile(world.follower_counts(), 0.95)
        clients[0] = pick(rng, world, 1, among=top)[0]
    world.rate[clients] = np.maximum(world.rate[clients], rng.uniform(0.8, 2.0, len(clients)))
    p = rng.uniform(0.75, 0.95)

    def rows(rng: np.random.Generator, posts: Posts) -> list[Part]:
        actor, post, _ = rounds(rng, posts, farm, clients, p, lambda r, n: np.zeros(n))
        starts = 2 * MINUTE * rng.weibull(1.0, len(posts))
        t = posts.t[post] + starts[post] + rng.exponential(MINUTE, len(post)) + 5.0
        noise = scatter(rng, posts, farm, np.arange(len(posts)), 0.3, world.days)
        return [make_part(rng, actor, post, t, 0.0, texts.organic),
                make_part(rng, *noise, 0.0, texts.organic)]
    return Group("likefarm", "lockstep", farm, rows, np.sort(clients))
