"""Effect sizes of a change and the plain verdict a board reads.

Risk factors and problem behaviours are better when they go down, protective factors
when they go up. A change is "better"/"worse" only when its BH q-value (one family per
municipality) is below alpha; otherwise "no clear change" with the interval that shows
how large a change the data cannot rule out.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..i18n import number
from .strings import s

FloatArray = NDArray[np.float64]


def effect_sizes(p_a: FloatArray, p_b: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Risk ratio p_b/p_a, odds ratio, Cohen's h = 2·asin√p_b − 2·asin√p_a (proportions 0–1)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        rr = np.where(p_a > 0, p_b / p_a, np.nan)
        odds_a, odds_b = p_a / (1 - p_a), p_b / (1 - p_b)
        odds = np.where((p_a > 0) & (p_a < 1) & (p_b > 0) & (p_b < 1), odds_b / odds_a, np.nan)
        h = 2 * np.arcsin(np.sqrt(p_b)) - 2 * np.arcsin(np.sqrt(p_a))
    return rr, odds, h


def verdict(kind: str, diff_pp: float, lo: float, hi: float, q: float, alpha: float, lang: str) -> tuple[str, str]:
    """(code, reason) for a change that was shown in both waves and is comparable."""
    fmt = lambda v: number(v, lang, 1)  # noqa: E731
    if not np.isfinite(q):
        return "no-clear-change", s("reason.untested", lang, diff=fmt(diff_pp))
    if q < alpha:
        good = diff_pp > 0 if kind == "protective" else diff_pp < 0
        direction = s("direction.down" if diff_pp < 0 else "direction.up", lang)
        return ("better" if good else "worse"), s("reason.clear", lang, direction=direction, diff=fmt(abs(diff_pp)),
                                                  lo=fmt(lo), hi=fmt(hi), q=number(q, lang, 3), alpha=number(alpha, lang, 2))
    return "no-clear-change", s("reason.noise", lang, diff=fmt(diff_pp), lo=fmt(lo), hi=fmt(hi), q=number(q, lang, 3),
                                alpha=number(alpha, lang, 2))
