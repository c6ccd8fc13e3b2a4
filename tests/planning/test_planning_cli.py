"""`ctc programmes …` and `ctc workbook …`, run in-process on the command groups
(wrapped in the toolkit's error-translating group, as `ctc` registers them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from planning_data import MINI_CATALOGUE, fill, write_outputs

from ctc.catalogue import filter_programmes, load_catalogue
from ctc.cli.main import CtcGroup
from ctc.cli.programmes_cmd import programmes
from ctc.cli.workbook_cmd import workbook

SHIPPED = Path("catalogues/programmes.yaml")


@pytest.fixture
def run():
    group = CtcGroup(name="ctc", commands={"programmes": programmes, "workbook": workbook})
    runner = CliRunner()

    def _run(*args):
        return runner.invoke(group, [str(a) for a in args], catch_exceptions=False)

    return _run


def _ids(output: str) -> list[str]:
    return [line.split()[0] for line in output.splitlines()[2:] if line.strip()]


def test_list_all_and_filtered_matches_the_library(run) -> None:
    cat = load_catalogue()
    result = run("programmes", "list")
    assert result.exit_code == 0 and _ids(result.output) == [p.id for p in cat.programmes]
    result = run("programmes", "list", "--factor", "family_conflict", "--age", "12", "--setting", "family")
    expected = [p.id for p in filter_programmes(cat, factor="family_conflict", age=12, setting="family")]
    assert result.exit_code == 0 and expected and _ids(result.output) == expected


def test_list_in_german_and_from_a_local_catalogue(run, tmp_path: Path) -> None:
    path = tmp_path / "local.yaml"
    path.write_text(MINI_CATALOGUE, encoding="utf-8")
    result = run("programmes", "list", "--catalogue", path, "--lang", "de")
    assert result.exit_code == 0
    assert result.output.splitlines()[0].split()[:2] == ["ID", "Programm"]
    assert _ids(result.output) == ["family-young", "school-older"]
    assert "Familienprogramm" in result.output


def test_list_unknown_factor_and_nothing_found(run) -> None:
    result = run("programmes", "list", "--factor", "family_conflit")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith("Error: unknown factor 'family_conflit'. Hint: factors are scale ids")
    result = run("programmes", "list", "--age", "30")
    assert result.exit_code == 0 and result.output.strip() == "No programme matches these criteria."


def test_check_passes_on_the_shipped_catalogue(run) -> None:
    result = run("programmes", "check", SHIPPED)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{SHIPPED}: ok (") and "48 programmes" in result.output


def test_check_lists_every_problem_and_exits_1(run, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(MINI_CATALOGUE.replace("rating: promising", "rating: excellent").replace("id: family_conflict,", "id: family_conflit,", 1),
                      encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text(MINI_CATALOGUE, encoding="utf-8")
    result = run("programmes", "check", good, broken, tmp_path / "missing.yaml")
    assert result.exit_code == 1
    out = result.output
    assert f"{good}: ok (local-office 2026.1: 2 programmes" in out
    assert "programmes[0].ratings[0].rating" in out and "'excellent' is not a blueprints rating" in out
    assert "unknown factor 'family_conflit'" in out
    assert "missing.yaml: catalogue not found" in out
    assert out.strip().splitlines()[-1] == "Error: 2 of 3 file(s) have problems (listed above)."


def test_match_prints_ranking_matrix_and_legend(run) -> None:
    result = run("programmes", "match", "--factor", "poor_family_management", "--factor", "family_conflict", "--grades", "6-8")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Ranked for country US")  # country line and order first (tests/planning/test_planning_match.py)
    head = next(i for i, ln in enumerate(lines) if ln.split()[:2] == ["#", "programme"])
    assert "Addresses 2 of your 2 priorities" in lines[head + 2]
    assert "poor_family_management" in result.output and "●" in result.output
    bad = run("programmes", "match", "--factor", "family_conflict", "--grades", "6-8", "--ages", "11-13")
    assert bad.exit_code == 1 and "Error: give exactly one of --grades or --ages" in bad.output


def test_workbook_create_and_update_from_a_run(run, ctx, tmp_path: Path) -> None:
    out = tmp_path / "run"
    write_outputs(ctx, out)
    path = tmp_path / "planning.xlsx"
    result = run("workbook", "create", path, "--from", out, "--municipality", "Testhausen")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{path}: planning workbook written (13 sheets, 15 programme suggestions")
    again = run("workbook", "create", path, "--from", out, "--municipality", "Testhausen")
    assert again.exit_code == 1 and again.output.strip().startswith(f"Error: {path} already exists")
    wb = load_workbook(path)
    fill(wb["Partners"], 5, {"organisation": "=SUM(A1)", "sector": "schools"})
    wb.save(path)
    result = run("workbook", "update", path, "--from", out)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"{path}: updated; previous file kept as {tmp_path / 'planning.backup-1.xlsx'}"
    assert "Partners 1" in result.output
    result = run("workbook", "update", path, "--from", out, "--lang", "de")
    assert result.exit_code == 0, result.output
    assert "aktualisiert" in result.output and "Sprache von en auf de geändert" in result.output
    wb = load_workbook(path)
    assert wb["Partner"].cell(row=5, column=2).value == "=SUM(A1)" and wb["Partner"].cell(row=5, column=3).value == "Schule"


def test_workbook_update_of_a_foreign_file(run, ctx, tmp_path: Path) -> None:
    from openpyxl import Workbook

    out = tmp_path / "run"
    write_outputs(ctx, out)
    path = tmp_path / "x.xlsx"
    Workbook().save(path)
    result = run("workbook", "update", path, "--from", out)
    assert result.exit_code == 1 and "is not a planning workbook written by ctc" in result.output
