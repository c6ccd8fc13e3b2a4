"""Primary and secondary suppression of the profile and screening tables, and the audit gate.

Primary rules (configurable, :class:`ctc.profile.options.SuppressionRules`): a cell is
*sensitive* when 1 <= n < ``min_n``, or when its count is 0 or n and n < ``all_or_none_n``
(a statement about every member of a small group); screening counts also when
1 <= x < ``min_count``. Sensitive cells are hidden and then protected: the attacker
of ``docs/privacy.md`` — who knows every published number, that counts add up along
every line, and (conservatively) every group size n — must not be able to narrow a
sensitive count to less than U = max(1, ⌈p·n⌉) above and below its true value
(or to "none" / "all" of the group), p = ``protection`` (default 10 %).
Secondary suppression and the audit are in :mod:`ctc.release.network`.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..threads import frozen_heap
from .cells import ALL, REMAINDER, Cells, build_cells
from .network import _BIG, protect, shortfalls

#: the one public reason for a hidden cell (its real reason would leak bounds)
PROTECTED = "protected"
#: a group with no respondents at all (nothing about anyone can be learnt from it)
EMPTY = "empty"
#: columns a hidden cell keeps: what it is, not what it contains
KEEP = ("municipality", "grade", "gender", "indicator_type", "indicator_id", "label", "weighted",
        "baseline_pct", "baseline_n", "suppressed", "suppression_reason")


@dataclass(frozen=True)
class Rules:
    min_n: int
    all_or_none_n: int
    protection: float
    min_count: int = 0  # counts 1 .. min_count-1 are sensitive too (screening)
    zero_sensitive: bool = True  # "nobody in this small group" is sensitive (not for screening)


def sensitive(n: np.ndarray, x: np.ndarray, rules: Rules) -> np.ndarray:
    """Cells that must be hidden and protected (arrays of any shape)."""
    some = n >= 1
    small = some & (n < rules.min_n)
    extreme = some & (((x == 0) & rules.zero_sensitive) | (x == n)) & (n < rules.all_or_none_n)
    count = some & (x >= 1) & (x < rules.min_count)
    return small | extreme | count


@dataclass(frozen=True)
class Protected:
    """A protected family of tables: cells × indicators."""

    cells: Cells
    n: np.ndarray  # (cells, K) int
    x: np.ndarray
    hidden: np.ndarray  # (cells, K) bool
    sensitive: np.ndarray
    empty_group: np.ndarray  # (cells,) the group has no respondents at all
    public: np.ndarray  # (cells, K, 2) a count of 0 / of n that a showable larger cell implies
    unknown_n: tuple[int, ...] = ()  # indicators whose n the attacker does not know
    #: digests of (pattern, rules) whose audit has passed: the same audit of the same arrays is not run twice
    passed: set[bytes] = field(default_factory=set, compare=False, repr=False)


def protect_family(cells: Cells, n: np.ndarray, x: np.ndarray, rules: Rules, unknown_n: list[int] | None = None,
                   workers: int = 1) -> Protected:
    """Hide sensitive cells and enough others; identical indicator tables get identical patterns.

    ``unknown_n``: indicators whose group sizes the attacker does not know but whose
    not-flagged counts they do (their counts can grow without bound). ``workers``:
    processes for the indicators' tables (the pattern is the same for any number)."""
    sens = sensitive(n, x, rules) & (cells.published | cells_remainder(cells))[:, None]
    group = n.max(axis=1) if n.size else np.zeros(len(cells.keys), dtype=np.int64)
    empty_group = group == 0
    # not published → unknown to the reader; an answered-by-nobody cell of a group with
    # respondents is hidden like a small one (its n = 0 would tell who skipped what)
    start = ~cells.published[:, None] | ((n == 0) & ~empty_group[:, None])
    cost = cells.cost * (1.0 + group / max(1, int(group.max(initial=0))) / 10)  # smaller cells first
    public = implied(cells, n, x, rules)
    hidden = np.zeros_like(sens)
    keys = [n[:, k].tobytes() + x[:, k].tobytes() + bytes([k in (unknown_n or [])]) for k in range(n.shape[1])]
    first: dict[bytes, int] = {}  # identical indicator tables: protected once
    for k, key in enumerate(keys):
        first.setdefault(key, k)
    todo = list(first.values())

    def one(k: int) -> np.ndarray:
        return protect(cells.network, x[:, k], _capacity(n[:, k], x[:, k], k, unknown_n), start[:, k] | sens[:, k],
                       sens[:, k], cost, rules.protection, public[:, k], size=n[:, k])

    done = dict(zip(todo, _map(one, todo, workers if cells.network.n_cells * len(todo) >= _PARALLEL_WORK else 1)))
    for k, key in enumerate(keys):
        hidden[:, k] = done[first[key]]
    return Protected(cells, n, x, hidden, sens, empty_group, public, tuple(unknown_n or ()))


#: cells × indicator tables below which a second process costs more than it saves (the demo: ~15,000)
_PARALLEL_WORK = 50_000
#: the function and items of the running :func:`_map` (fork-inherited: closures are not pickled)
_TASK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def _one_blas_thread() -> None:
    """Each process's own BLAS threads would only compete with the other process (ctc/threads.py)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def _run(i: int) -> Any:
    assert _TASK is not None
    fn, items = _TASK
    return fn(items[i])


def _map(fn: Callable[[Any], Any], items: Sequence[Any], workers: int) -> list[Any]:
    """``[fn(i) for i in items]``, in ``workers`` forked processes when that is possible.

    Every indicator's table is protected (and audited) on its own, deterministically, so
    the result does not depend on the number of processes. Not inside a daemonic process
    (which may not have children), and only with the fork start method (the work is in
    arrays the children inherit, not pickled)."""
    global _TASK
    workers = min(workers, len(items))
    if (workers <= 1 or multiprocessing.current_process().daemon
            or "fork" not in multiprocessing.get_all_start_methods()):
        return [fn(i) for i in items]
    _TASK = (fn, items)
    try:
        with frozen_heap(), ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                                initializer=_one_blas_thread) as pool:
            # one table per task: the tables differ in cost (up to 3× the median), chunks would leave a process idle
            return list(pool.map(_run, range(len(items))))
    finally:
        _TASK = None


def _capacity(n: np.ndarray, x: np.ndarray, k: int, unknown_n: list[int] | None) -> np.ndarray:
    """How far each count can grow for the attacker: to n, or without bound when n is unknown."""
    return x + _BIG if unknown_n and k in unknown_n else n


def containers(cells: Cells) -> list[list[int]]:
    """For every cell, the other cells that contain its respondents (pooled over one or more keys)."""
    keys = list(cells.keys.itertuples(index=False, name=None))
    index = {k: i for i, k in enumerate(keys)}
    out = []
    for m, g, s in keys:
        options = {(mm, gg, ss) for mm in {m, ALL} for gg in {g, ALL} for ss in {s, ALL}} - {(m, g, s)}
        out.append(sorted(index[o] for o in options if o in index))
    return out


def implied(cells: Cells, n: np.ndarray, x: np.ndarray, rules: Rules) -> np.ndarray:
    """(cells, K, 2): the cell's count is 0 (resp. n) because a larger cell that the rules
    allow to show as 0 % (100 %) contains it."""
    showable = (n >= rules.min_n) & (n >= rules.all_or_none_n)
    none = showable & (x == 0)
    full = showable & (x == n)
    out = np.zeros((*n.shape, 2), dtype=bool)
    for c, cont in enumerate(containers(cells)):
        if cont:
            out[c, :, 0] = (x[c] == 0) & none[cont].any(axis=0)
            out[c, :, 1] = (x[c] == n[c]) & full[cont].any(axis=0)
    return out


def cells_remainder(cells: Cells) -> np.ndarray:
    return (cells.keys["gender"] == REMAINDER).to_numpy()


def gate(result: Protected, rules: Rules, workers: int = 1) -> list[tuple[int, int, int, int]]:
    """The audit before release: every sensitive cell re-attacked from scratch.

    Returns (cell, indicator, increase, decrease) of every cell below its protection
    level — empty for a releasable result. A pattern that passed is remembered (by a
    digest of every array the audit reads), so the release step's gate does not repeat
    the attack on the very same arrays; any change to them is audited again."""
    digest = _digest(result, rules)
    if digest in result.passed:  # this very pattern, under these rules, was audited and passed
        return []

    def one(k: int) -> list[tuple[int, int, int, int]]:
        cap = _capacity(result.n[:, k], result.x[:, k], k, list(result.unknown_n))
        return [(cell, k, up, down) for cell, up, down, _, _ in
                shortfalls(result.cells.network, result.x[:, k], cap, result.hidden[:, k], result.sensitive[:, k],
                           rules.protection, result.public[:, k], size=result.n[:, k])]

    ks = list(range(result.n.shape[1]))
    work = result.cells.network.n_cells * len(ks)
    bad = [b for part in _map(one, ks, workers if work >= _PARALLEL_WORK else 1) for b in part]
    if not bad:
        result.passed.add(digest)
    return bad


def _digest(result: Protected, rules: Rules) -> bytes:
    """What an audit's outcome depends on: the table, the pattern, the network and the rules."""
    h = hashlib.sha256(repr(rules).encode())
    for a in (result.n, result.x, result.hidden, result.sensitive, result.public, result.cells.network.tail,
              result.cells.network.head, np.asarray(result.unknown_n, dtype=np.int64)):
        h.update(np.ascontiguousarray(a).tobytes())
        h.update(repr(a.shape).encode())
    return h.digest()


# --- the profile table -------------------------------------------------------------------------


def profile_cells(table: pd.DataFrame, genders: list[str]) -> tuple[Cells, list[tuple[str, str]]]:
    """The cells a profile of ``table`` publishes (genders: the instrument's, in order)."""
    munis = [m for m in table["municipality"].cat.categories if m != ALL]
    grades = [g for g in table["grade"].cat.categories if g != ALL]
    present = set(table["gender"].astype(str).unique()) - {ALL}  # the distinct genders, not one per row
    shown = [s for s in genders if s in present]
    pairs = table[["indicator_type", "indicator_id"]].astype(str).drop_duplicates()  # in order of first appearance
    inds = list(zip(pairs["indicator_type"].tolist(), pairs["indicator_id"].tolist()))
    has_genders = bool(present) or len(table["gender"].cat.categories) > 1
    cells = build_cells(munis, grades, [*shown, REMAINDER] if has_genders else [], whole=len(munis) > 1)
    return cells, inds


def _counts(table: pd.DataFrame, cells: Cells, inds: list[tuple[str, str]], genders: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """n and x of every cell × indicator; remainders = pooled minus the known genders."""
    n = np.zeros((len(cells.keys), len(inds)), dtype=np.int64)
    x = np.zeros_like(n)
    # one join instead of a loop over the table's rows (100 municipalities: 235,000 rows)
    cell_of = pd.MultiIndex.from_frame(cells.keys.astype(str)).get_indexer(
        pd.MultiIndex.from_arrays([table[k].astype(str) for k in ("municipality", "grade", "gender")]))
    ind_of = pd.MultiIndex.from_tuples(inds).get_indexer(
        pd.MultiIndex.from_arrays([table["indicator_type"].astype(str), table["indicator_id"].astype(str)]))
    ok = cell_of >= 0
    n[cell_of[ok], ind_of[ok]] = table["n"].to_numpy(dtype=np.int64)[ok]
    x[cell_of[ok], ind_of[ok]] = table["n_flagged"].to_numpy(dtype=np.int64)[ok]
    rem = cells_remainder(cells)
    for c in np.flatnonzero(rem):
        m = cells.keys.at[c, "municipality"]
        same = (cells.keys["municipality"] == m) & (cells.keys["grade"] == ALL)
        total = np.flatnonzero(same & (cells.keys["gender"] == ALL))[0]
        parts = np.flatnonzero(same & ~cells.keys["gender"].isin([ALL, REMAINDER]))
        n[c] = n[total] - n[parts].sum(axis=0)
        x[c] = x[total] - x[parts].sum(axis=0)
    return n, x


def protect_profile(table: pd.DataFrame, genders: list[str], rules: Rules, workers: int = 1) -> tuple[pd.DataFrame, Protected]:
    """The published profile table: only the published cells, hidden ones blanked, one reason.

    ``table``: the estimate table (every municipality × grade × gender incl. pooled rows;
    n and n_flagged complete). Unknown gender codes do not become categories."""
    cells, inds = profile_cells(table, genders)
    n, x = _counts(table, cells, inds, genders)
    result = protect_family(cells, n, x, rules, workers=workers)
    bad = gate(result, rules, workers)
    if bad:  # the protection guarantees this cannot happen; never publish if it does
        raise RuntimeError(f"disclosure audit failed for {len(bad)} cell(s) after protection")
    return _publish(table, result, inds), result


def _publish(table: pd.DataFrame, result: Protected, inds: list[tuple[str, str]]) -> pd.DataFrame:
    cells = result.cells
    key_cols = ["municipality", "grade", "gender"]
    frame = table.copy()
    for col in key_cols:
        frame[col] = frame[col].astype(str)
    cell_of = pd.MultiIndex.from_frame(cells.keys.astype(str)).get_indexer(pd.MultiIndex.from_frame(frame[key_cols]))
    keep = cell_of >= 0
    keep[keep] = cells.published[cell_of[keep]]
    frame = frame[keep].reset_index(drop=True)
    c = cell_of[keep].astype(np.int64)
    k = pd.MultiIndex.from_tuples(inds).get_indexer(
        pd.MultiIndex.from_arrays([frame["indicator_type"].astype(str), frame["indicator_id"].astype(str)])).astype(np.int64)
    hide = result.hidden[c, k]
    empty = result.empty_group[c]
    frame["suppressed"] = hide
    frame["suppression_reason"] = np.where(hide, PROTECTED, np.where(empty, EMPTY, ""))
    for col in frame.columns:
        if col in KEEP:
            continue
        if pd.api.types.is_numeric_dtype(frame[col]) and not pd.api.types.is_bool_dtype(frame[col]):
            frame[col] = frame[col].astype("Int64" if col in ("n", "n_flagged") else np.float64)
            frame.loc[hide, col] = pd.NA if col in ("n", "n_flagged") else np.nan
        else:
            frame[col] = frame[col].astype(object)
            frame.loc[hide, col] = ""
    for col, levels in zip(key_cols, _levels(table)):
        frame[col] = pd.Categorical(frame[col], categories=levels, ordered=True)
    return frame.sort_values(key_cols, kind="stable").reset_index(drop=True)


def _levels(table: pd.DataFrame) -> list[list[str]]:
    return [list(table[col].cat.categories) for col in ("municipality", "grade", "gender")]


# --- the screening table -----------------------------------------------------------------------

#: screening columns that are never published (overlaps between rules: more linked counts
#: for an attacker; they stay in ``ctc score``'s audit with the survey office)
NOT_PUBLISHED = ("only_this_rule", "with_other_rules")
EXCLUDED_RULE = "(excluded)"


def protect_screening(screening: pd.DataFrame, rules: Rules, workers: int = 1) -> tuple[pd.DataFrame, Protected | None]:
    """The published screening audit: flagged counts per rule × municipality × grade,
    protected like the profile (counts 1 .. min_count-1 and "all flagged" in small
    groups are sensitive; "nobody flagged" is not); group sizes below min_n blank."""
    if screening is None or screening.empty:
        return screening, None
    frame = screening.copy()
    frame["municipality"] = frame["municipality"].astype(str)
    frame["grade"] = frame["grade"].astype(str)
    munis = sorted(set(frame["municipality"]) - {ALL})
    grades = sorted(set(frame["grade"]) - {ALL}, key=_grade_order)
    cells = build_cells(munis, grades, [], whole=len(munis) > 1)
    rule_ids = list(dict.fromkeys(frame["rule"].astype(str)))
    index = {(m, g): i for i, (m, g, _) in enumerate(cells.keys.itertuples(index=False, name=None))}
    n = np.zeros((len(cells.keys), len(rule_ids)), dtype=np.int64)
    x = np.zeros_like(n)
    for r in frame.itertuples(index=False):
        c, k = index[(r.municipality, r.grade)], rule_ids.index(str(r.rule))
        n[c, k], x[c, k] = int(r.respondents), int(r.flagged)
    # The questionnaires analysed (respondents − excluded) are public through the profile's
    # n, so for the excluded count the attacker knows the not-flagged part, not n: its
    # protection must not lean on n (unbounded growth), and n is hidden with it.
    excl = [k for k, r in enumerate(rule_ids) if r == EXCLUDED_RULE]
    result = protect_family(cells, n, x, rules, unknown_n=excl, workers=workers)
    if gate(result, rules, workers):
        raise RuntimeError("disclosure audit of the screening table failed after protection")
    c = np.array([index[(m, g)] for m, g in zip(frame["municipality"], frame["grade"])], dtype=np.int64)
    k = np.array([rule_ids.index(str(r)) for r in frame["rule"]], dtype=np.int64)
    hide = result.hidden[c, k]
    size_hidden = np.zeros(len(cells.keys), dtype=bool)
    for e in excl:
        size_hidden |= result.hidden[:, e]
    excluded = _excluded_per_cell(frame)  # before the counts are hidden
    frame["flagged"] = frame["flagged"].astype("Int64").mask(hide)
    respondents = frame["respondents"].astype("Int64")
    analysed = respondents - excluded
    frame["analysed"] = analysed.mask(analysed < rules.min_n)  # public anyway through the profile's n
    frame["respondents"] = respondents.mask((respondents < rules.min_n) | size_hidden[c])
    frame["pct"] = (100 * frame["flagged"].astype("Float64") / frame["respondents"].astype("Float64")).round(2)
    for col in NOT_PUBLISHED:
        if col in frame:
            frame[col] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame["suppressed"] = hide
    if len(munis) == 1:  # the whole file is that municipality: its rows once, as in the profile
        frame = frame[frame["municipality"] != ALL].reset_index(drop=True)
    return frame, result


def _excluded_per_cell(frame: pd.DataFrame) -> pd.Series:
    """The excluded count of each row's municipality × grade."""
    ex = frame[frame["rule"].astype(str) == EXCLUDED_RULE].set_index(["municipality", "grade"])["flagged"]
    keys = pd.MultiIndex.from_arrays([frame["municipality"], frame["grade"]])
    return pd.Series(ex.reindex(keys).to_numpy(), index=frame.index).astype("Int64")


def _grade_order(g: str) -> tuple[int, float, str]:
    try:
        return (0, float(g), g)
    except ValueError:
        return (1, 0.0, g)
