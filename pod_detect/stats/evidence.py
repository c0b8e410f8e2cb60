"""How improbable a group is under the null models, in log10 so that nothing underflows.

A farm of a hundred accounts whose four thousand pairs all co-engage far beyond chance has
a p-value near 1e-9000: a float says 0, and 0 cannot be compared with another 0 or
combined with a timing test. Everything here works on ``log10(p)``.

- :func:`log10_group_structure`: a group of ``k`` accounts of which ``linked`` of the
  ``possible`` pairs are edges of a candidate graph, when each pair becomes an edge with
  probability at most ``alpha`` under the null model (that is how the edges were chosen).
  The binomial upper tail is bounded by Chernoff's ``exp(-n KL(k/n || alpha))`` (never
  smaller than the exact tail: conservative) and multiplied by the number of groups of
  ``k`` accounts among the ``eligible`` ones, ``C(eligible, k)``: the scan statistic's
  union bound over every group the search could have returned, so that a dense trio found
  among a million accounts is what chance gives, while a hundred accounts that all
  co-engage are not.
- :func:`log10_fisher`: Fisher's method for independent p-values (the structure and the
  behaviour tests), with the chi-squared tail of ``2m`` degrees of freedom in closed form.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

#: The p-value of a five-sigma deviation (one-sided normal tail at 5): the discovery
#: standard of particle physics, used as the evidence a ``high`` verdict needs.
FIVE_SIGMA = 2.866515718791939e-07

_LN10 = math.log(10.0)


def log10_choose(n: int, k: int) -> float:
    """``log10(C(n, k))`` (0 outside ``0 <= k <= n``)."""
    if k < 0 or k > n:
        return 0.0
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)) / _LN10


def log10_binomial_tail(successes: int, trials: int, p: float) -> float:
    """An upper bound on ``log10 P(X >= successes)``, ``X ~ Binomial(trials, p)``
    (Chernoff-Hoeffding: ``-trials * KL(successes / trials || p)``); 0 when
    ``successes <= trials * p``."""
    if trials <= 0 or successes <= trials * p:
        return 0.0
    q = successes / trials
    kl = q * math.log(q / p)
    if q < 1.0:
        kl += (1.0 - q) * math.log((1.0 - q) / (1.0 - p))
    return -trials * kl / _LN10


#: How many stricter levels :func:`log10_group_structure` also counts links at: ``alpha``
#: squared, to the fourth and to the eighth power.
STRICTER = 3


def stricter_levels(alpha: float) -> list[float]:
    """The levels after ``alpha`` at which a group's links are also counted."""
    return [alpha ** (2 ** j) for j in range(1, STRICTER + 1)]


def log10_group_structure(linked: int, possible: int, alpha: float, size: int,
                          eligible: int, stricter: Sequence[int] | None = None) -> float:
    """``log10`` of the corrected p-value of a group's structure (see the module): at most 0.

    ``stricter``, when given, counts the group's links whose own p-value is at most each of
    :func:`stricter_levels`: a sparse group (a campaign of batches, each a handful of
    accounts) has few links among all its pairs, but links far stronger than ``alpha``
    asks, and under the null a pair's p-value is at most ``t`` with probability ``t``. The
    smallest tail over the levels is taken, Bonferroni-corrected for the levels tried."""
    tail = log10_binomial_tail(linked, possible, alpha)
    if stricter is not None:
        levels = stricter_levels(alpha)
        tails = [log10_binomial_tail(k, possible, t) for k, t in zip(stricter, levels,
                                                                      strict=True)]
        tail = min([tail, *tails]) + math.log10(1 + len(levels))
    return min(0.0, tail + log10_choose(max(eligible, size), size))


def log10_fisher(log10_pvalues: Sequence[float]) -> float:
    """``log10`` of Fisher's combined p-value of independent tests given as ``log10(p)``.

    The statistic ``x = -2 sum(ln p)`` has a chi-squared tail with ``2m`` degrees of
    freedom, ``exp(-x/2) sum_{j<m} (x/2)^j / j!``, summed here in log space."""
    values = [min(0.0, v) for v in log10_pvalues]
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    half = -sum(values) * _LN10  # x / 2
    if half <= 0.0:
        return 0.0
    terms = [j * math.log(half) - math.lgamma(j + 1) for j in range(len(values))]
    top = max(terms)
    total = top + math.log(sum(math.exp(t - top) for t in terms))
    return min(0.0, (-half + total) / _LN10)


#: ``log10`` of the smallest positive double: a p-value that underflowed to 0 is at least
#: this small, and is read as this (conservative).
SMALLEST = math.log10(5e-324)


def log10_of(pvalue: float) -> float:
    """``log10(p)``; a p-value that underflowed to 0 counts as :data:`SMALLEST`."""
    return math.log10(pvalue) if pvalue > 0 else SMALLEST


#: Cohen's "large" difference between two proportions (Cohen 1988, ch. 6): h = 0.8.
LARGE_H = 0.8


def cohens_h(observed: Any, expected: Any) -> Any:
    """Cohen's h, ``2 asin(sqrt(observed)) - 2 asin(sqrt(expected))``: the difference
    between two proportions on the scale where equal differences are equally detectable
    (0.2 small, 0.5 medium, 0.8 large). Numbers or numpy arrays, clipped to [0, 1]."""
    return (2.0 * np.arcsin(np.sqrt(np.clip(observed, 0.0, 1.0)))
            - 2.0 * np.arcsin(np.sqrt(np.clip(expected, 0.0, 1.0))))


def effect(structure: Any, behaviour: Any) -> Any:
    """The effect part of a verdict (:mod:`pod_detect.scoring`): the structure confirmed
    by itself or by behaviour, ``1 - (1 - s^3)(1 - s b)``. Numbers or numpy arrays."""
    return 1.0 - (1.0 - structure ** 3) * (1.0 - structure * behaviour)
