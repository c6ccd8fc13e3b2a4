"""The methods section, generated from the instrument and the run's settings."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..i18n import t
from ..instrument.codebook import cutpoint_text, rule_text
from ..instrument.model import Instrument, Scale
from ..profile.context import MunicipalityContext
from ..spec import text_in
from .fmt import count, num, quote
from .frame import profile_cells, values
from .profile import DOMAINS, level_label
from .strings import msg


@dataclass(frozen=True)
class ItemLine:
    id: str
    text: str
    reversed: bool


@dataclass(frozen=True)
class ScaleView:
    id: str
    label: str
    kind: str
    description: str
    score: str
    cutpoint: str
    provenance: str
    items: tuple[ItemLine, ...]


@dataclass(frozen=True)
class DomainView:
    label: str
    scales: tuple[ScaleView, ...]


@dataclass(frozen=True)
class RuleView:
    id: str
    label: str
    group: str
    rule: str


@dataclass(frozen=True)
class Methods:
    title: str
    version: str
    source: str
    statistics: tuple[str, ...]
    tests: tuple[str, ...]
    privacy: tuple[str, ...]
    domains: tuple[DomainView, ...]
    outcomes: tuple[RuleView, ...]
    validity: tuple[RuleView, ...]


def _scale(inst: Instrument, lang: str, s: Scale) -> ScaleView:
    items = tuple(ItemLine(i, inst.item_by_id[i].text.get(lang), i in s.reverse) for i in s.items)
    score = f"{t(f'method.{s.method}', lang)}; {t('codebook.min_valid', lang, n=s.min_valid)}"
    return ScaleView(s.id, s.label.get(lang), t(f"kind.{s.kind}", lang), text_in(s.description, lang), score,
                     cutpoint_text(s, lang), text_in(s.cutpoint_source, lang) or msg("methods.no_provenance", lang), items)


@dataclass(frozen=True)
class _Codebook:
    domains: tuple[DomainView, ...]
    outcomes: tuple[RuleView, ...]
    validity: tuple[RuleView, ...]


#: (id of the instrument, lang) → (the instrument, its codebook): the same in every
#: municipality's report, built once per process (the instrument is kept, so its id is not reused)
_CODEBOOKS: dict[tuple[int, str], tuple[Any, _Codebook]] = {}


def codebook(inst: Instrument, lang: str) -> _Codebook:
    """The scales, outcome rules and validity rules of ``inst`` as the methods appendix
    and the codebook show them (once per instrument and language in a process)."""
    key = (id(inst), lang)
    hit = _CODEBOOKS.get(key)
    if hit is None or hit[0] is not inst:
        if len(_CODEBOOKS) > 16:
            _CODEBOOKS.clear()
        outcomes = tuple(RuleView(o.id, o.label.get(lang), t(f"group.{o.group}", lang), rule_text(o, lang, inst)) for o in inst.outcomes)
        validity = tuple(RuleView(v.id, text_in(v.label, lang) or v.id, "", rule_text(v, lang, inst)) for v in inst.validity)
        hit = _CODEBOOKS[key] = (inst, _Codebook(_domains(inst, lang), outcomes, validity))
    return hit[1]


def _domains(inst: Instrument, lang: str) -> tuple[DomainView, ...]:
    out = [DomainView(t(f"domain.{d}", lang), tuple(_scale(inst, lang, s) for s in inst.scales if s.domain == d)) for d in DOMAINS]
    return tuple(d for d in out if d.scales)


def _statistics(ctx: MunicipalityContext) -> tuple[str, ...]:
    lang, o = ctx.lang, ctx.options
    weighted = any(bool(w) for w in values(ctx.table["weighted"])) if len(ctx.table) else False
    ci = msg("methods.ci_design" if weighted else "methods.ci_unweighted", lang, level=level_label(ctx),
             schools=msg(f"methods.design.{o.design}", lang))
    question = msg(f"methods.question.{o.design}", lang)
    rule = "excess" if ctx.baseline is not None else "level"
    criterion = (msg("methods.criterion.baseline", lang) if ctx.baseline is not None else
                 msg("methods.criterion.level", lang, risk=num(o.risk_level, lang, 0), protective=num(o.protective_level, lang, 0)))
    shortlist = msg("methods.shortlist", lang, risk=o.top_risk, protective=o.top_protective,
                    rule=msg(f"rule.{rule}.risk", lang), b=o.bootstrap, seed=o.seed, criterion=criterion,
                    unit=msg(f"methods.unit.{o.design}", lang))
    return (question, ci, msg("methods.pooled", lang), msg("methods.bh", lang, alpha=num(o.alpha, lang, 2)), shortlist)


def _tests(ctx: MunicipalityContext) -> tuple[str, ...]:
    used = Counter(values(ctx.table["test"].astype(str))) if "test" in ctx.table else Counter()
    lines = []
    for test in ("design-logit", "design-logit-2", "exact"):
        if test in used:
            lines.append(f"{msg(f'methods.test.{test}', ctx.lang)} — {msg('methods.test.count', ctx.lang, n=count(used[test], ctx.lang))}")
    return tuple(lines)


def _privacy(ctx: MunicipalityContext) -> tuple[str, ...]:
    lang, rules = ctx.lang, ctx.options.suppression
    shown = _reported_rows(ctx)
    hidden = sum(bool(r.suppressed) for r in shown)
    return (
        msg("methods.min_n", lang, min_n=rules.min_n),
        msg("methods.all_or_none", lang, n=rules.all_or_none_n) if rules.all_or_none_n > 0 else msg("methods.all_or_none_off", lang),
        msg("methods.protection", lang, p=num(100 * rules.protection, lang, 0)),
        msg("methods.hidden_count", lang, hidden=count(hidden, lang), total=count(len(shown), lang)),
    )


def _reported_rows(ctx: MunicipalityContext) -> list[Any]:
    """The cells this report shows (and may hide): grades and the pooled value with genders
    pooled, and the factors by gender with grades pooled (the gender section)."""
    if not len(ctx.table):
        return []
    c = profile_cells(ctx)
    return [r for r, grade, sex, kind in zip(c.rows, c.grade, c.gender, c.kind)
            if sex == "all" or (grade == "all" and kind in ("risk", "protective"))]


def methods(ctx: MunicipalityContext) -> Methods:
    lang, inst = ctx.lang, ctx.instrument
    book = codebook(inst, lang)  # the instrument's part: the same for every municipality
    return Methods(
        title=f"{inst.title.get(lang)} ({quote(inst.id, lang)})", version=inst.version, source=inst.source.get(lang),
        statistics=_statistics(ctx), tests=_tests(ctx), privacy=_privacy(ctx), domains=book.domains,
        outcomes=book.outcomes, validity=book.validity,
    )
