"""Weighting a survey to enrolment totals: post-stratification, raking and raking
calibration, with the calibration model that calibration-aware standard errors need
(docs/weights.md)."""

from .algorithms import Fit, Margin, NotConverged, calibrate_raking, poststratify, rake_ipf, trim_and_rake
from .model import calibration_for, find_model, load_model, model_path
from .run import METHODS, WeightingResult, parse_bounds, weight_survey

__all__ = [
    "METHODS",
    "Fit",
    "Margin",
    "NotConverged",
    "WeightingResult",
    "calibrate_raking",
    "calibration_for",
    "find_model",
    "load_model",
    "model_path",
    "parse_bounds",
    "poststratify",
    "rake_ipf",
    "trim_and_rake",
    "weight_survey",
]
