"""Small inline SVG charts for the HTML report: bars, heatmap, histogram, timeline, network.

Every function returns :class:`markupsafe.Markup` built with :func:`markupsafe.escape` on
each piece of text from the input, so account names cannot add elements or attributes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from markupsafe import Markup
from markupsafe import escape as _markup_escape

from pod_detect.text import visible

#: Colours of groups in the network picture (cycled); neighbours are grey.
PALETTE = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22", "#7f7f7f")
POD, AUTHENTIC, OTHER = "#d62728", "#4c9f70", "#8a8a8a"


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


def stacked_bars(rows: Sequence[tuple[str, int, int]], label: str) -> Markup:
    """Horizontal bars, one per ``(name, authentic, pod)``: green authentic, red pod."""
    width, left, bar = 640, 150, 16
    top = max((a + p for _, a, p in rows), default=1) or 1
    scale = (width - left - 60) / top
    body = []
    for i, (name, real, pod) in enumerate(rows):
        y = 6 + i * (bar + 4)
        body.append(_text(left - 6, y + 12, name[:24], anchor="end"))
        body.append(f'<rect x="{left}" y="{y}" width="{real * scale:.1f}" height="{bar}" '
                    f'fill="{AUTHENTIC}"><title>{real} authentic</title></rect>')
        body.append(f'<rect x="{left + real * scale:.1f}" y="{y}" width="{pod * scale:.1f}" '
                    f'height="{bar}" fill="{POD}"><title>{pod} from pods</title></rect>')
        body.append(_text(left + (real + pod) * scale + 4, y + 12, f"{pod}/{real + pod}"))
    return _svg(width, 12 + len(rows) * (bar + 4), body, label)


def heatmap(names: Sequence[str], matrix: np.ndarray, label: str) -> Markup:
    """Square heatmap: row engages column; darker is more often."""
    n, cell, left = len(names), 14 if len(names) > 20 else 22, 130
    top = left
    peak = max(int(matrix.max()) if matrix.size else 0, 1)
    body = []
    for i, name in enumerate(names):
        body.append(_text(left - 4, top + i * cell + cell * 0.7, name[:18], 10, "end"))
        x, y = left + i * cell + cell * 0.7, top - 4
        body.append(_text(x, y, name[:18], 10, extra=f' transform="rotate(-60 {x:.1f} {y})"'))
        for j in range(n):
            value = int(matrix[i, j])
            shade = 0.08 + 0.92 * value / peak if value else 0.0
            body.append(f'<rect x="{left + j * cell}" y="{top + i * cell}" width="{cell - 1}" '
                        f'height="{cell - 1}" fill="{POD}" fill-opacity="{shade:.2f}" '
                        f'stroke="#eee"><title>{escape(name)} engaged {escape(names[j])}: '
                        f'{value}</title></rect>')
    return _svg(left + n * cell + 10, top + n * cell + 10, body, label)


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


def network(nodes: Sequence[tuple[str, int, float, float]],
            edges: Sequence[tuple[int, int, int]], label: str) -> Markup:
    """Nodes ``(name, group index or -1, x, y)`` in [-1, 1]; edges ``(i, j, weight)``."""
    size = 720
    def at(v: float) -> float:
        return 20 + (v + 1) / 2 * (size - 40)
    body = []
    for i, j, weight in edges:
        (_, _, x1, y1), (_, _, x2, y2) = nodes[i], nodes[j]
        body.append(f'<line x1="{at(x1):.1f}" y1="{at(y1):.1f}" x2="{at(x2):.1f}" '
                    f'y2="{at(y2):.1f}" stroke="#999" stroke-opacity="0.35" '
                    f'stroke-width="{min(0.5 + weight / 4, 3):.2f}"/>')
    for name, grp, x, y in nodes:
        colour = PALETTE[grp % len(PALETTE)] if grp >= 0 else "#c8c8c8"
        radius = 6 if grp >= 0 else 3.5
        body.append(f'<circle cx="{at(x):.1f}" cy="{at(y):.1f}" r="{radius}" fill="{colour}">'
                    f'<title>{escape(name)}</title></circle>')
    return _svg(size, size, body, label)
