"""``--format html``: one self-contained page an analyst opens, shares and acts on.

Inline CSS, charts as inline SVG (:mod:`pod_detect.formats._svg`), a small inline script for
sorting and filtering tables, and a Content-Security-Policy that forbids every network
request and every script but that one (by hash). Made with Jinja2 with autoescaping: text
from the input (account ids, post ids, comments) is always escaped, never marked safe.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections import Counter
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
    authors,
    client_matrix,
    clients,
    group_rows,
    latency,
    member_matrix,
    neighbourhood,
    picture_edges,
)
from pod_detect.text import visible, visible_inline

if TYPE_CHECKING:
    import jinja2

#: Rows drawn in the bar charts, members drawn in a heatmap (its rows, and a pod's columns),
#: and accounts a one-way group boosts drawn in its heatmap (its columns), at most.
TOP_BARS, MAX_HEATMAP, MAX_CLIENT_COLUMNS = 25, 60, 20
#: Accounts in a group's network picture, at most, and of them the accounts it boosts (those
#: that got at least ``PICTURE_SHARE`` of what the most boosted got); a pod's picture is a
#: spring layout up to ``SPRING_NODES`` members, a circle beyond.
MAX_PICTURE, PICTURE_CLIENTS, PICTURE_SHARE, SPRING_NODES = 60, 12, 0.05, 30
#: Accounts a one-way group boosts named on its card.
CARD_CLIENTS = 5
#: Accounts in the overview network, at most (its layout grows with their square), and the
#: accounts each one-way group boosts drawn in it.
MAX_NODES, OVERVIEW_CLIENTS = 300, 5
#: Groups given a section of their own (reasons, evidence, charts), at most: the highest
#: scored; the groups table lists every group, and the JSON report has them all.
MAX_SECTIONS = 500


#: The segments of the authors' and posts' bars.
_SERIES = ((_svg.AUTHENTIC, "authentic"), (_svg.POD, "from pods"),
           (_svg.ONE_WAY, "from one-way groups"))


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


def _authors(report: Report, detailed: set[str]) -> tuple[list[dict[str, Any]], Markup]:
    """Per author whose posts flagged groups engaged (:func:`analysis.authors`): what it
    received, from pods and from one-way groups, and which groups (linked when they have a
    section); its inflated posts counted from the report's posts."""
    table = authors(report)
    inflated = Counter(p.author for p in report.posts)
    rows: list[dict[str, Any]] = [
        {"name": report.account_name(int(a)), "posts": int(r.posts),
         "inflated": inflated.get(int(a), 0), "engagements": int(r.engagements),
         "from_pods": int(r.from_pods), "from_one_way": int(r.from_one_way),
         "authentic": int(r.authentic), "share": float(r.authentic_share),
         "groups": [(gid, int(n), gid in detailed) for gid, n in r.groups.items()]}
        for a, r in zip(table.index, table.itertuples(index=False), strict=True)]
    bars = [(str(r["name"]), int(r["authentic"]), int(r["from_pods"]), int(r["from_one_way"]))
            for r in rows[:TOP_BARS]]
    return rows, _svg.stacked_bars(bars, "authentic versus inauthentic engagement per author",
                                   _SERIES)


def _posts(report: Report) -> tuple[list[dict[str, Any]], Markup]:
    """Per inflated post, in the report's order: what it received, from pods and from one-way
    groups (:func:`pod_detect.scoring.score_posts`)."""
    rows: list[dict[str, Any]] = [
        {"post": report.post_name(p.post), "author": report.account_name(p.author),
         "engagements": p.engagements, "from_pods": p.from_pods,
         "from_one_way": p.from_one_way, "authentic": p.authentic,
         "share": p.authentic / max(p.engagements, 1)}
        for p in report.posts]
    bars = [(str(r["post"]), int(r["authentic"]), int(r["from_pods"]), int(r["from_one_way"]))
            for r in rows[:TOP_BARS]]
    return rows, _svg.stacked_bars(bars, "authentic versus inauthentic engagement per post",
                                   _SERIES)


def _comments(report: Report, rows: pd.DataFrame) -> list[tuple[str, int]]:
    """The group's most repeated comments (none when the report carries no text)."""
    text = report.interactions.frame["text"].reindex(rows.index).dropna()
    text = text[text.str.strip() != ""]
    return [(str(t), int(n)) for t, n in text.value_counts().head(5).items()]


def _summary(report: Report, group: Group) -> dict[str, Any]:
    """What the groups table shows of a group."""
    return {"id": group.id, "kind": KIND_TITLE[group.kind], "severity": group.severity,
            "score": group.score, "detailed": False, "one_way": group.kind != "pod",
            "members": sorted(report.account_name(m) for m in group.members)}


def _heatmap(report: Report, group: Group, at: GroupPositions, names: list[str],
             boosts: pd.Series | None) -> dict[str, Any]:
    """A pod's members against members; a one-way group's members against the accounts it
    boosts (the first :data:`MAX_CLIENT_COLUMNS`), which its members never are to each
    other."""
    notes = []
    if len(names) > MAX_HEATMAP:
        notes.append(f"the first {MAX_HEATMAP} of {len(names)} members by id")
    if boosts is None:
        matrix = member_matrix(report, group, at).iloc[:MAX_HEATMAP, :MAX_HEATMAP]
        return {"title": "Who engaged whom (row engaged column's posts)", "notes": notes,
                "svg": _svg.heatmap(names[:MAX_HEATMAP], matrix.to_numpy(),
                                    f"engagement matrix {group.id}")}
    title = "Members (rows) engaging the posts of the accounts they boost (columns)"
    if not len(boosts):
        return {"title": title, "svg": None, "notes": [
            "none: the members engaged no post with a known author"]}
    columns = [int(c) for c in boosts.index[:MAX_CLIENT_COLUMNS]]
    if len(boosts) > MAX_CLIENT_COLUMNS:
        notes.append(f"the {MAX_CLIENT_COLUMNS} most boosted of {len(boosts)} accounts")
    matrix = client_matrix(report, group, columns, at).iloc[:MAX_HEATMAP]
    return {"title": title, "notes": notes, "svg": _svg.heatmap(
        names[:MAX_HEATMAP], matrix.to_numpy(), f"boosted accounts matrix {group.id}",
        columns=[report.account_name(c) for c in columns], verb="engaged the posts of")}


def _boosts(report: Report, boosts: pd.Series | None) -> dict[str, Any] | None:
    """The accounts a one-way group boosts, as its card names them (none when its members
    engaged no post with a known author)."""
    if boosts is None or not len(boosts):
        return None
    top = [(report.account_name(int(c)), int(n))
           for c, n in boosts.iloc[:CARD_CLIENTS].items()]
    rest = boosts.iloc[CARD_CLIENTS:]
    return {"top": top, "more": len(rest), "more_engagements": int(rest.sum()),
            "total": int(boosts.sum())}


def _layout(count: int, pairs: dict[tuple[int, int], int],
            circle_beyond: int | None = None) -> list[tuple[float, float]]:
    """Positions in [-1, 1] of ``count`` nodes joined by ``pairs``: networkx's spring layout
    from a fixed seed, on nodes and edges added in a fixed order, rounded (so the same input
    gives the same bytes); on a circle, in node order, beyond ``circle_beyond`` nodes (where
    a spring layout of a dense group crowds its labels)."""
    if circle_beyond is not None and count > circle_beyond:
        turn = 2 * np.pi / count
        return [(round(float(np.cos(i * turn - np.pi / 2)), 3),
                 round(float(np.sin(i * turn - np.pi / 2)), 3)) for i in range(count)]
    return list(_spring(count, tuple(sorted(pairs))))


@functools.lru_cache(maxsize=256)
def _spring(count: int, pairs: tuple[tuple[int, int], ...]) -> tuple[tuple[float, float], ...]:
    """:func:`_layout`'s spring layout; the same shape (many groups of one size, each joined
    the same way) is laid out once."""
    if count == 1:
        return ((0.0, 0.0),)
    import networkx as nx  # here: a scan imports it only while the export is read

    graph = nx.Graph()
    graph.add_nodes_from(range(count))
    graph.add_edges_from(pairs)
    pos = nx.spring_layout(graph, seed=7)
    return tuple((round(float(pos[i][0]), 3), round(float(pos[i][1]), 3)) for i in range(count))


def _fit(positions: list[tuple[float, float]]
         ) -> tuple[list[tuple[float, float]], tuple[float, float]]:
    """Positions stretched to fill [-1, 1] on both axes, and each axis's share of the longer
    one's extent (so a picture drawn that much wide and tall keeps the layout's shape)."""
    xy = np.array(positions, dtype=float).reshape(-1, 2)
    low, high = xy.min(axis=0), xy.max(axis=0)
    extent = high - low
    longest = max(float(extent.max()), 1e-9)
    half = np.where(extent > 0, extent / 2, 1.0)
    fitted = np.round((xy - (low + high) / 2) / half, 3)
    return ([(float(x), float(y)) for x, y in fitted],
            (max(float(extent[0]) / longest, 0.2), max(float(extent[1]) / longest, 0.2)))


def _columns(members: int, clients: int,
             pairs: dict[tuple[int, int], int]) -> list[tuple[float, float]]:
    """Members (nodes ``0..members-1``) in a column on the left, the accounts they boost (the
    rest, most boosted first) in a column on the right, each member at the height of the
    weighted mean of its clients' (so lines cross little), then by its order: no randomness,
    the same input gives the same picture."""
    def spread(n: int) -> np.ndarray:
        return np.linspace(-1, 1, n) if n > 1 else np.zeros(n)
    right = spread(clients) * min(1.0, 3 * clients / max(members, 1))
    pull = np.zeros(members)
    total = np.zeros(members)
    for (i, j), w in pairs.items():
        a, b = (i, j) if i < members <= j else (j, i)
        if a < members <= b:
            pull[a] += w * right[b - members]
            total[a] += w
    centre = np.divide(pull, total, out=np.zeros(members), where=total > 0)
    left = np.empty(members)
    left[np.lexsort((np.arange(members), np.round(centre, 6)))] = spread(members)
    return ([(-1.0, round(float(y), 3)) for y in left]
            + [(1.0, round(float(y), 3)) for y in right])


def _picked(boosts: pd.Series, group: Group) -> list[int]:
    """The accounts a one-way group boosts drawn in its picture: those that got at least
    :data:`PICTURE_SHARE` of what the most boosted got (and two engagements), not members,
    :data:`PICTURE_CLIENTS` at most: the group's clients, not a member's stray like."""
    if not len(boosts):
        return []
    floor = max(2, PICTURE_SHARE * int(boosts.iloc[0]))
    return [int(c) for c, n in boosts.items()
            if n >= floor and int(c) not in group.members][:PICTURE_CLIENTS]


def _picture(report: Report, group: Group, at: GroupPositions,
             boosts: pd.Series | None) -> dict[str, Any]:
    """The group's own network, labelled: a pod's members, one line per pair as wide as
    their engagements both ways (spring layout); a one-way group's members in a column and
    the accounts it boosts in another, a line from each member to each account it engaged
    (none between members: a coordinated group's engagements of each other are only
    counted). At most :data:`MAX_PICTURE` accounts (the busiest members when there are
    more)."""
    members = sorted(group.members, key=report.account_name)
    picked = [] if boosts is None else _picked(boosts, group)
    edges = picture_edges(report, group, members + picked, at)
    notes = []
    room = MAX_PICTURE - len(picked)
    if len(members) > room:
        busy = pd.concat([edges.groupby("actor")["weight"].sum(),
                          edges.groupby("author")["weight"].sum()]).groupby(level=0).sum()
        activity = busy.reindex(members, fill_value=0).to_numpy()
        names = np.array([report.account_name(m) for m in members])
        members = sorted((members[i] for i in np.lexsort([names, -activity])[:room]),
                         key=report.account_name)
        notes.append(f"the {room} busiest of {len(group.members)} members "
                     f"({len(group.members) - room} left out)")
        kept = set(members + picked)
        edges = edges[edges["actor"].isin(kept) & edges["author"].isin(kept)]
    got = {} if boosts is None else {int(c): int(n) for c, n in boosts.items()}
    if boosts is not None:
        among = edges["actor"].isin(group.members) & edges["author"].isin(group.members)
        if among.any():  # a member column has no room for lines between members
            notes.append(f"no lines between members ({int(edges['weight'][among].sum())} "
                         "engagements on each other's posts)")
            edges = edges[~among]
        others = len(boosts) - len(picked)
        notes.append(f"the {len(picked)} accounts that got at least "
                     f"{PICTURE_SHARE:.0%} of what the most boosted got"
                     + (f" ({others} more with fewer left out: the card and the matrix "
                        "name them)" if others else ""))
    codes = members + picked
    index = {c: i for i, c in enumerate(codes)}
    pairs: dict[tuple[int, int], int] = {}
    ways: dict[tuple[int, int], list[str]] = {}
    for actor, author, weight in edges[["actor", "author", "weight"]].itertuples(index=False):
        i, j = index[int(actor)], index[int(author)]
        key = (min(i, j), max(i, j))
        pairs[key] = pairs.get(key, 0) + int(weight)
        ways.setdefault(key, []).append(
            f"{report.account_name(int(actor))} \u2192 {report.account_name(int(author))}: "
            f"{int(weight)}")
    peak = max((got[c] for c in picked), default=1)
    label = max((len(report.account_name(c)[:_svg.LABEL]) for c in codes), default=1)
    pad = 14 + 6 * label  # room for a label of 10 px type beside its node
    if boosts is None:
        positions, (wide, tall) = _fit(_layout(len(codes), pairs, SPRING_NODES))
        side = 300 if len(codes) <= 16 else 460 if len(codes) <= SPRING_NODES else 620
        width, height = round(side * wide) + 2 * pad, round(side * tall) + 40
        margin = (pad, 20)
    else:
        positions = _columns(len(members), len(picked), pairs)
        width, height = 360 + 2 * pad, max(120, 14 * len(members) + 30)
        margin = (pad, 15)
    nodes = [_svg.Node(report.account_name(c), _svg.POD, x, y, 4.5, True, "member")
             for c, (x, y) in zip(members, positions, strict=False)]
    nodes += [_svg.Node(report.account_name(c), _svg.CLIENT, x, y,
                        4.0 + 5.0 * (got[c] / peak) ** 0.5, True,
                        f"boosted, {got[c]} engagements from the group")
              for c, (x, y) in zip(picked, positions[len(members):], strict=True)]
    lines = [(i, j, w, "; ".join(ways[(i, j)])) for (i, j), w in sorted(pairs.items())]
    return {"svg": _svg.network(nodes, lines, f"network {group.id}", width, height, margin),
            "notes": notes}


def _group(report: Report, group: Group, lat: np.ndarray, at: GroupPositions,
           others: np.ndarray) -> dict[str, Any]:
    """A group's section; ``others`` is a scratch mask of every row, all true, left so."""
    rows = group_rows(report, group, at, lat)
    names = sorted(report.account_name(m) for m in group.members)
    boosts = clients(report, group, at) if group.kind != "pod" else None
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
        "evidence": plain(group.evidence), "heatmap": _heatmap(report, group, at, names, boosts),
        "picture": _picture(report, group, at, boosts), "boosts": _boosts(report, boosts),
        "comments": _comments(report, rows), "latency": latency_chart,
        "timeline": _svg.timeline(rows["timestamp"].to_numpy(), f"timeline {group.id}")
        if timed else None,
    }


def pictured(report: Report) -> tuple[list[int], int]:
    """The members the overview network starts from, and how many groups they come from:
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


def network_svg(report: Report, at: GroupPositions) -> Markup | None:
    """How the groups (as many as :func:`pictured` takes) stand to each other, when there are
    two or more: their members coloured by group and the accounts each one-way group boosts
    most (:data:`OVERVIEW_CLIENTS`, as room allows), unlabelled (each group's own picture is
    labelled), laid out by spring_layout (seed 7). The busiest outsiders the picture once
    added made a grey hairball of it; the accounts the groups boost are the outsiders that
    matter."""
    if len(report.groups) < 2:  # one group's own picture, in its section, says it all
        return None
    members, taken = pictured(report)
    keep, seen = list(members), set(members)
    for group in report.groups[:taken]:
        if group.kind == "pod":
            continue
        for client in clients(report, group, at).index[:OVERVIEW_CLIENTS]:
            if len(keep) < MAX_NODES and int(client) not in seen:
                keep.append(int(client))
                seen.add(int(client))
    codes, edges = neighbourhood(report, len(keep), keep)
    order = {c: i for i, c in enumerate(codes)}
    pairs: dict[tuple[int, int], int] = {}
    for a, b, w in edges[["actor", "author", "weight"]].itertuples(index=False):
        key = (min(order[int(a)], order[int(b)]), max(order[int(a)], order[int(b)]))
        pairs[key] = pairs.get(key, 0) + int(w)
    positions = _layout(len(codes), pairs)
    colour = {m: i for i, g in enumerate(report.groups[:taken]) for m in g.members}
    ids = [g.id for g in report.groups]
    nodes = [_svg.Node(report.account_name(c), _svg.PALETTE[colour[c] % len(_svg.PALETTE)],
                       x, y, 4.5, False, ids[colour[c]]) if c in colour else
             _svg.Node(report.account_name(c), _svg.CLIENT, x, y, 5.5, False,
                       "boosted by a one-way group")
             for c, (x, y) in zip(codes, positions, strict=True)]
    lines = [(i, j, w, f"{nodes[i].name} \u2013 {nodes[j].name}: {w}")
             for (i, j), w in sorted(pairs.items())]
    return _svg.network(nodes, lines, "network of the flagged groups", 640)


def render(report: Report, options: RenderOptions) -> str:
    """The report as one self-contained HTML document."""
    lat = latency(report)
    detailed = {g.id for g in report.groups[:MAX_SECTIONS]}
    authors_rows, author_chart = _authors(report, detailed)
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
    legend = [(g.id, _svg.PALETTE[i % len(_svg.PALETTE)], g.id in detailed)
              for i, g in enumerate(report.groups[:min(picture_groups, len(_svg.PALETTE))])]
    return visible_inline(page.render(
        version=__version__, headline=summary_line(report), input=input_summary(report),
        notes=list(report.notes), authors=authors_rows, author_chart=author_chart,
        posts=posts, post_chart=post_chart, groups=groups, limits=limits,
        network=network_svg(report, at), legend=legend,
        legend_more=max(0, picture_groups - len(legend)), script=script,
        script_hash=script_hash, client_colour=_svg.CLIENT, one_way_colour=_svg.ONE_WAY,
    )) + "\n"
