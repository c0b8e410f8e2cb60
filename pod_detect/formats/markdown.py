"""``--format markdown``: GitHub-flavoured Markdown for pull-request comments and job summaries.

A summary line (and a warning line when baseline entries expired, from
:attr:`Report.expired`), a table of groups (id, kind, severity, score, size, top reasons),
then one section per group with its members (the first :data:`MAX_MEMBERS`, then a count),
for a one-way group the accounts it boosts (the first :data:`MAX_BOOSTS`, each with the
engagements it got, then a count), and all its reasons, then the report's notes. Every
piece of text from the input (account ids, the file name) and from the report is escaped, so
a hostile account name cannot add markup, HTML, links, mentions or table cells.

The document never exceeds :data:`BUDGET` characters, however many groups and however long
their ids: GitHub refuses a comment over 65,536 characters. The summary comes first, then
groups, strongest first, each with its table row and its section, for as long as they fit,
then a line saying how many groups were left out and how to see them all. Only whole lines
are left out, so no table row, code span or ``<details>`` block is ever cut.
"""

from __future__ import annotations

import re

from pod_detect.formats._common import (
    accounts_text,
    boosts_label,
    boosts_list,
    member_names,
    other_notes,
    source_name,
    summary_line,
    top_reasons,
)
from pod_detect.formats.base import RenderOptions
from pod_detect.model import ExpiredEntry, Group, Report
from pod_detect.report import BOOSTS_LISTED, author_figures, group_boosts, input_summary
from pod_detect.text import visible

#: Members listed per group before "and N more".
MAX_MEMBERS = 20
#: Accounts a one-way group boosts listed in its section before "+N more" (as many as the
#: JSON report's ``boosts``).
MAX_BOOSTS = BOOSTS_LISTED

#: Most characters a rendered document holds. GitHub refuses a pull-request comment over
#: 65,536 characters; the rest is room for what a workflow writes around the report.
#: Counted in UTF-16 code units (a character beyond U+FFFF, such as most emoji, counts
#: twice), so the document fits however a site counts its characters.
BUDGET = 60_000
#: Rows of the most inflated authors' table.
TOP_AUTHORS = 10
#: Most characters of the notes block (within :data:`BUDGET`); the notes after it are
#: counted, not shown.
NOTES_BUDGET = 6_000
#: Longest id (an account, a group, a baseline entry, the file name) shown whole; a longer
#: one is cut to this many characters, the last an ellipsis. Cut before escaping, so an
#: escape is never cut in two.
MAX_NAME = 100
#: Longest reason or note shown whole (cut as :data:`MAX_NAME`).
MAX_TEXT = 500
#: Expired baseline entries named before "and N more".
MAX_EXPIRED = 10
#: Where to see every group when some are left out.
SEE_ALL = "`-f html` or `-f json` shows them all"

_ESCAPES = {
    "\\": "\\\\", "&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|", "`": "\\`",
    "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "@": "&#64;", "#": "&#35;",
    "~": "\\~",
    "\r": " ", "\n": " ",
}
_TABLE = str.maketrans(_ESCAPES)
#: What GitHub turns into a link by itself (its "extended autolinks"): a scheme's ``://``
#: and ``www.``. A backslash before the ``:`` or the ``.`` keeps the text as it reads.
_AUTOLINK = re.compile(r"(?i):(?=//)|(?<=www)\.")


def escape(text: str) -> str:
    """Escape text for Markdown and the HTML GitHub allows in it.

    Backslash-escapes ``\\ | ` * _ [ ] ~`` (no strike-through), the ``:`` of ``://`` and
    the ``.`` of ``www.`` (no bare links), turns ``& < >`` into entities, ``@`` and ``#``
    into numeric entities (no mentions or issue links) and line breaks into spaces (a
    table row or list item stays one line).

    Parameters
    ----------
    text
        Untrusted text.

    Returns
    -------
    str
        Text that renders as itself.
    """
    return visible(_AUTOLINK.sub(lambda m: "\\" + m.group(0), text.translate(_TABLE)))


def size(text: str) -> int:
    """The characters ``text`` counts for against :data:`BUDGET` (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, most: int) -> str:
    """``text`` cut to ``most`` characters, the last an ellipsis, when it is longer."""
    return text if len(text) <= most else text[:most - 1] + "\u2026"


def render(report: Report, options: RenderOptions) -> str:
    """Render the report as Markdown of at most :data:`BUDGET` characters.

    Parameters
    ----------
    report
        The scan's report.
    options
        Unused; accepted for the common renderer signature.

    Returns
    -------
    str
        The Markdown document, ending in a newline.
    """
    info = input_summary(report)
    head = [
        "## pod-detect",
        "",
        f"**{escape(summary_line(report))}** in {escape(clip(source_name(report), MAX_NAME))}: "
        f"{info['rows']:,} rows, {info['posts']:,} posts, {accounts_text(info)}.",
    ]
    if report.expired:
        head += ["", _expired(report.expired)]
    notes = _notes(other_notes(report))  # an expired entry's note is the warning
    authors = _authors(report)
    room = BUDGET - _used(head) - _used(authors) - _used(notes)
    return "\n".join(head + _groups(report, room) + authors + notes) + "\n"


def _authors(report: Report) -> list[str]:
    """The most inflated authors: what they received, how much was authentic, and the
    groups that supplied the rest (at most :data:`TOP_AUTHORS` rows of clipped ids)."""
    rows = author_figures(report)
    if not rows:
        return []
    lines = ["", f"**Most inflated authors** ({len(rows):,} in all; `-f json` lists them):", "",
             "| author | engagements | from pods | from one-way | authentic | supplied by |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    for r in rows[:TOP_AUTHORS]:
        groups = ", ".join(f"{escape(clip(g['id'], MAX_NAME))} ({g['engagements']:,})"
                           for g in r["groups"][:2])
        more = f", +{len(r['groups']) - 2} more" if len(r["groups"]) > 2 else ""
        lines.append(f"| {escape(clip(r['author'], MAX_NAME))} | {r['engagements']:,} | "
                     f"{r['from_pods']:,} | {r['from_one_way']:,} | {r['authentic']:,} "
                     f"({r['authentic_share']:.0%}) | {groups}{more} |")
    return lines


def _used(lines: list[str]) -> int:
    """What ``lines`` take of the document: each line and its line break."""
    return sum(size(line) + 1 for line in lines)


def _expired(expired: tuple[ExpiredEntry, ...]) -> str:
    named = ", ".join(f"{escape(clip(entry.id, MAX_NAME))} (expired {entry.expires.isoformat()})"
                      for entry in expired[:MAX_EXPIRED])
    if len(expired) > MAX_EXPIRED:
        named += f" and {len(expired) - MAX_EXPIRED:,} more"
    one = len(expired) == 1
    return (f"**Warning:** {len(expired):,} baseline {'entry' if one else 'entries'} expired "
            f"and no longer {'suppresses' if one else 'suppress'}: {named}. Renew or remove "
            f"{'it' if one else 'them'} in the baseline file.")


def _notes(notes: list[str]) -> list[str]:
    """The notes in a collapsed block of at most :data:`NOTES_BUDGET` characters."""
    if not notes:
        return []
    lines = ["", "<details><summary>Notes</summary>", ""]
    end = ["", "</details>"]
    listed = [f"- {escape(clip(note, MAX_TEXT))}" for note in notes]
    room = NOTES_BUDGET - _used(lines + end)
    if _used(listed) > room:
        room -= size(_more_notes(len(notes))) + 1
        while listed and _used(listed) > room:
            listed.pop()
        listed.append(_more_notes(len(notes) - len(listed)))
    return lines + listed + end


def _more_notes(count: int) -> str:
    return f"- and {count:,} more notes (`-f json` lists them all)"


def _groups(report: Report, room: int) -> list[str]:
    """The table and the sections of the strongest groups that fit in ``room`` characters,
    then, when some do not, the line that says how many were left out."""
    groups = report.groups
    if not groups:
        return []
    table = ["", "| group | kind | severity | score | size | top reasons |",
             "| --- | --- | --- | ---: | ---: | --- |"]
    used = _used(table)
    boosts = group_boosts(report)
    shown: list[tuple[str, list[str], int]] = []  # each group's row, section and their size
    for g in groups:
        row, section = _row(g), _section(report, g, boosts.get(g.id, []))
        cost = size(row) + 1 + _used(section)
        if used + cost > room:
            break
        used += cost
        shown.append((row, section, cost))
    if len(shown) < len(groups):
        # the line about the groups left out must fit too (its longest form): leave out more
        room -= _used(_left_out(len(groups), len(groups)))
        while shown and used > room:
            used -= shown.pop()[2]
    lines = []
    if shown:  # a table without rows is not a table: none at all then
        lines += table + [row for row, _, _ in shown]
        lines += [line for _, section, _ in shown for line in section]
    if len(shown) < len(groups):
        lines += _left_out(len(groups) - len(shown), len(groups))
    return lines


def _left_out(missing: int, total: int) -> list[str]:
    return ["", f"**{missing:,} of {total:,} groups not shown** to keep this report under "
                f"{BUDGET:,} characters (GitHub's comment limit is 65,536); {SEE_ALL}."]


def _row(g: Group) -> str:
    reasons = "; ".join(escape(clip(r, MAX_TEXT)) for r in top_reasons(g))
    return (f"| {escape(clip(g.id, MAX_NAME))} | {g.kind} | {g.severity} | {g.score:.2f} | "
            f"{len(g.members)} | {reasons} |")


def _section(report: Report, g: Group, clients: list[tuple[str, int]]) -> list[str]:
    """A group's heading, members, the accounts it boosts (a one-way group's clients, the
    first :data:`MAX_BOOSTS` with their engagements) and its reasons."""
    names = member_names(report, g)
    shown = ", ".join(escape(clip(n, MAX_NAME)) for n in names[:MAX_MEMBERS])
    if len(names) > MAX_MEMBERS:
        shown += f" and {len(names) - MAX_MEMBERS} more"
    lines = ["", f"### {escape(clip(g.id, MAX_NAME))} ({g.kind}, {g.severity}, "
                 f"score {g.score:.2f})", "",
             f"**Members ({len(names)}):** {shown}", ""]
    if clients:
        label = boosts_label(clients).capitalize()
        listed = boosts_list(clients, MAX_BOOSTS, lambda who: escape(clip(who, MAX_NAME)))
        lines[-1:-1] = ["", f"**{label}:** {listed}"]
    return lines + [f"- {escape(clip(reason, MAX_TEXT))}" for reason in g.reasons]
