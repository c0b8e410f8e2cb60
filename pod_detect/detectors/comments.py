"""Comment style: a group whose comments to each other are templated, generic or emoji-only
far more often than everyone else's comments."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from pod_detect.comments import CommentStyle, comment_style
from pod_detect.detectors.base import Context, Detector, Finding, per_group, selected


class CommentsDetector(Detector):
    """Compares the templated share of each group's comments on its own (or targeted) posts
    with the templated share of everyone else's comments.

    A one-sided Fisher exact test says whether the group's share is higher; the strength is
    how far it moves from the baseline towards "all templated",
    ``(share - baseline) / (1 - baseline)``, counted only when significant.
    """

    name = "comments"
    requires = ("comments",)
    description = "members' comments on each other are templated, generic or emoji-only"

    def detect(
        self, context: Context, groups: list[frozenset[int]], only: Sequence[int] | None = None
    ) -> list[Finding]:
        if not groups:
            return []
        style = context.memo("comment_style", lambda: _Styled(context))
        if not len(style.style.rows):
            return []
        wanted = selected(groups, only)
        rows = context.rows(groups)
        rows = rows[rows["inside"] & rows["group"].isin(wanted)]
        rows = rows.assign(templated=style.lookup(rows["row"].to_numpy()))
        rows = rows[rows["templated"] >= 0]
        members = context.membership(groups)[context.data.frame["actor"].to_numpy()]
        outsiders = members[style.style.rows] < 0
        base = style.style.templated[outsiders]
        parts = per_group(rows, len(groups))
        return [
            finding for i in wanted
            if (finding := self._finding(groups[i], parts[i], base, context.settings.alpha))
        ]

    def _finding(
        self, members: frozenset[int], rows: pd.DataFrame, base: np.ndarray, alpha: float
    ) -> Finding | None:
        n, k = len(rows), int(rows["templated"].sum())
        if n < 3 or len(base) < 3:
            return None
        b = int(base.sum())
        test = stats.fisher_exact([[k, n - k], [b, len(base) - b]], alternative="greater")
        share, baseline = k / n, b / len(base)
        lift = (share - baseline) / (1 - baseline) if baseline < 1 else 0.0
        strength = max(0.0, lift) if test.pvalue <= alpha else 0.0
        evidence: dict[str, Any] = {
            "comments": n, "templated_comments": k, "templated_share": round(share, 4),
            "baseline_templated_share": round(baseline, 4),
            "comments_pvalue": float(f"{test.pvalue:.3g}"),
        }
        verdict = "" if test.pvalue <= alpha else "not significantly more than "
        reason = (
            f"{k} of the members' {n} comments on each other are templated, generic or "
            f"emoji-only ({share:.0%}), {verdict}{baseline:.0%} of everyone else's comments "
            f"(p = {test.pvalue:.2g})"
        )
        per_member = rows.groupby("actor")["templated"].agg(["size", "sum"])
        member_evidence = {
            int(m): {"comments": int(r["size"]), "templated_comments": int(r["sum"])}
            for m, r in per_member.iterrows()
        }
        return Finding(
            detector=self.name, kind="pod", members=members, strength=float(strength),
            evidence=evidence, reasons=(reason,), member_evidence=member_evidence,
        )


class _Styled:
    """The comment style of the frame, and a row -> templated (1/0, -1 no comment) lookup."""

    def __init__(self, context: Context) -> None:
        frame = context.data.frame
        self.n = len(frame)
        self.style: CommentStyle = comment_style(frame["actor"].to_numpy(), frame["text"])

    @cached_property
    def table(self) -> np.ndarray:
        table = np.full(self.n, -1, dtype="int8")
        table[self.style.rows] = self.style.templated.astype("int8")
        return table

    def lookup(self, rows: np.ndarray) -> np.ndarray:
        return self.table[rows]
