"""Baseline files: every problem listed with its row; the right test for each kind of baseline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ctc.errors import InvalidDefinition
from ctc.instrument import load_instrument
from ctc.profile.baseline import Baseline, compare, load_baseline
from ctc.stats import newcombe_interval, score_test_fixed, two_proportion_test


@pytest.fixture(scope="module")
def inst():
    return load_instrument()


def test_shipped_demo_baseline_loads_and_says_synthetic(inst) -> None:
    b = load_baseline("demo-baseline", inst)
    assert len(b.table) > 1000 and all("SYNTHETIC" in s for s in b.sources)
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
    return pd.DataFrame({
        "indicator_type": ["risk", "risk", "risk"], "indicator_id": ["family_conflict"] * 3,
        "grade": ["8", "9", "10"], "gender": ["all"] * 3, "n": pd.array([50, 64, 40], dtype="Int64"),
        "n_flagged": pd.array([7, 18, 10], dtype="Int64"), "pct": [14.0, 28.125, 25.0], "suppressed": [False, False, True],
        "weighted": weighted, "se": np.nan, "df": np.nan,
    })


def test_fixed_baseline_gets_the_score_test_and_sample_baseline_newcombe() -> None:
    table = pd.DataFrame({"indicator_type": "risk", "indicator_id": "family_conflict", "grade": ["8", "9", "10"],
                          "gender": "all", "pct": [25.0, 15.5172413793, 20.0], "n": ["", "58", "100"],
                          "source": "x", "year": 2025})
    table["n"] = pd.to_numeric(table["n"].replace("", None)).astype("Int64")
    out = compare(_profile_rows(), Baseline("b", table))
    fixed, sample, hidden = out.iloc[0], out.iloc[1], out.iloc[2]
    assert fixed["test"] == "score" and fixed["p_value"] == pytest.approx(float(score_test_fixed(7, 50, 0.25)))
    assert fixed["p_value"] == pytest.approx(0.0724480135, abs=1e-9)  # R prop.test(7, 50, p = 0.25, correct = FALSE)
    assert fixed["diff_pp"] == pytest.approx(-11.0)
    assert sample["test"] == "two-proportion" and sample["baseline_n"] == 58
    assert sample["p_value"] == pytest.approx(0.0938863461, abs=1e-9)  # 18/64 vs 9/58, R prop.test
    lo, hi = newcombe_interval(18, 64, 9, 58)
    assert (sample["diff_ci_low"], sample["diff_ci_high"]) == pytest.approx((100 * lo, 100 * hi))
    assert sample["diff_ci_low"] == pytest.approx(-2.26482913, abs=1e-6)  # statistics.md §2.4
    assert float(two_proportion_test(18, 64, 9, 58)) == pytest.approx(sample["p_value"])
    assert np.isnan(hidden["p_value"]) and np.isnan(hidden["diff_pp"]) and hidden["test"] == ""


def test_no_baseline_leaves_comparisons_empty() -> None:
    out = compare(_profile_rows(), None)
    assert out["baseline_pct"].isna().all() and out["p_value"].isna().all()
