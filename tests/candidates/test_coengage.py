"""Co-engagement pair counts: hand-built shapes, a brute-force twin, and the QUT toolkit's figures.

``tests/data/qut_co_retweet_{W}s_w{M}.csv`` were measured with coordination-network-toolkit 1.5.2
on all 35,125 rows of ``shared/data/russian_coord_tweets.csv`` (message ids m0..m35124, user_id =
actor, repost_id = post_id): ``compute_networks db preprocess --format csv``, then ``compute
co_retweet --time_window W --min_edge_weight M``, rows of ``co_retweet_network`` with
``user_1 < user_2``. ``benchmarks/coengage_vs_qut.py`` re-measures them; nothing is installed here.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pod_detect.candidates.coengage import co_engagement, co_engagement_with_stats
from pod_detect.candidates.pair_sums import Units
from pod_detect.errors import ConfigError
from pod_detect.io import load

RUSSIAN = Path(__file__).resolve().parents[3] / "shared" / "data" / "russian_coord_tweets.csv"
RECORDED = Path(__file__).resolve().parents[1] / "data"
_ORIGINAL_UNITS_INIT = Units.__init__
SETTINGS = [(60, 2), (10, 1), (300, 3), (0, 1)]  # (window, min_weight) the toolkit was run with


def frame_of(rows: list[tuple]) -> pd.DataFrame:
    """Rows ``(actor, post, time)``; actor ``"a"`` is code 0, ``"b"`` 1...; post None is -1."""
    return pd.DataFrame(
        {
            "actor": np.array([ord(r[0]) - ord("a") for r in rows], dtype=np.int32),
            "post": np.array([-1 if r[1] is None else r[1] for r in rows], dtype=np.int32),
            "timestamp": np.array([r[2] for r in rows], dtype=np.float64),
        }
    )


def pairs_of(table: pd.DataFrame) -> dict[str, int]:
    return {chr(97 + a) + chr(97 + b): int(w)
            for a, b, w in zip(table["actor_a"], table["actor_b"], table["weight"], strict=True)}


CASES = [
    # (shape, rows (actor, post, t), window, min_weight, expected pairs)
    ("two accounts within the window on two posts", [
        ("a", 1, 0), ("b", 1, 30), ("a", 2, 100), ("b", 2, 150)], 60, 1, {"ab": 2}),
    ("outside the window", [("a", 1, 0), ("b", 1, 61)], 60, 1, {}),
    ("exactly the window apart counts", [("a", 1, 0), ("b", 1, 60)], 60, 1, {"ab": 1}),
    ("three accounts on one post", [
        ("a", 1, 0), ("b", 1, 10), ("c", 1, 20)], 60, 1, {"ab": 1, "ac": 1, "bc": 1}),
    ("a chain: a-b and b-c within, a-c not", [
        ("a", 1, 0), ("b", 1, 50), ("c", 1, 100)], 60, 1, {"ab": 1, "bc": 1}),
    ("same account twice on one post counts once", [
        ("a", 1, 0), ("a", 1, 5), ("b", 1, 10), ("b", 1, 12)], 60, 1, {"ab": 1}),
    ("one account alone, twice", [("a", 1, 0), ("a", 1, 1)], 60, 1, {}),
    ("same time, different posts", [("a", 1, 0), ("b", 2, 0)], 60, 1, {}),
    ("order of rows does not matter", [
        ("b", 2, 150), ("a", 1, 0), ("b", 1, 30), ("a", 2, 100)], 60, 1, {"ab": 2}),
    ("min_weight drops single co-engagements", [
        ("a", 1, 0), ("b", 1, 1), ("a", 2, 0), ("b", 2, 1), ("c", 2, 2)], 60, 2, {"ab": 2}),
    ("unknown post and unknown time are ignored", [
        ("a", None, 0), ("b", None, 0), ("a", 1, float("nan")), ("b", 1, 0)], 60, 1, {}),
    ("window 0 pairs only equal times", [
        ("a", 1, 5), ("b", 1, 5), ("c", 1, 6)], 0, 1, {"ab": 1}),
]


@pytest.mark.parametrize(("rows", "window", "min_weight", "expected"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_shapes(rows, window, min_weight, expected):
    table = co_engagement(frame_of(rows), window=window, min_weight=min_weight)
    assert pairs_of(table) == expected
    assert list(table.columns) == ["actor_a", "actor_b", "weight", "weighted"]
    assert (table["actor_a"] < table["actor_b"]).all()


QUT_CASES = [
    # the toolkit counts actor_a's rows (messages) with a partner, not posts
    ("a twice, b once: a's two rows each have b", [
        ("a", 1, 0), ("a", 1, 5), ("b", 1, 10)], {"ab": 2}),
    ("b twice, a once: a's one row", [("a", 1, 0), ("b", 1, 5), ("b", 1, 10)], {"ab": 1}),
    ("a's second row is too late for b", [("a", 1, 0), ("b", 1, 10), ("a", 1, 100)], {"ab": 1}),
    ("no repeats: the same as count", [
        ("a", 1, 0), ("b", 1, 30), ("a", 2, 100), ("b", 2, 150)], {"ab": 2}),
]


@pytest.mark.parametrize(("rows", "expected"), [c[1:] for c in QUT_CASES],
                         ids=[c[0] for c in QUT_CASES])
def test_qut_weighting_counts_the_lower_accounts_rows(rows, expected):
    assert pairs_of(co_engagement(frame_of(rows), window=60, weighting="qut")) == expected


def test_weighted_counts_a_post_by_one_over_log2_of_its_engagers():
    # post 1: a, b only (counts 1); post 2: a, b and c, d far later (4 engagers: counts 1/2)
    rows = [("a", 1, 0), ("b", 1, 1), ("a", 2, 0), ("b", 2, 1), ("c", 2, 999), ("d", 2, 999)]
    table = co_engagement(frame_of(rows), window=60).set_index(["actor_a", "actor_b"])
    assert table.loc[(0, 1), "weighted"] == pytest.approx(1.5)
    assert table.loc[(2, 3), "weighted"] == pytest.approx(0.5)


def viral(n: int = 500) -> pd.DataFrame:
    """One post engaged by ``n`` accounts one second apart (all inside a 1,000 s window)."""
    return pd.DataFrame({"actor": np.arange(n, dtype=np.int32),
                         "post": np.zeros(n, dtype=np.int32),
                         "timestamp": np.arange(n, dtype=np.float64)})


def test_a_viral_post_is_down_weighted():
    table, stats = co_engagement_with_stats(viral(), window=1000)
    assert len(table) == 500 * 499 // 2
    assert table["weighted"].max() == pytest.approx(1 / math.log2(500), rel=1e-6)
    assert (stats.capped_posts, stats.capped_rows) == (0, 0)


def test_a_viral_post_is_capped_to_its_first_engagers():
    table, stats = co_engagement_with_stats(viral(), window=1000, max_engagers=50)
    assert len(table) == 50 * 49 // 2
    assert table["actor_b"].max() == 49  # the first 50 by time
    assert (stats.capped_posts, stats.capped_rows, stats.rows) == (1, 450, 500)
    # the cap limits who is paired, not how big the post counts
    assert table["weighted"].max() == pytest.approx(1 / math.log2(500), rel=1e-6)


def random_frame(seed: int, n: int = 3000) -> pd.DataFrame:
    """Many repeats (an account engaging a post several times), ties and NaNs."""
    rng = np.random.default_rng(seed)
    time = rng.integers(0, 2000, n).astype(np.float64)
    time[rng.random(n) < 0.02] = np.nan
    return pd.DataFrame({"actor": rng.integers(0, 60, n).astype(np.int32),
                         "post": rng.integers(-1, 40, n).astype(np.int32), "timestamp": time})


def brute_force(frame: pd.DataFrame, window: float, weighting: str) -> dict[tuple[int, int], int]:
    """Every row against every row of the same post: what the counting must equal."""
    rows = frame[(frame["post"] >= 0) & frame["timestamp"].notna()].reset_index()
    both = rows.merge(rows, on="post")
    both = both[(both["actor_x"] < both["actor_y"])
                & ((both["timestamp_x"] - both["timestamp_y"]).abs() <= window)]
    unit = "post" if weighting == "count" else "index_x"
    counts = both.groupby(["actor_x", "actor_y"])[unit].nunique()
    return {(int(a), int(b)): int(w) for (a, b), w in counts.items()}


@pytest.mark.parametrize("weighting", ["count", "qut"])
@pytest.mark.parametrize(("seed", "window"), [(1, 0), (2, 30), (3, 300)])
def test_matches_brute_force_whatever_the_chunking(seed, window, weighting):
    frame = random_frame(seed)
    expected = brute_force(frame, window, weighting)
    whole, _ = co_engagement_with_stats(frame, window=window, weighting=weighting)
    got = {(a, b): w for a, b, w in whole[["actor_a", "actor_b", "weight"]].itertuples(index=False)}
    assert got == expected
    for chunk_pairs in (50, 997):
        shuffled = frame.sample(frac=1, random_state=seed)
        table, stats = co_engagement_with_stats(shuffled, window=window, weighting=weighting,
                                                chunk_pairs=chunk_pairs)
        pd.testing.assert_frame_equal(table, whole)  # bit for bit, weighted too
        assert stats.chunks > 1 or stats.candidates <= chunk_pairs


@pytest.mark.parametrize("weighting", ["count", "qut"])
def test_the_unpacked_counting_gives_the_packed_tables(monkeypatch, weighting):
    """Codes too large to pack several into an int64 (a pair key beside a unit or a size
    code, a post beside a row) fall back to pandas' drop_duplicates and argsorts: the same
    table, bit for bit."""
    from pod_detect.kernels import sorting as _sorting

    frame = random_frame(7, 6000)
    packed, _ = co_engagement_with_stats(frame, window=120, weighting=weighting, chunk_pairs=500)
    monkeypatch.setattr(_sorting, "fits", lambda *bounds: False)
    monkeypatch.setattr(Units, "__init__", _unpacked_units)
    unpacked, _ = co_engagement_with_stats(frame, window=120, weighting=weighting,
                                           chunk_pairs=500)
    pd.testing.assert_frame_equal(unpacked, packed)


def _unpacked_units(self, ticks, n_accounts, most):
    _ORIGINAL_UNITS_INIT(self, ticks, n_accounts, most)
    self.packs = False


def test_a_chunk_of_one_row_pair():
    rows = [("a", 1, 0), ("b", 1, 1), ("c", 1, 2), ("a", 2, 0), ("b", 2, 0)]
    table, stats = co_engagement_with_stats(frame_of(rows), window=60, chunk_pairs=1)
    assert pairs_of(table) == {"ab": 2, "ac": 1, "bc": 1}
    assert (stats.chunks, stats.candidates) == (3, 4)  # a row with two partners is one chunk


def test_nothing_to_pair_gives_an_empty_typed_table():
    table = co_engagement(frame_of([("a", None, 0)]), window=60)
    assert table.empty
    assert table.dtypes.astype(str).tolist() == ["int32", "int32", "int64", "float64"]
    assert table.attrs["stats"].rows == 0


@pytest.mark.parametrize("bad", [{"window": -1}, {"window": float("nan")}, {"min_weight": 0},
                                 {"max_engagers": 1}, {"weighting": "idf"}])
def test_settings_out_of_range_are_config_errors(bad):
    options = {"window": 60, **bad}
    with pytest.raises(ConfigError):
        co_engagement(frame_of([("a", 1, 0)]), **options)


# --------------------------------------------------------------------------- the QUT toolkit

needs_russian = pytest.mark.skipif(not RUSSIAN.exists(), reason="shared data not present")


def recorded(window: int, min_weight: int) -> dict[tuple[str, str], int]:
    table = pd.read_csv(RECORDED / f"qut_co_retweet_{window}s_w{min_weight}.csv", dtype=str)
    return {(a, b): int(w) for a, b, w in table.itertuples(index=False)}


def by_id(table: pd.DataFrame, accounts: np.ndarray) -> dict[tuple[str, str], int]:
    return {(accounts[a], accounts[b]): int(w)
            for a, b, w in table[["actor_a", "actor_b", "weight"]].itertuples(index=False)}


@pytest.fixture(scope="module")
def every_row() -> tuple[pd.DataFrame, np.ndarray]:
    """All rows of the Russian data, as the toolkit sees them (self-retweets, duplicates)."""
    raw = pd.read_csv(RUSSIAN, dtype=str, keep_default_na=False)
    accounts, actor = np.unique(raw["actor"].to_numpy(), return_inverse=True)
    post = np.unique(raw["post_id"].to_numpy(), return_inverse=True)[1]
    frame = pd.DataFrame({"actor": actor.astype(np.int32), "post": post.astype(np.int32),
                          "timestamp": raw["timestamp"].astype(float)})
    return frame, accounts


@pytest.fixture(scope="module")
def loaded():
    return load(RUSSIAN)


@needs_russian
@pytest.mark.parametrize(("window", "min_weight"), SETTINGS)
def test_qut_weighting_reproduces_the_toolkit_on_every_row(every_row, window, min_weight):
    frame, accounts = every_row
    table = co_engagement(frame, window=window, min_weight=min_weight, weighting="qut")
    assert by_id(table, accounts) == recorded(window, min_weight)


@needs_russian
def test_loaded_data_gives_the_toolkits_43_pairs(loaded):
    # io drops 105 self-retweets and 1 duplicate row; at 60 s, weight 2 that changes nothing
    table = co_engagement(loaded.frame, window=60, min_weight=2, weighting="qut")
    assert by_id(table, loaded.accounts) == recorded(60, 2)
    assert len(table) == 43


@needs_russian
def test_counting_posts_keeps_the_32_pairs_that_shared_two_tweets(loaded):
    posts = by_id(co_engagement(loaded.frame, window=60, min_weight=2), loaded.accounts)
    toolkit = recorded(60, 2)
    assert len(posts) == 32
    assert all(toolkit[pair] == weight for pair, weight in posts.items())
    # the other 11 shared one tweet, which the lower-id account retweeted twice within 60 s
    once = by_id(co_engagement(loaded.frame, window=60), loaded.accounts)
    assert {once[pair] for pair in set(toolkit) - set(posts)} == {1}


NAN = float("nan")
UNTIMED_CASES = [
    # (shape, rows (actor, post, t), expected pairs with untimed="any")
    ("two untimed likes of one post pair at any time", [("a", 1, NAN), ("b", 1, NAN)], {"ab": 1}),
    ("an untimed like and a timed comment never pair", [("a", 1, NAN), ("b", 1, 5)], {}),
    ("timed rows still need the window", [
        ("a", 1, 0), ("b", 1, 61), ("c", 1, NAN), ("d", 1, NAN)], {"cd": 1}),
    ("a pair counts a post once, timed or not", [
        ("a", 1, NAN), ("b", 1, NAN), ("a", 1, 0), ("b", 1, 10)], {"ab": 1}),
    ("unknown posts are still ignored", [("a", None, NAN), ("b", None, NAN)], {}),
]


@pytest.mark.parametrize(("rows", "expected"), [c[1:] for c in UNTIMED_CASES],
                         ids=[c[0] for c in UNTIMED_CASES])
def test_untimed_rows_pair_among_themselves_at_any_time(rows, expected):
    table, stats = co_engagement_with_stats(frame_of(rows), window=60, untimed="any")
    assert pairs_of(table) == expected
    untimed = [r for r in rows if r[1] is not None and math.isnan(r[2])]
    by_post: dict[int, int] = {}
    for r in untimed:
        by_post[r[1]] = by_post.get(r[1], 0) + 1
    assert stats.untimed_candidates == sum(k * (k - 1) // 2 for k in by_post.values())
    # the default leaves untimed rows out, as before
    assert pairs_of(co_engagement(frame_of(rows), window=60)) == pairs_of(
        co_engagement(frame_of([r for r in rows if not math.isnan(r[2])]), window=60))


def test_untimed_option_is_checked():
    with pytest.raises(ConfigError, match="untimed"):
        co_engagement(frame_of([("a", 1, 0)]), window=60, untimed="sometimes")


def test_which_engagers_a_capped_post_keeps_does_not_depend_on_row_order():
    # 30 accounts like 4 posts at no known time, plus one timed tie: with a cap of 10
    # engagers per post, the same 10 must be kept whatever the order of the rows
    rng = np.random.default_rng(3)
    actor = np.tile(np.arange(30), 4)
    post = np.repeat(np.arange(4), 30)
    time = np.full(len(actor), np.nan)
    time[:30] = 100.0  # post 0: every engagement at the same second
    frame = pd.DataFrame({"actor": actor, "post": post, "timestamp": time})
    results = []
    for _ in range(3):
        shuffled = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
        table = co_engagement(shuffled, window=60, min_weight=1, max_engagers=10,
                              untimed="any")
        results.append(table.sort_values(["actor_a", "actor_b"]).reset_index(drop=True))
    assert len(results[0]) > 0
    for other in results[1:]:
        pd.testing.assert_frame_equal(results[0], other)
    kept = set(results[0]["actor_a"]) | set(results[0]["actor_b"])
    assert kept == set(range(10))  # ties broken by account: the ten lowest codes


def test_window_ends_of_whole_second_times_equal_the_bisection():
    from pod_detect.candidates.pair_sums import integer_window_ends, window_ends

    rng = np.random.default_rng(5)
    for _ in range(100):
        n = int(rng.integers(1, 400))
        post = rng.integers(0, 20, n)
        time = rng.integers(0, 3_000, n).astype(float)
        order = np.lexsort((time, post))
        post, time = post[order], time[order]
        window = float(rng.integers(0, 600))
        want = np.array([i + 1 + int(((post[i + 1:] == post[i])
                                      & (time[i + 1:] - time[i] <= window)).sum())
                         for i in range(n)])
        assert np.array_equal(integer_window_ends(post, time, window), want)
        assert np.array_equal(window_ends(post, time, window), want)
    assert integer_window_ends(np.zeros(2, int), np.array([0.5, 1.0]), 60.0) is None
    # the stand-in time of untimed rows is far from exact as an offset: the bisection
    assert integer_window_ends(np.zeros(3, int), np.array([-1e18, 0.0, 61.0]), 60.0) is None
