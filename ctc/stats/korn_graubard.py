"""Korn–Graubard (design-based Clopper–Pearson) interval and its dual test.

R ``svyciprop(method="beta")`` (survey 4.1): the effective sample size
n* = p̂(1 − p̂)/V̂ is shrunk by the design's degrees of freedom,
n* · (t_{n−1, α/2} / t_{df, α/2})², with n the rows of the (domain) design, and the
limits are the Clopper–Pearson limits at x* = n*·p̂ successes out of n* (non-integer):
L = qbeta(α/2, x*, n* − x* + 1), U = qbeta(1 − α/2, x* + 1, n* − x*).

The profile keeps the logit interval (docs/statistics.md, "Coverage study"); this one is
measured beside it in ``bench/bench_coverage.py``. The dual test rejects at α exactly
when the interval excludes p0.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

FloatArray = NDArray[np.float64]


def effective_n(p: ArrayLike, se: ArrayLike, n: ArrayLike, df: ArrayLike, level: float = 0.95) -> FloatArray:
    """n* of R ``svyciprop(method="beta")``; NaN where p̂ ∉ (0, 1), SE ≤ 0, n < 2 or df < 1."""
    p, se, n, df = (np.asarray(a, dtype=np.float64) for a in (p, se, n, df))
    alpha = 1.0 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = (p > 0) & (p < 1) & (se > 0) & (n >= 2) & (df >= 1)
        factor = (stats.t.ppf(alpha / 2, np.where(ok, n - 1, 1.0)) / stats.t.ppf(alpha / 2, np.where(ok, df, 1.0))) ** 2
        out = p * (1 - p) / se**2 * factor
    return np.where(ok, out, np.nan)


def korn_graubard_interval(p: ArrayLike, se: ArrayLike, n: ArrayLike, df: ArrayLike,
                           level: float = 0.95) -> tuple[FloatArray, FloatArray]:
    """(lower, upper) of R ``svyciprop(method="beta")``; NaN where :func:`effective_n` is."""
    p = np.asarray(p, dtype=np.float64)
    ne = effective_n(p, se, n, df, level)
    alpha = 1.0 - level
    x = ne * p
    with np.errstate(invalid="ignore"):
        low = stats.beta.ppf(alpha / 2, x, ne - x + 1)
        high = stats.beta.ppf(1 - alpha / 2, x + 1, ne - x)
    return low, high


def korn_graubard_test(p: ArrayLike, se: ArrayLike, n: ArrayLike, df: ArrayLike, p0: ArrayLike,
                       level: float = 0.95) -> FloatArray:
    """Two-sided p dual to :func:`korn_graubard_interval`: the exact binomial test at x*, n*
    (continuous in x*), p = min(1, 2·min(P(Beta(x*, n*−x*+1) ≤ p0), P(Beta(x*+1, n*−x*) ≥ p0)))."""
    p, p0 = np.asarray(p, dtype=np.float64), np.asarray(p0, dtype=np.float64)
    ne = effective_n(p, se, n, df, level)
    x = ne * p
    with np.errstate(invalid="ignore"):
        upper_tail = stats.beta.cdf(p0, x, ne - x + 1)  # P(X >= x* | p0)
        lower_tail = stats.beta.sf(p0, x + 1, ne - x)  # P(X <= x* | p0)
        out = np.minimum(1.0, 2.0 * np.minimum(upper_tail, lower_tail))
    return np.where((p0 > 0) & (p0 < 1), out, np.nan)
