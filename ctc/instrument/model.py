"""The instrument definition model (format ``ctc-instrument/1``).

Implements ``docs/instrument-format.md`` exactly: strict (unknown keys fail) and
immutable. Structural checks live on the models; referential checks (an item a
scale names must exist, ...) live in :mod:`ctc.instrument.checks` so they run even
when the structure is also wrong, and every problem is reported at once.

Additive extensions (documented in docs/instrument-format.md): ``columns.wave``,
top-level ``genders``, scale ``description``, ``cutpoint_source`` and ``cutpoint_derivation``, and the
outcome rule ``scale_flag``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Literal, Union

from pydantic import Field, field_validator, model_validator

from ..spec import Strict, Text

FORMAT = "ctc-instrument/1"

Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
# Instrument ids are file-name-like slugs (``ctc-youth-survey``); hyphens allowed.
InstrumentId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)]
Code = int
Number = float
Domain = Literal["community", "family", "school", "peer_individual"]
Kind = Literal["risk", "protective"]
OutcomeGroup = Literal["substance_use", "antisocial", "mental_health", "other"]


class Columns(Strict):
    respondent: str
    municipality: str
    grade: str
    school: str | None = None
    gender: str | None = None
    weight: str | None = None
    wave: str | None = None  # extension: survey wave/year column

    def present(self) -> dict[str, str]:
        """Role → column name for the roles that are set."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


class ResponseSet(Strict):
    codes: dict[Code, Text] = Field(min_length=1)
    values: dict[Code, Number] | None = None
    missing: tuple[Code, ...] = ()
    label: Text | None = None  # extension-free: a response set may carry a name

    @model_validator(mode="after")
    def _values_cover_codes(self) -> ResponseSet:
        if self.values is not None:
            lacking = sorted(set(self.codes) - set(self.values))
            if lacking:
                raise ValueError(f"'values' has no value for code(s) {lacking}; every code needs a value")
            extra = sorted(set(self.values) - set(self.codes))
            if extra:
                raise ValueError(f"'values' names code(s) {extra} that are not in 'codes'")
        both = sorted(set(self.codes) & set(self.missing))
        if both:
            raise ValueError(f"code(s) {both} are listed both as answers and as missing")
        return self

    def value_of(self, code: Code) -> Number:
        return float(self.values[code]) if self.values is not None else float(code)

    @cached_property
    def value_range(self) -> tuple[float, float]:
        vals = [self.value_of(c) for c in self.codes]
        return min(vals), max(vals)


class Item(Strict):
    id: Slug
    text: Text
    response_set: Slug
    column: str | None = None

    @property
    def source_column(self) -> str:
        return self.column or self.id


class CutpointDerivation(Strict):
    """Extension: how a cut-point was derived from a reference sample (``ctc cutpoints derive``)."""

    method: Literal["mad", "quantile", "roc"]
    parameter: Number | None = None  # k of median + k·MAD, or the share at risk of quantile
    outcomes: tuple[Slug, ...] = ()  # roc: the outcomes the cut-point was chosen against
    reference: str  # file name of the reference sample
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")  # of the reference file
    n: int | dict[int, int]  # respondents with a score (per grade when derived by grade)
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    interval: tuple[Number, Number] | dict[int, tuple[Number, Number]] | None = None  # bootstrap, 95 %
    resampled: Literal["students", "schools"] = "students"
    bootstrap: int = Field(default=0, ge=0)


class Scale(Strict):
    id: Slug
    label: Text
    domain: Domain
    kind: Kind
    items: tuple[Slug, ...] = Field(min_length=1)
    reverse: tuple[Slug, ...] = ()
    method: Literal["mean", "sum", "max"]
    min_valid: int = Field(ge=1)
    cutpoint: Number | dict[int, Number]
    direction: Literal["above", "at_or_above"]
    description: Text | None = None  # extension
    cutpoint_source: Text | None = None  # extension: provenance of the cut-point
    cutpoint_derivation: CutpointDerivation | None = None  # extension: method, sample, n, date, SHA-256

    def cutpoint_for(self, grade: int) -> float | None:
        if isinstance(self.cutpoint, Mapping):
            value = self.cutpoint.get(grade)
            return None if value is None else float(value)
        return float(self.cutpoint)


class _CodeRule(Strict):
    id: Slug
    label: Text | None = None
    items: tuple[Slug, ...] = Field(min_length=1)
    value: Code


class AnyAtLeast(_CodeRule):
    rule: Literal["any_at_least"]


class AllAtLeast(_CodeRule):
    rule: Literal["all_at_least"]


class CountAtLeast(_CodeRule):
    rule: Literal["count_at_least"]
    count: int = Field(ge=1)


class ScaleFlag(Strict):
    """Extension: an outcome that is a scale's flag (e.g. depressive symptoms)."""

    id: Slug
    label: Text | None = None
    rule: Literal["scale_flag"]
    scale: Slug


OutcomeRule = Annotated[Union[AnyAtLeast, AllAtLeast, CountAtLeast, ScaleFlag], Field(discriminator="rule")]


class _Outcome(Strict):
    group: OutcomeGroup


class AnyAtLeastOutcome(AnyAtLeast, _Outcome):
    label: Text  # outcomes are shown to board members: a label is required


class AllAtLeastOutcome(AllAtLeast, _Outcome):
    label: Text


class CountAtLeastOutcome(CountAtLeast, _Outcome):
    label: Text


class ScaleFlagOutcome(ScaleFlag, _Outcome):
    label: Text


Outcome = Annotated[
    Union[AnyAtLeastOutcome, AllAtLeastOutcome, CountAtLeastOutcome, ScaleFlagOutcome],
    Field(discriminator="rule"),
]


class RecentWithoutLifetime(Strict):
    id: Slug
    label: Text | None = None
    rule: Literal["recent_without_lifetime"]
    pairs: tuple[tuple[Slug, Slug], ...] = Field(min_length=1)
    value: Code


class MissingShareAbove(Strict):
    id: Slug
    label: Text | None = None
    rule: Literal["missing_share_above"]
    share: float = Field(ge=0, lt=1)


class GradeNotInInstrument(Strict):
    id: Slug
    label: Text | None = None
    rule: Literal["grade_not_in_instrument"]


ValidityRule = Annotated[
    Union[AnyAtLeast, AllAtLeast, CountAtLeast, RecentWithoutLifetime, MissingShareAbove, GradeNotInInstrument],
    Field(discriminator="rule"),
]

OUTCOME_RULES = ("any_at_least", "all_at_least", "count_at_least", "scale_flag")
VALIDITY_RULES = (
    "any_at_least",
    "all_at_least",
    "count_at_least",
    "recent_without_lifetime",
    "missing_share_above",
    "grade_not_in_instrument",
)


class Instrument(Strict):
    format: Literal["ctc-instrument/1"]
    id: InstrumentId
    version: str
    title: Text
    source: Text
    grades: tuple[int, ...] = Field(min_length=1)
    columns: Columns
    response_sets: dict[Slug, ResponseSet] = Field(min_length=1)
    items: tuple[Item, ...] = Field(min_length=1)
    scales: tuple[Scale, ...] = Field(min_length=1)
    outcomes: tuple[Outcome, ...] = ()
    validity: tuple[ValidityRule, ...] = ()
    genders: dict[str, Text] | None = None  # extension: data value → label

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, v: object) -> object:
        # YAML reads 2010.1 as a float; the format says string, so accept and keep the digits.
        return str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v

    # -- look-ups -----------------------------------------------------------
    @cached_property
    def item_by_id(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}

    @cached_property
    def scale_by_id(self) -> dict[str, Scale]:
        return {s.id: s for s in self.scales}

    def response_set_of(self, item_id: str) -> ResponseSet:
        return self.response_sets[self.item_by_id[item_id].response_set]

    @property
    def risk_scales(self) -> tuple[Scale, ...]:
        return tuple(s for s in self.scales if s.kind == "risk")

    @property
    def protective_scales(self) -> tuple[Scale, ...]:
        return tuple(s for s in self.scales if s.kind == "protective")

    def gender_label(self, value: str, lang: str = "en") -> str:
        if self.genders and value in self.genders:
            return self.genders[value].get(lang)
        return value
