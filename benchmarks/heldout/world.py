"""Accounts, a follower graph and posts: the organic platform the groups are planted in.

Modelling choices (deliberately unlike ``pod_detect.simulate``, which this code never reads):

* accounts belong to communities of Dirichlet sizes; each follows a log-normal number of
  others, chosen by a stochastic block model weighted by a Pareto "attractiveness", so the
  follower counts are heavy-tailed (preferential attachment in effect);
* each account posts as a self-exciting (Hawkes) process: Poisson immigrants at the account's
  rate, placed on a diurnal profile in the account's own time zone, each spawning a Poisson
  number of follow-up posts a few hours later;
* each post has a Lomax (power-law) popularity;
* engagement delays are a mixture: a Weibull notification burst (minutes) or a log-normal slow
  tail (hours), with engagement at night pushed to the next morning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0
#: Time zones (hours from UTC) and how many accounts live in each.
TZ_HOURS = np.array([-8.0, -5.0, -3.0, 0.0, 1.0, 2.0, 3.0, 5.5, 8.0, 9.0])
TZ_SHARE = np.array([0.10, 0.18, 0.07, 0.10, 0.17, 0.12, 0.06, 0.08, 0.07, 0.05])
#: Relative posting activity by local hour: leisure accounts and work-hours accounts.
LEISURE = np.array([2, 1, .5, .3, .3, .5, 1, 3, 5, 5, 4, 4, 6, 5, 4, 4, 4, 5, 6, 8, 9, 9, 7, 4])
WORKDAY = np.array([0, 0, 0, 0, 0, 0, .2, 1, 5, 8, 8, 7, 5, 7, 8, 7, 6, 4, 1, .3, .2, 0, 0, 0])
#: Hawkes branching ratio and mean delay of a follow-up post.
BRANCHING, FOLLOW_UP = 0.35, 2 * HOUR


@dataclass
class World:
    """The accounts of one export and who follows whom.

    Attributes
    ----------
    days
        Length of the export in days (times are seconds from its start).
    community, tz, attract, propensity, rate
        Per account: community, UTC offset in hours, Pareto attractiveness, engagement
        propensity (mean 1), posting rate per day.
    work
        Per account: posts and engages during working hours (brands, co-workers).
    throwaway
        Per account: a like-farm account (never posts, no organic life).
    followers
        ``followers[j]``: sorted ids of the accounts that follow ``j``.
    taken
        Per account: already a member of a planted or negative group.
    """

    days: float
    community: np.ndarray
    tz: np.ndarray
    attract: np.ndarray
    propensity: np.ndarray
    rate: np.ndarray
    work: np.ndarray
    throwaway: np.ndarray
    followers: list[np.ndarray]
    taken: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.taken = np.zeros(len(self.rate), dtype=bool)

    @property
    def n(self) -> int:
        """Number of accounts."""
        return len(self.rate)

    def follower_counts(self) -> np.ndarray:
        """Followers per account."""
        return np.array([len(f) for f in self.followers])

    def follow(self, fans: np.ndarray, idols: np.ndarray) -> None:
        """Make every account of ``fans`` follow every account of ``idols`` (not itself)."""
        for idol in idols:
            self.followers[idol] = np.union1d(self.followers[idol], fans[fans != idol])

    def add_throwaways(self, rng: np.random.Generator, k: int) -> np.ndarray:
        """Append ``k`` like-farm accounts (no posts, no followers); return their ids."""
        ids = np.arange(self.n, self.n + k)
        grow = {"community": -1, "tz": rng.choice(TZ_HOURS), "attract": 0.0,
                "propensity": 0.0, "rate": 0.0, "work": False, "throwaway": True}
        for name, value in grow.items():
            setattr(self, name, np.append(getattr(self, name), np.full(k, value)))
        self.followers.extend(np.array([], dtype=np.int64) for _ in range(k))
        self.taken = np.append(self.taken, np.ones(k, dtype=bool))
        return ids


def build_world(rng: np.random.Generator, n: int, days: float) -> World:
    """Draw ``n`` organic accounts and their follower graph.

    Parameters
    ----------
    rng
        Random generator.
    n
        Number of accounts.
    days
        Length of the export.

    Returns
    -------
    World
        Accounts with communities, time zones, rates and followers; about 40% of them lurk
        (post at most rarely), the rest post 0.2-3 times a day (log-normal).
    """
    k = max(4, n // 300)
    community = rng.choice(k, n, p=rng.dirichlet(np.full(k, 3.0)))
    attract = rng.pareto(1.4, n) + 1.0
    propensity = rng.lognormal(0.0, 0.8, n)
    rate = np.where(rng.random(n) < 0.4, rng.uniform(0, 0.08, n),
                    np.clip(rng.lognormal(np.log(0.6), 0.7, n), 0.1, 3.0))
    followers = _follow_graph(rng, community, attract)
    return World(days, community, rng.choice(TZ_HOURS, n, p=TZ_SHARE), attract,
                 propensity / propensity.mean(), rate, np.zeros(n, dtype=bool),
                 np.zeros(n, dtype=bool), followers)


def _follow_graph(rng: np.random.Generator, community: np.ndarray,
                  attract: np.ndarray, same: float = 8.0) -> list[np.ndarray]:
    """Followers of each account: a block model times attractiveness (Gumbel top-k draws)."""
    n = len(community)
    degree = np.clip(rng.lognormal(np.log(35), 0.7, n), 3, min(400, n - 1)).astype(int)
    log_attract = np.log(attract)
    fans, idols = [], []
    for lo in range(0, n, 256):
        rows = np.arange(lo, min(n, lo + 256))
        keys = log_attract[None, :] + np.where(community[rows, None] == community[None, :],
                                               np.log(same), 0.0)
        keys = keys + rng.gumbel(size=keys.shape)
        keys[np.arange(len(rows)), rows] = -np.inf
        top = np.argsort(-keys, axis=1)[:, :degree[rows].max()]
        for i, row in enumerate(rows):
            idols.append(top[i, :degree[row]])
            fans.append(np.full(degree[row], row))
    fan, idol = np.concatenate(fans), np.concatenate(idols)
    order = np.lexsort((fan, idol))
    splits = np.searchsorted(idol[order], np.arange(1, n))
    return [np.sort(part) for part in np.split(fan[order], splits)]


@dataclass(frozen=True)
class Posts:
    """Posts of the export: author, publication time (seconds) and popularity."""

    author: np.ndarray
    t: np.ndarray
    quality: np.ndarray

    def __len__(self) -> int:
        return len(self.author)


def simulate_posts(rng: np.random.Generator, world: World) -> Posts:
    """Every account's posts as a Hawkes process on its diurnal profile.

    Returns
    -------
    Posts
        Sorted by time; Lomax popularity ``0.3 + Lomax(1.8)`` (mean about 1.55).
    """
    counts = rng.poisson(world.rate * world.days * (1 - BRANCHING))
    author = np.repeat(np.arange(world.n), counts)
    t = local_times(rng, world, author)
    authors, times = [author], [t]
    while len(author):
        kids = rng.poisson(BRANCHING, len(author))
        author = np.repeat(author, kids)
        t = np.repeat(t, kids) + rng.exponential(FOLLOW_UP, kids.sum())
        authors.append(author)
        times.append(t)
    author, t = np.concatenate(authors), np.concatenate(times)
    keep = t < world.days * DAY
    order = np.argsort(t[keep], kind="stable")
    author, t = author[keep][order], t[keep][order]
    return Posts(author, t, 0.3 + rng.pareto(1.8, len(author)))


def local_times(rng: np.random.Generator, world: World, who: np.ndarray) -> np.ndarray:
    """A random day of the export and an hour of the account's diurnal profile, in seconds."""
    day = rng.integers(0, int(world.days), len(who))
    hour = np.where(world.work[who], rng.choice(24, len(who), p=WORKDAY / WORKDAY.sum()),
                    rng.choice(24, len(who), p=LEISURE / LEISURE.sum()))
    t = day * DAY + (hour + rng.random(len(who)) - world.tz[who]) * HOUR
    return np.mod(t, world.days * DAY)


def organic_delay(rng: np.random.Generator, n: int, burst: float = 0.3) -> np.ndarray:
    """Seconds from post to engagement: Weibull burst (share ``burst``) or log-normal tail."""
    fast = rng.random(n) < burst
    return np.where(fast, 15 * MINUTE * rng.weibull(0.9, n),
                    rng.lognormal(np.log(4 * HOUR), 1.1, n)) + 5.0


def morning(rng: np.random.Generator, world: World, who: np.ndarray,
            t: np.ndarray, share: float = 0.85) -> np.ndarray:
    """Move a ``share`` of engagements made between 1 and 7 am local time to 7-10 am."""
    hour = np.mod(t / HOUR + world.tz[who], 24)
    night = (hour >= 1) & (hour < 7) & (rng.random(len(t)) < share)
    return np.where(night, t + (7 - hour + 3 * rng.random(len(t))) * HOUR, t)


def office(rng: np.random.Generator, world: World, who: np.ndarray,
           t: np.ndarray) -> np.ndarray:
    """Move engagements outside 8 am - 6 pm local time to the next working morning."""
    hour = np.mod(t / HOUR + world.tz[who], 24)
    wait = np.where(hour < 8, 8 - hour, np.where(hour >= 18, 32 - hour, 0.0))
    return t + np.where(wait > 0, (wait + 2 * rng.random(len(t))) * HOUR, 0.0)
