"""A gender value the instrument does not know ("x", "unknown") is a data problem, not a
published category.

Before the release step (ctc/release) this failed: such a value becomes its own gender in profile.csv (a group of a
handful of children, hidden or not, beside female/male/diverse).
"""

from __future__ import annotations

import pandas as pd

from published import ctc

KNOWN = {"female", "male", "diverse", "all"}  # the instrument's genders and the pooled level


def test_unknown_gender_is_not_a_published_category(demo, tmp_path):
    survey = pd.read_csv(demo.survey, dtype=str, keep_default_na=False)
    survey.loc[survey.index[:5], "gender"] = "x"
    survey.loc[survey.index[5:8], "gender"] = "unknown"
    path = tmp_path / "odd-gender.csv"
    survey.to_csv(path, index=False)
    out = tmp_path / "out"
    ctc("profile", path, "-o", out, "--bootstrap", 0, "-q")
    profile = pd.read_csv(out / "profile.csv", dtype=str, keep_default_na=False)
    assert set(profile["gender"]) <= KNOWN, sorted(set(profile["gender"]) - KNOWN)
    # reported as a data problem instead (the check report names the gender column)
    checks = pd.read_csv(out / "checks.csv", dtype=str, keep_default_na=False)
    assert checks.apply(lambda r: "gender" in " ".join(r).lower(), axis=1).any(), checks.to_string()
