"""The committed JSON Schema is current; text rendering."""

from __future__ import annotations

import json

from ctc.catalogue import (
    load_catalogue,
    match_programmes,
    matches_table,
    programme_details,
    programmes_table,
)
from ctc.catalogue.model import Catalogue
from ctc.catalogue.schema import catalogue_schema, schema_path, schema_text


def test_committed_schema_is_current() -> None:
    path = schema_path()
    assert path.is_file(), "run: python -m ctc.catalogue.schema"
    assert path.read_text(encoding="utf-8") == schema_text(), "stale schema; run: python -m ctc.catalogue.schema"


def test_schema_describes_rating_vocabularies() -> None:
    schema = catalogue_schema()
    rating = schema["$defs"]["Rating"]
    conditions = {c["if"]["properties"]["registry"]["const"]: c["then"]["properties"]["rating"] for c in rating["allOf"]}
    assert conditions["blueprints"] == {"enum": ["promising", "model", "model_plus"]}
    assert "pattern" in conditions["other"]
    assert schema["properties"]["format"]["const"] == "ctc-catalogue/1"


def test_shipped_catalogue_round_trips_through_json() -> None:
    cat = load_catalogue()
    again = Catalogue.model_validate(json.loads(cat.model_dump_json()))
    assert again == cat


def test_programmes_table_in_both_languages() -> None:
    cat = load_catalogue()
    en = programmes_table(cat.programmes[:3])
    de = programmes_table(cat.programmes[:3], "de")
    assert en.splitlines()[0].split() == ["id", "programme", "ages", "settings", "evidence", "offered", "in"]
    assert de.splitlines()[0].split()[:3] == ["ID", "Programm", "Alter"]
    assert len(en.splitlines()) == 5
    assert "sfp-10-14" in en and "10–14" in en and "Blueprints Promising" in en
    assert "Familie" in de


def test_matches_table_and_details() -> None:
    cat = load_catalogue()
    matches = match_programmes(cat, [("family_conflict", 1)], (11, 13), top=3)
    table = matches_table(matches, "de")
    assert table.splitlines()[0].split() == ["#", "Programm", "Punkte", "Begründung"]
    assert table.splitlines()[2].startswith("1  ")
    details = programme_details(cat.get("unplugged"), "de")
    assert "Unplugged – Suchtprävention im Unterricht [unplugged]" in details
    assert "Grüne Liste: gelistet, Stufe nicht ermittelt" in details
