"""The reduced tables from their columns: one row per post, per ordered (actor, author) pair
with its popularity null model, and per account; both reduce paths end here."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pod_detect.kernels.keys import Key
from pod_detect.stats.tails import poisson_tail


def post_table(by_post: pd.DataFrame, engagers: pd.Series, n_posts: int) -> pd.DataFrame:
    """One row per post code (0..n_posts-1): author, engagement counts and post time."""
    table = by_post.assign(engagers=engagers).reindex(pd.RangeIndex(n_posts, name="post"))
    table["author"] = table["author"].fillna(-1).astype("int32")
    for column in ("engagements", "engagers", "timed"):
        table[column] = table[column].fillna(0).astype("int64")
    table["post_time"] = table["given_time"].fillna(table["first"])
    return table[["author", "engagements", "engagers", "timed", "post_time"]]


def pair_table(rows: pd.Series, posts_engaged: pd.Series, posts: pd.DataFrame,
               pair: Key) -> pd.DataFrame:
    """Every ordered (actor, author) pair with an engagement, from its rows and distinct
    posts engaged by pair key."""
    rows = rows.sort_index()
    engaged = posts_engaged.reindex(rows.index).fillna(0).to_numpy().astype("int64")
    return pair_frame(rows.index.to_numpy(), rows.to_numpy(), engaged, posts, pair)


def pair_frame(key: np.ndarray, engagements: np.ndarray, engaged: np.ndarray,
                posts: pd.DataFrame, pair: Key) -> pd.DataFrame:
    """The pair table from its columns by sorted (actor, author) key."""
    n_accounts = pair.bounds[0]
    author = pair.field(key, 1).astype("int32")
    owners = posts["author"].to_numpy()
    authored = np.bincount(owners[owners >= 0], minlength=n_accounts)
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = engaged / authored[author]
    # in place: on this many pairs each fresh array costs more in page faults than to fill
    np.minimum(coverage, 1.0, out=coverage)
    coverage[~np.isfinite(coverage)] = np.nan
    return pd.DataFrame({
        "actor": pair.field(key, 0).astype("int32"),
        "author": author,
        "engagements": engagements.astype("int64"),
        "posts": engaged,
        "coverage": coverage,
    }, copy=False)  # fresh arrays: a copy into blocks would cost a twentieth of the reduce


def account_table(given: np.ndarray, received: np.ndarray, authored: np.ndarray,
                  posts: pd.DataFrame) -> pd.DataFrame:
    """Per account: distinct engagements given and received, posts authored, authors engaged
    (``given``, ``received`` and ``authored`` are counts by account code)."""
    n_accounts = len(given)
    authors = posts["author"].to_numpy()
    return pd.DataFrame(
        {
            "given": given.astype("int64"),
            "received": received.astype("int64"),
            "posts": np.bincount(authors[authors >= 0], minlength=n_accounts),
            "authors": authored.astype("int64"),
        },
        index=pd.RangeIndex(n_accounts, name="account"), copy=False,
    )


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
    expected = given * received
    expected /= total
    observed = pairs["posts"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = observed / expected
    lift[~(expected > 0)] = np.inf
    # one frame of the pair columns and the new ones, no copy (assign and setting a column
    # each copied every column of millions of pairs)
    columns = {name: pairs[name] for name in pairs.columns}
    return pd.DataFrame({**columns, "expected": expected, "lift": lift,
                         "pvalue": poisson_tail(observed, expected)},
                        index=pairs.index, copy=False)
