"""Vectorised aggregates over the canonical table: the step that touches every row.

Written once over the dataframe API that pandas and Dask share (:mod:`pod_detect.engines.frames`):
row-wise work per partition, then ``groupby`` aggregations, then one collect. What comes out
is small and always pandas: one row per post, per engaged (actor, author) pair and per
account. Numbers about single rows (latency, place among a post's engagers) are computed
later for the few rows the detectors look at (:mod:`.rows`); the tables take their final shape
in :mod:`.tables`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pod_detect.engines.frames import collect_all, each_partition, is_lazy, spread
from pod_detect.kernels import fast_paths
from pod_detect.kernels import sorting as _sorting
from pod_detect.kernels.keys import Key
from pod_detect.model import Interactions
from pod_detect.reduce.rows import every_place, latency_at, latency_of, places, post_times
from pod_detect.reduce.tables import (
    account_table,
    add_null_model,
    pair_frame,
    pair_table,
    post_table,
)


@dataclass(frozen=True)
class Reduced:
    """The compact aggregates the detectors work from.

    Attributes
    ----------
    posts
        Indexed by post code: ``author`` (code, -1 unknown), ``engagements``, ``engagers``
        (distinct actors), ``timed`` (engagements with a time), ``post_time`` (given, else
        the first engagement; NaN without times).
    pairs
        One row per ordered (actor, author) pair with a known author: ``engagements``,
        ``posts`` (distinct posts engaged), ``coverage`` (share of the author's posts),
        ``expected`` (posts the popularity null model predicts), ``lift`` and ``pvalue``
        (Poisson tail of ``posts`` given ``expected``).
    accounts
        Indexed by account code: ``given``, ``received`` (distinct post engagements),
        ``posts`` (posts authored), ``authors`` (distinct authors engaged).
    """

    posts: pd.DataFrame
    pairs: pd.DataFrame
    accounts: pd.DataFrame


def reduce(data: Interactions) -> Reduced:
    """Compute every aggregate the detectors need from the canonical table (pandas or Dask).

    A pandas frame is reduced by sorting packed integer keys (:func:`reduce_arrays`), a
    Dask frame by the dataframe API (:func:`reduce_frames`); the two give the same tables.
    """
    if is_lazy(data.frame) or not fast_paths.enabled("reduce"):
        return reduce_frames(data)
    return reduce_arrays(data)


def reduce_frames(data: Interactions) -> Reduced:
    """:func:`reduce` over the dataframe API that pandas and Dask share."""
    frame = data.frame[["actor", "author", "post", "timestamp", "post_time"]]
    n_accounts, n_posts = len(data.accounts), len(data.posts)
    known = frame[frame["post"] >= 0]
    # (actor, post) once: a post has one author, so this is also (actor, author, post) once
    engagement = Key(n_posts, n_accounts)
    distinct = each_partition(known, lambda p: _engagement_keys(p, engagement),
                              _ENGAGEMENT_META).drop_duplicates(subset="key")
    engaged = distinct[distinct["author"] >= 0]
    undistinct = frame[(frame["post"] < 0) & (frame["author"] >= 0)]  # each row a post
    by_post, engagers = _post_aggregates(known, distinct)
    by_post, engagers = collect_all(by_post, engagers)
    posts = post_table(by_post, engagers, n_posts)
    with_author = frame[frame["author"] >= 0]
    pair = Key(n_accounts, n_accounts)
    rows_per_pair = each_partition(with_author, lambda p: _pair_key(p, pair),
                                   _KEY_META).value_counts()
    parts = [engaged, undistinct]
    keys = [each_partition(part, lambda p: _pair_key(p, pair), _KEY_META)
            for part in parts]
    counts = [part[column].value_counts() for part in parts for column in ("actor", "author")]
    pairs_once = [k.drop_duplicates() for k in keys]
    by_pair, *rest = collect_all(rows_per_pair, *[k.value_counts() for k in keys], *counts,
                                 *pairs_once)
    k = len(parts)
    posted = _sum(rest[:k])
    given = _sum(rest[k:k + 2 * k:2])
    received = _sum(rest[k + 1:k + 2 * k:2])
    once = pd.unique(np.concatenate([p.to_numpy() for p in rest[3 * k:]]))
    authored = pd.Series(pair.field(once, 0)).value_counts()
    pairs = pair_table(by_pair, posted, posts, pair)
    accounts = account_table(_dense(given, n_accounts), _dense(received, n_accounts),
                             _dense(authored, n_accounts), posts)
    return Reduced(posts=posts, pairs=add_null_model(pairs, accounts), accounts=accounts)


def reduce_arrays(data: Interactions) -> Reduced:
    """:func:`reduce` for a pandas frame: each group-by a sort of packed int64 keys."""
    frame = data.frame
    n, n_posts = len(data.accounts), len(data.posts)
    actor = frame["actor"].to_numpy(dtype=np.int64)
    author = frame["author"].to_numpy(dtype=np.int64)
    post = frame["post"].to_numpy(dtype=np.int64)
    time = frame["timestamp"].to_numpy(dtype=np.float64)
    own_time = frame["post_time"].to_numpy(dtype=np.float64)
    known = _where(post >= 0)
    # (post, actor) once: the distinct engagements, in one sort
    engaging, pair = Key(n_posts, n), Key(n, n)
    engagement = _sorting.unique(engaging.pack(known(post), known(actor)))
    posts = _post_arrays(known(post), known(author), known(time), known(own_time),
                         engaging.field(engagement, 0), n_posts)
    with_author = _where(author >= 0)
    key, engagements = _sorting.counts(pair.pack(with_author(actor), with_author(author)))
    # distinct posts engaged per pair: the distinct engagements of posts with an author,
    # and each row without a post id (a post of its own)
    by = engaging.field(engagement, 1)
    of = posts["author"].to_numpy(dtype=np.int64)[engaging.field(engagement, 0)]
    named = of >= 0
    alone = np.flatnonzero((post < 0) & (author >= 0))
    engager = np.concatenate([by[named], actor[alone]])
    engaged = np.concatenate([of[named], author[alone]])
    once, posted = _sorting.counts(pair.pack(engager, engaged))
    per_pair = np.zeros(len(key), dtype=np.int64)
    per_pair[np.searchsorted(key, once)] = posted
    pairs = pair_frame(key, engagements, per_pair, posts, pair)
    accounts = account_table(np.bincount(engager, minlength=n), np.bincount(engaged, minlength=n),
                             np.bincount(pair.field(once, 0), minlength=n), posts)
    return Reduced(posts=posts, pairs=add_null_model(pairs, accounts), accounts=accounts)


def _where(mask: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """A function taking the rows ``mask`` selects from an array: the array itself when it
    selects every row (the usual case: a copy of four columns of every row saved)."""
    if bool(mask.all()):
        return lambda values: values
    rows = np.flatnonzero(mask)
    return lambda values: values[rows]


def _post_arrays(post: np.ndarray, author: np.ndarray, time: np.ndarray, own_time: np.ndarray,
                 engaged_post: np.ndarray, n_posts: int) -> pd.DataFrame:
    """:func:`post_table` from the rows with a post, grouped by one sort."""
    order = _sorting.stable_order(post, n_posts)
    ordered = post[order]
    first = _sorting.starts(ordered)
    code = ordered[first]
    out_author = np.full(n_posts, -1, dtype=np.int32)
    engagements, timed = (np.zeros(n_posts, dtype=np.int64) for _ in range(2))
    earliest, given = (np.full(n_posts, np.nan) for _ in range(2))
    if len(first):
        ordered_time = time[order]
        out_author[code] = np.maximum.reduceat(author[order], first)
        engagements[code] = _sorting.lengths(first, len(ordered))
        earliest[code] = np.fmin.reduceat(ordered_time, first)
        timed[code] = np.add.reduceat(~np.isnan(ordered_time), first)
        given[code] = np.fmin.reduceat(own_time[order], first)
    return pd.DataFrame(
        {"author": out_author, "engagements": engagements,
         "engagers": np.bincount(engaged_post, minlength=n_posts).astype(np.int64),
         "timed": timed, "post_time": np.where(np.isnan(given), earliest, given)},
        index=pd.RangeIndex(n_posts, name="post"), copy=False,
    )


def _dense(counts: pd.Series, n: int) -> np.ndarray:
    """Counts by code (a series indexed by code) as an array of ``n``."""
    out = np.zeros(n, dtype=np.int64)
    out[counts.index.to_numpy()] = counts.to_numpy()
    return out


def _sum(counts: list[pd.Series]) -> pd.Series:
    """Counts added up by index (the empty ones, usually the rows without a post id, skipped)."""
    present = [c for c in counts if len(c)] or counts[:1]
    total = present[0]
    for more in present[1:]:
        total = total.add(more, fill_value=0)
    return total


_KEY_META = pd.Series(dtype="int64", name="key")
_ENGAGEMENT_META = pd.DataFrame({"key": pd.Series(dtype="int64"),
                                 "actor": pd.Series(dtype="int32"),
                                 "author": pd.Series(dtype="int32"),
                                 "post": pd.Series(dtype="int32")})


def _engagement_keys(rows: pd.DataFrame, engagement: Key) -> pd.DataFrame:
    """Each row's (post, actor) as one int64 key, beside actor, author and post."""
    key = engagement.pack(rows["post"].to_numpy(), rows["actor"].to_numpy())
    return pd.DataFrame({"key": key, "actor": rows["actor"].to_numpy(),
                         "author": rows["author"].to_numpy(), "post": rows["post"].to_numpy()},
                        index=rows.index)


def _pair_key(rows: pd.DataFrame, pair: Key) -> pd.Series:
    key = pair.pack(rows["actor"].to_numpy(), rows["author"].to_numpy())
    return pd.Series(key, index=rows.index, name="key")


def _post_aggregates(known: Any, distinct: Any) -> tuple[Any, Any]:
    """Per post: author, engagements, first time, timed engagements, given post time; and
    distinct engagers (lazy for Dask)."""
    by_post = known.groupby("post").agg(
        author=("author", "max"), engagements=("actor", "size"),
        first=("timestamp", "min"), timed=("timestamp", "count"),
        given_time=("post_time", "min"), **spread(known))
    return by_post, distinct["post"].value_counts()


__all__ = ["Reduced", "account_table", "add_null_model", "every_place", "latency_at",
           "latency_of", "pair_table", "places", "post_table", "post_times", "reduce",
           "reduce_arrays", "reduce_frames"]
