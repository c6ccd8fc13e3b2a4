"""The workbook in LibreOffice (headless): formulas recalculated, PDF export as the
"opens without repair" check. Needs soffice (Debian: libreoffice-calc-nogui)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from planning_data import fill, make_context

from ctc.planning import update_planning_workbook, write_planning_workbook
from ctc.planning.strings import s

pytestmark = pytest.mark.external("soffice")

RATED = s("v.evidence.rated")


def soffice(src: Path, fmt: str, outdir: Path) -> Path:
    """Convert with a throw-away user profile; returns the converted file."""
    profile = outdir / "lo-profile"
    cmd = [shutil.which("soffice") or "soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
           "--convert-to", fmt, "--outdir", str(outdir), str(src)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    out = outdir / f"{src.stem}.{fmt.split(':')[0]}"
    assert out.is_file(), (done.stdout, done.stderr)
    return out


@pytest.fixture(scope="module")
def filled(inst, tmp_path_factory):
    """A workbook with a known inventory, regenerated once with changed data."""
    folder = tmp_path_factory.mktemp("lo")
    path = folder / "planning.xlsx"
    write_planning_workbook(make_context(inst), path)
    wb = load_workbook(path)
    inv = wb["Resource inventory"]
    fill(inv, 5, {"provider": "=SUM(A1)", "age_from": 10, "age_to": 14, "evidence": RATED,
                  "factor_1": "Poor family management", "factor_2": "Family conflict"})
    fill(inv, 6, {"provider": "B", "age_from": 12, "age_to": 18, "evidence": "not evaluated", "factor_1": "Family conflict"})
    fill(inv, 7, {"provider": "C", "factor_3": "Poor family management"})  # no ages: counts under "any age" only
    fill(inv, 8, {"provider": "D", "age_from": 15, "age_to": 16, "factor_1": "Friends' use of drugs",
                  "factor_2": "Friends' use of drugs"})  # the same factor twice counts once
    prio = wb["Priorities"]
    for key in ("poor_family_management", "friends_use_drugs"):  # board priorities are always in the gap matrix
        row = next(r for r in range(5, prio.max_row + 1) if prio.cell(row=r, column=1).value == key)
        fill(prio, row, {"decision": "priority"})
    wb.save(path)
    update_planning_workbook(make_context(inst, seed=5), path)
    return path


def test_gap_matrix_computes_from_the_inventory(filled: Path, tmp_path: Path) -> None:
    out = soffice(filled, "xlsx", tmp_path)
    ws = load_workbook(out, data_only=True)["Gap matrix"]
    header = [c.value for c in ws[6]]
    assert header[:10] == ["Key", "Type", "Factor", "Board decision", "Any age", "Ages 6–10", "Age 11", "Age 12", "Age 13", "Age 14"]
    rows = {ws.cell(row=r, column=1).value: [ws.cell(row=r, column=4).value or ""] + [ws.cell(row=r, column=c).value for c in range(5, 17)]
            for r in range(7, ws.max_row + 1) if ws.cell(row=r, column=1).value}
    # decision | all offers: any, 6–10, 11, 12, 13, 14 | gap | evidence-based: any, 6–10, 11, 12, 13, 14
    assert rows["poor_family_management"] == ["priority", 2, 1, 1, 1, 1, 1, None, 1, 1, 1, 1, 1]
    assert rows["family_conflict"] == ["", 2, 1, 1, 2, 2, 2, None, 1, 1, 1, 1, 1]
    assert rows["friends_use_drugs"][:7] == ["priority", 1, 0, 0, 0, 0, 0]


def test_opens_and_exports_to_pdf(filled: Path, tmp_path: Path) -> None:
    pdf = soffice(filled, "pdf", tmp_path)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000


def test_german_workbook_exports_to_pdf(inst, tmp_path: Path) -> None:
    path = tmp_path / "planung.xlsx"
    write_planning_workbook(make_context(inst, lang="de"), path)
    pdf = soffice(path, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_new_workbook_shows_its_gap_matrix_and_charts_in_libreoffice(inst, tmp_path: Path) -> None:
    """A new workbook is written by XlsxWriter, whose formulas carry the value they
    show until something is recalculated, and LibreOffice does not recalculate it on
    opening: the empty gap matrix must show 0 offers and no decision (not a stale 0)."""
    path = tmp_path / "planning.xlsx"
    write_planning_workbook(make_context(inst), path)
    out = soffice(path, "xlsx", tmp_path / "lo")
    written = load_workbook(path)["Gap matrix"]
    factors = [r for r in range(7, written.max_row + 1) if str(written.cell(row=r, column=4).value).startswith("=")]
    ws = load_workbook(out, data_only=True)["Gap matrix"]
    rows = [[ws.cell(row=r, column=c).value for c in range(4, 11)] for r in factors]
    assert len(rows) >= 3 and all(row[0] in (None, "") and row[1:] == [0] * 6 for row in rows)
    assert len(load_workbook(out)["Profile"]._charts) >= 2


def test_validations_and_protection_survive_libreoffice(filled: Path, tmp_path: Path) -> None:
    """LibreOffice opens the protected workbook, recalculates it and saves the
    validations' messages and the sheet protection back unchanged."""
    out = soffice(filled, "xlsx", tmp_path)
    wb = load_workbook(out)
    dvs = [dv for ws in wb.worksheets for dv in ws.data_validations.dataValidation]
    assert len(dvs) >= 22 and all(dv.showErrorMessage for dv in dvs)
    assert {dv.errorTitle for dv in dvs} == {s("dv.title")}
    assert s("dv.list.error") in {dv.error for dv in dvs}
    assert wb["Profile"].protection.sheet and wb["Priorities"].protection.sheet
    assert not wb["Resource inventory"].protection.sheet
    prio = wb["Priorities"]
    header = {c.value: c.column for c in prio[4]}
    assert prio.cell(row=5, column=header["Board decision"]).protection.locked is False
    assert prio.cell(row=5, column=header["Factor"]).protection.locked is True


def test_a_workbook_with_the_boards_sheet_and_comments_opens(inst, tmp_path: Path) -> None:
    from openpyxl.comments import Comment

    path = tmp_path / "planning.xlsx"
    write_planning_workbook(make_context(inst), path)
    wb = load_workbook(path)
    wb.create_sheet("Board notes")["A1"] = "Sitzung"
    wb["Resource inventory"]["B5"] = "Youth club"
    wb["Resource inventory"]["B5"].comment = Comment("ask about funding", "Anna")
    wb.save(path)
    update_planning_workbook(make_context(inst, seed=5), path)
    back = load_workbook(soffice(path, "xlsx", tmp_path / "lo"))
    assert back["Board notes"]["A1"].value == "Sitzung"
    assert back["Resource inventory"]["B5"].comment.text.strip() == "ask about funding"


def test_a_workbook_saved_by_libreoffice_is_still_told_apart_from_the_boards_sheets(inst, tmp_path: Path) -> None:
    """LibreOffice drops the sheets' code names; the toolkit's sheets are still known by
    their workbook names, so only the board's sheet is carried as the board's."""
    path = tmp_path / "planning.xlsx"
    write_planning_workbook(make_context(inst), path)
    wb = load_workbook(path)
    wb.create_sheet("Board notes")["A1"] = "Sitzung"
    wb["Profile"].cell(row=2, column=30).value = "check with schools"
    wb.save(path)
    saved = soffice(path, "xlsx", tmp_path / "lo")
    assert load_workbook(saved)["Profile"].sheet_properties.codeName is None
    result = update_planning_workbook(make_context(inst, seed=5), saved)
    assert result.sheets_kept == ("Board notes",)
    assert [(m.title, m.key, m.value) for m in result.moved] == [("Profile", "AD2", "check with schools")]
    assert load_workbook(saved).sheetnames.count("Profile") == 1
