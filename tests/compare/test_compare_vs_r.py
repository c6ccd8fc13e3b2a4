"""Two-wave differences, multi-wave trends and pseudo-cohorts of ctc.compare against R survey
(tests/oracle/compare_oracle.json and compare_cohort_oracle.json, written by
compare_oracle.R from compare_design.csv).

Tolerance: 1e-6 relative (1e-9 absolute for values near 0), for every estimate, SE,
t, df and p-value of every case × municipality × domain × indicator.
"""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ctc.compare.aggregate import aggregate
from ctc.compare.difference import difference
from ctc.compare.trend import trend
from ctc.profile.options import ProfileOptions

ORACLE = Path(__file__).resolve().parents[1] / "oracle"
RESULTS = json.loads((ORACLE / "compare_oracle.json").read_text())
COHORTS = json.loads((ORACLE / "compare_cohort_oracle.json").read_text())
CASES = {
    "census-weighted": (ProfileOptions(design="census"), True),
    "census-unweighted": (ProfileOptions(design="census"), False),
    "clusters-weighted": (ProfileOptions(design="clusters"), True),
    "clusters-unweighted": (ProfileOptions(design="clusters"), False),
    "clusters-strata-fpc-weighted": (ProfileOptions(design="clusters", strata="stratum", schools_population="pop_schools"), True),
}
WAVES = {2: (2022, 2024), 3: (2022, 2024, 2026), 5: (2018, 2020, 2022, 2024, 2026)}


def _frame() -> pd.DataFrame:
    data = pd.read_csv(ORACLE / "compare_design.csv", keep_default_na=False, na_values=["NA", ""])
    data["gender"] = data["gender"].astype("string")
    data["excluded"] = data["excluded"].astype(bool)
    return data


DATA = _frame()


def _close(ours: float, theirs: float | None, what: str) -> None:
    if theirs is None:
        assert not np.isfinite(ours), f"{what}: R has none, we have {ours}"
        return
    assert math.isclose(ours, theirs, rel_tol=1e-6, abs_tol=1e-9), f"{what}: {ours!r} vs R {theirs!r}"


def _computed(case: str, muni: str, k: int):
    options, weighted = CASES[case]
    waves = WAVES[k]
    sub = DATA[(DATA["municipality"] == muni) & DATA["wave"].isin(waves)].reset_index(drop=True)
    sub = sub.assign(wave=sub["wave"].astype(str))
    y = sub[["y1", "y2", "y3"]].to_numpy(dtype=float)
    return aggregate(sub, y, tuple(str(w) for w in waves), options, weighted=weighted), waves


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("k", [2, 3, 5])
def test_against_r(case: str, k: int) -> None:
    rows = [r for r in RESULTS if r["case"] == case and r["waves"] == k]
    assert rows
    checked = 0
    for muni in sorted({r["municipality"] for r in rows}):
        agg, waves = _computed(case, muni, k)
        for r in (r for r in rows if r["municipality"] == muni):
            grade = None if r["grade"] == "all" else r["grade"]
            gender = None if r["gender"] == "all" else r["gender"]
            cells = agg.cells(grade, gender)
            j = int(r["indicator"][1]) - 1
            where = f"{case} {muni} {k} waves {r['grade']}/{r['gender']} {r['indicator']}"
            if k == 2:
                ch = difference(agg, cells, 0, 1)
                for name, ours in (("p_a", ch.p_a), ("p_b", ch.p_b), ("diff", ch.diff), ("se", ch.se), ("t", ch.t),
                                   ("df", ch.df), ("p", ch.p_value)):
                    _close(float(ours[j]), r[name], f"{where} {name}")
                _close(float(ch.diff[j]), r["ttest_estimate"], f"{where} svyttest estimate")
            else:
                adjust = tuple(role for role, v in (("grade", grade), ("gender", gender)) if v is None)
                tr = trend(agg, cells, [float(w) for w in waves], adjust)
                for name in ("linear", "linear_se", "linear_p", "quadratic", "quadratic_se", "quadratic_p", "df"):
                    _close(float(getattr(tr, name)[j]), r[name], f"{where} {name}")
            checked += 1
    assert checked == len(rows)


@pytest.mark.parametrize("case", list(CASES))
def test_cohorts_against_r(case: str) -> None:
    """Grade g in wave w1 against grade g + d in w2 (d = w2 − w1) on the stacked design of w1 and w2."""
    options, weighted = CASES[case]
    rows = [r for r in COHORTS if r["case"] == case]
    assert {(r["grade_from"], r["grade_to"]) for r in rows} == {(6, 8), (8, 10), (6, 10)}
    for r in rows:
        waves = (str(r["wave_from"]), str(r["wave_to"]))
        sub = DATA[(DATA["municipality"] == r["municipality"]) & DATA["wave"].astype(str).isin(waves)].reset_index(drop=True)
        sub = sub.assign(wave=sub["wave"].astype(str))
        agg = aggregate(sub, sub[["y1", "y2", "y3"]].to_numpy(dtype=float), waves, options, weighted=weighted)
        cells = {0: agg.cells(str(r["grade_from"]), None), 1: agg.cells(str(r["grade_to"]), None)}
        ch = difference(agg, cells, 0, 1)
        j = int(r["indicator"][1]) - 1
        where = f"{case} {r['municipality']} {waves} grade {r['grade_from']}→{r['grade_to']} {r['indicator']}"
        for name, ours in (("p_a", ch.p_a), ("p_b", ch.p_b), ("diff", ch.diff), ("se", ch.se), ("t", ch.t),
                           ("df", ch.df), ("p", ch.p_value)):
            _close(float(ours[j]), r[name], f"{where} {name}")
        _close(float(ch.diff[j]), r["ttest_estimate"], f"{where} svyttest estimate")


def test_oracle_data_is_reproducible(tmp_path: Path) -> None:
    import importlib.util  # noqa: PLC0415

    spec = importlib.util.spec_from_file_location("ctc_oracle_make_compare", ORACLE / "make_compare.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = module.make_compare()
    fresh.to_csv(tmp_path / "d.csv", index=False)
    assert (tmp_path / "d.csv").read_text() == (ORACLE / "compare_design.csv").read_text()


@pytest.mark.external("Rscript")
def test_oracle_json_is_current(tmp_path: Path) -> None:
    out, out_cohort = tmp_path / "o.json", tmp_path / "c.json"
    subprocess.run(["Rscript", str(ORACLE / "compare_oracle.R"), str(ORACLE / "compare_design.csv"), str(out),
                    str(out_cohort)], check=True, capture_output=True)
    for path, kept in ((out, RESULTS), (out_cohort, COHORTS)):
        fresh = json.loads(path.read_text())
        assert len(fresh) == len(kept)
        for a, b in zip(fresh, kept):
            for key, value in a.items():
                if isinstance(value, float):
                    assert math.isclose(value, b[key], rel_tol=1e-9, abs_tol=1e-12), key
                else:
                    assert value == b[key]
