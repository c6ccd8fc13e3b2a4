"""Survey designs: weights, strata, primary sampling units (PSUs) and the finite-population correction.

A :class:`SurveyDesign` holds integer codes, one per respondent, and the per-stratum
constants of the Taylor-linearisation variance (R ``survey``'s ``svydesign``)::

    V = sum_h scale_h · [ sum_i z_hi² - centre_h · (sum_i z_hi)² / n_h ]

with n_h PSUs in stratum h, f_h = (N_h - n_h)/N_h the fpc factor (1 without fpc),
scale_h = f_h · n_h/(n_h - 1) and centre_h = 1 for ordinary strata. A stratum with a
single PSU ("lonely PSU") follows R's ``options(survey.lonely.psu=...)``:

* ``"adjust"`` (default here): scale_h = f_h, centre_h = 0, i.e. the PSU total is
  centred at the grand mean (0 for a linearised mean) instead of its stratum mean —
  a conservative contribution;
* ``"certainty"``: the stratum contributes nothing (scale_h = 0), as if it were
  sampled with certainty;
* ``"average"``: the stratum contributes nothing and the sum over the other strata is
  multiplied by H / (H - L), i.e. every lonely stratum gets the average contribution of
  the others (R's ``onestage``: ``sum * nstrat / nokstrat``). As in R, H and L count
  only the strata in which the domain has answering respondents (R's subset drops the
  other rows), so the factor is per domain and indicator (``ctc.stats._taylor``). At the
  second stage of a two-stage design a school with one respondent contributes nothing
  (R returns NaN there).

A two-stage design (schools sampled, then students within schools, both with known
population sizes) adds the second stage's variance as R's ``multistage`` does:
Σ_schools (n_h/N_h) · V_within-school, with V_within-school the one-stage variance of a
design with the school as stratum, the student as PSU and the school's enrolment as fpc.
It is held in ``second_stage`` (its ``scale`` already includes n_h/N_h).

R's default ``"fail"`` (an error) is not offered: a profile must not fail because one
school returned one questionnaire. See ``docs/statistics.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from ctc.errors import DataError

IntArray = NDArray[np.intp]
FloatArray = NDArray[np.float64]
LonelyPsu = Literal["adjust", "certainty", "average"]
SchoolRole = Literal["strata", "clusters"]

__all__ = ["DesignError", "LonelyPsu", "SchoolRole", "SurveyDesign", "school_design"]

#: R survey returns a zero variance when every fpc factor is below this (``onestrat``).
_CENSUS_F = 1e-7


class DesignError(DataError):
    """The design variables (weights, strata, PSUs, population sizes) cannot be used."""


@dataclass(frozen=True, eq=False)
class SurveyDesign:
    """A one-stage stratified cluster design in integer codes (build it with :meth:`build`).

    Attributes:
        weights: sampling weight of each respondent (> 0).
        stratum: stratum code 0..H-1 of each respondent.
        psu: PSU code 0..P-1 of each respondent; PSUs are nested in strata.
        psu_stratum: stratum code of each PSU.
        n_psu: number of PSUs in each stratum (n_h).
        scale: per-stratum variance factor scale_h (see the module docstring).
        centre: per-stratum 1.0 when PSU totals are centred at the stratum mean, 0.0 when not.
        lonely_psu: how strata with one PSU are handled.
        has_fpc: whether a finite-population correction is applied.
        second_stage: the within-PSU stage of a two-stage design with fpc at both stages
            (its variance is added; df come from this first stage), or None.
    """

    weights: FloatArray
    stratum: IntArray
    psu: IntArray
    psu_stratum: IntArray
    n_psu: IntArray
    scale: FloatArray
    centre: FloatArray
    lonely_psu: LonelyPsu
    has_fpc: bool
    second_stage: SurveyDesign | None = None
    averaged: NDArray[np.bool_] | None = None  # lonely_psu="average": the lonely strata (f > 0)

    @property
    def n(self) -> int:
        """Number of respondents."""
        return int(self.weights.size)

    @property
    def n_strata(self) -> int:
        return int(self.n_psu.size)

    @property
    def n_psus(self) -> int:
        return int(self.psu_stratum.size)

    @property
    def df(self) -> int:
        """Design degrees of freedom #PSU - #strata (R ``degf`` of the whole design)."""
        return self.n_psus - self.n_strata

    @classmethod
    def build(
        cls,
        weights: ArrayLike,
        *,
        strata: ArrayLike | None = None,
        psu: ArrayLike | None = None,
        fpc: ArrayLike | None = None,
        fpc2: ArrayLike | None = None,
        lonely_psu: LonelyPsu = "adjust",
    ) -> SurveyDesign:
        """Build a design from per-respondent labels, like R ``svydesign(..., nest=TRUE)``.

        Args:
            weights: sampling weights, finite and > 0.
            strata: stratum label per respondent (any hashable values); ``None`` = one stratum.
            psu: PSU label per respondent, nested within strata (the same label in two
                strata is two PSUs); ``None`` = every respondent is its own PSU.
            fpc: *population* number of PSUs in the respondent's stratum (R's ``fpc=``
                given as population sizes), constant within a stratum; scalar allowed.
                ``None`` = no finite-population correction (the default, see docs).
            fpc2: *population* number of students of the respondent's PSU (its enrolment),
                for a two-stage design (R ``fpc=~N_schools+N_students``); needs ``psu`` and
                ``fpc``. ``None`` = one stage.
            lonely_psu: ``"adjust"``, ``"certainty"`` or ``"average"`` (see the module docstring).
        """
        w = _weights(weights)
        stratum = _codes(strata, w.size, "strata")
        psu_codes = _nested_psu(stratum, psu, w.size)
        psu_stratum = np.zeros(int(psu_codes.max()) + 1, dtype=np.intp)
        psu_stratum[psu_codes] = stratum
        n_psu = np.bincount(psu_stratum, minlength=int(stratum.max()) + 1).astype(np.intp)
        f = _fpc_factor(fpc, stratum, n_psu) if fpc is not None else np.ones(n_psu.size)
        scale, centre = _stratum_factors(n_psu, f, lonely_psu)
        averaged = (n_psu == 1) & (f > 0.0) if lonely_psu == "average" else None
        second = None
        if fpc2 is not None:
            if psu is None or fpc is None:
                raise DesignError("a second-stage population size (enrolment) needs PSUs and a first-stage "
                                  "population size", hint="Give the number of schools in the population as well.")
            second = cls.build(w, strata=psu_codes, psu=None, fpc=fpc2,
                               lonely_psu="certainty" if lonely_psu == "average" else lonely_psu)
            # R multistage: each PSU's within-PSU variance is weighted by its stratum's n_h/N_h
            sampled = (1.0 - f)[psu_stratum]  # n_h/N_h per PSU (stratum code of stage 2 = PSU code)
            object.__setattr__(second, "scale", second.scale * sampled)
        return cls(w, stratum, psu_codes, psu_stratum, n_psu, scale, centre, lonely_psu, fpc is not None, second, averaged)


def school_design(
    weights: ArrayLike,
    school: ArrayLike,
    *,
    schools: SchoolRole = "strata",
    population: ArrayLike | None = None,
    lonely_psu: LonelyPsu = "adjust",
) -> SurveyDesign:
    """The two designs a municipal profile offers.

    * ``schools="strata"``: every school of the municipality took part; the school is a
      stratum and the student the PSU (``svydesign(id=~1, strata=~school, ...)``).
      ``population`` (optional fpc) = number of enrolled students of the respondent's school.
    * ``schools="clusters"``: the schools were sampled; the school is the PSU and there are
      no strata (``svydesign(id=~school, ...)``). ``population`` (optional fpc) = number
      of schools in the population the sample was drawn from.
    """
    if schools == "strata":
        return SurveyDesign.build(weights, strata=school, psu=None, fpc=population, lonely_psu=lonely_psu)
    if schools == "clusters":
        return SurveyDesign.build(weights, strata=None, psu=school, fpc=population, lonely_psu=lonely_psu)
    raise ValueError(f"schools must be 'strata' or 'clusters', got {schools!r}")


def _weights(weights: ArrayLike) -> FloatArray:
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.size == 0:
        raise DesignError("the design has no respondents")
    bad = ~np.isfinite(w) | (w <= 0.0)
    if bad.any():
        raise DesignError(
            f"{int(bad.sum())} weight(s) are missing, zero or negative (first at row {int(np.argmax(bad))})",
            hint="Weights must be positive; leave a respondent out through its domain code instead.",
        )
    return w


def _codes(labels: ArrayLike | None, n: int, what: str) -> IntArray:
    if labels is None:
        return np.zeros(n, dtype=np.intp)
    codes = pd.factorize(pd.Series(np.asarray(labels).ravel()), sort=True)[0].astype(np.intp)
    if codes.size != n:
        raise ValueError(f"{what} has {codes.size} entries for {n} respondents")
    if (codes < 0).any():
        raise DesignError(f"{int((codes < 0).sum())} respondent(s) have no {what} label")
    return codes


def _nested_psu(stratum: IntArray, psu: ArrayLike | None, n: int) -> IntArray:
    if psu is None:
        return np.arange(n, dtype=np.intp)
    raw = _codes(psu, n, "psu")
    return pd.factorize(stratum * (int(raw.max()) + 1) + raw, sort=True)[0].astype(np.intp)


def _fpc_factor(fpc: ArrayLike, stratum: IntArray, n_psu: IntArray) -> FloatArray:
    """f_h = (N_h - n_h)/N_h from population PSU counts given per respondent (or as a scalar)."""
    pop = np.broadcast_to(np.asarray(fpc, dtype=np.float64), stratum.shape)
    if not np.isfinite(pop).all():
        raise DesignError("the population size (fpc) is missing for some respondents")
    big_n = np.full(n_psu.size, np.nan)
    big_n[stratum] = pop
    if not np.array_equal(pop, big_n[stratum]):
        raise DesignError("the population size (fpc) differs within a stratum")
    if (big_n < n_psu).any():
        raise DesignError("a stratum has more sampled PSUs than its population size (fpc)")
    f = (big_n - n_psu) / big_n
    return np.where(f < _CENSUS_F, 0.0, f)


def _stratum_factors(n_psu: IntArray, f: FloatArray, lonely_psu: LonelyPsu) -> tuple[FloatArray, FloatArray]:
    if lonely_psu not in ("adjust", "certainty", "average"):
        raise ValueError(f"lonely_psu must be 'adjust', 'certainty' or 'average', got {lonely_psu!r}")
    lonely = n_psu == 1
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(lonely, f, f * n_psu / (n_psu - 1.0))
    if lonely_psu == "certainty":
        scale = np.where(lonely, 0.0, scale)
    if lonely_psu == "average":
        # R: a census stratum (f = 0) returns 0, not NA, so it counts among the usable strata
        missing = lonely & (f > 0.0)
        if missing.all():
            raise DesignError("every stratum has a single PSU, so lonely_psu='average' has nothing to average",
                              hint="Use lonely_psu 'adjust' or 'certainty', or declare fewer strata.")
        scale = np.where(missing, 0.0, scale)  # the factor H/(H - L) is applied per domain (_taylor)
    centre = np.where(lonely & (lonely_psu == "adjust"), 0.0, 1.0)
    return scale.astype(np.float64), centre.astype(np.float64)
