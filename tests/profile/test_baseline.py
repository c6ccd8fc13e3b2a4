"""Baseline files: every problem listed with its row; the right test for each kind of baseline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ctc.errors import InvalidDefinition
from ctc.instrument import load_instrument
from ctc.profile.baseline import Baseline, compare, load_baseline
from scipy import stats


@pytest.fixture(scope="module")
def inst():
    return load_instrument()


def test_shipped_demo_baseline_loads_and_says_synthetic(inst) -> None:
    b = load_baseline("demo-baseline", inst)
    assert all("SYNTHETIC" in s for s in b.sources)
    # every indicator pooled, by grade (7) and by gender (3): the cells a profile compares
    cells = b.table.groupby(["indicator_type", "indicator_id"]).size()
    assert len(cells) == 73 and (cells == 1 + 7 + 3).all()
    assert ((b.table["pct"] >= 0) & (b.table["pct"] <= 100)).all()


def test_every_problem_is_listed_with_its_row(inst, tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text(
        "indicator_type,indicator_id,grade,gender,pct,n,source,year\n"
        "risk,family_conflict,8,all,31.2,400,Land 2025,2025\n"
        "risk,family_confict,8,all,31.2,400,Land 2025,2025\n"
        "risk,family_conflict,5,all,31.2,400,Land 2025,2025\n"
        "risk,family_conflict,8,boys,31.2,400,Land 2025,2025\n"
        "outcome,alcohol_30d,8,all,131,400,Land 2025,2025\n"
        "outcome,alcohol_30d,9,all,12,4.5,Land 2025,2025\n"
        "risk,family_conflict,8,all,30.0,,Land 2025,2025\n", encoding="utf-8")
    with pytest.raises(InvalidDefinition) as info:
        load_baseline(path, inst)
    got = [str(p) for p in info.value.problems]
    expected = ["row 3: unknown indicator risk/family_confict", "row 4: grade '5'", "row 5: gender 'boys'",
                "row 6: pct '131'", "row 7: n '4.5'", "row 8: duplicate"]
    for e in expected:
        assert any(g.startswith(e) for g in got), (e, got)


def _profile_rows(weighted: bool = False) -> pd.DataFrame:
    # grade 8: 7 of 50 (census design with one school: SE and logit CI from R survey, see below)
    return pd.DataFrame({
        "indicator_type": ["risk", "risk", "risk", "risk"], "indicator_id": ["family_conflict"] * 4,
        "grade": ["8", "9", "10", "6"], "gender": ["all"] * 4, "n": pd.array([50, 64, 40, 30], dtype="Int64"),
        "n_flagged": pd.array([7, 18, 10, 0], dtype="Int64"), "pct": [14.0, 28.125, 25.0, 0.0],
        "suppressed": [False, False, True, False], "weighted": weighted,
        "se": [4.9569575922564293, 5.65, np.nan, 0.0], "df": [49.0, 63.0, np.nan, 29.0],
        "ci_low": [6.644365371610983, 17.0, np.nan, 0.0], "ci_high": [27.132056430289719, 41.0, np.nan, 11.57033],
        "ci_method": ["logit", "logit", "logit", "clopper-pearson"],
    })


def test_tests_are_the_r_logit_tests_and_agree_with_the_interval() -> None:
    table = pd.DataFrame({"indicator_type": "risk", "indicator_id": "family_conflict", "grade": ["8", "9", "10", "6"],
                          "gender": "all", "pct": [25.0, 15.5172413793, 20.0, 10.0], "n": ["", "58", "100", ""],
                          "source": "x", "year": 2025})
    table["n"] = pd.to_numeric(table["n"].replace("", None)).astype("Int64")
    out = compare(_profile_rows(), Baseline("b", table))
    fixed, sample, hidden, zero = out.iloc[0], out.iloc[1], out.iloc[2], out.iloc[3]
    # R: svyglm(y ~ 1, svydesign(id=~1, strata=~s), family=quasibinomial, offset=qlogis(0.25)): t -1.7407, p 0.0880
    assert fixed["test"] == "design-logit"
    assert fixed["p_value"] == pytest.approx(0.088004953069644676, rel=1e-9)
    assert fixed["diff_pp"] == pytest.approx(-11.0)
    # the difference interval is the shown interval minus the baseline: the test rejects iff it excludes 0
    assert (fixed["diff_ci_low"], fixed["diff_ci_high"]) == pytest.approx((6.644365371610983 - 25, 27.132056430289719 - 25))
    # a baseline with n carries its own sampling error: larger SE, larger p than the fixed-value test
    assert sample["test"] == "design-logit-2" and sample["baseline_n"] == 58
    p, p0 = 0.28125, 0.155172413793
    s = np.sqrt((0.0565 / (p * (1 - p))) ** 2 + 1 / (58 * p0 * (1 - p0)))
    t = (np.log(p / (1 - p)) - np.log(p0 / (1 - p0))) / s
    assert sample["p_value"] == pytest.approx(2 * stats.t.sf(abs(t), 63), rel=1e-12)
    assert sample["diff_ci_low"] < sample["diff_pp"] < sample["diff_ci_high"]
    assert (sample["diff_ci_low"] > 0) == (sample["p_value"] < 0.05)
    # 0 of 30 vs 10 %: exact binomial test, p = 2 · 0.9^30 (R binom.test gives the same two-sided p here)
    assert zero["test"] == "exact" and zero["p_value"] == pytest.approx(2 * 0.9**30, rel=1e-12)
    assert np.isnan(hidden["p_value"]) and np.isnan(hidden["diff_pp"]) and hidden["test"] == ""


def test_duality_of_test_and_interval_and_tiny_p_values() -> None:
    from ctc.profile.baseline import logit_test
    from ctc.stats import logit_interval

    rng = np.random.default_rng(1)
    p = rng.uniform(0.01, 0.6, 4000)
    se = p * rng.uniform(0.05, 0.6, p.size)
    df = rng.integers(1, 300, p.size).astype(float)
    p0 = np.clip(p * np.exp(rng.normal(0, 0.5, p.size)), 1e-4, 0.99)
    pval, lo, hi = logit_test(p, se, df, p0, np.full(p.size, np.nan), 0.95)
    low, high = logit_interval(p, se, df, 0.95)
    excluded = (p0 < low) | (p0 > high)
    near = np.minimum(np.abs(p0 - low), np.abs(p0 - high)) < 1e-12
    assert np.array_equal((pval < 0.05)[~near], excluded[~near])
    assert np.allclose(lo, low - p0, rtol=1e-12, atol=1e-15) and np.allclose(hi, high - p0, rtol=1e-12, atol=1e-15)
    # survival functions: a far-off baseline gives a tiny but nonzero p
    tiny, _, _ = logit_test(np.array([0.5]), np.array([0.0099]), np.array([5000.0]), np.array([0.2]), np.array([np.nan]), 0.95)
    assert 0 < tiny[0] < 1e-150


def test_no_baseline_leaves_comparisons_empty() -> None:
    out = compare(_profile_rows(), None)
    assert out["baseline_pct"].isna().all() and out["p_value"].isna().all()
