"""Same seed and options → the same bytes; a different seed → different data."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from ctc.simulate import (
    Plant,
    SimulationOptions,
    demo_options,
    generate_chunks,
    simulate,
    write_demo,
)

SMALL = SimulationOptions(municipalities=2, respondents=150, seed=21, weights=True, elevate=(Plant("Demodorf", "family_conflict"),))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_same_csv_bytes(tmp_path: Path, shipped):
    opts = SimulationOptions(municipalities=("Musterstadt", "Demodorf"), respondents=400, seed=21, weights=True,
                             elevate=(Plant("Demodorf", "family_conflict"),))
    a = simulate(shipped, tmp_path / "a.csv", opts)
    b = simulate(shipped, tmp_path / "b.csv", opts)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert a.enrolment_path is not None and b.enrolment_path is not None
    assert a.enrolment_path.read_bytes() == b.enrolment_path.read_bytes()


def test_different_seed_different_data(tmp_path: Path, shipped):
    opts = SimulationOptions(municipalities=2, respondents=200, seed=1)
    simulate(shipped, tmp_path / "a.csv", opts)
    simulate(shipped, tmp_path / "b.csv", SimulationOptions(municipalities=2, respondents=200, seed=2))
    a, b = pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv")
    assert list(a.columns) == list(b.columns)
    assert not a.equals(b)
    assert (a.iloc[:, 7:] != b.iloc[:, 7:]).to_numpy().mean() > 0.3


def test_chunk_size_does_not_change_rows(shipped):
    opts = SimulationOptions(municipalities=2, respondents=9000, schools=3, seed=4)  # > one internal block
    small = pd.concat(list(generate_chunks(shipped, opts, chunk_rows=2_345)), ignore_index=True)
    large = pd.concat(list(generate_chunks(shipped, opts, chunk_rows=100_000)), ignore_index=True)
    pd.testing.assert_frame_equal(small, large)
    assert len(small) == 18_000


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx", ".sav"])
def test_binary_formats_are_byte_stable(tmp_path: Path, shipped, suffix):
    opts = SimulationOptions(municipalities=("Musterstadt", "Demodorf"), respondents=60, seed=21, weights=True)
    simulate(shipped, tmp_path / f"a{suffix}", opts)
    simulate(shipped, tmp_path / f"b{suffix}", opts)
    assert _digest(tmp_path / f"a{suffix}") == _digest(tmp_path / f"b{suffix}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.csv"
    return path, write_demo(path)


def test_demo_is_byte_identical(tmp_path: Path, demo):
    path, first = demo
    second = write_demo(tmp_path / "again.csv")
    assert (tmp_path / "again.csv").read_bytes() == path.read_bytes()
    assert (tmp_path / "again.enrolment.csv").read_bytes() == path.with_name("demo.enrolment.csv").read_bytes()
    assert first.rows == second.rows == 3600
    assert first.by_municipality == {"Musterstadt": 1200, "Beispielburg": 1200, "Exampleton": 1200}
    assert [(p.municipality, p.factor, p.requested_pp) for p in first.planted] == [
        (p.municipality, p.factor, p.delta) for p in demo_options().elevate
    ]


def test_demo_shows_its_planted_profiles(demo, shipped):
    from _simulate_helpers import pct_flagged

    from ctc.scoring import score_frame

    df = pd.read_csv(demo[0])
    scored = score_frame(df, shipped)
    town = df[shipped.columns.municipality]
    for factor, town_name, higher in [
        ("family_conflict", "Musterstadt", True),
        ("poor_family_management", "Musterstadt", True),
        ("perceived_availability_drugs", "Beispielburg", True),
        ("school_rewards_prosocial", "Beispielburg", False),
    ]:
        pct = pct_flagged(scored, f"flag.{factor}", town)
        others = pct.drop(town_name)
        if higher:
            assert pct[town_name] > others.max() + 8, (factor, pct.round(1).to_dict())
        else:
            assert pct[town_name] < others.min() - 8, (factor, pct.round(1).to_dict())
