"""Locks and clean-up as a user meets them: a workbook open in LibreOffice or Excel, a
second run into the same output, and what a killed run left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ctc.cli.main import cli
from ctc.instrument import load_instrument
from ctc.simulate import SimulationOptions, simulate

FIX = "Hint: close the workbook in Excel/LibreOffice, or delete the lock file if no one has it open"


def ctc(*args) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def survey(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("locks") / "survey.csv"
    simulate(load_instrument(), path, SimulationOptions(municipalities=("Musterstadt",), respondents=200, seed=4))
    return path


@pytest.fixture(scope="module")
def done(survey: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("done") / "out"
    code, output = ctc("profile", survey, "-o", out, "--bootstrap", "0")
    assert code == 0, output
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("lock_name", [".~lock.planning.xlsx#", "~$planning.xlsx"])
def test_profile_force_refuses_a_workbook_open_elsewhere(survey: Path, done: Path, lock_name: str) -> None:
    before = _snapshot(done)
    lock = done / "musterstadt" / lock_name
    lock.write_text("someone,host,2026\n")
    try:
        code, output = ctc("profile", survey, "-o", done, "--bootstrap", "0", "--force")
    finally:
        lock.unlink()
    book = done / "musterstadt" / "planning.xlsx"
    assert code == 1
    assert output.strip().splitlines() == [f"Error: {book} is open in another program (lock file {lock}). {FIX}"]
    assert _snapshot(done) == before
    assert not list(done.parent.glob(".out*"))


def test_workbook_update_refuses_a_workbook_open_elsewhere(done: Path) -> None:
    book = done / "musterstadt" / "planning.xlsx"
    lock = book.with_name(".~lock.planning.xlsx#")
    lock.write_text("x")
    before = book.read_bytes()
    try:
        code, output = ctc("workbook", "update", book, "--from", done)
    finally:
        lock.unlink()
    assert code == 1
    assert output.strip().splitlines() == [f"Error: {book} is open in another program (lock file {lock}). {FIX}"]
    assert book.read_bytes() == before and not list(book.parent.glob("planning.backup-*"))


HOLDER = """
import sys, time
from ctc.io.lock import hold
with hold(sys.argv[1]):
    print("held", flush=True)
    time.sleep(120)
"""


def test_a_second_run_into_the_same_folder_fails_and_a_killed_holder_frees_it(survey: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        code, output = ctc("profile", survey, "-o", out, "--bootstrap", "0")
        assert code == 1
        assert output.strip().splitlines() == [
            f"Error: {out} is being written by another ctc run (lock {tmp_path / '.out.lock'}). "
            "Hint: wait for that run to finish, or write to another output"]
        assert not out.exists()
    finally:
        os.kill(holder.pid, signal.SIGKILL)  # the kernel releases the lock; its file stays behind
        holder.wait()
    assert (tmp_path / ".out.lock").exists()
    code, output = ctc("profile", survey, "-o", out, "--bootstrap", "0")
    assert code == 0, output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # the lock file went with the run


def test_score_into_an_output_being_written_fails(survey: Path, tmp_path: Path) -> None:
    target = tmp_path / "scored.parquet"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(target)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        code, output = ctc("score", survey, "-o", target)
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    assert code == 1
    assert output.strip().splitlines()[-1] == (
        f"Error: {target} is being written by another ctc run (lock {tmp_path / '.scored.parquet.lock'}). "
        "Hint: wait for that run to finish, or write to another output")
    assert not target.exists()


def test_stale_staging_of_killed_runs_is_cleaned_and_said(survey: Path, tmp_path: Path) -> None:
    (tmp_path / ".out.k3x_9a2b.part" / "musterstadt").mkdir(parents=True)
    (tmp_path / ".out.k3x_9a2b.part" / "profile.csv").write_text("half")
    (tmp_path / ".scored.parquet.abcd1234.part").write_bytes(b"PAR1")
    (tmp_path / ".scored.checks.csv.zz99yy88.part").write_text("code")
    mine = [tmp_path / ".out.notours.part", tmp_path / ".other.abcd1234.part", tmp_path / "out.abcd1234.part"]
    for p in mine:  # not our exact names: left alone
        p.write_text("user's")
    code, output = ctc("profile", survey, "-o", tmp_path / "out", "--bootstrap", "0")
    assert code == 0, output
    assert output.splitlines()[0] == "cleaned what an interrupted earlier run left: .out.k3x_9a2b.part"
    code, output = ctc("score", survey, "-o", tmp_path / "scored.parquet")
    assert code == 0, output
    assert output.splitlines()[0] == (
        "cleaned what an interrupted earlier run left: .scored.parquet.abcd1234.part, .scored.checks.csv.zz99yy88.part")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["out", "scored.parquet", "scored.checks.csv", "scored.screening.csv", *[p.name for p in mine]])


def test_an_output_moved_aside_by_a_killed_run_is_put_back(survey: Path, done: Path, tmp_path: Path) -> None:
    aside = tmp_path / ".out.old"  # a run killed between its two renames: out is gone, .out.old complete
    aside.mkdir()
    for rel, data in _snapshot(done).items():
        (aside / rel).parent.mkdir(parents=True, exist_ok=True)
        (aside / rel).write_bytes(data)
    code, output = ctc("profile", survey, "-o", tmp_path / "out", "--bootstrap", "0", "--force")
    assert code == 0, output
    assert output.splitlines()[0] == f"put back the previous output an interrupted run had moved aside: {tmp_path / 'out'}"
    assert "planning workbooks: 1 updated, 0 new" in output  # the board's workbook was found and updated
    assert (tmp_path / "out" / "musterstadt" / "planning.backup-1.xlsx").read_bytes() == (
        done / "musterstadt" / "planning.xlsx").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
