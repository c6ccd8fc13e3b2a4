"""Writing one keyed table (field-id row, header, rows, dropdowns, formats) and its names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..excel import HEADER_FILL, HEADER_FONT, WRAP_TOP, put, styled
from .book import BOARD_FILL, BOARD_HEADER_FILL, KEY_FONT, Book
from .layout import FIRST_ROW, HEADER_ROW, ID_ROW, MARK, Field
from .vocab import render

YEAR_MIN, YEAR_MAX = 2000, 2100
UNLOCKED = Protection(locked=False)


def _lines(text: str, width: int) -> int:
    """Lines a wrapped text needs in a column ``width`` characters wide (an estimate)."""
    return max(1, -(-int(len(text) * 1.1) // max(width - 1, 1)))


def _validation(book: Book, f: Field) -> DataValidation | None:
    """The data validation of a board column (None for free text)."""
    msg = book.s
    if f.vocab:
        dv = DataValidation(type="list", formula1=f"ctc_{f.vocab}", allow_blank=True)
        if not f.strict:  # suggestions: any other text is accepted after a note
            dv.errorStyle = "information"
        dv.error, dv.errorTitle = msg("dv.list.error" if f.strict else "dv.list.note"), msg("dv.title")
        dv.showErrorMessage = True
        return dv
    rules = {
        "whole": ("whole", "between", 0, 99, "dv.whole.error"),
        "percent": ("decimal", "between", 0, 100, "dv.percent.error"),
        "year": ("whole", "between", YEAR_MIN, YEAR_MAX, "dv.year.error"),
        "decimal": ("decimal", "greaterThanOrEqual", 0, None, "dv.decimal.error"),
    }
    if f.check not in rules:
        return None
    kind, op, lo, hi, err = rules[f.check]
    if f.id == "reach":
        op, hi = "greaterThanOrEqual", None
    dv = DataValidation(type=kind, operator=op, formula1=str(lo), formula2=None if hi is None else str(hi), allow_blank=True)
    dv.error, dv.errorTitle = msg(err), msg("dv.title")
    dv.showErrorMessage = True
    return dv


def write_table(book: Book, ws: Worksheet, sheet_id: str, fields: Sequence[Field], rows: Sequence[dict[str, Any]],
                n_rows: int, *, keys: Sequence[str] = ()) -> tuple[int, int]:
    """Write a keyed table; returns (first data row, last data row).

    ``rows`` are written from :data:`FIRST_ROW`; up to ``n_rows`` rows are formatted and
    validated, and the empty ones get the next ``keys``. Strings always stay text.
    """
    first, last = FIRST_ROW, FIRST_ROW + max(n_rows, len(rows), 1) - 1
    for c, f in enumerate(fields, start=1):
        put(ws, ID_ROW, c, f"{MARK}{sheet_id}:{f.id}")
        put(ws, HEADER_ROW, c, book.s(f.header_key))
        styled(ws.cell(row=HEADER_ROW, column=c), fill=BOARD_HEADER_FILL if f.role == "board" else HEADER_FILL,
               font=HEADER_FONT, alignment=WRAP_TOP)
        ws.column_dimensions[get_column_letter(c)].width = f.width
    ws.row_dimensions[ID_ROW].hidden = True
    ws.row_dimensions[HEADER_ROW].height = 15 * max(_lines(book.s(f.header_key), f.width) for f in fields)
    spare = iter(keys)
    for r in range(first, last + 1):
        data = rows[r - first] if r - first < len(rows) else {"key": next(spare, None)}
        values = [render(data.get(f.id), book.vocabs, book.lang) for f in fields]
        lines = max([_lines(v, f.width) for f, v in zip(fields, values) if isinstance(v, str) and f.width >= 28] or [1])
        if lines > 1:  # wrapped text: spreadsheet programs do not grow rows written by openpyxl
            ws.row_dimensions[r].height = 15 * min(lines, 8)
        for c, (f, v) in enumerate(zip(fields, values), start=1):
            cell = put(ws, r, c, v)
            board = f.role == "board"  # board cells: filled, and editable where the sheet is protected
            styled(cell, number_format=f.fmt or None, font=KEY_FONT if f.role == "key" else None,
                   fill=BOARD_FILL if board else None, protection=UNLOCKED if board else None,
                   alignment=WRAP_TOP if f.role != "key" and f.width >= 28 else None)
    for c, f in enumerate(fields, start=1):
        if f.role != "board":
            continue
        dv = _validation(book, f)
        if dv is not None:
            col = get_column_letter(c)
            dv.add(f"{col}{first}:{col}{last}")
            ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=2)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(fields))}{last}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    return first, last


def name_column(book: Book, sheet_id: str, fields: Sequence[Field], field_id: str, name: str, first: int, last: int) -> str:
    """Define ``name`` for one column of a table; returns the absolute reference."""
    c = next(k for k, f in enumerate(fields, start=1) if f.id == field_id)
    col = get_column_letter(c)
    ref = f"${col}${first}:${col}${last}"
    book.define(name, sheet_id, ref)
    return ref
