"""Benchmark: score N simulated respondents of the full instrument from Parquet.

Prints read time, scoring time, rows/s, peak memory, and the ratio of scoring time to
a plain ``pyarrow.parquet.read_table`` of the same file measured in the same run.

*Scoring* is everything between reading and writing: the data checks, screening,
scoring, the screening audit, the duplicate-id check and building the output as an
Arrow table (what ``ctc score`` hands to the Parquet writer). *Reading* is decoding the
file into record batches. The reference read and the ctc run alternate ``--repeat``
times; the table shows the best and the median run of each, and the ratio of medians.

Usage: python bench/bench_score.py [--rows 1000000] [--repeat 5] [--threads N] [--keep DIR]
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
from ctc.pipeline import run
from ctc.scoring.kernel import default_threads, tune_allocator
from ctc.simulate import SimulationOptions, simulate


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class ArrowTables:
    """A sink like ``ctc score``'s Parquet writer, minus the writing: the scoring workers
    build each chunk's Arrow table, which is then dropped."""

    def prepare(self, chunk):  # noqa: ANN001, ANN201
        return chunk.to_arrow()

    def write(self, table) -> None:  # noqa: ANN001
        del table


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=None, help="kernel threads (default: up to 4, one per CPU)")
    ap.add_argument("--keep", type=Path, default=None, help="reuse/keep the generated file in this folder")
    args = ap.parse_args()
    tune_allocator()  # as ctc does on every run; the reference read uses the same allocator
    inst = load_instrument()
    folder = args.keep or Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bench-{args.rows}.parquet"
    if not path.exists():
        t = time.perf_counter()
        n_muni = max(1, args.rows // 10_000)
        simulate(inst, path, SimulationOptions(municipalities=n_muni, respondents=args.rows // n_muni, seed=7))
        print(f"generated {args.rows:,} rows in {time.perf_counter() - t:.1f} s ({path.stat().st_size / 2**20:.0f} MiB)")
    arrow, read, score = [], [], []
    rows = 0
    for _ in range(args.repeat):
        t = time.perf_counter()
        table = pq.read_table(path)
        arrow.append(time.perf_counter() - t)
        del table
        result = run(path, inst, sink=ArrowTables(), threads=args.threads)
        rows = result.rows
        read.append(result.seconds["read"])
        score.append(result.seconds["score"] + result.seconds["write"])
    print("runs (scoring s):", " ".join(f"{s:.2f}" for s in score), "| read_table:", " ".join(f"{s:.2f}" for s in arrow))
    med = statistics.median
    print(f"rows {rows:,}; columns {path.stat().st_size / 2**20:.0f} MiB Parquet; kernel threads {args.threads or default_threads()}; "
          f"{args.repeat} runs")
    print(f"{'':34s} {'best':>8s} {'median':>8s}")
    print(f"{'pyarrow read_table (reference)':34s} {min(arrow):8.2f} {med(arrow):8.2f} s")
    print(f"{'ctc read (record batches)':34s} {min(read):8.2f} {med(read):8.2f} s")
    print(f"{'ctc scoring (incl. output table)':34s} {min(score):8.2f} {med(score):8.2f} s")
    print(f"{'scoring rows/s':34s} {rows / min(score):8,.0f} {rows / med(score):8,.0f}")
    print(f"{'scoring / read_table':34s} {min(score) / min(arrow):8.2f} {med(score) / med(arrow):8.2f}")
    print(f"peak RSS {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
