"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run; ``tool.driver`` names pod-detect and declares one rule per group kind (``pod``,
``lockstep``, ``coordinated``). One result per group: ``ruleId`` = kind, ``level`` from
severity (high -> ``error``, medium -> ``warning``, low -> ``note``), a message with the size,
score and top reasons, ``partialFingerprints["podMembers/v1"]`` = SHA-256 of the sorted member
ids joined by newlines (the same members keep the same alert across re-exports), and
``properties`` with the group's id, score, severity, members and evidence. A ``lockstep`` or
``coordinated`` group's message names the accounts it boosts (the first three, with the
engagements each got from it) and its ``properties`` list them (``boosts``, the first ten,
and ``boostsTotal``).

The location is the export file that holds the group's first interaction, as named on the
command line (``stdin`` for standard input, see :func:`artifact_location`; with several
inputs, the one that row came from): a relative URI for a relative path (scan a path relative
to the repository root so code scanning can link it), a ``file://`` URI for an absolute one.
``region.startLine`` is the line of the group's first interaction in that file (the line of a
CSV/TSV or JSON Lines file, the record number of a JSON array or Parquet file), and the message
and ``properties.firstInteraction`` give its time (and, with several inputs, the file).

Groups a baseline accepted are results too, after the reported ones, each with a
``suppressions`` entry (``kind: external``, ``status: accepted``, the baseline entry's reason
as ``justification``): a viewer shows them as suppressed rather than open, and a reader of
the log sees what the baseline hides. ``invocations[0]`` says the scan ran
(``executionSuccessful``), carries the report's notes as ``toolExecutionNotifications``
(an expired baseline entry, :attr:`Report.expired`, as a ``warning``, every other note as
a ``note``) and, in its
``properties``, what was read and the settings. Nothing in the log depends on the clock or
the machine: the same report gives the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from pod_detect import __version__
from pod_detect.formats._common import (
    TOP_AUTHORS,
    boosts_list,
    describe,
    display_name,
    expired_sentence,
    first_line,
    first_source,
    first_time_text,
    member_names,
    members_fingerprint,
)
from pod_detect.formats.base import RenderOptions
from pod_detect.model import ExpiredEntry, Group, Report, Suppressed
from pod_detect.report import (
    author_figures,
    boosts_entry,
    group_boosts,
    input_summary,
    plain,
)
from pod_detect.text import json_text, plural

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

#: What ``invocations[0].toolExecutionNotifications`` report, declared in
#: ``tool.driver.notifications`` and referred to by each notification's ``descriptor``.
NOTIFICATIONS: tuple[dict[str, Any], ...] = (
    {
        "id": "baseline-entry-expired", "name": "ExpiredBaselineEntry",
        "shortDescription": {
            "text": "A baseline entry is past its expiry date and no longer suppresses"},
        "fullDescription": {"text": (
            "An entry of the baseline file expired (its 'expires' date is before today, UTC), "
            "so the group it accepted is reported again if it is still found. Renew the "
            "entry's date if the group is still accepted, or remove the entry.")},
        "defaultConfiguration": {"level": "warning"},
    },
    {
        "id": "scan-note", "name": "ScanNote",
        "shortDescription": {"text": "A note from reading or scanning the export"},
        "fullDescription": {"text": (
            "What pod-detect noted while reading and scanning the export: columns it "
            "inferred, rows it dropped, tests it could not run, budgets it hit.")},
        "defaultConfiguration": {"level": "note"},
    },
)
NOTIFICATION_INDEX = {n["id"]: index for index, n in enumerate(NOTIFICATIONS)}

#: The ``description`` of the location of an export read from standard input.
STDIN_DESCRIPTION = ("standard input: the export was piped in, not read from a file, so there "
                     "is no file to link; the line is the line of the piped stream")


def expired_entries(report: Report) -> list[tuple[str, str, str]]:
    """The baseline entries that expired (:attr:`Report.expired`), as ``(entry id, expiry
    date, note)``, in the baseline file's order."""
    return [(e.id, e.expires.isoformat(), e.note) for e in report.expired]


def artifact_uri(name: str) -> str:
    """A file name as a URI: ``file://`` for absolute paths (upload-sarif makes those relative
    to the checkout), else a relative reference; forward slashes, unsafe bytes %-encoded."""
    for flavour in (PurePosixPath, PureWindowsPath):
        path = flavour(name)
        if path.is_absolute():
            return path.as_uri()
    return quote(name.replace("\\", "/"), safe="/")


def artifact_location(report: Report, source: str | None = None) -> dict[str, Any]:
    """Where an input came from, as a SARIF ``artifactLocation``: ``source``, one of
    :attr:`Interactions.inputs` (default: the export's :attr:`Interactions.source`).

    A file is its name as a URI (:func:`artifact_uri`). Standard input has no file, and
    GitHub code scanning rejects the whole upload when a result has no physical location
    with a ``uri`` ("locationFromSarifResult: expected at least one location" / "expected
    artifact location"), so leaving the location out is not an option. It keeps the
    relative ``uri`` ``stdin`` (GitHub shows the path and links nothing, and the alerts of
    earlier uploads keep their location) with a ``description`` that says it was standard
    input: a file really named ``stdin`` has no description and so can be told apart. No
    ``uriBaseId``: one that ``originalUriBaseIds`` does not define is a base GitHub cannot
    resolve, and it would say no more than the description.
    """
    source = report.interactions.source if source is None else source
    location: dict[str, Any] = {"uri": artifact_uri(display_name(source))}
    if source == "<stdin>":
        location["description"] = {"text": STDIN_DESCRIPTION}
    elif source.startswith("<") and source.endswith(">"):  # a table given in memory
        location["description"] = {
            "text": f"not a file: the export was given to pod-detect as {source}"}
    return location


def suppression(accepted: Suppressed) -> dict[str, Any]:
    """The SARIF ``suppression`` of a group a baseline entry accepted."""
    return {
        "kind": "external",
        "status": "accepted",
        "justification": accepted.reason or (
            f"accepted by baseline entry {accepted.entry}, which gives no reason"),
        "properties": {"baselineEntry": accepted.entry,
                       "jaccard": round(accepted.jaccard, 4)},
    }


def result(report: Report, group: Group, accepted: Suppressed | None = None,
           clients: list[tuple[str, int]] | None = None) -> dict[str, Any]:
    """The SARIF result object for one group; ``accepted``: the baseline's suppression of
    it, if any; ``clients``: the accounts it boosts, for a one-way group (the message names
    the first three, ``properties.boosts`` the first ten and ``properties.boostsTotal``
    counts them)."""
    names = member_names(report, group)
    first = first_time_text(report, group)
    text = describe(report, group)
    line = first_line(report, group)
    source = first_source(report, group)
    place = (f"line {line} of {display_name(source)}" if len(report.interactions.inputs) > 1
             else f"line {line}")
    if clients:
        text += (f" Boosts {plural(len(clients), 'account')} (engagements from its members): "
                 f"{boosts_list(clients)}.")
    if first:
        text += f" First interaction at {first} ({place})."
    if accepted is not None:
        text += f" Accepted by baseline entry {accepted.entry}"
        text += f": {accepted.reason}" if accepted.reason else "."
    out: dict[str, Any] = {
        "ruleId": group.kind,
        "ruleIndex": RULE_INDEX[group.kind],
        "level": LEVEL[group.severity],
        "message": {"text": text},
        "locations": [{"physicalLocation": {
            "artifactLocation": artifact_location(report, source),
            "region": {"startLine": line},
        }}],
        "partialFingerprints": {FINGERPRINT: members_fingerprint(names)},
        "properties": {
            "groupId": group.id, "score": group.score, "severity": group.severity,
            "size": len(names), "members": names, "detectors": list(group.detectors),
            "firstInteraction": first, "evidence": group.evidence,
        },
    }
    if group.kind != "pod":
        boosts = boosts_entry(clients or [])
        out["properties"]["boosts"] = boosts["boosts"]
        out["properties"]["boostsTotal"] = boosts["boosts_total"]
    if accepted is not None:
        out["suppressions"] = [suppression(accepted)]
    return out


def notification(note: str) -> dict[str, Any]:
    """One of the report's notes as a ``toolExecutionNotification`` (a ``note``)."""
    return {"level": "note", "message": {"text": note},
            "descriptor": {"id": "scan-note", "index": NOTIFICATION_INDEX["scan-note"]}}


def expired_notification(entry: ExpiredEntry) -> dict[str, Any]:
    """An expired baseline entry as a ``toolExecutionNotification`` (a ``warning``)."""
    kind = "baseline-entry-expired"
    return {
        "level": "warning",
        "message": {"text": expired_sentence(entry)},
        "properties": {"baselineEntry": entry.id, "expires": entry.expires.isoformat()},
        "descriptor": {"id": kind, "index": NOTIFICATION_INDEX[kind]},
    }


def notifications(report: Report) -> list[dict[str, Any]]:
    """The report's notes in order, each expired baseline entry's note as that entry's
    warning (:attr:`Report.expired`); an expired entry without its note (a report put
    together by hand) is a warning after them."""
    entries = {e.note: e for e in report.expired}
    out, said = [], set()
    for note in report.notes:
        entry = entries.get(note)
        out.append(notification(note) if entry is None else expired_notification(entry))
        said.add(note)
    return out + [expired_notification(e) for e in report.expired if e.note not in said]


def invocation(report: Report) -> dict[str, Any]:
    """The run's one ``invocation``: what is known without the clock or the machine (no
    times, no working directory, no command line: the same report gives the same bytes)."""
    info = input_summary(report)
    out: dict[str, Any] = {"executionSuccessful": True}
    if report.notes or report.expired:
        out["toolExecutionNotifications"] = notifications(report)
    out["properties"] = {
        "input": {
            "rows": info["rows"], "rowsUsed": info["rows_used"], "dropped": info["dropped"],
            "accounts": info["accounts"], "accountsEngaging": info["accounts_engaging"],
            "accountsPosting": info["accounts_posting"], "posts": info["posts"],
            "columns": info["columns"],
            "start": info["start"], "end": info["end"], "signals": info["signals"],
            "signalsUnavailable": info["signals_unavailable"],
        },
        "groups": len(report.groups),
        "suppressed": len(report.suppressed),
        "expiredBaselineEntries": len(report.expired),
        "settings": report.settings,
    }
    return out


def results(report: Report) -> list[dict[str, Any]]:
    """The reported groups, then the suppressed ones (each with its suppression)."""
    boosts = group_boosts(report)
    out = [result(report, g, clients=boosts.get(g.id)) for g in report.groups]
    if report.suppressed:
        # first interactions (and boosts) are computed per report over its groups (which
        # must not overlap): the suppressed groups get a report of their own, so the
        # reported groups' locations are what they are without a baseline
        hidden = replace(report, groups=tuple(s.group for s in report.suppressed))
        boosts = group_boosts(hidden)
        out += [result(hidden, s.group, s, boosts.get(s.group.id)) for s in report.suppressed]
    return out


def authors_property(report: Report) -> dict[str, Any]:
    """The run's per-author figures: how many authors flagged groups reached, and the most
    inflated ones (the fields of the JSON report's ``authors[]``)."""
    rows = author_figures(report)
    return {"inflatedAuthors": len(rows), "mostInflatedAuthors": rows[:TOP_AUTHORS]}


def document(report: Report) -> dict[str, Any]:
    """The whole SARIF log as plain data."""
    driver = {"name": "pod-detect", "version": __version__, "semanticVersion": __version__,
              "rules": list(RULES), "notifications": list(NOTIFICATIONS)}
    return plain({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "invocations": [invocation(report)],
            "results": results(report),
            "columnKind": "unicodeCodePoints",
            "properties": authors_property(report),
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
