"""The co-engagement graph: accounts that engage the same posts within a window of each
other, again and again, more than their activity predicts (its communities are found in
:mod:`pod_detect.candidates.communities`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pod_detect.candidates.coengage import (
    Prepared,
    co_engagement_with_stats,
    prepare,
    row_pairs_within,
)
from pod_detect.candidates.pair_sums import Rows
from pod_detect.engines.frames import collect, collect_all, each_partition, is_lazy, length, spread
from pod_detect.kernels import fast_paths
from pod_detect.kernels import sorting as _sorting
from pod_detect.kernels.keys import Key
from pod_detect.settings import Settings
from pod_detect.stats.tails import poisson_tail


@dataclass(frozen=True)
class CoGraph:
    """The co-engagement graph.

    Attributes
    ----------
    edges
        Significant pairs, ``actor_a`` < ``actor_b``, sorted: ``weight`` (posts co-engaged
        at the pair's scale), ``weighted`` (posts co-engaged at the window where the pair
        co-engaged most, each down-weighted by its size: the community weights),
        ``pvalue`` (corrected for the scales tried) and ``scale`` (the window, seconds).
    pairs
        Every pair that co-engaged at least ``min_coengaged`` posts at some scale,
        significant or not: ``actor_a``, ``actor_b``, ``weight`` (the largest at any
        scale: how often the two engage the same posts at all).
    counts
        What building it counted: ``pairs``, ``significant_pairs``, ``timed`` (some rows
        have a time, so windows were used), ``untimed_rows`` (rows with a post but no time,
        paired at any time), ``capped_posts`` (at the widest scale), ``rows``, ``scales``
        (windows tested), ``significant_by_scale`` (edges per window, keyed by seconds)
        and ``skipped_scales`` (windows over ``scale_budget``: their row pairs, -1 where
        not counted because a shorter one was over already).
    """

    edges: pd.DataFrame
    pairs: pd.DataFrame
    counts: dict[str, Any]


def coengagement_graph(frame: Any, settings: Settings, n_accounts: int | None = None) -> CoGraph:
    """Accounts that engage the same posts close in time, again and again, more often than
    their activity predicts (``frame``: pandas or Dask), at every time scale of
    ``settings.scales``.

    The null model scatters co-engagements over pairs in proportion to the product of the two
    accounts' activity (distinct posts engaged): ``expected = n_a * n_b * rate``, with
    ``rate`` the observed co-engagements per unit of that product over all pairs; the
    p-value is the Poisson upper tail. Each scale (window) is counted and tested on its own;
    a pair keeps its most significant scale, its p-value corrected for the scales tried
    (Simes' method, see :func:`_most_significant`), so testing a minute and a day finds
    the farm that delivers over a day without letting the extra tests raise false alarms.
    Rows without a time (likes, on some platforms) are paired at any time with the other
    untimed rows of their post, and have a null model of their own, added to that of the
    timed rows; without any time every window is the same and one is tested. Edges keep
    ``weight`` (posts co-engaged at their scale), ``weighted`` (each post down-weighted by
    its size), ``pvalue`` (corrected) and ``scale`` (seconds).

    Returns the graph, the repeated pairs and the statistics (capped viral posts...).
    """
    columns = frame[["actor", "post", "timestamp"]]
    rows = columns[columns["post"] >= 0]
    if n_accounts is None:
        n_accounts = int(collect(columns["actor"].max())) + 1
    timed, untimed = _null_inputs(rows, n_accounts)
    prepared = None if is_lazy(rows) else prepare(rows, settings.max_engagers)
    spread = _spread(rows) if timed.rows and settings.window is None else None
    untimed_share = untimed.rows / max(1, timed.rows + untimed.rows)
    scales, skipped = _affordable(_tight(prepared, spread, settings), settings,
                                  timed.rows > 0, untimed_share)
    tested = [_at_scale(*_posts_for(rows, prepared, spread, w, settings), settings,
                        n_accounts, timed, untimed, w)
              for w in scales]
    every = pd.concat([t for t, _ in tested], ignore_index=True)
    best = _most_significant(every, n_accounts, len(scales))
    keep = best["pvalue"].to_numpy() <= settings.alpha
    edges = best[keep].reset_index(drop=True)
    infos = [info for _, info in tested]
    by_scale = {f"{w:g}": int((edges["scale"] == w).sum()) for w in scales}
    counts = {"pairs": len(best), "significant_pairs": int(keep.sum()),
              "timed": timed.rows > 0, "untimed_rows": untimed.rows,
              "capped_posts": max(i.capped_posts for i in infos), "rows": infos[0].rows,
              "scales": len(scales), "significant_by_scale": by_scale,
              "skipped_scales": skipped}
    pairs = best[["actor_a", "actor_b", "widest"]].rename(columns={"widest": "weight"})
    return CoGraph(edges.drop(columns="widest"), pairs, counts)


def _spread(rows: Any) -> np.ndarray:
    """Per post code, the standard deviation of its engagement times in seconds (0 for a
    post with fewer than two timed rows): sums of times and squares, from the earliest
    time, so both engines add the same partial sums."""
    origin = float(collect(rows["timestamp"].min()))

    def sums(part: pd.DataFrame, start: float) -> pd.DataFrame:
        t = part["timestamp"].to_numpy(dtype=np.float64) - start
        ok = ~np.isnan(t)
        return pd.DataFrame({"post": part["post"].to_numpy()[ok], "n": np.ones(ok.sum()),
                             "s": t[ok], "q": t[ok] * t[ok]})

    meta = pd.DataFrame({c: pd.Series(dtype=d) for c, d in
                         (("post", "int32"), ("n", "float64"), ("s", "float64"),
                          ("q", "float64"))})
    parts = each_partition(rows, sums, meta, origin)
    if is_lazy(parts):
        totals = collect(parts.groupby("post")[["n", "s", "q"]].sum())
        post, n, s, q = (totals.index.to_numpy(), totals["n"].to_numpy(),
                         totals["s"].to_numpy(), totals["q"].to_numpy())
        size = int(post.max(initial=-1)) + 1
        out_n, out_s, out_q = (np.zeros(size) for _ in range(3))
        out_n[post], out_s[post], out_q[post] = n, s, q
        n, s, q = out_n, out_s, out_q
    else:
        post = parts["post"].to_numpy()
        n, s, q = (np.bincount(post, weights=parts[c].to_numpy()) for c in ("n", "s", "q"))
    mean = np.divide(s, n, out=np.zeros_like(s), where=n > 0)
    var = np.divide(q, n, out=np.zeros_like(q), where=n > 0) - mean * mean
    return np.sqrt(np.clip(np.where(n >= 2, var, 0.0), 0.0, None))


def _tight(prepared: Prepared | None, spread: np.ndarray | None,
           settings: Settings) -> Prepared | None:
    """The prepared rows the widest scales would count on (for their cost): the posts
    spread over at least ``wide_from``."""
    if prepared is None or spread is None:
        return prepared
    return _only_posts(prepared, spread >= settings.wide_from)


def _posts_for(rows: Any, prepared: Prepared | None, spread: np.ndarray | None,
               window: float, settings: Settings) -> tuple[Any, Prepared | None]:
    """The rows (and prepared rows) a count at ``window`` looks at: every post up to
    ``wide_from``; past it, the posts whose engagement spreads at least that long."""
    if spread is None or window <= settings.wide_from:
        return rows, prepared
    wide = spread >= window
    if prepared is not None:
        return rows, _only_posts(prepared, wide)

    def keep(part: pd.DataFrame, ok: np.ndarray) -> pd.DataFrame:
        post = part["post"].to_numpy()
        inside = (post >= 0) & (post < len(ok))
        inside[inside] = ok[post[inside]]
        return part[inside]

    return each_partition(rows, keep, rows._meta, wide), None


def _only_posts(prepared: Prepared, wanted: np.ndarray) -> Prepared:
    """The prepared rows of the posts ``wanted`` (a mask by post code)."""
    rows, capped_posts, capped_rows = prepared
    post = rows.post
    inside = np.zeros(len(post), dtype=bool)
    known = post < len(wanted)
    inside[known] = wanted[post[known]]
    return (Rows(post[inside], rows.time[inside], rows.actor[inside], rows.size[inside],
                 rows.repeated[inside], rows.ticks), capped_posts, capped_rows)


def _affordable(prepared: Prepared | None, settings: Settings, timed: bool,
                untimed_share: float = 0.0) -> tuple[tuple[float, ...], dict[str, int]]:
    """The scales to test, and the row pairs of those left out over ``scale_budget``.

    Without times every window is the same: one is tested. When most rows have no time
    (likes on Instagram-style exports), only the windows up to ``wide_from``: the untimed
    rows pair alike at every window, and the wide ones would add only the timed minority
    (comments) co-engaging over a day, which merged a rotating pod with the organic
    accounts around it on the held-out Instagram exports. On a pandas frame (its rows
    ``prepared``) the row pairs of each scale but the shortest are counted first, cheaply;
    a scale over the budget is left out, and so is every wider one (the shortest is always
    tested). A Dask frame tests them all (its workers share the work and its partitions
    bound the memory)."""
    scales = settings.scales
    if not timed:
        return scales[:1], {}
    if untimed_share >= 0.5 and settings.window is None:
        # most rows (likes, on platforms that time only comments) pair alike at every
        # window; a wide window adds only the timed minority's day-long conversations
        scales = tuple(w for w in scales if w <= settings.wide_from) or scales[:1]
    if len(scales) == 1 or prepared is None:
        return scales, {}
    cost = [0] + row_pairs_within(prepared, scales[1:], stop_above=settings.scale_budget)
    cost += [-1] * (len(scales) - len(cost))  # wider than one over budget: over it too
    kept = tuple(w for w, n in zip(scales, cost, strict=True)
                 if 0 <= n <= settings.scale_budget)
    skipped = {f"{w:g}": n for w, n in zip(scales, cost, strict=True) if w not in kept}
    return kept, skipped


def _at_scale(rows: Any, prepared: Prepared | None, settings: Settings, n_accounts: int,
              timed: _Null, untimed: _Null, window: float) -> tuple[pd.DataFrame, Any]:
    """The repeated pairs within ``window`` with their p-value at that window."""
    pairs, info = co_engagement_with_stats(
        rows, window=window, min_weight=settings.min_coengaged,
        max_engagers=settings.max_engagers, untimed="any", n_accounts=n_accounts,
        prepared=prepared,
    )
    a, b = pairs["actor_a"].to_numpy(), pairs["actor_b"].to_numpy()
    expected = (_expected(timed, a, b, info.candidates - info.untimed_candidates)
                + _expected(untimed, a, b, info.untimed_candidates))
    pvalue = poisson_tail(pairs["weight"].to_numpy(), expected)
    return pairs.assign(pvalue=pvalue, scale=float(window)), info


def _most_significant(every: pd.DataFrame, n_accounts: int, tests: int) -> pd.DataFrame:
    """Each pair once, at its smallest p-value (ties: the shorter window), sorted by pair,
    that p-value corrected for the ``tests`` windows by Simes' method: the smallest
    ``tests * p_(i) / i`` over the pair's p-values in ascending order (a window where the
    pair did not reach ``min_coengaged`` counts as p = 1). Valid for positively dependent
    tests, as the counts of one pair at nested windows are, and no stricter than
    Bonferroni: a pair significant at every window (a like on a platform that does not
    time likes is the same at every window) pays nothing for the windows tried. With
    ``widest`` and ``weighted`` from the window where it co-engaged most posts (how
    often the two engage the same posts at all: what Louvain and growing a community
    compare; a wide window counts fewer posts, a short one fewer pairs)."""
    pair = Key(n_accounts, n_accounts).pack(every["actor_a"].to_numpy(),
                                            every["actor_b"].to_numpy())
    raw = every["pvalue"].to_numpy()
    order = np.lexsort((every["scale"].to_numpy(), raw, pair))
    heads = _sorting.starts(pair[order]) if len(order) else order
    first = order[heads]
    rank = np.arange(1, len(order) + 1) - np.repeat(heads, np.diff(np.r_[heads, len(order)]))
    simes = np.minimum.reduceat(tests * raw[order] / rank, heads) if len(order) else raw
    weight = every["weight"].to_numpy()
    heavy = np.lexsort((weight, pair))
    last = (heavy[np.r_[_sorting.starts(pair[heavy])[1:], len(heavy)] - 1] if len(heavy)
            else heavy)
    best = every.iloc[first].reset_index(drop=True)
    best["pvalue"] = np.minimum(1.0, simes)
    best["widest"] = weight[last]
    best["weighted"] = every["weighted"].to_numpy()[last]
    return best


@dataclass(frozen=True)
class _Null:
    """What the popularity null model needs of a set of rows: per account its ``activity``
    (distinct posts engaged) and ``reach`` (the engagers of those posts, summed); ``total``
    distinct engagements, ``meetings`` same-post pairs of engagers, ``rows``."""

    activity: np.ndarray
    reach: np.ndarray
    total: float
    meetings: float
    rows: int


def _null_inputs(rows: Any, n_accounts: int) -> tuple[_Null, _Null]:
    """The :class:`_Null` of the timed rows and of the untimed rows (one pass each way)."""
    if not is_lazy(rows) and fast_paths.enabled("null_model"):
        return _null_arrays(rows, n_accounts)
    keyed = each_partition(rows, _keys, _KEYS_META, _key(n_accounts)).drop_duplicates(
        subset="key")
    engagers, counted = collect_all(keyed.groupby(["timed", "post"]).size(**spread(keyed)),
                                    rows["timestamp"].count())
    engagers = engagers.astype("float64")
    timed_rows = int(counted)
    out = []
    for flag, n_rows in ((True, timed_rows), (False, length(rows) - timed_rows)):
        size = engagers.xs(flag, level="timed") if flag in engagers.index.get_level_values(
            "timed") else pd.Series(dtype="float64")
        mine = keyed[keyed["timed"] == flag]
        activity, reach = collect_all(mine["actor"].value_counts(), _reach(mine, size))
        out.append(_Null(
            activity=_dense(activity, n_accounts), reach=_dense(reach, n_accounts),
            total=float(size.sum()), meetings=float((size * (size - 1) / 2).sum()),
            rows=n_rows))
    return out[0], out[1]


def _null_arrays(rows: pd.DataFrame, n_accounts: int) -> tuple[_Null, _Null]:
    """:func:`_null_inputs` of a pandas frame, by one sort of the (post, actor, timed) keys."""
    packing = _key(n_accounts)
    keys = _sorting.unique(_keys(rows, packing)["key"].to_numpy())
    timed = packing.field(keys, 2) == 1
    timed_rows = int(rows["timestamp"].notna().sum())
    out = []
    for flag, n_rows in ((True, timed_rows), (False, len(rows) - timed_rows)):
        mine = keys[timed == flag]
        post, actor = packing.field(mine, 0), packing.field(mine, 1)
        size = np.bincount(post).astype("float64")
        out.append(_Null(
            activity=np.bincount(actor, minlength=n_accounts).astype("float64"),
            reach=np.bincount(actor, weights=size[post], minlength=n_accounts),
            total=float(size.sum()), meetings=float((size * (size - 1) / 2).sum()),
            rows=n_rows))
    return out[0], out[1]


def _reach(rows: Any, engagers: pd.Series) -> Any:
    """Per actor, the engagers of the posts it engaged, summed (lazy for Dask)."""
    lookup = np.zeros(int(engagers.index.max()) + 1 if len(engagers) else 0)
    lookup[engagers.index.to_numpy()] = engagers.to_numpy()

    def part(p: pd.DataFrame, table: np.ndarray) -> pd.DataFrame:
        return p.assign(s=table[p["post"].to_numpy()])

    reached = each_partition(rows, part, _KEYS_META.assign(s=pd.Series(dtype="float64")),
                             lookup)
    return reached.groupby("actor")["s"].sum()


_KEYS_META = pd.DataFrame({"key": pd.Series(dtype="int64"), "actor": pd.Series(dtype="int32"),
                           "post": pd.Series(dtype="int32"), "timed": pd.Series(dtype="bool")})


def _key(n_accounts: int) -> Key:
    """(post, actor, timed) keys: post codes are int32 (:data:`pod_detect.model.FRAME_COLUMNS`)."""
    return Key(2**31, n_accounts, 2)


def _keys(rows: pd.DataFrame, packing: Key) -> pd.DataFrame:
    """(timed, post, actor) of each row, with the three as one int64 key."""
    timed = rows["timestamp"].notna().to_numpy()
    key = packing.pack(rows["post"].to_numpy(), rows["actor"].to_numpy(), timed)
    return pd.DataFrame({"key": key, "actor": rows["actor"].to_numpy(),
                         "post": rows["post"].to_numpy(), "timed": timed}, index=rows.index)


def _dense(counts: pd.Series, n: int) -> np.ndarray:
    out = np.zeros(n)
    out[counts.index.to_numpy()] = counts.to_numpy()
    return out


def _expected(null: _Null, a: np.ndarray, b: np.ndarray, coengaged: int) -> np.ndarray:
    """Co-engagements of each pair expected when accounts engage posts by popularity.

    If ``b`` spreads its ``n_b`` engagements over posts in proportion to their engagers
    ``s_p``, it meets ``a`` on ``n_b * sum(s_p for p engaged by a) / S`` of ``a``'s posts
    (``S`` all engagements); the two directions are averaged. A window keeps only part of
    those meetings: the observed co-engagements over all same-post pairs,
    ``sum(s_p * (s_p - 1) / 2)``. Accounts that engage busy posts meet many others there,
    so co-engaging busy posts is expected of them; co-engaging quiet posts is not.
    """
    share = min(1.0, coengaged / null.meetings) if null.meetings else 0.0
    if not null.total:
        return np.zeros(len(a))
    return ((null.activity[b] * null.reach[a] + null.activity[a] * null.reach[b])
            / (2.0 * null.total) * share)
