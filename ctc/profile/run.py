"""``ctc profile``: survey file in, per-municipality profiles, priorities, reports and
workbooks out — all aggregates, all suppressed, all in one folder that appears only
when complete."""

from __future__ import annotations

import gc
import json
import multiprocessing
import re
import shutil
import time
import unicodedata
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..engine import Engine, open_engine
from ..instrument import load_instrument
from ..instrument.load import shipped_instruments
from ..instrument.model import Instrument
from ..io.atomic import atomic_dir, free_name
from ..io.lock import Held, hold, refuse_open
from ..io.names import check_output_name, windows_reserved
from ..io.read import ReadOptions
from ..io.synthetic import has_synthetic_mark
from ..manifest import base_manifest, file_sha256, to_json
from ..pipeline import PipelineResult
from ..release.publish import Release, ScreeningAhead, release
from ..scoring.audit import finish_audit
from ..scoring.frame import Scored
from ..threads import frozen_heap, one_blas_thread
from ..weights.model import with_calibration
from .baseline import Baseline, load_baseline
from .compute import ProfileTables, profile_tables
from .context import MunicipalityContext, python_text
from .estimate import ALL
from .guard import guarded_run
from .memory import trim
from .options import ProfileOptions

if TYPE_CHECKING:
    from ..engine.dask_engine import DaskSession

KEEP_PREFIXES = ("flag.", "outcome.", "screen.")  # screen.*: the audit of one wave (guard.select_wave)
META = ("respondent", "municipality", "school", "grade", "gender", "weight", "wave", "excluded",
        "stratum", "schools_population", "enrolled")


@dataclass
class ProfileResult:
    outdir: Path
    tables: ProfileTables
    pipeline: PipelineResult
    screening: pd.DataFrame
    folders: dict[str, str]  # municipality → folder name
    manifest: dict[str, Any]
    seconds: dict[str, float] = field(default_factory=dict)
    workbooks: dict[str, Any] = field(default_factory=dict)  # municipality → PlanningResult/UpdateResult (final paths)
    cleaned: list[Path] = field(default_factory=list)  # staging a killed earlier run left, removed
    restored: list[Path] = field(default_factory=list)  # previous output a killed run had moved aside, put back


def _profile_column(name: str) -> bool:
    return name in META or name.startswith(KEEP_PREFIXES)


def keep_profile_columns(scored: Scored | pd.DataFrame) -> pd.DataFrame:
    """What the profile needs of a scored chunk: metadata, exclusion, flags and outcomes."""
    if isinstance(scored, pd.DataFrame):
        return scored[[c for c in scored.columns if _profile_column(c)]]
    return scored.to_pandas(_profile_column)


def folder_name(municipality: str, taken: set[str]) -> str:
    """A safe, readable folder name for a municipality (no path tricks, unique)."""
    text = unicodedata.normalize("NFKC", municipality)
    slug = re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-_").lower()[:60] or "municipality"
    slug = f"{slug}_" if windows_reserved(slug) else slug  # "Con" → "con_": Windows cannot open a folder "con"
    name, k = slug, 2
    while name in taken:
        name, k = f"{slug}-{k}", k + 1
    taken.add(name)
    return name


def _checks_summary(result: PipelineResult, lang: str) -> pd.DataFrame:
    # counts per code only: detail rows name respondents and stay with `ctc score`
    return result.checks.counts(lang)[["code", "severity", "count", "description", "columns"]]


def _instrument_path(inst: Instrument, ref: str | Path | Instrument) -> Path | None:
    if isinstance(ref, Instrument):
        return None
    shipped = shipped_instruments()
    return shipped.get(str(ref)) or Path(ref)


def _manifest(inst, inst_ref, source_path, baseline, options, result, folders, screening) -> dict[str, Any]:
    m = base_manifest()
    m["instrument"] = {"id": inst.id, "version": inst.version, "sha256": file_sha256(_instrument_path(inst, inst_ref))}
    m["input"] = {"file": Path(source_path).name, "sha256": result.source.sha256, "format": result.source.format,
                  "encoding": result.source.encoding, "delimiter": result.source.delimiter,
                  "rows": result.rows, "excluded": result.excluded, "included": result.rows - result.excluded}
    m["baseline"] = None if baseline is None else {
        "id": baseline.id, "sources": baseline.sources, "years": baseline.years, "sha256": file_sha256(baseline.path),
        "synthetic": any("synthetic" in s.lower() for s in baseline.sources)}
    m["options"] = options.to_dict()
    m["survey_year"] = _survey_year(result)
    m["suppression"] = options.suppression.__dict__ | {"note": "small groups, all-or-none results and small screening counts hidden; further cells hidden until an attacker cannot narrow any of them (docs/privacy.md)"}
    m["municipalities"] = [{"name": name, "folder": folder} for name, folder in folders.items()]
    m["outputs"] = ["profile.csv", "priorities.csv", "screening.csv", "checks.csv", "manifest.json",
                    *[f"{f}/report.html" for f in folders.values()], *[f"{f}/{PLANNING}" for f in folders.values()]]
    return m


def _html(ctx: MunicipalityContext, folder: Path, previous: Path | None) -> None:
    from ..report import render_html

    (folder / "report.html").write_text(render_html(ctx), encoding="utf-8")


def _planning(ctx: MunicipalityContext, folder: Path, previous: Path | None) -> Any:
    """A new planning workbook, or — when the previous run's folder has one the board
    has worked in — the same workbook with its data sheets refreshed and every entry kept.

    The backup of the previous workbook gets a number free in the previous folder too
    (earlier backups are carried over by :func:`_carry_over`), so none is ever replaced.
    Returns the workbook's result with the paths it will have in the final folder."""
    from dataclasses import replace

    from ..planning import update_planning_workbook, write_planning_workbook

    target = folder / PLANNING
    old = previous / PLANNING if previous is not None else None
    if old is not None and old.is_file():
        done = update_planning_workbook(ctx, target, previous=old, backup_beside=old)
        backup = old.parent / done.backup.name if done.backup is not None else None
        return replace(done, path=old, backup=backup)
    return write_planning_workbook(ctx, target)


def _final(book: Any, outdir: Path) -> Any:
    """A workbook result with its path in the output folder (not the staging folder)."""
    from dataclasses import replace

    return None if book is None else replace(book, path=outdir / book.path.parent.name / book.path.name)


PLANNING = "planning.xlsx"
BACKUP = re.compile(r"^planning\.backup-\d+\.xlsx$")
RENDERERS: tuple[Callable[[MunicipalityContext, Path, Path | None], None], ...] = (_html, _planning)


def contexts(published: Release, indicators: tuple, inst: Instrument, baseline: Baseline | None,
             options: ProfileOptions, manifest: dict[str, Any]) -> dict[str, MunicipalityContext]:
    """Per municipality what its report and workbook show — only released numbers."""
    # converted once here, not once per municipality by the context
    table, prio, screening, checks = (python_text(f) for f in (published.profile, published.priorities, published.screening,
                                                              published.checks))
    muni = table["municipality"].astype(str)
    whole = table[muni == ALL]
    out = {}
    for name in [m for m in table["municipality"].cat.categories if m != ALL]:
        out[name] = MunicipalityContext(
            municipality=name, instrument=inst, indicators=indicators, table=table[muni == name],
            whole=whole, priorities=prio[prio["municipality"] == name] if len(prio) else prio,
            screening=screening[screening["municipality"] == name], checks=checks, baseline=baseline,
            options=options, manifest=manifest)
    return out


def profile(input_path: str | Path, outdir: str | Path, *, force: bool = False, engine: Engine | None = None,
            **kw: Any) -> ProfileResult:
    """Run the whole profile job; the output folder appears only when everything is written.

    The output folder is locked for the whole run (a second run into it fails at once);
    what a killed earlier run left there is cleaned first; with ``force``, a planning
    workbook open in Excel or LibreOffice stops the run before anything is written.
    ``engine``: where the work runs (default: this process; ctc.engine).
    Keywords: those of :func:`_profile`."""
    outdir = Path(outdir)
    parent = outdir.parent if str(outdir.parent) else Path(".")
    made = [p for p in (parent, *parent.parents) if not p.exists()]  # deepest first
    parent.mkdir(parents=True, exist_ok=True)
    try:
        with hold(outdir) as held, open_engine(engine) as session, one_blas_thread():
            if force and outdir.is_dir():
                for book in sorted(outdir.glob(f"*/{PLANNING}")):
                    refuse_open(book)
            result = _profile(input_path, outdir, force=force, held=held, session=session, **kw)
            result.cleaned, result.restored = held.cleaned, held.restored
            result.workbooks = {m: _final(w, outdir) for m, w in result.workbooks.items()}
    except BaseException:
        for folder in made:  # a failed run leaves no folders behind either
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    return result


def _profile(input_path: str | Path, outdir: str | Path, *, instrument: str | Path | Instrument = "ctc-youth-survey",
             baseline: str | Path | None = None, options: ProfileOptions | None = None, mapping: str | Path | None = None,
             read: ReadOptions | None = None, force: bool = False, progress: Callable[[int], None] | None = None,
             synthetic_input: bool = False, held: Held | None = None, session: DaskSession | None = None) -> ProfileResult:
    options = options or ProfileOptions()
    options = with_calibration(options, input_path)  # `ctc weights` output: calibration-aware SEs
    check_output_name(outdir)
    t0 = time.perf_counter()
    inst = load_instrument(instrument)
    base = load_baseline(baseline, inst) if baseline is not None else None
    result, selection = guarded_run(input_path, inst, options, mapping=Path(mapping) if mapping else None, read=read, progress=progress,
                                   mapper=None if session is None else session.keeping_rows())
    # protected beside the estimate (it does not depend on the profile); the process ends with this block
    with closing(ScreeningAhead(finish_audit(result.audit, inst, options.lang), options.suppression,
                                options.workers if session is None else 1)) as ahead:
        return _outputs(input_path, outdir, inst, instrument, base, options, result, selection, ahead,
                        force=force, synthetic_input=synthetic_input, held=held, session=session, t0=t0)


def _outputs(input_path: str | Path, outdir: str | Path, inst: Instrument, instrument: str | Path | Instrument,
             base: Baseline | None, options: ProfileOptions, result: PipelineResult, selection: Any,
             ahead: ScreeningAhead, *, force: bool, synthetic_input: bool, held: Held | None,
             session: DaskSession | None, t0: float) -> ProfileResult:
    """The estimate, the release and every output file of :func:`_profile`, after the read."""
    trim()  # the read and scoring buffers are freed: give them back before the estimate
    t1 = time.perf_counter()
    options = options.with_design_roles(result.kept.columns)  # @stratum, @schools_population, @enrolled
    tables = profile_tables(result.kept, inst, base, options, engine=session)
    trim()  # the estimate's temporaries, before the render processes are forked
    t2 = time.perf_counter()
    published = release(tables.table, tables.protection, tables.priorities, ahead,
                        _checks_summary(result, options.lang), options.suppression, options.workers if session is None else 1)
    screening = published.screening
    taken: set[str] = set()
    folders = {m: folder_name(m, taken) for m in tables.table["municipality"].cat.categories if m != ALL}
    manifest = _manifest(inst, instrument, input_path, base, options, result, folders, screening)
    manifest["input"]["synthetic"] = synthetic_input or has_synthetic_mark(result.source.columns)
    manifest["privacy"] = published.summary
    manifest["input"]["selection"] = selection.to_dict()
    with atomic_dir(outdir, force=force, held=held) as tmp:
        ctxs = contexts(published, tables.indicators, inst, base, options, manifest)
        jobs = [(ctx, tmp / folders[name], Path(outdir) / folders[name] if force else None) for name, ctx in ctxs.items()]
        if session is None:  # the CSV files written while the municipalities render
            rendered = _render_all(jobs, options.workers, meanwhile=lambda: published.write_tables(tmp))
        else:
            published.write_tables(tmp)
            rendered = session.render(_render_one, jobs)
        workbooks = dict(zip(ctxs, rendered))
        manifest["output_sha256"] = _hashes(tmp)
        manifest["kept_from_previous_run"] = _carry_over(Path(outdir), tmp, manifest["output_sha256"]) if force else []
        t3 = time.perf_counter()
        manifest["timings_seconds"] = {"read": round(result.seconds["read"], 3), "score": round(result.seconds["score"], 3),
                                       "profile": round(t2 - t1, 3), "outputs": round(t3 - t2, 3), "total": round(t3 - t0, 3)}
        (tmp / "manifest.json").write_text(to_json(manifest), encoding="utf-8")
    return ProfileResult(Path(outdir), tables, result, screening, folders, manifest, manifest["timings_seconds"],
                         workbooks=workbooks)


def _render_one(job: tuple[MunicipalityContext, Path, Path | None]) -> Any:
    """Render one municipality; returns what the last renderer (the workbook) reports."""
    ctx, folder, previous = job
    folder.mkdir()
    out = None
    for render in RENDERERS:
        out = render(ctx, folder, previous)
    return out


def _warm(jobs: list[tuple[MunicipalityContext, Path, Path | None]]) -> None:
    """Import the renderers, compile the report templates, load the catalogue, the number
    formats and the instrument's codebook once, before forking: each worker would
    otherwise spend about a second doing it again."""
    from ..catalogue import load_catalogue
    from ..planning import write_planning_workbook  # noqa: F401
    from ..report.html import prepare

    seen: set[tuple[int, str]] = set()
    for ctx, _, _ in jobs:
        if (id(ctx.instrument), ctx.lang) not in seen:
            seen.add((id(ctx.instrument), ctx.lang))
            prepare(ctx.lang, ctx.instrument)
    load_catalogue()


#: the jobs of the fan-out under way: the forked workers inherit them with the parent's
#: memory, so only a job's number is sent to a worker (a pickled context is about 0.8 MB)
_JOBS: list[tuple[MunicipalityContext, Path, Path | None]] = []


def _render_nth(k: int) -> Any:
    try:
        return _render_one(_JOBS[k])
    finally:
        # one collection per municipality instead of the automatic ones: a workbook's light
        # cells are tens of thousands of young objects in reference cycles (a cell knows its
        # sheet), and the collector otherwise runs every few hundred allocations over them
        gc.collect()


def _worker_start() -> None:
    gc.disable()  # see _render_nth; the parent's objects are frozen (frozen_heap)


def _render_all(jobs: list[tuple[MunicipalityContext, Path, Path | None]], workers: int,
                meanwhile: Callable[[], None] = lambda: None) -> list[Any]:
    """Reports and workbooks of the municipalities are independent: render them in
    parallel processes (charts and Excel writing are CPU-bound, single-threaded).

    Everything shared is made before the fork (:func:`_warm`); the workers are forked
    with the jobs in memory and are handed job numbers one at a time, so a slow
    municipality does not hold up the rest. ``meanwhile``: this process's own work (the
    tables' CSV files), done while the workers render."""
    global _JOBS
    workers = min(workers, len(jobs))
    if workers <= 1:
        meanwhile()
        return [_render_one(job) for job in jobs]
    _warm(jobs)
    _JOBS = jobs
    try:
        with frozen_heap(), ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                                initializer=_worker_start) as pool:
            # one municipality per task: a task is a number sent and a small result back, and larger
            # chunks left one process idle at the end while the other finished its last chunk
            futures = [pool.submit(_render_nth, k) for k in range(len(jobs))]
            try:
                meanwhile()
                return [f.result() for f in futures]
            except BaseException:  # a failure here or in a worker, or Ctrl-C: the queued municipalities are not rendered
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    finally:
        _JOBS = []


def _survey_year(result: PipelineResult) -> int:
    """The newest wave in the data when it has a wave column, else this year."""
    if result.remote is not None:  # the rows are on the Dask workers: their newest wave
        return result.remote.summary().survey_year or datetime.now(UTC).year
    kept = result.kept
    if kept is not None and "wave" in kept.columns:
        # the distinct waves only (a million rows hold one or a few): the same newest one
        waves = pd.to_numeric(pd.Series(kept["wave"].dropna().unique()), errors="coerce").dropna()
        if len(waves):
            return int(waves.max())
    return datetime.now(UTC).year


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): file_sha256(p) or "" for p in sorted(folder.rglob("*")) if p.is_file()}


def _carry_over(old: Path, new: Path, fresh: dict[str, str]) -> list[str]:
    """With --force, nothing a user made or edited in the old folder is lost.

    Files the previous run did not write are copied over unchanged; files it wrote but
    the user has edited since (their hash differs from the old manifest's) are kept
    beside the fresh ones as ``<name>.edited-<n><suffix>``.
    """
    if not old.is_dir():
        return []
    try:
        previous = json.loads((old / "manifest.json").read_text(encoding="utf-8")).get("output_sha256", {})
    except (OSError, ValueError):
        previous = {}
    kept = []
    for path in sorted(p for p in old.rglob("*") if p.is_file()):
        rel = str(path.relative_to(old))
        if rel == "manifest.json" or path.name == PLANNING:
            continue  # planning workbooks are updated in place (with a backup), see _planning
        if BACKUP.match(path.name):  # every backup is kept under its own (never reused) number
            target = new / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            continue
        if rel in previous and previous[rel] == file_sha256(path):
            continue  # our own output, unchanged: regenerated
        target = new / rel
        if rel in fresh or target.exists():
            target = free_name(target, "edited")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        kept.append(str(target.relative_to(new)))
    return kept
