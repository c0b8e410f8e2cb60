"""Timing: members engage each other early and inside a narrow band, unlike how they
(or, failing enough data, everyone else) engage the rest of the platform."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from pod_detect.candidates.context import Context
from pod_detect.detectors.base import Detector, Finding, per_group, selected
from pod_detect.engines.frames import SAMPLE_KEY, sample
from pod_detect.kernels import sorting as _sorting
from pod_detect.reduce import latency_of
from pod_detect.stats.evidence import log10_of
from pod_detect.stats.ranktests import Sample, mann_whitney_less
from pod_detect.text import duration

#: Baseline latencies used at most per test; a deterministic thinning keeps tests cheap.
MAX_BASELINE = 20_000
#: What identifies a row of the latency baseline (rows equal in it have the same latency).
KEY = (*SAMPLE_KEY, "post_time")


class TimingDetector(Detector):
    """Compares latencies inside each candidate group with a baseline.

    The baseline is the members' own engagement with outsiders when they have at least
    ``min_baseline`` such engagements, else everyone else's engagements. A one-sided
    Mann-Whitney test says whether the group is earlier than its baseline; the strength is
    how much earlier (one minus the ratio of medians), counted only when significant.
    """

    name = "timing"
    requires = ("timing",)
    description = "members engage each other's posts early and in a narrow band"

    def prepare(self, context: Context) -> None:
        context.sample_hashes()

    def detect(
        self, context: Context, groups: list[frozenset[int]], only: Sequence[int] | None = None
    ) -> list[Finding]:
        if not groups:
            return []
        wanted = selected(groups, only)
        rows = context.rows(groups)
        rows = rows[rows["latency"].notna() & rows["group"].isin(wanted)]
        everyone = _everyone_else(context, groups)
        parts = per_group(rows, len(groups))
        return [
            finding for i in wanted
            if (finding := self._finding(context, groups[i], parts[i], everyone))
        ]

    def _finding(
        self, context: Context, members: frozenset[int], rows: pd.DataFrame, everyone: Sample
    ) -> Finding | None:
        is_inside = rows["inside"].to_numpy()
        latency = rows["latency"].to_numpy()
        inside, outside = latency[is_inside], latency[~is_inside]
        own = len(outside) >= context.settings.min_baseline
        base = Sample.of(_thin(np.sort(outside))) if own else everyone
        if len(inside) < 2 or len(base.values) < 2:
            return None
        _, pvalue = mann_whitney_less(inside, base)
        med_in, med_base = float(np.median(inside)), float(np.median(base.values))
        iqr_in, iqr_base = (float(np.subtract(*np.percentile(x, [75, 25])))
                            for x in (inside, base.values))
        speed = 0.0 if med_base <= 0 else max(0.0, 1.0 - med_in / med_base)
        significant = bool(pvalue <= context.settings.alpha)
        strength = speed if significant else 0.0
        who = "the members' engagement with outsiders" if own else "everyone else's engagement"
        evidence: dict[str, Any] = {
            "median_latency_s": round(med_in, 1), "baseline_median_latency_s": round(med_base, 1),
            "latency_iqr_s": round(iqr_in, 1), "baseline_latency_iqr_s": round(iqr_base, 1),
            "timing_pvalue": float(f"{pvalue:.3g}"),
            "baseline": "members_outside" if own else "everyone_else",
            "inside_engagements": int(len(inside)),
            "latency_from": "post_time" if "post_time" in context.data.columns
            else "first_engagement",
        }
        # what a latency is measured from: the post's time, when the export gives it
        since = ("after the post" if "post_time" in context.data.columns
                 else "after the post's first engagement in the export")
        shown_in, shown_base = duration(med_in), duration(med_base)
        verdict = ("earlier than" if significant and shown_in != shown_base
                   else "no earlier than" if shown_in == shown_base
                   else "not significantly earlier than")
        against = (f"({shown_base}, the middle half spread over {duration(iqr_base)}; "
                   f"p = {pvalue:.2g})")
        spread = f"(the middle half spread over {duration(iqr_in)})"
        # the same numbers, said of what the group's kind says it engaged
        other = "the members' engagement of other posts" if own else who
        reasons = (
            f"members engage each other's posts a median {shown_in} {since} {spread}, "
            f"{verdict} {who} {against}",
        )
        worded = {
            "lockstep": (
                f"members engage the posts of the accounts they boost a median {shown_in} "
                f"{since} {spread}, {verdict} {other} {against}",),
            # a coordinated group's export does not say whose posts it engaged together
            "coordinated": (
                f"members engage the posts they engage together a median {shown_in} "
                f"{since} {spread}, {verdict} {other} {against}",),
        }
        member_evidence = {
            m: {"median_latency_s": round(v, 1)}
            for m, v in _medians(rows["actor"].to_numpy()[is_inside], inside)
        }
        return Finding(
            detector=self.name, kind="pod", members=members, strength=float(strength),
            evidence=evidence, reasons=reasons, member_evidence=member_evidence,
            log10_p=log10_of(float(pvalue)), worded=worded,
        )


def _medians(actor: np.ndarray, latency: np.ndarray) -> list[tuple[int, float]]:
    """The median latency of each actor, by actor code."""
    order = np.lexsort((latency, actor))
    actor, latency = actor[order], latency[order]
    first = _sorting.starts(actor)
    count = _sorting.lengths(first, len(actor))
    low, high = first + (count - 1) // 2, first + count // 2
    middle = (latency[low] + latency[high]) / 2
    return list(zip(actor[first].tolist(), middle.tolist(), strict=True))


def _everyone_else(context: Context, groups: list[frozenset[int]]) -> Sample:
    """The latencies of at most :data:`MAX_BASELINE` timed rows of accounts in none of
    ``groups`` (the sample of :func:`pod_detect.engines.frames.sample`)."""
    index = context.membership(groups)

    def outside(rows: pd.DataFrame) -> np.ndarray:
        return (index[rows["actor"].to_numpy()] < 0) & rows["timestamp"].notna().to_numpy()

    picked = sample(context.data.frame, outside, KEY, MAX_BASELINE,
                    context.sample_hashes())
    return Sample.of(latency_of(picked, context.reduced.posts))



def _thin(values: np.ndarray) -> np.ndarray:
    """At most :data:`MAX_BASELINE` evenly spaced order statistics of sorted ``values``."""
    if len(values) <= MAX_BASELINE:
        return values
    return values[np.linspace(0, len(values) - 1, MAX_BASELINE).astype("int64")]
