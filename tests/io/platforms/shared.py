"""What the platform adapters' tests share: the rows of a load as plain tuples, odd records
that must give False, rows or a BadRecord and nothing else, and what an end-to-end test asks
of a scan (the planted accounts exactly one reported group's members, at medium or high, and
no background account in any reported group)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from types import ModuleType
from typing import Any

from pod_detect.io.platforms import sample
from pod_detect.io.platforms.base import BadRecord
from pod_detect.model import Group, Interactions, Report


def rows_of(data: Interactions) -> set[tuple]:
    """(actor, post, kind, timestamp, author, post_time, text) of every row."""
    frame = data.frame
    out = set()
    for actor, author, post, kind, when, posted, words in zip(
            frame.actor, frame.author, frame.post, frame.kind, frame.timestamp,
            frame.post_time, frame.text, strict=True):
        out.add((str(data.accounts[actor]), str(data.posts[post]), str(kind),
                 None if math.isnan(when) else when,
                 str(data.accounts[author]) if author >= 0 else None,
                 None if math.isnan(posted) else posted,
                 words if isinstance(words, str) else None))
    return out


def odd_records_are_handled(adapter: ModuleType, odd: Iterable[Any]) -> None:
    """Recognition and rows over odd records: False, rows or a one-line BadRecord."""
    for record in odd:
        for container in ("csv", "json", "jsonl"):
            adapter.recognise(sample(container, [record]))
        try:
            list(adapter.rows(record))
        except BadRecord as exc:
            assert exc.message and "\n" not in exc.message


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
