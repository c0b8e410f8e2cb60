"""Reciprocal groups: dense sets of accounts that engage each other's posts, round after round."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pod_detect.detectors.base import Context, Detector, Finding, per_group


class ReciprocalDetector(Detector):
    """Flags quasi-cliques of the reciprocal graph and measures how complete their rounds are.

    Density alone marks friends as well as pods; what sets a pod apart is that every member
    engages every member's post. The strength is the density (times ``pairs / (pairs + 1)``,
    as a trio's three pairs are thin evidence) times the *completeness*: the
    share of (member post, other member) pairs where the other member engaged the post,
    shrunk towards zero for few posts (``posts / (posts + 1)``). Friends engage some of
    each other's posts; pods engage nearly all. Completed rounds (posts engaged by at least
    ``round_share`` of the other members) are reported beside it.
    """

    name = "reciprocal"
    requires = ("reciprocity",)
    description = "dense groups of accounts engaging each other's posts, both ways, repeatedly"

    def detect(self, context: Context, groups: list[frozenset[int]]) -> list[Finding]:
        if not groups:
            return []
        rows = context.rows(groups)
        inside = rows[rows["own"] & (rows["post"] >= 0)].drop_duplicates(["actor", "post"])
        has_posts = context.data.signals()["coverage"] is None
        owned = _posts_by_group(context, groups)
        return [
            self._finding(context, members, part, owned.get(i), has_posts)
            for i, (members, part) in enumerate(
                zip(groups, per_group(inside, len(groups)), strict=True))
        ]

    def _finding(
        self, context: Context, members: frozenset[int], inside: pd.DataFrame,
        member_posts: np.ndarray | None, has_posts: bool,
    ) -> Finding:
        graph = context.reciprocal_graph.subgraph(members)
        n = len(members)
        linked, possible = context.reciprocity(members)
        density = linked / possible if possible else 0.0
        support = possible / (possible + 1)  # three pairs are thinner evidence than thirty
        evidence: dict[str, Any] = {"size": n, "reciprocal_density": round(density, 4)}
        reasons = [
            f"{linked} of the {possible} pairs of members who post engage each other "
            f"repeatedly, both ways ({density:.0%}), far beyond what their popularity predicts"
            if possible else
            "too few members post for reciprocity to be measured (one-way engagement)"
        ]
        member_evidence = {
            m: {"reciprocated_with": graph.degree(m) if m in graph else 0, "of": n - 1}
            for m in sorted(members)
        }
        if has_posts and possible:
            posts = member_posts if member_posts is not None else np.empty(0, dtype="int64")
            rounds = self._rounds(
                context, members, inside, posts, evidence, reasons, member_evidence)
            strength = density * support * rounds
        elif not has_posts:
            strength = density * support * 0.5
            reasons.append("without post ids the completeness of rounds cannot be measured")
        else:
            strength = 0.0
        return Finding(
            detector=self.name, kind="pod", members=members, strength=float(strength),
            evidence=evidence, reasons=tuple(reasons), member_evidence=member_evidence,
        )

    def _rounds(
        self, context: Context, members: frozenset[int], inside: pd.DataFrame,
        member_posts: np.ndarray, evidence: dict[str, Any], reasons: list[str],
        member_evidence: dict[int, dict[str, Any]],
    ) -> float:
        n = len(members)
        posts = context.reduced.posts
        engagers = inside.groupby("post").size().reindex(member_posts, fill_value=0)
        needed = int(np.ceil(context.settings.round_share * (n - 1)))
        complete = int((engagers >= needed).sum())
        total = len(member_posts)
        completeness = complete / (total + 1)
        coverage = float(engagers.sum() / (total * (n - 1))) if total else 0.0
        shrunk = coverage * total / (total + 1)
        evidence.update(
            member_posts=total, completed_rounds=complete, round_threshold=needed,
            round_completeness=round(completeness, 4), mean_coverage=round(coverage, 4),
        )
        reasons.append(
            f"{complete} of the members' {total} posts were engaged by at least {needed} of "
            f"the other {n - 1} members; on average each post got {coverage:.0%} of them"
        )
        given = inside.groupby("actor").size()
        authored = posts.loc[member_posts, "author"].value_counts()
        for m in sorted(members):
            others = total - int(authored.get(m, 0))
            member_evidence[m]["engaged_member_posts"] = int(given.get(m, 0))
            member_evidence[m]["member_posts_by_others"] = others
        evidence["completeness"] = round(shrunk, 4)
        return shrunk


def _posts_by_group(context: Context, groups: list[frozenset[int]]) -> dict[int, np.ndarray]:
    """Post codes authored by each group's members, by group index (one pass over posts)."""
    owner = context.membership(groups)[context.reduced.posts["author"].to_numpy()]
    codes = np.flatnonzero(owner >= 0)
    return {int(k): v.to_numpy() for k, v in pd.Series(codes).groupby(owner[codes])}
