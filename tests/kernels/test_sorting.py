"""The sort-based group-by helpers against numpy's and pandas' own answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pod_detect.kernels import sorting as _sorting


def keys(seed: int, n: int, bound: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, bound, n)


@pytest.mark.parametrize(("n", "bound"), [(0, 5), (1, 5), (7, 3), (5000, 40), (20_000, 2**40)])
def test_stable_order_is_the_stable_argsort(n, bound):
    key = keys(n, n, bound)
    assert np.array_equal(_sorting.stable_order(key, bound), np.argsort(key, kind="stable"))


def test_stable_order_of_keys_too_wide_to_pack_falls_back_to_the_argsort():
    key = keys(3, 1000, 2**60)
    assert not _sorting.fits(2**60, 1001)
    assert np.array_equal(_sorting.stable_order(key, 2**60), np.argsort(key, kind="stable"))


@pytest.mark.parametrize(("n", "bound"), [(0, 5), (1, 5), (9, 2), (5000, 300), (3000, 2**61)])
def test_factorize_numbers_keys_as_pandas_does(n, bound):
    key = keys(n + 1, n, bound)
    codes, counts = _sorting.factorize(key, bound)
    want, uniques = pd.factorize(key, sort=False)
    assert np.array_equal(codes, want)
    assert np.array_equal(counts, np.bincount(want, minlength=len(uniques)))


@pytest.mark.parametrize("n", [0, 1, 2, 5000])
def test_unique_counts_runs_starts_and_lengths(n):
    key = keys(n + 2, n, 60)
    values, counts = np.unique(key, return_counts=True)
    assert np.array_equal(_sorting.unique(key), values)
    got_values, got_counts = _sorting.counts(key)
    assert np.array_equal(got_values, values) and np.array_equal(got_counts, counts)
    ordered = np.sort(key)
    first = _sorting.starts(ordered)
    assert np.array_equal(first, np.searchsorted(ordered, values))
    assert np.array_equal(_sorting.lengths(first, n), counts)
    assert np.array_equal(_sorting.runs(ordered)[1], counts)
