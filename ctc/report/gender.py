"""The gender section: each factor by gender (grades pooled), where the protection allows.

Gender is published per municipality with grades pooled only (docs/privacy.md); a
gender group the protection hides shows a dash, never a number.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..profile.context import MunicipalityContext
from .frame import ALL, profile_cells
from .profile import Cell, _cell
from .strings import msg


@dataclass(frozen=True)
class GenderRow:
    label: str
    cells: tuple[Cell, ...]  # one per gender, then all genders


@dataclass(frozen=True)
class GenderTable:
    kind: str
    title: str
    rows: tuple[GenderRow, ...]


@dataclass(frozen=True)
class GenderView:
    genders: tuple[str, ...]  # column heads
    tables: tuple[GenderTable, ...]
    shown: int  # gender cells with a number
    total: int


def _labels(ctx: MunicipalityContext, codes: list[str]) -> list[str]:
    names = ctx.instrument.genders or {}
    return [names[c].get(ctx.lang) if c in names else c for c in codes]


def gender_view(ctx: MunicipalityContext) -> GenderView:
    indexed = profile_cells(ctx)
    rows = [(r, sex) for r, g, sex in zip(indexed.rows, indexed.grade, indexed.gender) if g == ALL]  # grades pooled
    present = {sex for _, sex in rows} - {ALL}
    codes = [c for c in (ctx.instrument.genders or sorted(present)) if c in present]
    index = {(r.indicator_type, r.indicator_id, str(r.gender)): r for r, _ in rows}
    tables, shown, total = [], 0, 0
    for kind in ("risk", "protective"):
        out = []
        for ind in (i for i in ctx.indicators if i.type == kind):
            cells = tuple(_cell(ctx, index.get((kind, ind.id, g))) for g in [*codes, ALL])
            shown += sum(not c.hidden for c in cells[:-1])
            total += len(cells) - 1
            out.append(GenderRow(ind.name(ctx.lang), cells))
        tables.append(GenderTable(kind, msg(f"section.{kind}", ctx.lang), tuple(out)))
    return GenderView(tuple(_labels(ctx, codes)), tuple(tables), shown, total)
