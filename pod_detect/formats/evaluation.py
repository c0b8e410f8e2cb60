"""Rich table of an :class:`~pod_detect.simulate.evaluate.Evaluation` (``pod-detect evaluate``)."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table

from pod_detect.formats._common import shown
from pod_detect.formats.base import RenderOptions
from pod_detect.simulate.evaluate import Evaluation


def render_evaluation(result: Evaluation, options: RenderOptions) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=options.width, force_terminal=options.color,
                      no_color=not options.color, highlight=False)
    console.print(
        f"counting groups at {result.min_severity} or above: {result.counted} of "
        f"{result.reported} reported\n"
        f"accounts: precision {result.precision:.3f}, recall {result.recall:.3f}, "
        f"F1 {result.f1:.3f} ({result.true_positives} of {result.predicted} flagged are "
        f"planted; {result.positives} planted)"
    )
    planted = Table(title="Planted groups", box=box.SIMPLE_HEAD, title_justify="left")
    for column in ("truth", "kind", "size", "best match", "jaccard", "flagged", "found"):
        planted.add_column(column)
    for g in result.groups:
        planted.add_row(shown(g.id), shown(f"{g.kind} ({g.label})"), str(g.size),
                        shown(g.match or "-"),
                        f"{g.jaccard:.2f}", str(g.flagged), "yes" if g.found else "NO")
    console.print(planted)
    if result.negatives:
        negatives = Table(title="Negatives (must not be flagged)", box=box.SIMPLE_HEAD,
                          title_justify="left")
        for column in ("truth", "kind", "size", "flagged", "by groups"):
            negatives.add_column(column)
        for n in result.negatives:
            negatives.add_row(shown(n.id), shown(n.kind), str(n.size), str(n.flagged),
                              shown(", ".join(n.groups) or "-"))
        console.print(negatives)
    if result.unmatched:
        console.print("reported groups matching no planted group: "
                      + shown(", ".join(result.unmatched)))
    return buffer.getvalue()
