"""The screening audit: per validity rule and per municipality × grade, how many
questionnaires were flagged, how many only by that rule (overlaps), and how many were
excluded in total. Aggregates only; built from the scored output so it also works
chunk by chunk (counts add up).
"""

from __future__ import annotations

import pandas as pd

from ..instrument.model import Instrument
from ..spec import text_in

ALL = "all"
EXCLUDED = "(excluded)"


def audit_counts(scored: pd.DataFrame, inst: Instrument) -> pd.DataFrame:
    """Additive counts per municipality × grade (no margins yet): respondents, and per rule
    flagged / only_this_rule, and excluded. Sum these over chunks, then :func:`finish_audit`."""
    rules = [r.id for r in inst.validity]
    screens = scored[[f"screen.{r}" for r in rules]].to_numpy(dtype=bool)
    n_flags = screens.sum(axis=1)
    frame = pd.DataFrame({
        "municipality": scored["municipality"].astype("string").fillna("(missing)").to_numpy(),
        "grade": scored["grade"].astype("Int64").astype("string").fillna("(missing)").to_numpy(),
        "respondents": 1,
        "excluded": scored["excluded"].to_numpy(dtype=int),
    })
    for k, rule in enumerate(rules):
        frame[f"flagged:{rule}"] = screens[:, k].astype(int)
        frame[f"only:{rule}"] = (screens[:, k] & (n_flags == 1)).astype(int)
    return frame.groupby(["municipality", "grade"], as_index=False, sort=True).sum()


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
