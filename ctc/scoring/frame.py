"""Scoring one chunk of a file (or one DataFrame): the pure core of ``ctc score``.

:func:`score_chunk` gives a :class:`Scored` chunk; it turns into the documented
respondent-level output (``docs/scoring.md``) as pandas (:meth:`Scored.to_pandas`) or
Arrow (:meth:`Scored.to_arrow`), whole or only the columns a caller needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from ..checks import as_text, invalid_cells
from ..instrument.model import Instrument
from ..io.chunk import Chunk, FrameChunk
from ..io.names import normalise_labels
from .kernel import UNKNOWN, YES, KernelResult, score_columns
from .plan import Plan, compile_plan

ROLES = ("respondent", "municipality", "school", "grade", "gender", "weight", "wave",
         "stratum", "schools_population", "enrolled")

#: roles whose values name groups: one spelling each (NFC, white space collapsed, see ctc.io.names)
LABEL_ROLES = ("municipality", "school", "gender", "stratum")
#: numeric roles (text that is not a number becomes missing and is refused by the profile)
NUMBER_ROLES = ("weight", "schools_population", "enrolled")

Select = Callable[[str], bool] | None


def numeric_grades(series: pd.Series) -> np.ndarray:
    """Grades as floats; text that is not a whole number becomes NaN (reported elsewhere)."""
    if not pd.api.types.is_numeric_dtype(series.dtype):
        series = pd.to_numeric(series.astype("string").str.strip(), errors="coerce")
    arr = np.array(series.to_numpy(dtype=np.float64, na_value=np.nan), copy=True)  # pandas may hand out a read-only view
    with np.errstate(invalid="ignore"):  # inf - inf
        arr[~(np.abs(arr - np.round(arr)) == 0)] = np.nan
    return arr


def _meta(chunk: Chunk, roles: Mapping[str, str], grades: np.ndarray) -> pd.DataFrame:
    meta = {}
    for role in ROLES:
        column = roles.get(role)
        if column is None or column not in chunk.columns:
            continue
        col = chunk.series(column)
        if role == "grade":
            meta[role] = pd.array(grades, dtype="Float64").astype("Int64")
        elif role in NUMBER_ROLES:
            meta[role] = pd.to_numeric(col, errors="coerce").astype("Float64")
        else:
            # labels as text in every format: SPSS stores 17 as 17.0, CSV as "17" or "017"
            meta[role] = normalise_labels(as_text(col)) if role in LABEL_ROLES else as_text(col)
    return pd.DataFrame(meta, index=chunk.index)


@dataclass(frozen=True)
class Scored:
    """One scored chunk: metadata columns, the kernel's arrays and the invalid cells."""

    inst: Instrument
    meta: pd.DataFrame  # role-named metadata columns, on the chunk's index
    result: KernelResult
    problems: pd.DataFrame  # invalid/non-numeric cells: code, row, respondent, column, value, message
    absent: tuple[str, ...]  # item ids with no column in the data (all missing)

    def __len__(self) -> int:
        return len(self.meta)

    @property
    def index(self) -> pd.Index:
        return self.meta.index

    @property
    def excluded(self) -> np.ndarray:
        return self.result.excluded

    def columns(self) -> list[str]:
        """Output column names, in the documented order."""
        inst = self.inst
        return [*self.meta.columns, "excluded", *(f"screen.{r.id}" for r in inst.validity),
                *(f"score.{s.id}" for s in inst.scales), *(f"flag.{s.id}" for s in inst.scales),
                *(f"outcome.{o.id}" for o in inst.outcomes), "risk_count", "protection_count"]

    def _parts(self, name: str) -> tuple[np.ndarray, np.ndarray | None, str]:
        """(values, known or None, kind) of an output column; kind: bool, float, int."""
        r, inst = self.result, self.inst
        prefix, _, key = name.partition(".")
        if name == "excluded":
            return r.excluded, None, "bool"
        if prefix == "screen":
            return r.screens[_pos(inst.validity, key)], None, "bool"
        if prefix == "score":
            return r.scores[_pos(inst.scales, key)], None, "float"
        if prefix in ("flag", "outcome"):
            code = r.flags[_pos(inst.scales, key)] if prefix == "flag" else r.outcomes[_pos(inst.outcomes, key)]
            return code == YES, code != UNKNOWN, "bool"
        if name in ("risk_count", "protection_count"):
            kind = "risk" if name == "risk_count" else "protective"
            count, known = np.zeros(len(self), dtype=np.int64), np.zeros(len(self), dtype=bool)
            for s, code in zip(inst.scales, r.flags, strict=True):
                if s.kind == kind:
                    count += code == YES
                    known |= code != UNKNOWN
            return count, known, "int"
        raise KeyError(name)

    def to_pandas(self, select: Select = None) -> pd.DataFrame:
        """The output as pandas: BooleanArray flags/outcomes, Int64 counts, NaN scores."""
        cols: dict[str, object] = {}
        for name in self.columns():
            if select is not None and not select(name):
                continue
            if name in self.meta.columns:
                col = self.meta[name]
                # text columns stay Arrow strings: to_numpy() made a million Python strings that the
                # frame then turned back into Arrow strings (the same values and dtype, twice the work)
                cols[name] = col.array if name == "grade" or isinstance(col.dtype, pd.StringDtype) else col.to_numpy()
                continue
            values, known, kind = self._parts(name)
            if kind == "bool" and known is not None:
                cols[name] = pd.arrays.BooleanArray(values, ~known)
            elif kind == "int":
                cols[name] = pd.arrays.IntegerArray(values, ~known)
            else:
                cols[name] = values
        return pd.DataFrame(cols, index=self.index)

    def to_arrow(self, select: Select = None) -> pa.Table:
        """The output as an Arrow table (the Parquet schema): nulls where pandas has NA/NaN."""
        arrays, names = [], []
        for name in self.columns():
            if select is not None and not select(name):
                continue
            if name in self.meta.columns:
                arrays.append(pa.array(self.meta[name], from_pandas=True))
            else:
                values, known, kind = self._parts(name)
                if kind == "float":
                    known = ~np.isnan(values)  # NaN → null
                arrays.append(_arrow(values, known, kind))
            names.append(name)
        return pa.Table.from_arrays(arrays, names=names)


_ARROW_TYPES = {"bool": pa.bool_(), "float": pa.float64(), "int": pa.int64()}


def _bits(mask: np.ndarray) -> pa.Buffer:
    return pa.py_buffer(np.packbits(mask, bitorder="little"))


def _arrow(values: np.ndarray, known: np.ndarray | None, kind: str) -> pa.Array:
    """An Arrow array straight from numpy buffers (bit-packing the masks ourselves is
    several times faster than ``pa.array(values, mask=...)``)."""
    n = len(values)
    validity = None if known is None or known.all() else _bits(known)
    data = _bits(values) if kind == "bool" else pa.py_buffer(np.ascontiguousarray(values))
    return pa.Array.from_buffers(_ARROW_TYPES[kind], n, [validity, data])


def _pos(entries: tuple, key: str) -> int:
    for k, e in enumerate(entries):
        if e.id == key:
            return k
    raise KeyError(key)


def score_chunk(chunk: Chunk | pd.DataFrame, inst: Instrument, plan: Plan, roles: Mapping[str, str],
                items: Mapping[str, str | None], *, threads: int | None = None) -> Scored:
    """Score one chunk. ``roles``: role → column; ``items``: item id → column (None: absent)."""
    if isinstance(chunk, pd.DataFrame):
        chunk = FrameChunk(chunk)
    names = [items.get(i) for i in plan.item_ids]
    columns = [chunk.raw(c) if c is not None and c in chunk.columns else None for c in names]
    grade = roles.get("grade")
    grades = numeric_grades(chunk.series(grade)) if grade in chunk.columns else np.full(len(chunk), np.nan)
    result = score_columns(columns, grades, plan, threads=threads)
    respondent = chunk.series(roles["respondent"]) if roles.get("respondent") in chunk.columns else None
    problems = invalid_cells(result.invalid_rows, result.invalid_items, result.non_numeric, columns,
                             [str(c) for c in names], chunk.index, respondent)
    absent = tuple(i for i, c in zip(plan.item_ids, columns, strict=True) if c is None)
    return Scored(inst, _meta(chunk, roles, grades), result, problems, absent)


def output_frame(scored: Scored, inst: Instrument | None = None) -> pd.DataFrame:
    """The documented respondent-level output of ``ctc score`` (see docs/scoring.md)."""
    return scored.to_pandas()


def default_columns(inst: Instrument) -> tuple[dict[str, str], dict[str, str]]:
    """(role → column, item → column) as the instrument names them."""
    return inst.columns.present(), {i.id: i.source_column for i in inst.items}


def score_frame(
    frame: pd.DataFrame,
    inst: Instrument,
    roles: Mapping[str, str] | None = None,
    items: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Score a DataFrame that uses the instrument's column names (or the given ones).

    No file I/O, no checks report: the building block for notebooks and tests.
    """
    default_roles, default_items = default_columns(inst)
    scored = score_chunk(frame, inst, compile_plan(inst), roles or default_roles, items or default_items)
    return scored.to_pandas()
