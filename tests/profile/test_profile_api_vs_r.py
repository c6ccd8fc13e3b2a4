"""The profile's code path (estimate + compare) on R survey's own api data.

R writes the data and its numbers at test time (tests/oracle/api_profile.R; the data ship
with R survey under the GPL and are not committed): apiclus1 (one-stage cluster sample of
15 districts of 757, with and without fpc, weighted and unweighted, and read as a census
with districts as strata), apiclus2 (two-stage: districts, then schools, fpc at both
stages) and apistrat (stratified by school type, fpc). The school type plays the grade.

Tolerance rtol 1e-9 for estimates, SEs, deff, logit limits (svyglm converged to 1e-14)
and logit-test p-values; df exact.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ctc.profile.baseline import Baseline, compare
from ctc.profile.estimate import estimate
from ctc.profile.indicators import Indicator
from ctc.profile.options import ProfileOptions
from ctc.spec import Text

pytestmark = pytest.mark.external("Rscript")
ORACLE = Path(__file__).resolve().parents[1] / "oracle"
RTOL = 1e-9
INDS = tuple(Indicator("risk", y, Text.model_validate({"en": y, "de": y}), "family", f"flag.{y}") for y in ("sw", "awd"))

# case -> (data set, school column, weighted, options)
CASES = {
    "clus1-clusters": ("apiclus1", "dnum", True, ProfileOptions(design="clusters")),
    "clus1-clusters-fpc": ("apiclus1", "dnum", True, ProfileOptions(design="clusters", schools_population="fpc")),
    "clus1-clusters-unweighted": ("apiclus1", "dnum", False, ProfileOptions(design="clusters")),
    "clus1-census": ("apiclus1", "dnum", True, ProfileOptions(design="census")),
    "clus2-two-stage": ("apiclus2", "dnum", True, ProfileOptions(design="clusters", schools_population="fpc1", enrolled="fpc2")),
    "strat-clusters-fpc": ("apistrat", "snum", True, ProfileOptions(design="clusters", strata="stype", schools_population="fpc")),
    "strat-census-unweighted": ("apistrat", "dnum", False, ProfileOptions(design="census")),
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    exe = shutil.which("Rscript")
    if exe is None:
        pytest.skip("Rscript is not installed")
    folder = tmp_path_factory.mktemp("api")
    subprocess.run([exe, str(ORACLE / "api_profile.R"), str(folder)], check=True, capture_output=True, timeout=300)
    return folder


def _scored(api: Path, name: str, school: str, weighted: bool) -> pd.DataFrame:
    data = pd.read_csv(api / f"{name}.csv")
    frame = data.drop(columns=["pw", "sw", "awd"]).assign(
        municipality="api", school=data[school].astype(str), grade=data["grade"].astype("Int64"), excluded=False)
    if weighted:
        frame["weight"] = data["pw"].astype("Float64")
    for y in ("sw", "awd"):
        frame[f"flag.{y}"] = data[y].astype("boolean")
    return frame


@pytest.mark.parametrize("case", sorted(CASES))
def test_profile_on_api_equals_r(api: Path, case: str) -> None:
    oracle = json.loads((api / "api_oracle.json").read_text(encoding="utf-8"))
    name, school, weighted, options = CASES[case]
    table = estimate(_scored(api, name, school, weighted), INDS, options)
    table["suppressed"] = False
    base = pd.DataFrame([{"indicator_type": "risk", "indicator_id": y, "grade": g, "gender": "all", "pct": 100 * p,
                          "n": pd.NA, "source": "r", "year": 2026} for y, p in oracle["p0"].items()
                         for g in ("all", "6", "8", "10")]).astype({"n": "Int64"})
    table = compare(table, Baseline("r", base))
    mine = table[(table["municipality"].astype(str) == "api") & (table["gender"].astype(str) == "all")]
    mine = mine.assign(grade=mine["grade"].astype(str)).drop_duplicates(["grade", "indicator_id"]).set_index(["grade", "indicator_id"])
    rows = [r for r in oracle["results"] if r["case"] == case]
    tested = 0
    for r in rows:
        got = mine.loc[(r["grade"], r["indicator"])]
        where = (case, r["grade"], r["indicator"])
        assert got["pct"] / 100 == pytest.approx(r["estimate"], rel=RTOL), where
        assert got["se"] / 100 == pytest.approx(r["se"], rel=RTOL), where
        assert got["df"] == r["df"], where
        assert got["deff"] == pytest.approx(r["deff"], rel=RTOL), where
        if got["ci_method"] == "logit":
            assert (got["ci_low"] / 100, got["ci_high"] / 100) == pytest.approx((r["ci_low"], r["ci_high"]), rel=RTOL), where
            assert got["p_value"] == pytest.approx(r["p"], rel=RTOL), where
            tested += 1
        elif got["ci_method"] == "gvf-jeffreys" and 0 < got["pct"] < 100:
            # under clusters a municipality shows the GVF interval; the design's own stays beside it
            assert (got["design_ci_low"] / 100, got["design_ci_high"] / 100) == pytest.approx((r["ci_low"], r["ci_high"]), rel=RTOL), where
            tested += 1
    assert len(rows) == 8 and tested >= 2 and np.isfinite(mine["se"]).all()
