"""ctc.stats.weighted beyond the R oracle: an independent loop implementation of the
Taylor-linearisation formulas on random designs (PSUs that span several domains, lonely
strata, excluded respondents, overlapping domains), statsmodels' cluster-robust SE, and
the edge cases of the result flags.

Tolerance: rtol 1e-10 against the loop reference (same formulas, different summation
order; observed ≤ 1e-13).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

import ctc.stats.weighted as weighted
from ctc.stats import (
    CiStatus,
    Domains,
    LonelyPsu,
    SurveyDesign,
    domain_proportions,
    logit_interval,
    school_design,
)

RTOL = 1e-10
#: SEs many orders below their usual size (two PSUs with nearly equal totals) are exact only to
#: ~1e-13 absolute: the sums of squares are expanded, see ctc.stats.weighted
SE_ATOL = 1e-12


def reference_estimates(
    y: np.ndarray,
    w: np.ndarray,
    stratum: np.ndarray,
    psu: np.ndarray,
    member: np.ndarray,
    population: np.ndarray | None,
    lonely: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Estimate, variance and df per (domain, indicator), written as plainly as possible (R semantics)."""
    n_dom, n_ind = member.shape[1], y.shape[1]
    est, var = np.full((n_dom, n_ind), np.nan), np.full((n_dom, n_ind), np.nan)
    df = np.zeros(n_dom, dtype=int)
    strata = np.unique(stratum)
    for d in range(n_dom):
        inside = member[:, d]
        psus_in_domain = set(zip(stratum[inside], psu[inside], strict=True))
        df[d] = len(psus_in_domain) - len(set(stratum[inside]))
        for k in range(n_ind):
            use = inside & ~np.isnan(y[:, k])
            if not use.any():
                continue
            total_w = w[use].sum()
            p_hat = (w[use] * y[use, k]).sum() / total_w
            z = np.where(use, w * (np.nan_to_num(y[:, k]) - p_hat) / total_w, 0.0)
            v = 0.0
            for h in strata:
                in_h = stratum == h
                psus = np.unique(psu[in_h])
                totals = np.array([z[in_h & (psu == i)].sum() for i in psus])
                n_h = psus.size
                f = 1.0 if population is None else (population[in_h][0] - n_h) / population[in_h][0]
                if n_h > 1:
                    v += f * n_h / (n_h - 1) * ((totals - totals.mean()) ** 2).sum()
                elif lonely == "adjust":
                    v += f * totals[0] ** 2
            est[d, k], var[d, k] = p_hat, v
    return est, var, df


def random_survey(seed: int) -> dict[str, np.ndarray]:
    """Schools (strata) with classes (PSUs) of mixed grade/gender, some lonely, NaNs, exclusions."""
    rng = np.random.default_rng(seed)
    n_schools = int(rng.integers(1, 6))
    classes_per_school = rng.integers(1, 4, size=n_schools)
    rows = []
    for s in range(n_schools):
        for c in range(classes_per_school[s]):
            size = int(rng.integers(1, 12))
            rows += [(s, c)] * size
    school, klass = (np.array(v) for v in zip(*rows, strict=True))
    n = school.size
    y = (rng.uniform(size=(n, 3)) < rng.uniform(0.05, 0.7, size=3)).astype(float)
    y[rng.uniform(size=(n, 3)) < 0.15] = np.nan
    member = rng.uniform(size=(n, 5)) < rng.uniform(0.2, 0.9, size=5)
    member[:, 0] = True
    member[rng.uniform(size=n) < 0.1] = False  # excluded respondents: in no domain, PSU kept
    population = (
        np.bincount(school, weights=np.ones(n)) * 0 + classes_per_school + rng.integers(0, 5, n_schools)
    )[school]
    return {
        "y": y,
        "w": rng.uniform(0.3, 3.0, size=n),
        "school": school,
        "psu": school * 10 + klass,
        "member": member,
        "population": population.astype(float),
    }


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), lonely=st.sampled_from(["adjust", "certainty"]), fpc=st.booleans())
def test_matches_loop_reference_on_random_designs(seed: int, lonely: LonelyPsu, fpc: bool) -> None:
    s = random_survey(seed)
    population = s["population"] if fpc else None
    design = SurveyDesign.build(s["w"], strata=s["school"], psu=s["psu"], fpc=population, lonely_psu=lonely)
    res = domain_proportions(s["y"], design, Domains.from_membership(s["member"]))
    est, var, df = reference_estimates(s["y"], s["w"], s["school"], s["psu"], s["member"], population, lonely)
    np.testing.assert_allclose(res.estimate, est, rtol=RTOL, equal_nan=True)
    np.testing.assert_allclose(res.se, np.sqrt(var), rtol=RTOL, atol=SE_ATOL, equal_nan=True)
    np.testing.assert_array_equal(res.df, df)


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 3000
    school = rng.integers(0, 12, size=n)
    return pd.DataFrame(
        {
            "school": school,
            "grade": rng.choice([6, 8, 10], size=n),
            "gender": rng.choice(["f", "m", "d"], size=n, p=[0.48, 0.48, 0.04]),
            "w": rng.uniform(0.5, 2.0, size=n),
            "a": (rng.uniform(size=n) < 0.2 + 0.03 * school).astype(float),
            "b": np.where(rng.uniform(size=n) < 0.1, np.nan, (rng.uniform(size=n) < 0.4).astype(float)),
        }
    )


def test_cluster_se_equals_statsmodels_wls_cluster(survey: pd.DataFrame) -> None:
    """statistics.md §1c: intercept-only WLS with cluster-robust SE (CR1) equals the Taylor SE."""
    design = school_design(survey["w"], survey["school"], schools="clusters")
    res = domain_proportions(survey[["a"]], design, Domains.from_membership(np.ones((len(survey), 1), bool)))
    fit = sm.WLS(survey["a"], np.ones(len(survey)), weights=survey["w"]).fit(
        cov_type="cluster", cov_kwds={"groups": survey["school"]}
    )
    assert res.estimate[0, 0] == pytest.approx(fit.params.iloc[0], rel=1e-12)
    assert res.se[0, 0] == pytest.approx(fit.bse.iloc[0], rel=1e-10)


def test_overlapping_domains_do_not_interact(survey: pd.DataFrame) -> None:
    design = school_design(survey["w"], survey["school"], schools="clusters")
    crossed = domain_proportions(
        survey[["a", "b"]], design, Domains.crossed({"grade": survey["grade"], "gender": survey["gender"]})
    )
    grade8 = Domains.from_membership((survey["grade"] == 8).to_numpy()[:, None])
    alone = domain_proportions(survey[["a", "b"]], design, grade8)
    row = crossed.domains.index[(crossed.domains["grade"] == 8) & (crossed.domains["gender"] == "all")][0]
    np.testing.assert_allclose(crossed.estimate[row], alone.estimate[0], rtol=1e-13)
    np.testing.assert_allclose(crossed.se[row], alone.se[0], rtol=1e-11)
    assert crossed.df[row] == alone.df[0]


def test_chunked_indicators_give_the_same_numbers(
    survey: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    design = school_design(survey["w"], survey["school"], schools="strata")
    domains = Domains.crossed({"grade": survey["grade"]})
    whole = domain_proportions(survey[["a", "b", "a"]], design, domains)
    monkeypatch.setattr(weighted, "_CHUNK_ELEMENTS", 10)
    chunked = domain_proportions(survey[["a", "b", "a"]], design, domains)
    np.testing.assert_array_equal(whole.estimate, chunked.estimate)
    np.testing.assert_allclose(whole.se, chunked.se, rtol=1e-14)


def test_empty_and_no_df_flags(survey: pd.DataFrame) -> None:
    y = survey[["a", "b"]].copy()
    y.loc[survey["grade"] == 6, "b"] = np.nan
    design = school_design(survey["w"], survey["school"], schools="clusters")
    member = np.column_stack([survey["grade"] == 6, survey["school"] == 3, np.zeros(len(survey), bool)])
    res = domain_proportions(y, design, Domains.from_membership(member))
    assert res.ci_status[0, 1] == CiStatus.EMPTY and res.n[0, 1] == 0 and np.isnan(res.estimate[0, 1])
    assert res.ci_status[0, 0] == CiStatus.OK
    assert res.df[1] == 0 and (res.ci_status[1] == CiStatus.NO_DF).all()
    assert np.isfinite(res.estimate[1]).all() and np.isnan(res.ci_low[1]).all()
    assert (res.ci_status[2] == CiStatus.EMPTY).all() and (res.n[2] == 0).all()


def test_boundary_flag_and_exact_estimate() -> None:
    y = np.array([[0.0, 1.0], [0.0, 1.0], [0.0, np.nan], [0.0, 1.0]])
    design = SurveyDesign.build([1.0, 2.0, 3.0, 4.0])
    res = domain_proportions(y, design, Domains.from_membership(np.ones((4, 1), bool)))
    assert res.estimate.tolist() == [[0.0, 1.0]]
    assert res.se.tolist() == [[0.0, 0.0]]
    assert (res.ci_status == CiStatus.BOUNDARY).all()
    assert res.n.tolist() == [[4, 3]] and res.n_flagged.tolist() == [[0, 3]]


def test_design_df_option(survey: pd.DataFrame) -> None:
    design = school_design(survey["w"], survey["school"], schools="clusters")
    domains = Domains.from_membership((survey["school"] < 4).to_numpy()[:, None])
    by_domain = domain_proportions(survey[["a"]], design, domains)
    by_design = domain_proportions(survey[["a"]], design, domains, df="design")
    assert by_domain.df.tolist() == [3] and by_design.df.tolist() == [11]
    assert by_design.ci_low[0, 0] > by_domain.ci_low[0, 0]  # more df, narrower interval
    with pytest.raises(ValueError):
        domain_proportions(survey[["a"]], design, domains, df="psu")  # type: ignore[arg-type]


def test_census_fpc_gives_zero_variance(survey: pd.DataFrame) -> None:
    sizes = survey.groupby("school")["w"].transform("size")
    design = school_design(survey["w"], survey["school"], schools="strata", population=sizes)
    res = domain_proportions(survey[["a"]], design, Domains.crossed({"grade": survey["grade"]}))
    assert (res.se == 0.0).all()


def test_to_frame_layout(survey: pd.DataFrame) -> None:
    design = school_design(survey["w"], survey["school"])
    res = domain_proportions(
        survey[["a", "b"]], design, Domains.crossed({"grade": survey["grade"], "gender": survey["gender"]})
    )
    frame = res.to_frame()
    assert len(frame) == 16 * 2
    assert list(frame.columns) == [
        "grade",
        "gender",
        "indicator",
        "n",
        "n_flagged",
        "weight_sum",
        "estimate",
        "se",
        "df",
        "ci_low",
        "ci_high",
        "ci_status",
    ]
    assert set(frame["ci_status"].cat.categories) == {"ok", "empty", "boundary", "no_df"}
    first = frame.iloc[0]
    assert (first["grade"], first["gender"], first["indicator"]) == (6, "d", "a")
    assert first["estimate"] == res.estimate[0, 0]


def test_array_input_and_names(survey: pd.DataFrame) -> None:
    design = school_design(survey["w"], survey["school"])
    everyone = Domains.from_membership(np.ones((len(survey), 1), bool))
    assert domain_proportions(survey["a"].to_numpy(), design, everyone).indicators == ("y0",)
    named = domain_proportions(survey[["a", "b"]].to_numpy(), design, everyone, indicators=("x", "z"))
    assert named.indicators == ("x", "z")


@pytest.mark.parametrize("bad", [2.0, -1.0, 0.5])
def test_rejects_non_binary_values(survey: pd.DataFrame, bad: float) -> None:
    y = survey[["a"]].copy()
    y.iloc[5, 0] = bad
    design = school_design(survey["w"], survey["school"])
    with pytest.raises(ValueError, match="1.0, 0.0 or NaN"):
        domain_proportions(y, design, Domains.crossed({"grade": survey["grade"]}))


def test_rejects_mismatched_lengths(survey: pd.DataFrame) -> None:
    design = school_design(survey["w"], survey["school"])
    with pytest.raises(ValueError, match="rows"):
        domain_proportions(survey[["a"]].iloc[:-1], design, Domains.crossed({"grade": survey["grade"]}))


def test_logit_interval_edges() -> None:
    low, high = logit_interval(
        [0.0, 1.0, 0.3, 0.3, np.nan], [0.0, 0.0, 0.05, np.nan, 0.1], [10, 10, 0, 10, 10]
    )
    assert np.isnan(low).all() and np.isnan(high).all()
    low, high = logit_interval(0.3, 0.05, np.inf)
    assert 0.0 < low < 0.3 < high < 1.0


def test_float32_input_gives_the_same_numbers(survey: pd.DataFrame) -> None:
    design = school_design(survey["w"], survey["school"])
    domains = Domains.crossed({"grade": survey["grade"]})
    as64 = domain_proportions(survey[["a", "b"]].to_numpy(), design, domains)
    as32 = domain_proportions(survey[["a", "b"]].to_numpy(dtype=np.float32), design, domains)
    np.testing.assert_array_equal(as64.estimate, as32.estimate)
    np.testing.assert_array_equal(as64.se, as32.se)


@pytest.mark.parametrize("bad", [{"level": 1.0}, {"level": 0.0}])
def test_rejects_bad_level(survey: pd.DataFrame, bad: dict[str, float]) -> None:
    design = school_design(survey["w"], survey["school"])
    with pytest.raises(ValueError, match="level"):
        domain_proportions(survey[["a"]], design, Domains.crossed({"grade": survey["grade"]}), **bad)


def test_rejects_empty_indicator_set(survey: pd.DataFrame) -> None:
    design = school_design(survey["w"], survey["school"])
    with pytest.raises(ValueError, match="at least one indicator"):
        domain_proportions(np.zeros((len(survey), 0)), design, Domains.crossed({"grade": survey["grade"]}))
