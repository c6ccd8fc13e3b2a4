"""``profile.xlsx``: the profile tables of one municipality for people who work in Excel.

The same aggregates as the HTML report; suppressed cells are shown as "–" with the
reason, never as numbers. (The board's full planning workbook builds on this.)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from ..excel import DASH, put, title, widths, write_table
from ..i18n import t
from ..io.atomic import atomic_path
from .context import MunicipalityContext

PCT = "0.0"


def _cell(row: pd.Series, col: str) -> object:
    return DASH if row["suppressed"] else row[col]


def _profile_sheet(wb: Workbook, ctx: MunicipalityContext) -> None:
    lang = ctx.lang
    ws = wb.active
    ws.title = t("xlsx.profile", lang)
    title(ws, f"{ctx.municipality} — {t('xlsx.profile', lang)}")
    put(ws, 2, 1, t("xlsx.pooled_note", lang))
    rows = ctx.table
    headers = [t(f"xlsx.col.{c}", lang) for c in ("type", "indicator", "grade", "gender", "n", "pct", "ci_low", "ci_high",
                                               "baseline", "diff", "q", "suppressed")]
    data = [
        [t(f"kind.{r['indicator_type']}", lang), r["label"], r["grade"], ctx.instrument.gender_label(str(r["gender"]), lang)
         if r["gender"] != "all" else t("xlsx.all", lang), _cell(r, "n"), _cell(r, "pct"), _cell(r, "ci_low"), _cell(r, "ci_high"),
         r["baseline_pct"], _cell(r, "diff_pp"), _cell(r, "q_value"),
         t(f"suppression.{r['suppression_reason']}", lang) if r["suppressed"] else ""]
        for _, r in rows.iterrows()
    ]
    write_table(ws, 4, headers, data, {6: PCT, 7: PCT, 8: PCT, 9: PCT, 10: PCT, 11: "0.000"})
    ws.freeze_panes = "C5"
    ws.auto_filter.ref = f"A4:L{4 + len(data)}"
    widths(ws, [16, 40, 7, 12, 8, 8, 8, 8, 10, 10, 8, 28])


def _priorities_sheet(wb: Workbook, ctx: MunicipalityContext) -> None:
    lang = ctx.lang
    ws = wb.create_sheet(t("xlsx.priorities", lang))
    title(ws, f"{ctx.municipality} — {t('xlsx.priorities', lang)}")
    put(ws, 2, 1, t("xlsx.board_decides", lang))
    headers = [t(f"xlsx.col.{c}", lang) for c in ("type", "indicator", "pct", "baseline", "diff", "q", "rank_level",
                                               "rank_excess", "rank_clear", "top_share", "shortlisted", "reason")]
    data = [[t(f"kind.{r['kind']}", lang), r["label"], r["pct"], r["baseline_pct"], r["diff_pp"], r["q_value"],
             r["rank_level"], r["rank_excess"], r["rank_clear"], r["top_share"], t("xlsx.yes", lang) if r["shortlisted"] else "",
             r["reason"]] for _, r in ctx.priorities.iterrows()]
    write_table(ws, 4, headers, data, {3: PCT, 4: PCT, 5: PCT, 6: "0.000", 10: "0%"})
    ws.freeze_panes = "C5"
    widths(ws, [16, 40, 8, 10, 10, 8, 8, 8, 8, 10, 10, 80])


def _screening_sheet(wb: Workbook, ctx: MunicipalityContext) -> None:
    lang = ctx.lang
    ws = wb.create_sheet(t("xlsx.quality", lang))
    title(ws, t("xlsx.quality", lang))
    headers = [t(f"xlsx.col.{c}", lang) for c in ("grade", "rule", "respondents", "flagged", "only_rule", "pct")]
    data = [[r["grade"], r["label"], r["respondents"], r["flagged"], r["only_this_rule"], r["pct"]] for _, r in ctx.screening.iterrows()]
    nxt = write_table(ws, 3, headers, data, {6: PCT})
    if len(ctx.checks):
        headers = [t(f"xlsx.col.{c}", lang) for c in ("code", "severity", "count", "description")]
        write_table(ws, nxt + 1, headers, ctx.checks[["code", "severity", "count", "description"]].itertuples(index=False))
    widths(ws, [10, 44, 12, 10, 12, 10])


def write_profile_workbook(ctx: MunicipalityContext, path: Path) -> None:
    wb = Workbook()
    _profile_sheet(wb, ctx)
    _priorities_sheet(wb, ctx)
    _screening_sheet(wb, ctx)
    for ws in wb.worksheets:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    with atomic_path(path) as tmp:
        wb.save(tmp)
