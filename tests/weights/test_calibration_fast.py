"""The profile's fast calibrated variance (segment sums) equals the direct computation
(influence values → calibrated_scores → score_variance) on random designs: census,
clusters with strata, two stages, every lonely-PSU rule, the three calibration methods."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ctc.stats import Domains, SurveyDesign, domain_proportions
from ctc.stats.calibration import Calibration, calibrated_domain_variance, calibrated_scores, score_variance


def _data(seed: int):  # noqa: ANN202
    rng = np.random.default_rng(seed)
    n = 400
    school = rng.integers(0, 9, size=n)
    school[:3] = 9  # a small school
    grade = rng.integers(6, 9, size=n)
    gender = rng.integers(0, 2, size=n)
    w0 = rng.uniform(0.5, 2.0, size=n)
    y = (rng.random((n, 3)) < [0.2, 0.5, 0.05]).astype(float)
    y[rng.random((n, 3)) < 0.1] = np.nan
    include = rng.random(n) > 0.05
    return school, grade, gender, w0, y, include


def _direct(y, design, domains, est, cal):  # noqa: ANN001, ANN202
    var = np.zeros(est.estimate.shape)
    for d in range(est.estimate.shape[0]):
        inside = np.zeros(y.shape[0], dtype=bool)
        rows = domains.atom >= 0
        inside[rows] = domains.membership[domains.atom[rows], d]
        for k in range(y.shape[1]):
            mask = inside & ~np.isnan(y[:, k])
            x = np.where(mask, design.weights * (np.nan_to_num(y[:, k]) - np.nan_to_num(est.estimate[d, k]))
                         / max(est.weight_sum[d, k], 1e-300), 0.0)
            var[d, k] = score_variance(calibrated_scores(x, cal), design)[0]
    return var


@pytest.mark.parametrize("method", ["poststratify", "rake", "calibrate"])
@pytest.mark.parametrize("case", ["census", "clusters", "two-stage", "lonely-certainty"])
def test_fast_equals_direct(method: str, case: str) -> None:
    school, grade, gender, w0, y, include = _data(hash((method, case)) % 1000)
    g = 1.0 + 0.3 * np.sin(grade + 2 * gender)  # any calibrated weights: the residuals do not care how they came
    w = w0 * g
    if case == "census":
        design = SurveyDesign.build(w, strata=school)
    elif case == "clusters":
        design = SurveyDesign.build(w, strata=school % 3, psu=school)
    elif case == "two-stage":
        design = SurveyDesign.build(w, psu=school, fpc=np.full(w.size, 30.0), fpc2=np.full(w.size, 200.0))
    else:
        design = SurveyDesign.build(w, strata=np.where(school == 9, 9, school % 2), psu=school, lonely_psu="certainty")
    domains = Domains.crossed({"grade": pd.Categorical(grade), "gender": pd.Categorical(gender)}, include=include)
    est = domain_proportions(y, design, domains)
    margins = ((grade - 6) * 2 + gender,) if method == "poststratify" else (grade - 6, gender)
    cal = Calibration(method, tuple(np.asarray(m, dtype=np.intp) for m in margins), w, w0)
    fast = calibrated_domain_variance(y, design, domains, est, cal)
    direct = _direct(y, design, domains, est, cal)
    np.testing.assert_allclose(fast, direct, rtol=1e-9, atol=1e-15)
    assert not np.allclose(fast, est.se**2, rtol=1e-3)  # calibration changes the variance
