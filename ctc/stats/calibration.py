"""Calibration-aware variances: the influence values of an estimate, residualised on the
calibration model, as R ``survey``'s ``svyrecvar`` does for a post-stratified, raked or
calibrated design.

For an estimate with influence (score) values x (n × k; for a domain mean
x_i = w_i (y_i - p̂)/Σw inside the domain, 0 outside it) the calibrated design's
variance is the ordinary design variance of residuals e:

* ``poststratify`` (R ``postStratify``, survey ≥ 4.1): e = x - w · mean_c(x/w), the mean
  of x/w over every respondent of the post-stratum c weighted by the design weights w0;
* ``rake`` (R ``rake``): e = x - w · mean_c(x/w) with the *unweighted* mean, applied to
  each margin in turn, ten sweeps (R's fixed number of backfitting iterations);
* ``calibrate`` (R ``calibrate``, e.g. ``calfun="raking"``): e = w · (x/w - Xb), b the
  regression of x/w on the margin dummies X with the design weights w0 as weights
  (R ``qr.resid(qr(X·√w0), x/(g√w0))·g√w0``).

:func:`calibrated_scores` does the residualising; :func:`score_variance` is the Taylor
variance of given scores under a :class:`~ctc.stats.design.SurveyDesign`;
:func:`calibrated_domain_estimates` replaces the SEs (and intervals) of
:func:`~ctc.stats.weighted.domain_proportions` by the calibrated ones.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import linalg, sparse

from .design import SurveyDesign
from .domains import Domains
from .weighted import DomainEstimates, logit_interval

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
CalibrationMethod = Literal["poststratify", "rake", "calibrate"]

__all__ = ["Calibration", "calibrated_domain_estimates", "calibrated_scores", "score_variance"]

#: R ``svyrecvar`` backfits raking margins a fixed ten times
RAKE_SWEEPS = 10
#: elements per block of domain × indicator scores (rows × columns)
_BLOCK = 1 << 22


@dataclass(frozen=True, eq=False)
class Calibration:
    """The calibration model of a weighted survey, per respondent.

    Attributes:
        method: ``poststratify``, ``rake`` or ``calibrate`` (see the module docstring).
        margins: per margin, the level code (0..L-1) of every respondent; one margin
            (the cells) for post-stratification.
        weights: the calibrated weights w.
        design_weights: the weights before calibration w0 (used by ``poststratify`` and ``calibrate``).
    """

    method: CalibrationMethod
    margins: tuple[IntArray, ...]
    weights: FloatArray
    design_weights: FloatArray

    def subset(self, rows: NDArray[np.bool_] | IntArray) -> Calibration:
        """The model restricted to some respondents (e.g. one municipality whose
        margins are nested in it); level codes are renumbered."""
        margins = tuple(np.unique(m[rows], return_inverse=True)[1].astype(np.intp) for m in self.margins)
        return Calibration(self.method, margins, self.weights[rows], self.design_weights[rows])


def _one_hot(codes: IntArray) -> sparse.csr_array:
    n_levels = int(codes.max()) + 1 if codes.size else 0
    return sparse.csr_array((np.ones(codes.size), (codes, np.arange(codes.size))), shape=(n_levels, codes.size))


def _remove_level_means(x: FloatArray, codes: IntArray, w: FloatArray, w0: FloatArray | None = None) -> FloatArray:
    """x - w · (mean of x/w within the level, weighted by w0 or unweighted), R's
    ``x - psw*rowsum(x*oldw/psw)/Σoldw`` (post-strata) or ``x - psw*ave(x/psw, margin)`` (raking)."""
    m = _one_hot(codes)
    weight = np.ones(codes.size) if w0 is None else w0
    denominator = np.bincount(codes, weights=weight, minlength=m.shape[0])
    means = (m @ (x * (weight / w)[:, None])) / np.where(denominator > 0, denominator, 1.0)[:, None]
    return x - w[:, None] * means[codes]


def calibrated_scores(x: FloatArray, calibration: Calibration) -> FloatArray:
    """Residuals of the influence values x (n × k) on the calibration model."""
    x = np.asarray(x, dtype=np.float64)
    x = x.reshape(-1, 1) if x.ndim == 1 else x
    w = calibration.weights
    if calibration.method == "poststratify":
        return _remove_level_means(x, calibration.margins[0], w, calibration.design_weights)
    if calibration.method == "rake":
        for _ in range(RAKE_SWEEPS):
            for codes in calibration.margins:
                x = _remove_level_means(x, codes, w)
        return x
    if calibration.method == "calibrate":
        return _regression_residuals(x, calibration)
    raise ValueError(f"unknown calibration method {calibration.method!r}")


def _regression_residuals(x: FloatArray, calibration: Calibration) -> FloatArray:
    """w · (x/w - X b), b the w0-weighted least-squares fit (the projection is unique even
    though the dummies of several margins are collinear). X'W0X is built from
    cross-tabulations of the margins, never as an n × levels matrix."""
    w, w0 = calibration.weights, calibration.design_weights
    margins = calibration.margins
    sizes = [int(c.max()) + 1 for c in margins]
    offsets = np.cumsum([0, *sizes[:-1]])
    p = int(sum(sizes))
    gram = np.zeros((p, p))
    for i, (oa, a, la) in enumerate(zip(offsets, margins, sizes, strict=True)):
        for ob, b, lb in list(zip(offsets, margins, sizes, strict=True))[i:]:
            block = np.bincount(a * lb + b, weights=w0, minlength=la * lb).reshape(la, lb)
            gram[oa : oa + la, ob : ob + lb] = block
            gram[ob : ob + lb, oa : oa + la] = block.T
    e = x / w[:, None]
    weighted = w0[:, None] * e
    rhs = np.vstack([_one_hot(c) @ weighted for c in margins])
    coef = linalg.lstsq(gram, rhs, lapack_driver="gelsy")[0]  # gelsy: far quicker than SVD, same projection
    fitted = sum(coef[o + c] for o, c in zip(offsets, margins, strict=True))
    return w[:, None] * (e - fitted)


def score_variance(x: FloatArray, design: SurveyDesign, present: NDArray[np.bool_] | None = None) -> FloatArray:
    """Taylor variance Σ_h scale_h [Σ_i X_hi² - centre_h (Σ_i X_hi)²/n_h] of score columns,
    X_hi the PSU totals (R ``onestage``), plus a second stage when the design has one.

    ``present`` (strata × k): the strata where each column's domain has respondents,
    for ``lonely_psu="average"`` (defaults to every stratum).
    """
    x = np.asarray(x, dtype=np.float64)
    x = x.reshape(-1, 1) if x.ndim == 1 else x
    psu_totals = _one_hot(design.psu) @ x
    to_stratum = _one_hot(design.psu_stratum)
    total = _stratified(to_stratum @ psu_totals**2, to_stratum @ psu_totals, design, present)
    if design.second_stage is not None:
        total = total + score_variance(x, design.second_stage)
    return np.maximum(total, 0.0)


def calibrated_domain_estimates(
    values: NDArray[np.floating], design: SurveyDesign, domains: Domains, est: DomainEstimates,
    calibration: Calibration,
) -> DomainEstimates:
    """``est`` (from :func:`~ctc.stats.weighted.domain_proportions` on the same values,
    design and domains) with calibration-aware SEs and logit intervals.

    R: ``svymean(~y, subset(calibrated_design, <domain>), na.rm=TRUE)``; a subset of a
    calibrated design keeps every respondent (weight 0 outside the domain), so the
    residuals are taken over all of them.
    """
    var = calibrated_domain_variance(values, design, domains, est, calibration)
    var = np.where(est.n > 0, np.where(np.isin(est.ci_status, (2,)), 0.0, var), np.nan)
    se = np.sqrt(var)
    low, high = logit_interval(est.estimate, se, est.df[:, None], est.level)
    return replace(est, se=se, ci_low=low, ci_high=high)


# --- the profile's fast path -----------------------------------------------------------------
#
# The residuals are x - w·A[c], with A constant within every *finest cell* c (the
# cross-classification of all margins), and A depends on x only through cell sums of x/w.
# The domain scores x = w·1_d·m·(y - p̂)/W are linear in per-segment sums of w·m·y, w·m, …
# over segments = (PSU, finest cell, atom), so the whole variance is computed from
# segment sums (segments × domains × indicators) and never from an n × (domains ×
# indicators) matrix. Equal to :func:`calibrated_scores` + :func:`score_variance`
# (tests/weights/test_calibration_fast.py) and to R (tests/weights/test_weights_vs_r.py).


def _codes(keys: NDArray[np.int64]) -> tuple[IntArray, IntArray]:
    uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return inverse.astype(np.intp), first.astype(np.intp)


def _finest_cells(calibration: Calibration) -> tuple[IntArray, list[IntArray]]:
    """Cell of every respondent and, per margin, the level of every cell."""
    key = np.zeros(calibration.weights.size, dtype=np.int64)
    for codes in calibration.margins:
        key = key * (int(codes.max()) + 1) + codes
    cell, first = _codes(key)
    return cell, [codes[first] for codes in calibration.margins]


def _cell_coefficients(s_post: FloatArray, s_rake: FloatArray, cell_w0: FloatArray, cell_n: FloatArray,
                       levels: list[IntArray], method: CalibrationMethod) -> FloatArray:
    """A (cells × columns): the residual of a respondent of cell c is x - w·A[c]."""
    if method == "poststratify":
        return s_post / np.where(cell_w0 > 0, cell_w0, 1.0)[:, None]
    if method == "rake":
        a = np.zeros_like(s_rake)
        s = s_rake.copy()
        for _ in range(RAKE_SWEEPS):
            for lev in levels:
                n_level = np.bincount(lev, weights=cell_n)
                sums = _one_hot(lev) @ s
                mu = sums / np.where(n_level > 0, n_level, 1.0)[:, None]
                a += mu[lev]
                s -= cell_n[:, None] * mu[lev]
        return a
    sizes = [int(lev.max()) + 1 for lev in levels]
    offsets = np.cumsum([0, *sizes[:-1]])
    gram = np.zeros((sum(sizes), sum(sizes)))
    for i, (oa, la, na) in enumerate(zip(offsets, levels, sizes, strict=True)):
        for ob, lb, nb in list(zip(offsets, levels, sizes, strict=True))[i:]:
            block = np.bincount(la * nb + lb, weights=cell_w0, minlength=na * nb).reshape(na, nb)
            gram[oa : oa + na, ob : ob + nb] = block
            gram[ob : ob + nb, oa : oa + na] = block.T
    rhs = np.vstack([_one_hot(lev) @ s_post for lev in levels])
    coef = linalg.lstsq(gram, rhs, lapack_driver="gelsy")[0]
    return sum(coef[o + lev] for o, lev in zip(offsets, levels, strict=True))  # type: ignore[return-value]


def _stratified(q: FloatArray, tot: FloatArray, design: SurveyDesign, present: NDArray[np.bool_] | None) -> FloatArray:
    """Σ_h scale_h [q_h - centre_h tot_h²/n_h] (strata × columns in, columns out)."""
    n_h = np.maximum(design.n_psu, 1)[:, None]
    per = design.scale[:, None] * (q - design.centre[:, None] * tot**2 / n_h)
    total = per.sum(axis=0)
    if design.averaged is not None:
        here = np.ones_like(per, dtype=bool) if present is None else present
        n_present = here.sum(axis=0)
        n_ok = n_present - (here & design.averaged[:, None]).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            total = np.where(n_ok > 0, total * n_present / np.maximum(n_ok, 1), np.nan)
    return total


def calibrated_domain_variance(
    values: NDArray[np.floating], design: SurveyDesign, domains: Domains, est: DomainEstimates,
    calibration: Calibration,
) -> FloatArray:
    """(domains × indicators) calibration-aware variances of the domain proportions ``est``."""
    values = np.asarray(values, dtype=np.float64)
    n, k = values.shape
    n_dom = est.estimate.shape[0]
    w, w0 = calibration.weights, calibration.design_weights
    cell, levels = _finest_cells(calibration)
    n_cells = int(cell.max()) + 1
    row_psu = design.n_psus == design.n and design.second_stage is None
    # every PSU one student (schools as strata): segments within strata suffice, else within PSUs
    unit = design.stratum if row_psu else design.psu
    seg, first = _codes((unit.astype(np.int64) * n_cells + cell) * (domains.membership.shape[0] + 1)
                        + domains.atom + 1)
    seg_psu, seg_cell, seg_atom = design.psu[first], cell[first], domains.atom[first]  # seg_psu: any PSU of it
    to_seg = _one_hot(seg)
    member = np.zeros((seg_psu.size, n_dom), dtype=bool)
    inside = seg_atom >= 0
    member[inside] = domains.membership[seg_atom[inside]]
    answered = ~np.isnan(values)
    y = np.where(answered, values, 0.0)
    m = answered.astype(np.float64)
    sums = {name: to_seg @ (wt[:, None] * arr) for name, wt, arr in (
        ("a1", w, y), ("a0", w, m), ("b1", w * w, y), ("b0", w * w, m),
        ("c1", w0, y), ("c0", w0, m), ("n1", np.ones(n), y), ("n0", np.ones(n), m))}
    seg_w = to_seg @ w
    seg_w2 = to_seg @ (w * w)
    to_cell = _one_hot(seg_cell)
    cell_w0 = np.bincount(cell, weights=w0, minlength=n_cells)
    cell_n = np.bincount(cell, minlength=n_cells).astype(np.float64)
    var = np.empty((n_dom, k))
    cols = max(1, _BLOCK // max(seg_psu.size * n_dom, 1))
    for start in range(0, k, cols):
        ks = slice(start, min(k, start + cols))
        kb = ks.stop - ks.start
        p = np.nan_to_num(est.estimate[:, ks])[None]  # 1 × domains × kb
        big_w = np.where(est.weight_sum[:, ks] > 0, est.weight_sum[:, ks], 1.0)[None]
        mem = member[:, :, None]

        def dom(name: str, ks: slice = ks) -> FloatArray:
            return sums[name][:, None, ks]

        x1 = mem * (dom("a1") - p * dom("a0")) / big_w  # Σ x per segment × domain × indicator
        s_post = (to_cell @ (mem * (dom("c1") - p * dom("c0")) / big_w).reshape(seg_psu.size, -1))
        s_rake = (to_cell @ (mem * (dom("n1") - p * dom("n0")) / big_w).reshape(seg_psu.size, -1))
        a = _cell_coefficients(s_post, s_rake, cell_w0, cell_n, levels, calibration.method)[seg_cell]
        a = a.reshape(seg_psu.size, n_dom, kb)
        t_seg = (x1 - seg_w[:, None, None] * a).reshape(seg_psu.size, -1)
        # Σ (x - w·A)² over a segment's rows, as a sum of squares (no cancellation): a row is
        # flagged (x/w = (1-p)/W), answered and not flagged (-p/W), or neither / outside (0)
        u1, u0 = (1 - p) / big_w - a, -p / big_w - a
        b1, b0, w2 = dom("b1"), dom("b0"), seg_w2[:, None, None]
        sq_seg = np.where(mem, b1 * u1**2 + (b0 - b1) * u0**2 + (w2 - b0) * a * a, w2 * a * a).reshape(seg_psu.size, -1)
        present = None
        if design.averaged is not None:
            present = (_one_hot(design.psu_stratum[seg_psu]) @ (mem * dom("a0")).reshape(seg_psu.size, -1)) > 0
        seg_stratum = design.psu_stratum[seg_psu]
        to_stratum = _one_hot(seg_stratum) if seg_stratum.max() + 1 == design.n_strata else sparse.csr_array(
            (np.ones(seg_stratum.size), (seg_stratum, np.arange(seg_stratum.size))), shape=(design.n_strata, seg_stratum.size))
        tot = to_stratum @ t_seg
        if row_psu:
            q = to_stratum @ sq_seg
        else:
            psu_tot = sparse.csr_array((np.ones(seg_psu.size), (seg_psu, np.arange(seg_psu.size))),
                                       shape=(design.n_psus, seg_psu.size)) @ t_seg
            q = _one_hot(design.psu_stratum) @ psu_tot**2
        v = _stratified(q, tot, design, present)
        if design.second_stage is not None:  # strata of stage 2 = PSUs of stage 1, students its units
            stage2 = design.second_stage
            by_psu = sparse.csr_array((np.ones(seg_psu.size), (seg_psu, np.arange(seg_psu.size))),
                                      shape=(stage2.n_strata, seg_psu.size))
            v = v + _stratified(by_psu @ sq_seg, by_psu @ t_seg, stage2, None)
        var[:, ks] = np.maximum(v, 0.0).reshape(n_dom, kb)
    return var
