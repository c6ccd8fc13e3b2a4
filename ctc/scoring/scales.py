"""Scale scores and flags, exactly per the format's semantics (values, reverse,
min_valid, mean/sum/max, per-grade cut-points, direction)."""

from __future__ import annotations

import warnings

import numpy as np

from .plan import Plan, ScalePlan


def scale_score(values: np.ndarray, sp: ScalePlan) -> np.ndarray:
    block = values[:, sp.items]
    if sp.reverse.any():
        block[:, sp.reverse] = (sp.low + sp.high)[sp.reverse] - block[:, sp.reverse]
    answered = (~np.isnan(block)).sum(axis=1)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows are masked below
        if sp.method == "mean":
            score = np.nansum(block, axis=1) / answered
        elif sp.method == "sum":
            score = np.nansum(block, axis=1) * (len(sp.items) / answered)  # prorated
        else:
            score = np.nanmax(block, axis=1)
    score[answered < sp.min_valid] = np.nan
    return score


def scale_flag(score: np.ndarray, sp: ScalePlan, grades: np.ndarray) -> np.ndarray:
    cut = sp.cuts(grades)
    with np.errstate(invalid="ignore"):
        hit = score >= cut if sp.at_or_above else score > cut
    flag = hit.astype(np.float64)
    flag[np.isnan(score) | np.isnan(cut)] = np.nan
    return flag


def score_scales(values: np.ndarray, grades: np.ndarray, plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """(scores, flags), each rows × scales, from the item value matrix; flags 1.0/0.0/NaN."""
    scores = np.empty((len(values), len(plan.scales)))
    flags = np.empty_like(scores)
    for k, sp in enumerate(plan.scales):
        scores[:, k] = scale_score(values, sp)
        flags[:, k] = scale_flag(scores[:, k], sp, grades)
    return scores, flags
