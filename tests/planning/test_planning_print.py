"""The demo planning workbook printed by LibreOffice: at most 15 A4 pages, every sheet one
page wide with a print area that holds its content, the synthetic-data banner on every page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries
from test_planning_libreoffice import soffice

from ctc.planning.strings import s

pytestmark = [pytest.mark.external("soffice"), pytest.mark.slow]


@pytest.fixture(scope="module", params=["en", "de"])
def demo_book(request, tmp_path_factory) -> tuple[str, Path]:
    lang = request.param
    folder = tmp_path_factory.mktemp(f"book-{lang}")
    done = subprocess.run([sys.executable, "-m", "ctc", "--lang", lang, "profile", "--demo", "-o", str(folder / "out")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return lang, folder / "out" / "musterstadt" / "planning.xlsx"


def test_the_demo_workbook_prints_on_at_most_fifteen_pages_with_the_banner_on_each(demo_book, tmp_path: Path) -> None:
    from pypdf import PdfReader

    lang, path = demo_book
    pdf = PdfReader(soffice(path, "pdf", tmp_path))
    assert 0 < len(pdf.pages) <= 15, len(pdf.pages)
    banner = s("banner.synthetic", lang)
    head = banner.split(":")[0]
    assert all(head in page.extract_text() for page in pdf.pages)


def test_every_sheet_prints_one_page_wide_and_its_content_lies_in_its_print_area(demo_book) -> None:
    _, path = demo_book
    wb = load_workbook(path)
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        # fitToWidth 1 is the file format's default, which XlsxWriter leaves out (read as None)
        assert ws.page_setup.fitToWidth in (1, None) and ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
        assert ws.print_area, ws.title
        low_col, low_row, high_col, high_row = range_boundaries(ws.print_area.split(",")[0].split("!")[-1].replace("$", ""))
        assert (low_col, low_row) == (1, 1)
        # the title, the notes and every table header stand inside the print area
        headers = [c for row in ws.iter_rows(max_row=min(ws.max_row, high_row)) for c in row
                   if c.value not in (None, "") and c.font is not None and c.font.b]
        assert headers and all(c.column <= high_col for c in headers), ws.title


def test_the_data_quality_sheet_prints_its_summary_not_the_list_of_hidden_cells(demo_book) -> None:
    lang, path = demo_book
    wb = load_workbook(path)
    ws = wb[s("sheet.quality", lang)]
    _, _, _, last = range_boundaries(ws.print_area.split(",")[0].split("!")[-1].replace("$", ""))
    where = {c.value: c.row for row in ws.iter_rows(max_col=1) for c in row if isinstance(c.value, str)}
    assert where[s("quality.problems", lang)] < where[s("quality.suppressed", lang)] <= last  # the summary prints
    assert ws.max_row > last + 2  # the list of every hidden cell follows, on screen only
