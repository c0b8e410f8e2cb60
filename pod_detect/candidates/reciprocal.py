"""Candidate graphs from the reduced pairs, and bounded dense-group finding on them.

Only pairs that survive the reduce step become edges, so these graphs are small. Clique
enumeration is exponential in the worst case, so it runs under a :class:`Budget`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from pod_detect.settings import Settings
from pod_detect.stats.tails import chi2_tail


@dataclass
class Budget:
    """A count of units of exponential work left, and a record of who ran out."""

    limit: int
    used: int = 0
    exhausted: list[str] = field(default_factory=list)

    def spend(self, what: str) -> bool:
        """Spend one unit; ``False`` (and a note) once the budget is gone."""
        if self.used >= self.limit:
            note = f"{what} stopped after {self.limit} steps"
            if note not in self.exhausted:
                self.exhausted.append(note)
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
    return chi2_tail(statistic, 4)


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
    """Maximal cliques (within the budget), largest first, then heaviest, then by nodes."""
    cliques: list[tuple[int, ...]] = []
    for clique in nx.find_cliques(graph):
        if not budget.spend("clique enumeration"):
            break
        if len(clique) >= settings.min_group_size:
            cliques.append(tuple(sorted(clique)))
    posts = {(min(u, v), max(u, v)): w for u, v, w in graph.edges(data="posts", default=1)}
    return sorted(cliques, key=lambda c: (-len(c), -_weight(posts, c), c))


def _weight(posts: dict[tuple[int, int], float], nodes: tuple[int, ...]) -> float:
    """Total ``posts`` over the edges of a clique given as sorted nodes."""
    return float(sum(posts[u, v] for i, u in enumerate(nodes) for v in nodes[i + 1:]))


def _grow(graph: nx.Graph, members: set[int], taken: set[int], density: float) -> set[int]:
    while True:
        frontier = {n for m in members for n in graph[m]} - members - taken
        links = {n: sum(1 for m in graph[n] if m in members) for n in frontier}
        joining = [n for n, k in links.items() if k >= density * len(members)]
        if not joining:
            return members
        members = members | {max(joining, key=lambda n: (links[n], -n))}
