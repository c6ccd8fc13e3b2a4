"""The whole-file rows: municipalities as strata, built from the municipalities' sums
(ctc.compare.aggregate.combine) — equal to the whole file estimated as one design."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ctc.compare.aggregate import aggregate, combine
from ctc.compare.difference import difference
from ctc.compare.trend import trend
from ctc.profile.options import ProfileOptions

ORACLE = Path(__file__).resolve().parents[1] / "oracle"


def _whole(frame: pd.DataFrame, options: ProfileOptions) -> tuple[pd.DataFrame, ProfileOptions]:
    """The whole file as one design written out: schools of their municipality, municipalities as strata."""
    out = frame.assign(school=frame["municipality"] + "/" + frame["school"])
    if options.design == "census":
        return out, options
    strata = out["municipality"] + ("/" + out[options.strata] if options.strata else "")
    return out.assign(whole_stratum=strata), replace(options, strata="whole_stratum")


@pytest.mark.parametrize("options", [ProfileOptions(design="census"), ProfileOptions(design="clusters"),
                                     ProfileOptions(design="clusters", strata="stratum", schools_population="pop_schools"),
                                     ProfileOptions(design="census", lonely_psu="average")])
def test_combined_municipalities_equal_the_whole_file(options: ProfileOptions) -> None:
    data = pd.read_csv(ORACLE / "compare_design.csv", keep_default_na=False, na_values=["NA", ""])
    data = data.assign(wave=data["wave"].astype(str), gender=data["gender"].astype("string"), excluded=data["excluded"].astype(bool))
    waves = ("2022", "2024", "2026")
    data = data[data["wave"].isin(waves)].reset_index(drop=True)
    levels = {"grades": ["6", "8", "10"], "genders": ["diverse", "female", "male"]}
    y = data[["y1", "y2", "y3"]].to_numpy(dtype=float)
    parts = []
    for muni in ("m1", "m2"):
        rows = (data["municipality"] == muni).to_numpy()
        parts.append(aggregate(data[rows], y[rows], waves, options, weighted=True, **levels))
    combined = combine(parts)
    frame, opts = _whole(data, options)
    direct = aggregate(frame, y, waves, opts, weighted=True, **levels)
    for grade, gender in ((None, None), ("8", None), (None, "female")):
        a, b = difference(combined, combined.cells(grade, gender), 0, 2), difference(direct, direct.cells(grade, gender), 0, 2)
        for name in ("diff", "se", "df", "p_value"):
            np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-10, err_msg=name)
        adjust = tuple(r for r, v in (("grade", grade), ("gender", gender)) if v is None)
        ta = trend(combined, combined.cells(grade, gender), [2022.0, 2024.0, 2026.0], adjust)
        tb = trend(direct, direct.cells(grade, gender), [2022.0, 2024.0, 2026.0], adjust)
        for name in ("linear", "linear_se", "quadratic_p", "df"):
            np.testing.assert_allclose(getattr(ta, name), getattr(tb, name), rtol=1e-8, err_msg=name)
