"""The held-out benchmark's generator (benchmarks/heldout/): seeded, planted, as promised.

Only the generator is tested here; the benchmark run itself (``benchmarks/heldout.py``)
is not part of the test suite.
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import heldout  # noqa: E402
from heldout.platforms import PLATFORMS  # noqa: E402
from heldout.write import write  # noqa: E402

SMALL = {"accounts": 600, "days": 5}
FIELDS = ("actor", "post", "t", "comment", "text")


@pytest.fixture(scope="module")
def mixed() -> heldout.Export:
    return heldout.generate("mixed", 3, **SMALL)


def test_same_seed_same_rows(mixed: heldout.Export) -> None:
    again = heldout.generate("mixed", 3, **SMALL)
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(again.rows, name), getattr(mixed.rows, name))
    for platform in PLATFORMS.values():
        first, second = platform.render(mixed)[0], platform.render(again)[0]
        for column in first:
            assert list(first[column]) == list(second[column]), (platform.name, column)


def test_other_seed_other_rows(mixed: heldout.Export) -> None:
    other = heldout.generate("mixed", 4, **SMALL)
    assert len(other.rows.t) != len(mixed.rows.t) or not np.array_equal(other.rows.t,
                                                                         mixed.rows.t)


def test_every_planted_kind_and_negative_is_in_the_truth(mixed: heldout.Export) -> None:
    truth = mixed.truth(lambda ids: [str(i) for i in ids])
    kinds = {g["kind"]: g["label"] for g in truth["groups"]}
    assert set(heldout.BY_NAME["mixed"].planted) <= set(kinds)
    assert {kind for kind, _ in heldout.NEGATIVES} <= set(kinds)
    assert {kinds[k] for k in heldout.BY_NAME["mixed"].planted} == {"pod", "lockstep"}
    assert all(g["label"] == "negative" for g in truth["groups"] if g["kind"] == "fans")


def _inside(export: heldout.Export, engagers: np.ndarray, authors: np.ndarray) -> np.ndarray:
    rows, posts = export.rows, export.posts
    return np.isin(rows.actor, engagers) & np.isin(posts.author[rows.post], authors)


def test_pods_engage_each_other_in_the_rows(mixed: heldout.Export) -> None:
    for group in mixed.groups:
        if group.label != "pod":
            continue
        member_posts = np.isin(mixed.posts.author, group.members).sum()
        inside = _inside(mixed, group.members, group.members).sum()
        # rotating pods reach 15-40 members a post, the others most of them
        share = 15 / len(group.members) if group.kind == "rotating" else 0.5
        assert inside >= 0.5 * share * member_posts * (len(group.members) - 1), group.kind


def test_like_farms_react_to_their_clients_within_minutes(mixed: heldout.Export) -> None:
    farm = next(g for g in mixed.groups if g.kind == "likefarm")
    assert len(farm.targets) >= 1
    assert mixed.world.throwaway[farm.members].all()
    assert not np.isin(mixed.posts.author, farm.members).any()
    inside = _inside(mixed, farm.members, farm.targets)
    client_posts = np.isin(mixed.posts.author, farm.targets).sum()
    assert inside.sum() >= 0.5 * client_posts * len(farm.members)
    latency = mixed.rows.t[inside] - mixed.posts.t[mixed.rows.post[inside]]
    assert np.median(latency) < 600


def test_rows_are_clean(mixed: heldout.Export) -> None:
    rows, posts = mixed.rows, mixed.posts
    assert (rows.actor != posts.author[rows.post]).all()
    assert (rows.t < SMALL["days"] * 86400).all()
    assert (rows.t >= posts.t[rows.post]).all()
    assert (rows.text[~rows.comment] == "").all() and all(rows.text[rows.comment])


@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_columns_as_promised(mixed: heldout.Export, name: str, tmp_path: Path) -> None:
    platform = PLATFORMS[name]
    columns, namer = platform.render(mixed)
    assert set(columns) == set(platform.columns.values())
    assert {len(v) for v in columns.values()} == {len(mixed.rows.t)}
    truth = mixed.truth(namer)
    actors = set(map(str, columns[platform.columns["actor"]]))
    for group in truth["groups"]:
        assert set(group["members"]) & actors, group["id"]
    for suffix in platform.formats:
        path = write(columns, tmp_path / f"export.{suffix}")
        assert _header(path) == list(columns)


def _header(path: Path) -> list[str]:
    if path.name.endswith(".parquet"):
        return pq.read_schema(path).names
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        first = handle.readline()
    return list(json.loads(first)) if ".jsonl" in path.name else next(csv.reader([first]))


def test_platform_time_styles(mixed: heldout.Export) -> None:
    comment = mixed.rows.comment
    insta = PLATFORMS["instagram"].render(mixed)[0]
    assert all(v is None for v in insta["created_at"][~comment])
    assert all(v.endswith("+0000") for v in insta["created_at"][comment])
    tweets = PLATFORMS["twitter"].render(mixed)[0]
    assert tweets["timestamp_ms"].dtype == np.int64 and tweets["timestamp_ms"].min() > 1e12
    linked = PLATFORMS["linkedin"].render(mixed)[0]
    offsets = {v[-6:] for v in linked["engaged_at"]}
    assert "+05:30" in offsets and "-05:00" in offsets
