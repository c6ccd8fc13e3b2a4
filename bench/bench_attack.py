"""Benchmark: the test attacker (tests/privacy/attacker.py) on a published output folder.

Prints the time, the number of LPs/MILPs solved, and - with the scored respondent file -
what the attack learns: hidden non-empty cells, exactly recovered flagged counts,
primary-sensitive cells exposed below the protection level (+-10 %), cells whose
"none" or "all" is provable, and the all-or-none cells whose direction is proven.
Usage: python bench/bench_attack.py OUTDIR [--scored scored.parquet] [--indicator TYPE:ID ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "privacy"))

from attacker import attack, knowledge_from, read_profile  # noqa: E402
from truth import CELL, Level, judge, summary, true_counts  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--scored", type=Path)
    ap.add_argument("--indicator", action="append", default=[], help="TYPE:ID, repeatable (default: all)")
    ap.add_argument("--save", type=Path, help="write the intervals here (CSV)")
    args = ap.parse_args()
    indicators = [tuple(s.split(":", 1)) for s in args.indicator] or None
    know = knowledge_from(args.outdir)
    start = time.perf_counter()
    result = attack(args.outdir, know, indicators=indicators)
    took = time.perf_counter() - start
    print(f"attack: {len(result):,} hidden cells, {result.attrs['solves']:,} solves, {took:.1f} s")
    if args.save:
        result.to_csv(args.save, index=False)
    if args.scored:
        frame = read_profile(args.outdir)
        inds = indicators or sorted(set(zip(frame["indicator_type"], frame["indicator_id"])))
        cells = judge(result, true_counts(pd.read_parquet(args.scored), inds),
                      Level(know.min_n, know.all_or_none_n))
        print(summary(cells))
        aon = frame.loc[frame["suppression_reason"] == "all-or-none", CELL].merge(cells, on=CELL)
        print(f"all-or-none cells with the direction proven: {int((aon['none_proven'] | aon['all_proven']).sum())} of {len(aon)}")


if __name__ == "__main__":
    main()
