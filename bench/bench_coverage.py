"""Coverage study: do the profile's 95 % intervals cover each design's own target, and
does the shortlist's "clearly above" rule keep its false-discovery rate?

Simulated municipalities with known truth (ctc/simulate/coverage.py) over schools in
{2, 5, 20, 60}, ICC in {0, 0.02, 0.05, 0.1}, p in {0.03, 0.1, 0.3} and n in {30, 100,
500} students per school; every interval comes from ctc.profile.estimate.estimate,
the code path of `ctc profile`. Prints figures; it is not a timed test
(tests/profile/test_coverage.py runs a fast subset).

The KG column scores the Korn–Graubard interval (R svyciprop(method="beta"),
ctc.stats.korn_graubard) on the same clusters estimates, for comparison.
Coverage counts an interval as covering when it contains the target; cells without an
interval (too few schools under clusters) are counted separately ("shown").
FDR: 30 factors per municipality, 10 truly elevated (p0 + 0.5 * p0, at least +3 points),
baseline p0 fixed; "clearly above" = BH q < 0.05 within the municipality and above the
baseline; FDR = mean over runs of (false flags / max(1, flags)).

Usage: python bench/bench_coverage.py [--reps 400] [--fdr-runs 100] [--quick]
"""

from __future__ import annotations

import argparse
import functools
import itertools
import time

import numpy as np
import pandas as pd

from ctc.profile.baseline import Baseline, compare
from ctc.profile.estimate import estimate
from ctc.profile.options import ProfileOptions
from ctc.simulate.coverage import Scenario, school_prevalences, scored_replicates, town_names
from ctc.stats import bh_adjust_grouped
from ctc.stats.korn_graubard import korn_graubard_interval

SCHOOLS, ICCS, PS, NS = (2, 5, 20, 60), (0.0, 0.02, 0.05, 0.1), (0.03, 0.1, 0.3), (30, 100, 500)


#: municipalities per simulated file: the profile pools the ICC over the file (ctc.stats.gvf), as over a
#: survey office's file of many towns; each replicate is one indicator column of that file
TOWNS = 20


def _pooled(table: pd.DataFrame, name: str = "m") -> pd.DataFrame:
    """A municipality's pooled row per indicator (no grade or gender column: every domain is the pooled one)."""
    m = table[(table["municipality"].astype(str) == name)].set_index("indicator_id")
    return m[~m.index.duplicated()]


@functools.lru_cache(maxsize=2)
def _estimated(sc: Scenario, design: str, reps: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The pooled rows of one simulated study and the realised mean school prevalence per
    replicate (kept, so the logit and the Korn–Graubard scores share one estimate call)."""
    rng = np.random.default_rng(seed)
    columns = -(-reps // TOWNS)  # reps town-replicates: TOWNS towns in each of `columns` files (columns)
    p_s = school_prevalences(sc, columns, rng, towns=TOWNS)
    frame, inds = scored_replicates(sc, p_s, rng)
    table = estimate(frame, inds, ProfileOptions(design=design))  # type: ignore[arg-type]
    ids = [i.id for i in inds]
    pooled = pd.concat([_pooled(table, name).loc[ids] for name in town_names(TOWNS)])  # town-major
    realised = p_s.reshape(TOWNS, sc.schools, columns).mean(axis=1).ravel()  # town-major, as `pooled`
    return pooled.iloc[:reps], realised[:reps]


def coverage(sc: Scenario, design: str, reps: int, seed: int, target: str | None = None,
             method: str = "shown") -> tuple[float, float]:
    """(coverage among shown intervals, share of replicates with an interval); ``target``
    = the design whose target is used (default: the design's own); ``method="kg"`` scores
    the Korn–Graubard interval (R svyciprop(method="beta")) of the same estimates instead
    of the interval the profile shows (Clopper–Pearson where p̂ is 0 or 1 in both)."""
    pooled, realised = _estimated(sc, design, reps, seed)
    truth = 100 * (np.full(reps, sc.p) if (target or design) == "clusters" else realised)
    low, high = pooled["ci_low"].to_numpy(dtype=float), pooled["ci_high"].to_numpy(dtype=float)
    shown = ~np.isnan(low)
    if method == "logit":  # the design's own interval (R svyciprop logit), shown before the GVF interval
        inner = shown & pooled["ci_method"].astype(str).eq("gvf-jeffreys").to_numpy()
        low = np.where(inner, pooled["design_ci_low"].to_numpy(dtype=float), low)
        high = np.where(inner, pooled["design_ci_high"].to_numpy(dtype=float), high)
    if method == "kg":
        cols = [pooled[c].to_numpy(dtype=float) for c in ("pct", "se", "n", "df")]
        kg_low, kg_high = korn_graubard_interval(cols[0] / 100, cols[1] / 100, cols[2], cols[3])
        inner = shown & ~np.isnan(kg_low)  # the Clopper–Pearson fallback at p̂ = 0 or 1 stays
        low, high = np.where(inner, 100 * kg_low, low), np.where(inner, 100 * kg_high, high)
    covered = (low <= truth) & (truth <= high)
    return (float(covered[shown].mean()) if shown.any() else float("nan")), float(shown.mean())


def fdr(sc: Scenario, runs: int, seed: int, factors: int = 30, elevated: int = 10) -> tuple[float, float]:
    """(false-discovery rate, share of runs with any false flag) of "clearly above" under clusters.
    A run is one municipality's 30 factors; TOWNS municipalities share each simulated file."""
    rng = np.random.default_rng(seed)
    true_p = np.full(factors, sc.p)
    true_p[:elevated] = sc.p + max(0.5 * sc.p, 0.03)
    groups = -(-runs // TOWNS)  # files' worth of columns: each town is a run in every group
    mean = np.tile(true_p, groups)
    p_s = school_prevalences(sc, mean.size, rng, p=mean, towns=TOWNS)
    frame, inds = scored_replicates(sc, p_s, rng)
    ids = [i.id for i in inds]
    table = estimate(frame, inds, ProfileOptions(design="clusters"))
    table = pd.concat([_pooled(table, name).loc[ids] for name in town_names(TOWNS)]).reset_index()
    table["suppressed"] = False
    base = pd.DataFrame({"indicator_type": "risk", "indicator_id": ids, "grade": "all", "gender": "all",
                         "pct": 100 * sc.p, "n": pd.array([pd.NA] * len(inds), dtype="Int64"), "source": "truth", "year": 2026})
    out = compare(table, Baseline("truth", base))
    # town-major, then group, then factor: run = town × group
    run = np.repeat(np.arange(TOWNS * groups), factors)
    q = bh_adjust_grouped(out["p_value"].to_numpy(dtype=float), run)
    flag = (q < 0.05) & (out["diff_pp"].to_numpy(dtype=float) > 0)
    null = np.tile(np.arange(factors) >= elevated, TOWNS * groups)
    false = np.bincount(run, weights=flag & null, minlength=TOWNS * groups)
    total = np.bincount(run, weights=flag, minlength=TOWNS * groups)
    return float(np.mean(false / np.maximum(total, 1))), float(np.mean(false > 0))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=400)
    ap.add_argument("--fdr-runs", type=int, default=100)
    ap.add_argument("--quick", action="store_true", help="only n = 100 and ICC 0.05")
    args = ap.parse_args()
    t0 = time.perf_counter()
    ns, iccs = ((100,), (0.05,)) if args.quick else (NS, ICCS)
    print(f"coverage of 95 % intervals ({args.reps} replicates per cell); shown = share with an interval")
    print(f"{'schools':>7} {'icc':>5} {'p':>5} {'n':>4} | {'census':>7} | {'clusters':>8} {'shown':>6} | {'KG':>6} {'logit':>6}")
    rows = []
    for k, (s, icc, p, n) in enumerate(itertools.product(SCHOOLS, iccs, PS, ns)):
        sc = Scenario(s, icc, p, n)
        c_cov, _ = coverage(sc, "census", args.reps, 1000 + k)
        k_cov, k_shown = coverage(sc, "clusters", args.reps, 5000 + k)
        kg_cov, _ = coverage(sc, "clusters", args.reps, 5000 + k, method="kg")  # same surveys (same seed)
        lg_cov, _ = coverage(sc, "clusters", args.reps, 5000 + k, method="logit")
        rows.append((s, icc, p, n, c_cov, k_cov, k_shown, kg_cov, lg_cov))
        print(f"{s:>7} {icc:>5} {p:>5} {n:>4} | {c_cov:7.3f} | {k_cov:8.3f} {k_shown:6.2f} | {kg_cov:6.3f} {lg_cov:6.3f}",
              flush=True)
    frame = pd.DataFrame(rows, columns=["schools", "icc", "p", "n", "census", "clusters", "shown", "kg", "logit"])
    five = frame[frame["schools"] >= 5]
    print(f"\nschools >= 5: census coverage {five['census'].min():.3f}–{five['census'].max():.3f}, "
          f"clusters {five['clusters'].min():.3f}–{five['clusters'].max():.3f}, "
          f"clusters with Korn–Graubard {five['kg'].min():.3f}–{five['kg'].max():.3f}, "
          f"clusters with the town's own logit interval {five['logit'].min():.3f}–{five['logit'].max():.3f}")
    for s in (5, 20, 60):
        part = frame[frame["schools"] == s]
        print(f"schools {s:>2}: worst census {part['census'].min():.3f}, clusters {part['clusters'].min():.3f}, "
              f"KG {part['kg'].min():.3f}; cells below 0.93: census {(part['census'] < 0.93).sum()}, "
              f"clusters {(part['clusters'] < 0.93).sum()}, KG {(part['kg'] < 0.93).sum()} of {len(part)}")
    print(f"\nFDR of 'clearly above' under clusters ({args.fdr_runs} runs x 30 factors, 10 elevated)")
    for k, (s, icc, p) in enumerate(itertools.product((5, 20, 60), iccs, PS)):
        f, any_false = fdr(Scenario(s, icc, p, 100), args.fdr_runs, 9000 + k)
        print(f"schools {s:>3} icc {icc:>5} p {p:>5} n 100: FDR {f:.3f}  runs with a false flag {any_false:.2f}", flush=True)
    print(f"\n{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
