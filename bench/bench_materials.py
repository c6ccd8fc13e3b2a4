"""Benchmark: `ctc materials` — a full kit (all three kits: 9 PDFs and a slide deck) for
one municipality and for every municipality of a profile run.

Simulates --municipalities × --respondents, profiles them against the demo baseline,
then times build_materials for the first municipality and for all, printing seconds,
pages and bytes. Usage: python bench/bench_materials.py [--municipalities 100] [--respondents 300]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

from ctc.materials import build_materials
from ctc.planning.outputs import municipalities_in
from ctc.profile.options import ProfileOptions
from ctc.profile.run import profile
from ctc.simulate import SimulationOptions, simulate


def _stats(folder: Path) -> tuple[int, int, int]:
    pdfs = list(folder.rglob("*.pdf"))
    pages = sum(len(PdfReader(p).pages) for p in pdfs)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return len(list(folder.rglob("*.*"))), pages, size


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--municipalities", type=int, default=100)
    ap.add_argument("--respondents", type=int, default=300)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        simulate("ctc-youth-survey", root / "s.parquet",
                 SimulationOptions(municipalities=args.municipalities, respondents=args.respondents, seed=5))
        profile(root / "s.parquet", root / "run", baseline="demo-baseline", options=ProfileOptions(bootstrap=50))
        print(f"set-up: {args.municipalities} municipalities x {args.respondents} respondents simulated and profiled "
              f"in {time.perf_counter() - t0:.1f} s")
        names = municipalities_in(root / "run")
        for label, chosen in (("one municipality", names[:1]), (f"{len(names)} municipalities", names)):
            dest = root / f"m-{len(chosen)}"
            t = time.perf_counter()
            build_materials(root / "run", dest, municipalities=chosen)
            wall = time.perf_counter() - t
            files, pages, size = _stats(dest)
            print(f"{label}: {wall:.1f} s wall ({wall / len(chosen):.2f} s per municipality); "
                  f"{files} files, {pages} PDF pages, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
