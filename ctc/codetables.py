"""Classifying raw answer values against response sets, on whole matrices.

Codes are integers. Every column gets a slice of one packed look-up table indexed by
``code - low``: is the code an answer, a missing code or invalid, and what value does
it have. Used by the scorer (every item of an instrument) and by
:func:`ctc.checks.find_invalid_codes` (any set of columns).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

INVALID, ANSWER, MISSING = 0, 1, 2


@dataclass(frozen=True)
class CodeTables:
    low: np.ndarray  # (columns,) smallest code (answer or missing)
    high: np.ndarray  # (columns,) largest
    offset: np.ndarray  # (columns,) start of the column's slice; the tables' last entry is a sentinel
    state: np.ndarray  # INVALID / ANSWER / MISSING per packed entry
    value: np.ndarray  # value per packed entry (NaN unless ANSWER)

    def answer_codes(self, j: int) -> np.ndarray:
        return self._codes(j, ANSWER)

    def missing_codes(self, j: int) -> np.ndarray:
        return self._codes(j, MISSING)

    def _codes(self, j: int, kind: int) -> np.ndarray:
        part = slice(self.offset[j], self.offset[j] + self.high[j] - self.low[j] + 1)
        return np.flatnonzero(self.state[part] == kind) + self.low[j]


def pack(sets: Sequence[tuple[Iterable[int], Iterable[int], Mapping[int, float] | None]]) -> CodeTables:
    """Tables for columns given as (answer codes, missing codes, code → value or None)."""
    lows, highs, offsets, states, values = [], [], [], [], []
    start = 0
    for answers, missing, mapping in sets:
        answers, missing = [int(c) for c in answers], [int(c) for c in missing]
        every = answers + missing or [0]
        low, high = min(every), max(every)
        state = np.full(high - low + 1, INVALID, dtype=np.int8)
        value = np.full(high - low + 1, np.nan)
        for code in answers:
            state[code - low] = ANSWER
            value[code - low] = float(mapping[code]) if mapping is not None else float(code)
        for code in missing:
            state[code - low] = MISSING
        lows.append(low), highs.append(high), offsets.append(start), states.append(state), values.append(value)
        start += len(state)
    states.append(np.array([INVALID], dtype=np.int8))  # sentinel for anything out of range
    values.append(np.array([np.nan]))
    return CodeTables(np.array(lows, dtype=np.int64), np.array(highs, dtype=np.int64), np.array(offsets, dtype=np.int64),
                      np.concatenate(states), np.concatenate(values))


@dataclass(frozen=True)
class Classified:
    codes: np.ndarray  # float64 (rows × columns): answer codes; NaN otherwise
    values: np.ndarray  # float64: the answer's value; NaN otherwise
    invalid: np.ndarray  # bool: a value was given that is neither an answer nor a missing code
    non_numeric: np.ndarray  # bool: ... and it was not a number at all


def _numeric(col: pd.Series) -> tuple[np.ndarray, np.ndarray | None]:
    """Column → float array, and (for text columns) a mask of non-numeric text."""
    if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
        return col.to_numpy(dtype=np.float64, na_value=np.nan), None
    text = col.astype("string").str.strip()
    text = text.mask(text == "")
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return values, text.notna().to_numpy() & np.isnan(values)


def classify(columns: Sequence[pd.Series | None], tables: CodeTables, n: int) -> Classified:
    """Classify every cell; ``None`` columns are absent (all missing)."""
    raw = np.full((n, len(columns)), np.nan, order="F")  # column-major: each column is one block
    non_numeric = np.zeros((n, len(columns)), dtype=bool, order="F")
    for j, col in enumerate(columns):
        if col is None:
            continue
        raw[:, j], text = _numeric(col)
        if text is not None:
            non_numeric[:, j] = text
    with np.errstate(invalid="ignore"):
        pos = raw - tables.low  # position within the column's slice
        whole = pos.astype(np.int64)  # NaN → garbage, masked by `pos == whole` below
        # integral and 0 <= pos <= span in two comparisons (negatives wrap to huge unsigned)
        in_range = (whole == pos) & (whole.view(np.uint64) <= (tables.high - tables.low).astype(np.uint64))
    idx = np.where(in_range, whole + tables.offset, len(tables.state) - 1).astype(np.int32)
    state = tables.state[idx]
    invalid = (~np.isnan(raw) & (state == INVALID)) | non_numeric
    return Classified(np.where(state == ANSWER, raw, np.nan), tables.value[idx], invalid, non_numeric)
