"""Write the synthetic survey used as the R oracle's input: ``python tests/oracle/make_design.py``.

Deterministic (fixed seed) and fully synthetic — no licensed data. Two
municipalities with six schools each, grades 6/8/10, three genders, unequal weights
and three binary indicators:

* ``y1`` common (~35 %), varying by school, no missing values;
* ``y2`` moderate (~15 %) with ~8 % missing; every grade-10 "diverse" respondent of
  municipality m1 has ``y2 = 1`` (a domain with p̂ = 1);
* ``y3`` rare (~3 %) with ~5 % missing, so several cells are all zero (p̂ = 0).

School ``m1s6`` has a single respondent: a stratum with one PSU ("lonely PSU") when
schools are strata. Some schools teach only some grades, so a grade's domain df is
smaller than the design df when schools are clusters. ``school_pop`` is the school's
enrolment (fpc when schools are strata); ``pop_schools`` the number of schools in the
municipality's population (fpc when schools are clusters).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240611
OUT = Path(__file__).with_name("design.csv")
GRADES = (6, 8, 10)
GENDERS = ("female", "male", "diverse")


def _school_rows(rng: np.random.Generator, muni: str, k: int) -> pd.DataFrame:
    school = f"{muni}s{k}"
    if school == "m1s6":
        return pd.DataFrame({"school": [school], "grade": [8], "gender": ["female"]})
    grades = {"m1s1": (6, 8), "m2s2": (10,), "m2s4": (8, 10)}.get(school, GRADES)
    size = int(rng.integers(35, 75))
    return pd.DataFrame(
        {
            "school": school,
            "grade": rng.choice(grades, size=size),
            "gender": rng.choice(GENDERS, size=size, p=(0.49, 0.45, 0.06)),
        }
    )


def make_design(seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = [
        _school_rows(rng, muni, k).assign(municipality=muni) for muni in ("m1", "m2") for k in range(1, 7)
    ]
    df = pd.concat(parts, ignore_index=True)
    n = len(df)
    school_effect = df["school"].map(
        dict(zip(df["school"].unique(), rng.normal(0.0, 0.5, df["school"].nunique()), strict=True))
    )
    cell_weight = rng.uniform(0.6, 1.8, size=n).round(1)
    df["weight"] = (cell_weight * rng.lognormal(0.0, 0.3, size=n)).round(4)
    df["school_pop"] = df["school"].map(
        dict(zip(df["school"].unique(), rng.integers(80, 400, df["school"].nunique()), strict=True))
    )
    df.loc[df["school"] == "m1s6", "school_pop"] = 40
    df["pop_schools"] = 10
    grade_effect = (df["grade"] - 8) * 0.15
    p1 = 1.0 / (1.0 + np.exp(-(-0.6 + school_effect + grade_effect)))
    df["y1"] = (rng.uniform(size=n) < p1).astype(float)
    df["y2"] = (rng.uniform(size=n) < 0.15 + 0.05 * (df["grade"] == 10)).astype(float)
    df.loc[rng.uniform(size=n) < 0.08, "y2"] = np.nan
    df.loc[(df["municipality"] == "m1") & (df["grade"] == 10) & (df["gender"] == "diverse"), "y2"] = 1.0
    df["y3"] = (rng.uniform(size=n) < 0.03).astype(float)
    df.loc[rng.uniform(size=n) < 0.05, "y3"] = np.nan
    df.loc[df["school"] == "m1s6", ["y1", "y2", "y3"]] = [1.0, 0.0, 1.0]
    df.insert(0, "id", np.arange(1, n + 1))
    return df[
        [
            "id",
            "municipality",
            "school",
            "grade",
            "gender",
            "weight",
            "school_pop",
            "pop_schools",
            "y1",
            "y2",
            "y3",
        ]
    ]


if __name__ == "__main__":
    make_design().to_csv(OUT, index=False, na_rep="NA")
    print(f"wrote {OUT}")
