"""Co-engagement ("co-retweet", co-action): accounts that engaged the same post close in time.

Two distinct accounts co-engage a post when each has an engagement of that post and the two
engagements are at most ``window`` seconds apart (``|dt| <= window``). A pair's ``weight`` is the
number of distinct posts they co-engaged; its ``weighted`` is the same sum with each post counted
``1 / log2(engagers of the post)`` (the Adamic-Adar weight of a shared neighbour, in base 2), so
a post with two engagers counts 1, one with 1,024 counts 0.1.

How it stays linear in what it finds: rows are sorted by (post, time); a vectorised bisection
finds, for each row, the last row of the same post within the window, so the row pairs to look
at are exactly the rows between. They are built with :func:`numpy.repeat` in chunks of at most
``chunk_pairs`` row pairs and counted by sorting packed (a, b) integer keys. Only row pairs
inside the window are ever built, never every pair of a viral post's engagers; a burst of ``k``
engagements inside one window still gives ``k (k - 1) / 2`` of them, which ``max_engagers``
bounds. See ``docs/co-engagement.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pod_detect.candidates.pair_sums import (
    TICKS,
    Rows,
    Shared,
    Sums,
    Units,
    chunks_of,
    count_chunk,
    ticks_of,
    window_ends,
)
from pod_detect.engines.frames import (
    collect,
    distinct,
    each_partition,
    is_lazy,
    length,
    spread,
    whole_posts,
)
from pod_detect.errors import ConfigError
from pod_detect.kernels import sorting as _sorting
from pod_detect.kernels.keys import Key

__all__ = ["UNTIMED", "WEIGHTINGS", "CoEngagementStats", "co_engagement",
           "co_engagement_with_stats"]

#: What ``weight`` counts: ``"count"`` distinct posts co-engaged; ``"qut"`` the QUT
#: coordination-network-toolkit 1.5.2 co-retweet edge weight (see :func:`co_engagement`).
WEIGHTINGS = ("count", "qut")

#: Row pairs built at once (about 60 bytes each while a chunk is counted).
CHUNK_PAIRS = 4_000_000

#: How rows without a time are treated (see :func:`co_engagement`).
UNTIMED = ("drop", "any")

#: The time untimed rows are paired at: every untimed row of a post is at distance 0 from the
#: others, and about 1e18 s from any real time, so never within a window of one.
_UNTIMED = -1e18


COLUMNS = ("actor_a", "actor_b", "weight", "weighted")


@dataclass(frozen=True)
class CoEngagementStats:
    """What one co-engagement count looked at.

    Attributes
    ----------
    rows
        Rows with a known post and time, before the cap (the others are ignored).
    posts
        Distinct posts among those rows.
    capped_posts
        Posts with more than ``max_engagers`` distinct engagers: only the first
        ``max_engagers`` of them (by first engagement of the post) were paired.
    capped_rows
        Rows of the engagers the cap left out.
    candidates
        Row pairs of the same post within the window (same-account ones included).
    untimed_candidates
        Of those, the pairs of two rows without a time (``untimed="any"``).
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
    untimed_candidates: int = 0


def co_engagement(
    frame: pd.DataFrame,
    *,
    window: float,
    min_weight: int = 1,
    max_engagers: int | None = None,
    weighting: str = "count",
    untimed: str = "drop",
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
        Pair only the first ``max_engagers`` distinct engagers of each post (in the order of
        their first engagement of it); ``None`` pairs everyone. The stats say how many
        posts and rows the cap touched.
    weighting
        ``"count"``: ``weight`` is the number of distinct posts the two co-engaged, each
        (pair, post) once however often they engaged it. ``"qut"``: the edge weight of the
        QUT coordination-network-toolkit 1.5.2 (``compute co_retweet``) read as
        ``user_1 < user_2``: the number of ``actor_a``'s engagements (rows) that have an
        engagement by ``actor_b`` of the same post within the window. The two agree unless
        an account engaged the same post more than once within the window of the other.
    untimed
        Rows with a post but no time: ``"drop"`` ignores them; ``"any"`` pairs them with the
        other untimed rows of the same post at any time (an export whose likes carry no time
        but whose comments do). A row with a time and one without are never paired.

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
        weighting=weighting, untimed=untimed,
    )
    table.attrs["stats"] = stats
    return table


def co_engagement_with_stats(
    frame: Any,
    *,
    window: float,
    min_weight: int = 1,
    max_engagers: int | None = None,
    weighting: str = "count",
    chunk_pairs: int = CHUNK_PAIRS,
    untimed: str = "drop",
    n_accounts: int | None = None,
    prepared: Prepared | None = None,
) -> tuple[pd.DataFrame, CoEngagementStats]:
    """:func:`co_engagement`, with the stats returned beside the table.

    Parameters
    ----------
    frame
        A pandas or Dask frame with ``actor``, ``post`` and ``timestamp``. Dask partitions
        are shuffled so that each post is whole in one; each is counted on its own and the
        sums are added up per pair (exact: weights and ticks are integers).
    window, min_weight, max_engagers, weighting, untimed
        As for :func:`co_engagement`.
    chunk_pairs
        Most row pairs built at once (the memory bound); the result does not depend on it.
    n_accounts
        Account codes are below it (default: one more than the largest actor code).
    prepared
        The rows of a pandas ``frame`` already sorted and capped by :func:`prepare` with
        the same ``max_engagers`` and ``untimed``: several windows counted on the same
        rows sort them once.

    Returns
    -------
    table : pandas.DataFrame
        As :func:`co_engagement` returns it.
    stats : CoEngagementStats
    """
    _check(window, min_weight, max_engagers, weighting, chunk_pairs)
    if untimed not in UNTIMED:
        raise ConfigError(f"untimed must be one of {', '.join(UNTIMED)}, not {untimed!r}")
    columns = frame[["actor", "post", "timestamp"]]
    if n_accounts is None:
        n_accounts = int(collect(columns["actor"].max()) if length(columns) else -1) + 1
    n = max(n_accounts, 1)

    options = (float(window), max_engagers, weighting, chunk_pairs, untimed == "any", n)
    if not is_lazy(columns):  # one partition: no frame of partial sums to add up
        total, facts = _partial_sums(columns, *options, prepared=prepared)
    else:
        def count(part: pd.DataFrame) -> pd.DataFrame:
            return _partial(part, *options)

        sums = each_partition(whole_posts(columns), count, _PARTIAL_META)
        sums = collect(sums.groupby("key").sum(**spread(sums))).sort_index().reset_index()
        counted = sums[sums["key"] >= 0]
        total = Sums(counted["key"].to_numpy(), counted["weight"].to_numpy(),
                      counted["ticks"].to_numpy())
        told = dict(zip(sums["key"][sums["key"] < 0], sums["weight"][sums["key"] < 0],
                        strict=True))
        facts = [told.get(-1 - i, 0) for i in range(len(_STATS))]
    table = _table(total, n, min_weight)
    stats = CoEngagementStats(
        **{name: int(value) for name, value in zip(_STATS, facts, strict=True)},
        pairs=len(table))
    return table, stats


#: The additive stats a partition reports, as rows of negative keys (-1, -2, ...).
_STATS = ("rows", "posts", "capped_posts", "capped_rows", "candidates", "chunks",
          "untimed_candidates")
_PARTIAL_META = pd.DataFrame({"key": pd.Series(dtype="int64"),
                              "weight": pd.Series(dtype="int64"),
                              "ticks": pd.Series(dtype="int64")})


def _partial(frame: pd.DataFrame, window: float, max_engagers: int | None, weighting: str,
             chunk_pairs: int, any_time: bool, n_accounts: int) -> pd.DataFrame:
    """The pair sums of one partition (whole posts), sorted by key, then its stats as rows
    with negative keys (``weight`` holds the value)."""
    total, facts = _partial_sums(frame, window, max_engagers, weighting, chunk_pairs,
                                 any_time, n_accounts)
    return pd.DataFrame({
        "key": np.concatenate([total.key, -1 - np.arange(len(facts))]).astype("int64"),
        "weight": np.concatenate([total.weight, facts]).astype("int64"),
        "ticks": np.concatenate([total.ticks, np.zeros(len(facts))]).astype("int64"),
    })


def _partial_sums(frame: pd.DataFrame, window: float, max_engagers: int | None,
                  weighting: str, chunk_pairs: int, any_time: bool,
                  n_accounts: int, prepared: Prepared | None = None) -> tuple[Sums, list[int]]:
    """The pair sums of some whole posts, sorted by key, and the :data:`_STATS` of them."""
    rows, capped_posts, capped_rows = prepared or _prepare(frame, max_engagers, any_time)
    counts = window_ends(rows.post, rows.time, window) - np.arange(len(rows.post)) - 1
    units = Units(rows.ticks, n_accounts, 4 * chunk_pairs)
    shared = Shared.of(rows, n_accounts, weighting)
    chunks = 0
    for left in chunks_of(counts, chunk_pairs):
        count_chunk(rows, left, counts[left], n_accounts, weighting, units, shared)
        chunks += 1
    shared.into(units)
    facts = [len(frame) - _ignored(frame, any_time), len(distinct(rows.post)), capped_posts,
             capped_rows, int(counts.sum()), chunks,
             int(counts[rows.time == _UNTIMED].sum())]
    return units.total(), facts


#: Rows sorted by (post, time) and capped (:func:`prepare`), with the posts and rows the
#: cap left out.
Prepared = tuple[Rows, int, int]


def prepare(frame: pd.DataFrame, max_engagers: int | None, untimed: str = "any") -> Prepared:
    """The rows of a pandas ``frame`` as every count sorts and caps them: counting several
    windows on them (``prepared=``) sorts the rows once."""
    return _prepare(frame[["actor", "post", "timestamp"]], max_engagers, untimed == "any")


def row_pairs_within(prepared: Prepared, windows: tuple[float, ...],
                     stop_above: int | None = None) -> list[int]:
    """How many row pairs a count at each of ``windows`` (ascending) would build (its
    cost), found without building them: one window search per window over the
    :func:`prepare`-d rows. With ``stop_above``, the windows after the first that costs more
    are not searched (a wider window never costs less): the list is shorter."""
    rows = prepared[0]
    first = np.arange(len(rows.post))
    out: list[int] = []
    for w in windows:
        out.append(int((window_ends(rows.post, rows.time, float(w)) - first - 1).sum()))
        if stop_above is not None and out[-1] > stop_above:
            break
    return out


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


def _ignored(frame: pd.DataFrame, any_time: bool) -> int:
    post, time = frame["post"].to_numpy(), frame["timestamp"].to_numpy(dtype=np.float64)
    return int(((post < 0) | (np.isnan(time) & (not any_time))).sum())


def _prepare(
    frame: pd.DataFrame, max_engagers: int | None, any_time: bool = False
) -> tuple[Rows, int, int]:
    """Rows with a post and a time (or, ``any_time``, none: read as :data:`_UNTIMED`), sorted
    by (post, time), capped; and what the cap left out."""
    post = frame["post"].to_numpy()  # int32 codes: every array here is as long as the rows
    time = frame["timestamp"].to_numpy(dtype=np.float64)
    if any_time:
        time = np.where(np.isnan(time), _UNTIMED, time)
    wanted = (post >= 0) & ~np.isnan(time)
    every = bool(wanted.all())  # the usual case: no copies of the kept rows
    keep = None if every else np.flatnonzero(wanted)
    every_actor = frame["actor"].to_numpy()
    # (post, time, actor): ties in time (every untimed row) broken by account, so that which
    # engagers a capped post keeps never depends on the order of the rows (a Dask partition's)
    kept_time, kept_actor, kept_post = ((time, every_actor, post) if keep is None else
                                        (time[keep], every_actor[keep], post[keep]))
    later = kept_time[1:] > kept_time[:-1]
    tied = kept_time[1:] == kept_time[:-1]
    if np.all(later | (tied & (kept_actor[1:] >= kept_actor[:-1]))):  # a canonical frame
        order = _sorting.stable_order(kept_post, int(post.max(initial=0)) + 1)
    else:
        order = np.lexsort((kept_actor, kept_time, kept_post))
    del later, tied, kept_time, kept_actor, kept_post
    if keep is not None:
        order = keep[order]
    post, time = post[order], time[order]
    actor = every_actor[order]
    # (post, actor) groups numbered in order of first appearance, so consecutive in a post
    engaging = Key(int(post.max(initial=0)) + 1, int(actor.max(initial=0)) + 1)
    group, repeats = _sorting.factorize(engaging.pack(post, actor), engaging.bound)
    new_post = np.diff(post, prepend=-1) != 0
    post_index = np.cumsum(new_post) - 1  # each row's post, numbered 0, 1, ... in order
    rank = group - group[np.flatnonzero(new_post)][post_index]  # 0: the first engager
    engagers = np.maximum.reduceat(rank, np.flatnonzero(new_post)) + 1 if len(post) else rank
    sizes, size = np.unique(engagers, return_inverse=True)
    size = size[post_index]
    repeated = repeats[group] > 1
    capped_posts = capped_rows = 0
    if max_engagers is not None:
        cap = rank < max_engagers
        capped_posts, capped_rows = int((engagers > max_engagers).sum()), int((~cap).sum())
        post, time, actor, size, repeated = (a[cap] for a in (post, time, actor, size, repeated))
    return Rows(post, time, actor, size, repeated, ticks_of(sizes)), capped_posts, capped_rows


def _table(sums: Sums, n_accounts: int, min_weight: int) -> pd.DataFrame:
    kept = sums.weight >= min_weight
    key, pair = sums.key[kept], Key(n_accounts, n_accounts)
    return pd.DataFrame(
        {
            "actor_a": pair.field(key, 0).astype(np.int32),
            "actor_b": pair.field(key, 1).astype(np.int32),
            "weight": sums.weight[kept].astype(np.int64),
            "weighted": sums.ticks[kept] / TICKS,
        },
        columns=list(COLUMNS), copy=False,
    )
