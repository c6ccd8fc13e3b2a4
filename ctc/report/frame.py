"""Selections from the context's profile table that every section needs."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_extension_array_dtype
from pandas.core.dtypes.dtypes import BaseMaskedDtype

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
    c = profile_cells(ctx)
    reason = values(ctx.table["suppression_reason"].astype(str))
    found = {str(g) for g, sex, why in zip(c.grade, c.gender, reason) if sex == ALL and why != "empty"} - {ALL}
    return sorted(found, key=grade_key)


def values(column: pd.Series) -> list[Any]:
    """A column as a list of the very values iterating it gives (as ``itertuples`` does),
    without pandas' per-element iteration where the array converts in one call."""
    if isinstance(column.dtype, np.dtype):
        return column.to_numpy().tolist()  # Python scalars, as Series.__iter__ gives
    if is_extension_array_dtype(column.dtype) and not isinstance(column.dtype, BaseMaskedDtype):
        return column.to_numpy(dtype=object).tolist()  # strings, categories: their values, NA as the dtype's
    return list(column)  # masked integers iterate as NumPy scalars: kept as they are


def records(frame: pd.DataFrame) -> list[Any]:
    """The rows of ``frame`` as named tuples, as ``frame.itertuples(index=False)`` gives them."""
    Row = namedtuple("Row", [str(c) for c in frame.columns], rename=True)  # type: ignore[misc]
    columns = [values(column) for _, column in frame.items()]
    return [Row._make(r) for r in zip(*columns)] if columns else [Row() for _ in range(len(frame))]


@dataclass(frozen=True)
class Cells:
    """The municipality's profile rows indexed once per report: every section looks its
    cells up here instead of filtering the pandas table again (a third of a view's time).

    ``rows`` are the table's rows (named tuples); ``grade``, ``gender``, ``kind`` and ``id``
    the key columns as text, as ``astype(str)`` gives them, in the same order."""

    rows: list[Any]
    grade: list[str]
    gender: list[str]
    kind: list[Any]
    id: list[str]

    def pooled(self, kind: str) -> dict[tuple[str, str], Any]:
        """(indicator id, grade) → row of one indicator type with genders pooled
        (as ``cell_index(pooled_gender(ctx, kind))``: a later duplicate wins)."""
        return {(i, g): r for r, k, i, g, sex in zip(self.rows, self.kind, self.id, self.grade, self.gender)
                if k == kind and sex == ALL}


def profile_cells(ctx: MunicipalityContext) -> Cells:
    """The profile rows of ``ctx`` indexed (once per context within :func:`memo`)."""
    return _once(ctx, "cells", lambda: _cells(ctx.table))


def _cells(t: pd.DataFrame) -> Cells:
    return Cells(records(t), values(t["grade"].astype(str)), values(t["gender"].astype(str)), values(t["indicator_type"]),
                 values(t["indicator_id"].astype(str)))


def pooled_index(ctx: MunicipalityContext, kind: str) -> dict[tuple[str, str], Any]:
    """``cell_index(pooled_gender(ctx, kind))`` from the indexed rows."""
    return _once(ctx, f"pooled-index:{kind}", lambda: profile_cells(ctx).pooled(kind))


def cell_index(rows: pd.DataFrame) -> dict[tuple[str, str], Any]:
    """(indicator id, grade) → the row as a named tuple (attribute access: ``row.pct``)."""
    return {(r.indicator_id, r.grade): r for r in rows.itertuples(index=False)}
