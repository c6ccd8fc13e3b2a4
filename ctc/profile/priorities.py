"""Reasoned shortlists of priority factors per municipality.

The toolkit never decides for the board. It ranks risk factors (elevated) and
protective factors (depressed) under three decision rules side by side:

* ``level``  — highest % at risk (lowest % with high protection);
* ``excess`` — largest difference from the baseline in percentage points;
* ``clear``  — excess that is statistically clear: BH q < alpha, ranked by the
  interval bound nearest the baseline (the excess the data guarantee);

and says how stable each factor's place is: the share of bootstrap resamples of the
municipality's respondents in which it makes the top N of its kind. The shortlist
(about five risk and three protective candidates) follows the ``excess`` rule when a
baseline is given, otherwise ``level``; every factor carries a one-sentence reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..i18n import number, t
from .estimate import ALL, indicator_matrix
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


def _pooled(table: pd.DataFrame, muni: str, kind: str) -> pd.DataFrame:
    m = (table["municipality"].astype(str) == muni) & (table["grade"].astype(str) == ALL) & (table["gender"].astype(str) == ALL)
    return table[m & (table["indicator_type"] == kind)].set_index("indicator_id")


def by_grade(table: pd.DataFrame, muni: str, kind: str) -> pd.DataFrame:
    m = (table["municipality"].astype(str) == muni) & (table["grade"].astype(str) != ALL) & (table["gender"].astype(str) == ALL)
    return table[m & (table["indicator_type"] == kind)]


def _bootstrap_top_share(y: np.ndarray, w: np.ndarray, base: np.ndarray, top: int, sign: int,
                         use_excess: bool, options: ProfileOptions, rng: np.random.Generator) -> np.ndarray:
    """Share of resamples in which each factor is among the ``top`` worst (by the shortlist rule)."""
    n = len(y)
    if n == 0 or options.bootstrap <= 0:
        return np.full(y.shape[1], np.nan)
    valid = (~np.isnan(y)).astype(np.float64) * w[:, None]
    hit = (y == 1.0).astype(np.float64) * w[:, None]
    counts = rng.multinomial(n, np.full(n, 1.0 / n), size=options.bootstrap).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = 100 * (counts @ hit) / (counts @ valid)
    metric = sign * (pct - base if use_excess else pct)
    metric = np.where(np.isnan(metric), -np.inf, metric)
    k = min(top, metric.shape[1])
    in_top = np.zeros_like(metric, dtype=bool)
    idx = np.argpartition(-metric, k - 1, axis=1)[:, :k]
    np.put_along_axis(in_top, idx, True, axis=1)
    return in_top.mean(axis=0)


def reason_text(kind: str, row: pd.Series, grades: pd.DataFrame, has_baseline: bool, alpha: float, lang: str) -> str:
    sign = _sign(kind)
    flag = t(f"flag.{kind}", lang)
    parts = [t("reason.level", lang, pct=number(row["pct"], lang, 1), flag=flag)]
    if has_baseline and not np.isnan(row.get("baseline_pct", np.nan)):
        parts[0] += " " + t("reason.baseline", lang, pct=number(row["baseline_pct"], lang, 1))
        cmp = grades[~grades["suppressed"] & grades["diff_pp"].notna()]
        if len(cmp):
            worse = cmp[sign * cmp["diff_pp"] > 0]
            key = "reason.elevated" if kind == "risk" else "reason.depressed"
            mean = float((sign * cmp["diff_pp"]).mean())
            direction = t("reason.above" if mean >= 0 else "reason.below", lang)
            parts.append(t(key, lang, k=len(worse), m=len(cmp)) + ", " +
                         t("reason.mean_diff", lang, diff=number(abs(mean), lang, 1), direction=direction))
            clear = cmp[(sign * cmp["diff_pp"] > 0) & (cmp["q_value"] < alpha)]
            if len(clear):
                parts.append(t("reason.clearly", lang, grades=", ".join(clear["grade"].astype(str)),
                               direction=t("reason.above_short" if kind == "risk" else "reason.below_short", lang)))
    else:
        shown = grades[~grades["suppressed"]]
        if len(shown):
            worst = shown.loc[(sign * shown["pct"]).idxmax()]
            key = "reason.worst_grade" if kind == "risk" else "reason.weakest_grade"
            parts.append(t(key, lang, grade=worst["grade"], pct=number(worst["pct"], lang, 1)))
    return "; ".join(parts)


def prioritise(table: pd.DataFrame, scored: pd.DataFrame, inds: tuple[Indicator, ...],
               options: ProfileOptions, has_baseline: bool) -> pd.DataFrame:
    """One row per municipality × risk/protective factor with ranks, stability and reason."""
    rng = np.random.default_rng(options.seed)
    include = ~scored["excluded"].to_numpy(dtype=bool)
    weights = scored["weight"].to_numpy(dtype=float, na_value=np.nan) if "weight" in scored else np.ones(len(scored))
    muni_col = scored["municipality"].astype("string").to_numpy(dtype=object, na_value=None)
    # split once: reasons and ranks look only at one municipality's all-gender rows
    all_genders = table[table["gender"].astype(str) == ALL]
    parts = dict(tuple(all_genders.groupby("municipality", observed=True, sort=False)))
    rows = []
    for muni in [m for m in table["municipality"].cat.categories if m != ALL]:
        members = include & (muni_col == muni)
        part = parts.get(muni, all_genders.iloc[:0])
        for kind in KINDS:
            rows.append(_kind_rows(part, scored, inds, options, has_baseline, rng, muni, kind, members, weights))
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    return out


def _kind_rows(table, scored, inds, options, has_baseline, rng, muni, kind, members, weights) -> pd.DataFrame:
    sign = _sign(kind)
    kind_inds = tuple(i for i in inds if i.type == kind)
    pooled = _pooled(table, muni, kind).reindex([i.id for i in kind_inds])
    shown = ~pooled["suppressed"].fillna(True).to_numpy(dtype=bool)
    pct = np.where(shown, pooled["pct"].to_numpy(dtype=float), np.nan)
    base = pooled["baseline_pct"].to_numpy(dtype=float)
    excess = sign * (pct - base)
    bound = np.where(sign > 0, pooled["ci_low"], pooled["ci_high"]).astype(float)
    clear_metric = np.where((pooled["q_value"].to_numpy(dtype=float) < options.alpha) & (excess > 0), sign * (bound - base), np.nan)
    rule = "excess" if has_baseline and not np.isnan(excess).all() else "level"
    top = options.top_risk if kind == "risk" else options.top_protective
    y = indicator_matrix(scored.loc[members], kind_inds)
    share = _bootstrap_top_share(y, weights[members], base if rule == "excess" else np.zeros(len(kind_inds)), top, sign,
                                 rule == "excess", options, rng)
    ranks = {"level": _rank(sign * pct), "excess": _rank(excess), "clear": _rank(clear_metric)}
    grades = by_grade(table, muni, kind)
    per_factor = dict(tuple(grades.groupby("indicator_id", sort=False)))
    reasons = [
        reason_text(kind, pooled.loc[i.id], per_factor.get(i.id, grades.iloc[:0]), has_baseline, options.alpha, options.lang)
        if shown[k] else t("reason.suppressed", options.lang)
        for k, i in enumerate(kind_inds)
    ]
    frame = pd.DataFrame({
        "municipality": muni, "kind": kind, "indicator_id": [i.id for i in kind_inds],
        "label": [i.name(options.lang) for i in kind_inds], "pct": pct,
        "ci_low": pooled["ci_low"].to_numpy(dtype=float), "ci_high": pooled["ci_high"].to_numpy(dtype=float),
        "baseline_pct": base, "diff_pp": pooled["diff_pp"].to_numpy(dtype=float), "q_value": pooled["q_value"].to_numpy(dtype=float),
        "rank_level": ranks["level"], "rank_excess": ranks["excess"], "rank_clear": ranks["clear"],
        "top_share": share, "shortlist_rule": rule,
    })
    frame["shortlisted"] = frame[f"rank_{rule}"] <= top
    frame["reason"] = reasons
    return frame.sort_values([f"rank_{rule}", "indicator_id"], na_position="last", kind="stable")
