"""Tiny data where every score, flag, outcome and screen is worked out by hand.

Instrument: tests/data/mini.yaml.
  conflict  = mean(a1, a2, 5 - a3), min_valid 2, risk if > 2.5
  bonding   = sum(a1, a2) prorated, min_valid 1, protected if >= 5 (grade 6) / >= 6 (grade 8)
  history   = max(b1, b2) with yes=1/no=0, min_valid 1, risk if > 0.5
Missing code for agree4: 9.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ctc.scoring import score_frame

NA = None
BASE = {"town": "T", "school": "S", "gender": "f", "grade": 6, "a1": 2, "a2": 2, "Q_A3": 3,
        "b1": 1, "b2": 1, "use_life": 1, "use_30d": 1, "fake": 1}


def score_rows(mini, *rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame([{**BASE, "rid": k, **r} for k, r in enumerate(rows)])
    return score_frame(frame, mini)


def one(mini, **row) -> pd.Series:
    return score_rows(mini, row).iloc[0]


def same(actual, expected) -> bool:
    if expected is None:
        return actual is pd.NA or (isinstance(actual, float) and math.isnan(actual))
    return actual == pytest.approx(expected) if isinstance(expected, float) else bool(actual) == expected


# (description, answers, expected {column: value})
CASES = [
    ("reverse keying: a3=1 counts as 4", dict(a1=2, a2=2, Q_A3=1), {"score.conflict": 8 / 3, "flag.conflict": True}),
    ("reverse keying: a3=4 counts as 1", dict(a1=2, a2=2, Q_A3=4), {"score.conflict": 5 / 3, "flag.conflict": False}),
    ("above: score exactly at cut-point 2.5 is not at risk", dict(a1=2, a2=3, Q_A3=NA), {"score.conflict": 2.5, "flag.conflict": False}),
    ("one answer below min_valid 2: no score, no flag", dict(a1=4, a2=NA, Q_A3=NA), {"score.conflict": None, "flag.conflict": None}),
    ("exactly min_valid answers: mean of those two", dict(a1=4, a2=NA, Q_A3=2), {"score.conflict": 3.5, "flag.conflict": True}),
    ("missing code 9 is missing, not a value", dict(a1=4, a2=9, Q_A3=9), {"score.conflict": None}),
    ("invalid code 7 is treated as missing", dict(a1=3, a2=7, Q_A3=2), {"score.conflict": 3.0}),
    ("non-numeric text is treated as missing", dict(a1="x", a2=3, Q_A3=2), {"score.conflict": 3.0}),
    ("sum is prorated: one of two answered", dict(a1=3, a2=NA), {"score.bonding": 6.0, "flag.bonding": True}),
    ("at_or_above: grade 6 cut 5, score exactly 5 protected", dict(a1=2, a2=3), {"score.bonding": 5.0, "flag.bonding": True}),
    ("per-grade cut: grade 8 cut 6, score 5 not protected", dict(grade=8, a1=2, a2=3), {"flag.bonding": False}),
    ("grade without a cut-point: score but no flag", dict(grade=7, a1=4, a2=4), {"score.bonding": 8.0, "flag.bonding": None}),
    ("max uses values not codes: yes=1", dict(b1=1, b2=2), {"score.history": 1.0, "flag.history": True}),
    ("max over the answered items only", dict(b1=NA, b2=1), {"score.history": 0.0, "flag.history": False}),
    ("max with nothing answered is missing", dict(b1=NA, b2=NA), {"score.history": None, "flag.history": None}),
    # outcomes
    ("any_at_least positive", dict(use_life=3), {"outcome.use_ever": True}),
    ("any_at_least negative", dict(use_life=1), {"outcome.use_ever": False}),
    ("any_at_least missing", dict(use_life=NA), {"outcome.use_ever": None}),
    ("all_at_least positive", dict(use_life=2, use_30d=2), {"outcome.use_both": True}),
    ("all_at_least negative", dict(use_life=2, use_30d=1), {"outcome.use_both": False}),
    ("all_at_least missing when any item is missing", dict(use_life=1, use_30d=NA), {"outcome.use_both": None}),
    ("count_at_least positive: 2 of 3 at >= 3", dict(use_life=3, use_30d=4, fake=1), {"outcome.use_two": True}),
    ("count_at_least negative: cannot reach 2 any more", dict(use_life=1, use_30d=NA, fake=1), {"outcome.use_two": False}),
    ("count_at_least missing: could still reach 2", dict(use_life=3, use_30d=NA, fake=1), {"outcome.use_two": None}),
    ("scale_flag follows the scale's flag", dict(a1=4, a2=4, Q_A3=1), {"outcome.conflicted": True}),
    ("scale_flag missing when the flag is", dict(a1=4, a2=NA, Q_A3=NA), {"outcome.conflicted": None}),
    # validity rules
    ("fictitious drug flags and excludes", dict(fake=2), {"screen.fictitious": True, "excluded": True}),
    ("fictitious drug missing does not flag", dict(fake=NA), {"screen.fictitious": False}),
    ("recent use without lifetime use flags", dict(use_30d=2, use_life=1), {"screen.inconsistent": True, "excluded": True}),
    ("recent use with lifetime missing does not flag", dict(use_30d=2, use_life=NA), {"screen.inconsistent": False}),
    ("recent use with lifetime use is consistent", dict(use_30d=2, use_life=2), {"screen.inconsistent": False, "excluded": False}),
    ("4 of 8 items missing is not more than half", dict(a1=NA, a2=NA, Q_A3=NA, b1=NA), {"screen.missing": False}),
    ("5 of 8 items missing is more than half", dict(a1=NA, a2=NA, Q_A3=NA, b1=NA, b2=NA), {"screen.missing": True}),
    ("grade not in the instrument", dict(grade=7), {"screen.grade": True, "excluded": True}),
    ("grade missing", dict(grade=NA), {"screen.grade": True}),
    ("grade as text '8' is grade 8", dict(grade="8"), {"screen.grade": False}),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_hand_computed(mini, case) -> None:
    _, answers, expected = case
    row = one(mini, **answers)
    for column, value in expected.items():
        assert same(row[column], value), (column, row[column], value)


def test_risk_and_protection_counts(mini) -> None:
    # conflict at risk (a3=1 → 4), history at risk (b2 yes), bonding protected (2+4=6 >= 5)
    row = one(mini, a1=2, a2=4, Q_A3=1, b1=1, b2=2)
    assert row["risk_count"] == 2 and row["protection_count"] == 1
    none = one(mini, a1=NA, a2=NA, Q_A3=NA, b1=NA, b2=NA)
    assert none["risk_count"] is pd.NA and none["protection_count"] is pd.NA


def test_output_columns_and_types(mini) -> None:
    out = score_rows(mini, {}, {"fake": 2})
    assert list(out.columns[:7]) == ["respondent", "municipality", "school", "grade", "gender", "excluded", "screen.fictitious"]
    assert out["excluded"].dtype == bool
    assert out["flag.conflict"].dtype == "boolean" and out["outcome.use_ever"].dtype == "boolean"
    assert out["score.conflict"].dtype == np.float64
    assert out["excluded"].tolist() == [False, True]
