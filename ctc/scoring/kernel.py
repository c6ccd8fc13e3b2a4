"""The scoring kernel: raw item columns of a chunk → scores, flags, outcomes, screens.

Exactly the semantics of ``docs/instrument-format.md``, computed on slots
(:mod:`ctc.codetables`): per item a comparison or a look-up in a small table, and
per scale one integer sum that carries both the number of answers and the value sum
(:class:`ctc.scoring.plan.ScaleSum`). Every operation works on a whole column of a
block of rows; no Python code runs per respondent.

A chunk is cut into row blocks that are scored on a thread pool: numpy's element-wise
operations and Arrow's ``take`` release the GIL, so the blocks run in parallel.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa

from ..codetables import FIRST, NUL, Raw, encode_column, invalid_cells, raw_bytes, take, valid_mask
from .plan import CodeRulePlan, PairRulePlan, Plan, ScalePlan, ScaleSum, scale_score

#: rows per block: long columns keep the per-call overhead of numpy and Arrow small
BLOCK_ROWS = 262_144
#: chunks smaller than twice this are not split (threads would cost more than they save)
MIN_SPLIT_ROWS = 16_384


_TUNED = False


def tune_allocator() -> None:
    """Keep freed memory in the process, for numpy and Arrow alike (once per process).

    The kernel makes many short-lived arrays of a few hundred kB per block. By default
    glibc serves those with fresh ``mmap`` pages and Arrow's mimalloc pool hands freed
    pages back after a few milliseconds, so every block pays for page faults again
    (measured: a third of the scoring time, and most of its run-to-run spread). Raising
    glibc's mmap and trim thresholds, and routing Arrow through the system allocator,
    lets both reuse the memory. Elsewhere than glibc the mallopt step is skipped.
    """
    global _TUNED
    if _TUNED:
        return
    _TUNED = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 64 << 20)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 512 << 20)  # M_TRIM_THRESHOLD
        pa.set_memory_pool(pa.system_memory_pool())
    except (OSError, AttributeError):  # not glibc: leave both allocators as they are
        pass


def default_threads() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))


#: tri-state codes of flags and outcomes
NO, YES, UNKNOWN = 0, 1, 2


@dataclass
class KernelResult:
    """Everything the kernel computes for a chunk of n rows: one array of n per entry."""

    scores: list[np.ndarray]  # float64 per scale; NaN: too few answers
    flags: list[np.ndarray]  # uint8 per scale: NO / YES / UNKNOWN
    outcomes: list[np.ndarray]  # uint8 per outcome: NO / YES / UNKNOWN
    screens: list[np.ndarray]  # bool per validity rule (undetermined: not flagged)
    empty: np.ndarray  # bool: every item column that exists is empty
    invalid_rows: np.ndarray  # rows of invalid cells (ordered by row, then item)
    invalid_items: np.ndarray  # item position of each invalid cell
    non_numeric: np.ndarray  # bool per invalid cell: text that is not a number

    @cached_property
    def excluded(self) -> np.ndarray:
        out = np.zeros(len(self.empty), dtype=bool)
        for screen in self.screens:
            out |= screen
        return out

    @staticmethod
    def concat(parts: list[KernelResult], offsets: list[int]) -> KernelResult:
        if len(parts) == 1:
            return parts[0]
        def cat(name: str) -> list[np.ndarray]:
            return [np.concatenate(arrays) for arrays in zip(*(getattr(p, name) for p in parts), strict=True)]
        return KernelResult(
            scores=cat("scores"), flags=cat("flags"), outcomes=cat("outcomes"), screens=cat("screens"),
            empty=np.concatenate([p.empty for p in parts]),
            invalid_rows=np.concatenate([p.invalid_rows + a for p, a in zip(parts, offsets, strict=True)]),
            invalid_items=np.concatenate([p.invalid_items for p in parts]),
            non_numeric=np.concatenate([p.non_numeric for p in parts]),
        )


def _slice(col: Raw, a: int, b: int) -> Raw:
    if col is None:
        return None
    if isinstance(col, (pa.Array, pa.ChunkedArray)):
        return col.slice(a, b - a)
    if isinstance(col, pd.Series):
        return col.iloc[a:b]
    return col[a:b]


def score_columns(columns: Sequence[Raw], grades: np.ndarray, plan: Plan, *, threads: int | None = None) -> KernelResult:
    """Score one chunk: ``columns`` are the raw item columns in plan order (None: absent),
    ``grades`` float64 per row (NaN: unknown). Chunks longer than :data:`BLOCK_ROWS`
    (or ``threads`` × :data:`MIN_SPLIT_ROWS`) are scored in row blocks on a thread pool."""
    tune_allocator()
    n = len(grades)
    threads = default_threads() if threads is None else threads
    count = max(1, -(-n // BLOCK_ROWS))
    if n >= 2 * MIN_SPLIT_ROWS:
        count = max(count, threads)  # keep every thread busy on mid-sized chunks
    bounds = [int(x) for x in np.linspace(0, n, count + 1)]
    present = [j for j, c in enumerate(columns) if c is not None]

    def work(k: int) -> KernelResult:
        a, b = bounds[k], bounds[k + 1]
        return _score_block(_Block([_slice(c, a, b) for c in columns], plan, b - a), grades[a:b], plan, present)

    if threads > 1 and count > 1:
        with ThreadPoolExecutor(min(threads, count)) as pool:
            parts = list(pool.map(work, range(count)))
    else:
        parts = [work(k) for k in range(count)]
    return KernelResult.concat(parts, bounds[:-1])


# --------------------------------------------------------------------------- one block


class _Block:
    """The raw item columns of one block of rows, with their slots encoded on demand.

    Items of packed scales read as 1-byte integers (Parquet) never need slots: their
    raw bytes go straight into the scale's sum. Slots are made for everything else,
    and for any scale whose sum reports an invalid code (to find the cells).
    """

    def __init__(self, columns: list[Raw], plan: Plan, n: int) -> None:
        self.columns, self.plan, self.n = columns, plan, n
        self._slots: dict[int, np.ndarray] = {}
        self._valid: dict[int, np.ndarray | None] = {}
        self._non_numeric: dict[int, np.ndarray] = {}
        self._empty: np.ndarray | None = None

    def slots(self, j: int) -> np.ndarray:
        if j not in self._slots:
            col, cc = self.columns[j], self.plan.tables.columns[j]
            if col is None:
                if self._empty is None:
                    self._empty = np.zeros(self.n, dtype=cc.dtype)
                self._slots[j] = self._empty
            else:
                s, text = encode_column(col, cc)
                self._slots[j] = s
                if text is not None:
                    self._non_numeric[j] = text
        return self._slots[j]

    def byte_codes(self, j: int) -> tuple[np.ndarray, bool] | None:
        """(raw bytes, signed) of a 1-byte integer Arrow column, else None."""
        col = self.columns[j]
        if isinstance(col, pa.Array) and pa.types.is_integer(col.type) and col.type.bit_width == 8:
            return raw_bytes(col), pa.types.is_signed_integer(col.type)
        return None

    def valid(self, j: int) -> np.ndarray | None:
        """1/0 per row for an Arrow column with nulls, else None."""
        if j not in self._valid:
            col = self.columns[j]
            self._valid[j] = valid_mask(col) if isinstance(col, pa.Array) else None
        return self._valid[j]

    def is_null(self, j: int) -> np.ndarray:
        if self.byte_codes(j) is not None:
            valid = self.valid(j)
            return np.zeros(self.n, dtype=bool) if valid is None else valid == 0
        return self.slots(j) == NUL

    def invalid_cells(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, item positions, non-numeric?) of the invalid cells among the encoded
        items, ordered by row, then item."""
        return invalid_cells(self._slots, self._non_numeric)


def _tri(hit: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Tri-state code: YES / NO where known, else UNKNOWN (``hit`` is False there)."""
    code = np.left_shift(np.logical_not(known).view(np.uint8), 1)
    code |= hit.view(np.uint8)
    return code


def _score_block(block: _Block, grades: np.ndarray, plan: Plan, present: list[int]) -> KernelResult:
    n = block.n
    count_type = np.uint8 if len(plan.item_ids) < 256 else np.uint16  # narrow counts: 4x less memory traffic
    answered = np.zeros(n, dtype=count_type) if "missing_share_above" in plan.validity else None
    in_packed: set[int] = set()  # items whose invalid codes show in a packed sum
    counted: set[int] = set()  # items whose answers are in `answered` already
    scores: list[np.ndarray] = []
    flags: list[np.ndarray] = []
    for sp, sm in zip(plan.scales, plan.sums, strict=True):
        if sm.kind == "packed":
            acc = _packed_sum(block, sp, sm, n)
            items = {int(j) for j in sp.items}
            if answered is not None and counted.isdisjoint(items):  # each item counted once
                np.add(answered, acc & sm.dtype.type(sm.answered_mask), out=answered, casting="unsafe")
                counted |= items
            in_packed |= items
            if sm.score_table is not None:
                score = take(sm.score_table, acc)
                if sm.flag_table is not None:
                    scores.append(score)
                    flags.append(take(sm.flag_table, acc))
                    continue
            else:
                score = _score_of_sum(acc, sp, sm)
        else:
            score = _scale_score([block.slots(int(j)) for j in sp.items], sp, sm, n)
        scores.append(score)
        known = ~np.isnan(score)
        if sp.cut_fixed is not None:
            cut: float | np.ndarray = sp.cut_fixed
        else:
            cut = sp.cuts(grades)
            known &= ~np.isnan(cut)
        with np.errstate(invalid="ignore"):
            hit = score >= cut if sp.at_or_above else score > cut
        flags.append(_tri(hit, known))
    outcomes = [flags[rule] if isinstance(rule, int) else _tri(*code_rule(rule, block, n)) for rule in plan.outcomes]
    for j in present:
        if j not in in_packed:
            block.slots(j)  # how invalid codes of these items are found
        if answered is not None and j not in counted:
            np.add(answered, block.slots(j) >= FIRST, out=answered, casting="unsafe")
    screens = []
    for k, rule in enumerate(plan.validity):
        if isinstance(rule, CodeRulePlan):
            value, known = code_rule(rule, block, n)
            screens.append(value & known)
        elif isinstance(rule, PairRulePlan):
            screens.append(recent_without_lifetime(rule, block, n))
        elif rule == "missing_share_above":
            screens.append(_missing_share_above(answered, len(plan.item_ids), plan.missing_share[k]))
        else:  # grade_not_in_instrument
            screens.append(~np.isin(grades, np.array(plan.grades, dtype=np.float64)))
    rows, items, non_numeric = block.invalid_cells()
    return KernelResult(scores, flags, outcomes, screens, _empty_rows(block, present, n), rows, items, non_numeric)


def _missing_share_above(answered: np.ndarray, items: int, share: float) -> np.ndarray:
    """(items − answered) / items > share, as one integer comparison: the smallest number
    of missing answers that passes is found with the same float division."""
    if not items:
        return np.zeros(len(answered), dtype=bool)
    passing = np.flatnonzero(np.arange(items + 1) / items > share)
    if not passing.size:
        return np.zeros(len(answered), dtype=bool)
    return answered <= items - int(passing[0])


def _packed_sum(block: _Block, sp: ScalePlan, sm: ScaleSum, n: int) -> np.ndarray:
    """The scale's packed sum; items with an invalid code get their slots encoded."""
    acc = np.zeros(n, dtype=sm.dtype)
    for k, j in enumerate(int(j) for j in sp.items):
        if block.columns[j] is None:
            continue
        raw = block.byte_codes(j)
        if raw is not None:
            part = take(sm.raw_tables[k][raw[1]], raw[0])
            valid = block.valid(j)
            if valid is not None:
                part = part * valid  # nulls hold junk bytes
        else:
            part = take(sm.tables[k], block.slots(j))
        np.add(acc, part, out=acc)
    if n and acc.max() >> sm.invalid_shift:
        for j in sp.items:
            block.slots(int(j))  # located later by _Block.invalid_cells
    return acc


def _score_of_sum(acc: np.ndarray, sp: ScalePlan, sm: ScaleSum) -> np.ndarray:
    """Scores of a packed sum too wide for a look-up table."""
    answered, total = sm.unpack(acc)
    return scale_score(total, answered, sp)


def _empty_rows(block: _Block, present: list[int], n: int) -> np.ndarray:
    """Rows in which every present item column is empty (False without columns)."""
    empty = np.zeros(n, dtype=bool) if not present else None
    for j in present:
        null = block.is_null(j)
        empty = null if empty is None else empty & null
        if not empty.any():
            break
    assert empty is not None
    return empty


def _scale_score(slots: list[np.ndarray], sp: ScalePlan, sm: ScaleSum, n: int) -> np.ndarray:
    """Scores of a ``max`` or fractional-valued scale, from slots."""
    answered = np.zeros(n, dtype=np.uint8 if len(slots) < 256 else np.uint16)
    for s in slots:
        np.add(answered, s >= FIRST, out=answered, casting="unsafe")
    combine = np.maximum if sp.method == "max" else np.add
    start = 0 if sm.kind == "max" else (-np.inf if sp.method == "max" else 0.0)
    acc = np.full(n, start, dtype=sm.dtype)
    for s, table in zip(slots, sm.tables, strict=True):
        combine(acc, take(table, s), out=acc)
    total = acc.astype(np.float64) + (sm.offset - 1) if sm.kind == "max" else acc
    return scale_score(total, answered, sp)


def code_rule(rule: CodeRulePlan, block: _Block, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(value, known) of any/all/count_at_least, per the format's missing-answer rules."""
    pairs = [(block.slots(int(j)), t) for j, t in zip(rule.items, rule.thresholds, strict=True)]
    if rule.kind == "count_at_least":
        count_type = np.uint8 if len(pairs) < 256 else np.uint16
        hits, open_ = np.zeros(n, dtype=count_type), np.zeros(n, dtype=count_type)
        for s, t in pairs:
            np.add(hits, s >= t, out=hits, casting="unsafe")
            np.add(open_, s < FIRST, out=open_, casting="unsafe")
        value = hits >= rule.count
        return value, value | (hits + open_ < rule.count)
    any_ = rule.kind == "any_at_least"
    hit = np.full(n, not any_, dtype=bool)
    miss = np.zeros(n, dtype=bool)
    for s, t in pairs:
        if any_:
            hit |= s >= t
        else:
            hit &= s >= t
        miss |= s < FIRST
    if any_:
        return hit, hit | ~miss
    return hit & ~miss, ~miss  # all_at_least


def recent_without_lifetime(rule: PairRulePlan, block: _Block, n: int) -> np.ndarray:
    """Recent use (code ≥ value) while lifetime use is answered and below the value, any pair."""
    bad = np.zeros(n, dtype=bool)
    for r, l, tr, tl in zip(rule.recent, rule.lifetime, rule.recent_thresholds, rule.lifetime_thresholds, strict=True):
        life = block.slots(int(l))
        bad |= (block.slots(int(r)) >= tr) & (life >= FIRST) & (life < tl)
    return bad

