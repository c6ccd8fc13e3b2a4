"""`ctc profile` end to end: outputs, manifest, re-runs that never lose a user's file, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from ctc.instrument import load_instrument
from ctc.profile.compute import PROFILE_COLUMNS
from ctc.simulate import Plant, SimulationOptions, simulate

HOSTILE = '<script>alert(1)</script> & "Süd"'
FORMULA = "=SUM(A1)"


@pytest.fixture(scope="module")
def survey(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("survey") / "survey.csv"
    simulate(load_instrument(), path, SimulationOptions(municipalities=("Musterstadt", HOSTILE, FORMULA), respondents=400,
                                                        seed=11, elevate=(Plant("Musterstadt", "family_conflict", 20),)))
    return path


@pytest.fixture(scope="module")
def outdir(survey, tmp_path_factory) -> Path:
    from click.testing import CliRunner

    from ctc.cli.main import cli

    out = tmp_path_factory.mktemp("run") / "out"
    result = CliRunner().invoke(cli, ["profile", str(survey), "-o", str(out), "--baseline", "demo-baseline", "--bootstrap", "20"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_outputs_and_columns(outdir: Path) -> None:
    for name in ("profile.csv", "priorities.csv", "screening.csv", "checks.csv", "manifest.json"):
        assert (outdir / name).is_file(), name
    table = pd.read_csv(outdir / "profile.csv", dtype={"grade": str})
    assert list(table.columns[:17]) == PROFILE_COLUMNS[:17]
    hidden = table[table["suppressed"]]
    assert hidden[["pct", "ci_low", "ci_high", "n_flagged", "p_value", "q_value"]].isna().all().all()
    assert set(table["grade"]) >= {"all", "8"} and set(table["gender"]) >= {"all", "female"}


def test_manifest_records_provenance(outdir: Path, survey: Path) -> None:
    m = json.loads((outdir / "manifest.json").read_text())
    from ctc.manifest import file_sha256

    assert m["input"]["sha256"] == file_sha256(survey)
    assert m["instrument"]["id"] == "ctc-youth-survey" and len(m["instrument"]["sha256"]) == 64
    assert m["baseline"]["id"] == "demo-baseline" and m["baseline"]["synthetic"] is True
    assert m["suppression"]["min_n"] == 20 and m["input"]["rows"] == 1200
    assert {x["name"] for x in m["municipalities"]} == {"Musterstadt", HOSTILE, FORMULA}


def test_municipality_folders_are_safe(outdir: Path) -> None:
    folders = sorted(p.name for p in outdir.iterdir() if p.is_dir())
    assert all("/" not in f and "<" not in f and not f.startswith(("=", ".")) for f in folders)
    for f in folders:
        assert (outdir / f / "report.html").is_file()


def test_hostile_names_are_literal_in_html(outdir: Path) -> None:
    m = json.loads((outdir / "manifest.json").read_text())
    folder = next(x["folder"] for x in m["municipalities"] if x["name"] == HOSTILE)
    html = (outdir / folder / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; " in html


def test_rerun_refuses_existing_folder(survey: Path, outdir: Path, run) -> None:
    result = run("profile", survey, "-o", outdir)
    assert result.exit_code == 1 and "already exists" in result.output and "--force" in result.output


def test_force_keeps_files_the_user_added_or_edited(survey: Path, tmp_path: Path, run) -> None:
    out = tmp_path / "o"
    assert run("profile", survey, "-o", out, "--bootstrap", "0").exit_code == 0
    (out / "board-notes.txt").write_text("our notes")
    report = next(out.glob("*/report.html"))
    report.write_text(report.read_text() + "<!-- edited -->")
    result = run("profile", survey, "-o", out, "--bootstrap", "0", "--force")
    assert result.exit_code == 0, result.output
    assert (out / "board-notes.txt").read_text() == "our notes"
    edited = report.with_name("report.edited-1.html")
    assert edited.is_file() and edited.read_text().endswith("<!-- edited -->")
    assert not report.read_text().endswith("<!-- edited -->")  # fresh report beside the kept one


def test_bad_inputs_are_one_error_line(tmp_path: Path, survey: Path, run) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    cases = [
        (["profile", empty, "-o", tmp_path / "a"], "empty"),
        (["profile", survey, "-o", tmp_path / "b", "--baseline", "nope"], "baseline 'nope' not found"),
        (["profile", survey, "-o", tmp_path / "c", "--instrument", "nope"], "unknown instrument 'nope'"),
    ]
    for args, text in cases:
        result = run(*args)
        lines = result.output.strip().splitlines()
        assert result.exit_code == 1 and lines[-1].startswith("Error:") and text in lines[-1], result.output
        assert "Traceback" not in result.output
        assert not Path(args[3]).exists()  # nothing half-written


def test_design_columns_and_the_question_it_answers(outdir: Path) -> None:
    table = pd.read_csv(outdir / "profile.csv", dtype={"grade": str})
    shown = table[~table["suppressed"] & (table["ci_method"] == "logit")]
    assert {"deff", "n_eff"} <= set(table.columns)
    assert ((shown["n_eff"] - shown["n"] / shown["deff"]).abs() / shown["n_eff"]).max() < 1e-3  # CSV rounding
    html = next(outdir.glob("*/report.html")).read_text(encoding="utf-8")
    assert "every school of the municipality took part" in html  # the default design, in plain words
    manifest = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["design"] == "census" and manifest["options"]["lonely_psu"] == "adjust"


def test_clusters_with_few_schools_show_no_interval_and_say_why(survey: Path, tmp_path: Path, run) -> None:
    out = tmp_path / "clusters"
    result = run("profile", survey, "-o", out, "--baseline", "demo-baseline", "--bootstrap", "5", "--design", "clusters")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "profile.csv", dtype={"grade": str})
    muni = table[(table["municipality"] == "Musterstadt") & ~table["suppressed"] & (table["n_flagged"] > 0)
                 & (table["n_flagged"] < table["n"])]
    assert len(muni) and (muni["ci_method"] == "too-few-schools").all()
    assert muni[["ci_low", "ci_high", "p_value"]].isna().all().all()
    html = (out / "musterstadt" / "report.html").read_text(encoding="utf-8")
    assert "Fewer than five schools took part" in html


def test_design_options_that_cannot_apply_are_errors(tmp_path: Path, survey: Path, run) -> None:
    frame = pd.read_csv(survey, dtype=str, keep_default_na=False)
    school = [c for c in frame.columns if c.lower() in ("school", "schule", "schulname", "school_id")]
    no_school = tmp_path / "no-school.csv"
    frame.drop(columns=school).to_csv(no_school, index=False)
    result = run("profile", no_school, "-o", tmp_path / "x", "--design", "clusters")
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and lines[-1].startswith("Error:") and "needs a school column" in lines[-1], result.output
    assert not (tmp_path / "x").exists()
    result = run("profile", survey, "-o", tmp_path / "y", "--schools", "clusters")
    assert result.exit_code != 0 and "--design clusters" in result.output.strip().splitlines()[-1]
    assert not (tmp_path / "y").exists()
