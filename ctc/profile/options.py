"""Settings of a profile run; every value is recorded in the manifest."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Literal


@dataclass(frozen=True)
class SuppressionRules:
    """Small-group rules (docs/privacy.md).

    min_n: a percentage is shown only when at least this many respondents have an answer.
    all_or_none_n: below this n, a 0 % or 100 % result is hidden (it would state something
        about every member of the group).
    secondary: hide further cells so a hidden one cannot be recovered by subtraction
        from its total and its siblings.
    """

    min_n: int = 20
    all_or_none_n: int = 50
    secondary: bool = True

    def __post_init__(self) -> None:
        if self.min_n < 1 or self.all_or_none_n < 0:
            raise ValueError("min_n must be >= 1 and all_or_none_n >= 0")


@dataclass(frozen=True)
class ProfileOptions:
    suppression: SuppressionRules = SuppressionRules()
    level: float = 0.95
    schools: Literal["strata", "clusters"] = "strata"  # design when weights are present
    alpha: float = 0.05  # for "clearly above/below" (BH q-value)
    bootstrap: int = 200  # resamples for the stability of the shortlist
    seed: int = 20261122
    top_risk: int = 5
    top_protective: int = 3
    lang: str = "en"
    wave: str | None = None  # the wave to profile (None: the only or the latest one)
    unweighted: bool = False  # ignore the weight column
    workers: int = field(default_factory=lambda: max(1, min(4, len(os.sched_getaffinity(0)))))  # render processes

    def to_dict(self) -> dict[str, object]:
        return asdict(self)
