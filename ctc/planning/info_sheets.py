"""Overview, Programme matches, Data quality and the hidden Lists and Meta sheets."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .. import __version__
from ..catalogue import best_rating, rating_label
from ..catalogue.country import country_line, ranking_text
from ..catalogue.render import CONTINUUM, SETTINGS
from ..checks import CODES, with_columns
from ..excel import put, title, widths, write_table
from ..i18n import MESSAGES, t
from ..profile.estimate import ALL
from .book import Book, note, value
from .layout import BOARD_TABLES, FIRST_ROW, FORMAT, MARK, SHEETS
from .match import planning_country, surveyed_ages
from .vocab import FIXED

WRAP = Alignment(wrap_text=True, vertical="top")


# --------------------------------------------------------------------------- overview


def _flatten(obj: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            yield from _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(obj, list | tuple):
        if all(not isinstance(v, Mapping | list | tuple) for v in obj):
            yield prefix, ", ".join(str(v) for v in obj)
        else:
            for i, v in enumerate(obj):
                yield from _flatten(v, f"{prefix}[{i}]")
    elif obj is not None:
        yield prefix, str(obj)


def provenance(book: Book) -> list[tuple[str, Any]]:
    ctx = book.ctx
    b = ctx.baseline
    opts = ctx.options
    rows: list[tuple[str, Any]] = [
        (book.s("prov.municipality"), ctx.municipality),
        (book.s("prov.instrument"), f"{ctx.instrument.title.get(book.lang)} ({ctx.instrument.id} {ctx.instrument.version})"),
        (book.s("prov.grades"), ", ".join(str(g) for g in _grades(book))),
        (book.s("prov.baseline"), b.label() if b is not None else book.s("prov.none")),
        (book.s("prov.baseline_years"), ", ".join(str(y) for y in b.years) if b is not None else ""),
        (book.s("prov.suppression"), book.s("prov.suppression.rule", min_n=opts.suppression.min_n, all_or_none=opts.suppression.all_or_none_n)),
        (book.s("prov.level"), f"{opts.level:.0%}"),
        (book.s("prov.catalogue"), f"{book.catalogue.title.get(book.lang)} ({book.catalogue.id} {book.catalogue.version})"),
        (book.s("prov.survey_year"), book.survey_year),
        (book.s("prov.toolkit"), __version__),
        (book.s("prov.created"), book.created),
        (book.s("prov.updated"), book.updated or book.s("prov.never")),
    ]
    rows += [(f"manifest: {k}", v) for k, v in list(_flatten(ctx.manifest or {}))[:80]]
    return rows


def _grades(book: Book) -> list[int]:
    from .match import surveyed_grades

    return book.grades()


def overview_sheet(book: Book) -> None:
    ws = book.sheet("overview")
    title(ws, book.s("overview.title", municipality=book.ctx.municipality))
    row = 3
    for key in ("overview.what", "overview.data", "overview.keep"):
        put(ws, row, 1, book.s(key))
        ws.cell(row=row, column=1).alignment = WRAP
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        ws.row_dimensions[row].height = 48
        row += 1
    row += 1
    put(ws, row, 1, book.s("overview.steps"))
    ws.cell(row=row, column=1).font = Font(bold=True)
    for k in range(1, 7):
        row += 1
        put(ws, row, 1, book.s(f"overview.step{k}"))
        ws.cell(row=row, column=1).alignment = WRAP
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        ws.row_dimensions[row].height = 32
    row += 2
    sheets = [sid for sid in SHEETS if sid not in ("lists", "meta", "overview") and (sid != "unmatched" or book.board.tables.get("unmatched"))
              and (sid != "waves" or book.names[sid] in book.wb.sheetnames)]
    data = [(book.names[sid], book.s(f"about.{sid}"),
             book.s("overview.owner.board" if sid in BOARD_TABLES else "overview.owner.mixed" if sid == "priorities" else "overview.owner.data"))
            for sid in sheets]
    row = write_table(ws, row, [book.s("overview.col.sheet"), book.s("overview.col.holds"), book.s("overview.col.owner")], data)
    row += 1
    put(ws, row, 1, book.s("overview.provenance"))
    ws.cell(row=row, column=1).font = Font(bold=True)
    row = write_table(ws, row + 1, [book.s("overview.col.item"), book.s("overview.col.value")], provenance(book))
    for r in range(1, row):
        ws.cell(row=r, column=2).alignment = WRAP
    # print the run's main facts; the raw manifest entries (hashes, every option) stay on screen
    shown = [r for r in range(1, row) if not str(ws.cell(row=r, column=1).value or "").startswith("manifest:")]
    ws.print_area = f"A1:C{max(shown)}"
    widths(ws, [30, 80, 26])
    ws.sheet_properties.tabColor = "1F4E79"


# --------------------------------------------------------------------------- matches


def _settings(p: Any, lang: str) -> str:
    i = 1 if lang == "de" else 0
    return ", ".join(SETTINGS[s][i] for s in p.settings)


def _continuum(p: Any, lang: str) -> str:
    i = 1 if lang == "de" else 0
    return ", ".join(CONTINUUM[c][i] for c in p.continuum)


def matches_sheet(book: Book) -> None:
    ws = book.sheet("matches")
    lang = book.lang
    title(ws, f"{book.s('sheet.matches')} — {book.ctx.municipality}")
    note(ws, 2, ranking_text("note", lang))  # replaces the planning string "matches.note": the order has tiers now
    vocab = book.vocabs["factor"]
    prios = list(book.matrix.columns)
    names = "; ".join(vocab.label(f, lang) if f in vocab.labels else f for f in prios)
    put(ws, 3, 1, book.s("matches.priorities", factors=names or book.s("prov.none")))
    ages = surveyed_ages(book.ctx)
    put(ws, 4, 1, book.s("matches.ages", lo=ages[0], hi=ages[1]) if ages else "")
    country, source = planning_country(book.ctx, book.catalogue)
    put(ws, 5, 1, country_line(country, source, lang, instrument=book.ctx.instrument.id))
    headers = [book.s(f"col.m.{c}") for c in ("rank", "programme", "ages", "settings", "continuum", "evidence", "score",
                                              "coverage", "strength", "age_fit", "why", "link")] + [ranking_text("why_rank", lang)]
    rows = []
    for m in book.matches:
        rating = best_rating(m.programme)
        link = rating.url if rating is not None else m.programme.sources[0].url
        rows.append([m.rank, m.programme.name.get(lang), str(m.programme.ages), _settings(m.programme, lang),
                     _continuum(m.programme, lang), rating_label(rating, lang), m.score, m.coverage, m.evidence,
                     m.age_fit, m.explain(lang), link, m.why_rank(lang)])
    top = 6
    nxt = write_table(ws, top, headers, rows, {7: "0.00", 8: "0.00", 9: "0.00", 10: "0.00"})
    for r in range(top + 1, nxt):
        ws.cell(row=r, column=11).alignment = WRAP
        ws.cell(row=r, column=13).alignment = WRAP
        url = ws.cell(row=r, column=12)
        if isinstance(url.value, str) and url.value.startswith(("http://", "https://")):
            url.hyperlink = url.value
    if not rows:
        note(ws, top + 1, book.s("matches.none"))
        nxt = top + 2
    ws.freeze_panes = ws.cell(row=top + 1, column=3)
    row = nxt + 1
    put(ws, row, 1, book.s("matches.matrix"))
    ws.cell(row=row, column=1).font = Font(bold=True)
    note(ws, row + 1, book.s("matches.legend"))
    header = [book.s("col.m.rank"), book.s("col.m.programme")] + [vocab.label(f, lang) if f in vocab.labels else f for f in prios]
    mark = {"registry": "●", "interpretation": "○", "": ""}
    body = [[m.rank, m.programme.name.get(lang)] + [mark.get(str(book.matrix.loc[m.programme.id, f]), "") for f in prios]
            for m in book.matches if m.programme.id in book.matrix.index]
    end = write_table(ws, row + 2, header, body)
    for c in range(3, 3 + len(prios)):
        ws.cell(row=row + 2, column=c).alignment = Alignment(wrap_text=True, vertical="top", text_rotation=0)
        for r in range(row + 3, end):
            ws.cell(row=r, column=c).alignment = Alignment(horizontal="center")
    widths(ws, [7, 34, 9, 20, 18, 30, 8, 9, 9, 8, 70, 40, 70])
    for c in range(14, 3 + len(prios)):
        ws.column_dimensions[get_column_letter(c)].width = 16


# --------------------------------------------------------------------------- data quality


def quality_sheet(book: Book) -> None:
    ws = book.sheet("quality")
    ctx, lang = book.ctx, book.lang
    title(ws, f"{book.s('sheet.quality')} — {ctx.municipality}")
    put(ws, 3, 1, book.s("quality.screening"))
    ws.cell(row=3, column=1).font = Font(bold=True)
    scr = ctx.screening
    head = [book.s(f"col.q.{c}") for c in ("grade", "rule", "respondents", "flagged", "only_rule", "with_other", "pct")]
    rows = [[t("xlsx.all", lang) if str(r.grade) == ALL else str(r.grade), r.label, value(r.respondents), value(r.flagged),
             value(r.only_this_rule), value(r.with_other_rules), value(r.pct)]
            for r in scr.itertuples(index=False)] if len(scr) else []
    row = write_table(ws, 4, head, rows, {7: "0.0"})
    if not rows:
        note(ws, row, book.s("quality.no_screening"))
        row += 1
    row += 1
    put(ws, row, 1, book.s("quality.problems"))
    ws.cell(row=row, column=1).font = Font(bold=True)
    checks = ctx.checks
    rows = [[r.code, r.severity, value(r.count), with_columns(_describe(r.code, r.description, lang), getattr(r, "columns", ""), book.s("quality.columns"))]
            for r in checks.itertuples(index=False)] \
        if len(checks) else []
    head = [book.s(f"col.q.{c}") for c in ("code", "severity", "count", "description")]
    row = write_table(ws, row + 1, head, rows)
    if not rows:
        note(ws, row, book.s("quality.no_problems"))
        row += 1
    row += 1
    put(ws, row, 1, book.s("quality.suppressed"))
    ws.cell(row=row, column=1).font = Font(bold=True)
    tab = ctx.table
    hidden = tab[tab["suppressed"].astype(bool)]
    note(ws, row + 1, book.s("quality.suppressed_note", n=len(hidden), total=len(tab)))
    # the summary above is what prints; the list of every hidden cell below is for the screen
    ws.print_area = f"A1:G{row + 1}"
    head = [book.s(f"col.q.{c}") for c in ("kind", "indicator", "reason", "cells")]
    write_table(ws, row + 3, head, hidden_rows(book, hidden))
    widths(ws, [16, 44, 26, 50, 12, 40, 10])


def hidden_rows(book: Book, hidden: Any) -> list[list[Any]]:
    """The hidden cells, one row per indicator and reason: its cells as "grade: genders; …".

    One row per cell was most of the sheet (700 rows for a town of 100 pupils, each saying
    the same reason) and most of the workbook's writing time; grouped, a board member sees
    at a glance which numbers of an indicator are missing, in the order of the profile."""
    ctx, lang = book.ctx, book.lang
    labels = {(i.type, i.id): i.name(lang) for i in ctx.indicators}
    everyone = t("xlsx.all", lang)
    groups: dict[tuple[str, str, str], dict[str, list[str]]] = {}
    # str() of each value, as the rows' own text (a missing value reads "nan", never a float)
    for kind, ind, grade, gender, why in zip(*([str(v) for v in hidden[c].tolist()] for c in (
            "indicator_type", "indicator_id", "grade", "gender", "suppression_reason"))):
        groups.setdefault((kind, ind, why), {}).setdefault(grade, []).append(
            everyone if gender == ALL else ctx.instrument.gender_label(gender, lang))
    rows = []
    for (kind, ind, why), grades in groups.items():
        where = "; ".join(f"{book.s('profile.all_grades') if g == ALL else book.s('profile.grade', grade=g)}: "
                          + ", ".join(genders) for g, genders in grades.items())
        rows.append([t(f"kind.{kind}", lang), labels.get((kind, ind), ind),
                     t(f"suppression.{why}", lang) if f"suppression.{why}" in MESSAGES else why, where])
    return rows


def _describe(code: str, given: Any, lang: str) -> str:
    if code in CODES:
        return CODES[code].describe(lang)
    return "" if given is None else str(given)


# --------------------------------------------------------------------------- hidden sheets


def lists_sheet(book: Book) -> None:
    ws = book.sheet("lists")
    lists: list[tuple[str, list[str], list[str]]] = []
    for list_id in [*FIXED, "factor", "indicator"]:
        vocab = book.vocabs[list_id]
        lists.append((list_id, list(vocab.ids), vocab.column(book.lang)))
    progs = book.catalogue.programmes
    lists.append(("programme", [p.id for p in progs], [p.name.get(book.lang) for p in progs]))
    for i, (list_id, ids, labels) in enumerate(lists):
        c = 2 * i + 1
        put(ws, 1, c, f"{MARK}list:{list_id}")
        put(ws, 1, c + 1, list_id)
        for r, (vid, label) in enumerate(zip(ids, labels), start=2):
            put(ws, r, c, vid)
            put(ws, r, c + 1, label)
        col = get_column_letter(c + 1)
        book.define(f"ctc_{list_id}", "lists", f"${col}$2:${col}${max(2, len(labels) + 1)}")
        if list_id == "evidence":
            book.define("ctc_evidence_rated", "lists", f"${col}${2 + ids.index('rated')}")


def meta_sheet(book: Book, extra: Mapping[str, Any]) -> None:
    ws = book.sheet("meta")
    put(ws, 1, 1, f"{MARK}meta")
    rows = {
        "format": FORMAT, "lang": book.lang, "municipality": book.ctx.municipality, "instrument": book.ctx.instrument.id,
        "instrument_version": book.ctx.instrument.version, "toolkit_version": __version__, "created": book.created,
        "updated": book.updated, "catalogue": book.catalogue.id, "catalogue_version": book.catalogue.version,
        "survey_year": book.survey_year, **extra,
    }
    for r, (k, v) in enumerate(rows.items(), start=2):
        put(ws, r, 1, k)
        put(ws, r, 2, v if v is not None else "")
    widths(ws, [20, 60])


def page_setup(book: Book) -> None:
    """A4 landscape, one page wide; print areas that end with the content (not with the
    board tables' empty rows); on a synthetic run a banner on every sheet and page."""
    banner = _synthetic_banner(book)
    for ws in book.wb.worksheets:
        if ws.sheet_state == "visible":
            _wrap_long_text(ws)
            _print_area(ws)
            if banner:
                ws.oddHeader.center.text = banner
                ws.oddHeader.center.bold = True
                if isinstance(ws["A1"].value, str) and banner not in ws["A1"].value:
                    ws["A1"].value = f"{ws['A1'].value} — {banner}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.oddFooter.left.text = "&A"
        ws.oddFooter.right.text = "&P / &N"
        ws.print_options.gridLines = False


#: empty rows of a board table kept in print, for handwritten entries
PRINT_SPARE_ROWS = 3


def _print_area(ws: Any) -> None:
    """Print up to the last row with an entry (a row holding only its key is empty), plus a few spare rows;
    a print area set by the sheet itself (data quality) is kept."""
    if ws.print_area:
        return
    last, width = 1, 1
    for (r, col), c in ws._cells.items():  # written cells only, as in _wrap_long_text
        if c._value not in (None, "") and not _is_key(c._value):
            last, width = max(last, r), max(width, col)
    last = min(ws.max_row, last + (PRINT_SPARE_ROWS if last >= FIRST_ROW - 1 else 0))  # from the header row on
    ws.print_area = f"A1:{get_column_letter(width)}{last}"


def _wrap_long_text(ws: Any) -> None:
    """A text longer than its column wraps inside its cell (it would run over the next cells, and be cut in print).
    Titles and notes in column A of the first rows may run across the sheet, as headings do."""
    # the written cells only: iter_rows and ws.cell would create (and visit) every empty cell of the sheet's
    # rectangle, which was most of this function's time
    cells = ws._cells
    widths: dict[int, float] = {}
    wraps: dict[Any, Alignment] = {}  # one alignment object per horizontal setting: fewer style-list look-ups
    for (r, col), c in list(cells.items()):
        v = c._value
        if r < FIRST_ROW - 1 or not isinstance(v, str) or v.startswith("="):
            continue
        width = widths.get(col)
        if width is None:
            width = widths[col] = ws.column_dimensions[get_column_letter(col)].width or 13
        if len(v) > width and not c.alignment.wrap_text and _in_table(cells, r, col):
            horizontal = c.alignment.horizontal
            wrap = wraps.get(horizontal)
            if wrap is None:
                wrap = wraps[horizontal] = Alignment(wrap_text=True, vertical="top", horizontal=horizontal)
            c.alignment = wrap


def _in_table(cells: dict[tuple[int, int], Any], r: int, col: int) -> bool:
    """A cell with a neighbour that holds something (a lone note may run on)."""
    return any((n := cells.get((r, k))) is not None and n._value not in (None, "") for k in (col + 1, col - 1))


def _is_key(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 8 and value[3] == "-" and value[4:].isdigit()


def _synthetic_banner(book: Book) -> str:
    from ..report.provenance import provenance

    prov = provenance(book.ctx.manifest)
    if not (prov.synthetic_input or prov.synthetic_baseline):
        return ""
    return book.s("banner.synthetic")




#: sheets written from the data only, protected against accidental edits (no password:
#: Review → Unprotect sheet); Priorities too, where the decision columns stay unlocked
PROTECTED = ("overview", "profile", "behaviours", "priorities", "matches", "gaps", "waves", "quality")


def protect(book: Book) -> None:
    for sid in PROTECTED:
        if book.names[sid] not in book.wb.sheetnames:
            continue
        p = book.sheet(sid).protection
        p.sheet = True
        p.formatColumns = p.formatRows = p.autoFilter = False  # still allowed: widths, heights, filters

