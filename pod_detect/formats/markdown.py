"""``--format markdown``: GitHub-flavoured Markdown for pull-request comments and job summaries.

A summary line, a table of groups (id, kind, severity, score, size, top reasons), then one
section per group with its members (the first :data:`MAX_MEMBERS`, then a count) and all its
reasons. Every piece of text from the input (account ids, the file name) and from the report
is escaped, so a hostile account name cannot add markup, HTML, links, mentions or table cells.
"""

from __future__ import annotations

import re

from pod_detect.formats._common import member_names, source_name, summary_line, top_reasons
from pod_detect.formats.base import RenderOptions
from pod_detect.model import Report
from pod_detect.report import input_summary
from pod_detect.text import visible

#: Members listed per group before "and N more".
MAX_MEMBERS = 20

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


def render(report: Report, options: RenderOptions) -> str:
    """Render the report as Markdown.

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
    lines = [
        "## pod-detect",
        "",
        f"**{escape(summary_line(report))}** in {escape(source_name(report))} "
        f"({info['rows']:,} rows, {info['accounts']:,} accounts, {info['posts']:,} posts).",
    ]
    if report.groups:
        lines += ["", *_table(report), *_sections(report)]
    if report.notes:
        lines += ["", "<details><summary>Notes</summary>", ""]
        lines += [f"- {escape(note)}" for note in report.notes]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _table(report: Report) -> list[str]:
    rows = ["| group | kind | severity | score | size | top reasons |",
            "| --- | --- | --- | ---: | ---: | --- |"]
    for g in report.groups:
        reasons = "; ".join(escape(r) for r in top_reasons(g))
        rows.append(f"| {escape(g.id)} | {g.kind} | {g.severity} | {g.score:.2f} | "
                    f"{len(g.members)} | {reasons} |")
    return rows


def _sections(report: Report) -> list[str]:
    lines: list[str] = []
    for g in report.groups:
        names = member_names(report, g)
        shown = ", ".join(escape(n) for n in names[:MAX_MEMBERS])
        if len(names) > MAX_MEMBERS:
            shown += f" and {len(names) - MAX_MEMBERS} more"
        lines += ["", f"### {escape(g.id)} ({g.kind}, {g.severity}, score {g.score:.2f})", "",
                  f"**Members ({len(names)}):** {shown}", ""]
        lines += [f"- {escape(reason)}" for reason in g.reasons]
    return lines
