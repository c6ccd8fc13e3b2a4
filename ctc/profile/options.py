"""Settings of a profile run; every value is recorded in the manifest."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, replace
from typing import Literal


@dataclass(frozen=True)
class SuppressionRules:
    """Small-group rules (docs/privacy.md).

    min_n: a percentage is shown only when at least this many respondents have an answer.
    all_or_none_n: below this n, a 0 % or 100 % result is hidden (it would state something
        about every member of the group).
    protection: a hidden sensitive count must not be narrowed to less than
        max(1, ⌈protection·n⌉) above and below its value (docs/privacy.md).
    min_count: screening counts from 1 to min_count-1 are hidden too.
    """

    min_n: int = 20
    all_or_none_n: int = 50
    protection: float = 0.10
    min_count: int = 5

    def __post_init__(self) -> None:
        if self.min_n < 1 or self.all_or_none_n < 0 or not 0 <= self.protection < 1 or self.min_count < 0:
            raise ValueError("min_n must be >= 1, all_or_none_n >= 0, 0 <= protection < 1, min_count >= 0")


@dataclass(frozen=True)
class ProfileOptions:
    suppression: SuppressionRules = SuppressionRules()
    level: float = 0.95
    # The survey design (docs/statistics.md, "The two designs"), used weighted or not:
    # "census" = every school of the municipality took part; schools are strata and the
    #   estimate is about this year's students (the default: the usual CTC survey);
    # "clusters" = schools are PSUs; the estimate is about the community's young people
    #   beyond this cohort (between-school variation counts).
    design: Literal["census", "clusters"] = "census"
    lonely_psu: Literal["adjust", "average", "certainty"] = "adjust"
    # columns of the scored frame that carry further design information (None = not given)
    strata: str | None = None  # clusters: strata of the school sample
    schools_population: str | None = None  # clusters: schools in the stratum's population (stage-1 fpc)
    enrolled: str | None = None  # enrolled students of the respondent's school (census fpc / stage-2 fpc)
    alpha: float = 0.05  # for "clearly above/below" (BH q-value)
    bootstrap: int = 200  # resamples for the stability of the shortlist
    seed: int = 20261122
    top_risk: int = 5  # at most this many; fewer when fewer factors qualify
    top_protective: int = 3
    # without a baseline a factor qualifies by its level: risk above, protection below
    # these percentages (provisional cut-points decide what these levels mean)
    risk_level: float = 30.0
    protective_level: float = 50.0
    lang: str = "en"
    country: str | None = None  # ISO 3166-1 alpha-2 code the programme suggestions are ranked for (None: from lang/instrument)
    wave: str | None = None  # the wave to profile (None: the only or the latest one)
    unweighted: bool = False  # ignore the weight column
    calibration: str | None = None  # calibration model of a `ctc weights` output: calibration-aware SEs (docs/weights.md)
    workers: int = field(default_factory=lambda: max(1, min(4, len(os.sched_getaffinity(0)))))  # render processes

    def __post_init__(self) -> None:
        if self.design not in ("census", "clusters"):
            raise ValueError(f"design must be 'census' or 'clusters', got {self.design!r}")
        if self.lonely_psu not in ("adjust", "average", "certainty"):
            raise ValueError(f"lonely_psu must be 'adjust', 'average' or 'certainty', got {self.lonely_psu!r}")

    def design_columns(self) -> dict[str, str | None]:
        return {"strata": self.strata, "schools_population": self.schools_population, "enrolled": self.enrolled}

    def with_design_roles(self, columns) -> ProfileOptions:
        """These options with the design columns a mapping provided (roles ``stratum``,
        ``schools_population``, ``enrolled`` of ctc.io.mapping) where none was given."""
        given = {"strata": "stratum", "schools_population": "schools_population", "enrolled": "enrolled"}
        found = {name: role for name, role in given.items() if role in columns and getattr(self, name) is None}
        return replace(self, **found) if found else self

    def to_dict(self) -> dict[str, object]:
        return asdict(self)
