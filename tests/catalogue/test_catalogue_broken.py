"""Broken copies of a catalogue fail with every problem, its path and its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from catalogue_samples import MINI, line_of, write

from ctc.catalogue import catalogue_problems, load_catalogue
from ctc.errors import DefinitionError, InvalidDefinition


def problems(tmp_path: Path, text: str) -> list:
    with pytest.raises(InvalidDefinition) as info:
        load_catalogue(write(tmp_path, text))
    return info.value.problems


def only(tmp_path: Path, text: str):
    found = problems(tmp_path, text)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def test_the_sample_is_valid(tmp_path: Path) -> None:
    cat = load_catalogue(write(tmp_path))
    assert [p.id for p in cat.programmes] == ["family-young", "school-older", "school-young"]
    assert catalogue_problems(cat, {"poor_family_management", "family_conflict", "social_skills"}) == []


def test_unknown_key(tmp_path: Path) -> None:
    text = MINI.replace("    ages: {min: 10, max: 14}", "    ages: {min: 10, max: 14}\n    cost: cheap")
    p = only(tmp_path, text)
    assert p.path == "programmes[0].cost"
    assert "unknown key" in p.message
    assert p.line == line_of(text, "cost: cheap")


def test_unknown_factor(tmp_path: Path) -> None:
    text = MINI.replace("{id: social_skills,", "{id: social_skils,")
    p = only(tmp_path, text)
    assert p.path == "programmes[2].factors[1].id"
    assert p.message == "unknown factor 'social_skils': not a scale of instrument 'ctc-youth-survey'"
    assert p.line == line_of(text, "social_skils")


def test_unknown_factor_against_given_scale_ids(tmp_path: Path) -> None:
    with pytest.raises(InvalidDefinition) as info:
        load_catalogue(write(tmp_path), scale_ids={"poor_family_management", "family_conflict"})
    assert [p.path for p in info.value.problems] == ["programmes[2].factors[1].id"]


def test_bad_rating_for_registry(tmp_path: Path) -> None:
    text = MINI.replace("rating: model_plus", "rating: level_3")
    p = only(tmp_path, text)
    assert p.path == "programmes[1].ratings[0].rating"
    assert p.message == "'level_3' is not a blueprints rating; valid: promising, model, model_plus"
    assert p.line == line_of(text, "rating: level_3")


def test_unknown_registry(tmp_path: Path) -> None:
    text = MINI.replace("registry: gruene_liste", "registry: green_list")
    p = only(tmp_path, text)
    assert p.path == "programmes[2].ratings[0].registry"
    assert "blueprints" in p.message and "gruene_liste" in p.message


def test_min_age_above_max(tmp_path: Path) -> None:
    text = MINI.replace("ages: {min: 14, max: 18}", "ages: {min: 18, max: 14}")
    p = only(tmp_path, text)
    assert p.path == "programmes[1].ages"
    assert p.message == "ages: min (18) is greater than max (14)"
    assert p.line == line_of(text, "ages: {min: 18, max: 14}")


def test_duplicate_id(tmp_path: Path) -> None:
    text = MINI.replace("  - id: school-young", "  - id: family-young").replace("    adapts: school-older\n", "")
    p = only(tmp_path, text)
    assert p.path == "programmes[2].id"
    assert p.message == "duplicate programme id 'family-young' (ids must be unique)"
    assert p.line == line_of(text, "- id: family-young", occurrence=2)


def test_no_source(tmp_path: Path) -> None:
    text = MINI.replace('    sources:\n      - {url: "https://example.org/school-young", checked: 2026-11-22}\n', "    sources: []\n")
    p = only(tmp_path, text)
    assert p.path == "programmes[2].sources"
    assert p.message == "at least one source URL is required"


def test_url_without_scheme(tmp_path: Path) -> None:
    text = MINI.replace('url: "https://example.org/family-young", checked', 'url: "example.org/family-young", checked')
    p = only(tmp_path, text)
    assert p.path == "programmes[0].sources[0].url"
    assert p.message.startswith("URL must start with http:// or https://")


def test_unknown_adaptation_target(tmp_path: Path) -> None:
    p = only(tmp_path, MINI.replace("adapts: school-older", "adapts: nowhere"))
    assert p.path == "programmes[2].adapts"
    assert "unknown programme 'nowhere'" in p.message


def test_wrong_format_version(tmp_path: Path) -> None:
    p = only(tmp_path, MINI.replace("format: ctc-catalogue/1", "format: ctc-catalogue/2"))
    assert p.path == "format"
    assert "ctc-catalogue/1" in p.message


def test_unknown_instrument_is_reported_at_its_key(tmp_path: Path) -> None:
    p = only(tmp_path, MINI.replace("instrument: ctc-youth-survey", "instrument: no-such-survey"))
    assert p.path == "instrument"
    assert "no-such-survey" in p.message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        MINI.replace("rating: model_plus", "rating: gold")
        .replace("ages: {min: 10, max: 14}", "ages: {min: 14, max: 10}")
        .replace("{id: social_skills,", "{id: charm,")
    )
    paths = sorted(p.path for p in problems(tmp_path, text))
    assert paths == ["programmes[0].ages", "programmes[1].ratings[0].rating", "programmes[2].factors[1].id"]


def test_missing_file_is_a_definition_error(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError):
        load_catalogue(tmp_path / "absent.yaml")


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    p = only(tmp_path, MINI.replace("settings: [family]", "settings: [family"))
    assert p.line is not None and "YAML" in p.message
