"""Design-based logistic trend over three or more waves (CDC YRBS's method).

Per domain and indicator: ``svyglm(y ~ L + Q + grade + gender, family = quasibinomial)``
with L and Q the linear and quadratic orthogonal polynomials of the waves (R
``contr.poly(k, scores = wave years)[, 1:2]``), adjusted for whichever of grade and
gender the domain does not fix (a missing grade or gender is a level of its own).
The model has only categorical covariates, so it is fitted on the cell totals
(wave × grade × gender): the estimating equations Σ x_c (T_c − μ_c W_c) = 0 are those
of the weighted respondent-level fit. The SE is R's sandwich A⁻¹ B A⁻¹ with B the
stacked design's variance of the score totals; tests are t on degf(subset) + 1 − rank
degrees of freedom, as ``summary(svyglm)``.

Label (α = the run's alpha, on the raw p-values as CDC reports them): a significant
linear term → "increasing"/"decreasing"; otherwise a significant quadratic term →
"changed direction"; otherwise "stable".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats
from scipy.special import expit

from .aggregate import Aggregates, FloatArray, domain_df, stratum_sum

MAX_ITER = 100
#: a larger logit coefficient means the fit ran off to infinity (separation)
MAX_COEF = 30.0


def poly_contrasts(scores: list[float]) -> FloatArray:
    """R ``contr.poly(length(scores), scores)``: orthonormal polynomial columns of degree 1..k-1."""
    s = np.asarray(scores, dtype=np.float64)
    x = np.vander(s - s.mean(), s.size, increasing=True)
    q, r = np.linalg.qr(x)
    raw = q * np.diag(r)  # R make.poly: qr.qy(QR, diag(R)), then unit length
    z = raw / np.sqrt((raw**2).sum(axis=0))
    return z[:, 1:]


@dataclass(frozen=True)
class Trend:
    """Linear and quadratic coefficients of one domain (arrays of length K, NaN when not fitted)."""

    linear: FloatArray
    linear_se: FloatArray
    linear_p: FloatArray
    quadratic: FloatArray
    quadratic_se: FloatArray
    quadratic_p: FloatArray
    df: FloatArray


def _design_matrix(agg: Aggregates, cells: NDArray[np.bool_], poly: FloatArray, adjust: tuple[str, ...],
                   used: NDArray[np.bool_]) -> FloatArray:
    cols = [np.ones(cells.sum()), poly[agg.cell_wave[cells], 0], poly[agg.cell_wave[cells], 1]]
    for role in adjust:
        code = (agg.cell_grade if role == "grade" else agg.cell_gender)[cells]
        levels = np.unique(code[used])
        cols += [(code == lv).astype(float) for lv in levels[1:]]  # first present level = reference
    return np.column_stack(cols)


def _deviance(t: FloatArray, w: FloatArray, mu: FloatArray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(t > 0, t * np.log(mu), 0.0) + np.where(w - t > 0, (w - t) * np.log1p(-mu), 0.0)
    return float(-2.0 * terms.sum())


def _fit(x: FloatArray, t: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray] | None:
    """Newton–Raphson (IRLS) for the weighted logistic model on cell totals; None without convergence.

    Stops as R's ``glm.fit`` does, on the relative change of the deviance (1e-14 here),
    so that a level without any flagged respondent (its coefficient runs off to −∞)
    still gives the limit of the other coefficients, as R reports them."""
    beta = np.zeros(x.shape[1])
    beta[0] = np.log(max(t.sum(), 1e-300) / max((w - t).sum(), 1e-300))
    dev = _deviance(t, w, expit(x @ beta))
    for _ in range(MAX_ITER):
        mu = expit(x @ beta)
        info = (x * (mu * (1 - mu) * w)[:, None]).T @ x
        try:
            step = np.linalg.lstsq(info, x.T @ (t - mu * w), rcond=None)[0]
        except np.linalg.LinAlgError:
            return None
        beta = beta + step
        new = _deviance(t, w, expit(x @ beta))
        if abs(new - dev) / (abs(new) + 0.1) < 1e-14:
            mu = expit(x @ beta)
            return beta, (x * (mu * (1 - mu) * w)[:, None]).T @ x
        dev = new
    return None


def _wave_separated(agg: Aggregates, cells: NDArray[np.bool_], j: int) -> bool:
    """A wave where nobody (or everybody) answering is flagged: the trend is not finite."""
    for wave in np.unique(agg.cell_wave[cells]):
        m = cells & (agg.cell_wave == wave)
        n, x = agg.n[:, m, j].sum(), agg.x[:, m, j].sum()
        if n > 0 and (x == 0 or x == n):
            return True
    return False


def drop_separated(agg: Aggregates, cells: NDArray[np.bool_], j: int, adjust: tuple[str, ...]) -> NDArray[np.bool_]:
    """Leave out adjustment levels where nobody (or everybody) answering is flagged in any wave.

    Their coefficient would be infinite (separation); without them the other coefficients
    are the limit the maximum-likelihood fit runs to."""
    cells = cells.copy()
    changed = True
    while changed:
        changed = False
        for role in adjust:
            code = agg.cell_grade if role == "grade" else agg.cell_gender
            for level in np.unique(code[cells]):
                m = cells & (code == level)
                n, x = agg.n[:, m, j].sum(), agg.x[:, m, j].sum()
                if n > 0 and (x == 0 or x == n):
                    cells &= ~m
                    changed = True
    return cells


def trend(agg: Aggregates, cells: NDArray[np.bool_], scores: list[float], adjust: tuple[str, ...]) -> Trend:
    """The trend of one domain (its cells over every wave) for every indicator."""
    k = agg.t.shape[2]
    out = {name: np.full(k, np.nan) for name in Trend.__dataclass_fields__}
    poly = poly_contrasts(scores)
    d = agg.design
    domain = cells
    for j in range(k):
        cells = drop_separated(agg, domain, j, adjust)
        base_df = domain_df(agg, cells)
        t_uc, w_uc = agg.t[:, cells, j], agg.w[:, cells, j]
        w_c = w_uc.sum(axis=0)
        used = w_c > 0
        t_c = t_uc.sum(axis=0)
        waves = agg.cell_wave[cells]
        if len(np.unique(waves[used])) < 3 or _wave_separated(agg, cells, j):
            continue
        x = _design_matrix(agg, cells, poly, adjust, used)
        fit = _fit(x[used], t_c[used], w_c[used])
        if fit is None:
            continue
        beta, info = fit
        if np.max(np.abs(beta)) > MAX_COEF:  # a wave where nobody (everybody) is flagged: no finite trend
            continue
        mu = expit(x @ beta)
        score = (t_uc - mu * w_uc) @ x  # U × p
        if agg.row_psu:
            weight = (1 - 2 * mu) * agg.q1[:, cells, j] + mu**2 * agg.q0[:, cells, j]  # U × C
            square = np.einsum("uc,ca,cb->uab", weight, x, x)
        else:
            square = np.einsum("ua,ub->uab", score, score)
        ss, s = stratum_sum(agg, square), stratum_sum(agg, score)
        n_h = np.maximum(d.n_psu, 1)[:, None, None]
        b = np.einsum("h,hab->ab", d.scale, ss - d.centre[:, None, None] * np.einsum("ha,hb->hab", s, s) / n_h)
        if d.averaged is not None:
            present = stratum_sum(agg, (agg.n[:, cells, j].sum(axis=1) > 0).astype(float)) > 0
            n_ok = present.sum() - (present & d.averaged).sum()
            b = b * present.sum() / n_ok if n_ok > 0 else b * np.nan
        inv = np.linalg.inv(info)
        cov = inv @ b @ inv
        df = base_df[j] + 1 - x.shape[1]
        for name, col in (("linear", 1), ("quadratic", 2)):
            se = np.sqrt(max(cov[col, col], 0.0))
            out[name][j], out[f"{name}_se"][j] = beta[col], se
            out[f"{name}_p"][j] = 2 * stats.t.sf(abs(beta[col] / se), df) if se > 0 and df > 0 else np.nan
        out["df"][j] = df
    return Trend(**out)


def label(linear: float, linear_p: float, quadratic_p: float, alpha: float) -> str:
    """increasing / decreasing / changed direction / stable (see module docstring); "" without a fit."""
    if not np.isfinite(linear_p):
        return ""
    if linear_p < alpha:
        return "increasing" if linear > 0 else "decreasing"
    if np.isfinite(quadratic_p) and quadratic_p < alpha:
        return "changed direction"
    return "stable"
