"""``ctc weights`` as a user runs it: files on disk, the CLI, the report, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from ctc.cli.main import cli


def run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, list(args))
    return res.exit_code, res.output


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("survey")
    code, out = run("simulate", "-o", str(folder / "s.csv"), "--weights", "--municipalities", "2", "--respondents", "300",
                    "--grades", "6,8", "--seed", "3", "-q")
    assert code == 0, out
    frame = pd.read_csv(folder / "s.csv", dtype=str, keep_default_na=False)
    frame["weight"] = np.where(frame["school"].str.endswith("1"), "1", "2")  # unequal design weights
    frame.to_csv(folder / "s.csv", index=False)
    return folder / "s.csv"


def enrolment(survey: Path) -> pd.DataFrame:
    return pd.read_csv(survey.with_name("s.enrolment.csv"), dtype={"grade": str})


def write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def error_line(out: str) -> str:
    lines = [ln for ln in out.strip().splitlines() if ln]
    assert lines[-1].startswith("Error: ") and "Traceback" not in out, out
    return lines[-1]


def test_rake_meets_every_margin_and_writes_model_and_report(survey: Path, tmp_path: Path) -> None:
    out = tmp_path / "w.csv"
    code, text = run("weights", str(survey), "--enrolment", str(survey.with_name("s.enrolment.csv")), "-o", str(out),
                     "--method", "rake")
    assert code == 0, text
    assert "Kish design effect" in text
    weighted = pd.read_csv(out)
    enrol = enrolment(survey)
    for var in ("grade", "gender"):
        got = weighted.groupby(["municipality", var])["weight"].sum()
        want = enrol.assign(grade=enrol["grade"].astype(int)).groupby(["municipality", var])["enrolled"].sum()
        np.testing.assert_allclose(got.sort_index(), want.sort_index(), rtol=1e-9)
    assert (weighted["design_weight"].isin([1, 2])).all()
    model = json.loads((tmp_path / "w.calibration.json").read_text())
    assert model["method"] == "rake" and [m["variables"] for m in model["margins"]] == [
        ["wave", "municipality", "grade"], ["wave", "municipality", "gender"]]
    report = pd.read_csv(tmp_path / "w.weighting.csv")
    margins = report[report["section"] == "margin"]
    np.testing.assert_allclose(margins["weighted_after"], margins["enrolled"], rtol=1e-8)
    assert not np.allclose(margins["weighted_before"], margins["enrolled"], rtol=1e-3)
    html = (tmp_path / "w.weighting.html").read_text()
    assert "Kish design effect" in html and "Weight distribution" in html


def test_german_report(survey: Path, tmp_path: Path) -> None:
    code, text = run("--lang", "de", "weights", str(survey), "--enrolment", str(survey.with_name("s.enrolment.csv")),
                     "-o", str(tmp_path / "w.csv"), "--method", "rake")
    assert code == 0, text
    assert "Befragte gewichtet" in text
    html = (tmp_path / "w.weighting.html").read_text()
    assert "Gewichtungsbericht" in html and "Verteilung der Gewichte" in html and 'lang="de"' in html


def test_missing_cell_is_an_error_naming_the_cell(survey: Path, tmp_path: Path) -> None:
    enrol = enrolment(survey)
    short = write(enrol[~((enrol["grade"] == "8") & (enrol["gender"] == "male"))], tmp_path / "e.csv")
    code, out = run("weights", str(survey), "--enrolment", str(short), "-o", str(tmp_path / "w.csv"))
    assert code == 1
    line = error_line(out)
    assert "cells the enrolment file lacks" in line and "grade=8" in line and "gender=male" in line and "Hint:" in line
    assert not (tmp_path / "w.csv").exists() and not (tmp_path / "w.calibration.json").exists()


def test_contradictory_margins_are_an_error(survey: Path, tmp_path: Path) -> None:
    enrol = enrolment(survey)
    by_grade = enrol.groupby(["municipality", "grade"], as_index=False)["enrolled"].sum().assign(gender="")
    by_gender = enrol.groupby(["municipality", "gender"], as_index=False)["enrolled"].sum().assign(grade="")
    by_gender.loc[0, "enrolled"] += 40
    path = write(pd.concat([by_grade, by_gender])[["municipality", "grade", "gender", "enrolled"]], tmp_path / "e.csv")
    code, out = run("weights", str(survey), "--enrolment", str(path), "-o", str(tmp_path / "w.csv"), "--method", "rake")
    assert code == 1
    line = error_line(out)
    assert "contradict" in line and "municipality × grade" in line and "municipality × gender" in line


def test_declared_margins_are_raked_to(survey: Path, tmp_path: Path) -> None:
    enrol = enrolment(survey)
    by_grade = enrol.groupby(["municipality", "grade"], as_index=False)["enrolled"].sum().assign(gender="")
    by_gender = enrol.groupby(["municipality", "gender"], as_index=False)["enrolled"].sum().assign(grade="")
    path = write(pd.concat([by_grade, by_gender])[["municipality", "grade", "gender", "enrolled"]], tmp_path / "e.csv")
    code, out = run("weights", str(survey), "--enrolment", str(path), "-o", str(tmp_path / "w.csv"), "--method", "rake")
    assert code == 0, out
    model = json.loads((tmp_path / "w.calibration.json").read_text())
    assert [m["variables"] for m in model["margins"]] == [["municipality", "grade"], ["municipality", "gender"]]


def test_non_convergence_is_an_error(survey: Path, tmp_path: Path) -> None:
    code, out = run("weights", str(survey), "--enrolment", str(survey.with_name("s.enrolment.csv")), "-o",
                    str(tmp_path / "w.csv"), "--method", "calibrate", "--bounds", "0.99,1.01")
    assert code == 1
    line = error_line(out)
    assert "did not converge within the bounds 0.99–1.01" in line and "--trim" in line
    assert not (tmp_path / "w.csv").exists()


def test_trim_enforces_bounds_and_reports_the_misfit(survey: Path, tmp_path: Path) -> None:
    enrol = str(survey.with_name("s.enrolment.csv"))
    code, out = run("weights", str(survey), "--enrolment", enrol, "-o", str(tmp_path / "free.csv"), "--method", "rake")
    free = pd.read_csv(tmp_path / "free.csv")
    g_free = free["weight"] / free["design_weight"]
    lo, hi = min(0.99, g_free.min() + 0.3 * (1 - g_free.min())), g_free.max() - 0.3 * (g_free.max() - 1)
    code, out = run("weights", str(survey), "--enrolment", enrol, "-o", str(tmp_path / "w.csv"), "--method", "rake",
                    "--bounds", f"{float(lo)!r},{float(hi)!r}", "--trim")
    assert code == 0, out
    weighted = pd.read_csv(tmp_path / "w.csv")
    g = weighted["weight"] / weighted["design_weight"]
    assert g.min() >= lo - 1e-12 and g.max() <= hi + 1e-12
    assert np.isclose(g, hi).any()  # the upper bound binds
    model = json.loads((tmp_path / "w.calibration.json").read_text())
    assert model["trimmed"] and model["variance"] == "rake"


def test_options_that_cannot_apply_are_errors(survey: Path, tmp_path: Path) -> None:
    enrol = str(survey.with_name("s.enrolment.csv"))
    code, out = run("weights", str(survey), "--enrolment", enrol, "-o", str(tmp_path / "w.csv"), "--method", "rake",
                    "--bounds", "0.5,2")
    assert code == 1 and "--method calibrate" in error_line(out)
    code, out = run("weights", str(survey), "--enrolment", enrol, "-o", str(tmp_path / "w.csv"), "--trim")
    assert code == 1 and "--trim needs --bounds" in error_line(out)
    code, out = run("weights", str(survey), "--enrolment", enrol, "-o", str(tmp_path / "w.csv"), "--bounds", "2,3")
    assert code == 1 and "LO < 1 < HI" in error_line(out)
    code, out = run("weights", str(survey), "--enrolment", enrol, "-o", str(tmp_path / "w.xlsx"))
    assert code == 1 and ".csv or .parquet" in error_line(out)


def test_empty_cell_needs_partial_and_is_reported(survey: Path, tmp_path: Path) -> None:
    enrol = enrolment(survey)
    extra = pd.DataFrame([{"wave": enrol["wave"].iloc[0], "municipality": enrol["municipality"].iloc[0], "grade": "8",
                           "gender": "unknown", "enrolled": 7}])
    path = write(pd.concat([enrol, extra]), tmp_path / "e.csv")
    code, out = run("weights", str(survey), "--enrolment", str(path), "-o", str(tmp_path / "w.csv"))
    assert code == 1
    line = error_line(out)
    assert "no respondents" in line and "unknown" in line and "--partial" in line and "merge gender" in line
    code, out = run("weights", str(survey), "--enrolment", str(path), "-o", str(tmp_path / "w.csv"), "--partial")
    assert code == 0, out
    assert "enrolled students in cells without respondents were left out (--partial)" in out


def test_existing_output_is_kept_without_force(survey: Path, tmp_path: Path) -> None:
    out = tmp_path / "w.csv"
    out.write_text("mine\n")
    code, text = run("weights", str(survey), "--enrolment", str(survey.with_name("s.enrolment.csv")), "-o", str(out))
    assert code == 1 and "already exists" in error_line(text)
    assert out.read_text() == "mine\n"


def test_profile_uses_the_model_and_refuses_a_changed_file(survey: Path, tmp_path: Path) -> None:
    out = tmp_path / "w.csv"
    code, text = run("weights", str(survey), "--enrolment", str(survey.with_name("s.enrolment.csv")), "-o", str(out),
                     "--method", "rake", "-q")
    assert code == 0, text
    code, text = run("profile", str(out), "-o", str(tmp_path / "p"), "--bootstrap", "0", "-q")
    assert code == 0, text
    manifest = json.loads((tmp_path / "p" / "manifest.json").read_text())
    assert manifest["options"]["calibration"].endswith("w.calibration.json")
    out.write_text(out.read_text().replace("\n1,", "\n1,", 1) + "")  # unchanged content is fine
    frame = pd.read_csv(out)
    frame.loc[0, "weight"] *= 1.5
    frame.to_csv(out, index=False)
    code, text = run("profile", str(out), "-o", str(tmp_path / "p2"), "--bootstrap", "0", "-q")
    assert code == 1 and "was changed after ctc weights wrote it" in error_line(text)


@pytest.mark.external("chromium")
def test_weighting_report_renders_in_a_browser(survey: Path, tmp_path: Path) -> None:
    from ctc.report.browser import inspect_page

    code, text = run("weights", str(survey), "--enrolment", str(survey.with_name("s.enrolment.csv")), "-o",
                     str(tmp_path / "w.csv"), "--method", "rake", "-q")
    assert code == 0, text
    page = tmp_path / "w.weighting.html"
    result = inspect_page(page, width=1000, full_page=False, height=1200)
    assert result.errors == []
    assert result.requests == [page.resolve().as_uri()]  # self-contained: nothing else is loaded
    assert result.png.startswith(b"\x89PNG") and result.height > 1200  # laid out, longer than one screen
