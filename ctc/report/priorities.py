"""The priorities section: shortlists with reasons, and the three decision rules side by side."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..profile.context import MunicipalityContext
from .fmt import DASH, interval, missing, num, quote, share, signed
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


def _pick(ctx: MunicipalityContext, row: pd.Series, rule: str) -> Pick:
    lang = ctx.lang
    hidden = missing(row["pct"])
    return Pick(
        rank=_rank_text(row[f"rank_{rule}"], lang), label=str(row["label"]), pct=num(row["pct"], lang),
        interval="" if hidden else interval(row["ci_low"], row["ci_high"], lang),
        baseline=num(row["baseline_pct"], lang), diff=DASH if hidden else signed(row["diff_pp"], lang),
        stability=DASH if hidden else share(row["top_share"], lang), reason=str(row["reason"]),
    )


def _applicable(rows: pd.DataFrame) -> list[str]:
    return [r for r in RULES if rows[f"rank_{r}"].notna().any() or r == "level"]


def _verdict(ctx: MunicipalityContext, rows: pd.DataFrame, kind: str, top: int) -> tuple[str, tuple[str, ...]]:
    """Where the rules agree on the top ``top`` and where they do not: a sentence and the disputed factors."""
    lang = ctx.lang
    rules = _applicable(rows)
    if len(rules) == 1:
        return msg("prio.no_baseline", lang, rule=msg(f"rule.level.{kind}", lang)), ()
    picked = {r: set(rows.loc[rows[f"rank_{r}"] <= top, "indicator_id"]) for r in rules}
    union = set().union(*picked.values())
    split = [i for i in rows["indicator_id"] if i in union and any(i not in picked[r] for r in rules)]
    if not split:
        return msg("prio.agree" if len(rules) == 3 else "prio.agree_two", lang, top=top), ()
    labels = dict(zip(rows["indicator_id"], rows["label"]))
    items = tuple(msg("prio.picked_by", lang, factor=labels[i], top=top,
                      rules=", ".join(quote(msg(f"rule.{r}.{kind}", lang), lang) for r in rules if i in picked[r]))
                  for i in split)
    return msg("prio.disagree", lang), items


def kind_view(ctx: MunicipalityContext, kind: str) -> KindView:
    lang = ctx.lang
    p = ctx.priorities
    rows = p[p["kind"] == kind] if p is not None and not p.empty else None
    top = _top(ctx, kind)
    rule = str(rows["shortlist_rule"].iloc[0]) if rows is not None and len(rows) else "level"
    picks: tuple[Pick, ...] = ()
    compared: tuple[Compared, ...] = ()
    verdict, disputed = "", ()
    note = str(rows["shortlist_note"].iloc[0]) if rows is not None and len(rows) and "shortlist_note" in rows else ""
    few = ""
    if len(ctx.table) and (ctx.table["ci_method"].astype(str) == "too-few-schools").any():
        few = msg("prio.few_schools", lang)
    if rows is not None and len(rows):
        chosen = rows[rows["shortlisted"].fillna(False).astype(bool)]
        picks = tuple(_pick(ctx, r, rule) for _, r in chosen.iterrows())
        ordered = rows.sort_values([f"rank_{rule}", "rank_level", "indicator_id"], na_position="last", kind="stable")
        compared = tuple(_compared(r, top, lang) for _, r in ordered.iterrows())
        verdict, disputed = _verdict(ctx, rows, kind, top)
    return KindView(
        kind=kind, title=msg(f"prio.shortlist.{kind}", lang), top=top, rule=msg(f"rule.{rule}.{kind}", lang), picks=picks,
        rule_names=tuple(msg(f"rule.{x}.{kind}", lang) for x in RULES), compared=compared, verdict=verdict,
        disputed=disputed, stability_note=msg("prio.stability_note", lang, b=ctx.options.bootstrap, top=top), note=note, few_schools=few,
    )


def _compared(row: pd.Series, top: int, lang: str) -> Compared:
    ranks = tuple(Rank(_rank_text(row[f"rank_{x}"], lang), not missing(row[f"rank_{x}"]) and row[f"rank_{x}"] <= top)
                  for x in RULES)
    return Compared(str(row["label"]), ranks, bool(row["shortlisted"]))


def views(ctx: MunicipalityContext) -> list[KindView]:
    return [kind_view(ctx, k) for k in ("risk", "protective")]
