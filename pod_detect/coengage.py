"""Co-engagement ("co-retweet", co-action): accounts that engaged the same post close in time.

Two distinct accounts co-engage a post when each has an engagement of that post and the two
engagements are at most ``window`` seconds apart (``|dt| <= window``). A pair's ``weight`` is the
number of distinct posts they co-engaged; its ``weighted`` is the same sum with each post counted
``1 / log2(engagers of the post)``, the Adamic-Adar weight of a shared neighbour, so a post with
two engagers counts 1 and a post with a thousand counts 0.1.

How it stays linear in what it finds: rows are sorted by (post, time); for each row a vectorised
bisection finds the last row of the same post within the window, so the row pairs to look at are
exactly the following rows up to that one. They are expanded with :func:`numpy.repeat` in chunks
of at most ``chunk_pairs`` row pairs and counted with integer pair keys ``a * n + b``. Only row
pairs inside the window are ever built, never every pair of a viral post's engagers; a burst of
``k`` engagements within one window still gives ``k (k - 1) / 2`` of them, which ``max_engagers``
bounds. See ``docs/co-engagement.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pod_detect.errors import ConfigError

__all__ = ["WEIGHTINGS", "CoEngagementStats", "co_engagement", "co_engagement_with_stats"]

#: What ``weight`` counts: ``"count"`` distinct posts co-engaged; ``"qut"`` the QUT
#: coordination-network-toolkit 1.5.2 co-retweet edge weight (see :func:`co_engagement`).
WEIGHTINGS = ("count", "qut")

#: Row pairs built at once; about 40 bytes each while a chunk is counted.
CHUNK_PAIRS = 4_000_000

#: ``weighted`` is summed in fixed point (units of 2**-32), so the sum is exact and the same
#: whatever the chunking and the order of the rows.
_TICKS = 2**32

COLUMNS = ("actor_a", "actor_b", "weight", "weighted")


@dataclass(frozen=True)
class CoEngagementStats:
    """What one co-engagement count looked at.

    Attributes
    ----------
    rows
        Rows with a known post and time (the others are ignored).
    posts
        Distinct posts among those rows.
    capped_posts
        Posts with more than ``max_engagers`` distinct engagers: only the first
        ``max_engagers`` of them (by first engagement) were paired.
    capped_rows
        Rows of the engagers left out by the cap.
    candidates
        Row pairs of the same post within the window that were counted.
    chunks
        Chunks the row pairs were built in.
    pairs
        Account pairs returned (weight at least ``min_weight``).
    """

    rows: int
    posts: int
    capped_posts: int
    capped_rows: int
    candidates: int
    chunks: int
    pairs: int


@dataclass(frozen=True)
class _Rows:
    """The rows to pair, sorted by (post, time), with per-row facts."""

    post: np.ndarray
    time: np.ndarray
    actor: np.ndarray
    ticks: np.ndarray  # 1 / log2(distinct engagers of the row's post), in units of _TICKS
    repeated: np.ndarray  # the actor has another row on the same post


def co_engagement(
    frame: pd.DataFrame,
    *,
    window: float,
    min_weight: int = 1,
    max_engagers: int | None = None,
    weighting: str = "count",
) -> pd.DataFrame:
    """Count, for every pair of accounts, the posts they engaged within ``window`` seconds.

    Parameters
    ----------
    frame
        The canonical frame (:attr:`pod_detect.model.Interactions.frame`): int ``actor`` and
        ``post`` codes, float ``timestamp`` seconds. Rows with ``post < 0`` or a NaN time
        are ignored.
    window
        Largest time difference, in seconds, between the two engagements (inclusive).
    min_weight
        Smallest ``weight`` returned.
    max_engagers
        Pair only the first ``max_engagers`` distinct engagers of each post (by their first
        engagement of it); ``None`` pairs everyone. How many posts and rows the cap touched
        is in the stats.
    weighting
        ``"count"``: ``weight`` is the number of distinct posts the two co-engaged, each
        (pair, post) once however often they engaged it. ``"qut"``: the edge weight of the
        QUT coordination-network-toolkit 1.5.2 (``compute co_retweet``) read as
        ``user_1 < user_2``: the number of ``actor_a``'s engagements (rows) that have an
        engagement by ``actor_b`` of the same post within the window. The two agree unless an
        account engaged the same post more than once.

    Returns
    -------
    pandas.DataFrame
        Columns ``actor_a`` < ``actor_b`` (int32 codes), ``weight`` (int64) and ``weighted``
        (float64: the same sum with each unit counted ``1 / log2(engagers of its post)``),
        sorted by (``actor_a``, ``actor_b``). ``attrs["stats"]`` holds the
        :class:`CoEngagementStats`.

    Raises
    ------
    ConfigError
        When ``window``, ``min_weight``, ``max_engagers`` or ``weighting`` is out of range.
    """
    table, stats = co_engagement_with_stats(
        frame, window=window, min_weight=min_weight, max_engagers=max_engagers,
        weighting=weighting,
    )
    table.attrs["stats"] = stats
    return table


def co_engagement_with_stats(
    frame: pd.DataFrame,
    *,
    window: float,
    min_weight: int = 1,
    max_engagers: int | None = None,
    weighting: str = "count",
    chunk_pairs: int = CHUNK_PAIRS,
) -> tuple[pd.DataFrame, CoEngagementStats]:
    """:func:`co_engagement`, returning the stats beside the table.

    Parameters
    ----------
    frame, window, min_weight, max_engagers, weighting
        As for :func:`co_engagement`.
    chunk_pairs
        Most row pairs built at once (memory bound); the result does not depend on it.

    Returns
    -------
    table : pandas.DataFrame
        As :func:`co_engagement` returns it.
    stats : CoEngagementStats
    """
    _check(window, min_weight, max_engagers, weighting, chunk_pairs)
    rows, capped_posts, capped_rows = _prepare(frame, max_engagers)
    n_accounts = int(rows.actor.max(initial=-1)) + 1
    counts = _window_ends(rows.post, rows.time, float(window)) - np.arange(len(rows.post)) - 1
    unique_parts: list[pd.DataFrame] = []
    repeated_parts: list[pd.DataFrame] = []
    chunks = 0
    for left in _chunks(counts, chunk_pairs):
        unique, repeated = _chunk(rows, left, counts[left], n_accounts, weighting)
        unique_parts.append(unique)
        repeated_parts.append(repeated)
        chunks += 1
    table = _combine(unique_parts, repeated_parts, n_accounts, min_weight)
    stats = CoEngagementStats(
        rows=len(rows.post), posts=len(np.unique(rows.post)), capped_posts=capped_posts,
        capped_rows=capped_rows, candidates=int(counts.sum()), chunks=chunks, pairs=len(table),
    )
    return table, stats


def _check(
    window: float, min_weight: int, max_engagers: int | None, weighting: str, chunk_pairs: int
) -> None:
    if not (np.isfinite(window) and window >= 0):
        raise ConfigError(f"window must be a number of seconds >= 0, not {window!r}")
    if min_weight < 1:
        raise ConfigError(f"min_weight must be at least 1, not {min_weight!r}")
    if max_engagers is not None and max_engagers < 2:
        raise ConfigError(f"max_engagers must be at least 2, not {max_engagers!r}")
    if weighting not in WEIGHTINGS:
        raise ConfigError(f"weighting must be one of {', '.join(WEIGHTINGS)}, not {weighting!r}")
    if chunk_pairs < 1:
        raise ConfigError(f"chunk_pairs must be at least 1, not {chunk_pairs!r}")


def _prepare(frame: pd.DataFrame, max_engagers: int | None) -> tuple[_Rows, int, int]:
    """Rows with a post and a time, sorted by (post, time), capped; and what the cap dropped."""
    post = frame["post"].to_numpy(dtype=np.int64)
    time = frame["timestamp"].to_numpy(dtype=np.float64)
    keep = np.flatnonzero((post >= 0) & ~np.isnan(time))
    order = keep[np.lexsort((time[keep], post[keep]))]
    post, time = post[order], time[order]
    actor = frame["actor"].to_numpy(dtype=np.int64)[order]
    # (post, actor) groups numbered in order of first appearance: consecutive within a post
    group = pd.factorize((post << 31) | actor, sort=False)[0]
    rank = group - group[np.searchsorted(post, post, side="left")]  # 0 for the first engager
    new_post = np.diff(post, prepend=-1) != 0
    engagers = np.maximum.reduceat(rank, np.flatnonzero(new_post)) + 1 if len(post) else rank
    ticks = _down_weight(engagers)[np.cumsum(new_post) - 1]
    repeated = np.bincount(group)[group] > 1
    capped_posts = capped_rows = 0
    if max_engagers is not None:
        cap = rank < max_engagers
        capped_posts, capped_rows = int((engagers > max_engagers).sum()), int((~cap).sum())
        post, time, actor, ticks, repeated = (a[cap] for a in (post, time, actor, ticks, repeated))
    return _Rows(post, time, actor, ticks, repeated), capped_posts, capped_rows


def _down_weight(engagers: np.ndarray) -> np.ndarray:
    """``1 / log2(engagers)`` in ticks: 1 for two engagers, 0.1 for 1024 (1 for one)."""
    factor = 1.0 / np.log2(np.maximum(engagers, 2).astype(np.float64))
    return np.round(factor * _TICKS).astype(np.int64)


def _window_ends(post: np.ndarray, time: np.ndarray, window: float) -> np.ndarray:
    """For each sorted row, one past the last row of the same post within ``window`` after it.

    A vectorised bisection over each row's rest of the post: ``lo`` is always within the
    window (it starts at the row itself), ``hi`` always past it or the post's end.
    """
    lo = np.arange(len(post))
    hi = np.searchsorted(post, post, side="right")
    active = np.flatnonzero(hi - lo > 1)
    while active.size:
        mid = (lo[active] + hi[active]) // 2
        inside = time[mid] - time[active] <= window
        lo[active] = np.where(inside, mid, lo[active])
        hi[active] = np.where(inside, hi[active], mid)
        active = active[hi[active] - lo[active] > 1]
    return hi


def _chunks(counts: np.ndarray, budget: int) -> Iterator[np.ndarray]:
    """Left rows (with at least one partner) in runs of at most ``budget`` row pairs.

    A single row with more partners than the budget is a chunk of its own.
    """
    rows = np.flatnonzero(counts > 0)
    total = np.cumsum(counts[rows])
    begin = 0
    while begin < len(rows):
        done = int(total[begin - 1]) if begin else 0
        end = max(int(np.searchsorted(total, done + budget, side="right")), begin + 1)
        yield rows[begin:end]
        begin = end


def _chunk(
    rows: _Rows, left: np.ndarray, counts: np.ndarray, n_accounts: int, weighting: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Count the row pairs of one chunk.

    Returns partial sums (``key``, ``weight``, ``weighted``) of the row pairs that are the only
    one of their unit, and the others (``key``, ``unit``, ``weighted``) still to be
    de-duplicated across chunks: a unit is a (pair, post) for ``"count"`` and a (pair, row of
    ``actor_a``) for ``"qut"``. A row pair can only share its unit with another when one of its
    accounts engaged the post more than once, so only those are de-duplicated.
    """
    firsts = np.cumsum(counts) - counts
    i = np.repeat(left, counts)
    j = i + np.arange(len(i)) - np.repeat(firsts, counts) + 1
    a, b = rows.actor[i], rows.actor[j]
    distinct = a != b
    i, j, a, b = i[distinct], j[distinct], a[distinct], b[distinct]
    low = a < b
    key = np.where(low, a, b) * n_accounts + np.where(low, b, a)
    if weighting == "count":
        unit, shared = rows.post[i], rows.repeated[i] | rows.repeated[j]
    else:  # the lower account's row; it pairs more than once only if the other repeated
        unit, shared = np.where(low, i, j), rows.repeated[np.where(low, j, i)]
    ticks = rows.ticks[i]
    single = ~shared
    unique = _sum_by_key(key[single], ticks[single])
    repeated = pd.DataFrame({"key": key[shared], "unit": unit[shared], "weighted": ticks[shared]})
    return unique, repeated.drop_duplicates(["key", "unit"])


def _sum_by_key(key: np.ndarray, ticks: np.ndarray) -> pd.DataFrame:
    grouped = pd.Series(ticks).groupby(key, sort=False)
    sums = pd.DataFrame({"weight": grouped.size(), "weighted": grouped.sum()})
    return sums.rename_axis("key").reset_index()


def _combine(
    unique: list[pd.DataFrame], repeated: list[pd.DataFrame], n_accounts: int, min_weight: int
) -> pd.DataFrame:
    """Add up the chunks' partial sums into the final, sorted pair table."""
    shared = pd.concat([_empty_units(), *repeated], ignore_index=True)
    shared = shared.drop_duplicates(["key", "unit"])
    parts = [*unique, _sum_by_key(shared["key"].to_numpy(), shared["weighted"].to_numpy())]
    total = pd.concat(parts, ignore_index=True).groupby("key", sort=True).sum()
    total = total[total["weight"] >= min_weight]
    key = total.index.to_numpy(dtype=np.int64)
    return pd.DataFrame(
        {
            "actor_a": (key // max(n_accounts, 1)).astype(np.int32),
            "actor_b": (key % max(n_accounts, 1)).astype(np.int32),
            "weight": total["weight"].to_numpy(dtype=np.int64),
            "weighted": total["weighted"].to_numpy(dtype=np.float64) / _TICKS,
        },
        columns=list(COLUMNS),
    )


def _empty_units() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "key": np.empty(0, np.int64),
            "unit": np.empty(0, np.int64),
            "weighted": np.empty(0, np.int64),
        }
    )
