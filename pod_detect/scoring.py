"""Evidence -> one verdict: group scores, severities, account scores and per-post figures.

A group's verdict has two parts (docs/design.md, "The verdict"):

- **effect**: how pod-shaped it is, ``s`` (its strongest structure finding: reciprocal
  density times the completeness of its rounds, or co-engagement density times how much
  of its targets' engagement it supplies), and how coordinated it behaves, ``b`` (its
  strongest behaviour finding: how much earlier, how much more templated). Either the
  structure confirms itself or the behaviour confirms it, two independent routes::

      score = 1 - (1 - s**3) * (1 - s * b)

  Alone, the structure must be close to complete: ``s**3`` is 0.25 for a group whose
  members engage two thirds of each other's posts (what close friends can do, s ~ 0.63),
  0.51 at the round share that defines a pod's round (0.8) and ``high`` (0.75) from
  s ~ 0.91, where only a pod engages every member's every post. With coordinated
  behaviour a group half as complete reaches ``medium`` (s = 0.4, b = 0.9: 0.40);
- **evidence**: how improbable its structure is under the null model, corrected for every
  group of its size the search could have returned, combined by Fisher's method with the
  behaviour tests' p-values. A group chance explains (``p > alpha``) is not reported; one
  short of five sigma (``high_alpha``) is capped below ``high``. A behaviour test that
  did not run adds nothing; one that ran and found nothing lowers the combined evidence,
  never vetoes: an export that is mostly the campaign, where "everyone else" is no
  organic baseline, cannot hide a group whose structure chance does not explain (the
  report's notes say when most of the engagement comes from flagged accounts).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from pod_detect.candidates.context import Context
from pod_detect.detectors.base import Finding
from pod_detect.engines.frames import rows_of
from pod_detect.kernels.grouped import membership
from pod_detect.model import (
    KIND_NAMES,
    SEVERITIES,
    AccountScore,
    Group,
    Interactions,
    PostScore,
    group_id,
)
from pod_detect.stats.evidence import effect, log10_fisher
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


def _strongest_shape(found: Sequence[Finding]) -> Finding | None:
    """The strongest structure finding (ties: in :data:`STRUCTURE` order), if any."""
    return min((f for f in found if f.detector in STRUCTURE),
               key=lambda f: (-f.strength, STRUCTURE.index(f.detector)), default=None)


def verdict(found: Sequence[Finding], settings: Any) -> tuple[float, dict[str, Any], list[str]]:
    """The score of one group's findings, the evidence numbers and the reasons it adds.

    Returns a score of 0 when chance explains the group (see the module)."""
    shape = _strongest_shape(found)
    structure = shape.strength if shape else 0.0
    acting = [f for f in found if f.detector in BEHAVIOUR]
    behaviour = max((f.strength for f in acting), default=0.0)
    log_alpha = math.log10(settings.alpha)
    tests = [shape.log10_p if shape and shape.log10_p is not None else 0.0]
    tests += [f.log10_p for f in acting if f.log10_p is not None]
    log_p = log10_fisher(tests)
    score = effect(structure, behaviour)
    numbers: dict[str, Any] = {"structure": round(structure, 4),
                               "behaviour": round(behaviour, 4),
                               "log10_pvalue": round(max(log_p, -1e6), 2),
                               "pvalue": float(f"{10.0 ** log_p:.3g}")}
    reasons: list[str] = []
    if log_p > log_alpha:
        return 0.0, numbers, reasons
    high_alpha = min(settings.high_alpha, settings.alpha)
    if log_p > math.log10(high_alpha):
        score = min(score, settings.high - 1e-4)
        reasons.append(
            f"the evidence (p = {_p(log_p)}) is short of what a high verdict needs "
            f"(p <= {high_alpha:.2g}, five sigma), so the group is not rated high")
    else:
        reasons.append(f"chance does not explain it: p = {_p(log_p)}, corrected for every "
                       "group of its size the search could have found")
    return score, numbers, reasons


def _p(log_p: float) -> str:
    """A p-value for a sentence, from its log10 (``1e-9000`` does not fit a float)."""
    if log_p > -300:
        return f"{10.0 ** log_p:.2g}"
    return f"1e{math.floor(log_p)}"


def score_groups(context: Context, findings: Sequence[Finding]) -> list[Group]:
    """Turn findings into scored groups, strongest first; groups below ``low`` are dropped."""
    names = context.data.accounts
    groups = []
    for found in cluster(findings):
        shape = _strongest_shape(found)
        kind = shape.kind if shape else found[0].kind
        raw, numbers, said = verdict(found, context.settings)
        score = round(raw, 4)
        severity = context.settings.severity(score)
        if severity is None:
            continue
        head = found[0]
        evidence: dict[str, Any] = dict(numbers)
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
                reasons=tuple([r for f in _strongest_first(found) for r in f.reasons_for(kind)]
                              + said),
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
    account with those already taken (or claimed) is accepted. One that does is not; what
    is left of it (at least ``min_size`` accounts and half its members) is claimed and
    comes back as a residual candidate, to be examined again on its own: a campaign that
    gave a few accounts to a stronger core keeps the rest from its own weaker pieces
    (:func:`fill` gives those pieces their turn if the residual fails). ``taken`` is
    updated in place.
    """
    accepted: list[Group] = []
    residual: list[frozenset[int]] = []
    claimed: set[int] = set()
    for group in sorted(groups, key=_claim_order):
        members = set(group.members)
        if not members & taken and not members & claimed:
            accepted.append(group)
            taken |= members
            continue
        rest = members - taken - claimed
        if len(rest) >= min_size and 2 * len(rest) >= len(members):
            residual.append(frozenset(rest))
            claimed |= rest
    return accepted, residual


def _claim_order(group: Group) -> tuple[int, int, float, str]:
    """The order in which groups claim accounts: severity band, then size, then score."""
    return -SEVERITIES.index(group.severity), -len(group.members), -group.score, group.id


def fill(groups: Sequence[Group], taken: set[int]) -> list[Group]:
    """The groups, in :func:`select`'s order, that share no account with ``taken`` (nor
    with one accepted here): the pieces a failed residual had claimed. Updates ``taken``."""
    accepted = []
    for group in sorted(groups, key=_claim_order):
        members = set(group.members)
        if not members & taken:
            accepted.append(group)
            taken |= members
    return accepted


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
            part = _participation(numbers) if group.kind == "pod" else 1.0
            accounts.append(
                AccountScore(
                    account=member, group=group.id, score=round(group.score * part, 4),
                    severity=group.severity, evidence=numbers,
                    reasons=tuple(_account_reasons(group, numbers)),
                )
            )
    return sorted(accounts, key=lambda a: (-a.score, a.group, a.account))


def _participation(numbers: dict[str, Any]) -> float:
    """How fully a pod member takes part: the mean of the share of the other members it
    reciprocates with and the share of their posts it engaged (1 without either). Both
    measure a pod's rounds; a one-way (``lockstep``) or ``coordinated`` group has none (its
    members engage others' posts, not each other's), so its members take part in full
    (:func:`score_accounts`): measured by rounds, a like-farm's members all scored 0."""
    shares = []
    if numbers.get("of"):
        shares.append(numbers["reciprocated_with"] / numbers["of"])
    if numbers.get("member_posts_by_others"):
        shares.append(min(1.0, numbers["engaged_member_posts"] / numbers["member_posts_by_others"]))
    return float(np.mean(shares)) if shares else 1.0


def _account_reasons(group: Group, numbers: dict[str, Any]) -> list[str]:
    reasons = [f"member of {KIND_NAMES[group.kind]} {group.id} ({group.severity}, "
               f"score {group.score:.2f})"]
    if group.kind != "pod":  # one-way: its members engage others' posts, not each other's
        if "coengaged_with" in numbers:
            others = len(group.members) - 1
            within = group.evidence.get("scale_s")
            reasons.append(
                f"engaged the same posts as {numbers['coengaged_with']} of the {others} other "
                "members" + (f", within {duration(within)} of them" if within else "")
                + ", repeatedly")
        if "median_latency_s" in numbers:
            what = ("the posts its group engaged together" if group.kind == "coordinated"
                    else "the posts of the accounts its group boosts")
            reasons.append(f"median {duration(numbers['median_latency_s'])} {_since(group)} "
                           f"on {what}")
        return reasons
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
            f"median {duration(numbers['median_latency_s'])} {_since(group)} on members' posts"
        )
    return reasons


def _since(group: Group) -> str:
    """What a latency is measured from: the post's time, or (none in the export) the post's
    first engagement in it."""
    if group.evidence.get("latency_from") == "first_engagement":
        return "after the post's first engagement in the export"
    return "after the post"


def inflating_groups(groups: Sequence[Group], inflating: str) -> list[Group]:
    """The groups whose engagement counts as inauthentic: those of at least ``inflating``
    severity, in their order."""
    floor = SEVERITIES.index(inflating)
    return [g for g in groups if SEVERITIES.index(g.severity) >= floor]


def supplier(groups: Sequence[Group], n_accounts: int, actor: np.ndarray,
             author: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of ``groups`` supplied each engagement of ``actor`` on a post of ``author``
    (account codes, the author known): a ``pod`` member engaging a post of its own pod, or
    any member of a ``lockstep`` or ``coordinated`` group (a pod member's like of an
    outsider may be genuine; a like-farm account's every like is bought, and a coordinated
    group is counted alike, whoever's posts it engaged).

    Returns
    -------
    tuple of numpy.ndarray
        Per engagement, the index in ``groups`` of the group that supplied it (-1:
        authentic), and whether that group is one-way (``lockstep`` or ``coordinated``).
    """
    index = membership([frozenset(g.members) for g in groups], n_accounts)
    kinds = np.array([g.kind != "pod" for g in groups] + [False])
    by = index[actor]
    kept = (by >= 0) & (kinds[by] | (index[author] == by))
    by = np.where(kept, by, -1)
    return by, kinds[by] & kept


def score_posts(data: Interactions, totals: pd.DataFrame, groups: Sequence[Group],
                inflating: str) -> list[PostScore]:
    """Per post with a known author: engagements, and how many came from pods and how many
    from one-way groups (like-farms), by :func:`supplier` over the groups of at least
    ``inflating`` severity. ``totals`` gives each post's ``author`` and ``engagements`` by
    post code (:attr:`pod_detect.reduce.Reduced.posts`, or a report's own posts).
    """
    flagged = inflating_groups(groups, inflating)
    members = np.flatnonzero(membership([frozenset(g.members) for g in flagged],
                                        len(data.accounts))[:-1] >= 0)
    rows = rows_of(data.frame, "actor", members, ["actor", "author", "post"])
    rows = rows[(rows["post"] >= 0) & (rows["author"] >= 0)]
    by, from_one_way = supplier(flagged, len(data.accounts), rows["actor"].to_numpy(),
                                rows["author"].to_numpy())
    from_pod = (by >= 0) & ~from_one_way
    by_post = pd.DataFrame({"from_pods": from_pod, "from_one_way": from_one_way},
                           index=rows.index).groupby(rows["post"].to_numpy()).sum()
    by_post = by_post[(by_post["from_pods"] + by_post["from_one_way"]) > 0]
    table = totals.reindex(by_post.index)
    posts = [
        PostScore(post=p, author=a, engagements=e, from_pods=f, from_one_way=o)
        for p, a, e, f, o in zip(
            by_post.index.tolist(), table["author"].tolist(), table["engagements"].tolist(),
            by_post["from_pods"].tolist(), by_post["from_one_way"].tolist(), strict=True,
        )
    ]
    names = data.posts
    return sorted(posts, key=lambda p: (-p.inauthentic, -p.engagements, str(names[p.post])))
