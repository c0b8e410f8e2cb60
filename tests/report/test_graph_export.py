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


#: Names XML 1.0 cannot hold (C0 controls) and the name their escape would collide with,
#: were backslashes left alone.
XML_HOSTILE = ["bell\x07", "nul\x00x", "esc\x1b[2J", "bell\\x07", "tab\tok", "plain"]


@pytest.mark.parametrize("suffix", sorted(READERS))
def test_names_xml_cannot_hold_give_a_well_formed_file_with_distinct_nodes(tmp_path, suffix):
    import xml.etree.ElementTree as ElementTree

    import pandas as pd
    from conftest import COLUMNS, fast, organic, outside_rows, round_rows

    import pod_detect
    from pod_detect.io import parse

    frame = pd.DataFrame(organic(30, 3) + round_rows(XML_HOSTILE, 6, fast)
                         + outside_rows(XML_HOSTILE, 30), columns=COLUMNS)
    scanned = pod_detect.scan(parse(frame, source="hostile.csv"))
    assert scanned.groups
    path = tmp_path / f"pods{suffix}"
    export_graph(scanned, str(path))
    ElementTree.parse(path)  # well-formed: raises otherwise
    nodes = set(READERS[suffix](path).nodes)
    assert {"bell\\x07", "bell\\\\x07", "nul\\x00x", "esc\\x1b[2J", "tab\tok"} <= nodes
