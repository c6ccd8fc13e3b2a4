"""``ctc compare``: survey waves in, changes and trends out — aggregates only, protected
as the profile's, in one folder that appears only when complete."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..instrument import load_instrument
from ..instrument.model import Instrument
from ..io.atomic import atomic_dir
from ..io.names import check_output_name
from ..io.read import ReadOptions
from ..manifest import base_manifest, file_sha256, to_json
from ..profile.estimate import ALL
from ..profile.memory import trim
from ..profile.run import folder_name
from ..release.csvsafe import write_csv
from ..release.protect import gate
from ..release.publish import profile_rules
from ..threads import one_blas_thread
from .inputs import read_waves
from .tables import CompareOptions, CompareTables, compare_tables

#: the per-wave profile tables (what ``ctc audit OUTDIR/waves/<wave>`` attacks)
WAVE_COLUMNS = ["municipality", "grade", "gender", "indicator_type", "indicator_id", "label", "n", "n_flagged", "pct",
                "ci_low", "ci_high", "suppressed", "suppression_reason", "se", "df", "deff", "n_eff", "ci_method", "weighted"]


@dataclass
class CompareResult:
    outdir: Path
    tables: CompareTables
    folders: dict[str, str]
    manifest: dict[str, Any]
    rows: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _instruments(refs: tuple[str | Path | Instrument, ...]) -> list[Instrument]:
    return [r if isinstance(r, Instrument) else load_instrument(r) for r in refs]


def compare(inputs: list[str | Path], outdir: str | Path, *, instruments: tuple[str | Path | Instrument, ...] = ("ctc-youth-survey",),
            wave_labels: list[str] | None = None, options: CompareOptions | None = None, mapping: str | Path | None = None,
            read: ReadOptions | None = None, force: bool = False) -> CompareResult:
    """Read the waves, compute and protect every table, and write the output folder atomically."""
    with one_blas_thread():
        return _compare(inputs, outdir, instruments=instruments, wave_labels=wave_labels, options=options,
                        mapping=mapping, read=read, force=force)


def _compare(inputs: list[str | Path], outdir: str | Path, *, instruments: tuple[str | Path | Instrument, ...],
             wave_labels: list[str] | None, options: CompareOptions | None, mapping: str | Path | None,
             read: ReadOptions | None, force: bool) -> CompareResult:
    options = options or CompareOptions()
    check_output_name(outdir)
    t0 = time.perf_counter()
    data = read_waves([Path(p) for p in inputs], _instruments(instruments), wave_labels=wave_labels,
                      mapping=Path(mapping) if mapping else None, read=read, unweighted=options.profile.unweighted)
    trim()  # the read and scoring buffers, before the tables
    t1 = time.perf_counter()
    tables = compare_tables(data, options)
    rules = profile_rules(options.profile.suppression)
    for wave, protection in tables.protections.items():  # the release gate, as the profile's
        if gate(protection, rules):
            raise RuntimeError(f"disclosure audit failed for wave {wave}: not protected")
    t2 = time.perf_counter()
    taken: set[str] = set()
    munis = [m for m in tables.compare["municipality"].cat.categories if m != ALL]
    folders = {m: folder_name(m, taken) for m in munis}
    manifest = _manifest(data, tables, options, folders)
    with atomic_dir(outdir, force=force) as tmp:
        write_csv(tables.compare, tmp / "compare.csv", encoding="utf-8")
        if tables.trends is not None:
            write_csv(tables.trends, tmp / "trends.csv", encoding="utf-8")
        if tables.cohorts is not None:
            write_csv(tables.cohorts, tmp / "cohorts.csv", encoding="utf-8")
        write_csv(tables.export, tmp / "evaluator.csv", encoding="utf-8")
        for wave, table in tables.waves.items():
            folder = tmp / "waves" / wave
            folder.mkdir(parents=True)
            write_csv(table[WAVE_COLUMNS], folder / "profile.csv", encoding="utf-8")
            (folder / "manifest.json").write_text(to_json({"wave": wave, "suppression": manifest["suppression"]}),
                                                  encoding="utf-8")
        _render(tables, options, folders, tmp, manifest)
        t3 = time.perf_counter()
        manifest["timings_seconds"] = {"read": round(t1 - t0, 3), "compare": round(t2 - t1, 3),
                                       "outputs": round(t3 - t2, 3), "total": round(t3 - t0, 3)}
        manifest["output_sha256"] = {str(p.relative_to(tmp)): file_sha256(p) or "" for p in sorted(tmp.rglob("*")) if p.is_file()}
        (tmp / "manifest.json").write_text(to_json(manifest), encoding="utf-8")
    return CompareResult(Path(outdir), tables, folders, manifest, len(data.frame), manifest["timings_seconds"])


def _render(tables: CompareTables, options: CompareOptions, folders: dict[str, str], tmp: Path, manifest: dict) -> None:
    from dataclasses import replace

    from .html import render_changes

    def by_muni(frame):  # split once: filtering the whole tables per municipality is quadratic
        return {str(k): part for k, part in frame.groupby(frame["municipality"].astype(str), sort=False)} if frame is not None else {}

    compare_parts, trend_parts, cohort_parts = by_muni(tables.compare), by_muni(tables.trends), by_muni(tables.cohorts)
    wave_parts = {w: by_muni(t) for w, t in tables.waves.items()}
    for muni, folder in folders.items():
        own = replace(tables, compare=compare_parts.get(muni, tables.compare.iloc[:0]),
                      trends=trend_parts.get(muni) if tables.trends is not None else None,
                      cohorts=cohort_parts.get(muni, tables.cohorts.iloc[:0]) if tables.cohorts is not None else None,
                      waves={w: parts.get(muni, tables.waves[w].iloc[:0]) for w, parts in wave_parts.items()})
        (tmp / folder).mkdir()
        (tmp / folder / "changes.html").write_text(render_changes(own, muni, options), encoding="utf-8")


def _manifest(data, tables: CompareTables, options: CompareOptions, folders: dict[str, str]) -> dict[str, Any]:
    m = base_manifest()
    p = options.profile
    m["command"] = "compare"
    m["inputs"] = data.files
    m["waves"] = list(data.waves)
    m["compared"] = {"from": tables.pair[0], "to": tables.pair[1]}
    m["instruments"] = {w: f"{i.id} {i.version}" for w, i in data.instruments.items()}
    m["options"] = {"design": p.design, "lonely_psu": p.lonely_psu, "strata": p.strata,
                    "schools_population": p.schools_population, "level": p.level, "alpha": p.alpha,
                    "unweighted": p.unweighted, "weighted": data.weighted, "lang": p.lang,
                    "priorities": list(options.priorities)}
    if options.cohorts:  # only then: without --cohorts the manifest stays as it was
        m["options"]["cohorts"] = True
    m["suppression"] = p.suppression.__dict__ | {"note": "every wave's cells protected as ctc profile's (docs/privacy.md); "
                                                         "changes and trends only for cells shown in every wave they use"}
    m["privacy"] = {w: {"cells": int(len(t)), "hidden": int(t["suppressed"].sum())} for w, t in tables.waves.items()}
    m["municipalities"] = [{"name": n, "folder": f} for n, f in folders.items()]
    m["outputs"] = ["compare.csv", *(["trends.csv"] if tables.trends is not None else []),
                    *(["cohorts.csv"] if tables.cohorts is not None else []), "evaluator.csv",
                    *[f"waves/{w}/profile.csv" for w in tables.waves], *[f"{f}/changes.html" for f in folders.values()],
                    "manifest.json"]
    return m
