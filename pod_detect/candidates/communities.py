"""Dense communities of the co-engagement graph: rotating pods and like-farms.

Louvain splits the graph; splits of one homogeneous dense group are merged back; each
community is peeled to its dense core and grown again by the accounts that co-engage with
most of the core (hyperactive members fail the pair-level test but not this one). Louvain is
igraph's (compiled: ten times faster than networkx's pure-Python one on a large scan); every
other step works on arrays of edges and a CSR adjacency, so its cost follows the
communities' edges, not the whole graph once per community.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass

import numpy as np

from pod_detect.candidates.cograph import CoGraph
from pod_detect.candidates.reciprocal import Budget
from pod_detect.engines.frames import distinct
from pod_detect.settings import Settings


@dataclass(frozen=True)
class Adjacency:
    """Compressed sparse rows of an undirected weighted edge list (both directions).

    ``neighbours[start[n]:start[n + 1]]`` are the neighbours of node ``n`` and ``weights``
    the weights of those edges.
    """

    start: np.ndarray
    neighbours: np.ndarray
    weights: np.ndarray

    @classmethod
    def of(cls, u: np.ndarray, v: np.ndarray, weight: np.ndarray, n_nodes: int) -> Adjacency:
        source = np.concatenate([u, v]).astype("int64")
        target = np.concatenate([v, u]).astype("int64")
        order = np.argsort(source, kind="stable")
        start = np.zeros(n_nodes + 1, dtype="int64")
        np.cumsum(np.bincount(source, minlength=n_nodes), out=start[1:])
        return cls(start, target[order], np.concatenate([weight, weight])[order])

    def around(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every edge leaving ``nodes``: its source, neighbour and weight."""
        counts = self.start[nodes + 1] - self.start[nodes]
        first = np.repeat(self.start[nodes] - np.cumsum(counts) + counts, counts)
        at = first + np.arange(int(counts.sum()))
        return np.repeat(nodes, counts), self.neighbours[at], self.weights[at]


def communities(cograph: CoGraph, settings: Settings, budget: Budget) -> list[frozenset[int]]:
    """Dense communities of a co-engagement graph, disjoint, largest first.

    Louvain (igraph's multilevel method, fixed seed, edges in sorted order, so
    deterministic) splits the graph; splits
    of one homogeneous group are merged back; each community is peeled, dropping the member
    with the fewest links inside while it has less than half the links of the average
    member, so an organic fringe falls off; the cores then grow, densest first, by the
    accounts that co-engage with at least ``settings.density`` of it about as often as its
    members do with each other, significant or not.
    Louvain is near-linear, but its input is bounded too: past ``settings.max_edges`` edges
    only the heaviest are kept and the budget records it.
    """
    kept = cograph.edges
    if len(kept) == 0:
        return []
    if len(kept) > settings.max_edges:
        budget.exhausted.append(
            f"co-engagement graph cut to its {settings.max_edges} heaviest edges"
        )
        heaviest = np.lexsort((kept["actor_b"].to_numpy(), kept["actor_a"].to_numpy(),
                               -kept["weighted"].to_numpy()))[: settings.max_edges]
        kept = kept.iloc[np.sort(heaviest)]
    edges = _Edges.of(kept["actor_a"].to_numpy(), kept["actor_b"].to_numpy(),
                      kept["weighted"].to_numpy())
    found = louvain(edges)
    cores = []
    for community in merge_split(edges, [frozenset(c) for c in found], budget):
        peeled = peel(edges, community, 0.5)
        if len(peeled) >= settings.min_group_size:
            cores.append(frozenset(peeled))
    # densest first: a pod's core claims its members before a loose community grows into them
    density = edges.densities(cores)
    order = sorted(range(len(cores)), key=lambda i: (-density[i], -len(cores[i]), min(cores[i])))
    pairs = cograph.pairs
    n_nodes = int(max(pairs["actor_b"].to_numpy().max(initial=0), edges.n_nodes - 1)) + 1
    around = Adjacency.of(pairs["actor_a"].to_numpy(), pairs["actor_b"].to_numpy(),
                          pairs["weight"].to_numpy(), n_nodes)
    groups: list[frozenset[int]] = []
    taken = np.zeros(n_nodes, dtype=bool)
    for i in order:
        grown = grow(around, {m for m in cores[i] if not taken[m]}, taken, settings.density)
        if len(grown) >= settings.min_group_size:
            groups.append(frozenset(grown))
            taken[list(grown)] = True
    return groups


def louvain(edges: _Edges) -> list[frozenset[int]]:
    """Louvain communities (igraph's multilevel method, weights ``weighted``), deterministic:
    edges in sorted order and igraph's random numbers from a fixed seed."""
    import igraph

    nodes = distinct(np.concatenate([edges.u, edges.v]))
    ends = np.searchsorted(nodes, np.stack([edges.u, edges.v], axis=1))
    shape = igraph.Graph(n=len(nodes), edges=ends, directed=False)
    weight = edges.weighted
    igraph.set_random_number_generator(random.Random(0))
    try:
        found = shape.community_multilevel(weights=weight)
    finally:
        igraph.set_random_number_generator(random)
    labels = np.asarray(found.membership)
    return [frozenset(nodes[labels == k].tolist()) for k in range(labels.max(initial=-1) + 1)]


@dataclass(frozen=True)
class _Edges:
    """A graph's edges as arrays, with a CSR adjacency for walking neighbours."""

    u: np.ndarray
    v: np.ndarray
    weighted: np.ndarray
    n_nodes: int
    adjacency: Adjacency

    @classmethod
    def of(cls, a: np.ndarray, b: np.ndarray, weighted: np.ndarray) -> _Edges:
        """The edges ``a``-``b`` with the smaller node first, sorted, with their weights."""
        ends = np.sort(np.stack([a, b], axis=1).astype("int64"), axis=1)
        order = np.lexsort((ends[:, 1], ends[:, 0]))
        u, v = ends[order, 0], ends[order, 1]
        n_nodes = int(max(u.max(initial=0), v.max(initial=0))) + 1
        return cls(u, v, np.asarray(weighted, dtype="float64")[order], n_nodes,
                   Adjacency.of(u, v, np.ones(len(u), dtype="int64"), n_nodes))

    def labels(self, parts: list[frozenset[int]]) -> np.ndarray:
        label = np.full(self.n_nodes, -1, dtype="int64")
        for i, part in enumerate(parts):
            label[list(part)] = i
        return label

    def densities(self, parts: list[frozenset[int]]) -> np.ndarray:
        """Edge density inside each of ``parts`` (disjoint); 1 for a single node."""
        label = self.labels(parts)
        lu, lv = label[self.u], label[self.v]
        inner = np.bincount(lu[(lu == lv) & (lu >= 0)], minlength=len(parts))
        n = np.array([len(p) for p in parts], dtype="float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(n > 1, inner / (n * (n - 1) / 2), 1.0)


def merge_split(edges: _Edges, parts: list[frozenset[int]], budget: Budget
                ) -> list[frozenset[int]]:
    """Undo Louvain's splits of one homogeneous dense group.

    Modularity cuts a uniformly dense group (a rotating pod, where every pair co-engages
    about equally) into pieces. Two communities are joined, densest link first (the first
    pair of indexes on a tie), while the density of edges between them is at least half the
    smaller of their own densities.
    """
    parts = sorted(parts, key=lambda p: (-len(p), min(p)))
    while True:
        label = edges.labels(parts)
        a, b = np.minimum(label[edges.u], label[edges.v]), np.maximum(label[edges.u],
                                                                       label[edges.v])
        cross = a != b
        keys, counts = np.unique(a[cross] * len(parts) + b[cross], return_counts=True)
        first, second = keys // len(parts), keys % len(parts)
        size = np.array([len(p) for p in parts], dtype="int64")
        inner = edges.densities(parts)
        link = counts / (size[first] * size[second])
        eligible = np.flatnonzero(link >= 0.5 * np.minimum(inner[first], inner[second]))
        if not eligible.size or not budget.spend("community merging"):
            return parts
        best = eligible[np.argmax(link[eligible])]
        x, y = int(first[best]), int(second[best])
        parts = [p for i, p in enumerate(parts) if i not in (x, y)] + [parts[x] | parts[y]]


def peel(edges: _Edges, community: frozenset[int], share: float) -> set[int]:
    """Drop, weakest first, members linked to less than ``share`` of the average member.

    A lazy heap of (degree, node) gives the same order as repeatedly taking the minimum.
    """
    nodes = np.array(sorted(community), dtype="int64")
    inside = np.zeros(edges.n_nodes, dtype=bool)
    inside[nodes] = True
    source, neighbour, _ = edges.adjacency.around(nodes)
    kept = inside[neighbour]
    degree = dict(zip(nodes.tolist(), np.bincount(
        np.searchsorted(nodes, source[kept]), minlength=len(nodes)).tolist(), strict=True))
    members = set(degree)
    total = sum(degree.values())
    heap = [(d, n) for n, d in degree.items()]
    heapq.heapify(heap)
    adjacency = edges.adjacency
    while len(members) > 2 and heap:
        d, weakest = heapq.heappop(heap)
        if weakest not in members or d != degree[weakest]:
            continue  # stale entry
        if d >= share * total / len(members):
            break
        members.discard(weakest)
        total -= 2 * d
        for other in adjacency.neighbours[adjacency.start[weakest]:adjacency.start[weakest + 1]]:
            other = int(other)
            if other in members:
                degree[other] -= 1
                heapq.heappush(heap, (degree[other], other))
    return members


def grow(around: Adjacency, core: set[int], taken: np.ndarray, share: float) -> set[int]:
    """Add, repeatedly, outsiders that co-engage with ``share`` of the core about as often
    as core members co-engage with each other (at least half the core's median weight)."""
    while core:
        members = np.array(sorted(core), dtype="int64")
        inside = np.zeros(len(taken), dtype=bool)
        inside[members] = True
        _, neighbour, weight = around.around(members)
        within = inside[neighbour]
        if not within.any():
            return core
        strong = ~within & (weight >= 0.5 * np.median(weight[within]))
        nodes, links = np.unique(neighbour[strong], return_counts=True)
        joining = nodes[(links >= share * len(core)) & ~taken[nodes]]
        if not joining.size:
            return core
        core = core | set(joining.tolist())
    return core
