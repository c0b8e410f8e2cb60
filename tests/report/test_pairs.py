"""``pod_detect.report.pairs``: co-engagement pairs as a table and its renderers (issue 23).

The hand-made export ``conftest.HAND`` has 4 accounts and 4 posts (author ``z``, who engages
nothing); its pairs at a 60 s window are worked out by hand in :data:`HAND_PAIRS`.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import networkx as nx
import pandas as pd
import pytest
from conftest import HAND

from pod_detect.errors import ConfigError
from pod_detect.io import parse
from pod_detect.report.pairs import (
    COLUMNS,
    coengagement_pairs,
    redact_pairs,
    render,
    to_csv,
    to_gexf,
    to_json,
)
from pod_detect.report.redact import pseudonym

GEXF = "{http://www.gexf.net/1.2draft}"

#: Every co-engaged pair: (qut weight: the lower id's rows with a row of the other within
#: 60 s; distinct posts co-engaged). a's two rows of p3 each have c and d within 60 s.
HAND_PAIRS = {("a", "b"): (3, 3), ("a", "c"): (2, 1), ("a", "d"): (2, 1),
              ("c", "d"): (2, 2), ("b", "d"): (1, 1)}


def export(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame({"actor": [r[0] for r in rows], "author": "z",
                         "post_id": [r[1] for r in rows],
                         "timestamp": [float(r[2]) for r in rows]})


@pytest.fixture(scope="module")
def hand():
    return parse(export(HAND), source="hand.csv")


def as_dict(table: pd.DataFrame) -> dict[tuple[str, str], tuple[int, int]]:
    return {(a, b): (int(w), int(p)) for a, b, w, p in table[list(COLUMNS)].itertuples(
        index=False)}


def test_qut_weights_and_posts_by_hand(hand):
    table = coengagement_pairs(hand, window=60, min_weight=1, weighting="qut")
    assert as_dict(table) == HAND_PAIRS
    assert list(table.columns) == list(COLUMNS)
    assert table["weight"].dtype == "int64" and table["posts"].dtype == "int64"
    assert all(isinstance(v, str) for v in table["account_1"])


def test_rows_come_heaviest_first_then_by_id(hand):
    table = coengagement_pairs(hand, window=60, min_weight=2)
    assert list(zip(table["account_1"], table["account_2"], strict=True)) == [
        ("a", "b"), ("a", "c"), ("a", "d"), ("c", "d")]


def test_count_weighting_counts_distinct_posts(hand):
    table = coengagement_pairs(hand, window=60, min_weight=2, weighting="count")
    assert as_dict(table) == {("a", "b"): (3, 3), ("c", "d"): (2, 2)}


def test_window_is_inclusive(hand):
    # p2's a-b is exactly 60 s apart: out at 59 s
    assert as_dict(coengagement_pairs(hand, window=59, min_weight=3)) == {}
    assert as_dict(coengagement_pairs(hand, window=60, min_weight=3)) == {("a", "b"): (3, 3)}


def test_settings_and_counts_travel_with_the_table(hand):
    table = coengagement_pairs(hand, window=60, min_weight=2)
    assert table.attrs["settings"] == {"window": 60.0, "min_weight": 2, "weighting": "qut",
                                       "significant": False, "alpha": None,
                                       "redacted": False}
    assert table.attrs["counts"] == {"rows": len(HAND), "rows_left_out": 0, "posts": 4,
                                     "accounts": 4, "pairs": 4}


def test_csv_bytes_by_hand(hand):
    text = to_csv(coengagement_pairs(hand, window=60, min_weight=2))
    assert text == ("account_1,account_2,weight,posts\r\n"
                    "a,b,3,3\r\na,c,2,1\r\na,d,2,1\r\nc,d,2,2\r\n")


def test_json_document(hand):
    table = coengagement_pairs(hand, window=60, min_weight=2)
    document = json.loads(to_json(table))
    assert document["version"] == 1 and document["settings"]["weighting"] == "qut"
    assert document["columns"] == list(COLUMNS)
    assert document["pairs"][0] == {"account_1": "a", "account_2": "b", "weight": 3,
                                    "posts": 3}
    assert len(document["pairs"]) == document["counts"]["pairs"] == 4


def test_gexf_is_a_weighted_undirected_graph(hand):
    table = coengagement_pairs(hand, window=60, min_weight=2)
    root = ElementTree.fromstring(to_gexf(table).encode())
    graph = root.find(f"{GEXF}graph")
    assert graph is not None and graph.get("defaultedgetype") == "undirected"
    read = nx.read_gexf(_file(to_gexf(table)))
    assert not read.is_directed()
    assert read.edges["a", "b"]["weight"] == 3 and read.edges["a", "b"]["posts"] == 3
    assert read.number_of_edges() == 4 and set(read.nodes) == {"a", "b", "c", "d"}


def _file(text: str):
    import io

    return io.BytesIO(text.encode())


def test_the_same_rows_give_the_same_bytes_whatever_their_order(hand):
    shuffled = parse(export(HAND).sample(frac=1, random_state=3), source="other.csv")
    for fmt in ("csv", "json", "gexf"):
        first = render(coengagement_pairs(hand), fmt)
        assert render(coengagement_pairs(hand), fmt) == first
        assert render(coengagement_pairs(shuffled), fmt) == first


def test_redact_uses_scans_pseudonyms_and_keeps_the_order_rule(hand):
    table = redact_pairs(coengagement_pairs(hand, window=60, min_weight=1))
    names = {pseudonym(x): x for x in "abcd"}
    assert set(table["account_1"]) | set(table["account_2"]) == set(names)
    assert (table["account_1"] < table["account_2"]).all()
    back = {tuple(sorted((names[a], names[b]))): (int(w), int(p))
            for a, b, w, p in table[list(COLUMNS)].itertuples(index=False)}
    assert back == HAND_PAIRS
    assert table.attrs["settings"]["redacted"] is True
    assert list(table["weight"]) == sorted(table["weight"], reverse=True)


def test_significant_adds_a_pvalue_and_keeps_a_subset(hand):
    every = coengagement_pairs(hand, window=60, min_weight=1)
    kept = coengagement_pairs(hand, window=60, min_weight=1, significant=True, alpha=0.999)
    assert list(kept.columns) == [*COLUMNS, "pvalue"]
    assert len(kept) == len(every)  # at alpha 0.999 all 5 are kept (p 0.41 to 0.84)
    # at the scan's alpha (0.001) four accounts are too few for anything to be significant
    assert len(coengagement_pairs(hand, window=60, min_weight=1, significant=True)) == 0
    assert set(zip(kept["account_1"], kept["account_2"], strict=True)) <= set(
        zip(every["account_1"], every["account_2"], strict=True))
    assert ((kept["pvalue"] > 0) & (kept["pvalue"] <= 0.999)).all()
    assert kept.attrs["settings"]["alpha"] == 0.999
    assert "pvalue" in to_csv(kept).splitlines()[0]
    assert all("pvalue" in p for p in json.loads(to_json(kept))["pairs"])


@pytest.mark.parametrize("bad", [{"window": -1}, {"min_weight": 0}, {"weighting": "idf"},
                                 {"alpha": 0.5}, {"significant": True, "alpha": 2.0}])
def test_settings_out_of_range_are_config_errors(hand, bad):
    with pytest.raises(ConfigError):
        coengagement_pairs(hand, **bad)


def test_unknown_format_is_a_config_error(hand):
    with pytest.raises(ConfigError, match="format"):
        render(coengagement_pairs(hand), "xlsx")


def test_rows_without_a_time_are_left_out_and_counted():
    frame = export(HAND)
    frame.loc[0, "timestamp"] = float("nan")  # a@p1
    table = coengagement_pairs(parse(frame, source="untimed.csv"), window=60, min_weight=1)
    assert table.attrs["counts"]["rows_left_out"] == 1
    assert as_dict(table)[("a", "b")] == (2, 2)


def test_no_pairs_renders_empty_documents():
    table = coengagement_pairs(parse(export([("a", "p1", 0), ("b", "p1", 500)]),
                                     source="apart.csv"))
    assert len(table) == 0
    assert to_csv(table) == "account_1,account_2,weight,posts\r\n"
    assert json.loads(to_json(table))["pairs"] == []
    root = ElementTree.fromstring(to_gexf(table).encode())
    assert root.find(f"{GEXF}graph/{GEXF}edges") is not None


# --------------------------------------------------------------------------- hostile ids

FORMULA = "=cmd|' /C calc'!A0"
HOSTILE = [FORMULA, "a<b&c\"d'>", "bell\x07x", "esc\x1b[2Jx", "rlo\u202eevil", "nl\nx",
           "+1-2", "@SUM(A1)", "back\\x07x"]


@pytest.fixture(scope="module")
def hostile():
    rows = [(name, post, base + i) for post, base in (("p1", 0), ("p2", 1000))
            for i, name in enumerate(HOSTILE)]
    return coengagement_pairs(parse(export(rows), source="hostile.csv"), window=60)


def test_hostile_ids_are_safe_csv_cells(hostile):
    import csv
    import io

    text = to_csv(hostile)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    cells = [c for row in csv.reader(io.StringIO(text, newline="")) for c in row[:2]][2:]
    assert cells and not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert "'" + FORMULA in cells and "esc\\x1b[2Jx" in cells and "nl\\x0ax" in cells


def test_hostile_ids_give_well_formed_gexf_with_distinct_nodes(hostile):
    text = to_gexf(hostile)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    root = ElementTree.fromstring(text.encode("utf-8"))
    nodes = [n.get("id") for n in root.iter(f"{GEXF}node")]
    assert len(nodes) == len(set(nodes)) == len(HOSTILE)
    assert FORMULA in nodes and "a<b&c\"d'>" in nodes and "nl\nx" in nodes
    edges = list(root.iter(f"{GEXF}edge"))
    assert len(edges) == len(hostile) == len(HOSTILE) * (len(HOSTILE) - 1) // 2
    assert {e.get("source") for e in edges} | {e.get("target") for e in edges} == set(nodes)


def test_hostile_ids_survive_json_exactly(hostile):
    text = to_json(hostile)
    assert "\x1b" not in text and "\u202e" not in text
    ids = {p[k] for p in json.loads(text)["pairs"] for k in ("account_1", "account_2")}
    assert ids == set(HOSTILE)
