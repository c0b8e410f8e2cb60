"""log10 evidence: the bounds hold against scipy's exact figures, and the scan correction
separates a chance trio from a farm."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from pod_detect.stats.evidence import (
    FIVE_SIGMA,
    LARGE_H,
    SMALLEST,
    cohens_h,
    log10_binomial_tail,
    log10_choose,
    log10_fisher,
    log10_group_structure,
    log10_of,
    stricter_levels,
)


@pytest.mark.parametrize("k,n,p", [(3, 3, 0.001), (9, 10, 0.001), (5, 100, 0.01),
                                   (40, 45, 0.001), (2, 10, 0.05), (60, 190, 0.02)])
def test_the_binomial_bound_is_never_below_the_exact_tail(k, n, p):
    exact = math.log10(stats.binom.sf(k - 1, n, p))
    bound = log10_binomial_tail(k, n, p)
    assert exact <= bound + 1e-9
    assert bound - exact < 0.5 * math.log10(n) + 1.0  # and not loose beyond sqrt(n)


def test_no_excess_is_no_evidence():
    assert log10_binomial_tail(1, 1000, 0.001) == 0.0
    assert log10_binomial_tail(0, 10, 0.5) == 0.0


@pytest.mark.parametrize("pvalues", [[1e-5, 0.5], [1e-5, 1e-3, 0.2], [0.01, 0.02], [0.9, 0.8]])
def test_fisher_agrees_with_scipy(pvalues):
    ours = log10_fisher([math.log10(p) for p in pvalues])
    assert ours == pytest.approx(math.log10(stats.combine_pvalues(pvalues).pvalue), abs=1e-9)


def test_fisher_works_where_floats_underflow():
    combined = log10_fisher([-9000.0, -3.0])
    assert -9000.0 < combined < -8990.0  # a second weak test lowers it a little, no more
    assert log10_fisher([-12.0]) == -12.0 and log10_fisher([]) == 0.0


def test_a_dense_trio_among_many_accounts_is_what_chance_gives():
    # three pairs each significant at 0.001 happen among 100,000 accounts by the thousand
    assert log10_group_structure(3, 3, 0.001, 3, 100_000) == 0.0


def test_a_farm_whose_pairs_all_coengage_is_overwhelming():
    pairs = 30 * 29 // 2
    assert log10_group_structure(pairs, pairs, 0.001, 30, 100_000) < math.log10(FIVE_SIGMA)
    # and a sparser one still: 30% of its pairs
    assert log10_group_structure(pairs * 3 // 10, pairs, 0.001, 30, 100_000) < -50


def test_choose_and_log_of():
    assert log10_choose(10, 3) == pytest.approx(math.log10(120))
    assert log10_choose(3, 5) == 0.0
    assert log10_of(0.0) == SMALLEST and log10_of(1e-5) == pytest.approx(-5)


def test_cohens_h_is_the_arcsine_difference_with_cohens_reference_points():
    assert cohens_h(0.5, 0.5) == 0.0
    assert cohens_h(1.0, 0.0) == pytest.approx(math.pi)
    # Cohen's table: 0.65 against 0.35 is a difference of about 0.61
    assert cohens_h(0.65, 0.35) == pytest.approx(0.6094, abs=1e-3)
    assert cohens_h(0.35, 0.65) == pytest.approx(-cohens_h(0.65, 0.35))
    assert LARGE_H == 0.8


def test_strong_links_make_a_sparse_group_significant_and_weak_ones_do_not():
    alpha, possible, size, eligible = 0.01, 300 * 299 // 2, 300, 5000
    # 500 links among 44,850 pairs is what alpha alone predicts (about 449)
    assert log10_group_structure(500, possible, alpha, size, eligible) == 0.0
    # the same links, 400 of them at p <= alpha**8 (1e-16), are no accident
    strong = log10_group_structure(500, possible, alpha, size, eligible, [450, 420, 400])
    assert strong < -1000
    # links no stronger than alpha: the stricter levels add nothing, and cost their test
    weak = log10_group_structure(500, possible, alpha, size, eligible, [5, 0, 0])
    assert weak == 0.0
    dense = log10_group_structure(40, 45, alpha, 10, eligible)
    assert log10_group_structure(40, 45, alpha, 10, eligible, [0, 0, 0]) == pytest.approx(
        dense + math.log10(4))


def test_the_stricter_levels_square_alpha():
    assert stricter_levels(0.01) == pytest.approx([1e-4, 1e-8, 1e-16])
