"""The shortlist bootstrap: replicate counts resample what the design samples, the resampled
percentages are those of the resampled rows, and a municipality's shares are its own."""

from __future__ import annotations

import numpy as np
import pytest

from ctc.instrument import load_instrument
from ctc.profile.cells import design as cell_design
from ctc.profile.cells import prepare
from ctc.profile.compute import profile_tables
from ctc.profile.indicators import indicators
from ctc.profile.options import ProfileOptions
from ctc.profile.priorities import bootstrap_pct, municipality_rng, replicate_counts
from ctc.scoring import score_frame
from ctc.simulate import SimulationOptions, simulate_frame
from ctc.stats import SurveyDesign


def _design() -> SurveyDesign:
    # three strata with 2, 5 and 40 PSUs of 3 respondents each, in shuffled row order
    stratum = np.repeat([0, 0, 1, 1, 1, 1, 1, *[2] * 40], 3)
    psu = np.repeat(np.arange(47), 3)
    perm = np.random.default_rng(1).permutation(stratum.size)
    return SurveyDesign.build(np.ones(stratum.size), strata=stratum[perm], psu=psu[perm])


def test_counts_are_a_multinomial_within_every_stratum() -> None:
    design = _design()
    counts = replicate_counts(design, 20_000, np.random.default_rng(7))
    for h, n_h in enumerate(design.n_psu):
        in_h = counts[:, design.psu_stratum == h]
        assert (in_h.sum(axis=1) == n_h).all()  # every resample draws n_h PSUs of the stratum
        # Multinomial(n_h, 1/n_h): mean 1, variance 1 - 1/n_h, covariance -1/n_h (5 standard errors)
        se = np.sqrt(2.0 / counts.shape[0])
        assert np.abs(in_h.mean(axis=0) - 1).max() < 5 * np.sqrt((1 - 1 / n_h) / counts.shape[0])
        assert abs(in_h.var(axis=0).mean() - (1 - 1 / n_h)) < 5 * se
        cov = np.cov(in_h[:, 0], in_h[:, 1])[0, 1]
        assert abs(cov + 1 / n_h) < 5 * se


def test_resampled_percentages_are_those_of_the_resampled_rows() -> None:
    inst = load_instrument()
    frame = simulate_frame(inst, SimulationOptions(municipalities=("A",), respondents=300, seed=3, weights=True))
    scored = score_frame(frame, inst)
    options = ProfileOptions(design="clusters")
    cells = prepare(scored, indicators(inst), options)
    rows = cells.municipality("A")
    rows = rows.take(rows.include)
    design = cell_design(rows, options, whole=False)
    pct = bootstrap_pct(rows, design, 5, np.random.default_rng(11))
    counts = replicate_counts(design, 5, np.random.default_rng(11))  # the same stream: the same resamples
    for b in range(5):
        times = counts[b][design.psu]  # each respondent counts as often as its school was drawn
        y = rows.floats().astype(float)
        answered = ~np.isnan(y)
        w = (design.weights * times)[:, None]
        expected = 100 * (w * np.where(answered, y, 0)).sum(axis=0) / (w * answered).sum(axis=0)
        np.testing.assert_allclose(pct[b], expected, rtol=1e-12)


@pytest.fixture(scope="module")
def three_towns():
    inst = load_instrument()
    frame = simulate_frame(inst, SimulationOptions(municipalities=("Musterstadt", "Beispielburg", "Exampleton"),
                                                  respondents=400, seed=5))
    return inst, score_frame(frame, inst)


def test_a_municipality_gets_the_same_shares_alone_or_with_others(three_towns) -> None:
    inst, scored = three_towns
    options = ProfileOptions(bootstrap=50)
    together = profile_tables(scored, inst, None, options).priorities
    alone = profile_tables(scored[scored["municipality"] == "Exampleton"], inst, None, options).priorities
    mine = together[together["municipality"] == "Exampleton"].reset_index(drop=True)
    assert mine["top_share"].notna().any()
    np.testing.assert_array_equal(mine["top_share"].to_numpy(), alone["top_share"].to_numpy())
    assert (mine["indicator_id"].to_numpy() == alone["indicator_id"].to_numpy()).all()


def test_the_seed_decides_the_shares(three_towns) -> None:
    inst, scored = three_towns
    shares = [profile_tables(scored, inst, None, ProfileOptions(bootstrap=50, seed=s)).priorities["top_share"].to_numpy()
              for s in (1, 1, 2)]
    np.testing.assert_array_equal(shares[0], shares[1])
    assert not np.array_equal(shares[0], shares[2], equal_nan=True)
    assert municipality_rng(1, "A").random() != municipality_rng(1, "B").random()
