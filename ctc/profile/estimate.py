"""Prevalence of every indicator per municipality × grade × gender, with pooled margins.

One design model on every path (docs/statistics.md): weighted percentages (weight 1
for everybody when the file has no weights) with Taylor-linearised SEs and logit
intervals (ctc.stats, checked against R survey), one design per municipality plus one
for the whole file. ``census``: schools are strata, students the units; ``clusters``:
schools are the sampled PSUs.
"All grades"/"all genders" rows are the pooled percentages over the respondents of
those groups (not averages of the group percentages).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..stats import (
    CiStatus,
    Domains,
    SurveyDesign,
    clopper_pearson_interval,
    domain_proportions,
)
from .design_check import check_population_sizes
from .indicators import Indicator
from .options import ProfileOptions

ALL = "all"
#: under clusters, domains with fewer degrees of freedom (schools - strata) get no interval
MIN_CLUSTER_DF = 4
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


def _long(labels: pd.DataFrame, inds: tuple[Indicator, ...], stats: dict[str, np.ndarray]) -> pd.DataFrame:
    n_dom, n_ind = stats["n"].shape
    out = labels.loc[np.repeat(np.arange(n_dom), n_ind)].reset_index(drop=True)
    out["indicator_type"] = np.tile([i.type for i in inds], n_dom)
    out["indicator_id"] = np.tile([i.id for i in inds], n_dom)
    for name, arr in stats.items():
        out[name] = arr.ravel()
    return out


def _design(sub: pd.DataFrame, options: ProfileOptions, whole: bool) -> SurveyDesign:
    """The declared design of one municipality (or of the whole file, municipalities as strata)."""
    weights = sub["weight"].to_numpy(dtype=np.float64, na_value=np.nan) if _has_weights(sub) else np.ones(len(sub))
    muni = sub["municipality"].astype("string").fillna("(none)").to_numpy(dtype=object)
    has_school = "school" in sub.columns
    school = sub["school"].astype("string").fillna("(none)").to_numpy(dtype=object) if has_school else np.zeros(len(sub))
    school_key = np.array([f"{m}\x1f{s}" for m, s in zip(muni, school)], dtype=object)
    cols = options.design_columns()
    if options.design == "census":
        # every school took part: schools are strata, students the units (R id=~1, strata=~school)
        enrolled = sub[cols["enrolled"]].to_numpy(dtype=np.float64) if cols["enrolled"] else None
        return SurveyDesign.build(weights, strata=school_key, psu=None, fpc=enrolled, lonely_psu=options.lonely_psu)
    # clusters: schools are the PSUs, within the declared strata (and within municipalities for the file)
    strata = sub[cols["strata"]].astype("string").fillna("(none)").to_numpy(dtype=object) if cols["strata"] else None
    if whole:
        strata = muni if strata is None else np.array([f"{m}\x1f{s}" for m, s in zip(muni, strata)], dtype=object)
    fpc = sub[cols["schools_population"]].to_numpy(dtype=np.float64) if cols["schools_population"] else None
    fpc2 = sub[cols["enrolled"]].to_numpy(dtype=np.float64) if cols["enrolled"] else None
    return SurveyDesign.build(weights, strata=strata, psu=school_key, fpc=fpc, fpc2=fpc2, lonely_psu=options.lonely_psu)


def _has_weights(frame: pd.DataFrame) -> bool:
    return "weight" in frame.columns and bool(frame["weight"].notna().any())


def _one(sub: pd.DataFrame, y: np.ndarray, inds, domains: Domains, options: ProfileOptions, whole: bool) -> pd.DataFrame:
    design = _design(sub, options, whole)
    est = domain_proportions(y, design, domains, level=options.level, indicators=tuple(i.id for i in inds))
    if options.calibration is not None:  # weighted by `ctc weights`: residuals of the calibration model
        from ..weights.model import calibrated_estimates

        est = calibrated_estimates(est, y, design, domains, sub, options.calibration)
    p = est.estimate
    low, high = est.ci_low.copy(), est.ci_high.copy()
    method = np.full(p.shape, "logit", dtype=object)
    df = np.broadcast_to(est.df[:, None], p.shape).astype(np.float64)
    # p̂ = 0 or 1: the design SE is 0 and the logit interval undefined; fall back to an
    # exact (Clopper–Pearson) interval on the unweighted counts (docs/statistics.md)
    fallback = np.isnan(low) & (est.n > 0) & (est.ci_status == CiStatus.BOUNDARY)
    cp_low, cp_high = clopper_pearson_interval(est.n_flagged, est.n, options.level)
    low[fallback], high[fallback] = cp_low[fallback], cp_high[fallback]
    method[fallback] = "clopper-pearson"
    method[(est.ci_status == CiStatus.NO_DF) & ~fallback] = "no-df"  # e.g. a domain inside one school
    if options.design == "clusters":
        # with fewer than MIN_CLUSTER_DF + 1 schools the interval for the community cannot be trusted
        # (coverage study, bench/bench_coverage.py): no interval, no test; the report says why
        few = (df < MIN_CLUSTER_DF) & (est.n > 0)
        low[few], high[few] = np.nan, np.nan
        method[few] = "too-few-schools"
    with np.errstate(invalid="ignore", divide="ignore"):
        # design effect against simple random sampling of the same n (R svymean(deff="replace"))
        srs = p * (1 - p) / (est.n - 1)
        deff = np.where((srs > 0) & np.isfinite(est.se), est.se**2 / srs, np.nan)
        n_eff = np.where(deff > 0, est.n / deff, np.nan)
    return _long(est.domains, inds, {"n": est.n, "n_flagged": est.n_flagged, "pct": 100 * p, "ci_low": 100 * low,
                                     "ci_high": 100 * high, "se": 100 * est.se, "df": df, "deff": deff, "n_eff": n_eff,
                                     "ci_method": method})


def check_design(scored: pd.DataFrame, options: ProfileOptions) -> None:
    """An option that cannot apply to these data is an error, never ignored."""
    cols = options.design_columns()
    has_school = "school" in scored.columns and bool(scored["school"].notna().any())
    if options.design == "clusters" and not has_school:
        raise UsageError("--design clusters needs a school column: the schools are the sampled clusters",
                         "Map a school column (see --mapping), or use --design census.")
    if cols["enrolled"] and not has_school:
        raise UsageError("an enrolment fpc needs a school column", "Map a school column, or leave out the enrolment.")
    for role, column in cols.items():
        if column and column not in scored.columns:
            raise UsageError(f"the design column {column!r} ({role}) is not in the data",
                             f"Columns available: {', '.join(map(str, scored.columns[:20]))}")
    if cols["enrolled"] and options.design == "clusters" and not cols["schools_population"]:
        raise UsageError("an enrolment fpc under --design clusters needs the number of schools in the population too",
                         "Give both stages' population sizes, or neither.")
    if options.design == "census" and (cols["strata"] or cols["schools_population"]):
        raise UsageError("strata and a schools-in-population fpc apply to --design clusters only: under census "
                         "every school is its own stratum",
                         "Use --design clusters, or leave these out (the mapping roles @stratum, @schools_population).")
    check_population_sizes(scored, options)


def estimate(scored: pd.DataFrame, inds: tuple[Indicator, ...], options: ProfileOptions) -> pd.DataFrame:
    """Long table: municipality, grade, gender, indicator_type, indicator_id, n, n_flagged,
    pct, ci_low, ci_high, se, df, deff, n_eff, ci_method, weighted (percentages 0–100).

    Every cell goes through the declared design (``options.design``); without a weight
    column every respondent has weight 1.
    """
    check_design(scored, options)
    include = ~scored["excluded"].to_numpy(dtype=bool)
    y = indicator_matrix(scored, inds)
    grade_levels = _levels(scored, "grade", include)
    gender_levels = _levels(scored, "gender", include)
    muni_levels = _levels(scored, "municipality", include)
    weighted = _has_weights(scored)
    parts = []
    muni = scored["municipality"].astype("string")
    for name in muni_levels:
        rows = (muni == name).fillna(False).to_numpy()
        parts.append(_one(scored.loc[rows], y[rows], inds, _domains(scored.loc[rows], grade_levels, gender_levels),
                          options, whole=False).assign(municipality=name))
    if muni_levels:
        parts.append(_one(scored, y, inds, _domains(scored, grade_levels, gender_levels), options, whole=True)
                     .assign(municipality=ALL))
        table = pd.concat(parts, ignore_index=True)
    else:
        table = _empty(inds)
    table["weighted"] = weighted
    return _order(table, muni_levels, grade_levels, gender_levels)


def _domains(sub: pd.DataFrame, grade_levels: list[str], gender_levels: list[str]) -> Domains:
    """Grade × gender cells and their pooled margins; a role the data lack (no gender
    column) is only "all" — crossing it would give every domain twice."""
    include = ~sub["excluded"].to_numpy(dtype=bool)
    levels = {"grade": grade_levels, "gender": gender_levels}
    factors = {role: _factor(sub, role, lv) for role, lv in levels.items() if lv}
    if not factors:
        factors = {"grade": _factor(sub, "grade", [])}
    domains = Domains.crossed(factors, include=include)
    missing = {role: ALL for role in levels if role not in domains.labels}
    return Domains(domains.atom, domains.membership, domains.labels.assign(**missing)) if missing else domains


def _empty(inds) -> pd.DataFrame:
    cols = [*KEYS, "indicator_type", "indicator_id", "n", "n_flagged", "pct", "ci_low", "ci_high", "se", "df", "deff",
            "n_eff", "ci_method"]
    return pd.DataFrame({c: [] for c in cols})


def _order(table: pd.DataFrame, munis: list[str], grades: list[str], genders: list[str]) -> pd.DataFrame:
    for key, levels in zip(KEYS, (munis, grades, genders)):
        table[key] = pd.Categorical(table[key].astype(str), categories=[*levels, ALL] if levels else [ALL], ordered=True)
    cols = [*KEYS, "indicator_type", "indicator_id", "n", "n_flagged", "pct", "ci_low", "ci_high", "se", "df", "deff", "n_eff", "ci_method", "weighted"]
    return table[cols].sort_values(list(KEYS), kind="stable").reset_index(drop=True)
