"""The Taylor estimate reduced from parts (ctc.stats.reduce) is the direct kernel's
(ctc.stats.domain_proportions) on all the rows: counts, df and the interval status
exactly, estimates and SEs to 1e-12 relative (the sums are added in another order), and a
variance that is 0 in exact arithmetic is 0 in both. Both designs (respondents as PSUs in
school strata; schools as PSUs in municipality strata), weighted or not, every lonely-PSU
rule, with lonely strata, empty domains and p̂ = 0 or 1 among the cells."""

from __future__ import annotations

import numpy as np
import pytest

from ctc.stats import DesignError, Domains, SurveyDesign, domain_proportions
from ctc.stats.reduce import combine, part_sums

RTOL = 1e-12


def _file(seed: int, n: int = 3000, k: int = 6):
    rng = np.random.default_rng(seed)
    part = np.sort(rng.integers(0, 7, n))  # municipalities; rows grouped by part as prepare() orders them
    school = part * 100 + rng.integers(0, 6, n)  # schools nested in parts
    stray = rng.random(n) < 0.004  # schools of about one respondent: lonely strata (census)
    school[stray] = part[stray] * 100 + 50 + rng.integers(0, 40, int(stray.sum()))
    y = (rng.random((n, k)) < rng.uniform(0.02, 0.5, k)).astype(np.float64)
    y[rng.random((n, k)) < 0.05] = np.nan
    y[part == 3, 1] = 0.0  # p̂ = 0 in a part
    grade = rng.integers(0, 3, n)
    grade[(part == 5) & (grade == 2)] = 1  # grade 2 absent from a part
    domains = Domains.crossed({"grade": grade, "gender": rng.integers(0, 2, n)}, include=rng.random(n) < 0.95)
    return rng, part, school, y, domains


def _split(values, part, axis=0):
    return [np.compress(part == p, values, axis=axis) for p in np.unique(part)]


@pytest.mark.parametrize("census", [True, False])
@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("lonely", ["adjust", "average", "certainty"])
def test_the_reduction_is_the_direct_kernel(census: bool, weighted: bool, lonely: str) -> None:
    rng, part, school, y, domains = _file(7)
    n, k = y.shape
    w = rng.uniform(0.3, 3.0, n) if weighted else np.ones(n)
    if not census:  # a municipality with a single school: a lonely stratum under clusters
        school = np.where(part == 6, 600, school)
    stratum, psu = (school, None) if census else (part, school)
    design = SurveyDesign.build(w, strata=stratum, psu=psu, lonely_psu=lonely)
    names = tuple(f"i{j}" for j in range(k))
    expected = domain_proportions(y, design, domains, indicators=names)
    codes = np.where(np.isnan(y), 2, y).astype(np.uint8)
    atoms = _split(domains.atom, part)
    parts = []
    for p, (c, a) in enumerate(zip(_split(codes, part), atoms)):
        sub = Domains(a, domains.membership, domains.labels)
        rows = part == np.unique(part)[p]
        args = (w[rows] if weighted else None, stratum[rows], None if psu is None else psu[rows], sub, lonely)
        one = part_sums(np.ascontiguousarray(c.T), *args)
        other = part_sums(c, *args, by_respondent=True)  # respondents × indicators: the same sums
        for key, value in one.__dict__.items():
            if isinstance(value, np.ndarray):
                np.testing.assert_array_equal(value, getattr(other, key), err_msg=key)
        parts.append(one)
    found = combine(parts, names, lonely)
    for field in ("n", "n_flagged", "df", "ci_status"):
        np.testing.assert_array_equal(getattr(found, field), getattr(expected, field), err_msg=field)
    for field in ("weight_sum", "estimate", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(getattr(found, field), getattr(expected, field), rtol=RTOL, atol=0, err_msg=field)
    np.testing.assert_array_equal(found.se == 0, expected.se == 0)
    assert max(p.nbytes for p in parts) < 16 * k * domains.n_domains * 8  # a few (domains × indicators) arrays


def test_a_variance_zero_in_exact_arithmetic_is_zero() -> None:
    """Flags and weights constant within every school, everybody in the domain: under census
    the (all, all) SE is 0 in exact arithmetic; rounding noise is flushed in both."""
    rng = np.random.default_rng(3)
    part = np.repeat(np.arange(4), 250)
    school = part * 10 + rng.integers(0, 5, part.size)
    y = (school % 3 == 0).astype(float)[:, None]
    w = 1.0 + (school % 7) / 3.0
    domains = Domains.crossed({"grade": rng.integers(0, 2, part.size)})
    expected = domain_proportions(y, SurveyDesign.build(w, strata=school), domains, indicators=("y",))
    codes = y.astype(np.uint8)
    parts = [part_sums(codes[part == p].T.copy(), w[part == p], school[part == p], None,
                       Domains(domains.atom[part == p], domains.membership, domains.labels)) for p in range(4)]
    found = combine(parts, ("y",))
    pooled = int(np.flatnonzero(domains.labels["grade"] == "all")[0])
    assert 0 < expected.estimate[pooled, 0] < 1 and expected.se[pooled, 0] == 0 and found.se[pooled, 0] == 0
    np.testing.assert_allclose(found.se, expected.se, rtol=RTOL, atol=0)


def test_average_with_every_stratum_lonely_is_the_designs_error() -> None:
    codes = np.zeros((1, 4), dtype=np.uint8)
    domains = Domains.crossed({"g": np.zeros(4, dtype=int)})
    parts = [part_sums(codes[:, i:i + 2], None, np.arange(i, i + 2), None, Domains(domains.atom[i:i + 2],
                       domains.membership, domains.labels), "average") for i in (0, 2)]
    with pytest.raises(DesignError, match="nothing to average"):
        SurveyDesign.build(np.ones(4), strata=np.arange(4), lonely_psu="average")
    with pytest.raises(DesignError, match="nothing to average"):
        combine(parts, ("y",), "average")
