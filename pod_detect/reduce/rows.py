"""Numbers about single rows, computed for the rows a detector or a report looks at: the one
definition of latency (:func:`latency_at`) and a row's place among its post's engagers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pod_detect.kernels import sorting as _sorting


def latency_of(rows: pd.DataFrame, posts: pd.DataFrame) -> np.ndarray:
    """:func:`latency_at` with the post times of a :attr:`Reduced.posts` table."""
    return latency_at(rows, post_times(posts))


def post_times(posts: pd.DataFrame) -> np.ndarray:
    """Each post's time by code, and NaN last (for rows without a post)."""
    return np.append(posts["post_time"].to_numpy(dtype="float64"), np.nan)


def latency_at(rows: pd.DataFrame, post_time: np.ndarray) -> np.ndarray:
    """The one definition of latency: seconds from each row's post to the row. A post's
    time is its ``post_time`` when the export gives one, else its first engagement in the
    whole export (:func:`post_table`); a row whose post has neither falls back on its own
    ``post_time``. Never negative; NaN without a time. ``post_time``: by post code, NaN
    last (:func:`post_times`)."""
    post = rows["post"].to_numpy()
    start = post_time[np.where(post >= 0, post, len(post_time) - 1)]
    start = np.where(np.isnan(start), rows["post_time"].to_numpy(dtype="float64"), start)
    return np.clip(rows["timestamp"].to_numpy(dtype="float64") - start, 0.0, None)


def places(post: np.ndarray, time: np.ndarray, among_post: np.ndarray,
           among_time: np.ndarray) -> np.ndarray:
    """The place, 0 (first) to 1 (last), of each ``(post, time)`` among the timed engagements
    ``(among_post, among_time)`` of the same post, which include it; ties share their middle
    place (so neither the order of the rows nor the engine matters); NaN for a post with a
    single engagement."""
    order = np.lexsort((among_time, among_post))
    ref_post, ref_time = among_post[order], among_time[order]
    start = np.searchsorted(ref_post, post, side="left")
    count = np.searchsorted(ref_post, post, side="right") - start
    before = _within(ref_post, ref_time, post, time, "left") - start
    upto = _within(ref_post, ref_time, post, time, "right") - start
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count > 1, (before + upto - 1) / 2 / (count - 1), np.nan)


def every_place(post: np.ndarray, time: np.ndarray) -> np.ndarray:
    """:func:`places` of every row of a frame among all its timed engagements, in one sort:
    NaN for a row without a post or a time, or alone on its post. Positions are int32
    and intermediates are dropped as soon as they are used: this runs beside the
    co-engagement count, on every row."""
    timed = np.flatnonzero((post >= 0) & ~np.isnan(time)).astype(np.int32)
    out = np.full(len(post), np.nan)
    if not len(timed):
        return out
    t = time[timed]
    if not bool(np.all(t[1:] >= t[:-1])):  # not a canonical frame: by time first
        by_time = np.argsort(t, kind="stable").astype(np.int32)
        timed, t = timed[by_time], t[by_time]
        del by_time
    p = post[timed]
    order = _sorting.stable_order(p, int(p.max()) + 1).astype(np.int32)  # by post, then time
    timed, p, t = timed[order], p[order], t[order]
    del order
    new_run = np.empty(len(p), dtype=bool)  # runs of equal (post, time)
    new_run[0] = True
    np.not_equal(p[1:], p[:-1], out=new_run[1:])
    new_post = new_run.copy()
    new_run[1:] |= t[1:] != t[:-1]
    del p, t
    run_first = np.flatnonzero(new_run).astype(np.int32)
    del new_run
    run_size = _sorting.lengths(run_first, len(timed)).astype(np.int32)
    post_first = np.flatnonzero(new_post).astype(np.int32)
    del new_post
    count = _sorting.lengths(post_first, len(timed)).astype(np.int32)
    # per row: rows strictly earlier in its post (2 * start), its run's size, its post's rows
    place = np.repeat(run_first, run_size).astype(np.float64)
    place -= np.repeat(post_first, count)
    place *= 2
    place += np.repeat(run_size, run_size)
    place -= 1
    n = np.repeat(count, count)
    with np.errstate(divide="ignore", invalid="ignore"):
        place /= 2 * (n - 1.0)
    place[n <= 1] = np.nan
    out[timed] = place
    return out


def _within(ref_post: np.ndarray, ref_time: np.ndarray, post: np.ndarray, time: np.ndarray,
            side: str) -> np.ndarray:
    """searchsorted of each (post, time) among the (post, time)-sorted references: times
    become integer ranks (exact, unlike any float key), packed with the post into int64."""
    times, rank = np.unique(np.concatenate([ref_time, time]), return_inverse=True)
    width = np.int64(len(times) + 1)
    base = ref_post.min(initial=0)
    key = (ref_post.astype("int64") - base) * width + rank[: len(ref_time)]
    query = (post.astype("int64") - base) * width + rank[len(ref_time):]
    return np.searchsorted(key, query, side=side)  # type: ignore[call-overload]
