"""Reading the board's entries back from a planning workbook.

Tables are found by their hidden field-id rows (``ctc:<sheet>:<field>``), so renamed
sheets, moved columns and inserted rows do not matter. A formula the board typed into
a board cell is read as its last computed value (or as its text when the file holds
no computed value); it is never written back as a formula.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import OutputError
from .keep import Found, named_sheets, scan, sheet_id
from .layout import FORMAT, HIDDEN, MARK, TABLES

SCAN_ROWS = 12


@dataclass
class Row:
    """One entered row: its position, board/key values, data values (for context) and
    values of columns the board added itself (header text → value)."""

    sheet: str
    row: int
    values: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Existing:
    path: Path
    meta: dict[str, str]
    lists: dict[str, dict[str, str]]  # list id → {label: value id}
    tables: dict[str, list[Row]]
    headers: dict[str, dict[str, str]]  # sheet id → field id → header text as found
    sheet_titles: dict[str, str]  # sheet id → title as found
    found: Found = field(default_factory=Found)  # added sheets, comments, notes outside the tables

    @property
    def lang(self) -> str:
        return self.meta.get("lang", "en")


def blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _markers(ws: Worksheet) -> tuple[int, dict[int, tuple[str, str]]] | None:
    """(field-id row, column → (sheet id, field id)) of the first marked row."""
    for r, cells in enumerate(ws.iter_rows(min_row=1, max_row=SCAN_ROWS, values_only=True), start=1):
        found = {}
        for c, v in enumerate(cells, start=1):
            if isinstance(v, str) and v.startswith(MARK) and v.count(":") == 2:
                _, sheet, fid = v.split(":")
                found[c] = (sheet, fid)
        if found:
            return r, found
    return None


def _cell_value(cell: Any, cached: Worksheet | None) -> Any:
    v = cell.value
    if cell.data_type == "f" or (isinstance(v, str) and cell.data_type == "f"):
        if cached is not None:
            got = cached.cell(row=cell.row, column=cell.column).value
            if got is not None:
                return got
        return str(v)
    if isinstance(v, dt.time):
        return v.isoformat()
    return v


def _read_table(ws: Worksheet, cached: Worksheet | None, id_row: int,
                marks: dict[int, tuple[str, str]]) -> tuple[str, list[Row], dict[str, str], set[int]]:
    sheet = next(iter(marks.values()))[0]
    spec = {f.id: f for f in TABLES.get(sheet, ())}
    header_cells = next(ws.iter_rows(min_row=id_row + 1, max_row=id_row + 1))
    headers = {c: cell.value for c, cell in enumerate(header_cells, start=1)}
    found_headers = {marks[c][1]: str(headers.get(c) or "") for c in marks}
    extra_cols = {c: str(h) for c, h in headers.items() if c not in marks and not blank(h)}
    rows = []
    for cells in ws.iter_rows(min_row=id_row + 2):
        row = Row(sheet, cells[0].row)
        for cell in cells:
            c = cell.column
            if c not in marks and c not in extra_cols:
                continue
            v = _cell_value(cell, cached)
            if blank(v):
                continue
            if c in extra_cols:
                row.extra[extra_cols[c]] = v
                continue
            fid = marks[c][1]
            f = spec.get(fid)
            if f is None or f.role == "data":
                row.data[fid] = v
            else:
                row.values[fid] = v
        if any(k != "key" for k in row.values) or row.extra:
            rows.append(row)
    return sheet, rows, found_headers, set(marks) | set(extra_cols)


def _lists(ws: Worksheet) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    grid = list(ws.iter_rows(values_only=True))
    if not grid:
        return out
    for c, v in enumerate(grid[0]):
        if isinstance(v, str) and v.startswith(f"{MARK}list:"):
            list_id = v.split(":", 2)[2]
            pairs = {}
            for r in grid[1:]:
                vid = r[c] if c < len(r) else None
                label = r[c + 1] if c + 1 < len(r) else None
                if not blank(vid) and not blank(label):
                    pairs[str(label)] = str(vid)
            out[list_id] = pairs
    return out


def _meta(ws: Worksheet) -> dict[str, str]:
    out = {}
    for r in ws.iter_rows(min_row=2, values_only=True):
        if r and isinstance(r[0], str):
            out[r[0]] = "" if len(r) < 2 or r[1] is None else str(r[1])
    return out


def _open(path: Path, data_only: bool):  # type: ignore[no-untyped-def]
    try:
        return load_workbook(path, data_only=data_only)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise OutputError(f"planning workbook {path} not found", "give the path of an existing planning.xlsx") from None
        raise OutputError(f"cannot read {path} as an Excel workbook ({exc})",
                          "open it in Excel or LibreOffice and save it again as .xlsx") from None


def read_workbook(path: str | Path) -> Existing:
    """The board's entries and the workbook's metadata. Raises :class:`OutputError` for a
    file that is not a planning workbook written by the toolkit."""
    path = Path(path)
    wb = _open(path, data_only=False)
    cached_wb = None
    meta: dict[str, str] = {}
    lists: dict[str, dict[str, str]] = {}
    tables: dict[str, list[Row]] = {}
    headers: dict[str, dict[str, str]] = {}
    titles: dict[str, str] = {}
    scans: list[tuple[Worksheet, str | None, tuple[int, set[int], int | None] | None]] = []
    named = named_sheets(wb)
    for ws in wb.worksheets:
        first = ws.cell(row=1, column=1).value
        if first == f"{MARK}meta":
            meta = _meta(ws)
            titles["meta"] = ws.title
            continue
        if isinstance(first, str) and first.startswith(f"{MARK}list:"):
            lists = _lists(ws)
            titles["lists"] = ws.title
            continue
        found = _markers(ws)
        if found is None:
            scans.append((ws, sheet_id(ws, None, named), None))
            continue
        id_row, marks = found
        if cached_wb is None and _has_formulas(ws, id_row):
            cached_wb = _open(path, data_only=True)
        cached = cached_wb[ws.title] if cached_wb is not None else None
        sheet, rows, hdr, handled = _read_table(ws, cached, id_row, marks)
        key_col = next((c for c, (_, fid) in marks.items() if fid == "key"), None)
        scans.append((ws, sheet_id(ws, sheet), (id_row + 1, handled, key_col)))
        tables.setdefault(sheet, []).extend(rows)
        headers[sheet] = hdr
        titles[sheet] = ws.title
    if not meta or not meta.get("format", "").startswith("ctc-planning/"):
        raise OutputError(f"{path} is not a planning workbook written by ctc (no hidden Meta sheet)",
                          "give a planning.xlsx written by 'ctc profile' or 'ctc workbook create'")
    if meta["format"] != FORMAT:
        raise OutputError(f"{path} has format {meta['format']!r}; this toolkit reads {FORMAT!r}",
                          "update the toolkit, or create a new workbook")
    return Existing(path, meta, lists, tables, headers, titles, _found(scans, meta))


def _found(scans: list[tuple[Worksheet, str | None, tuple[int, set[int], int | None] | None]], meta: dict[str, str]) -> Found:
    found = Found()
    for ws, sid, table in scans:
        if sid is None:
            found.added_sheets.append(ws)
        elif sid not in HIDDEN:
            scan(ws, sid, table, meta.get(f"cells.{sid}"), found)
    return found


def _has_formulas(ws: Worksheet, id_row: int) -> bool:
    for cells in ws.iter_rows(min_row=id_row + 2):
        for cell in cells:
            if cell.data_type == "f":
                return True
    return False
