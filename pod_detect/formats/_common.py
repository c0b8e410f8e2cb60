"""Helpers the text formats share: severity order, member names, first interaction, summary,
the accounts a group boosts, expired baseline entries.

Everything here is pure and deterministic: the same report always gives the same strings.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from pod_detect.kernels.grouped import membership
from pod_detect.model import SEVERITIES, ExpiredEntry, Group, Report
from pod_detect.report import iso
from pod_detect.text import plural, visible

#: Placeholder file name when the export came from standard input.
STDIN_NAME = "stdin"

KIND_TITLE = {"pod": "engagement pod", "lockstep": "lockstep group",
              "coordinated": "coordinated group"}


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
    """The export's name as given on the command line (several inputs' names joined by
    spaces); ``stdin`` for standard input."""
    return display_name(report.interactions.source)


def display_name(source: str) -> str:
    """An input's name as a location shows it: ``stdin`` for standard input, a table given
    in memory (``<memory>``) without its brackets, a path as it is."""
    if source.startswith("<") and source.endswith(">"):
        return STDIN_NAME if source == "<stdin>" else source[1:-1]
    return source


#: Where a group's first interaction is: its time (epoch seconds, ``None`` without
#: timestamps), its line and its input (an index into :attr:`Interactions.inputs`).
_Where = tuple[float | None, int, int]
_NOWHERE: _Where = (None, 1, 0)


def _where(report: Report, group: Group) -> _Where:
    """Time, line and input of the group's first interaction; line 1 of the first input
    when the table has no ``line`` column.

    For a ``pod`` it is the first engagement by a member of another member's post; for a
    ``lockstep`` or ``coordinated`` group (or a pod whose authors are unknown) the first
    engagement by a member. Of rows at the same time (or without timestamps) it is the
    first in the input, the inputs in the order read. Computed for every group of the
    report at once (:func:`_firsts`), so that rendering ten thousand groups reads the rows
    once, not once per group.
    """
    return _firsts(report).get(group.id, _NOWHERE)


#: Per report (by id, with a weak reference to check it is still that report): its
#: groups' first interactions.
_FIRSTS: dict[int, tuple[weakref.ref[Report], dict[str, _Where]]] = {}


def _firsts(report: Report) -> dict[str, _Where]:
    """:func:`_where` of every group of ``report``, from one pass over its rows."""
    cached = _FIRSTS.get(id(report))
    if cached is not None and cached[0]() is report:
        return cached[1]
    frame = report.interactions.frame
    index = membership([frozenset(g.members) for g in report.groups],
                       len(report.interactions.accounts))
    actor = index[frame["actor"].to_numpy()]
    author = index[frame["author"].to_numpy()]
    by_member = actor >= 0
    inside = by_member & (author == actor)
    timed = report.interactions.has_timestamps
    size = int(by_member.sum())
    group = actor[by_member]
    time = (frame["timestamp"].to_numpy(dtype="float64")[by_member] if timed
            else np.full(size, np.nan))
    line = (frame["line"].to_numpy()[by_member] if "line" in frame
            else np.ones(size, dtype=np.int64))
    source = (frame["source"].to_numpy()[by_member] if "source" in frame
              else np.zeros(size, dtype=np.int8))
    pods = np.array([g.kind == "pod" for g in report.groups] + [False])
    has_inside = np.zeros(len(report.groups) + 1, dtype=bool)
    has_inside[group[inside[by_member]]] = True
    # a pod's first row is among its members' posts when it has any
    wanted = np.flatnonzero(~(pods & has_inside)[group] | inside[by_member])
    # each group's rows by time (NaN last), then input and line: its first row comes first
    order = wanted[np.lexsort((line[wanted], source[wanted], time[wanted], group[wanted]))]
    starts = order[np.flatnonzero(np.diff(group[order], prepend=-1) != 0)]
    found = {int(group[row]): row for row in starts}
    out: dict[str, _Where] = {}
    for g, each in enumerate(report.groups):
        row = found.get(g)
        if row is None:
            out[each.id] = _NOWHERE
        else:
            when = float(time[row])
            out[each.id] = (None if np.isnan(when) else when, int(line[row]), int(source[row]))
    for key in [k for k, (ref, _) in _FIRSTS.items() if ref() is None]:
        del _FIRSTS[key]
    _FIRSTS[id(report)] = (weakref.ref(report), out)
    return out


def first_time(report: Report, group: Group) -> float | None:
    """Time (epoch seconds) of the group's first interaction, or ``None`` without timestamps."""
    return _where(report, group)[0]


def first_line(report: Report, group: Group) -> int:
    """The line of the group's first interaction in its input (see :func:`_where`)."""
    return _where(report, group)[1]


def first_source(report: Report, group: Group) -> str:
    """The name of the input that holds the group's first interaction (an entry of
    :attr:`Interactions.inputs`: ``<stdin>`` for standard input; for a single input,
    :attr:`Interactions.source`)."""
    return report.interactions.inputs[_where(report, group)[2]]


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


#: Accounts a one-line summary of a group's boosts names before "+N more".
BOOSTS_SHOWN = 3


def boosts_list(clients: list[tuple[str, int]], top: int = BOOSTS_SHOWN,
                name: Callable[[str], str] = str) -> str:
    """``a (12), b (9), c (4), +5 more``: the first ``top`` accounts a group boosts, each
    with the engagements it got from the group, then how many more; ``name`` escapes an id
    for the format."""
    text = ", ".join(f"{name(who)} ({n})" for who, n in clients[:top])
    return text + (f", +{len(clients) - top} more" if len(clients) > top else "")


def boosts_label(clients: list[tuple[str, int]]) -> str:
    """``boosts (8 accounts)``: the label of a group's boosts (:func:`boosts_list`)."""
    return f"boosts ({plural(len(clients), 'account')})"


def expired_sentence(entry: ExpiredEntry, name: Callable[[str], str] = str) -> str:
    """``Baseline entry ID (pod of 6) expired on DATE and no longer suppresses its group:
    renew its date or remove it.``; ``name`` escapes the id for the format."""
    return (f"Baseline entry {name(entry.id)} ({entry.kind} of {len(entry.members)}) expired "
            f"on {entry.expires.isoformat()} and no longer suppresses its group: renew its "
            "date or remove it.")


def other_notes(report: Report) -> list[str]:
    """The report's notes but those of its expired baseline entries (which a format that
    reports :attr:`Report.expired` says on its own)."""
    said = {entry.note for entry in report.expired}
    return [note for note in report.notes if note not in said]


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


def accounts_text(info: dict[str, Any]) -> str:
    """``431 accounts (430 engaged, 312 authors of engaged posts)``: the accounts of an input
    summary (:func:`pod_detect.report.input_summary`), every one named, then those that
    engaged and those whose posts were engaged (an author who never engaged is among the
    authors only). Without an author column, ``... (430 engaged; no authors given)``."""
    engaged = f"{info['accounts_engaging']:,} engaged"
    if "author" not in info["columns"] and not info["accounts_posting"]:
        detail = f"{engaged}; no authors given"
    else:
        detail = f"{engaged}, {info['accounts_posting']:,} authors of engaged posts"
    return f"{info['accounts']:,} accounts ({detail})"


#: The most inflated authors the record-per-line formats name (SARIF, JUnit, GitHub).
TOP_AUTHORS = 10


def author_sentence(row: dict[str, Any], name: Callable[[str], str] = str) -> str:
    """One author's figures in words (a row of :func:`pod_detect.report.author_figures`):
    ``name`` makes its id safe for the format."""
    groups = ", ".join(f"{name(g['id'])} ({g['engagements']})" for g in row["groups"][:3])
    more = f" and {len(row['groups']) - 3} more groups" if len(row["groups"]) > 3 else ""
    return (f"{name(row['author'])}: {row['authentic']} of {row['engagements']} engagements "
            f"authentic ({row['authentic_share']:.0%}); {row['from_pods']} from pods, "
            f"{row['from_one_way']} from one-way groups ({groups}{more})")
