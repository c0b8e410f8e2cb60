"""Platform styles: how an Instagram-, Twitter/X- or LinkedIn-like export names and writes
the same engagement.

Each style names accounts and posts its own way, spells kinds its own way and writes
times its own way (Instagram: comments only, ISO with ``+0000``; Twitter: epoch ms;
LinkedIn: ISO with the account's own offset such as ``+05:30``). ``render`` returns plain
columns (lists or numpy arrays); :mod:`heldout.write` writes them to a file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import Export

#: 2024-03-04T00:00:00Z, the start of every export.
START = 1_709_510_400
FIRST = (
    "mila", "lena", "tom", "ava", "noah", "liam", "emma", "olivia", "lucas", "mia", "leo", "zoe",
    "ethan", "nora", "max", "ivy", "sofia", "jack", "ella", "owen", "aria", "kai", "luna", "eli",
    "maya", "theo", "nina", "omar", "sara", "yuki",
)
LAST = (
    "rossi", "smith", "kim", "garcia", "muller", "silva", "khan", "nguyen", "tanaka", "novak",
    "lopez", "brown", "dubois", "jensen", "costa", "ali", "patel", "moreau", "weber", "ito",
)
REACTIONS = np.array(["LIKE", "PRAISE", "EMPATHY", "INTEREST", "APPRECIATION", "ENTERTAINMENT"])
Columns = dict[str, list | np.ndarray]


@dataclass(frozen=True)
class Platform:
    """One export style.

    Attributes
    ----------
    name
        ``instagram``, ``twitter`` or ``linkedin``.
    columns
        Canonical pod-detect column -> this platform's column name.
    formats
        File suffixes, one chosen per seed (``formats[seed % len(formats)]``).
    render
        ``render(export) -> (columns, name)``: the columns, and a function naming account ids.
    """

    name: str
    columns: dict[str, str]
    formats: tuple[str, ...]
    render: Callable[[Export], tuple[Columns, Callable[[np.ndarray], list[str]]]]


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}{seen[name]}")
    return out


def _handles(rng: np.random.Generator, export: Export, sep: tuple[str, ...]) -> np.ndarray:
    """Person-like handles for organic accounts, random strings for throwaways."""
    n = export.world.n
    first, last = rng.choice(FIRST, n), rng.choice(LAST, n)
    joint, digits = rng.choice(sep, n), rng.integers(0, 1000, n)
    junk = rng.choice(list("abcdefghijklmnopqrstuvwxyz0123456789"), (n, 9))
    names = [("".join(junk[i]) if export.world.throwaway[i]
              else f"{first[i]}{joint[i]}{last[i]}" + (str(digits[i]) if digits[i] > 300 else ""))
             for i in range(n)]
    return np.array(_unique(names), dtype=object)


def _snowflakes(rng: np.random.Generator, t: np.ndarray) -> np.ndarray:
    """Twitter-style ids: milliseconds since 2010-11-04 shifted left 22 bits, plus noise."""
    ms = ((START + t) * 1000).astype(np.int64) - 1_288_834_974_657
    return (ms << 22) + rng.integers(0, 1 << 22, len(t))


def _iso(seconds: np.ndarray, offset_hours: np.ndarray, zone: str = "colon") -> np.ndarray:
    """ISO 8601 local times with their offset: ``+02:00`` (``zone="colon"``) or ``+0000``."""
    local = (np.floor(seconds) + START + offset_hours * 3600).astype("datetime64[s]")
    text = np.datetime_as_string(local, unit="s")
    minutes = np.round(np.abs(offset_hours) * 60).astype(int)
    sign = np.where(offset_hours < 0, "-", "+")
    hh, mm = np.char.zfill((minutes // 60).astype(str), 2), np.char.zfill((minutes % 60)
                                                                           .astype(str), 2)
    tail = np.char.add(np.char.add(sign, hh), np.char.add(":", mm) if zone == "colon" else mm)
    return np.char.add(text.astype(str), tail)


def _instagram(export: Export) -> tuple[Columns, Callable[[np.ndarray], list[str]]]:
    rng = np.random.default_rng([export.seed, 1])
    names = _handles(rng, export, ("", ".", "_"))
    rows, posts = export.rows, export.posts
    media = np.char.add(np.char.add(_snowflakes(rng, posts.t).astype(str), "_"),
                        (posts.author + 4_000_000).astype(str))
    created = _iso(rows.t, np.zeros(len(rows.t)), zone="compact").astype(object)
    created[~rows.comment] = None
    text = rows.text.copy()
    text[~rows.comment] = None
    return {"username": names[rows.actor], "owner_username": names[posts.author[rows.post]],
            "media_id": media[rows.post], "type": np.where(rows.comment, "comment", "like"),
            "created_at": created, "comment_text": text,
            "taken_at": (START + np.floor(posts.t[rows.post])).astype(np.int64)}, \
        lambda ids: list(names[ids])


def _twitter(export: Export) -> tuple[Columns, Callable[[np.ndarray], list[str]]]:
    rng = np.random.default_rng([export.seed, 2])
    world, rows, posts = export.world, export.rows, export.posts
    # old accounts have small ids, new (throwaway) ones 19-digit snowflakes; the low 20 bits
    # hold the account's index, so ids are unique
    old = rng.integers(10, 1_300_000_000_000, world.n)
    new = rng.integers(1_620_000_000_000, 1_680_000_000_000, world.n)
    ids = (np.where(world.throwaway, new, old) << 20) + np.arange(world.n)
    tweets = _snowflakes(rng, posts.t)
    return {"user_id": ids[rows.actor], "retweeted_user": ids[posts.author[rows.post]],
            "tweet_id": tweets[rows.post],
            "referenced_type": np.where(rows.comment, "replied_to", "retweeted"),
            "timestamp_ms": ((START + rows.t) * 1000).astype(np.int64),
            "text": np.where(rows.comment, rows.text, ""),
            "tweet_created_ms": ((START + posts.t[rows.post]) * 1000).astype(np.int64)}, \
        lambda who: [str(i) for i in ids[who]]


def _linkedin(export: Export) -> tuple[Columns, Callable[[np.ndarray], list[str]]]:
    rng = np.random.default_rng([export.seed, 3])
    world, rows, posts = export.world, export.rows, export.posts
    slug = np.char.add(_handles(rng, export, ("-",)).astype(str), "-")
    names = np.char.add(slug, np.char.mod("%06x", rng.integers(0, 1 << 24, world.n)))
    names = names.astype(object)
    urls = np.char.add(np.char.add("https://www.linkedin.com/feed/update/urn:li:activity:",
                                   _snowflakes(rng, posts.t).astype(str)), "/")
    author = posts.author[rows.post]
    kind = np.where(rows.comment, "COMMENT",
                    REACTIONS[rng.choice(len(REACTIONS), len(rows.t),
                                         p=[.6, .15, .08, .07, .06, .04])])
    return {"engager": names[rows.actor], "post_author": names[author],
            "post_url": urls[rows.post], "engagement_type": kind,
            "engaged_at": _iso(rows.t, world.tz[rows.actor]),
            "post_time": _iso(posts.t[rows.post], world.tz[author]),
            "comment": np.where(rows.comment, rows.text, "")}, lambda ids: list(names[ids])


PLATFORMS: dict[str, Platform] = {
    "instagram": Platform("instagram", {
        "actor": "username", "author": "owner_username", "post_id": "media_id",
        "kind": "type", "timestamp": "created_at", "text": "comment_text",
        "post_time": "taken_at"}, ("jsonl.gz", "jsonl"), _instagram),
    "twitter": Platform("twitter", {
        "actor": "user_id", "author": "retweeted_user", "post_id": "tweet_id",
        "kind": "referenced_type", "timestamp": "timestamp_ms", "text": "text",
        "post_time": "tweet_created_ms"}, ("parquet", "csv.gz"), _twitter),
    "linkedin": Platform("linkedin", {
        "actor": "engager", "author": "post_author", "post_id": "post_url",
        "kind": "engagement_type", "timestamp": "engaged_at", "text": "comment",
        "post_time": "post_time"}, ("csv", "csv.gz"), _linkedin),
}
