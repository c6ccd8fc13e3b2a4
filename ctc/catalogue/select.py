"""Filtering a catalogue by factor, age, setting (and optionally country or registry)."""

from __future__ import annotations

from .model import Catalogue, Programme, Registry, Setting


def _age_ok(p: Programme, age: int | tuple[int, int]) -> bool:
    if isinstance(age, tuple):
        lo, hi = min(age), max(age)
        return p.ages.overlap(lo, hi) > 0
    return p.ages.min <= age <= p.ages.max


def filter_programmes(
    catalogue: Catalogue,
    factor: str | None = None,
    age: int | tuple[int, int] | None = None,
    setting: Setting | None = None,
    *,
    country: str | None = None,
    registry: Registry | None = None,
) -> list[Programme]:
    """Programmes matching every given criterion, in catalogue order.

    ``factor``: addresses this factor id; ``age``: covers this age, or overlaps this
    inclusive ``(min, max)`` range; ``setting``: delivered in this setting;
    ``country``: offered in this ISO country code; ``registry``: rated by this registry.
    """
    out = []
    for p in catalogue.programmes:
        if factor is not None and factor not in p.factor_ids:
            continue
        if age is not None and not _age_ok(p, age):
            continue
        if setting is not None and setting not in p.settings:
            continue
        if country is not None and country.upper() not in p.available_in:
            continue
        if registry is not None and all(r.registry != registry for r in p.ratings):
            continue
        out.append(p)
    return out
