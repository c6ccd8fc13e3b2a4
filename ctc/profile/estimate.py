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
from ..stats import CiStatus, Domains, clopper_pearson_interval, domain_proportions
from ..stats.weighted import coded_domain_proportions
from ..stats.gvf import Icc, anova_icc, design_effect, jeffreys
from ..stats.reduce import PartSums, combine, part_sums
from ..threads import thread_map
from .cells import ALL, Cells, Rows, prepare
from .cells import design as cell_design
from .cells import domains as cell_domains
from .design_check import check_population_sizes
from .indicators import Indicator
from .options import ProfileOptions

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


def _long(parts: list[tuple[str, pd.DataFrame, dict[str, np.ndarray]]], inds: tuple[Indicator, ...]) -> pd.DataFrame:
    """One long table from every part's domain labels and (domains × indicators) statistics,
    built once (not one frame per municipality)."""
    n_ind = len(inds)
    labels = pd.concat([lab.assign(municipality=name) for name, lab, _ in parts], ignore_index=True)
    n_dom = len(labels)
    out = labels.loc[np.repeat(np.arange(n_dom), n_ind)].reset_index(drop=True)
    out["indicator_type"] = np.tile([i.type for i in inds], n_dom)
    out["indicator_id"] = np.tile([i.id for i in inds], n_dom)
    for name in parts[0][2]:
        out[name] = np.concatenate([stats[name].ravel() for _, _, stats in parts])
    return out


def file_icc(cells: Cells, options: ProfileOptions) -> Icc | None:
    """Under clusters: every indicator's intraclass correlation pooled over all the file's
    schools (:mod:`ctc.stats.gvf`), which each municipality's interval borrows."""
    if options.design != "clusters":
        return None
    rows = cells.rows
    inc = rows.include
    return anova_icc(rows.floats()[inc], rows.school[inc], rows.muni_strata[inc])


def _gvf(rows: Rows, domains: Domains, n: np.ndarray, icc: Icc) -> tuple[np.ndarray, np.ndarray]:
    """(domains × indicators) effective n under Kish's model with the file's ICC, and its df."""
    inc = (domains.atom >= 0)
    atom = domains.atom[inc]
    w = rows.weights[inc] if not np.isnan(rows.weights).all() else np.ones(int(inc.sum()))
    n_atoms = domains.membership.shape[0]
    member = domains.membership.astype(np.float64)
    sw, sw2 = np.bincount(atom, w, n_atoms) @ member, np.bincount(atom, w * w, n_atoms) @ member
    cnt = np.bincount(atom, None, n_atoms) @ member
    with np.errstate(invalid="ignore", divide="ignore"):
        kish = np.where(sw > 0, cnt * sw2 / sw**2, np.nan)
    # schools with respondents in each domain
    school = np.unique(rows.school[inc], return_inverse=True)[1]
    present = np.zeros((int(school.max(initial=-1)) + 1, n_atoms), dtype=bool)
    present[school, atom] = True
    schools = (present.astype(np.float64) @ member > 0).sum(axis=0).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_size = n / schools[:, None]
        deff = design_effect(icc.rho[None, :], mean_size, kish[:, None])
        n_eff = np.where(deff > 0, n / deff, np.nan)
    return n_eff, np.broadcast_to(icc.df[None, :], n.shape).astype(np.float64)


def _one(rows: Rows, cells: Cells, options: ProfileOptions, whole: bool,
         icc: Icc | None = None) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """One design's rows (a municipality's, or with ``whole`` the file's) by the direct kernel."""
    design, domains = cell_design(rows, options, whole), cell_domains(rows, cells)
    names = tuple(i.id for i in cells.inds)
    if rows.codes is not None:  # the answers as prepare() codes them
        est = coded_domain_proportions(rows.codes, design, domains, level=options.level, indicators=names,
                                       by_respondent=True)
    else:
        est = domain_proportions(rows.y, design, domains, level=options.level, indicators=names)
    if options.calibration is not None:  # weighted by `ctc weights`: residuals of the calibration model
        from ..weights.model import calibrated_estimates

        frame = cells.source.iloc[rows.position]
        est = calibrated_estimates(est, rows.floats().astype(np.float64), design, domains, frame, options.calibration)
    gvf = (lambda n: _gvf(rows, domains, n, icc)) if icc is not None and not whole else None
    return _columns(est, options, gvf)


# -- the whole file's pooled rows as a reduction of per-municipality sums (ctc.stats.reduce) -------
# Under both designs every stratum of the whole-file design lies in one municipality (census:
# the (municipality, school) strata; clusters: the municipalities, schools nested in them), so
# each municipality's rows give its share of the sums and no step holds every respondent. Both
# engines compute these rows so, from the same parts in the same order (municipalities in
# order, then the rows of no listed municipality): their numbers are identical.


def reducible(cells: Cells, options: ProfileOptions) -> bool:
    """Whether the whole-file rows come from per-municipality sums: not with a declared design
    column (fpc, declared strata, two stages) or a calibration model (the direct kernel then)."""
    return _reducible_design(options) and cells.rows.codes is not None


def _reducible_design(options: ProfileOptions) -> bool:
    return options.calibration is None and not any(options.design_columns().values())


def whole_part(rows: Rows, cells: Cells, options: ProfileOptions, codes: np.ndarray | None = None) -> PartSums:
    """One municipality's (or the unlisted rows') share of the whole-file design's sums.
    ``codes``: the answers indicators × rows (the Dask engine's arrays), else ``rows.codes``."""
    assert _reducible_design(options), "not a reducible design"
    stratum, psu = (rows.school, None) if options.design == "census" else (rows.muni_strata, rows.school)
    return part_sums(rows.codes if codes is None else codes, rows.weights if cells.weighted else None, stratum, psu,
                     cell_domains(rows, cells), options.lonely_psu, by_respondent=codes is None)


def whole_rows(parts: list[PartSums], inds: tuple[Indicator, ...],
               options: ProfileOptions) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The whole file's pooled rows (the columns of ``_one(..., whole=True)``) from the parts' sums."""
    return _columns(combine(parts, tuple(i.id for i in inds), options.lonely_psu, options.level), options)


def whole_file(cells: Cells, options: ProfileOptions) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The whole file's pooled rows in this process: the reduction where it applies, else the
    direct kernel on every row."""
    if not reducible(cells, options):
        return _one(cells.rows, cells, options, whole=True)
    rest = cells.rest()
    parts = [whole_part(cells.municipality(m), cells, options) for m in cells.munis]
    return whole_rows(parts + ([whole_part(rest, cells, options)] if rest is not None else []), cells.inds, options)


def _columns(est, options: ProfileOptions, gvf=None) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The profile's columns of a domain estimate; ``gvf``: the municipality's effective n and df
    under the file's ICC (a function of the (domains × indicators) n), None for the whole file."""
    p = est.estimate
    low, high = est.ci_low.copy(), est.ci_high.copy()
    method = np.full(p.shape, "logit", dtype=object)
    df = np.broadcast_to(est.df[:, None], p.shape).astype(np.float64)
    # p̂ = 0 or 1: the design SE is 0 and the logit interval undefined; fall back to an
    # exact (Clopper–Pearson) interval on the unweighted counts (docs/statistics.md)
    fallback = np.isnan(low) & (est.n > 0) & (est.ci_status == CiStatus.BOUNDARY)
    # only where it is used: the beta quantiles of every cell were a fifth of the estimate's time
    low[fallback], high[fallback] = clopper_pearson_interval(est.n_flagged[fallback], est.n[fallback], options.level)
    method[fallback] = "clopper-pearson"
    method[(est.ci_status == CiStatus.NO_DF) & ~fallback] = "no-df"  # e.g. a domain inside one school
    if options.design == "clusters":
        # with fewer than MIN_CLUSTER_DF + 1 schools the interval for the community cannot be trusted
        # (coverage study, bench/bench_coverage.py): no interval, no test; the report says why
        few = (df < MIN_CLUSTER_DF) & (est.n > 0)
        low[few], high[few] = np.nan, np.nan
        method[few] = "too-few-schools"
    # the design's own interval (R svyciprop(method = "logit"); Clopper–Pearson at p̂ = 0 or 1), kept beside the shown one
    design_ci_low, design_ci_high = low.copy(), high.copy()
    n_gvf, df_gvf = np.full(p.shape, np.nan), np.full(p.shape, np.nan)
    if gvf is not None:
        # a municipality's 5–20 schools carry too little information about their own design
        # effect for a rare outcome: the shown interval takes the file's ICC (ctc.stats.gvf)
        n_gvf, df_gvf = gvf(est.n.astype(np.float64))
        # p̂ = 0 or 1 too: Clopper–Pearson on the raw counts would ignore the clustering
        use = np.isin(method, ("logit", "clopper-pearson")) & np.isfinite(n_gvf) & (df_gvf >= 1)
        g_low, g_high = jeffreys(p, n_gvf, df_gvf, options.level)
        low[use], high[use] = g_low[use], g_high[use]
        method[use] = "gvf-jeffreys"
        n_gvf[~use], df_gvf[~use] = np.nan, np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        # design effect against simple random sampling of the same n (R svymean(deff="replace"))
        srs = p * (1 - p) / (est.n - 1)
        deff = np.where((srs > 0) & np.isfinite(est.se), est.se**2 / srs, np.nan)
        n_eff = np.where(deff > 0, est.n / deff, np.nan)
    return est.domains, {"n": est.n, "n_flagged": est.n_flagged, "pct": 100 * p, "ci_low": 100 * low,
                         "ci_high": 100 * high, "se": 100 * est.se, "df": df, "deff": deff, "n_eff": n_eff,
                         "ci_method": method, "design_ci_low": 100 * design_ci_low, "design_ci_high": 100 * design_ci_high,
                         "n_eff_gvf": n_gvf, "df_gvf": df_gvf}


def check_design(scored: pd.DataFrame, options: ProfileOptions, has_school: bool | None = None) -> None:
    """An option that cannot apply to these data is an error, never ignored. ``has_school``:
    whether the rows name a school, when ``scored`` holds only the columns (the Dask engine)."""
    cols = options.design_columns()
    if has_school is None:
        has_school = "school" in scored.columns and bool(scored["school"].notna().any())
    else:
        has_school = has_school and "school" in scored.columns
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
    return estimate_cells(prepare(scored, inds, options), options)


def estimate_cells(cells: Cells, options: ProfileOptions) -> pd.DataFrame:
    """:func:`estimate` on the prepared arrays (:func:`ctc.profile.cells.prepare`), which the
    bootstrap of the priorities reuses: the respondent table is split once."""
    icc = file_icc(cells, options)
    reduce = reducible(cells, options)

    def one(name: str | None) -> tuple[tuple[pd.DataFrame, dict[str, np.ndarray]] | None, PartSums | None]:
        if name is None:  # the rows of no listed municipality's share, or the whole file by the direct kernel
            if not reduce:
                return _one(cells.rows, cells, options, whole=True), None
            rest = cells.rest()
            return None, (None if rest is None else whole_part(rest, cells, options))
        rows = cells.municipality(name)
        return _one(rows, cells, options, whole=False, icc=icc), whole_part(rows, cells, options) if reduce else None

    if cells.munis:
        # the municipalities (and the whole file or its rest first) on the run's workers' threads
        found = thread_map(one, [None, *cells.munis], options.workers)
        whole = found[0][0]
        if reduce:  # the municipalities' shares in order, then the rest's
            sums = [part for _, part in found[1:]] + ([found[0][1]] if found[0][1] is not None else [])
            whole = whole_rows(sums, cells.inds, options)
        parts = [(name, *part) for name, (part, _) in zip(cells.munis, found[1:])] + [(ALL, *whole)]
        table = _long(parts, cells.inds)
    else:
        table = _empty(cells.inds)
    table["weighted"] = cells.weighted
    return _order(table, cells.munis, cells.grades, cells.genders)


def _empty(inds) -> pd.DataFrame:
    cols = [*KEYS, "indicator_type", "indicator_id", "n", "n_flagged", "pct", "ci_low", "ci_high", "se", "df", "deff",
            "n_eff", "ci_method", "design_ci_low", "design_ci_high", "n_eff_gvf", "df_gvf"]
    return pd.DataFrame({c: [] for c in cols})


def _order(table: pd.DataFrame, munis: list[str], grades: list[str], genders: list[str]) -> pd.DataFrame:
    for key, levels in zip(KEYS, (munis, grades, genders)):
        table[key] = pd.Categorical(table[key].astype(str), categories=[*levels, ALL] if levels else [ALL], ordered=True)
    cols = [*KEYS, "indicator_type", "indicator_id", "n", "n_flagged", "pct", "ci_low", "ci_high", "se", "df", "deff", "n_eff", "ci_method",
            "design_ci_low", "design_ci_high", "n_eff_gvf", "df_gvf", "weighted"]
    return table[cols].sort_values(list(KEYS), kind="stable").reset_index(drop=True)
