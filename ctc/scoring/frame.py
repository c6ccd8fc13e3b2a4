"""Scoring one DataFrame (or one chunk of a file): the pure core of ``ctc score``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..checks import as_text
from ..instrument.model import Instrument
from .codes import CleanCodes, clean_codes
from .outcomes import score_outcomes, screen
from .plan import Plan, compile_plan
from .scales import score_scales

ROLES = ("respondent", "municipality", "school", "grade", "gender", "weight", "wave")


@dataclass(frozen=True)
class Scored:
    """Everything scoring one chunk produces, as arrays aligned with its rows."""

    meta: pd.DataFrame  # role-named metadata columns
    clean: CleanCodes
    screens: np.ndarray  # bool rows × validity rules
    scores: np.ndarray  # rows × scales
    flags: np.ndarray  # rows × scales (1/0/NaN)
    outcomes: np.ndarray  # rows × outcomes (1/0/NaN)

    @property
    def excluded(self) -> np.ndarray:
        return self.screens.any(axis=1)


def numeric_grades(series: pd.Series) -> np.ndarray:
    """Grades as floats; text that is not a whole number becomes NaN (reported elsewhere)."""
    if not pd.api.types.is_numeric_dtype(series.dtype):
        series = pd.to_numeric(series.astype("string").str.strip(), errors="coerce")
    arr = np.array(series.to_numpy(dtype=np.float64, na_value=np.nan), copy=True)  # pandas may hand out a read-only view
    arr[np.abs(arr - np.round(arr)) > 0] = np.nan
    return arr


def _meta(frame: pd.DataFrame, roles: Mapping[str, str]) -> pd.DataFrame:
    meta = {}
    for role in ROLES:
        column = roles.get(role)
        if column is None or column not in frame.columns:
            continue
        col = frame[column]
        if role == "grade":
            meta[role] = pd.array(numeric_grades(col), dtype="Float64").astype("Int64")
        elif role == "weight":
            meta[role] = pd.to_numeric(col, errors="coerce").astype("Float64")
        else:
            # labels as text in every format: SPSS stores 17 as 17.0, CSV as "17" or "017"
            meta[role] = as_text(col).to_numpy()
    return pd.DataFrame(meta, index=frame.index)


def score_chunk(frame: pd.DataFrame, inst: Instrument, plan: Plan, roles: Mapping[str, str],
                items: Mapping[str, str | None]) -> Scored:
    respondent = frame[roles["respondent"]] if roles.get("respondent") in frame.columns else None
    clean = clean_codes(frame, plan, items, respondent)
    grades = numeric_grades(frame[roles["grade"]]) if roles.get("grade") in frame.columns else np.full(len(frame), np.nan)
    scores, flags = score_scales(clean.values, grades, plan)
    return Scored(
        meta=_meta(frame, roles),
        clean=clean,
        screens=screen(clean.codes, grades, inst, plan),
        scores=scores,
        flags=flags,
        outcomes=score_outcomes(clean.codes, flags, inst, plan),
    )


def _bool(arr: np.ndarray) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(arr == 1.0, np.isnan(arr))


def _count(flags: np.ndarray) -> pd.arrays.IntegerArray:
    counts = (flags == 1.0).sum(axis=1).astype(np.int64)
    none = np.isnan(flags).all(axis=1) if flags.shape[1] else np.ones(len(flags), dtype=bool)
    return pd.arrays.IntegerArray(counts, none)


def output_frame(scored: Scored, inst: Instrument) -> pd.DataFrame:
    """The documented respondent-level output of ``ctc score`` (see docs/scoring.md)."""
    cols: dict[str, object] = {c: scored.meta[c].to_numpy() if c != "grade" else scored.meta[c].array for c in scored.meta.columns}
    cols["excluded"] = scored.excluded
    for k, rule in enumerate(inst.validity):
        cols[f"screen.{rule.id}"] = scored.screens[:, k]
    for k, s in enumerate(inst.scales):
        cols[f"score.{s.id}"] = scored.scores[:, k]
    for k, s in enumerate(inst.scales):
        cols[f"flag.{s.id}"] = _bool(scored.flags[:, k])
    for k, o in enumerate(inst.outcomes):
        cols[f"outcome.{o.id}"] = _bool(scored.outcomes[:, k])
    kinds = np.array([s.kind for s in inst.scales])
    cols["risk_count"] = _count(scored.flags[:, kinds == "risk"])
    cols["protection_count"] = _count(scored.flags[:, kinds == "protective"])
    return pd.DataFrame(cols)


def default_columns(inst: Instrument) -> tuple[dict[str, str], dict[str, str]]:
    """(role → column, item → column) as the instrument names them."""
    return inst.columns.present(), {i.id: i.source_column for i in inst.items}


def score_frame(
    frame: pd.DataFrame,
    inst: Instrument,
    roles: Mapping[str, str] | None = None,
    items: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Score a DataFrame that uses the instrument's column names (or the given ones).

    No file I/O, no checks report: the building block for notebooks and tests.
    """
    default_roles, default_items = default_columns(inst)
    scored = score_chunk(frame, inst, compile_plan(inst), roles or default_roles, items or default_items)
    return output_frame(scored, inst)
