"""``--format csv``: one row per flagged account, for spreadsheets and csvkit.

Columns: ``account, group, kind, severity, group_score, account_score, reasons, group_boosts``
(reasons joined with ``"; "``; ``group_boosts``: for a member of a ``lockstep`` or
``coordinated`` group, the first three accounts the group boosts, each with the engagements it
got from the group, ``a (12); b (9); c (4); +5 more``, empty for a pod), a header row first,
RFC 4180 quoting and CRLF line ends (Python's :mod:`csv` module). Rows come in the report's
order (account score descending). Expired baseline entries are not rows: a row is a flagged
account (``json`` and ``ndjson`` list them). The authors those accounts inflated, with their
authentic share, are ``--format csv-authors`` (:mod:`pod_detect.formats.csv_authors`).

Spreadsheets run a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
as a formula (CSV injection), and account names come from strangers. Every such cell gets a
leading ``'``, which spreadsheets show as text. A CSV printed to a terminal or a CI log is
read there too: control characters in a cell are written as escapes
(:func:`pod_detect.text.visible`).
"""

from __future__ import annotations

import csv
import io

from pod_detect.formats._common import BOOSTS_SHOWN
from pod_detect.formats.base import RenderOptions
from pod_detect.model import Report
from pod_detect.report import group_boosts
from pod_detect.text import visible

COLUMNS = ("account", "group", "kind", "severity", "group_score", "account_score", "reasons",
           "group_boosts")

#: A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would run as a formula.

    Parameters
    ----------
    cell
        The cell's text.

    Returns
    -------
    str
        ``cell``, with a leading ``'`` when it starts with ``=``, ``+``, ``-``, ``@``,
        a tab or a carriage return.
    """
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def rows(report: Report) -> list[list[str]]:
    """The data rows (without the header), already neutralised."""
    groups = {g.id: g for g in report.groups}
    boosts = {gid: _boosts(clients) for gid, clients in group_boosts(report).items()}
    out = []
    for a in report.accounts:
        group = groups.get(a.group)
        cells = [
            report.account_name(a.account), a.group, group.kind if group else "",
            a.severity, _number(group.score) if group else "", _number(a.score),
            "; ".join(a.reasons), boosts.get(a.group, ""),
        ]
        out.append([neutralise(visible(c)) for c in cells])
    return out


def _boosts(clients: list[tuple[str, int]]) -> str:
    """``a (12); b (9); c (4); +5 more``: the first accounts a group boosts."""
    cells = [f"{who} ({n})" for who, n in clients[:BOOSTS_SHOWN]]
    if len(clients) > BOOSTS_SHOWN:
        cells.append(f"+{len(clients) - BOOSTS_SHOWN} more")
    return "; ".join(cells)


def _number(value: float) -> str:
    return repr(round(float(value), 4))


def render(report: Report, options: RenderOptions) -> str:
    """Render the flagged accounts as CSV.

    Parameters
    ----------
    report
        The scan's report.
    options
        Unused; accepted for the common renderer signature.

    Returns
    -------
    str
        The header and one row per flagged account, CRLF line ends.
    """
    return write(COLUMNS, rows(report))


def write(header: tuple[str, ...], cells: list[list[str]]) -> str:
    """A header and rows (already neutralised) as RFC 4180 CSV with CRLF line ends."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(cells)
    return buffer.getvalue()
