"""Candidate graphs from the reduced pairs, and bounded dense-group finding on them.

Only pairs that survive the reduce step become edges, so these graphs are small. Clique
enumeration is exponential in the worst case, so it runs under a :class:`Budget`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
from scipy import stats

from pod_detect.settings import Settings


@dataclass
class Budget:
    """A count of units of exponential work left, and a record of who ran out."""

    limit: int
    used: int = 0
    exhausted: list[str] = field(default_factory=list)

    def spend(self, what: str) -> bool:
        """Spend one unit; ``False`` (and a note) once the budget is gone."""
        if self.used >= self.limit:
            if what not in self.exhausted:
                self.exhausted.append(what)
            return False
        self.used += 1
        return True


def repeated_pairs(pairs: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Ordered pairs repeated over ``min_posts`` posts and at least suggestive under the null
    model (p-value at most the square root of ``alpha``)."""
    keep = (pairs["posts"] >= settings.min_posts) & (pairs["pvalue"] <= np.sqrt(settings.alpha))
    return pairs[keep]


def reciprocal_graph(pairs: pd.DataFrame, settings: Settings) -> nx.Graph:
    """Undirected graph of account pairs that engage each other, both ways, repeatedly.

    Each direction must be repeated and suggestive on its own, and the two together
    significant (Fisher's method at ``alpha``): a member who posts rarely still links to the
    members who engage every one of its few posts, while a one-way pair with a chance
    engagement back does not. Edge attributes: ``posts`` (the smaller of the two
    directions' distinct posts), ``coverage`` (the smaller coverage) and ``pvalue`` (the
    combined p-value).
    """
    strong = repeated_pairs(pairs, settings)
    back = strong.rename(
        columns={"actor": "author", "author": "actor", "posts": "posts_back",
                 "coverage": "coverage_back", "pvalue": "pvalue_back"}
    )[["actor", "author", "posts_back", "coverage_back", "pvalue_back"]]
    both = strong.merge(back, on=["actor", "author"])
    both = both[both["actor"] < both["author"]]
    combined = fisher(both["pvalue"].to_numpy(), both["pvalue_back"].to_numpy())
    keep = combined <= settings.alpha
    both = both[keep]
    graph = nx.Graph()
    edges = zip(
        both["actor"].to_numpy().tolist(),
        both["author"].to_numpy().tolist(),
        np.minimum(both["posts"], both["posts_back"]).tolist(),
        np.fmin(both["coverage"], both["coverage_back"]).tolist(),
        combined[keep].tolist(),
        strict=True,
    )
    for a, b, posts, coverage, pvalue in edges:
        graph.add_edge(a, b, posts=posts, coverage=coverage, pvalue=pvalue)
    return graph


def fisher(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Fisher's combined p-value of two independent tests, elementwise."""
    with np.errstate(divide="ignore"):
        statistic = -2.0 * (np.log(np.maximum(p, 1e-300)) + np.log(np.maximum(q, 1e-300)))
    return stats.chi2.sf(statistic, 4)


def dense_groups(graph: nx.Graph, settings: Settings, budget: Budget) -> list[frozenset[int]]:
    """Disjoint dense groups: maximal cliques as seeds, grown into quasi-cliques.

    Seeds are taken largest and heaviest first; each grows by the outside nodes linked to
    at least ``settings.density`` of its members, so a pod with a few missing edges is one
    group, not several overlapping cliques. Deterministic for the same graph.
    """
    groups: list[frozenset[int]] = []
    assigned: set[int] = set()
    for component in sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c))):
        if len(component) < settings.min_group_size:
            continue
        sub = graph.subgraph(component)
        for seed in _seeds(sub, settings, budget):
            members = set(seed) - assigned
            if len(members) < settings.min_group_size:
                continue
            members = _grow(sub, members, assigned, settings.density)
            groups.append(frozenset(members))
            assigned |= members
    return groups


def _seeds(graph: nx.Graph, settings: Settings, budget: Budget) -> list[tuple[int, ...]]:
    cliques: list[tuple[int, ...]] = []
    for clique in nx.find_cliques(graph):
        if not budget.spend("clique enumeration"):
            break
        if len(clique) >= settings.min_group_size:
            cliques.append(tuple(sorted(clique)))
    return sorted(cliques, key=lambda c: (-len(c), -_weight(graph, c), c))


def _weight(graph: nx.Graph, nodes: Iterable[int]) -> float:
    return float(graph.subgraph(nodes).size(weight="posts"))


def _grow(graph: nx.Graph, members: set[int], taken: set[int], density: float) -> set[int]:
    while True:
        frontier = {n for m in members for n in graph[m]} - members - taken
        links = {n: sum(1 for m in graph[n] if m in members) for n in frontier}
        joining = [n for n, k in links.items() if k >= density * len(members)]
        if not joining:
            return members
        members = members | {max(joining, key=lambda n: (links[n], -n))}


def coengagement_graph(
    frame: pd.DataFrame, settings: Settings
) -> tuple[nx.Graph, dict[str, int]]:
    """Accounts that engage the same posts within ``settings.window`` seconds, again and again,
    more often than their activity predicts.

    The null model scatters co-engagements over pairs in proportion to the product of the two
    accounts' activity (distinct posts engaged): ``expected = n_a * n_b * rate``, with
    ``rate`` the observed co-engagements per unit of that product over all pairs; the
    p-value is the Poisson upper tail. Edges keep ``weight`` (posts co-engaged),
    ``weighted`` (each post down-weighted by its size) and ``pvalue``.

    Returns the graph and the co-engagement statistics (capped viral posts and so on).
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
    activity = np.bincount(
        timed[["actor", "post"]].drop_duplicates()["actor"].to_numpy(),
        minlength=int(frame["actor"].max()) + 1 if len(frame) else 0,
    ).astype("float64")
    total = float(activity.sum())
    opportunity = (total * total - float((activity * activity).sum())) / 2.0
    rate = info.candidates / opportunity if opportunity > 0 else 0.0
    a, b = pairs["actor_a"].to_numpy(), pairs["actor_b"].to_numpy()
    expected = activity[a] * activity[b] * rate
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
    return graph, counts


def communities(graph: nx.Graph, settings: Settings, budget: Budget) -> list[frozenset[int]]:
    """Dense communities of a co-engagement graph: Louvain, then peeled to a dense core.

    Louvain (fixed seed, edges in sorted order, so deterministic) splits the graph; each
    community is then peeled, dropping the member with the fewest links inside while it is
    linked to less than half of the others, so an organic fringe attached to a pod falls off.
    Louvain is near-linear, but its input is bounded too: past ``settings.max_edges`` edges
    only the heaviest are kept and the budget records it.
    """
    if graph.number_of_edges() == 0:
        return []
    if graph.number_of_edges() > settings.max_edges:
        budget.exhausted.append("co-engagement graph size")
        heaviest = sorted(graph.edges(data="weighted"), key=lambda e: (-e[2], e[0], e[1]))
        graph = nx.Graph()
        graph.add_weighted_edges_from(heaviest[: settings.max_edges], weight="weighted")
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(graph.nodes))
    ordered.add_edges_from(sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])))
    found = nx.community.louvain_communities(ordered, weight="weighted", seed=0)
    groups = []
    for community in _merge_split(ordered, [frozenset(c) for c in found], budget):
        core = _peel(ordered.subgraph(community), 0.5)
        if len(core) >= settings.min_group_size:
            groups.append(frozenset(core))
    return sorted(groups, key=lambda g: (-len(g), min(g)))


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
    members = set(graph.nodes)
    degree = {n: graph.degree(n) for n in members}
    while len(members) > 2:
        weakest = min(members, key=lambda n: (degree[n], n))
        if degree[weakest] >= share * (len(members) - 1):
            break
        members.discard(weakest)
        for neighbour in graph[weakest]:
            if neighbour in members:
                degree[neighbour] -= 1
    return members
