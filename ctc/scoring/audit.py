"""The screening audit: per validity rule and per municipality × grade, how many
questionnaires were flagged, how many only by that rule (overlaps), and how many were
excluded in total. Aggregates only; built from the scored output so it also works
chunk by chunk (counts add up).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..instrument.model import Instrument
from ..spec import text_in
from .frame import Scored

ALL = "all"
EXCLUDED = "(excluded)"
MISSING = "(missing)"


def audit_counts(scored: pd.DataFrame | Scored, inst: Instrument) -> pd.DataFrame:
    """Additive counts per municipality × grade (no margins yet): respondents, and per rule
    flagged / only_this_rule, and excluded. Sum these over chunks, then :func:`finish_audit`."""
    rules = [r.id for r in inst.validity]
    if isinstance(scored, pd.DataFrame):
        screens = list(scored[[f"screen.{r}" for r in rules]].to_numpy(dtype=bool).T)
        municipality, grade = scored["municipality"], scored["grade"]
    else:
        screens, municipality, grade = scored.result.screens, scored.meta["municipality"], scored.meta["grade"]
    m_code, m_label = _groups(municipality)
    g_code, g_label = _groups(pd.Series(grade).astype("Int64"))
    key = m_code * len(g_label) + g_code
    size = len(m_label) * len(g_label)
    n_flags = np.zeros(len(key), dtype=np.int32)
    for screen in screens:
        n_flags += screen
    alone = n_flags == 1

    def count(mask: np.ndarray | None = None) -> np.ndarray:  # few rows are flagged: count those only
        return np.bincount(key if mask is None else key[mask], minlength=size)

    counts = {"respondents": count(), "excluded": count(n_flags > 0)}
    for k, rule in enumerate(rules):
        counts[f"flagged:{rule}"] = count(screens[k])
        counts[f"only:{rule}"] = count(screens[k] & alone)
    frame = pd.DataFrame({
        "municipality": np.repeat(m_label, len(g_label)),
        "grade": np.tile(g_label, len(m_label)),
        **{name: c.astype(np.int64) for name, c in counts.items()},
    })
    frame = frame[frame["respondents"] > 0]
    return frame.sort_values(["municipality", "grade"], kind="stable", ignore_index=True)


def _groups(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(code per row, label per code); empty values are the group "(missing)"."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    labels = np.array([str(u) for u in uniques] + [MISSING], dtype=object)
    codes = np.where(codes < 0, len(uniques), codes)
    return codes.astype(np.int64), labels


def _with_margins(counts: pd.DataFrame) -> pd.DataFrame:
    value_cols = [c for c in counts.columns if c not in ("municipality", "grade")]
    by_muni = counts.groupby("municipality", as_index=False)[value_cols].sum().assign(grade=ALL)
    by_grade = counts.groupby("grade", as_index=False)[value_cols].sum().assign(municipality=ALL)
    total = counts[value_cols].sum().to_frame().T.assign(municipality=ALL, grade=ALL)
    return pd.concat([counts, by_muni, by_grade, total], ignore_index=True)


def finish_audit(counts: pd.DataFrame, inst: Instrument, lang: str = "en") -> pd.DataFrame:
    """Long table: municipality, grade, rule, label, respondents, flagged, only_this_rule,
    with_other_rules, pct (flagged / respondents); ``rule == "(excluded)"`` is the total."""
    full = _with_margins(counts.groupby(["municipality", "grade"], as_index=False).sum())
    rows = []
    for rule in inst.validity:
        part = full[["municipality", "grade", "respondents"]].copy()
        part["rule"] = rule.id
        part["label"] = text_in(rule.label, lang) or rule.id
        part["flagged"] = full[f"flagged:{rule.id}"]
        part["only_this_rule"] = full[f"only:{rule.id}"]
        rows.append(part)
    total = full[["municipality", "grade", "respondents"]].copy()
    total["rule"], total["label"] = EXCLUDED, {"de": "ausgeschlossen (mindestens eine Regel)"}.get(lang, "excluded (any rule)")
    total["flagged"], total["only_this_rule"] = full["excluded"], pd.NA
    rows.append(total)
    out = pd.concat(rows, ignore_index=True)
    out["with_other_rules"] = out["flagged"] - out["only_this_rule"]
    out["pct"] = (100 * out["flagged"] / out["respondents"]).round(2)
    for col in ("respondents", "flagged", "only_this_rule", "with_other_rules"):
        out[col] = out[col].astype("Int64")
    order = {r.id: k for k, r in enumerate(inst.validity)} | {EXCLUDED: len(inst.validity)}
    out["_o"] = out["rule"].map(order)
    out["_m"] = out["municipality"].eq(ALL)
    out["_g"] = out["grade"].eq(ALL)
    out = out.sort_values(["_m", "municipality", "_g", "grade", "_o"], kind="stable").drop(columns=["_o", "_m", "_g"])
    return out[["municipality", "grade", "rule", "label", "respondents", "flagged", "only_this_rule", "with_other_rules", "pct"]].reset_index(drop=True)


def screening_audit(scored: pd.DataFrame, inst: Instrument, lang: str = "en") -> pd.DataFrame:
    return finish_audit(audit_counts(scored, inst), inst, lang)
