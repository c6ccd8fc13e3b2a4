"""The Profile and Problem-behaviours sheets: indicator × grade against the baseline, with
conditional formatting and native charts.

Layout (both sheets): key | sign (hidden) | type | domain/group | indicator, then three
blocks of grade columns plus "all grades": % · baseline % · difference (pp). Suppressed
cells hold "–" (text) with a note. The charts plot a separate chart-data block below
the table in which suppressed values are empty cells, so nothing hidden is drawn as 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..excel import DASH, HEADER_FILL, HEADER_FONT, WRAP_TOP, put, styled, title
from ..i18n import MESSAGES, t
from ..profile.estimate import ALL
from ..profile.indicators import Indicator
from .book import GREEN, KEY_FONT, LIGHT_RED, RED, Book, note, value

PCT = "0.0"
LEFT = 5  # columns before the first block
WORSE = 5.0  # percentage points that colour a cell strongly


@dataclass(frozen=True)
class Grid:
    inds: list[Indicator]
    grades: list[str]  # grade labels incl. "all" last
    pct: dict[tuple[str, str], tuple[object, str]]  # (id, grade) → (value or DASH, suppression reason)
    base: dict[tuple[str, str], object]
    diff: dict[tuple[str, str], object]
    has_baseline: bool


def grid(book: Book, kinds: tuple[str, ...]) -> Grid:
    t_ = book.ctx.table
    rows = t_[(t_["gender"].astype(str) == ALL) & t_["indicator_type"].isin(kinds)]
    inds = [i for i in book.ctx.indicators if i.type in kinds]
    grades = [str(g) for g in book.grades()] + [ALL]
    pct, base, diff = {}, {}, {}
    for r in rows.itertuples(index=False):
        key = (f"{r.indicator_type}:{r.indicator_id}", str(r.grade))
        if bool(r.suppressed):
            reason = str(r.suppression_reason) if isinstance(r.suppression_reason, str) and r.suppression_reason else "small-n"
            pct[key] = (DASH, t(f"suppression.{reason}", book.lang) if f"suppression.{reason}" in MESSAGES else reason)
            diff[key] = DASH
        else:
            pct[key] = (value(r.pct), "")
            diff[key] = value(r.diff_pp)
        base[key] = value(r.baseline_pct)
    has_baseline = any(v is not None for v in base.values())
    return Grid(inds, grades, pct, base, diff, has_baseline)


def _k(ind: Indicator) -> str:
    return f"{ind.type}:{ind.id}"


def _sign(ind: Indicator) -> int:
    return -1 if ind.type == "protective" else 1


def _group_label(book: Book, ind: Indicator) -> str:
    key = f"domain.{ind.group}" if ind.type != "outcome" else f"group.{ind.group}"
    return t(key, book.lang) if key in MESSAGES else ind.group


def write_grid(book: Book, ws: Worksheet, g: Grid, flag: str) -> tuple[int, int, list[int]]:
    """The table; returns (first data row, last data row, first column of each block)."""
    n = len(g.grades)
    blocks = [LEFT + 1]
    if g.has_baseline:
        blocks += [LEFT + 1 + n, LEFT + 1 + 2 * n]
    heads = [book.s("profile.block.pct", flag=flag), book.s("profile.block.baseline"), book.s("profile.block.diff")]
    for b, start in enumerate(blocks):
        put(ws, 3, start, heads[b])
        ws.cell(row=3, column=start).font = HEADER_FONT
        for k, grade in enumerate(g.grades):
            text = book.s("profile.all_grades") if grade == ALL else book.s("profile.grade", grade=grade)
            put(ws, 4, start + k, text)
    for c, key in enumerate(("col.key", "col.sign", "col.kind", "col.group", "col.indicator"), start=1):
        put(ws, 4, c, book.s(key))
    for c in range(1, LEFT + len(blocks) * n + 1):
        cell = ws.cell(row=4, column=c)
        styled(cell, fill=HEADER_FILL, font=HEADER_FONT, alignment=WRAP_TOP)
    ws.row_dimensions[4].height = 30
    first = 5
    for r, ind in enumerate(g.inds, start=first):
        put(ws, r, 1, ind.id)
        styled(ws.cell(row=r, column=1), font=KEY_FONT)
        put(ws, r, 2, _sign(ind))
        put(ws, r, 3, t(f"kind.{ind.type}", book.lang))
        put(ws, r, 4, _group_label(book, ind))
        put(ws, r, 5, ind.name(book.lang))
        for k, grade in enumerate(g.grades):
            key = (_k(ind), grade)
            v, reason = g.pct.get(key, (None, ""))
            put(ws, r, blocks[0] + k, v, PCT)
            if v == DASH and reason != t("suppression.protected", book.lang):
                # the sheet's note says why a cell shows "–"; a cell note only for any other reason
                # (hundreds of notes repeating the sheet's note were an eighth of the workbook's writing time)
                ws.cell(row=r, column=blocks[0] + k).comment = Comment(book.s("profile.suppressed_note", reason=reason), "ctc")
            if g.has_baseline:
                put(ws, r, blocks[1] + k, g.base.get(key), PCT)
                put(ws, r, blocks[2] + k, g.diff.get(key), PCT)
    last = first + max(len(g.inds), 1) - 1
    if g.has_baseline:
        _colour(ws, blocks, n, first, last)
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].hidden = True
    ws.column_dimensions["C"].width = 14
    ws.column_dimensions["D"].width = 18
    ws.column_dimensions["E"].width = 40
    for c in range(LEFT + 1, LEFT + len(blocks) * n + 1):
        ws.column_dimensions[get_column_letter(c)].width = 8
    ws.freeze_panes = ws.cell(row=first, column=LEFT + 1)
    ws.print_title_rows = "3:4"
    return first, last, blocks


def _colour(ws: Worksheet, blocks: list[int], n: int, first: int, last: int) -> None:
    """Colour % and difference cells by the difference to the baseline, worse = red."""
    diff0 = get_column_letter(blocks[2])
    d = f"{diff0}{first}"
    rules = [
        (f"AND(ISNUMBER({d}),$B{first}*{d}>={WORSE})", RED),
        (f"AND(ISNUMBER({d}),$B{first}*{d}>0)", LIGHT_RED),
        (f"AND(ISNUMBER({d}),$B{first}*{d}<=-{WORSE})", GREEN),
    ]
    for start in (blocks[0], blocks[2]):
        rng = f"{get_column_letter(start)}{first}:{get_column_letter(start + n - 1)}{last}"
        for formula, fill in rules:
            ws.conditional_formatting.add(rng, FormulaRule(formula=[formula], fill=fill, stopIfTrue=True))


def _chart_value(g: Grid, ind: Indicator, grade: str) -> object:
    v, _ = g.pct.get((_k(ind), grade), (None, ""))
    return None if v == DASH else v


def _bar(title_: str, horizontal: bool, n_cats: int, y_title: str) -> BarChart:
    ch = BarChart()
    ch.type = "bar" if horizontal else "col"
    ch.grouping = "clustered"
    ch.title = title_
    ch.y_axis.title = y_title
    ch.y_axis.scaling.min = 0
    ch.y_axis.scaling.max = 100
    ch.x_axis.delete = False
    ch.y_axis.delete = False
    if horizontal:
        ch.x_axis.scaling.orientation = "maxMin"
        ch.height = max(7.5, 0.8 * n_cats + 3)
        ch.width = 18
    else:
        ch.height, ch.width = 9, 18
    return ch


def _pooled_block(book: Book, ws: Worksheet, g: Grid, inds: list[Indicator], row: int, flag: str) -> tuple[int, int]:
    """Label | % (all grades) | baseline %; returns (header row, last row)."""
    put(ws, row, 5, book.s("col.indicator"))
    put(ws, row, 6, book.s("chart.series.municipality", municipality=book.ctx.municipality))
    if g.has_baseline:
        put(ws, row, 7, book.s("chart.series.baseline"))
    for r, ind in enumerate(inds, start=row + 1):
        put(ws, r, 5, ind.name(book.lang))
        put(ws, r, 6, _chart_value(g, ind, ALL), PCT)
        if g.has_baseline:
            put(ws, r, 7, g.base.get((_k(ind), ALL)), PCT)
    return row, row + len(inds)


def _pooled_chart(book: Book, ws: Worksheet, g: Grid, head: int, last: int, title_: str, y_title: str) -> BarChart:
    ch = _bar(title_, True, last - head, y_title)
    data = Reference(ws, min_col=6, max_col=7 if g.has_baseline else 6, min_row=head, max_row=last)
    ch.add_data(data, titles_from_data=True)
    ch.set_categories(Reference(ws, min_col=5, min_row=head + 1, max_row=last))
    return ch


def write_charts(book: Book, ws: Worksheet, g: Grid, last: int, groups: list[tuple[str, list[Indicator], str]],
                 by_grade: list[Indicator]) -> None:
    """Chart-data blocks under the table, the charts beside them."""
    row = last + 3
    put(ws, row, 1, book.s("chart.data_title"))
    ws.cell(row=row, column=1).font = Font(bold=True)
    note(ws, row + 1, book.s("chart.data_note"))
    row += 3
    for title_, inds, y_title in groups:
        if not inds:
            continue
        head, end = _pooled_block(book, ws, g, inds, row, y_title)
        ch = _pooled_chart(book, ws, g, head, end, title_, y_title)
        ws.add_chart(ch, f"{get_column_letter(LEFT + 4)}{head}")
        rows_needed = max(end - head + 2, int(ch.height / 0.5) + 2)
        row = head + rows_needed
    if by_grade:
        grades = [gr for gr in g.grades if gr != ALL]
        put(ws, row, 5, book.s("col.indicator"))
        for k, grade in enumerate(grades, start=6):
            put(ws, row, k, book.s("profile.grade", grade=grade))
        for r, ind in enumerate(by_grade, start=row + 1):
            put(ws, r, 5, ind.name(book.lang))
            for k, grade in enumerate(grades, start=6):
                put(ws, r, k, _chart_value(g, ind, grade), PCT)
        ch = _bar(book.s("chart.by_grade"), False, len(grades), book.s("chart.axis.pct"))
        ch.add_data(Reference(ws, min_col=5, max_col=5 + len(grades), min_row=row + 1, max_row=row + len(by_grade)),
                    from_rows=True, titles_from_data=True)
        ch.set_categories(Reference(ws, min_col=6, max_col=5 + len(grades), min_row=row))
        ws.add_chart(ch, f"{get_column_letter(LEFT + 4 + len(grades))}{row}")


def gender_block(book: Book, ws: Worksheet, g: Grid, first: int, column: int) -> None:
    """Each factor by gender (all grades), beside the grid; hidden cells are "–" (the sheet's note says why)."""
    t_ = book.ctx.table
    rows = t_[(t_["grade"].astype(str) == ALL) & (t_["gender"].astype(str) != ALL)]
    codes = [c for c in (book.ctx.instrument.genders or sorted(set(rows["gender"].astype(str)))) if c in set(rows["gender"].astype(str))]
    if not codes:
        return
    names = book.ctx.instrument.genders or {}
    put(ws, 3, column, book.s("profile.block.gender"))
    ws.cell(row=3, column=column).font = HEADER_FONT
    index = {(f"{r.indicator_type}:{r.indicator_id}", str(r.gender)): r for r in rows.itertuples(index=False)}
    for k, code in enumerate(codes):
        cell = ws.cell(row=4, column=column + k)
        put(ws, 4, column + k, names[code].get(book.lang) if code in names else code)
        styled(cell, fill=HEADER_FILL, font=HEADER_FONT, alignment=WRAP_TOP)
        ws.column_dimensions[get_column_letter(column + k)].width = 9
        for r, ind in enumerate(g.inds, start=first):
            row = index.get((_k(ind), code))
            if row is None or bool(row.suppressed):
                put(ws, r, column + k, DASH)  # why: the sheet's note (write_grid)
            else:
                put(ws, r, column + k, value(row.pct), PCT)


def profile_sheet(book: Book) -> None:
    ws = book.sheet("profile")
    title(ws, f"{book.s('sheet.profile')} — {book.ctx.municipality}")
    note(ws, 2, book.s("profile.note"))
    g = grid(book, ("risk", "protective"))
    first, last, blocks = write_grid(book, ws, g, book.s("profile.flag"))
    gender_block(book, ws, g, first, blocks[-1] + len(g.grades) + 1)
    risk = [i for i in g.inds if i.type == "risk"]
    prot = [i for i in g.inds if i.type == "protective"]
    short = [i for i in g.inds if i.id in set(book.prioritised)]
    write_charts(book, ws, g, last, [
        (book.s("chart.risk"), risk, book.s("chart.axis.risk")),
        (book.s("chart.protective"), prot, book.s("chart.axis.protective")),
    ], short)
    _ = first


def behaviours_sheet(book: Book) -> None:
    ws = book.sheet("behaviours")
    title(ws, f"{book.s('sheet.behaviours')} — {book.ctx.municipality}")
    note(ws, 2, book.s("behaviours.note"))
    g = grid(book, ("outcome",))
    _, last, _ = write_grid(book, ws, g, book.s("behaviours.flag"))
    write_charts(book, ws, g, last, [(book.s("chart.behaviours"), g.inds, book.s("chart.axis.pct"))], [])


