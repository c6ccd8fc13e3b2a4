"""Write the synthetic multi-wave survey of the compare oracle: ``python tests/oracle/make_compare.py``.

Deterministic and fully synthetic. Two municipalities, five waves (2018 … 2026), schools
that mostly take part in every wave (under ``--design clusters`` they carry across
waves) — but school s6 of m1 stops after 2022 and s7 starts in 2024 —, grades 6/8/10,
three genders plus ~3 % without a gender, unequal weights, ~3 % excluded questionnaires
(in the design, in no domain) and three binary indicators: ``y1`` common with a trend,
``y2`` moderate with ~8 % missing, ``y3`` rare with ~5 % missing. ``stratum`` groups the
schools into two strata (clusters + strata case); ``pop_schools`` is the number of
schools in the population (fpc).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261202
OUT = Path(__file__).with_name("compare_design.csv")
WAVES = (2018, 2020, 2022, 2024, 2026)


def _schools(muni: str, wave: int) -> list[str]:
    names = [f"{muni}s{k}" for k in range(1, 6)]
    if muni == "m1":
        names.append("m1s6" if wave <= 2022 else "m1s7")
    return names


def make_compare(seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    effect = {f"{m}s{k}": rng.normal(0, 0.4) for m in ("m1", "m2") for k in range(1, 8)}
    parts = []
    for muni in ("m1", "m2"):
        for wave in WAVES:
            for school in _schools(muni, wave):
                size = int(rng.integers(30, 60))
                parts.append(pd.DataFrame({"municipality": muni, "wave": wave, "school": school,
                                           "grade": rng.choice((6, 8, 10), size=size),
                                           "gender": rng.choice(["female", "male", "diverse", ""], size=size,
                                                                p=(0.48, 0.45, 0.04, 0.03))}))
    df = pd.concat(parts, ignore_index=True)
    n = len(df)
    df.insert(0, "id", np.arange(1, n + 1))
    df["weight"] = (rng.uniform(0.6, 1.8, n) * rng.lognormal(0, 0.3, n)).round(4)
    df["stratum"] = np.where(df["school"].str[-1].astype(int) <= 3, "A", "B")
    df["pop_schools"] = 12
    df["excluded"] = rng.random(n) < 0.03
    year = (df["wave"] - 2022) / 4
    school = df["school"].map(effect)
    grade = (df["grade"] - 8) / 4
    for name, base, slope, miss in (("y1", -0.6, 0.5, 0.0), ("y2", -1.7, -0.3, 0.08), ("y3", -3.4, 0.2, 0.05)):
        logit = base + slope * year + 0.3 * grade + school + 0.2 * (df["gender"] == "male")
        y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
        y[rng.random(n) < miss] = np.nan
        df[name] = y
    return df


if __name__ == "__main__":
    make_compare().to_csv(OUT, index=False)
    print(f"wrote {OUT}")
