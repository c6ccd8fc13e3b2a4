"""The profile's numbers (ctc.profile.estimate + compare: the code path of ``ctc profile``)
against R survey (tests/oracle/profile_oracle.json, written by profile_oracle.R).

Both designs, weighted and unweighted (every weight 1), strata, lonely-PSU
adjust/average/certainty, fpc at none, one or two stages; every municipality and the
whole file; every domain (overall, grade, gender, grade × gender) of three indicators.

Tolerances: estimates, SEs, deff, logit limits and test p-values rtol 1e-9 (R prints 17
digits; both sides evaluate the same closed formulas; R's svyglm is converged to 1e-14,
see docs/statistics.md); df exact. The issue asks for 1e-8.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ctc.profile.baseline import Baseline, compare, logit_test
from ctc.profile.estimate import estimate
from ctc.profile.indicators import Indicator
from ctc.profile.options import ProfileOptions
from ctc.spec import Text

ORACLE = Path(__file__).resolve().parents[1] / "oracle"
RTOL = 1e-9
INDS = tuple(Indicator("risk", y, Text.model_validate({"en": y, "de": y}), "family", f"flag.{y}") for y in ("y1", "y2", "y3"))


def _scored(weighted: bool) -> pd.DataFrame:
    data = pd.read_csv(ORACLE / "design.csv")
    k = data["school"].str.extract(r"s(\d+)$")[0].astype(int)
    frame = pd.DataFrame({
        "respondent": data["id"], "municipality": data["municipality"], "school": data["school"],
        "grade": data["grade"].astype("Int64"), "gender": data["gender"], "excluded": False,
        "stratum": np.where(k <= 3, "A", np.where(k <= 5, "B", "C")),
        "pop_schools": data["pop_schools"].astype(float), "school_pop": data["school_pop"].astype(float),
    })
    if weighted:
        frame["weight"] = data["weight"].astype("Float64")
    for y in ("y1", "y2", "y3"):
        frame[f"flag.{y}"] = data[y].astype("boolean")
    return frame


def _options(case: dict[str, Any]) -> ProfileOptions:
    fpc = case["fpc"]
    return ProfileOptions(
        design=case["design"], lonely_psu=case["lonely_psu"], strata="stratum" if case["strata"] else None,
        schools_population="pop_schools" if case["design"] == "clusters" and fpc in ("one", "two") else None,
        enrolled="school_pop" if (case["design"] == "census" and fpc == "one") or fpc == "two" else None)


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


ORACLE_JSON = _load(ORACLE / "profile_oracle.json")
CONFIGS = sorted({json.dumps({k: c[k] for k in ("design", "strata", "weighted", "lonely_psu", "fpc")}, sort_keys=True)
                  for c in ORACLE_JSON["cases"]})


def _baseline(p0: dict[str, float]) -> Baseline:
    rows = [{"indicator_type": "risk", "indicator_id": y, "grade": g, "gender": s, "pct": 100 * p, "n": pd.NA,
             "source": "oracle", "year": 2026}
            for y, p in p0.items() for g in ("all", "6", "8", "10") for s in ("all", "female", "male", "diverse")]
    table = pd.DataFrame(rows)
    table["n"] = table["n"].astype("Int64")
    return Baseline("oracle", table)


def _profile(config: dict[str, Any]) -> pd.DataFrame:
    table = estimate(_scored(config["weighted"]), INDS, _options(config))
    table["suppressed"] = False
    return compare(table, _baseline(ORACLE_JSON["p0"]), ORACLE_JSON["level"])


def _logit_p(row: pd.Series) -> float:
    """The logit-scale design test of the row against its baseline (R svyglm quasibinomial with offset)."""
    n0 = float(row["baseline_n"]) if pd.notna(row["baseline_n"]) else np.nan
    pv, _, _ = logit_test(np.array([row["pct"] / 100]), np.array([row["se"] / 100]), np.array([float(row["df"])]),
                          np.array([row["baseline_pct"] / 100]), np.array([n0]), ORACLE_JSON["level"])
    return float(pv[0])


def _check(got: pd.DataFrame, cases: list[dict[str, Any]]) -> int:
    keyed = got.assign(municipality=got["municipality"].astype(str), grade=got["grade"].astype(str),
                       gender=got["gender"].astype(str)).set_index(["municipality", "grade", "gender", "indicator_id"])
    checked = 0
    for case in cases:
        for r in case["results"]:
            if r.get("failed") or r["estimate"] is None:
                continue
            row = keyed.loc[(case["scope"], str(r["grade"]), r["gender"], r["indicator"])]
            where = (case["scope"], r["grade"], r["gender"], r["indicator"])
            assert row["pct"] / 100 == pytest.approx(r["estimate"], rel=RTOL), where
            assert row["se"] / 100 == pytest.approx(r["se"], rel=RTOL, abs=1e-15), where
            assert row["df"] == r["df"], where
            if r["deff"] is not None and np.isfinite(row["deff"]):
                assert row["deff"] == pytest.approx(r["deff"], rel=RTOL), where
            design_logit = row["ci_method"] == "logit" or (row["ci_method"] == "gvf-jeffreys" and 0 < row["pct"] < 100)
            if design_logit and r["ci_low"] is not None:
                # the design's own interval (R svyciprop logit); under clusters a municipality shows the
                # GVF interval instead and keeps this one in design_ci_low/design_ci_high (ctc.stats.gvf)
                assert (row["design_ci_low"] / 100, row["design_ci_high"] / 100) == pytest.approx((r["ci_low"], r["ci_high"]), rel=RTOL), where
                assert _logit_p(row) == pytest.approx(r["p"], rel=RTOL), where
                if row["ci_method"] == "logit":
                    assert (row["ci_low"], row["p_value"]) == pytest.approx((row["design_ci_low"], _logit_p(row)), rel=1e-12), where
                checked += 1
    return checked


@pytest.mark.parametrize("config", CONFIGS)
def test_profile_equals_r_survey(config: str) -> None:
    spec = json.loads(config)
    cases = [c for c in ORACLE_JSON["cases"] if all(c[k] == v for k, v in spec.items())]
    assert _check(_profile(spec), cases) > 20


@pytest.mark.external
def test_r_script_reproduces_the_committed_oracle(tmp_path: Path) -> None:
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript is not installed")
    out = tmp_path / "profile_oracle.json"
    subprocess.run(["Rscript", str(ORACLE / "profile_oracle.R"), str(ORACLE / "design.csv"), str(out)],
                   check=True, capture_output=True, timeout=600)
    fresh = _load(out)
    assert [c["scope"] for c in fresh["cases"]] == [c["scope"] for c in ORACLE_JSON["cases"]]
    for config in CONFIGS:
        spec = json.loads(config)
        _check(_profile(spec), [c for c in fresh["cases"] if all(c[k] == v for k, v in spec.items())])
