"""Population sizes for the finite-population correction: refused when they cannot be right.

R ``svydesign`` stops when an fpc is not constant within its stratum or implies more than
100 % sampling; ``ctc`` says which school or stratum is wrong before anything is written.
Population sizes come from ``ProfileOptions.schools_population`` / ``enrolled`` (or the
mapping roles ``@schools_population`` / ``@enrolled``), see docs/statistics.md.
"""

from __future__ import annotations

import pandas as pd

from ..errors import UsageError
from .options import ProfileOptions


def _numbers(scored: pd.DataFrame, column: str, what: str) -> pd.Series:
    values = pd.to_numeric(scored[column], errors="coerce").astype("Float64")
    bad = values.isna() | ~(values > 0)
    if bad.any():
        first = scored.index[bad.to_numpy(dtype=bool)][0]
        raise UsageError(f"the {what} column {column!r} must be a number > 0 in every row; row {first} has "
                         f"{scored.loc[first, column]!r}", "Fill in the population size for every school, or leave the column out.")
    return values.astype(float)


def _one_value(values: pd.Series, groups: pd.Series, column: str, what: str, within: str) -> pd.Series:
    """The single value of ``values`` per group; an error naming a group with two values."""
    spread = values.groupby(groups, observed=True).agg(["min", "max"])
    mixed = spread[spread["min"] != spread["max"]]
    if len(mixed):
        raise UsageError(f"the {what} column {column!r} differs within {within} {mixed.index[0]!r} "
                         f"({mixed['min'].iloc[0]:g} and {mixed['max'].iloc[0]:g})",
                         f"Give one population size per {within}.")
    return spread["min"]


def _key(*parts: pd.Series) -> pd.Series:
    text = [p.astype("string").fillna("(none)") for p in parts]
    out = text[0]
    for t in text[1:]:
        out = out + " / " + t
    return out


def check_population_sizes(scored: pd.DataFrame, options: ProfileOptions) -> None:
    """Enrolment at least the respondents of each school; schools in the population at
    least the schools surveyed in each stratum (per municipality); one value per unit."""
    cols = options.design_columns()
    if cols["strata"]:
        missing = scored[cols["strata"]].isna()
        if missing.any():
            raise UsageError(f"the stratum column {cols['strata']!r} is empty in row {scored.index[missing.to_numpy()][0]}",
                             "Give every school its stratum.")
    if cols["enrolled"] and "school" in scored.columns:
        values = _numbers(scored, cols["enrolled"], "enrolment")
        school = _key(scored["municipality"], scored["school"])
        enrolled = _one_value(values, school, cols["enrolled"], "enrolment", "school")
        surveyed = school.value_counts()
        short = enrolled[enrolled < surveyed.reindex(enrolled.index).to_numpy()]
        if len(short):
            name = short.index[0]
            raise UsageError(f"school {name!r} has {int(surveyed[name])} respondents but an enrolment of "
                             f"{short.iloc[0]:g} in {cols['enrolled']!r}: more than 100 % sampled",
                             "The enrolment is the number of students of the school (of the surveyed grades) "
                             "the questionnaires came from; correct it, or leave the column out.")
    if cols["schools_population"] and "school" in scored.columns:
        values = _numbers(scored, cols["schools_population"], "schools-in-population")
        parts = [scored["municipality"]] + ([scored[cols["strata"]]] if cols["strata"] else [])
        stratum = _key(*parts)
        population = _one_value(values, stratum, cols["schools_population"], "schools-in-population",
                                "stratum" if cols["strata"] else "municipality")
        surveyed = scored.assign(_s=stratum.to_numpy()).groupby("_s", observed=True)["school"].nunique()
        short = population[population < surveyed.reindex(population.index).to_numpy()]
        if len(short):
            name = short.index[0]
            raise UsageError(f"{name!r} has {int(surveyed[name])} surveyed schools but {short.iloc[0]:g} schools "
                             f"in the population ({cols['schools_population']!r}): more than 100 % sampled",
                             "Give the number of schools in the stratum's population, or leave the column out.")
