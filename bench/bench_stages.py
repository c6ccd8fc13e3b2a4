"""Benchmark: the compute stages of `ctc profile` (no rendering) on a simulated survey.

Prints per stage: read + score, estimate, protect + compare, priorities, release, writing
the tables, and the peak RSS; plus the time of a plain pyarrow read of the same file,
measured in the same run. The rendering (reports, workbooks) is timed by bench_profile.py.
Usage: python bench/bench_stages.py [--rows 1000000] [--municipalities 100] [--keep DIR] [--repeat 3] [--workers N]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from ctc.instrument import load_instrument
from ctc.profile.options import ProfileOptions
from ctc.simulate import SimulationOptions, simulate
from ctc.threads import one_blas_thread

#: threads for the municipalities' estimates and bootstraps (None: ProfileOptions' default, one per CPU up to 4)
WORKERS: int | None = None
STAGES = ("read+score", "estimate", "protect+compare", "priorities", "release", "write tables", "total")


def survey(folder: Path, rows: int, munis: int) -> Path:
    path = folder / f"profile-{rows}-{munis}.parquet"
    if not path.exists():
        simulate(load_instrument(), path, SimulationOptions(municipalities=munis, respondents=rows // munis, seed=8,
                                                            weights=True))
    return path


def stages(path: Path, bootstrap: int) -> dict[str, float]:
    """One run of the compute stages, timed as ctc.profile.run._profile runs them."""
    from ctc.profile import compute
    from ctc.profile.baseline import compare, load_baseline
    from ctc.profile.guard import guarded_run
    from ctc.profile.indicators import indicators
    from ctc.profile.priorities import prioritise
    from ctc.profile.run import _checks_summary
    from ctc.release.protect import protect_profile
    from ctc.release.publish import profile_rules, release
    from ctc.scoring.audit import finish_audit
    from ctc.stats import bh_adjust_grouped

    options = ProfileOptions(bootstrap=bootstrap) if WORKERS is None else ProfileOptions(bootstrap=bootstrap, workers=WORKERS)
    inst = load_instrument()
    base = load_baseline("demo-baseline", inst)
    out: dict[str, float] = {}
    t = time.perf_counter()
    result, _ = guarded_run(path, inst, options)
    out["read+score"] = time.perf_counter() - t
    inds = indicators(inst)
    t = time.perf_counter()
    if hasattr(compute, "estimate_cells"):  # the table reduced once, shared with the bootstrap
        from ctc.profile.cells import prepare

        cells = {"cells": prepare(result.kept, inds, options)}
        est = compute.estimate_cells(cells["cells"], options)
    else:  # before the reduction (for before/after figures)
        cells = {}
        est = compute.estimate(result.kept, inds, options)
    out["estimate"] = time.perf_counter() - t
    t = time.perf_counter()
    table, protection = protect_profile(est, list(inst.genders or {}), profile_rules(options.suppression),
                                        workers=options.workers)
    table = compare(table, base, options.level)
    table["q_value"] = bh_adjust_grouped(table["p_value"].to_numpy(dtype=float), table["municipality"].astype(str).to_numpy())
    labels = {(i.type, i.id): i.name(options.lang) for i in inds}
    table["label"] = [labels[k] for k in zip(table["indicator_type"], table["indicator_id"])]
    table = table[compute.PROFILE_COLUMNS]
    out["protect+compare"] = time.perf_counter() - t
    t = time.perf_counter()
    prio = prioritise(table, result.kept, inds, options, True, **cells)
    out["priorities"] = time.perf_counter() - t
    t = time.perf_counter()
    published = release(table, protection, prio, finish_audit(result.audit, inst, options.lang),
                        _checks_summary(result, options.lang), options.suppression, options.workers)
    out["release"] = time.perf_counter() - t
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        published.write_tables(Path(tmp))
    out["write tables"] = time.perf_counter() - t
    out["total"] = sum(out.values())
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--municipalities", type=int, default=100)
    ap.add_argument("--bootstrap", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=None, help="threads for the per-municipality work (default: as ctc profile)")
    ap.add_argument("--keep", type=Path, default=None, help="reuse/keep the generated survey in this folder")
    args = ap.parse_args()
    global WORKERS
    WORKERS = args.workers
    folder = args.keep or Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    path = survey(folder, args.rows, args.municipalities)
    runs, reads = [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        pq.read_table(path)
        reads.append(time.perf_counter() - t)
        with one_blas_thread():  # as ctc.profile.run.profile runs them
            runs.append(stages(path, args.bootstrap))
    print(f"{args.rows:,} respondents × {args.municipalities} municipalities, weighted, {args.bootstrap} bootstrap, "
          f"{args.repeat} runs (best / median)")
    print(f"{'pyarrow read_table':<18} {min(reads):7.2f} {statistics.median(reads):7.2f} s  (reference)")
    for stage in STAGES:
        values = [r[stage] for r in runs]
        print(f"{stage:<18} {min(values):7.2f} {statistics.median(values):7.2f} s")
    print(f"read+score / read  {min(r['read+score'] for r in runs) / min(reads):7.2f}")
    print(f"peak RSS           {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:7.0f} MiB")


if __name__ == "__main__":
    main()
