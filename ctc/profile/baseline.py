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
from scipy import special, stats

from ..errors import DefinitionError, InvalidDefinition, Problem
from ..instrument.model import Instrument
from ..resources import shipped_files
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
    from .published import check_cutpoints  # a baseline made under other cut-points is refused

    check_cutpoints(frame, inst, str(path))
    table = frame[list(COLUMNS)].copy()
    table["pct"] = table["pct"].astype(float)
    table["n"] = pd.to_numeric(table["n"].replace("", None), errors="coerce").astype("Int64")
    table["year"] = pd.to_numeric(table["year"].replace("", None), errors="coerce").astype("Int64")
    return Baseline(path.stem, table, path)


def compare(profile: pd.DataFrame, baseline: Baseline | None, level: float = 0.95) -> pd.DataFrame:
    """Add ``baseline_pct, baseline_n, diff_pp, diff_ci_low, diff_ci_high, p_value, test``.

    Every test agrees with the interval shown (docs/statistics.md, "Tests"):

    * ``design-logit`` (logit interval shown): t = (logit p̂ − logit p0)/SE_logit on the
      domain's design df, SE_logit = SE/(p̂(1−p̂)) — R ``svyglm(y ~ 1, offset = qlogis(p0),
      family = quasibinomial)``. It rejects at alpha = 1 − level exactly when the logit
      interval excludes p0; diff_ci is that interval minus p0.
    * ``design-logit-2`` (baseline with ``n``, i.e. its own sampling error): the same with
      SE_logit² + 1/(n0·p0(1−p0)) (the baseline's binomial variance on the logit scale) and
      the municipality's design df; diff_ci = expit(logit p0 + [lower, upper]) − p0, the
      interval of the log-odds difference in percentage points at the baseline's level,
      so it excludes 0 exactly when the test rejects.
    * ``exact`` (p̂ = 0 or 1, Clopper–Pearson interval shown): the two-sided exact binomial
      test on the unweighted counts, p = min(1, 2·min(P(X ≤ x), P(X ≥ x))), dual to the
      Clopper–Pearson interval; the baseline is taken as fixed.

    No test where no interval is shown (too few schools under clusters, no df) or where
    the baseline is 0 % or 100 %. Only exact grade × gender matches are compared.
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
    shown = ~out["suppressed"].to_numpy(dtype=bool) & ~np.isnan(p0)
    _tests(out, p0, n0, shown, level)
    return out


def logit_test(p: np.ndarray, se: np.ndarray, df: np.ndarray, p0: np.ndarray, n0: np.ndarray,
               level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two-sided p and the interval for p − p0 of the logit-scale design test (see :func:`compare`).

    ``n0`` NaN or 0 = the baseline is a fixed value. NaN where p̂ or p0 is 0, 1 or NaN, SE ≤ 0 or df < 1.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = (p > 0) & (p < 1) & (p0 > 0) & (p0 < 1) & (se > 0) & (df >= 1)
        own = np.where(n0 > 0, 1.0 / (n0 * p0 * (1 - p0)), 0.0)
        s = np.sqrt((se / (p * (1 - p))) ** 2 + own)
        d = special.logit(p) - special.logit(p0)
        dfs = np.where(ok, df, 1.0)
        pval = 2.0 * stats.t.sf(np.abs(d) / s, dfs)
        half = stats.t.isf((1 - level) / 2, dfs) * s
        lo = special.expit(special.logit(p0) + d - half) - p0
        hi = special.expit(special.logit(p0) + d + half) - p0
    return tuple(np.where(ok, v, np.nan) for v in (pval, lo, hi))  # type: ignore[return-value]


def exact_test(x: np.ndarray, n: np.ndarray, p0: np.ndarray) -> np.ndarray:
    """Two-sided central exact binomial p (dual to Clopper–Pearson), from survival functions."""
    with np.errstate(invalid="ignore"):
        lower = stats.binom.cdf(x, n, p0)
        upper = stats.binom.sf(x - 1, n, p0)
    return np.where((n > 0) & (p0 >= 0) & (p0 <= 1), np.minimum(1.0, 2.0 * np.minimum(lower, upper)), np.nan)


def _tests(out: pd.DataFrame, p0: np.ndarray, n0: np.ndarray, shown: np.ndarray, level: float) -> None:
    n = out["n"].to_numpy(dtype=float, na_value=np.nan)
    x = out["n_flagged"].to_numpy(dtype=float, na_value=np.nan)
    p = out["pct"].to_numpy(dtype=float) / 100
    se = out["se"].to_numpy(dtype=float) / 100
    df = out["df"].to_numpy(dtype=float)
    method = out["ci_method"].astype(str).to_numpy()
    has_n = ~np.isnan(n0) & (n0 > 0)
    diff = np.where(shown, 100 * (p - p0), np.nan)
    pval = np.full(len(out), np.nan)
    lo, hi = np.full(len(out), np.nan), np.full(len(out), np.nan)
    test = np.full(len(out), "", dtype=object)
    m = shown & (method == "logit")
    pv, dl, dh = logit_test(p[m], se[m], df[m], p0[m], np.where(has_n[m], n0[m], np.nan), level)
    pval[m], lo[m], hi[m] = pv, 100 * dl, 100 * dh
    test[m] = np.where(np.isnan(pv), "", np.where(has_n[m], "design-logit-2", "design-logit"))
    m = shown & (method == "gvf-jeffreys")
    if m.any():  # the test the shown Jeffreys interval inverts (ctc.stats.gvf)
        from ..stats.gvf import jeffreys_test

        n_g = out["n_eff_gvf"].to_numpy(dtype=float)[m]
        df_g = out["df_gvf"].to_numpy(dtype=float)[m]
        pv, dl, dh = jeffreys_test(p[m], n_g, df_g, p0[m], np.where(has_n[m], n0[m], np.nan), level)
        pval[m], lo[m], hi[m] = pv, 100 * dl, 100 * dh
        test[m] = np.where(np.isnan(pv), "", np.where(has_n[m], "gvf-jeffreys-2", "gvf-jeffreys"))
    m = shown & (method == "clopper-pearson")
    pval[m] = exact_test(x[m], n[m], p0[m])
    lo[m] = out["ci_low"].to_numpy(dtype=float)[m] - 100 * p0[m]
    hi[m] = out["ci_high"].to_numpy(dtype=float)[m] - 100 * p0[m]
    test[m] = "exact"
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
