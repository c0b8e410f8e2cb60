"""Reciprocal groups: dense sets of accounts that engage each other's posts, round after round."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from pod_detect.candidates.context import Context
from pod_detect.detectors.base import Detector, Finding, selected
from pod_detect.kernels.grouped import inner_degree, sizes
from pod_detect.stats.evidence import log10_group_structure


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

    def detect(
        self, context: Context, groups: list[frozenset[int]], only: Sequence[int] | None = None
    ) -> list[Finding]:
        if not groups:
            return []
        rows = context.rows(groups)
        inside = rows[rows["own"] & (rows["post"] >= 0)].drop_duplicates(["actor", "post"])
        has_posts = context.data.signals()["coverage"] is None
        index = context.membership(groups)
        linked, possible = context.reciprocity_of(groups, index)
        both = _both_ways(context, index, len(groups))
        degree = inner_degree(*context.reciprocal_edges, index)
        rounds = _rounds(context, groups, index, inside) if has_posts else None
        accounts = context.reduced.accounts
        eligible = int(((accounts["given"].to_numpy() > 0)
                        & (accounts["received"].to_numpy() > 0)).sum())
        given = np.bincount(inside["actor"].to_numpy(), minlength=len(index))
        per_group = None if rounds is None else rounds.to_dict("records")
        return [
            self._finding(context, members, int(linked[i]), int(possible[i]), int(both[i]),
                          degree,
                          None if per_group is None else per_group[i], given, has_posts,
                          eligible)
            for i, members in ((i, groups[i]) for i in selected(groups, only))
        ]

    def _finding(
        self, context: Context, members: frozenset[int], linked: int, possible: int,
        both: int, degree: np.ndarray, rounds: dict[str, Any] | None, given: np.ndarray,
        has_posts: bool, eligible: int,
    ) -> Finding:
        n = len(members)
        density = linked / possible if possible else 0.0
        support = possible / (possible + 1)  # three pairs are thinner evidence than thirty
        evidence: dict[str, Any] = {"size": n, "reciprocal_density": round(density, 4)}
        # what was measured: pairs that engage each other repeatedly both ways, and of those
        # the pairs linked (each way beyond what the two accounts' popularity predicts)
        reasons = [
            f"{both} of the {possible} pairs of members who post engage each other's posts "
            f"repeatedly, both ways; {linked} of them ({density:.0%} of the pairs) more than "
            "their popularity predicts"
            if possible else
            "too few members post for reciprocity to be measured (one-way engagement)"
        ]
        # a coordinated group's export does not say whose posts it engaged: that too few
        # members post is then no sign of one-way engagement
        worded = {} if possible else {"coordinated": (
            "too few members are seen posting for reciprocity to be measured",)}
        member_evidence = {
            m: {"reciprocated_with": int(degree[m]), "of": n - 1} for m in sorted(members)
        }
        if has_posts and possible:
            assert rounds is not None
            shrunk = self._describe_rounds(context, members, rounds, given, evidence, reasons,
                                           member_evidence)
            strength = density * support * shrunk
        elif not has_posts:
            strength = density * support * 0.5
            reasons.append("without post ids the completeness of rounds cannot be measured")
        else:
            strength = 0.0
        log10_p = log10_group_structure(linked, possible, context.settings.alpha, n, eligible)
        evidence["structure_log10_p"] = round(log10_p, 2)
        return Finding(
            detector=self.name, kind="pod", members=members, strength=float(strength),
            evidence=evidence, reasons=tuple(reasons), member_evidence=member_evidence,
            log10_p=log10_p, worded={k: (*said, *reasons[1:]) for k, said in worded.items()},
        )

    def _describe_rounds(
        self, context: Context, members: frozenset[int], rounds: dict[str, Any],
        given: np.ndarray,
        evidence: dict[str, Any], reasons: list[str], member_evidence: dict[int, dict[str, Any]],
    ) -> float:
        n = len(members)
        total, complete, needed = int(rounds["posts"]), int(rounds["complete"]), int(
            rounds["needed"])
        completeness = complete / (total + 1)
        coverage = float(rounds["engaged"] / (total * (n - 1))) if total else 0.0
        shrunk = coverage * total / (total + 1)
        evidence.update(
            member_posts=total, completed_rounds=complete, round_threshold=needed,
            round_completeness=round(completeness, 4), mean_coverage=round(coverage, 4),
        )
        reasons.append(
            f"{complete} of the members' {total} posts were engaged by at least {needed} of "
            f"the other {n - 1} members; on average each post got {coverage:.0%} of them"
        )
        authored = context.reduced.accounts["posts"].to_numpy()
        for m in sorted(members):
            member_evidence[m]["engaged_member_posts"] = int(given[m])
            member_evidence[m]["member_posts_by_others"] = total - int(authored[m])
        evidence["completeness"] = round(shrunk, 4)
        return shrunk


def _rounds(
    context: Context, groups: list[frozenset[int]], index: np.ndarray, inside: pd.DataFrame
) -> pd.DataFrame:
    """Per group (by index): the members' ``posts``, the member engagements they got
    (``engaged``), the engagers a round needs (``needed``) and the ``complete`` rounds."""
    n = len(groups)
    authors = context.reduced.posts["author"].to_numpy()
    owner = index[authors]  # author -1 (unknown) maps to the sentinel: no group
    member_posts = np.flatnonzero(owner >= 0)
    engagers = np.bincount(inside["post"].to_numpy(), minlength=len(authors))[member_posts]
    needed = np.ceil(context.settings.round_share * (sizes(groups) - 1)).astype("int64")
    group = owner[member_posts]
    table = pd.DataFrame({
        "posts": np.bincount(group, minlength=n),
        "engaged": np.bincount(group, weights=engagers, minlength=n).astype("int64"),
        "complete": np.bincount(group[engagers >= needed[group]], minlength=n),
    })
    table["needed"] = needed
    return table


def _both_ways(context: Context, index: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group, its member pairs that engage each other repeatedly both ways (each at
    least ``min_posts`` distinct posts of the other), significant or not."""
    pairs = context.reduced.pairs
    actor, author = pairs["actor"].to_numpy(), pairs["author"].to_numpy()
    group = index[actor]
    keep = ((group >= 0) & (group == index[author])
            & (pairs["posts"].to_numpy() >= context.settings.min_posts))
    if not keep.any():
        return np.zeros(n_groups, dtype=np.int64)
    low = np.minimum(actor[keep], author[keep]).astype(np.int64)
    high = np.maximum(actor[keep], author[keep]).astype(np.int64)
    keys, counts = np.unique(low * len(index) + high, return_counts=True)
    twice = keys[counts == 2]  # both directions repeated
    return np.bincount(index[twice // len(index)], minlength=n_groups)[:n_groups]
