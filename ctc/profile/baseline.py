"""Baseline profiles (``profiles/*.csv``): the reference a municipality is compared with.

Format (docs/baseline-format.md), one row per indicator × grade × gender:

    indicator_type,indicator_id,grade,gender,pct,n,source,year
    risk,family_conflict,8,all,31.2,4210,"Land survey 2025",2025

``grade``/``gender`` = ``all`` for pooled rows; ``n`` may be empty when unknown; every
row carries its ``source`` and ``year`` (provenance). The baseline id is the file name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DefinitionError, InvalidDefinition, Problem
from ..instrument.model import Instrument
from ..resources import shipped_files
from ..stats import (
    design_t_test_fixed,
    newcombe_interval,
    score_test_fixed,
    two_proportion_test,
)
from .estimate import ALL

COLUMNS = ("indicator_type", "indicator_id", "grade", "gender", "pct", "n", "source", "year")
HINT = "See docs/baseline-format.md; 'ctc baseline build' writes a valid file from a reference survey."


@dataclass(frozen=True)
class Baseline:
    id: str
    table: pd.DataFrame = field(repr=False)  # the COLUMNS, keyed by type/id/grade/gender
    path: Path | None = None

    @property
    def sources(self) -> list[str]:
        return sorted(self.table["source"].dropna().astype(str).unique())

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.table["year"].dropna().unique())

    def label(self) -> str:
        return "; ".join(self.sources) or self.id


def shipped_baselines() -> dict[str, Path]:
    return {p.stem: p for p in shipped_files("profiles", (".csv",))}


def _problems(frame: pd.DataFrame, inst: Instrument) -> list[Problem]:
    problems: list[Problem] = []
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        return [Problem("header", f"missing column(s) {missing}; expected {list(COLUMNS)}")]
    known = {("risk", s.id) for s in inst.risk_scales} | {("protective", s.id) for s in inst.protective_scales}
    known |= {("outcome", o.id) for o in inst.outcomes}
    grades = {str(g) for g in inst.grades} | {ALL}
    genders = set(inst.genders or {}) | {ALL}
    for i, row in frame.iterrows():  # small files (hundreds of rows); one message per bad cell
        where = f"row {i + 2}"
        if (row["indicator_type"], row["indicator_id"]) not in known:
            problems.append(Problem(where, f"unknown indicator {row['indicator_type']}/{row['indicator_id']} for instrument {inst.id}"))
        if row["grade"] not in grades:
            problems.append(Problem(where, f"grade {row['grade']!r} is not one of {sorted(grades)}"))
        if inst.genders and row["gender"] not in genders:
            problems.append(Problem(where, f"gender {row['gender']!r} is not one of {sorted(genders)}"))
        pct = pd.to_numeric(row["pct"], errors="coerce")
        if pd.isna(pct) or not 0 <= pct <= 100:
            problems.append(Problem(where, f"pct {row['pct']!r} must be a number from 0 to 100"))
        n = pd.to_numeric(row["n"], errors="coerce") if str(row["n"]).strip() not in ("", "nan", "<NA>") else 0
        if pd.isna(n) or n < 0 or n != int(n):
            problems.append(Problem(where, f"n {row['n']!r} must be empty or a whole number ≥ 0"))
    dup = frame.duplicated(["indicator_type", "indicator_id", "grade", "gender"], keep="first")
    for i in np.flatnonzero(dup.to_numpy()):
        problems.append(Problem(f"row {i + 2}", "duplicate indicator/grade/gender row"))
    return problems


def load_baseline(ref: str | Path, inst: Instrument) -> Baseline:
    """A shipped baseline by id (``demo-baseline``) or a CSV file; every problem is listed."""
    shipped = shipped_baselines()
    path = shipped[ref] if isinstance(ref, str) and ref in shipped else Path(ref)
    if not path.is_file():
        raise DefinitionError(f"baseline {str(ref)!r} not found", f"shipped baselines: {', '.join(sorted(shipped)) or 'none'}; or give a CSV path")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InvalidDefinition(f"baseline {path}", [Problem("", f"cannot read as UTF-8 CSV: {exc}")], HINT) from None
    problems = _problems(frame, inst)
    if problems:
        raise InvalidDefinition(f"baseline {path}", problems, HINT)
    table = frame[list(COLUMNS)].copy()
    table["pct"] = table["pct"].astype(float)
    table["n"] = pd.to_numeric(table["n"].replace("", None), errors="coerce").astype("Int64")
    table["year"] = pd.to_numeric(table["year"].replace("", None), errors="coerce").astype("Int64")
    return Baseline(path.stem, table, path)


def compare(profile: pd.DataFrame, baseline: Baseline | None, level: float = 0.95) -> pd.DataFrame:
    """Add ``baseline_pct, baseline_n, diff_pp, diff_ci_low, diff_ci_high, p_value, test``.

    Baseline as a fixed value (no ``n``): score test (unweighted) or design t-test
    (weighted). Baseline with ``n``: an independent sample — pooled two-proportion z-test
    and Newcombe interval for the difference (unweighted); with weights, a z-test on
    SE² + p0(1−p0)/n0. Only exact grade × gender matches are compared.
    """
    out = profile.copy()
    for col in ("baseline_pct", "diff_pp", "diff_ci_low", "diff_ci_high", "p_value"):
        out[col] = np.nan
    out["baseline_n"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["test"] = ""
    if baseline is None:
        return out
    keys = ["indicator_type", "indicator_id", "grade", "gender"]
    ref = baseline.table.rename(columns={"pct": "_b_pct", "n": "_b_n"})[[*keys, "_b_pct", "_b_n"]]
    merged = out[keys].astype(str).merge(ref, on=keys, how="left")
    p0 = merged["_b_pct"].to_numpy(dtype=float) / 100
    n0 = merged["_b_n"].to_numpy(dtype=float, na_value=np.nan)
    out["baseline_pct"] = 100 * p0
    out["baseline_n"] = merged["_b_n"].astype("Int64").to_numpy()
    shown = ~out["suppressed"].to_numpy() & ~np.isnan(p0)
    _tests(out, p0, n0, shown, level)
    return out


def _tests(out: pd.DataFrame, p0: np.ndarray, n0: np.ndarray, shown: np.ndarray, level: float) -> None:
    n = out["n"].to_numpy(dtype=float, na_value=np.nan)
    x = out["n_flagged"].to_numpy(dtype=float, na_value=np.nan)
    p = out["pct"].to_numpy(dtype=float) / 100
    weighted = out["weighted"].to_numpy(dtype=bool)
    has_n = ~np.isnan(n0) & (n0 > 0)
    diff = np.where(shown, 100 * (p - p0), np.nan)
    pval = np.full(len(out), np.nan)
    lo, hi = np.full(len(out), np.nan), np.full(len(out), np.nan)
    test = np.full(len(out), "", dtype=object)
    # unweighted, baseline fixed
    m = shown & ~weighted & ~has_n
    pval[m] = score_test_fixed(x[m], n[m], p0[m])
    test[m] = "score"
    # unweighted, baseline an independent sample
    m = shown & ~weighted & has_n
    x0 = np.rint(p0[m] * n0[m])
    pval[m] = two_proportion_test(x[m], n[m], x0, n0[m])
    lo[m], hi[m] = (100 * v for v in newcombe_interval(x[m], n[m], x0, n0[m], level))
    test[m] = "two-proportion"
    # weighted
    se = out["se"].to_numpy(dtype=float) / 100
    df = out["df"].to_numpy(dtype=float)
    m = shown & weighted & ~has_n
    pval[m] = design_t_test_fixed(p[m], se[m], df[m], p0[m])
    test[m] = "design-t"
    m = shown & weighted & has_n
    se_d = np.sqrt(se[m] ** 2 + p0[m] * (1 - p0[m]) / n0[m])
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (p[m] - p0[m]) / se_d
        pval[m] = np.where(se_d > 0, 2 * stats.norm.sf(np.abs(z)), np.nan)
        zq = stats.norm.ppf(0.5 + level / 2)
        lo[m], hi[m] = 100 * (p[m] - p0[m] - zq * se_d), 100 * (p[m] - p0[m] + zq * se_d)
    test[m] = "design-z"
    out["diff_pp"], out["p_value"], out["diff_ci_low"], out["diff_ci_high"], out["test"] = diff, pval, lo, hi, test


def build_baseline(table: pd.DataFrame, *, source: str, year: int) -> pd.DataFrame:
    """Baseline rows from a protected profile table's whole-file rows (``municipality == all``,
    or the rows of its only municipality).

    Hidden cells are left out: a baseline publishes only what a profile may show.
    """
    muni = table["municipality"].astype(str)
    if not (muni == ALL).any() and muni.nunique() == 1:  # one group: published under its own name
        muni = pd.Series(ALL, index=table.index)
    whole = table[(muni == ALL) & ~table["suppressed"]]
    out = pd.DataFrame({
        "indicator_type": whole["indicator_type"].to_numpy(),
        "indicator_id": whole["indicator_id"].to_numpy(),
        "grade": whole["grade"].astype(str).to_numpy(),
        "gender": whole["gender"].astype(str).to_numpy(),
        "pct": whole["pct"].round(2).to_numpy(),
        "n": whole["n"].astype("Int64").to_numpy(),
        "source": source,
        "year": year,
    })
    return out.reset_index(drop=True)
