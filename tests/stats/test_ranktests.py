"""The Mann-Whitney test against scipy's on samples with and without ties, small and large."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from pod_detect.stats.ranktests import Sample, mann_whitney_less


@pytest.mark.parametrize("seed", range(6))
def test_the_same_statistic_and_p_value_as_scipy(seed):
    rng = np.random.default_rng(seed)
    for _ in range(200):
        n1, n2 = int(rng.integers(1, 15)), int(rng.integers(1, 40))
        if seed % 2:  # integer seconds: ties within and across the samples
            x = rng.integers(0, 30, n1).astype(float)
            y = rng.integers(0, 40, n2).astype(float)
        else:  # no ties: the exact distribution whenever a sample has at most 8 values
            x, y = rng.random(n1), rng.random(n2) + 0.3 * rng.random()
        u, p = mann_whitney_less(x, Sample.of(y))
        want = stats.mannwhitneyu(x, y, alternative="less")
        assert u == pytest.approx(want.statistic, abs=1e-9)
        assert p == pytest.approx(want.pvalue, rel=1e-9, abs=1e-300)


def test_a_clearly_earlier_sample_is_significant_and_a_later_one_is_not():
    rng = np.random.default_rng(1)
    base = Sample.of(rng.exponential(3600, 5000))
    assert mann_whitney_less(rng.exponential(60, 40), base)[1] < 1e-10
    assert mann_whitney_less(rng.exponential(36000, 40), base)[1] > 0.5


def test_exact_tail_of_a_tiny_sample():
    # x below every y: U = 0, and P(U2 >= 6) over C(5, 2) = 10 rankings is 1 / 10
    u, p = mann_whitney_less(np.array([0.1, 0.2]), Sample.of(np.array([1.0, 2.0, 3.0])))
    assert u == 0.0 and p == pytest.approx(0.1)
