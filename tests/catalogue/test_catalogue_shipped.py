"""Every shipped catalogue loads, passes its checks, and is traceable."""

from __future__ import annotations

from collections import Counter

import pytest

from ctc.catalogue import (
    catalogue_problems,
    factor_vocabulary,
    load_catalogue,
    shipped_catalogues,
)
from ctc.catalogue.labels import CTC_YOUTH_SURVEY_SCALES
from ctc.catalogue.model import RATINGS

SHIPPED = sorted(shipped_catalogues())


def test_the_programme_catalogue_is_shipped() -> None:
    assert "programmes" in SHIPPED


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_catalogue_loads_and_checks(name: str) -> None:
    cat = load_catalogue(shipped_catalogues()[name])
    vocab = factor_vocabulary(cat.instrument)
    assert catalogue_problems(cat, vocab.scale_ids) == []


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_default_is_the_programme_catalogue(catalogue) -> None:
    assert catalogue.id == "ctc-programmes"
    assert catalogue.instrument == "ctc-youth-survey"
    assert len(catalogue.programmes) >= 45


def test_every_programme_has_a_source_url_and_a_rating_or_says_why_not(catalogue) -> None:
    for p in catalogue.programmes:
        assert p.sources, p.id
        assert all(s.url.startswith(("http://", "https://")) for s in p.sources), p.id
        assert bool(p.ratings) != (p.not_rated is not None), p.id
        if p.not_rated is not None:
            assert len(p.not_rated.get("en")) > 40 and p.not_rated.get("de") != p.not_rated.get("en"), p.id
        assert all(r.url.startswith(("http://", "https://")) for r in p.ratings), p.id


def test_kurve_kriegen_is_in_the_catalogue_with_its_traced_rating(catalogue) -> None:
    # NRW's early-intervention initiative: Grüne Liste programme 108, "Effektivität wahrscheinlich"
    p = catalogue.get("kurve-kriegen")
    assert [(r.registry, r.rating, r.url) for r in p.ratings] == [
        ("gruene_liste", "level_2", "https://www.gruene-liste-praevention.de/nano.cms/datenbank/programm/108")]
    assert (p.ages.min, p.ages.max) == (8, 15)
    assert p.continuum == ("indicated",) and p.available_in == ("DE",)
    assert "early_initiation_antisocial" in p.factor_ids and p.factor("early_initiation_antisocial").basis == "registry"
    assert any("prognos.com" in s.url for s in p.sources)


def test_every_source_url_of_the_catalogue_is_recorded_in_the_sources_document(catalogue) -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "catalogue-sources.md").read_text(encoding="utf-8")
    missing = sorted({(p.id, s.url) for p in catalogue.programmes for s in p.sources if s.url not in doc})
    assert missing == []


def test_every_rating_url_is_also_listed_or_is_a_registry_page(catalogue) -> None:
    # the page that states a rating must be among the entry's sources (traceability)
    for p in catalogue.programmes:
        source_urls = {s.url for s in p.sources}
        for r in p.ratings:
            assert r.url in source_urls, f"{p.id}: rating page {r.url} missing from sources"


def test_every_factor_is_a_scale_of_the_shipped_instrument(catalogue) -> None:
    scale_ids = factor_vocabulary("ctc-youth-survey").scale_ids
    for p in catalogue.programmes:
        assert p.factor_ids <= scale_ids, (p.id, p.factor_ids - scale_ids)


def test_fallback_scale_list_matches_the_shipped_instrument() -> None:
    vocab = factor_vocabulary("ctc-youth-survey")
    if not vocab.from_instrument:
        pytest.skip("instruments/ctc-youth-survey.yaml is not shipped yet")
    assert vocab.scale_ids == CTC_YOUTH_SURVEY_SCALES


def test_ratings_use_their_registry_vocabulary(catalogue) -> None:
    for p in catalogue.programmes:
        for r in p.ratings:
            if r.registry != "other":
                assert r.rating in RATINGS[r.registry]


def test_mix_of_settings_registries_and_german_offers(catalogue) -> None:
    settings = Counter(s for p in catalogue.programmes for s in p.settings)
    assert settings["family"] >= 10 and settings["school"] >= 10 and settings["community"] >= 4
    registries = Counter(r.registry for p in catalogue.programmes for r in p.ratings)
    assert registries["blueprints"] >= 15 and registries["gruene_liste"] >= 15
    assert sum("DE" in p.available_in for p in catalogue.programmes) >= 15


def test_adaptations_point_to_programmes_in_the_catalogue(catalogue) -> None:
    for p in catalogue.programmes:
        if p.adapts:
            assert p.adapts in catalogue.by_id
