"""Fixtures for the statistics tests: the committed R oracle and its synthetic design."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

ORACLE_DIR = Path(__file__).resolve().parents[1] / "oracle"


@pytest.fixture(scope="session")
def oracle_dir() -> Path:
    return ORACLE_DIR


@pytest.fixture(scope="session")
def oracle() -> dict[str, Any]:
    """``tests/oracle/survey_oracle.json``, written by ``survey_oracle.R``."""
    return json.loads((ORACLE_DIR / "survey_oracle.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def oracle_design() -> pd.DataFrame:
    """``tests/oracle/design.csv``, written by ``make_design.py``."""
    return pd.read_csv(ORACLE_DIR / "design.csv")


@pytest.fixture(scope="session")
def rscript() -> str:
    """Path of ``Rscript`` with the survey package; skips the test when R is not installed."""
    exe = shutil.which("Rscript")
    if exe is None:
        pytest.skip("Rscript is not on PATH (apt-get install r-base-core r-cran-survey)")
    probe = [exe, "-e", "quit(status = as.integer(!requireNamespace('survey', quietly = TRUE)))"]
    if subprocess.run(probe, capture_output=True, timeout=60).returncode != 0:
        pytest.skip("the R package survey is not installed (apt-get install r-cran-survey)")
    return str(exe)
