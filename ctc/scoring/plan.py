"""A compiled scoring plan: the instrument turned into index arrays and look-up tables.

Built once per run so that scoring a chunk is a handful of numpy operations over
whole matrices (see :mod:`ctc.codetables`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..codetables import CodeTables, pack
from ..instrument.model import Instrument


@dataclass(frozen=True)
class ScalePlan:
    id: str
    kind: str
    items: np.ndarray  # positions of the scale's items in the code/value matrix
    reverse: np.ndarray  # bool per item: reversed?
    low: np.ndarray  # per item: smallest value of its response set
    high: np.ndarray  # per item: largest value
    method: str
    min_valid: int
    cut_fixed: float | None
    cut_by_grade: tuple[tuple[int, float], ...]
    at_or_above: bool

    def cuts(self, grades: np.ndarray) -> np.ndarray:
        """The cut-point that applies to each respondent (NaN: the grade has none)."""
        if self.cut_fixed is not None:
            return np.full(len(grades), self.cut_fixed)
        cut = np.full(len(grades), np.nan)
        for grade, value in self.cut_by_grade:
            cut[grades == grade] = value
        return cut


@dataclass(frozen=True)
class Plan:
    item_ids: tuple[str, ...]
    item_pos: dict[str, int]
    scales: tuple[ScalePlan, ...]
    tables: CodeTables  # one slice per item

    def positions(self, item_ids: tuple[str, ...] | list[str]) -> np.ndarray:
        return np.array([self.item_pos[i] for i in item_ids], dtype=np.intp)


def scale_plan(inst: Instrument, pos: dict[str, int], s) -> ScalePlan:
    sets = [inst.response_set_of(i) for i in s.items]
    by_grade = tuple(sorted((int(g), float(c)) for g, c in s.cutpoint.items())) if isinstance(s.cutpoint, dict) else ()
    return ScalePlan(
        id=s.id,
        kind=s.kind,
        items=np.array([pos[i] for i in s.items], dtype=np.intp),
        reverse=np.array([i in s.reverse for i in s.items]),
        low=np.array([rs.value_range[0] for rs in sets]),
        high=np.array([rs.value_range[1] for rs in sets]),
        method=s.method,
        min_valid=s.min_valid,
        cut_fixed=None if by_grade else float(s.cutpoint),
        cut_by_grade=by_grade,
        at_or_above=s.direction == "at_or_above",
    )


def compile_plan(inst: Instrument) -> Plan:
    item_ids = tuple(i.id for i in inst.items)
    pos = {iid: k for k, iid in enumerate(item_ids)}
    scales = tuple(scale_plan(inst, pos, s) for s in inst.scales)
    sets = [inst.response_sets[i.response_set] for i in inst.items]
    tables = pack([(rs.codes, rs.missing, rs.values) for rs in sets])
    return Plan(item_ids, pos, scales, tables)
