"""Tiny hand-built exports: an organic background and planted shapes on top of it."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import settings

from pod_detect.io import parse
from pod_detect.kernels import fast_paths
from pod_detect.model import Interactions


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--general-paths", action="store_true",
        help="run every test with the pandas engine's fast paths off (the general dataframe "
             "paths the Dask engine takes; pod_detect.kernels.fast_paths)")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--general-paths"):
        os.environ[fast_paths.ENVIRONMENT] = "1"  # the CLI's subprocesses too
        fast_paths.disable()


def pytest_report_header(config: pytest.Config) -> str:
    off = [name for name in fast_paths.FAST_PATHS if not fast_paths.enabled(name)]
    return f"pod-detect fast paths off: {', '.join(off) or 'none'}"

# Hypothesis: "ci" (the default) keeps tests/test_properties.py under a minute; "long" runs
# 20 times as many examples (HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py).
settings.register_profile("ci", max_examples=100, deadline=None)
settings.register_profile("long", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
RUSSIAN = SHARED_DATA / "russian_coord_tweets.csv"
DAY = 86_400.0
HOUR = 3_600.0

COLUMNS = ["actor", "author", "post_id", "timestamp", "post_time"]


def organic(n_accounts: int = 80, posts_each: int = 4, seed: int = 1) -> list[tuple]:
    """Accounts ``o0..`` posting a few times, each post engaged by a few random accounts
    (more for popular ones), hours after the post."""
    rng = np.random.default_rng(seed)
    popularity = rng.pareto(1.5, n_accounts) + 1
    weights = popularity / popularity.sum()
    rows = []
    for author, k in itertools.product(range(n_accounts), range(posts_each)):
        post_time = rng.uniform(0, 14 * DAY)
        audience = min(n_accounts - 1, 1 + rng.poisson(3 * popularity[author]))
        for actor in rng.choice(n_accounts, size=audience, replace=False, p=weights):
            if actor != author:
                delay = rng.lognormal(np.log(2 * HOUR), 1.0)
                rows.append((f"o{actor}", f"o{author}", f"o{author}-{k}", post_time + delay,
                             post_time))
    return rows


def round_rows(members: list[str], posts_each: int, delay, share: float = 1.0,
               seed: int = 2, prefix: str = "") -> list[tuple]:
    """Each member posts ``posts_each`` times; each other member engages each post with
    probability ``share`` after ``delay(rng)`` seconds."""
    rng = np.random.default_rng(seed)
    rows = []
    for author, k in itertools.product(members, range(posts_each)):
        post_time = (k + rng.uniform(0, 1)) * DAY
        for actor in members:
            if actor != author and rng.random() < share:
                rows.append((actor, author, f"{prefix}{author}-{k}", post_time + delay(rng),
                             post_time))
    return rows


def outside_rows(members: list[str], n_accounts: int = 80, per_member: int = 6,
                 seed: int = 3) -> list[tuple]:
    """Members engaging organic accounts' posts, at organic delays (camouflage)."""
    rng = np.random.default_rng(seed)
    rows = []
    for actor in members:
        for target in rng.choice(n_accounts, size=per_member, replace=False):
            post_time = rng.uniform(0, 14 * DAY)
            rows.append((actor, f"o{target}", f"o{target}-by-{actor}",
                         post_time + rng.lognormal(np.log(2 * HOUR), 1.0), post_time))
    return rows


def farm_rows(farm: list[str], clients, posts_each: int = 8, seed: int = 6) -> list[tuple]:
    """A like-farm: accounts that never post, liking nearly every post of their clients
    (``posts_each`` posts a day apart) within minutes."""
    rng = np.random.default_rng(seed)
    rows = []
    for client, k in itertools.product(clients, range(posts_each)):
        post_time = (k + rng.uniform(0, 1)) * DAY
        for actor in farm:
            if rng.random() < 0.95:
                rows.append((actor, client, f"{client}-farmed-{k}",
                             post_time + rng.lognormal(np.log(240), 0.5), post_time))
    return rows


def fast(rng) -> float:
    return rng.lognormal(np.log(300), 0.4)


def slow(rng) -> float:
    return rng.lognormal(np.log(2 * HOUR), 1.0)


def build(rows: list[tuple], drop: tuple[str, ...] = ()) -> Interactions:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("timestamp", "post_time"):
        frame[column] = frame[column].round(3).astype(str)
    return parse(frame.drop(columns=list(drop)), source="test.csv")


@pytest.fixture
def pod_members() -> list[str]:
    return [f"pod{i}" for i in range(6)]


#: A hand-made co-engagement export (actor, post, seconds) of 4 accounts and 4 posts, whose
#: pairs tests/report/test_pairs.py works out by hand.
#: Within 60 s (inclusive), by post:
#: p1: a-b (30 s), b-d (31 s), c-d (39 s); a-c 100, a-d 61, b-c 70 are outside.
#: p2: a-b (exactly 60 s); c and d are 70 s or more from everyone.
#: p3: a (twice, 2000 and 2030), c, d within 20 s of each other; b is 80 s after d.
#: p4: a-b (5 s).
HAND = [
    ("a", "p1", 0), ("b", "p1", 30), ("c", "p1", 100), ("d", "p1", 61),
    ("a", "p2", 1000), ("b", "p2", 1060), ("c", "p2", 1200), ("d", "p2", 1130),
    ("a", "p3", 2000), ("a", "p3", 2030), ("c", "p3", 2010), ("d", "p3", 2020),
    ("b", "p3", 2100),
    ("a", "p4", 3000), ("b", "p4", 3005),
]
