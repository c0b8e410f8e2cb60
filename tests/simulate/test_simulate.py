"""The simulator: determinism, realistic statistics, planted groups and the truth."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from pod_detect.errors import ConfigError
from pod_detect.simulate import (
    NEGATIVE_KINDS,
    PLANTED_KINDS,
    SimConfig,
    config_from_options,
    simulate,
    truth_json,
)
from pod_detect.simulate.comments import POD_TEMPLATES

SMALL = SimConfig(
    accounts=600,
    days=7,
    celebrities=3,
    viral=2,
    classic=1,
    classic_size=(6, 8),
    window_size=(6, 8),
    slow_size=(5, 6),
    rotating_size=(25, 30),
    rotating_subset=(6, 8),
    camouflage_size=(6, 8),
    likefarm_size=(8, 10),
    friends=2,
    coworkers=1,
)
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
MINUTE, HOUR = 60.0, 3600.0
TEMPLATES = tuple(t.lower() for t in POD_TEMPLATES)


@pytest.fixture(scope="module")
def sim():
    return simulate(SMALL)


@pytest.fixture(scope="module")
def frame(sim):
    """The frame with ``delay`` (seconds from post to engagement) added."""
    f = sim.frame.copy()
    f["delay"] = (
        pd.to_datetime(f["timestamp"]) - pd.to_datetime(f["post_time"])
    ).dt.total_seconds()
    return f


def groups_of(sim, kind):
    return [g for g in sim.truth["groups"] if g["kind"] == kind]


def inside(frame, members):
    """Rows where a member engages another member's post."""
    return frame[frame["actor"].isin(members) & frame["author"].isin(members)]


def organic(frame, sim):
    """Rows not between two members of the same truth group."""
    same = np.zeros(len(frame), dtype=bool)
    for g in sim.truth["groups"]:
        members = set(g["members"])
        same |= frame["actor"].isin(members).to_numpy() & frame["author"].isin(members).to_numpy()
    return frame[~same]


# -- determinism and format ------------------------------------------------------------


def test_same_seed_same_bytes(sim):
    again = simulate(SMALL)
    assert again.frame.to_csv(index=False) == sim.frame.to_csv(index=False)
    assert truth_json(again) == truth_json(sim)


def test_other_seed_differs(sim):
    other = simulate(SimConfig(**{**SMALL.__dict__, "seed": 1}))
    assert other.frame.to_csv(index=False) != sim.frame.to_csv(index=False)


def test_columns_and_formats(sim):
    f = sim.frame
    assert list(f.columns) == [
        "actor",
        "author",
        "post_id",
        "kind",
        "timestamp",
        "post_time",
        "text",
    ]
    assert set(f["kind"]) == {"like", "comment", "share"}
    assert f["timestamp"].str.match(ISO).all() and f["post_time"].str.match(ISO).all()
    assert (f["timestamp"] >= f["post_time"]).all()
    assert (f["actor"] != f["author"]).all()
    assert not f.duplicated(["actor", "post_id", "kind"]).any()
    assert (f.loc[f["kind"] != "comment", "text"] == "").all()
    assert (f.loc[f["kind"] == "comment", "text"].str.len() > 0).all()


def test_rows_are_sorted(sim):
    f = sim.frame
    keys = list(zip(f["timestamp"], f["actor"], f["post_id"], strict=True))
    assert keys == sorted(keys)


def test_default_scale():
    sim = simulate()
    assert 50_000 <= len(sim.frame) <= 150_000


# -- organic statistics ----------------------------------------------------------------


def test_organic_delays_hours_with_heavy_tail(frame, sim):
    delay = organic(frame, sim)["delay"]
    median = delay.median()
    assert 0.5 * HOUR <= median <= 3 * HOUR
    assert delay.quantile(0.95) > 4 * median
    assert delay.max() > 2 * 24 * HOUR


def test_activity_is_heavy_tailed(frame):
    counts = frame["actor"].value_counts()
    top = counts.iloc[: len(counts) // 10].sum() / counts.sum()
    assert top > 0.35
    assert counts.max() > 10 * counts.median()


def test_diurnal_cycle(frame):
    hours = np.bincount(pd.to_datetime(frame["timestamp"]).dt.hour, minlength=24)
    assert hours.max() > 4 * hours.min()


def test_organic_comments_rarely_repeat(frame, sim):
    text = organic(frame, sim).query("kind == 'comment'")["text"]
    assert text.nunique() > 0.9 * len(text)


# -- planted groups --------------------------------------------------------------------


def pair_coverage(rows, posts):
    """Share of each author's posts that each other member engaged, per ordered pair."""
    engaged = rows.groupby(["actor", "author"])["post_id"].nunique()
    total = posts.groupby("author")["post_id"].nunique()
    return engaged / engaged.index.get_level_values("author").map(total).to_numpy()


def member_posts(frame, members):
    return frame[frame["author"].isin(members)].drop_duplicates("post_id")


def test_classic_pod_engages_every_member_within_minutes(frame, sim):
    (pod,) = groups_of(sim, "classic")
    members = pod["members"]
    rows = inside(frame, members)
    posts = member_posts(frame, members)
    coverage = pair_coverage(rows, posts)
    assert len(coverage) >= 0.9 * posts["author"].nunique() * (len(members) - 1)
    assert coverage.min() >= 0.5 and coverage.mean() > 0.85
    likes = rows[rows["kind"] == "like"]["delay"]
    assert likes.median() < 15 * MINUTE
    said = rows.query("kind == 'comment'")["text"].str.lower()
    assert said.map(lambda t: t.startswith(TEMPLATES)).mean() > 0.9


def test_window_pod_engages_inside_the_window(frame, sim):
    (pod,) = groups_of(sim, "window")
    likes = inside(frame, pod["members"]).query("kind == 'like'")["delay"]
    assert (likes <= SMALL.window_minutes * MINUTE).mean() > 0.95  # misses meet organic likes
    assert likes.median() > 10 * MINUTE


def test_slow_pod_spreads_over_hours(frame, sim):
    (pod,) = groups_of(sim, "slow")
    members = pod["members"]
    rows = inside(frame, members)
    assert 1.5 * HOUR < rows.query("kind == 'like'")["delay"].median() < 5 * HOUR
    assert pair_coverage(rows, member_posts(frame, members)).mean() > 0.7


def test_rotating_pod_engages_subsets(frame, sim):
    (pod,) = groups_of(sim, "rotating")
    likes = inside(frame, pod["members"]).query("kind == 'like'")
    per_post = likes.groupby("post_id")["actor"].nunique()
    low, high = SMALL.rotating_subset
    assert per_post.quantile(0.9) <= high  # a few extra organic engagements are fine
    assert low <= per_post.median() <= high
    assert likes["delay"].median() < 15 * MINUTE
    assert likes["actor"].nunique() == len(pod["members"])


def test_likefarm_is_one_way_and_fast(frame, sim):
    (farm,) = groups_of(sim, "likefarm")
    members, clients = farm["members"], farm["clients"]
    assert not frame["author"].isin(members).any()
    rows = frame[frame["actor"].isin(members) & frame["author"].isin(clients)]
    assert set(rows["kind"]) == {"like"}
    assert rows["delay"].median() < 10 * MINUTE
    per_post = rows.groupby("post_id")["actor"].nunique()
    assert per_post.median() >= 0.8 * len(members)
    assert frame["actor"].isin(members).sum() > len(rows)  # decoy likes elsewhere


def test_camouflage_members_engage_outside_a_lot(frame, sim):
    (pod,) = groups_of(sim, "camouflage")
    theirs = frame[frame["actor"].isin(pod["members"])]
    outside = theirs[~theirs["author"].isin(pod["members"])]
    assert len(outside) > 0.4 * len(theirs)
    assert outside.groupby("actor").size().min() > 5 * SMALL.days
    likes = inside(frame, pod["members"]).query("kind == 'like'")
    assert likes["delay"].median() < 15 * MINUTE


def test_pod_members_have_organic_life(frame, sim):
    for kind in ("classic", "window", "slow", "rotating"):
        for pod in groups_of(sim, kind):
            members = pod["members"]
            to_them = frame[frame["author"].isin(members) & ~frame["actor"].isin(members)]
            by_them = frame[frame["actor"].isin(members) & ~frame["author"].isin(members)]
            contacts = set(to_them["actor"]) | set(by_them["author"])
            assert len(contacts) > len(members)


# -- negatives -------------------------------------------------------------------------


def test_friends_are_reciprocal_but_organic(frame, sim):
    reciprocated = pairs_seen = 0
    for group in groups_of(sim, "friends") + groups_of(sim, "coworkers"):
        rows = inside(frame, group["members"])
        posters = set(rows["author"])
        pairs = {(a, b) for a, b in zip(rows["actor"], rows["author"], strict=True) if a in posters}
        reciprocated += sum((b, a) in pairs for a, b in pairs)
        pairs_seen += len(pairs)
        assert rows.query("kind == 'like'")["delay"].median() > 30 * MINUTE
        text = rows.query("kind == 'comment'")["text"]
        assert text.nunique() == len(text)
    assert reciprocated >= 0.5 * pairs_seen


def test_fans_are_one_way(frame, sim):
    (fans,) = groups_of(sim, "fans")
    star = fans["celebrity"]
    to_star = frame[(frame["author"] == star) & frame["actor"].isin(fans["members"])]
    back = frame[(frame["actor"] == star) & frame["author"].isin(fans["members"])]
    assert to_star["actor"].nunique() > 0.6 * len(fans["members"])
    assert len(back) < 0.05 * len(to_star)


def test_viral_post_is_one_burst(frame, sim):
    for group in groups_of(sim, "viral"):
        rows = frame[frame["post_id"] == group["post_id"]]
        assert set(group["members"]) <= set(rows["actor"])
        assert len(group["members"]) > 30
        bursty = rows[rows["actor"].isin(group["members"])]
        assert bursty["actor"].isin(group["members"]).all()


# -- truth and options -----------------------------------------------------------------


def test_truth_lists_every_group(sim):
    truth = json.loads(truth_json(sim))
    kinds = [g["kind"] for g in truth["groups"]]
    for kind in PLANTED_KINDS:
        assert kinds.count(kind) == getattr(SMALL, kind)
    for kind, count in zip(NEGATIVE_KINDS, (2, 1, 1, 2), strict=True):
        assert kinds.count(kind) == count
    assert len({g["id"] for g in truth["groups"]}) == len(truth["groups"])
    for g in truth["groups"]:
        assert g["label"] == PLANTED_KINDS.get(g["kind"], "negative")
        assert g["members"] == sorted(g["members"])
    assert truth["rows"] == len(sim.frame)
    assert truth["accounts"] == len(set(sim.frame["actor"]) | set(sim.frame["author"]))
    assert truth["seed"] == 0 and truth["config"]["accounts"] == 600


def test_planted_and_negative_groups_are_disjoint(sim):
    seen: set[str] = set()
    for g in sim.truth["groups"]:
        if g["kind"] in PLANTED_KINDS or g["kind"] in ("friends", "coworkers"):
            assert not seen & set(g["members"])
            seen |= set(g["members"])


@pytest.mark.parametrize(
    ("option", "dropped"),
    [
        ("without_timestamps", {"timestamp", "post_time"}),
        ("without_text", {"text"}),
        ("without_post_ids", {"post_id"}),
    ],
)
def test_degrade_options_drop_columns(sim, option, dropped):
    degraded = simulate(SimConfig(**{**SMALL.__dict__, option: True}))
    assert set(sim.frame.columns) - set(degraded.frame.columns) == dropped
    assert len(degraded.frame) == len(sim.frame)


def test_kinds_can_be_switched_off():
    sim = simulate(
        config_from_options(
            accounts=300,
            days=5,
            classic=0,
            window=0,
            slow=0,
            rotating=0,
            camouflage=0,
            likefarm=0,
            friends=0,
            coworkers=0,
            fans=0,
            viral=0,
            celebrities=2,
        )
    )
    assert sim.truth["groups"] == []
    assert len(sim.frame) > 1000


def test_config_from_options_parses_loose_values():
    config = config_from_options(seed="7", classic_size="5-9", window=None, without_text="true")
    assert config.seed == 7 and config.classic_size == (5, 9) and config.without_text
    assert config.window == SimConfig().window
    assert config_from_options(slow_size=4).slow_size == (4, 4)
    assert config.to_dict()["classic_size"] == [5, 9]


@pytest.mark.parametrize(
    "options",
    [
        {"colour": "red"},
        {"classic_size": "9-5"},
        {"classic_size": "a-b"},
        {"accounts": 0},
        {"accounts": "many"},
        {"fans": 9},
        {"start": "March"},
    ],
)
def test_bad_options_raise(options):
    with pytest.raises(ConfigError):
        config_from_options(**options)


def test_too_many_groups_for_the_accounts():
    with pytest.raises(ConfigError, match="not enough accounts"):
        simulate(SimConfig(accounts=100, rotating_size=(90, 95)))
