"""``--format csv-authors``: one row per author whose posts flagged groups engaged, for
spreadsheets: how much of each author's engagement is authentic, and who supplied the rest.

``--format csv`` has one row per flagged account (the suppliers); this is the other side
(the receivers), the per-author figures of the JSON report's ``authors[]``
(:func:`pod_detect.report.author_figures`), most inauthentic engagement first. Write both
from one scan with ``--also``::

    pod-detect scan export.csv -f csv -o accounts.csv --also csv-authors=authors.csv

Columns: ``author, engagements, posts, authentic, authentic_share, from_pods, from_one_way,
groups``: engagements the author's posts received (after duplicates and self-engagement were
dropped), on how many posts, how many of them no flagged group supplied, that share (4
decimals), those from pod members and those from one-way (``lockstep``, ``coordinated``)
groups, and every group that supplied some, ``pod-1a2b3c4d5e (12); lockstep-... (475)``, most
first. Only groups at ``--inflating`` severity or above count (``medium`` by default; the
report's ``settings.inflating``), as in every per-author figure.
An export where no flagged group engaged anyone's posts gives the header alone.

Quoting, line ends and the neutralising of formula cells and control characters are those of
:mod:`pod_detect.formats.csv`.
"""

from __future__ import annotations

from pod_detect.formats.base import RenderOptions
from pod_detect.formats.csv import neutralise, write
from pod_detect.model import Report
from pod_detect.report import author_figures
from pod_detect.text import visible

COLUMNS = ("author", "engagements", "posts", "authentic", "authentic_share", "from_pods",
           "from_one_way", "groups")


def rows(report: Report) -> list[list[str]]:
    """The data rows (without the header), already neutralised."""
    out = []
    for row in author_figures(report):
        groups = "; ".join(f"{g['id']} ({g['engagements']})" for g in row["groups"])
        cells = [row["author"], str(row["engagements"]), str(row["posts"]),
                 str(row["authentic"]), repr(round(row["authentic_share"], 4)),
                 str(row["from_pods"]), str(row["from_one_way"]), groups]
        out.append([neutralise(visible(c)) for c in cells])
    return out


def render(report: Report, options: RenderOptions) -> str:
    """The header and one row per author whose posts flagged groups engaged (``options``
    unused), as :func:`pod_detect.formats.csv.render` writes its rows."""
    return write(COLUMNS, rows(report))
