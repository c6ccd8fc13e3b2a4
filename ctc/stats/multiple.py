"""Benjamini–Hochberg false-discovery-rate adjustment that tolerates missing p-values.

statsmodels ``multipletests(..., "fdr_bh")`` returns *all* NaN when one p-value is
NaN and scipy ``false_discovery_control`` raises; a profile always has suppressed
cells, so here a NaN p-value simply is not part of the family: it stays NaN and
does not count in m. The adjustment is R ``p.adjust(p[!is.na(p)], "BH")``:
q_(i) = min_{k >= i} min(1, m · p_(k) / k).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

__all__ = ["bh_adjust", "bh_adjust_grouped"]


def _as_pvalues(p: ArrayLike) -> FloatArray:
    arr = np.asarray(p, dtype=np.float64)
    finite = arr[~np.isnan(arr)]
    if np.any((finite < 0.0) | (finite > 1.0)):
        raise ValueError("p-values must lie in [0, 1] (NaN marks a value outside the family)")
    return arr


def bh_adjust(p: ArrayLike) -> FloatArray:
    """BH q-values for one family; NaN entries stay NaN and are not counted in m.

    Any shape is accepted; the whole array is one family.
    """
    arr = _as_pvalues(p)
    return bh_adjust_grouped(arr.ravel(), np.zeros(arr.size, dtype=np.intp)).reshape(arr.shape)


def bh_adjust_grouped(p: ArrayLike, family: ArrayLike) -> FloatArray:
    """BH q-values computed separately within each family (e.g. one family per municipality).

    ``family`` holds one label per p-value (any hashable labels; NaN is a label of
    its own). Within a family, NaN p-values are ignored as in :func:`bh_adjust`.
    """
    arr = _as_pvalues(p).ravel()
    fam = pd.factorize(np.asarray(family).ravel(), use_na_sentinel=False)[0]
    if fam.shape != arr.shape:
        raise ValueError(f"family has {fam.size} labels for {arr.size} p-values")
    out = np.full(arr.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(arr))
    if valid.size == 0:
        return out
    order = valid[np.lexsort((arr[valid], fam[valid]))]  # by family, then ascending p
    f_sorted = fam[order]
    m = np.bincount(f_sorted)[f_sorted]
    starts = np.flatnonzero(np.r_[True, f_sorted[1:] != f_sorted[:-1]])
    rank = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size])) + 1
    raw = np.minimum(1.0, (m / rank) * arr[order])  # (m/k)·p as R p.adjust does, so q >= p exactly
    # running minimum from the largest p downwards, restarted in every family
    q = pd.Series(raw[::-1]).groupby(f_sorted[::-1]).cummin().to_numpy()[::-1]
    out[order] = q
    return out
