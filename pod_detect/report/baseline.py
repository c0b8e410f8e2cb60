"""Baselines: known, accepted groups that a scan suppresses instead of reporting.

A baseline file is JSON::

    {"version": 1, "entries": [{"id": "pod-49aef8889b", "kind": "pod",
      "members": ["anna", "ben", "..."], "reason": "...", "approved_by": "...",
      "expires": "2027-01-31"}]}

A reported group matches an entry of the same ``kind`` whose member set overlaps its own
with a Jaccard index at or above a tolerance (membership drifts between exports). The kind is
part of what was accepted: an entry of kind ``lockstep`` does not match a ``coordinated``
group (the same accounts, from an export that does not say whose posts they engaged), nor
the other way round; accept it again under its kind (``--update-baseline`` does). Expired
entries stop suppressing, and the report says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from pod_detect.errors import ConfigError
from pod_detect.model import KINDS, ExpiredEntry, Group, Report, Suppressed
from pod_detect.simulate.evaluate import jaccard

BASELINE_VERSION = 1
TODO_REASON = "TODO: why is this group accepted?"
_KINDS = KINDS


@dataclass(frozen=True)
class Entry:
    """One accepted group of a baseline file."""

    id: str
    kind: str
    members: frozenset[str]
    reason: str
    approved_by: str | None
    expires: date | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "members": sorted(self.members),
                "reason": self.reason, "approved_by": self.approved_by,
                "expires": self.expires.isoformat() if self.expires else None}

    def expired(self, today: date) -> ExpiredEntry | None:
        """The entry as an :class:`~pod_detect.model.ExpiredEntry` when it expired before
        ``today``, else ``None``."""
        if self.expires is None or self.expires >= today:
            return None
        return ExpiredEntry(self.id, self.kind, tuple(sorted(self.members)), self.expires,
                            self.reason, self.approved_by)


def today_utc() -> date:
    """Today's date in UTC (what ``expires`` is compared with)."""
    return datetime.now(UTC).date()


def _entry(raw: Any, where: str) -> Entry:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: not an object")
    unknown = sorted(set(raw) - {"id", "kind", "members", "reason", "approved_by", "expires"})
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}")
    if not isinstance(raw.get("id"), str) or not raw["id"]:
        raise ConfigError(f"{where}: 'id' must be a non-empty string")
    if raw.get("kind") not in _KINDS:
        raise ConfigError(f"{where}: 'kind' must be one of {', '.join(_KINDS)}")
    members = raw.get("members")
    if not isinstance(members, list) or not members or not all(
        isinstance(m, str) for m in members
    ):
        raise ConfigError(f"{where}: 'members' must be a non-empty list of account ids")
    for key in ("reason", "approved_by"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise ConfigError(f"{where}: {key!r} must be a string or null")
    expires = raw.get("expires")
    try:
        day = date.fromisoformat(expires) if expires is not None else None
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: 'expires' must be YYYY-MM-DD or null") from None
    return Entry(raw["id"], raw["kind"], frozenset(members), raw.get("reason") or "",
                 raw.get("approved_by"), day)


def parse_baseline(document: Any, source: str) -> list[Entry]:
    """Validate a baseline document; :class:`ConfigError` names ``source`` and the entry."""
    if not isinstance(document, dict) or document.get("version") != BASELINE_VERSION:
        raise ConfigError(f"{source}: not a version-{BASELINE_VERSION} pod-detect baseline")
    entries = document.get("entries")
    if not isinstance(entries, list):
        raise ConfigError(f"{source}: 'entries' must be a list")
    return [_entry(raw, f"{source}, entry {i}") for i, raw in enumerate(entries)]


def read_baseline(path: str) -> list[Entry]:
    """Read and validate the baseline file at ``path``."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}, line {error.lineno}: not valid JSON ({error.msg})") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (byte {error.start})") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deep to be a pod-detect baseline") from None
    except OSError as error:
        raise ConfigError(f"{path}: {error.strerror or error}") from None
    return parse_baseline(document, path)


def best_match(
    members: frozenset[str], kind: str, entries: list[Entry], tolerance: float
) -> tuple[Entry, float] | None:
    """The entry of ``kind`` overlapping ``members`` most, if at or above ``tolerance``."""
    scored = [(jaccard(members, e.members), e) for e in entries if e.kind == kind]
    scored = [(j, e) for j, e in scored if j >= tolerance]
    if not scored:
        return None
    j, entry = max(scored, key=lambda pair: (pair[0], pair[1].id))
    return entry, j


def _names(report: Report, group: Group) -> frozenset[str]:
    return frozenset(report.account_name(m) for m in group.members)


def apply_baseline(
    report: Report, entries: list[Entry], tolerance: float = 0.7, today: date | None = None
) -> Report:
    """The report without the groups the live ``entries`` accept.

    Suppressed groups leave ``groups``, ``accounts`` and ``posts`` (recounted from the
    remaining groups) and go to ``suppressed``; the entries that expired (before ``today``,
    UTC by default) go to ``expired``; notes say what was suppressed and which entries
    expired.
    """
    today = today or today_utc()
    expired = [x for x in (e.expired(today) for e in entries) if x is not None]
    live = [e for e in entries if e.expired(today) is None]
    notes = [x.note for x in expired]
    kept, suppressed = [], []
    for group in report.groups:
        match = best_match(_names(report, group), group.kind, live, tolerance)
        if match is None:
            kept.append(group)
        else:
            suppressed.append(Suppressed(group, match[0].id, match[1], match[0].reason))
    if suppressed:
        notes.append(f"{len(suppressed)} group(s) suppressed by the baseline: "
                     + ", ".join(s.group.id for s in suppressed))
    gone = {s.group.id for s in suppressed}
    return replace(
        report, groups=tuple(kept),
        accounts=tuple(a for a in report.accounts if a.group not in gone),
        posts=_recount_posts(report, kept) if gone else report.posts,
        notes=report.notes + tuple(notes), suppressed=report.suppressed + tuple(suppressed),
        expired=report.expired + tuple(expired),
    )


def _recount_posts(report: Report, kept: list[Group]) -> tuple[Any, ...]:
    # suppressing groups only takes engagements away, so the report's posts hold the
    # totals of every post still inflated
    import pandas as pd

    from pod_detect.scoring import score_posts

    totals = pd.DataFrame(
        {"author": [p.author for p in report.posts],
         "engagements": [p.engagements for p in report.posts]},
        index=pd.Index([p.post for p in report.posts], dtype="int64"))
    return tuple(score_posts(report.interactions, totals, kept, report.settings["inflating"]))


def update_baseline(
    report: Report, previous: list[Entry], tolerance: float = 0.7
) -> dict[str, Any]:
    """A baseline accepting every group of ``report``, reported or suppressed.

    Entries of ``previous`` that still match a group keep their ``reason``,
    ``approved_by`` and ``expires``; new groups get a TODO reason; entries matching no
    group are dropped.
    """
    groups = list(report.groups) + [s.group for s in report.suppressed]
    entries = []
    for group in groups:
        members = _names(report, group)
        match = best_match(members, group.kind, previous, tolerance)
        old = match[0] if match else None
        entries.append(Entry(
            group.id, group.kind, members, old.reason if old else TODO_REASON,
            old.approved_by if old else None, old.expires if old else None,
        ))
    entries.sort(key=lambda e: e.id)
    return {"version": BASELINE_VERSION, "entries": [e.to_dict() for e in entries]}


def dump_baseline(document: dict[str, Any]) -> str:
    """Deterministic JSON text of a baseline document (sorted keys, indent 2)."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
