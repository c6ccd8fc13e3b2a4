"""Raw answers → clean code and value matrices, plus the invalid cells for the check report.

Per the format: empty/NaN and the response set's ``missing`` codes are missing; a
value that is neither a code nor missing is *invalid* — reported, then treated as
missing. Text that is not a number ("x", "yes") is reported as ``non-numeric-code``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..checks import invalid_cells
from ..codetables import classify
from .plan import Plan


@dataclass(frozen=True)
class CleanCodes:
    codes: np.ndarray  # float64 (rows × items): the answer code; NaN = no usable answer
    values: np.ndarray  # float64 (rows × items): the code's value (response set ``values``); NaN likewise
    problems: pd.DataFrame  # invalid/non-numeric cells: code, row, respondent, column, value, message
    absent: tuple[str, ...]  # item ids with no column in the data (all missing)


def clean_codes(frame: pd.DataFrame, plan: Plan, item_columns: Mapping[str, str | None],
                respondent: pd.Series | None = None) -> CleanCodes:
    """``item_columns`` maps item id → column in ``frame`` (absent items are all missing)."""
    names = [item_columns.get(i) for i in plan.item_ids]
    columns = [frame[c] if c is not None and c in frame.columns else None for c in names]
    result = classify(columns, plan.tables, len(frame))
    problems = invalid_cells(result, columns, [str(c) for c in names], frame.index, respondent)
    absent = tuple(i for i, c in zip(plan.item_ids, columns, strict=True) if c is None)
    return CleanCodes(result.codes, result.values, problems, absent)
