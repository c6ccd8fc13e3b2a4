"""Small openpyxl helpers shared by every workbook the toolkit writes.

The one rule that matters for safety: text from data or users is always stored as a
*string* cell — a municipality called ``=SUM(A1)`` must never become a formula. And
every text is made valid XML first: control characters (``\x00``, ``\x0b`` …) that
XML 1.0 forbids are dropped, the whitespace-like ones (``\x0b``, ``\x0c``) become a space.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from copy import copy
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
HEADER_FONT = Font(bold=True)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
DASH = "–"
MAX_TEXT = 32_767  # characters an .xlsx cell holds
_SPACE_LIKE = re.compile(r"[\x0b\x0c]")
_ILLEGAL = re.compile(r"[\x00-\x08\x0e-\x1f\ufffe\uffff]")
_ANY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """``text`` without the characters an .xlsx cannot hold (the visible text is kept)."""
    if _ANY.search(text) is None:  # nearly every text: one scan instead of two substitutions
        return text
    return _ILLEGAL.sub("", _SPACE_LIKE.sub(" ", text))


def _light(cell: Any) -> bool:
    """A cell of the fast writer's light sheets (planning/fast.py), not an openpyxl cell."""
    return not hasattr(cell, "_style")


def styled(cell: Any, *, font: Font | None = None, fill: PatternFill | None = None, alignment: Alignment | None = None,
           protection: Any = None, number_format: str | None = None) -> None:
    """Give ``cell`` these styles (``None``: keep its own), through a per-workbook cache.

    openpyxl hashes every style object on each assignment to find it in the workbook's
    style lists — two thirds of the time of writing a planning workbook. A cell's style
    is a short array of indices into those lists, so the array for (the cell's current
    style, these objects) is computed once per workbook and copied after that. The cache
    holds the objects themselves, so the ``id`` in its key cannot be reused by another."""
    if _light(cell):  # it holds the style objects themselves
        for name, v in (("font", font), ("fill", fill), ("alignment", alignment), ("protection", protection),
                        ("number_format", number_format)):
            if v is not None:
                setattr(cell, name, v)
        return
    wb = cell.parent.parent
    cache = wb.__dict__.setdefault("_ctc_styles", {})
    key = (tuple(cell._style) if cell._style else None, id(font), id(fill), id(alignment), id(protection), number_format)
    hit = cache.get(key)
    if hit is None:
        for name, v in (("font", font), ("fill", fill), ("alignment", alignment), ("protection", protection),
                        ("number_format", number_format)):
            if v is not None:
                setattr(cell, name, v)
        cache[key] = hit = (font, fill, alignment, protection, copy(cell._style))
    else:
        cell._style = copy(hit[4])


def put(ws: Worksheet, row: int, col: int, value: Any, number_format: str | None = None) -> Any:
    """Write one cell and return it; strings are forced to text, NaN/None/NA become an empty cell."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        if value == "<NA>":  # pandas' missing value, written out by an earlier step
            cell.value = None
            return cell
        # cleaned here, so openpyxl's own scan for illegal characters (a regex over every
        # string, a sixth of a workbook's writing time) is skipped; its length limit kept
        cell._value = clean_text(value)[:MAX_TEXT]
        cell.data_type = "s"  # never a formula, whatever the first character
        return cell
    if value is None or (isinstance(value, float) and math.isnan(value)):
        cell.value = None
        return cell
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if not isinstance(value, int | float) and str(value) == "<NA>":  # pd.NA
        cell.value = None
        return cell
    cell.value = value
    if number_format and isinstance(value, int | float):
        styled(cell, number_format=number_format)
    return cell


def formula(ws: Worksheet, row: int, col: int, text: str, result: Any = None) -> None:
    """A formula cell. ``result``: its value in the workbook as written, where known.
    openpyxl stores no value, so every program computes it on opening; the fast writer
    (planning/fast.py) needs it, as LibreOffice shows an XlsxWriter file's stored values
    until something is recalculated."""
    cell = ws.cell(row=row, column=col)
    cell.value = text
    if _light(cell):
        cell.result = result


def write_table(ws: Worksheet, top: int, headers: Sequence[str], rows: Iterable[Sequence[Any]],
                formats: dict[int, str] | None = None) -> int:
    """A header row and data rows from ``top``; returns the next free row."""
    for c, h in enumerate(headers, start=1):
        put(ws, top, c, h)
        styled(ws.cell(row=top, column=c), fill=HEADER_FILL, font=HEADER_FONT, alignment=WRAP_TOP)
    r = top
    for r, row in enumerate(rows, start=top + 1):
        for c, v in enumerate(row, start=1):
            put(ws, r, c, v, (formats or {}).get(c))
    return r + 1


def widths(ws: Worksheet, sizes: Sequence[int]) -> None:
    for k, w in enumerate(sizes, start=1):
        ws.column_dimensions[get_column_letter(k)].width = w


def title(ws: Worksheet, text: str, row: int = 1) -> None:
    put(ws, row, 1, text)
    ws.cell(row=row, column=1).font = Font(bold=True, size=14)
