"""GitHub events: GH Archive's hourly JSON Lines files and the BigQuery ``githubarchive``
tables exported as JSON or CSV.

Schema: GitHub's "GitHub event types" (REST API documentation: ``id``, ``type``, ``actor``,
``repo``, ``payload``, ``public``, ``created_at``), which GH Archive records as they come and
BigQuery keeps with ``payload`` as a JSON string and times as ``2024-05-31 16:42:56 UTC``.

What each event becomes (other event types are left out, and counted):

- ``WatchEvent`` (a star): ``star`` by ``actor.login`` on the repository ``repo.name``
  (``owner/name``), whose author is its owner;
- ``ForkEvent``: ``fork``, the same way;
- ``IssueCommentEvent``: ``comment`` by ``actor.login`` on the issue or pull request
  ``owner/name#number``, whose author is ``payload.issue.user.login``, with the comment's
  text; the issue's ``created_at`` is its post time. An issue by a deleted account (GitHub
  shows its author as the placeholder ``ghost``) has no known author. A table without a
  ``payload`` column (a BigQuery CSV of ``type, actor_login, repo_name, created_at``) does not
  say which issue a comment is on: its comments are left out, and counted.

A CSV from BigQuery names nested fields ``repo.name`` or ``repo_name`` (either works).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pod_detect.io.platforms.base import BadRecord, Platform, Record, Row, Sample, get, need, text

#: Event types that are engagements, and the kind each becomes.
KINDS = {"WatchEvent": "star", "ForkEvent": "fork", "IssueCommentEvent": "comment"}
#: The login GitHub gives the content of deleted accounts: not one account.
GHOST = "ghost"


def _field(record: Record, path: str) -> Any:
    """``repo.name`` nested (GH Archive, BigQuery JSON) or flattened by a CSV export."""
    return get(record, path) or get(record, path.replace(".", "_"))


def recognise(sample: Sample) -> bool:
    def event(record: Record) -> bool:
        kind = record.get("type")
        return (isinstance(kind, str) and kind.endswith("Event")
                and _field(record, "repo.name") is not None
                and _field(record, "actor.login") is not None)

    return sample.share(event) >= 0.8


def _payload(record: Record) -> Any:
    payload = get(record, "payload", {})
    if isinstance(payload, str):  # BigQuery keeps it as JSON text
        try:
            payload = json.loads(payload)
        except (ValueError, RecursionError):
            raise BadRecord("has a payload that is not JSON", "payload") from None
    return payload if isinstance(payload, dict) else {}


def rows(record: Record) -> Iterator[Row]:
    event = record.get("type")
    kind = KINDS.get(event) if isinstance(event, str) else None
    if kind is None:
        return
    actor = text(_field(record, "actor.login"), "actor.login")
    repo = text(_field(record, "repo.name"), "repo.name")
    if actor is None:
        raise BadRecord("has no actor.login", "actor.login")
    if repo is None:
        raise BadRecord("has no repo.name", "repo.name")
    when = need(record, "created_at")
    if kind != "comment":
        yield Row(actor, repo, kind, when, author=repo.split("/", 1)[0])
        return
    if "payload" not in record:
        return  # a table of a few columns: which issue is not in it
    payload = _payload(record)
    number = text(get(payload, "issue.number"), "payload.issue.number")
    if number is None:
        raise BadRecord("has no payload.issue.number", "payload.issue.number")
    author = text(get(payload, "issue.user.login"), "payload.issue.user.login")
    yield Row(actor, f"{repo}#{number}", kind, when,
              author=None if author == GHOST else author,
              post_time=get(payload, "issue.created_at"),
              text=text(get(payload, "comment.body"), "payload.comment.body"))


PLATFORM = Platform(
    name="github",
    title="GitHub events",
    schema="GitHub REST API documentation, \"GitHub event types\" (as GH Archive and "
           "BigQuery's githubarchive tables record them)",
    provides=frozenset({"actor", "post_id", "kind", "timestamp", "author", "post_time", "text"}),
    recognise=recognise,
    rows=rows,
    containers=frozenset({"json", "jsonl", "csv", "tsv", "parquet"}),
)
