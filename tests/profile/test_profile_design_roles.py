"""Strata and finite-population corrections declared in a mapping file reach `ctc profile`.

A survey office maps ``@stratum``, ``@schools_population`` and ``@enrolled`` (docs/statistics.md,
"Survey-office options"); the test runs the CLI on files on disk and compares the pooled
rows of ``profile.csv`` with R survey on the scored file of the same survey and mapping
(tests/oracle/design_roles.R): two-stage fpc with strata under clusters, one-stage fpc
under census. Tolerance rtol 1e-9 (svyglm converged to 1e-14); df exact. Options that
cannot apply are one ``Error:`` line and write nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ctc.instrument import load_instrument
from ctc.simulate import SimulationOptions, simulate

CTC = str(Path(sys.executable).with_name("ctc"))
ORACLE = Path(__file__).resolve().parents[1] / "oracle"
RTOL = 1e-9
MAPPING = "item,column\n@stratum,Schulform\n@schools_population,Schulen_gesamt\n@enrolled,Schueler\n"


def ctc(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CTC, *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """A simulated survey with the office's design columns added, and the mapping naming them."""
    folder = tmp_path_factory.mktemp("roles")
    raw = folder / "raw.csv"
    simulate(load_instrument(), raw, SimulationOptions(municipalities=("Nordstadt", "Suedheim"), respondents=900,
                                                      schools=6, seed=5))
    data = pd.read_csv(raw, dtype=str, keep_default_na=False)
    school = data["school"]
    index = school.rank(method="dense").astype(int)
    data["Schulform"] = np.where(index % 2 == 0, "Gymnasium", "Gesamtschule")
    per_stratum = data.groupby(["municipality", "Schulform"])["school"].transform("nunique")
    data["Schulen_gesamt"] = (per_stratum + 2).astype(str)  # two schools of each stratum did not take part
    data["Schueler"] = (school.map(school.value_counts()) + 40 + 3 * index).astype(str)
    survey = folder / "survey.csv"
    data.to_csv(survey, index=False)
    mapping = folder / "map.csv"
    mapping.write_text(MAPPING, encoding="utf-8")
    return {"survey": survey, "mapping": mapping, "folder": folder}


@pytest.fixture(scope="module")
def oracle(files) -> list[dict]:
    exe = shutil.which("Rscript")
    if exe is None:
        pytest.skip("Rscript is not installed")
    scored = files["folder"] / "scored.csv"
    done = ctc("score", str(files["survey"]), "--mapping", str(files["mapping"]), "-o", str(scored), "-q")
    assert done.returncode == 0, done.stderr
    out = files["folder"] / "oracle.json"
    subprocess.run([exe, str(ORACLE / "design_roles.R"), str(scored), str(out)], check=True, capture_output=True, timeout=300)
    return json.loads(out.read_text(encoding="utf-8"))


def profile(files, design: str, name: str) -> pd.DataFrame:
    """The pooled rows per municipality; clusters: the whole mapping, census: only @enrolled."""
    out = files["folder"] / name
    mapping = files["mapping"]
    if design == "census":
        mapping = files["folder"] / "map-census.csv"
        mapping.write_text("item,column\n@enrolled,Schueler\n", encoding="utf-8")
    done = ctc("profile", str(files["survey"]), "--mapping", str(mapping), "--design", design,
               "-o", str(out), "--bootstrap", "10", "-q")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["options"]
    assert manifest["enrolled"] == "enrolled"
    table = pd.read_csv(out / "profile.csv", dtype={"grade": str})
    pooled = table[(table["grade"] == "all") & (table["gender"] == "all") & (table["municipality"] != "all")]
    return pooled.drop_duplicates(["municipality", "indicator_id"]).set_index(["municipality", "indicator_id"])


@pytest.mark.external("Rscript")
@pytest.mark.parametrize(("design", "case"), [("clusters", "clusters-two-stage"), ("census", "census-fpc")])
def test_mapped_strata_and_fpc_give_r_survey_numbers(files, oracle, design: str, case: str) -> None:
    mine = profile(files, design, f"out-{design}")
    rows = [r for r in oracle if r["case"] == case]
    tested = 0
    for r in rows:
        key = (r["municipality"], r["indicator"])
        if key not in mine.index:
            continue  # outcomes / indicators the profile does not report
        got = mine.loc[key]
        if got["suppressed"] or not (got["ci_method"] == "logit" or (got["ci_method"] == "gvf-jeffreys" and 0 < got["pct"] < 100)):
            continue
        assert got["pct"] / 100 == pytest.approx(r["estimate"], rel=RTOL), key
        assert got["se"] / 100 == pytest.approx(r["se"], rel=RTOL), key
        assert got["df"] == r["df"], key
        # the design's own interval (under clusters a municipality shows the GVF interval beside it)
        assert (got["design_ci_low"] / 100, got["design_ci_high"] / 100) == pytest.approx((r["ci_low"], r["ci_high"]), rel=RTOL), key
        tested += 1
    assert tested >= 40


def test_fpc_shrinks_the_census_se_against_the_same_survey_without_it(files) -> None:
    with_fpc = profile(files, "census", "out-census-se")
    out = files["folder"] / "out-no-fpc"
    done = ctc("profile", str(files["survey"]), "--design", "census", "-o", str(out), "--bootstrap", "10", "-q")
    assert done.returncode == 0, done.stderr
    plain = pd.read_csv(out / "profile.csv", dtype={"grade": str})
    plain = plain[(plain["grade"] == "all") & (plain["gender"] == "all") & (plain["municipality"] != "all")]
    plain = plain.drop_duplicates(["municipality", "indicator_id"]).set_index(["municipality", "indicator_id"])
    both = with_fpc.merge(plain, left_index=True, right_index=True, suffixes=("", "_plain")).dropna(subset=["se", "se_plain"])
    varies = both[both["se_plain"] > 0]  # a 0 % or 100 % cell has SE 0 with or without the fpc
    assert len(varies) > 20 and (varies["se"] < varies["se_plain"]).all()
    assert (both.loc[both["se_plain"] == 0, "se"] == 0).all()
    assert np.allclose(both["pct"], both["pct_plain"])


def _refused(files, mapping_text: str, design: str, name: str, data: pd.DataFrame | None = None) -> str:
    folder = files["folder"]
    mapping = folder / f"{name}.csv"
    mapping.write_text(mapping_text, encoding="utf-8")
    survey = files["survey"]
    if data is not None:
        survey = folder / f"{name}-survey.csv"
        data.to_csv(survey, index=False)
    out = folder / f"out-{name}"
    done = ctc("profile", str(survey), "--mapping", str(mapping), "--design", design, "-o", str(out), "-q")
    assert done.returncode != 0 and not out.exists(), done.stdout
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("Error: ") and "Traceback" not in done.stderr
    return lines[0]


def test_strata_or_school_population_under_census_is_an_error(files) -> None:
    line = _refused(files, "item,column\n@stratum,Schulform\n", "census", "census-strata")
    assert "apply to --design clusters only" in line
    line = _refused(files, "item,column\n@schools_population,Schulen_gesamt\n", "census", "census-pop")
    assert "apply to --design clusters only" in line


def test_enrolment_smaller_than_the_sample_is_an_error(files) -> None:
    data = pd.read_csv(files["survey"], dtype=str, keep_default_na=False)
    data["Schueler"] = "10"
    line = _refused(files, "item,column\n@enrolled,Schueler\n", "census", "small-enrolment", data)
    assert "respondents but an enrolment of 10" in line and "more than 100 % sampled" in line


def test_fewer_schools_in_the_population_than_surveyed_is_an_error(files) -> None:
    data = pd.read_csv(files["survey"], dtype=str, keep_default_na=False)
    data["Schulen_gesamt"] = "1"
    line = _refused(files, MAPPING, "clusters", "small-population", data)
    assert "surveyed schools but 1 schools in the population" in line


def test_enrolment_without_school_population_under_clusters_is_an_error(files) -> None:
    line = _refused(files, "item,column\n@enrolled,Schueler\n", "clusters", "stage-two-only")
    assert "needs the number of schools in the population too" in line
