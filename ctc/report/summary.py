"""Header, at-a-glance box, data quality and footer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from ..checks import with_columns
from ..profile.context import MunicipalityContext
from .fmt import DASH, count, quote
from .frame import grades
from .participation import Participation
from .priorities import KindView
from .profile import level_label
from .provenance import Provenance
from .strings import msg


@dataclass(frozen=True)
class Header:
    title: str
    municipality: str
    survey: str
    run_date: str
    baseline: str
    baseline_detail: str
    level: str
    grades: str
    synthetic_input: bool
    synthetic_baseline: bool


@dataclass(frozen=True)
class Glance:
    sample: str
    risk: tuple[str, ...]
    protective: tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    code: str
    severity: str
    count: str
    description: str


@dataclass(frozen=True)
class Footer:
    made: str
    instrument_sha256: str
    input_sha256: tuple[str, ...]


def run_date(created: str, lang: str) -> str:
    if not created:
        return DASH
    try:
        when = datetime.fromisoformat(created)
    except ValueError:
        return created
    return when.strftime("%d.%m.%Y" if lang == "de" else "%Y-%m-%d")


def _grade_span(values: list[str]) -> str:
    numbers = [int(g) for g in values if g.isdigit()]
    if numbers and len(numbers) == len(values) and numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 2:
        return f"{numbers[0]}–{numbers[-1]}"
    return ", ".join(values) or DASH


def header(ctx: MunicipalityContext, prov: Provenance) -> Header:
    lang, inst, base = ctx.lang, ctx.instrument, ctx.baseline
    detail = ""
    if base is not None:
        parts = [msg("header.baseline_file", lang, id=base.id)]
        if base.years:
            parts.append(msg("header.baseline_years", lang, years=", ".join(str(y) for y in base.years)))
        detail = "; ".join(parts)
    return Header(
        title=msg("title.full", lang, municipality=ctx.municipality), municipality=ctx.municipality,
        survey=f"{inst.title.get(lang)}, {msg('header.version', lang, version=inst.version)}",
        run_date=run_date(prov.created, lang),
        baseline=base.label() if base is not None else msg("header.baseline_none", lang), baseline_detail=detail,
        level=f"{level_label(ctx)} %", grades=_grade_span(grades(ctx)),
        synthetic_input=prov.synthetic_input, synthetic_baseline=prov.synthetic_baseline,
    )


def glance(ctx: MunicipalityContext, part: Participation, kinds: list[KindView]) -> Glance:
    lang = ctx.lang
    if part.respondents is None or part.excluded is None:
        sample = msg("glance.sample_protected", lang, final=count(part.final, lang))
    else:
        sample = msg("glance.sample", lang, final=count(part.final, lang), total=count(part.respondents, lang),
                     excluded=count(part.excluded, lang))
    names = {k.kind: tuple(p.label for p in k.picks if p.pct != DASH) for k in kinds}
    return Glance(sample, names.get("risk", ()), names.get("protective", ()))


def _describe(code: str, fallback: object, lang: str) -> str:
    try:
        from ..checks import CODES
    except ImportError:  # the check registry is optional for a context built by hand
        CODES = {}
    return CODES[code].describe(lang) if code in CODES else ("" if pd.isna(fallback) else str(fallback))



def problems(ctx: MunicipalityContext) -> tuple[Problem, ...]:
    c = ctx.checks
    if c is None or c.empty:
        return ()
    counts = pd.to_numeric(c["count"], errors="coerce")
    c = c[counts.isna() | (counts > 0)]  # a hidden (small) count still names the problem
    sev = {"error": 0, "warning": 1, "info": 2}
    order = sorted(c.itertuples(index=False), key=lambda r: (sev.get(str(r.severity), 3), str(r.code)))
    return tuple(Problem(str(r.code), msg(f"severity.{r.severity}", lang=ctx.lang) if r.severity in sev else str(r.severity),
                         count(r.count, ctx.lang), with_columns(_describe(str(r.code), getattr(r, "description", ""), ctx.lang),
                                                                 getattr(r, "columns", ""), msg("quality.columns", ctx.lang)))
                 for r in order)


def footer(ctx: MunicipalityContext, prov: Provenance) -> Footer:
    lang = ctx.lang
    unknown = msg("footer.unknown", lang)
    files = prov.input_files
    inputs = tuple(f"{quote(f, lang)}: {h}" if len(prov.input_sha256) > 1 and len(files) == len(prov.input_sha256) else h
                   for f, h in zip(files or prov.input_sha256, prov.input_sha256))
    return Footer(msg("footer.made", lang, version=prov.toolkit_version), prov.instrument_sha256 or unknown, inputs or (unknown,))
