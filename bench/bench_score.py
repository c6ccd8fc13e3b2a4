"""Benchmark: score N simulated respondents of the full instrument from Parquet.

Prints read time, scoring time, rows/s, peak memory, and the ratio of scoring time to
a plain ``pyarrow.parquet.read_table`` of the same file measured in the same run.
Usage: python bench/bench_score.py [--rows 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from ctc.instrument import load_instrument
from ctc.pipeline import run
from ctc.simulate import SimulationOptions, simulate


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path, default=None, help="reuse/keep the generated file in this folder")
    args = ap.parse_args()
    inst = load_instrument()
    folder = args.keep or Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bench-{args.rows}.parquet"
    if not path.exists():
        t = time.perf_counter()
        n_muni = max(1, args.rows // 10_000)
        simulate(inst, path, SimulationOptions(municipalities=n_muni, respondents=args.rows // n_muni, seed=7))
        print(f"generated {args.rows:,} rows in {time.perf_counter() - t:.1f} s ({path.stat().st_size / 2**20:.0f} MiB)")
    t = time.perf_counter()
    table = pq.read_table(path)
    t_arrow = time.perf_counter() - t
    del table
    t = time.perf_counter()
    result = run(path, inst, sink=lambda chunk: None)
    t_total = time.perf_counter() - t
    read, score = result.seconds["read"], result.seconds["score"]
    print(f"rows                      {result.rows:,}")
    print(f"pyarrow read_table        {t_arrow:8.2f} s   (reference, same process)")
    print(f"ctc read (chunks→pandas)  {read:8.2f} s")
    print(f"ctc check+score           {score:8.2f} s   {result.rows / score:,.0f} rows/s")
    print(f"total                     {t_total:8.2f} s")
    print(f"score / read_table ratio  {score / t_arrow:8.2f}")
    print(f"peak RSS                  {peak_rss_mib():8.0f} MiB")


if __name__ == "__main__":
    main()
