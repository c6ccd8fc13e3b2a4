"""Benjamini–Hochberg with NaN-aware families (ctc.stats.multiple)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from ctc.stats import bh_adjust, bh_adjust_grouped

pvalues = st.lists(st.one_of(st.floats(0, 1), st.just(float("nan"))), min_size=0, max_size=60)


def test_nan_stays_nan_and_does_not_count_in_m() -> None:
    p = np.array([0.01, np.nan, 0.04, 0.03, np.nan])
    q = bh_adjust(p)
    assert np.isnan(q[[1, 4]]).all()
    np.testing.assert_allclose(
        q[[0, 2, 3]], multipletests([0.01, 0.04, 0.03], method="fdr_bh")[1], rtol=1e-15
    )


def test_all_nan_and_empty() -> None:
    assert np.isnan(bh_adjust([np.nan, np.nan])).all()
    assert bh_adjust([]).shape == (0,)


def test_shape_is_kept() -> None:
    p = np.array([[0.01, 0.2], [np.nan, 0.03]])
    q = bh_adjust(p)
    assert q.shape == (2, 2)
    np.testing.assert_allclose(q.ravel(), bh_adjust(p.ravel()), rtol=0)


def test_rejects_values_outside_unit_interval() -> None:
    with pytest.raises(ValueError):
        bh_adjust([0.2, 1.5])


def test_grouped_is_bh_within_each_family() -> None:
    rng = np.random.default_rng(11)
    p = rng.uniform(size=120) ** 2
    p[rng.uniform(size=120) < 0.1] = np.nan
    family = rng.choice(["m1", "m2", "m3"], size=120)
    q = bh_adjust_grouped(p, family)
    for label in ("m1", "m2", "m3"):
        sel = family == label
        np.testing.assert_allclose(q[sel], bh_adjust(p[sel]), rtol=0, equal_nan=True)


def test_grouped_rejects_mismatched_labels() -> None:
    with pytest.raises(ValueError):
        bh_adjust_grouped([0.1, 0.2], ["a"])


@given(pvalues)
def test_q_at_least_p_and_monotone(p: list[float]) -> None:
    arr = np.array(p, dtype=float)
    q = bh_adjust(arr)
    ok = ~np.isnan(arr)
    assert (np.isnan(q) == ~ok).all()
    assert (q[ok] >= arr[ok]).all() and (q[ok] <= 1.0).all()
    order = np.argsort(arr[ok], kind="stable")
    assert (np.diff(q[ok][order]) >= 0).all()


@given(pvalues, st.lists(st.sampled_from("abc"), min_size=60, max_size=60))
def test_grouped_matches_per_family(p: list[float], labels: list[str]) -> None:
    arr = np.array(p, dtype=float)
    fam = np.array(labels[: arr.size])
    q = bh_adjust_grouped(arr, fam)
    for label in set(fam):
        sel = fam == label
        np.testing.assert_array_equal(q[sel], bh_adjust(arr[sel]))
