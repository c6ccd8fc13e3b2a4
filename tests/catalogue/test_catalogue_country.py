"""Ranking by prevention level and country fit, the reason for each rank, and 'not rated' programmes."""

from __future__ import annotations

from pathlib import Path

import pytest
from catalogue_samples import MINI, line_of, write

from ctc.catalogue import (
    default_country,
    known_countries,
    load_catalogue,
    match_programmes,
    programme_details,
    programmes_table,
    resolve_country,
)
from ctc.catalogue.evidence import NOT_RATED_STRENGTH, best_rating, evidence_strength, rating_label
from ctc.errors import InvalidDefinition, UsageError

HEAD = MINI.split("programmes:\n")[0] + "programmes:\n"


def programme(pid: str, *, rating: str = "{registry: blueprints, rating: model, url: \"https://example.org/r\"}",
              continuum: str = "[universal]", countries: str = "[US]", adapts: str | None = None,
              ages: str = "{min: 11, max: 13}", extra: str = "") -> str:
    ratings = f"    ratings:\n      - {rating}\n" if rating else ""
    return (f"  - id: {pid}\n    name: {{en: Programme {pid}, de: Programm {pid}}}\n"
            f"    description: {{en: Sessions., de: Sitzungen.}}\n"
            + (f"    adapts: {adapts}\n" if adapts else "") + ratings + extra +
            f"    ages: {ages}\n    settings: [family]\n    continuum: {continuum}\n"
            "    factors:\n      - {id: family_conflict, basis: registry, source: \"https://example.org/f\"}\n"
            f"    outcomes: [antisocial]\n    available_in: {countries}\n    languages: [de]\n"
            "    sources:\n      - {url: \"https://example.org/r\", checked: 2026-12-02}\n")


GL = "{registry: gruene_liste, rating: level_1, url: \"https://example.org/r\"}"
TIERS = HEAD + "".join([
    # strongest evidence, but not offered in DE: last for DE, first without a country
    programme("us-model", rating="{registry: blueprints, rating: model_plus, url: \"https://example.org/r\"}"),
    programme("de-offered", countries="[DE, US]"),  # offered in DE, rated only by Blueprints
    programme("de-adaptation", adapts="us-model", countries="[DE]",
              rating="{registry: other, rating: casel_select, url: \"https://example.org/r\"}"),
    programme("de-registry", rating=GL, countries="[DE]"),  # weakest evidence, but the country's registry
    programme("gl-not-offered", rating=GL, countries="[AT]"),  # GL-rated but not offered in DE
    programme("de-indicated", rating="{registry: gruene_liste, rating: level_3, url: \"https://example.org/r\"}",
              continuum="[indicated]", countries="[DE]"),
    programme("us-selective", continuum="[selective]"),
])
PRIO = [("family_conflict", 1)]


@pytest.fixture
def tiers(tmp_path: Path):
    return load_catalogue(write(tmp_path, TIERS))


def ids(matches) -> list[str]:
    return [m.programme.id for m in matches]


def test_for_germany_registry_then_adaptation_then_offered_then_elsewhere_universal_first(tiers) -> None:
    found = match_programmes(tiers, PRIO, (11, 13), top=10, country="DE")
    assert ids(found) == ["de-registry", "de-adaptation", "de-offered", "us-model", "gl-not-offered",
                          "de-indicated", "us-selective"]
    assert [m.country_fit for m in found] == ["registry", "adaptation", "offered", "elsewhere", "elsewhere",
                                              "registry", "elsewhere"]
    assert [m.level for m in found] == ["universal"] * 5 + ["targeted"] * 2


def test_without_a_country_only_the_level_and_the_score_order(tiers) -> None:
    found = match_programmes(tiers, PRIO, (11, 13), top=10)
    universal = [m for m in found if m.level == "universal"]
    assert ids(found)[:5] == ids(universal) and universal[0].programme.id == "us-model"
    assert [m.score for m in universal] == sorted((m.score for m in universal), reverse=True)
    assert all(m.country_fit == "any" for m in found)


def test_for_the_us_blueprints_programmes_offered_there_come_first(tiers) -> None:
    found = match_programmes(tiers, PRIO, (11, 13), top=10, country="US")
    assert ids(found)[:2] == ["us-model", "de-offered"]
    assert {m.country_fit for m in found[:2]} == {"registry"}


def test_reason_for_each_rank_in_english_and_german(tiers) -> None:
    by_id = {m.programme.id: m for m in match_programmes(tiers, PRIO, (11, 13), top=10, country="DE")}
    reg = by_id["de-registry"]
    assert reg.why_rank("en") == (f"universal: fits a community-wide plan; rated by the Grüne Liste Prävention (DE's registry), "
                                  f"offered in DE; then by fit score {reg.score:.2f}")
    assert reg.why_rank("de") == (f"universell: passt zu einem gemeindeweiten Plan; bewertet in der Grünen Liste Prävention "
                                  f"(Register für DE), angeboten in DE; danach nach Passung {reg.score:.2f}".replace(".", ","))  # German decimal comma
    assert "local adaptation of Programme us-model, offered in DE" in by_id["de-adaptation"].why_rank("en")
    assert "lokale Adaption von Programm us-model, angeboten in DE" in by_id["de-adaptation"].why_rank("de")
    assert "offered in DE, not rated by the Grüne Liste Prävention" in by_id["de-offered"].why_rank("en")
    us = by_id["us-model"]
    assert "not offered in DE according to the sources; offered there as Programme de-adaptation" in us.why_rank("en")
    assert "laut Quellen nicht in DE angeboten; dort angeboten als Programm de-adaptation" in us.why_rank("de")
    assert by_id["de-indicated"].why_rank("en").startswith("indicated: for specific groups, so after the universal programmes")
    assert by_id["de-indicated"].why_rank("de").startswith("indiziert: für bestimmte Gruppen, daher nach den universellen")
    assert match_programmes(tiers, PRIO, (11, 13))[0].why_rank("en").split("; ")[1] == "no country given, so not ordered by country"


def test_a_later_rank_can_have_a_higher_score_and_says_why(tiers) -> None:
    found = match_programmes(tiers, PRIO, (11, 13), top=10, country="DE")
    first, us = found[0], next(m for m in found if m.programme.id == "us-model")
    assert us.score > first.score and us.rank > first.rank
    assert f"then by fit score {us.score:.2f}" in us.why_rank("en")


def test_unknown_country_is_a_usage_error_listing_the_known_codes(tiers) -> None:
    assert known_countries(tiers) == ["AT", "DE", "US"]
    with pytest.raises(UsageError, match=r"unknown country 'XX': the programme catalogue knows AT, DE, US") as info:
        match_programmes(tiers, PRIO, (11, 13), country="XX")
    assert "ISO 3166-1 alpha-2" in (info.value.hint or "")
    for bad in ("DEU", "d", "Germany"):
        with pytest.raises(UsageError, match="unknown country"):
            resolve_country(bad, tiers)
    assert resolve_country("de", tiers) == "DE"


def test_default_country_from_language_then_instrument() -> None:
    assert default_country("de", "ctc-youth-survey") == ("DE", "lang")
    assert default_country("en", "ctc-youth-survey") == ("US", "instrument")
    assert default_country("en", "my-instrument") == (None, "none")
    shipped = load_catalogue()
    assert resolve_country(None, shipped, lang="de", instrument_id="ctc-youth-survey") == "DE"
    assert resolve_country("AT", shipped, lang="de", instrument_id="ctc-youth-survey") == "AT"


# --------------------------------------------------------------------------- not rated

NOT_RATED = HEAD + programme("unrated", rating="", countries="[DE]",
                             extra="    not_rated: {en: No registry rating found on the pages checked., "
                                   "de: Keine Registerbewertung auf den geprüften Seiten.}\n")


def test_a_not_rated_programme_loads_ranks_with_the_lowest_evidence_and_says_so(tmp_path: Path) -> None:
    cat = load_catalogue(write(tmp_path, NOT_RATED))
    p = cat.get("unrated")
    assert best_rating(p) is None and evidence_strength(p) == NOT_RATED_STRENGTH
    assert rating_label(None, "en").startswith("not rated") and rating_label(None, "de").startswith("nicht bewertet")
    assert "not rated" in programmes_table(cat.programmes, "en")
    assert "No registry rating found on the pages checked." in programme_details(p, "en")
    m = match_programmes(cat, PRIO, (11, 13), country="DE")[0]
    assert m.evidence == NOT_RATED_STRENGTH and "not rated" in m.explain("en") and "nicht bewertet" in m.explain("de")
    assert "offered in DE, not rated by the Grüne Liste Prävention" in m.why_rank("en")


def test_a_programme_needs_a_rating_or_a_stated_reason_not_both(tmp_path: Path) -> None:
    neither = HEAD + programme("bare", rating="")
    with pytest.raises(InvalidDefinition) as info:
        load_catalogue(write(tmp_path, neither))
    p = info.value.problems[0]
    assert p.path == "programmes[0]" and "'not_rated'" in p.message and p.line == line_of(neither, "id: bare")
    both = HEAD + programme("both", extra="    not_rated: {en: none found, de: keine}\n")
    with pytest.raises(InvalidDefinition) as info:
        load_catalogue(write(tmp_path, both, "both.yaml"))
    assert "a programme with ratings is rated" in info.value.problems[0].message
