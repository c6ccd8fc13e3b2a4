"""Unweighted statistics against R (shared/domain/statistics.md §2.4) and statsmodels.

R values were printed with 10 decimals, so they are compared at atol 1e-10 (the rounding
of the printout; the brief asks for 1e-9). statsmodels is an independent implementation
of the same formulas and is compared at rtol 1e-12 on random inputs.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportion_effectsize,
    proportions_ztest,
)

from ctc.stats import (
    bh_adjust,
    clopper_pearson_interval,
    cohens_h,
    newcombe_interval,
    normal_quantile,
    score_test_fixed,
    two_proportion_test,
    wilson_interval,
)

R_ATOL = 1e-10
SM_RTOL = 1e-12


# --- R reference values (x = 7, n = 50; 18/64 vs 9/58) ---------------------------------------


def test_wilson_matches_r_prop_test() -> None:
    low, high = wilson_interval(7, 50)
    assert (float(low), float(high)) == pytest.approx((0.0695083343, 0.2618619371), abs=R_ATOL)


def test_clopper_pearson_matches_r_binom_test() -> None:
    low, high = clopper_pearson_interval(7, 50)
    assert (float(low), float(high)) == pytest.approx((0.0581917003, 0.2673960025), abs=R_ATOL)


def test_score_test_matches_r_prop_test_against_p0() -> None:
    assert float(score_test_fixed(7, 50, 0.25)) == pytest.approx(0.0724480135, abs=R_ATOL)


def test_pooled_z_matches_r_prop_test_two_samples() -> None:
    assert float(two_proportion_test(18, 64, 9, 58)) == pytest.approx(0.0938863461, abs=R_ATOL)


def test_newcombe_matches_r_hand_coded() -> None:
    low, high = newcombe_interval(18, 64, 9, 58)
    assert (float(low), float(high)) == pytest.approx((-0.0226482913, 0.2657523946), abs=R_ATOL)


def test_cohens_h_matches_r() -> None:
    assert float(cohens_h(18 / 64, 9 / 58)) == pytest.approx(0.3081961595, abs=R_ATOL)


def test_bh_matches_r_p_adjust() -> None:
    p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.060, 0.074, 0.205, 0.212, 0.216]
    expected = [0.010, 0.040, 0.084, 0.084, 0.084, 0.100, 0.1057142857, 0.216, 0.216, 0.216]
    np.testing.assert_allclose(bh_adjust(p), expected, atol=R_ATOL, rtol=0)


# --- statsmodels on random inputs -------------------------------------------------------------


@pytest.fixture(scope="module")
def counts() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    n = rng.integers(1, 400, size=200)
    return rng.integers(0, n + 1), n


def test_wilson_equals_statsmodels(counts: tuple[np.ndarray, np.ndarray]) -> None:
    x, n = counts
    for level in (0.9, 0.95, 0.99):
        ours = wilson_interval(x, n, level)
        theirs = proportion_confint(x, n, alpha=1 - level, method="wilson")
        np.testing.assert_allclose(ours, theirs, rtol=SM_RTOL, atol=1e-15)


def test_clopper_pearson_equals_statsmodels(counts: tuple[np.ndarray, np.ndarray]) -> None:
    x, n = counts
    np.testing.assert_allclose(
        clopper_pearson_interval(x, n), proportion_confint(x, n, method="beta"), rtol=SM_RTOL, atol=1e-15
    )


def test_score_test_equals_statsmodels_with_null_variance(counts: tuple[np.ndarray, np.ndarray]) -> None:
    x, n = counts
    p0 = np.linspace(0.05, 0.95, x.size)
    theirs = np.array(
        [proportions_ztest(xi, ni, value=pi, prop_var=pi)[1] for xi, ni, pi in zip(x, n, p0, strict=True)]
    )
    np.testing.assert_allclose(score_test_fixed(x, n, p0), theirs, rtol=1e-10)


def test_pooled_z_equals_statsmodels(counts: tuple[np.ndarray, np.ndarray]) -> None:
    x, n = counts
    x1, n1, x2, n2 = x[:100], n[:100], x[100:], n[100:]
    theirs = np.array(
        [proportions_ztest([a, c], [b, d])[1] for a, b, c, d in zip(x1, n1, x2, n2, strict=True)]
    )
    np.testing.assert_allclose(two_proportion_test(x1, n1, x2, n2), theirs, rtol=1e-10)


def test_newcombe_equals_statsmodels(counts: tuple[np.ndarray, np.ndarray]) -> None:
    x, n = counts
    x1, n1, x2, n2 = x[:100], n[:100], x[100:], n[100:]
    theirs = np.array(
        [
            confint_proportions_2indep(a, b, c, d, method="newcomb", compare="diff")
            for a, b, c, d in zip(x1, n1, x2, n2, strict=True)
        ]
    )
    np.testing.assert_allclose(
        np.column_stack(newcombe_interval(x1, n1, x2, n2)), theirs, rtol=1e-10, atol=1e-14
    )


def test_cohens_h_equals_statsmodels(counts: tuple[np.ndarray, np.ndarray]) -> None:
    x, n = counts
    p = x / n
    np.testing.assert_allclose(
        cohens_h(p[:100], p[100:]), proportion_effectsize(p[:100], p[100:]), rtol=SM_RTOL
    )


def test_bh_equals_statsmodels_without_nan() -> None:
    p = np.random.default_rng(3).uniform(size=300) ** 3
    np.testing.assert_allclose(bh_adjust(p), multipletests(p, method="fdr_bh")[1], rtol=SM_RTOL)


# --- edge cases ---------------------------------------------------------------------------------


def test_wilson_edges() -> None:
    low, high = wilson_interval([0, 5, 3, 4], [10, 5, 0, 3])
    assert low[0] == 0.0 and 0.0 < high[0] < 1.0
    assert high[1] == 1.0 and 0.0 < low[1] < 1.0
    assert np.isnan(low[2:]).all() and np.isnan(high[2:]).all()  # n = 0; x > n


def test_wilson_broadcasts() -> None:
    low, high = wilson_interval(np.array([[1], [2]]), np.array([10, 20, 30]))
    assert low.shape == high.shape == (2, 3)
    assert low.dtype == np.float64


def test_clopper_pearson_edges() -> None:
    low, high = clopper_pearson_interval([0, 5, 0], [5, 5, 0])
    assert low[0] == 0.0 and high[1] == 1.0
    assert high[0] == pytest.approx(1 - 0.025 ** (1 / 5))
    assert np.isnan([low[2], high[2]]).all()


def test_score_test_undefined_cases() -> None:
    p = score_test_fixed([3, 3, 3, 0], [10, 10, 10, 0], [0.0, 1.0, np.nan, 0.5])
    assert np.isnan(p).all()
    assert float(score_test_fixed(0, 10, 0.2)) == pytest.approx(2 * (1 - 0.9430), abs=5e-4)


def test_two_proportion_test_undefined_cases() -> None:
    p = two_proportion_test([0, 5, 1], [5, 5, 0], [0, 7, 1], [7, 7, 4])
    assert np.isnan(p).all()  # pooled 0, pooled 1, empty first sample


def test_newcombe_edges() -> None:
    low, high = newcombe_interval([0, 3], [10, 0], [0, 3], [10, 5])
    assert low[0] < 0.0 < high[0]
    assert low[0] >= -1.0 and high[0] <= 1.0
    assert np.isnan([low[1], high[1]]).all()


def test_cohens_h_outside_unit_interval_is_nan() -> None:
    h = cohens_h([1.2, -0.1, 0.5, 1.0], [0.5, 0.5, np.nan, 0.0])
    assert np.isnan(h[:3]).all() and h[3] == pytest.approx(np.pi)


def test_normal_quantile_rejects_bad_level() -> None:
    assert normal_quantile(0.95) == pytest.approx(1.959963984540054, rel=1e-15)
    with pytest.raises(ValueError):
        normal_quantile(1.0)


# --- properties ------------------------------------------------------------------------------


@given(n=st.integers(1, 100_000), frac=st.floats(0, 1), level=st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.999]))
def test_wilson_contains_estimate_and_stays_in_unit_interval(n: int, frac: float, level: float) -> None:
    x = round(frac * n)
    low, high = (float(v) for v in wilson_interval(x, n, level))
    assert 0.0 <= low <= x / n <= high <= 1.0


@given(n1=st.integers(1, 5000), n2=st.integers(1, 5000), f1=st.floats(0, 1), f2=st.floats(0, 1))
def test_newcombe_contains_difference(n1: int, n2: int, f1: float, f2: float) -> None:
    x1, x2 = round(f1 * n1), round(f2 * n2)
    low, high = (float(v) for v in newcombe_interval(x1, n1, x2, n2))
    assert -1.0 - 1e-12 <= low <= x1 / n1 - x2 / n2 + 1e-12
    assert x1 / n1 - x2 / n2 - 1e-12 <= high <= 1.0 + 1e-12
