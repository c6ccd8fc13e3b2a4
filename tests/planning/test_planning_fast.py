"""The fast writer (XlsxWriter, ctc/planning/fast.py) writes the same workbook as openpyxl.

New planning workbooks are written through light sheets and XlsxWriter; updates still go
through openpyxl. Both are built by the same sheet builders, so here both writers get the
same contexts and the two files, as openpyxl reads them back, are compared: every cell's
value, type and style, comments, links, merged ranges, widths and heights, validations,
conditional formats, charts, print settings, protection, names and sheet order. Where the
two libraries store one thing in two ways the comparison reads both the same way (noted
at each place)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from planning_data import make_context

from ctc.catalogue import load_catalogue
from ctc.planning.book import Board
from ctc.planning.fast import LightSheet, LightWorkbook, NotModelled
from ctc.planning.workbook import _fresh, _save, build

def _rgb(color) -> str | None:
    v = getattr(color, "rgb", None)
    return v[-6:] if isinstance(v, str) else None  # the alpha byte: openpyxl writes 00, XlsxWriter FF


def _fill(fill) -> str | None:
    """The colour of a fill: a solid fill's foreground; a rule's fill may give it as the background."""
    if fill is None or fill.patternType not in ("solid", None):
        return fill.patternType if fill is not None else None
    if fill.patternType == "solid":
        return _rgb(fill.fgColor)
    return _rgb(fill.bgColor) if _rgb(fill.bgColor) not in (None, "000000") else None


def _style(c) -> tuple:
    f, a = c.font, c.alignment
    return (bool(f.b), bool(f.i), float(f.sz or 11), _rgb(f.color) if f.color is not None else None,
            _fill(c.fill) if c.fill.patternType else None, bool(a.wrap_text), a.vertical, a.horizontal,
            int(a.text_rotation or 0), c.protection.locked, c.number_format)


def _columns(ws) -> dict[str, tuple]:
    # XlsxWriter writes neighbouring equal columns as one range; a hidden column's width does not show
    out = {}
    for d in ws.column_dimensions.values():
        if d.width or d.hidden:
            for i in range(max(d.min or 1, 1), (d.max or 0) + 1):
                out[get_column_letter(i)] = (round(d.width, 2) if d.width and not d.hidden else None, bool(d.hidden))
    return out


def _rows(ws) -> dict[int, tuple]:
    # heights on the pixel grid (0.75 pt) XlsxWriter rounds to; 15 pt is the default it leaves out
    return {k: (round(d.height / 0.75) if d.height and d.height != 15 else None, bool(d.hidden))
            for k, d in ws.row_dimensions.items() if (d.height and d.height != 15) or d.hidden}


def _validations(ws) -> list[tuple]:
    # "between" is the file format's default operator, which XlsxWriter leaves out
    return sorted((str(v.sqref), v.type, v.operator or ("between" if v.type in ("whole", "decimal") else None), v.formula1,
                   v.formula2, bool(v.allow_blank), v.errorStyle, v.error, v.errorTitle, bool(v.showErrorMessage))
                  for v in ws.data_validations.dataValidation)


def _rules(ws) -> list[tuple]:
    return sorted((str(rng.sqref), r.type, r.operator, tuple(r.formula), bool(r.stopIfTrue),
                   _fill(r.dxf.fill) if r.dxf and r.dxf.fill else None, bool(r.dxf.font.b) if r.dxf and r.dxf.font else False)
                  for rng in ws.conditional_formatting for r in rng.rules)


def _charts(ws) -> list[tuple]:
    return [(c.type, c.y_axis.scaling.min, c.y_axis.scaling.max, c.x_axis.scaling.orientation,
             [(s.tx.strRef.f if s.tx and s.tx.strRef else None, s.val.numRef.f, (s.cat.strRef or s.cat.numRef).f if s.cat else None)
              for s in c.series], c.anchor._from.row, c.anchor._from.col)
            for c in ws._charts]


def describe(path: Path) -> dict:
    """Everything a user sees in the workbook, as openpyxl reads it."""
    wb = load_workbook(path)
    plain = _style(Workbook().active.cell(1, 1))
    out: dict = {"sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets],
                 "names": sorted((n, d.attr_text) for n, d in wb.defined_names.items())}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.__class__.__name__ == "MergedCell" or (c.value is None and _style(c) == plain):
                    continue
                cells[c.coordinate] = (c.value, c.data_type if c.value is not None else None, _style(c),
                                       c.comment.text if c.comment else None, c.hyperlink.target if c.hyperlink else None)
        p, page, props = ws.protection, ws.page_setup, ws.sheet_properties
        out[ws.title] = {
            "cells": cells, "merged": sorted(str(m) for m in ws.merged_cells.ranges), "cols": _columns(ws), "rows": _rows(ws),
            "dv": _validations(ws), "cf": _rules(ws), "charts": _charts(ws), "freeze": ws.freeze_panes,
            "filter": ws.auto_filter.ref, "print_area": ws.print_area, "print_titles": ws.print_title_rows,
            # fitToWidth 1 is the file format's default, which XlsxWriter leaves out
            "page": (page.orientation, str(page.paperSize), page.fitToWidth or 1, page.fitToHeight,
                     bool(props.pageSetUpPr.fitToPage) if props.pageSetUpPr else False),
            "header_footer": (str(ws.oddHeader.center.text), str(ws.oddFooter.left.text), str(ws.oddFooter.right.text)),
            "tab": _rgb(props.tabColor), "code_name": props.codeName,
            "protection": (bool(p.sheet), bool(p.formatColumns), bool(p.formatRows), bool(p.autoFilter)) if p.sheet else False,
        }
    return out


def diff(a, b, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                out.append(f"{path}/{k}: only in {'the fast file' if k not in a else 'openpyxl'}: {a.get(k, b.get(k))!r}")
            else:
                out += diff(a[k], b[k], f"{path}/{k}")
        return out
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def _write(ctx, path: Path, fast: bool) -> Path:
    book = build(ctx, load_catalogue(), Board(), decided=[], created="2026-01-01T00:00:00+00:00", updated="",
                 prepare=_fresh, fast=fast)
    assert isinstance(book.wb, LightWorkbook) is fast
    _save(book, path, False)
    return path


CASES = {
    "en": {},
    "de": {"lang": "de"},
    "formula-like name, control characters": {"municipality": "=SUM(A1)\x0bort"},
    "synthetic banner": {"manifest": {"input": {"synthetic": True}}},
}


@pytest.mark.parametrize("case", CASES)
def test_fast_writer_gives_the_workbook_openpyxl_gives(inst, tmp_path: Path, case: str) -> None:
    ctx = make_context(inst, **CASES[case])
    slow = describe(_write(ctx, tmp_path / "openpyxl.xlsx", fast=False))
    fast = describe(_write(ctx, tmp_path / "xlsxwriter.xlsx", fast=True))
    assert diff(slow, fast) == []
    # the comparison sees what matters: the profile has its charts and colour rules
    profile = fast[fast["sheets"][1][0]]
    assert len(profile["charts"]) >= 2 and profile["cf"]


def test_a_cell_note_is_written_as_openpyxl_writes_it(tmp_path: Path) -> None:
    """New workbooks carry no notes of their own today (the sheets' notes say why a cell shows
    "–"), but a note a builder writes reaches the file with its text and author."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    files = []
    for wb in (LightWorkbook(), Workbook()):
        cell = wb.active.cell(3, 2)
        cell.value, cell.comment = "–", Comment("Not shown: no respondents", "ctc")
        wb.save(path := tmp_path / f"{type(wb).__name__}.xlsx")
        files.append(load_workbook(path).active["B3"].comment)
    assert [(c.text, c.author) for c in files] == [("Not shown: no respondents", "ctc")] * 2


def test_an_unmodelled_openpyxl_feature_fails_instead_of_being_dropped(tmp_path: Path) -> None:
    wb = LightWorkbook()
    wb.active.cell(1, 1).value = "=1+1"  # a formula without the value LibreOffice would show
    with pytest.raises(NotModelled):
        wb.save(tmp_path / "x.xlsx")
    ws = LightSheet(wb, "S")
    with pytest.raises(AttributeError):
        ws.page_setup.scale = 80  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        ws.cell(1, 1).border = None  # type: ignore[attr-defined]


def test_a_link_excel_cannot_hold_keeps_its_text(tmp_path: Path) -> None:
    """XlsxWriter refuses links over Excel's limit (2,079 characters); the cell keeps its text."""
    wb = LightWorkbook()
    for row, url in ((1, "https://example.org/" + "x" * 2100), (2, "https://example.org/a")):
        cell = wb.active.cell(row, 1)
        cell.value, cell.hyperlink = "programme page", url
    wb.save(tmp_path / "links.xlsx")
    ws = load_workbook(tmp_path / "links.xlsx").active
    assert ws["A1"].value == ws["A2"].value == "programme page"
    assert ws["A1"].hyperlink is None and ws["A2"].hyperlink.target == "https://example.org/a"
