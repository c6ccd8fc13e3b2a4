from __future__ import annotations

import pandas as pd
import pytest

from ctc.profile.indicators import Indicator
from ctc.spec import Text


def synthetic_scored(cells: dict[tuple[str, int, str], tuple[int, int]], seed: int = 0) -> pd.DataFrame:
    """A scored frame with one risk indicator 'x': cells (municipality, grade, gender) → (n, flagged)."""
    rows = []
    rid = 0
    for (muni, grade, gender), (n, k) in cells.items():
        for j in range(n):
            rows.append({"respondent": rid, "municipality": muni, "school": f"{muni}-s", "grade": grade,
                         "gender": gender, "excluded": False, "flag.x": j < k})
            rid += 1
    frame = pd.DataFrame(rows)
    frame["grade"] = frame["grade"].astype("Int64")
    frame["flag.x"] = frame["flag.x"].astype("boolean")
    return frame


X = (Indicator("risk", "x", Text.model_validate({"en": "X factor", "de": "X-Faktor"}), "family", "flag.x"),)


@pytest.fixture
def x_indicator():
    return X


@pytest.fixture
def make_scored():
    return synthetic_scored
