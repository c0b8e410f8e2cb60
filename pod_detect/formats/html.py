"""``--format html``: one self-contained page an analyst opens, shares and acts on.

Inline CSS, charts as inline SVG (:mod:`pod_detect.formats._svg`), a small inline script for
sorting and filtering tables, and a Content-Security-Policy that forbids every network
request and every script but that one (by hash). Made with Jinja2 with autoescaping: text
from the input (account ids, post ids, comments) is always escaped, never marked safe.
"""

from __future__ import annotations

import base64
import hashlib
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from pod_detect import __version__
from pod_detect.formats import _svg
from pod_detect.formats._common import KIND_TITLE, summary_line
from pod_detect.formats.base import RenderOptions
from pod_detect.model import Group, Report
from pod_detect.report import input_summary, plain
from pod_detect.report.analysis import (
    GroupPositions,
    by_author,
    group_rows,
    latency,
    member_matrix,
    neighbourhood,
)
from pod_detect.text import visible, visible_inline

if TYPE_CHECKING:
    import jinja2

#: Rows drawn in the bar charts and members drawn in a heatmap, at most.
TOP_BARS, MAX_HEATMAP = 25, 60
#: Accounts in the network picture, at most (its layout grows with their square).
MAX_NODES = 300
#: Groups given a section of their own (reasons, evidence, charts), at most: the highest
#: scored; the groups table lists every group, and the JSON report has them all.
MAX_SECTIONS = 500


def _environment() -> jinja2.Environment:
    import jinja2  # only an HTML report needs it

    return jinja2.Environment(
        loader=jinja2.PackageLoader("pod_detect.formats", "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined, finalize=_shown,
    )


def _shown(value: Any) -> Any:
    """Every plain string a template prints (names, ids, notes) with its control
    characters shown as escapes; our own markup (:class:`Markup`) as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


def _script() -> tuple[Markup, str]:
    """The inline table script (our own, from the package) and its CSP hash."""
    text = resources.files("pod_detect.formats").joinpath("templates/tables.js").read_text(
        encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
    return Markup(text), f"sha256-{digest}"


def _authors(report: Report) -> tuple[list[dict[str, Any]], Markup]:
    table = by_author(report)
    rows: list[dict[str, Any]] = [
        {"name": report.account_name(int(a)), "posts": int(r.posts),
             "engagements": int(r.engagements), "from_pods": int(r.from_pods),
             "authentic": int(r.authentic), "share": r.authentic / max(r.engagements, 1)}
            for a, r in table.iterrows()]
    bars = [(str(r["name"]), int(r["authentic"]), int(r["from_pods"])) for r in rows[:TOP_BARS]]
    return rows, _svg.stacked_bars(bars, "authentic versus pod engagement per author")


def _posts(report: Report) -> tuple[list[dict[str, Any]], Markup]:
    rows: list[dict[str, Any]] = [
        {"post": report.post_name(p.post), "author": report.account_name(p.author),
             "engagements": p.engagements, "from_pods": p.from_pods,
             "authentic": p.authentic, "share": p.authentic / max(p.engagements, 1)}
            for p in sorted(report.posts, key=lambda p: (-p.from_pods, p.post))]
    bars = [(str(r["post"]), int(r["authentic"]), int(r["from_pods"])) for r in rows[:TOP_BARS]]
    return rows, _svg.stacked_bars(bars, "authentic versus pod engagement per post")


def _comments(report: Report, rows: pd.DataFrame) -> list[tuple[str, int]]:
    """The group's most repeated comments (none when the report carries no text)."""
    text = report.interactions.frame["text"].reindex(rows.index).dropna()
    text = text[text.str.strip() != ""]
    return [(str(t), int(n)) for t, n in text.value_counts().head(5).items()]


def _summary(report: Report, group: Group) -> dict[str, Any]:
    """What the groups table shows of a group."""
    return {"id": group.id, "kind": KIND_TITLE[group.kind], "severity": group.severity,
            "score": group.score, "detailed": False,
            "members": sorted(report.account_name(m) for m in group.members)}


def _group(report: Report, group: Group, lat: np.ndarray, at: GroupPositions,
           others: np.ndarray) -> dict[str, Any]:
    """A group's section; ``others`` is a scratch mask of every row, all true, left so."""
    rows = group_rows(report, group, at, lat)
    names = sorted(report.account_name(m) for m in group.members)
    shown = member_matrix(report, group, at).iloc[:MAX_HEATMAP, :MAX_HEATMAP]
    heat = _svg.heatmap(names[:MAX_HEATMAP], shown.to_numpy(), f"engagement matrix {group.id}")
    timed = report.interactions.has_timestamps
    latency_chart = None
    if timed:
        positions = at.engaging(group)
        others[positions] = False
        latency_chart = _svg.log_histogram(rows["latency"].to_numpy(), lat[others],
                                           f"latency {group.id}")
        others[positions] = True
    return {
        **_summary(report, group), "detailed": True, "reasons": list(group.reasons),
        "evidence": plain(group.evidence), "heatmap": heat, "comments": _comments(report, rows),
        "latency": latency_chart,
        "timeline": _svg.timeline(rows["timestamp"].to_numpy(), f"timeline {group.id}")
        if timed else None,
    }


def pictured(report: Report) -> tuple[list[int], int]:
    """The members the network picture starts from, and how many groups they come from:
    the groups in report order (highest score first) while they fit in :data:`MAX_NODES`
    accounts, at least the first (its first :data:`MAX_NODES` members by code)."""
    members: list[int] = []
    taken = 0
    for group in report.groups:
        if taken and len(members) + len(group.members) > MAX_NODES:
            break
        members += sorted(group.members)
        taken += 1
    return members[:MAX_NODES], taken


def network_svg(report: Report) -> Markup | None:
    """The flagged groups (as many as :func:`pictured` takes) and their surroundings, laid
    out by spring_layout (seed 7)."""
    if not report.groups:
        return None
    import networkx as nx  # here: a scan imports it only while the export is read

    codes, edges = neighbourhood(report, MAX_NODES, pictured(report)[0])
    graph = nx.Graph()
    graph.add_nodes_from(codes)
    for a, b, w in edges[["actor", "author", "weight"]].itertuples(index=False):
        old = graph.get_edge_data(a, b, {"weight": 0})["weight"]
        graph.add_edge(int(a), int(b), weight=old + int(w))
    pos = nx.spring_layout(graph, seed=7, weight=None)
    colour = {m: i for i, g in enumerate(report.groups) for m in g.members}
    order = {c: i for i, c in enumerate(codes)}
    nodes = [(report.account_name(c), colour.get(c, -1), float(pos[c][0]), float(pos[c][1]))
             for c in codes]
    lines = [(order[a], order[b], int(d["weight"])) for a, b, d in graph.edges(data=True)]
    return _svg.network(nodes, lines, "network of the flagged groups")


def render(report: Report, options: RenderOptions) -> str:
    """The report as one self-contained HTML document."""
    lat = latency(report)
    authors, author_chart = _authors(report)
    posts, post_chart = _posts(report)
    script, script_hash = _script()
    page = _environment().get_template("report.html")
    # the script is static (its hash is in the page's CSP) and holds none of these
    # characters, so only untrusted text is changed: shown, not acted on
    at = GroupPositions(report)
    others = np.ones(len(lat), dtype=bool)
    groups = [_group(report, g, lat, at, others) if i < MAX_SECTIONS else _summary(report, g)
              for i, g in enumerate(report.groups)]
    in_picture, picture_groups = pictured(report)
    limits = []
    if len(report.groups) > MAX_SECTIONS:
        limits.append(f"Sections follow for the {MAX_SECTIONS} highest-scoring groups of "
                      f"{len(report.groups)}; the table lists them all, and the JSON report "
                      "has every group's evidence.")
    if picture_groups < len(report.groups) or len(in_picture) < len(
            report.groups[0].members if report.groups else ()):
        limits.append(f"The network shows {picture_groups} of {len(report.groups)} groups "
                      f"({len(in_picture)} accounts): a picture of more is unreadable and "
                      "slow to lay out.")
    return visible_inline(page.render(
        version=__version__, headline=summary_line(report), input=input_summary(report),
        notes=list(report.notes), authors=authors, author_chart=author_chart, posts=posts,
        post_chart=post_chart, groups=groups, limits=limits,
        network=network_svg(report), script=script, script_hash=script_hash,
        palette=_svg.PALETTE,
    )) + "\n"
