"""Comment style: a group whose comments to each other are templated, generic or emoji-only
far more often than everyone else's comments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pod_detect.candidates.context import Context
from pod_detect.detectors.base import Detector, Finding, per_group, selected
from pod_detect.engines.frames import SAMPLE_KEY, is_lazy, sample, sample_rows
from pod_detect.stats.evidence import log10_of
from pod_detect.stats.tails import fisher_greater
from pod_detect.stats.templates import Templates, comment_templates

#: Everyone else's comments the baseline is measured on at most (evenly spaced in time).
MAX_BASELINE = 20_000
#: What identifies a comment of the baseline (rows equal in it write the same).
KEY = (*SAMPLE_KEY, "text")


class CommentsDetector(Detector):
    """Compares the templated share of each group's comments on its own (or targeted) posts
    with the templated share of everyone else's comments.

    A one-sided Fisher exact test says whether the group's share is higher; the strength is
    how far it moves from the baseline towards "all templated",
    ``(share - baseline) / (1 - baseline)``, counted only when significant. The baseline is
    at most :data:`MAX_BASELINE` of everyone else's comments, a uniform sample: whether
    a comment varies a template is a string comparison per template, too dear for millions.
    """

    name = "comments"
    requires = ("comments",)
    description = "members' comments on each other are templated, generic or emoji-only"

    def prepare(self, context: Context) -> None:
        context.sample_hashes()
        _written_in(context, context.data.frame)

    def detect(
        self, context: Context, groups: list[frozenset[int]], only: Sequence[int] | None = None
    ) -> list[Finding]:
        if not groups:
            return []
        found: Templates = context.memo(
            "comment_templates", lambda: comment_templates(context.data.frame))
        if not found.comments:
            return []
        wanted = selected(groups, only)
        rows = context.rows(groups)
        rows = rows[rows["inside"] & rows["group"].isin(wanted)]
        known = found.row_words is not None and "row" in rows.columns  # a pandas frame
        flags = (found.classify_rows(rows["row"].to_numpy()) if known
                 else found.classify(rows["text"]))
        rows = rows[flags >= 0].assign(templated=flags[flags >= 0] == 1)
        if known:
            base = found.classify_rows(_everyone_else_rows(context, groups)) == 1
        else:
            base = found.classify(_everyone_else(context, groups)) == 1
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
        pvalue = fisher_greater(k, n - k, b, len(base) - b)
        share, baseline = k / n, b / len(base)
        lift = (share - baseline) / (1 - baseline) if baseline < 1 else 0.0
        strength = max(0.0, lift) if pvalue <= alpha else 0.0
        evidence: dict[str, Any] = {
            "comments": n, "templated_comments": k, "templated_share": round(share, 4),
            "baseline_templated_share": round(baseline, 4),
            "comments_pvalue": float(f"{pvalue:.3g}"),
        }
        verdict = "" if pvalue <= alpha else "not significantly more than "
        style = (f"are templated, generic or emoji-only ({share:.0%}), {verdict}{baseline:.0%} "
                 f"of everyone else's comments (p = {pvalue:.2g})")
        reason = f"{k} of the members' {n} comments on each other {style}"
        # a coordinated group's export does not say whose posts it commented on together
        worded = {"coordinated": (
            f"{k} of the members' {n} comments on the posts they engage together {style}",)}
        actors, first, written = np.unique(rows["actor"].to_numpy(), return_index=True,
                                            return_counts=True)
        order = np.argsort(rows["actor"].to_numpy(), kind="stable")
        templated = np.add.reduceat(rows["templated"].to_numpy()[order].astype("int64"),
                                    np.concatenate([[0], np.cumsum(written)[:-1]]))
        member_evidence = {
            int(m): {"comments": int(c), "templated_comments": int(t)}
            for m, c, t in zip(actors.tolist(), written.tolist(), templated.tolist(),
                               strict=True)
        }
        return Finding(
            detector=self.name, kind="pod", members=members, strength=float(strength),
            evidence=evidence, reasons=(reason,), member_evidence=member_evidence,
            log10_p=log10_of(pvalue), worded=worded,
        )


def _everyone_else(context: Context, groups: list[frozenset[int]]) -> pd.Series:
    """The texts of at most :data:`MAX_BASELINE` comments by accounts in none of ``groups``
    (the sample of :func:`pod_detect.engines.frames.sample`)."""
    picked = sample(context.data.frame, _outside(context, groups), KEY, MAX_BASELINE,
                    context.sample_hashes())
    return picked["text"].reset_index(drop=True)


def _everyone_else_rows(context: Context, groups: list[frozenset[int]]) -> np.ndarray:
    """:func:`_everyone_else` of a pandas frame, as the positions of its rows."""
    return sample_rows(context.data.frame, _outside(context, groups), KEY, MAX_BASELINE,
                       context.sample_hashes())


def _outside(context: Context, groups: list[frozenset[int]]) -> Any:
    """Which rows are comments by accounts in none of ``groups``."""
    index = context.membership(groups)
    frame = context.data.frame
    if is_lazy(frame):  # shipped to the workers: it holds the membership table only
        def partition(rows: pd.DataFrame) -> np.ndarray:
            return (index[rows["actor"].to_numpy()] < 0) & _written(rows)

        return partition

    def outside(rows: pd.DataFrame) -> np.ndarray:
        return (index[rows["actor"].to_numpy()] < 0) & _written_in(context, rows)

    return outside


def _written_in(context: Context, rows: pd.DataFrame) -> np.ndarray:
    """:func:`_written` of ``rows``, computed once per scan when they are the whole frame."""
    frame = context.data.frame
    if rows is frame:
        return context.memo("comment_rows", lambda: _written(frame))
    return _written(rows)



def _written(rows: pd.DataFrame) -> np.ndarray:
    """Rows with a comment (text that is not blank: white space is what pyarrow's
    ``utf8_trim_whitespace`` trims, as for :meth:`Templates.classify`)."""
    text = pa.array(rows["text"], type=pa.large_string(), from_pandas=True)
    blank = pc.equal(pc.utf8_trim_whitespace(text), "").fill_null(True)
    return ~blank.to_numpy(zero_copy_only=False)
