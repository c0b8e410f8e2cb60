"""Authentic look-alikes of pods, labelled ``negative``: a good detector leaves them alone.

What tells each apart from a pod is in its docstring.
"""

from __future__ import annotations

import numpy as np

from . import text as texts
from .engage import Part, make_part, rounds
from .groups import Group, pick
from .world import HOUR, MINUTE, Posts, World, morning, office, organic_delay

BRAND_LINES = ("Proud to be part of this team", "Great work everyone", "So proud of this",
               "Congrats team", "Excited for this one")


def plant_friends(rng: np.random.Generator, world: World) -> Group:
    """Friend circle (5-12): each engages 30-50% of the others' posts, organically.

    Reciprocal and repeated, but partial coverage, organic delays (minutes to a day,
    quiet at night) and comments in their own words.
    """
    members = pick(rng, world, int(rng.integers(5, 13)), home=0.9)
    world.rate[members] = rng.uniform(0.3, 1.2, len(members))
    world.follow(members, members)
    p = rng.uniform(0.3, 0.5, (len(members), len(members)))
    return _circle(rng, world, "friends", members, p, 0.35, texts.friendly)


def plant_coworkers(rng: np.random.Generator, world: World) -> Group:
    """Co-workers (10-25): 30-45% of each other's posts, in office hours, own words.

    Reciprocal, but partial, with delays of hours that follow the working day.
    """
    members = pick(rng, world, int(rng.integers(10, 26)), home=0.9)
    world.rate[members] = rng.uniform(0.2, 0.8, len(members))
    world.work[members] = True
    world.follow(members, members)
    p = rng.uniform(0.3, 0.45, (len(members), len(members)))
    return _circle(rng, world, "coworkers", members, p, 0.25, texts.friendly, work=True)


def plant_community(rng: np.random.Generator, world: World, size: int = 40) -> Group:
    """A very busy small community: everyone engages 5-25% of everyone's posts.

    Every pair reciprocates repeatedly (members post 1.5-3 times a day), but each post
    gets a small, varying share of the members, at organic delays, in their own words.
    """
    members = pick(rng, world, min(size, world.n // 20), home=0.9)
    world.rate[members] = rng.uniform(1.5, 3.0, len(members))
    world.follow(members, members)
    p = rng.uniform(0.05, 0.25, (len(members), len(members)))
    return _circle(rng, world, "community", members, p, 0.25, texts.organic)


def _circle(rng: np.random.Generator, world: World, kind: str, members: np.ndarray,
            affinity: np.ndarray, comments: float, texter: texts.Texter,
            work: bool = False) -> Group:
    """Members engage each other's posts with per-pair probabilities, organic timing."""
    index = np.zeros(world.n, dtype=np.int64)
    index[members] = np.arange(len(members))

    def rows(rng: np.random.Generator, posts: Posts) -> list[Part]:
        def chance(mine: np.ndarray, engagers: np.ndarray) -> np.ndarray:
            return affinity[index[posts.author[mine]][:, None], index[engagers][None, :]]
        actor, post, t = rounds(rng, posts, members, members, chance,
                                lambda r, n: organic_delay(r, n, burst=0.15))
        t = office(rng, world, actor, t) if work else morning(rng, world, actor, t)
        return [make_part(rng, actor, post, t, comments, texter)]
    return Group(kind, "negative", members, rows)


def plant_fans(rng: np.random.Generator, world: World) -> Group:
    """A celebrity (the most-followed free account) and 200-400 fans on 60-85% of its posts.

    (Fewer fans below 3,000 accounts, in proportion.)

    One-way (the celebrity never engages back); fans are mostly lurkers with notifications
    on (60% within minutes) who write emoji. Among the celebrity's thousands of engagers.
    """
    free = ~world.taken & ~world.throwaway
    star = int(np.flatnonzero(free)[np.argmax(world.follower_counts()[free])])
    world.taken[star] = True
    world.rate[star] = rng.uniform(1.0, 2.0)
    lurkers = world.rate < 0.1
    fans = pick(rng, world, int(rng.uniform(200, 400) * min(1.0, world.n / 3000)), home=0.2,
                among=lurkers if (lurkers & ~world.taken).sum() > 450 else None)
    world.follow(fans, np.array([star]))
    p = rng.uniform(0.6, 0.85)

    def rows(rng: np.random.Generator, posts: Posts) -> list[Part]:
        actor, post, t = rounds(rng, posts, fans, np.array([star]), p,
                                lambda r, n: organic_delay(r, n, burst=0.6))
        return [make_part(rng, actor, post, morning(rng, world, actor, t), 0.3, texts.fan)]
    return Group("fans", "negative", fans, rows, np.array([star]))


def plant_brand(rng: np.random.Generator, world: World) -> Group:
    """A brand and its 15-40 employees, who react to 80-95% of its posts in office hours.

    One-way and complete, but the employees are ordinary accounts with their own posts and
    the delays are organic (median 90 minutes, moved to working hours).
    """
    counts = world.follower_counts()
    brand = pick(rng, world, 1, among=counts >= np.quantile(counts, 0.8))
    world.rate[brand], world.work[brand] = rng.uniform(1.5, 2.5), True
    staff = pick(rng, world, int(rng.integers(15, 41)), home=0.8)
    world.work[staff] = True
    world.follow(staff, brand)
    p = rng.uniform(0.8, 0.95)

    def rows(rng: np.random.Generator, posts: Posts) -> list[Part]:
        actor, post, t = rounds(rng, posts, staff, brand, p,
                                lambda r, n: r.lognormal(np.log(90 * MINUTE), 1.0, n))
        return [make_part(rng, actor, post, office(rng, world, actor, t), 0.08,
                          lambda r, n: texts.templated(r, BRAND_LINES, n))]
    return Group("brand", "negative", staff, rows, brand)


def plant_viral(rng: np.random.Generator, world: World, host: str = "viral") -> Group:
    """One post of an ordinary account drawing 8-25% of all accounts in one burst.

    No repetition: the strangers engage this post once. With ``host="giveaway"``, a
    contest: 10-30% of the accounts react and comment tagging friends ("@ana12 @ben3").
    """
    author = pick(rng, world, 1, among=world.rate > 0.3)[0]
    world.rate[author] = max(world.rate[author], 1.0)
    share = (0.1, 0.3) if host == "giveaway" else (0.08, 0.25)
    crowd = pick(rng, world, int(world.n * rng.uniform(*share)), home=0.1, take=False)
    giveaway = host == "giveaway"

    def rows(rng: np.random.Generator, posts: Posts) -> list[Part]:
        theirs = np.flatnonzero((posts.author == author) & (posts.t < 0.7 * world.days * 86400))
        post = np.full(len(crowd), rng.choice(theirs) if len(theirs) else 0)
        median = 6 * HOUR if giveaway else 2 * HOUR
        t = posts.t[post] + rng.lognormal(np.log(median), 1.0, len(crowd))
        if not giveaway:
            return [make_part(rng, crowd, post, t, 0.2, texts.organic)]
        return [make_part(rng, crowd, post, t, 0.0, texts.organic),
                make_part(rng, crowd, post, t + rng.exponential(MINUTE, len(crowd)), 1.0,
                          texts.mentions)]
    return Group(host, "negative", crowd, rows, np.array([author]))
