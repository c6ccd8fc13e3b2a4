"""Raw answers → a clean matrix of valid codes.

Per the format: empty/NaN and the response set's ``missing`` codes are missing; a
value that is neither a code nor missing is *invalid* — reported, then treated as
missing. Non-numeric text ("x", "yes") counts as invalid too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .plan import Plan


@dataclass(frozen=True)
class CleanCodes:
    codes: np.ndarray  # float64 (rows × items); NaN = no usable answer
    invalid: np.ndarray  # bool (rows × items): a value was given but is not a code
    non_numeric: np.ndarray  # bool (rows × items): the value was not a number at all
    absent: tuple[str, ...]  # item ids with no column in the data (all missing)


def _numeric(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Column → float array, plus a mask of cells that held non-numeric text."""
    if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
        return col.to_numpy(dtype=np.float64, na_value=np.nan), np.zeros(len(col), dtype=bool)
    as_text = col.astype("string").str.strip()
    as_text = as_text.mask(as_text == "")
    num = pd.to_numeric(as_text, errors="coerce")
    values = num.to_numpy(dtype=np.float64, na_value=np.nan)
    return values, (as_text.notna().to_numpy() & np.isnan(values))


def clean_codes(frame: pd.DataFrame, plan: Plan, item_columns: dict[str, str]) -> CleanCodes:
    """``item_columns`` maps item id → column in ``frame`` (absent items are all missing)."""
    n, k = len(frame), len(plan.item_ids)
    codes = np.full((n, k), np.nan)
    invalid = np.zeros((n, k), dtype=bool)
    non_numeric = np.zeros((n, k), dtype=bool)
    absent = []
    for j, item in enumerate(plan.item_ids):
        column = item_columns.get(item)
        if column is None or column not in frame.columns:
            absent.append(item)
            continue
        values, text = _numeric(frame[column])
        table = plan.tables[j]
        given = ~np.isnan(values)
        is_missing = np.isin(values, table.missing)
        is_code = np.isin(values, table.codes)
        bad = given & ~is_missing & ~is_code
        codes[:, j] = np.where(is_code, values, np.nan)
        invalid[:, j] = bad | text
        non_numeric[:, j] = text
    return CleanCodes(codes, invalid, non_numeric, tuple(absent))
