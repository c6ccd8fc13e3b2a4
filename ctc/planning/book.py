"""What every sheet writer needs: the context, the language, lists, names and styles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from ..catalogue import Catalogue, Match
from ..excel import DASH, put
from ..profile.context import MunicipalityContext
from ..profile.estimate import ALL
from .strings import s
from .vocab import Vocab

KEY_FONT = Font(color="808080", size=9)
NOTE_FONT = Font(italic=True, color="555555")
BOARD_FILL = PatternFill("solid", fgColor="FFF9E6")  # cells the board fills in
BOARD_HEADER_FILL = PatternFill("solid", fgColor="F6D98B")
WRAP = Alignment(wrap_text=True, vertical="top")
RED = PatternFill("solid", fgColor="F4B6B0")
LIGHT_RED = PatternFill("solid", fgColor="FBE0DC")
GREEN = PatternFill("solid", fgColor="CDEBC5")
AMBER = PatternFill("solid", fgColor="FCE4B6")


@dataclass
class Board:
    """The board's entries as the writer receives them (values may be :class:`Coded`)."""

    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)  # indicator id → board fields
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # sheet id → rows (field → value)


@dataclass
class Book:
    ctx: MunicipalityContext
    lang: str
    wb: Workbook
    vocabs: dict[str, Vocab]
    catalogue: Catalogue
    matches: list[Match]
    matrix: pd.DataFrame
    board: Board
    survey_year: int
    prioritised: list[str]  # factor ids in the gap matrix (shortlist ∪ board priorities)
    names: dict[str, str] = field(default_factory=dict)  # sheet id → sheet title
    created: str = ""
    updated: str = ""
    waves: Any = None  # the comparison of survey waves (planning.waves.WaveValues), if given
    _memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # look-ups asked for by many sheets

    def sheet(self, sheet_id: str) -> Worksheet:
        return self.wb[self.names[sheet_id]]

    def s(self, key: str, **kw: Any) -> str:
        return s(key, self.lang, **kw)

    def define(self, name: str, sheet_id: str, ref: str) -> None:
        """A workbook-level name (``ctc_…``) for a range, used by validations and formulas."""
        title = self.names[sheet_id].replace("'", "''")
        self.wb.defined_names[name] = DefinedName(name, attr_text=f"'{title}'!{ref}")

    # ------------------------------------------------------------------ data lookups
    def pooled(self) -> dict[tuple[str, str], pd.Series]:
        """(type, id) → the pooled (all grades, all genders) profile row (computed once)."""
        if "pooled" not in self._memo:
            t = self.ctx.table
            m = (t["grade"].astype(str) == ALL) & (t["gender"].astype(str) == ALL)
            self._memo["pooled"] = {(r.indicator_type, r.indicator_id): r for r in t[m].itertuples(index=False)}  # type: ignore[misc]
        return self._memo["pooled"]

    def grades(self) -> list[int]:
        """The surveyed grades, ascending (computed once; see ``match.surveyed_grades``)."""
        if "grades" not in self._memo:
            from .match import surveyed_grades

            self._memo["grades"] = surveyed_grades(self.ctx)
        return list(self._memo["grades"])

    def population(self) -> str:
        grades = self.grades()
        if not grades:
            return ""
        return self.s("plan.population", lo=grades[0], hi=grades[-1])


def value(v: Any) -> Any:
    """A number for a cell: NaN/NA → None; numpy scalars → Python."""
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float | np.floating) and np.isnan(v):
        return None
    if hasattr(v, "item") and not isinstance(v, str):
        return v.item()
    return v


def shown(v: Any, suppressed: bool) -> Any:
    return DASH if suppressed else value(v)


def note(ws: Worksheet, row: int, text: str, col: int = 1) -> None:
    put(ws, row, col, text)
    ws.cell(row=row, column=col).font = NOTE_FONT


def stamp() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def survey_year(ctx: MunicipalityContext) -> int:
    """The year the data describe: the manifest's ``survey_year`` (or ``survey.year``), else
    the year the profile was computed (``created``), else this year."""
    man = ctx.manifest or {}
    candidates = [man.get("survey_year"), (man.get("survey") or {}).get("year") if isinstance(man.get("survey"), dict) else None]
    for c in candidates:
        try:
            if c is not None:
                return int(c)
        except (TypeError, ValueError):
            pass
    created = man.get("created")
    if isinstance(created, str) and created[:4].isdigit():
        return int(created[:4])
    return dt.date.today().year
