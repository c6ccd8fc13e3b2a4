"""The sheets the board works in: Priorities (decisions), Resource inventory, Gap matrix,
Action plan, Partners, Evaluation plan and Unmatched entries."""

from __future__ import annotations

from typing import Any

import numpy as np
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..excel import DASH, HEADER_FILL, HEADER_FONT, formula, put, title
from ..i18n import t
from .book import AMBER, GREEN, LIGHT_RED, Book, note, value
from .layout import CAPACITY, NOTE_ROW, SPARE, TABLES, format_key, key_number
from .match import surveyed_ages
from .strings import MESSAGES
from .tables import name_column, write_table
from .vocab import Coded

BAND_FROM_ROW, BAND_TO_ROW, GAP_HEADER_ROW, GAP_FIRST_ROW = 4, 5, 6, 7


def _rank(v: Any) -> Any:
    v = value(v)
    return int(v) if isinstance(v, float) and float(v).is_integer() else v


def priority_rows(book: Book) -> list[dict[str, Any]]:
    ctx = book.ctx
    rows = []
    top = {"risk": ctx.options.top_risk, "protective": ctx.options.top_protective}
    for r in ctx.priorities.itertuples(index=False):
        hidden = value(r.pct) is None
        row: dict[str, Any] = {
            "key": str(r.indicator_id), "kind": t(f"kind.{r.kind}", book.lang), "label": r.label,
            "pct": DASH if hidden else value(r.pct), "ci_low": DASH if hidden else value(r.ci_low),
            "ci_high": DASH if hidden else value(r.ci_high), "baseline_pct": value(r.baseline_pct),
            "diff_pp": DASH if hidden and value(r.baseline_pct) is not None else value(r.diff_pp),
            "q_value": value(r.q_value), "rank_level": _rank(r.rank_level), "rank_excess": _rank(r.rank_excess),
            "rank_clear": _rank(r.rank_clear), "top_share": value(r.top_share),
            "shortlisted": book.s("yes") if bool(r.shortlisted) else "", "reason": r.reason, "top_n": top.get(str(r.kind)),
        }
        row.update(book.board.decisions.get(str(r.indicator_id), {}))
        rows.append(row)
    return rows


def priorities_sheet(book: Book) -> None:
    ws = book.sheet("priorities")
    title(ws, f"{book.s('sheet.priorities')} — {book.ctx.municipality}")
    rules = book.ctx.priorities["shortlist_rule"].astype(str).unique().tolist() if len(book.ctx.priorities) else []
    rule = book.s(f"rule.{rules[0]}") if rules and f"rule.{rules[0]}" in MESSAGES else ", ".join(rules)
    note(ws, NOTE_ROW, book.s("priorities.note", rule=rule, risk=book.ctx.options.top_risk,
                              protective=book.ctx.options.top_protective))
    fields = TABLES["priorities"]
    rows = priority_rows(book)
    first, last = write_table(book, ws, "priorities", fields, rows, len(rows))
    name_column(book, "priorities", fields, "key", "ctc_prio_key", first, last)
    name_column(book, "priorities", fields, "decision", "ctc_prio_decision", first, last)
    col = {f.id: get_column_letter(k) for k, f in enumerate(fields, start=1)}
    ws.column_dimensions[col["top_n"]].hidden = True
    short = f"{col['shortlisted']}{first}"
    ws.conditional_formatting.add(f"{col['label']}{first}:{col['label']}{last}",
                                  FormulaRule(formula=[f'LEN({short})>0'], font=Font(bold=True), fill=AMBER))
    rank_rng = f"{col['rank_level']}{first}:{col['rank_clear']}{last}"
    ws.conditional_formatting.add(rank_rng, FormulaRule(
        formula=[f"AND(ISNUMBER({col['rank_level']}{first}),{col['rank_level']}{first}<=${col['top_n']}{first})"], fill=AMBER))
    put(ws, last + 2, 1, book.s("priorities.rules_title"))
    ws.cell(row=last + 2, column=1).font = Font(bold=True)
    for k, key in enumerate(("rule.level.explain", "rule.excess.explain", "rule.clear.explain", "priorities.stability"), start=3):
        note(ws, last + k, book.s(key, alpha=book.ctx.options.alpha))


def _spare_keys(sheet: str, rows: list[dict[str, Any]], n: int) -> list[str]:
    used = [key_number(sheet, r.get("key")) for r in rows]
    start = max([u for u in used if u is not None], default=0) + 1
    return [format_key(sheet, k) for k in range(start, start + n)]


def _board_table(book: Book, sheet: str) -> tuple[int, int]:
    ws = book.sheet(sheet)
    title(ws, f"{book.s(f'sheet.{sheet}')} — {book.ctx.municipality}")
    note(ws, NOTE_ROW, book.s(f"{sheet}.note"))
    rows = book.board.tables.get(sheet, [])
    n = max(CAPACITY[sheet], len(rows) + SPARE[sheet])
    keys = _spare_keys(sheet, rows, n - len(rows)) if sheet in ("inventory", "actions", "partners", "evaluation") else []
    return write_table(book, ws, sheet, TABLES[sheet], rows, n, keys=keys)


def inventory_sheet(book: Book) -> None:
    first, last = _board_table(book, "inventory")
    fields = TABLES["inventory"]
    for f in ("factor_1", "factor_2", "factor_3", "age_from", "age_to", "evidence"):
        name_column(book, "inventory", fields, f, f"ctc_inv_{f}", first, last)


def partners_sheet(book: Book) -> None:
    first, last = _board_table(book, "partners")
    name_column(book, "partners", TABLES["partners"], "organisation", "ctc_partner", first, last)


def actions_sheet(book: Book) -> None:
    _board_table(book, "actions")


def evaluation_sheet(book: Book) -> None:
    from .waves import community_result

    result = community_result(book, book.waves)
    for row in book.board.tables.get("evaluation", []):
        kind = row.get("evaltype")
        row["wave_result"] = result if isinstance(kind, Coded) and kind.id == "community" else None
    _board_table(book, "evaluation")


def unmatched_sheet(book: Book) -> None:
    rows = book.board.tables.get("unmatched", [])
    if not rows:
        return
    ws = book.wb.create_sheet(book.names["unmatched"], index=book.wb.sheetnames.index(book.names["quality"]) + 1)
    title(ws, book.s("sheet.unmatched"))
    note(ws, NOTE_ROW, book.s("unmatched.note"))
    write_table(book, ws, "unmatched", TABLES["unmatched"], rows, len(rows))
    ws.sheet_properties.tabColor = "C0504D"


# --------------------------------------------------------------------------- gap matrix


def age_bands(ages: tuple[int, int] | None) -> list[tuple[int, int]]:
    """A band before the surveyed ages (prevention starts before onset), then the surveyed
    ages: one band per year up to four years, else bands of two (the first of three when odd)."""
    if ages is None:
        return [(6, 10), (11, 13), (14, 15), (16, 18)]
    lo, hi = ages
    bands = [(max(0, lo - 5), lo - 1)] if lo > 0 else []
    n = hi - lo + 1
    if n <= 4:
        return bands + [(a, a) for a in range(lo, hi + 1)]
    a = lo
    size = 3 if n % 2 else 2
    while a <= hi:
        bands.append((a, min(hi, a + size - 1)))
        a += size
        size = 2
    return bands


def _any_factor(row: int) -> str:
    c = f"$C{row}"
    return f"((ctc_inv_factor_1={c})+(ctc_inv_factor_2={c})+(ctc_inv_factor_3={c})>0)"


def gap_formula(row: int, col: str | None, evidence: bool) -> str:
    """Number of inventory offers addressing the factor in ``$C<row>`` (for ages overlapping the
    band in ``<col>4``–``<col>5``; any age when ``col`` is None). Cell references only."""
    parts = [_any_factor(row)]
    if col is not None:
        parts += ["ISNUMBER(ctc_inv_age_from)", "ISNUMBER(ctc_inv_age_to)",
                  f"(ctc_inv_age_from<={col}${BAND_TO_ROW})", f"(ctc_inv_age_to>={col}${BAND_FROM_ROW})"]
    if evidence:
        parts.append("(ctc_inv_evidence=ctc_evidence_rated)")
    if len(parts) == 1:
        return f"=SUMPRODUCT(--{parts[0]})"
    return "=SUMPRODUCT(" + "*".join(parts) + ")"


def gap_rows(book: Book) -> list[tuple[str, str, str]]:
    """(factor id, kind, label) of the prioritised factors, risk first, by shortlist rank."""
    prio = book.ctx.priorities
    out = []
    for r in prio.itertuples(index=False):
        if str(r.indicator_id) in set(book.prioritised):
            out.append((str(r.indicator_id), str(r.kind), str(r.label)))
    order = {f: k for k, f in enumerate(book.prioritised)}
    return sorted(out, key=lambda x: (x[1] != "risk", order.get(x[0], 0)))


def gaps_sheet(book: Book) -> None:
    ws = book.sheet("gaps")
    title(ws, f"{book.s('sheet.gaps')} — {book.ctx.municipality}")
    note(ws, NOTE_ROW, book.s("gaps.note"))
    bands = age_bands(surveyed_ages(book.ctx))
    rows = gap_rows(book)
    width = 1 + len(bands)
    starts = [5, 5 + width + 1]
    for c, key in enumerate(("col.key", "col.kind", "col.factor", "col.decision"), start=1):
        put(ws, GAP_HEADER_ROW, c, book.s(key))
    put(ws, BAND_FROM_ROW, 4, book.s("gaps.from"))
    put(ws, BAND_TO_ROW, 4, book.s("gaps.to"))
    for b, start in enumerate(starts):
        put(ws, 3, start, book.s("gaps.block.all" if b == 0 else "gaps.block.evidence"))
        ws.cell(row=3, column=start).font = HEADER_FONT
        put(ws, GAP_HEADER_ROW, start, book.s("gaps.any_age"))
        for k, (lo, hi) in enumerate(bands, start=start + 1):
            put(ws, BAND_FROM_ROW, k, lo)
            put(ws, BAND_TO_ROW, k, hi)
            put(ws, GAP_HEADER_ROW, k, book.s("gaps.band", lo=lo, hi=hi) if lo != hi else book.s("gaps.age", age=lo))
    last_col = starts[1] + width - 1
    for c in range(1, last_col + 1):
        if c == starts[0] + width:
            continue
        cell = ws.cell(row=GAP_HEADER_ROW, column=c)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    # what the formulas give in a workbook nobody has filled in yet (None: not known here)
    count = 0 if not book.board.tables.get("inventory") else None
    decision = "" if not book.board.decisions else None
    for r, (fid, kind, label) in enumerate(rows, start=GAP_FIRST_ROW):
        put(ws, r, 1, fid)
        ws.cell(row=r, column=1).font = Font(color="808080", size=9)
        put(ws, r, 2, t(f"kind.{kind}", book.lang))
        put(ws, r, 3, label)
        formula(ws, r, 4, "=IFERROR(INDEX(ctc_prio_decision,MATCH($A{0},ctc_prio_key,0))&\"\",\"\")".format(r), decision)
        for b, start in enumerate(starts):
            formula(ws, r, start, gap_formula(r, None, b == 1), count)
            for k in range(start + 1, start + width):
                formula(ws, r, k, gap_formula(r, get_column_letter(k), b == 1), count)
    last = GAP_FIRST_ROW + max(len(rows), 1) - 1
    if rows:
        for start in starts:
            rng = f"{get_column_letter(start)}{GAP_FIRST_ROW}:{get_column_letter(start + width - 1)}{last}"
            ws.conditional_formatting.add(rng, CellIsRule(operator="equal", formula=["0"], fill=LIGHT_RED))
            ws.conditional_formatting.add(rng, CellIsRule(operator="equal", formula=["1"], fill=GREEN))
            ws.conditional_formatting.add(rng, CellIsRule(operator="greaterThan", formula=["1"], fill=AMBER))
    else:
        note(ws, GAP_FIRST_ROW, book.s("gaps.none"))
    put(ws, last + 2, 1, book.s("gaps.legend"))
    ws.cell(row=last + 2, column=1).font = Font(italic=True)
    for col, w in zip("ABCD", (12, 14, 38, 14)):
        ws.column_dimensions[col].width = w
    for c in range(5, last_col + 1):
        ws.column_dimensions[get_column_letter(c)].width = 10 if c != starts[0] + width else 3
    ws.freeze_panes = ws.cell(row=GAP_FIRST_ROW, column=5)
    ws.print_title_rows = f"{GAP_HEADER_ROW}:{GAP_HEADER_ROW}"


# --------------------------------------------------------------------------- prefilled rows


def outcome_row(book: Book, kind: str, factor_id: str, label: str, key: str) -> dict[str, Any]:
    """A desired-outcome row for a prioritised factor, baseline from the profile."""
    pooled = book.pooled().get((kind, factor_id))
    base = None if pooled is None or bool(pooled.suppressed) else value(pooled.pct)
    return {
        "key": key, "outcome": book.s(f"plan.outcome.{kind}", factor=label),
        "indicator": Coded("indicator", f"{kind}:{factor_id}"), "population": book.population(),
        "baseline": None if base is None else round(float(base), 1), "baseline_year": book.survey_year if base is not None else None,
        "source": book.s("plan.source", year=book.survey_year),
    }


def next_wave_row(book: Book, key: str) -> dict[str, Any]:
    return {"key": key, "evaltype": Coded("evaltype", "community"), "measure": book.s("eval.next_wave"),
            "eval_source": book.s("eval.next_wave.source"), "due": book.survey_year + 2}


def latest(book: Book, rows: list[dict[str, Any]]) -> None:
    """Refresh the data columns of action-plan rows (latest survey value of their indicator)."""
    from .waves import latest_verdicts

    pooled = book.pooled()
    verdicts = latest_verdicts(book, book.waves, rows)
    for row in rows:
        ind = row.get("indicator")
        row["latest"], row["latest_year"] = None, None
        row["wave_verdict"] = verdicts.get(str(row.get("key") or ""))
        if isinstance(ind, Coded) and ind.list == "indicator" and ":" in ind.id:
            rec = pooled.get(tuple(ind.id.split(":", 1)))  # type: ignore[arg-type]
            if rec is not None:
                suppressed = bool(rec.suppressed)
                row["latest"] = DASH if suppressed else _round(value(rec.pct))
                row["latest_year"] = book.survey_year


def _round(v: Any) -> Any:
    return round(float(v), 1) if isinstance(v, int | float) and np.isfinite(v) else v
