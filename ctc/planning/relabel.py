"""The same municipality context with every label and reason in another language.

Everything language-dependent in a :class:`MunicipalityContext` can be rebuilt from
its language-free columns: indicator labels from the instrument, priority reasons from
the profile rows (the same function the profile uses), screening-rule labels from the
instrument, data-problem descriptions from the registered codes.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from ..checks import CODES
from ..profile.context import MunicipalityContext
from ..profile.priorities import by_grade, reason_text
from ..scoring.audit import EXCLUDED
from ..spec import text_in

EXCLUDED_LABEL = {"en": "excluded (any rule)", "de": "ausgeschlossen (mindestens eine Regel)"}


def _labels(frame: pd.DataFrame, ctx: MunicipalityContext, lang: str) -> pd.DataFrame:
    if not len(frame) or "label" not in frame:
        return frame
    kind_col = "indicator_type" if "indicator_type" in frame else "kind"
    names = {(i.type, i.id): i.name(lang) for i in ctx.indicators}
    out = frame.copy()
    out["label"] = [names.get((k, i), lbl) for k, i, lbl in zip(out[kind_col], out["indicator_id"], out["label"])]
    return out


def reasons(ctx: MunicipalityContext, lang: str) -> list[str]:
    """Priority reasons in ``lang``, recomputed from the profile rows."""
    from ..i18n import t

    prio = ctx.priorities
    table = ctx.table
    out = []
    has_baseline = ctx.baseline is not None or bool(prio["baseline_pct"].notna().any())
    for r in prio.itertuples(index=False):
        if pd.isna(r.pct):
            out.append(t("reason.suppressed", lang))
            continue
        grades = by_grade(table, ctx.municipality, r.kind)
        grades = grades[grades["indicator_id"] == r.indicator_id]
        row = pd.Series({"pct": r.pct, "baseline_pct": r.baseline_pct})
        out.append(reason_text(r.kind, row, grades, has_baseline, ctx.options.alpha, lang))
    return out


def relabel_context(ctx: MunicipalityContext, lang: str) -> MunicipalityContext:
    """``ctx`` with labels, reasons and descriptions in ``lang``."""
    if lang == ctx.lang:
        return ctx
    prio = _labels(ctx.priorities, ctx, lang)
    if len(prio):
        prio = prio.copy()
        prio["reason"] = reasons(replace(ctx, priorities=prio), lang)
    screening = ctx.screening.copy()
    if len(screening) and "rule" in screening:
        rules = {r.id: text_in(r.label, lang) or r.id for r in ctx.instrument.validity}
        screening["label"] = [EXCLUDED_LABEL.get(lang, EXCLUDED_LABEL["en"]) if rule == EXCLUDED else rules.get(rule, lbl)
                              for rule, lbl in zip(screening["rule"], screening["label"])]
    checks = ctx.checks.copy()
    if len(checks) and "code" in checks:
        checks["description"] = [CODES[c].describe(lang) if c in CODES else d for c, d in zip(checks["code"], checks["description"])]
    return replace(ctx, table=_labels(ctx.table, ctx, lang), whole=_labels(ctx.whole, ctx, lang), priorities=prio,
                   screening=screening, checks=checks, options=replace(ctx.options, lang=lang))
