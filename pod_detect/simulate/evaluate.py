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

Inputs
------
:func:`check_documents` checks both documents before anything is scored: the report must
be a pod-detect JSON report (``schema_version`` 1 and a ``pods`` list whose groups have an
``id``, a ``kind``, a ``severity`` and ``members``; the other keys of docs/report-schema.md
have their types when present), the truth a truth file as ``pod-detect simulate --truth``
writes it (a ``groups`` list whose groups have an ``id``, a ``kind``, a ``label`` of
``pod``, ``lockstep`` or ``negative`` and ``members``). The other files pod-detect writes
(SARIF, NDJSON, a baseline, ``evaluate -f json``, ...), the two documents swapped, and a
report written with ``--redact`` (pseudonymous ids, none in common with the truth's real
ids) are each an :class:`~pod_detect.errors.InputError` naming the file. :func:`evaluate`
itself checks the groups it reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
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
#: Truth labels: the positives, and authentic groups that must not be flagged.
TRUTH_LABELS = (*POSITIVE_LABELS, "negative")
#: The report schema version this module reads.
REPORT_SCHEMA_VERSION = 1
#: An account pseudonym of ``--redact`` (:func:`pod_detect.report.redact.pseudonym`).
PSEUDONYM = re.compile(r"acct-[0-9a-f]{10}")


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
        When a reported group or a truth group lacks a key or has one of the wrong type (an
        unknown severity too), or the report is redacted and the truth is not. The
        documents as a whole are checked by :func:`check_documents`.
    """
    _check_object(report, "report", "a pod-detect JSON report")
    _check_object(truth, "truth", "a truth file")
    _check_pods(report.get("pods") or [], "report")
    _check_groups(truth.get("groups", []), "truth")
    _check_comparable(report, truth, "report", "truth")
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


# --------------------------------------------------------------------------- the inputs

#: What a report is and where one comes from, and the same for a truth file.
JSON_REPORT, REPORT_FROM = "a pod-detect JSON report", "write one with 'pod-detect scan -f json'"
TRUTH_FILE, TRUTH_FROM = "a truth file", "write one with 'pod-detect simulate --truth FILE'"

#: The documents pod-detect writes, each recognised by keys that only it has at its top
#: level, first match first (an evaluation has ``groups`` too, so it comes before a truth).
KNOWN_DOCUMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (JSON_REPORT, ("schema_version", "pods")),
    ("one record of an NDJSON report (scan -f ndjson)", ("type", "schema_version")),
    ("a SARIF log (scan -f sarif)", ("runs", "version")),
    ("the output of 'pod-detect evaluate -f json'", ("precision", "recall")),
    ("a baseline file (scan --update-baseline)", ("entries", "version")),
    ("the output of 'pod-detect config -f json'", ("config_file", "settings")),
    ("the output of 'pod-detect explain -f json'", ("account", "engagements_given")),
    (TRUTH_FILE, ("groups",)),
)

#: Keys of a report besides ``schema_version`` and ``pods``, with their JSON type.
REPORT_KEYS: dict[str, type] = {
    "tool": dict, "input": dict, "settings": dict, "summary": dict, "notes": list,
    "accounts": list, "posts": list, "suppressed": list,
}
#: Keys of a reported group: the ones :func:`evaluate` reads, and the others.
POD_NEEDS: dict[str, type] = {"id": str, "kind": str, "severity": str, "members": list}
POD_KEYS: dict[str, type] = {
    "score": float, "size": int, "detectors": list, "evidence": dict, "reasons": list,
}
#: Keys of a truth file besides ``groups``, and of a truth group.
TRUTH_KEYS: dict[str, type] = {
    "seed": int, "config": dict, "accounts": int, "rows": int, "start": str, "end": str,
}
GROUP_NEEDS: dict[str, type] = {"id": str, "kind": str, "label": str, "members": list}
GROUP_KEYS: dict[str, type] = {"clients": list, "celebrity": str, "post_id": str}


def document_kind(document: Any) -> str | None:
    """What kind of pod-detect document ``document`` looks like (a description of
    :data:`KNOWN_DOCUMENTS`, such as :data:`JSON_REPORT` or :data:`TRUTH_FILE`), or ``None``."""
    if not isinstance(document, dict):
        return None
    for kind, keys in KNOWN_DOCUMENTS:
        if all(key in document for key in keys):
            return kind
    return None


def check_documents(
    report: Any, truth: Any, *, report_source: str = "report", truth_source: str = "truth"
) -> None:
    """Check that ``report`` is a pod-detect JSON report, ``truth`` a simulation's truth, and
    that the two can be compared (see the module notes).

    Parameters
    ----------
    report, truth
        The parsed documents.
    report_source, truth_source
        Their file names as the user gave them, for the messages.

    Raises
    ------
    InputError
        Naming the file at fault: a document of another kind (the two swapped, one given
        twice, a SARIF log, ...), not an object, a key missing or of the wrong type, or a
        redacted report with a truth of real ids.
    """
    if document_kind(report) == TRUTH_FILE and document_kind(truth) == JSON_REPORT:
        raise InputError(
            f"the report and the truth are swapped: {report_source} is a truth file and "
            f"{truth_source} is a report; give the report first and the truth to --truth"
        )
    check_report(report, report_source)
    check_truth(truth, truth_source)
    _check_comparable(report, truth, report_source, truth_source)


def check_report(document: Any, source: str = "report") -> None:
    """Raise :class:`InputError` (naming ``source``) unless ``document`` is a pod-detect
    JSON report of schema version :data:`REPORT_SCHEMA_VERSION` (docs/report-schema.md)."""
    kind = document_kind(document)
    if kind == TRUTH_FILE:
        raise InputError(
            "this is a truth file (from 'pod-detect simulate --truth'), not a report: give it "
            "to --truth, and as REPORT the JSON report of 'pod-detect scan -f json'",
            source=source)
    if kind not in (None, JSON_REPORT):
        raise InputError(f"this is {kind}, not {JSON_REPORT} ({REPORT_FROM})", source=source)
    _check_object(document, source, JSON_REPORT, REPORT_FROM)
    for key in ("schema_version", "pods"):
        if key not in document:
            raise InputError(f"not {JSON_REPORT}: no {key!r} key ({REPORT_FROM})",
                             source=source)
    version = document["schema_version"]
    _check_type(version, int, "'schema_version'", source)
    if version != REPORT_SCHEMA_VERSION:
        raise InputError(f"report schema_version {version} is not supported: this pod-detect "
                         f"reads version {REPORT_SCHEMA_VERSION}", source=source)
    _check_type(document["pods"], list, "'pods'", source)
    _check_keys(document, REPORT_KEYS, "", source)
    _check_pods(document["pods"], source)


def check_truth(document: Any, source: str = "truth") -> None:
    """Raise :class:`InputError` (naming ``source``) unless ``document`` is a truth file as
    ``pod-detect simulate --truth`` writes it."""
    kind = document_kind(document)
    if kind == JSON_REPORT:
        raise InputError(
            "this is a pod-detect report, not a truth file: give it as REPORT, and to --truth "
            "the truth file of 'pod-detect simulate --truth'", source=source)
    if kind not in (None, TRUTH_FILE):
        raise InputError(f"this is {kind}, not {TRUTH_FILE} ({TRUTH_FROM})", source=source)
    _check_object(document, source, TRUTH_FILE, TRUTH_FROM)
    if "groups" not in document:
        raise InputError(f"not {TRUTH_FILE}: no 'groups' key ({TRUTH_FROM})", source=source)
    _check_type(document["groups"], list, "'groups'", source)
    _check_keys(document, TRUTH_KEYS, "", source)
    _check_groups(document["groups"], source)


def _check_object(document: Any, source: str, what: str, origin: str = "") -> None:
    if not isinstance(document, dict):
        hint = f" ({origin})" if origin else ""
        raise InputError(f"not {what}: the document is {_json_type(document)}, not an "
                         f"object{hint}", source=source)


def _check_pods(pods: Any, source: str) -> None:
    """Each reported group an object with the keys :func:`evaluate` reads, ids once."""
    _check_items(pods, "pods", POD_NEEDS, POD_KEYS, ("severity", SEVERITIES),
                 ("members", "detectors", "reasons"), source)


def _check_groups(groups: Any, source: str) -> None:
    """Each truth group an object with the keys :func:`evaluate` reads, ids once."""
    _check_items(groups, "groups", GROUP_NEEDS, GROUP_KEYS, ("label", TRUTH_LABELS),
                 ("members", "clients"), source)


def _check_items(items: Any, name: str, needs: dict[str, type], keys: dict[str, type],
                 choice: tuple[str, Sequence[str]], strings: tuple[str, ...],
                 source: str) -> None:
    """A list of objects with the ``needs`` keys (and ``keys`` of their types when there),
    the ``choice`` key one of its values, the ``strings`` keys lists of strings (when there)
    and each ``id`` once."""
    _check_type(items, list, f"'{name}'", source)
    seen: dict[str, int] = {}
    key, allowed = choice
    for number, item in enumerate(items):
        where = f"{name}[{number}]"
        _check_type(item, dict, where, source)
        _check_needed(item, needs, where, source)
        _check_keys(item, keys, where, source)
        if item[key] not in allowed:
            raise InputError(f"{where}.{key} must be {_one_of(allowed)}, not {item[key]!r}",
                             source=source)
        for field in strings:
            if field in item:
                _check_strings(item[field], f"{where}.{field}", source)
        if item["id"] in seen:
            raise InputError(f"{where}.id {item['id']!r} repeats {name}[{seen[item['id']]}]",
                             source=source)
        seen[item["id"]] = number


def _check_comparable(
    report: dict[str, Any], truth: dict[str, Any], report_source: str, truth_source: str
) -> None:
    """A report written with ``--redact`` cannot be scored against real ids: every one of
    its members is a pseudonym, the truth's are not, and no id is in common."""
    reported = {m for pod in report.get("pods") or [] for m in pod["members"]}
    planted = {m for group in truth.get("groups", []) for m in group["members"]}
    if not reported or reported & planted:
        return
    if all(PSEUDONYM.fullmatch(m) for m in reported) and not all(
            PSEUDONYM.fullmatch(m) for m in planted):
        raise InputError(
            f"the report is redacted (--redact): no account id in common with the truth "
            f"{truth_source}; evaluate the unredacted report", source=report_source)


def _check_needed(item: dict[str, Any], needs: dict[str, type], where: str,
                  source: str) -> None:
    for key in needs:
        if key not in item:
            raise InputError(f"{where} has no {key!r} key", source=source)
    _check_keys(item, needs, where, source)


def _check_keys(item: dict[str, Any], types: dict[str, type], where: str, source: str) -> None:
    """Each key of ``types`` that ``item`` has is of its type."""
    for key, kind in types.items():
        if key in item:
            _check_type(item[key], kind, f"{where}.{key}" if where else repr(key), source)


def _check_type(value: Any, kind: type, name: str, source: str) -> None:
    if kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, kind) and not (isinstance(value, bool) and kind is int)
    if not ok:
        raise InputError(f"{name} must be {_TYPE_NAMES[kind]}, not {_json_type(value)}",
                         source=source)


def _check_strings(values: list[Any], name: str, source: str) -> None:
    _check_type(values, list, name, source)
    for number, value in enumerate(values):
        _check_type(value, str, f"{name}[{number}]", source)


_TYPE_NAMES: dict[type, str] = {
    dict: "an object", list: "a list", str: "a string", int: "an integer", float: "a number",
}


def _json_type(value: Any) -> str:
    """``"a list"``, ``"a string"``, ...: what a parsed JSON value is, in plain words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _one_of(names: Iterable[str]) -> str:
    """``"low, medium or high"``."""
    *head, last = names
    return f"{', '.join(head)} or {last}" if head else last
