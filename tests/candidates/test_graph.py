"""Dense-group finding on tiny graphs whose shape is named in each case."""

from __future__ import annotations

import itertools

import networkx as nx
import pandas as pd
import pytest

from pod_detect.candidates.reciprocal import Budget, dense_groups, reciprocal_graph
from pod_detect.settings import Settings


def clique(nodes):
    return list(itertools.combinations(nodes, 2))


CASES = [
    # (shape, edges, expected groups)
    ("triangle", clique([0, 1, 2]), [{0, 1, 2}]),
    ("K5", clique(range(5)), [set(range(5))]),
    ("path of 4: no triangle", [(0, 1), (1, 2), (2, 3)], []),
    ("star: one hub, no reciprocity among leaves", [(0, i) for i in range(1, 8)], []),
    ("two K4 joined by one bridge", clique([0, 1, 2, 3]) + clique([4, 5, 6, 7]) + [(3, 4)],
     [{0, 1, 2, 3}, {4, 5, 6, 7}]),
    ("K6 minus two edges is still one group",
     [e for e in clique(range(6)) if e not in {(0, 1), (2, 3)}], [set(range(6))]),
    ("K4 plus a pendant node stays K4", clique([0, 1, 2, 3]) + [(3, 9)], [{0, 1, 2, 3}]),
]


@pytest.mark.parametrize(("shape", "edges", "expected"), CASES, ids=[c[0] for c in CASES])
def test_dense_groups(shape, edges, expected):
    graph = nx.Graph(edges)
    groups = dense_groups(graph, Settings(), Budget(10_000))
    assert sorted(map(set, groups), key=min) == expected


def test_groups_are_disjoint_and_deterministic():
    edges = clique(range(5)) + clique(range(3, 8))  # two K5 sharing nodes 3 and 4
    first = dense_groups(nx.Graph(edges), Settings(), Budget(10_000))
    again = dense_groups(nx.Graph(list(reversed(edges))), Settings(), Budget(10_000))
    assert first == again
    seen = [m for g in first for m in g]
    assert len(seen) == len(set(seen))


def test_moon_moser_graph_stops_at_the_budget():
    # Complement of 20 disjoint triangles: 3**20 maximal cliques, far beyond any budget.
    triangles = nx.disjoint_union_all([nx.complete_graph(3)] * 20)
    hostile = nx.complement(triangles)
    budget = Budget(2_000)
    groups = dense_groups(hostile, Settings(), budget)
    assert budget.exhausted == ["clique enumeration stopped after 2000 steps"]
    assert budget.used == 2_000
    assert groups  # it still reports what it found within the budget


def pairs_frame(rows):
    frame = pd.DataFrame(rows, columns=["actor", "author", "posts", "coverage", "pvalue"])
    frame["engagements"] = frame["posts"]
    return frame


def test_reciprocal_graph_needs_both_directions_repeated_and_significant():
    pairs = pairs_frame([
        (0, 1, 5, 1.0, 1e-9), (1, 0, 4, 0.8, 1e-8),    # reciprocal, repeated: edge
        (0, 2, 5, 1.0, 1e-9),                           # one way only: no edge
        (3, 4, 5, 1.0, 1e-9), (4, 3, 1, 0.2, 1e-9),     # back direction once: no edge
        (5, 6, 5, 1.0, 1e-9), (6, 5, 5, 1.0, 0.3),      # back direction expected by chance
    ])
    graph = reciprocal_graph(pairs, Settings(min_posts=2, alpha=0.001))
    assert sorted(graph.edges) == [(0, 1)]
    assert graph.edges[0, 1]["posts"] == 4
    assert graph.edges[0, 1]["coverage"] == 0.8
