"""Read → map columns → check → screen → score, chunk by chunk.

Shared by ``ctc score`` (which writes the respondent-level output) and ``ctc profile``
(which keeps only what the profile needs in memory). Each chunk is processed
completely and then dropped, so a million-row file never sits in memory twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .checks import (
    CheckReport,
    find_duplicates,
    find_empty_rows,
    find_grade_problems,
    find_invalid_weights,
    find_missing_values,
)
from .instrument.model import Instrument
from .io.mapping import ColumnMap, resolve_columns
from .io.read import ReadOptions, SourceInfo, iter_survey
from .scoring.audit import audit_counts
from .scoring.frame import output_frame, score_chunk
from .scoring.plan import compile_plan

ChunkSink = Callable[[pd.DataFrame], None]


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


def _check_chunk(raw: pd.DataFrame, inst: Instrument, cmap: ColumnMap, source: SourceInfo, report: CheckReport) -> pd.DataFrame:
    """Row-level checks that do not need scoring; returns the chunk with clean weights."""
    resp = raw[cmap.respondent]
    items = raw[[c for c in cmap.found_items.values()]]
    report.extend(None, find_empty_rows(items, respondent=resp))
    report.extend(None, find_grade_problems(raw[cmap.grade], inst.grades, respondent=resp))
    report.extend(None, find_missing_values(raw[cmap.municipality], "missing-municipality", respondent=resp))
    report.extend(None, find_missing_values(resp, "missing-respondent", respondent=resp))
    weight = cmap.roles.get("weight")
    if weight is not None:
        problems, clean = find_invalid_weights(raw[weight], source.decimal, respondent=resp)
        report.extend(None, problems)
        raw = raw.assign(**{weight: clean})
    return raw


def run(path: str | Path, inst: Instrument, *, mapping: Path | None = None, read: ReadOptions | None = None,
        sink: ChunkSink | None = None, keep: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
        progress: Callable[[int], None] | None = None) -> PipelineResult:
    """Process a survey file. ``sink`` receives every scored chunk (for writing);
    ``keep`` selects what to keep in memory from each scored chunk (for profiling)."""
    t0 = time.perf_counter()
    source, chunks = iter_survey(path, read)  # reads the first chunk
    t_first = time.perf_counter() - t0
    cmap, problems = resolve_columns(inst, source.columns, mapping=mapping)
    report = CheckReport()
    report.extend_problems(problems)
    plan = compile_plan(inst)
    roles = dict(cmap.roles)
    ids, audits, kept = [], [], []
    result = PipelineResult(source, cmap, report, pd.DataFrame())
    t_read, t_score = t_first, 0.0
    t_last = time.perf_counter()
    for raw in chunks:
        t_read += time.perf_counter() - t_last
        t1 = time.perf_counter()
        raw = _check_chunk(raw, inst, cmap, source, report)
        scored_chunk = score_chunk(raw, inst, plan, roles, cmap.items)
        report.extend(None, scored_chunk.clean.problems)
        out = output_frame(scored_chunk, inst)
        out.index = raw.index
        ids.append(raw[cmap.respondent])
        audits.append(audit_counts(out, inst))
        result.rows += len(out)
        result.excluded += int(out["excluded"].sum())
        t_score += time.perf_counter() - t1
        if sink is not None:
            sink(out)
        if keep is not None:
            kept.append(keep(out))
        if progress is not None:
            progress(len(out))
        t_last = time.perf_counter()
    t2 = time.perf_counter()
    report.extend(None, find_duplicates(pd.concat(ids)))
    result.audit = pd.concat(audits, ignore_index=True)
    if keep is not None:
        result.kept = pd.concat(kept) if kept else pd.DataFrame()
    result.seconds = {"read": t_read, "score": t_score + time.perf_counter() - t2, "total": time.perf_counter() - t0}
    return result
