"""Helpers the text formats share: severity order, member names, first interaction, summary.

Everything here is pure and deterministic: the same report always gives the same strings.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from pod_detect.model import SEVERITIES, Group, Report
from pod_detect.report import iso
from pod_detect.text import visible

#: Placeholder file name when the export came from standard input.
STDIN_NAME = "stdin"

KIND_TITLE = {"pod": "engagement pod", "lockstep": "lockstep group"}


def shown(text: object) -> str:
    """Untrusted text (an id, a header, a note quoting one) for rich markup: characters that
    would act on a terminal made visible (:func:`pod_detect.text.visible`), markup escaped."""
    from rich.markup import escape

    return escape(visible(str(text)))


def at_least(severity: str, floor: str) -> bool:
    """Whether ``severity`` is at or above ``floor`` (``"never"`` is above everything).

    Parameters
    ----------
    severity
        ``low``, ``medium`` or ``high``.
    floor
        ``low``, ``medium``, ``high`` or ``never``.
    """
    if floor not in SEVERITIES:
        return False
    return SEVERITIES.index(severity) >= SEVERITIES.index(floor)


def member_names(report: Report, group: Group) -> list[str]:
    """The group's member ids as written in the input, sorted."""
    return sorted(report.account_name(m) for m in group.members)


def members_fingerprint(names: list[str]) -> str:
    """SHA-256 (hex) of the sorted member ids joined by newlines: stable for the same members."""
    return hashlib.sha256("\n".join(sorted(names)).encode("utf-8")).hexdigest()


def source_name(report: Report) -> str:
    """The export's name as given on the command line; ``stdin`` for standard input."""
    source = report.interactions.source
    if source.startswith("<") and source.endswith(">"):
        return STDIN_NAME if source == "<stdin>" else source[1:-1]
    return source


def _first(report: Report, group: Group) -> tuple[float | None, int]:
    """Time (epoch seconds, ``None`` without timestamps) and input line of the group's first
    interaction; line 1 when the table has no ``line`` column.

    For a ``pod`` it is the first engagement by a member of another member's post; for a
    ``lockstep`` group (or a pod whose authors are unknown) the first engagement by a member.
    Without timestamps it is the earliest such row in the input.
    """
    frame = report.interactions.frame
    members = np.asarray(group.members)
    by_member = frame["actor"].isin(members).to_numpy()
    inside = by_member & frame["author"].isin(members).to_numpy()
    rows = frame[inside if group.kind == "pod" and inside.any() else by_member]
    lines = rows["line"] if "line" in rows else pd.Series(1, index=rows.index)
    if not len(rows):
        return None, 1
    if report.interactions.has_timestamps and rows["timestamp"].notna().any():
        first = rows["timestamp"].min()
        return float(first), int(lines[rows["timestamp"] == first].min())
    return None, int(lines.min())


def first_time(report: Report, group: Group) -> float | None:
    """Time (epoch seconds) of the group's first interaction, or ``None`` without timestamps."""
    return _first(report, group)[0]


def first_line(report: Report, group: Group) -> int:
    """The input line of the group's first interaction (see :func:`_first`)."""
    return _first(report, group)[1]


def first_time_text(report: Report, group: Group) -> str | None:
    """:func:`first_time` as ISO 8601 UTC, or ``None``."""
    return iso(first_time(report, group))


def top_reasons(group: Group, n: int = 2) -> list[str]:
    """The first ``n`` reasons (the detectors' strongest evidence comes first)."""
    return list(group.reasons[:n])


def describe(report: Report, group: Group, reasons: int = 2) -> str:
    """A sentence or two summarising a group: kind, size, score and its top reasons."""
    text = (f"{KIND_TITLE[group.kind].capitalize()} of {len(group.members)} accounts, "
            f"severity {group.severity}, score {group.score:.2f}")
    top = top_reasons(group, reasons)
    return text + (": " + "; ".join(top) + "." if top else ".")


def summary_line(report: Report) -> str:
    """``2 groups (1 high, 1 medium); 9 accounts flagged`` or ``no groups found``."""
    groups = report.groups
    if not groups:
        return "no pods or coordinated groups found"
    counts = [f"{sum(g.severity == s for g in groups)} {s}" for s in reversed(SEVERITIES)]
    bands = ", ".join(c for c in counts if not c.startswith("0 "))
    accounts = len({a.account for a in report.accounts})
    plural = "s" if len(groups) != 1 else ""
    return f"{len(groups)} group{plural} ({bands}); {accounts} account(s) flagged"
