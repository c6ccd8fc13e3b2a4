"""A tiny, hand-checkable catalogue for tests (kept next to the tests that use it)."""

from __future__ import annotations

from pathlib import Path

MINI = """\
format: ctc-catalogue/1
id: mini
version: "1"
title: {en: Mini catalogue, de: Mini-Katalog}
source: {en: Test data, de: Testdaten}
instrument: ctc-youth-survey
programmes:
  - id: family-young
    name: {en: Family programme for young adolescents, de: Familienprogramm}
    description: {en: Parent and youth sessions., de: Eltern- und Jugendsitzungen.}
    ratings:
      - {registry: blueprints, rating: promising, url: "https://example.org/family-young"}
    ages: {min: 10, max: 14}
    settings: [family]
    continuum: [universal]
    factors:
      - {id: poor_family_management, basis: registry, source: "https://example.org/family-young"}
      - {id: family_conflict, basis: registry, source: "https://example.org/family-young"}
    outcomes: [substance_use]
    available_in: [DE]
    languages: [de]
    sources:
      - {url: "https://example.org/family-young", checked: 2026-11-22}
  - id: school-older
    name: {en: School programme for older youth, de: Schulprogramm Oberstufe}
    description: {en: Classroom sessions., de: Unterrichtseinheiten.}
    ratings:
      - {registry: blueprints, rating: model_plus, url: "https://example.org/school-older"}
    ages: {min: 14, max: 18}
    settings: [school]
    continuum: [universal]
    factors:
      - {id: poor_family_management, basis: registry, source: "https://example.org/school-older"}
      - {id: family_conflict, basis: registry, source: "https://example.org/school-older"}
    outcomes: [substance_use]
    available_in: [US]
    languages: [en]
    sources:
      - {url: "https://example.org/school-older", checked: 2026-11-22}
  - id: school-young
    name: {en: School programme for young adolescents, de: Schulprogramm Sek I}
    description: {en: Classroom sessions., de: Unterrichtseinheiten.}
    adapts: school-older
    ratings:
      - {registry: gruene_liste, rating: level_2, url: "https://example.org/school-young"}
    ages: {min: 11, max: 13}
    settings: [school]
    continuum: [universal]
    factors:
      - {id: family_conflict, basis: interpretation, source: "https://example.org/school-young"}
      - {id: social_skills, basis: registry, source: "https://example.org/school-young"}
    outcomes: [antisocial]
    available_in: [DE, AT]
    languages: [de]
    sources:
      - {url: "https://example.org/school-young", checked: 2026-11-22}
"""


def write(tmp_path: Path, text: str = MINI, name: str = "mini.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the ``occurrence``-th line containing ``needle``."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[occurrence - 1]
