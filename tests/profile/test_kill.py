"""`ctc profile` and `ctc score` killed with SIGKILL at several moments on a
200,000-respondent survey: afterwards there is no partial output (the target is absent
or a complete earlier version) and the next run succeeds and leaves no stale files.

The moments are found by watching the files the run makes (its lock, its staging
folder or temp file, the report and then the workbook of the municipality in the
staging folder, the reports written last before the outputs are moved into place),
not by timing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ctc.manifest import file_sha256

pytestmark = pytest.mark.slow
RESPONDENTS = 200_000


def ctc(*args) -> subprocess.Popen:
    # own session: the kill reaches every process of the run (pool workers included)
    return subprocess.Popen([sys.executable, "-m", "ctc", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def finish(*args) -> str:
    proc = ctc(*args)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + err
    return out


def kill_when(proc: subprocess.Popen, ready: Callable[[], bool], timeout: float = 180, may_finish: bool = False) -> None:
    """SIGKILL the run as soon as ``ready()``; fails if the run ended first (unless
    ``may_finish``: a moment only milliseconds before the end can be missed)."""
    end = time.monotonic() + timeout
    while not ready():
        if may_finish and proc.poll() == 0:
            return
        assert proc.poll() is None, f"the run ended before the moment: {proc.communicate()}"
        assert time.monotonic() < end, "the moment never came"
        time.sleep(0.002)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def staged(folder: Path, pattern: str) -> list[Path]:
    return list(folder.glob(pattern))


@pytest.fixture(scope="session")
def big(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("kill-input") / "survey.parquet"
    finish("simulate", "-o", path, "--municipalities", "1", "--respondents", RESPONDENTS, "--seed", "7")
    assert pq.read_metadata(path).num_rows == RESPONDENTS
    return path


def _complete(out: Path) -> bool:
    """Every file the manifest lists is there with its hash (a finished run's folder)."""
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return all(file_sha256(out / rel) == sha for rel, sha in m["output_sha256"].items())


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_profile_killed_while_rendering_and_while_moving_into_place(big: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ("profile", big, "-o", out, "--bootstrap", "20")
    # 1. killed while rendering: the report is written, the workbook not yet
    proc = ctc(*args)
    kill_when(proc, lambda: bool(staged(tmp_path, ".out.*.part/*/report.html")))
    assert not out.exists()
    assert staged(tmp_path, ".out.*.part")  # the killed run's staging stays ...
    first = finish(*args)  # ... until the next run, which cleans it and says so
    assert first.splitlines()[0].startswith("cleaned what an interrupted earlier run left: .out.")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"] and _complete(out)
    before = _snapshot(out)
    # 2. killed once the workbook, the last rendered file, is in the staging folder: the run
    #    is hashing, carrying the previous folder's files over and moving the folder into place
    proc = ctc(*args, "--force")
    kill_when(proc, lambda: bool(staged(tmp_path, ".out.*.part/*/planning.xlsx")), may_finish=True)
    if out.exists():
        assert _snapshot(out) == before or _complete(out)  # the earlier version, or the new one complete
    else:
        assert _snapshot(tmp_path / ".out.old") == before  # killed between the two renames: kept aside
    last = finish(*args, "--force")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"] and _complete(out)
    assert "planning workbooks: 1 updated, 0 new" in last
    backups = sorted(out.glob("*/planning.backup-*.xlsx"))
    assert backups and backups[0].read_bytes() == next(v for k, v in before.items() if k.endswith("/planning.xlsx"))


def test_score_killed_while_reading_writing_and_moving_into_place(big: Path, tmp_path: Path) -> None:
    target = tmp_path / "scored.parquet"
    args = ("score", big, "-o", target)
    outputs = ["scored.checks.csv", "scored.parquet", "scored.screening.csv"]
    # 1. killed while reading: the run holds its lock, nothing is written yet
    proc = ctc(*args)
    kill_when(proc, lambda: (tmp_path / ".scored.parquet.lock").exists())
    # 2. killed while writing the scored rows
    proc = ctc(*args)
    kill_when(proc, lambda: any(p.stat().st_size > 0 for p in staged(tmp_path, ".scored.parquet.*.part")))
    assert not target.exists()
    first = finish(*args)
    assert first.splitlines()[0].startswith("cleaned what an interrupted earlier run left: .scored.parquet.")
    assert sorted(p.name for p in tmp_path.iterdir()) == outputs
    before = target.read_bytes()
    # 3. killed once the reports are written, right before the files are moved into place
    proc = ctc(*args, "--force")
    kill_when(proc, lambda: any(p.stat().st_size > 0 for p in staged(tmp_path, ".scored.screening.csv.*.part")),
              may_finish=True)
    assert target.read_bytes() == before or pq.read_metadata(target).num_rows == RESPONDENTS
    finish(*args, "--force")
    assert sorted(p.name for p in tmp_path.iterdir()) == outputs
    assert pq.read_metadata(target).num_rows == RESPONDENTS
