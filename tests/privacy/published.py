"""Published outputs made through the CLI as a user would, for the attack tests."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[2]


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


