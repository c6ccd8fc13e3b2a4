"""A deliberately plain scorer for tests: one respondent at a time, straight from the
rules in docs/instrument-format.md, sharing no code with ctc.scoring.

Slow (pure Python), so only for a few thousand rows; the fast kernel must agree with it
on every score, flag, outcome and screen.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ctc.instrument.model import Instrument


def parse_code(raw: Any) -> float | None:
    """The number in a cell, or None for empty cells and text that is not a number."""
    if raw is None or raw is pd.NA or (isinstance(raw, float) and math.isnan(raw)):
        return None
    text = str(raw).strip()
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return None if math.isnan(value) else value


def answer(raw: Any, codes: dict) -> int | None:
    """The answer code of a cell, or None (empty, missing code, invalid, not a number)."""
    value = parse_code(raw)
    if value is None or not math.isfinite(value) or value != int(value) or int(value) not in codes:
        return None
    return int(value)


def _code_rule(kind: str, codes: list[int | None], value: float, count: int = 1) -> bool | None:
    hits = sum(1 for c in codes if c is not None and c >= value)
    missing = sum(1 for c in codes if c is None)
    if kind == "any_at_least":
        return True if hits else (None if missing else False)
    if kind == "all_at_least":
        return None if missing else hits == len(codes)
    if hits >= count:  # count_at_least
        return True
    return False if hits + missing < count else None


def score_row(row: dict, inst: Instrument) -> dict[str, Any]:
    codes = {}
    for item in inst.items:
        rs = inst.response_sets[item.response_set]
        codes[item.id] = answer(row.get(item.source_column), rs.codes)
    grade_value = parse_code(row.get(inst.columns.grade)) if inst.columns.grade else None
    grade = int(grade_value) if grade_value is not None and grade_value == int(grade_value) else None
    out: dict[str, Any] = {}
    flags: dict[str, bool | None] = {}
    for s in inst.scales:
        values = []
        for i in s.items:
            c = codes[i]
            if c is None:
                continue
            rs = inst.response_set_of(i)
            v = rs.value_of(c)
            if i in s.reverse:
                low, high = rs.value_range
                v = low + high - v
            values.append(v)
        if len(values) < s.min_valid or not values:
            score = math.nan
        elif s.method == "mean":
            score = sum(values) / len(values)
        elif s.method == "sum":
            score = sum(values) * (len(s.items) / len(values))
        else:
            score = max(values)
        cut = s.cutpoint.get(grade) if isinstance(s.cutpoint, dict) else s.cutpoint
        if math.isnan(score) or cut is None:
            flag = None
        else:
            flag = score >= cut if s.direction == "at_or_above" else score > cut
        out[f"score.{s.id}"] = score
        out[f"flag.{s.id}"] = flag
        flags[s.id] = flag
    for o in inst.outcomes:
        if o.rule == "scale_flag":
            out[f"outcome.{o.id}"] = flags[o.scale]
        else:
            out[f"outcome.{o.id}"] = _code_rule(o.rule, [codes[i] for i in o.items], float(o.value), getattr(o, "count", 1))
    for r in inst.validity:
        if r.rule == "recent_without_lifetime":
            hit = any(codes[a] is not None and codes[a] >= r.value and codes[b] is not None and codes[b] < r.value
                      for a, b in r.pairs)
        elif r.rule == "missing_share_above":
            hit = sum(1 for c in codes.values() if c is None) / len(codes) > r.share
        elif r.rule == "grade_not_in_instrument":
            hit = grade not in inst.grades
        else:
            hit = _code_rule(r.rule, [codes[i] for i in r.items], float(r.value), getattr(r, "count", 1)) is True
        out[f"screen.{r.id}"] = hit
    return out


def reference_scores(frame: pd.DataFrame, inst: Instrument) -> pd.DataFrame:
    return pd.DataFrame([score_row(row, inst) for row in frame.to_dict("records")], index=frame.index)


def assert_matches_reference(scored: pd.DataFrame, reference: pd.DataFrame) -> None:
    """Every reference column equals the scored one (scores to 1e-12, the rest exactly)."""
    for column in reference.columns:
        got, want = scored[column].tolist(), reference[column].tolist()
        for k, (g, w) in enumerate(zip(got, want, strict=True)):
            if column.startswith("score."):
                both_nan = (g is None or g is pd.NA or math.isnan(g)) and math.isnan(w)
                assert both_nan or math.isclose(g, w, rel_tol=1e-12, abs_tol=1e-12), (column, k, g, w)
            elif w is None:
                assert g is pd.NA or g is None, (column, k, g, w)
            else:
                assert g is not pd.NA and bool(g) == w, (column, k, g, w)
