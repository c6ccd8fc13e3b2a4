"""Benchmark: `ctc profile` on N simulated respondents in M municipalities.

Prints the time per stage (read, check+score, profile statistics, reports and
workbooks), the total, peak memory, and — as a reference measured in the same run —
the time of a plain pyarrow read of the same file.
Usage: python bench/bench_profile.py [--rows 1000000] [--municipalities 100] [--keep DIR]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from ctc.instrument import load_instrument
from ctc.profile.options import ProfileOptions
from ctc.profile.run import profile
from ctc.simulate import SimulationOptions, simulate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--municipalities", type=int, default=100)
    ap.add_argument("--bootstrap", type=int, default=200)
    ap.add_argument("--keep", type=Path, default=None, help="reuse/keep the generated survey in this folder")
    args = ap.parse_args()
    inst = load_instrument()
    folder = args.keep or Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"profile-{args.rows}-{args.municipalities}.parquet"
    if not path.exists():
        t = time.perf_counter()
        simulate(inst, path, SimulationOptions(municipalities=args.municipalities, respondents=args.rows // args.municipalities,
                                               seed=8, weights=True))
        print(f"generated {args.rows:,} rows in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    pq.read_table(path)
    t_arrow = time.perf_counter() - t
    out = folder / "profile-out"
    shutil.rmtree(out, ignore_errors=True)
    result = profile(path, out, baseline="demo-baseline", options=ProfileOptions(bootstrap=args.bootstrap))
    s = result.seconds
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
    print(f"rows                       {result.pipeline.rows:,} in {len(result.folders)} municipalities (weighted)")
    print(f"pyarrow read_table         {t_arrow:8.1f} s  (reference)")
    for stage in ("read", "score", "profile", "outputs", "total"):
        print(f"{stage:<26} {s[stage]:8.1f} s")
    print(f"profile cells              {len(result.tables.table):,} ({int(result.tables.table['suppressed'].sum()):,} suppressed)")
    print(f"outputs                    {size:8.0f} MiB")
    print(f"peak RSS                   {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.0f} MiB (main process)")


if __name__ == "__main__":
    main()
