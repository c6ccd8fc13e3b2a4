"""Derive the cut-points of every scale from a scored reference sample, pooled or per
grade, with bootstrap intervals (schools resampled when the sample is clustered)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..errors import DataError, UsageError
from ..instrument.model import Instrument, Scale
from .rules import Accuracy, accuracy, cut_mad, cut_quantile, cut_roc, share_at_risk

Method = Literal["mad", "quantile", "roc"]
METHODS: tuple[Method, ...] = ("mad", "quantile", "roc")
POOLED = 0  # the "grade" of a pooled cut-point
#: outcome groups a scale is validated against unless declared otherwise (CTC: ATOD use and delinquency)
DEFAULT_GROUPS = ("substance_use", "antisocial")

__all__ = ["Derived", "DeriveOptions", "default_outcomes", "derive_all"]


@dataclass(frozen=True)
class DeriveOptions:
    method: Method = "mad"
    k: float = 0.15
    share: float = 0.3
    by_grade: bool = False
    bootstrap: int = 200
    seed: int = 20261202
    clustered: bool = False  # resample schools, not students
    min_n: int = 100
    outcomes: Mapping[str, tuple[str, ...]] | None = None  # scale id → outcome ids (roc); None = defaults
    level: float = 0.95

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise UsageError(f"unknown method {self.method!r}", hint=f"use one of {', '.join(METHODS)}")
        if not 0 < self.share < 1:
            raise UsageError(f"--share must lie between 0 and 1, got {self.share}", hint="e.g. --share 0.3")
        if self.k < 0:
            raise UsageError(f"--k must be ≥ 0, got {self.k}", hint="the German validation uses --k 0.15")


@dataclass(frozen=True)
class Derived:
    """One scale's cut-point for one grade (or pooled), with what it means in the sample."""

    scale: str
    grade: int  # POOLED for a pooled cut-point
    method: Method
    cut: float
    low: float
    high: float
    n: int
    share: float  # share at risk in the reference sample under the new cut-point
    outcomes: tuple[str, ...]
    accuracy: Accuracy | None


def default_outcomes(inst: Instrument) -> tuple[str, ...]:
    return tuple(o.id for o in inst.outcomes if getattr(o, "group", None) in DEFAULT_GROUPS)


def _outcomes_for(scale: Scale, inst: Instrument, opts: DeriveOptions) -> tuple[str, ...]:
    declared = (opts.outcomes or {}).get(scale.id)
    return tuple(declared) if declared else default_outcomes(inst)


def any_outcome(frame: pd.DataFrame, ids: tuple[str, ...]) -> NDArray[np.float64]:
    """1 where any of the outcomes is positive, 0 where all are answered and negative, NaN otherwise."""
    if not ids:
        return np.full(len(frame), np.nan)
    vals = np.column_stack([frame[f"outcome.{o}"].astype("Float64").to_numpy(dtype=float, na_value=np.nan) for o in ids])
    pos = np.nan_to_num(vals, nan=0.0).max(axis=1) > 0
    complete = ~np.isnan(vals).any(axis=1)
    return np.where(pos, 1.0, np.where(complete, 0.0, np.nan))


def _rule(opts: DeriveOptions, method: Method, protective: bool) -> Callable[[np.ndarray, np.ndarray], float]:
    if method == "mad":
        return lambda s, y: cut_mad(s, opts.k, protective)
    if method == "quantile":
        return lambda s, y: cut_quantile(s, opts.share, protective)
    return lambda s, y: cut_roc(s, y.astype(bool), protective)


def _resamples(cluster: NDArray[np.intp] | None, n: int, opts: DeriveOptions) -> list[NDArray[np.intp]]:
    """Row indices of every bootstrap sample: students, or whole schools when clustered."""
    rng = np.random.default_rng(opts.seed)
    if cluster is None:
        return [rng.integers(0, n, size=n) for _ in range(opts.bootstrap)]
    order = np.argsort(cluster, kind="stable")
    starts = np.flatnonzero(np.r_[True, cluster[order][1:] != cluster[order][:-1]])
    groups = np.split(order, starts[1:])
    return [np.concatenate([groups[g] for g in rng.integers(0, len(groups), size=len(groups))])
            for _ in range(opts.bootstrap)]


def derive_one(scores: np.ndarray, outcome: np.ndarray, cluster: NDArray[np.intp] | None, scale: Scale, grade: int,
               method: Method, outcomes: tuple[str, ...], opts: DeriveOptions) -> Derived:
    protective = scale.kind == "protective"
    rule = _rule(opts, method, protective)
    if method == "roc":
        keep = ~np.isnan(outcome)
        scores, outcome = scores[keep], outcome[keep]
        cluster = cluster[keep] if cluster is not None else None
    cut = rule(scores, outcome)
    boot = np.array([rule(scores[ix], outcome[ix]) for ix in _resamples(cluster, scores.size, opts)])
    alpha = (1 - opts.level) / 2
    low, high = (np.nanquantile(boot, [alpha, 1 - alpha]) if np.isfinite(boot).any() else (np.nan, np.nan))
    valid = ~np.isnan(outcome)
    acc = accuracy(scores[valid], outcome[valid].astype(bool), cut, protective) if valid.any() and np.isfinite(cut) else None
    return Derived(scale.id, grade, method, cut, float(low), float(high), int(scores.size),
                   share_at_risk(scores, cut, protective), outcomes, acc)


def derive_all(frame: pd.DataFrame, inst: Instrument, opts: DeriveOptions, methods: tuple[Method, ...] | None = None
               ) -> list[Derived]:
    """Cut-points of every scale (× grade) by each of ``methods`` (default: the chosen one)."""
    methods = methods or (opts.method,)
    cluster_codes = (pd.factorize(frame["school"].astype("string").fillna("(none)"))[0].astype(np.intp)
                     if opts.clustered else None)
    grades = [int(g) for g in sorted(frame["grade"].dropna().unique())] if opts.by_grade else [POOLED]
    out = []
    for scale in inst.scales:
        outcomes = _outcomes_for(scale, inst, opts)
        if "roc" in methods and not outcomes:
            raise UsageError(f"scale {scale.id!r} has no outcome to choose a cut-point against",
                             hint="declare one with --outcome SCALE=OUTCOME, or use --method mad or quantile")
        y = any_outcome(frame, outcomes)
        score = frame[f"score.{scale.id}"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        for grade in grades:
            rows = ~np.isnan(score) & ((frame["grade"] == grade).fillna(False).to_numpy() if grade != POOLED else True)
            n = int(rows.sum())
            if n < opts.min_n:
                where = f"grade {grade}" if grade != POOLED else "the pooled sample"
                raise DataError(f"the reference sample has only {n} respondent(s) with a score of {scale.id!r} in {where} "
                                f"(at least {opts.min_n} are needed)",
                                hint="pool the grades (leave out --by-grade), use a larger reference sample, or lower --min-n")
            cl = cluster_codes[rows] if cluster_codes is not None else None
            for method in methods:
                out.append(derive_one(score[rows], y[rows], cl, scale, grade, method, outcomes, opts))
    return out
