"""The country a plan is made for: which registry is its own, and how well a programme fits it.

A programme's *country fit* orders the suggestions (docs/catalogue-format.md):

* ``registry`` — rated by the country's own registry (Grüne Liste Prävention for DE,
  Blueprints for US) and offered in the country;
* ``adaptation`` — a local adaptation (``adapts``) of another programme, offered in the
  country, without a rating of the country's registry;
* ``offered`` — offered in the country, neither of the above;
* ``elsewhere`` — not offered in the country according to the catalogue's sources;
* ``any`` — no country given: not ordered by country.

The default country comes from the output language (``de`` → DE) or, failing that,
from the instrument (the shipped CTC Youth Survey is the US instrument).
"""

from __future__ import annotations

import re

from ..errors import UsageError
from .model import Catalogue, Programme

#: ISO 3166-1 alpha-2 code → the registries that are that country's own
COUNTRY_REGISTRIES: dict[str, tuple[str, ...]] = {"DE": ("gruene_liste",), "US": ("blueprints",)}
#: registry → (English, German) name used in reasons
REGISTRY_NAMES = {
    "gruene_liste": ("the Grüne Liste Prävention", "der Grünen Liste Prävention"),
    "blueprints": ("Blueprints for Healthy Youth Development", "Blueprints for Healthy Youth Development"),
}
#: output language → default country
LANG_COUNTRY = {"de": "DE"}
#: shipped instrument id → the country it comes from
INSTRUMENT_COUNTRY = {"ctc-youth-survey": "US"}

FIT_ORDER = {"registry": 0, "adaptation": 1, "offered": 2, "elsewhere": 3, "any": 0}


def known_countries(catalogue: Catalogue) -> list[str]:
    """Country codes the catalogue knows: every ``available_in`` code and every country with its own registry."""
    return sorted({c for p in catalogue.programmes for c in p.available_in} | set(COUNTRY_REGISTRIES))


def check_country(code: str, catalogue: Catalogue) -> str:
    """``code`` upper-cased, or a UsageError naming the codes the catalogue knows."""
    known = known_countries(catalogue)
    norm = code.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", norm) or norm not in known:
        raise UsageError(f"unknown country {code!r}: the programme catalogue knows {', '.join(known)}",
                         "give an ISO 3166-1 alpha-2 code, e.g. --country DE")
    return norm


def default_country(lang: str | None, instrument_id: str | None) -> tuple[str | None, str]:
    """The default country and where it came from: ``("DE", "lang")``, ``("US", "instrument")`` or ``(None, "none")``."""
    if lang in LANG_COUNTRY:
        return LANG_COUNTRY[lang], "lang"
    if instrument_id in INSTRUMENT_COUNTRY:
        return INSTRUMENT_COUNTRY[instrument_id], "instrument"
    return None, "none"


def resolve_country(code: str | None, catalogue: Catalogue, *, lang: str | None = None,
                    instrument_id: str | None = None) -> str | None:
    """A given code (checked), else the default from ``lang`` or the instrument."""
    if code:
        return check_country(code, catalogue)
    return default_country(lang, instrument_id)[0]


def registries_of(country: str | None) -> tuple[str, ...]:
    return COUNTRY_REGISTRIES.get(country or "", ())


def country_fit(p: Programme, country: str | None) -> str:
    if not country:
        return "any"
    if country not in p.available_in:
        return "elsewhere"
    if any(r.registry in registries_of(country) for r in p.ratings):
        return "registry"
    return "adaptation" if p.adapts else "offered"


def local_adaptations(catalogue: Catalogue, p: Programme, country: str | None) -> list[Programme]:
    """Programmes of the catalogue that adapt ``p`` and are offered in ``country``."""
    if not country:
        return []
    return [q for q in catalogue.programmes if q.adapts == p.id and country in q.available_in]


def is_universal(p: Programme) -> bool:
    """Fits a community-wide (universal) plan: its continuum includes universal."""
    return "universal" in p.continuum


#: texts the programme-matches sheet and the CLI show about the ranking (English, German)
RANKING_TEXT = {
    "why_rank": ("Why this rank", "Warum dieser Rang"),
    "country.option": ("Ranked for country {country} (given with --country).",
                       "Gereiht für das Land {country} (mit --country angegeben)."),
    "country.set": ("Ranked for country {country} (set with --country or recorded by the profile run).",
                    "Gereiht für das Land {country} (mit --country festgelegt oder aus dem Profillauf übernommen)."),
    "country.lang": ("Ranked for country {country} (default from the output language '{language}'; change with --country).",
                     "Gereiht für das Land {country} (Vorgabe aus der Ausgabesprache '{language}'; änderbar mit --country)."),
    "country.instrument": ("Ranked for country {country} (default from the instrument {instrument}; change with --country).",
                           "Gereiht für das Land {country} (Vorgabe aus dem Instrument {instrument}; änderbar mit --country)."),
    "country.none": ("No country given: suggestions are not ordered by country (set one with --country).",
                     "Kein Land angegeben: Vorschläge sind nicht nach Land geordnet (mit --country festlegen)."),
    "order": ("Order for a community-wide plan: universal programmes first; then those rated by the country's registry "
              "and offered there, local adaptations, other programmes offered there, programmes not offered there; "
              "then the fit score.",
              "Reihenfolge für einen gemeindeweiten Plan: universelle Programme zuerst; dann die im Register des Landes "
              "bewerteten und dort angebotenen, lokale Adaptionen, andere dort angebotene, dort nicht angebotene Programme; "
              "danach die Passung."),
    "note": ("Order for a community-wide plan: universal programmes first, selective and indicated ones after them; "
             "within each, programmes rated by the country's registry and offered there, then local adaptations, other "
             "programmes offered there, programmes not offered there; then the fit score: how many prioritised factors a "
             "programme addresses (weighted by priority rank), evidence rating, age fit and setting mix. Every priority shows its "
             "best programme rated by the country's registry, if the catalogue has one (a selective or indicated one in "
             "the part after the universal programmes). The last column gives the reason for each rank. Suggestions, not decisions: check the registry page and local conditions "
             "before adopting a programme.",
             "Reihenfolge für einen gemeindeweiten Plan: universelle Programme zuerst, selektive und indizierte danach; "
             "innerhalb davon die im Register des Landes bewerteten und dort angebotenen Programme, dann lokale Adaptionen, "
             "andere dort angebotene, dort nicht angebotene Programme; danach die Passung: wie viele priorisierte Faktoren "
             "ein Programm adressiert (gewichtet nach Rang), Evidenzbewertung, Altersbezug und Vielfalt der Settings. Jede "
             "Priorität zeigt ihr bestes im Register des Landes bewertetes Programm, wenn der Katalog eines hat (ein "
             "selektives oder indiziertes im Teil nach den universellen Programmen). Die letzte Spalte nennt den Grund "
             "für jeden Rang. Vorschläge, keine Entscheidungen: vor der Auswahl Registerseite "
             "und Bedingungen vor Ort prüfen."),
}


def ranking_text(key: str, lang: str = "en", **fields: object) -> str:
    en, de = RANKING_TEXT[key]
    return (de if lang == "de" else en).format(**fields)


def country_line(country: str | None, source: str, lang: str = "en", *, instrument: str = "") -> str:
    """One sentence saying which country the suggestions are ranked for and why."""
    if country is None:
        return ranking_text("country.none", lang)
    return ranking_text(f"country.{source}", lang, country=country, language=lang, instrument=instrument)
