"""``pod-detect config`` for people: the settings a scan would use, and where each came from."""

from __future__ import annotations

from typing import Any


def render_settings(rows: list[tuple[str, Any, str]]) -> str:
    """A plain-text table of ``(setting, value, source)`` rows."""
    shown = [("setting", "value", "source")] + [(n, _show(v), s) for n, v, s in rows]
    widths = [max(len(row[i]) for row in shown) for i in range(2)]
    return "".join(
        f"{n.ljust(widths[0])}  {v.ljust(widths[1])}  {s}".rstrip() + "\n" for n, v, s in shown
    )


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value)) or "-"
    return str(value)
