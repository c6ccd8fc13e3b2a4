"""The factor and problem-behaviour sections: tables and charts from the profile table."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markupsafe import Markup

from ..i18n import t
from ..profile.context import MunicipalityContext
from ..profile.indicators import Indicator
from .charts import Dot, Legend, Panel, dot_chart, grade_panels
from .fmt import DASH, count, interval, missing, num, qvalue, signed
from .frame import ALL, grades, pooled_index
from .strings import msg


@dataclass(frozen=True)
class Cell:
    value: str
    interval: str = ""
    hidden: bool = False
    note: str = ""  # why a cell is not shown


@dataclass(frozen=True)
class Row:
    id: str
    label: str
    strong: bool
    cells: tuple[Cell, ...]  # per grade
    base: tuple[str, ...]  # baseline per grade
    total: Cell  # all grades
    base_total: str
    n: str
    diff: str
    diff_interval: str
    q: str
    clear: bool


@dataclass(frozen=True)
class Group:
    label: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Block:
    """One chart-and-table block: a kind of factor, or one group of behaviours."""

    id: str
    title: str
    groups: tuple[Group, ...]
    overview: Markup
    by_grade: Markup


def level_label(ctx: MunicipalityContext) -> str:
    return num(100 * ctx.options.level, ctx.lang, 0)


def hidden_note(ctx: MunicipalityContext, reason: str) -> str:
    rules = ctx.options.suppression
    return _hidden_note(reason, ctx.lang, rules.min_n, rules.all_or_none_n)


@lru_cache(maxsize=256)
def _hidden_note(reason: str, lang: str, min_n: int, all_or_none_n: int) -> str:
    key = f"hidden.{reason}" if f"hidden.{reason}" in _REASONS else "hidden.protected"
    return msg(key, lang, min_n=min_n, all_or_none_n=all_or_none_n)


_REASONS = {"hidden.empty", "hidden.protected"}


def _cell(ctx: MunicipalityContext, row: Any) -> Cell:
    if row is None:
        return Cell(DASH, hidden=True, note=hidden_note(ctx, "empty"))
    if bool(row.suppressed) or missing(row.pct):
        return Cell(DASH, hidden=True, note=hidden_note(ctx, str(row.suppression_reason or "protected")))
    return Cell(num(row.pct, ctx.lang), interval(row.ci_low, row.ci_high, ctx.lang))


def _value(row: Any, name: str) -> float:
    if row is None or bool(row.suppressed):
        return math.nan
    value = getattr(row, name)
    return math.nan if missing(value) else float(value)


def _base(row: Any) -> float:
    return math.nan if row is None or missing(row.baseline_pct) else float(row.baseline_pct)


def _row(ctx: MunicipalityContext, ind: Indicator, index: dict, grade_list: list[str], strong: bool) -> Row:
    lang = ctx.lang
    total = index.get((ind.id, ALL))
    shown = total is not None and not bool(total.suppressed)
    q = float(total.q_value) if shown and not missing(total.q_value) else math.nan
    diff = float(total.diff_pp) if shown and not missing(total.diff_pp) else math.nan
    return Row(
        id=ind.id, label=ind.name(lang), strong=strong,
        cells=tuple(_cell(ctx, index.get((ind.id, g))) for g in grade_list),
        base=tuple(num(_base(index.get((ind.id, g))), lang) for g in grade_list),
        total=_cell(ctx, total), base_total=num(_base(total), lang),
        n=count(total.n, lang) if shown else DASH,
        diff=signed(diff, lang), diff_interval=interval(total.diff_ci_low, total.diff_ci_high, lang) if shown else "",
        q=qvalue(q, lang), clear=not math.isnan(q) and q < ctx.options.alpha,
    )


def _dot(ctx: MunicipalityContext, ind: Indicator, index: dict, strong: bool) -> Dot:
    row = index.get((ind.id, ALL))
    note = msg("chart.hidden", ctx.lang) if row is None or bool(row.suppressed) else ""
    return Dot(ind.name(ctx.lang), _value(row, "pct"), _value(row, "ci_low"), _value(row, "ci_high"), _base(row),
               strong=strong, note=note)


def _panel(ctx: MunicipalityContext, ind: Indicator, index: dict, grade_list: list[str]) -> Panel:
    rows = [index.get((ind.id, g)) for g in grade_list]
    return Panel(ind.name(ctx.lang), tuple(_value(r, "pct") for r in rows), tuple(_value(r, "ci_low") for r in rows),
                 tuple(_value(r, "ci_high") for r in rows), tuple(_base(r) for r in rows))


def _legend(ctx: MunicipalityContext, axis: str, label: str) -> Legend:
    base = msg("chart.baseline", ctx.lang, label=ctx.baseline.label()) if ctx.baseline is not None else None
    muni = msg("chart.interval", ctx.lang, municipality=ctx.municipality, level=level_label(ctx))
    return Legend(muni, base, axis, label)


def shortlisted(ctx: MunicipalityContext) -> set[str]:
    p = ctx.priorities
    if p is None or p.empty or "shortlisted" not in p:
        return set()
    return set(p.loc[p["shortlisted"].fillna(False).astype(bool), "indicator_id"].astype(str))


def block(ctx: MunicipalityContext, block_id: str, title: str, kind: str,
          groups: list[tuple[str, list[Indicator]]]) -> Block:
    """Tables and charts of ``groups`` (heading, indicators) of one indicator type."""
    lang = ctx.lang
    index = pooled_index(ctx, kind)
    grade_list = grades(ctx)
    strong = shortlisted(ctx) if kind != "outcome" else set()
    table = tuple(Group(label, tuple(_row(ctx, i, index, grade_list, i.id in strong) for i in inds)) for label, inds in groups)
    dots: list[Dot] = []
    for label, inds in groups:
        if len(groups) > 1:
            dots.append(Dot(label, heading=True))
        dots += [_dot(ctx, i, index, i.id in strong) for i in inds]
    axis = msg(f"axis.{kind}", lang)
    inds_all = [i for _, inds in groups for i in inds]
    overview = dot_chart(dots, _legend(ctx, axis, f"{title}: {msg('chart.overview', lang)}"), lang, f"{block_id}-dots")
    panels = [_panel(ctx, i, index, grade_list) for i in inds_all]
    by_grade = (grade_panels(panels, grade_list, _legend(ctx, axis, f"{title}: {msg('chart.by_grade', lang)}"),
                             msg("axis.grade", lang), lang, f"{block_id}-grades") if grade_list else Markup(""))
    return Block(block_id, title, table, overview, by_grade)


DOMAINS = ("community", "family", "school", "peer_individual")
GROUPS = ("substance_use", "antisocial", "mental_health", "other")


def factor_block(ctx: MunicipalityContext, kind: str) -> Block:
    inds = [i for i in ctx.indicators if i.type == kind]
    groups = [(t(f"domain.{d}", ctx.lang), [i for i in inds if i.group == d]) for d in DOMAINS]
    groups += [(i.group, [i]) for i in inds if i.group not in DOMAINS]
    return block(ctx, kind, msg(f"section.{kind}", ctx.lang), kind, [g for g in groups if g[1]])


def outcome_blocks(ctx: MunicipalityContext) -> list[Block]:
    inds = [i for i in ctx.indicators if i.type == "outcome"]
    out = []
    for group in GROUPS:
        members = [i for i in inds if i.group == group]
        if members:
            title = t(f"group.{group}", ctx.lang)
            out.append(block(ctx, f"outcome-{group}", title, "outcome", [(title, members)]))
    return out
