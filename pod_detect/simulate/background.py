"""Organic engagement: community life, celebrities' fans and viral bursts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pod_detect.engines.frames import distinct
from pod_detect.simulate import comments
from pod_detect.simulate.emit import organic_rows
from pod_detect.simulate.population import FREE, NEGATIVE, Group, Posts, World
from pod_detect.simulate.rows import (
    COMMENT,
    DAY,
    HOUR,
    LIKE,
    SHARE,
    Rows,
    concat,
    lognormal,
    make_rows,
    sleep_shift,
)
from pod_detect.simulate.world import SimConfig

#: Share of organic engagements that stay inside the actor's community.
IN_COMMUNITY = 0.75
#: Spread (sigma of the log) of organic response delays.
DELAY_SIGMA = 1.3
#: Viral burst sizes as a share of the accounts.
VIRAL_SHARE = (0.075, 0.2)


@dataclass(frozen=True)
class PostSampler:
    """Draw posts with probability proportional to a weight, within a community or anywhere."""

    order: np.ndarray
    cum: np.ndarray
    lo: np.ndarray
    hi: np.ndarray

    @classmethod
    def build(cls, posts: Posts, world: World, weight: np.ndarray) -> PostSampler:
        """A sampler over ``posts`` with one weight per post."""
        community = world.community[posts.author]
        order = np.argsort(community, kind="stable")
        cum = np.cumsum(weight[order])
        edges = np.searchsorted(community[order], np.arange(world.community.max() + 2))
        start = np.concatenate([[0.0], cum])
        return cls(order=order, cum=cum, lo=start[edges[:-1]], hi=start[edges[1:]])

    def draw(self, rng: np.random.Generator, community: np.ndarray) -> np.ndarray:
        """One post per item of ``community`` (-1, or a community with no posts: anywhere)."""
        c = np.maximum(community, 0)
        local = (community >= 0) & (self.hi[c] > self.lo[c])
        lo = np.where(local, self.lo[c], 0.0)
        hi = np.where(local, self.hi[c], self.cum[-1])
        at = np.searchsorted(self.cum, lo + rng.random(len(c)) * (hi - lo), side="right")
        return self.order[np.minimum(at, len(self.order) - 1)]


def post_weights(rng: np.random.Generator, posts: Posts, world: World) -> np.ndarray:
    """Appeal of each post: its author's popularity times the post's own luck."""
    return world.popularity[posts.author] * np.exp(0.6 * rng.standard_normal(len(posts)))


def organic(
    rng: np.random.Generator, world: World, posts: Posts, sampler: PostSampler, config: SimConfig
) -> Rows:
    """Everyday engagement: each account engages Poisson(activity x days) posts.

    Most targets are in the account's community, chosen in proportion to their authors'
    popularity; delays are lognormal around ``config.delay_hours`` with a tail of days,
    and engagements due in the local night mostly wait for the morning.
    """
    actor = np.repeat(np.arange(world.n), rng.poisson(world.activity * config.days))
    own = rng.random(len(actor)) < IN_COMMUNITY
    post = sampler.draw(rng, np.where(own, world.community[actor], -1))
    keep = posts.author[post] != actor
    actor, post = actor[keep], post[keep]
    delay = lognormal(rng, config.delay_hours * HOUR, DELAY_SIGMA, len(actor))
    time = sleep_shift(rng, posts.time[post] + delay.astype(np.int64), world.tz[actor])
    return organic_rows(rng, world, actor, post, time)


def fans(
    rng: np.random.Generator, world: World, posts: Posts, config: SimConfig
) -> tuple[Rows, list[Group]]:
    """Each celebrity's fans engage a share of the celebrity's posts, one way.

    Returns
    -------
    tuple
        The rows, and the fan sets of the first ``config.fans`` celebrities as negatives.
    """
    pool = np.flatnonzero(np.isin(world.role, (FREE, NEGATIVE)))
    size = min(int(config.fan_share * config.accounts), len(pool))
    batches, groups = [], []
    for number, star in enumerate(world.celebrities(), start=1):
        members = np.sort(rng.choice(pool, size=size, replace=False))
        batches.append(_fan_rows(rng, world, posts, posts.of(np.array([star])), members))
        if number <= config.fans:
            groups.append(Group("fans", "negative", number, members, {"celebrity": int(star)}))
    return concat(batches), groups


def _fan_rows(
    rng: np.random.Generator,
    world: World,
    posts: Posts,
    star_posts: np.ndarray,
    members: np.ndarray,
) -> Rows:
    affinity = rng.beta(2.0, 5.0, len(members))
    hit = rng.random((len(star_posts), len(members))) < affinity
    which_post, which_fan = np.nonzero(hit)
    actor, post = members[which_fan], star_posts[which_post]
    delay = lognormal(rng, HOUR, 1.2, len(actor)).astype(np.int64)
    time = sleep_shift(rng, posts.time[post] + delay, world.tz[actor])
    return organic_rows(rng, world, actor, post, time)


def viral(
    rng: np.random.Generator, world: World, posts: Posts, config: SimConfig
) -> tuple[Rows, list[Group]]:
    """A few ordinary posts go viral: one burst of engagement from many strangers.

    Returns
    -------
    tuple
        The rows, and each viral post's engagers as a negative group.
    """
    ordinary = np.isin(world.role[posts.author], (FREE, NEGATIVE))
    early = posts.time < max(config.days - 2, config.days / 2) * DAY
    candidates = np.flatnonzero(ordinary & early)
    chosen = np.sort(rng.choice(candidates, size=min(config.viral, len(candidates)), replace=False))
    pool = np.flatnonzero(np.isin(world.role, (FREE, NEGATIVE)))
    batches, groups = [], []
    for number, post in enumerate(chosen, start=1):
        rows = _burst(rng, posts, int(post), pool[pool != posts.author[post]], config)
        batches.append(rows)
        members = distinct(rows.actor[rows.time < config.days * DAY])
        groups.append(Group("viral", "negative", number, members, {"post": int(post)}))
    return concat(batches), groups


def _burst(
    rng: np.random.Generator, posts: Posts, post: int, pool: np.ndarray, config: SimConfig
) -> Rows:
    share = rng.uniform(*VIRAL_SHARE)
    size = max(1, min(int(share * config.accounts), len(pool)))
    actor = rng.choice(pool, size=size, replace=False)
    takeoff = posts.time[post] + int(lognormal(rng, 3 * HOUR, 0.5, 1)[0])
    time = takeoff + rng.exponential(1.2 * HOUR, size).astype(np.int64)
    draw = rng.random(size)
    kind = np.where(draw < 0.08, COMMENT, np.where(draw < 0.14, SHARE, LIKE))
    text = np.full(size, "", dtype=object)
    text[kind == COMMENT] = comments.organic(rng, int((kind == COMMENT).sum()))
    return make_rows(actor, np.full(size, post), kind, time, text)
