"""The whole-file pooled rows reduced from per-municipality sums (ctc.profile.estimate.whole_file,
what both engines use) against the direct kernel on every row (``_one(..., whole=True)``) on a
simulated file with rows of no municipality: both designs, weighted and not, every lonely-PSU
rule. Counts, df and the interval method exactly; the numbers to 1e-12 relative (the sums are
added in another order: ctc.stats.reduce)."""

from __future__ import annotations

import numpy as np
import pytest

from ctc.instrument import load_instrument
from ctc.profile.cells import ALL, prepare
from ctc.profile.estimate import _one, estimate_cells, reducible, whole_file
from ctc.profile.indicators import indicators
from ctc.profile.options import ProfileOptions
from ctc.scoring import score_frame
from ctc.simulate import SimulationOptions, simulate_frame

RTOL = 1e-12
EXACT = ("n", "n_flagged", "df", "ci_method")


@pytest.fixture(scope="module")
def survey():
    inst = load_instrument()
    frame = simulate_frame(inst, SimulationOptions(municipalities=5, respondents=500, seed=11, weights=True))
    scored = score_frame(frame, inst)
    blank = np.random.default_rng(2).choice(len(scored), 30, replace=False)
    scored.loc[scored.index[blank], "municipality"] = None  # rows of no municipality: the whole file's only
    ghost = scored.index[-40:]  # a municipality whose every row is excluded: not listed, its rows in the design
    scored["municipality"] = scored["municipality"].astype(object)
    scored.loc[ghost, "municipality"], scored.loc[ghost, "excluded"] = "Ghost", True
    return inst, scored


@pytest.mark.parametrize("design", ["census", "clusters"])
@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("lonely", ["adjust", "average"])
def test_the_reduced_whole_file_rows_are_the_direct_kernels(survey, design: str, weighted: bool, lonely: str) -> None:
    inst, scored = survey
    options = ProfileOptions(design=design, lonely_psu=lonely)
    cells = prepare(scored if weighted else scored.drop(columns="weight"), indicators(inst), options)
    assert reducible(cells, options) and cells.rest() is not None and "Ghost" not in cells.munis
    labels, expected = _one(cells.rows, cells, options, whole=True)
    found_labels, found = whole_file(cells, options)
    assert found_labels.equals(labels)
    for name, value in expected.items():
        if name in EXACT or value.dtype == object:
            np.testing.assert_array_equal(found[name], value, err_msg=name)
        else:
            np.testing.assert_allclose(found[name], value, rtol=RTOL, atol=0, err_msg=name)
    # the in-process estimate's whole-file rows are these, bit for bit (the Dask engine's too)
    table = estimate_cells(cells, options)
    pooled = table[table["municipality"] == ALL]
    np.testing.assert_array_equal(pooled["se"].to_numpy(), found["se"].ravel())
    np.testing.assert_array_equal(pooled["pct"].to_numpy(), found["pct"].ravel())


def test_a_part_without_respondents_in_any_domain_adds_nothing() -> None:
    from ctc.stats import Domains
    from ctc.stats.reduce import part_sums

    domains = Domains.crossed({"g": np.array([0, 1, 0])}, include=np.zeros(3, dtype=bool))
    for psu in (None, np.array([0, 0, 1])):
        part = part_sums(np.zeros((2, 3), dtype=np.uint8), None, np.array([0, 0, 1]), psu, domains)
        assert not part.n.any() and not part.q1.any() and not part.psus.any() and part.n_strata == 2


def test_declared_design_columns_keep_the_direct_kernel(survey) -> None:
    inst, scored = survey
    options = ProfileOptions(design="census", enrolled="school_pop")
    assert not reducible(prepare(scored.assign(school_pop=1000.0), indicators(inst), options), options)
