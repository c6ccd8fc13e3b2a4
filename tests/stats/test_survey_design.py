"""Building designs and domains (ctc.stats.design, ctc.stats.domains)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ctc.errors import DataError
from ctc.stats import DesignError, Domains, SurveyDesign, school_design


def test_codes_and_df() -> None:
    design = SurveyDesign.build([1, 1, 1, 1, 1], strata=["b", "a", "a", "b", "b"], psu=[1, 1, 2, 1, 2])
    assert design.stratum.tolist() == [1, 0, 0, 1, 1]
    assert design.n_psu.tolist() == [2, 2] and design.df == 2 and design.n == 5
    assert not design.has_fpc


def test_psu_labels_are_nested_in_strata() -> None:
    design = SurveyDesign.build([1, 1, 1, 1], strata=["a", "a", "b", "b"], psu=[1, 2, 1, 2])
    assert design.n_psus == 4 and design.df == 2


def test_school_design_variants() -> None:
    w, school = np.ones(6), ["s1", "s1", "s1", "s2", "s2", "s3"]
    strata = school_design(w, school, schools="strata")
    assert (strata.n_strata, strata.n_psus, strata.df) == (3, 6, 3)
    clusters = school_design(w, school, schools="clusters")
    assert (clusters.n_strata, clusters.n_psus, clusters.df) == (1, 3, 2)
    with pytest.raises(ValueError):
        school_design(w, school, schools="classes")  # type: ignore[arg-type]


def test_lonely_psu_factors() -> None:
    adjust = school_design(np.ones(4), ["a", "a", "a", "b"], lonely_psu="adjust")
    assert adjust.scale.tolist() == [1.5, 1.0] and adjust.centre.tolist() == [1.0, 0.0]
    certainty = school_design(np.ones(4), ["a", "a", "a", "b"], lonely_psu="certainty")
    assert certainty.scale.tolist() == [1.5, 0.0]
    with pytest.raises(ValueError):
        school_design(np.ones(4), ["a", "a", "a", "b"], lonely_psu="fail")  # type: ignore[arg-type]


def test_fpc_factor() -> None:
    design = school_design(np.ones(4), ["a", "a", "a", "b"], population=[10, 10, 10, 4])
    assert design.has_fpc
    np.testing.assert_allclose(design.scale, [0.7 * 1.5, 0.75])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": [1.0, 0.0, 1.0]}, "weight"),
        ({"weights": [1.0, np.nan, 1.0]}, "weight"),
        ({"weights": [1.0, 1.0, 1.0], "strata": ["a", None, "b"]}, "strata"),
        ({"weights": [1.0, 1.0, 1.0], "psu": [1, np.nan, 2]}, "psu"),
        ({"weights": [1.0, 1.0, 1.0], "strata": ["a", "a", "b"], "fpc": [5, 6, 5]}, "differs"),
        ({"weights": [1.0, 1.0, 1.0], "strata": ["a", "a", "b"], "fpc": [1, 1, 5]}, "more sampled"),
        ({"weights": [1.0, 1.0, 1.0], "fpc": [5, np.nan, 5]}, "missing"),
    ],
)
def test_design_errors(kwargs: dict[str, object], message: str) -> None:
    weights = kwargs.pop("weights")
    with pytest.raises(DesignError, match=message) as info:
        SurveyDesign.build(weights, **kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, DataError)


def test_crossed_domains_labels_and_membership() -> None:
    grade = np.array([6, 8, 8, 6, 10])
    gender = np.array(["f", "m", None, "f", "m"], dtype=object)
    dom = Domains.crossed({"grade": grade, "gender": gender})
    assert dom.n_domains == 4 * 3
    labels = dom.labels
    assert labels.iloc[-1].tolist() == ["all", "all"]
    assert labels.iloc[0].tolist() == [6, "f"]
    member = dom.membership[dom.atom]  # respondents × domains
    all_all = labels.index[(labels["grade"] == "all") & (labels["gender"] == "all")][0]
    assert member[:, all_all].all()
    g8_all = labels.index[(labels["grade"] == 8) & (labels["gender"] == "all")][0]
    assert member[:, g8_all].tolist() == [False, True, True, False, False]
    # missing gender: in pooled-gender domains only
    assert member[2].sum() == 2


def test_crossed_keeps_categorical_levels_and_include() -> None:
    gender = pd.Categorical(["f", "f", "m"], categories=["f", "m", "d"])
    dom = Domains.crossed({"gender": gender}, include=[True, False, True], pooled=False)
    assert dom.labels["gender"].tolist() == ["f", "m", "d"]
    assert dom.atom[1] == -1


def test_from_membership_drops_the_no_domain_atom() -> None:
    member = np.array([[True, False], [False, False], [True, True], [True, False]])
    dom = Domains.from_membership(member)
    assert dom.atom[1] == -1 and dom.atom[0] == dom.atom[3] != dom.atom[2]
    np.testing.assert_array_equal(dom.membership[dom.atom[[0, 2, 3]]], member[[0, 2, 3]])
    with pytest.raises(ValueError):
        Domains.from_membership(np.ones(3, bool))


def test_from_membership_many_domains() -> None:
    rng = np.random.default_rng(1)
    member = rng.uniform(size=(50, 70)) < 0.5
    dom = Domains.from_membership(member)
    np.testing.assert_array_equal(dom.membership[dom.atom], member)


def test_crossed_without_pooling_leaves_missing_values_out() -> None:
    dom = Domains.crossed({"gender": np.array(["f", None, "m"], dtype=object)}, pooled=False)
    assert dom.atom[1] == -1 and dom.n_domains == 2
