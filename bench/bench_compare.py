"""Benchmark: `ctc compare` on W waves × N respondents per wave in M municipalities.

Prints the time per stage (read+score of all waves, comparison tables incl. trends,
outputs), the total, peak memory, and the table sizes.
Usage: python bench/bench_compare.py [--rows 1000000] [--waves 3] [--municipalities 100] [--cohorts] [--keep DIR]
(--rows is per wave.)
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from ctc.compare.run import compare
from ctc.instrument import load_instrument
from ctc.simulate import SimulationOptions, simulate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000, help="respondents per wave")
    ap.add_argument("--waves", type=int, default=3)
    ap.add_argument("--municipalities", type=int, default=100)
    ap.add_argument("--design", choices=["census", "clusters"], default="census")
    ap.add_argument("--cohorts", action="store_true", help="also the pseudo-cohorts (cohorts.csv)")
    ap.add_argument("--keep", type=Path, default=None, help="reuse/keep the generated survey in this folder")
    args = ap.parse_args()
    inst = load_instrument()
    folder = args.keep or Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    waves = tuple(2020 + 2 * k for k in range(args.waves))
    path = folder / f"compare-{args.waves}x{args.rows}-{args.municipalities}.parquet"
    if not path.exists():
        t = time.perf_counter()
        simulate(inst, path, SimulationOptions(municipalities=args.municipalities, respondents=args.rows // args.municipalities,
                                               waves=waves, seed=9, weights=True))
        print(f"generated {args.waves} × {args.rows:,} rows in {time.perf_counter() - t:.1f} s")
    out = folder / "compare-out"
    shutil.rmtree(out, ignore_errors=True)
    from ctc.compare.tables import CompareOptions
    from ctc.profile.options import ProfileOptions

    result = compare([path], out, options=CompareOptions(profile=ProfileOptions(design=args.design),
                                                                 cohorts=args.cohorts))
    s = result.seconds
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
    t = result.tables
    print(f"rows                       {result.rows:,} in {args.waves} waves, {len(result.folders)} municipalities "
          f"(weighted, {args.design})")
    for stage in ("read", "compare", "outputs", "total"):
        print(f"{stage:<26} {s[stage]:8.1f} s")
    print(f"compare.csv rows           {len(t.compare):,}")
    print(f"trends.csv rows            {len(t.trends) if t.trends is not None else 0:,}")
    print(f"cohorts.csv rows           {len(t.cohorts) if t.cohorts is not None else 0:,}")
    print(f"evaluator.csv rows         {len(t.export):,}")
    print(f"outputs                    {size:8.0f} MiB")
    print(f"peak RSS                   {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.0f} MiB")


if __name__ == "__main__":
    main()
