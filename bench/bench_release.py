"""Benchmark: protection + audit gate of a whole profile, and `ctc audit` of the folder.

Simulates N respondents in M municipalities (sizes varied from 30 to the full size when
--vary), estimates every cell, then times, in the same process and best of --repeat:
the estimate itself (the reference), protect_profile (primary + network secondary
suppression + gate), the screening protection, and the published-only re-attack
(ctc.release.attack.audit_folder) on a folder written from the result. Prints cells,
hidden cells, sensitive cells and CPU and wall seconds.
Usage: python bench/bench_release.py [--rows 100000] [--municipalities 100] [--vary] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from ctc.instrument import load_instrument
from ctc.pipeline import run
from ctc.profile.estimate import estimate
from ctc.profile.indicators import indicators
from ctc.profile.options import ProfileOptions
from ctc.profile.run import keep_profile_columns
from ctc.release.attack import audit_folder
from ctc.release.csvsafe import write_csv
from ctc.release.protect import protect_profile, protect_screening
from ctc.release.publish import profile_rules, screening_rules
from ctc.scoring.audit import finish_audit
from ctc.simulate import SimulationOptions, simulate


def _timed(fn, repeat: int):
    best_wall, best_cpu, out = float("inf"), float("inf"), None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        best_wall, best_cpu = min(best_wall, time.perf_counter() - w), min(best_cpu, time.process_time() - c)
    return out, best_wall, best_cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--municipalities", type=int, default=100)
    ap.add_argument("--vary", action="store_true", help="municipality sizes uniform from 30 to the full size")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    inst = load_instrument()
    folder = Path(tempfile.mkdtemp())
    path = folder / "survey.parquet"
    simulate(inst, path, SimulationOptions(municipalities=args.municipalities, respondents=args.rows // args.municipalities, seed=8))
    result = run(path, inst, keep=keep_profile_columns)
    kept = result.kept
    if args.vary:
        rng = np.random.default_rng(0)
        muni = kept["municipality"].astype(str).to_numpy()
        keep = np.zeros(len(kept), dtype=bool)
        for m in np.unique(muni):
            idx = np.flatnonzero(muni == m)
            keep[rng.choice(idx, int(rng.uniform(30, len(idx) + 1)), replace=False)] = True
        kept = kept[keep]
    options = ProfileOptions()
    genders = list(inst.genders)
    table, t_est, c_est = _timed(lambda: estimate(kept, indicators(inst), options), args.repeat)
    (pub, prot), t_pro, c_pro = _timed(lambda: protect_profile(table, genders, profile_rules(options.suppression)), args.repeat)
    screening = finish_audit(result.audit, inst)
    (scr, _), t_scr, c_scr = _timed(lambda: protect_screening(screening, screening_rules(options.suppression)), args.repeat)
    out = folder / "out"
    out.mkdir()
    write_csv(pub, out / "profile.csv")
    write_csv(scr, out / "screening.csv")
    (out / "manifest.json").write_text(json.dumps({"suppression": options.suppression.__dict__}))
    audit, t_aud, c_aud = _timed(lambda: audit_folder(out), args.repeat)
    munis = kept["municipality"].nunique()
    print(f"{len(kept):,} respondents, {munis} municipalities, {len(indicators(inst))} indicators")
    print(f"profile: {len(table):,} estimated cells -> {len(pub):,} published, {int(pub['suppressed'].sum()):,} hidden "
          f"({100 * pub['suppressed'].mean():.1f} %), {int((prot.sensitive & prot.cells.published[:, None]).sum()):,} sensitive")
    print(f"screening: {len(scr):,} cells, {int(scr['suppressed'].sum()):,} hidden")
    print(f"estimate (reference)      wall {t_est:7.2f} s  cpu {c_est:7.2f} s")
    print(f"protect profile + gate    wall {t_pro:7.2f} s  cpu {c_pro:7.2f} s  ({c_pro / c_est:.1f} x the estimate's cpu)")
    print(f"protect screening + gate  wall {t_scr:7.2f} s  cpu {c_scr:7.2f} s")
    print(f"ctc audit (published only) wall {t_aud:6.2f} s  cpu {c_aud:7.2f} s  exposed {int(audit.cells['exposed'].sum())}")


if __name__ == "__main__":
    main()
