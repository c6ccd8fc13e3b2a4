"""Benchmark: `ctc profile` (the whole job, rendering included) on both engines.

For every size (respondents × municipalities) the survey is simulated once (kept in
--keep), read once with pyarrow in a fresh process (the reference, in the same run), then
`ctc profile` runs as a user runs it, once per engine (`--engine local`, `--engine dask`:
a 2-worker LocalCluster). Printed: wall time, its ratio to the reference read, and the
peak memory of the whole process tree (PSS summed over the CLI, the Dask workers and
any render processes, sampled every second, every 2 s from 5 million rows: reading a
process's PSS walks its page tables under the lock its page faults need, so sampling
more often slowed the forked render processes — by about 1 s in 12 at 0.2 s).
Usage: python bench/bench_dask.py [--rows 10000,100000] [--municipalities 10,100]
       [--engines local,dask] [--keep DIR] [--input FILE.parquet] [--baseline ID]
       [--time-v] [--stages]
With --time-v the run is under /usr/bin/time -v (its wall and maximum RSS of the top
process are printed too); the peak of the tree's summed RSS is printed beside the PSS.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil  # a dependency of distributed (the dask extra)


def _pss(proc: psutil.Process) -> int:
    try:
        return proc.memory_full_info().pss
    except (psutil.Error, AttributeError):
        return 0


def _rss(proc: psutil.Process) -> int:
    try:
        return proc.memory_info().rss
    except psutil.Error:
        return 0


LAST: dict[str, float] = {}  # the last run's peak RSS sum (GiB) and /usr/bin/time -v figures


def run_tree(cmd: list[str], interval: float = 0.5) -> tuple[float, float]:
    """Wall seconds and peak PSS (GiB) of a command and all its children (also in LAST:
    the peak of the summed RSS, which counts shared pages once per process)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    root, peaks = psutil.Process(proc.pid), [0, 0]
    done = threading.Event()

    def sample() -> None:  # memory in a thread, so the wall time is the command's own, not rounded to a sample
        while not done.wait(interval):
            try:
                tree = [root, *root.children(recursive=True)]
                peaks[0] = max(peaks[0], sum(_pss(c) for c in tree))
                peaks[1] = max(peaks[1], sum(_rss(c) for c in tree))
            except psutil.Error:
                pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    err = proc.stderr.read() if proc.stderr else ""  # until the command closes it (it exits)
    proc.wait()
    wall = time.perf_counter() - t
    done.set()
    sampler.join()
    peak, peak_rss = peaks
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    LAST.clear()
    LAST["rss"] = peak_rss / 2**30
    for line in err.splitlines():  # /usr/bin/time -v (--time-v): its own figures, for the top process
        if "Maximum resident set size" in line:
            LAST["time_v_max_rss"] = int(line.rsplit(":", 1)[1]) / 2**20  # KiB → GiB
        elif "Elapsed (wall clock)" in line:
            parts = [float(x) for x in line.rsplit(")", 1)[1].strip(": ").split(":")]
            LAST["time_v_wall"] = sum(v * 60**k for k, v in enumerate(reversed(parts)))
    return wall, peak / 2**30


def read_seconds(path: Path) -> float:
    code = ("import time, pyarrow.parquet as pq; t = time.perf_counter(); pq.read_table(%r); "
            "print(time.perf_counter() - t)" % str(path))
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def survey(folder: Path, rows: int, munis: int) -> Path:
    path = folder / f"profile-{rows}-{munis}.parquet"
    if not path.exists():
        subprocess.run([sys.executable, "-m", "ctc", "simulate", "-o", str(path), "--municipalities", str(munis),
                        "--respondents", str(rows // munis), "--weights", "--seed", "8", "-q"], check=True)
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="10000,100000")
    ap.add_argument("--municipalities", default="10,100")
    ap.add_argument("--engines", default="local,dask")
    ap.add_argument("--keep", type=Path, default=None, help="reuse/keep the generated surveys in this folder")
    ap.add_argument("--input", type=Path, default=None, help="profile this Parquet file instead of simulating")
    ap.add_argument("--baseline", default=None, help="ctc profile --baseline (e.g. demo-baseline)")
    ap.add_argument("--time-v", action="store_true", help="run ctc profile under /usr/bin/time -v and print its figures")
    ap.add_argument("--stages", action="store_true", help="print the stage timings of the run's manifest")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'respondents':>12} {'munis':>6} {'engine':>6} {'read':>7} {'wall':>8} {'÷ read':>8} {'peak PSS':>9}")
    if args.input:
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(args.input).metadata
        sizes = [(args.input, meta.num_rows, 0)]
    else:
        sizes = [(survey(folder, r, m), r, m) for r in map(int, args.rows.split(","))
                 for m in map(int, args.municipalities.split(","))]
    for path, rows, munis in sizes:
        read = read_seconds(path)
        for engine in args.engines.split(","):
            out = Path(tempfile.mkdtemp(dir=folder)) / "out"
            cmd = [sys.executable, "-m", "ctc", "profile", str(path), "-o", str(out), "-q", "--engine", engine]
            cmd += ["--baseline", args.baseline] if args.baseline else []
            cmd = ["/usr/bin/time", "-v", *cmd] if args.time_v else cmd
            wall, peak = run_tree(cmd, interval=1.0 if rows < 5_000_000 else 2.0)
            print(f"{rows:>12,} {munis or '':>6} {engine:>6} {read:7.2f} {wall:8.1f} {wall / read:8.1f} {peak:8.2f}G",
                  flush=True)
            print(f"{'':>28} peak RSS summed over the tree {LAST['rss']:.2f}G"
                  + (f"; /usr/bin/time -v: wall {LAST['time_v_wall']:.1f} s, max RSS of one process "
                     f"{LAST['time_v_max_rss']:.2f}G" if "time_v_wall" in LAST else ""), flush=True)
            if args.stages:
                import json

                timings = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["timings_seconds"]
                print(f"{'':>28} stages (s): " + ", ".join(f"{k} {v:g}" for k, v in timings.items()), flush=True)


if __name__ == "__main__":
    main()
