"""Benchmark: per-municipality rendering — the HTML report and the planning workbook.

Builds the contexts of a finished `ctc profile` run (or runs one on a simulated survey
first), then renders each municipality's report and workbook in this process and
prints the CPU time per municipality (mean, median, best) and the CPU time per municipality
of the whole fan-out (`_render_all` with the run's worker count). The charts alone are
timed as well. Usage:

    python bench/bench_render.py [--outdir DIR] [--municipalities 20] [--respondents 100]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from ctc.planning import context_from_outputs, municipalities_in, write_planning_workbook
from ctc.profile.options import ProfileOptions
from ctc.profile.run import _render_all, profile
from ctc.report import build_view, render_html, render_view
from ctc.simulate import SimulationOptions, simulate
from ctc.instrument import load_instrument


def _run(folder: Path, municipalities: int, respondents: int) -> Path:
    inst = load_instrument()
    data = folder / f"render-{municipalities}x{respondents}.parquet"
    simulate(inst, data, SimulationOptions(municipalities=municipalities, respondents=respondents, seed=8, weights=True))
    out = folder / "out"
    profile(data, out, baseline="demo-baseline", options=ProfileOptions(bootstrap=20, workers=1))
    return out


def _times(fn, items) -> list[float]:
    out = []
    for item in items:
        t = time.process_time()  # CPU time: the machine is shared, wall time is noise
        fn(item)
        out.append(time.process_time() - t)
    return out


def _chart_times(ctxs) -> list[float]:
    """CPU time per municipality spent drawing its charts (inside build_view)."""
    from ctc.report import profile as report_profile

    spent = [0.0]

    def timed(draw):
        def run(*a, **kw):
            t = time.process_time()
            try:
                return draw(*a, **kw)
            finally:
                spent[0] += time.process_time() - t
        return run

    saved = report_profile.dot_chart, report_profile.grade_panels
    report_profile.dot_chart, report_profile.grade_panels = map(timed, saved)
    try:
        out = []
        for ctx in ctxs:
            spent[0] = 0.0
            build_view(ctx)
            out.append(spent[0])
        return out
    finally:
        report_profile.dot_chart, report_profile.grade_panels = saved


def _fresh_memo(ctx):
    """The context without what an earlier render of it remembered (programme matches)."""
    object.__setattr__(ctx, "memo", {})
    return ctx


def _write_with(ctx, path: Path, fast: bool) -> None:
    from ctc.catalogue import load_catalogue
    from ctc.planning.book import Board
    from ctc.planning.workbook import _fresh, _save, build

    book = build(_fresh_memo(ctx), load_catalogue(), Board(), decided=[], created="2026-01-01T00:00:00+00:00", updated="",
                 prepare=_fresh, fast=fast)
    _save(book, path, False)


def _line(name: str, times: list[float]) -> str:
    ms = [1000 * t for t in times]
    return f"{name:<24} CPU mean {statistics.mean(ms):7.1f} ms  median {statistics.median(ms):7.1f} ms  best {min(ms):7.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--outdir", type=Path, default=None, help="a finished 'ctc profile' output folder")
    ap.add_argument("--municipalities", type=int, default=20)
    ap.add_argument("--respondents", type=int, default=100, help="per municipality (simulated run only)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    outdir = args.outdir or _run(tmp, args.municipalities, args.respondents)
    names = municipalities_in(outdir)[: args.municipalities]
    ctxs = [context_from_outputs(outdir, m) for m in names]
    render_html(ctxs[0]), write_planning_workbook(ctxs[0], tmp / "warm.xlsx")  # imports, templates, catalogue
    views = [build_view(c) for c in ctxs]
    print(f"{len(ctxs)} municipalities from {outdir}")
    print(_line("report (view + charts)", _times(build_view, ctxs)))
    print(_line("report (charts only)", _chart_times(ctxs)))
    print(_line("report (template only)", _times(render_view, views)))
    print(_line("report (whole)", _times(render_html, ctxs)))
    paths = iter(tmp / f"w{i}.xlsx" for i in range(10 * len(ctxs)))
    print(_line("workbook", _times(lambda c: write_planning_workbook(_fresh_memo(c), next(paths)), ctxs)))
    # the reference in the same process: the same workbooks through openpyxl (what updates use)
    fast, slow = [], []
    for ctx in ctxs:
        fast += _times(lambda c: _write_with(c, next(paths), True), [ctx])
        slow += _times(lambda c: _write_with(c, next(paths), False), [ctx])
    print(_line("workbook (XlsxWriter)", fast))
    print(_line("workbook (openpyxl)", slow))
    print(f"{'XlsxWriter / openpyxl':<24} median {statistics.median(fast) / statistics.median(slow):5.2f}")
    jobs = []
    for i, ctx in enumerate(ctxs):
        jobs.append((ctx, tmp / "fan" / f"m{i}", None))
    (tmp / "fan").mkdir()
    c0, t0 = os.times(), time.perf_counter()
    _render_all(jobs, args.workers)
    c1, wall = os.times(), time.perf_counter() - t0
    cpu = (c1.user - c0.user) + (c1.system - c0.system) + (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
    print(f"fan-out ({args.workers} workers)      wall {wall:6.2f} s  CPU {cpu:6.2f} s  = {cpu / len(ctxs):5.3f} CPU-s per municipality")


if __name__ == "__main__":
    main()
