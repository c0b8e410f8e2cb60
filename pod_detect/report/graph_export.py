"""``--export-graph``: the flagged groups and their surroundings for Gephi and Cytoscape.

Nodes are the members of the reported groups and their direct counterparts (at most
:data:`MAX_NODES`), with ``label``, ``group`` (``""`` outside a group), ``kind``,
``severity`` (``""`` outside), ``score`` (0.0 outside) and ``member`` (bool). Edges are
directed engagement pairs (actor -> author) with ``weight`` (engagements), ``posts``
(distinct posts) and ``reciprocal`` (the reverse pair exists). Attributes are plain
strings, numbers and booleans: no None, lists or datetimes. A ``.gexf`` file is a dynamic
graph: each edge has ``start`` and ``end`` (first and last engagement, seconds since the
epoch) so Gephi's timeline plays the groups' activity.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from pod_detect.errors import PodDetectError
from pod_detect.model import Report
from pod_detect.report.analysis import neighbourhood
from pod_detect.text import xml_id

if TYPE_CHECKING:
    import networkx as nx

#: Accounts exported at most (every group member first, then the busiest counterparts).
MAX_NODES = 500
SUFFIXES = (".gexf", ".graphml")


class GraphExportError(PodDetectError):
    """The graph file's name has no supported extension."""


def build_graph(report: Report, cap: int = MAX_NODES, dynamic: bool = False) -> nx.DiGraph:
    """The export graph, keyed by account id (as the report names accounts; a name holding
    a character XML cannot, or a backslash, escaped by :func:`pod_detect.text.xml_id`).

    Parameters
    ----------
    report
        A scan's report (redact it first for pseudonyms).
    cap
        Most nodes.
    dynamic
        Add ``start`` and ``end`` to edges with known times (for GEXF).
    """
    import networkx as nx  # here: a scan that exports no graph never needs it early

    codes, edges = neighbourhood(report, cap)
    by_member = {m: g for g in report.groups for m in g.members}
    graph = nx.DiGraph()
    def name(code: int) -> str:
        return xml_id(report.account_name(code))

    for code in codes:
        group = by_member.get(code)
        graph.add_node(
            name(code), label=name(code),
            group=group.id if group else "", kind=group.kind if group else "",
            severity=group.severity if group else "",
            score=float(group.score) if group else 0.0, member=group is not None,
        )
    pairs = set(zip(edges["actor"], edges["author"], strict=True))
    for row in edges.itertuples(index=False):
        attrs: dict[str, object] = {"weight": int(row.weight), "posts": int(row.posts),
                                    "reciprocal": (row.author, row.actor) in pairs}
        if dynamic and not math.isnan(row.first):
            attrs |= {"start": float(row.first), "end": float(row.last)}
        graph.add_edge(name(row.actor), name(row.author), **attrs)
    return graph


def export_graph(report: Report, path: str) -> nx.DiGraph:
    """Write the export graph to ``path`` (``.gexf`` dynamic, or ``.graphml``).

    Raises
    ------
    GraphExportError
        For any other extension.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise GraphExportError(f"{path}: graph export needs a .gexf or .graphml file name")
    import networkx as nx

    graph = build_graph(report, dynamic=suffix == ".gexf")
    if suffix == ".gexf":
        timed = any("start" in d for _, _, d in graph.edges(data=True))
        graph.graph["mode"] = "dynamic" if timed else "static"
        nx.write_gexf(graph, path)
    else:
        nx.write_graphml(graph, path)
    return graph
