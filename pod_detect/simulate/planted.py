"""Planted coordination: engagement pods of five kinds and like-farms.

Pod members are ordinary background accounts (they keep their organic life) who post
regularly and engage each other's posts by a routine; like-farm accounts are new throwaway
accounts that never post and like their clients' posts within minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pod_detect.simulate.background import PostSampler
from pod_detect.simulate.emit import pod_rows
from pod_detect.simulate.population import (
    CLIENT,
    PLANTED,
    Group,
    Posts,
    World,
    draw_members,
    draw_size,
)
from pod_detect.simulate.rows import (
    HOUR,
    LIKE,
    MINUTE,
    Rows,
    concat,
    lognormal,
    make_rows,
    sleep_shift,
)
from pod_detect.simulate.world import PLANTED_KINDS, SimConfig


@dataclass(frozen=True)
class Routine:
    """How a pod kind engages a member's post.

    ``median`` and ``sigma`` shape lognormal delays (``median`` 0: uniform in the window);
    ``coverage`` is the chance each member engages each post (rotating pods use subsets).
    """

    median: float
    sigma: float
    coverage: float
    comment_p: float
    post_rate: tuple[float, float] = (0.5, 2.0)


ROUTINES = {
    "classic": Routine(7 * MINUTE, 0.6, 0.95, 0.6),
    "window": Routine(0.0, 0.0, 0.95, 0.5),
    "slow": Routine(3 * HOUR, 0.6, 0.9, 0.4),
    "rotating": Routine(8 * MINUTE, 0.7, 1.0, 0.4, post_rate=(0.2, 0.6)),
    "camouflage": Routine(8 * MINUTE, 0.6, 0.92, 0.5),
}
#: Like-farm delays (lognormal median, sigma) and per-account coverage range.
FARM_DELAY = (4 * MINUTE, 0.7)
FARM_COVERAGE = (0.85, 0.98)
#: Outside engagements per camouflage member per day, and per farm account per day.
CAMOUFLAGE_PER_DAY = 15.0
FARM_DECOYS_PER_DAY = 0.7


def choose_planted(rng: np.random.Generator, world: World, config: SimConfig) -> list[Group]:
    """Pick the members of every planted group and set their posting rates.

    Parameters
    ----------
    rng
        The random stream.
    world
        The accounts; like-farm accounts are added to it.
    config
        Simulation options.

    Returns
    -------
    list of Group
        In :data:`PLANTED_KINDS` order, numbered from 1 within each kind.
    """
    groups = []
    for kind, label in PLANTED_KINDS.items():
        for number in range(1, getattr(config, kind) + 1):
            if kind == "likefarm":
                groups.append(_choose_farm(rng, world, config, number))
                continue
            size = draw_size(rng, getattr(config, f"{kind}_size"))
            members = draw_members(rng, world, size, PLANTED)
            world.post_rate[members] = rng.uniform(*ROUTINES[kind].post_rate, size)
            groups.append(Group(kind, label, number, members))
    return groups


def _choose_farm(rng: np.random.Generator, world: World, config: SimConfig, number: int) -> Group:
    clients = draw_members(rng, world, draw_size(rng, config.likefarm_clients), CLIENT)
    world.post_rate[clients] = rng.uniform(0.8, 2.0, len(clients))
    members = world.add_accounts(draw_size(rng, config.likefarm_size))
    return Group("likefarm", "lockstep", number, members, {"clients": clients})


def planted_rows(
    rng: np.random.Generator,
    world: World,
    posts: Posts,
    popular: PostSampler,
    group: Group,
    config: SimConfig,
) -> Rows:
    """The engagement rows of one planted group.

    Parameters
    ----------
    rng
        The random stream.
    world
        The accounts.
    posts
        Every post.
    popular
        Sampler of popular posts, for camouflage and decoy engagement.
    group
        The planted group.
    config
        Simulation options.

    Returns
    -------
    Rows
        The group's coordinated engagement (plus its camouflage, if any).
    """
    if group.kind == "likefarm":
        return _farm_rows(rng, world, posts, popular, group, config)
    routine = ROUTINES[group.kind]
    own = posts.of(group.members)
    keys = _grid(rng, group.members, posts.author[own])
    if group.kind == "rotating":
        which_post, which_member = _subset(rng, keys, config.rotating_subset)
    else:
        which_post, which_member = np.nonzero(keys < routine.coverage)
    actor, post = group.members[which_member], own[which_post]
    time = posts.time[post] + _delays(rng, routine, len(post), config)
    rows = pod_rows(rng, actor, post, time, comment_p=routine.comment_p)
    if group.kind == "camouflage":
        rows = concat([rows, _outside(rng, posts, popular, group.members, config)])
    return rows


def _grid(rng: np.random.Generator, members: np.ndarray, authors: np.ndarray) -> np.ndarray:
    """Random keys per (post, member); the post's own author gets infinity."""
    keys = rng.random((len(authors), len(members)))
    keys[np.arange(len(authors)), np.searchsorted(members, authors)] = np.inf
    return keys


def _subset(
    rng: np.random.Generator, keys: np.ndarray, bounds: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """A random subset of the other members for each post (rotating pods)."""
    ranks = keys.argsort(axis=1).argsort(axis=1)
    size = np.minimum(rng.integers(bounds[0], bounds[1] + 1, len(keys)), keys.shape[1] - 1)
    which_post, which_member = np.nonzero(ranks < size[:, None])
    return which_post, which_member


def _delays(rng: np.random.Generator, routine: Routine, n: int, config: SimConfig) -> np.ndarray:
    if routine.median == 0:
        return rng.integers(MINUTE, config.window_minutes * MINUTE, n, endpoint=True)
    return lognormal(rng, routine.median, routine.sigma, n).astype(np.int64)


def _outside(
    rng: np.random.Generator,
    posts: Posts,
    popular: PostSampler,
    members: np.ndarray,
    config: SimConfig,
) -> Rows:
    """Camouflage: members also engage many popular accounts outside the pod."""
    actor = np.repeat(members, rng.poisson(CAMOUFLAGE_PER_DAY * config.days, len(members)))
    post = popular.draw(rng, np.full(len(actor), -1))
    keep = ~np.isin(posts.author[post], members)
    actor, post = actor[keep], post[keep]
    time = posts.time[post] + lognormal(rng, 30 * MINUTE, 1.0, len(post)).astype(np.int64)
    return pod_rows(rng, actor, post, time, comment_p=0.3)


def _farm_rows(
    rng: np.random.Generator,
    world: World,
    posts: Posts,
    popular: PostSampler,
    group: Group,
    config: SimConfig,
) -> Rows:
    """Farm accounts like nearly every client post within minutes, plus a few decoys."""
    own = posts.of(group.extra["clients"])
    coverage = rng.uniform(*FARM_COVERAGE, len(group.members))
    which_post, which_member = np.nonzero(rng.random((len(own), len(group.members))) < coverage)
    post = own[which_post]
    time = posts.time[post] + lognormal(rng, *FARM_DELAY, len(post)).astype(np.int64)
    farm = make_rows(group.members[which_member], post, LIKE, time)
    decoy_actor = np.repeat(
        group.members, rng.poisson(FARM_DECOYS_PER_DAY * config.days, len(group.members))
    )
    decoy_post = popular.draw(rng, np.full(len(decoy_actor), -1))
    delay = lognormal(rng, config.delay_hours * HOUR, 1.3, len(decoy_post)).astype(np.int64)
    decoy_time = sleep_shift(rng, posts.time[decoy_post] + delay, world.tz[decoy_actor])
    return concat([farm, make_rows(decoy_actor, decoy_post, LIKE, decoy_time)])
