"""From a municipality's profile to ranked programme suggestions.

Priorities: the shortlisted risk and protective factors, each with its rank under the
shortlist rule *within its kind* (risk rank 1 and protective rank 1 weigh the same).
When the board has decided (workbook column "Board decision" = priority), its choice
replaces the shortlist. Ages: the surveyed grades (rows of the profile table) turned
into ages with the catalogue's one grade → age rule. Country: the run's
``ProfileOptions.country`` when set, else the default from the output language or the
instrument (:func:`ctc.catalogue.country.default_country`).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from types import MappingProxyType

import numpy as np
import pandas as pd

from ..catalogue import (
    Catalogue,
    FactorVocabulary,
    Match,
    grades_to_ages,
    load_catalogue,
    match_programmes,
    programme_factor_matrix,
)
from ..catalogue.country import check_country, default_country
from ..profile.context import MunicipalityContext

TOP = 15
KIND_ORDER = {"risk": 0, "protective": 1}


def surveyed_grades(ctx: MunicipalityContext) -> list[int]:
    """Grades present in the municipality's profile table, ascending."""
    values = ctx.table["grade"].astype(str).unique().tolist()  # a few distinct labels, not a row each
    return sorted({int(g) for g in values if g.strip().lstrip("-").isdigit()})


def surveyed_ages(ctx: MunicipalityContext) -> tuple[int, int] | None:
    grades = surveyed_grades(ctx)
    if not grades:
        return None
    return grades_to_ages((grades[0], grades[-1]))


def _rule_rank(prio: pd.DataFrame) -> pd.Series:
    rule = prio["shortlist_rule"].astype(str)
    out = pd.Series(np.nan, index=prio.index)
    for name in rule.unique():
        m = rule == name
        col = f"rank_{name}"
        if col in prio:
            out[m] = pd.to_numeric(prio.loc[m, col], errors="coerce")
    return out


def _decided(decided: Collection[str] | None) -> tuple[str, ...] | None:
    """The board's decided factors as a memo key (none and an empty list mean the shortlist)."""
    return tuple(sorted(decided)) if decided else None


def planning_priorities(ctx: MunicipalityContext, decided: Collection[str] | None = None) -> list[tuple[str, int]]:
    """``(factor id, rank)`` pairs for matching: the board's decided factors when any,
    else the shortlist; rank = order within kind under the shortlist rule."""
    key = ("planning_priorities", _decided(decided))
    if key not in ctx.memo:
        ctx.memo[key] = _planning_priorities(ctx, decided)
    return list(ctx.memo[key])


def _planning_priorities(ctx: MunicipalityContext, decided: Collection[str] | None) -> list[tuple[str, int]]:
    prio = ctx.priorities
    if prio is None or len(prio) == 0:
        return []
    prio = prio[prio["kind"].isin(tuple(KIND_ORDER))]
    ranks = _rule_rank(prio)
    keep = (prio["indicator_id"].astype(str).isin(set(decided)) if decided else prio["shortlisted"].astype(bool)).tolist()
    # by kind, rule rank (a missing one last) and id, in Python: a few dozen rows, where pandas' sort and
    # groupby took a millisecond or two
    chosen = sorted((KIND_ORDER[k], math.isnan(r), 0.0 if math.isnan(r) else r, fid) for k, r, fid, use in
                    zip(prio["kind"].tolist(), ranks.tolist(), prio["indicator_id"].tolist(), keep) if use)
    out: list[tuple[str, int]] = []
    seen: dict[int, int] = {}
    for kind, _, _, fid in chosen:
        seen[kind] = seen.get(kind, 0) + 1
        out.append((str(fid), seen[kind]))
    return out


def vocabulary(ctx: MunicipalityContext) -> FactorVocabulary:
    inst = ctx.instrument
    labels = MappingProxyType({sc.id: sc.label for sc in inst.scales})
    return FactorVocabulary(inst.id, frozenset(sc.id for sc in inst.scales), labels)


def planning_country(ctx: MunicipalityContext, catalogue: Catalogue, country: str | None = None) -> tuple[str | None, str]:
    """The country the suggestions are ranked for and where it came from: ``"option"``
    (``country`` given), ``"set"`` (recorded in the run's options, not the default),
    ``"lang"`` or ``"instrument"`` (the default), or ``"none"``."""
    default = default_country(ctx.lang, ctx.instrument.id)
    if country:
        return check_country(country, catalogue), "option"
    recorded = getattr(ctx.options, "country", None)  # the CLI records the resolved default, so compare with it
    if recorded:
        code = check_country(recorded, catalogue)
        return (code, default[1]) if code == default[0] else (code, "set")
    return default


def suggest_programmes(ctx: MunicipalityContext, catalogue: Catalogue | None = None, *, top: int = TOP,
                       decided: Collection[str] | None = None, country: str | None = None,
                       ) -> tuple[list[Match], pd.DataFrame]:
    """Ranked matches and the programme × factor matrix for ``ctx``.

    ``catalogue`` defaults to the shipped one; ``country`` overrides the run's country
    (see :func:`planning_country`). Empty results (no matches, an empty matrix) when
    nothing is prioritised or no grade was surveyed.
    """
    cat = catalogue if catalogue is not None else load_catalogue()
    # the report and the workbook of a municipality ask for the same matches
    key = ("suggest_programmes", id(cat), top, _decided(decided), country)
    hit = ctx.memo.get(key)
    if hit is None or hit[0] is not cat:
        hit = ctx.memo[key] = (cat, *_suggest(ctx, cat, top, decided, country))
    return list(hit[1]), hit[2].copy()


def _suggest(ctx: MunicipalityContext, cat: Catalogue, top: int, decided: Collection[str] | None,
             country: str | None) -> tuple[list[Match], pd.DataFrame]:
    code, _ = planning_country(ctx, cat, country)
    priorities = [p for p in planning_priorities(ctx, decided) if p[0] in {sc.id for sc in ctx.instrument.scales}]
    ages = surveyed_ages(ctx)
    if not priorities or ages is None:
        return [], programme_factor_matrix([], priorities or [("_", 1)]).iloc[:, 0:0]
    matches = match_programmes(cat, priorities, ages, top=top, country=code, vocabulary=vocabulary(ctx))
    matrix = programme_factor_matrix(matches, priorities)
    return matches, matrix[[f for f, _ in priorities]]  # risk factors first, then protective
