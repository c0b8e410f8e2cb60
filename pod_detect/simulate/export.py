"""From arrays to the exported table: clean-up, ids, ISO times, sorting, degraded columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pod_detect.simulate.population import Posts
from pod_detect.simulate.rows import DAY, KIND_NAMES, Rows
from pod_detect.simulate.world import SimConfig


def clean(rows: Rows, posts: Posts, days: int) -> Rows:
    """Drop self-engagement, rows past the end of the window, and repeats.

    A repeat is a second row with the same actor, post and kind; the earliest is kept.
    """
    keep = (posts.author[rows.post] != rows.actor) & (rows.time < days * DAY)
    rows = rows.take(keep)
    key = (rows.actor * max(len(posts), 1) + rows.post) * 3 + rows.kind
    order = np.lexsort((rows.time, key))
    first = np.ones(len(order), dtype=bool)
    first[1:] = key[order][1:] != key[order][:-1]
    return rows.take(order[first])


def account_ids(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Random distinct ids like ``u04217`` (numbers, strings), so ids reveal no roles."""
    width = max(5, len(str(n * 10)))
    numbers = rng.choice(10**width, size=n, replace=False)
    return numbers, _prefixed("u", numbers, width)


def post_ids(n: int) -> np.ndarray:
    """Post ids in time order, ``p000000``, ``p000001``..."""
    return _prefixed("p", np.arange(n), max(6, len(str(n))))


def _prefixed(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(numbers.astype(str), width)).astype(object)


def iso(start: str, seconds: np.ndarray) -> np.ndarray:
    """ISO 8601 UTC strings (``2026-03-01T12:34:56Z``) of seconds since ``start``."""
    origin = np.datetime64(start, "s").astype(np.int64)
    stamps = (origin + seconds).astype("datetime64[s]")
    return np.char.add(np.datetime_as_string(stamps, unit="s"), "Z").astype(object)


def to_frame(
    rows: Rows, posts: Posts, numbers: np.ndarray, ids: np.ndarray, config: SimConfig
) -> pd.DataFrame:
    """The export: one row per engagement, sorted by time, actor id, post id and kind.

    Parameters
    ----------
    rows
        Clean rows (see :func:`clean`).
    posts
        Every post (row ``post`` values index it).
    numbers, ids
        Account id numbers and strings (from :func:`account_ids`).
    config
        Simulation options (start date and the ``without_*`` switches).

    Returns
    -------
    pandas.DataFrame
        String columns ``actor``, ``author``, ``post_id``, ``kind``, ``timestamp``,
        ``post_time``, ``text``, minus the ones the options drop.
    """
    order = np.lexsort((rows.kind, rows.post, numbers[rows.actor], rows.time))
    rows = rows.take(order)
    frame = pd.DataFrame(
        {
            "actor": ids[rows.actor],
            "author": ids[posts.author[rows.post]],
            "post_id": post_ids(len(posts))[rows.post],
            "kind": KIND_NAMES[rows.kind].astype(object),
            "timestamp": iso(config.start, rows.time),
            "post_time": iso(config.start, posts.time)[rows.post],
            "text": rows.text,
        }
    )
    return frame.drop(columns=_dropped(config))


def _dropped(config: SimConfig) -> list[str]:
    dropped = []
    if config.without_post_ids:
        dropped.append("post_id")
    if config.without_timestamps:
        dropped += ["timestamp", "post_time"]
    if config.without_text:
        dropped.append("text")
    return dropped
