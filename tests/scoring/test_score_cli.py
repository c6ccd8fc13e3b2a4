"""`ctc score` on real files: five formats give the same output; bad input never a traceback."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ctc.instrument import load_instrument
from ctc.simulate import SimulationOptions, simulate

OPTS = SimulationOptions(municipalities=("Müllheim", "Groß-Gerau"), respondents=150, seed=3, weights=True)
FORMATS = {
    "utf8.csv": {},
    "german.csv": {"csv_sep": ";", "csv_encoding": "cp1252"},
    "survey.xlsx": {},
    "survey.sav": {},
    "survey.parquet": {},
}


@pytest.fixture(scope="module")
def scored_by_format(tmp_path_factory) -> dict[str, pd.DataFrame]:
    from dataclasses import replace

    from click.testing import CliRunner

    from ctc.cli.main import cli

    folder = tmp_path_factory.mktemp("formats")
    inst = load_instrument()
    out = {}
    for name, extra in FORMATS.items():
        path = folder / name
        simulate(inst, path, replace(OPTS, **extra))
        target = folder / f"{name}.scored.parquet"
        result = CliRunner().invoke(cli, ["score", str(path), "-o", str(target), "-q"], catch_exceptions=False)
        assert result.exit_code == 0, (name, result.output)
        out[name] = pd.read_parquet(target)
    return out


@pytest.mark.parametrize("name", [n for n in FORMATS if n != "survey.parquet"])
def test_every_format_scores_identically(scored_by_format, name: str) -> None:
    reference = scored_by_format["survey.parquet"]
    got = scored_by_format[name]
    assert list(got.columns) == list(reference.columns)
    assert set(got["municipality"]) == {"Müllheim", "Groß-Gerau"}
    # ids, names and waves come out as text whatever the format stored (SPSS: 17.0)
    pd.testing.assert_frame_equal(got, reference, check_exact=False, rtol=1e-9)


def test_sidecar_reports_exist(tmp_path: Path, run) -> None:
    path = tmp_path / "s.csv"
    simulate(load_instrument(), path, OPTS)
    result = run("score", path, "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.checks.csv").is_file() and (tmp_path / "out.screening.csv").is_file()
    assert "excluded" in result.output and "fictitious_drug" in result.output


def _csv(tmp_path: Path, text: str, name: str = "bad.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "respondent_id,municipality,school,grade,gender,fc_insult,fc_argue,fc_same\n"


@pytest.mark.parametrize("case,expected", [
    ("empty", "empty"),
    ("header_only", "no data rows"),
    ("binary", "not a text"),
    ("no_respondent", "respondent"),
    ("unknown_instrument", "unknown instrument 'nope'"),
    ("wrong_sheet", "sheet 'Daten' not found"),
])
def test_bad_inputs_end_in_one_error_line(case: str, expected: str, tmp_path: Path, run) -> None:
    args: list = []
    if case == "empty":
        path = _csv(tmp_path, "")
    elif case == "header_only":
        path = _csv(tmp_path, HEADER)
    elif case == "binary":
        path = tmp_path / "bad.csv"
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    elif case == "no_respondent":
        path = _csv(tmp_path, "id,municipality,grade\n1,A,8\n")
    elif case == "unknown_instrument":
        path = _csv(tmp_path, HEADER + "1,A,s,8,female,1,2,3\n")
        args = ["--instrument", "nope"]
    else:
        path = tmp_path / "s.xlsx"
        simulate(load_instrument(), path, SimulationOptions(municipalities=1, respondents=30, seed=1))
        args = ["--sheet", "Daten"]
    out = tmp_path / "out.parquet"
    result = run("score", path, "-o", out, *args)
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1, result.output
    assert len(lines) == 1 and lines[0].startswith("Error:") and expected in lines[0].lower() or expected in lines[0], lines
    assert "Traceback" not in result.output
    assert not out.exists() and not list(tmp_path.glob("out.*"))  # nothing half-written


def test_data_problems_are_reported_not_fatal(tmp_path: Path, run) -> None:
    path = _csv(tmp_path, HEADER + "1,A,s,8,female,1,x,3\n2,A,s,8,male,1,7,3\n2,A,s,8,male,2,2,2\n3,A,s,5,female,1,1,1\n")
    result = run("score", path, "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    checks = pd.read_csv(tmp_path / "out.checks.csv")
    found = {(r.code, r.row, str(r.column), str(r.value)) for r in checks.itertuples()}
    assert ("non-numeric-code", 1, "fc_argue", "x") in found
    assert ("invalid-code", 2, "fc_argue", "7") in found
    assert ("duplicate-respondent", 2, "respondent_id", "2") in found
    assert ("grade-out-of-range", 4, "grade", "5") in found
    assert "missing-column" in set(checks["code"])  # the items this file lacks
    scored = pd.read_csv(tmp_path / "out.csv")
    assert scored.loc[3, "screen.grade_out_of_range"]
