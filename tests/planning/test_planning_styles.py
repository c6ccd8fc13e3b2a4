"""The per-workbook style cache (``ctc.excel.styled``) gives each cell exactly the styles
asked for, combined with what it had, as openpyxl itself would — checked after a save."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection

from ctc.excel import MAX_TEXT, put, styled

BOLD = Font(bold=True, color="FF0000")
FILL = PatternFill("solid", fgColor="FFF9E6")
WRAP = Alignment(wrap_text=True, vertical="top")
OPEN = Protection(locked=False)


def test_cached_styles_match_what_openpyxl_assigns(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    for r in range(1, 4):
        put(ws, r, 1, 12.5, "0.0")
        styled(ws.cell(row=r, column=1), font=BOLD)  # on top of the number format
        styled(ws.cell(row=r, column=2), fill=FILL, protection=OPEN)
        styled(ws.cell(row=r, column=3), alignment=WRAP)
    ref = ws.cell(row=5, column=1)  # the same styles the slow way
    ref.value, ref.number_format, ref.font = 12.5, "0.0", BOLD
    path = tmp_path / "s.xlsx"
    wb.save(path)
    back = load_workbook(path).active
    for r in range(1, 4):
        a = back.cell(row=r, column=1)
        assert a.number_format == "0.0" and a.font.b and a.font.color.rgb == "00FF0000"
        assert tuple(a._style) == tuple(back.cell(row=5, column=1)._style)  # the very style record openpyxl made
        b = back.cell(row=r, column=2)
        assert b.fill.fgColor.rgb == "00FFF9E6" and b.protection.locked is False and not b.font.b
        c = back.cell(row=r, column=3)
        assert c.alignment.wrap_text and c.alignment.vertical == "top" and c.protection.locked is True


def test_the_cache_is_per_workbook(tmp_path: Path) -> None:
    first, second = Workbook(), Workbook()
    second.active.cell(row=1, column=1).font = Font(italic=True)  # other style indices in the second book
    styled(first.active.cell(row=1, column=1), fill=FILL)
    styled(second.active.cell(row=2, column=1), fill=FILL)
    second.save(tmp_path / "b.xlsx")
    cell = load_workbook(tmp_path / "b.xlsx").active.cell(row=2, column=1)
    assert cell.fill.fgColor.rgb == "00FFF9E6" and not cell.font.i


def test_text_is_cleaned_kept_as_text_and_cut_to_the_cell_limit(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    put(ws, 1, 1, "=SUM(A2)\x00\x0b!")
    put(ws, 2, 1, "x" * (MAX_TEXT + 10))
    wb.save(tmp_path / "t.xlsx")
    back = load_workbook(tmp_path / "t.xlsx").active
    assert back["A1"].value == "=SUM(A2) !" and back["A1"].data_type == "s"
    assert len(back["A2"].value) == MAX_TEXT
