"""Properties: scores stay in the scale's range; scoring does not depend on row order."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ctc.instrument import load_instrument
from ctc.scoring import score_frame

MINI = load_instrument(__import__('pathlib').Path(__file__).parents[1] / 'data' / 'mini.yaml')

# any code of the response set, a missing code, an invalid code, or empty
AGREE = st.sampled_from([1, 2, 3, 4, 9, 7, None])
YESNO = st.sampled_from([1, 2, 5, None])
OCC = st.sampled_from([1, 2, 3, 4, None])
ROW = st.fixed_dictionaries({
    "grade": st.sampled_from([6, 8, 7, None]), "a1": AGREE, "a2": AGREE, "Q_A3": AGREE,
    "b1": YESNO, "b2": YESNO, "use_life": OCC, "use_30d": OCC, "fake": OCC,
})


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame.insert(0, "rid", range(len(frame)))
    frame["town"], frame["school"], frame["gender"] = "T", "S", "f"
    return frame


def _scale_range(inst, scale) -> tuple[float, float]:
    lows = [inst.response_set_of(i).value_range[0] for i in scale.items]
    highs = [inst.response_set_of(i).value_range[1] for i in scale.items]
    if scale.method == "sum":
        return sum(lows), sum(highs)
    return min(lows), max(highs)


@settings(max_examples=60, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=40))
def test_scores_stay_within_the_scale_range(rows) -> None:
    out = score_frame(_frame(rows), MINI)
    for scale in MINI.scales:
        lo, hi = _scale_range(MINI, scale)
        scores = out[f"score.{scale.id}"].dropna()
        assert ((scores >= lo - 1e-12) & (scores <= hi + 1e-12)).all(), (scale.id, scores.tolist())


@settings(max_examples=40, deadline=None)
@given(st.lists(ROW, min_size=2, max_size=40), st.randoms(use_true_random=False))
def test_scoring_is_independent_of_row_order(rows, rnd) -> None:
    frame = _frame(rows)
    order = list(range(len(frame)))
    rnd.shuffle(order)
    a = score_frame(frame, MINI).set_index("respondent").sort_index()
    b = score_frame(frame.iloc[order].reset_index(drop=True), MINI).set_index("respondent").sort_index()
    pd.testing.assert_frame_equal(a, b)


def test_reversing_twice_is_identity(mini) -> None:
    table = [s for s in mini.scales if s.reverse][0]
    rs = mini.response_set_of(table.reverse[0])
    lo, hi = rs.value_range
    values = np.array([rs.value_of(c) for c in rs.codes])
    assert np.array_equal((lo + hi) - ((lo + hi) - values), values)
