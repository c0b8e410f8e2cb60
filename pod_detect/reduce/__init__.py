"""Vectorised aggregates over the canonical table: the step that touches every row.

Written once over the dataframe API that pandas and Dask share (:mod:`pod_detect.engines.frames`):
row-wise work per partition, then ``groupby`` aggregations, then one collect. What comes out
is small and always pandas: one row per post, per engaged (actor, author) pair and per
account. Numbers about single rows (latency, place among a post's engagers) are computed
later for the few rows the detectors look at (:func:`latency_of`, :func:`places`).
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
from pod_detect.stats.tails import poisson_tail


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
    pairs = _pair_frame(key, engagements, per_pair, posts, pair)
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


def post_table(by_post: pd.DataFrame, engagers: pd.Series, n_posts: int) -> pd.DataFrame:
    """One row per post code (0..n_posts-1): author, engagement counts and post time."""
    table = by_post.assign(engagers=engagers).reindex(pd.RangeIndex(n_posts, name="post"))
    table["author"] = table["author"].fillna(-1).astype("int32")
    for column in ("engagements", "engagers", "timed"):
        table[column] = table[column].fillna(0).astype("int64")
    table["post_time"] = table["given_time"].fillna(table["first"])
    return table[["author", "engagements", "engagers", "timed", "post_time"]]


def latency_of(rows: pd.DataFrame, posts: pd.DataFrame) -> np.ndarray:
    """:func:`latency_at` with the post times of a :attr:`Reduced.posts` table."""
    return latency_at(rows, post_times(posts))


def post_times(posts: pd.DataFrame) -> np.ndarray:
    """Each post's time by code, and NaN last (for rows without a post)."""
    return np.append(posts["post_time"].to_numpy(dtype="float64"), np.nan)


def latency_at(rows: pd.DataFrame, post_time: np.ndarray) -> np.ndarray:
    """The one definition of latency: seconds from each row's post to the row. A post's
    time is its ``post_time`` when the export gives one, else its first engagement in the
    whole export (:func:`post_table`); a row whose post has neither falls back on its own
    ``post_time``. Never negative; NaN without a time. ``post_time``: by post code, NaN
    last (:func:`post_times`)."""
    post = rows["post"].to_numpy()
    start = post_time[np.where(post >= 0, post, len(post_time) - 1)]
    start = np.where(np.isnan(start), rows["post_time"].to_numpy(dtype="float64"), start)
    return np.clip(rows["timestamp"].to_numpy(dtype="float64") - start, 0.0, None)


def places(post: np.ndarray, time: np.ndarray, among_post: np.ndarray,
           among_time: np.ndarray) -> np.ndarray:
    """The place, 0 (first) to 1 (last), of each ``(post, time)`` among the timed engagements
    ``(among_post, among_time)`` of the same post, which include it; ties share their middle
    place (so neither the order of the rows nor the engine matters); NaN for a post with a
    single engagement."""
    order = np.lexsort((among_time, among_post))
    ref_post, ref_time = among_post[order], among_time[order]
    start = np.searchsorted(ref_post, post, side="left")
    count = np.searchsorted(ref_post, post, side="right") - start
    before = _within(ref_post, ref_time, post, time, "left") - start
    upto = _within(ref_post, ref_time, post, time, "right") - start
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count > 1, (before + upto - 1) / 2 / (count - 1), np.nan)


def every_place(post: np.ndarray, time: np.ndarray) -> np.ndarray:
    """:func:`places` of every row of a frame among all its timed engagements, in one sort:
    NaN for a row without a post or a time, or alone on its post. Positions are int32
    and intermediates are dropped as soon as they are used: this runs beside the
    co-engagement count, on every row."""
    timed = np.flatnonzero((post >= 0) & ~np.isnan(time)).astype(np.int32)
    out = np.full(len(post), np.nan)
    if not len(timed):
        return out
    t = time[timed]
    if not bool(np.all(t[1:] >= t[:-1])):  # not a canonical frame: by time first
        by_time = np.argsort(t, kind="stable").astype(np.int32)
        timed, t = timed[by_time], t[by_time]
        del by_time
    p = post[timed]
    order = _sorting.stable_order(p, int(p.max()) + 1).astype(np.int32)  # by post, then time
    timed, p, t = timed[order], p[order], t[order]
    del order
    new_run = np.empty(len(p), dtype=bool)  # runs of equal (post, time)
    new_run[0] = True
    np.not_equal(p[1:], p[:-1], out=new_run[1:])
    new_post = new_run.copy()
    new_run[1:] |= t[1:] != t[:-1]
    del p, t
    run_first = np.flatnonzero(new_run).astype(np.int32)
    del new_run
    run_size = _sorting.lengths(run_first, len(timed)).astype(np.int32)
    post_first = np.flatnonzero(new_post).astype(np.int32)
    del new_post
    count = _sorting.lengths(post_first, len(timed)).astype(np.int32)
    # per row: rows strictly earlier in its post (2 * start), its run's size, its post's rows
    place = np.repeat(run_first, run_size).astype(np.float64)
    place -= np.repeat(post_first, count)
    place *= 2
    place += np.repeat(run_size, run_size)
    place -= 1
    n = np.repeat(count, count)
    with np.errstate(divide="ignore", invalid="ignore"):
        place /= 2 * (n - 1.0)
    place[n <= 1] = np.nan
    out[timed] = place
    return out


def _within(ref_post: np.ndarray, ref_time: np.ndarray, post: np.ndarray, time: np.ndarray,
            side: str) -> np.ndarray:
    """searchsorted of each (post, time) among the (post, time)-sorted references: times
    become integer ranks (exact, unlike any float key), packed with the post into int64."""
    times, rank = np.unique(np.concatenate([ref_time, time]), return_inverse=True)
    width = np.int64(len(times) + 1)
    base = ref_post.min(initial=0)
    key = (ref_post.astype("int64") - base) * width + rank[: len(ref_time)]
    query = (post.astype("int64") - base) * width + rank[len(ref_time):]
    return np.searchsorted(key, query, side=side)  # type: ignore[call-overload]


def pair_table(rows: pd.Series, posts_engaged: pd.Series, posts: pd.DataFrame,
               pair: Key) -> pd.DataFrame:
    """Every ordered (actor, author) pair with an engagement, from its rows and distinct
    posts engaged by pair key."""
    rows = rows.sort_index()
    engaged = posts_engaged.reindex(rows.index).fillna(0).to_numpy().astype("int64")
    return _pair_frame(rows.index.to_numpy(), rows.to_numpy(), engaged, posts, pair)


def _pair_frame(key: np.ndarray, engagements: np.ndarray, engaged: np.ndarray,
                posts: pd.DataFrame, pair: Key) -> pd.DataFrame:
    """The pair table from its columns by sorted (actor, author) key."""
    n_accounts = pair.bounds[0]
    author = pair.field(key, 1).astype("int32")
    owners = posts["author"].to_numpy()
    authored = np.bincount(owners[owners >= 0], minlength=n_accounts)
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = engaged / authored[author]
    # in place: on this many pairs each fresh array costs more in page faults than to fill
    np.minimum(coverage, 1.0, out=coverage)
    coverage[~np.isfinite(coverage)] = np.nan
    return pd.DataFrame({
        "actor": pair.field(key, 0).astype("int32"),
        "author": author,
        "engagements": engagements.astype("int64"),
        "posts": engaged,
        "coverage": coverage,
    }, copy=False)  # fresh arrays: a copy into blocks took a twentieth of the reduce


def account_table(given: np.ndarray, received: np.ndarray, authored: np.ndarray,
                  posts: pd.DataFrame) -> pd.DataFrame:
    """Per account: distinct engagements given and received, posts authored, authors engaged
    (``given``, ``received`` and ``authored`` are counts by account code)."""
    n_accounts = len(given)
    authors = posts["author"].to_numpy()
    return pd.DataFrame(
        {
            "given": given.astype("int64"),
            "received": received.astype("int64"),
            "posts": np.bincount(authors[authors >= 0], minlength=n_accounts),
            "authors": authored.astype("int64"),
        },
        index=pd.RangeIndex(n_accounts, name="account"), copy=False,
    )


def add_null_model(pairs: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Compare each pair with a popularity-preserving null model.

    Under the null, an actor spreads its ``given`` engagements over authors in proportion
    to what each author ``received`` from everyone, so the expected posts of ``author``
    engaged by ``actor`` is ``given[actor] * received[author] / total``. ``pvalue`` is
    the Poisson probability of seeing at least the observed count. This is what keeps a
    celebrity's fans, or a hyperactive account, from looking like a pod.
    """
    total = float(accounts["given"].sum()) or 1.0
    given = accounts["given"].to_numpy(dtype="float64")[pairs["actor"].to_numpy()]
    received = accounts["received"].to_numpy(dtype="float64")[pairs["author"].to_numpy()]
    expected = given * received
    expected /= total
    observed = pairs["posts"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = observed / expected
    lift[~(expected > 0)] = np.inf
    # one frame of the pair columns and the new ones, no copy (assign and setting a column
    # each copied every column of millions of pairs)
    columns = {name: pairs[name] for name in pairs.columns}
    return pd.DataFrame({**columns, "expected": expected, "lift": lift,
                         "pvalue": poisson_tail(observed, expected)},
                        index=pairs.index, copy=False)
