"""Ranking programmes against priorities and surveyed ages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from catalogue_samples import write

from ctc.catalogue import (
    grades_to_ages,
    load_catalogue,
    match_programmes,
    programme_factor_matrix,
)
from ctc.catalogue.match import age_fit, priority_weights
from ctc.catalogue.model import AgeRange
from ctc.errors import UsageError

FAMILY_PRIORITIES = [("poor_family_management", 1), ("family_conflict", 2)]


@pytest.fixture
def mini(tmp_path: Path):
    return load_catalogue(write(tmp_path))


def test_family_programme_for_the_age_beats_stronger_school_programme_for_older_youth(mini) -> None:
    matches = match_programmes(mini, FAMILY_PRIORITIES, grades_to_ages((6, 8)))
    ids = [m.programme.id for m in matches]
    assert ids.index("family-young") < ids.index("school-older")
    assert matches[0].programme.id == "family-young"
    assert [m.rank for m in matches] == [1, 2, 3]


def test_shipped_catalogue_family_programmes_rank_above_school_programmes_for_older_youth() -> None:
    cat = load_catalogue()
    matches = match_programmes(cat, FAMILY_PRIORITIES, grades_to_ages((6, 8)), top=len(cat.programmes))
    assert "family" in matches[0].programme.settings
    rank = {m.programme.id: m.rank for m in matches}
    family_fit = [m for m in matches if "family" in m.programme.settings and m.programme.ages.overlap(11, 13) and len(m.addressed) == 2]
    school_older = [m for m in matches if "school" in m.programme.settings and m.programme.ages.min > 13]
    assert family_fit
    for f in family_fit:
        for s in school_older:
            assert rank[f.programme.id] < rank[s.programme.id], (f.programme.id, s.programme.id)


def test_only_programmes_addressing_a_priority_are_matched(mini) -> None:
    matches = match_programmes(mini, [("social_skills", 1)], (11, 13))
    assert [m.programme.id for m in matches] == ["school-young"]
    assert match_programmes(mini, [("gang_involvement", 1)], (11, 13)) == []


def test_top_limits_the_list(mini) -> None:
    assert len(match_programmes(mini, FAMILY_PRIORITIES, (11, 13), top=1)) == 1


def test_explanation_in_english_and_german(mini) -> None:
    m = match_programmes(mini, FAMILY_PRIORITIES, (11, 13))[0]
    assert m.explain("en") == (
        "Addresses 2 of your 2 priorities (poor family management, family conflict); "
        "Blueprints Promising; ages 10–14 fit your grades 6–8"
    )
    de = m.explain("de")
    assert de.startswith("Adressiert 2 von 2 Ihrer Prioritäten (")
    assert "Klassen 6–8" in de and "Blueprints Promising" in de


def test_explanation_marks_interpretation_and_older_programmes(mini) -> None:
    by_id = {m.programme.id: m for m in match_programmes(mini, FAMILY_PRIORITIES, (11, 13))}
    assert "(partly our reading)" in by_id["school-young"].explain()
    assert "Grüne Liste: effectiveness probable" in by_id["school-young"].explain()
    assert "older than your grades 6–8" in by_id["school-older"].explain()


def test_priority_weights() -> None:
    assert priority_weights([("a", 1), ("b", 2), ("c", 3)]) == {"a": 1.0, "b": 2 / 3, "c": 1 / 3}
    with pytest.raises(UsageError):
        priority_weights([])
    with pytest.raises(UsageError):
        priority_weights([("a", 1), ("a", 2)])
    with pytest.raises(UsageError):
        priority_weights([("a", 0)])


def test_unknown_priority_factor_is_a_usage_error(mini) -> None:
    with pytest.raises(UsageError, match="famly_conflict"):
        match_programmes(mini, [("famly_conflict", 1)], (11, 13))


def test_age_fit_prefers_covering_then_younger_then_older() -> None:
    lo, hi = 11, 13
    covers = age_fit(AgeRange(min=10, max=14), lo, hi)
    partial_late = age_fit(AgeRange(min=13, max=17), lo, hi)
    younger = age_fit(AgeRange(min=6, max=10), lo, hi)
    older = age_fit(AgeRange(min=14, max=18), lo, hi)
    far_older = age_fit(AgeRange(min=17, max=19), lo, hi)
    assert covers == 1.0
    assert covers > partial_late > younger > older > far_older >= 0.0


def test_setting_mix_bonus_brings_a_second_setting_into_the_top_list(tmp_path: Path) -> None:
    # three family programmes and one slightly weaker school programme: with top=2 the
    # school programme takes the second place thanks to the setting-mix bonus
    from catalogue_samples import MINI

    extra = MINI.split("  - id: school-older")[0]
    for i in (2, 3):
        extra += MINI.split("programmes:\n")[1].split("  - id: school-older")[0].replace("family-young", f"family-young-{i}")
    school = MINI.split("  - id: school-young")[1]
    text = extra + "  - id: school-young" + school.replace("    adapts: school-older\n", "").replace(
        "{id: family_conflict, basis: interpretation", "{id: poor_family_management, basis: registry, source: \"https://example.org/x\"}\n      - {id: family_conflict, basis: registry"
    )
    cat = load_catalogue(write(tmp_path, text))
    top2 = match_programmes(cat, FAMILY_PRIORITIES, (11, 13), top=2)
    assert {m.programme.settings[0] for m in top2} == {"family", "school"}
    assert top2[1].bonus == pytest.approx(0.05)


def test_country_orders_but_leaves_the_fit_score_alone(mini) -> None:
    plain = {m.programme.id: m.score for m in match_programmes(mini, FAMILY_PRIORITIES, (11, 13))}
    us = match_programmes(mini, FAMILY_PRIORITIES, (11, 13), country="us")
    assert {m.programme.id: m.score for m in us} == plain
    assert us[0].programme.id == "school-older" and us[0].country_fit == "registry"  # the only one rated by Blueprints in US


def test_programme_factor_matrix(mini) -> None:
    matches = match_programmes(mini, FAMILY_PRIORITIES, (11, 13))
    frame = programme_factor_matrix(matches, FAMILY_PRIORITIES)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["poor_family_management", "family_conflict"]
    assert list(frame.index) == [m.programme.id for m in matches]
    assert frame.loc["school-young"].tolist() == ["", "interpretation"]
    assert frame.loc["family-young"].tolist() == ["registry", "registry"]


def test_scores_are_in_range_and_parts_are_reported() -> None:
    cat = load_catalogue()
    for m in match_programmes(cat, [("early_initiation_drug_use", 1), ("attitudes_favourable_drug_use", 2), ("family_conflict", 3)], (12, 14), top=45):
        assert 0 < m.coverage <= 1 and 0 <= m.evidence <= 1 and 0 <= m.age_fit <= 1
        assert 0 < m.score <= 1.05
        assert m.addressed and set(m.addressed) <= m.programme.factor_ids
