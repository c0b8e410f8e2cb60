"""Numbers for many disjoint candidate groups at once (helpers of the detectors).

A scan examines hundreds of candidate groups, most of them organic communities that score
nothing; looking at them one by one (a subgraph, a filter of a big table per group) made the
detectors quadratic. Here every group is handled in one vectorised pass, keyed by the group's
index in its list (``index[account]``, -1 outside every group).
"""

from __future__ import annotations

import networkx as nx
import numpy as np


def edge_arrays(graph: nx.Graph) -> tuple[np.ndarray, np.ndarray]:
    """The two end nodes of every edge of ``graph`` as int64 arrays."""
    if graph.number_of_edges() == 0:
        empty = np.empty(0, dtype="int64")
        return empty, empty.copy()
    ends = np.array(list(graph.edges()), dtype="int64")
    return ends[:, 0], ends[:, 1]


def inner_edges(u: np.ndarray, v: np.ndarray, index: np.ndarray) -> np.ndarray:
    """The group of each edge whose two ends are in the same group, -1 for the others."""
    group = index[u]
    return np.where((group >= 0) & (group == index[v]), group, -1)


def edges_per_group(
    u: np.ndarray, v: np.ndarray, index: np.ndarray, n_groups: int
) -> np.ndarray:
    """Edges inside each group (both ends members), by group index."""
    group = inner_edges(u, v, index)
    return np.bincount(group[group >= 0], minlength=n_groups)


def inner_degree(u: np.ndarray, v: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Per account code, its edges to members of its own group (0 outside every group)."""
    inner = inner_edges(u, v, index) >= 0
    size = len(index)
    return (np.bincount(u[inner], minlength=size) + np.bincount(v[inner], minlength=size))


def sizes(groups: list[frozenset[int]]) -> np.ndarray:
    """Member count of each group."""
    return np.array([len(g) for g in groups], dtype="int64")


def group_sums(values: np.ndarray, index: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum of ``values[account]`` over each group's members (``values`` per account code)."""
    members = np.flatnonzero(index[: len(values)] >= 0)
    return np.bincount(index[members], weights=values[members].astype("float64"),
                       minlength=n_groups)


def membership(groups: list[frozenset[int]], n_accounts: int) -> np.ndarray:
    """Array mapping each account code to its group's index in ``groups`` (disjoint), else
    -1; one entry more than the accounts, -1, for the code -1 (no account)."""
    index = np.full(n_accounts + 1, -1, dtype="int64")
    for i, members in enumerate(groups):
        index[list(members)] = i
    return index
