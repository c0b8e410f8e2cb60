"""Baseline samples: the rows whose identity hashes lowest, whatever the row order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pod_detect.engines.frames import SAMPLE_KEY, row_hashes, sample, sample_rows

KEY = [*SAMPLE_KEY, "text"]


def frame(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "actor": rng.integers(0, 500, rows).astype("int32"),
        "author": rng.integers(0, 50, rows).astype("int32"),
        "post": rng.integers(0, 300, rows).astype("int32"),
        "timestamp": rng.integers(0, 10**6, rows).astype("float64"),
        "text": pd.Series([f"t{i % 37}" for i in range(rows)], dtype=object),
    })


def even_actors(rows: pd.DataFrame) -> np.ndarray:
    return (rows["actor"].to_numpy() % 2 == 0)


def test_the_sample_does_not_depend_on_row_order_nor_on_precomputed_hashes() -> None:
    rows = frame(5_000)
    picked = sample(rows, even_actors, KEY, 300).reset_index(drop=True)
    assert len(picked) == 300 and (picked["actor"] % 2 == 0).all()
    shuffled = rows.sample(frac=1.0, random_state=3).reset_index(drop=True)
    again = sample(shuffled, even_actors, KEY, 300, row_hashes(shuffled))
    pd.testing.assert_frame_equal(again.reset_index(drop=True), picked)
    positions = sample_rows(shuffled, even_actors, KEY, 300, row_hashes(shuffled))
    pd.testing.assert_frame_equal(shuffled.iloc[positions][KEY].reset_index(drop=True), picked)


def test_all_rows_when_there_are_few() -> None:
    rows = frame(100)
    picked = sample(rows, even_actors, KEY, 1_000)
    assert len(picked) == int(even_actors(rows).sum())


def test_rows_of_one_identity_are_ordered_by_their_other_values() -> None:
    rows = pd.concat([frame(50)] + [frame(1).assign(text=t) for t in ("b", "c", "a")],
                     ignore_index=True)
    everyone = sample(rows, lambda r: np.ones(len(r), dtype=bool), KEY, len(rows))
    twins = everyone[everyone["text"].isin(["a", "b", "c"])
                     & (everyone["actor"] == rows["actor"].iloc[-1])]
    assert twins["text"].tolist() == ["a", "b", "c"]
    reversed_rows = rows.iloc[::-1].reset_index(drop=True)
    again = sample(reversed_rows, lambda r: np.ones(len(r), dtype=bool), KEY, len(rows))
    pd.testing.assert_frame_equal(again.reset_index(drop=True), everyone.reset_index(drop=True))


def test_the_sample_is_about_uniform() -> None:
    rows = frame(40_000, seed=1)
    picked = sample(rows, lambda r: np.ones(len(r), dtype=bool), KEY, 4_000)
    for column, values in (("actor", 500), ("post", 300)):
        share = (picked[column] < values // 2).mean()
        assert abs(share - (rows[column] < values // 2).mean()) < 0.03
