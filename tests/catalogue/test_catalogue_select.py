"""Filtering programmes; grade ↔ age conversion."""

from __future__ import annotations

from pathlib import Path

import pytest
from catalogue_samples import write

from ctc.catalogue import (
    age_to_grade,
    ages_to_grades,
    filter_programmes,
    grade_to_age,
    grades_to_ages,
    load_catalogue,
)


@pytest.fixture
def mini(tmp_path: Path):
    return load_catalogue(write(tmp_path))


def ids(programmes) -> list[str]:
    return [p.id for p in programmes]


def test_no_criteria_returns_everything_in_order(mini) -> None:
    assert ids(filter_programmes(mini)) == ["family-young", "school-older", "school-young"]


def test_by_factor(mini) -> None:
    assert ids(filter_programmes(mini, factor="social_skills")) == ["school-young"]
    assert ids(filter_programmes(mini, factor="family_conflict")) == ["family-young", "school-older", "school-young"]


def test_by_single_age_and_age_range(mini) -> None:
    assert ids(filter_programmes(mini, age=10)) == ["family-young"]
    assert ids(filter_programmes(mini, age=14)) == ["family-young", "school-older"]
    assert ids(filter_programmes(mini, age=(15, 17))) == ["school-older"]
    assert ids(filter_programmes(mini, age=(13, 11))) == ["family-young", "school-young"]


def test_by_setting_and_combined(mini) -> None:
    assert ids(filter_programmes(mini, setting="school")) == ["school-older", "school-young"]
    assert ids(filter_programmes(mini, factor="family_conflict", age=12, setting="school")) == ["school-young"]


def test_by_country_and_registry(mini) -> None:
    assert ids(filter_programmes(mini, country="de")) == ["family-young", "school-young"]
    assert ids(filter_programmes(mini, registry="gruene_liste")) == ["school-young"]


def test_shipped_catalogue_has_german_school_programmes_for_grade_7() -> None:
    found = filter_programmes(load_catalogue(), age=grade_to_age(7), setting="school", country="DE")
    assert len(found) >= 5


def test_grade_age_conversion() -> None:
    assert grade_to_age(6) == 11 and grade_to_age(12) == 17
    assert age_to_grade(18) == 13
    assert grades_to_ages((6, 8)) == (11, 13)
    assert grades_to_ages((8, 6)) == (11, 13)
    assert ages_to_grades(grades_to_ages((7, 11))) == (7, 11)
