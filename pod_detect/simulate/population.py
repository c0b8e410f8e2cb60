"""The accounts of the simulated platform, their traits, roles and posts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pod_detect.errors import ConfigError
from pod_detect.simulate.rows import DAY, diurnal_times
from pod_detect.simulate.world import SimConfig

#: Roles of an account; group draws take only ``FREE`` accounts.
FREE, PLANTED, NEGATIVE, CELEBRITY, CLIENT, FARM = range(6)

#: Time-zone offsets (hours) a community may live in.
_ZONES = np.array([-1, 0, 0, 0, 1, 1, 2])


@dataclass
class World:
    """Per-account traits (arrays indexed by account number); grows when farms are added."""

    community: np.ndarray
    tz: np.ndarray
    activity: np.ndarray
    popularity: np.ndarray
    post_rate: np.ndarray
    comment_p: np.ndarray
    share_p: np.ndarray
    role: np.ndarray

    @property
    def n(self) -> int:
        return len(self.community)

    def add_accounts(self, n: int) -> np.ndarray:
        """Append ``n`` throwaway accounts (they never post) and return their numbers."""
        new = np.arange(self.n, self.n + n)
        zeros = np.zeros(n)
        self.community = np.concatenate([self.community, np.full(n, -1)])
        self.tz = np.concatenate([self.tz, np.zeros(n, dtype=np.int64)])
        for name in ("activity", "popularity", "post_rate", "comment_p", "share_p"):
            setattr(self, name, np.concatenate([getattr(self, name), zeros]))
        self.role = np.concatenate([self.role, np.full(n, FARM)])
        return new

    def celebrities(self) -> np.ndarray:
        return np.flatnonzero(self.role == CELEBRITY)


@dataclass(frozen=True)
class Group:
    """A planted or negative group before it is written into the truth."""

    kind: str
    label: str
    number: int
    members: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.number}"


def build_world(rng: np.random.Generator, config: SimConfig) -> World:
    """The organic background: communities, heavy-tailed activity and popularity.

    Parameters
    ----------
    rng
        The random stream.
    config
        Simulation options.

    Returns
    -------
    World
        ``config.accounts`` accounts, ``config.celebrities`` of them celebrities.
    """
    n, k = config.accounts, config.n_communities
    community = rng.choice(k, size=n, p=rng.dirichlet(np.full(k, 2.0)))
    activity = config.activity * np.exp(1.3 * rng.standard_normal(n))
    popularity = (rng.pareto(1.6, n) + 1.0) * (activity / config.activity) ** 0.3
    rate = config.posts_per_day * np.exp(0.9 * rng.standard_normal(n))
    world = World(
        community=community,
        tz=_ZONES[rng.integers(0, len(_ZONES), k)][community],
        activity=activity,
        popularity=popularity,
        post_rate=np.minimum(rate * (popularity / np.median(popularity)) ** 0.3, 6.0),
        comment_p=rng.beta(1.5, 8.0, n),
        share_p=rng.beta(1.0, 25.0, n),
        role=np.full(n, FREE),
    )
    _crown_celebrities(rng, world, config.celebrities)
    return world


def _crown_celebrities(rng: np.random.Generator, world: World, count: int) -> None:
    stars = rng.choice(world.n, size=min(count, world.n // 10), replace=False)
    top = world.popularity.max()
    world.popularity[stars] = top * rng.uniform(3.0, 8.0, len(stars))
    world.post_rate[stars] = rng.uniform(1.0, 3.0, len(stars))
    world.activity[stars] *= 0.2
    world.role[stars] = CELEBRITY


def draw_members(
    rng: np.random.Generator, world: World, size: int, role: int, community: int | None = None
) -> np.ndarray:
    """Take ``size`` free background accounts (from ``community`` when it has enough).

    Raises
    ------
    ConfigError
        When too few free accounts are left for the groups asked for.
    """
    free = world.role == FREE
    local = free & (world.community == community) if community is not None else free
    pool = np.flatnonzero(local if local.sum() >= size else free)
    if len(pool) < size:
        raise ConfigError(
            f"not enough accounts for the groups asked for: a group of {size} needs more "
            "than the free accounts left; raise accounts or lower the group counts or sizes"
        )
    members = np.sort(rng.choice(pool, size=size, replace=False))
    world.role[members] = role
    return members


def draw_size(rng: np.random.Generator, bounds: tuple[int, int]) -> int:
    """A size uniformly in the inclusive range ``bounds``."""
    return int(rng.integers(bounds[0], bounds[1] + 1))


@dataclass(frozen=True)
class Posts:
    """Every post, ordered by time: its author and its time (seconds since the start)."""

    author: np.ndarray
    time: np.ndarray

    def __len__(self) -> int:
        return len(self.author)

    def of(self, authors: np.ndarray) -> np.ndarray:
        """Indices of the posts written by any of ``authors``."""
        return np.flatnonzero(np.isin(self.author, authors))


def make_posts(rng: np.random.Generator, world: World, days: int) -> Posts:
    """Posts of every account: a Poisson count by its rate, times by the daily cycle.

    Parameters
    ----------
    rng
        The random stream.
    world
        The accounts.
    days
        Length of the window.

    Returns
    -------
    Posts
        Sorted by time, then author.
    """
    counts = rng.poisson(world.post_rate * days)
    author = np.repeat(np.arange(world.n), counts)
    time = np.clip(diurnal_times(rng, days, world.tz[author]), 0, days * DAY - 1)
    order = np.lexsort((author, time))
    return Posts(author=author[order], time=time[order])
