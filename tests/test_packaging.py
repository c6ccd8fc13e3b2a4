"""The built wheel really ships the data folders: an installed ctc works outside the repo."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_installed_wheel_lists_instruments_outside_the_repo(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(REPO)],
                   check=True, capture_output=True)
    (wheel,) = wheels.glob("ctc_toolkit-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    # dependencies come from the test environment (no network needed); ctc itself only from the wheel
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH"}}
    result = subprocess.run([str(venv / "bin" / "ctc"), "instrument", "list"], cwd="/tmp", env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "ctc-youth-survey" in result.stdout
    where = subprocess.run([str(py), "-c", "import ctc, sys; print(ctc.__file__)"], cwd="/tmp", capture_output=True, text=True, env=env)
    assert str(REPO) not in where.stdout  # imported from the wheel, not the checkout
