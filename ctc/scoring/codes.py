"""Raw answers → a clean matrix of valid codes, plus the invalid cells for the check report.

Per the format: empty/NaN and the response set's ``missing`` codes are missing; a
value that is neither a code nor missing is *invalid* — reported, then treated as
missing. Non-numeric text ("x", "yes") is reported as ``non-numeric-code``.
The per-column work is :func:`ctc.checks.find_invalid_codes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..checks import find_invalid_codes
from .plan import Plan


@dataclass(frozen=True)
class CleanCodes:
    codes: np.ndarray  # float64 (rows × items); NaN = no usable answer
    problems: pd.DataFrame  # invalid/non-numeric cells: code, row, respondent, column, value, message
    absent: tuple[str, ...]  # item ids with no column in the data (all missing)


def clean_codes(frame: pd.DataFrame, plan: Plan, item_columns: Mapping[str, str | None],
                respondent: pd.Series | None = None) -> CleanCodes:
    """``item_columns`` maps item id → column in ``frame`` (absent items are all missing)."""
    present = {i: c for i, c in item_columns.items() if c is not None and c in frame.columns}
    raw = pd.DataFrame({c: frame[c] for c in present.values()}, index=frame.index)
    allowed = {present[i]: plan.tables[plan.item_pos[i]].codes for i in present}
    missing = {present[i]: plan.tables[plan.item_pos[i]].missing for i in present}
    problems, clean = find_invalid_codes(raw, allowed, missing, respondent=respondent)
    codes = np.full((len(frame), len(plan.item_ids)), np.nan)
    for item, column in present.items():
        codes[:, plan.item_pos[item]] = clean[column].to_numpy(dtype=np.float64)
    absent = tuple(i for i in plan.item_ids if i not in present)
    return CleanCodes(codes, problems, absent)
