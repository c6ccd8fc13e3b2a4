"""Drawing latent traits and turning them into item categories (vectorised, item-major).

Matrices are *item-major* (items × respondents) so that each item's answers are one
contiguous row. The order of random draws is fixed (traits, item noise, pair gaps),
so a block of respondents gets the same answers whatever else the options say about
planted effects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scoring.plan import ScalePlan
from .plan import GenPlan


@dataclass(frozen=True)
class Rows:
    """The respondents of one block or calibration sample."""

    grade: np.ndarray  # float
    gender_role: np.ndarray  # 0 female, 1 male, 2 diverse
    cluster: np.ndarray  # latents × rows: municipality + school effects

    def __len__(self) -> int:
        return len(self.grade)


def drivers(plan: GenPlan, rows: Rows, rng: np.random.Generator) -> np.ndarray:
    """Driver matrix (drivers × rows): every latent's eta, then G, then a zero row."""
    lat = plan.latents
    n = len(rows)
    n_lat = plan.n_latents
    traits = rng.standard_normal((1 + 4 + n_lat, n))
    general, domains, own = traits[0], traits[1:5], traits[5:]
    out = np.empty((plan.n_drivers, n))
    eta = out[:n_lat]
    np.multiply(own, lat.unique[:, None], out=eta)
    eta += lat.sign[:, None] * (lat.general[:, None] * general[None, :] + lat.domain_loading[:, None] * domains[lat.domain])
    eta += rows.cluster
    eta += (plan.mu + 0.0)[:, None]
    eta += lat.slope[:, None] * (rows.grade - plan.mid_grade)[None, :]
    eta += lat.gender[:, rows.gender_role]
    out[plan.general_row] = general
    out[plan.zero_row] = 0.0
    return out


def item_latents(plan: GenPlan, h: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Raw item latents (items × rows), before planted shifts."""
    n = h.shape[1]
    y = rng.standard_normal((plan.n_items, n))
    y *= plan.noise[:, None]
    y += plan.weight[:, None] * h[plan.driver]
    recent = np.flatnonzero(plan.lifetime_of >= 0)
    gap = rng.standard_normal((len(recent), n))
    if recent.size:
        g0, g1 = plan.gap
        y[recent] = y[plan.lifetime_of[recent]] - (g0 + g1 * np.abs(gap))
    return y


def effective_shift(plan: GenPlan, shift: np.ndarray) -> np.ndarray:
    """A per-item shift of raw latents, with a lifetime item's shift passed on to its recent item."""
    out = shift.copy()
    recent = np.flatnonzero(plan.lifetime_of >= 0)
    out[recent] += shift[plan.lifetime_of[recent]]
    return out


def category(thresholds: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Number of thresholds below each ``y`` (the category index). A few vectorised
    comparisons are many times faster than ``np.searchsorted`` on unsorted data."""
    out = np.zeros(y.shape, dtype=np.int8)
    for t in thresholds:
        out += y > t
    return out


def codes_from_latents(plan: GenPlan, y: np.ndarray) -> np.ndarray:
    """Raw item latents (items × rows) → answer codes (items × rows, int16) through each
    item's thresholds."""
    out = np.empty(y.shape, dtype=np.int16)
    for j in range(plan.n_items):
        out[j] = plan.codes[j][category(plan.thresholds[j], y[j])]
    return out


# --------------------------------------------------------------------- complete-data scoring


def scale_flag(plan: GenPlan, sp: ScalePlan, y_items: np.ndarray, grades: np.ndarray) -> np.ndarray:
    """Flags (1/0/NaN when the grade has no cut-point) of one scale from its items' raw latents
    (rows of ``y_items`` in the scale's item order). Complete data, so ``sum`` needs no proration."""
    vals = np.empty(y_items.shape)
    for k, j in enumerate(sp.items):
        v = plan.values[j][category(plan.thresholds[j], y_items[k])]
        vals[k] = (sp.low[k] + sp.high[k]) - v if sp.reverse[k] else v
    if sp.method == "mean":
        score = vals.mean(axis=0)
    elif sp.method == "sum":
        score = vals.sum(axis=0)
    else:
        score = vals.max(axis=0)
    cut = sp.cuts(grades)
    with np.errstate(invalid="ignore"):
        hit = score >= cut if sp.at_or_above else score > cut
    flag = hit.astype(np.float64)
    flag[np.isnan(cut)] = np.nan
    return flag


def code_rule_positive(plan: GenPlan, rule: str, items: np.ndarray, value: int, count: int, y_items: np.ndarray) -> np.ndarray:
    """Complete-data evaluation of a code rule from the items' raw latents."""
    hits = np.empty(y_items.shape, dtype=bool)
    for k, j in enumerate(items):
        hits[k] = plan.codes[j][category(plan.thresholds[j], y_items[k])] >= value
    if rule == "any_at_least":
        return hits.any(axis=0).astype(np.float64)
    if rule == "all_at_least":
        return hits.all(axis=0).astype(np.float64)
    return (hits.sum(axis=0) >= count).astype(np.float64)
