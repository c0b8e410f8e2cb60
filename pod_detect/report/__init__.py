"""The report as plain data: the version-1 JSON schema (``docs/report-schema.md``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from pod_detect import __version__
from pod_detect.model import SEVERITIES, ExpiredEntry, Report

SCHEMA_VERSION = 1

#: Accounts a one-way group boosts that ``pods[].boosts`` lists (``boosts_total`` counts all).
BOOSTS_LISTED = 10


def iso(seconds: float | None) -> str | None:
    """Seconds since the epoch as ISO 8601 UTC with a ``Z``; ``None`` for NaN or ``None``."""
    if seconds is None or seconds != seconds:
        return None
    return datetime.fromtimestamp(float(seconds), tz=UTC).isoformat().replace("+00:00", "Z")


def plain(value: Any) -> Any:
    """Numpy scalars and containers of them -> JSON-ready Python values."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, float) and value != value:
        return None
    return value


def input_summary(report: Report) -> dict[str, Any]:
    """What was read: rows, accounts (every account named; those that engaged at least once;
    those whose posts were engaged), posts, time span, and which signals ran."""
    data = report.interactions
    facts = data.facts
    return {
        "source": data.source,
        "rows": data.rows_read,
        "rows_used": facts.rows,
        "dropped": dict(sorted(data.dropped.items())),
        "accounts": len(data.accounts),
        "accounts_engaging": facts.engaging,
        "accounts_posting": facts.posting,
        "posts": len(data.posts),
        "columns": sorted(data.columns),
        "start": iso(facts.start) if data.has_timestamps else None,
        "end": iso(facts.end) if data.has_timestamps else None,
        "signals": [s for s, why in report.signals.items() if why is None],
        "signals_unavailable": {s: why for s, why in report.signals.items() if why is not None},
    }


def summary(report: Report) -> dict[str, Any]:
    """Counts an analyst or a CI job reads first."""
    flagged = {a.account for a in report.accounts}
    return {
        "groups": len(report.groups),
        "by_severity": {s: sum(g.severity == s for g in report.groups) for s in SEVERITIES},
        "flagged_accounts": len(flagged),
        "inflated_posts": len(report.posts),
        "pod_engagements": sum(p.from_pods for p in report.posts),
        "one_way_engagements": sum(p.from_one_way for p in report.posts),
        "suppressed": len(report.suppressed),
    }


def author_figures(report: Report) -> list[dict[str, Any]]:
    """Per author whose posts flagged groups engaged, most inauthentic engagement first: what
    it received, how much was authentic, and which groups supplied the rest
    (:func:`pod_detect.report.analysis.authors`)."""
    from pod_detect.report.analysis import authors

    return [
        {"author": report.account_name(int(code)), "engagements": int(row.engagements),
         "posts": int(row.posts), "from_pods": int(row.from_pods),
         "from_one_way": int(row.from_one_way), "authentic": int(row.authentic),
         "authentic_share": float(row.authentic_share),
         "groups": [{"id": gid, "engagements": n} for gid, n in row.groups.items()]}
        for code, row in authors(report).iterrows()
    ]


def group_boosts(report: Report) -> dict[str, list[tuple[str, int]]]:
    """Per ``lockstep`` or ``coordinated`` group of the report, the accounts it boosts (whose
    posts its members engaged) and how many engagements each got from it, most first, then
    by id: :func:`pod_detect.report.analysis.boosted`, for every such group whatever its
    severity (``boosted`` alone leaves out the groups below ``inflating``, whose engagement
    the per-post and per-author figures do not count; whom a group boosts is said of every
    group). A group whose members engaged no post with a known author has no entry; a pod
    (which boosts its own members) never has one. Names are the report's, so a redacted
    report gives pseudonyms."""
    from pod_detect.report.analysis import boosted

    if not any(g.kind != "pod" for g in report.groups):
        return {}
    every = replace(report, settings={**report.settings, "inflating": "low"})
    return boosted(every)


def boosts_entry(clients: list[tuple[str, int]], top: int = BOOSTS_LISTED) -> dict[str, Any]:
    """``boosts`` (the first ``top`` as ``{"account", "engagements"}``) and ``boosts_total``
    (how many accounts in all) of a ``pods[]`` entry."""
    return {"boosts": [{"account": who, "engagements": n} for who, n in clients[:top]],
            "boosts_total": len(clients)}


def expired_dict(entry: ExpiredEntry) -> dict[str, Any]:
    """An expired baseline entry as ``expired_baseline_entries[]`` writes it."""
    return {"id": entry.id, "kind": entry.kind, "expires": entry.expires.isoformat(),
            "reason": entry.reason, "approved_by": entry.approved_by,
            "members": list(entry.members), "size": len(entry.members)}


def to_dict(report: Report) -> dict[str, Any]:
    """The whole report as the version-1 JSON document."""
    name = report.account_name
    boosts = group_boosts(report)
    return plain({
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "pod-detect", "version": __version__},
        "input": input_summary(report),
        "settings": report.settings,
        "summary": summary(report),
        "notes": list(report.notes),
        "pods": [
            {
                "id": g.id, "kind": g.kind, "severity": g.severity, "score": g.score,
                "members": [name(m) for m in g.members], "size": len(g.members),
                "detectors": list(g.detectors), "evidence": g.evidence,
                "reasons": list(g.reasons),
                **(boosts_entry(boosts.get(g.id, [])) if g.kind != "pod" else {}),
            }
            for g in report.groups
        ],
        "accounts": [
            {
                "account": name(a.account), "pod": a.group, "score": a.score,
                "severity": a.severity, "evidence": a.evidence, "reasons": list(a.reasons),
            }
            for a in report.accounts
        ],
        "posts": [
            {
                "post_id": report.post_name(p.post), "author": name(p.author),
                "engagements": p.engagements, "from_pods": p.from_pods,
                "from_one_way": p.from_one_way, "authentic": p.authentic,
                "authentic_share": round(p.authentic / p.engagements, 4),
            }
            for p in report.posts
        ],
        "authors": author_figures(report),
        "suppressed": [
            {
                "id": s.group.id, "kind": s.group.kind, "severity": s.group.severity,
                "score": s.group.score, "members": [name(m) for m in s.group.members],
                "baseline_entry": s.entry, "jaccard": round(s.jaccard, 4), "reason": s.reason,
            }
            for s in report.suppressed
        ],
        "expired_baseline_entries": [expired_dict(e) for e in report.expired],
    })
