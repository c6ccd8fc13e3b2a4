"""Simulated surveys shared by the simulation tests (generated once per session)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest

from ctc.instrument import load_instrument
from ctc.instrument.model import Instrument
from ctc.scoring import score_frame
from ctc.simulate import Plant, SimulationOptions, WaveChange, prepare


@dataclass(frozen=True)
class Run:
    options: SimulationOptions
    frame: pd.DataFrame
    scored: pd.DataFrame
    planted: tuple


def _run(inst: Instrument, opts: SimulationOptions) -> Run:
    sim = prepare(inst, opts)
    frame = pd.concat(list(sim.chunks()), ignore_index=True)
    return Run(opts, frame, score_frame(frame, inst), sim.planted)


@pytest.fixture(scope="session")
def shipped() -> Instrument:
    return load_instrument("ctc-youth-survey")


@pytest.fixture(scope="session")
def base_run(shipped: Instrument) -> Run:
    """4 municipalities × 1,500 respondents in 8 schools each, one wave, weights."""
    opts = SimulationOptions(municipalities=4, respondents=1500, schools=8, seed=11, weights=True)
    return _run(shipped, opts)


PLANT_OPTIONS = dict(
    municipalities=("Musterstadt", "Beispielburg", "Exampleton"),
    respondents=3000,
    schools=4,
    waves=(2024, 2026),
    seed=5,
    invalid_share=0.04,
)
PLANTS = (
    Plant("Musterstadt", "family_conflict", 15.0),
    Plant("Beispielburg", "school_rewards_prosocial", -10.0),
    Plant("Exampleton", "alcohol_30d", 10.0),
)
WAVE_CHANGES = (WaveChange("Musterstadt", "friends_use_drugs", 2026, -10.0),)


@pytest.fixture(scope="session")
def planted_run(shipped: Instrument) -> Run:
    return _run(shipped, SimulationOptions(**PLANT_OPTIONS, elevate=PLANTS, wave_changes=WAVE_CHANGES))


@pytest.fixture(scope="session")
def unplanted_run(shipped: Instrument) -> Run:
    """The same options without planted effects: the counterfactual."""
    return _run(shipped, SimulationOptions(**PLANT_OPTIONS))
