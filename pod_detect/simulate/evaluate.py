"""Score a report against a simulation's truth: who was found, missed or wrongly flagged.

Conventions
-----------
* Only reported groups at or above ``min_severity`` count ("counted" groups).
* Positives are the members of truth groups labelled ``pod`` or ``lockstep``; predictions
  are the members of counted groups. Accounts are compared as strings.
* Precision with no predictions is 1.0 when there are no positives (nothing to find,
  nothing wrongly flagged) and 0.0 otherwise; recall with no positives is 1.0; F1 is 0.0
  when precision and recall are both 0.
* A planted group's match is the counted group with the highest Jaccard overlap (ties:
  the smaller id); it is *found* when that overlap is at least :data:`FOUND_AT`.
* A counted group is *unmatched* when its Jaccard overlap with every planted group is
  below :data:`UNMATCHED_BELOW`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from pod_detect.errors import ConfigError, InputError
from pod_detect.model import SEVERITIES

#: Truth labels whose members should be flagged.
POSITIVE_LABELS = ("pod", "lockstep")
#: Jaccard overlap from which a planted group counts as found.
FOUND_AT = 0.5
#: Jaccard overlap below which (with every planted group) a reported group is unmatched.
UNMATCHED_BELOW = 0.1


@dataclass(frozen=True)
class GroupMatch:
    """How well one planted group was reported.

    Attributes
    ----------
    id, kind, label, size
        The truth group: id, planted kind, label and member count.
    match
        Id of the best-matching counted group, or ``None`` when none overlaps.
    jaccard
        Jaccard overlap with ``match`` (0.0 without one).
    reported_kind
        The matching group's ``kind`` (``None`` without one).
    kind_match
        Whether ``reported_kind`` equals the truth ``label``.
    flagged
        Members flagged by any counted group.
    found
        ``jaccard >= FOUND_AT``.
    """

    id: str
    kind: str
    label: str
    size: int
    match: str | None
    jaccard: float
    reported_kind: str | None
    kind_match: bool
    flagged: int
    found: bool


@dataclass(frozen=True)
class NegativeHit:
    """How much of one negative truth group was wrongly flagged.

    Attributes
    ----------
    id, kind, size
        The truth group.
    flagged
        Members flagged by any counted group.
    groups
        Ids of the counted groups sharing at least one member with it, sorted.
    """

    id: str
    kind: str
    size: int
    flagged: int
    groups: tuple[str, ...]


@dataclass(frozen=True)
class KindRecall:
    """Account-level recall over all planted groups of one kind."""

    kind: str
    groups: int
    found: int
    members: int
    flagged: int
    recall: float


@dataclass(frozen=True)
class Evaluation:
    """The comparison of a report with the truth (see the module notes for conventions).

    Attributes
    ----------
    min_severity
        Severity from which reported groups were counted.
    reported, counted
        Reported groups in all, and at or above ``min_severity``.
    positives, predicted, true_positives
        Account counts behind the precision and recall.
    precision, recall, f1
        Account-level scores.
    groups
        One :class:`GroupMatch` per planted group, in truth order.
    unmatched
        Ids of counted groups that match no planted group, sorted.
    negatives
        One :class:`NegativeHit` per negative truth group, in truth order.
    kinds
        One :class:`KindRecall` per planted kind, sorted by kind.
    """

    min_severity: str
    reported: int
    counted: int
    positives: int
    predicted: int
    true_positives: int
    precision: float
    recall: float
    f1: float
    groups: tuple[GroupMatch, ...]
    unmatched: tuple[str, ...]
    negatives: tuple[NegativeHit, ...]
    kinds: tuple[KindRecall, ...]

    @property
    def negatives_flagged(self) -> int:
        """Members of negative groups flagged, summed over the negative groups."""
        return sum(hit.flagged for hit in self.negatives)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with a fixed key order (``kinds`` keyed by kind)."""
        out = asdict(self)
        out["groups"] = [asdict(g) for g in self.groups]
        out["negatives"] = [{**asdict(n), "groups": list(n.groups)} for n in self.negatives]
        out["unmatched"] = list(self.unmatched)
        out["kinds"] = {k.kind: {**asdict(k)} for k in self.kinds}
        for entry in out["kinds"].values():
            del entry["kind"]
        out["groups_found"] = sum(g.found for g in self.groups)
        out["negatives_flagged"] = self.negatives_flagged
        return out


def evaluate(
    report: dict[str, Any], truth: dict[str, Any], *, min_severity: str = "medium"
) -> Evaluation:
    """Compare a JSON report (schema version 1) with a simulation's truth.

    Parameters
    ----------
    report
        The parsed JSON report; only ``report["pods"]`` is read.
    truth
        The parsed truth of :func:`pod_detect.simulate.simulate`; only ``truth["groups"]``
        is read.
    min_severity
        Count reported groups at or above this severity (``low``, ``medium``, ``high``).

    Returns
    -------
    Evaluation
        Precision, recall, per-group matches, unmatched groups and negatives flagged.

    Raises
    ------
    ConfigError
        When ``min_severity`` is not a severity.
    InputError
        When a reported group has an unknown severity.
    """
    counted = _counted(report.get("pods") or [], min_severity)
    reported_sets = {pod["id"]: frozenset(map(str, pod["members"])) for pod in counted}
    kinds = {pod["id"]: pod.get("kind") for pod in counted}
    planted = [g for g in truth.get("groups", []) if g["label"] in POSITIVE_LABELS]
    negatives = [g for g in truth.get("groups", []) if g["label"] == "negative"]
    predicted = _union(reported_sets.values())
    positives = _union(frozenset(map(str, g["members"])) for g in planted)
    matches = tuple(_match(g, reported_sets, kinds, predicted) for g in planted)
    tp = len(predicted & positives)
    precision, recall = _precision_recall(tp, len(predicted), len(positives))
    return Evaluation(
        min_severity=min_severity,
        reported=len(report.get("pods") or []),
        counted=len(counted),
        positives=len(positives),
        predicted=len(predicted),
        true_positives=tp,
        precision=precision,
        recall=recall,
        f1=2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        groups=matches,
        unmatched=_unmatched(reported_sets, planted),
        negatives=tuple(_negative(g, reported_sets, predicted) for g in negatives),
        kinds=_kinds(matches),
    )


def _counted(pods: list[dict[str, Any]], min_severity: str) -> list[dict[str, Any]]:
    if min_severity not in SEVERITIES:
        raise ConfigError(f"min_severity must be one of {', '.join(SEVERITIES)}")
    floor = SEVERITIES.index(min_severity)
    for pod in pods:
        if pod.get("severity") not in SEVERITIES:
            raise InputError(
                f"reported group {pod.get('id')!r} has an unknown severity {pod.get('severity')!r}"
            )
    return [pod for pod in pods if SEVERITIES.index(pod["severity"]) >= floor]


def _union(sets: Iterable[frozenset[str]]) -> frozenset[str]:
    return frozenset().union(*sets)


def _precision_recall(tp: int, predicted: int, positives: int) -> tuple[float, float]:
    empty = 1.0 if positives == 0 else 0.0
    precision = tp / predicted if predicted else empty
    recall = tp / positives if positives else 1.0
    return precision, recall


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """``|a & b| / |a | b|``, 0.0 for two empty sets."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def _best(members: frozenset[str], reported: dict[str, frozenset[str]]) -> tuple[str | None, float]:
    """The reported group with the highest overlap (ties: smaller id), and the overlap."""
    scored = sorted((-jaccard(members, found), rid) for rid, found in reported.items())
    if not scored or scored[0][0] == 0:
        return None, 0.0
    return scored[0][1], -scored[0][0]


def _match(
    group: dict[str, Any],
    reported: dict[str, frozenset[str]],
    kinds: dict[str, str | None],
    predicted: frozenset[str],
) -> GroupMatch:
    members = frozenset(map(str, group["members"]))
    best, overlap = _best(members, reported)
    reported_kind = kinds[best] if best is not None else None
    return GroupMatch(
        id=group["id"],
        kind=group["kind"],
        label=group["label"],
        size=len(members),
        match=best,
        jaccard=overlap,
        reported_kind=reported_kind,
        kind_match=reported_kind == group["label"],
        flagged=len(members & predicted),
        found=overlap >= FOUND_AT,
    )


def _unmatched(
    reported: dict[str, frozenset[str]], planted: list[dict[str, Any]]
) -> tuple[str, ...]:
    truths = [frozenset(map(str, g["members"])) for g in planted]
    return tuple(
        sorted(
            rid
            for rid, found in reported.items()
            if all(jaccard(found, t) < UNMATCHED_BELOW for t in truths)
        )
    )


def _negative(
    group: dict[str, Any], reported: dict[str, frozenset[str]], predicted: frozenset[str]
) -> NegativeHit:
    members = frozenset(map(str, group["members"]))
    return NegativeHit(
        id=group["id"],
        kind=group["kind"],
        size=len(members),
        flagged=len(members & predicted),
        groups=tuple(sorted(rid for rid, found in reported.items() if found & members)),
    )


def _kinds(matches: tuple[GroupMatch, ...]) -> tuple[KindRecall, ...]:
    out = []
    for kind in sorted({m.kind for m in matches}):
        mine = [m for m in matches if m.kind == kind]
        members = sum(m.size for m in mine)
        flagged = sum(m.flagged for m in mine)
        out.append(
            KindRecall(
                kind=kind,
                groups=len(mine),
                found=sum(m.found for m in mine),
                members=members,
                flagged=flagged,
                recall=flagged / members if members else 1.0,
            )
        )
    return tuple(out)
