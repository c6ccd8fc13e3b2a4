"""The participation section: questionnaires, exclusions per screening rule, final n."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..instrument.codebook import rule_text
from ..profile.context import MunicipalityContext
from ..scoring.audit import EXCLUDED
from ..spec import text_in
from .fmt import DASH, count, num
from .frame import ALL, grade_key, records
from .strings import msg


@dataclass(frozen=True)
class GradeLine:
    grade: str
    respondents: str
    excluded: str
    excluded_pct: str
    final: str
    total: bool


@dataclass(frozen=True)
class RuleLine:
    id: str
    label: str
    text: str
    by_grade: tuple[str, ...]
    all: str
    only: str
    total: bool


@dataclass(frozen=True)
class Participation:
    grades: tuple[str, ...]  # column heads of the rule table
    by_grade: tuple[GradeLine, ...]
    rules: tuple[RuleLine, ...]
    respondents: int | None  # None: not shown to protect privacy
    excluded: int | None
    final: int | None


def _rows(ctx: MunicipalityContext) -> pd.DataFrame:
    s = ctx.screening
    if s is None or s.empty:
        return pd.DataFrame(columns=["grade", "rule", "respondents", "flagged", "only_this_rule"])
    rows = s[s["municipality"].astype(str) == ctx.municipality].copy()
    rows["grade"] = rows["grade"].astype(str)
    return rows


def _int(value: object) -> int | None:
    return None if pd.isna(value) else int(value)  # type: ignore[arg-type, call-overload]


class _Rows:
    """The municipality's screening rows, read once: by (rule, grade) and in order."""

    def __init__(self, rows: pd.DataFrame) -> None:
        self.columns = set(rows.columns)
        self.rows = records(rows)
        self.by_rule: dict[str, dict[str, Any]] = {}
        for r in self.rows:
            self.by_rule.setdefault(r.rule, {}).setdefault(r.grade, r)  # the first row, as .iloc[0] takes it
        self.rules = {r.rule for r in self.rows}

    def first(self, rule: str, grade: str) -> Any:
        return self.by_rule.get(rule, {}).get(grade)


def _analysed(row: Any, n: int | None, x: int | None, has_analysed: bool) -> int | None:
    """Questionnaires analysed: published as such (the release shows it even where a small
    excluded count and the number returned are hidden)."""
    if row is not None and has_analysed:
        return _int(row.analysed)
    return None if n is None or x is None else n - x


def _grade_line(ctx: MunicipalityContext, rows: _Rows, grade: str) -> GradeLine:
    lang = ctx.lang
    total = rows.first(EXCLUDED, grade)
    n = _int(total.respondents) if total is not None else 0
    x = _int(total.flagged) if total is not None else 0
    final = _analysed(total, n, x, "analysed" in rows.columns)
    label = msg("part.all_grades", lang) if grade == ALL else grade
    pct = num(100 * x / n, lang) if n and x is not None else DASH
    return GradeLine(label, count(n, lang), count(x, lang), pct, count(final, lang), grade == ALL)


def _rule_line(ctx: MunicipalityContext, rows: _Rows, rule_id: str, grades: list[str]) -> RuleLine:
    lang = ctx.lang
    mine = rows.by_rule.get(rule_id, {})
    values = [count(mine[g].flagged, lang) if g in mine else DASH for g in grades]
    only = (count(mine[ALL].only_this_rule, lang) if ALL in mine and rule_id != EXCLUDED and "only_this_rule" in rows.columns
            else "")
    if rule_id == EXCLUDED:
        return RuleLine(rule_id, msg("part.any", lang), "", tuple(values[:-1]), values[-1], "", True)
    rule = next(r for r in ctx.instrument.validity if r.id == rule_id)
    return RuleLine(rule_id, text_in(rule.label, lang) or rule_id, rule_text(rule, lang, ctx.instrument), tuple(values[:-1]),
                    values[-1], only, False)


def participation(ctx: MunicipalityContext) -> Participation:
    rows = _Rows(_rows(ctx))
    grades = sorted({r.grade for r in rows.rows} - {ALL}, key=grade_key)
    by_grade = tuple(_grade_line(ctx, rows, g) for g in [*grades, ALL]) if rows.rows else ()
    known = [r.id for r in ctx.instrument.validity if r.id in rows.rules]
    line_grades = [*grades, ALL]
    rules = tuple(_rule_line(ctx, rows, r, line_grades) for r in known)
    if rows.rows and EXCLUDED in rows.rules:
        rules += (_rule_line(ctx, rows, EXCLUDED, line_grades),)
    head = rows.first(EXCLUDED, ALL)
    n = _int(head.respondents) if head is not None else 0
    x = _int(head.flagged) if head is not None else 0
    return Participation(tuple(grades), by_grade, rules, n, x, _analysed(head, n, x, "analysed" in rows.columns))
