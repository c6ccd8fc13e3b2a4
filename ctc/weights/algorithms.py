"""Post-stratification, raking (iterative proportional fitting) and raking calibration.

Each function takes design weights ``w0`` and :class:`Margin` targets and returns a
:class:`Fit`. The numbers follow R ``survey``: :func:`poststratify` is ``postStratify``,
:func:`rake_ipf` is ``rake`` run to convergence, :func:`calibrate_raking` is
``calibrate(calfun="raking", bounds=...)`` (Newton steps on the calibration equations
with a generalised inverse, as ``grake``), and :func:`trim_and_rake` caps the weight
ratios and rakes again until both hold, as state survey systems weight (docs/weights.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import linalg

from ..errors import DataError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

__all__ = ["Fit", "Margin", "NotConverged", "calibrate_raking", "poststratify", "rake_ipf", "trim_and_rake"]


class NotConverged(DataError):
    """The weights did not meet every margin within the tolerance."""


@dataclass(frozen=True, eq=False)
class Margin:
    """One set of population totals: every respondent's level code and each level's total.

    Attributes:
        variables: the survey columns that define the levels (e.g. municipality, grade).
        labels: one tuple of values per level.
        codes: level of every respondent (0..L-1).
        totals: population total (enrolment) of every level.
    """

    variables: tuple[str, ...]
    labels: tuple[tuple[str, ...], ...]
    codes: IntArray
    totals: FloatArray

    @property
    def name(self) -> str:
        return " × ".join(self.variables)

    def sums(self, w: FloatArray) -> FloatArray:
        return np.bincount(self.codes, weights=w, minlength=self.totals.size)


@dataclass(frozen=True, eq=False)
class Fit:
    """Calibrated weights and how they were reached.

    ``log_factors``: per margin, the log of each level's cumulative adjustment, so that
    g = w/w0 = clip(exp(Σ_m log_factors[m][level]), bounds) — what the variance needs
    to recover the design weights later (``None`` after trimming, where g is per row).
    """

    weights: FloatArray
    iterations: int
    misfit: tuple[float, ...]  # largest relative |Σw - T|/T per margin
    log_factors: tuple[FloatArray, ...] | None
    bounds: tuple[float, float] | None = None
    trimmed: int = 0  # weights set to a bound by trimming
    notes: list[str] = field(default_factory=list)


def misfits(w: FloatArray, margins: tuple[Margin, ...]) -> tuple[float, ...]:
    """Largest relative difference between weighted sums and totals, per margin."""
    out = []
    for m in margins:
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.abs(m.sums(w) - m.totals) / np.maximum(m.totals, 1e-300)
        out.append(float(np.max(rel)) if rel.size else 0.0)
    return tuple(out)


def poststratify(w0: FloatArray, cells: Margin) -> Fit:
    """w = w0 · T_c / Σ_c w0 within every cell c (R ``postStratify``)."""
    sums = cells.sums(w0)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(sums > 0, cells.totals / sums, 1.0)
    w = w0 * factor[cells.codes]
    return Fit(w, 1, misfits(w, (cells,)), (np.log(factor),))


def rake_ipf(w0: FloatArray, margins: tuple[Margin, ...], *, tol: float = 1e-10, maxit: int = 1000) -> Fit:
    """Iterative proportional fitting (R ``rake``), until every margin is met to ``tol`` (relative)."""
    w = w0.copy()
    logs = [np.zeros(m.totals.size) for m in margins]
    for it in range(1, maxit + 1):
        for k, m in enumerate(margins):
            sums = m.sums(w)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(sums > 0, m.totals / sums, 1.0)
            w *= factor[m.codes]
            logs[k] += np.log(factor)
        fit = misfits(w, margins)
        if max(fit) < tol:
            return Fit(w, it, fit, tuple(logs))
        if not np.isfinite(w).all():
            break
    raise _not_converged(margins, misfits(w, margins), maxit)


def _offsets(margins: tuple[Margin, ...]) -> list[int]:
    sizes = [m.totals.size for m in margins]
    return [int(x) for x in np.cumsum([0, *sizes[:-1]])]


def _linear(eta: FloatArray, margins: tuple[Margin, ...], offsets: list[int]) -> FloatArray:
    """x'η for every respondent: the sum of its levels' coefficients (X is one-hot per margin)."""
    return sum(eta[o + m.codes] for o, m in zip(offsets, margins, strict=True))  # type: ignore[return-value]


def _cross(values: FloatArray, margins: tuple[Margin, ...], offsets: list[int], p: int) -> FloatArray:
    """X' diag(values) X from cross-tabulations of every pair of margins (no n × p matrix)."""
    out = np.zeros((p, p))
    for i, (oa, a) in enumerate(zip(offsets, margins, strict=True)):
        for ob, b in list(zip(offsets, margins, strict=True))[i:]:
            la, lb = a.totals.size, b.totals.size
            block = np.bincount(a.codes * lb + b.codes, weights=values, minlength=la * lb).reshape(la, lb)
            out[oa : oa + la, ob : ob + lb] = block
            out[ob : ob + lb, oa : oa + la] = block.T
    return out


def calibrate_raking(
    w0: FloatArray,
    margins: tuple[Margin, ...],
    *,
    bounds: tuple[float, float] | None = None,
    tol: float = 1e-10,
    maxit: int = 100,
) -> Fit:
    """Raking calibration with optional bounds on g = w/w0 (R ``calibrate(calfun="raking")``).

    Solves Σ_i w0_i g_i x_i = T with g = clip(exp(x'η), lo, hi) by Newton steps
    η += (X'diag(w0·g')X)⁺ (T - X'(w0·g)); the one-hot columns of several margins are
    collinear (every margin sums to the total), hence the generalised inverse, as R's
    ``grake`` uses ``MASS::ginv``.
    """
    lo, hi = bounds if bounds is not None else (0.0, np.inf)
    offsets = _offsets(margins)
    pop = np.concatenate([m.totals for m in margins])
    eta = _start(w0, margins, tol)
    for it in range(1, maxit + 1):
        with np.errstate(over="ignore"):  # a clipped level may run off to ±inf: only its clip counts
            raw = np.exp(_linear(eta, margins, offsets))
        g = np.clip(raw, lo, hi)
        misfit = pop - np.concatenate([m.sums(w0 * g) for m in margins])
        if np.all(np.abs(misfit) / (1.0 + np.abs(pop)) < tol):
            w = w0 * g
            logs = tuple(eta[o : o + m.totals.size] for o, m in zip(offsets, margins, strict=True))
            return Fit(w, it, misfits(w, margins), logs, bounds)
        deriv = np.where((raw > lo) & (raw < hi), raw, 0.0)
        hess = _cross(w0 * deriv, margins, offsets, pop.size)
        step = linalg.lstsq(hess, misfit, lapack_driver="gelsy")[0]
        eta = _halve_until_finite(eta, step, margins, offsets, lo, hi)
    with np.errstate(over="ignore"):
        w = w0 * np.clip(np.exp(_linear(eta, margins, offsets)), lo, hi)
    raise _not_converged(margins, misfits(w, margins), maxit, bounds)


def _start(w0: FloatArray, margins: tuple[Margin, ...], tol: float) -> FloatArray:
    """Newton starts at the raking (IPF) solution: the unbounded fixed point is the same,
    so unbounded calibration needs no Newton step and bounded calibration only a few."""
    try:
        fit = rake_ipf(w0, margins, tol=tol)
    except NotConverged:
        return np.zeros(sum(m.totals.size for m in margins))
    assert fit.log_factors is not None
    return np.concatenate(fit.log_factors)


def _halve_until_finite(eta: FloatArray, step: FloatArray, margins: tuple[Margin, ...], offsets: list[int],
                        lo: float, hi: float) -> FloatArray:
    for _ in range(60):
        new = eta + step
        with np.errstate(over="ignore"):
            if np.isfinite(np.clip(np.exp(_linear(new, margins, offsets)), lo, hi)).all():
                return new
        step = step / 2.0
    return eta


def trim_and_rake(
    w0: FloatArray, margins: tuple[Margin, ...], bounds: tuple[float, float], *, rounds: int = 50, tol: float = 1e-6
) -> Fit:
    """Rake, cap g = w/w0 at the bounds, rake again, … until the caps hold and every margin
    is met to ``tol``; the last step is a cap, so the bounds always hold and whatever
    misfit remains is reported (never hidden)."""
    lo, hi = bounds
    w = w0.copy()
    total_it = 0
    for r in range(1, rounds + 1):
        try:
            fit = rake_ipf(w, margins, tol=tol)
        except NotConverged:
            fit = None
        w = fit.weights if fit is not None else w
        total_it += fit.iterations if fit is not None else 0
        g = w / w0
        outside = (g < lo * (1 - 1e-12)) | (g > hi * (1 + 1e-12))
        w = w0 * np.clip(g, lo, hi)
        if not outside.any() and fit is not None:
            return Fit(w, total_it, misfits(w, margins), None, bounds, 0, [f"{r} trimming round(s)"])
    g = w / w0
    at_bound = int(np.count_nonzero(np.isclose(g, lo) | np.isclose(g, hi)))
    return Fit(w, total_it, misfits(w, margins), None, bounds, at_bound, [f"{rounds} trimming rounds"])


def _not_converged(margins: tuple[Margin, ...], fit: tuple[float, ...], maxit: int,
                   bounds: tuple[float, float] | None = None) -> NotConverged:
    worst = int(np.argmax(fit))
    extra = f" within the bounds {bounds[0]:g}–{bounds[1]:g}" if bounds else ""
    return NotConverged(
        f"the weights did not converge{extra} after {maxit} iterations: margin {margins[worst].name} is still "
        f"off by {100 * fit[worst]:.3g} %",
        hint="widen --bounds, use --trim (caps the weights and reports the remaining misfit), or collapse small "
        "cells in the enrolment file; check that the margins describe the same population",
    )
