"""Programme suggestions from a municipality's priorities and surveyed grades."""

from __future__ import annotations

from pathlib import Path

import pytest
from planning_data import MINI_CATALOGUE

from ctc.catalogue import load_catalogue
from ctc.planning import (
    planning_priorities,
    suggest_programmes,
    surveyed_ages,
    surveyed_grades,
)


@pytest.fixture(scope="module")
def family_ctx(inst):
    """Family management and family conflict clearly elevated; grades 6–8 only."""
    from planning_data import make_context

    return make_context(inst, planted={"poor_family_management": 65.0, "family_conflict": 60.0}, small_grade=None)


def test_surveyed_grades_become_ages(family_ctx) -> None:
    assert surveyed_grades(family_ctx) == [6, 7, 8]
    assert surveyed_ages(family_ctx) == (11, 13)


def test_priorities_are_the_shortlist_ranked_within_kind(family_ctx) -> None:
    prios = planning_priorities(family_ctx)
    risk = [p for p in prios if p[0] in {s.id for s in family_ctx.instrument.risk_scales}]
    prot = [p for p in prios if p[0] in {s.id for s in family_ctx.instrument.protective_scales}]
    assert risk[:2] == [("poor_family_management", 1), ("family_conflict", 2)]
    assert [r for _, r in risk] == list(range(1, family_ctx.options.top_risk + 1))
    assert [r for _, r in prot] == list(range(1, family_ctx.options.top_protective + 1))


def test_board_decisions_replace_the_shortlist(family_ctx) -> None:
    prios = planning_priorities(family_ctx, decided=["family_conflict", "social_skills"])
    assert prios == [("family_conflict", 1), ("social_skills", 1)]


def test_family_programmes_for_the_age_rank_above_school_programmes_for_older_youth(family_ctx) -> None:
    cat = load_catalogue()
    matches, matrix = suggest_programmes(family_ctx, cat, top=len(cat.programmes))
    assert "family" in matches[0].programme.settings
    rank = {m.programme.id: m.rank for m in matches}
    family = [m for m in matches if "family" in m.programme.settings and m.programme.ages.overlap(11, 13)
              and {"poor_family_management", "family_conflict"} <= set(m.addressed)]
    older_school = [m for m in matches if "school" in m.programme.settings and m.programme.ages.min > 13]
    assert family and older_school
    for f in family:
        for o in older_school:
            assert rank[f.programme.id] < rank[o.programme.id], (f.programme.id, o.programme.id)
    assert list(matrix.index) == [m.programme.id for m in matches]
    assert list(matrix.columns)[:2] == ["poor_family_management", "family_conflict"]
    assert all(m.explain("en").startswith("Addresses ") and m.explain("de").startswith("Adressiert ") for m in matches)


def test_a_local_catalogue_can_be_used(family_ctx, tmp_path: Path) -> None:
    path = tmp_path / "local.yaml"
    path.write_text(MINI_CATALOGUE, encoding="utf-8")
    matches, matrix = suggest_programmes(family_ctx, load_catalogue(path))
    assert [m.programme.id for m in matches] == ["family-young", "school-older"]
    assert matrix.loc["family-young", "poor_family_management"] == "registry"


def test_nothing_prioritised_gives_empty_results(family_ctx) -> None:
    from dataclasses import replace

    empty = replace(family_ctx, priorities=family_ctx.priorities.iloc[0:0])
    matches, matrix = suggest_programmes(empty)
    assert matches == [] and matrix.empty
