"""A generalised-variance interval for a town's prevalence when its schools are clusters.

With 5–20 schools, a town's own design SE of a rare outcome rests on a handful of school
means: the logit interval on schools − 1 df (R ``svyciprop(method = "logit")``) covers the
community prevalence only 86–93 % of the time at p = 3 % and ICC 0.05–0.1 (coverage study,
docs/statistics.md). The design effect of a cluster sample is well described by Kish's
model deff = 1 + (m̄ − 1)·ρ (m̄ students per school, ρ the intraclass correlation), and ρ
of an indicator is a property of how the outcome gathers in schools, which every town of
the file shares: pooled over all the file's schools it is estimated from hundreds of
schools instead of five. This is the generalised variance function approach of national
surveys (Wolter, *Introduction to Variance Estimation*, ch. 7; Korn & Graubard 1998).

* :func:`anova_icc`: the one-way ANOVA estimator of ρ with schools as groups (Searle,
  Casella & McCulloch, *Variance Components*, §3.5), and its df; not clipped at 0.
* :func:`wilson_t` / :func:`score_test`: the Wilson (score) interval with the effective
  n = n / deff and a t quantile on the file's df, and the score test it is dual to, so the
  interval shown and the test beside it always agree (a baseline value is rejected exactly
  when it lies outside the interval; with the baseline's own sampling error added to the
  variance the interval of the difference is the matching one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Icc:
    """Per indicator: the pooled intraclass correlation, its df and the counts behind it."""

    rho: FloatArray  # may be slightly negative (unbiased at 0); NaN where it cannot be estimated (< 2 schools)
    df: FloatArray  # schools with data − groups (municipality × stratum) with data
    schools: FloatArray  # schools with at least one answer


def anova_icc(y: NDArray[np.floating], school: NDArray[np.integer], group: NDArray[np.integer]) -> Icc:
    """ρ̂ = (MSB − MSW) / (MSB + (m₀ − 1)·MSW) per column of ``y`` (0/1/NaN), schools as groups.

    MSB = Σ n_s (ȳ_s − ȳ)² / (S − 1), MSW = Σ_s Σ_i (y_i − ȳ_s)² / (N − S) and
    m₀ = (N − Σ n_s² / N) / (S − 1), the ANOVA mean group size for unequal groups; NaN
    answers leave the column's count. ``group`` (the stratum each school lies in) only sets
    the df: S − G, as the whole file's design df under clusters."""
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    codes, school = np.unique(np.asarray(school), return_inverse=True)
    n_s = len(codes)
    seen = ~np.isnan(y)
    yz = np.where(seen, y, 0.0)
    k = y.shape[1]
    cnt = np.zeros((n_s, k))
    tot = np.zeros((n_s, k))
    np.add.at(cnt, school, seen.astype(np.float64))
    np.add.at(tot, school, yz)
    group_of = np.zeros(n_s, dtype=np.int64)
    group_of[school] = np.asarray(group)
    return icc_from_sums(cnt, tot, group_of)


def icc_from_sums(cnt: NDArray[np.floating], tot: NDArray[np.floating], group_of: NDArray[np.integer]) -> Icc:
    """:func:`anova_icc` from its sufficient statistics: per school (rows, in the order of
    the school codes) and column the answers ``cnt`` and the flagged ``tot``, and the
    group of every school. Counts are whole numbers, so sums of them taken per part of
    the file (a municipality on a Dask worker) are exactly the whole file's."""
    k = cnt.shape[1]
    n = cnt.sum(axis=0)
    grand = np.divide(tot.sum(axis=0), n, out=np.full(k, np.nan), where=n > 0)
    mean_s = np.divide(tot, cnt, out=np.zeros_like(tot), where=cnt > 0)
    S = (cnt > 0).sum(axis=0).astype(np.float64)
    ssb = (cnt * (mean_s - grand) ** 2).sum(axis=0)
    # 0/1 data: Σ y² = Σ y within a school, so SSW = Σ_s (t_s − t_s²/n_s) without a second pass
    ssw = (tot - np.divide(tot**2, cnt, out=np.zeros_like(tot), where=cnt > 0)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        msb = ssb / (S - 1)
        msw = ssw / (n - S)
        m0 = (n - (cnt**2).sum(axis=0) / n) / (S - 1)
        rho = (msb - msw) / (msb + (m0 - 1) * msw)
    # not clipped at 0: at a true ICC of 0 half the estimates are negative, and clipping them would
    # bias the design effect up (intervals too wide: 0.975 coverage in the study); bounded so deff > 0
    floor = np.where(m0 > 1, -0.5 / np.maximum(m0 - 1, 1e-9), 0.0)
    rho = np.where((S >= 2) & (n > S), np.clip(np.nan_to_num(rho, nan=0.0), floor, 1.0), np.nan)
    # groups with data per column: a school lies in one group
    groups = np.array([np.unique(group_of[cnt[:, j] > 0]).size for j in range(k)], dtype=np.float64)
    return Icc(rho=rho, df=S - groups, schools=S)


def design_effect(rho: FloatArray, mean_size: FloatArray, kish: FloatArray) -> FloatArray:
    """Kish's deff = (1 + (m̄ − 1)·ρ) × the weighting effect n·Σw²/(Σw)²; the clustering
    factor is at least ½ (ρ̂ < 0 happens when the true ICC is about 0)."""
    return np.maximum(1.0 + np.maximum(mean_size - 1.0, 0.0) * rho, 0.5) * kish


def effective_n(n_eff: FloatArray, df: FloatArray, level: float) -> FloatArray:
    """n_eff × (z/t_df)²: the effective n shrunk for the df of the variance model behind it
    (Korn & Graubard 1998, as R ``svyciprop(method = "beta")``), so an interval on n_eff
    widens as a t interval would on ``df``; NaN where df < 1."""
    z = stats.norm.isf((1 - level) / 2)
    t = stats.t.isf((1 - level) / 2, np.where(df >= 1, df, 1.0))
    return np.where(df >= 1, n_eff * (z / t) ** 2, np.nan)


def jeffreys(p: FloatArray, n_eff: FloatArray, df: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    """The equal-tailed Jeffreys interval (Brown, Cai & DasGupta 2001) on n* = :func:`effective_n`:
    the α/2 and 1 − α/2 quantiles of Beta(x + ½, n* − x + ½), x = p̂·n*; 0 (1) as the lower
    (upper) end at p̂ = 0 (1). Its asymmetry follows the skew of a rare outcome's estimate,
    which a symmetric-variance interval (Wald, Wilson) misses on the side that raises false alarms."""
    n = effective_n(n_eff, df, level)
    a = (1 - level) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        x = p * n
        lo = np.where(p > 0, stats.beta.ppf(a, x + 0.5, n - x + 0.5), 0.0)
        hi = np.where(p < 1, stats.beta.isf(a, x + 0.5, n - x + 0.5), 1.0)
    ok = (n > 0) & np.isfinite(p)
    return np.where(ok, lo, np.nan), np.where(ok, hi, np.nan)


def jeffreys_test(p: FloatArray, n_eff: FloatArray, df: FloatArray, p0: FloatArray, n0: FloatArray,
                  level: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Two-sided p = 2·min(F(p₀), 1 − F(p₀)), F the Beta(x + ½, n* − x + ½) distribution
    function of :func:`jeffreys`, and the interval for p − p₀; p < 1 − ``level`` exactly when
    p₀ lies outside the Jeffreys interval, so test and interval agree.

    ``n0`` NaN or 0: the baseline is a fixed value. With a baseline n its binomial variance
    is added on the same scale: n = 1/(1/n_eff + 1/n₀) in place of n_eff."""
    own = np.where(n0 > 0, 1.0 / np.where(n0 > 0, n0, 1.0), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_all = 1.0 / (1.0 / n_eff + own)
        n = effective_n(n_all, df, level)
        x = p * n
        cdf = stats.beta.cdf(p0, x + 0.5, n - x + 0.5)
        pval = np.minimum(1.0, 2.0 * np.minimum(cdf, 1.0 - cdf))
    lo, hi = jeffreys(p, n_all, df, level)
    ok = (p0 > 0) & (p0 < 1) & (n > 0) & np.isfinite(p)
    return (np.where(ok, pval, np.nan), np.where(ok, lo - p0, np.nan), np.where(ok, hi - p0, np.nan))
