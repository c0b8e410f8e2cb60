"""Which input column is which canonical column: ``--map`` first, then the name or one of its
:data:`ALIASES` (ignoring case, spaces, ``-`` and ``_``); the notes and errors that choice gives."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from pod_detect.errors import InputError
from pod_detect.model import CANONICAL_COLUMNS

#: Other names each canonical column is recognised by, most likely first. Matching ignores
#: case, surrounding spaces and ``-``/``_``/space differences (``Post-ID`` is ``post_id``).
ALIASES: dict[str, tuple[str, ...]] = {
    "actor": ("source", "user", "user_id", "username", "actor_id", "liker", "commenter",
              "engager", "from", "from_user", "src", "account", "account_id", "follower"),
    "author": ("target", "owner", "owner_id", "author_id", "poster", "post_author", "creator",
               "to", "to_user", "dst", "original_author", "retweeted_user", "author_username",
               "owner_username", "post_owner", "media_owner", "retweeted_user_id"),
    "post_id": ("post", "post_id", "media_id", "tweet_id", "status_id", "object_id",
                "content_id", "item_id", "retweeted_status_id", "message_id", "url", "post_url"),
    "kind": ("type", "action", "interaction", "interaction_type", "engagement_type", "event",
             "event_type", "action_type", "reaction_type", "referenced_type"),
    "timestamp": ("time", "created_at", "created", "ts", "date", "datetime", "engaged_at",
                  "interaction_time", "timestamp_ms", "created_time"),
    "post_time": ("posted_at", "post_created_at", "published_at", "post_timestamp", "post_date",
                  "taken_at", "post_created_time", "post_published_at"),
    "text": ("comment", "comment_text", "body", "message", "content"),
}


def time_columns(names: list[str], mapping: Mapping[str, str] | None, source: str) -> list[str]:
    """The columns of a header that will be read as times (none when its columns do not
    match: that error comes later); not ``post_time`` when it names posts, as text."""
    try:
        chosen, _ = match_columns(names, mapping or {}, source)
    except InputError:
        return []
    wanted = ("timestamp",) if derives_posts(chosen) else ("timestamp", "post_time")
    return [chosen[c] for c in wanted if c in chosen]


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name.strip().lower())


def match_columns(
    names: list[str], mapping: Mapping[str, str], source: str,
    nested: Callable[[], list[str]] = list,
) -> tuple[dict[str, str], list[str]]:
    """Choose the input column of each canonical column: ``--map`` first, then names/aliases.

    ``nested`` gives the dotted paths of fields inside nested columns, which ``--map`` may
    name too (asked only when a mapped name is not a column)."""
    chosen: dict[str, str] = {}
    for canonical, theirs in mapping.items():
        chosen[canonical] = _mapped(canonical, theirs, names, chosen, source, nested)
    notes: list[str] = []
    for canonical in CANONICAL_COLUMNS:
        if canonical in chosen:
            continue
        wanted = [_key(alias) for alias in (canonical, *ALIASES[canonical])]
        used = set(chosen.values())
        hits = [n for k in dict.fromkeys(wanted) for n in names if _key(n) == k and n not in used]
        if not hits:
            continue
        chosen[canonical] = hits[0]
        if _key(hits[0]) != _key(canonical):
            notes.append(f"column {hits[0]!r} read as {canonical}")
        for other in dict.fromkeys(hits[1:]):
            notes.append(f"column {other!r} ignored: {hits[0]!r} was read as {canonical}"
                         f" (use --map {canonical}={other} to read it instead)")
    return chosen, notes


def _mapped(
    canonical: str, theirs: str, names: list[str], chosen: dict[str, str], source: str,
    nested: Callable[[], list[str]],
) -> str:
    if canonical not in CANONICAL_COLUMNS:
        raise InputError(f"--map {canonical}={theirs}: unknown column {canonical!r} (canonical "
                         f"columns: {', '.join(CANONICAL_COLUMNS)})", source=source)
    found = [n for n in names if n == theirs] or [n for n in names if _key(n) == _key(theirs)]
    if not found:
        paths = nested()
        if theirs in paths:
            found = [theirs]
        else:
            leaves = [p for p in paths if not any(q.startswith(p + ".") for q in paths)]
            inside = f"; nested fields: {_listing(leaves)}" if leaves else ""
            raise InputError(f"--map {canonical}={theirs}: no such column (found columns: "
                             f"{_listing(names)}{inside})", source=source, column=theirs)
    if found[0] in chosen.values():
        raise InputError(f"--map {canonical}={theirs}: the column is already mapped",
                         source=source, column=found[0])
    return found[0]


def require(chosen: Mapping[str, str], names: list[str], source: str) -> None:
    found = _listing(names)
    if "actor" not in chosen:
        raise InputError(f"missing required column 'actor' (found columns: {found}; "
                         "use --map actor=COLUMN)", source=source)
    if "author" not in chosen and "post_id" not in chosen:
        raise InputError(f"missing required column 'author' or 'post_id' (found columns: {found}"
                         "; use --map author=COLUMN or --map post_id=COLUMN)", source=source)


def _listing(names: list[str], limit: int = 20) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "") or "none"


def derives_posts(chosen: Mapping[str, str]) -> bool:
    """Whether posts must be identified by (author, post_time) for want of a post_id."""
    return "post_id" not in chosen and "author" in chosen and "post_time" in chosen


