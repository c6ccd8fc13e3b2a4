"""Selections from the context's profile table that every section needs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import pandas as pd

from ..profile.context import MunicipalityContext

ALL = "all"
_MEMO: ContextVar[dict[tuple[int, str], tuple[Any, Any]] | None] = ContextVar("ctc_report_frame_memo", default=None)


@contextmanager
def memo() -> Iterator[None]:
    """Within this block each selection below is computed once per context: every
    section asks for the grades and the pooled rows again (a tenth of a report's time)."""
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def _once(ctx: MunicipalityContext, key: str, make: Callable[[], Any]) -> Any:
    store = _MEMO.get()
    if store is None:
        return make()
    hit = store.get((id(ctx), key))
    if hit is None or hit[0] is not ctx:  # the context is kept in the entry, so its id is not reused
        hit = store[(id(ctx), key)] = (ctx, make())
    return hit[1]


def grade_key(grade: str) -> tuple[int, float, str]:
    """Numeric grades first (in order), other labels next, ``all`` last."""
    if grade == ALL:
        return (2, 0.0, grade)
    try:
        return (0, float(grade), grade)
    except ValueError:
        return (1, 0.0, grade)


def pooled_gender(ctx: MunicipalityContext, kind: str) -> pd.DataFrame:
    """The municipality's rows of one indicator type, genders pooled; grade as text."""
    return _once(ctx, f"pooled:{kind}", lambda: _pooled_gender(ctx, kind)).copy()


def _pooled_gender(ctx: MunicipalityContext, kind: str) -> pd.DataFrame:
    t = ctx.table
    rows = t[(t["indicator_type"] == kind) & (t["gender"].astype(str) == ALL)].copy()
    rows["grade"] = rows["grade"].astype(str)
    rows["indicator_id"] = rows["indicator_id"].astype(str)
    return rows


def grades(ctx: MunicipalityContext) -> list[str]:
    """The grades this municipality has respondents in (a column only when someone answered)."""
    return list(_once(ctx, "grades", lambda: _grades(ctx)))


def _grades(ctx: MunicipalityContext) -> list[str]:
    t = ctx.table
    present = t[(t["gender"].astype(str) == ALL) & (t["suppression_reason"].astype(str) != "empty")]
    found = {str(g) for g in present["grade"].astype(str).unique()} - {ALL}
    return sorted(found, key=grade_key)


def cell_index(rows: pd.DataFrame) -> dict[tuple[str, str], Any]:
    """(indicator id, grade) → the row as a named tuple (attribute access: ``row.pct``)."""
    return {(r.indicator_id, r.grade): r for r in rows.itertuples(index=False)}
