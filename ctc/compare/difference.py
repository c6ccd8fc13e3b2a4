"""The difference of a domain's prevalence between two waves, with its design-based SE.

With p̂_w = T_w / W_w (weighted flagged over weighted answered) the linearised
variable of D = p̂_b − p̂_a is z_i = ± w_i (y_i − p̂_w) / W_w for the domain's answering
respondents of wave w (+ for b, − for a), 0 elsewhere; Var(D) is the stacked design's
variance of Σ z (:func:`ctc.compare.aggregate.design_variance`). Under ``census`` the
strata are wave × school and the two waves are independent; under ``clusters`` a school
surveyed in both waves is one PSU and the covariance of its two totals enters. This is
R ``svyttest(y ~ wave, subset(design, domain))`` (and ``svyby`` + ``svycontrast``):
t = D / SE on degf(subset) − 1 degrees of freedom.

A pseudo-cohort (grade g in wave a against grade g + d in wave b, d the gap in years) is
the same contrast on the domain "grade g in a or grade g + d in b": R ``svyttest(y ~ wave,
subset(design, wave == a & grade == g | wave == b & grade == g + d))``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from .aggregate import Aggregates, FloatArray, design_variance, domain_df, stratum_sum


@dataclass(frozen=True)
class Change:
    """One domain, every indicator (arrays of length K); proportions 0–1."""

    p_a: FloatArray
    p_b: FloatArray
    diff: FloatArray  # p_b − p_a
    se: FloatArray
    df: FloatArray  # degf(subset) − 1, as svyttest
    t: FloatArray
    p_value: FloatArray


def _proportion(x: FloatArray, n: FloatArray, t: FloatArray, w: FloatArray) -> FloatArray:
    """T/W; exactly 0 or 1 when no one or every one is flagged (as the profile), NaN without answers."""
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(x == 0, 0.0, np.where(x == n, 1.0, t / w))
    return np.where(n > 0, p, np.nan)


def wave_totals(agg: Aggregates, cells: NDArray[np.bool_], wave: int) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Σ w·y, Σ w, answered and flagged of a domain in one wave (each K)."""
    m = cells & (agg.cell_wave == wave)
    return (agg.t[:, m].sum(axis=(0, 1)), agg.w[:, m].sum(axis=(0, 1)), agg.n[:, m].sum(axis=(0, 1)),
            agg.x[:, m].sum(axis=(0, 1)))


Cells = NDArray[np.bool_] | dict[int, NDArray[np.bool_]]


def _of_wave(cells: Cells, wave: int) -> NDArray[np.bool_]:
    return cells[wave] if isinstance(cells, dict) else cells


def linear_variance(agg: Aggregates, cells: Cells, signs: dict[int, float]) -> tuple[FloatArray, FloatArray]:
    """Estimate Σ_w sign_w · p̂_w and its design variance, for a domain given by its cells
    (one mask for every wave, or a mask per wave: a pseudo-cohort is grade g in one wave
    and grade g + d in the other)."""
    lin = np.zeros(agg.t.shape[::2])  # U × K
    square = np.zeros_like(lin)
    value = np.zeros(agg.t.shape[2])
    for wave, sign in signs.items():
        m = _of_wave(cells, wave) & (agg.cell_wave == wave)
        t_w, w_w, n_w, x_w = wave_totals(agg, _of_wave(cells, wave), wave)
        p = _proportion(x_w, n_w, t_w, w_w)
        value = value + sign * p
        with np.errstate(invalid="ignore", divide="ignore"):
            inv = np.where(w_w > 0, 1.0 / w_w, 0.0)
        pz = np.nan_to_num(p)
        lin += sign * (agg.t[:, m].sum(axis=1) - pz * agg.w[:, m].sum(axis=1)) * inv
        if agg.row_psu:  # Σ_i z_i² in the stratum, from Σw²y and Σw² (y is 0/1)
            square += ((1.0 - 2.0 * pz) * agg.q1[:, m].sum(axis=1) + pz**2 * agg.q0[:, m].sum(axis=1)) * inv**2
    if not agg.row_psu:
        square = lin**2
    answered = sum(agg.n[:, _of_wave(cells, w) & (agg.cell_wave == w)].sum(axis=1) for w in signs)
    present = stratum_sum(agg, (answered > 0).astype(float)) > 0
    return value, design_variance(agg, square, lin, present)


def difference(agg: Aggregates, cells: Cells, a: int, b: int) -> Change:
    """The change from wave ``a`` to wave ``b`` (codes into ``agg.waves``) of a domain
    (a mask per wave: the domain may differ between the waves, as a pseudo-cohort's grade)."""
    p_a = linear_variance(agg, cells, {a: 1.0})[0]
    p_b = linear_variance(agg, cells, {b: 1.0})[0]
    diff, var = linear_variance(agg, cells, {a: -1.0, b: 1.0})
    both = (_of_wave(cells, a) & (agg.cell_wave == a)) | (_of_wave(cells, b) & (agg.cell_wave == b))
    df = domain_df(agg, both) - 1.0
    se = np.sqrt(var)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(se > 0, diff / se, np.nan)
    t = np.where(np.isfinite(p_a) & np.isfinite(p_b), t, np.nan)
    p_value = np.where(np.isfinite(t) & (df > 0), 2.0 * stats.t.sf(np.abs(t), np.maximum(df, 1)), np.nan)
    return Change(p_a, p_b, diff, np.where(np.isfinite(diff), se, np.nan), df, t, p_value)


def shown(frame: pd.DataFrame, suffix: str) -> pd.Series:
    """The wave's cell is published (not hidden, somebody answered)."""
    n = pd.to_numeric(frame[f"n_{suffix}"], errors="coerce")
    return (~frame[f"suppressed_{suffix}"].fillna(True).astype(bool)) & (n > 0)


def publish_difference(out: pd.DataFrame, ends: tuple[str, str], se_column: str, design: str, level: float,
                       min_df: int) -> tuple[np.ndarray, np.ndarray]:
    """Blank what cannot be published in a table of differences (compare.csv, cohorts.csv), in place:
    the difference only where both cells are shown and the scale is comparable; its SE, interval,
    t, p and df only where it is also tested — under clusters, as in the profile, not with fewer
    than ``min_df`` design df. Returns the masks (published difference, tested)."""
    both = (shown(out, ends[0]) & shown(out, ends[1]) & out["comparable"]).to_numpy()
    tested = both & np.isfinite(out["p_value"].to_numpy(dtype=float))
    if design == "clusters":
        tested &= out["df"].to_numpy(dtype=float) >= min_df
    crit = stats.t.ppf(0.5 + level / 2, np.maximum(out["df"].to_numpy(dtype=float), 1))
    diff_pp, se_pp = 100 * out["diff"].to_numpy(dtype=float), 100 * out[se_column].to_numpy(dtype=float)
    out["diff_pp"] = np.where(both, diff_pp, np.nan)
    out["diff_se"] = np.where(tested, se_pp, np.nan)
    out["diff_ci_low"] = np.where(tested, diff_pp - crit * se_pp, np.nan)
    out["diff_ci_high"] = np.where(tested, diff_pp + crit * se_pp, np.nan)
    for col in ("t", "p_value", "df"):
        out[col] = np.where(tested, out[col].to_numpy(dtype=float), np.nan)
    return both, tested
