"""Cut-point rules on one scale's scores (docs/cutpoints.md).

Every rule works in the *risk orientation*: for a protective scale the scores are
negated first (low protection is the risk), the rule is applied, and the cut-point is
negated back — so a protective scale's cut-point separates low from high protection in
its own orientation and its flag (protected) stays ``score > cutpoint``.

* ``mad``: median + k·MAD (MAD = median absolute deviation, unscaled), the rule the German
  validation states (Groeger-Roth et al., SUCHT 2015) with k = 0.15;
* ``quantile``: the score that puts a stated share at risk;
* ``roc``: the cut-point between two observed scores with the largest Youden's
  J = sensitivity + specificity − 1 against a problem-behaviour outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

FloatArray = NDArray[np.float64]

__all__ = ["Accuracy", "accuracy", "cut_mad", "cut_quantile", "cut_roc", "share_at_risk"]


def _oriented(scores: FloatArray, protective: bool) -> FloatArray:
    return -scores if protective else scores


def cut_mad(scores: FloatArray, k: float, protective: bool = False) -> float:
    """median + k·MAD in the risk orientation."""
    s = _oriented(scores, protective)
    med = float(np.median(s))
    cut = med + k * float(np.median(np.abs(s - med)))
    return -cut if protective else cut


def cut_quantile(scores: FloatArray, share: float, protective: bool = False) -> float:
    """The (1 - share) quantile in the risk orientation: about ``share`` score above it."""
    cut = float(np.quantile(_oriented(scores, protective), 1.0 - share))
    return -cut if protective else cut


def at_risk(scores: FloatArray, cut: float, protective: bool) -> NDArray[np.bool_]:
    """Risk side of the cut-point: score > cut (risk), score ≤ cut (low protection)."""
    return scores <= cut if protective else scores > cut


def share_at_risk(scores: FloatArray, cut: float, protective: bool) -> float:
    return float(np.mean(at_risk(scores, cut, protective))) if scores.size else float("nan")


@dataclass(frozen=True)
class Accuracy:
    sensitivity: float
    specificity: float
    auc: float


def auc(scores: FloatArray, outcome: NDArray[np.bool_], protective: bool = False) -> float:
    """Area under the ROC curve (Mann–Whitney, ties count half) in the risk orientation."""
    s = _oriented(scores, protective)
    pos, neg = int(outcome.sum()), int((~outcome).sum())
    if pos == 0 or neg == 0:
        return float("nan")
    ranks = stats.rankdata(s)
    return float((ranks[outcome].sum() - pos * (pos + 1) / 2) / (pos * neg))


def accuracy(scores: FloatArray, outcome: NDArray[np.bool_], cut: float, protective: bool) -> Accuracy:
    """Sensitivity and specificity of the risk side of ``cut`` for ``outcome``, and the AUC."""
    flagged = at_risk(scores, cut, protective)
    with np.errstate(invalid="ignore", divide="ignore"):
        sens = float(np.sum(flagged & outcome) / np.sum(outcome))
        spec = float(np.sum(~flagged & ~outcome) / np.sum(~outcome))
    return Accuracy(sens, spec, auc(scores, outcome, protective))


def cut_roc(scores: FloatArray, outcome: NDArray[np.bool_], protective: bool = False) -> float:
    """The midpoint between two adjacent observed scores with the largest Youden's J
    (the lowest such cut-point when several tie); NaN without both outcome groups."""
    s = _oriented(scores, protective)
    values, inverse = np.unique(s, return_inverse=True)
    pos = np.bincount(inverse, weights=outcome.astype(float), minlength=values.size)
    neg = np.bincount(inverse, minlength=values.size) - pos
    n_pos, n_neg = pos.sum(), neg.sum()
    if values.size < 2 or n_pos == 0 or n_neg == 0:
        return float("nan")
    # cut between values[i] and values[i+1]: at risk = s ≥ values[i+1]
    sens = (n_pos - np.cumsum(pos)[:-1]) / n_pos
    spec = np.cumsum(neg)[:-1] / n_neg
    best = int(np.argmax(sens + spec - 1.0))
    cut = float((values[best] + values[best + 1]) / 2.0)
    return -cut if protective else cut
