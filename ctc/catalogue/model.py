"""The programme catalogue format ``ctc-catalogue/1`` as one strict, immutable model.

Structure, vocabularies (registry ratings, settings, continuum, outcome groups), age
ranges and URLs are checked here, so a catalogue built in Python is as valid as one
read from YAML. Referential checks that need the whole document or the instrument
(unique ids, ``adapts`` targets, factor ids) live in :mod:`ctc.catalogue.checks`.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..spec import Strict, Text

FORMAT = "ctc-catalogue/1"

Registry = Literal["blueprints", "gruene_liste", "xchange", "ctc_guide", "other"]
Setting = Literal["family", "school", "community", "individual_peer"]
Continuum = Literal["universal", "selective", "indicated"]
Basis = Literal["registry", "interpretation"]
OutcomeGroup = Literal["substance_use", "antisocial", "mental_health", "school", "other"]

#: Allowed ratings per registry, weakest first. ``other`` takes any slug (see OTHER_RATING).
RATINGS: dict[str, tuple[str, ...]] = {
    "blueprints": ("promising", "model", "model_plus"),
    "gruene_liste": ("listed", "level_1", "level_2", "level_3"),
    "xchange": ("possibly_harmful", "unknown", "additional_studies_recommended", "likely_beneficial", "beneficial"),
    "ctc_guide": ("listed",),
}
OTHER_RATING = r"^[a-z0-9]+(?:_[a-z0-9]+)*$"
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SCALE_ID = r"^[a-z][a-z0-9_]*$"


def _check_url(value: str) -> str:
    scheme = value.split("://", 1)[0]
    if scheme not in ("http", "https") or len(value) <= len(scheme) + 3 or any(c.isspace() for c in value):
        raise ValueError(f"URL must start with http:// or https:// and contain no spaces, got {value!r}")
    return value


Url = Annotated[str, AfterValidator(_check_url)]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code, e.g. DE")]
Language = Annotated[str, Field(pattern=r"^[a-z]{2}$", description="ISO 639-1 code, e.g. de")]


class Rating(Strict):
    """One registry's rating of a programme, with the page that states it."""

    model_config = Strict.model_config | {
        "json_schema_extra": {
            "allOf": [
                {
                    "if": {"properties": {"registry": {"const": reg}}},
                    "then": {"properties": {"rating": {"enum": list(vocab)}}},
                }
                for reg, vocab in RATINGS.items()
            ]
            + [
                {
                    "if": {"properties": {"registry": {"const": "other"}}},
                    "then": {"properties": {"rating": {"pattern": OTHER_RATING}}},
                }
            ]
        }
    }

    registry: Registry
    rating: str = Field(description="blueprints: promising|model|model_plus; gruene_liste: listed|level_1|level_2|level_3; "
                        "xchange: beneficial|likely_beneficial|additional_studies_recommended|unknown|possibly_harmful; "
                        "ctc_guide: listed; other: free slug")
    url: Url

    @field_validator("rating")
    @classmethod
    def _rating_in_vocabulary(cls, value: str, info: ValidationInfo) -> str:
        registry = info.data.get("registry")
        if registry is None:  # registry itself is invalid; reported there
            return value
        if registry == "other":
            if not re.match(OTHER_RATING, value):
                raise ValueError(f"rating {value!r} for registry 'other' must be a lower-case slug like 'crimesolutions_effective'")
            return value
        vocab = RATINGS[registry]
        if value not in vocab:
            raise ValueError(f"{value!r} is not a {registry} rating; valid: {', '.join(vocab)}")
        return value


class AgeRange(Strict):
    """Target ages in years, inclusive."""

    min: int = Field(ge=0, le=30)
    max: int = Field(ge=0, le=30)

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.min > self.max:
            raise ValueError(f"ages: min ({self.min}) is greater than max ({self.max})")
        return self

    def overlap(self, lo: int, hi: int) -> int:
        """Number of whole years shared with ``lo..hi`` (inclusive)."""
        return max(0, min(self.max, hi) - max(self.min, lo) + 1)

    def __str__(self) -> str:
        return f"{self.min}–{self.max}"


class FactorTag(Strict):
    """A risk or protective factor (instrument scale id) the programme addresses."""

    id: str = Field(pattern=SCALE_ID)
    basis: Basis
    source: Url


class Source(Strict):
    url: Url
    checked: dt.date


class Programme(Strict):
    id: str = Field(pattern=SLUG)
    name: Text
    description: Text
    adapts: str | None = Field(default=None, pattern=SLUG, description="id of the programme this one adapts (e.g. a German version)")
    ratings: tuple[Rating, ...] = ()
    not_rated: Text | None = Field(default=None, description="instead of ratings: why no registry rating could be traced "
                                   "(what was checked); the programme is then shown as 'not rated'")
    ages: AgeRange
    settings: tuple[Setting, ...] = Field(min_length=1)
    continuum: tuple[Continuum, ...] = Field(min_length=1)
    factors: tuple[FactorTag, ...] = Field(min_length=1)
    outcomes: tuple[OutcomeGroup, ...] = Field(min_length=1)
    available_in: tuple[Country, ...] = Field(min_length=1)
    languages: tuple[Language, ...] = Field(min_length=1)
    sources: tuple[Source, ...]

    @field_validator("sources")
    @classmethod
    def _some_source(cls, value: tuple[Source, ...]) -> tuple[Source, ...]:
        if not value:
            raise ValueError("at least one source URL is required")
        return value

    @model_validator(mode="after")
    def _rated_or_said_not(self) -> Programme:
        if not self.ratings and self.not_rated is None:
            raise ValueError("ratings: at least one registry rating is required, or 'not_rated' saying why none could be traced")
        if self.ratings and self.not_rated is not None:
            raise ValueError("not_rated: a programme with ratings is rated; remove 'not_rated' or the ratings")
        return self

    @cached_property
    def factor_ids(self) -> frozenset[str]:
        return frozenset(f.id for f in self.factors)

    def factor(self, factor_id: str) -> FactorTag | None:
        return next((f for f in self.factors if f.id == factor_id), None)


class Catalogue(Strict):
    format: Literal["ctc-catalogue/1"]
    id: str = Field(pattern=SLUG)
    version: str
    title: Text
    source: Text
    instrument: str = Field(description="id of a shipped instrument, or a path; factor ids are its scale ids")
    programmes: tuple[Programme, ...] = Field(min_length=1)

    @field_validator("format", mode="before")
    @classmethod
    def _format(cls, value: Any) -> Any:
        if value != FORMAT:
            raise ValueError(f"unsupported format {value!r}; this toolkit reads {FORMAT!r}")
        return value

    @cached_property
    def by_id(self) -> dict[str, Programme]:
        return {p.id: p for p in self.programmes}

    def get(self, programme_id: str) -> Programme:
        try:
            return self.by_id[programme_id]
        except KeyError:
            raise KeyError(f"unknown programme {programme_id!r}") from None
