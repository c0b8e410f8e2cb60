"""``pod-detect pairs``: the co-engagement pairs themselves, for researchers who compare
pod-detect with coordination toolkits (the QUT coordination-network-toolkit, CooRTweet) pair
by pair.

One row per unordered pair of accounts that co-engaged (engaged the same post within
``window`` seconds of each other, inclusive) often enough: ``account_1`` < ``account_2``
(the ids as strings, compared as Python compares strings, which is how SQLite compares the
QUT toolkit's ``user_1 < user_2``), ``weight`` (see ``weighting``), ``posts`` (distinct
posts the two co-engaged within the window) and, with ``significant``, ``pvalue`` (the
scan's null model at that window). Rows come by weight (descending), then ``account_1``,
then ``account_2``: the same rows always give the same table and the same bytes.

The renderers (:func:`to_csv`, :func:`to_json`, :func:`to_gexf`) are pure functions of the
table; every id in their output is made safe for where it goes (a spreadsheet, a terminal,
an XML document). See ``docs/co-engagement.md``.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pod_detect.candidates.coengage import WEIGHTINGS, co_engagement_with_stats
from pod_detect.errors import ConfigError
from pod_detect.formats.csv import neutralise
from pod_detect.model import Interactions
from pod_detect.report.redact import pseudonym
from pod_detect.text import json_text, visible, visible_inline, xml_id

__all__ = ["COLUMNS", "DEFAULT_WEIGHTING", "DOCUMENT_VERSION", "FORMATS", "WEIGHTINGS",
           "coengagement_pairs", "redact_pairs", "render", "to_csv", "to_gexf", "to_json"]

#: The columns of every pairs table; with ``significant``, ``pvalue`` follows them.
COLUMNS = ("account_1", "account_2", "weight", "posts")

#: What ``weight`` counts unless told otherwise: the QUT toolkit's edge weight, so that the
#: pairs compare one to one with the toolkit's (``posts`` gives the distinct posts anyway).
DEFAULT_WEIGHTING = "qut"

#: Version of the JSON document :func:`to_json` writes.
DOCUMENT_VERSION = 1

#: The GEXF namespace written (the version networkx and Gephi read by default).
GEXF_NAMESPACE = "http://www.gexf.net/1.2draft"


def coengagement_pairs(
    data: Interactions,
    *,
    window: float = 60.0,
    min_weight: int = 2,
    weighting: str = DEFAULT_WEIGHTING,
    significant: bool = False,
    alpha: float | None = None,
) -> pd.DataFrame:
    """The pairs of accounts that co-engaged posts within ``window`` seconds, as a table.

    Parameters
    ----------
    data
        A loaded export (:func:`pod_detect.io.load`). Rows without a post or a time are left
        out (a row without a time is within no window of another).
    window
        Largest time difference, in seconds, between the two engagements (inclusive).
    min_weight
        Smallest ``weight`` kept.
    weighting
        ``"qut"``: ``weight`` is the QUT coordination-network-toolkit 1.5.2's ``co_retweet``
        edge weight read as its users read it (``user_1 < user_2``): how many of
        ``account_1``'s engagements (rows) have an engagement by ``account_2`` of the same
        post within the window, so an account that engaged a post twice counts twice.
        ``"count"``: the number of distinct posts the two co-engaged (``posts``).
    significant
        Keep only the pairs the scan's null model finds significant at this window, with
        their ``pvalue`` (:func:`pod_detect.candidates.cograph.coengagement_graph` run at
        ``window`` alone: the Poisson tail of the distinct posts the pair co-engaged among
        each post's first 200 engagers, given both accounts' activity). A pair left out by
        ``min_weight`` stays out.
    alpha
        The significance level with ``significant`` (default: the scan's, 0.001).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS` (``account_1``, ``account_2`` str; ``weight``, ``posts``
        int64), then ``pvalue`` (float64) with ``significant``; sorted by ``weight``
        descending, then ``account_1``, then ``account_2``; a fresh ``RangeIndex``.
        ``attrs["settings"]`` holds the settings used and ``attrs["counts"]`` what was
        counted (``rows`` paired, ``rows_left_out`` without a post or time, ``posts``,
        ``accounts`` in pairs, ``pairs``).

    Raises
    ------
    ConfigError
        When a setting is out of range (``window`` below 0, ``min_weight`` below 1, an
        unknown ``weighting``, ``alpha`` outside (0, 1), or ``alpha`` without
        ``significant``).
    """
    if alpha is not None and not significant:
        raise ConfigError("alpha applies only with significant")
    frame = data.frame
    n_accounts = len(data.accounts)
    table, stats = co_engagement_with_stats(frame, window=window, min_weight=min_weight,
                                            weighting=weighting, n_accounts=n_accounts)
    pairs = table[["actor_a", "actor_b", "weight"]]
    if weighting == "count":
        pairs = pairs.assign(posts=pairs["weight"])
    else:
        posts, _ = co_engagement_with_stats(frame, window=window, min_weight=1,
                                            weighting="count", n_accounts=n_accounts)
        pairs = pairs.merge(posts[["actor_a", "actor_b", "weight"]].rename(
            columns={"weight": "posts"}), on=["actor_a", "actor_b"], how="left")
    if significant:
        pairs, alpha = _significant(pairs, data, float(window), alpha)
    accounts = np.asarray([str(a) for a in data.accounts], dtype=object)
    out = pd.DataFrame({
        "account_1": accounts[pairs["actor_a"].to_numpy()],
        "account_2": accounts[pairs["actor_b"].to_numpy()],
        "weight": pairs["weight"].to_numpy(dtype=np.int64),
        "posts": pairs["posts"].to_numpy(dtype=np.int64),
    })
    if significant:
        out["pvalue"] = pairs["pvalue"].to_numpy(dtype=np.float64)
    out = _ordered(out)
    out.attrs["settings"] = {
        "window": float(window), "min_weight": int(min_weight), "weighting": weighting,
        "significant": bool(significant), "alpha": alpha, "redacted": False,
    }
    out.attrs["counts"] = {
        "rows": stats.rows, "rows_left_out": len(frame) - stats.rows, "posts": stats.posts,
        "accounts": int(len(set(out["account_1"]) | set(out["account_2"]))),
        "pairs": len(out),
    }
    return out


def _significant(pairs: pd.DataFrame, data: Interactions, window: float,
                 alpha: float | None) -> tuple[pd.DataFrame, float]:
    """The pairs the scan's null model finds significant at ``window``, with ``pvalue``."""
    from pod_detect.candidates.cograph import coengagement_graph
    from pod_detect.settings import Settings

    settings = (Settings(window=window, min_coengaged=1) if alpha is None
                else Settings(window=window, min_coengaged=1, alpha=alpha))
    edges = coengagement_graph(data.frame, settings, n_accounts=len(data.accounts)).edges
    kept = pairs.merge(edges[["actor_a", "actor_b", "pvalue"]], on=["actor_a", "actor_b"],
                       how="inner")
    return kept, settings.alpha


def _ordered(table: pd.DataFrame) -> pd.DataFrame:
    """``account_1 < account_2`` in every row; rows by weight descending, then ids."""
    swap = (table["account_1"] > table["account_2"]).to_numpy()
    if swap.any():
        first = table["account_1"].to_numpy().copy()
        table.loc[swap, "account_1"] = table["account_2"].to_numpy()[swap]
        table.loc[swap, "account_2"] = first[swap]
    table = table.sort_values(["weight", "account_1", "account_2"],
                              ascending=[False, True, True], kind="mergesort")
    return table.reset_index(drop=True)


def redact_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` with every account id replaced by its stable pseudonym
    (:func:`pod_detect.report.redact.pseudonym`, as ``scan --redact`` writes them), each row
    reordered so ``account_1 < account_2`` and the rows sorted again. Weights are unchanged
    (with ``"qut"`` weighting, a weight counts the engagements of the pair's lower id as
    given, which may now be ``account_2``)."""
    names: dict[str, str] = {}

    def rename(value: str) -> str:
        if value not in names:
            names[value] = pseudonym(str(value), "acct")
        return names[value]

    out = pairs.copy()
    for column in ("account_1", "account_2"):
        out[column] = pd.Series([rename(v) for v in out[column]], index=out.index,
                                dtype=object)
    out = _ordered(out)
    out.attrs = {**pairs.attrs, "settings": {**pairs.attrs.get("settings", {}),
                                             "redacted": True}}
    return out


# --------------------------------------------------------------------------- renderers


def _columns(pairs: pd.DataFrame) -> list[str]:
    return [*COLUMNS, "pvalue"] if "pvalue" in pairs.columns else list(COLUMNS)


def _number(value: Any) -> str:
    """An integer as digits, a float as Python's shortest repr (the same bytes every run)."""
    if isinstance(value, int | np.integer):
        return str(int(value))
    return repr(float(value))


def to_csv(pairs: pd.DataFrame) -> str:
    """The pairs as CSV: a header row, one row per pair, RFC 4180 quoting, CRLF line ends.

    Every id is a safe cell: control characters written as escapes
    (:func:`pod_detect.text.visible`) and a cell a spreadsheet would run as a formula
    (``=``, ``+``, ``-``, ``@``, tab, carriage return first) prefixed with ``'``
    (:func:`pod_detect.formats.csv.neutralise`), as ``scan --format csv`` writes them.
    """
    columns = _columns(pairs)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in pairs[columns].itertuples(index=False):
        writer.writerow([neutralise(visible(str(row[0]))), neutralise(visible(str(row[1]))),
                         *(_number(v) for v in row[2:])])
    return buffer.getvalue()


def to_json(pairs: pd.DataFrame, settings: Mapping[str, Any] | None = None,
            counts: Mapping[str, Any] | None = None) -> str:
    """The pairs as one JSON document: ``{"version", "settings", "counts", "columns",
    "pairs": [{"account_1", "account_2", "weight", "posts"[, "pvalue"]}, ...]}``.

    ``settings`` and ``counts`` default to the table's ``attrs`` (as
    :func:`coengagement_pairs` leaves them). Characters that would act on a terminal are
    written as ``\\uXXXX`` escapes (:func:`pod_detect.text.json_text`): the same JSON value.
    """
    columns = _columns(pairs)
    rows = [
        {"account_1": str(r[0]), "account_2": str(r[1]),
         **{name: (int(v) if name != "pvalue" else float(v))
            for name, v in zip(columns[2:], r[2:], strict=True)}}
        for r in pairs[columns].itertuples(index=False)
    ]
    document = {
        "version": DOCUMENT_VERSION,
        "kind": "co-engagement pairs",
        "settings": dict(settings if settings is not None else pairs.attrs.get("settings", {})),
        "counts": dict(counts if counts is not None else pairs.attrs.get("counts", {})),
        "columns": columns,
        "pairs": rows,
    }
    return json_text(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)) + "\n"


def to_gexf(pairs: pd.DataFrame, settings: Mapping[str, Any] | None = None) -> str:
    """The pairs as a static, undirected GEXF 1.2 graph for Gephi (networkx reads it too).

    Nodes are the accounts in the pairs, sorted by id, each with its id as ``label``; edges
    carry ``weight`` (GEXF's own edge weight), ``posts`` (and ``pvalue``) as attributes. An
    id holding a character XML 1.0 cannot (or a backslash) is escaped by
    :func:`pod_detect.text.xml_id`, as ``scan --export-graph`` does, and the XML writer
    escapes ``<``, ``&``, quotes and line breaks: the document is always well-formed. What
    XML allows but a terminal acts on (C1 controls, bidirectional overrides) is written as
    ``\\u...`` text (:func:`pod_detect.text.visible_inline`), so the file can be printed.
    No date is written, so the same pairs always give the same bytes.
    """
    chosen = dict(settings if settings is not None else pairs.attrs.get("settings", {}))
    columns = _columns(pairs)
    root = ElementTree.Element("gexf", {"xmlns": GEXF_NAMESPACE, "version": "1.2"})
    meta = ElementTree.SubElement(root, "meta")
    ElementTree.SubElement(meta, "creator").text = "pod-detect pairs"
    ElementTree.SubElement(meta, "description").text = (
        "co-engagement pairs; " + ", ".join(f"{k}={v}" for k, v in chosen.items()))
    graph = ElementTree.SubElement(root, "graph", {"defaultedgetype": "undirected",
                                                   "mode": "static"})
    attributes = ElementTree.SubElement(graph, "attributes", {"class": "edge",
                                                              "mode": "static"})
    extra = columns[3:]  # posts (and pvalue); weight is the edge's own
    for number, name in enumerate(extra):
        ElementTree.SubElement(attributes, "attribute", {
            "id": str(number), "title": name, "type": "double" if name == "pvalue" else "long"})
    nodes = ElementTree.SubElement(graph, "nodes")
    names = sorted(set(pairs["account_1"]) | set(pairs["account_2"]))
    for account in names:
        ident = xml_id(str(account))
        ElementTree.SubElement(nodes, "node", {"id": ident, "label": ident})
    edges = ElementTree.SubElement(graph, "edges")
    for number, row in enumerate(pairs[columns].itertuples(index=False)):
        edge = ElementTree.SubElement(edges, "edge", {
            "id": str(number), "source": xml_id(str(row[0])), "target": xml_id(str(row[1])),
            "weight": _number(row[2])})
        values = ElementTree.SubElement(edge, "attvalues")
        for attribute, value in enumerate(row[3:]):
            ElementTree.SubElement(values, "attvalue", {"for": str(attribute),
                                                        "value": _number(value)})
    ElementTree.indent(root)
    body = visible_inline(ElementTree.tostring(root, encoding="unicode"))
    return "<?xml version='1.0' encoding='utf-8'?>\n" + body + "\n"


#: The renderers by ``--format`` name.
FORMATS = {"csv": to_csv, "json": to_json, "gexf": to_gexf}


def render(pairs: pd.DataFrame, fmt: str) -> str:
    """``pairs`` in format ``fmt`` (a key of :data:`FORMATS`).

    Raises
    ------
    ConfigError
        For an unknown format.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return FORMATS[fmt](pairs)
