"""Tails of the distributions the null models and tests use, as plain array functions.

``scipy.special`` computes the same values as the ``scipy.stats`` distributions (whose
``sf`` methods call these functions after checking their arguments), without importing
``scipy.stats``, which costs about half a second of every start-up (a second of CPU in
the thread that imports it while the export is read), and without the argument checks,
which cost more than the tail itself on millions of pairs. The one-sided Fisher test is
a sum of hypergeometric terms in log space; the tests hold it to ``scipy.stats``.
"""

from __future__ import annotations

import numpy as np


def poisson_tail(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """P(X >= observed) for X ~ Poisson(expected): 1 where nothing was observed."""
    from scipy import special  # on first use: its import is a fifth of a second of start-up

    observed = np.asarray(observed)
    tail = np.asarray(special.pdtrc(observed - 1, expected), dtype=np.float64)
    tail[observed <= 0] = 1.0
    return tail


def chi2_tail(statistic: np.ndarray | float, dof: int) -> np.ndarray:
    """P(X >= statistic) for X ~ chi-squared with ``dof`` degrees of freedom."""
    from scipy import special

    return special.chdtrc(dof, statistic)


def binomial_tail(successes: np.ndarray, trials: np.ndarray, p: np.ndarray) -> np.ndarray:
    """P(X >= successes) for X ~ Binomial(trials, p): 1 at or below no success, 0 above
    ``trials``. The regularised incomplete beta function ``I_p(k, n - k + 1)``, which gives
    the very numbers ``scipy.stats.binom.sf(k - 1, n, p)`` does (both are Boost's)."""
    from scipy import special

    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    inside = (k >= 1) & (k <= n)
    tail = special.betainc(np.where(inside, k, 1.0), np.where(inside, n - k + 1, 1.0), p)
    return np.where(inside, tail, np.where(k < 1, 1.0, 0.0))


def fisher_greater(a: int, b: int, c: int, d: int) -> float:
    """The one-sided (odds ratio above one) p-value of Fisher's exact test on the table
    ``[[a, b], [c, d]]``, as ``scipy.stats.fisher_exact(..., alternative="greater")``
    gives it: 1 when a row or a column is empty; else P(X <= b) for X the first row's
    count in the second column, hypergeometric with the margins fixed."""
    if min(a + b, c + d, a + c, b + d) == 0:
        return 1.0
    total, first_row, draws = a + b + c + d, a + b, b + d
    low, high = max(0, draws - (total - first_row)), min(b, first_row, draws)
    if high < low:
        return 0.0
    x = np.arange(low, high + 1, dtype=np.float64)
    log_terms = (_log_choose(first_row, x) + _log_choose(total - first_row, draws - x)
                 - _log_choose(total, draws))
    top = float(log_terms.max())
    return min(1.0, float(np.exp(top) * np.exp(log_terms - top).sum()))


def _log_choose(n: float, k: np.ndarray | float) -> np.ndarray:
    """log C(n, k) by log-gamma."""
    from scipy.special import gammaln

    k = np.asarray(k, dtype=np.float64)
    return gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0)
