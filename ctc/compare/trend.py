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

from .aggregate import Aggregates, FloatArray, stratum_sum

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


def _design_matrix(agg: Aggregates, cells: NDArray[np.bool_], poly: FloatArray, adjust: tuple[str, ...]) -> tuple[FloatArray, list[int]]:
    """Columns 1, L, Q and one dummy per adjustment level (all levels; the fit drops one per role).

    Returns the matrix over the domain's cells and the role index of every column (-1: 1, L, Q)."""
    cols = [np.ones(cells.sum()), poly[agg.cell_wave[cells], 0], poly[agg.cell_wave[cells], 1]]
    roles = [-1, -1, -1]
    for r, role in enumerate(adjust):
        code = (agg.cell_grade if role == "grade" else agg.cell_gender)[cells]
        for level in np.unique(code):
            cols.append((code == level).astype(float))
            roles.append(r)
    return np.column_stack(cols), roles


def _active_columns(x: FloatArray, roles: list[int], used: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """(K × p): the columns each indicator's fit uses — levels present in its cells, minus the
    first present level of every role (the reference; any full-rank choice gives the same L, Q)."""
    present = (np.abs(x).T @ used.astype(float)) > 0  # p × K
    active = present.T.copy()
    active[:, :3] = True  # 1, L, Q
    roles_arr = np.array(roles)
    for r in set(roles) - {-1}:
        idx = np.flatnonzero(roles_arr == r)
        first = np.argmax(present[idx], axis=0)  # first present level per indicator
        has = present[idx].any(axis=0)
        active[np.flatnonzero(has), idx[first[has]]] = False
    return active


def _deviance(t: FloatArray, w: FloatArray, mu: FloatArray) -> FloatArray:
    """Binomial deviance per indicator (cells × K arrays)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(t > 0, t * np.log(mu), 0.0) + np.where(w - t > 0, (w - t) * np.log1p(-mu), 0.0)
    return -2.0 * terms.sum(axis=0)


def _information(x: FloatArray, mu: FloatArray, w: FloatArray, active: NDArray[np.bool_]) -> FloatArray:
    """(K × p × p) Fisher information; unused columns get a unit diagonal (their coefficient stays 0)."""
    weighted = x[None, :, :] * (mu * (1 - mu) * w).T[:, :, None]  # K × C × p
    info = np.matmul(weighted.transpose(0, 2, 1), x)
    mask = active[:, :, None] & active[:, None, :]
    info = np.where(mask, info, 0.0)
    k_idx, col = np.nonzero(~active)
    info[k_idx, col, col] = 1.0
    return info


def _fit(x: FloatArray, t: FloatArray, w: FloatArray, active: NDArray[np.bool_],
         wanted: NDArray[np.bool_]) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """Newton–Raphson (IRLS) of the weighted logistic model on cell totals, every indicator at once.

    Each indicator stops as R's ``glm.fit`` does, on the relative change of its deviance
    (1e-14 here). Returns β (K × p), the information at β and which fits converged."""
    k, p = t.shape[1], x.shape[1]
    beta = np.zeros((k, p))
    with np.errstate(divide="ignore"):
        beta[:, 0] = np.log(np.maximum(t.sum(axis=0), 1e-300) / np.maximum((w - t).sum(axis=0), 1e-300))
    dev = _deviance(t, w, expit(x @ beta.T))
    running = wanted.copy()
    done = np.zeros(k, dtype=bool)
    for _ in range(MAX_ITER):
        mu = expit(x @ beta.T)
        info = _information(x, mu, w, active)
        grad = np.where(active, (x.T @ (t - mu * w)).T, 0.0)
        try:
            step = np.linalg.solve(info[running], grad[running][:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            step = np.stack([np.linalg.lstsq(a, g, rcond=None)[0] for a, g in zip(info[running], grad[running])])
        beta[running] += step
        new = _deviance(t, w, expit(x @ beta.T))
        with np.errstate(invalid="ignore"):
            converged = running & (np.abs(new - dev) / (np.abs(new) + 0.1) < 1e-14)
        done |= converged
        running &= ~converged
        dev = new
        if not running.any():
            break
    mu = expit(x @ beta.T)
    return beta, _information(x, mu, w, active), done


def _level_sums(agg: Aggregates, cells: NDArray[np.bool_], code: NDArray[np.intp], keep: NDArray[np.bool_]) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Answered and flagged per level × indicator over the kept cells (C_d × K mask)."""
    n_c = agg.n[:, cells].sum(axis=0) * keep  # C_d × K
    x_c = agg.x[:, cells].sum(axis=0) * keep
    levels = np.unique(code)
    onehot = (code[None, :] == levels[:, None]).astype(float)  # L × C_d
    return levels, onehot @ n_c, onehot @ x_c


def drop_separated(agg: Aggregates, cells: NDArray[np.bool_], adjust: tuple[str, ...]) -> NDArray[np.bool_]:
    """(C_d × K) cells each indicator's model uses: adjustment levels where nobody (or
    everybody) answering is flagged in any wave are left out — their coefficient would be
    infinite (separation); without them the others are the limit the fit runs to."""
    keep = np.ones((int(cells.sum()), agg.t.shape[2]), dtype=bool)
    changed = True
    while changed:
        changed = False
        for role in adjust:
            code = (agg.cell_grade if role == "grade" else agg.cell_gender)[cells]
            levels, n, x = _level_sums(agg, cells, code, keep)
            separated = (n > 0) & ((x == 0) | (x == n))  # L × K
            if separated.any():
                drop = separated[np.searchsorted(levels, code)]  # C_d × K
                keep &= ~drop
                changed = True
    return keep


def _wave_separated(agg: Aggregates, cells: NDArray[np.bool_], keep: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """(K,) a wave where nobody (or everybody) answering is flagged: the trend is not finite."""
    _, n, x = _level_sums(agg, cells, agg.cell_wave[cells], keep)
    return ((n > 0) & ((x == 0) | (x == n))).any(axis=0)


def _to_strata(agg: Aggregates, values: FloatArray) -> FloatArray:
    """Sum (K × U × ...) unit values into (K × H × ...) strata, in unit order.

    Not a dense strata × units product: the whole file has thousands of units (schools
    × waves of every municipality), whose H × U matrix and product took hours and GBs."""
    u = agg.unit_stratum
    if u.size == agg.design.n_strata and np.array_equal(u, np.arange(u.size)):  # every unit its own stratum
        return values
    out = np.zeros((values.shape[0], agg.design.n_strata, *values.shape[2:]))
    np.add.at(out, (slice(None), u), values)
    return out


def trend(agg: Aggregates, cells: NDArray[np.bool_], scores: list[float], adjust: tuple[str, ...]) -> Trend:
    """The trend of one domain (its cells over every wave) for every indicator."""
    k = agg.t.shape[2]
    out = {name: np.full(k, np.nan) for name in Trend.__dataclass_fields__}
    d = agg.design
    keep = drop_separated(agg, cells, adjust)  # C_d × K
    t_uc, w_uc = agg.t[:, cells] * keep, agg.w[:, cells] * keep  # U × C_d × K
    n_uc = agg.n[:, cells] * keep
    t_c, w_c = t_uc.sum(axis=0), w_uc.sum(axis=0)
    used = w_c > 0
    waves_used = np.array([len(np.unique(agg.cell_wave[cells][used[:, j]])) for j in range(k)])
    ok = (waves_used >= 3) & ~_wave_separated(agg, cells, keep)
    if not ok.any():
        return Trend(**out)
    x, roles = _design_matrix(agg, cells, poly_contrasts(scores), adjust)
    active = _active_columns(x, roles, used)
    beta, info, converged = _fit(x, t_c, w_c, active, ok)
    ok &= converged & (np.abs(beta).max(axis=1) <= MAX_COEF)
    mu = expit(x @ beta.T)  # C_d × K
    resid = t_uc - mu[None] * w_uc  # U × C_d × K
    score = np.einsum("uck,ca->kua", resid, x) * active[:, None, :]
    if agg.row_psu:
        weight = (1 - 2 * mu)[None] * agg.q1[:, cells] * keep + (mu**2)[None] * agg.q0[:, cells] * keep
        square = np.einsum("uck,ca,cb->kuab", weight, x, x, optimize=True)
        square *= (active[:, :, None] & active[:, None, :])[:, None]
    else:
        square = np.einsum("kua,kub->kuab", score, score)
    ss = _to_strata(agg, square)
    st = _to_strata(agg, score)
    n_h = np.maximum(d.n_psu, 1)[None, :, None, None]
    b = np.einsum("h,khab->kab", d.scale, ss - d.centre[None, :, None, None] * np.einsum("kha,khb->khab", st, st) / n_h)
    answered = n_uc.sum(axis=1) > 0  # U × K
    present = stratum_sum(agg, answered.astype(float)) > 0  # H × K
    if d.averaged is not None:
        n_present = present.sum(axis=0)
        n_ok = n_present - (present & d.averaged[:, None]).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            b = b * np.where(n_ok > 0, n_present / np.maximum(n_ok, 1), np.nan)[:, None, None]
    info[~ok] = np.eye(info.shape[1])  # not reported; keeps the batch invertible
    inv = np.linalg.pinv(info)
    cov = inv @ b @ inv
    psus = n_uc.sum(axis=(0, 1)) if agg.row_psu else answered.sum(axis=0)
    df = psus - present.sum(axis=0) + 1 - active.sum(axis=1)
    for name, col in (("linear", 1), ("quadratic", 2)):
        se = np.sqrt(np.maximum(cov[:, col, col], 0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.where((se > 0) & (df > 0), 2 * stats.t.sf(np.abs(beta[:, col] / se), np.maximum(df, 1)), np.nan)
        out[name] = np.where(ok, beta[:, col], np.nan)
        out[f"{name}_se"] = np.where(ok, se, np.nan)
        out[f"{name}_p"] = np.where(ok, p, np.nan)
    out["df"] = np.where(ok, df.astype(float), np.nan)
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
