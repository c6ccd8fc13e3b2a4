"""Small-group suppression, applied to the profile table before anything is written.

Rules (docs/privacy.md):
* ``empty``: no respondent answered — nothing to show, nothing to protect;
* ``small-n``: fewer than ``min_n`` respondents;
* ``all-or-none``: 0 % or 100 % in a group smaller than ``all_or_none_n``;
* ``secondary``: the profile publishes totals ("all grades", "all genders", the whole
  file) beside their parts, so a single hidden part could be recovered by subtraction.
  Along every dimension, wherever exactly one part of a shown total is hidden, the
  smallest other shown part is hidden too (or the total when no part is left). This is
  repeated over all three dimensions until nothing changes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .estimate import KEYS
from .options import SuppressionRules

REASONS = ("", "empty", "small-n", "all-or-none", "secondary")
STAT_COLUMNS = ("n", "n_flagged", "pct", "ci_low", "ci_high", "se", "df")


def _cube(table: pd.DataFrame, column: str, shape: tuple[int, ...], index: tuple[np.ndarray, ...], fill) -> np.ndarray:
    cube = np.full(shape, fill, dtype=np.asarray(table[column]).dtype if fill is not None else object)
    cube[index] = table[column].to_numpy()
    return cube


def _secondary(hidden: np.ndarray, n: np.ndarray, axes: list[int]) -> np.ndarray:
    """Grow ``hidden`` (M+1, G+1, S+1, K; last index of each listed axis = its total)."""
    hidden = hidden.copy()
    changed = True
    while changed:
        changed = False
        for axis in axes:
            h = np.moveaxis(hidden, axis, -1)  # views: writes go through to `hidden`
            c = np.moveaxis(n, axis, -1)
            parts, total = h[..., :-1], h[..., -1]
            need = (parts.sum(axis=-1) == 1) & ~total
            if not need.any():
                continue
            open_parts = ~parts & (c[..., :-1] > 0)
            smallest = np.argmin(np.where(open_parts, c[..., :-1], np.iinfo(np.int64).max), axis=-1)
            has = open_parts.any(axis=-1)
            idx = np.nonzero(need & has)
            parts[(*idx, smallest[idx])] = True
            total[need & ~has] = True
            changed = True
    return hidden


def suppress(table: pd.DataFrame, rules: SuppressionRules) -> pd.DataFrame:
    """Add ``suppressed`` and ``suppression_reason``; blank the statistics of hidden cells."""
    out = table.copy()
    n = out["n"].to_numpy(dtype=np.int64)
    x = out["n_flagged"].to_numpy(dtype=np.int64)
    reason = np.full(len(out), "", dtype=object)
    reason[(n > 0) & ((x == 0) | (x == n)) & (n < rules.all_or_none_n)] = "all-or-none"
    reason[(n > 0) & (n < rules.min_n)] = "small-n"
    reason[n == 0] = "empty"
    if rules.secondary:
        reason = _apply_secondary(out, n, reason)
    out["suppressed"] = reason != ""
    out["suppression_reason"] = reason
    hide = out["suppressed"].to_numpy()
    for col in STAT_COLUMNS:
        if col in out:
            out[col] = out[col].astype("Int64" if col in ("n", "n_flagged") else np.float64)
            out.loc[hide, col] = pd.NA if col in ("n", "n_flagged") else np.nan
    # an empty cell's n = 0 is no secret, and says why there is nothing to show
    out.loc[reason == "empty", "n"] = 0
    return out


def _apply_secondary(table: pd.DataFrame, n: np.ndarray, reason: np.ndarray) -> np.ndarray:
    codes = [table[k].cat.codes.to_numpy() for k in KEYS]
    sizes = [len(table[k].cat.categories) for k in KEYS]
    ind_codes, ind_levels = pd.factorize(table["indicator_type"] + "\x1f" + table["indicator_id"])
    shape = (*sizes, len(ind_levels))
    index = (*codes, ind_codes)
    n_cube = np.zeros(shape, dtype=np.int64)
    n_cube[index] = n
    hidden = np.zeros(shape, dtype=bool)
    hidden[index] = np.isin(reason, ("small-n", "all-or-none"))
    # a dimension with only its pooled level (no gender column, say) has no parts to protect
    grown = _secondary(hidden, n_cube, [a for a, size in enumerate(sizes) if size > 1])
    newly = grown[index] & (reason == "")
    reason = reason.copy()
    reason[newly] = "secondary"
    return reason
