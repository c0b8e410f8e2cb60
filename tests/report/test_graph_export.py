"""``--export-graph``: GEXF (dynamic) and GraphML files networkx reads back."""

from __future__ import annotations

import networkx as nx
import pytest
from click.testing import CliRunner
from hostile import MEMBERS, report, write_csv

from pod_detect.cli import cli
from pod_detect.errors import PodDetectError
from pod_detect.report.graph_export import export_graph

READERS = {".gexf": nx.read_gexf, ".graphml": nx.read_graphml}


@pytest.mark.parametrize("suffix", sorted(READERS))
def test_round_trip_with_attributes(tmp_path, suffix):
    path = tmp_path / f"pods{suffix}"
    export_graph(report(), str(path))
    graph = READERS[suffix](path)
    assert set(MEMBERS) <= set(graph.nodes)
    anna = graph.nodes["anna"]
    assert anna["group"].startswith("pod-") and anna["severity"] and anna["score"] > 0
    assert graph.nodes["o1"]["group"] == "" if "o1" in graph else True
    data = graph.edges["anna", "ben"]
    assert data["weight"] >= 1 and data["posts"] >= 1 and data["reciprocal"] in (True, "true")
    for _, attrs in graph.nodes(data=True):
        assert all(isinstance(v, str | int | float | bool) for v in attrs.values())


def test_gexf_is_dynamic(tmp_path):
    path = tmp_path / "pods.gexf"
    export_graph(report(), str(path))
    text = path.read_text()
    assert 'mode="dynamic"' in text and "start=" in text and "end=" in text


def test_bad_extension(tmp_path):
    with pytest.raises(PodDetectError, match=".gexf or .graphml"):
        export_graph(report(), str(tmp_path / "pods.png"))


def test_cli_option(tmp_path):
    export = write_csv(tmp_path / "hostile.csv")
    target = tmp_path / "pods.graphml"
    result = CliRunner().invoke(cli, ["scan", export, "-q", "--export-graph", str(target)])
    assert result.exit_code == 1
    assert "anna" in nx.read_graphml(target)
