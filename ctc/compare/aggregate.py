"""One municipality's waves as a stacked survey design, reduced to sums per unit × cell.

Every estimate of ``ctc compare`` — per-wave prevalence, the difference of two waves and
the logistic trend over many — is a smooth function of weighted totals, so its
Taylor-linearised design variance needs only these sums (docs/compare.md, "Method"):

* cells: wave × grade × gender (a missing grade or gender is a level of its own, so
  a respondent counts in the pooled domain whatever it lacks);
* units: the design's PSUs (schools as clusters) — their totals of the linearised
  variable are needed — or, when every PSU is one respondent (schools as strata), the
  strata, with the sums of squared weights that give Σ z² directly (y is 0/1).

The stacked design is R ``survey``'s ``svydesign`` of the waves' rows together:

* ``census``: strata = wave × school, students the PSUs — independent cross-sections;
* ``clusters``: schools are the PSUs *across* waves (the same school id in two waves is
  one PSU), so the covariance between waves of a school that took part twice is used;
  declared strata stay strata.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from ..errors import UsageError
from ..profile.options import ProfileOptions
from ..stats import SurveyDesign

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
NONE = "(none)"


@dataclass(frozen=True, eq=False)
class Aggregates:
    """Sums of one municipality (arrays are units × cells × indicators)."""

    design: SurveyDesign
    row_psu: bool  # units are strata and PSUs single respondents
    unit_stratum: IntArray  # (U,) stratum code of each unit
    waves: tuple[str, ...]
    grades: tuple[str, ...]  # levels, NONE last when present
    genders: tuple[str, ...]
    cell_wave: IntArray  # (C,)
    cell_grade: IntArray
    cell_gender: IntArray
    t: FloatArray  # Σ w·y
    w: FloatArray  # Σ w·answered
    q1: FloatArray | None  # Σ w²·y (row_psu only)
    q0: FloatArray | None  # Σ w²·answered
    n: FloatArray  # answered respondents
    x: FloatArray  # flagged respondents

    def cells(self, grade: str | None = None, gender: str | None = None, waves: tuple[int, ...] | None = None) -> NDArray[np.bool_]:
        """Cells of a domain (None = pooled over that role), optionally of some waves only."""
        mask = np.ones(self.cell_wave.size, dtype=bool)
        if grade is not None:
            mask &= self.cell_grade == self.grades.index(grade)
        if gender is not None:
            mask &= self.cell_gender == self.genders.index(gender)
        if waves is not None:
            mask &= np.isin(self.cell_wave, waves)
        return mask


def stacked_design(frame: pd.DataFrame, options: ProfileOptions, weighted: bool) -> SurveyDesign:
    """The declared design over the rows of all waves of one municipality (see module docstring)."""
    weights = frame["weight"].to_numpy(dtype=np.float64, na_value=np.nan) if weighted else np.ones(len(frame))
    wave = frame["wave"].astype("string").to_numpy(dtype=object)
    school = (frame["school"].astype("string").fillna(NONE).to_numpy(dtype=object) if "school" in frame
              else np.full(len(frame), NONE, dtype=object))
    cols = options.design_columns()
    if options.design == "census":
        key = np.array([f"{w}\x1f{s}" for w, s in zip(wave, school)], dtype=object)
        enrolled = frame[cols["enrolled"]].to_numpy(dtype=np.float64) if cols["enrolled"] else None
        return SurveyDesign.build(weights, strata=key, psu=None, fpc=enrolled, lonely_psu=options.lonely_psu)
    if cols["enrolled"]:
        raise UsageError("a two-stage design (an enrolment fpc under --design clusters) is not supported by ctc compare",
                         "leave out the enrolment column, or use --design census")
    strata = frame[cols["strata"]].astype("string").fillna(NONE).to_numpy(dtype=object) if cols["strata"] else None
    fpc = frame[cols["schools_population"]].to_numpy(dtype=np.float64) if cols["schools_population"] else None
    return SurveyDesign.build(weights, strata=strata, psu=school, fpc=fpc, lonely_psu=options.lonely_psu)


def _codes(values: pd.Series, levels: list[str]) -> IntArray:
    """Level codes; a value outside the levels (or missing) is NONE when that is a level, else -1."""
    codes = pd.Categorical(values.astype("string").to_numpy(dtype=object, na_value=None), categories=levels).codes
    codes = codes.astype(np.intp)
    return np.where(codes < 0, levels.index(NONE), codes) if NONE in levels else codes


def _role_levels(frame: pd.DataFrame, role: str, include: NDArray[np.bool_], levels: list[str] | None) -> list[str]:
    if role not in frame:
        return [NONE] if levels is None else [*levels, NONE]
    if levels is None:
        values = frame.loc[include, role].dropna()
        levels = ([str(g) for g in sorted(values.astype(int).unique())] if role == "grade"
                  else sorted(values.astype(str).unique()))
        text = _text(frame[role], role)[include]
        return list(levels) + ([NONE] if (~text.isin(levels) | text.isna()).any() else [])
    return [*levels, NONE]  # given levels: always the same cells, so municipalities can be combined


def _text(series: pd.Series, role: str) -> pd.Series:
    return series.astype("Int64").astype("string") if role == "grade" else series.astype("string")


def aggregate(frame: pd.DataFrame, y: FloatArray, waves: tuple[str, ...], options: ProfileOptions, *,
              weighted: bool, grades: list[str] | None = None, genders: list[str] | None = None) -> Aggregates:
    """Reduce one municipality's rows (all waves in ``waves``) and indicator matrix ``y`` (rows × K)."""
    design = stacked_design(frame, options, weighted)
    include = ~frame["excluded"].to_numpy(dtype=bool)
    grade_levels = _role_levels(frame, "grade", include, grades)
    gender_levels = _role_levels(frame, "gender", include, genders)
    wave_code = _codes(frame["wave"], list(waves))
    grade_code = _codes(_text(frame["grade"], "grade") if "grade" in frame else pd.Series([pd.NA] * len(frame)), grade_levels)
    gender_code = _codes(_text(frame["gender"], "gender") if "gender" in frame else pd.Series([pd.NA] * len(frame)), gender_levels)
    n_g, n_s = len(grade_levels), len(gender_levels)
    n_cells = len(waves) * n_g * n_s
    cell = (wave_code * n_g + grade_code) * n_s + gender_code
    row_psu = design.n_psus == design.n
    unit = design.stratum if row_psu else design.psu
    n_units = design.n_strata if row_psu else design.n_psus
    keep = np.flatnonzero(include & (wave_code >= 0))
    group = unit[keep].astype(np.int64) * n_cells + cell[keep]
    gather = sparse.csr_array((np.ones(keep.size), (group, np.arange(keep.size))), shape=(n_units * n_cells, keep.size))
    yk = y[keep]
    answered = ~np.isnan(yk)
    flagged = np.where(answered, yk, 0.0)
    wt = design.weights[keep][:, None]
    shape = (n_units, n_cells, y.shape[1])

    def total(values: FloatArray) -> FloatArray:
        return np.asarray(gather @ values).reshape(shape)

    q1 = total(flagged * wt**2) if row_psu else None
    q0 = total(answered * wt**2) if row_psu else None
    cw, rest = np.divmod(np.arange(n_cells), n_g * n_s)
    cg, cs = np.divmod(rest, n_s)
    unit_stratum = np.arange(n_units) if row_psu else design.psu_stratum
    return Aggregates(design, row_psu, unit_stratum.astype(np.intp), tuple(waves), tuple(grade_levels), tuple(gender_levels),
                      cw, cg, cs, total(flagged * wt), total(answered * wt), q1, q0, total(answered.astype(float)),
                      total(flagged))


def stratum_sum(agg: Aggregates, values: FloatArray) -> FloatArray:
    """Sum unit-level values (U × ...) into strata (H × ...)."""
    out = np.zeros((agg.design.n_strata, *values.shape[1:]))
    np.add.at(out, agg.unit_stratum, values)
    return out


def design_variance(agg: Aggregates, square: FloatArray, total: FloatArray, present: NDArray[np.bool_]) -> FloatArray:
    """Σ_h scale_h [Σ_u square_u − centre_h (Σ_u total_u)² / n_h] per column.

    ``square``: Σ of the squared linearised variable within each unit (U × ...);
    ``total``: its total per unit; ``present``: (H × ...) strata where the domain has
    answering respondents (for R's lonely_psu="average" factor)."""
    d = agg.design
    ss = stratum_sum(agg, square)
    s = stratum_sum(agg, total)
    extra = (1,) * (ss.ndim - 1)
    scale = d.scale.reshape(-1, *extra)
    centre = d.centre.reshape(-1, *extra)
    n_h = np.maximum(d.n_psu, 1).reshape(-1, *extra)
    var = (scale * (ss - centre * s**2 / n_h)).sum(axis=0)
    if d.averaged is not None:
        n_present = present.sum(axis=0)
        n_ok = n_present - (present & d.averaged.reshape(-1, *extra)).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            var = np.where(n_ok > 0, var * n_present / np.maximum(n_ok, 1), np.nan)
    return np.maximum(var, 0.0)


def domain_df(agg: Aggregates, cells: NDArray[np.bool_]) -> FloatArray:
    """PSUs − strata with answering respondents in the domain, per indicator (R ``degf`` of the subset)."""
    n_unit = agg.n[:, cells].sum(axis=1)  # U × K
    present_unit = n_unit > 0
    present_stratum = stratum_sum(agg, present_unit.astype(float)) > 0
    psus = n_unit.sum(axis=0) if agg.row_psu else present_unit.sum(axis=0)
    return (psus - present_stratum.sum(axis=0)).astype(float)


def combine(parts: list[Aggregates]) -> Aggregates:
    """The whole file from its municipalities: the whole-file design has the municipalities
    as strata (as the profile's), so its units and strata are the disjoint union of theirs
    and every per-stratum constant is the municipality's. Parts must share waves and levels."""
    first = parts[0]
    offsets = np.cumsum([0, *[p.design.n_strata for p in parts[:-1]]])
    designs = [p.design for p in parts]
    averaged = None if first.design.averaged is None else np.concatenate([d.averaged for d in designs])
    design = SurveyDesign(np.zeros(0), np.zeros(0, np.intp), np.zeros(0, np.intp),
                          np.concatenate([d.psu_stratum + o for d, o in zip(designs, offsets)]),
                          np.concatenate([d.n_psu for d in designs]), np.concatenate([d.scale for d in designs]),
                          np.concatenate([d.centre for d in designs]), first.design.lonely_psu, first.design.has_fpc,
                          None, averaged)
    cat = lambda name: None if getattr(first, name) is None else np.concatenate([getattr(p, name) for p in parts])  # noqa: E731
    return Aggregates(design, first.row_psu, np.concatenate([p.unit_stratum + o for p, o in zip(parts, offsets)]),
                      first.waves, first.grades, first.genders, first.cell_wave, first.cell_grade, first.cell_gender,
                      cat("t"), cat("w"), cat("q1"), cat("q0"), cat("n"), cat("x"))
