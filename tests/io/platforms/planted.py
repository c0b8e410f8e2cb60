"""What the end-to-end tests of the platform adapters ask of a scan: the planted accounts are
exactly one reported group's members, at medium or high, and no background account is in any
reported group."""

from __future__ import annotations

from collections.abc import Iterable

from pod_detect.model import Group, Report


def found_alone(report: Report, planted: Iterable[str], background: Iterable[str]) -> Group:
    """The group of ``planted`` (exactly them, medium or high); no ``background`` account in
    any group."""
    planted, background = set(planted), set(background)
    named = [(g, {report.account_name(m) for m in g.members}) for g in report.groups]
    (group,) = [g for g, members in named if members & planted]
    assert {report.account_name(m) for m in group.members} == planted
    assert group.severity in ("medium", "high")
    flagged = {name for _, members in named for name in members}
    assert not flagged & background
    return group
