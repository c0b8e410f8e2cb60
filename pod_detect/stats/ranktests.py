"""The one-sided Mann-Whitney U test, for the hundreds of small tests a scan makes.

The statistic and its p-value follow the textbook definitions (midranks for ties; the
exact null distribution when one sample has at most 8 values and nothing is tied; else
the normal approximation with tie and continuity corrections), as ``scipy.stats``
computes them, without the per-call overhead of its general-purpose wrapper, which cost
more than the test itself on a scan's hundreds of candidate groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pod_detect.kernels import sorting as _sorting

#: Largest sample, on the smaller side, for which the exact null distribution is used.
EXACT_MAX = 8


@dataclass(frozen=True)
class Sample:
    """A sample sorted once, to be tested against many others.

    Attributes
    ----------
    values
        The values, sorted.
    tie_term
        The sum of ``t**3 - t`` over its runs of ``t`` equal values.
    tied
        Whether two of its values are equal.
    """

    values: np.ndarray
    tie_term: float
    tied: bool

    @classmethod
    def of(cls, values: np.ndarray) -> Sample:
        ordered = np.sort(np.asarray(values, dtype=np.float64))
        tie = _sorting.runs(ordered)[1]
        return cls(ordered, float((tie**3 - tie).sum()), bool((tie > 1).any()))


def mann_whitney_less(x: np.ndarray, y: Sample) -> tuple[float, float]:
    """``U`` of ``x`` and the p-value of "``x`` tends to be smaller than ``y``".

    ``x`` and ``y`` hold at least one value each, none NaN. ``U`` counts, over every pair
    of a value ``a`` of ``x`` and ``b`` of ``y``, 1 when ``b < a`` and 1/2 when they are
    equal; a few binary searches in the sorted ``y`` give it, and the ties it needs.
    """
    x = np.sort(np.asarray(x, dtype=np.float64))
    n1, n2 = len(x), len(y.values)
    below = np.searchsorted(y.values, x, side="left")
    equal = np.searchsorted(y.values, x, side="right") - below
    u1 = float(below.sum()) + 0.5 * float(equal.sum())
    u2 = n1 * n2 - u1  # large when x is small
    # runs of equal values of x and y together: x's runs grow the runs of y they join
    first = _sorting.starts(x)
    own = _sorting.lengths(first, n1)
    theirs = equal[first]
    joined = own + theirs
    tie_term = y.tie_term + float((joined**3 - joined - (theirs**3 - theirs)).sum())
    tied = y.tied or bool((joined > 1).any())
    if (n1 <= EXACT_MAX or n2 <= EXACT_MAX) and not tied:
        p = _exact_tail(int(round(u2)), n1, n2)
    else:
        from scipy import special  # on first use: its import is a fifth of a second of start-up

        n = n1 + n2
        spread = np.sqrt(n1 * n2 / 12.0 * ((n + 1) - tie_term / (n * (n - 1))))
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (u2 - n1 * n2 / 2.0 - 0.5) / spread
        p = float(special.ndtr(-z))
    return u1, min(max(p, 0.0), 1.0)


def _exact_tail(u: int, n1: int, n2: int) -> float:
    """P(U >= u) when there are no ties: U counts the pairs (a from the first sample, b
    from the second) with b < a, and its frequencies over the ``C(n1 + n2, n1)`` equally
    likely rankings are the coefficients of the Gaussian binomial coefficient
    ``prod_{i=1..m} (1 - q^(k + i)) / (1 - q^i)`` (``m`` the smaller sample, ``k`` the other)."""
    m, k = min(n1, n2), max(n1, n2)
    top = m * k
    ways = np.zeros(top + 1)
    ways[0] = 1.0
    for i in range(1, m + 1):
        ways[k + i:] -= ways[:top + 1 - (k + i)].copy()  # times (1 - q^(k + i))
        for start in range(i):  # divided by (1 - q^i): a running sum with stride i
            np.cumsum(ways[start::i], out=ways[start::i])
    if u <= 0:
        return 1.0
    if u > top:
        return 0.0
    return float(ways[u:].sum() / ways.sum())
