"""Pseudo-cohorts: grade g in one wave against grade g + d in a wave d years later.

The CTC community-randomised trial followed "pseudo-cohorts" — the grade-6 pupils of one
wave against the grade-8 pupils two years later, mostly the same birth cohort. For every
pair of waves (w1 < w2) with gap d = w2 − w1 years and every grade g present in w1 whose
g + d is present in w2, every municipality (and the whole file when it has several) gets
the difference of the two cells with the same design model as the two-wave comparison
(the stacked design of w1 and w2; :func:`ctc.compare.difference.difference` with a domain
per wave), Benjamini–Hochberg q-values in one family per municipality (all its cohort
rows), effect sizes and the verdict.

Privacy: the two cells are the per-wave profile's published "grade, genders pooled"
cells, and a row is published only when both are shown — the cohort table repeats
published percentages and their difference, as ``compare.csv`` does. Grade × gender
cohorts are not formed: the profile does not publish grade × gender cells (they are
where the small groups are, ``ctc.release.cells``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..profile.estimate import ALL, MIN_CLUSTER_DF
from ..profile.indicators import Indicator
from ..profile.options import ProfileOptions
from ..stats import bh_adjust_grouped
from . import aggregate as agg_mod
from .comparable import across
from .difference import difference, publish_difference
from .effects import effect_sizes
from .inputs import Waves
from .strings import s

COHORT_COLUMNS = [
    "municipality", "gender", "indicator_type", "indicator_id", "label", "wave_from", "wave_to", "gap_years",
    "grade_from", "grade_to", "n_from", "pct_from", "ci_low_from", "ci_high_from", "n_to", "pct_to", "ci_low_to",
    "ci_high_to", "diff_pp", "diff_se", "diff_ci_low", "diff_ci_high", "df", "t", "p_value", "q_value", "risk_ratio",
    "odds_ratio", "cohens_h", "verdict", "verdict_label", "reason", "comparable", "design", "weighted",
]
VALUES = ["n", "pct", "ci_low", "ci_high", "suppressed", "suppression_reason"]

Pair = tuple[str, str, str, str]  # wave_from, wave_to, grade_from, grade_to


def present_grades(published: dict[str, pd.DataFrame]) -> dict[str, list[str]]:
    """Per wave, the grades with answering respondents (in the wave's published table)."""
    out = {}
    for wave, table in published.items():
        rows = table[(table["grade"].astype(str) != ALL) & (pd.to_numeric(table["n"], errors="coerce") > 0)]
        out[wave] = sorted({str(g) for g in rows["grade"].astype(str)}, key=lambda g: float(g))
    return out


def cohort_pairs(waves: tuple[str, ...], grades: dict[str, list[str]]) -> list[Pair]:
    """Every (w1, w2, g, g + d) with w1 earlier than w2, d = w2 − w1 years, g in w1 and g + d in w2."""
    pairs = []
    for i, w1 in enumerate(waves):
        for w2 in waves[i + 1:]:
            gap = float(w2) - float(w1)
            for g in grades[w1]:
                target = float(g) + gap
                hit = [h for h in grades[w2] if float(h) == target]
                if hit:
                    pairs.append((w1, w2, g, hit[0]))
    if not pairs:
        found = "; ".join(f"{w}: {', '.join(grades[w]) or '-'}" for w in waves)
        raise UsageError(f"--cohorts: no pseudo-cohort can be formed: no grade g of a wave has grade g + d "
                         f"d years later (grades per wave: {found})",
                         "a pseudo-cohort needs waves d years apart with grades d apart (e.g. grade 6 in 2022 and "
                         "grade 8 in 2024); leave out --cohorts")
    return pairs


def cohort_raw(inds: tuple[Indicator, ...], pairs: list[Pair],
               scopes: dict[str, list[agg_mod.Aggregates | None]]) -> pd.DataFrame:
    """The unprotected estimates of every scope × pair × indicator; ``scopes[m][k]`` is the
    stacked design of scope m over the k-th pair of waves of :func:`wave_pairs` (None: not surveyed)."""
    parts = []
    for k, (w1, w2) in enumerate(wave_pairs(pairs)):
        for g1, g2 in ((p[2], p[3]) for p in pairs if p[:2] == (w1, w2)):
            for scope, aggs in scopes.items():
                agg = aggs[k]
                if agg is None:
                    continue
                ch = difference(agg, {0: agg.cells(g1, None), 1: agg.cells(g2, None)}, 0, 1)
                parts.append(pd.DataFrame({"municipality": scope, "gender": ALL, "indicator_type": [i.type for i in inds],
                                           "indicator_id": [i.id for i in inds], "wave_from": w1, "wave_to": w2,
                                           "grade_from": g1, "grade_to": g2, "p_a": ch.p_a, "p_b": ch.p_b, "diff": ch.diff,
                                           "se_raw": ch.se, "df": ch.df, "t": ch.t, "p_value": ch.p_value}))
    return pd.concat(parts, ignore_index=True)


def wave_pairs(pairs: list[Pair]) -> list[tuple[str, str]]:
    """The pairs of waves the cohorts use, in order."""
    return list(dict.fromkeys((p[0], p[1]) for p in pairs))


def _cell_values(published: dict[str, pd.DataFrame], wave_col: str, grade_col: str, raw: pd.DataFrame, suffix: str) -> pd.DataFrame:
    keys = ["municipality", "grade", "gender", "indicator_type", "indicator_id"]
    parts = []
    for wave, table in published.items():
        part = table[[*keys, *VALUES]].copy()
        for k in ("municipality", "grade", "gender"):
            part[k] = part[k].astype(str)
        parts.append(part.assign(**{wave_col: wave}))
    cells = pd.concat(parts, ignore_index=True).rename(columns={"grade": grade_col, **{c: f"{c}_{suffix}" for c in VALUES}})
    look = raw[["municipality", "gender", "indicator_type", "indicator_id", wave_col, grade_col]]
    return look.merge(cells, on=["municipality", "gender", "indicator_type", "indicator_id", wave_col, grade_col], how="left")


def cohort_table(raw: pd.DataFrame, data: Waves, published: dict[str, pd.DataFrame], labels: dict, options: ProfileOptions,
                 munis: list[str]) -> pd.DataFrame:
    """The published cohorts.csv: only rows whose two cells are shown in their waves' profiles."""
    out = raw.copy()
    for suffix, wave_col, grade_col in (("from", "wave_from", "grade_from"), ("to", "wave_to", "grade_to")):
        vals = _cell_values(published, wave_col, grade_col, raw, suffix)
        for c in VALUES:
            out[f"{c}_{suffix}"] = vals[f"{c}_{suffix}"].to_numpy()
    out["gap_years"] = [int(round(float(b) - float(a))) for a, b in zip(out["wave_from"], out["wave_to"])]
    out["label"] = [labels[k] for k in zip(out["indicator_type"], out["indicator_id"])]
    comparable = {pair: across([data.instruments[pair[0]], data.instruments[pair[1]]])
                  for pair in dict.fromkeys(zip(out["wave_from"], out["wave_to"]))}
    reasons = [comparable[(a, b)].get(k, "") for a, b, k in
               zip(out["wave_from"], out["wave_to"], zip(out["indicator_type"], out["indicator_id"]))]
    out["comparable"] = [not r for r in reasons]
    shown, _ = publish_difference(out, ("from", "to"), "se_raw", options.design, options.level, MIN_CLUSTER_DF)
    # one family per municipality: all its cohort rows (every pair of waves and grades, every indicator)
    out["q_value"] = bh_adjust_grouped(out["p_value"].to_numpy(dtype=float), out["municipality"].astype(str).to_numpy())
    rr, odds, h = effect_sizes(out["p_a"].to_numpy(dtype=float), out["p_b"].to_numpy(dtype=float))
    out["risk_ratio"], out["odds_ratio"], out["cohens_h"] = (np.where(shown, v, np.nan) for v in (rr, odds, h))
    from .tables import _verdict_of  # noqa: PLC0415 (tables imports this module)

    verdicts = [_verdict_of(_as_pair(r), why, ok, r.wave_from, r.wave_to, options)
                for r, why, ok in zip(out.itertuples(index=False), reasons, shown)]
    out["verdict"] = [v[0] for v in verdicts]
    out["verdict_label"] = [s(f"verdict.{c}", options.lang) for c in out["verdict"]]
    out["reason"] = [v[1] for v in verdicts]
    out["design"], out["weighted"] = options.design, data.weighted
    for col in ("n_from", "n_to"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
    order = {m: k for k, m in enumerate([*munis, ALL])}
    out["_m"] = out["municipality"].map(order)
    out = out.sort_values(["_m", "wave_from", "wave_to", "grade_from"], kind="stable",
                          key=lambda c: c.astype(float) if c.name != "_m" else c)
    return out[COHORT_COLUMNS].reset_index(drop=True)




class _as_pair:  # noqa: N801 — a cohort row seen as a compare row (suffixes a/b) by the shared verdict
    def __init__(self, row) -> None:
        self._row = row

    def __getattr__(self, name: str):
        for old, new in (("_a", "_from"), ("_b", "_to")):
            if name.endswith(old) and hasattr(self._row, name[: -len(old)] + new):
                return getattr(self._row, name[: -len(old)] + new)
        return getattr(self._row, name)
