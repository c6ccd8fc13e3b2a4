"""The Dask engine (``--engine dask``) on a 2-worker LocalCluster gives the in-process
engine's output byte for byte (apart from timings), and a worker killed mid-run is
replaced by Dask without a wrong or partial output.

Skipped where Dask is not installed (the ``test`` extra installs it, so CI runs these)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

pytestmark = pytest.mark.slow
TABLES = ("profile.csv", "priorities.csv", "screening.csv", "checks.csv")


def ctc(*args: object, **kw) -> subprocess.CompletedProcess:
    out = subprocess.run([sys.executable, "-m", "ctc", *map(str, args)], capture_output=True, text=True, timeout=300, **kw)
    assert out.returncode == 0, out.stdout + out.stderr
    return out


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("engine") / "survey.parquet"
    ctc("simulate", "-o", path, "--municipalities", 3, "--respondents", 400, "--weights", "--seed", 5, "-q")
    return path


@pytest.fixture(scope="module")
def local(survey: Path) -> Path:
    out = survey.parent / "local"
    ctc("profile", survey, "-o", out, "-q")
    return out


def comparable(manifest: Path) -> dict:
    """The manifest without what differs between any two runs: the time of the run, the
    timings, and the workbooks' hashes (an .xlsx file records when it was written)."""
    m = json.loads(manifest.read_text(encoding="utf-8"))
    for key in ("created", "timings_seconds"):
        m.pop(key)
    m["privacy"].pop("seconds")
    m["output_sha256"] = {k: v for k, v in m["output_sha256"].items() if not k.endswith(".xlsx")}
    return m


def same_output(a: Path, b: Path) -> None:
    for name in TABLES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert comparable(a / "manifest.json") == comparable(b / "manifest.json")
    assert sorted(p.relative_to(a) for p in a.rglob("*")) == sorted(p.relative_to(b) for p in b.rglob("*"))
    assert len(list(b.glob("*/report.html"))) == 3 and len(list(b.glob("*/planning.xlsx"))) == 3


def test_profile_on_dask_is_the_in_process_profile(survey: Path, local: Path) -> None:
    out = survey.parent / "dask"
    ctc("profile", survey, "-o", out, "--engine", "dask", "-q")
    same_output(local, out)


@pytest.mark.parametrize("chunk_rows", [None, 250])  # the file as one partition, and as five
def test_score_on_dask_is_the_in_process_score(survey: Path, chunk_rows: int | None) -> None:
    from ctc.engine import Engine
    from ctc.io.read import ReadOptions
    from ctc.scoring.run import score

    a, b = survey.parent / f"scored-local-{chunk_rows}.csv", survey.parent / f"scored-dask-{chunk_rows}.csv"
    if chunk_rows is None:
        ctc("score", survey, "-o", a, "-q")
        ctc("score", survey, "-o", b, "-q", "--engine", "dask")
    else:
        score(survey, a, read=ReadOptions(chunk_rows=chunk_rows))
        score(survey, b, read=ReadOptions(chunk_rows=chunk_rows), engine=Engine("dask"))
    for suffix in ("", ".checks", ".screening"):
        x, y = (p.with_name(p.stem + suffix + ".csv") if suffix else p for p in (a, b))
        assert x.read_bytes() == y.read_bytes(), x.name


def _workers(root: int) -> list[int]:
    """The Dask worker processes of a run (the LocalCluster's nannies spawn them)."""
    import psutil  # a dependency of distributed

    found = []
    for proc in psutil.Process(root).children(recursive=True):
        try:
            if "multiprocessing.spawn" in " ".join(proc.cmdline()):  # not the resource tracker
                found.append(proc.pid)
        except psutil.Error:
            continue
    return found


def test_a_worker_killed_mid_run_is_replaced_and_the_output_is_complete(survey: Path, local: Path) -> None:
    out = survey.parent / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "ctc", "profile", survey, "-o", out, "--engine", "dask", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = []
    deadline = time.monotonic() + 240
    # the moment: the first municipality's folder in the staging folder, while the
    # municipalities render as tasks on the workers
    while proc.poll() is None and time.monotonic() < deadline and not killed:
        staged = [p for p in survey.parent.glob(".killed.*") if p.is_dir()]
        if staged and any(p.is_dir() for p in staged[0].iterdir()):
            workers = _workers(proc.pid)
            if workers:
                os.kill(workers[0], signal.SIGKILL)
                killed.append(workers[0])
        time.sleep(0.02)
    stdout, stderr = proc.communicate(timeout=240)
    assert killed, "the run ended before a worker could be killed"
    assert proc.returncode == 0, stdout + stderr
    same_output(local, out)


def test_profile_on_a_running_scheduler(survey: Path, local: Path) -> None:
    from distributed import LocalCluster

    out = survey.parent / "scheduler"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        ctc("profile", survey, "-o", out, "--engine", "dask", "--scheduler", cluster.scheduler_address, "-q")
    same_output(local, out)


def _blank_municipalities(survey: Path, target: Path) -> Path:
    """The survey with 40 respondents who name no municipality (they count for the whole
    file only), written in row groups of 300 rows."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(survey)
    values = table.column("municipality").to_pylist()
    for i in np.random.default_rng(1).choice(len(values), 40, replace=False):
        values[i] = None
    table = table.set_column(table.column_names.index("municipality"), "municipality",
                             pa.array(values, type=table.column("municipality").type))
    pq.write_table(table, target, row_group_size=300)
    return target


@pytest.mark.parametrize("design", ["census", "clusters"])
def test_rows_kept_on_the_workers_give_the_in_process_profile(survey: Path, design: str) -> None:
    """Several partitions read on the workers (row ranges across row groups), rows without a
    municipality, both designs (clusters: the file's ICC from per-school sums): the same
    files as in process, and the rows never came to the client."""
    import ctc.engine.dask_engine as dask_engine
    from ctc.engine import Engine
    from ctc.io.read import ReadOptions
    from ctc.profile.options import ProfileOptions
    from ctc.profile.run import profile

    path = _blank_municipalities(survey, survey.parent / f"blank-{design}.parquet")
    options, read = ProfileOptions(design=design), ReadOptions(chunk_rows=250)
    a, b = survey.parent / f"kept-local-{design}", survey.parent / f"kept-dask-{design}"
    profile(path, a, options=options, read=read)
    gathered = []
    original = dask_engine.HeldRows.gather
    dask_engine.HeldRows.gather = lambda self: gathered.append(1) or original(self)  # type: ignore[method-assign]
    try:
        profile(path, b, options=options, read=read, engine=Engine("dask"))
    finally:
        dask_engine.HeldRows.gather = original  # type: ignore[method-assign]
    assert not gathered
    same_output(a, b)


def test_a_file_with_two_waves_is_profiled_the_same_on_dask(tmp_path: Path) -> None:
    """Several waves: the rows come to the client and the in-process guards choose the wave."""
    path = tmp_path / "waves.parquet"
    ctc("simulate", "-o", path, "--municipalities", 3, "--respondents", 300, "--weights", "--seed", 6,
        "--waves", "2024,2026", "-q")
    ctc("profile", path, "-o", tmp_path / "local", "-q")
    ctc("profile", path, "-o", tmp_path / "dask", "--engine", "dask", "-q")
    same_output(tmp_path / "local", tmp_path / "dask")
