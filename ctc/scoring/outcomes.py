"""Problem-behaviour outcomes and validity screening on the clean code matrix."""

from __future__ import annotations

import numpy as np

from ..instrument.model import Instrument
from .plan import Plan
from .rules import evaluate_code_rule, recent_without_lifetime


def score_outcomes(codes: np.ndarray, flags: np.ndarray, inst: Instrument, plan: Plan) -> np.ndarray:
    """rows × outcomes; 1.0 / 0.0 / NaN."""
    out = np.empty((len(codes), len(inst.outcomes)))
    scale_pos = {s.id: k for k, s in enumerate(inst.scales)}
    for k, o in enumerate(inst.outcomes):
        if o.rule == "scale_flag":
            out[:, k] = flags[:, scale_pos[o.scale]]
        else:
            out[:, k] = evaluate_code_rule(o, codes[:, plan.positions(o.items)])
    return out


def screen(codes: np.ndarray, grades: np.ndarray, inst: Instrument, plan: Plan) -> np.ndarray:
    """rows × validity rules, bool: flagged by the rule. Undetermined counts as not flagged."""
    out = np.zeros((len(codes), len(inst.validity)), dtype=bool)
    for k, rule in enumerate(inst.validity):
        if rule.rule == "recent_without_lifetime":
            recent = codes[:, plan.positions([a for a, _ in rule.pairs])]
            life = codes[:, plan.positions([b for _, b in rule.pairs])]
            out[:, k] = recent_without_lifetime(recent, life, float(rule.value)) == 1.0
        elif rule.rule == "missing_share_above":
            out[:, k] = np.isnan(codes).mean(axis=1) > rule.share
        elif rule.rule == "grade_not_in_instrument":
            out[:, k] = ~np.isin(grades, np.array(inst.grades, dtype=np.float64))
        else:
            out[:, k] = evaluate_code_rule(rule, codes[:, plan.positions(rule.items)]) == 1.0
    return out
