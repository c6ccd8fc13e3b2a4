"""The board summary at the front of the report: who took part, the candidates and why,
the gender picture where it may be shown, programmes per candidate, what happens next.

Plain words only: the candidates' numbers are the very strings of the priority table
(:mod:`ctc.report.priorities`), so a number said twice is the same number; the
technical terms (q-values, bootstrap, intervals) are left to the methods appendix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..profile.context import MunicipalityContext
from .fmt import DASH, missing, num
from .gender import GenderView
from .priorities import KindView, Pick, priority_rows
from .strings import msg

#: programmes named per candidate in the summary (the workbook lists more)
PROGRAMMES_PER_FACTOR = 3


@dataclass(frozen=True)
class Candidate:
    kind: str
    label: str
    pct: str
    baseline: str
    diff: str
    why: str  # one plain sentence built from the numbers beside it
    genders: tuple[tuple[str, str], ...]  # (gender, pct or dash) where the gender picture may be shown
    programmes: tuple[str, ...]


@dataclass(frozen=True)
class Board:
    sample: str
    has_baseline: bool
    candidates: tuple[Candidate, ...]
    empty: tuple[str, ...]  # per kind with no candidate: why (the shortlist note)
    gender_heads: tuple[str, ...]
    gender_note: str
    programmes_note: str
    next_steps: tuple[str, ...]


def _row(ctx: MunicipalityContext, kind: str, label: str) -> Any:
    """The first priorities row of ``kind`` labelled ``label`` (a named tuple), or None."""
    p = ctx.priorities
    if p is None or p.empty:
        return None
    return next((r for r in priority_rows(ctx).get(kind, []) if str(r.label) == label), None)


def _why(ctx: MunicipalityContext, kind: str, pick: Pick, row: Any) -> str:
    """The reason in plain words, with the table's own strings for every number."""
    lang = ctx.lang
    flag = msg(f"board.flag.{kind}", lang)
    if pick.pct == DASH:
        return msg("board.why.hidden", lang)
    if ctx.baseline is None or pick.baseline == DASH or row is None:
        level = ctx.options.risk_level if kind == "risk" else ctx.options.protective_level
        return msg(f"board.why.level.{kind}", lang, pct=pick.pct, flag=flag, level=num(level, lang, 0))
    diff = pick.diff.lstrip("+−")
    text = msg(f"board.why.baseline.{kind}", lang, pct=pick.pct, flag=flag, baseline=pick.baseline, diff=diff)
    q = getattr(row, "q_value", None)
    clear = not missing(q) and float(q) < ctx.options.alpha
    return text + " " + msg("board.why.clear" if clear else "board.why.unclear", lang)


def _genders(ctx: MunicipalityContext, gender: GenderView, kind: str, label: str) -> tuple[tuple[str, str], ...]:
    for table in gender.tables:
        if table.kind != kind:
            continue
        for r in table.rows:
            if r.label == label:
                return tuple((g, c.value) for g, c in zip(gender.genders, r.cells[:-1]))
    return ()


def _programmes(ctx: MunicipalityContext) -> dict[str, list[str]]:
    """Factor id → names of the best-ranked programmes addressing it (the workbook's ranking)."""
    try:
        from ..planning.match import suggest_programmes

        matches, _ = suggest_programmes(ctx)
    except Exception:  # noqa: BLE001 — a catalogue problem must not cost the board its report; the workbook says more
        return {}
    out: dict[str, list[str]] = {}
    for m in sorted(matches, key=lambda m: m.rank):
        for f in m.addressed:
            names = out.setdefault(f, [])
            if len(names) < PROGRAMMES_PER_FACTOR:
                names.append(m.programme.name.get(ctx.lang))
    return out


def board(ctx: MunicipalityContext, sample: str, kinds: list[KindView], gender: GenderView) -> Board:
    lang = ctx.lang
    ids = {(i.type, i.name(lang)): i.id for i in ctx.indicators}
    programmes = _programmes(ctx)
    candidates, empty = [], []
    for k in kinds:
        shown = [p for p in k.picks if p.pct != DASH]
        if not shown:
            empty.append(msg(f"board.none.{k.kind}", lang) + (f" {k.note}" if k.note else ""))
        for p in shown:
            row = _row(ctx, k.kind, p.label)
            candidates.append(Candidate(
                kind=k.kind, label=p.label, pct=p.pct, baseline=p.baseline, diff=p.diff, why=_why(ctx, k.kind, p, row),
                genders=_genders(ctx, gender, k.kind, p.label),
                programmes=tuple(programmes.get(ids.get((k.kind, p.label), ""), ())),
            ))
    steps = tuple(msg(f"board.next.{i}", lang) for i in range(1, 5))
    return Board(
        sample=sample, has_baseline=ctx.baseline is not None, candidates=tuple(candidates), empty=tuple(empty),
        gender_heads=gender.genders, gender_note=msg("board.gender_note", lang),
        programmes_note=msg("board.programmes_note", lang), next_steps=steps,
    )
