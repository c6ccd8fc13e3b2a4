"""Benchmark: weight N respondents to enrolment margins of M municipalities × G grades × 3 genders.

The algorithms of ``ctc weights`` on arrays (no file I/O): post-stratification to the
M·G·3 cells, raking (iterative proportional fitting) and raking calibration (Newton) to
the margins municipality × grade and municipality × gender (calibration starts at the IPF
solution; its iterations are the Newton steps after it; a bounded run whose upper bound
binds), and the calibration-aware
residuals of one score column. Response rates differ by cell (0.5–0.95) and the design
weights by school, so every method has work to do. Prints time, iterations and the
largest misfit of a margin; ``--repeat`` runs, best and median.

Usage: python bench/bench_weights.py [--rows 1000000] [--municipalities 100] [--grades 7] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from ctc.stats.calibration import Calibration, calibrated_scores
from ctc.weights import Margin, calibrate_raking, poststratify, rake_ipf


def population(rows: int, munis: int, grades: int, seed: int = 1) -> tuple[np.ndarray, tuple[Margin, ...], Margin]:
    rng = np.random.default_rng(seed)
    genders = 3
    share = rng.dirichlet(np.ones(munis * grades * genders) * 5)
    cell = rng.choice(share.size, size=rows, p=share)
    m, rest = np.divmod(cell, grades * genders)
    g, x = np.divmod(rest, genders)
    counts = np.bincount(cell, minlength=share.size)
    enrolled = np.ceil(np.maximum(counts, 1) / rng.uniform(0.5, 0.95, size=share.size))
    w0 = 1.0 + (rng.integers(0, 4, size=rows) % 3) * 0.5  # design weights by school
    cells = Margin(("municipality", "grade", "gender"), tuple((str(i),) for i in range(share.size)),
                   cell.astype(np.intp), enrolled)
    mg = (m * grades + g).astype(np.intp)
    mx = (m * genders + x).astype(np.intp)
    margins = (
        Margin(("municipality", "grade"), tuple((str(i),) for i in range(munis * grades)), mg,
               np.bincount(np.arange(share.size) // genders, weights=enrolled)),
        Margin(("municipality", "gender"), tuple((str(i),) for i in range(munis * genders)), mx,
               np.bincount((np.arange(share.size) // (grades * genders)) * genders + np.arange(share.size) % genders,
                           weights=enrolled)),
    )
    return w0, margins, cells


def timed(fn, repeat: int):  # noqa: ANN001, ANN201
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, min(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--municipalities", type=int, default=100)
    ap.add_argument("--grades", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    w0, margins, cells = population(a.rows, a.municipalities, a.grades)
    print(f"{a.rows:,} respondents; {cells.totals.size:,} cells; margins "
          f"{' + '.join(f'{m.name} ({m.totals.size})' for m in margins)}")
    print(f"{'method':<26}{'best s':>9}{'median s':>10}{'iterations':>12}{'misfit':>10}")
    runs = {
        "post-stratification": lambda: poststratify(w0, cells),
        "raking (IPF)": lambda: rake_ipf(w0, margins),
        "raking calibration": lambda: calibrate_raking(w0, margins),
    }
    fits = {}
    ipf = rake_ipf(w0, margins)
    g = ipf.weights / w0
    bounds = (0.5, float(1 + 0.9 * (g.max() - 1)))  # the upper bound binds
    runs[f"bounded, g ≤ {bounds[1]:.2f}"] = lambda: calibrate_raking(w0, margins, bounds=bounds)
    for name, fn in runs.items():
        fit, best, median = timed(fn, a.repeat)
        fits[name] = fit
        print(f"{name:<26}{best:>9.3f}{median:>10.3f}{fit.iterations:>12}{max(fit.misfit):>10.1e}")
    w = fits["raking (IPF)"].weights
    y = (np.random.default_rng(2).random(a.rows) < 0.3).astype(float)
    x = (w * (y - np.sum(w * y) / np.sum(w)) / np.sum(w))[:, None]
    for kind in ("rake", "calibrate"):
        cal = Calibration(kind, tuple(m.codes for m in margins), w, w0)
        _, best, median = timed(lambda cal=cal: calibrated_scores(x, cal), a.repeat)
        print(f"{'residuals (' + kind + ')':<26}{best:>9.3f}{median:>10.3f}{'':>12}{'':>10}")


if __name__ == "__main__":
    main()
