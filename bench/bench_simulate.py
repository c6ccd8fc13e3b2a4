"""Benchmark ``ctc simulate``: N respondents of the shipped instrument to a file.

    python bench/bench_simulate.py --rows 1000000            # Parquet (default)
    python bench/bench_simulate.py --rows 200000 --format csv

Prints rows, seconds, rows/s, file size and the process's peak resident memory
(``ru_maxrss``), and a ratio against a reference run in the same process: writing
the same number of rows × item columns of random small integers straight through
pyarrow (Parquet) or pandas (CSV) — the cost of the I/O alone.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ctc.instrument import load_instrument  # noqa: E402
from ctc.simulate import SimulationOptions, simulate  # noqa: E402


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def reference(path: Path, rows: int, columns: int, chunk_rows: int) -> float:
    """Seconds to write rows × columns random int8 codes directly (no model)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    started = time.perf_counter()
    if path.suffix == ".parquet":
        schema = pa.schema([(f"q{j}", pa.int8()) for j in range(columns)])
        with pq.ParquetWriter(path, schema, compression="zstd") as writer:
            for start in range(0, rows, chunk_rows):
                n = min(chunk_rows, rows - start)
                codes = rng.integers(1, 5, size=(columns, n), dtype=np.int8)
                writer.write_table(pa.Table.from_arrays([pa.array(c) for c in codes], schema=schema))
    else:
        import pandas as pd

        with open(path, "w", encoding="utf-8", newline="") as fh:
            for start in range(0, rows, chunk_rows):
                n = min(chunk_rows, rows - start)
                codes = rng.integers(1, 5, size=(n, columns), dtype=np.int8)
                pd.DataFrame(codes, columns=[f"q{j}" for j in range(columns)]).to_csv(fh, index=False, header=start == 0, lineterminator="\n")
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000, help="respondents to generate (default 1,000,000)")
    ap.add_argument("--municipalities", type=int, default=20, help="municipalities (rows are split evenly)")
    ap.add_argument("--format", choices=("parquet", "csv", "sav"), default="parquet")
    ap.add_argument("--instrument", default="ctc-youth-survey")
    ap.add_argument("--chunk-rows", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    inst = load_instrument(args.instrument)
    per = max(1, args.rows // args.municipalities)
    opts = SimulationOptions(municipalities=args.municipalities, respondents=per, seed=args.seed, weights=True)
    rss_start = peak_rss_mib()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"bench.{args.format}"
        result = simulate(inst, out, opts, chunk_rows=args.chunk_rows)
        size = out.stat().st_size
        rss_peak = peak_rss_mib()
        ref_seconds = reference(Path(tmp) / f"reference.{'parquet' if args.format == 'parquet' else 'csv'}", result.rows, len(inst.items), args.chunk_rows)
    print(f"instrument     {inst.id} {inst.version} ({len(inst.items)} items, {len(inst.scales)} scales)")
    print(f"format         {args.format}")
    print(f"rows           {result.rows:,} ({args.municipalities} municipalities × {per:,})")
    print(f"columns        {result.columns}")
    print(f"seconds        {result.elapsed:.1f}")
    print(f"rows/s         {result.rows / result.elapsed:,.0f}")
    print(f"file size      {size / 2**20:,.1f} MiB")
    print(f"peak RSS       {rss_peak:,.0f} MiB (at start {rss_start:,.0f} MiB)")
    print(f"reference      {ref_seconds:.1f} s to write {result.rows:,} × {len(inst.items)} random codes directly")
    print(f"ratio          {result.elapsed / ref_seconds:.1f}× the reference")


if __name__ == "__main__":
    main()
