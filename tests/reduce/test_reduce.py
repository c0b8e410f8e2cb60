"""The vectorised aggregates on exports small enough to count by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import build, organic

from pod_detect.io import parse
from pod_detect.reduce import latency_of, places, reduce

# a posts p1, p2 (t=0, t=100); b posts q1 (t=1000).
# b engages p1 at +10 s and p2 at +30 s; c engages p1 at +500 s; a engages q1 at +60 s twice
# (a like and a comment); nobody gives a post time, so it is the first engagement's.
ROWS = [
    ("b", "a", "p1", 10.0, 0.0),
    ("b", "a", "p2", 130.0, 100.0),
    ("c", "a", "p1", 500.0, 0.0),
    ("a", "b", "q1", 1060.0, 1000.0),
    ("a", "b", "q1", 1061.0, 1000.0),
]


@pytest.fixture
def reduced():
    data = build(ROWS)
    return data, reduce(data)


def pair(data, reduced, actor, author):
    code = {name: i for i, name in enumerate(data.accounts)}
    pairs = reduced.pairs
    row = pairs[(pairs["actor"] == code[actor]) & (pairs["author"] == code[author])]
    assert len(row) == 1
    return row.iloc[0]


def test_pair_counts_distinct_posts_and_coverage(reduced):
    data, red = reduced
    ba = pair(data, red, "b", "a")
    assert (ba["engagements"], ba["posts"], ba["coverage"]) == (2, 2, 1.0)
    ca = pair(data, red, "c", "a")
    assert (ca["engagements"], ca["posts"], ca["coverage"]) == (1, 1, 0.5)
    ab = pair(data, red, "a", "b")
    assert (ab["engagements"], ab["posts"], ab["coverage"]) == (2, 1, 1.0)
    assert len(red.pairs) == 3


def latencies(data, reduced, actor, author):
    """The latencies of ``actor``'s rows on ``author``'s posts, sorted."""
    code = {name: i for i, name in enumerate(data.accounts)}
    frame = data.frame
    rows = frame[(frame["actor"] == code[actor]) & (frame["author"] == code[author])]
    return sorted(latency_of(rows, reduced.posts).tolist())


def test_latency_is_measured_from_the_post_time(reduced):
    data, red = reduced
    assert latencies(data, red, "b", "a") == pytest.approx([10.0, 30.0])
    assert latencies(data, red, "a", "b") == pytest.approx([60.0, 61.0])


def test_latency_without_post_time_starts_at_the_first_engagement():
    data = build(ROWS, drop=("post_time",))
    red = reduce(data)
    assert latencies(data, red, "c", "a") == pytest.approx([490.0])  # 500 - first (10)
    assert latencies(data, red, "b", "a") == pytest.approx([0.0, 0.0])  # the first ones


def test_account_table(reduced):
    data, red = reduced
    code = {name: i for i, name in enumerate(data.accounts)}
    accounts = red.accounts
    assert accounts.loc[code["a"], ["given", "received", "posts", "authors"]].tolist() == [
        1, 3, 2, 1]
    assert accounts.loc[code["c"], ["given", "received", "posts"]].tolist() == [1, 0, 0]


def test_null_model_discounts_popular_authors():
    # A small account engaged 4 times by one account is unlikely; a celebrity engaged 4 times
    # by a fan who engages the celebrity's many posts, and little else, is expected.
    rows = organic(n_accounts=60)
    rows += [("x", "y", f"y{k}", 100.0 * k + 5, 100.0 * k) for k in range(4)]
    rows += [(f"fan{i}", "celeb", f"c{k}", 10.0 * k + i, 10.0 * k)
             for i in range(50) for k in range(4)]
    data = build(rows)
    red = reduce(data)
    small, fan = pair(data, red, "x", "y"), pair(data, red, "fan0", "celeb")
    assert small["pvalue"] < 1e-6 < fan["pvalue"]
    assert small["lift"] > fan["lift"]
    assert math.isclose(small["expected"] * small["lift"], small["posts"])


def positions(data):
    """Each row's place among its post's timed engagements, by account and post id."""
    frame = data.frame
    timed = frame[frame["timestamp"].notna()]
    got = places(frame["post"].to_numpy(), frame["timestamp"].to_numpy(),
                 timed["post"].to_numpy(), timed["timestamp"].to_numpy())
    return {(str(data.accounts[a]), str(data.posts[p])): v for a, p, v in zip(
        frame["actor"], frame["post"], got, strict=True)}


def test_position_orders_each_posts_timed_engagements_from_0_to_1():
    frame = pd.DataFrame({
        "actor": ["a", "b", "c", "d", "a", "b"], "author": ["x"] * 6,
        "post_id": ["p1", "p1", "p1", "p2", "p2", "p3"],
        "timestamp": ["30", "10", "20", "1", "5", "7"],
    })
    got = positions(parse(frame, source="t.csv"))
    assert got[("b", "p1")] == 0.0 and got[("c", "p1")] == 0.5 and got[("a", "p1")] == 1.0
    assert got[("d", "p2")] == 0.0 and got[("a", "p2")] == 1.0
    assert np.isnan(got[("b", "p3")])  # alone on its post


def test_tied_times_share_their_middle_place_whatever_the_order():
    frame = pd.DataFrame({
        "actor": ["a", "b", "c", "d"], "author": ["x"] * 4, "post_id": ["p"] * 4,
        "timestamp": ["10", "20", "20", "30"],
    })
    for shuffled in (frame, frame.iloc[::-1]):
        got = positions(parse(shuffled, source="t.csv"))
        assert {a: v for (a, _), v in got.items()} == {"a": 0.0, "b": 0.5, "c": 0.5, "d": 1.0}


def mixed_export() -> pd.DataFrame:
    """Rows with and without post ids, authors and times, duplicated engagements, post
    times given for some posts only: every branch of the reduce step."""
    rng = np.random.default_rng(7)
    n = 3_000
    frame = pd.DataFrame({
        "actor": [f"u{i}" for i in rng.integers(0, 120, n)],
        "author": [f"u{i}" for i in rng.integers(0, 60, n)],
        "post_id": [f"p{i}" for i in rng.integers(0, 400, n)],
        "timestamp": (1_700_000_000 + rng.integers(0, 86_400, n)).astype(str),
    })
    frame["author"] = frame["post_id"].map(
        {f"p{i}": f"u{i % 60}" for i in range(400)})  # one author per post
    frame.loc[rng.random(n) < 0.1, "post_id"] = ""  # no post id: each row a post
    frame.loc[rng.random(n) < 0.1, "timestamp"] = ""  # untimed
    frame.loc[rng.random(n) < 0.05, "author"] = ""  # author named by other rows, or unknown
    given = rng.random(n) < 0.5
    frame["post_time"] = np.where(given, frame["timestamp"], "")
    return pd.concat([frame, frame.iloc[:200]], ignore_index=True)  # exact copies too


@pytest.mark.parametrize("source", ["mixed", "linkedin_pods.csv", "no_timestamps.csv"])
def test_the_sorting_reduce_equals_the_dataframe_reduce(source):
    from pod_detect.io import load
    from pod_detect.reduce import reduce_arrays, reduce_frames

    if source == "mixed":
        data = parse(mixed_export(), source="mixed.csv")
    else:
        data = load(str(Path(__file__).resolve().parents[2] / "examples" / source))
    fast, general = reduce_arrays(data), reduce_frames(data)
    for name in ("posts", "pairs", "accounts"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(general, name),
                                      check_exact=True)
    assert len(fast.pairs) > 0


def test_the_report_and_the_detectors_measure_latency_alike():
    """One definition: the report's latencies (HTML, explain) are the detectors', from the
    post times of the whole export, even when the report keeps only some rows (a Dask
    scan's localised report): a post whose first engagement is dropped keeps its time."""
    from dataclasses import replace

    from pod_detect.pipeline import scan
    from pod_detect.report.analysis import latency

    rows = [("b", "a", "p1", 10.0, None), ("c", "a", "p1", 70.0, None),
            ("d", "a", "p2", 5.0, 0.0), ("c", "a", "p2", 95.0, 0.0)]
    data = build(rows)
    report = scan(data)
    frame = data.frame
    expected = latency_of(frame, reduce(data).posts)
    assert np.allclose(latency(report), expected, equal_nan=True)
    kept = frame[frame["actor"] == list(data.accounts).index("c")]
    local = replace(report, interactions=replace(data, frame=kept))
    assert np.allclose(latency(local), expected[kept.index.to_numpy()], equal_nan=True)
    assert sorted(latency(local).tolist()) == [60.0, 95.0]
