"""Deriving cut-points from a reference sample: median + k·MAD, a share at risk, or
Youden's J against problem-behaviour outcomes, with bootstrap intervals, written as a
new instrument version (docs/cutpoints.md)."""

from .derive import METHODS, Derived, DeriveOptions, default_outcomes, derive_all
from .rules import accuracy, auc, cut_mad, cut_quantile, cut_roc, share_at_risk
from .run import CutpointResult, derive_cutpoints, parse_outcomes

__all__ = [
    "METHODS",
    "CutpointResult",
    "DeriveOptions",
    "Derived",
    "accuracy",
    "auc",
    "cut_mad",
    "cut_quantile",
    "cut_roc",
    "default_outcomes",
    "derive_all",
    "derive_cutpoints",
    "parse_outcomes",
    "share_at_risk",
]
