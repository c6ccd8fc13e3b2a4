"""Read → map columns → check → screen → score, chunk by chunk.

Shared by ``ctc score`` (which writes the respondent-level output) and ``ctc profile``
(which keeps only what the profile needs in memory). Each chunk is processed
completely and then dropped, so a million-row file never sits in memory twice.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .checks import (
    CheckReport,
    find_duplicates,
    find_gender_problems,
    find_grade_problems,
    find_invalid_weights,
    find_missing_values,
    flagged_rows,
    ids_may_repeat,
)
from .instrument.model import Instrument
from .io.chunk import Chunk
from .io.mapping import ColumnMap, resolve_columns
from .io.read import ReadOptions, SourceInfo, iter_chunks, parquet_parts
from .scoring.audit import audit_counts
from .scoring.frame import Scored, score_chunk
from .scoring.kernel import MIN_SPLIT_ROWS, default_threads, tune_allocator
from .scoring.plan import compile_plan

ChunkSink = Callable[[Any], None]


@dataclass
class PipelineResult:
    source: SourceInfo
    columns: ColumnMap
    checks: CheckReport
    audit: pd.DataFrame  # additive counts (ctc.scoring.audit.finish_audit makes the report)
    rows: int = 0
    excluded: int = 0
    kept: pd.DataFrame | None = None  # scored columns kept for the caller
    seconds: dict[str, float] = field(default_factory=dict)
    remote: Any = None  # the kept columns held on the Dask workers (``kept`` is then their empty schema)


def _check_chunk(chunk: Chunk, inst: Instrument, cmap: ColumnMap, source: SourceInfo) -> list[pd.DataFrame]:
    """Row-level checks on the metadata columns; clean weights go back into the chunk."""
    resp = chunk.series(cmap.respondent)
    problems = [
        find_grade_problems(chunk.series(cmap.grade), inst.grades, respondent=resp),
        find_missing_values(chunk.series(cmap.municipality), "missing-municipality", respondent=resp),
        find_missing_values(resp, "missing-respondent", respondent=resp),
    ]
    gender = cmap.roles.get("gender")
    if gender is not None and inst.genders:
        problems.append(find_gender_problems(chunk.series(gender), list(inst.genders), respondent=resp))
    weight = cmap.roles.get("weight")
    if weight is not None:
        found, clean = find_invalid_weights(chunk.series(weight), source.decimal, respondent=resp)
        problems.append(found)
        chunk.replace(weight, clean)
    return problems


@dataclass
class _Part:
    """Everything one worker made of one part of a chunk, merged in file order."""

    rows: int
    excluded: int
    problems: list[pd.DataFrame]
    audit: pd.DataFrame
    ids: pd.Series
    raw_ids: Any
    prepared: Any
    kept: pd.DataFrame | None


def run(path: str | Path, inst: Instrument, *, mapping: Path | None = None, read: ReadOptions | None = None,
        sink: ChunkSink | None = None, keep: Callable[[Scored], pd.DataFrame] | None = None,
        progress: Callable[[int], None] | None = None, threads: int | None = None,
        roles: Mapping[str, str | None] | None = None,
        inspect: Callable[[SourceInfo, ColumnMap], None] | None = None,
        mapper: Callable[[Callable[[Chunk], Any], Iterable[Chunk]], Iterable[Any]] | None = None) -> PipelineResult:
    """Process a survey file.

    ``sink`` receives every scored chunk in file order (for writing); a sink with a
    ``prepare`` method has that called first, in the worker, and then gets the
    prepared value (e.g. the Arrow table) instead. ``keep`` selects what to keep in
    memory from each scored chunk (for profiling). Each chunk is cut into ``threads``
    parts that are checked and scored in parallel threads (default: one per CPU, at
    most 4): the heavy work runs in numpy and Arrow, which release the GIL.
    ``roles`` overrides column roles for this run (``{"weight": None}``: ignore the
    weights); ``inspect`` sees the file and the column map before any row is scored
    (and may raise to refuse the file). ``mapper`` runs the per-chunk work elsewhere
    (``mapper(work, chunks)`` yields each chunk's part in file order; ctc.engine): each
    chunk is then one part instead of being cut into threads.
    """
    tune_allocator()
    t0 = time.perf_counter()
    source, chunks = iter_chunks(path, read)  # reads the first chunk
    if getattr(mapper, "reads", False) and source.format == "parquet":
        chunks = parquet_parts(source, read)  # the workers read their own row groups
    t_first = time.perf_counter() - t0
    cmap, problems = resolve_columns(inst, source.columns, mapping=mapping, role_overrides=roles)
    if inspect is not None:
        inspect(source, cmap)
    report = CheckReport()
    report.extend_problems(problems)
    if source.encoding_method == "mixed":
        report.add("mixed-encoding", next(n for n in source.notes if n.startswith("encoding:")))
    plan = compile_plan(inst)
    roles = dict(cmap.roles)
    workers = default_threads() if threads is None else max(1, threads)
    prepare = getattr(sink, "prepare", None)

    def work(chunk: Chunk) -> _Part:
        found = _check_chunk(chunk, inst, cmap, source)
        scored = score_chunk(chunk, inst, plan, roles, cmap.items, threads=1)
        found.append(flagged_rows("empty-row", scored.result.empty, scored.index, scored.meta.get("respondent")))
        found.append(scored.problems)
        return _Part(
            rows=len(scored), excluded=int(scored.excluded.sum()), problems=found,
            audit=audit_counts(scored, inst), ids=scored.meta["respondent"].rename(cmap.respondent),
            raw_ids=chunk.raw(cmap.respondent),
            prepared=prepare(scored) if prepare is not None else scored,
            kept=keep(scored) if keep is not None else None,
        )

    ids, raw_ids, audits, kept = [], [], [], []
    result = PipelineResult(source, cmap, report, pd.DataFrame())
    t_read, t_score, t_sink = t_first, 0.0, 0.0
    reading = [0.0]  # the reader thread's time in the file (it overlaps the scoring of the chunk before)
    t_last = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        batches: Iterable[list[_Part]] = (
            (list(pool.map(work, _split(chunk, workers))) for chunk in _read_ahead(chunks, reading)) if mapper is None
            else ([part] for part in mapper(work, chunks)))
        for parts in batches:
            # in this process: the wait is the checking and scoring (and any reading not yet
            # done); with a mapper, the reading and scoring elsewhere
            if mapper is None:
                t_score += time.perf_counter() - t_last
            else:
                t_read += time.perf_counter() - t_last
            t1 = time.perf_counter()
            for part in parts:
                for found in part.problems:
                    report.extend(None, found)
                ids.append(part.ids)
                raw_ids.append(part.raw_ids)
                audits.append(part.audit)
                if part.kept is not None:
                    kept.append(part.kept)
                result.rows += part.rows
                result.excluded += part.excluded
            t2 = time.perf_counter()
            t_score += t2 - t1
            if sink is not None:
                write = getattr(sink, "write", sink) if prepare is not None else sink
                for part in parts:
                    write(part.prepared)
            t_sink += time.perf_counter() - t2
            if progress is not None:
                progress(sum(p.rows for p in parts))
            t_last = time.perf_counter()
    t2 = time.perf_counter()
    if ids_may_repeat(raw_ids):
        report.extend(None, find_duplicates(pd.concat(ids)))
    result.audit = pd.concat(audits, ignore_index=True)
    if keep is not None:
        result.kept = pd.concat(kept) if kept else pd.DataFrame()
    result.remote = getattr(mapper, "held", None)
    # "read": the time in the file (the first chunk, then the reader thread's, alongside the
    # scoring); "score": checking, scoring and merging (it used to be counted as reading)
    result.seconds = {"read": t_read + reading[0], "score": t_score + time.perf_counter() - t2, "write": t_sink,
                      "total": time.perf_counter() - t0}
    return result


_END = object()


def _read_ahead(chunks: Iterator[Chunk], clock: list[float]) -> Iterator[Chunk]:
    """The chunks, the next one read in a thread while the current one is checked and scored
    (the reader decompresses and decodes in Arrow/pandas, mostly without the GIL): the
    reading no longer waits for the scoring, nor the scoring for the reading. At most one
    chunk is read ahead; every chunk is read by the one reader thread, in file order.
    ``clock[0]`` accumulates the reader's time."""

    def read() -> Any:
        t = time.perf_counter()
        try:
            return next(chunks, _END)
        finally:
            clock[0] += time.perf_counter() - t

    with ThreadPoolExecutor(1) as reader:
        pending = reader.submit(read)
        while True:
            chunk = pending.result()
            if chunk is _END:
                return
            pending = reader.submit(read)
            yield chunk


def _split(chunk: Chunk, parts: int) -> list[Chunk]:
    """The chunk in ``parts`` row ranges (whole when small: threads would cost more)."""
    n = len(chunk)
    if parts <= 1 or n < parts * MIN_SPLIT_ROWS:
        return [chunk]
    bounds = [round(k * n / parts) for k in range(parts + 1)]
    return [chunk.slice(a, b) for a, b in itertools.pairwise(bounds)]
