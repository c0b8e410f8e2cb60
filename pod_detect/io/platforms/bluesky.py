"""Bluesky records: Jetstream events and repository records (AT Protocol).

Schemas: the AT Protocol lexicons ``app.bsky.feed.like``, ``app.bsky.feed.repost`` and
``app.bsky.feed.post`` (with ``com.atproto.repo.strongRef``, ``app.bsky.embed.record`` and
``app.bsky.embed.recordWithMedia``), as they arrive in two containers:

- Jetstream events (the Jetstream README, bluesky-social/jetstream), one JSON object a line:
  ``{"did", "time_us", "kind": "commit", "commit": {"rev", "operation", "collection",
  "rkey", "record", "cid"}}``;
- repository records, as ``com.atproto.repo.listRecords`` returns them (a page
  ``{"records": [{"uri", "cid", "value"}], "cursor"}``, or several pages in a JSON array or
  one a line) or as repo/CAR export tools write them, one ``{"uri", "cid", "value"}`` record
  a line.

What each record becomes. The actor is the account whose repository holds the record: the
event's ``did`` (Jetstream) or the DID in the record's own ``uri`` (repository records). The
engaged post is the AT URI the record names (``at://did:plc:xyz/app.bsky.feed.post/3k...``),
kept as written, and its author is the DID in that URI (a URI that names a handle instead of
a DID keeps the handle: nothing here resolves handles).

- ``app.bsky.feed.like``: ``like`` of ``subject.uri``;
- ``app.bsky.feed.repost``: ``repost`` of ``subject.uri``;
- ``app.bsky.feed.post`` with ``reply``: ``reply`` to ``reply.parent.uri`` (the post it
  answers, not the thread's root), with the post's ``text``;
- ``app.bsky.feed.post`` whose ``embed`` is ``app.bsky.embed.record`` (``embed.record.uri``)
  or ``app.bsky.embed.recordWithMedia`` (``embed.record.record.uri``) naming a post: ``quote``
  of that post, with the post's ``text`` (a post that both replies and quotes gives both);
- every ``app.bsky.feed.post`` is also a post record (kind ``post``): its author is the
  poster's DID and its post time the post's ``createdAt``, so the engagements of that post
  get its post time. Its id is its own AT URI, ``at://{did}/app.bsky.feed.post/{rkey}``.

Time: the record's ``createdAt``, for every row. It is when the engagement was made, it is
what repository records (which have no ``time_us``) give, and an ``update`` of a record keeps
it, so the same like read from Jetstream and from a repository is one row, not two. Jetstream's
``time_us`` (epoch microseconds) is when Jetstream saw the commit: during a backfill, a cursor
replay or a PDS catching up it can be hours or days after the engagement, which would make a
pod's minutes-apart rounds look like a burst. It is used only when ``createdAt`` is missing,
written as ISO 8601 text (to the microsecond) so that the column stays one the time reader
takes whole.
``createdAt`` is set by the client and can be forged (docs/inputs.md says so); ``time_us``
cannot be, but cannot be had from repository records either.

Left out, and counted as records with no engagement: ``identity`` and ``account`` events,
``delete`` operations (the record is gone, and a delete does not say what it was), other
collections (follows, blocks, lists, profiles...), posts that neither reply nor quote (they
still give their post record), and quotes of records that are not posts (an embedded feed
generator, list or starter pack is shared, not quoted). Likes and reposts count whatever
their subject is (a liked feed generator is its creator's).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from pod_detect.io.platforms.base import (
    POST,
    BadRecord,
    Platform,
    Record,
    Row,
    Sample,
    get,
    text,
)

FEED_POST = "app.bsky.feed.post"
#: Collections whose records name the post they engage as ``subject``, and their kinds.
SUBJECTS = {"app.bsky.feed.like": "like", "app.bsky.feed.repost": "repost"}
#: Jetstream event kinds (only ``commit`` carries records).
EVENT_KINDS = frozenset({"commit", "identity", "account"})
#: Commit operations that carry a record.
WRITES = frozenset({"create", "update"})
EMBED_RECORD = "app.bsky.embed.record"
EMBED_WITH_MEDIA = "app.bsky.embed.recordWithMedia"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _is_event(record: Record) -> bool:
    did, time_us = record.get("did"), record.get("time_us")
    return (isinstance(did, str) and did.startswith("did:")
            and isinstance(time_us, int) and not isinstance(time_us, bool)
            and _word(record.get("kind")) in EVENT_KINDS)


def _is_repo_record(record: Any) -> bool:
    uri = record.get("uri") if isinstance(record, dict) else None
    return isinstance(uri, str) and uri.startswith("at://") and isinstance(record.get("value"),
                                                                             dict)


def _is_page(record: Record) -> bool:
    items = record.get("records")
    return isinstance(items, list) and bool(items) and all(_is_repo_record(r) for r in items[:20])


def recognise(sample: Sample) -> bool:
    return sample.share(lambda r: _is_event(r) or _is_repo_record(r) or _is_page(r)) >= 0.8


def _at_uri(value: Any, path: str) -> tuple[str, str, str]:
    """An AT URI's authority (a DID or a handle), collection and record key."""
    uri = text(value, path)
    if uri is None:
        raise BadRecord(f"has no {path}", path)
    if not uri.startswith("at://"):
        raise BadRecord(f"has a {path} that is not an AT URI (at://...): {uri[:80]!r}", path)
    authority, _, rest = uri[len("at://"):].partition("/")
    if not authority:
        raise BadRecord(f"has a {path} without an account: {uri[:80]!r}", path)
    collection, _, rkey = rest.partition("/")
    return authority, collection, rkey


def _when(value: Any, path: str) -> str:
    """A ``createdAt`` as written (the lexicon's datetime is text); anything else is bad."""
    if not isinstance(value, str):
        raise BadRecord(f"holds {_what(value)} at {path}, not a datetime string", path)
    return value


def _microseconds(value: Any, path: str) -> str:
    """Epoch microseconds (Jetstream's ``time_us``) as ISO 8601 text, exactly: a column
    that mixes epoch numbers and ISO text (``createdAt``) is not one the time reader takes."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRecord(f"holds {_what(value)} at {path}, not epoch microseconds", path)
    try:
        moment = _EPOCH + timedelta(microseconds=value)
    except OverflowError:
        raise BadRecord(f"has a {path} out of range: {value}", path) from None
    return moment.isoformat().replace("+00:00", "Z")


def _word(value: Any) -> str:
    """A name (an operation, a collection) as text; anything else matches no name."""
    return value if isinstance(value, str) else ""


def _what(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    return "a number" if isinstance(value, (int, float)) else "a string"


def _record_rows(actor: str, collection: str, uri: str | None, body: Any, where: str,
                 fallback: Any = None, fallback_path: str | None = None) -> Iterator[Row]:
    """The rows of one ``app.bsky.feed.*`` record ``body`` by ``actor``, found at ``where``
    (a dotted path, for messages); ``uri`` is its own AT URI (posts need it)."""
    if not isinstance(body, dict):
        raise BadRecord(f"holds {_what(body)} at {where}, not a record"
                        if body is not None else f"has no {where}", where)
    created = body.get("createdAt")
    if created is not None and created != "":
        when = _when(created, f"{where}.createdAt")
    elif fallback is not None:
        when = _microseconds(fallback, fallback_path or "time_us")
    else:
        raise BadRecord(f"has no {where}.createdAt", f"{where}.createdAt")
    kind = SUBJECTS.get(collection)
    if kind is not None:
        path = f"{where}.subject.uri"
        author, _, _ = _at_uri(get(body, "subject.uri"), path)
        yield Row(actor, text(get(body, "subject.uri"), path), kind, when, author=author)
        return
    if collection != FEED_POST:
        return
    words = text(body.get("text"), f"{where}.text")
    parent = get(body, "reply.parent.uri")
    if parent is not None or body.get("reply") is not None:
        path = f"{where}.reply.parent.uri"
        author, _, _ = _at_uri(parent, path)
        yield Row(actor, text(parent, path), "reply", when, author=author, text=words)
    quoted, path = _quoted(body, where)
    if quoted is not None:
        author, target, _ = _at_uri(quoted, path)
        if target == FEED_POST:
            yield Row(actor, text(quoted, path), "quote", when, author=author, text=words)
    if uri is not None:
        yield Row(actor, uri, POST, when, author=actor)


def _quoted(body: Record, where: str) -> tuple[Any, str]:
    """The AT URI a post embeds (a quote), and its path; (None, "") for none."""
    embed = body.get("embed")
    if not isinstance(embed, dict):
        return None, ""
    kind = embed.get("$type")
    if kind == EMBED_RECORD:
        return get(embed, "record.uri"), f"{where}.embed.record.uri"
    if kind == EMBED_WITH_MEDIA:
        return get(embed, "record.record.uri"), f"{where}.embed.record.record.uri"
    return None, ""


def _event_rows(record: Record) -> Iterator[Row]:
    if record.get("kind") != "commit":
        return
    commit = record.get("commit")
    if not isinstance(commit, dict):
        raise BadRecord("has no commit object" if commit is None
                        else f"holds {_what(commit)} at commit, not an object", "commit")
    if _word(commit.get("operation")) not in WRITES:
        return
    collection = _word(commit.get("collection"))
    if collection not in SUBJECTS and collection != FEED_POST:
        return
    actor = text(record.get("did"), "did")
    if actor is None:
        raise BadRecord("has no did", "did")
    uri = None
    if collection == FEED_POST:
        rkey = text(commit.get("rkey"), "commit.rkey")
        if rkey is None:
            raise BadRecord("has no commit.rkey", "commit.rkey")
        uri = f"at://{actor}/{FEED_POST}/{rkey}"
    yield from _record_rows(actor, collection, uri, commit.get("record"), "commit.record",
                            record.get("time_us"), "time_us")


def _repo_rows(record: Any, where: str) -> Iterator[Row]:
    """The rows of one ``{"uri", "cid", "value"}`` record found at ``where`` ("" at the
    top)."""
    at = f"{where}." if where else ""
    if not isinstance(record, dict):
        raise BadRecord(f"holds {_what(record)} at {where}, not a record", where)
    uri = text(record.get("uri"), f"{at}uri")
    actor, collection, _ = _at_uri(uri, f"{at}uri")
    if collection not in SUBJECTS and collection != FEED_POST:
        return
    yield from _record_rows(actor, collection, uri, record.get("value"), f"{at}value")


def rows(record: Record) -> Iterator[Row]:
    if "records" in record and "uri" not in record:  # a listRecords page
        items = record.get("records")
        if not isinstance(items, list):
            raise BadRecord(f"holds {_what(items)} at records, not a list", "records")
        for number, item in enumerate(items):
            yield from _repo_rows(item, f"records.{number}")
    elif "uri" in record and "value" in record:
        yield from _repo_rows(record, "")
    elif "did" in record or "commit" in record:
        yield from _event_rows(record)


PLATFORM = Platform(
    name="bluesky",
    title="Bluesky records",
    schema="AT Protocol lexicons app.bsky.feed.like, app.bsky.feed.repost, app.bsky.feed.post "
           "(com.atproto.repo.strongRef, app.bsky.embed.record, app.bsky.embed.recordWithMedia), "
           "as Jetstream events (bluesky-social/jetstream README) or "
           "com.atproto.repo.listRecords output",
    provides=frozenset({"actor", "post_id", "kind", "timestamp", "author", "post_time", "text"}),
    recognise=recognise,
    rows=rows,
)
