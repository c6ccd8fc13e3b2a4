"""Simulated multi-wave surveys on disk, made with ``ctc simulate`` as a user would."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from ctc.cli.main import cli

PLANTED = "Musterstadt:family_conflict:2026:-15"


def run_cli(*args: str) -> "object":
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="session")
def survey3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two municipalities × 500 respondents × waves 2022, 2024, 2026; family conflict −15 points in 2026."""
    path = tmp_path_factory.mktemp("sim") / "survey.csv"
    done = run_cli("simulate", "-o", path, "--municipalities", "2", "--respondents", "500", "--waves", "2022,2024,2026",
                   "--weights", "--wave-change", PLANTED, "--seed", "7", "-q")
    assert done.exit_code == 0, done.output
    return path


@pytest.fixture(scope="session")
def compared3(survey3: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cmp") / "out"
    done = run_cli("compare", survey3, "-o", out, "--priorities", "family_conflict,alcohol_30d")
    assert done.exit_code == 0, done.output
    return out


@pytest.fixture(scope="session")
def per_wave_files(survey3: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The same survey as one file per wave, without the wave column."""
    data = pd.read_csv(survey3, dtype=str, keep_default_na=False)
    folder = tmp_path_factory.mktemp("split")
    wave_col = [c for c in data.columns if c.lower() in ("wave", "year", "welle")][0]
    paths = []
    for wave, part in data.groupby(wave_col):
        path = folder / f"survey-{wave}.csv"
        part.drop(columns=[wave_col]).to_csv(path, index=False)
        paths.append(path)
    return paths


@pytest.fixture
def ctc():
    """Run ``ctc ARGS...`` in-process (click's runner), as the shell would."""
    return run_cli


@pytest.fixture(scope="session")
def run_ctc():
    """:func:`run_cli` for test modules (``from conftest import`` would find another folder's conftest)."""
    return run_cli
