"""Benchmark: how the compute stages of `ctc profile` scale with respondents and municipalities.

For every size (respondents × municipalities) a fresh process simulates the survey (once,
kept in --keep), reads it with pyarrow (the reference, in the same process and run) and
runs the compute stages of bench_stages.py; it prints their total time, its ratio to the
reference read, the read+score time, and the process's peak RSS. Rendering (reports and
workbooks) is not included: bench_profile.py times the whole job.
The whole job on both engines (rendering included): bench_dask.py.
Usage: python bench/bench_scale.py [--rows 10000,100000,1000000] [--municipalities 10,100] [--keep DIR]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path


def _one(path: str, bootstrap: int, queue: multiprocessing.Queue) -> None:
    import pyarrow.parquet as pq

    sys.path.insert(0, str(Path(__file__).parent))
    from bench_stages import stages

    t = time.perf_counter()
    pq.read_table(path)
    read = time.perf_counter() - t
    out = stages(Path(path), bootstrap)
    queue.put((read, out, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="10000,100000,1000000")
    ap.add_argument("--municipalities", default="10,100")
    ap.add_argument("--bootstrap", type=int, default=200)
    ap.add_argument("--keep", type=Path, default=None, help="reuse/keep the generated surveys in this folder")
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_stages import survey

    folder = args.keep or Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    ctx = multiprocessing.get_context("spawn")
    print(f"{'respondents':>12} {'munis':>6} {'read':>7} {'read+score':>10} {'estimate':>9} {'priorities':>10} "
          f"{'total':>8} {'÷ read':>7} {'peak RSS':>9}")
    for rows in (int(r) for r in args.rows.split(",")):
        for munis in (int(m) for m in args.municipalities.split(",")):
            path = survey(folder, rows, munis)
            queue = ctx.Queue()
            proc = ctx.Process(target=_one, args=(str(path), args.bootstrap, queue))
            proc.start()
            read, out, rss = queue.get()
            proc.join()
            print(f"{rows:>12,} {munis:>6} {read:7.2f} {out['read+score']:10.2f} {out['estimate']:9.2f} "
                  f"{out['priorities']:10.2f} {out['total']:8.2f} {out['total'] / read:7.1f} {rss:8.0f}M", flush=True)


if __name__ == "__main__":
    main()
