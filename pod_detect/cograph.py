"""The co-engagement graph and its communities (rotating pods, like-farms).

Accounts that engage the same posts within a window of each other, again and again, more
than their activity predicts, are linked; Louvain finds communities, splits of one dense
group are merged back, each community is peeled to its dense core and grown again by the
accounts that co-engage with most of the core (hyperactive members fail the pair-level test
but not this one).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
from scipy import stats

from pod_detect.graph import Budget
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
        What building it counted: ``pairs``, ``significant_pairs``, ``timed`` (a window was
        used), ``capped_posts``, ``rows``.
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
    p-value is the Poisson upper tail. Edges keep ``weight`` (posts co-engaged),
    ``weighted`` (each post down-weighted by its size) and ``pvalue``.

    Returns the graph, the repeated pairs and the statistics (capped viral posts...).
    """
    from pod_detect.coengage import co_engagement_with_stats

    timed = frame[(frame["post"] >= 0) & frame["timestamp"].notna()]
    window = settings.window
    if timed.empty:  # no times: engaging the same post at all is co-engagement
        timed, window = frame[frame["post"] >= 0].assign(timestamp=0.0), 0.0
    pairs, info = co_engagement_with_stats(
        timed, window=window, min_weight=settings.min_coengaged,
        max_engagers=settings.max_engagers,
    )
    a, b = pairs["actor_a"].to_numpy(), pairs["actor_b"].to_numpy()
    expected = _expected(timed, a, b, info.candidates, int(frame["actor"].max()) + 1)
    pvalue = stats.poisson.sf(pairs["weight"].to_numpy() - 1, expected)
    keep = pvalue <= settings.alpha
    graph = nx.Graph()
    for x, y, w, wd, p in zip(
        a[keep].tolist(), b[keep].tolist(), pairs["weight"].to_numpy()[keep].tolist(),
        pairs["weighted"].to_numpy()[keep].tolist(), pvalue[keep].tolist(), strict=True,
    ):
        graph.add_edge(x, y, weight=w, weighted=wd, pvalue=p)
    counts = {"pairs": len(pairs), "significant_pairs": int(keep.sum()), "timed": window > 0,
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


def communities(cograph: CoGraph, settings: Settings, budget: Budget) -> list[frozenset[int]]:
    """Dense communities of a co-engagement graph, disjoint, largest first.

    Louvain (fixed seed, edges in sorted order, so deterministic) splits the graph; splits
    of one homogeneous group are merged back; each community is peeled, dropping the member
    with the fewest links inside while it has less than half the links of the average
    member, so an organic fringe falls off; the cores then grow, densest first, by the accounts that
    co-engage with at least ``settings.density`` of it about as often as its members do with
    each other, significant or not.
    Louvain is near-linear, but its input is bounded too: past ``settings.max_edges`` edges
    only the heaviest are kept and the budget records it.
    """
    graph = cograph.graph
    if graph.number_of_edges() == 0:
        return []
    if graph.number_of_edges() > settings.max_edges:
        budget.exhausted.append(
            f"co-engagement graph cut to its {settings.max_edges} heaviest edges"
        )
        heaviest = sorted(graph.edges(data="weighted"), key=lambda e: (-e[2], e[0], e[1]))
        graph = nx.Graph()
        graph.add_weighted_edges_from(heaviest[: settings.max_edges], weight="weighted")
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(graph.nodes))
    ordered.add_edges_from(sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])))
    found = nx.community.louvain_communities(ordered, weight="weighted", seed=0)
    cores = []
    for community in _merge_split(ordered, [frozenset(c) for c in found], budget):
        peeled = _peel(ordered.subgraph(community), 0.5)
        if len(peeled) >= settings.min_group_size:
            cores.append(frozenset(peeled))
    # densest first: a pod's core claims its members before a loose community grows into them
    cores.sort(key=lambda g: (-_density(ordered, g), -len(g), min(g)))
    groups: list[frozenset[int]] = []
    taken: set[int] = set()
    for kept in cores:
        grown = _grow(cograph.pairs, set(kept) - taken, taken, settings.density)
        if len(grown) >= settings.min_group_size:
            groups.append(frozenset(grown))
            taken |= grown
    return groups


def _grow(pairs: pd.DataFrame, core: set[int], taken: set[int], share: float) -> set[int]:
    """Add, repeatedly, outsiders that co-engage with ``share`` of the core about as often
    as core members co-engage with each other (at least half the core's median weight)."""
    a, b = pairs["actor_a"].to_numpy(), pairs["actor_b"].to_numpy()
    weight = pairs["weight"].to_numpy()
    while core:
        members = np.fromiter(core, dtype="int64")
        in_a, in_b = np.isin(a, members), np.isin(b, members)
        inner = weight[in_a & in_b]
        if inner.size == 0:
            return core
        edge = (in_a ^ in_b) & (weight >= 0.5 * np.median(inner))
        other = np.concatenate([b[edge & in_a], a[edge & in_b]])
        nodes, links = np.unique(other, return_counts=True)
        joining = {int(n) for n, k in zip(nodes, links, strict=True)
                   if k >= share * len(core) and int(n) not in taken}
        if not joining:
            return core
        core = core | joining
    return core


def _merge_split(
    graph: nx.Graph, parts: list[frozenset[int]], budget: Budget
) -> list[frozenset[int]]:
    """Undo Louvain's splits of one homogeneous dense group.

    Modularity cuts a uniformly dense group (a rotating pod, where every pair co-engages
    about equally) into pieces. Two communities are joined, densest link first, while the
    density of edges between them is at least half the smaller of their own densities.
    """
    parts = sorted(parts, key=lambda p: (-len(p), min(p)))
    while True:
        label = {n: i for i, part in enumerate(parts) for n in part}
        between: dict[tuple[int, int], int] = {}
        for u, v in graph.edges:
            a, b = sorted((label[u], label[v]))
            if a != b:
                between[a, b] = between.get((a, b), 0) + 1
        inner = [_density(graph, part) for part in parts]
        best = None
        for (a, b), edges in sorted(between.items()):
            link = edges / (len(parts[a]) * len(parts[b]))
            if link >= 0.5 * min(inner[a], inner[b]) and (best is None or link > best[0]):
                best = (link, a, b)
        if best is None or not budget.spend("community merging"):
            return parts
        _, a, b = best
        parts = [p for i, p in enumerate(parts) if i not in (a, b)] + [parts[a] | parts[b]]


def _density(graph: nx.Graph, nodes: frozenset[int]) -> float:
    n = len(nodes)
    return graph.subgraph(nodes).number_of_edges() / (n * (n - 1) / 2) if n > 1 else 1.0


def _peel(graph: nx.Graph, share: float) -> set[int]:
    """Drop, weakest first, members linked to less than ``share`` of the average member.

    A lazy heap of (degree, node) gives the same order as repeatedly taking the minimum.
    """
    degree = {n: graph.degree(n) for n in graph.nodes}
    members = set(degree)
    total = sum(degree.values())
    heap = [(d, n) for n, d in degree.items()]
    heapq.heapify(heap)
    while len(members) > 2 and heap:
        d, weakest = heapq.heappop(heap)
        if weakest not in members or d != degree[weakest]:
            continue  # stale entry
        if d >= share * total / len(members):
            break
        members.discard(weakest)
        total -= 2 * d
        for neighbour in graph[weakest]:
            if neighbour in members:
                degree[neighbour] -= 1
                heapq.heappush(heap, (degree[neighbour], neighbour))
    return members
