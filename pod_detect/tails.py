"""Upper tails of the distributions the null models use, as plain ufuncs.

``scipy.special`` computes the same values as the ``scipy.stats`` distributions (whose
``sf`` methods call these functions after checking their arguments), without importing
``scipy.stats``, which costs about half a second of every start-up, and without the
argument checks, which cost more than the tail itself on millions of pairs.
"""

from __future__ import annotations

import numpy as np


def poisson_tail(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """P(X >= observed) for X ~ Poisson(expected): 1 where nothing was observed."""
    from scipy import special  # on first use: its import is a fifth of a second of start-up

    observed = np.asarray(observed)
    tail = special.pdtrc(observed - 1, expected)
    return np.where(observed <= 0, 1.0, tail)


def chi2_tail(statistic: np.ndarray | float, dof: int) -> np.ndarray:
    """P(X >= statistic) for X ~ chi-squared with ``dof`` degrees of freedom."""
    from scipy import special

    return special.chdtrc(dof, statistic)
