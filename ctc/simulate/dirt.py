"""Realistic dirt: consistent answers for valid respondents, item non-response and
skipped blocks, and invalid respondents that trigger the instrument's validity rules.

All functions work in place on item-major code matrices (items × rows).
"""

from __future__ import annotations

import numpy as np

from .model import OLDEST_IN_GRADE, ONSET_AGE
from .options import SimulationOptions
from .plan import CodeRuleSpec, GenPlan, PairRuleSpec


def _raise_lifetime(plan: GenPlan, codes: np.ndarray) -> None:
    """Recent use implies lifetime use: raise a lifetime answer below a pair's value."""
    for rule in plan.pair_rules:
        for r, life in zip(rule.recent, rule.lifetime):
            bad = (codes[r] >= rule.value) & (codes[life] < rule.value)
            if not bad.any():
                continue
            if np.array_equal(plan.codes[r], plan.codes[life]):
                codes[life, bad] = codes[r, bad]
            else:
                at_least = plan.codes_at_least(int(life), rule.value)
                if at_least.size:
                    codes[life, bad] = at_least[0]


def _lower(plan: GenPlan, codes: np.ndarray, j: int, value: int, where: np.ndarray) -> None:
    below = plan.code_below(j, value)
    if below is not None and where.any():
        codes[j, where] = below


def _lower_code_rules(plan: GenPlan, codes: np.ndarray) -> None:
    for rule in plan.code_rules:
        hit = codes[rule.items] >= rule.value
        if rule.rule == "any_at_least":
            lower = hit
        elif rule.rule == "all_at_least":
            lower = np.zeros_like(hit)
            lower[0] = hit.all(axis=0)
        else:
            lower = hit & (np.cumsum(hit, axis=0) >= rule.count)
        for k, j in enumerate(rule.items):
            _lower(plan, codes, int(j), rule.value, lower[k])


def _lower_recent(plan: GenPlan, codes: np.ndarray) -> None:
    for rule in plan.pair_rules:
        for r, life in zip(rule.recent, rule.lifetime):
            _lower(plan, codes, int(r), rule.value, (codes[r] >= rule.value) & (codes[life] < rule.value))


def match_onset(plan: GenPlan, codes: np.ndarray, grades: np.ndarray) -> None:
    """Age-of-onset answers agree with lifetime use: "never" for students who never
    used, an onset no older than the student for those who did (started this year
    when the latent said never). Only for onset items with the 0–8 onset values."""
    for j, life in plan.onset:
        values = plan.values[j]
        if sorted(int(v) for v in values) != list(range(9)):
            continue
        value_of = dict(zip(plan.codes[j].tolist(), values.tolist()))
        code_of = {int(v): int(c) for c, v in value_of.items()}
        val = np.array([value_of.get(int(c), 0) for c in range(int(max(value_of)) + 1)])[codes[j]]
        never_used = codes[life] == plan.codes[life][np.argmin(plan.values[life])]
        codes[j, never_used] = code_of[0]
        need = np.clip(ONSET_AGE - OLDEST_IN_GRADE - grades.astype(np.int64), 1, 8)
        fix = ~never_used & (val < need)
        codes[j, fix] = np.array([code_of[int(v)] for v in range(9)])[need[fix]]


def repair(plan: GenPlan, codes: np.ndarray) -> None:
    """Make complete answers pass every code and pair rule: raise lifetime use to match
    recent use, lower answers that would trigger a code rule, then lower recent use that
    lost its lifetime use. Each step only lowers what the earlier ones checked."""
    _raise_lifetime(plan, codes)
    _lower_code_rules(plan, codes)
    _lower_recent(plan, codes)


def missingness(
    plan: GenPlan, opts: SimulationOptions, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(no answer, written as a missing code) masks, items × rows.

    Item non-response rises with the item's position (fatigue) and averages
    ``missing_share``; a ``block_skip_share`` of respondents leave one whole section
    empty. No respondent crosses a ``missing_share_above`` rule here.
    """
    k = plan.n_items
    has_code = np.array([m.size > 0 for m in plan.missing_codes])
    position = 0.5 + np.arange(k) / max(k - 1, 1)
    p = (opts.missing_share * position).astype(np.float32)
    u = rng.random((k, n), dtype=np.float32)
    na = u < p[:, None]
    coded = u < (p * np.float32(opts.missing_code_share))[:, None]
    skip = rng.random(n) < opts.block_skip_share
    block = rng.integers(0, max(len(plan.sections), 1), size=n)
    coded_row = rng.random(n) < opts.missing_code_share
    if plan.sections and skip.any():
        blocked = (plan.section[:, None] == block[None, :]) & skip[None, :]
        na |= blocked
        coded |= blocked & coded_row[None, :]
    coded &= has_code[:, None]
    for _, share in plan.missing_rules:
        over = na.sum(axis=0) > share * k
        na[:, over] = False
        coded[:, over] = False
    return na, coded


def _answer(codes: np.ndarray, na: np.ndarray, coded: np.ndarray, j: int, rows: np.ndarray, values: np.ndarray) -> None:
    codes[j, rows] = values
    na[j, rows] = False
    coded[j, rows] = False


def _pick(rng: np.random.Generator, options: np.ndarray, size: int) -> np.ndarray:
    return options[rng.integers(0, len(options), size=size)]


def _trigger_code_rule(
    plan: GenPlan, spec: CodeRuleSpec, rows: np.ndarray, codes: np.ndarray, na: np.ndarray, coded: np.ndarray, rng: np.random.Generator
) -> None:
    k = len(spec.items)
    if spec.rule == "any_at_least":
        chosen = np.zeros((k, len(rows)), dtype=bool)
        chosen[rng.integers(0, k, size=len(rows)), np.arange(len(rows))] = True
    elif spec.rule == "all_at_least":
        chosen = np.ones((k, len(rows)), dtype=bool)
    else:
        order = np.argsort(np.argsort(rng.random((k, len(rows))), axis=0), axis=0)
        chosen = order < spec.count
    for p, j in enumerate(spec.items):
        sel = rows[chosen[p]]
        if sel.size:
            _answer(codes, na, coded, int(j), sel, _pick(rng, plan.codes_at_least(int(j), spec.value), sel.size))


def _trigger_pair(
    plan: GenPlan, spec: PairRuleSpec, rows: np.ndarray, codes: np.ndarray, na: np.ndarray, coded: np.ndarray, rng: np.random.Generator
) -> None:
    which = rng.integers(0, len(spec.recent), size=len(rows))
    for p, (r, life) in enumerate(zip(spec.recent, spec.lifetime)):
        sel = rows[which == p]
        below = plan.code_below(int(life), spec.value)
        if not sel.size or below is None:
            continue
        _answer(codes, na, coded, int(r), sel, _pick(rng, plan.codes_at_least(int(r), spec.value), sel.size))
        _answer(codes, na, coded, int(life), sel, np.full(sel.size, below))


def _trigger_missing(
    plan: GenPlan, share: float, rows: np.ndarray, na: np.ndarray, coded: np.ndarray, opts: SimulationOptions, rng: np.random.Generator
) -> None:
    k = plan.n_items
    least = int(np.floor(share * k)) + 1
    count = least + rng.integers(0, max(k - least, 0) + 1, size=len(rows))
    rank = np.argsort(np.argsort(rng.random((k, len(rows))), axis=0), axis=0)
    blank = rank < np.minimum(count, k)[None, :]
    has_code = np.array([m.size > 0 for m in plan.missing_codes])
    na[:, rows] = blank
    coded[:, rows] = blank & (rng.random((k, len(rows))) < opts.missing_code_share) & has_code[:, None]


def make_invalid(
    plan: GenPlan, invalid: np.ndarray, codes: np.ndarray, na: np.ndarray, coded: np.ndarray, opts: SimulationOptions, rng: np.random.Generator
) -> None:
    """Make each respondent marked invalid fail the validity rule it was given."""
    for r, (kind, spec) in enumerate(plan.validity):
        rows = np.flatnonzero(invalid == r)
        if not rows.size:
            continue
        if isinstance(spec, CodeRuleSpec):
            _trigger_code_rule(plan, spec, rows, codes, na, coded, rng)
            if spec.rule == "count_at_least":  # exaggerating, not inconsistent: keep lifetime ≥ recent
                sub = codes[:, rows]
                _raise_lifetime(plan, sub)
                codes[:, rows] = sub
        elif isinstance(spec, PairRuleSpec):
            _trigger_pair(plan, spec, rows, codes, na, coded, rng)
        elif kind == "missing_share_above" and spec is not None:
            _trigger_missing(plan, float(spec), rows, na, coded, opts, rng)  # type: ignore[arg-type]
