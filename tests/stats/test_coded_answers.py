"""The estimate on answer codes (what ctc.profile.cells.prepare gives) is the estimate on
the float answers, bit for bit, whichever layout the codes come in; the t quantiles
taken once per distinct df are scipy's."""

from __future__ import annotations

import numpy as np
from scipy import stats

from ctc.stats import Domains, SurveyDesign, domain_proportions
from ctc.stats.weighted import _t_quantile, coded_domain_proportions


def test_codes_by_respondent_give_the_float_estimate_exactly() -> None:
    rng = np.random.default_rng(4)
    n, k = 600, 7
    y = (rng.random((n, k)) < 0.3).astype(np.float32)
    y[rng.random((n, k)) < 0.1] = np.nan
    codes = np.where(np.isnan(y), 2, y).astype(np.uint8)
    design = SurveyDesign.build(rng.uniform(0.5, 2.0, n), strata=rng.integers(0, 9, n))
    domains = Domains.crossed({"grade": rng.integers(0, 3, n), "gender": rng.integers(0, 2, n)},
                              include=rng.random(n) < 0.9)
    names = tuple(f"i{j}" for j in range(k))
    expected = domain_proportions(y, design, domains, indicators=names)
    for found in (coded_domain_proportions(codes, design, domains, indicators=names, by_respondent=True),
                  coded_domain_proportions(np.ascontiguousarray(codes.T), design, domains, indicators=names)):
        for field in ("n", "n_flagged", "weight_sum", "estimate", "se", "df", "ci_low", "ci_high", "ci_status"):
            np.testing.assert_array_equal(getattr(found, field), getattr(expected, field), err_msg=field)


def test_t_quantile_per_distinct_df_is_scipys() -> None:
    df = np.array([[1.0, 1.0, 4.0], [30.0, 4.0, 1e6], [2.5, 1.0, 30.0]])
    np.testing.assert_array_equal(_t_quantile(0.975, df), stats.t.ppf(0.975, df))
