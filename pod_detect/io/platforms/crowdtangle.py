"""CrowdTangle historical-data CSV exports, and Meta Content Library Facebook posts: posts
that share a link, read as who shared which link when (coordinated link sharing).

Schemas:

- CrowdTangle's "Historical Data" CSV download (CrowdTangle Codebook, Social Science One;
  the column names as the dashboard writes them, checked against published exports and
  4CAT's CrowdTangle importer). A Facebook export has ``Page Name`` (``Group Name`` for
  groups), ``User Name, Facebook Id, Page Category, ..., Post Created, Post Created Date,
  Post Created Time, Type, Total Interactions, Likes, Comments, Shares, ..., URL, Message,
  Link, Final Link, ...``; exports before April 2021 name the time ``Created``. An Instagram
  export has ``Account, User Name, Followers at Posting, Post Created, Type, ..., URL, Link,
  Photo, Title, Description`` and no ``Facebook Id``; what its ``Link`` holds is not
  documented (see below).
- Meta Content Library API, "Data dictionary", Facebook post (``search/facebook_posts``):
  ``id``, ``creation_time``, ``post_owner`` (``id``, ``name``, ``username``, ``type``),
  ``link_attachment`` (``link``, ``name``, ``caption``, ``description``),
  ``shared_post_id``. The dictionary writes the owner ``post_owner.data.id`` and the link
  ``link_attachment_fields.link`` (its display label); researchers report that responses
  carry ``post_owner.id`` and ``link_attachment.link``. Both spellings are read, nested (JSON
  Lines of posts, or an API response page ``{"data": [...]}``) or flattened to dotted
  column names (a CSV or Parquet written from the response). The form of ``creation_time``
  is not documented; it is passed on as given (ISO 8601 or epoch seconds are read). The
  Content Library's web-interface download was not checked: its column names are not
  confirmed, and are not read.

These exports are posts with aggregate counts (likes, shares): they never say who liked or
shared whose post. What they support is the CooRnet method: accounts that post the same link
within seconds of each other, again and again. Each post that shares a link becomes one row:

- ``actor``: the account that posted it. CrowdTangle: ``Facebook Id`` (the Page's or group's
  numeric id, which stays the same when the Page is renamed or changes its ``User Name``),
  else ``User Name`` (Instagram exports give no id; the handle is the only one). Content
  Library: ``post_owner.id``.
- ``post_id``: the shared link, ``Final Link`` (where CrowdTangle found the link leads,
  shorteners followed) else ``Link``; Content Library: ``link_attachment.link``. Only
  surrounding whitespace is stripped: links are compared exactly as written (no case
  folding, no removal of ``utm_`` parameters or trailing slashes).
- ``kind``: ``share``.
- ``timestamp``: ``Post Created`` (CrowdTangle writes ``2021-07-06 16:45:20 EDT``: the
  dashboard's time zone as a US-style abbreviation, which is written here as its UTC offset,
  ``2021-07-06 16:45:20-04:00``; see :data:`ZONES`). Content Library: ``creation_time``, as
  given.
- no ``author`` and no post time: whose link it is, is not in the export (a group found is
  ``coordinated``); no ``text``: ``Message`` is the account's own post, not a comment.

Left out, and counted: posts without a link (status updates, photos and videos without
one), a post whose ``Link`` is its own ``URL`` (an Instagram post linking to itself, not a
shared link), and Content Library reshares (``shared_post_id`` set: their ``post_owner`` is the
reshared post's owner, not the account that reshared it). Every other column (counts,
names, descriptions, sponsor fields, ``Post Created Date``/``Time``, which repeat
``Post Created`` without its zone) is not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pod_detect.io.platforms.base import BadRecord, Platform, Record, Row, Sample, get, need, text

#: The CrowdTangle time zone abbreviations read, as UTC offsets. CrowdTangle is a US
#: service: ``CST`` is US Central (not China), and abbreviations that name several zones
#: (``IST``, ``BST``, ``AST``) are refused rather than guessed. ``UTC`` and ``GMT`` are left
#: as they are (the time parser reads them).
ZONES = {
    "EST": "-05:00", "EDT": "-04:00", "CST": "-06:00", "CDT": "-05:00",
    "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00",
    "AKST": "-09:00", "AKDT": "-08:00", "HST": "-10:00", "HDT": "-09:00",
    "WET": "+00:00", "WEST": "+01:00", "CET": "+01:00", "CEST": "+02:00",
    "EET": "+02:00", "EEST": "+03:00", "MSK": "+03:00",
    "JST": "+09:00", "KST": "+09:00",
    "AWST": "+08:00", "ACST": "+09:30", "ACDT": "+10:30", "AEST": "+10:00", "AEDT": "+11:00",
    "NZST": "+12:00", "NZDT": "+13:00",
}
#: Zone names the time parser reads itself, and the ends of a 12-hour time (not zones).
_UTC = frozenset({"UTC", "GMT", "UT", "Z"})
_MERIDIEM = frozenset({"AM", "PM"})
#: A time ending in a zone abbreviation: ``2021-07-06 16:45:20 EDT``.
_ZONED = re.compile(r"^(.*\d)\s+([A-Za-z]{1,5})$")

#: CrowdTangle's columns: the time (``Created`` in exports before April 2021), the links and
#: the account.
CREATED, OLD_CREATED = "Post Created", "Created"
LINK, FINAL, URL = "Link", "Final Link", "URL"
FACEBOOK_ID, USER_NAME, ACCOUNT = "Facebook Id", "User Name", "Account"


def _crowdtangle(sample: Sample) -> bool:
    """``Post Created`` and ``Link`` beside the account's column; the older, plainer
    ``Created`` only with ``URL`` and a Facebook id or Instagram's ``Account`` too."""
    if sample.has(CREATED, LINK):
        return sample.has(FACEBOOK_ID) or sample.has(USER_NAME)
    return (sample.has(OLD_CREATED, LINK, URL)
            and (sample.has(FACEBOOK_ID) or sample.has(ACCOUNT, USER_NAME)))


def _posts(record: Record) -> tuple[list[Any], bool]:
    """The posts of a record, and whether they are an API response page's ``data`` items
    (else the record is the one post)."""
    data = record.get("data")
    if isinstance(data, list) and "creation_time" not in record:
        return data, True
    return [record], False


def _owner(post: Record) -> Any:
    return get(post, "post_owner.id") or get(post, "post_owner.data.id")


def _link(post: Record) -> Any:
    return get(post, "link_attachment.link") or get(post, "link_attachment_fields.link")


def _library_post(post: Any) -> bool:
    return (isinstance(post, dict) and "id" in post and "creation_time" in post
            and _owner(post) is not None)


def _library(sample: Sample) -> bool:
    def page(record: Record) -> bool:
        posts, _ = _posts(record)
        return bool(posts) and all(_library_post(p) for p in posts[:5])

    return sample.share(page) >= 0.8


def recognise(sample: Sample) -> bool:
    if sample.container in ("csv", "tsv") and _crowdtangle(sample):
        return True
    return _library(sample)


def rows(record: Record) -> Iterator[Row]:
    if ((CREATED in record or OLD_CREATED in record)
            and (FACEBOOK_ID in record or USER_NAME in record)):
        yield from _crowdtangle_rows(record)
        return
    posts, paged = _posts(record)
    for number, post in enumerate(posts):
        where = f"data.{number}." if paged else ""
        if not isinstance(post, dict):
            raise BadRecord(f"has an item at data.{number} that is not an object (a post)",
                            f"data.{number}")
        yield from _library_rows(post, where)


def _crowdtangle_rows(record: Record) -> Iterator[Row]:
    link = _strip(text(get(record, FINAL), FINAL)) or _strip(text(get(record, LINK), LINK))
    if link is None or link == _strip(text(get(record, URL), URL)):
        return  # no link, or (Instagram) the post's own address
    actor = _strip(text(get(record, FACEBOOK_ID), FACEBOOK_ID)) or _strip(
        text(get(record, USER_NAME), USER_NAME))
    if actor is None:
        raise BadRecord(f"has no {FACEBOOK_ID} or {USER_NAME}", FACEBOOK_ID)
    column = CREATED if CREATED in record else OLD_CREATED
    when = text(need(record, column), column)
    yield Row(actor, link, "share", _offset(when, column))


def _library_rows(post: Record, where: str) -> Iterator[Row]:
    if text(get(post, "shared_post_id"), f"{where}shared_post_id") is not None:
        return  # a reshare: post_owner is the reshared post's owner
    link = _strip(text(_link(post), f"{where}link_attachment.link"))
    if link is None:
        return
    actor = _strip(text(_owner(post), f"{where}post_owner.id"))
    if actor is None:
        raise BadRecord("has no post_owner.id", f"{where}post_owner.id")
    when = need(post, "creation_time")
    if isinstance(when, (dict, list, bool)):
        raise BadRecord(f"holds {'a list' if isinstance(when, list) else 'an object'} at "
                        f"{where}creation_time, not a time", f"{where}creation_time")
    yield Row(actor, link, "share", when)


def _strip(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _offset(when: str | None, path: str) -> str | None:
    """``when`` with a trailing zone abbreviation (``EDT``) written as its UTC offset."""
    if when is None:
        return None
    found = _ZONED.match(when.strip())
    if found is None:
        return when
    head, zone = found.groups()
    upper = zone.upper()
    if upper in _UTC or upper in _MERIDIEM:
        return when
    offset = ZONES.get(upper)
    if offset is None:
        raise BadRecord(f"has a time in the zone {zone!r}, which pod-detect cannot place "
                        f"(it reads {', '.join(ZONES)}, UTC and GMT; set the CrowdTangle "
                        "dashboard's time zone to one of them, or to UTC, and export again)",
                        path)
    return f"{head}{offset}"


PLATFORM = Platform(
    name="crowdtangle",
    title="CrowdTangle / Meta Content Library CSV",
    schema="CrowdTangle Historical Data CSV (CrowdTangle Codebook, Social Science One); Meta "
           "Content Library API data dictionary, \"Facebook post\"",
    provides=frozenset({"actor", "post_id", "kind", "timestamp"}),
    recognise=recognise,
    rows=rows,
    containers=frozenset({"csv", "tsv", "json", "jsonl", "parquet"}),
)
