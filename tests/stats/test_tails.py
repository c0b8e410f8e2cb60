"""The tails in pod_detect.stats.tails against the scipy.stats distributions they stand in for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from pod_detect.stats.tails import binomial_tail, chi2_tail, fisher_greater, poisson_tail

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("seed", range(3))
def test_binomial_tail_is_scipys_binomial_survival_to_the_last_bit(seed):
    rng = np.random.default_rng(seed)
    trials = rng.integers(1, 5000, 50_000)
    successes = (rng.random(50_000) * (trials + 1)).astype(np.int64)
    p = rng.random(50_000) ** 3
    got = binomial_tail(successes, trials, p)
    want = stats.binom.sf(successes - 1, trials, p)
    assert np.array_equal(got, want)


def test_binomial_tail_at_the_edges():
    got = binomial_tail(np.array([0, -1, 6, 5, 3, 3]), np.array([5, 5, 5, 5, 5, 5]),
                        np.array([0.3, 0.3, 0.3, 0.3, 0.0, 1.0]))
    assert got.tolist() == pytest.approx([1.0, 1.0, 0.0, 0.3**5, 0.0, 1.0])


@pytest.mark.parametrize("seed", range(4))
def test_fisher_greater_is_scipys_one_sided_fisher_test(seed):
    rng = np.random.default_rng(seed)
    for _ in range(1500):
        n, m = int(rng.integers(0, 3000)), int(rng.integers(0, 8000))
        b = int(rng.binomial(m, rng.random()))
        share = b / m if m else rng.random()
        k = int(min(n, rng.binomial(n, min(1.0, share * (0.5 + rng.random())))))
        want = stats.fisher_exact([[k, n - k], [b, m - b]], alternative="greater").pvalue
        got = fisher_greater(k, n - k, b, m - b)
        assert got == pytest.approx(want, rel=1e-9, abs=1e-300)


def test_fisher_greater_on_small_and_empty_tables():
    for table in ([[3, 0], [0, 3]], [[0, 3], [3, 0]], [[1, 1], [1, 1]], [[0, 0], [2, 5]],
                  [[4, 1], [0, 0]], [[2, 0], [5, 0]], [[5, 2], [1, 9]]):
        (a, b), (c, d) = table
        want = stats.fisher_exact(table, alternative="greater").pvalue
        assert fisher_greater(a, b, c, d) == pytest.approx(want, rel=1e-12)


def test_poisson_and_chi2_tails_are_scipys():
    rng = np.random.default_rng(5)
    observed = rng.integers(0, 50, 10_000)
    expected = rng.random(10_000) * 30
    want = np.where(observed <= 0, 1.0, stats.poisson.sf(observed - 1, expected))
    assert np.array_equal(poisson_tail(observed, expected), want)
    statistic = rng.random(1000) * 40
    assert np.array_equal(chi2_tail(statistic, 3), stats.chi2.sf(statistic, 3))


def test_a_scan_does_not_import_scipy_stats():
    """scipy.stats costs about half a second of start-up; a scan needs none of it."""
    code = (
        "import sys\n"
        "from pod_detect.io import load\n"
        "from pod_detect.pipeline import scan\n"
        f"report = scan(load({str(EXAMPLES / 'linkedin_pods.csv')!r}))\n"
        "assert report.groups\n"
        "print(sorted(m for m in sys.modules if m.startswith('scipy.stats')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
