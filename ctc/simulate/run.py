"""``simulate()``: generate a survey and write it; the fixed demo set-up."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import OutputError
from ..instrument.model import Instrument
from ..io.atomic import atomic_path
from ..io.survey_write import EXCEL_MAX_ROWS, open_writer, survey_format
from ..io.synthetic import SYNTHETIC_COLUMN
from .calibrate import PlantedEffect
from .generate import DEFAULT_CHUNK_ROWS, Simulation, prepare
from .options import Plant, SimulationOptions

DEMO_INSTRUMENT = "ctc-youth-survey"


@dataclass(frozen=True)
class SimulationResult:
    """What a run wrote. ``invalid`` counts respondents per validity rule they were made
    to fail; ``planted`` holds each planted effect as calibrated."""

    path: Path
    format: str
    rows: int
    columns: int
    by_municipality: Mapping[str, int]
    by_wave: Mapping[int, int]
    invalid: Mapping[str, int]
    planted: tuple[PlantedEffect, ...]
    enrolment_path: Path | None
    elapsed: float
    seed: int


def enrolment_path(path: str | Path) -> Path:
    """``survey.csv`` → ``survey.enrolment.csv`` (beside the survey file)."""
    p = Path(path)
    return p.with_name(f"{p.stem}.enrolment.csv")


def simulate(
    instrument: Instrument | str | Path,
    path: str | Path,
    options: SimulationOptions | None = None,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> SimulationResult:
    """Generate a survey for ``instrument`` and write it to ``path`` (format by extension).

    With ``options.weights`` also writes ``<stem>.enrolment.csv`` (municipality,
    grade, gender, enrolled; plus wave when the file has a wave column).
    """
    started = time.perf_counter()
    opts = options or SimulationOptions()
    fmt = survey_format(path)
    sim = prepare(instrument, opts)
    if fmt == "xlsx" and sim.rows + 1 > EXCEL_MAX_ROWS:
        raise OutputError(
            f"{sim.rows:,} respondents do not fit in an .xlsx sheet (at most {EXCEL_MAX_ROWS - 1:,} rows)",
            "write .csv, .parquet or .sav for large files",
        )
    with open_writer(
        path, sim.instrument, csv_sep=opts.csv_sep, csv_encoding=opts.csv_encoding, csv_decimal=opts.decimal, columns=sim.design.columns
    ) as writer:
        for chunk in sim.chunks(chunk_rows):
            writer.write(chunk.assign(**{SYNTHETIC_COLUMN: np.int8(1)}))  # the mark travels with the rows
    enrol = _write_enrolment(sim, path) if opts.weights else None
    return _result(sim, Path(path), fmt, enrol, time.perf_counter() - started)


def _write_enrolment(sim: Simulation, path: str | Path) -> Path:
    target = enrolment_path(path)
    table = sim.frame.enrolment
    assert table is not None
    opts = sim.options
    with atomic_path(target) as tmp:
        try:
            table.to_csv(tmp, sep=opts.csv_sep, index=False, encoding=opts.csv_encoding, lineterminator="\n")
        except UnicodeEncodeError:
            raise OutputError(f"municipality names cannot be written in {opts.csv_encoding}", "use --encoding utf-8") from None
    return target


def _result(sim: Simulation, path: Path, fmt: str, enrol: Path | None, elapsed: float) -> SimulationResult:
    d, f = sim.design, sim.frame
    per_m = np.bincount(f.municipality, minlength=len(d.municipalities))
    per_w = np.bincount(f.wave, minlength=len(d.waves))
    per_rule = np.bincount(f.invalid[f.invalid >= 0], minlength=len(sim.plan.validity_ids))
    return SimulationResult(
        path=path,
        format=fmt,
        rows=sim.rows,
        columns=len(sim.column_names),
        by_municipality={m: int(c) for m, c in zip(d.municipalities, per_m)},
        by_wave={w: int(c) for w, c in zip(d.waves, per_w)},
        invalid={r: int(c) for r, c in zip(sim.plan.validity_ids, per_rule) if c},
        planted=sim.planted,
        enrolment_path=enrol,
        elapsed=elapsed,
        seed=sim.options.seed,
    )


def simulate_frame(instrument: Instrument | str | Path, options: SimulationOptions | None = None) -> pd.DataFrame:
    """The whole simulated survey as one DataFrame (for notebooks and tests; small runs only)."""
    return pd.concat(list(prepare(instrument, options).chunks()), ignore_index=True)


# ------------------------------------------------------------------------------ demo


DEMO_MUNICIPALITIES = ("Musterstadt", "Beispielburg", "Exampleton")
DEMO_PLANTS = (
    Plant("Musterstadt", "family_conflict", 15.0),
    Plant("Musterstadt", "poor_family_management", 15.0),
    Plant("Beispielburg", "perceived_availability_drugs", 15.0),
    Plant("Beispielburg", "school_rewards_prosocial", -10.0),
)


#: Chosen among seeds 2026–2045 as one where every planted profile stands out against
#: the other two municipalities by at least 9 points: with three schools per
#: municipality, natural differences between municipalities can be as large as a plant.
DEMO_SEED = 2040


def demo_options() -> SimulationOptions:
    """The fixed demo: three fictional municipalities of 1,200 respondents each (3,600 in
    all), 3 schools each, one wave (2026), the instrument's grades, weights, seed
    :data:`DEMO_SEED`, and the planted effects in :data:`DEMO_PLANTS` (docs/simulate.md)."""
    return SimulationOptions(
        municipalities=DEMO_MUNICIPALITIES,
        respondents=1200,
        schools=3,
        waves=(2026,),
        seed=DEMO_SEED,
        elevate=DEMO_PLANTS,
        weights=True,
        plant_level="population",  # planted against the baseline, which is drawn from the same population
    )


def write_demo(path: str | Path, instrument: Instrument | str | Path = DEMO_INSTRUMENT) -> SimulationResult:
    """Write the demo survey (same bytes every time for .csv, .parquet, .xlsx and .sav)."""
    return simulate(instrument, path, demo_options())
