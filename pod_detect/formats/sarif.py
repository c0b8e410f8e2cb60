"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run; ``tool.driver`` names pod-detect and declares one rule per group kind (``pod``,
``lockstep``, ``coordinated``). One result per group: ``ruleId`` = kind, ``level`` from
severity (high -> ``error``, medium -> ``warning``, low -> ``note``), a message with the size,
score and top reasons, ``partialFingerprints["podMembers/v1"]`` = SHA-256 of the sorted member
ids joined by newlines (the same members keep the same alert across re-exports), and
``properties`` with the group's id, score, severity, members and evidence.

The location is the export file as named on the command line (``stdin`` for standard input):
a relative URI for a relative path (scan a path relative to the repository root so code
scanning can link it), a ``file://`` URI for an absolute one.
``region.startLine`` is the input line of the group's first interaction (the line of a
CSV/TSV or JSON Lines file, the record number of a JSON array or Parquet file), and the message
and ``properties.firstInteraction`` give its time.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from pod_detect import __version__
from pod_detect.formats._common import (
    describe,
    first_line,
    first_time_text,
    member_names,
    members_fingerprint,
    source_name,
)
from pod_detect.formats.base import RenderOptions
from pod_detect.model import Group, Report
from pod_detect.report import plain
from pod_detect.text import json_text

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"high": "error", "medium": "warning", "low": "note"}
FINGERPRINT = "podMembers/v1"

RULES: tuple[dict[str, Any], ...] = (
    {
        "id": "pod", "name": "EngagementPod",
        "shortDescription": {"text": "Engagement pod: accounts that engage each other in rounds"},
        "fullDescription": {"text": (
            "A group of accounts that repeatedly like and comment on each other's posts, "
            "reciprocally, early and far beyond what their popularity predicts, so that the "
            "platform's ranking shows the posts to more people.")},
        "help": {"text": (
            "Review the members and the evidence. Engagement from pod members is not organic "
            "reach: discount it in reported figures. If the group is a known, accepted "
            "community, add it to the baseline file with a reason.")},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": ["engagement-pod", "inauthentic-engagement"]},
    },
    {
        "id": "lockstep", "name": "LockstepEngagement",
        "shortDescription": {
            "text": "Lockstep group: accounts that engage the same posts together"},
        "fullDescription": {"text": (
            "A group of accounts that engage the same posts within a short window, again and "
            "again, one way: the signature of like-farms and coordinated amplification.")},
        "help": {"text": (
            "Review the members and the posts they engage. Engagement from a lockstep group is "
            "likely bought or coordinated: discount it in reported figures, or add the group to "
            "the baseline file with a reason if it is accepted.")},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": ["like-farm", "coordinated-engagement"]},
    },
    {
        "id": "coordinated", "name": "CoordinatedEngagement",
        "shortDescription": {
            "text": "Coordinated group: accounts that engage the same posts together"},
        "fullDescription": {"text": (
            "A group of accounts that engage the same posts within a short window, again and "
            "again, beyond what their activity predicts. The posts' authors are not in the "
            "export, so whether the members engage each other's posts (a pod) or someone "
            "else's (a like-farm) cannot be told.")},
        "help": {"text": (
            "Review the members and the posts they engage together; an export that gives the "
            "posts' authors tells a pod from a like-farm. Discount their engagement in "
            "reported figures, or add the group to the baseline file with a reason if it is "
            "accepted.")},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": ["coordinated-engagement", "inauthentic-engagement"]},
    },
)
RULE_INDEX = {rule["id"]: index for index, rule in enumerate(RULES)}


def artifact_uri(name: str) -> str:
    """A file name as a URI: ``file://`` for absolute paths (upload-sarif makes those relative
    to the checkout), else a relative reference; forward slashes, unsafe bytes %-encoded."""
    for flavour in (PurePosixPath, PureWindowsPath):
        path = flavour(name)
        if path.is_absolute():
            return path.as_uri()
    return quote(name.replace("\\", "/"), safe="/")


def result(report: Report, group: Group) -> dict[str, Any]:
    """The SARIF result object for one group."""
    names = member_names(report, group)
    first = first_time_text(report, group)
    text = describe(report, group)
    line = first_line(report, group)
    if first:
        text += f" First interaction at {first} (line {line})."
    return {
        "ruleId": group.kind,
        "ruleIndex": RULE_INDEX[group.kind],
        "level": LEVEL[group.severity],
        "message": {"text": text},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(source_name(report))},
            "region": {"startLine": line},
        }}],
        "partialFingerprints": {FINGERPRINT: members_fingerprint(names)},
        "properties": {
            "groupId": group.id, "score": group.score, "severity": group.severity,
            "size": len(names), "members": names, "detectors": list(group.detectors),
            "firstInteraction": first, "evidence": group.evidence,
        },
    }


def document(report: Report) -> dict[str, Any]:
    """The whole SARIF log as plain data."""
    driver = {"name": "pod-detect", "version": __version__, "semanticVersion": __version__,
              "rules": list(RULES)}
    return plain({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "results": [result(report, g) for g in report.groups],
            "columnKind": "unicodeCodePoints",
        }],
    })


def render(report: Report, options: RenderOptions) -> str:
    """Render the report as a SARIF 2.1.0 log.

    Parameters
    ----------
    report
        The scan's report.
    options
        Unused; accepted for the common renderer signature.

    Returns
    -------
    str
        Indented JSON (UTF-8, not ASCII-escaped), ending in a newline.
    """
    return json_text(json.dumps(document(report), indent=2, ensure_ascii=False,
                                allow_nan=False)) + "\n"
