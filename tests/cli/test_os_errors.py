"""The environment fails, not the program: disk full, permissions, a closed pipe, names
Windows reserves. Each as a user meets it: a real process, a real device or folder."""

from __future__ import annotations

import errno
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from ctc.cli.main import EXIT_BROKEN_PIPE, os_error_hint

CTC = Path(sys.executable).parent / "ctc"
MINI = Path(__file__).parent.parent / "data" / "mini.yaml"


@pytest.fixture
def survey(tmp_path) -> Path:
    path = tmp_path / "survey.csv"
    rows = "".join(f"r{i},Con,6,1,2,3,1,2,1,1,1\n" for i in range(30))
    path.write_text("rid,town,grade,a1,a2,Q_A3,b1,b2,use_life,use_30d,fake\n" + rows, encoding="utf-8")
    return path


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux /dev/full")
def test_disk_full_says_free_space(survey, tmp_path):
    with open("/dev/full", "w") as full:  # every write: ENOSPC, as on a full disk
        proc = subprocess.run([CTC, "map", "suggest", survey, "--instrument", MINI], stdout=full,
                              stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        "Error: No space left on device. Hint: the disk is full: free some space or write to another disk, then run again")


def test_closed_pipe_ends_quietly(survey, tmp_path):
    """`ctc score ... | head -0`: the reader is gone before ctc writes its summary."""
    out = tmp_path / "scored.csv"
    proc = subprocess.Popen([CTC, "score", survey, "-o", out, "--instrument", MINI], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()  # like head after its lines
    err = proc.stderr.read().decode()
    assert proc.wait() == EXIT_BROKEN_PIPE == 141
    assert err == ""  # no "Error: Broken pipe", no "Exception ignored"
    assert len(pd.read_csv(out)) == 30  # the outputs were complete before the summary


@pytest.mark.parametrize(("code", "words"), [
    (errno.ENOSPC, "the disk is full"), (errno.EDQUOT, "quota"), (errno.EACCES, "permissions"),
    (errno.EPERM, "permissions"), (errno.EROFS, "read-only"), (errno.ENAMETOOLONG, "shorter"),
    (errno.EMFILE, "ulimit -n"), (errno.EBUSY, "in use"), (errno.EIO, "input/output"),
    (errno.EXDEV, "check the path and its permissions"),
])
def test_hint_fits_the_errno(code, words):
    assert words in os_error_hint(OSError(code, "x"))


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux sysfs")
def test_permission_denied_says_permissions(run, survey):
    """sysfs refuses new files to everyone, root included: a real EACCES."""
    result = run("score", survey, "-o", "/sys/kernel/scored.csv", "--instrument", MINI)
    assert result.exit_code == 1
    assert re.fullmatch(r"Error: Permission denied: /sys/kernel/\.scored\.csv\.(\w+\.part|lock)\. Hint: you may not read or "
                        r"write there: check the permissions of the path, or choose another folder",
                        result.output.strip().splitlines()[-1]), result.output


def test_output_folder_with_a_reserved_name(run, survey, tmp_path):
    out = tmp_path / "con"
    result = run("profile", survey, "-o", out, "--instrument", MINI, "--bootstrap", "0")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"Error: 'con' in the output path {out} is a name Windows reserves for a device; the output could not be "
        "opened there. Hint: choose another name for the output")
    assert not out.exists()


def test_score_output_with_a_reserved_name(run, survey, tmp_path):
    out = tmp_path / "NUL.csv"
    result = run("score", survey, "-o", out, "--instrument", MINI)
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith("Error: 'NUL.csv' in the output path")
    assert not out.exists()


def test_municipality_with_a_reserved_name_gets_a_safe_folder(run, tmp_path):
    from ctc.instrument import load_instrument
    from ctc.simulate import SimulationOptions, simulate

    survey = tmp_path / "con-survey.csv"
    simulate(load_instrument(), survey, SimulationOptions(municipalities=("Con",), respondents=40, seed=2))
    out = tmp_path / "out"
    result = run("profile", survey, "-o", out, "--bootstrap", "0")
    assert result.exit_code == 0, result.output
    m = json.loads((out / "manifest.json").read_text())
    assert m["municipalities"] == [{"name": "Con", "folder": "con_"}]
    assert (out / "con_" / "report.html").is_file() and not (out / "con").exists()
