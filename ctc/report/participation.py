"""The participation section: questionnaires, exclusions per screening rule, final n."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..instrument.codebook import rule_text
from ..profile.context import MunicipalityContext
from ..scoring.audit import EXCLUDED
from ..spec import text_in
from .fmt import DASH, count, num
from .frame import ALL, grade_key
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


def _analysed(rows: pd.DataFrame, n: int | None, x: int | None) -> int | None:
    """Questionnaires analysed: published as such (the release shows it even where a small
    excluded count and the number returned are hidden)."""
    if len(rows) and "analysed" in rows:
        return _int(rows["analysed"].iloc[0])
    return None if n is None or x is None else n - x


def _grade_line(ctx: MunicipalityContext, rows: pd.DataFrame, grade: str) -> GradeLine:
    lang = ctx.lang
    total = rows[(rows["grade"] == grade) & (rows["rule"] == EXCLUDED)]
    n = _int(total["respondents"].iloc[0]) if len(total) else 0
    x = _int(total["flagged"].iloc[0]) if len(total) else 0
    final = _analysed(total, n, x)
    label = msg("part.all_grades", lang) if grade == ALL else grade
    pct = num(100 * x / n, lang) if n and x is not None else DASH
    return GradeLine(label, count(n, lang), count(x, lang), pct, count(final, lang), grade == ALL)


def _rule_line(ctx: MunicipalityContext, rows: pd.DataFrame, rule_id: str, grades: list[str]) -> RuleLine:
    lang = ctx.lang
    mine = rows[rows["rule"] == rule_id].set_index("grade")
    values = [count(mine.at[g, "flagged"], lang) if g in mine.index else DASH for g in grades]
    only = count(mine.at[ALL, "only_this_rule"], lang) if ALL in mine.index and rule_id != EXCLUDED and "only_this_rule" in mine else ""
    if rule_id == EXCLUDED:
        return RuleLine(rule_id, msg("part.any", lang), "", tuple(values[:-1]), values[-1], "", True)
    rule = next(r for r in ctx.instrument.validity if r.id == rule_id)
    return RuleLine(rule_id, text_in(rule.label, lang) or rule_id, rule_text(rule, lang, ctx.instrument), tuple(values[:-1]),
                    values[-1], only, False)


def participation(ctx: MunicipalityContext) -> Participation:
    rows = _rows(ctx)
    grades = sorted(set(rows["grade"]) - {ALL}, key=grade_key)
    by_grade = tuple(_grade_line(ctx, rows, g) for g in [*grades, ALL]) if len(rows) else ()
    known = [r.id for r in ctx.instrument.validity if r.id in set(rows["rule"])]
    rules = tuple(_rule_line(ctx, rows, r, [*grades, ALL]) for r in known)
    if len(rows) and EXCLUDED in set(rows["rule"]):
        rules += (_rule_line(ctx, rows, EXCLUDED, [*grades, ALL]),)
    head = rows[(rows["grade"] == ALL) & (rows["rule"] == EXCLUDED)]
    n = _int(head["respondents"].iloc[0]) if len(head) else 0
    x = _int(head["flagged"].iloc[0]) if len(head) else 0
    return Participation(tuple(grades), by_grade, rules, n, x, _analysed(head, n, x))
