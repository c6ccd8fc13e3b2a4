"""What a board adds to a workbook besides table entries, kept on update.

* **Sheets the board added** (no toolkit marker) are copied into the new workbook with
  their values, formulas, formats, column widths, merged cells and comments.
* **Cell comments** the board wrote on a table cell go back on the same entry (found by
  row key and field id); any other comment goes to "Unmatched entries".
* **Renamed column headers** of the board's tables are written again as the board named them.
* **Notes typed outside the tables** of a toolkit sheet (e.g. beside the Profile table)
  go to "Unmatched entries". What the toolkit wrote is known from the sheet's
  *footprint* (the cell ranges it filled, kept in the hidden Meta sheet as
  ``cells.<sheet id>``), so anything outside it is the board's.
"""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass, field
from typing import Any
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from ..excel import clean_text
from .book import Book
from .layout import HIDDEN, KEY_PREFIX, SHEETS, TABLES
from .strings import LANGS, s

CODE = "ctc_"  # worksheet code name prefix of the toolkit's sheets (survives renaming)
AUTHOR = "ctc"  # author of the comments the toolkit writes itself
BOARD_SHEETS = ("priorities", *KEY_PREFIX)
MAX_FOOTPRINT = 30_000  # characters in one Meta cell (Excel's limit is 32,767)


@dataclass(frozen=True)
class Note:
    """A comment or a typed note found in the previous workbook."""

    sheet: str | None  # sheet id (None: a board-added sheet)
    title: str
    row: int
    col: int
    text: str
    author: str = ""
    table_key: str | None = None  # the row's key in a board table
    field_id: str | None = None

    @property
    def cell(self) -> str:
        return f"{get_column_letter(self.col)}{self.row}"


@dataclass
class Found:
    """Everything besides table entries that ``read_workbook`` found."""

    added_sheets: list[Worksheet] = field(default_factory=list)
    comments: list[Note] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


@dataclass
class Carried:
    sheets: list[str] = field(default_factory=list)  # titles of board sheets carried over
    comments: int = 0  # comments put back on their entry
    headers: list[tuple[str, str, str]] = field(default_factory=list)  # sheet title, toolkit header, board's header
    attach: list[tuple[Note, str]] = field(default_factory=list)  # comments to put back (note, final row key)


# --------------------------------------------------------------------------- writing side


def footprint(ws: Worksheet) -> str:
    """The ranges of ``ws`` the toolkit filled: one span per row, equal spans of
    consecutive rows merged ("A1:H1 A3:P200")."""
    spans: dict[int, list[int]] = {}
    for (r, c), cell in ws._cells.items():
        if cell.value is not None:
            lo_hi = spans.setdefault(r, [c, c])
            lo_hi[0], lo_hi[1] = min(lo_hi[0], c), max(lo_hi[1], c)
    parts: list[list[int]] = []  # [first row, last row, lo, hi]
    for r in sorted(spans):
        lo, hi = spans[r]
        if parts and parts[-1][1] == r - 1 and parts[-1][2:] == [lo, hi]:
            parts[-1][1] = r
        else:
            parts.append([r, r, lo, hi])
    text = " ".join(f"{get_column_letter(lo)}{a}:{get_column_letter(hi)}{b}" for a, b, lo, hi in parts)
    if len(text) > MAX_FOOTPRINT and parts:  # too detailed: the bounding box
        lo, hi = min(p[2] for p in parts), max(p[3] for p in parts)
        text = f"{get_column_letter(lo)}{parts[0][0]}:{get_column_letter(hi)}{parts[-1][1]}"
    return text


def mark_sheets(book: Book) -> dict[str, str]:
    """Give every toolkit sheet its code name; returns the footprints for the Meta sheet."""
    out = {}
    for sid in SHEETS:
        if sid not in book.names or book.names[sid] not in book.wb.sheetnames:
            continue
        ws = book.sheet(sid)
        ws.sheet_properties.codeName = f"{CODE}{sid}"  # Excel keeps it; LibreOffice drops it ...
        book.define(f"{CODE}sheet_{sid}", sid, "$A$1")  # ... but keeps names, renamed with the sheet
        if sid not in HIDDEN:
            out[f"cells.{sid}"] = footprint(ws)
    return out


# --------------------------------------------------------------------------- reading side


def named_sheets(wb: Any) -> dict[str, str]:
    """Sheet title → toolkit sheet id, from the workbook names ``ctc_sheet_<id>``."""
    out = {}
    prefix = f"{CODE}sheet_"
    for name, dn in wb.defined_names.items():
        if name.startswith(prefix) and name[len(prefix):] in SHEETS:
            for title, _ in dn.destinations:
                out[title] = name[len(prefix):]
    return out


def sheet_id(ws: Worksheet, marked: str | None, named: dict[str, str] | None = None) -> str | None:
    """The toolkit's id of a sheet (None: a sheet the board added)."""
    code = ws.sheet_properties.codeName or ""
    if code.startswith(CODE) and code[len(CODE):] in SHEETS:
        return code[len(CODE):]
    if marked:
        return marked
    if named and ws.title in named:
        return named[ws.title]
    for sid in SHEETS:  # workbooks written before code names: the sheet titles
        if any(ws.title == s(f"sheet.{sid}", lang) for lang in LANGS):
            return sid
    return None


def _inside(ranges: list[tuple[int, int, int, int]], r: int, c: int) -> bool:
    return any(lo <= c <= hi and top <= r <= bottom for lo, top, hi, bottom in ranges)


def parse_footprint(text: str) -> list[tuple[int, int, int, int]]:
    out = []
    for part in text.split():
        try:
            out.append(tuple(range_boundaries(part)))  # (min_col, min_row, max_col, max_row)
        except (TypeError, ValueError):
            continue
    return out  # type: ignore[return-value]


def _ours(comment: Comment) -> bool:
    """A comment the toolkit wrote: author ``ctc``, or (LibreOffice rewrites authors) the
    text of one of its own notes in either language."""
    if (comment.author or "") == AUTHOR:
        return True
    text = (comment.text or "").strip()
    return any(text.startswith(s("profile.suppressed_note", lang, reason="")) for lang in LANGS)


def scan(ws: Worksheet, sid: str | None, table: tuple[int, set[int], int | None] | None, printed: str | None,
         found: Found) -> None:
    """Collect the comments of ``ws`` and (given its footprint) the notes typed outside
    what the toolkit wrote. ``table``: (header row, columns the table reader handles,
    key column)."""
    ranges = parse_footprint(printed) if printed else None
    key_col = table[2] if table is not None else None
    for (r, c), cell in sorted(ws._cells.items()):
        in_table = table is not None and r >= table[0] and c in table[1]
        if cell.comment is not None and not _ours(cell.comment):
            key = None
            if in_table and key_col is not None and r > table[0]:  # type: ignore[index]
                k = ws.cell(row=r, column=key_col).value
                key = str(k).strip() if k not in (None, "") else None
            fid = _field(ws, table, c) if in_table else None
            found.comments.append(Note(sid, ws.title, r, c, cell.comment.text or "", cell.comment.author or "", key, fid))
        if ranges is None or in_table or cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
            continue
        if not _inside(ranges, r, c):
            found.notes.append(Note(sid, ws.title, r, c, str(cell.value)))


def _field(ws: Worksheet, table: tuple[int, set[int], int | None] | None, c: int) -> str | None:
    if table is None:
        return None
    v = ws.cell(row=table[0] - 1, column=c).value  # the hidden field-id row
    return v.split(":")[2] if isinstance(v, str) and v.count(":") == 2 else None


# --------------------------------------------------------------------------- merging side


def final_key(note: Note, finals: dict[tuple[str, int], str], factor_ids: set[str]) -> str | None:
    """The key the comment's row has in the new workbook (None: no such row)."""
    if note.sheet is None or note.field_id is None or note.field_id not in {f.id for f in TABLES.get(note.sheet, ())}:
        return None
    if (note.sheet, note.row) in finals:
        return finals[(note.sheet, note.row)]
    if note.sheet == "priorities":
        return note.table_key if note.table_key in factor_ids else None
    return None


# --------------------------------------------------------------------------- after building


def _row_of(ws: Worksheet, key: str) -> int | None:
    for r in range(1, ws.max_row + 1):
        v = ws.cell(row=r, column=1).value
        if isinstance(v, str) and v.strip() == key:
            return r
    return None


def attach_comments(book: Book, carried: Carried) -> None:
    for note, key in carried.attach:
        assert note.sheet is not None and note.field_id is not None
        ws = book.sheet(note.sheet)
        r = _row_of(ws, key)
        c = next(k for k, f in enumerate(TABLES[note.sheet], start=1) if f.id == note.field_id)
        if r is not None:
            ws.cell(row=r, column=c).comment = Comment(clean_text(note.text), note.author or "board")
            carried.comments += 1


def keep_headers(book: Book, headers: dict[str, dict[str, str]], old_lang: str, carried: Carried) -> None:
    """Column headers the board renamed on its tables are written again as named."""
    from .layout import HEADER_ROW

    for sid in BOARD_SHEETS:
        ws = book.sheet(sid)
        for c, f in enumerate(TABLES[sid], start=1):
            got = (headers.get(sid) or {}).get(f.id, "").strip()
            ours = {s(f.header_key, lang) for lang in LANGS}
            if got and got not in ours:
                ws.cell(row=HEADER_ROW, column=c).value = clean_text(got)
                carried.headers.append((ws.title, s(f.header_key, book.lang), got))


def copy_sheets(book: Book, sheets: list[Worksheet], carried: Carried) -> None:
    """Copy the board's own sheets, after the last visible toolkit sheet."""
    at = len([ws for ws in book.wb.worksheets if ws.sheet_state == "visible"])
    for k, src in enumerate(sheets):
        title = src.title if src.title not in book.wb.sheetnames else f"{src.title[:28]} (2)"
        dst = book.wb.create_sheet(title, index=at + k)
        _copy(src, dst)
        carried.sheets.append(title)


def _copy(src: Worksheet, dst: Worksheet) -> None:
    for (r, c), cell in src._cells.items():
        new = dst.cell(row=r, column=c)
        v = cell.value
        new.value = clean_text(v) if isinstance(v, str) else v
        if cell.data_type == "s" and isinstance(v, str):
            new.data_type = "s"
        if cell.has_style:
            new.font, new.fill, new.border = copy(cell.font), copy(cell.fill), copy(cell.border)
            new.alignment, new.protection = copy(cell.alignment), copy(cell.protection)
            new.number_format = cell.number_format
        if cell.comment is not None:
            new.comment = Comment(cell.comment.text, cell.comment.author or "board")
        if cell.hyperlink is not None:
            new.hyperlink = copy(cell.hyperlink)
    for key, dim in src.column_dimensions.items():
        dst.column_dimensions[key].width = dim.width
        dst.column_dimensions[key].hidden = dim.hidden
    for key, dim in src.row_dimensions.items():
        dst.row_dimensions[key].height = dim.height
        dst.row_dimensions[key].hidden = dim.hidden
    for rng in src.merged_cells.ranges:
        dst.merge_cells(str(rng))
    dst.freeze_panes = src.freeze_panes
    dst.sheet_state = src.sheet_state
    dst.sheet_properties.tabColor = copy(src.sheet_properties.tabColor)
