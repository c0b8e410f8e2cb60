"""Reddit dumps: Pushshift and Arctic Shift monthly files of comments (``RC_YYYY-MM``) and
submissions (``RS_YYYY-MM``), JSON Lines, usually zstandard-compressed (``.zst``, read as is).

Schema: the Reddit API's comment (``t1``) and link (``t3``) objects as Pushshift archived
them, documented by the Pushshift dump files and the Reddit API reference ("reddit.com/dev/api",
``thing`` fullnames ``t1_``/``t3_``): comments carry ``id``, ``author``, ``body``,
``created_utc`` (epoch seconds, a number or, in some years, a string), ``parent_id`` (the
fullname of the comment or submission answered), ``link_id`` (its submission), ``subreddit``
and, in later dumps, ``name`` (``t1_<id>``); submissions carry ``id``, ``author``, ``title``,
``selftext``, ``created_utc``, ``subreddit`` and ``name`` (``t3_<id>``).

What each record becomes (actor and author are usernames; post ids are fullnames):

- a comment whose ``parent_id`` is a submission (``t3_...``): ``comment`` by ``author`` on
  that submission; one whose ``parent_id`` is a comment (``t1_...``): ``reply`` to that
  comment. ``body`` is the text and ``created_utc`` the time. A comment does not say who
  wrote what it answers, so:
- every comment is also a post record (kind ``post``) for ``t1_<id>``, by its author at its
  ``created_utc``, and every submission one for ``t3_<id>``: the reader gives each reply and
  comment the author and post time of its parent from these, across files too
  (``pod-detect scan RC_2024-05.zst RS_2024-05.zst``). A parent outside the files read keeps
  an unknown author.

Left out: comments and submissions by ``[deleted]`` or ``[removed]``, or with an empty or
missing author. They are not accounts: counted as records with no engagement rather than
joined into one giant account, and a deleted author's comment gives no post record, so the
author of the replies to it stays unknown. ``AutoModerator`` and other bots are accounts and
are kept: AutoModerator comments first on every submission of the subreddits it serves, so a
subreddit's AutoModerator is engaged by its repliers far more than any member (a report that
names it is about that, not a pod). Records that are neither a comment nor a submission give
nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pod_detect.io.platforms.base import POST, BadRecord, Platform, Record, Row, Sample, text

#: What Reddit writes in place of a deleted or removed account's name.
NOT_ACCOUNTS = frozenset({"[deleted]", "[removed]"})
#: A comment's parent fullname prefix, and the kind of the comment on it.
PARENT_KINDS = {"t3_": "comment", "t1_": "reply"}


def _is_comment(record: Record) -> bool:
    parent = record.get("parent_id")
    return ("created_utc" in record and "body" in record and isinstance(parent, str)
            and parent[:3] in PARENT_KINDS)


def _is_submission(record: Record) -> bool:
    return ("created_utc" in record and "title" in record and "subreddit" in record
            and "id" in record and "parent_id" not in record)


def recognise(sample: Sample) -> bool:
    return sample.share(lambda r: _is_comment(r) or _is_submission(r)) >= 0.8


def _author(record: Record) -> str | None:
    """The author's username; None for a deleted, removed or missing one."""
    name = text(record.get("author"), "author")
    if name is None or name.strip() in NOT_ACCOUNTS:
        return None
    return name


def _created(record: Record) -> Any:
    value = record.get("created_utc")
    if value is None or value == "":
        raise BadRecord("has no created_utc", "created_utc")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise BadRecord(f"holds {'a list' if isinstance(value, list) else 'an object'} at "
                        "created_utc, not a time", "created_utc")
    return value


def _fullname(record: Record, prefix: str) -> str:
    """``t1_<id>`` or ``t3_<id>`` from ``id``, else from ``name``."""
    ident = text(record.get("id"), "id")
    if ident is not None:
        return ident if ident.startswith(prefix) else f"{prefix}{ident}"
    name = text(record.get("name"), "name")
    if name is None:
        raise BadRecord("has no id", "id")
    if not name.startswith(prefix):
        raise BadRecord(f"has a name that is not a {prefix} fullname: {name[:40]!r}", "name")
    return name


def rows(record: Record) -> Iterator[Row]:
    if "parent_id" in record or "body" in record:
        yield from _comment(record)
    elif "title" in record:
        yield from _submission(record)


def _comment(record: Record) -> Iterator[Row]:
    parent = text(record.get("parent_id"), "parent_id")
    if parent is None:
        raise BadRecord("has no parent_id", "parent_id")
    kind = PARENT_KINDS.get(parent[:3])
    if kind is None:
        raise BadRecord(f"has a parent_id that is not a t1_ or t3_ fullname: {parent[:40]!r}",
                        "parent_id")
    when = _created(record)
    own = _fullname(record, "t1_")
    author = _author(record)
    if author is None:
        return
    yield Row(author, parent, kind, when, text=text(record.get("body"), "body"))
    yield Row(author, own, POST, when, author=author)


def _submission(record: Record) -> Iterator[Row]:
    when = _created(record)
    own = _fullname(record, "t3_")
    author = _author(record)
    if author is not None:
        yield Row(author, own, POST, when, author=author)


PLATFORM = Platform(
    name="reddit",
    title="Reddit dumps",
    schema="Reddit API comment (t1) and link (t3) objects as archived in the Pushshift / "
           "Arctic Shift monthly dumps (RC_YYYY-MM, RS_YYYY-MM)",
    provides=frozenset({"actor", "post_id", "kind", "timestamp", "author", "post_time", "text"}),
    recognise=recognise,
    rows=rows,
    containers=frozenset({"json", "jsonl", "csv", "tsv", "parquet"}),
)
