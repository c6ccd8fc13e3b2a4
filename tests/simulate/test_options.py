"""Parsing and checking of simulation options (library level)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctc.errors import UsageError
from ctc.instrument import load_instrument
from ctc.scoring import score_frame
from ctc.simulate import (
    DEFAULT_ELEVATION_PP,
    Plant,
    SimulationOptions,
    WaveChange,
    parse_int_list,
    parse_plant,
    parse_wave_change,
    prepare,
    simulate_frame,
)


def test_parse_plant():
    assert parse_plant("Musterstadt:family_conflict") == Plant("Musterstadt", "family_conflict", DEFAULT_ELEVATION_PP)
    assert parse_plant("Placeholder Bay:family_conflict:-7,5") == Plant("Placeholder Bay", "family_conflict", -7.5)
    with pytest.raises(UsageError, match="not a number"):
        parse_plant("A:b:many")


def test_parse_wave_change():
    assert parse_wave_change("A:b:2026:-8") == WaveChange("A", "b", 2026, -8.0)
    with pytest.raises(UsageError, match="not a year"):
        parse_wave_change("A:b:next:-8")


def test_parse_int_list():
    assert parse_int_list("2024, 2026", "waves") == (2024, 2026)
    with pytest.raises(UsageError):
        parse_int_list("2024,x", "waves")


def test_unknown_factor_lists_valid_names(shipped):
    with pytest.raises(UsageError) as info:
        prepare(shipped, SimulationOptions(elevate=(Plant("Musterstadt", "family_confict"),)))
    assert "family_conflict" in str(info.value) and "religiosity" in str(info.value)
    assert info.value.hint


def test_outcome_that_is_a_scale_flag_can_be_planted(shipped):
    sim = prepare(shipped, SimulationOptions(municipalities=1, respondents=300, elevate=(Plant("Musterstadt", "depressive_symptoms", 10),)))
    assert sim.planted[0].expected_pct > sim.planted[0].base_pct


def test_wave_change_needs_a_later_wave(shipped):
    with pytest.raises(UsageError, match="not a later wave"):
        prepare(shipped, SimulationOptions(waves=(2024, 2026), wave_changes=(WaveChange("Musterstadt", "family_conflict", 2024, 5),)))


@pytest.mark.parametrize(
    "opts",
    [
        SimulationOptions(respondents=0),
        SimulationOptions(schools=0),
        SimulationOptions(municipalities=0),
        SimulationOptions(municipalities=("A", "A")),
        SimulationOptions(waves=(2024, 2024)),
        SimulationOptions(seed=-1),
        SimulationOptions(missing_share=0.9),
        SimulationOptions(csv_sep=";;"),
        SimulationOptions(elevate=(Plant("Musterstadt", "family_conflict", 120),)),
    ],
)
def test_bad_options(shipped, opts):
    with pytest.raises(UsageError):
        prepare(shipped, opts)


@settings(max_examples=12, deadline=None)
@given(
    municipalities=st.integers(1, 3),
    respondents=st.integers(1, 60),
    seed=st.integers(0, 2**32),
    invalid=st.sampled_from([0.0, 0.05, 0.3]),
    block_skip=st.sampled_from([0.0, 0.5]),
)
def test_any_options_give_valid_codes_and_exact_invalid_count(municipalities, respondents, seed, invalid, block_skip):
    mini = load_instrument(Path(__file__).parent.parent / "data" / "mini.yaml")
    opts = SimulationOptions(municipalities=municipalities, respondents=respondents, seed=seed, invalid_share=invalid, block_skip_share=block_skip)
    df = simulate_frame(mini, opts)
    assert len(df) == municipalities * respondents and df["rid"].is_unique
    for item in mini.items:
        rs = mini.response_set_of(item.id)
        assert set(df[item.source_column].dropna().astype(int)) <= set(rs.codes) | set(rs.missing)
    assert score_frame(df, mini)["excluded"].sum() == municipalities * round(invalid * respondents)
