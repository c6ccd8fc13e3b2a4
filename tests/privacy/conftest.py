"""Inputs built once per session: published outputs of ``ctc profile`` and the scored
respondent files they came from (the ground truth), made through the CLI as a user would.

* ``demo``: ``ctc profile --demo`` (weighted demo, 3 municipalities x 7 grades x 3 genders)
  and ``ctc score`` of the same survey (``ctc simulate --demo``).
* ``sim20``: ``ctc simulate`` of 20 municipalities x 3,000, cut down with pandas to
  municipalities of 30 to 3,000 students (geometric steps; the simulator makes every
  municipality the same size), about 2 % diverse; then ``ctc profile`` and ``ctc score``.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))


def ctc(*args) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "ctc", *map(str, args)], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"ctc {' '.join(map(str, args))}: {done.stderr}"
    return done


@dataclass(frozen=True)
class Published:
    outdir: Path  # the folder `ctc profile` wrote
    survey: Path  # the respondent-level input
    scored: Path  # `ctc score` of it (.parquet)

    def scored_frame(self) -> pd.DataFrame:
        return pd.read_parquet(self.scored)


def profile_and_score(survey: Path, folder: Path, *extra) -> Published:
    out = folder / "out"
    ctc("profile", survey, "-o", out, "--bootstrap", 0, "-q", *extra)
    scored = folder / "scored.parquet"
    ctc("score", survey, "-o", scored, "-q")
    return Published(out, survey, scored)


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Published:
    folder = tmp_path_factory.mktemp("demo")
    survey = folder / "demo.csv"
    ctc("simulate", "--demo", "-o", survey, "-q")
    out = folder / "out"
    ctc("profile", "--demo", "-o", out, "--bootstrap", 0, "-q")
    scored = folder / "scored.parquet"
    ctc("score", survey, "-o", scored, "-q")
    return Published(out, survey, scored)


SIM_SIZES = np.geomspace(30, 3000, 20).round().astype(int)


def many_small_groups(folder: Path) -> Path:
    full = folder / "full.csv"
    ctc("simulate", "--municipalities", 20, "--respondents", 3000, "--seed", 7, "-o", full, "-q")
    frame = pd.read_csv(full, dtype=str, keep_default_na=False)
    parts = [group.sample(n=int(size), random_state=int(size)).sort_index()
             for (_, group), size in zip(frame.groupby("municipality", sort=False), SIM_SIZES)]
    survey = folder / "sim20.csv"
    pd.concat(parts).to_csv(survey, index=False)
    return survey


@pytest.fixture(scope="session")
def sim20(tmp_path_factory) -> Published:
    folder = tmp_path_factory.mktemp("sim20")
    return profile_and_score(many_small_groups(folder), folder)
