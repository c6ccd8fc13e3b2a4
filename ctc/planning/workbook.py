"""``planning.xlsx``: writing a new planning workbook and updating an existing one.

:func:`write_planning_workbook` writes a new file and refuses to replace one;
:func:`update_planning_workbook` reads the board's entries from an existing file,
rewrites every data sheet from the new data, puts the entries back by their keys
(anything unmatchable goes to "Unmatched entries"), keeps the previous file as
``<stem>.backup-<N>.xlsx`` and writes the new one atomically.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from ..catalogue import Catalogue, load_catalogue
from ..errors import OutputError
from ..excel import clean_text
from ..io.atomic import atomic_path
from ..io.lock import refuse_open
from ..profile.context import MunicipalityContext
from . import board_sheets as bs
from . import keep
from . import info_sheets as info
from . import profile_sheets as ps
from .book import Board, Book, stamp, survey_year
from .fast import LightWorkbook
from .layout import HIDDEN, SHEETS, format_key
from .match import planning_priorities, suggest_programmes
from .merge import Merged, Moved, merge
from .read import read_workbook
from .relabel import relabel_context
from .strings import LANGS, s
from .vocab import Coded, all_vocabs
from .waves import WaveValues, read_compare, waves_sheet
from .waves import meta as waves_meta


@dataclass(frozen=True)
class PlanningResult:
    path: Path
    lang: str
    sheets: tuple[str, ...]  # sheet titles in order (hidden ones included)
    prioritised: tuple[str, ...]  # factor ids in the gap matrix
    matches: tuple[str, ...]  # suggested programme ids, best first
    seconds: float


@dataclass(frozen=True)
class UpdateResult(PlanningResult):
    backup: Path | None = None
    previous_lang: str = "en"
    kept: Mapping[str, int] = field(default_factory=dict)  # sheet id → entries put back by key
    moved: tuple[Moved, ...] = ()  # field values moved to "Unmatched entries" by this update
    carried: int = 0  # unmatched entries kept from earlier updates
    rekeyed: tuple[tuple[str, str, str], ...] = ()  # (sheet, old key, new key)
    added: tuple[str, ...] = ()  # action-plan rows added for factors the board marked "priority"
    sheets_kept: tuple[str, ...] = ()  # sheets the board added, carried over (titles)
    comments_kept: int = 0  # board comments put back on their entries
    headers_kept: tuple[tuple[str, str, str], ...] = ()  # (sheet, toolkit header, board's header)
    compare_dropped: str = ""  # the recorded comparison folder, when it is gone (its wave values dropped)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def build(ctx: MunicipalityContext, catalogue: Catalogue, board: Board, *, decided: list[str], created: str,
          updated: str, prepare: Callable[[Book], None], meta: Mapping[str, Any] | None = None,
          waves: WaveValues | None = None, fast: bool = False) -> Book:
    """The whole workbook in memory (with "Priorities over time" when ``waves`` is given).

    ``fast``: in the fast writer's light sheets (planning/fast.py), for a new workbook;
    otherwise in openpyxl's, which an update needs (it copies the board's own sheets in)."""
    lang = ctx.lang if ctx.lang in LANGS else "en"
    wb: Any = LightWorkbook() if fast else Workbook()
    names = {sid: s(f"sheet.{sid}", lang) for sid in SHEETS}
    wb.active.title = names["overview"]  # type: ignore[union-attr]
    for sid in SHEETS[1:]:
        if sid != "unmatched" and (sid != "waves" or waves is not None):
            wb.create_sheet(names[sid])
    matches, matrix = suggest_programmes(ctx, catalogue, decided=decided or None)
    short = [f for f, _ in planning_priorities(ctx)]
    prioritised = _unique(short + [f for f, _ in planning_priorities(ctx, decided)] if decided else short)
    book = Book(ctx, lang, wb, all_vocabs(ctx.instrument), catalogue, matches, matrix, board, survey_year(ctx),
                prioritised, names, created, updated, waves=waves)
    prepare(book)
    bs.latest(book, book.board.tables.setdefault("actions", []))
    info.lists_sheet(book)
    info.overview_sheet(book)
    ps.profile_sheet(book)
    ps.behaviours_sheet(book)
    bs.priorities_sheet(book)
    info.matches_sheet(book)
    bs.inventory_sheet(book)
    bs.gaps_sheet(book)
    bs.actions_sheet(book)
    bs.partners_sheet(book)
    bs.evaluation_sheet(book)
    if waves is not None:
        waves_sheet(book, waves)
    info.quality_sheet(book)
    bs.unmatched_sheet(book)
    info.meta_sheet(book, {**(meta or {}), **waves_meta(waves), **keep.mark_sheets(book)})
    for sid in HIDDEN:
        book.sheet(sid).sheet_state = "hidden"
    info.page_setup(book)
    info.protect(book)
    wb.active = 0
    return book


def _label(book: Book, factor_id: str) -> tuple[str, str]:
    kinds = book._memo.get("kinds")
    if kinds is None:  # factor id → the kind of its first priorities row, looked up once per workbook
        prio = book.ctx.priorities
        kinds = book._memo["kinds"] = {}
        for fid, kind in zip(prio["indicator_id"].astype(str).tolist(), prio["kind"].astype(str).tolist()):
            kinds.setdefault(fid, kind)
    kind = kinds.get(factor_id, "risk")
    return kind, book.vocabs["factor"].label(factor_id, book.lang) if factor_id in book.vocabs["factor"].labels else factor_id


def _fresh(book: Book) -> None:
    """A new workbook: one desired outcome per shortlisted factor, the next survey wave."""
    actions = []
    for k, fid in enumerate([f for f, _ in planning_priorities(book.ctx)], start=1):
        kind, label = _label(book, fid)
        actions.append(bs.outcome_row(book, kind, fid, label, format_key("actions", k)))
    book.board.tables["actions"] = actions
    book.board.tables["evaluation"] = [bs.next_wave_row(book, format_key("evaluation", 1))]


def _save(book: Book, path: Path, overwrite: bool) -> None:
    with atomic_path(path, overwrite=overwrite) as tmp:
        book.wb.save(tmp)


def _result(book: Book, path: Path, t0: float) -> dict[str, Any]:
    return {"path": path, "lang": book.lang, "sheets": tuple(book.wb.sheetnames), "prioritised": tuple(book.prioritised),
            "matches": tuple(m.programme.id for m in book.matches), "seconds": round(time.perf_counter() - t0, 3)}


def write_planning_workbook(ctx: MunicipalityContext, path: str | Path, *, catalogue: Catalogue | None = None,
                            compare: str | Path | None = None) -> PlanningResult:
    """Write a new planning workbook for ``ctx`` (in ``ctx.lang``). An existing file is
    never replaced: use :func:`update_planning_workbook` for that. ``compare``: the output
    folder of ``ctc compare`` (adds "Priorities over time")."""
    t0 = time.perf_counter()
    path = Path(path)
    if path.exists():
        raise OutputError(f"{path} already exists",
                          "refresh it with 'ctc workbook update' (the board's entries are kept), or choose another path")
    now = stamp()
    waves = read_compare(compare, clean_text(ctx.municipality), ctx.instrument.id) if compare is not None else None
    book = build(ctx, catalogue or load_catalogue(), Board(), decided=[], created=now, updated="", prepare=_fresh, waves=waves,
                 fast=True)
    _save(book, path, overwrite=False)
    return PlanningResult(**_result(book, path, t0))


def backup_path(path: Path, *also: Path) -> Path:
    """The first ``<stem>.backup-<N><suffix>`` free beside ``path`` and beside each of ``also``
    (a run that writes into a staging folder keeps the backups of the real one)."""
    n = 1
    while True:
        name = f"{path.stem}.backup-{n}{path.suffix}"
        if not any((p.parent / name).exists() for p in (path, *also)):
            return path.with_name(name)
        n += 1


def _prepare_update(merged: Merged, added: list[str]) -> Callable[[Book], None]:
    def prepare(book: Book) -> None:
        actions = book.board.tables.setdefault("actions", [])
        linked = {r["indicator"].id for r in actions if isinstance(r.get("indicator"), Coded)}
        pooled_rows = [r for r in actions if isinstance(r.get("indicator"), Coded)]
        _fill_baselines(book, pooled_rows)
        nxt = max([int(str(r["key"]).split("-")[1]) for r in actions if r.get("key")], default=0) + 1
        for fid in merged.decided:
            kind, label = _label(book, fid)
            if f"{kind}:{fid}" in linked:
                continue
            row = bs.outcome_row(book, kind, fid, label, format_key("actions", nxt))
            actions.append(row)
            added.append(row["key"])
            nxt += 1

    return prepare


def _fill_baselines(book: Book, rows: list[dict[str, Any]]) -> None:
    """Rows the board gave an indicator but no baseline yet: fill baseline, year, population."""
    for row in rows:
        if any(row.get(k) not in (None, "") for k in ("baseline", "baseline_year")):
            continue
        kind, _, fid = row["indicator"].id.partition(":")
        label = book.vocabs["indicator"].label(row["indicator"].id, book.lang) if row["indicator"].id in book.vocabs["indicator"].labels else fid
        pre = bs.outcome_row(book, kind, fid, label, row["key"])
        for k in ("baseline", "baseline_year"):
            row[k] = pre[k]
        if row.get("population") in (None, ""):
            row["population"] = pre["population"]
        if row.get("source") in (None, ""):
            row["source"] = pre["source"]


def update_planning_workbook(ctx: MunicipalityContext, path: str | Path, *, catalogue: Catalogue | None = None,
                             lang: str | None = None, previous: str | Path | None = None,
                             backup_beside: str | Path | None = None, compare: str | Path | None = None) -> UpdateResult:
    """Refresh the planning workbook at ``path`` from ``ctx`` and keep the board's entries.

    ``previous``: read the board's entries from this file instead of ``path`` (for a run
    that writes into a new folder); the backup is a copy of it, next to ``path``.
    ``lang``: the language of the refreshed workbook; default: the workbook's own
    language (recorded in its hidden Meta sheet), whatever ``ctx.lang`` is.
    ``backup_beside``: the backup's number is also free beside this file (the real
    folder of a run that writes into a staging folder).
    ``compare``: the output folder of ``ctc compare`` for "Priorities over time"; default:
    the folder recorded in the workbook's Meta sheet, read again (when it is gone, the
    sheet is left out and ``compare_dropped`` names it).
    A workbook open in Excel or LibreOffice (their lock file beside it) is refused.
    """
    t0 = time.perf_counter()
    path = Path(path)
    source = Path(previous) if previous is not None else path
    refuse_open(source)
    refuse_open(path)
    existing = read_workbook(source)
    old_lang = existing.lang if existing.lang in LANGS else "en"
    new_lang = lang or old_lang
    if new_lang not in LANGS:
        raise OutputError(f"unknown language {new_lang!r}", f"use one of {', '.join(LANGS)}")
    if existing.meta.get("municipality") and existing.meta["municipality"] != clean_text(ctx.municipality):
        raise OutputError(f"{source} is the planning workbook of {existing.meta['municipality']!r}, not of {ctx.municipality!r}",
                          "give the workbook of this municipality")
    ctx = relabel_context(ctx, new_lang)
    vocabs = all_vocabs(ctx.instrument)
    factor_ids = set(ctx.priorities["indicator_id"].astype(str)) if len(ctx.priorities) else set()
    merged = merge(existing, vocabs, factor_ids, new_lang)
    added: list[str] = []
    recorded, dropped = existing.meta.get("compare.folder") or "", ""
    if compare is None and recorded:
        if (Path(recorded) / "compare.csv").is_file():
            compare = recorded
        else:
            dropped = recorded
    waves = read_compare(compare, clean_text(ctx.municipality), ctx.instrument.id) if compare is not None else None
    book = build(ctx, catalogue or load_catalogue(), merged.board, decided=merged.decided,
                 created=existing.meta.get("created") or stamp(), updated=stamp(), prepare=_prepare_update(merged, added),
                 waves=waves)
    extras = merged.carried_extras
    keep.attach_comments(book, extras)
    keep.keep_headers(book, existing.headers, old_lang, extras)
    keep.copy_sheets(book, existing.found.added_sheets, extras)
    backup = backup_path(path, *([Path(backup_beside)] if backup_beside is not None else []))
    if source.exists():
        shutil.copy2(source, backup)
    _save(book, path, overwrite=True)
    return UpdateResult(**_result(book, path, t0), backup=backup, previous_lang=old_lang, kept=dict(merged.kept),
                        moved=tuple(merged.moved), carried=merged.carried, rekeyed=tuple(merged.rekeyed), added=tuple(added),
                        sheets_kept=tuple(extras.sheets), comments_kept=extras.comments, headers_kept=tuple(extras.headers), compare_dropped=dropped)
