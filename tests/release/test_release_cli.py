"""The release as a user meets it: `ctc profile` publishes only protected cells, `ctc audit`
re-attacks the folder from what it publishes, and every leak of issue #10 is closed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ctc.simulate import write_demo

CTC = [sys.executable, "-m", "ctc"]


def ctc(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CTC, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def demo_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.csv"
    write_demo(path)
    return path


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    done = ctc("profile", "--demo", "-o", out, "--bootstrap", "20")
    assert done.returncode == 0, done.stderr
    return out


def _profile(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "profile.csv", dtype={"grade": str, "gender": str, "municipality": str})


def test_published_cells_are_protected_and_blank(demo_out) -> None:
    t = _profile(demo_out)
    # no grade x gender cross-cells; hidden cells say one thing and show nothing
    assert not ((t["grade"] != "all") & (t["gender"] != "all")).any()
    assert set(t["suppression_reason"].fillna("")) <= {"", "protected", "empty"}
    hidden = t[t["suppressed"]]
    assert len(hidden) > 100
    keep = {"municipality", "grade", "gender", "indicator_type", "indicator_id", "label", "weighted", "baseline_pct",
            "baseline_n", "suppressed", "suppression_reason"}
    for col in set(t.columns) - keep:
        assert hidden[col].isna().all(), col  # ci_method / test too: "clopper-pearson" would say 0 % or 100 %
    manifest = json.loads((demo_out / "manifest.json").read_text())
    assert manifest["privacy"]["audit"] == "passed"
    assert manifest["privacy"]["profile_hidden"] == len(hidden)
    # the information loss stays small: far fewer cells hidden than the 4,688 of 9,344 before
    assert len(hidden) / len(t) < 0.2


def test_audit_passes_on_our_release_and_catches_a_leak(demo_out, demo_csv, tmp_path) -> None:
    done = ctc("audit", demo_out)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 exposed" in done.stdout
    # reveal one hidden gender cell that protects a small diverse group: the audit must see it
    from ctc.instrument import load_instrument
    from ctc.pipeline import run
    from ctc.profile.estimate import estimate
    from ctc.profile.indicators import indicators
    from ctc.profile.options import ProfileOptions
    from ctc.profile.run import keep_profile_columns

    inst = load_instrument()
    truth = estimate(run(demo_csv, inst, keep=keep_profile_columns).kept, indicators(inst), ProfileOptions())
    t = _profile(demo_out)
    pair = t[(t["grade"] == "all") & t["suppressed"] & t["gender"].isin(["female", "male"])].iloc[0]
    row = truth[(truth["municipality"].astype(str) == pair["municipality"]) & (truth["grade"].astype(str) == "all")
                & (truth["gender"].astype(str) == pair["gender"]) & (truth["indicator_id"] == pair["indicator_id"])
                & (truth["indicator_type"] == pair["indicator_type"])].iloc[0]
    leaked = tmp_path / "leaked"
    leaked.mkdir()
    for f in demo_out.iterdir():
        if f.is_file():
            (leaked / f.name).write_bytes(f.read_bytes())
    i = t.index[(t["municipality"] == pair["municipality"]) & (t["grade"] == "all") & (t["gender"] == pair["gender"])
                & (t["indicator_id"] == pair["indicator_id"]) & (t["indicator_type"] == pair["indicator_type"])][0]
    t.loc[i, ["n", "n_flagged", "suppressed"]] = [row["n"], row["n_flagged"], False]
    t.to_csv(leaked / "profile.csv", index=False)
    done = ctc("audit", leaked)
    assert done.returncode == 1
    assert "EXPOSED" in done.stdout and f"{pair['indicator_id']} {pair['municipality']} / diverse" in done.stdout
    assert done.stderr.strip().startswith("Error: ") and len(done.stderr.strip().splitlines()) == 1


def test_unknown_gender_is_a_data_problem_not_a_category(demo_csv, tmp_path) -> None:
    survey = pd.read_csv(demo_csv)
    rng = np.random.default_rng(1)
    pick = rng.choice(np.flatnonzero(survey["municipality"] == "Musterstadt"), size=7, replace=False)
    survey.loc[pick, "gender"] = "x"
    path = tmp_path / "survey.csv"
    survey.to_csv(path, index=False)
    out = tmp_path / "out"
    done = ctc("profile", path, "-o", out, "--baseline", "demo-baseline", "--bootstrap", "0")
    assert done.returncode == 0, done.stderr
    t = _profile(out)
    assert set(t["gender"]) == {"female", "male", "diverse", "all"}
    checks = pd.read_csv(out / "checks.csv")
    row = checks[checks["code"] == "unknown-gender"].iloc[0]
    assert row["count"] == 7
    assert ctc("audit", out).returncode == 0


def test_one_pupil_municipality_publishes_nothing_about_the_pupil(demo_csv, tmp_path) -> None:
    survey = pd.read_csv(demo_csv)
    lone = survey[survey["municipality"] == "Exampleton"].iloc[[0]].assign(municipality="Einzelhausen", school="E-1")
    path = tmp_path / "survey.csv"
    pd.concat([survey, lone], ignore_index=True).to_csv(path, index=False)
    out = tmp_path / "out"
    done = ctc("profile", path, "-o", out, "--baseline", "demo-baseline", "--bootstrap", "0")
    assert done.returncode == 0, done.stderr
    t = _profile(out)
    mine = t[t["municipality"] == "Einzelhausen"]
    shown = mine[~mine["suppressed"] & (mine["suppression_reason"] != "empty")]
    assert shown.empty
    scr = pd.read_csv(out / "screening.csv", dtype={"grade": str})
    mine = scr[scr["municipality"] == "Einzelhausen"]
    assert mine["flagged"].isna().all() and mine["respondents"].isna().all() and mine["pct"].isna().all()
    html = (out / "einzelhausen" / "report.html").read_text()
    assert "100.0" not in html
    assert ctc("audit", out).returncode == 0


def test_small_screening_counts_are_not_shown(demo_out) -> None:
    scr = pd.read_csv(demo_out / "screening.csv", dtype={"grade": str})
    flagged = scr["flagged"].dropna()
    assert not ((flagged >= 1) & (flagged <= 4)).any()  # 103 of 224 rows showed 1-4 before
    assert scr["only_this_rule"].isna().all() and scr["with_other_rules"].isna().all()
    assert scr["flagged"].isna().sum() > 50


def test_audit_refuses_what_it_cannot_read(tmp_path) -> None:
    done = ctc("audit", tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == (f"Error: {tmp_path / 'profile.csv'} not found. Hint: give the output folder of a ctc profile run")


def test_a_survey_without_gender_column_is_profiled_once_per_cell(demo_csv, tmp_path) -> None:
    path = tmp_path / "survey.csv"
    pd.read_csv(demo_csv).drop(columns=["gender"]).to_csv(path, index=False)
    out = tmp_path / "out"
    done = ctc("profile", path, "-o", out, "--baseline", "demo-baseline", "--bootstrap", "0")
    assert done.returncode == 0, done.stderr
    t = _profile(out)
    assert set(t["gender"]) == {"all"}
    assert not t.duplicated(["municipality", "grade", "gender", "indicator_type", "indicator_id"]).any()
    assert len(t) == 4 * 8 * 73  # (3 municipalities + file) x (7 grades + all) x indicators
