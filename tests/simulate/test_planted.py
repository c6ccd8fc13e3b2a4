"""Planted municipality profiles and wave changes are found in the data, in the
requested direction and close to the requested size (±4 percentage points)."""

from __future__ import annotations

import numpy as np
import pytest
from _simulate_helpers import pct_flagged

TOLERANCE_PP = 4.0


def _pct(run, shipped, column):
    f = run.frame
    return pct_flagged(run.scored, column, [f[shipped.columns.wave], f[shipped.columns.municipality]])


@pytest.mark.parametrize(
    ("municipality", "column", "delta"),
    [
        ("Musterstadt", "flag.family_conflict", 15.0),
        ("Beispielburg", "flag.school_rewards_prosocial", -10.0),
        ("Exampleton", "outcome.alcohol_30d", 10.0),
    ],
)
def test_elevation_has_requested_size(planted_run, unplanted_run, shipped, municipality, column, delta):
    with_plant = _pct(planted_run, shipped, column)
    without = _pct(unplanted_run, shipped, column)
    for wave in (2024, 2026):
        achieved = with_plant[(wave, municipality)] - without[(wave, municipality)]
        assert abs(achieved - delta) <= TOLERANCE_PP, (wave, achieved)
        others = [m for m in ("Musterstadt", "Beispielburg", "Exampleton") if m != municipality]
        for m in others:  # the other municipalities are untouched
            assert abs(with_plant[(wave, m)] - without[(wave, m)]) < 1.5


def test_elevation_visible_against_other_municipalities(planted_run, shipped):
    pct = _pct(planted_run, shipped, "flag.family_conflict")
    for wave in (2024, 2026):
        assert pct[(wave, "Musterstadt")] > max(pct[(wave, "Beispielburg")], pct[(wave, "Exampleton")]) + 5
    pct = _pct(planted_run, shipped, "flag.school_rewards_prosocial")
    for wave in (2024, 2026):
        assert pct[(wave, "Beispielburg")] < min(pct[(wave, "Musterstadt")], pct[(wave, "Exampleton")])


def test_wave_change_direction_and_size(planted_run, unplanted_run, shipped):
    pct = _pct(planted_run, shipped, "flag.friends_use_drugs")
    change = pct[(2026, "Musterstadt")] - pct[(2024, "Musterstadt")]
    assert abs(change - (-10.0)) <= TOLERANCE_PP, change
    for m in ("Beispielburg", "Exampleton"):
        assert abs(pct[(2026, m)] - pct[(2024, m)]) <= TOLERANCE_PP
    # against the counterfactual the planted wave is 10 points lower, the first wave unchanged
    base = _pct(unplanted_run, shipped, "flag.friends_use_drugs")
    assert abs(pct[(2024, "Musterstadt")] - base[(2024, "Musterstadt")]) < 1.5
    assert abs((pct[(2026, "Musterstadt")] - base[(2026, "Musterstadt")]) + 10.0) <= TOLERANCE_PP


def test_planted_effects_are_reported(planted_run):
    effects = {(p.municipality, p.factor, p.kind): p for p in planted_run.planted}
    assert len(effects) == 4
    for p in effects.values():
        assert abs((p.expected_pct - p.base_pct) - p.requested_pp) < 1.0
        assert p.shift != 0
    assert effects[("Beispielburg", "school_rewards_prosocial", "elevate")].shift < 0
    assert effects[("Musterstadt", "friends_use_drugs", "wave_change")].wave == 2026


def test_plants_do_not_change_other_answers(planted_run, unplanted_run, shipped):
    """Same seed: the planted run differs only in the planted factors' items (and their
    dependants), so demos can be compared with and without the plants."""
    touched = set()
    for sid in ("family_conflict", "school_rewards_prosocial", "friends_use_drugs"):
        touched |= set(shipped.scale_by_id[sid].items)
    touched |= {"alc_30d", "alc_life"}  # raising recent use raises lifetime use where needed
    untouched = [i.source_column for i in shipped.items if i.id not in touched]
    a, b = planted_run.frame[untouched], unplanted_run.frame[untouched]
    assert a.equals(b)
    assert np.array_equal(planted_run.scored["excluded"], unplanted_run.scored["excluded"])
