"""Vectorised aggregates over the canonical table: the only place that touches every row.

Everything here is dataframe or array work (no Python loop over rows), so the same steps
can later run on another dataframe engine. What comes out is small: one row per post, per
engaged (actor, author) pair and per account.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from pod_detect.model import Interactions


@dataclass(frozen=True)
class Reduced:
    """The compact aggregates the detectors work from.

    Attributes
    ----------
    posts
        Indexed by post code: ``author`` (code, -1 unknown), ``engagements``, ``engagers``
        (distinct actors), ``timed`` (engagements with a time), ``post_time`` (given, else
        the first engagement; NaN without times).
    pairs
        One row per ordered (actor, author) pair with a known author: ``engagements``,
        ``posts`` (distinct posts engaged), ``coverage`` (share of the author's posts),
        ``latency`` (median seconds after the post), ``expected`` (posts the popularity null
        model predicts), ``lift`` and ``pvalue`` (Poisson tail of ``posts`` given
        ``expected``).
    accounts
        Indexed by account code: ``given``, ``received`` (distinct post engagements),
        ``posts`` (posts authored), ``authors`` (distinct authors engaged).
    latency
        Seconds from the post to each engagement, aligned with the frame's rows (NaN where
        unknown), or ``None`` without timestamps.
    position
        Where each engagement came in its post's engagement, by time: 0 the first, 1 the last
        (NaN without a time, or alone on its post), aligned with the frame's rows; ``None``
        without timestamps.
    """

    posts: pd.DataFrame
    pairs: pd.DataFrame
    accounts: pd.DataFrame
    latency: np.ndarray | None
    position: np.ndarray | None = None


def reduce(data: Interactions) -> Reduced:
    """Compute every aggregate the detectors need from the canonical table."""
    frame = data.frame
    posts = post_table(frame, len(data.posts))
    latency = row_latency(frame, posts) if data.has_timestamps else None
    engaged = distinct_engagements(frame)
    pairs = pair_table(frame, engaged, posts, latency, len(data.accounts))
    accounts = account_table(engaged, posts, len(data.accounts))
    pairs = add_null_model(pairs, accounts)
    position = row_position(frame) if data.has_timestamps else None
    return Reduced(posts=posts, pairs=pairs, accounts=accounts, latency=latency,
                   position=position)


def post_table(frame: pd.DataFrame, n_posts: int) -> pd.DataFrame:
    """One row per post code (0..n_posts-1): author, engagement counts and post time."""
    known = frame[frame["post"] >= 0]
    grouped = known.groupby("post", sort=True)
    table = pd.DataFrame(
        {
            "author": grouped["author"].max(),
            "engagements": grouped.size(),
            "engagers": grouped["actor"].nunique(),
            "first": grouped["timestamp"].min(),
            "timed": grouped["timestamp"].count(),
            "given_time": grouped["post_time"].min(),
        }
    ).reindex(pd.RangeIndex(n_posts, name="post"))
    table["author"] = table["author"].fillna(-1).astype("int32")
    for column in ("engagements", "engagers", "timed"):
        table[column] = table[column].fillna(0).astype("int64")
    table["post_time"] = table["given_time"].fillna(table["first"])
    return table.drop(columns=["first", "given_time"])


def row_latency(frame: pd.DataFrame, posts: pd.DataFrame) -> np.ndarray:
    """Seconds from each engagement's post to the engagement; never negative."""
    post = frame["post"].to_numpy()
    post_time = np.append(posts["post_time"].to_numpy(dtype="float64"), np.nan)
    start = post_time[np.where(post >= 0, post, len(post_time) - 1)]
    start = np.where(np.isnan(start), frame["post_time"].to_numpy(dtype="float64"), start)
    return np.clip(frame["timestamp"].to_numpy(dtype="float64") - start, 0.0, None)


def row_position(frame: pd.DataFrame) -> np.ndarray:
    """Each timed engagement's place among its post's timed engagements, from 0 (first) to
    1 (last), tied times sharing their middle place (so the row order never matters). NaN
    without a time or a post, or when alone on its post."""
    post = frame["post"].to_numpy()
    time = frame["timestamp"].to_numpy(dtype="float64")
    rows = np.flatnonzero((post >= 0) & ~np.isnan(time))
    position = np.full(len(frame), np.nan)
    position[rows] = places(post[rows], time[rows], post[rows], time[rows])
    return position


def places(post: np.ndarray, time: np.ndarray, among_post: np.ndarray,
           among_time: np.ndarray) -> np.ndarray:
    """The place, 0 (first) to 1 (last), of each ``(post, time)`` among the timed engagements
    ``(among_post, among_time)`` of the same post, which include it; ties share their middle
    place; NaN for a post with a single engagement."""
    order = np.lexsort((among_time, among_post))
    ref_post, ref_time = among_post[order], among_time[order]
    start = np.searchsorted(ref_post, post, side="left")
    count = np.searchsorted(ref_post, post, side="right") - start
    before = _within(ref_post, ref_time, post, time, "left") - start
    upto = _within(ref_post, ref_time, post, time, "right") - start
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count > 1, (before + upto - 1) / 2 / (count - 1), np.nan)


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


def distinct_engagements(frame: pd.DataFrame) -> pd.DataFrame:
    """(actor, author, post) triples with a known author, each once.

    Without post ids every row is its own engagement.
    """
    rows = frame.loc[frame["author"] >= 0, ["actor", "author", "post"]]
    with_post = rows[rows["post"] >= 0].drop_duplicates()
    return pd.concat([with_post, rows[rows["post"] < 0]], ignore_index=True)


def pair_table(
    frame: pd.DataFrame,
    engaged: pd.DataFrame,
    posts: pd.DataFrame,
    latency: np.ndarray | None,
    n_accounts: int,
) -> pd.DataFrame:
    """Aggregate every ordered (actor, author) pair that has at least one engagement."""
    mask = frame["author"].to_numpy() >= 0
    key = _pair_key(frame["actor"].to_numpy()[mask], frame["author"].to_numpy()[mask], n_accounts)
    rows = pd.DataFrame({"key": key})
    if latency is not None:
        rows["latency"] = latency[mask]
    grouped = rows.groupby("key", sort=True)
    table = pd.DataFrame({"engagements": grouped.size()})
    table["latency"] = grouped["latency"].median() if latency is not None else np.nan
    distinct = pd.Series(
        _pair_key(engaged["actor"].to_numpy(), engaged["author"].to_numpy(), n_accounts)
    ).value_counts()
    table["posts"] = distinct.reindex(table.index).fillna(0).astype("int64")
    table["actor"] = (table.index // n_accounts).astype("int32")
    table["author"] = (table.index % n_accounts).astype("int32")
    authored = np.bincount(
        posts["author"].to_numpy()[posts["author"].to_numpy() >= 0], minlength=n_accounts
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = table["posts"].to_numpy() / authored[table["author"].to_numpy()]
    table["coverage"] = np.where(np.isfinite(coverage), np.minimum(coverage, 1.0), np.nan)
    return table.reset_index(drop=True)[
        ["actor", "author", "engagements", "posts", "coverage", "latency"]
    ]


def account_table(engaged: pd.DataFrame, posts: pd.DataFrame, n_accounts: int) -> pd.DataFrame:
    """Per account: distinct engagements given and received, posts authored, authors engaged."""
    index = pd.RangeIndex(n_accounts, name="account")
    authors = posts["author"].to_numpy()
    table = pd.DataFrame(
        {
            "given": np.bincount(engaged["actor"].to_numpy(), minlength=n_accounts),
            "received": np.bincount(engaged["author"].to_numpy(), minlength=n_accounts),
            "posts": np.bincount(authors[authors >= 0], minlength=n_accounts),
        },
        index=index,
    )
    pairs = engaged[["actor", "author"]].drop_duplicates()
    table["authors"] = np.bincount(pairs["actor"].to_numpy(), minlength=n_accounts)
    return table


def add_null_model(pairs: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Compare each pair with a popularity-preserving null model.

    Under the null, an actor spreads its ``given`` engagements over authors in proportion
    to what each author ``received`` from everyone, so the expected posts of ``author``
    engaged by ``actor`` is ``given[actor] * received[author] / total``. ``pvalue`` is
    the Poisson probability of seeing at least the observed count. This is what keeps a
    celebrity's fans, or a hyperactive account, from looking like a pod.
    """
    total = float(accounts["given"].sum()) or 1.0
    given = accounts["given"].to_numpy(dtype="float64")[pairs["actor"].to_numpy()]
    received = accounts["received"].to_numpy(dtype="float64")[pairs["author"].to_numpy()]
    expected = given * received / total
    observed = pairs["posts"].to_numpy()
    out = pairs.copy()
    out["expected"] = expected
    with np.errstate(divide="ignore", invalid="ignore"):
        out["lift"] = np.where(expected > 0, observed / expected, np.inf)
    out["pvalue"] = stats.poisson.sf(observed - 1, expected)
    return out


def _pair_key(actor: np.ndarray, author: np.ndarray, n_accounts: int) -> np.ndarray:
    return actor.astype("int64") * n_accounts + author.astype("int64")
