"""The generalised-variance interval under clusters (ctc.stats.gvf) against independent references:
scipy's one-way ANOVA F for the ICC, statsmodels' Jeffreys interval, exact duality of test and interval."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from ctc.stats.gvf import anova_icc, design_effect, effective_n, jeffreys, jeffreys_test


def _clustered(rng: np.random.Generator, sizes: list[int], icc: float, p: float) -> tuple[np.ndarray, np.ndarray]:
    total = 1 / icc - 1
    p_s = rng.beta(p * total, (1 - p) * total, size=len(sizes))
    school = np.repeat(np.arange(len(sizes)), sizes)
    return (rng.random(school.size) < p_s[school]).astype(float), school


def test_icc_equals_the_anova_f_route_for_unequal_schools() -> None:
    # rho = (F - 1) / (F + n0 - 1) with scipy's F and the ANOVA mean group size n0 (Searle et al. 3.5)
    rng = np.random.default_rng(1)
    sizes = list(rng.integers(20, 90, size=40))
    y, school = _clustered(rng, sizes, 0.08, 0.2)
    groups = [y[school == s] for s in range(len(sizes))]
    f = stats.f_oneway(*groups).statistic
    n, k = y.size, len(sizes)
    n0 = (n - sum(s * s for s in sizes) / n) / (k - 1)
    got = anova_icc(y[:, None], school, np.zeros(n, dtype=int))
    assert got.rho[0] == pytest.approx((f - 1) / (f + n0 - 1), rel=1e-12)
    assert got.schools[0] == 40 and got.df[0] == 39


def test_icc_skips_missing_answers_and_counts_df_per_stratum() -> None:
    rng = np.random.default_rng(2)
    y, school = _clustered(rng, [50] * 30, 0.05, 0.3)
    y2 = y.copy()
    y2[::7] = np.nan
    keep = ~np.isnan(y2)
    strata = school // 10  # 3 municipalities of 10 schools
    both = anova_icc(np.column_stack([y2, y]), school, strata)
    alone = anova_icc(y[keep][:, None], school[keep], strata[keep])
    assert both.rho[0] == pytest.approx(alone.rho[0], rel=1e-12)
    assert list(both.df) == [27, 27]


def test_icc_is_about_zero_without_clustering_and_recovers_a_planted_one() -> None:
    rng = np.random.default_rng(3)
    flat = anova_icc((rng.random((60 * 40, 200)) < 0.1).astype(float), np.repeat(np.arange(60), 40), np.zeros(2400, int))
    assert abs(flat.rho.mean()) < 0.003 and (flat.rho < 0).any()  # not clipped: unbiased at 0
    planted = [anova_icc(*_yschool(rng), np.zeros(6000, int)).rho[0] for _ in range(40)]
    assert np.mean(planted) == pytest.approx(0.1, abs=0.015)


def _yschool(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y, school = _clustered(rng, [100] * 60, 0.1, 0.3)
    return y[:, None], school


def test_jeffreys_equals_statsmodels_and_the_plain_interval_when_there_is_no_design_effect() -> None:
    counts, n = np.array([0, 1, 4, 17, 60, 99, 100]), 100.0
    big_df = np.full(counts.size, 1e12)  # no df shrinkage
    deff = design_effect(np.zeros(counts.size), np.full(counts.size, 25.0), np.ones(counts.size))
    assert (deff == 1).all()
    lo, hi = jeffreys(counts / n, n / deff, big_df, 0.95)
    ref_lo, ref_hi = proportion_confint(counts, n, alpha=0.05, method="jeffreys")
    # statsmodels keeps the beta quantile at x = 0 (n); Brown, Cai & DasGupta set that end to 0 (1), as we do
    ref_lo[0], ref_hi[-1] = 0.0, 1.0
    assert lo == pytest.approx(ref_lo, rel=1e-9, abs=1e-12) and hi == pytest.approx(ref_hi, rel=1e-9, abs=1e-12)


def test_design_effect_and_df_shrink_the_effective_n_as_kish_and_korn_graubard_say() -> None:
    deff = design_effect(np.array([0.05]), np.array([41.0]), np.array([1.2]))
    assert deff[0] == pytest.approx((1 + 40 * 0.05) * 1.2)
    n_star = effective_n(np.array([300.0]), np.array([9.0]), 0.95)
    assert n_star[0] == pytest.approx(300 * (stats.norm.isf(0.025) / stats.t.isf(0.025, 9)) ** 2)
    # a design effect widens the interval
    narrow = jeffreys(np.array([0.05]), np.array([400.0]), np.array([50.0]), 0.95)
    wide = jeffreys(np.array([0.05]), np.array([400.0 / deff[0]]), np.array([50.0]), 0.95)
    assert wide[0][0] < narrow[0][0] and wide[1][0] > narrow[1][0]


@pytest.mark.parametrize("n0", [np.nan, 800.0])
def test_the_test_rejects_exactly_when_the_baseline_lies_outside_the_interval(n0: float) -> None:
    rng = np.random.default_rng(4)
    k = 4000
    p = rng.uniform(0.01, 0.6, k)
    n_eff = rng.uniform(15, 600, k)
    df = rng.integers(4, 200, k).astype(float)
    p0 = np.clip(p + rng.normal(0, 0.06, k), 0.005, 0.99)
    pval, lo, hi = jeffreys_test(p, n_eff, df, p0, np.full(k, n0), 0.95)
    assert np.isfinite(pval).all()
    outside = (lo > 0) | (hi < 0)
    assert ((pval < 0.05) == outside).all()
    if np.isnan(n0):  # a fixed baseline: the difference's interval is the shown interval minus p0
        s_lo, s_hi = jeffreys(p, n_eff, df, 0.95)
        assert lo == pytest.approx(s_lo - p0) and hi == pytest.approx(s_hi - p0)
    else:  # the baseline's own error widens it
        s_lo, s_hi = jeffreys(p, n_eff, df, 0.95)
        assert (hi - lo > s_hi - s_lo).all()
