"""Simulated municipalities with known truth, for the coverage study of the profile's
intervals and the false-discovery rate of its "clearly above" rule (bench/bench_coverage.py).

A municipality has ``schools`` schools of ``n`` students each. School s has its own
prevalence p_s ~ Beta with mean ``p`` and intraclass correlation ``icc`` (beta-binomial:
icc = 1/(a + b + 1)); every student is at risk with probability p_s. The truth each
design estimates is computable:

* ``clusters`` (schools are sampled units; the community's young people beyond this
  cohort): the mean p of the school prevalences;
* ``census`` (every school took part; this year's students): the mean of the realised
  p_s over these schools (equal sizes), i.e. the expected share at risk among these
  schools' students.

Replicates are the indicator columns of one scored frame, so one call of
:func:`ctc.profile.estimate.estimate` (the code path of ``ctc profile``) estimates all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..profile.indicators import Indicator
from ..spec import Text


@dataclass(frozen=True)
class Scenario:
    schools: int
    icc: float
    p: float
    n: int  # students per school


def school_prevalences(sc: Scenario, reps: int, rng: np.random.Generator, p: np.ndarray | None = None,
                       towns: int = 1) -> np.ndarray:
    """(towns·schools × reps) p_s, town by town; ``p`` (reps,) overrides the mean per replicate."""
    mean = np.full(reps, sc.p) if p is None else np.asarray(p, dtype=float)
    if sc.icc <= 0:
        return np.broadcast_to(mean, (towns * sc.schools, reps)).copy()
    total = 1.0 / sc.icc - 1.0  # a + b
    return rng.beta(mean * total, (1 - mean) * total, size=(towns * sc.schools, reps))


def town_names(towns: int) -> list[str]:
    return ["m"] if towns == 1 else [f"m{t:02d}" for t in range(towns)]


def scored_replicates(sc: Scenario, p_s: np.ndarray, rng: np.random.Generator) -> tuple[pd.DataFrame, tuple[Indicator, ...]]:
    """A scored frame of ``p_s.shape[0] / schools`` municipalities ("m" when one, else m00, m01, …)
    with ``schools`` schools each and one risk indicator per replicate column of ``p_s``: one
    file, as a survey office hands it over, so the profile pools what it pools over the file."""
    reps = p_s.shape[1]
    towns = p_s.shape[0] // sc.schools
    school = np.repeat(np.arange(towns * sc.schools), sc.n)
    flags = rng.random((school.size, reps)) < p_s[school]
    names = np.array(town_names(towns), dtype=object)
    frame = pd.DataFrame({"municipality": pd.array(names[school // sc.schools], dtype="string"),
                          "school": pd.array([f"s{s % sc.schools}" for s in school], dtype="string"),
                          "excluded": False})
    data = pd.DataFrame(flags, columns=[f"flag.r{r}" for r in range(reps)]).astype("boolean")
    inds = tuple(Indicator("risk", f"r{r}", Text.model_validate({"en": "r", "de": "r"}), "family", f"flag.r{r}")
                 for r in range(reps))
    return pd.concat([frame, data], axis=1), inds
