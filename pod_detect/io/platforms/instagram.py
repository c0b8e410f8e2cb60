"""Instagram Graph API media: responses of an account's media edge with its comments and
their replies expanded inline.

Schema: the Instagram Platform reference (Instagram Graph API), "IG Media" (fields ``id``,
``caption``, ``media_type``, ``media_product_type``, ``permalink``, ``timestamp``,
``username``, ``owner``, ``comments_count``, ``like_count``; edge ``comments``), "IG Comment"
(``id``, ``text``, ``timestamp``, ``username``, ``from``; edge ``replies``) and "IG User
Media" (``GET /{ig-user-id}/media``), with the Graph API's field expansion, which nests an
edge as ``{"data": [...], "paging": {...}}``. The request this reads::

    GET /{ig-user-id}/media?fields=id,caption,media_type,timestamp,username,permalink,
        comments_count,like_count,comments{id,text,timestamp,username,from,
        replies{id,text,timestamp,username,from}}

Records read: a response page ``{"data": [media], "paging": {...}}`` (a JSON document, a JSON
array of pages, or JSON Lines, one page a line), or media objects (one a line, or a JSON
array of them). Times are as the API writes them (``2024-01-05T10:00:00+0000``).

What each becomes:

- a comment on a media object: ``comment`` by the comment's ``username`` (else
  ``from.username``) on the media ``id``, whose author is the media's ``username``, at the
  comment's ``timestamp``, post time the media's ``timestamp``, with the comment's ``text``;
- a reply to a comment: ``reply`` by the reply's ``username`` on the comment ``id``, whose
  author is the comment's username, at the reply's ``timestamp``, post time the comment's
  ``timestamp``, with the reply's ``text``.

Accounts are usernames, the only account name the API gives commenters (``from.id`` is an
Instagram-scoped id, not the account's IG user id). A media object without ``username``
(the field not requested; ``owner`` holds an IG user id, which would be another name for the
same account) has no known author: its comments are read with the author unknown, so request
``username``. A comment or reply without a username (an account gone or restricted) is left
out rather than read as one shared account.

Left out: ``like_count`` and ``comments_count`` (counts: the API does not say who liked a
post), the caption (the post's own text, not an engagement), media without comments, and the
comments past the first page of a media's ``comments`` edge (``paging.next``; ask for more
per page with ``comments.limit(100)``). Fetched separately from ``/{ig-media-id}/comments``,
those pages do not name their media and are not read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pod_detect.io.platforms.base import (
    BadRecord,
    Platform,
    Record,
    Row,
    Sample,
    an_object,
    get,
    items,
    moment,
    text,
)

#: ``media_type`` values of IG Media.
MEDIA_TYPES = frozenset({"IMAGE", "VIDEO", "CAROUSEL_ALBUM"})
#: ``media_product_type`` values of IG Media.
PRODUCT_TYPES = frozenset({"AD", "FEED", "STORY", "REELS"})

#: Fields IG Media never has: a tweet's, or a Facebook post's.
_NOT_MEDIA = ("author_id", "text", "message", "created_time", "edit_history_tweet_ids")


# -- recognising ---------------------------------------------------------------------------


def _is_comment(record: Any) -> bool:
    return (isinstance(record, Mapping) and "message" not in record
            and "created_time" not in record
            and any(name in record for name in ("timestamp", "username", "text")))


def _is_edge(value: Any) -> bool:
    """A nested edge of IG Comments: ``{"data": [comments...], "paging": ...}``."""
    data = get(value, "data")
    return (isinstance(value, Mapping) and isinstance(data, list) and bool(data)
            and all(_is_comment(item) for item in data[:5]))


def _is_media(record: Any) -> bool:
    if not isinstance(record, Mapping) or record.get("id") is None:
        return False
    if any(name in record for name in _NOT_MEDIA):
        return False
    permalink = record.get("permalink")
    return (record.get("media_type") in MEDIA_TYPES
            or record.get("media_product_type") in PRODUCT_TYPES
            or (isinstance(permalink, str) and "instagram.com/" in permalink)
            or _is_edge(record.get("comments")))


def _is_page(record: Any) -> bool:
    data = get(record, "data")
    return (isinstance(record, Mapping) and isinstance(data, list) and bool(data)
            and all(_is_media(item) for item in data[:5]))


def recognise(sample: Sample) -> bool:
    return sample.share(lambda r: _is_page(r) or _is_media(r)) >= 0.8


# -- reading ---------------------------------------------------------------------------------


def _id(record: Mapping[str, Any], path: str) -> str:
    value = text(get(record, "id"), path + "id")
    if value is None:
        raise BadRecord(f"has no {path}id", path + "id")
    return value


def _username(comment: Mapping[str, Any], where: str) -> str | None:
    """The commenter: ``username``, else ``from.username``; None if neither names one."""
    name = text(get(comment, "username"), where + "username")
    if name is None:
        sender = get(comment, "from")
        if sender is not None and not isinstance(sender, Mapping):
            raise BadRecord(f"holds no object at {where}from", where + "from")
        name = text(get(sender, "username"), where + "from.username")
    return name


def _media(media: Any, path: str) -> Iterator[Row]:
    where = path + "." if path else ""
    media = an_object(media, path or "the record")
    media_id = _id(media, where)
    owner = text(get(media, "username"), where + "username")
    posted = moment(get(media, "timestamp"), where + "timestamp")
    for j, comment in enumerate(items(get(media, "comments"), where + "comments", edge=True)):
        at = f"{where}comments.data.{j}."
        comment = an_object(comment, at[:-1])
        who = _username(comment, at)
        when = moment(get(comment, "timestamp"), at + "timestamp")
        if who is not None:
            yield Row(who, media_id, "comment", when, author=owner, post_time=posted,
                      text=text(get(comment, "text"), at + "text"))
        replies = items(get(comment, "replies"), at + "replies", edge=True)
        if not replies:
            continue
        comment_id = _id(comment, at)
        for k, reply in enumerate(replies):
            on = f"{at}replies.data.{k}."
            reply = an_object(reply, on[:-1])
            replier = _username(reply, on)
            if replier is not None:
                yield Row(replier, comment_id, "reply", moment(get(reply, "timestamp"),
                                                              on + "timestamp"),
                          author=who, post_time=when, text=text(get(reply, "text"), on + "text"))


def rows(record: Record) -> Iterator[Row]:
    if "data" in record and "id" not in record:  # a page of media
        data = record["data"]
        if data is None:
            return
        if not isinstance(data, list):
            raise BadRecord("holds no list at data", "data")
        for i, media in enumerate(data):
            yield from _media(media, f"data.{i}")
    else:
        yield from _media(record, "")


PLATFORM = Platform(
    name="instagram",
    title="Instagram Graph API media",
    schema="Instagram Platform reference (Instagram Graph API): IG Media, IG Comment, IG User "
           "Media (GET /{ig-user-id}/media with comments{...,replies{...}} expanded)",
    provides=frozenset({"actor", "post_id", "kind", "timestamp", "author", "post_time", "text"}),
    recognise=recognise,
    rows=rows,
)
