"""Simulated CTC youth surveys: respondent-level files that read like a real export.

A latent model (see docs/simulate.md) drives every item of any instrument:
municipalities → schools → grades → students, correlated risk and protection,
school and municipality random effects, grade trends and gender differences;
planted municipality profiles and wave changes in percentage points of the share
flagged; invalid respondents that trigger the instrument's validity rules; item
non-response and skipped blocks; optional weights and enrolment totals.

    >>> from ctc.simulate import SimulationOptions, Plant, simulate
    >>> opts = SimulationOptions(municipalities=("Musterstadt", "Beispielburg"), respondents=800,
    ...                          elevate=(Plant("Musterstadt", "family_conflict", 15),), seed=7)
    >>> result = simulate("ctc-youth-survey", "survey.csv", opts)  # doctest: +SKIP
"""

from .calibrate import PlantedEffect
from .generate import BLOCK_ROWS, Simulation, generate_chunks, prepare
from .model import LatentSettings
from .options import (
    DEFAULT_ELEVATION_PP,
    DEFAULT_TOWNS,
    Plant,
    SimulationOptions,
    WaveChange,
    parse_int_list,
    parse_plant,
    parse_wave_change,
)
from .run import (
    DEMO_PLANTS,
    SimulationResult,
    demo_options,
    enrolment_path,
    simulate,
    simulate_frame,
    write_demo,
)

__all__ = [
    "BLOCK_ROWS",
    "DEFAULT_ELEVATION_PP",
    "DEFAULT_TOWNS",
    "DEMO_PLANTS",
    "LatentSettings",
    "Plant",
    "PlantedEffect",
    "Simulation",
    "SimulationOptions",
    "SimulationResult",
    "WaveChange",
    "demo_options",
    "enrolment_path",
    "generate_chunks",
    "parse_int_list",
    "parse_plant",
    "parse_wave_change",
    "prepare",
    "simulate",
    "simulate_frame",
    "write_demo",
]
