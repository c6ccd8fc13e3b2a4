"""``render_html(ctx)``: one self-contained, printable HTML page per municipality.

No scripts, no external files, fonts or links: styles are inline, charts are inline
SVG, and a Content-Security-Policy forbids the page from loading anything. jinja2
autoescapes every value, so names like ``<script>`` or ``=SUM(A1)`` are shown as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..instrument.model import Instrument
from ..profile.context import MunicipalityContext
from . import board as _board
from . import gender as _gender
from . import methods as _methods
from . import participation as _participation
from . import priorities as _priorities
from . import profile as _profile
from . import summary as _summary
from .fmt import count, num
from .frame import grades, memo
from .profile import level_label
from .provenance import provenance
from .strings import msg

SECTIONS = ("header", "summary", "risk", "protective", "outcomes", "priorities", "participation", "gender", "methods", "quality",
            "codebook", "footer")


@dataclass(frozen=True)
class ReportView:
    lang: str
    level: str
    alpha: str
    has_baseline: bool
    grades: tuple[str, ...]
    header: _summary.Header
    glance: _summary.Glance
    board: _board.Board
    participation: _participation.Participation
    priorities: tuple[_priorities.KindView, ...]
    risk: _profile.Block
    protective: _profile.Block
    gender: _gender.GenderView
    outcomes: tuple[_profile.Block, ...]
    methods: _methods.Methods
    quality: tuple[_summary.Problem, ...]
    footer: _summary.Footer


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("ctc.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the shipped templates do not change during a run: no stat of every file per report
    )


def prepare(lang: str, instrument: Instrument | None = None) -> None:
    """Do once what every report of a process needs, before any is rendered (``ctc profile``
    calls it before forking its render workers, which then inherit it): compile every
    template (an included section is otherwise compiled on first use, a third of a
    second per process), load the number formats of ``lang`` and build the codebook
    of ``instrument``."""
    if instrument is not None:
        _methods.codebook(instrument, lang)
    env = environment()
    for name in env.list_templates(filter_func=lambda n: n.endswith(".j2")):
        env.get_template(name)
    for digits in range(4):
        num(1234.5, lang, digits)
    count(1234, lang)


def build_view(ctx: MunicipalityContext) -> ReportView:
    """Everything the templates show, already formatted in ``ctx.lang`` (charts included)."""
    with memo():
        return _build_view(ctx)


def _build_view(ctx: MunicipalityContext) -> ReportView:
    prov = provenance(ctx.manifest)
    part = _participation.participation(ctx)
    kinds = _priorities.views(ctx)
    glance = _summary.glance(ctx, part, kinds)
    gender = _gender.gender_view(ctx)
    return ReportView(
        lang=ctx.lang, level=level_label(ctx), alpha=num(ctx.options.alpha, ctx.lang, 2), has_baseline=ctx.baseline is not None,
        grades=tuple(grades(ctx)), header=_summary.header(ctx, prov), glance=glance,
        board=_board.board(ctx, glance.sample, kinds, gender),
        participation=part, priorities=tuple(kinds), risk=_profile.factor_block(ctx, "risk"),
        protective=_profile.factor_block(ctx, "protective"), gender=gender, outcomes=tuple(_profile.outcome_blocks(ctx)),
        methods=_methods.methods(ctx), quality=_summary.problems(ctx), footer=_summary.footer(ctx, prov),
    )


def _render(template: str, view: ReportView) -> str:
    return environment().get_template(template).render(v=view, s=partial(msg, lang=view.lang))


def render_html(ctx: MunicipalityContext) -> str:
    """The report of ``ctx.municipality`` in ``ctx.lang`` as one HTML document."""
    return render_view(build_view(ctx))


def render_view(view: ReportView) -> str:
    """The whole page from a view built by :func:`build_view`."""
    return _render("report.html.j2", view)


def render_section(ctx: MunicipalityContext, name: str, view: ReportView | None = None) -> str:
    """One section's HTML fragment (for focused tests and for embedding)."""
    if name not in SECTIONS:
        raise ValueError(f"unknown section {name!r}; sections: {', '.join(SECTIONS)}")
    return _render(f"sections/{name}.html.j2", view or build_view(ctx))
