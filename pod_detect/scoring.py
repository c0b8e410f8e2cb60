"""Evidence -> one verdict: group scores, severities, account scores and per-post figures.

A group's score is its *structure* (how pod-shaped it is: reciprocal density times the
completeness of its rounds) scaled by its *behaviour* (timing and, later, other signals
that show coordination rather than friendship)::

    score = structure * (1 + behaviour) / 2

so structure alone reaches at most 0.5 (medium at the default bands) and only a group that
is both pod-shaped and behaves like one reaches high.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from pod_detect.candidates.context import Context
from pod_detect.detectors.base import Finding
from pod_detect.engines.frames import rows_of
from pod_detect.kernels.grouped import membership
from pod_detect.model import SEVERITIES, AccountScore, Group, Interactions, PostScore, group_id
from pod_detect.text import duration

#: Detectors whose strength says how pod-shaped a group is.
STRUCTURE = ("reciprocal", "coengagement")
#: Detectors whose strength says the group behaves in a coordinated way.
BEHAVIOUR = ("timing", "comments")


def cluster(findings: Sequence[Finding], overlap: float = 0.5) -> list[list[Finding]]:
    """Findings about (nearly) the same members, together; the first one names the members.

    A finding joins the first cluster whose head shares at least ``overlap`` of their union
    with it (Jaccard); only clusters sharing a member are compared, so disjoint candidate
    lists cost linear time.
    """
    clusters: list[list[Finding]] = []
    holding: dict[int, list[int]] = {}  # account -> clusters whose head has it
    for finding in findings:
        near = sorted({c for m in finding.members for c in holding.get(m, ())})
        for c in near:
            head = clusters[c][0].members
            union = len(head | finding.members)
            if union and len(head & finding.members) / union >= overlap:
                clusters[c].append(finding)
                break
        else:
            for m in finding.members:
                holding.setdefault(m, []).append(len(clusters))
            clusters.append([finding])
    return clusters


def score_groups(context: Context, findings: Sequence[Finding]) -> list[Group]:
    """Turn findings into scored groups, strongest first; groups below ``low`` are dropped."""
    names = context.data.accounts
    groups = []
    for found in cluster(findings):
        shapes = sorted((f for f in found if f.detector in STRUCTURE),
                        key=lambda f: (-f.strength, STRUCTURE.index(f.detector)))
        structure = shapes[0].strength if shapes else 0.0
        kind = shapes[0].kind if shapes else found[0].kind
        behaviour = max((f.strength for f in found if f.detector in BEHAVIOUR), default=0.0)
        score = round(structure * (1.0 + behaviour) / 2.0, 4)
        severity = context.settings.severity(score)
        if severity is None:
            continue
        head = found[0]
        evidence: dict[str, Any] = {"structure": round(structure, 4),
                                    "behaviour": round(behaviour, 4)}
        for finding in found:
            evidence.update(finding.evidence)
        groups.append(
            Group(
                id=group_id(kind, [str(names[m]) for m in head.members]),
                kind=kind,
                members=tuple(sorted(head.members, key=lambda m: str(names[m]))),
                score=score,
                severity=severity,  # type: ignore[arg-type]
                evidence=evidence,
                reasons=tuple(r for f in _strongest_first(found) for r in f.reasons),
                detectors=tuple(f.detector for f in found),
                member_evidence=_member_evidence(found),
            )
        )
    return sorted(groups, key=lambda g: (-g.score, g.id))


def select(
    groups: Sequence[Group], taken: set[int], min_size: int
) -> tuple[list[Group], list[frozenset[int]]]:
    """Settle overlaps between scored groups: the stronger group keeps shared accounts.

    Groups are taken by severity band, then size, then score: within a band the larger of
    two overlapping groups wins (a whole pod over a core of it that scores a hair higher),
    while a pod always wins over a weaker community it sits in. A group that shares no
    account with those already taken is accepted. One that does is not; what is left of
    it (at least ``min_size`` accounts and half its members) comes back as a residual
    candidate, to be examined again on its own. ``taken`` is updated in place.
    """
    accepted: list[Group] = []
    residual: list[frozenset[int]] = []
    order = sorted(groups, key=lambda g: (
        -SEVERITIES.index(g.severity), -len(g.members), -g.score, g.id))
    for group in order:
        members = set(group.members)
        if not members & taken:
            accepted.append(group)
            taken |= members
            continue
        rest = members - taken
        if len(rest) >= min_size and 2 * len(rest) >= len(members):
            residual.append(frozenset(rest))
    disjoint: list[frozenset[int]] = []
    used = set(taken)
    for leftover in residual:
        left = leftover - used
        if len(left) >= min_size:
            disjoint.append(left)
            used |= left
    return accepted, disjoint


def _strongest_first(found: Sequence[Finding]) -> list[Finding]:
    """Findings in the order their reasons read best: the group's shape (strongest first),
    then its behaviour (strongest first)."""
    return sorted(found, key=lambda f: (f.detector not in STRUCTURE, -f.strength))


def _member_evidence(found: Sequence[Finding]) -> dict[int, dict[str, Any]]:
    merged: dict[int, dict[str, Any]] = {}
    for finding in found:
        for member, numbers in finding.member_evidence.items():
            merged.setdefault(member, {}).update(numbers)
    return merged


def score_accounts(groups: Sequence[Group]) -> list[AccountScore]:
    """Each member's score: its group's score times how fully it takes part."""
    accounts = []
    for group in groups:
        for member in group.members:
            numbers = group.member_evidence.get(member, {})
            part = _participation(numbers)
            accounts.append(
                AccountScore(
                    account=member, group=group.id, score=round(group.score * part, 4),
                    severity=group.severity, evidence=numbers,
                    reasons=tuple(_account_reasons(group, numbers)),
                )
            )
    return sorted(accounts, key=lambda a: (-a.score, a.group, a.account))


def _participation(numbers: dict[str, Any]) -> float:
    shares = []
    if numbers.get("of"):
        shares.append(numbers["reciprocated_with"] / numbers["of"])
    if numbers.get("member_posts_by_others"):
        shares.append(min(1.0, numbers["engaged_member_posts"] / numbers["member_posts_by_others"]))
    return float(np.mean(shares)) if shares else 1.0


def _account_reasons(group: Group, numbers: dict[str, Any]) -> list[str]:
    reasons = [f"member of {group.kind} {group.id} ({group.severity}, score {group.score:.2f})"]
    if "reciprocated_with" in numbers:
        reasons.append(
            f"engages and is engaged by {numbers['reciprocated_with']} of the "
            f"{numbers['of']} other members, repeatedly"
        )
    if numbers.get("member_posts_by_others"):
        reasons.append(
            f"engaged {numbers['engaged_member_posts']} of the other members' "
            f"{numbers['member_posts_by_others']} posts"
        )
    if "median_latency_s" in numbers:
        reasons.append(
            f"median {duration(numbers['median_latency_s'])} after the post on members' posts"
        )
    return reasons


def score_posts(data: Interactions, totals: pd.DataFrame, groups: Sequence[Group],
                inflating: str) -> list[PostScore]:
    """Per post with a known author: engagements, and how many came from pods and farms.

    For groups of at least ``inflating`` severity, an engagement is inauthentic when the
    engaging account is in a ``pod`` with the post's author (a pod member's like of an
    outsider may be genuine), or in a ``lockstep`` group (a like-farm account's every like
    is bought). ``totals`` gives each post's ``author`` and ``engagements`` by post code
    (:attr:`pod_detect.reduce.Reduced.posts`, or a report's own posts).
    """
    floor = SEVERITIES.index(inflating)
    flagged = [g for g in groups if SEVERITIES.index(g.severity) >= floor]
    index = membership([frozenset(g.members) for g in flagged], len(data.accounts))
    members = np.flatnonzero(index[:-1] >= 0)
    rows = rows_of(data.frame, "actor", members, ["actor", "author", "post"])
    rows = rows[(rows["post"] >= 0) & (rows["author"] >= 0)]
    one_way = np.array([g.kind == "lockstep" for g in flagged] + [False])
    actor_group = index[rows["actor"].to_numpy()]
    from_pod = (actor_group == index[rows["author"].to_numpy()]) | one_way[actor_group]
    bought = pd.Series(from_pod, index=rows.index).groupby(rows["post"].to_numpy()).sum()
    table = totals.reindex(bought.index)
    per_post = pd.DataFrame({"author": table["author"].to_numpy(),
                             "engagements": table["engagements"].to_numpy(),
                             "from_pods": bought.to_numpy()}, index=bought.index)
    per_post = per_post[per_post["from_pods"] > 0]
    posts = [
        PostScore(post=p, author=a, engagements=e, from_pods=f)
        for p, a, e, f in zip(
            per_post.index.tolist(), per_post["author"].tolist(),
            per_post["engagements"].tolist(), per_post["from_pods"].tolist(), strict=True,
        )
    ]
    names = data.posts
    return sorted(posts, key=lambda p: (-p.from_pods, -p.engagements, str(names[p.post])))
