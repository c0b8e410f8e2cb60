"""Campaigns: the pieces of one like-farm operation, put back together.

A farm that rents out its accounts in batches leaves, in the co-engagement graph, not one
dense group but many small ones and lone pairs: the accounts of one job co-engage with each
other and hardly with those of the next job. Louvain, rightly, sees separate communities,
and each piece alone is a sliver of its targets' audience. What ties the pieces together is
what they engage: the same targets. :func:`campaigns` joins the pieces whose members never
post (the accounts a farm is made of) that engaged a common post, so the operation can be
examined, and judged, as one group.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pod_detect.candidates.cograph import CoGraph
from pod_detect.engines.frames import rows_of

#: Members of one piece who must have engaged a post for it to be one of the piece's
#: targets (a batch, not one member's own taste).
BATCH = 2


def campaigns(cograph: CoGraph, frame: Any, silent: np.ndarray,
              min_size: int) -> list[frozenset[int]]:
    """Groups of silent accounts (``silent``: per account code, it authored no post in the
    export) made of at least two pieces of the significant co-engagement graph that
    engaged a common post (``frame``: the rows, pandas or Dask), largest first, disjoint.

    A piece is a connected component of the significant pairs between silent accounts;
    two pieces are one campaign when :data:`BATCH` members of each engaged the same post.
    A single piece is no campaign: the communities already examine it.
    """
    edges = cograph.edges
    if not len(edges):
        return []
    a, b = edges["actor_a"].to_numpy(), edges["actor_b"].to_numpy()
    both = silent[a] & silent[b]
    a, b = a[both], b[both]
    if not len(a):
        return []
    nodes = np.unique(np.concatenate([a, b]))
    n = len(nodes)
    piece = _components(n, np.searchsorted(nodes, a), np.searchsorted(nodes, b))
    rows = rows_of(frame, "actor", nodes, ["actor", "post"])
    actor = rows["actor"].to_numpy()
    mine = rows["post"].to_numpy() >= 0
    engaged = pd.DataFrame({"piece": piece[np.searchsorted(nodes, actor[mine])],
                            "actor": actor[mine],
                            "post": rows["post"].to_numpy()[mine]}).drop_duplicates()
    batches = engaged.groupby(["piece", "post"]).size()
    batches = batches[batches.to_numpy() >= BATCH].reset_index()
    n_pieces = int(piece.max()) + 1
    if not len(batches):
        return []
    posts, post_code = np.unique(batches["post"].to_numpy(), return_inverse=True)
    # pieces and posts as one bipartite graph: its components are the campaigns
    campaign = _components(n_pieces + len(posts), batches["piece"].to_numpy(),
                           n_pieces + post_code)
    of_piece = campaign[:n_pieces]
    of_node = of_piece[piece]
    joined = np.bincount(of_piece)[of_node] >= 2  # nodes of campaigns of several pieces
    labels, members = of_node[joined], nodes[joined]
    order = np.argsort(labels, kind="stable")
    _, starts = np.unique(labels[order], return_index=True)
    groups = [frozenset(part.tolist()) for part in np.split(members[order], starts[1:])
              if len(part) >= min_size]
    return sorted(groups, key=lambda g: (-len(g), min(g)))


def _components(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The connected component of each of ``n`` nodes joined by the edges ``u``-``v``
    (igraph's, numbered by first node: deterministic)."""
    import igraph

    shape = igraph.Graph(n=n, edges=np.stack([u, v], axis=1).astype(np.int64))
    return np.asarray(shape.connected_components().membership, dtype=np.int64)
