"""Small inline SVG charts for the HTML report: bars, heatmap, histogram, timeline, networks.

Every function returns :class:`markupsafe.Markup` built with :func:`markupsafe.escape` on
each piece of text from the input, so account names cannot add elements or attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from markupsafe import Markup
from markupsafe import escape as _markup_escape

from pod_detect.text import visible

#: Colours of groups in the network picture (cycled); neighbours are grey.
PALETTE = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22", "#7f7f7f")
POD, AUTHENTIC, OTHER = "#d62728", "#4c9f70", "#8a8a8a"
#: One-way (lockstep, coordinated) engagement in bars; the accounts a group boosts in networks.
ONE_WAY, CLIENT = "#8e44ad", "#1f4e79"


def escape(text: object) -> Markup:
    """Untrusted text for SVG: control characters shown as escapes, then markup escaped."""
    return _markup_escape(visible(str(text)))


def _svg(width: float, height: float, body: list[str], label: str) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width:.0f}" '
            f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'aria-label="{escape(label)}">')
    return Markup(head + "".join(body) + "</svg>")


def _text(x: float, y: float, text: object, size: int = 11, anchor: str = "start",
          extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"'
            f'{extra}>{escape(str(text))}</text>')


def stacked_bars(rows: Sequence[tuple[str, int, int] | tuple[str, int, int, int]], label: str,
                 series: Sequence[tuple[str, str]] = ((AUTHENTIC, "authentic"),
                                                      (POD, "from pods"))) -> Markup:
    """Horizontal bars, one per ``(name, value, value...)``, a segment per value coloured as
    ``series`` (``(colour, what)``) says: by default green authentic, red pod; after each bar
    the inauthentic part (every value but the first) over the total."""
    width, left, bar = 640, 150, 16
    top = max((sum(values) for _, *values in rows), default=1) or 1
    scale = (width - left - 60) / top
    body = []
    for i, (name, *values) in enumerate(rows):
        y = 6 + i * (bar + 4)
        body.append(_text(left - 6, y + 12, name[:24], anchor="end"))
        x = float(left)
        for value, (colour, what) in zip(values, series, strict=True):
            if value:
                body.append(f'<rect x="{x:.1f}" y="{y}" width="{value * scale:.1f}" '
                            f'height="{bar}" fill="{colour}"><title>{value} {escape(what)}'
                            '</title></rect>')
            x += value * scale
        body.append(_text(x + 4, y + 12, f"{sum(values[1:])}/{sum(values)}"))
    return _svg(width, 12 + len(rows) * (bar + 4), body, label)


def heatmap(names: Sequence[str], matrix: np.ndarray, label: str,
            columns: Sequence[str] | None = None, verb: str = "engaged") -> Markup:
    """Heatmap: row ``verb`` column (the posts of ``columns``, by default the rows' own
    accounts: square); darker is more often."""
    columns = names if columns is None else columns
    cell = 14 if max(len(names), len(columns)) > 20 else 22
    # room for the labels (10 px type, about 6 px a character; columns' rotated by 60 degrees)
    wide = max((len(c[:18]) for c in columns), default=0)
    left = 12 + 6 * max((len(n[:18]) for n in names), default=0)
    top, right = 14 + 5.2 * wide, 10 + 3 * wide
    peak = max(int(matrix.max()) if matrix.size else 0, 1)
    body = []
    for j, column in enumerate(columns):
        x, y = left + j * cell + cell * 0.7, top - 4
        body.append(_text(x, y, column[:18], 10,
                          extra=f' transform="rotate(-60 {x:.1f} {y:.1f})"'))
    for i, name in enumerate(names):
        body.append(_text(left - 4, top + i * cell + cell * 0.7, name[:18], 10, "end"))
        for j, column in enumerate(columns):
            value = int(matrix[i, j])
            shade = 0.08 + 0.92 * value / peak if value else 0.0
            body.append(f'<rect x="{left + j * cell}" y="{top + i * cell:.1f}" width="{cell - 1}" '
                        f'height="{cell - 1}" fill="{POD}" fill-opacity="{shade:.2f}" '
                        f'stroke="#eee"><title>{escape(name)} {escape(verb)} '
                        f'{escape(column)}: {value}</title></rect>')
    return _svg(left + len(columns) * cell + right, top + len(names) * cell + 10, body, label)


def log_histogram(group: np.ndarray, others: np.ndarray, label: str) -> Markup:
    """Shares of latencies per log-spaced bin (1 s to 30 days): group red, others grey."""
    edges = np.logspace(0, np.log10(30 * 86_400), 25)
    width, height, left, base = 640, 200, 40, 170
    step = (width - left - 10) / (len(edges) - 1)
    body = [f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#333"/>']
    for series, colour, offset in ((others, OTHER, 0.0), (group, POD, 0.5)):
        finite = np.clip(series[np.isfinite(series)], 1, edges[-1])
        counts = np.histogram(finite, edges)[0]
        shares = counts / max(counts.sum(), 1)
        for k, share in enumerate(shares):
            h = share * (base - 20) / max(shares.max(), 1e-9)
            body.append(f'<rect x="{left + (k + offset) * step:.1f}" y="{base - h:.1f}" '
                        f'width="{step / 2:.1f}" height="{h:.1f}" fill="{colour}">'
                        f'<title>{share:.1%}</title></rect>')
    for seconds, tick in ((1, "1s"), (60, "1m"), (3600, "1h"), (86_400, "1d")):
        x = left + np.log10(seconds) / np.log10(edges[-1]) * (len(edges) - 1) * step
        body.append(_text(x, base + 16, tick, 10, "middle"))
    body.append(_text(left, 14, "red: group, grey: everyone else (share of engagements)", 10))
    return _svg(width, height, body, label)


def timeline(times: np.ndarray, label: str, bins: int = 60) -> Markup:
    """Engagements over time as bars, with the first and last date under the axis."""
    from pod_detect.report import iso

    finite = times[np.isfinite(times)]
    width, base, left = 640, 110, 10
    if not len(finite):
        return _svg(width, 30, [_text(left, 20, "no timestamps")], label)
    counts, edges = np.histogram(finite, bins)
    step, peak = (width - 2 * left) / bins, max(int(counts.max()), 1)
    body = [f'<rect x="{left + k * step:.1f}" y="{base - c * 90 / peak:.1f}" '
            f'width="{max(step - 1, 1):.1f}" height="{c * 90 / peak:.1f}" fill="{POD}">'
            f'<title>{c}</title></rect>' for k, c in enumerate(counts)]
    body.append(_text(left, base + 14, (iso(edges[0]) or "")[:16], 10))
    body.append(_text(width - left, base + 14, (iso(edges[-1]) or "")[:16], 10, "end"))
    return _svg(width, base + 20, body, label)


#: Characters of an account id drawn as a label (the whole id is the tooltip).
LABEL = 18


class Node(NamedTuple):
    """A node of a network picture: ``x``, ``y`` in [-1, 1]; ``label`` drawn beside it or
    not (its name is always its tooltip, with ``note`` after it)."""

    name: str
    colour: str
    x: float
    y: float
    radius: float = 5.0
    label: bool = True
    note: str = ""


def network(nodes: Sequence[Node], edges: Sequence[tuple[int, int, int, str]], label: str,
            width: int = 720, height: int | None = None, margin: tuple[int, int] = (20, 20)
            ) -> Markup:
    """Nodes and edges ``(i, j, weight, tooltip)`` between them, the layout's [-1, 1] square
    stretched over ``width`` by ``height`` pixels (square by default) less ``margin``
    (horizontal, vertical: room for labels). Lines are as wide as their weight against the
    heaviest (0.6 to 4 px); a label sits on the side of its node away from the middle, on a
    white halo. Every name and tooltip is escaped."""
    height = width if height is None else height
    def at(v: float, size: int, pad: int) -> float:
        return pad + (v + 1) / 2 * (size - 2 * pad)
    peak = max((w for _, _, w, _ in edges), default=1) or 1
    xy = [(at(n.x, width, margin[0]), at(n.y, height, margin[1])) for n in nodes]
    body = []
    for i, j, weight, tip in edges:
        (x1, y1), (x2, y2) = xy[i], xy[j]
        body.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                    f'stroke="#888" stroke-opacity="0.45" '
                    f'stroke-width="{0.6 + 3.4 * weight / peak:.2f}"><title>{escape(tip)}'
                    '</title></line>')
    for node, (x, y) in zip(nodes, xy, strict=True):
        tip = node.name + (f": {node.note}" if node.note else "")
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{node.radius:.1f}" '
                    f'fill="{node.colour}" stroke="#fff" stroke-width="1">'
                    f'<title>{escape(tip)}</title></circle>')
    halo = ' stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"'
    for node, (x, y) in zip(nodes, xy, strict=True):
        if node.label:
            right = node.x >= 0
            gap = node.radius + 3
            body.append(_text(x + (gap if right else -gap), y + 3.5, node.name[:LABEL], 10,
                              "start" if right else "end", halo))
    return _svg(width, height, body, label)
