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
    sum_sq = to_stratum @ psu_totals**2
    sums = to_stratum @ psu_totals
    n_h = np.maximum(design.n_psu, 1)[:, None]
    per_stratum = design.scale[:, None] * (sum_sq - design.centre[:, None] * sums**2 / n_h)
    total = per_stratum.sum(axis=0)
    if design.averaged is not None:
        here = np.ones_like(per_stratum, dtype=bool) if present is None else present
        n_present = here.sum(axis=0)
        n_ok = n_present - (here & design.averaged[:, None]).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            total = np.where(n_ok > 0, total * n_present / np.maximum(n_ok, 1), np.nan)
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
    values = np.asarray(values, dtype=np.float64)
    n, k = values.shape
    n_dom = est.estimate.shape[0]
    inside = np.zeros((n, n_dom), dtype=bool)
    rows = domains.atom >= 0
    inside[rows] = domains.membership[domains.atom[rows]]
    answered = ~np.isnan(values)
    y0 = np.nan_to_num(values)
    w = design.weights
    var = np.empty((n_dom, k))
    cols = max(1, _BLOCK // max(n * n_dom, 1))
    for start in range(0, k, cols):
        ks = range(start, min(k, start + cols))
        # scores of every (domain, indicator) in this block, domain-major
        p = np.nan_to_num(est.estimate[:, ks])  # (domains × kb)
        wsum = np.where(est.weight_sum[:, ks] > 0, est.weight_sum[:, ks], 1.0)
        mask = inside[:, :, None] & answered[:, None, ks]  # n × domains × kb
        x = np.where(mask, w[:, None, None] * (y0[:, None, ks] - p[None]) / wsum[None], 0.0)
        x = x.reshape(n, -1)
        present = None
        if design.averaged is not None:
            present = (_one_hot(design.stratum) @ mask.reshape(n, -1).astype(np.float64)) > 0
        var[:, ks] = score_variance(calibrated_scores(x, calibration), design, present).reshape(n_dom, len(ks))
    var = np.where(est.n > 0, np.where(np.isin(est.ci_status, (2,)), 0.0, var), np.nan)
    se = np.sqrt(var)
    low, high = logit_interval(est.estimate, se, est.df[:, None], est.level)
    return replace(est, se=se, ci_low=low, ci_high=high)
