from __future__ import annotations

import pandas as pd

from ctc.scoring import score_frame
from ctc.scoring.audit import audit_counts, finish_audit, screening_audit

BASE = {"school": "S", "gender": "f", "a1": 2, "a2": 2, "Q_A3": 3, "b1": 1, "b2": 1, "use_life": 1, "use_30d": 1, "fake": 1}


def _scored(mini, rows):
    frame = pd.DataFrame([{**BASE, "rid": k, **r} for k, r in enumerate(rows)])
    return score_frame(frame, mini)


def _get(audit, muni, grade, rule, col):
    m = (audit["municipality"] == muni) & (audit["grade"] == grade) & (audit["rule"] == rule)
    return audit.loc[m, col].item()


def test_counts_overlaps_and_total(mini) -> None:
    rows = [
        {"town": "A", "grade": 6, "fake": 2},  # fictitious only
        {"town": "A", "grade": 6, "fake": 2, "use_30d": 2},  # fictitious + inconsistent (life=1)
        {"town": "A", "grade": 8},  # valid
        {"town": "B", "grade": 7},  # grade out of range only
        {"town": "B", "grade": 8, "use_30d": 3},  # inconsistent only
    ]
    audit = screening_audit(_scored(mini, rows), mini)
    assert _get(audit, "A", "6", "fictitious", "flagged") == 2
    assert _get(audit, "A", "6", "fictitious", "only_this_rule") == 1
    assert _get(audit, "A", "6", "fictitious", "with_other_rules") == 1
    assert _get(audit, "A", "all", "(excluded)", "flagged") == 2
    assert _get(audit, "A", "all", "(excluded)", "respondents") == 3
    assert _get(audit, "all", "all", "inconsistent", "flagged") == 2
    assert _get(audit, "all", "all", "grade", "flagged") == 1
    assert _get(audit, "all", "all", "(excluded)", "flagged") == 4
    assert _get(audit, "all", "all", "(excluded)", "pct") == 80.0


def test_chunked_counts_add_up_to_the_whole(mini) -> None:
    rows = [{"town": t, "grade": g, "fake": f} for t in "AB" for g in (6, 8) for f in (1, 2, 2)]
    scored = _scored(mini, rows)
    whole = screening_audit(scored, mini)
    parts = pd.concat([audit_counts(scored.iloc[:5], mini), audit_counts(scored.iloc[5:], mini)])
    pd.testing.assert_frame_equal(finish_audit(parts, mini), whole)
