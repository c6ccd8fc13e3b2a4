"""Rule types on item codes, shared by outcomes and validity screening.

Each returns a float array: 1.0 positive, 0.0 negative, NaN undetermined (missing),
exactly as ``docs/instrument-format.md`` defines the three code rules.
"""

from __future__ import annotations

import numpy as np


def _parts(codes: np.ndarray, value: float) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore"):
        hit = codes >= value  # NaN compares False
    return hit, np.isnan(codes)


def any_at_least(codes: np.ndarray, value: float) -> np.ndarray:
    hit, miss = _parts(codes, value)
    out = np.where(hit.any(axis=1), 1.0, 0.0)
    out[~hit.any(axis=1) & miss.any(axis=1)] = np.nan
    return out


def all_at_least(codes: np.ndarray, value: float) -> np.ndarray:
    hit, miss = _parts(codes, value)
    out = np.where(hit.all(axis=1), 1.0, 0.0)
    out[miss.any(axis=1)] = np.nan
    return out


def count_at_least(codes: np.ndarray, value: float, count: int) -> np.ndarray:
    hit, miss = _parts(codes, value)
    hits = hit.sum(axis=1)
    out = np.full(len(codes), np.nan)
    out[hits >= count] = 1.0
    out[hits + miss.sum(axis=1) < count] = 0.0  # cannot reach `count` any more
    return out


def recent_without_lifetime(recent: np.ndarray, lifetime: np.ndarray, value: float) -> np.ndarray:
    """1.0 where any pair has recent use while lifetime use is answered and below ``value``."""
    with np.errstate(invalid="ignore"):
        bad = (recent >= value) & ~np.isnan(lifetime) & (lifetime < value)
    return bad.any(axis=1).astype(np.float64)


def evaluate_code_rule(rule: object, codes: np.ndarray) -> np.ndarray:
    """Dispatch for the three rule types that work on a block of item codes."""
    kind = getattr(rule, "rule")
    value = float(getattr(rule, "value"))
    if kind == "any_at_least":
        return any_at_least(codes, value)
    if kind == "all_at_least":
        return all_at_least(codes, value)
    if kind == "count_at_least":
        return count_at_least(codes, value, int(getattr(rule, "count")))
    raise ValueError(f"not a code rule: {kind}")
