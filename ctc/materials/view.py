"""What every item of a kit shows, built once per municipality from the report's context.

Numbers come only from the released tables (``ctx.table``, ``ctx.priorities``) through
the report's formatters; a hidden cell (blank value, reason ``protected`` or ``empty``)
becomes a dash and ``None`` in the chart data — its number is never read. The result is
plain JSON data: the typst templates and the slide deck render it and compute nothing.
"""

from __future__ import annotations

from typing import Any

from ..catalogue import best_rating, evidence_strength, filter_programmes, rating_label
from ..catalogue.model import Catalogue
from ..i18n import t
from ..profile.context import MunicipalityContext
from ..report.fmt import DASH, count, interval, missing, num, signed
from ..report.frame import ALL, cell_index, grades, pooled_gender
from ..report.participation import participation
from ..report.profile import shortlisted
from ..report.provenance import provenance
from ..report.summary import _grade_span, run_date
from ..spec import text_in
from .influences import influences
from .strings import MESSAGES, msg

PROGRAMMES_SHOWN = 5
EXERCISE_ROWS = 8  # rows of the grid per kind: one page for a small group
#: behaviours shown on data-walk posters when the profile has them (30-day use is what boards ask about)
POSTER_OUTCOMES = ("alcohol_30d", "binge_2wk", "ecig_30d", "cigarettes_30d", "marijuana_30d")


def _value(row: Any, name: str) -> float | None:
    """A released number, or None for a hidden or absent cell (never the cell's value)."""
    if row is None or bool(row.suppressed):
        return None
    v = getattr(row, name)
    return None if missing(v) else round(float(v), 6)


def _base(row: Any) -> float | None:
    return None if row is None or missing(row.baseline_pct) else round(float(row.baseline_pct), 6)


def _cell(ctx: MunicipalityContext, grade: str, row: Any) -> dict[str, Any]:
    lang = ctx.lang
    hidden = row is None or bool(row.suppressed) or missing(row.pct)
    return {
        "grade": msg("col.all", lang) if grade == ALL else grade,
        "pct": DASH if hidden else num(row.pct, lang),
        "ci": "" if hidden else interval(row.ci_low, row.ci_high, lang),
        "base": num(_base(row), lang),
        "diff": DASH if hidden else signed(row.diff_pp, lang),
        "hidden": hidden,
        "v": _value(row, "pct"), "lo": _value(row, "ci_low"), "hi": _value(row, "ci_high"), "b": _base(row),
        "clear": (not hidden and not missing(row.q_value) and float(row.q_value) < ctx.options.alpha
                  and not missing(row.diff_pp) and float(row.diff_pp) != 0),
    }


def _programmes(cat: Catalogue | None, factor: str, lang: str) -> tuple[list[dict[str, str]], int]:
    if cat is None:
        return [], 0
    found = sorted(filter_programmes(cat, factor=factor), key=lambda p: (-evidence_strength(p), p.id))
    shown = [{"name": p.name.get(lang), "rating": rating_label(best_rating(p), lang),
              "ages": msg("fact.ages", lang, ages=str(p.ages))} for p in found[:PROGRAMMES_SHOWN]]
    return shown, max(len(found) - PROGRAMMES_SHOWN, 0)


def _questions(ctx: MunicipalityContext, scale_id: str) -> list[str]:
    inst, lang = ctx.instrument, ctx.lang
    scale = next(s for s in inst.scales if s.id == scale_id)
    items = {i.id: i for i in inst.items}
    rev = f" {msg('fact.reversed', lang)}"
    return [text_in(items[i].text, lang) + (rev if i in scale.reverse else "") for i in scale.items if i in items]


def _indicator(ctx: MunicipalityContext, ind: Any, index: dict, grade_list: list[str], strong: set[str],
               cat: Catalogue | None, trends: Any = None) -> dict[str, Any]:
    lang = ctx.lang
    cells = [_cell(ctx, g, index.get((ind.id, g))) for g in grade_list]
    total = _cell(ctx, ALL, index.get((ind.id, ALL)))
    out: dict[str, Any] = {"id": ind.id, "kind": ind.type, "label": ind.name(lang), "cells": cells, "total": total,
                           "shortlisted": ind.id in strong, "clear_grades": [c["grade"] for c in cells if c["clear"] and
                                                                              _worse(ind.type, c)],
                           "trend": trends.factor(ind.id, lang) if trends is not None else None}
    if ind.type == "outcome":
        return out
    scale = next(s for s in ctx.instrument.scales if s.id == ind.id)
    progs, more = _programmes(cat, ind.id, lang)
    pbs = influences(ind.id, ind.type)
    out.update({
        "domain": t(f"domain.{ind.group}", lang) if ind.group in ("community", "family", "school", "peer_individual") else ind.group,
        "kind_label": msg(f"fact.kind.{ind.type}", lang),
        "description": text_in(scale.description, lang) if scale.description is not None else "",
        "questions": _questions(ctx, ind.id), "programmes": progs,
        "programmes_more": msg("fact.more", lang, n=more) if more else "",
        "influences": [msg(f"pb.{b}", lang) for b in pbs],
    })
    return out


def _worse(kind: str, cell: dict[str, Any]) -> bool:
    if cell["v"] is None or cell["b"] is None:
        return False
    return cell["v"] > cell["b"] if kind != "protective" else cell["v"] < cell["b"]


def _candidates(ctx: MunicipalityContext) -> dict[str, list[dict[str, str]]]:
    lang, p = ctx.lang, ctx.priorities
    out: dict[str, list[dict[str, str]]] = {"risk": [], "protective": []}
    if p is None or p.empty:
        return out
    chosen = p[p["shortlisted"].fillna(False).astype(bool)]
    for _, r in chosen.iterrows():
        hidden = missing(r["pct"])
        out.setdefault(str(r["kind"]), []).append({
            "id": str(r["indicator_id"]), "label": str(r["label"]), "pct": num(r["pct"], lang),
            "ci": "" if hidden else interval(r["ci_low"], r["ci_high"], lang), "base": num(r["baseline_pct"], lang),
            "diff": DASH if hidden else signed(r["diff_pp"], lang), "reason": str(r["reason"]),
        })
    return out


def _sample(ctx: MunicipalityContext, grade_text: str) -> str:
    part = participation(ctx)
    lang = ctx.lang
    if part.respondents is None or part.excluded is None:
        return msg("board.sample", lang, final=count(part.final, lang), grades=grade_text)
    return msg("board.sample_full", lang, final=count(part.final, lang), total=count(part.respondents, lang),
               excluded=count(part.excluded, lang), grades=grade_text)


def _example(factors: list[dict[str, Any]], cands: dict[str, list[dict[str, str]]]) -> dict[str, Any] | None:
    """The reading guide's worked example: the first risk candidate with a shown number, else any shown factor."""
    ids = [c["id"] for c in cands.get("risk", [])] + [f["id"] for f in factors]
    by_id = {f["id"]: f for f in factors}
    for i in ids:
        f = by_id.get(i)
        if f is not None and not f["total"]["hidden"] and f["total"]["ci"]:
            return f
    return None


def strings(lang: str) -> dict[str, str]:
    """Every materials string without placeholders, in ``lang`` (the templates look them up)."""
    return {k: msg(k, lang) for k, v in MESSAGES.items() if "{" not in v["en"]}


def build_view(ctx: MunicipalityContext, catalogue: Catalogue | None, trends: Any = None) -> dict[str, Any]:
    """The JSON-ready data of every item for ``ctx.municipality`` in ``ctx.lang``; ``trends``
    (:class:`ctc.materials.trends.MunicipalityTrends`) adds the trend pages."""
    lang = ctx.lang
    prov = provenance(ctx.manifest)
    grade_list = grades(ctx)
    strong = shortlisted(ctx)
    factors, outcomes = [], []
    for kind in ("risk", "protective", "outcome"):
        index = cell_index(pooled_gender(ctx, kind))
        for ind in (i for i in ctx.indicators if i.type == kind):
            (outcomes if kind == "outcome" else factors).append(_indicator(ctx, ind, index, grade_list, strong, catalogue, trends))
    cands = _candidates(ctx)
    level = num(100 * ctx.options.level, lang, 0)
    date = run_date(prov.created, lang)
    inst = ctx.instrument
    survey = f"{inst.title.get(lang)} {inst.version}"
    example = _example(factors, cands)
    shown_outcomes = [o for o in outcomes if o["id"] in POSTER_OUTCOMES]
    posters = [f for f in factors if f["shortlisted"]] + shown_outcomes
    return {
        "lang": lang, "municipality": ctx.municipality, "synthetic": bool(prov.synthetic_input or prov.synthetic_baseline),
        "mark": msg("mark.synthetic", lang), "s": strings(lang), "level": level, "grades": grade_list,
        "date": date, "date_iso": _iso_date(prov.created), "survey": survey,
        "source": (msg("source", lang, survey=survey, date=date, baseline=ctx.baseline.label()) if ctx.baseline is not None
                   else msg("source.none", lang, survey=survey, date=date)),
        "sample": _sample(ctx, _grade_span(grade_list)), "candidates": cands,
        "factors": factors, "outcomes": outcomes, "posters": [p["id"] for p in posters],
        "top": {"risk": ctx.options.top_risk, "protective": ctx.options.top_protective},
        "col_ci": msg("col.ci", lang, level=level),
        "here": msg("fact.here", lang, municipality=ctx.municipality),
        "legend_here": msg("legend.here", lang, municipality=ctx.municipality, level=level),
        "ex_intro": msg("ex.intro", lang, top=ctx.options.top_risk, top_p=ctx.options.top_protective),
        "reading": _reading(ctx, example, level), "exercise": _exercise(ctx, factors),
        "has_trend": trends is not None,
        "trend_factors": [f["id"] for f in posters if f.get("trend") and any(not c["hidden"] for c in f["trend"]["waves"])],
    }


def _iso_date(created: str) -> list[int]:
    try:
        y, m, d = (int(x) for x in created[:10].split("-"))
        return [y, m, d]
    except (ValueError, TypeError):
        return [2000, 1, 1]  # a fixed date keeps reruns byte-identical when the manifest has none


def _reading(ctx: MunicipalityContext, example: dict[str, Any] | None, level: str) -> dict[str, str]:
    lang = ctx.lang
    if example is None:
        return {}
    tot = example["total"]
    diff = tot["diff"] if tot["diff"] != DASH else num(0, lang)
    return {
        "factor": example["label"], "pct": tot["pct"], "ci": tot["ci"], "base": tot["base"], "diff": tot["diff"],
        "pct_text": msg("read.pct_text", lang, pct=tot["pct"], municipality=ctx.municipality, factor=example["label"]),
        "interval_text": msg("read.interval_text", lang, ci=tot["ci"], level=level),
        "clear_text": msg("read.clear_text", lang, diff=diff, alpha=num(ctx.options.alpha, lang, 2)),
    }


def _exercise(ctx: MunicipalityContext, factors: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The grid's rows per kind: the factors the data put forward (worse than the baseline,
    or shortlisted), in the order of the shortlist rule; filled values for the trainer's key."""
    lang, p = ctx.lang, ctx.priorities
    out: dict[str, list[dict[str, Any]]] = {"risk": [], "protective": []}
    if p is None or p.empty:
        return out
    by_id = {f["id"]: f for f in factors}
    for kind in out:
        rows = p[p["kind"] == kind]
        if not len(rows):
            continue
        rule = str(rows["shortlist_rule"].iloc[0])
        keep = rows["shortlisted"].fillna(False).astype(bool)
        if "candidate" in rows:
            keep = keep | rows["candidate"].fillna(False).astype(bool)
        rows = rows[keep].sort_values([f"rank_{rule}", "rank_level", "indicator_id"], na_position="last", kind="stable")
        rows = rows.head(max(EXERCISE_ROWS, int(rows["shortlisted"].fillna(False).astype(bool).sum())))
        for _, r in rows.iterrows():
            f = by_id.get(str(r["indicator_id"]), {})
            trend = (f.get("trend") or {}).get("short") or msg("ex.no_trend", lang)
            out[kind].append({"label": str(r["label"]), "pct": num(r["pct"], lang), "base": num(r["baseline_pct"], lang),
                              "diff": DASH if missing(r["pct"]) else signed(r["diff_pp"], lang),
                              "clear": ", ".join(f.get("clear_grades", [])) or DASH, "trend": trend,
                              "short": msg("ex.yes", lang) if bool(r["shortlisted"]) else ""})
    return out
