"""Reciprocal but authentic groups a detector must not flag: friends and co-workers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pod_detect.simulate import comments
from pod_detect.simulate.population import NEGATIVE, Group, Posts, World, draw_members, draw_size
from pod_detect.simulate.rows import (
    COMMENT,
    HOUR,
    LIKE,
    MINUTE,
    Rows,
    concat,
    lognormal,
    make_rows,
    sleep_shift,
    work_shift,
)
from pod_detect.simulate.world import SimConfig


@dataclass(frozen=True)
class Circle:
    """How a kind of circle engages: pair affinity range, delays, comment habit."""

    affinity: tuple[float, float]
    delay_median: float
    delay_sigma: float
    comment_p: float
    min_post_rate: float


CIRCLES = {
    "friends": Circle((0.35, 0.75), 1.5 * HOUR, 1.2, 0.35, 0.5),
    "coworkers": Circle((0.2, 0.55), 2 * HOUR, 1.0, 0.25, 0.4),
}


def choose_negatives(rng: np.random.Generator, world: World, config: SimConfig) -> list[Group]:
    """Pick friend groups and co-worker circles, each inside one community when it can.

    Parameters
    ----------
    rng
        The random stream.
    world
        The accounts (members are marked as taken).
    config
        Simulation options.

    Returns
    -------
    list of Group
        Friend groups first, then co-worker circles.
    """
    groups = []
    for kind, circle in CIRCLES.items():
        for number in range(1, getattr(config, kind) + 1):
            size = draw_size(rng, getattr(config, f"{kind}_size"))
            community = int(rng.integers(0, config.n_communities))
            members = draw_members(rng, world, size, NEGATIVE, community)
            world.post_rate[members] = np.maximum(world.post_rate[members], circle.min_post_rate)
            groups.append(Group(kind, "negative", number, members))
    return groups


def negative_rows(
    rng: np.random.Generator, world: World, posts: Posts, group: Group, config: SimConfig
) -> Rows:
    """Members engage many (not all) of each other's posts, at organic speed and in words.

    Each ordered pair has its own affinity; friends answer on their own clock, co-workers
    during working hours.
    """
    circle = CIRCLES[group.kind]
    members = group.members
    own = posts.of(members)
    author_at = np.searchsorted(members, posts.author[own])
    affinity = rng.uniform(*circle.affinity, (len(members), len(members)))
    chance = affinity[author_at]
    chance[np.arange(len(own)), author_at] = 0.0
    which_post, which_member = np.nonzero(rng.random(chance.shape) < chance)
    actor, post = members[which_member], own[which_post]
    delay = lognormal(rng, circle.delay_median, circle.delay_sigma, len(post)).astype(np.int64)
    time = _clock(rng, group.kind, posts.time[post] + delay, world.tz[actor], config)
    likes = make_rows(actor, post, LIKE, time)
    said = rng.random(len(post)) < circle.comment_p
    later = time[said] + rng.exponential(10 * MINUTE, int(said.sum())).astype(np.int64)
    text = comments.organic(rng, len(later), work=group.kind == "coworkers")
    words = make_rows(actor[said], post[said], COMMENT, later, text)
    return concat([likes, words])


def _clock(
    rng: np.random.Generator, kind: str, time: np.ndarray, tz: np.ndarray, config: SimConfig
) -> np.ndarray:
    if kind == "coworkers":
        start_weekday = int((np.datetime64(config.start, "D").astype(np.int64) + 3) % 7)
        return work_shift(rng, time, tz, start_weekday)
    return sleep_shift(rng, time, tz)
