"""Reasoned shortlists of priority factors per municipality.

The toolkit never decides for the board. It ranks risk factors (elevated) and
protective factors (depressed) under three decision rules side by side:

* ``level``  — highest % at risk (lowest % with high protection);
* ``excess`` — largest difference from the baseline in percentage points;
* ``clear``  — excess that is statistically clear: BH q < alpha, ranked by the
  interval bound nearest the baseline (the excess the data guarantee);

and says how stable each factor's place is: the share of bootstrap resamples (of what
the design samples) in which it makes the top N of its kind. The shortlist (at most
five risk and three protective factors) follows the ``excess`` rule when a baseline is
given, otherwise ``level``, and proposes only *candidates*: factors worse than the
baseline (risk above it, protection below it), or without a baseline beyond the stated
level (``ProfileOptions.risk_level``/``protective_level``). It can be shorter or
empty, and ``shortlist_note`` says so. Every factor carries a one-sentence reason whose
numbers are the table's numbers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from ..i18n import number, t
from ..stats import SurveyDesign
from ..stats._taylor import answer_codes
from ..threads import thread_map
from .cells import ALL, Cells, Rows, prepare
from .cells import design as cell_design
from .indicators import Indicator
from .options import ProfileOptions

KINDS = ("risk", "protective")


def _sign(kind: str) -> int:
    """+1 when a higher percentage is worse (risk), −1 when lower is worse (protection)."""
    return 1 if kind == "risk" else -1


def _rank(values: np.ndarray) -> np.ndarray:
    """1 = largest; NaN stays unranked."""
    out = np.full(values.shape, np.nan)
    ok = ~np.isnan(values)
    order = np.argsort(-values[ok], kind="stable")
    ranks = np.empty(order.size)
    ranks[order] = np.arange(1, order.size + 1)
    out[ok] = ranks
    return out


def by_grade(table: pd.DataFrame, muni: str, kind: str) -> pd.DataFrame:
    """The municipality's all-gender rows of ``kind``: every grade, and the pooled row
    (grade ``all``), which :func:`reason_text` reads for q and the difference interval."""
    m = (table["municipality"].astype(str) == muni) & (table["gender"].astype(str) == ALL)
    return table[m & (table["indicator_type"] == kind)]


#: replicate × PSU counts drawn at a time (bounds the bootstrap's memory for a big municipality)
_DRAW_ELEMENTS = 1 << 22


def replicate_counts(design: SurveyDesign, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """How often each PSU is drawn in each resample: (replicates × PSUs).

    Resamples what the design samples: within every stratum its n_h PSUs are drawn with
    replacement, n_h times (whole schools within strata under ``clusters``, students within
    their school under ``census``). The counts of n_h uniform draws among n_h PSUs are a
    Multinomial(n_h, 1/n_h) vector, independent between strata and resamples.
    """
    by_stratum = np.argsort(design.psu_stratum, kind="stable")  # PSUs grouped by stratum
    identity = bool((by_stratum == np.arange(by_stratum.size)).all())
    slot_stratum = design.psu_stratum[by_stratum]
    size = design.n_psu[slot_stratum]
    first = (np.cumsum(design.n_psu) - design.n_psu)[slot_stratum]
    n_psu = design.n_psus
    counts = np.empty((replicates, n_psu))
    step = max(1, _DRAW_ELEMENTS // max(n_psu, 1))
    top = size - 1
    for start in range(0, replicates, step):
        block = min(step, replicates - start)
        # a uniform slot of the stratum as ⌊u·n_h⌋ (u uniform on [0, 1)): half the time of
        # rng.integers with a bound per element, in place, without a second index array
        u = rng.random((block, n_psu))
        u *= size
        slot = u.astype(np.intp)
        np.minimum(slot, top, out=slot)  # (u·n_h < n_h in floating point; kept as a guard)
        slot += first
        picked = slot if identity else by_stratum[slot]  # PSUs numbered stratum by stratum: no gather
        picked += (np.arange(block, dtype=np.intp) * n_psu)[:, None]
        counts[start:start + block] = np.bincount(picked.ravel(), minlength=block * n_psu).reshape(block, n_psu)
    return counts


def bootstrap_pct(rows: Rows, design: SurveyDesign, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """Weighted % of every indicator in every resample (replicates × indicators): the
    per-PSU totals Σw·y and Σw·answered, combined by one matrix product per block."""
    n = len(rows)
    to_psu = sparse.csr_array((design.weights, (design.psu, np.arange(n))), shape=(design.n_psus, n))
    # flagged and answered side by side, summed per PSU by one sparse product (each column is
    # summed on its own, so the totals are those of two products, without their copies)
    codes = rows.codes if rows.codes is not None else answer_codes(rows.y)
    k = codes.shape[1]
    both = np.empty((n, 2 * k))
    np.equal(codes, 1, out=both[:, :k])
    np.not_equal(codes, 2, out=both[:, k:])
    totals = to_psu @ both
    summed = replicate_counts(design, replicates, rng) @ totals
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100 * summed[:, :k] / summed[:, k:]


def _top_share(pct: np.ndarray, base: np.ndarray, top: int, sign: int, use_excess: bool) -> np.ndarray:
    """Share of resamples in which each factor is among the ``top`` worst (by the shortlist rule)."""
    if pct.shape[0] == 0 or pct.shape[1] == 0:
        return np.full(pct.shape[1], np.nan)
    metric = sign * (pct - base if use_excess else pct)
    metric = np.where(np.isnan(metric), -np.inf, metric)
    k = min(top, metric.shape[1])
    in_top = np.zeros_like(metric, dtype=bool)
    idx = np.argpartition(-metric, k - 1, axis=1)[:, :k]
    np.put_along_axis(in_top, idx, True, axis=1)
    return in_top.mean(axis=0)


@dataclass(frozen=True)
class GradeRows:
    """One factor's per-grade rows (not the pooled one) as plain arrays, in table order."""

    grade: list[str]
    suppressed: np.ndarray
    pct: np.ndarray
    diff_pp: np.ndarray
    q_value: np.ndarray

    @classmethod
    def of(cls, frame: pd.DataFrame) -> GradeRows:
        def col(name: str) -> np.ndarray:
            return frame[name].to_numpy(dtype=float) if name in frame.columns else np.full(len(frame), np.nan)
        return cls(frame["grade"].astype(str).tolist(), frame["suppressed"].to_numpy(dtype=bool), col("pct"),
                   col("diff_pp"), col("q_value"))


def reason_text(kind: str, row: pd.Series, grades: pd.DataFrame, has_baseline: bool, alpha: float, lang: str, *,
                risk_level: float = 30.0, protective_level: float = 50.0) -> str:
    """One sentence; every number in it is a number of the profile table (pooled row, same rounding).

    ``row`` is the pooled row (at least pct and baseline_pct); ``grades`` are the factor's
    rows from :func:`by_grade`; missing pooled fields (diff_pp, q_value, diff_ci_low/high)
    are taken from its pooled row.
    """
    is_pooled = (grades["grade"].astype(str) == ALL).to_numpy()
    if is_pooled.any():
        pooled = grades.iloc[int(np.argmax(is_pooled))]
        row = {**{k: pooled[k] for k in ("diff_pp", "q_value", "diff_ci_low", "diff_ci_high") if k in pooled.index},
               **dict(row)}
        grades = grades.iloc[np.flatnonzero(~is_pooled)]
    return _reason(kind, dict(row), GradeRows.of(grades), has_baseline, alpha, lang, risk_level, protective_level)


def _reason(kind: str, row: dict, grades: GradeRows, has_baseline: bool, alpha: float, lang: str,
            risk_level: float, protective_level: float) -> str:
    """:func:`reason_text` on plain values: no table is filtered per factor."""
    sign = _sign(kind)
    flag = t(f"flag.{kind}", lang)
    parts = [t("reason.level", lang, pct=number(row["pct"], lang, 1), flag=flag)]
    if has_baseline and not np.isnan(row.get("baseline_pct", np.nan)):
        parts[0] += " " + t("reason.baseline", lang, pct=number(row["baseline_pct"], lang, 1))
        diff = float(row.get("diff_pp", row["pct"] - row["baseline_pct"]))
        if not np.isnan(diff):
            worse = sign * diff > 0
            parts.append(t("reason.diff", lang, diff=_signed(diff, lang),
                           direction=t("reason.above" if worse else "reason.below", lang)))
            q = float(row.get("q_value", np.nan))
            excludes = _excludes_baseline(row)
            if worse and q < alpha:
                parts.append(t("reason.clear", lang, q=_q(q, lang), alpha=number(alpha, lang, 2)))
            elif worse and excludes and not np.isnan(q):
                parts.append(t("reason.not_clear", lang, q=_q(q, lang)))
            elif worse and not np.isnan(q):
                parts.append(t("reason.chance", lang))
        cmp = ~grades.suppressed & ~np.isnan(grades.diff_pp)
        if cmp.any():
            above = cmp & (sign * grades.diff_pp > 0)
            parts.append(t("reason.grades", lang, k=int(above.sum()), m=int(cmp.sum())))
            clear = np.flatnonzero(above & (grades.q_value < alpha))
            if clear.size:
                parts.append(t("reason.clearly", lang, grades=", ".join(grades.grade[i] for i in clear),
                               direction=t("reason.above_short" if kind == "risk" else "reason.below_short", lang)))
    else:
        level = risk_level if kind == "risk" else protective_level
        beyond = sign * (float(row["pct"]) - level) > 0
        key = {("risk", True): "reason.over_level", ("risk", False): "reason.not_over_level",
               ("protective", True): "reason.under_level", ("protective", False): "reason.not_under_level"}[(kind, beyond)]
        parts.append(t(key, lang, level=number(level, lang, 0)))
        shown = np.flatnonzero(~grades.suppressed & ~np.isnan(grades.pct))
        if shown.size:
            worst = shown[int(np.argmax(sign * grades.pct[shown]))]  # the first of equal ones, as idxmax
            key = "reason.worst_grade" if kind == "risk" else "reason.weakest_grade"
            parts.append(t(key, lang, grade=grades.grade[worst], pct=number(grades.pct[worst], lang, 1)))
    return "; ".join(parts)


def _signed(value: float, lang: str) -> str:
    """As the report prints a difference (ctc.report.fmt.signed), with an ASCII sign."""
    text = number(abs(value), lang, 1)
    return text if text == number(0.0, lang, 1) else ("+" if value > 0 else "-") + text


def _q(q: float, lang: str) -> str:
    return "q = " + number(q, lang, 3) if q >= 0.001 else "q < " + number(0.001, lang, 3)


def _excludes_baseline(row: dict) -> bool:
    lo, hi = float(row.get("diff_ci_low", np.nan)), float(row.get("diff_ci_high", np.nan))
    return bool(lo > 0 or hi < 0)


def prioritise(table: pd.DataFrame, scored: pd.DataFrame, inds: tuple[Indicator, ...],
               options: ProfileOptions, has_baseline: bool, *, cells: Cells | None = None) -> pd.DataFrame:
    """One row per municipality × risk/protective factor with ranks, stability and reason.

    ``cells``: the arrays the estimate was computed from (:func:`ctc.profile.cells.prepare`
    of ``scored``), so the table is not split again; prepared here when not given."""
    cells = cells or prepare(scored, inds, options)
    rows = _FactorTable.of(table)  # the table read once: no pandas filtering per municipality and factor
    out = []
    munis = [m for m in table["municipality"].cat.categories if m != ALL]
    # the resamples of the municipalities on the run's workers' threads (each its own random stream)
    boots = thread_map(lambda muni: _municipality_bootstrap(cells, muni, options), munis, options.workers)
    for muni, pct in zip(munis, boots):
        for kind in KINDS:
            out.append(_kind_rows(rows, pct, cells.inds, options, has_baseline, muni, kind))
    if not out:
        return pd.DataFrame()
    # one frame for all municipalities (a frame per municipality and kind cost more than the rest)
    return pd.DataFrame({c: (np.concatenate([part[c] for part in out]) if isinstance(out[0][c], np.ndarray)
                             else [v for part in out for v in part[c]]) for c in out[0]})


#: the pooled row's fields a reason quotes
REASON_FIELDS = ("pct", "baseline_pct", "diff_pp", "q_value", "diff_ci_low", "diff_ci_high")
#: the pooled row's fields the shortlist and a reason read
POOLED_FIELDS = ("pct", "ci_low", "ci_high", "baseline_pct", "diff_pp", "q_value", "diff_ci_low", "diff_ci_high")


@dataclass(frozen=True)
class _FactorTable:
    """The all-gender rows of the profile table as plain arrays, indexed by (municipality, factor)."""

    fields: dict[str, np.ndarray]  # POOLED_FIELDS present in the table, float
    suppressed: np.ndarray
    grade: list[str]
    pooled: dict[tuple[str, str, str], int]  # (municipality, kind, factor) → its pooled row
    per_grade: dict[tuple[str, str, str], list[int]]  # → its per-grade rows, in table order

    @classmethod
    def of(cls, table: pd.DataFrame) -> _FactorTable:
        rows = table[table["gender"].astype(str) == ALL]
        grade = rows["grade"].astype(str).tolist()
        pooled: dict[tuple[str, str, str], int] = {}
        per_grade: dict[tuple[str, str, str], list[int]] = {}
        keys = zip(rows["municipality"].astype(str).tolist(), rows["indicator_type"].astype(str).tolist(),
                   rows["indicator_id"].astype(str).tolist())
        for i, key in enumerate(keys):
            if grade[i] == ALL:
                pooled.setdefault(key, i)
            else:
                per_grade.setdefault(key, []).append(i)
        fields = {c: rows[c].to_numpy(dtype=float) for c in POOLED_FIELDS if c in rows.columns}
        return cls(fields, rows["suppressed"].to_numpy(dtype=bool), grade, pooled, per_grade)

    def pooled_rows(self, muni: str, kind: str, ids: list[str]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The factors' pooled fields (NaN, and suppressed, where a factor has no row)."""
        at = np.array([self.pooled.get((muni, kind, i), -1) for i in ids], dtype=np.int64)
        have = at >= 0
        pick = np.where(have, at, 0)
        fields = {c: np.where(have, v[pick], np.nan) if v.size else np.full(at.size, np.nan) for c, v in self.fields.items()}
        for c in POOLED_FIELDS:
            fields.setdefault(c, np.full(at.size, np.nan))
        suppressed = np.where(have, self.suppressed[pick] if self.suppressed.size else True, True)
        return fields, suppressed

    def grades(self, muni: str, kind: str, ident: str) -> GradeRows:
        at = np.array(self.per_grade.get((muni, kind, ident), []), dtype=np.int64)
        nan = np.full(at.size, np.nan)
        return GradeRows([self.grade[i] for i in at], self.suppressed[at],
                         self.fields["pct"][at] if "pct" in self.fields else nan,
                         self.fields["diff_pp"][at] if "diff_pp" in self.fields else nan,
                         self.fields["q_value"][at] if "q_value" in self.fields else nan)


def municipality_rng(seed: int, municipality: str) -> np.random.Generator:
    """The bootstrap's random stream of one municipality: from the seed and its name only,
    so its shares do not depend on the other municipalities of the file, their order, or
    the process it is computed in."""
    name = int.from_bytes(hashlib.sha256(municipality.encode("utf-8")).digest()[:8], "little")
    return np.random.default_rng([seed, name])


def _municipality_bootstrap(cells: Cells, muni: str, options: ProfileOptions) -> np.ndarray | None:
    """Resampled % of every indicator (replicates × indicators) in one municipality, or None.

    Risk and protective factors are ranked in the same resamples."""
    if muni not in cells.slices or options.bootstrap <= 0:
        return None
    rows = cells.municipality(muni)
    rows = rows.take(rows.include)
    if len(rows) == 0:
        return None
    return bootstrap_pct(rows, cell_design(rows, options, whole=False), options.bootstrap,
                         municipality_rng(options.seed, muni))


def _kind_rows(table: _FactorTable, boot, inds, options, has_baseline, muni, kind) -> dict[str, list | np.ndarray]:
    """The columns of one municipality's factors of ``kind``, in shortlist order."""
    sign = _sign(kind)
    kind_inds = tuple(i for i in inds if i.type == kind)
    ids = [i.id for i in kind_inds]
    pooled, suppressed = table.pooled_rows(muni, kind, ids)
    shown = ~suppressed
    pct = np.where(shown, pooled["pct"], np.nan)
    base = pooled["baseline_pct"]
    excess = sign * (pct - base)
    bound = pooled["ci_low"] if sign > 0 else pooled["ci_high"]
    with np.errstate(invalid="ignore"):
        clear_metric = np.where((pooled["q_value"] < options.alpha) & (excess > 0), sign * (bound - base), np.nan)
    rule = "excess" if has_baseline and not np.isnan(excess).all() else "level"
    top = options.top_risk if kind == "risk" else options.top_protective
    level = options.risk_level if kind == "risk" else options.protective_level
    # a candidate must be worse than the baseline (or, without one, beyond the stated level)
    with np.errstate(invalid="ignore"):
        candidate = excess > 0 if rule == "excess" else sign * (pct - level) > 0
    if boot is not None and kind_inds:
        columns = [k for k, i in enumerate(inds) if i.type == kind]
        share = _top_share(boot[:, columns], base if rule == "excess" else np.zeros(len(kind_inds)), top, sign,
                           rule == "excess")
    else:
        share = np.full(len(kind_inds), np.nan)
    ranks = {"level": _rank(sign * pct), "excess": _rank(excess), "clear": _rank(clear_metric)}
    reasons = [
        _reason(kind, {c: pooled[c][k] for c in REASON_FIELDS if c in table.fields}, table.grades(muni, kind, i.id), rule == "excess", options.alpha,
                options.lang, options.risk_level, options.protective_level)
        if shown[k] else t("reason.suppressed", options.lang)
        for k, i in enumerate(kind_inds)
    ]
    candidate_rank = _rank(np.where(candidate, ranks[rule] * -1.0, np.nan))
    shortlisted = candidate & (candidate_rank <= top)
    k, k_short = int(candidate.sum()), int(shortlisted.sum())
    what = t(f"shortlist.kind.{kind}", options.lang)
    if rule == "excess":
        note = (t("shortlist.note.baseline", options.lang, k=k, kind=what, k_short=k_short, top=top) if k
                else t("shortlist.note.baseline_none", options.lang, kind=what))
    else:
        lvl = number(level, options.lang, 0)
        note = (t("shortlist.note.level", options.lang, k=k, kind=what, k_short=k_short, top=top, level=lvl) if k
                else t("shortlist.note.level_none", options.lang, kind=what, level=lvl))
    # by the shortlist rule's rank, unranked last, then by id (stable): one small sort, no frame per kind
    key = ranks[rule]
    order = sorted(range(len(ids)), key=lambda j: (bool(np.isnan(key[j])), 0.0 if np.isnan(key[j]) else key[j], ids[j]))
    n = len(ids)
    columns = {
        "municipality": [muni] * n, "kind": [kind] * n, "indicator_id": ids,
        "label": [i.name(options.lang) for i in kind_inds], "pct": pct,
        "ci_low": pooled["ci_low"], "ci_high": pooled["ci_high"],
        "baseline_pct": base, "diff_pp": pooled["diff_pp"], "q_value": pooled["q_value"],
        "rank_level": ranks["level"], "rank_excess": ranks["excess"], "rank_clear": ranks["clear"],
        "top_share": share, "shortlist_rule": [rule] * n, "candidate": candidate, "shortlisted": shortlisted,
        "shortlist_size": np.full(n, k_short, dtype=np.int64), "shortlist_note": [note] * n, "reason": reasons,
    }
    return {c: (np.asarray(v)[order] if isinstance(v, np.ndarray) else [v[j] for j in order]) for c, v in columns.items()}
