"""Power and size of `ctc compare` by simulation (`ctc simulate --waves … --wave-change …`).

Each replicate simulates two waves (2024, 2026) of M municipalities × N respondents per
wave; in the first half of the municipalities two risk factors are planted to fall by
5 and by 10 points in 2026, the other half has nothing planted. Per replicate the pooled
verdicts are counted:

* power: share of planted (municipality, factor) rows called "better";
* size: share of the unplanted municipalities with any "better"/"worse" (every such call
  is false, so this is their false discovery rate, to be at most alpha) and the share of
  their rows so called;
* FDR in the planted municipalities: per town, false calls (factors not planted) / all
  calls (0 without calls), averaged — the quantity BH controls.

Also printed: the mean SE of the planted differences, and the power the design allows
for a two-sided test at alpha without multiplicity (the BH family costs some of it).
Usage: python bench/bench_compare_power.py [--reps 20] [--municipalities 10] [--respondents 1000] [--design census]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import stats

from ctc.compare.inputs import read_waves
from ctc.compare.tables import CompareOptions, compare_tables
from ctc.instrument import load_instrument
from ctc.profile.options import ProfileOptions
from ctc.simulate import SimulationOptions, simulate
from ctc.simulate.options import WaveChange

PLANTS = (("family_conflict", -5.0), ("academic_failure", -10.0))


def one(rep: int, args: argparse.Namespace, inst, folder: Path) -> dict[str, float]:
    names = tuple(f"Town {k + 1}" for k in range(args.municipalities))
    planted = names[: len(names) // 2]
    changes = tuple(WaveChange(m, f, 2026, d) for m in planted for f, d in PLANTS)
    path = folder / f"rep{rep}.parquet"
    simulate(inst, path, SimulationOptions(municipalities=names, respondents=args.respondents, waves=(2024, 2026),
                                           seed=1000 + rep, wave_changes=changes, weights=args.weights))
    data = read_waves([path], [inst])
    opts = CompareOptions(profile=ProfileOptions(design=args.design, alpha=args.alpha))
    table = compare_tables(data, opts).compare
    path.unlink()
    pooled = table[(table["grade"].astype(str) == "all") & (table["gender"].astype(str) == "all")
                   & (table["municipality"].astype(str) != "all")]
    muni = pooled["municipality"].astype(str)
    called = pooled["verdict"].isin(["better", "worse"])
    is_planted = np.zeros(len(pooled), dtype=bool)
    out: dict[str, float] = {}
    for factor, delta in PLANTS:
        rows = muni.isin(planted) & (pooled["indicator_id"] == factor)
        is_planted |= rows.to_numpy()
        out[f"power{int(abs(delta))}"] = float((pooled.loc[rows, "verdict"] == "better").mean())
        out[f"se{int(abs(delta))}"] = float(pooled.loc[rows, "diff_se"].mean())
        out[f"est{int(abs(delta))}"] = float(pooled.loc[rows, "diff_pp"].mean())
    null = ~muni.isin(planted).to_numpy()
    out["null_any"] = float(np.mean([called[null & (muni == m).to_numpy()].any() for m in names if m not in planted]))
    out["null_rows"] = float(called[null].mean())
    # FDR = E[V / max(R, 1)] per family (a town's pooled indicators), as BH controls it
    ratios = []
    for m in planted:
        rows = (muni == m).to_numpy()
        r, v = int(called[rows].sum()), int(called[rows & ~is_planted].sum())
        ratios.append(v / max(r, 1))
    out["fdr_planted"] = float(np.mean(ratios))
    out["false_per_planted"] = float(called[~null & ~is_planted].sum() / len(planted))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--municipalities", type=int, default=10)
    ap.add_argument("--respondents", type=int, default=1000, help="per municipality and wave")
    ap.add_argument("--design", choices=["census", "clusters"], default="census")
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--weights", action="store_true")
    args = ap.parse_args()
    inst = load_instrument()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        results = [one(r, args, inst, Path(tmp)) for r in range(args.reps)]
    mean = {k: float(np.nanmean([r[k] for r in results])) for k in results[0]}
    print(f"{args.reps} replicates × {args.municipalities} municipalities × {args.respondents:,} respondents × 2 waves "
          f"({args.design}{', weighted' if args.weights else ''}), alpha {args.alpha}, {time.perf_counter() - t0:.0f} s")
    z = stats.norm.ppf(1 - args.alpha / 2)
    for _, delta in PLANTS:
        d = int(abs(delta))
        allowed = stats.norm.sf(z - abs(delta) / mean[f"se{d}"]) if mean[f"se{d}"] > 0 else float("nan")
        print(f"planted −{d} points: found 'better' in {100 * mean[f'power{d}']:.0f} % (mean estimate "
              f"{mean[f'est{d}']:+.1f}, SE {mean[f'se{d}']:.2f}; the design allows {100 * allowed:.0f} % without multiplicity)")
    print(f"nothing planted: municipalities with any 'better'/'worse' {100 * mean['null_any']:.1f} % (FDR, nominal ≤ "
          f"{100 * args.alpha:.0f} %); rows so called {100 * mean['null_rows']:.2f} %")
    print(f"planted municipalities: FDR (false calls / calls per town, averaged) {100 * mean['fdr_planted']:.1f} % "
          f"(nominal ≤ {100 * args.alpha:.0f} %); false calls per town {mean['false_per_planted']:.2f}")


if __name__ == "__main__":
    main()
