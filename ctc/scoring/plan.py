"""A compiled scoring plan: the instrument turned into index arrays and look-up tables.

Built once per run so that scoring a block of rows is a handful of comparisons and
table look-ups per item on one-byte slots (see :mod:`ctc.codetables` and
:mod:`ctc.scoring.kernel`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa

from ..codetables import FIRST, INV, CodeTables, pack
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
class ScaleSum:
    """How the kernel adds up one scale: one look-up table per item.

    ``kind == "packed"`` (whole-number values, ``mean``/``sum``): each item's entry is
    ``1 + ((value − offset) << shift)`` for an answer, ``1 << invalid_shift`` for an
    invalid code and 0 otherwise, so one integer sum per row carries the number of
    answers (low ``shift`` bits), the value sum (exactly) and the number of invalid
    codes (top bits; any → the kernel locates them). ``raw_tables`` are the same
    entries indexed by the raw byte of a 1-byte integer column (signed, unsigned), so
    Parquet codes go to the sum in one look-up.
    ``kind == "max"``: entry ``value − offset + 1`` (0: no answer), combined by maximum.
    ``kind == "float"`` (fractional values): float values, answers counted apart.
    """

    kind: str
    tables: tuple[pa.Array, ...]  # per item, by slot
    raw_tables: tuple[dict[bool, pa.Array], ...] = ()  # packed: per item, by raw byte
    shift: int = 0
    invalid_shift: int = 0
    offset: float = 0.0
    dtype: np.dtype = np.dtype(np.float64)  # accumulator
    #: for 8- and 16-bit accumulators: the score of every accumulator value (NaN: too
    #: few answers), and for a fixed cut-point the flag (0 no, 1 yes, 2 unknown) — one
    #: look-up per row instead of a chain of float operations
    score_table: pa.Array | None = None
    flag_table: pa.Array | None = None

    @property
    def answered_mask(self) -> int:
        return (1 << self.shift) - 1

    def unpack(self, acc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(answers, value sum as float64) of packed sums."""
        answered = acc & self.answered_mask
        total = ((acc & ((1 << self.invalid_shift) - 1)) >> self.shift).astype(np.float64)
        if self.offset:
            total += self.offset * answered
        return answered, total


def scale_score(total: np.ndarray, answered: np.ndarray, sp: ScalePlan) -> np.ndarray:
    """The format's score from value sums (maxima for ``max``) and answer counts; NaN
    below ``min_valid``. One definition for the look-up tables and the kernel."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if sp.method == "mean":
            score = total / answered
        elif sp.method == "sum":
            score = total * (len(sp.items) / answered)  # prorated to all items
        else:
            score = np.array(total, dtype=np.float64)
    np.copyto(score, np.nan, where=answered < sp.min_valid)
    return score


@dataclass(frozen=True)
class CodeRulePlan:
    """``any_at_least`` / ``all_at_least`` / ``count_at_least`` on slots: code ≥ value
    is slot ≥ threshold (per item)."""

    kind: str
    items: np.ndarray
    thresholds: tuple[int, ...]
    count: int


@dataclass(frozen=True)
class PairRulePlan:
    """``recent_without_lifetime``: per pair (recent item, lifetime item) and threshold."""

    recent: np.ndarray
    lifetime: np.ndarray
    recent_thresholds: tuple[int, ...]
    lifetime_thresholds: tuple[int, ...]


@dataclass(frozen=True)
class Plan:
    item_ids: tuple[str, ...]
    item_pos: dict[str, int]
    scales: tuple[ScalePlan, ...]
    tables: CodeTables  # one per item
    sums: tuple[ScaleSum, ...] = ()  # per scale
    outcomes: tuple[CodeRulePlan | int, ...] = ()  # per outcome; int = scale position (scale_flag)
    validity: tuple[CodeRulePlan | PairRulePlan | str, ...] = ()  # str: the other rule types
    grades: tuple[int, ...] = ()
    missing_share: tuple[float | None, ...] = ()  # per validity rule

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


def _table(values: np.ndarray, dtype: np.dtype | type, slot_dtype: np.dtype) -> pa.Array:
    """A look-up table by slot; padded to 256 entries for byte slots, which lets Arrow's
    take skip its bounds check (slots never reach the padding)."""
    values = np.asarray(values, dtype=dtype)
    if slot_dtype == np.uint8 and values.size < 256:
        values = np.concatenate([values, np.zeros(256 - values.size, dtype=values.dtype)])
    return pa.array(values)


def _accumulator(largest: float) -> np.dtype | None:
    for dtype in (np.uint8, np.uint16, np.uint32, np.uint64):
        if largest <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    return None


def _outcome_tables(sp: ScalePlan, packed: ScaleSum) -> ScaleSum:
    """Add the score and flag tables over every accumulator value (8/16-bit only)."""
    if packed.dtype.itemsize > 2 or (packed.kind == "max" and sp.min_valid > 1):
        return packed
    acc = np.arange(2 ** (8 * packed.dtype.itemsize), dtype=np.int64)
    if packed.kind == "max":
        score = scale_score(acc - 1 + packed.offset, (acc > 0).astype(np.int64), sp)
    else:
        answered, total = packed.unpack(acc)
        score = scale_score(total, answered, sp)
    flag = None
    if sp.cut_fixed is not None:
        with np.errstate(invalid="ignore"):
            hit = score >= sp.cut_fixed if sp.at_or_above else score > sp.cut_fixed
        flag = pa.array(np.where(np.isnan(score), 2, hit).astype(np.uint8))
    return replace(packed, score_table=pa.array(score), flag_table=flag)


def scale_sum(sp: ScalePlan, tables: CodeTables) -> ScaleSum:
    values = []  # per item: value per slot (NaN: not an answer), reverse-keyed
    for k, j in enumerate(sp.items):
        v = tables.columns[j].slot_values
        values.append((sp.low[k] + sp.high[k]) - v if sp.reverse[k] else v)
    answers = np.concatenate([v[FIRST:] for v in values]) if values else np.zeros(0)
    offset = float(answers.min()) if answers.size else 0.0
    spread = int(answers.max() - offset) if answers.size else 0
    whole = bool(np.all(answers == np.round(answers)))
    m = len(sp.items)
    if whole and sp.method == "max":
        dtype = _accumulator(spread + 1)
        if dtype is not None:
            tabs = tuple(_table(np.nan_to_num(v - offset + 1, nan=0), dtype, tables.dtype) for v in values)
            return _outcome_tables(sp, ScaleSum("max", tabs, offset=offset, dtype=dtype))
    elif whole:
        shift = m.bit_length()
        invalid_shift = shift + (m * spread).bit_length()
        dtype = _accumulator(2 ** (invalid_shift + m.bit_length()) - 1)
        if dtype is not None:
            entries = []
            for v in values:
                entry = np.where(np.isnan(v), 0, 1 + np.nan_to_num(v - offset) * 2**shift)
                entry[INV] = 2**invalid_shift
                entries.append(entry.astype(dtype))
            raw = tuple({signed: pa.array(e[np.asarray(tables.columns[j].byte_table(signed))]) for signed in (False, True)}
                        for e, j in zip(entries, sp.items, strict=True))
            packed = ScaleSum("packed", tuple(_table(e, dtype, tables.dtype) for e in entries), raw,
                              shift=shift, invalid_shift=invalid_shift, offset=offset, dtype=dtype)
            return _outcome_tables(sp, packed)
    empty = -np.inf if sp.method == "max" else 0.0
    tabs = tuple(_table(np.where(np.isnan(v), empty, v), np.float64, tables.dtype) for v in values)
    return ScaleSum("float", tabs)


def code_rule(rule, plan_pos: dict[str, int], tables: CodeTables) -> CodeRulePlan:
    items = np.array([plan_pos[i] for i in rule.items], dtype=np.intp)
    value = float(rule.value)
    return CodeRulePlan(rule.rule, items, tuple(tables.columns[j].threshold(value) for j in items), int(getattr(rule, "count", 1)))


def compile_plan(inst: Instrument) -> Plan:
    item_ids = tuple(i.id for i in inst.items)
    pos = {iid: k for k, iid in enumerate(item_ids)}
    scales = tuple(scale_plan(inst, pos, s) for s in inst.scales)
    sets = [inst.response_sets[i.response_set] for i in inst.items]
    tables = pack([(rs.codes, rs.missing, rs.values) for rs in sets])
    scale_pos = {s.id: k for k, s in enumerate(inst.scales)}
    outcomes = tuple(scale_pos[o.scale] if o.rule == "scale_flag" else code_rule(o, pos, tables) for o in inst.outcomes)
    validity: list[CodeRulePlan | PairRulePlan | str] = []
    for rule in inst.validity:
        if rule.rule == "recent_without_lifetime":
            recent = np.array([pos[a] for a, _ in rule.pairs], dtype=np.intp)
            life = np.array([pos[b] for _, b in rule.pairs], dtype=np.intp)
            value = float(rule.value)
            validity.append(PairRulePlan(recent, life, tuple(tables.columns[j].threshold(value) for j in recent),
                                         tuple(tables.columns[j].threshold(value) for j in life)))
        elif rule.rule in ("missing_share_above", "grade_not_in_instrument"):
            validity.append(rule.rule)
        else:
            validity.append(code_rule(rule, pos, tables))
    return Plan(item_ids, pos, scales, tables,
                sums=tuple(scale_sum(sp, tables) for sp in scales),
                outcomes=outcomes,
                validity=tuple(validity),
                grades=tuple(int(g) for g in inst.grades),
                missing_share=tuple(float(r.share) if r.rule == "missing_share_above" else None for r in inst.validity))
