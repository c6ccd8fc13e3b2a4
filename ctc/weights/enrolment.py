"""Enrolment files: population totals to weight a survey to, and the margins they declare.

An enrolment file has one column per grouping variable — survey columns such as
``wave``, ``municipality``, ``grade``, ``gender`` — and a column ``enrolled``
(``ctc simulate --weights`` writes one). Every row is a total for one combination of
the values it fills in; rows that leave the same variables empty belong to the same
*margin*. A file whose rows fill in every variable is one full table: post-stratification
uses its cells, raking collapses it to one margin per variable crossed with the *base*
variables (wave and municipality, when present). docs/weights.md describes the format.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..checks import as_text
from ..errors import DataError, UsageError
from ..io.names import normalise_labels
from ..io.read import read_survey
from ..scoring.frame import LABEL_ROLES, numeric_grades
from .algorithms import Margin

TOTAL = "enrolled"
#: variables every default raking margin is crossed with (the population is split by them)
BASE = ("wave", "municipality")
#: fewer respondents than this in a cell: reported with a collapse suggestion
TINY_CELL = 5

__all__ = ["CellProblem", "Enrolment", "group_keys", "read_enrolment"]


@dataclass(frozen=True)
class Enrolment:
    """The totals of an enrolment file: one table per declared margin (variables → totals)."""

    path: Path
    sha256: str
    tables: tuple[pd.DataFrame, ...]  # each: the margin's variables (text keys) + TOTAL (float)

    @property
    def variables(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for t in self.tables:
            seen.update(dict.fromkeys(c for c in t.columns if c != TOTAL))
        return tuple(seen)

    @property
    def total(self) -> float:
        return float(self.tables[0][TOTAL].sum())


@dataclass(frozen=True)
class CellProblem:
    """A cell with no or few respondents, and what to merge it with."""

    margin: str
    cell: tuple[str, ...]
    respondents: int
    enrolled: float
    suggestion: str


def group_keys(values: pd.Series, variable: str) -> pd.Series:
    """The text key of a grouping value, spelled as the profile spells it (grades as whole
    numbers, labels normalised), so that ``6`` and ``6.0`` or ``"Köln "`` and ``"Köln"`` meet."""
    if variable == "grade":
        arr = numeric_grades(values)
        return pd.Series(pd.array(arr, dtype="Float64").astype("Int64"), index=values.index).astype("string")
    text = as_text(values.astype("string") if values.dtype == object else values)
    return (normalise_labels(text) if variable in LABEL_ROLES else text).astype("string").str.strip()


def read_enrolment(path: str | Path) -> Enrolment:
    """Read and check an enrolment file; margins that contradict each other are an error."""
    info, frame = read_survey(path)
    if TOTAL not in frame.columns:
        raise DataError(f"{Path(path).name} has no column {TOTAL!r}",
                        hint=f"An enrolment file needs the grouping columns and a column {TOTAL!r} with the number of students.")
    variables = [c for c in frame.columns if c != TOTAL]
    if not variables:
        raise DataError(f"{Path(path).name} has no grouping columns", hint="Add e.g. municipality, grade and gender columns.")
    totals = pd.to_numeric(frame[TOTAL].astype("string").str.strip(), errors="coerce")
    bad = totals.isna() | (totals < 0)
    if bad.any():
        row = int(np.argmax(bad.to_numpy())) + 2
        raise DataError(f"{Path(path).name}: {TOTAL!r} must be a number ≥ 0 (line {row}: {frame[TOTAL].iloc[row - 2]!r})",
                        hint="Write the enrolled number of students in every row.")
    keys = pd.DataFrame({v: group_keys(frame[v], v) for v in variables})
    filled = keys.notna() & (keys != "")
    tables = []
    for pattern, rows in filled.groupby(list(variables), sort=False).groups.items():
        pattern = pattern if isinstance(pattern, tuple) else (pattern,)
        cols = [v for v, f in zip(variables, pattern, strict=True) if f]
        if not cols:
            continue
        table = keys.loc[rows, cols].assign(**{TOTAL: totals.loc[rows].to_numpy(dtype=float)})
        dup = table.duplicated(cols)
        if dup.any():
            cell = ", ".join(table.loc[dup, cols].iloc[0].astype(str))
            raise DataError(f"{Path(path).name}: the cell ({cell}) appears twice",
                            hint="Give every cell one row, or add up its rows.")
        tables.append(table.reset_index(drop=True))
    enrol = Enrolment(Path(path), info.sha256, tuple(tables))
    check_consistent(enrol)
    return enrol


def check_consistent(enrol: Enrolment, tolerance: float = 0.5) -> None:
    """Two margins must give the same totals for what they share (at least the grand total)."""
    for i, a in enumerate(enrol.tables):
        for b in enrol.tables[i + 1 :]:
            common = [c for c in a.columns if c in b.columns and c != TOTAL]
            sa = a.groupby(common)[TOTAL].sum() if common else pd.Series([a[TOTAL].sum()])
            sb = b.groupby(common)[TOTAL].sum() if common else pd.Series([b[TOTAL].sum()])
            joined = pd.concat([sa.rename("a"), sb.rename("b")], axis=1).fillna(0.0)
            off = (joined["a"] - joined["b"]).abs() > tolerance
            if off.any():
                where = joined.index[off][0]
                label = ", ".join(map(str, where)) if isinstance(where, tuple) else (str(where) if common else "all")
                raise DataError(
                    f"{enrol.path.name}: the margins contradict each other: {_name(a)} gives {joined['a'][off].iloc[0]:g} "
                    f"students for ({label}), {_name(b)} gives {joined['b'][off].iloc[0]:g}",
                    hint="Both margins must count the same students; correct the totals so that they add up alike.")


def _name(table: pd.DataFrame) -> str:
    return " × ".join(c for c in table.columns if c != TOTAL)


def margin_tables(enrol: Enrolment, method: str) -> tuple[pd.DataFrame, ...]:
    """The tables to weight to: post-stratification needs one full table; raking takes the
    declared margins, or collapses one full table to base × each other variable."""
    if method == "poststratify":
        if len(enrol.tables) != 1:
            raise UsageError(f"{enrol.path.name} declares {len(enrol.tables)} margins; post-stratification needs one "
                             "table of cells", hint="Use --method rake (or calibrate), or give one row per full cell.")
        return enrol.tables
    if len(enrol.tables) > 1:
        return enrol.tables
    full = enrol.tables[0]
    variables = [c for c in full.columns if c != TOTAL]
    base = [v for v in variables if v in BASE]
    rest = [v for v in variables if v not in BASE]
    if len(rest) < 2:
        return (full,)
    return tuple(full.groupby([*base, v], as_index=False, sort=False)[TOTAL].sum() for v in rest)


def build_margins(
    survey: pd.DataFrame, tables: tuple[pd.DataFrame, ...], w0: np.ndarray, *, partial: bool = False
) -> tuple[tuple[Margin, ...], list[CellProblem], float]:
    """Level codes of every respondent per margin; checks the cells.

    Returns the margins, the tiny cells (with a merge suggestion) and the enrolment left
    out because its cells had no respondents (only with ``partial``). A respondent in a
    cell the file lacks, or (without ``partial``) an enrolled cell without respondents,
    is an error naming the cell and the fix.
    """
    margins, tiny, dropped = [], [], 0.0
    for table in tables:
        variables = [c for c in table.columns if c != TOTAL]
        missing = [v for v in variables if v not in survey.columns]
        if missing:
            raise DataError(f"the survey has no column {missing[0]!r}, which the enrolment file groups by",
                            hint=f"Name the enrolment columns like the survey's ({', '.join(map(str, survey.columns[:8]))}, …).")
        keys = pd.DataFrame({v: group_keys(survey[v], v) for v in variables})
        if keys.isna().any().any():
            v = keys.columns[keys.isna().any()][0]
            n = int(keys[v].isna().sum())
            raise DataError(f"{n} respondent(s) have no {v!r}, so they cannot be weighted",
                            hint=f"Fill in {v!r}, or remove those respondents before weighting.")
        index = pd.MultiIndex.from_frame(table[variables])
        codes = index.get_indexer(pd.MultiIndex.from_frame(keys))
        if (codes < 0).any():
            first = keys[codes < 0].iloc[0]
            n = int((codes < 0).sum())
            raise DataError(f"{n} respondent(s) are in cells the enrolment file lacks, e.g. "
                            f"({', '.join(f'{v}={first[v]}' for v in variables)})",
                            hint="Add a row with that cell's enrolment, or check the spelling of its values in both files.")
        counts = np.bincount(codes, minlength=len(table))
        totals = table[TOTAL].to_numpy(dtype=float)
        zero = (counts > 0) & (totals == 0)
        if zero.any():
            i = int(np.flatnonzero(zero)[0])
            raise DataError(f"{int(counts[zero].sum())} respondent(s) are in cells with 0 enrolled students, e.g. "
                            f"({', '.join(f'{v}={table.loc[i, v]}' for v in variables)})",
                            hint="Correct the enrolment of that cell, or check the respondents' grouping values.")
        empty = (counts == 0) & (totals > 0)
        name = " × ".join(variables)
        if empty.any() and not partial:
            cells = [", ".join(map(str, table.loc[i, variables])) for i in np.flatnonzero(empty)[:3]]
            raise DataError(f"{int(empty.sum())} cell(s) of {name} have enrolled students but no respondents, e.g. "
                            f"({'; '.join(cells)})",
                            hint=f"{_suggest(table, variables, int(np.flatnonzero(empty)[0]))}; or use --partial to leave "
                            "their students out of the totals (reported), or --method rake with coarser margins")
        dropped += float(totals[empty].sum())
        totals = np.where(counts == 0, 0.0, totals)
        for i in np.flatnonzero((counts > 0) & (counts < TINY_CELL)):
            tiny.append(CellProblem(name, tuple(map(str, table.loc[i, variables])), int(counts[i]), float(totals[i]),
                                    _suggest(table, variables, int(i))))
        labels = tuple(tuple(map(str, r)) for r in table[variables].itertuples(index=False))
        margins.append(Margin(tuple(variables), labels, codes.astype(np.intp), totals))
    return tuple(margins), tiny, dropped


def _suggest(table: pd.DataFrame, variables: list[str], i: int) -> str:
    """Merge the cell with the largest neighbour that differs in the last variable only."""
    row = table.loc[i, variables]
    last = variables[-1]
    same = (table[variables[:-1]] == row[variables[:-1]]).all(axis=1) & (table[last] != row[last])
    if not same.any():
        return f"merge the cell ({', '.join(map(str, row))}) with a neighbouring one in both files"
    other = table.loc[same].sort_values(TOTAL, ascending=False).iloc[0][last]
    return f"merge {last} {row[last]!r} with {other!r} in this cell (in the survey and the enrolment file)"
