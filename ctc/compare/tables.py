"""The published tables of a comparison: per-wave cells, changes, trends, evaluator export.

Privacy (docs/compare.md, "What is published"): every wave's cells are estimated and
protected exactly as ``ctc profile`` publishes them (same cells, same network, same
audit gate). A change or a trend is published only for a cell shown in every wave it
uses; a difference of two shown percentages says nothing the two do not. The waves
are different questionnaires, so their tables share no cells an attacker could link.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..profile.estimate import ALL, MIN_CLUSTER_DF, check_design, estimate, indicator_matrix
from ..profile.indicators import Indicator, indicators
from ..profile.memory import trim
from ..profile.options import ProfileOptions
from ..release.protect import Protected, protect_profile
from ..release.publish import profile_rules
from ..stats import bh_adjust_grouped
from . import aggregate as agg_mod
from . import cohort
from .comparable import across
from .difference import difference, publish_difference
from .difference import shown as _shown
from .effects import effect_sizes, verdict
from .inputs import Waves
from .strings import s
from .trend import label as trend_label
from .trend import trend

KEYS = ["municipality", "grade", "gender", "indicator_type", "indicator_id"]
WAVE_COLS = ["n", "pct", "ci_low", "ci_high", "se", "suppressed", "suppression_reason"]
COMPARE_COLUMNS = [
    *KEYS, "label", "wave_a", "wave_b", "n_a", "pct_a", "ci_low_a", "ci_high_a", "n_b", "pct_b", "ci_low_b", "ci_high_b",
    "diff_pp", "diff_se", "diff_ci_low", "diff_ci_high", "df", "t", "p_value", "q_value", "risk_ratio", "odds_ratio",
    "cohens_h", "verdict", "verdict_label", "reason", "comparable", "design", "weighted",
]
TREND_COLUMNS = [
    *KEYS, "label", "waves", "n_waves", "linear", "linear_se", "linear_p", "quadratic", "quadratic_se", "quadratic_p",
    "df", "trend", "trend_label", "reason", "design", "weighted",
]
EXPORT_COLUMNS = ["municipality", "wave", "grade", "gender", "indicator_type", "indicator_id", "label", "n", "estimate_pct",
                  "se_pp", "df", "ci_low", "ci_high", "suppressed", "design", "weighted"]


@dataclass(frozen=True)
class CompareOptions:
    profile: ProfileOptions = field(default_factory=ProfileOptions)
    wave_from: str | None = None  # default: the wave before the latest
    wave_to: str | None = None  # default: the latest
    priorities: tuple[str, ...] = ()  # indicator ids the board chose (shown first in changes.html)
    cohorts: bool = False  # also the pseudo-cohorts (grade g in one wave, g + d d years later): cohorts.csv


@dataclass
class CompareTables:
    compare: pd.DataFrame
    trends: pd.DataFrame | None
    export: pd.DataFrame
    waves: dict[str, pd.DataFrame]  # wave → its published profile-format table
    protections: dict[str, Protected]
    indicators: tuple[Indicator, ...]
    pair: tuple[str, str]
    all_waves: tuple[str, ...]
    cohorts: pd.DataFrame | None = None


def _genders(inst, frame: pd.DataFrame) -> list[str]:
    if inst.genders:
        return list(inst.genders)
    return sorted(set(frame["gender"].dropna().astype(str))) if "gender" in frame else []


def wave_table(frame: pd.DataFrame, inst, options: ProfileOptions) -> tuple[pd.DataFrame, Protected]:
    """One wave estimated and protected exactly as ``ctc profile`` publishes it."""
    inds = indicators(inst)
    table, protection = protect_profile(estimate(frame, inds, options), _genders(inst, frame), profile_rules(options.suppression),
                                        workers=options.workers)
    labels = {(i.type, i.id): i.name(options.lang) for i in inds}
    table["label"] = [labels[k] for k in zip(table["indicator_type"], table["indicator_id"])]
    return table, protection


def _pair(waves: tuple[str, ...], options: CompareOptions) -> tuple[str, str]:
    from ..errors import UsageError

    def pick(value: str | None, default: str, flag: str) -> str:
        if value is None:
            return default
        hit = [w for w in waves if w == str(value).strip() or pd.to_numeric(w, errors="coerce") == pd.to_numeric(value, errors="coerce")]
        if not hit:
            raise UsageError(f"{flag} {value} is not one of the waves ({', '.join(waves)})", f"pass {flag} with one of these")
        return hit[0]

    b = pick(options.wave_to, waves[-1], "--to")
    earlier = [w for w in waves if waves.index(w) < waves.index(b)]
    a = pick(options.wave_from, earlier[-1] if earlier else waves[0], "--from")
    if waves.index(a) >= waves.index(b):
        raise UsageError(f"--from {a} is not earlier than --to {b}", "compare an earlier wave with a later one")
    return a, b


def _domains(table: pd.DataFrame) -> list[tuple[str | None, str | None]]:
    grades = [g for g in table["grade"].cat.categories if g != ALL and (table["grade"] == g).any()]
    genders = [g for g in table["gender"].cat.categories if g != ALL and (table["gender"] == g).any()]
    return [(None, None), *[(g, None) for g in grades], *[(None, s_) for s_ in genders]]


def _municipality_rows(frame: pd.DataFrame, munis: list[str]) -> dict[str, np.ndarray]:
    groups = frame.groupby(frame["municipality"].astype("string"), sort=False).indices
    return {m: np.sort(groups[m]) for m in munis if m in groups}


def _scope_aggregates(frame: pd.DataFrame, inds: tuple[Indicator, ...], rows: np.ndarray, waves_sets: list[tuple[str, ...]],
                      options: ProfileOptions, weighted: bool, grades: list[str], genders: list[str]) -> list[agg_mod.Aggregates | None]:
    """One municipality's aggregates for each set of waves (its indicator matrix built once)."""
    sub = frame.iloc[rows]
    y = indicator_matrix(sub, inds)
    out: list[agg_mod.Aggregates | None] = []
    for waves in waves_sets:
        in_waves = sub["wave"].isin(waves).to_numpy()
        if not in_waves.any():  # the municipality took no part in these waves
            out.append(None)
            continue
        out.append(agg_mod.aggregate(sub.loc[in_waves], y[in_waves], waves, options, weighted=weighted, grades=grades,
                                     genders=genders))
    return out


def _wave_values(table: pd.DataFrame, suffix: str) -> pd.DataFrame:
    part = table[[*KEYS, *WAVE_COLS]].copy()
    for k in ("municipality", "grade", "gender"):
        part[k] = part[k].astype(str)
    return part.rename(columns={c: f"{c}_{suffix}" for c in WAVE_COLS})


def compare_tables(data: Waves, options: CompareOptions) -> CompareTables:
    """Every table ``ctc compare`` publishes (pure: no files)."""
    popt = options.profile
    frame = data.frame
    check_design(frame, popt)
    published, protections = {}, {}
    for w in data.waves:
        rows = (frame["wave"] == w).to_numpy()
        published[w], protections[w] = wave_table(frame.loc[rows].reset_index(drop=True), data.instruments[w], popt)
    trim()  # each wave's copy of its rows and its estimate's temporaries, before the aggregates
    inst_last = data.instruments[data.waves[-1]]
    inds = indicators(inst_last)
    a, b = _pair(data.waves, options)
    pairs = cohort.cohort_pairs(data.waves, cohort.present_grades(published)) if options.cohorts else []
    used_pair = [data.instruments[a], data.instruments[b]]
    comparable_pair = across(used_pair)
    comparable_all = across([data.instruments[w] for w in data.waves])
    for ind in inds:  # a column only some versions have is NaN in the others (never compared: not comparable)
        if ind.column not in frame:
            frame[ind.column] = np.nan
    last = published[data.waves[-1]]
    munis = [m for m in last["municipality"].cat.categories if m != ALL]
    grades = [g for g in last["grade"].cat.categories if g != ALL]
    genders = _genders(inst_last, frame)
    domains = _domains(last)
    labels = {(i.type, i.id): i.name(popt.lang) for i in inds}
    wave_sets = [(a, b), *([data.waves] if len(data.waves) >= 3 else [])]
    scopes = {m: _scope_aggregates(frame, inds, rows, wave_sets, popt, data.weighted, grades, genders)
              for m, rows in _municipality_rows(frame, munis).items()}
    if len(munis) > 1:  # the whole file: municipalities are its strata
        scopes[ALL] = [agg_mod.combine([p[k] for p in scopes.values() if p[k] is not None]) for k in range(len(wave_sets))]
    diffs, trends = [], []
    for scope, parts in scopes.items():
        agg2, aggk = parts[0], (parts[1] if len(parts) > 1 else None)
        if agg2 is None:
            continue
        for grade, gender in domains:
            keys = {"municipality": scope, "grade": grade or ALL, "gender": gender or ALL}
            ch = difference(agg2, agg2.cells(grade, gender), 0, 1)
            diffs.append(pd.DataFrame({**keys, "indicator_type": [i.type for i in inds], "indicator_id": [i.id for i in inds],
                                       "p_a": ch.p_a, "p_b": ch.p_b, "diff": ch.diff, "diff_se_raw": ch.se, "df": ch.df,
                                       "t": ch.t, "p_value": ch.p_value}))
            if aggk is not None:
                adjust = tuple(r for r, v in (("grade", grade), ("gender", gender)) if v is None)
                tr = trend(aggk, aggk.cells(grade, gender), [float(w) for w in data.waves], adjust)
                trends.append(pd.DataFrame({**keys, "indicator_type": [i.type for i in inds],
                                            "indicator_id": [i.id for i in inds], **{f: getattr(tr, f) for f in
                                            ("linear", "linear_se", "linear_p", "quadratic", "quadratic_se", "quadratic_p", "df")}}))
    compare = _compare_table(pd.concat(diffs, ignore_index=True), published, a, b, comparable_pair, labels, options, data.weighted)
    trend_table = (_trend_table(pd.concat(trends, ignore_index=True), published, data.waves, comparable_all, labels, options,
                                data.weighted) if trends else None)
    export = _export(published, popt, data.weighted)
    cohorts = None
    if pairs:
        pair_sets = cohort.wave_pairs(pairs)  # each pair of waves: its own stacked design, as the two-wave comparison
        cohort_scopes = {m: _scope_aggregates(frame, inds, rows, pair_sets, popt, data.weighted, grades, genders)
                         for m, rows in _municipality_rows(frame, munis).items()}
        if len(munis) > 1:
            cohort_scopes[ALL] = [agg_mod.combine([p[k] for p in cohort_scopes.values() if p[k] is not None])
                                  for k in range(len(pair_sets))]
        raw = cohort.cohort_raw(inds, pairs, cohort_scopes)
        cohorts = cohort.cohort_table(raw, data, published, labels, popt, munis)
    return CompareTables(compare, trend_table, export, published, protections, inds, (a, b), data.waves, cohorts)




def _compare_table(raw: pd.DataFrame, published: dict[str, pd.DataFrame], a: str, b: str, comparable: dict,
                   labels: dict, options: CompareOptions, weighted: bool) -> pd.DataFrame:
    popt = options.profile
    out = raw.merge(_wave_values(published[a], "a"), on=KEYS, how="left").merge(_wave_values(published[b], "b"), on=KEYS, how="left")
    out["wave_a"], out["wave_b"] = a, b
    out["label"] = [labels[k] for k in zip(out["indicator_type"], out["indicator_id"])]
    reasons = [comparable.get(k, "") for k in zip(out["indicator_type"], out["indicator_id"])]
    out["comparable"] = [not r for r in reasons]
    shown, _ = publish_difference(out, ("a", "b"), "diff_se_raw", popt.design, popt.level, MIN_CLUSTER_DF)
    # one family per municipality and group: the pooled verdicts of a town are one family of its indicators
    family = out["municipality"].astype(str) + "\x1f" + out["grade"].astype(str) + "\x1f" + out["gender"].astype(str)
    out["q_value"] = bh_adjust_grouped(out["p_value"].to_numpy(dtype=float), family.to_numpy())
    rr, odds, h = effect_sizes(out["p_a"].to_numpy(dtype=float), out["p_b"].to_numpy(dtype=float))
    out["risk_ratio"], out["odds_ratio"], out["cohens_h"] = (np.where(shown, v, np.nan) for v in (rr, odds, h))
    codes, texts = [], []
    for r, why, ok in zip(out.itertuples(index=False), reasons, shown):
        code, text = _verdict_of(r, why, ok, a, b, popt)
        codes.append(code)
        texts.append(text)
    out["verdict"] = codes
    out["verdict_label"] = [s(f"verdict.{c}", popt.lang) for c in codes]
    out["reason"] = texts
    out["design"], out["weighted"] = popt.design, weighted
    for col in ("n_a", "n_b"):
        out[col] = out[col].astype("Int64")
    return _ordered(out[COMPARE_COLUMNS], published[b])


def _verdict_of(r, why: str, shown: bool, a: str, b: str, popt: ProfileOptions) -> tuple[str, str]:
    lang = popt.lang
    if why:
        return "not-comparable", s("reason.not-comparable", lang, why=why)
    if not shown:
        for wave, suffix in ((a, "a"), (b, "b")):
            n = getattr(r, f"n_{suffix}")
            if getattr(r, f"suppression_reason_{suffix}") == "protected":
                return "not-shown", s("reason.hidden", lang, wave=wave)
            if n is None or pd.isna(n) or n == 0:
                return "not-shown", s("reason.empty", lang, wave=wave)
        return "not-shown", s("reason.empty", lang, wave=a)
    return verdict(r.indicator_type, r.diff_pp, r.diff_ci_low, r.diff_ci_high, r.q_value, popt.alpha, lang)


def _ordered(table: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    for col in ("municipality", "grade", "gender"):
        table[col] = pd.Categorical(table[col], categories=list(reference[col].cat.categories), ordered=True)
    return table.sort_values(["municipality", "grade", "gender"], kind="stable").reset_index(drop=True)


def _trend_table(raw: pd.DataFrame, published: dict[str, pd.DataFrame], waves: tuple[str, ...], comparable: dict,
                 labels: dict, options: CompareOptions, weighted: bool) -> pd.DataFrame:
    popt = options.profile
    out = raw
    shown = np.ones(len(out), dtype=bool)
    hidden_in = [""] * len(out)
    for w in waves:
        vals = raw[KEYS].merge(_wave_values(published[w], "w"), on=KEYS, how="left")
        ok = _shown(vals, "w").to_numpy()
        hidden_in = [h or ("" if o else w) for h, o in zip(hidden_in, ok)]
        shown &= ok
    reasons = [comparable.get(k, "") for k in zip(out["indicator_type"], out["indicator_id"])]
    out["label"] = [labels[k] for k in zip(out["indicator_type"], out["indicator_id"])]
    out["waves"] = ";".join(waves)
    out["n_waves"] = len(waves)
    publish = shown & np.array([not r for r in reasons])
    fitted = publish & np.isfinite(out["linear_p"].to_numpy(dtype=float))
    if popt.design == "clusters":
        fitted &= out["df"].to_numpy(dtype=float) >= MIN_CLUSTER_DF
    for col in ("linear", "linear_se", "linear_p", "quadratic", "quadratic_se", "quadratic_p", "df"):
        out[col] = np.where(fitted, out[col].to_numpy(dtype=float), np.nan)
    codes, texts, why_out = [], [], []
    for r, why, hid, ok in zip(out.itertuples(index=False), reasons, hidden_in, fitted):
        code = trend_label(r.linear, r.linear_p, r.quadratic_p, popt.alpha) if ok else ""
        codes.append(code)
        texts.append(s(f"trend.{code}", popt.lang) if code else s("trend.none", popt.lang))
        why_out.append(s("reason.not-comparable", popt.lang, why=why) if why else
                       s("reason.hidden", popt.lang, wave=hid) if hid else "")
    out["trend"], out["trend_label"], out["reason"] = codes, texts, why_out
    out["design"], out["weighted"] = popt.design, weighted
    return _ordered(out[TREND_COLUMNS], published[waves[-1]])


def _export(published: dict[str, pd.DataFrame], popt: ProfileOptions, weighted: bool) -> pd.DataFrame:
    """Municipality × wave × indicator (and the published grade/gender margins) for evaluators' own models."""
    parts = []
    for w, table in published.items():
        part = table.assign(wave=w).rename(columns={"pct": "estimate_pct", "se": "se_pp"})
        part["design"], part["weighted"] = popt.design, weighted
        for col in ("municipality", "grade", "gender"):
            part[col] = part[col].astype(str)
        parts.append(part[EXPORT_COLUMNS])
    return pd.concat(parts, ignore_index=True)
