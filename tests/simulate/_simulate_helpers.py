"""Statistics used by the simulation tests, written out here as independent references.

* Cronbach's alpha: k/(k-1) * (1 - sum of item variances / variance of the sum), on
  complete cases of the reversed item values.
* ICC(1) by the one-way ANOVA estimator: (MSB - MSW) / (MSB + (n0 - 1) MSW) with
  n0 = (N - sum n_j^2 / N) / (k - 1) for unequal group sizes (Donner 1986).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ctc.instrument.model import Instrument


def item_values(df: pd.DataFrame, inst: Instrument, scale_id: str) -> np.ndarray:
    """rows × items of the scale: values (through the response set), reversed, NaN = missing."""
    s = inst.scale_by_id[scale_id]
    out = np.full((len(df), len(s.items)), np.nan)
    for k, item_id in enumerate(s.items):
        rs = inst.response_set_of(item_id)
        codes = df[inst.item_by_id[item_id].source_column].astype("Float64")
        lut = {float(c): rs.value_of(c) for c in rs.codes}  # missing codes map to NaN
        vals = codes.map(lut).to_numpy(dtype=float, na_value=np.nan)
        if item_id in s.reverse:
            lo, hi = rs.value_range
            vals = lo + hi - vals
        out[:, k] = vals
    return out


def cronbach_alpha(x: np.ndarray) -> float:
    x = x[~np.isnan(x).any(axis=1)]
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def icc_anova(y: np.ndarray, group: np.ndarray) -> float:
    ok = ~np.isnan(y)
    y, group = y[ok], group[ok]
    frame = pd.DataFrame({"y": y, "g": group})
    stats = frame.groupby("g")["y"].agg(["size", "mean"])
    n, means = stats["size"].to_numpy(float), stats["mean"].to_numpy()
    total, k = n.sum(), len(n)
    grand = y.mean()
    msb = (n * (means - grand) ** 2).sum() / (k - 1)
    msw = ((y - frame["g"].map(stats["mean"]).to_numpy()) ** 2).sum() / (total - k)
    n0 = (total - (n**2).sum() / total) / (k - 1)
    return float((msb - msw) / (msb + (n0 - 1) * msw))


def pct_flagged(scored: pd.DataFrame, column: str, by: pd.Series | list) -> pd.Series:
    """% flagged (or positive) among valid respondents with a non-missing flag, by group."""
    valid = ~scored["excluded"].to_numpy()
    flags = scored[column].astype("Float64")[valid]
    keys = by[valid] if isinstance(by, pd.Series) else [k[valid] for k in by]
    return 100.0 * flags.groupby(keys).mean().astype(float)
