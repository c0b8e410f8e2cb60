"""Co-engagement: members engage the same posts within minutes of each other, post after post.

This finds what reciprocity cannot: rotating pods (each post gets a random subset of a large
pod, so no two members engage each other often enough to look reciprocal) and like-farms (the
members never post; they hit the same clients' posts together).
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd

from pod_detect.detectors.base import Context, Detector, Finding, per_group

#: Share of a post's engagers from which a group counts as supplying its audience.
OWNS = 0.5


class CoEngagementDetector(Detector):
    """Measures, for every candidate group, how densely its members co-engage.

    Strength is the share of member pairs linked in the co-engagement graph (pairs that
    co-engaged at least ``min_coengaged`` posts within ``window`` seconds, beyond what their
    activity predicts) times how much of the engagement of the posts the group targets it
    supplies: ``min(1, share / OWNS)``. Quick co-engagers on busy posts are a sliver of those
    posts' audience; a pod or a farm is most of it. The finding's kind is ``pod`` when most
    of what the members engage together is their own posts, else ``lockstep`` (one-way, like
    a like-farm); a lockstep group also counts as supplying its targets when its members
    engage most of their targets' posts (a farm liking a popular client's every post is a
    minority of that client's audience, but covers its output). For a pod, the strength is
    also scaled by the share of member pairs that
    do *not* reciprocate: members who engage each other's posts necessarily co-engage them,
    so for a reciprocal group co-engagement adds nothing and the completeness of its rounds
    (the reciprocal detector) is what tells a pod from friends. What it does add is the
    rotating pod, whose members co-engage without ever reciprocating.
    """

    name = "coengagement"
    requires = ("coengagement",)
    description = "members engage the same posts within minutes of each other, repeatedly"

    def detect(self, context: Context, groups: list[frozenset[int]]) -> list[Finding]:
        if not groups:
            return []
        rows = context.rows(groups)
        inside = rows[rows["inside"] & (rows["post"] >= 0)]
        return [
            self._finding(context, members, part)
            for members, part in zip(groups, per_group(inside, len(groups)), strict=True)
        ]

    def _finding(self, context: Context, members: frozenset[int], rows: pd.DataFrame) -> Finding:
        graph = context.coengagement_graph.subgraph(members)
        n = len(members)
        possible = n * (n - 1) // 2
        density = graph.number_of_edges() / possible
        distinct = rows.drop_duplicates(["actor", "post"])
        posts = distinct.groupby("post").agg(own=("own", "first"), engagers=("actor", "size"))
        own_share = float(posts["own"].mean()) if len(posts) else 0.0
        kind: Literal["pod", "lockstep"] = "pod" if own_share >= 0.5 else "lockstep"
        engaged = context.reduced.posts["engagers"].reindex(posts.index).to_numpy()
        linked, could = context.reciprocity(members)
        explained = linked / could if kind == "pod" and could else 0.0
        exclusivity = float(posts["engagers"].sum() / engaged.sum()) if len(posts) else 0.0
        coverage = _target_coverage(context, members, rows) if kind == "lockstep" else 0.0
        given = context.reduced.accounts["given"]
        expected = float(given.iloc[list(members)].sum() / max(1, given.sum()))
        supplied = max(min(1.0, exclusivity / OWNS), coverage)
        evidence: dict[str, Any] = {
            "coengaged_pairs": graph.number_of_edges(),
            "coengagement_density": round(density, 4),
            "group_posts": len(posts), "own_post_share": round(own_share, 4),
            "group_share_of_engagers": round(exclusivity, 4),
            "expected_share_of_engagers": round(expected, 6),
        }
        if kind == "lockstep":
            evidence["target_coverage"] = round(coverage, 4)
        within = (f" within {context.settings.window:.0f} s of each other"
                  if context.coengagement.counts["timed"] else "")
        reasons = [
            f"{graph.number_of_edges()} of {possible} member pairs engaged at least "
            f"{context.settings.min_coengaged} of the same posts{within}, beyond what their "
            f"activity predicts ({density:.0%})",
            f"on the {len(posts)} posts the group engages together, members are "
            f"{exclusivity:.0%} of all engagers, where their share of all engagement "
            f"predicts {expected:.1%}; {own_share:.0%} of those posts are the "
            f"members' own" + (" (one-way: lockstep)" if kind == "lockstep" else ""),
        ]
        member_evidence = {
            m: {"coengaged_with": graph.degree(m) if m in graph else 0} for m in sorted(members)
        }
        return Finding(
            detector=self.name, kind=kind, members=members,
            strength=float(density * possible / (possible + 1) * supplied * (1.0 - explained)),
            evidence=evidence, reasons=tuple(reasons), member_evidence=member_evidence,
        )


def _target_coverage(context: Context, members: frozenset[int], rows: pd.DataFrame) -> float:
    """Share of each target author's posts the members engaged, averaged over members and
    weighted by how many of the group's posts each target wrote (a client, not a decoy)."""
    targeted = rows[~rows["own"] & (rows["author"] >= 0)].drop_duplicates("post")
    weights = targeted["author"].value_counts()
    if weights.empty:
        return 0.0
    pairs = context.reduced.pairs
    mine = pairs[pairs["actor"].isin(list(members)) & pairs["author"].isin(weights.index)]
    per_author = mine.groupby("author")["coverage"].sum().reindex(weights.index, fill_value=0.0)
    return float((per_author / len(members) * weights).sum() / weights.sum())
