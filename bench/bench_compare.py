"""Benchmark: `ctc compare` on W waves × N respondents per wave in M municipalities.

Prints, per stage (read+score of all waves, comparison tables incl. trends, outputs)
and in total, the wall time, the CPU time and the peak resident memory (sampled every
20 ms by a thread), then the table sizes. With ``--ref-rows`` a smaller run of the same
shape goes first in the same process and the ratios big/small are printed (how time and
memory scale with the respondents).
Usage: python bench/bench_compare.py [--rows 1000000] [--waves 3] [--municipalities 100]
       [--ref-rows 100000] [--design census|clusters] [--cohorts] [--keep DIR]
(--rows is per wave.)
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from ctc.compare.run import compare
from ctc.compare.tables import CompareOptions
from ctc.instrument import load_instrument
from ctc.profile.options import ProfileOptions
from ctc.simulate import SimulationOptions, simulate

STAGES = ("read", "compare", "outputs")


@dataclass
class Sampler:
    """(time, RSS, CPU seconds) of this process every ``every`` seconds, in a daemon thread."""

    every: float = 0.02
    samples: list[tuple[float, int, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._proc = psutil.Process()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            cpu = self._proc.cpu_times()
            self.samples.append((time.perf_counter(), self._proc.memory_info().rss, cpu.user + cpu.system))
            time.sleep(self.every)

    def window(self, start: float, end: float) -> tuple[float, float]:
        """Peak RSS (MiB) and CPU seconds between two perf_counter times."""
        inside = [s for s in self.samples if start <= s[0] <= end] or [min(self.samples, key=lambda s: abs(s[0] - end))]
        before = [s for s in self.samples if s[0] <= start] or inside[:1]
        return max(s[1] for s in inside) / 2**20, inside[-1][2] - before[-1][2]


def survey(folder: Path, waves: int, rows: int, municipalities: int) -> Path:
    path = folder / f"compare-{waves}x{rows}-{municipalities}.parquet"
    if not path.exists():
        t = time.perf_counter()
        simulate(load_instrument(), path, SimulationOptions(municipalities=municipalities, respondents=rows // municipalities,
                                                            waves=tuple(2020 + 2 * k for k in range(waves)), seed=9, weights=True))
        print(f"generated {waves} × {rows:,} rows in {time.perf_counter() - t:.1f} s")
    return path


def run_once(path: Path, out: Path, design: str, sampler: Sampler, cohorts: bool = False) -> dict[str, tuple[float, float, float]]:
    """Compare one file; per stage (wall s, CPU s, peak RSS MiB), and the table sizes printed."""
    shutil.rmtree(out, ignore_errors=True)
    time.sleep(3 * sampler.every)
    start = time.perf_counter()
    result = compare([path], out, options=CompareOptions(profile=ProfileOptions(design=design), cohorts=cohorts))
    time.sleep(3 * sampler.every)
    s, figures, at = result.seconds, {}, start
    for stage in STAGES:
        peak, cpu = sampler.window(at, at + s[stage])
        figures[stage] = (s[stage], cpu, peak)
        at += s[stage]
    peak, cpu = sampler.window(start, start + s["total"])
    figures["total"] = (s["total"], cpu, peak)
    t = result.tables
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
    print(f"rows                       {result.rows:,} in {len(t.all_waves)} waves, {len(result.folders)} municipalities "
          f"(weighted, {design})")
    print(f"{'stage':<16} {'wall s':>9} {'CPU s':>9} {'peak RSS MiB':>13}")
    for stage, (wall, cpu, peak) in figures.items():
        print(f"{stage:<16} {wall:9.1f} {cpu:9.1f} {peak:13.0f}")
    print(f"compare.csv rows {len(t.compare):,}; trends.csv rows {len(t.trends) if t.trends is not None else 0:,}; "
          f"cohorts.csv rows {len(t.cohorts) if t.cohorts is not None else 0:,}; "
          f"evaluator.csv rows {len(t.export):,}; outputs {size:.0f} MiB")
    return figures


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000, help="respondents per wave")
    ap.add_argument("--waves", type=int, default=3)
    ap.add_argument("--municipalities", type=int, default=100)
    ap.add_argument("--ref-rows", type=int, default=0, help="a smaller reference run first (0: none)")
    ap.add_argument("--design", choices=["census", "clusters"], default="census")
    ap.add_argument("--cohorts", action="store_true", help="also the pseudo-cohorts (cohorts.csv)")
    ap.add_argument("--keep", type=Path, default=None, help="reuse/keep the generated surveys in this folder")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    sampler = Sampler()
    runs = {}
    for rows in ([args.ref_rows] if args.ref_rows else []) + [args.rows]:
        path = survey(folder, args.waves, rows, args.municipalities)
        print(f"--- {args.waves} waves × {rows:,} respondents × {args.municipalities} municipalities")
        runs[rows] = run_once(path, folder / "compare-out", args.design, sampler, args.cohorts)
    if args.ref_rows:
        big, small = runs[args.rows], runs[args.ref_rows]
        print(f"--- ratio {args.rows:,} / {args.ref_rows:,} respondents ({args.rows / args.ref_rows:.0f}×)")
        for stage in (*STAGES, "total"):
            print(f"{stage:<16} wall {big[stage][0] / max(small[stage][0], 1e-9):6.1f}×  "
                  f"peak RSS {big[stage][2] / max(small[stage][2], 1e-9):6.1f}×")
    print(f"peak RSS (process)         {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.0f} MiB")


if __name__ == "__main__":
    main()
