"""The priorities section: shortlists with reasons, and the three decision rules side by side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..profile.context import MunicipalityContext
from .fmt import DASH, interval, missing, num, quote, share, signed
from .frame import _once, records, values
from .strings import msg

RULES = ("level", "excess", "clear")


@dataclass(frozen=True)
class Pick:
    rank: str
    label: str
    pct: str
    interval: str
    baseline: str
    diff: str
    stability: str
    reason: str


@dataclass(frozen=True)
class Rank:
    text: str
    top: bool


@dataclass(frozen=True)
class Compared:
    label: str
    ranks: tuple[Rank, ...]
    shortlisted: bool


@dataclass(frozen=True)
class KindView:
    kind: str
    title: str
    top: int
    rule: str  # name of the shortlist rule, in words
    picks: tuple[Pick, ...]
    rule_names: tuple[str, ...]
    compared: tuple[Compared, ...]
    verdict: str
    disputed: tuple[str, ...]  # "factor (top N under: rules)" where the rules disagree
    stability_note: str
    note: str  # how many factors qualify, or why the list is empty (priorities.csv shortlist_note)
    few_schools: str  # under clusters with fewer than five schools: what can and cannot be concluded


def _top(ctx: MunicipalityContext, kind: str) -> int:
    return ctx.options.top_risk if kind == "risk" else ctx.options.top_protective


def _rank_text(value: object, lang: str) -> str:
    return DASH if missing(value) else num(value, lang, 0)


def _pick(ctx: MunicipalityContext, row: Any, rule: str) -> Pick:
    lang = ctx.lang
    hidden = missing(row.pct)
    return Pick(
        rank=_rank_text(getattr(row, f"rank_{rule}"), lang), label=str(row.label), pct=num(row.pct, lang),
        interval="" if hidden else interval(row.ci_low, row.ci_high, lang),
        baseline=num(row.baseline_pct, lang), diff=DASH if hidden else signed(row.diff_pp, lang),
        stability=DASH if hidden else share(row.top_share, lang), reason=str(row.reason),
    )


def _applicable(rows: list[Any]) -> list[str]:
    return [r for r in RULES if any(not pd.isna(getattr(x, f"rank_{r}")) for x in rows) or r == "level"]


def _verdict(ctx: MunicipalityContext, rows: list[Any], kind: str, top: int) -> tuple[str, tuple[str, ...]]:
    """Where the rules agree on the top ``top`` and where they do not: a sentence and the disputed factors."""
    lang = ctx.lang
    rules = _applicable(rows)
    if len(rules) == 1:
        return msg("prio.no_baseline", lang, rule=msg(f"rule.level.{kind}", lang)), ()
    picked = {r: {x.indicator_id for x in rows if _within(getattr(x, f"rank_{r}"), top)} for r in rules}
    union = set().union(*picked.values())
    split = [x.indicator_id for x in rows if x.indicator_id in union and any(x.indicator_id not in picked[r] for r in rules)]
    if not split:
        return msg("prio.agree" if len(rules) == 3 else "prio.agree_two", lang, top=top), ()
    labels = {x.indicator_id: x.label for x in rows}
    items = tuple(msg("prio.picked_by", lang, factor=labels[i], top=top,
                      rules=", ".join(quote(msg(f"rule.{r}.{kind}", lang), lang) for r in rules if i in picked[r]))
                  for i in split)
    return msg("prio.disagree", lang), items


def _within(rank: Any, top: int) -> bool:
    """``rank <= top`` as pandas compares a column: a missing rank is not within."""
    return not pd.isna(rank) and bool(rank <= top)


def _last(value: Any) -> tuple[bool, Any]:
    """Sort key of one column with missing values last (``na_position="last"``)."""
    return (True, 0) if pd.isna(value) else (False, value)


def priority_rows(ctx: MunicipalityContext) -> dict[str, list[Any]]:
    """The municipality's priorities rows per kind (named tuples, in the file's order), read once."""
    return _once(ctx, "priorities", lambda: _priority_rows(ctx))


def _priority_rows(ctx: MunicipalityContext) -> dict[str, list[Any]]:
    p = ctx.priorities
    out: dict[str, list[Any]] = {}
    if p is not None and not p.empty:
        for row, kind in zip(records(p), values(p["kind"])):
            out.setdefault(kind, []).append(row)
    return out


def kind_view(ctx: MunicipalityContext, kind: str) -> KindView:
    lang = ctx.lang
    p = ctx.priorities
    rows = priority_rows(ctx).get(kind, []) if p is not None and not p.empty else None
    top = _top(ctx, kind)
    rule = str(rows[0].shortlist_rule) if rows else "level"
    picks: tuple[Pick, ...] = ()
    compared: tuple[Compared, ...] = ()
    verdict, disputed = "", ()
    note = str(rows[0].shortlist_note) if rows and "shortlist_note" in p else ""
    few = msg("prio.few_schools", lang) if _few_schools(ctx) else ""
    if rows:
        picks = tuple(_pick(ctx, r, rule) for r in rows if _shortlisted(r.shortlisted))
        ordered = sorted(rows, key=lambda r: (_last(getattr(r, f"rank_{rule}")), _last(r.rank_level), _last(r.indicator_id)))
        compared = tuple(_compared(r, top, lang) for r in ordered)
        verdict, disputed = _verdict(ctx, rows, kind, top)
    return KindView(
        kind=kind, title=msg(f"prio.shortlist.{kind}", lang), top=top, rule=msg(f"rule.{rule}.{kind}", lang), picks=picks,
        rule_names=tuple(msg(f"rule.{x}.{kind}", lang) for x in RULES), compared=compared, verdict=verdict,
        disputed=disputed, stability_note=msg("prio.stability_note", lang, b=ctx.options.bootstrap, top=top), note=note, few_schools=few,
    )


def _shortlisted(value: Any) -> bool:
    """``fillna(False).astype(bool)`` of one value."""
    return False if pd.isna(value) else bool(value)


def _few_schools(ctx: MunicipalityContext) -> bool:
    t = ctx.table
    return bool(_once(ctx, "few-schools", lambda: bool(len(t)) and bool((t["ci_method"].astype(str) == "too-few-schools").any())))


def _compared(row: Any, top: int, lang: str) -> Compared:
    ranks = tuple(Rank(_rank_text(getattr(row, f"rank_{x}"), lang),
                       not missing(getattr(row, f"rank_{x}")) and getattr(row, f"rank_{x}") <= top) for x in RULES)
    return Compared(str(row.label), ranks, bool(row.shortlisted))


def views(ctx: MunicipalityContext) -> list[KindView]:
    return [kind_view(ctx, k) for k in ("risk", "protective")]
