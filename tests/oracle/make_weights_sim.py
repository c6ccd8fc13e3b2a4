"""Write the simulated survey of the weighting oracle (tests/oracle/weights_oracle.R).

    .venv/bin/python tests/oracle/make_weights_sim.py [FOLDER]

Simulates a small weighted survey with its enrolment file (fixed seed), scores it as
``ctc profile`` does and writes the profiled rows (grouping columns, design weight,
exclusion and three indicators) to ``weights_sim.csv`` and the enrolment to
``weights_sim.enrolment.csv``; ``tests/weights/test_weights_vs_r.py`` rebuilds the same
rows and checks they are unchanged.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from ctc.instrument import load_instrument
from ctc.profile.guard import guarded_run
from ctc.profile.options import ProfileOptions
from ctc.simulate import SimulationOptions, simulate

#: the indicators the oracle estimates (a risk scale, a protective scale, an outcome)
INDICATORS = ("flag.low_commitment_school", "flag.prosocial_involvement", "outcome.alcohol_30d")
SIM = dict(municipalities=2, respondents=400, seed=11, weights=True, grades=(6, 8, 10))


def make_survey(folder: Path) -> tuple[Path, Path]:
    """The survey and its enrolment file in ``folder``."""
    survey = folder / "survey.csv"
    result = simulate("ctc-youth-survey", survey, SimulationOptions(**SIM))
    assert result.enrolment_path is not None
    frame = pd.read_csv(survey, dtype=str, keep_default_na=False)
    frame["weight"] = design_weights(frame["school"])
    frame.to_csv(survey, index=False)
    return survey, result.enrolment_path


def design_weights(school: pd.Series) -> list[str]:
    """Unequal design weights by school (1, 1.5, 2, ...), so that calibration has work to do."""
    number = school.str.extract(r"(\d+)$")[0].astype(int)
    return [f"{1 + 0.5 * (k % 3):g}" for k in number]


def profiled_rows(survey: Path) -> pd.DataFrame:
    """The rows and columns of the survey that the profile's estimates use."""
    result, _ = guarded_run(survey, load_instrument("ctc-youth-survey"), ProfileOptions())
    kept = result.kept
    cols = ["municipality", "school", "grade", "gender", "wave", "weight", "excluded", *INDICATORS]
    out = kept[cols].copy()
    out["excluded"] = out["excluded"].astype(int)
    return out.reset_index(drop=True)


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    survey, enrolment = make_survey(folder)
    profiled_rows(survey).to_csv(folder / "weights_sim.csv", index=False)
    (folder / "weights_sim.enrolment.csv").write_bytes(enrolment.read_bytes())
    survey.unlink()
    enrolment.unlink()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
