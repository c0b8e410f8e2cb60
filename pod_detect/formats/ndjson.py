"""``--format ndjson``: one JSON object per line, for ``jq``, log shippers and ``grep``.

First one line per group (``"type": "pod"``), strongest first, with every field the group has
in the JSON report (``id``, ``kind``, ``severity``, ``score``, ``members``, ``size``,
``detectors``, ``evidence``, ``reasons``); then one line per flagged account
(``"type": "account"``) with the fields of the JSON report's ``accounts[]`` entries; then one
line per author whose posts flagged groups engaged (``"type": "author"``, the fields of
``authors[]``: engagements received, from pods, from one-way groups, authentic); then one
line per expired baseline entry (``"type": "expired_entry"``, the fields of
``expired_baseline_entries[]``). A group line of kind ``lockstep`` or ``coordinated`` has the
accounts it boosts (``boosts``, ``boosts_total``) as in the JSON report. Every line also
carries ``schema_version`` and ``tool``, so a line read alone says what wrote it. ``type`` is
the record type; ``kind`` (``pod``, ``lockstep`` or ``coordinated``) is the kind of group (or
of the group an expired entry accepted). A report with no groups and no expired entries gives
no lines at all, so ``wc -l`` counts records.
"""

from __future__ import annotations

import json
from typing import Any

from pod_detect.formats.base import RenderOptions
from pod_detect.model import Report
from pod_detect.report import to_dict
from pod_detect.text import json_text


def records(report: Report) -> list[dict[str, Any]]:
    """The lines as dictionaries: groups first, then accounts, then authors, then expired
    baseline entries.

    Parameters
    ----------
    report
        The scan's report.

    Returns
    -------
    list of dict
        One dictionary per line, keys in a fixed order.
    """
    document = to_dict(report)
    head = {"schema_version": document["schema_version"], "tool": document["tool"]}
    pods = [{"type": "pod", **head, **pod} for pod in document["pods"]]
    accounts = [{"type": "account", **head, **account} for account in document["accounts"]]
    authors = [{"type": "author", **head, **author} for author in document["authors"]]
    expired = [{"type": "expired_entry", **head, **entry}
               for entry in document["expired_baseline_entries"]]
    return pods + accounts + authors + expired


def render(report: Report, options: RenderOptions) -> str:
    """Render the report as newline-delimited JSON (UTF-8, one object per line).

    Parameters
    ----------
    report
        The scan's report.
    options
        Unused; accepted for the common renderer signature.

    Returns
    -------
    str
        Lines of compact JSON, each ending in ``\\n``; empty without groups and expired
        baseline entries.
    """
    return "".join(
        json_text(json.dumps(record, ensure_ascii=False, allow_nan=False,
                             separators=(",", ":"))) + "\n"
        for record in records(report)
    )
