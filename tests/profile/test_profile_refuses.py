"""`ctc profile` refuses what cannot be analysed, picks one wave, and validates weights
(ctc/profile/guard.py): each case as a file on disk through the CLI, with the exact Error line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from ctc.instrument import load_instrument
from ctc.simulate import SimulationOptions, simulate

WEIGHT_HINT = ("Hint: fix the weights in the data (every weight must be a number greater than 0), or pass --unweighted "
               "to ignore the weight column and estimate without weights")
META = ["respondent_id", "municipality", "school", "grade", "gender", "weight", "wave"]
MARK = ["ctc_synthetic"]  # what ctc simulate adds to every file: not an item


@pytest.fixture(scope="module")
def waves_file(tmp_path_factory) -> Path:
    """One municipality, two waves (2024, 2026), 40 respondents each, with weights (one municipality: rendering is the slow part)."""
    path = tmp_path_factory.mktemp("guard") / "waves.csv"
    simulate(load_instrument(), path, SimulationOptions(municipalities=("Aach",), respondents=40, seed=5,
                                                        waves=(2024, 2026), weights=True))
    return path


@pytest.fixture(scope="module")
def survey(waves_file) -> pd.DataFrame:
    frame = pd.read_csv(waves_file, dtype=str, keep_default_na=False)
    return frame[frame["wave"] == "2026"].reset_index(drop=True)


def _variant(tmp_path: Path, frame: pd.DataFrame, name: str = "survey.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _profile(run, path: Path, out: Path, *extra: str):
    return run("profile", path, "-o", out, "--bootstrap", "0", *extra)


def _refused(result, out: Path) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert not out.exists(), "no output may be written"
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("Error: ")
    return lines[-1]


# --------------------------------------------------------------------------- nothing to analyse


def test_file_from_another_questionnaire(run, survey, tmp_path):
    items = [c for c in survey.columns if c not in META + MARK]
    assert len(items) == 195
    path = _variant(tmp_path, survey[META + items[:9]])
    line = _refused(_profile(run, path, tmp_path / "out"), tmp_path / "out")
    assert line == (
        "Error: 186 of 195 item columns of instrument 'ctc-youth-survey' (version 2026.1) are not in the data (first: "
        f"{', '.join(items[9:14])}, ...): the file is probably from another questionnaire or another version of it. "
        "Hint: pass the matching instrument with --instrument, or name the item columns in a mapping file passed "
        "with --mapping; 'ctc map suggest DATAFILE -o map.csv' writes a mapping template to start from")


def test_threshold_is_the_instruments_missing_share(run, survey, tmp_path):
    """Refused above the instrument's too_many_missing share (0.5): 98 of 195 absent is refused,
    97 is not (the library check; a full run of that case is the screening's business)."""
    from ctc.io.mapping import resolve_columns
    from ctc.profile.guard import check_items, missing_share_limit

    inst = load_instrument()
    assert missing_share_limit(inst) == 0.5
    items = [c for c in survey.columns if c not in META + MARK]
    check_items(inst, resolve_columns(inst, META + items[:98])[0])  # 97 absent: accepted
    path = _variant(tmp_path, survey[META + items[:97]])
    line = _refused(_profile(run, path, tmp_path / "out"), tmp_path / "out")
    assert line.startswith("Error: 98 of 195 item columns of instrument 'ctc-youth-survey' (version 2026.1) are not in the data")


def test_grades_written_as_klasse(run, survey, tmp_path):
    frame = survey.assign(grade=survey["grade"] + ". Klasse")
    path = _variant(tmp_path, frame)
    first = sorted(frame["grade"].unique(), key=lambda g: list(frame["grade"]).index(g))[:3]
    line = _refused(_profile(run, path, tmp_path / "out"), tmp_path / "out")
    assert line == (
        f"Error: no row has a valid grade in column 'grade' (values such as {', '.join(repr(g) for g in first)}); "
        "instrument 'ctc-youth-survey' expects the grades 6, 7, 8, 9, 10, 11, 12 as numbers. Hint: write the grades "
        "as plain numbers (7, not '7. Klasse'), or name the right grade column with --mapping (a row '@grade,<column>')")


def test_every_respondent_excluded_for_missing_answers(run, survey, tmp_path):
    frame = survey.copy()
    items = [c for c in survey.columns if c not in META + MARK]
    frame[items] = ""  # the columns are there, every answer is blank
    path = _variant(tmp_path, frame)
    line = _refused(_profile(run, path, tmp_path / "out"), tmp_path / "out")
    assert line == (
        "Error: all 40 questionnaires were excluded by screening (too_many_missing: 40), so nothing can be profiled. "
        "Hint: most answers are missing: check that --instrument matches the questionnaire and its version, and that "
        "the item columns are mapped (--mapping; 'ctc map suggest DATAFILE -o map.csv' writes a mapping template to "
        "start from)")


def test_every_respondent_excluded_for_grades_outside_the_instrument(run, survey, tmp_path):
    path = _variant(tmp_path, survey.assign(grade="13"))
    # the counts per rule, independently from `ctc score`'s screening report
    scored = run("score", path, "-o", tmp_path / "s.csv")
    assert scored.exit_code == 0, scored.output
    screening = pd.read_csv(tmp_path / "s.screening.csv")
    total = screening[(screening["municipality"] == "all") & (screening["grade"] == "all") & (screening["rule"] != "(excluded)")]
    total = total[total["flagged"] > 0].sort_values("flagged", ascending=False, kind="stable")
    counts = "; ".join(f"{r}: {n}" for r, n in zip(total["rule"], total["flagged"]))
    assert counts.startswith("grade_out_of_range: 40")
    line = _refused(_profile(run, path, tmp_path / "out"), tmp_path / "out")
    assert line == (f"Error: all 40 questionnaires were excluded by screening ({counts}), so nothing can be profiled. "
                    "Hint: write the grades as plain numbers of the instrument's grades, or map the right grade column "
                    "with --mapping")


def test_no_municipality_anywhere(run, survey, tmp_path):
    path = _variant(tmp_path, survey.assign(municipality=""))
    line = _refused(_profile(run, path, tmp_path / "out"), tmp_path / "out")
    assert line == ("Error: the municipality column 'municipality' is empty in every row, so no municipality can be "
                    "profiled. Hint: name the column that holds the municipality with --mapping (a row "
                    "'@municipality,<column>'); 'ctc map suggest DATAFILE -o map.csv' writes a mapping template to start from")


# --------------------------------------------------------------------------- weights


@pytest.mark.parametrize(("value", "how"), [("", "40 missing"), ("0", "40 zero"), ("-1", "40 negative"),
                                            ("x", "40 not a number")])
def test_all_weights_invalid(run, survey, tmp_path, value, how):
    path = _variant(tmp_path, survey.assign(weight=value))
    line = _refused(_profile(run, path, tmp_path / "out"), tmp_path / "out")
    assert line == f"Error: no usable weight in column 'weight': all 40 weights are invalid ({how}). {WEIGHT_HINT}"


def test_some_weights_invalid(run, survey, tmp_path):
    frame = survey.copy()
    frame.loc[[3, 4], "weight"] = ""
    frame.loc[7, "weight"] = "0"
    path = _variant(tmp_path, frame)
    line = _refused(_profile(run, path, tmp_path / "out"), tmp_path / "out")
    assert line == (f"Error: 3 of 40 weights in column 'weight' are invalid (2 missing, 1 zero; first at data row 4). "
                    f"{WEIGHT_HINT}")


def test_unweighted_ignores_the_weight_column_and_says_so(run, survey, tmp_path):
    path = _variant(tmp_path, survey.assign(weight="0"))
    out = tmp_path / "out"
    result = _profile(run, path, out, "--unweighted")
    assert result.exit_code == 0, result.output
    assert "weights: column 'weight' ignored (--unweighted); estimates are unweighted" in result.output
    table = pd.read_csv(out / "profile.csv")
    assert not table["weighted"].any()
    selection = json.loads((out / "manifest.json").read_text())["input"]["selection"]
    assert selection["weights"] == "ignored" and selection["weight_column"] == "weight"
    assert json.loads((out / "manifest.json").read_text())["options"]["unweighted"] is True


def test_unweighted_without_a_weight_column_is_an_error(run, survey, tmp_path):
    path = _variant(tmp_path, survey.drop(columns="weight"))
    line = _refused(_profile(run, path, tmp_path / "out", "--unweighted"), tmp_path / "out")
    assert line == ("Error: --unweighted was given, but the data has no weight column (the run is unweighted anyway). "
                    "Hint: leave out --unweighted")


# --------------------------------------------------------------------------- waves


def test_two_waves_profile_the_latest_and_say_so(run, waves_file, tmp_path):
    out = tmp_path / "out"
    result = _profile(run, waves_file, out)
    assert result.exit_code == 0, result.output
    assert ("wave 2026 profiled (latest of 2024, 2026); 40 rows of other waves or without a wave left out; "
            "choose another wave with --wave") in result.output
    m = json.loads((out / "manifest.json").read_text())
    assert m["input"]["selection"] == {"waves": ["2024", "2026"], "wave": "2026", "wave_chosen": "latest",
                                       "rows_left_out": 40, "weight_column": "weight", "weights": "used"}
    assert m["input"]["rows"] == 40 and m["survey_year"] == 2026
    screening = pd.read_csv(out / "screening.csv")
    whole = screening[screening["grade"] == "all"]  # one municipality: published once, under its name
    assert set(whole["municipality"]) != {"all"} and len(set(whole["municipality"])) == 1
    excluded = whole[whole["rule"] == "(excluded)"].iloc[0]
    # the screening audit counts the profiled wave only (a small excluded count hides the number returned)
    assert excluded["analysed"] <= 40 and (pd.isna(excluded["respondents"]) or excluded["respondents"] == 40)
    table = pd.read_csv(out / "profile.csv", dtype={"grade": str})
    cell = table[(table["municipality"] == "Aach") & (table["grade"] == "all") & (table["gender"] == "all")]
    assert len(cell) and cell["n"].max() <= 40


def test_wave_option_picks_the_wave(run, waves_file, tmp_path):
    out = tmp_path / "out"
    result = _profile(run, waves_file, out, "--wave", "2024")
    assert result.exit_code == 0, result.output
    assert "wave 2024 profiled (--wave); 40 rows of other waves or without a wave left out" in result.output
    m = json.loads((out / "manifest.json").read_text())
    assert m["input"]["selection"]["wave"] == "2024" and m["survey_year"] == 2024 and m["options"]["wave"] == "2024"


def test_wave_not_in_the_file(run, waves_file, tmp_path):
    line = _refused(_profile(run, waves_file, tmp_path / "out", "--wave", "2025"), tmp_path / "out")
    assert line == "Error: wave '2025' is not in the wave column 'wave'; waves in the file: 2024, 2026. Hint: pass --wave with one of these"


def test_wave_option_without_a_wave_column(run, survey, tmp_path):
    path = _variant(tmp_path, survey.drop(columns="wave"))
    line = _refused(_profile(run, path, tmp_path / "out", "--wave", "2026"), tmp_path / "out")
    assert line == ("Error: --wave 2026 was given, but the data has no wave column. Hint: name the wave column in a "
                    "mapping file (a row '@wave,<column>') and pass it with --mapping")


def test_waves_that_are_not_numbers_need_the_option(run, waves_file, tmp_path):
    frame = pd.read_csv(waves_file, dtype=str, keep_default_na=False)
    frame["wave"] = frame["wave"].map({"2024": "spring", "2026": "autumn"})
    path = _variant(tmp_path, frame)
    line = _refused(_profile(run, path, tmp_path / "out"), tmp_path / "out")
    assert line == ("Error: the wave column 'wave' holds 2 waves (autumn, spring) that are not numbers, so the latest "
                    "one is not known. Hint: choose the wave to profile with --wave")
