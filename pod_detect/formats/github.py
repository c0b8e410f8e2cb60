"""``--format github``: GitHub Actions workflow commands, one annotation per group.

``::error`` for high, ``::warning`` for medium and ``::notice`` for low severity, with
``file`` (the export as named on the command line, ``stdin`` for standard input; with several
inputs, the one that holds the group's first interaction), ``line`` (the line of that
interaction in it) and ``title``; the message is the group's summary, members, for a one-way
group the accounts it boosts (the first three, with the engagements each got from it),
reasons and the time of the first interaction on separate lines. Each expired baseline entry
is a ``::warning`` of its own, with a title and no file.

Values are escaped as GitHub's ``actions/toolkit`` escapes them (``command.ts``): in the
message ``%`` -> ``%25``, CR -> ``%0D``, LF -> ``%0A``; in property values also
``:`` -> ``%3A`` and ``,`` -> ``%2C``. An account name can therefore neither end the command
early nor add properties.
"""

from __future__ import annotations

from typing import Any

from pod_detect.formats._common import (
    TOP_AUTHORS,
    author_sentence,
    boosts_label,
    boosts_list,
    describe,
    display_name,
    expired_sentence,
    first_line,
    first_source,
    first_time_text,
    member_names,
)
from pod_detect.formats.base import RenderOptions
from pod_detect.model import ExpiredEntry, Group, Report
from pod_detect.report import author_figures, group_boosts
from pod_detect.text import visible

COMMAND = {"high": "error", "medium": "warning", "low": "notice"}

#: Members listed in one annotation at most.
MAX_MEMBERS = 20


def escape_data(text: str) -> str:
    """Escape a command's message (``escapeData`` in actions/toolkit), after writing the
    control characters of each line as escapes (a log viewer shows them, it does not run
    them; the line breaks between lines stay, encoded)."""
    text = "\n".join("\r".join(visible(part) for part in line.split("\r"))
                     for line in text.split("\n"))
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``escapeProperty`` in actions/toolkit)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(report: Report, group: Group,
               clients: list[tuple[str, int]] | None = None) -> str:
    """One workflow command for one group.

    Parameters
    ----------
    report
        The scan's report.
    group
        One of ``report.groups``.
    clients
        The accounts it boosts, for a one-way group (:func:`pod_detect.report.group_boosts`):
        a line of the message names the first three.

    Returns
    -------
    str
        ``::LEVEL file=...,line=N,title=...::message`` without a line end, N the input
        line of the group's first interaction.
    """
    names = member_names(report, group)
    shown = ", ".join(names[:MAX_MEMBERS])
    if len(names) > MAX_MEMBERS:
        shown += f" and {len(names) - MAX_MEMBERS} more"
    lines = [describe(report, group, reasons=0), f"members: {shown}"]
    if clients:
        lines.append(f"{boosts_label(clients)}: {boosts_list(clients)}")
    lines += group.reasons
    first = first_time_text(report, group)
    if first:
        lines.append(f"first interaction at {first}")
    properties = {
        "file": display_name(first_source(report, group)),
        "line": str(first_line(report, group)),
        "title": f"pod-detect: {group.kind} {group.id} ({group.severity})",
    }
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{COMMAND[group.severity]} {props}::{escape_data(chr(10).join(lines))}"


def expired_annotation(entry: ExpiredEntry) -> str:
    """A ``::warning`` for an expired baseline entry (no file: it is an entry of the
    baseline file, not a place in the export)."""
    title = f"pod-detect: baseline entry {entry.id} expired"
    return f"::warning title={escape_property(title)}::{escape_data(expired_sentence(entry))}"


def render(report: Report, options: RenderOptions) -> str:
    """Render one annotation line per group, then a ``::warning`` per expired baseline entry,
    then a ``::notice`` per most inflated author (nothing when there are none of these).

    Parameters
    ----------
    report
        The scan's report.
    options
        Unused; accepted for the common renderer signature.

    Returns
    -------
    str
        Workflow commands, one per line.
    """
    boosts = group_boosts(report)
    lines = [annotation(report, g, boosts.get(g.id)) for g in report.groups]
    lines += [expired_annotation(entry) for entry in report.expired]
    lines += [author_annotation(row) for row in author_figures(report)[:TOP_AUTHORS]]
    return "".join(line + "\n" for line in lines)


def author_annotation(row: dict[str, Any]) -> str:
    """A ``::notice`` for one of the most inflated authors (no file: it is an account, not
    a place in the export)."""
    title = f"pod-detect: author {visible(row['author'])} inflated"
    return (f"::notice title={escape_property(title)}::"
            f"{escape_data(author_sentence(row, visible))}")
