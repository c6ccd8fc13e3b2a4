"""Unweighted (simple random sample) statistics for proportions.

Every function is vectorised: arguments broadcast against each other like numpy
arrays, results are ``float64`` arrays of the broadcast shape, and a result that
is undefined (``n = 0``, a baseline of exactly 0 or 1, a pooled proportion of 0
or 1, ...) is ``NaN`` rather than an exception or a warning.

The closed forms are used instead of per-element library calls so that a whole
profile is computed at once; the test-suite checks them against R (``prop.test``,
``binom.test``, ``p.adjust``) and against statsmodels on random inputs.
See ``docs/statistics.md`` for which function is used where.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

FloatArray = NDArray[np.float64]

__all__ = [
    "clopper_pearson_interval",
    "cohens_h",
    "newcombe_interval",
    "normal_quantile",
    "score_test_fixed",
    "two_proportion_test",
    "wilson_interval",
]


def normal_quantile(level: float) -> float:
    """Two-sided standard normal critical value z_{1-alpha/2} for a confidence ``level``."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level!r}")
    return float(special.ndtri(0.5 + level / 2.0))


def _counts(x: ArrayLike, n: ArrayLike) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """Broadcast ``x``/``n`` to float arrays and mark the pairs that are usable (0 <= x <= n, n > 0)."""
    xa, na = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(n, dtype=np.float64))
    with np.errstate(invalid="ignore"):
        ok = (na > 0) & (xa >= 0) & (xa <= na)
    return xa, na, ok


def _safe_ratio(num: FloatArray, den: FloatArray, ok: NDArray[np.bool_]) -> FloatArray:
    out = np.full(np.shape(ok), np.nan)
    np.divide(num, den, out=out, where=ok)
    return out


def wilson_interval(x: ArrayLike, n: ArrayLike, level: float = 0.95) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for ``x`` successes out of ``n`` (R ``prop.test(x, n, correct=FALSE)``).

    centre = (p + z²/2n) / (1 + z²/n); half-width = z/(1 + z²/n) · sqrt(p(1-p)/n + z²/4n²).
    The limits are exactly 0 at ``x = 0`` and exactly 1 at ``x = n``; ``n = 0`` (or an
    impossible count) gives ``(NaN, NaN)``.
    """
    xa, na, ok = _counts(x, n)
    z2 = normal_quantile(level) ** 2
    p = _safe_ratio(xa, na, ok)
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = 1.0 + z2 / na
        centre = (p + z2 / (2.0 * na)) / denom
        half = np.sqrt(z2) / denom * np.sqrt(p * (1.0 - p) / na + z2 / (4.0 * na * na))
    low = np.where(xa == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(xa == na, 1.0, np.clip(centre + half, 0.0, 1.0))
    return np.where(ok, low, np.nan), np.where(ok, high, np.nan)


def clopper_pearson_interval(
    x: ArrayLike, n: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Clopper–Pearson ("exact") interval (R ``binom.test(x, n)$conf.int``).

    The conservative fallback when a design-based logit interval is undefined
    (p̂ = 0 or 1). Limits are 0 at ``x = 0`` and 1 at ``x = n``; ``n = 0`` gives NaN.
    """
    xa, na, ok = _counts(x, n)
    alpha = 1.0 - level
    with np.errstate(invalid="ignore"):
        low = stats.beta.ppf(alpha / 2.0, xa, na - xa + 1.0)
        high = stats.beta.ppf(1.0 - alpha / 2.0, xa + 1.0, na - xa)
    low = np.where(xa == 0, 0.0, low)
    high = np.where(xa == na, 1.0, high)
    return np.where(ok, low, np.nan), np.where(ok, high, np.nan)


def score_test_fixed(x: ArrayLike, n: ArrayLike, p0: ArrayLike) -> FloatArray:
    """Two-sided p of the score test of ``x/n`` against a fixed baseline ``p0``.

    z = (p̂ - p0) / sqrt(p0(1-p0)/n), the variance taken under the null (this is
    R ``prop.test(x, n, p=p0, correct=FALSE)`` and statsmodels
    ``proportions_ztest(x, n, value=p0, prop_var=p0)``; statsmodels' default Wald
    variance is *not* used). ``n = 0`` or ``p0`` outside (0, 1) gives NaN.
    """
    xa, na, ok = _counts(x, n)
    p0a = np.broadcast_to(np.asarray(p0, dtype=np.float64), xa.shape)
    with np.errstate(invalid="ignore"):
        ok = ok & (p0a > 0.0) & (p0a < 1.0)
    p = _safe_ratio(xa, na, ok)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (p - p0a) / np.sqrt(p0a * (1.0 - p0a) / na)
    return np.where(ok, 2.0 * special.ndtr(-np.abs(z)), np.nan)


def two_proportion_test(x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike) -> FloatArray:
    """Two-sided p of the pooled z-test of p1 = p2 (R ``prop.test(c(x1,x2), c(n1,n2), correct=FALSE)``).

    z = (p̂1 - p̂2) / sqrt(p̄(1-p̄)(1/n1 + 1/n2)) with the pooled p̄; z² is R's X².
    Undefined (NaN) when either n is 0 or the pooled proportion is 0 or 1.
    """
    a1, b1, ok1 = _counts(x1, n1)
    a2, b2, ok2 = _counts(x2, n2)
    a1, b1, a2, b2, ok1, ok2 = np.broadcast_arrays(a1, b1, a2, b2, ok1, ok2)
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = (a1 + a2) / (b1 + b2)
        ok = ok1 & ok2 & (pooled > 0.0) & (pooled < 1.0)
        z = (a1 / b1 - a2 / b2) / np.sqrt(pooled * (1.0 - pooled) * (1.0 / b1 + 1.0 / b2))
    return np.where(ok, 2.0 * special.ndtr(-np.abs(z)), np.nan)


def newcombe_interval(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Newcombe hybrid-score interval (method 10) for p1 - p2 from two independent samples.

    With Wilson limits (l_i, u_i) and d = p̂1 - p̂2:
    L = d - sqrt((p̂1 - l1)² + (u2 - p̂2)²), U = d + sqrt((u1 - p̂1)² + (p̂2 - l2)²).
    Equals statsmodels ``confint_proportions_2indep(..., method="newcomb", compare="diff")``.
    NaN when either sample is empty.
    """
    l1, u1 = wilson_interval(x1, n1, level)
    l2, u2 = wilson_interval(x2, n2, level)
    a1, b1, _ = _counts(x1, n1)
    a2, b2, _ = _counts(x2, n2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = a1 / b1, a2 / b2
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)


def cohens_h(p1: ArrayLike, p2: ArrayLike) -> FloatArray:
    """Cohen's h = 2·asin(sqrt(p1)) - 2·asin(sqrt(p2)); NaN when a proportion is outside [0, 1]."""
    a, b = np.broadcast_arrays(np.asarray(p1, dtype=np.float64), np.asarray(p2, dtype=np.float64))
    with np.errstate(invalid="ignore"):
        ok = (a >= 0.0) & (a <= 1.0) & (b >= 0.0) & (b <= 1.0)
        h = 2.0 * np.arcsin(np.sqrt(np.where(ok, a, 0.0))) - 2.0 * np.arcsin(np.sqrt(np.where(ok, b, 0.0)))
    return np.where(ok, h, np.nan)
