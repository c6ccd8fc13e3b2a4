"""Prevalence of every indicator per municipality × grade × gender, with pooled margins.

Unweighted data: counts and Wilson intervals. With a weight column: weighted
percentages with Taylor-linearised SEs and logit intervals (ctc.stats, checked
against R survey), one design per municipality plus one for the whole file.
"All grades"/"all genders" rows are the pooled percentages over the respondents of
those groups (not averages of the group percentages).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from ..stats import (
    Domains,
    clopper_pearson_interval,
    domain_proportions,
    school_design,
    wilson_interval,
)
from .indicators import Indicator
from .options import ProfileOptions

ALL = "all"
KEYS = ("municipality", "grade", "gender")


def indicator_matrix(scored: pd.DataFrame, inds: tuple[Indicator, ...]) -> np.ndarray:
    """rows × indicators: 1.0 flagged, 0.0 not, NaN missing."""
    out = np.empty((len(scored), len(inds)))
    for k, ind in enumerate(inds):
        col = scored[ind.column]
        out[:, k] = col.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    return out


def _levels(scored: pd.DataFrame, role: str, include: np.ndarray) -> list[str]:
    if role not in scored.columns:
        return []
    values = scored.loc[include, role].dropna()
    if role == "grade":
        return [str(g) for g in sorted(values.astype(int).unique())]
    return sorted(values.astype(str).unique())


def _factor(scored: pd.DataFrame, role: str, levels: list[str]) -> pd.Categorical:
    if role not in scored.columns or not levels:
        return pd.Categorical([ALL] * len(scored), categories=[ALL])
    raw = scored[role]
    values = raw.astype("Int64").astype("string") if role == "grade" else raw.astype("string")
    return pd.Categorical(values.to_numpy(dtype=object, na_value=None), categories=levels)


def _counts(y: np.ndarray, domains: Domains) -> tuple[np.ndarray, np.ndarray]:
    """(domains × indicators) respondents with an answer and flagged ones."""
    keep = domains.atom >= 0
    rows = np.flatnonzero(keep)
    n_atoms = domains.membership.shape[0]
    to_atom = sparse.csr_array((np.ones(rows.size), (domains.atom[rows], np.arange(rows.size))), shape=(n_atoms, rows.size))
    block = y[rows]
    valid = ~np.isnan(block)
    atom_n = to_atom @ valid.astype(np.float64)
    atom_x = to_atom @ (block == 1.0).astype(np.float64)
    member = domains.membership.T.astype(np.float64)
    return np.rint(member @ atom_n).astype(np.int64), np.rint(member @ atom_x).astype(np.int64)


def _long(labels: pd.DataFrame, inds: tuple[Indicator, ...], stats: dict[str, np.ndarray]) -> pd.DataFrame:
    n_dom, n_ind = stats["n"].shape
    out = labels.loc[np.repeat(np.arange(n_dom), n_ind)].reset_index(drop=True)
    out["indicator_type"] = np.tile([i.type for i in inds], n_dom)
    out["indicator_id"] = np.tile([i.id for i in inds], n_dom)
    for name, arr in stats.items():
        out[name] = arr.ravel()
    return out


def _unweighted(y, labels, domains, inds, level) -> pd.DataFrame:
    n, x = _counts(y, domains)
    low, high = wilson_interval(x, n, level)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 0, x / np.maximum(n, 1), np.nan)
    nan = np.full(p.shape, np.nan)
    return _long(labels, inds, {"n": n, "n_flagged": x, "pct": 100 * p, "ci_low": 100 * low, "ci_high": 100 * high,
                                "se": nan, "df": nan, "ci_method": np.full(p.shape, "wilson", dtype=object)})


def _weighted_one(sub: pd.DataFrame, y: np.ndarray, inds, grade_levels, gender_levels, options) -> pd.DataFrame:
    include = ~sub["excluded"].to_numpy(dtype=bool)
    school = sub["school"].astype("string").fillna("(none)").to_numpy(dtype=object) if "school" in sub else np.zeros(len(sub))
    muni = sub["municipality"].astype("string").to_numpy(dtype=object)
    design = school_design(sub["weight"].to_numpy(dtype=np.float64), [f"{m}\x1f{s}" for m, s in zip(muni, school)],
                           schools=options.schools)
    domains = Domains.crossed({"grade": _factor(sub, "grade", grade_levels), "gender": _factor(sub, "gender", gender_levels)},
                              include=include)
    est = domain_proportions(y, design, domains, level=options.level, indicators=tuple(i.id for i in inds))
    p = est.estimate
    low, high = est.ci_low.copy(), est.ci_high.copy()
    method = np.full(p.shape, "logit", dtype=object)
    # p̂ = 0 or 1: the design SE is 0 and the logit interval undefined; fall back to an
    # exact (Clopper–Pearson) interval on the unweighted counts (docs/statistics.md)
    fallback = np.isnan(low) & (est.n > 0)
    cp_low, cp_high = clopper_pearson_interval(est.n_flagged, est.n, options.level)
    low[fallback], high[fallback] = cp_low[fallback], cp_high[fallback]
    method[fallback] = "clopper-pearson"
    df = np.broadcast_to(est.df[:, None], p.shape).astype(np.float64)
    return _long(est.domains, inds, {"n": est.n, "n_flagged": est.n_flagged, "pct": 100 * p, "ci_low": 100 * low,
                                     "ci_high": 100 * high, "se": 100 * est.se, "df": df, "ci_method": method})


def estimate(scored: pd.DataFrame, inds: tuple[Indicator, ...], options: ProfileOptions) -> pd.DataFrame:
    """Long table: municipality, grade, gender, indicator_type, indicator_id, n, n_flagged,
    pct, ci_low, ci_high, se, df, ci_method (percentages 0–100)."""
    include = ~scored["excluded"].to_numpy(dtype=bool)
    y = indicator_matrix(scored, inds)
    grade_levels = _levels(scored, "grade", include)
    gender_levels = _levels(scored, "gender", include)
    muni_levels = _levels(scored, "municipality", include)
    weighted = "weight" in scored.columns and scored["weight"].notna().any()
    if not weighted:
        domains = Domains.crossed({"municipality": _factor(scored, "municipality", muni_levels),
                                   "grade": _factor(scored, "grade", grade_levels),
                                   "gender": _factor(scored, "gender", gender_levels)}, include=include)
        table = _unweighted(y, domains.labels, domains, inds, options.level)
    else:
        parts = []
        muni = scored["municipality"].astype("string")
        for name in muni_levels:
            rows = (muni == name).fillna(False).to_numpy()
            part = _weighted_one(scored.loc[rows], y[rows], inds, grade_levels, gender_levels, options)
            parts.append(part.assign(municipality=name))
        whole = _weighted_one(scored, y, inds, grade_levels, gender_levels, options)
        parts.append(whole.assign(municipality=ALL))
        table = pd.concat(parts, ignore_index=True)
    table["weighted"] = weighted
    return _order(table, muni_levels, grade_levels, gender_levels)


def _order(table: pd.DataFrame, munis: list[str], grades: list[str], genders: list[str]) -> pd.DataFrame:
    for key, levels in zip(KEYS, (munis, grades, genders)):
        table[key] = pd.Categorical(table[key].astype(str), categories=[*levels, ALL] if levels else [ALL], ordered=True)
    cols = [*KEYS, "indicator_type", "indicator_id", "n", "n_flagged", "pct", "ci_low", "ci_high", "se", "df", "ci_method", "weighted"]
    return table[cols].sort_values(list(KEYS), kind="stable").reset_index(drop=True)
