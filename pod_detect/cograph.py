"""The co-engagement graph: accounts that engage the same posts within a window of each
other, again and again, more than their activity predicts (its communities are found in
:mod:`pod_detect.communities`)."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
from scipy import stats

from pod_detect.settings import Settings


@dataclass(frozen=True)
class CoGraph:
    """The co-engagement graph.

    Attributes
    ----------
    graph
        Significant pairs; edges carry ``weight`` (posts co-engaged), ``weighted`` (each post
        down-weighted by its size) and ``pvalue``.
    pairs
        Every pair that co-engaged at least ``min_coengaged`` posts, significant or not:
        ``actor_a``, ``actor_b``, ``weight``.
    counts
        What building it counted: ``pairs``, ``significant_pairs``, ``timed`` (some rows
        have a time, so a window was used), ``untimed_rows`` (rows with a post but no time,
        paired at any time), ``capped_posts``, ``rows``.
    """

    graph: nx.Graph
    pairs: pd.DataFrame
    counts: dict[str, int]


def coengagement_graph(frame: pd.DataFrame, settings: Settings) -> CoGraph:
    """Accounts that engage the same posts within ``settings.window`` seconds, again and again,
    more often than their activity predicts.

    The null model scatters co-engagements over pairs in proportion to the product of the two
    accounts' activity (distinct posts engaged): ``expected = n_a * n_b * rate``, with
    ``rate`` the observed co-engagements per unit of that product over all pairs; the
    p-value is the Poisson upper tail. Rows without a time (likes, on some platforms) are
    paired at any time with the other untimed rows of their post, and have a null model of
    their own, added to that of the timed rows. Edges keep ``weight`` (posts co-engaged),
    ``weighted`` (each post down-weighted by its size) and ``pvalue``.

    Returns the graph, the repeated pairs and the statistics (capped viral posts...).
    """
    from pod_detect.coengage import co_engagement_with_stats

    columns = frame[["actor", "post", "timestamp"]]
    rows = columns[columns["post"] >= 0]
    pairs, info = co_engagement_with_stats(
        rows, window=settings.window, min_weight=settings.min_coengaged,
        max_engagers=settings.max_engagers, untimed="any",
    )
    a, b = pairs["actor_a"].to_numpy(), pairs["actor_b"].to_numpy()
    n_accounts = int(frame["actor"].max()) + 1
    untimed = rows["timestamp"].isna().to_numpy()
    expected = (
        _expected(rows[~untimed], a, b, info.candidates - info.untimed_candidates, n_accounts)
        + _expected(rows[untimed], a, b, info.untimed_candidates, n_accounts))
    pvalue = stats.poisson.sf(pairs["weight"].to_numpy() - 1, expected)
    keep = pvalue <= settings.alpha
    graph = nx.Graph()
    for x, y, w, wd, p in zip(
        a[keep].tolist(), b[keep].tolist(), pairs["weight"].to_numpy()[keep].tolist(),
        pairs["weighted"].to_numpy()[keep].tolist(), pvalue[keep].tolist(), strict=True,
    ):
        graph.add_edge(x, y, weight=w, weighted=wd, pvalue=p)
    counts = {"pairs": len(pairs), "significant_pairs": int(keep.sum()),
              "timed": bool((~untimed).any()), "untimed_rows": int(untimed.sum()),
              "capped_posts": info.capped_posts, "rows": info.rows}
    return CoGraph(graph, pairs[["actor_a", "actor_b", "weight"]], counts)


def _expected(
    rows: pd.DataFrame, a: np.ndarray, b: np.ndarray, coengaged: int, n_accounts: int
) -> np.ndarray:
    """Co-engagements of each pair expected when accounts engage posts by popularity.

    If ``b`` spreads its ``n_b`` engagements over posts in proportion to their engagers
    ``s_p``, it meets ``a`` on ``n_b * sum(s_p for p engaged by a) / S`` of ``a``'s posts
    (``S`` all engagements); the two directions are averaged. A window keeps only part of
    those meetings: the observed co-engagements over all same-post pairs,
    ``sum(s_p * (s_p - 1) / 2)``. Accounts that engage busy posts meet many others there,
    so co-engaging busy posts is expected of them; co-engaging quiet posts is not.
    """
    distinct = rows[["actor", "post"]].drop_duplicates()
    engagers = np.bincount(distinct["post"].to_numpy()).astype("float64")
    reach = np.bincount(distinct["actor"].to_numpy(), weights=engagers[distinct["post"]],
                        minlength=n_accounts)
    activity = np.bincount(distinct["actor"].to_numpy(), minlength=n_accounts).astype("float64")
    total = float(engagers.sum())
    meetings = float((engagers * (engagers - 1) / 2).sum())
    share = min(1.0, coengaged / meetings) if meetings else 0.0
    if not total:
        return np.zeros(len(a))
    return (activity[b] * reach[a] + activity[a] * reach[b]) / (2.0 * total) * share
