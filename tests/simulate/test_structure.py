"""The simulated file has the instrument's shape: columns, ids, codes, groups, weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ctc.instrument import load_instrument
from ctc.scoring import score_frame
from ctc.simulate import (
    DEFAULT_TOWNS,
    SimulationOptions,
    prepare,
    simulate,
    simulate_frame,
)


def test_columns_are_the_instruments_in_order(base_run, shipped):
    cols = shipped.columns
    meta = [cols.respondent, cols.municipality, cols.school, cols.grade, cols.gender, cols.weight, cols.wave]
    assert list(base_run.frame.columns) == meta + [i.source_column for i in shipped.items]


def test_ids_unique_and_groups_as_requested(base_run, shipped):
    df, c = base_run.frame, shipped.columns
    assert df[c.respondent].is_unique
    assert list(df[c.municipality].unique()) == list(DEFAULT_TOWNS[:4])
    assert df[c.municipality].value_counts().eq(1500).all()
    assert df.groupby(c.municipality)[c.school].nunique().eq(8).all()
    assert set(df[c.grade]) == set(shipped.grades)
    assert set(df[c.gender]) == set(shipped.genders)
    assert df[c.gender].value_counts(normalize=True)["diverse"] < 0.05
    assert (df[c.wave] == 2026).all()


def test_item_codes_within_response_sets(base_run, shipped):
    df = base_run.frame
    used_missing_code = False
    for item in shipped.items:
        rs = shipped.response_set_of(item.id)
        col = df[item.source_column]
        assert str(col.dtype) in {"Int8", "Int16", "Int32", "Int64"}
        values = set(col.dropna().astype(int))
        assert values <= set(rs.codes) | set(rs.missing), item.id
        used_missing_code |= bool(values & set(rs.missing))
    assert used_missing_code, "some unanswered items are written as the response set's missing code"
    assert df[[i.source_column for i in shipped.items]].isna().to_numpy().mean() > 0.01


def test_each_scale_has_answers_across_its_range(base_run, shipped):
    for scale in shipped.scales:
        for item_id in scale.items:
            col = base_run.frame[shipped.item_by_id[item_id].source_column]
            assert col.dropna().nunique() >= 2, item_id


def test_weights_and_enrolment(tmp_path: Path, shipped):
    opts = SimulationOptions(municipalities=("Musterstadt", "Beispielburg"), respondents=600, seed=3, weights=True)
    result = simulate(shipped, tmp_path / "w.csv", opts)
    assert result.enrolment_path == tmp_path / "w.enrolment.csv"
    enrol = pd.read_csv(result.enrolment_path)
    assert list(enrol.columns) == ["wave", "municipality", "grade", "gender", "enrolled"]
    assert len(enrol) == 2 * len(shipped.grades) * len(shipped.genders)
    df = pd.read_csv(tmp_path / "w.csv")
    c = shipped.columns
    counts = df.groupby([c.municipality, c.grade, c.gender]).agg(n=(c.weight, "size"), w=(c.weight, "sum")).reset_index()
    merged = counts.merge(enrol, on=["municipality", "grade", "gender"])
    assert len(merged) == len(counts)
    assert (merged["enrolled"] > merged["n"]).all()
    assert np.allclose(merged["w"], merged["enrolled"], rtol=1e-3)
    assert df.groupby([c.municipality, c.grade, c.gender])[c.weight].nunique().eq(1).all()
    rate = merged["n"] / merged["enrolled"]
    assert rate.between(0.5, 1.0).all() and rate.std() > 0.02


def test_no_weight_column_unless_asked(shipped):
    df = simulate_frame(shipped, SimulationOptions(municipalities=1, respondents=50, seed=1))
    assert shipped.columns.weight not in df.columns


def test_block_skips_leave_whole_sections_empty(shipped):
    opts = SimulationOptions(municipalities=1, respondents=2000, seed=4, block_skip_share=0.2, missing_share=0.0, invalid_share=0.0)
    df = simulate_frame(shipped, opts)
    family = [shipped.item_by_id[i].source_column for s in shipped.scales if s.domain == "family" for i in s.items]
    empty_block = df[family].isna() | df[family].isin([99])
    share = empty_block.all(axis=1).mean()
    assert 0.02 < share < 0.15  # 20 % skip one of the sections, family is one of several
    scored = score_frame(df, shipped)
    assert not scored["excluded"].any(), "a skipped block never makes a valid respondent invalid"


def test_mini_instrument(mini):
    """The generator is driven by the instrument: the tiny test instrument works too."""
    df = simulate_frame(mini, SimulationOptions(municipalities=2, respondents=400, seed=2))
    assert list(df.columns[:5]) == ["rid", "town", "school", "grade", "gender"]
    assert "Q_A3" in df.columns and "a3" not in df.columns
    assert set(df["gender"]) == {"f", "m"}
    assert set(df["grade"]) == {6, 8}
    scored = score_frame(df, mini)
    assert scored["excluded"].sum() == round(0.04 * 400) * 2


CUSTOM = """
format: ctc-instrument/1
id: custom
version: "1"
title: Custom
source: test
grades: [5, 7, 9]
columns: {respondent: id, municipality: gemeinde, grade: klasse}
response_sets:
  a5: {codes: {1: a, 2: b, 3: c, 4: d, 5: e}}
  yn: {codes: {0: no, 1: yes}}
  freq: {codes: {1: never, 2: once, 3: often}, missing: [-9, 99]}
items:
  - {id: x1, text: X1, response_set: a5}
  - {id: x2, text: X2, response_set: a5}
  - {id: x3, text: X3, response_set: a5}
  - {id: x4, text: X4, response_set: a5}
  - {id: y1, text: Y1, response_set: yn}
  - {id: y2, text: Y2, response_set: yn}
  - {id: y3, text: Y3, response_set: yn}
  - {id: u1, text: U1, response_set: freq}
  - {id: u2, text: U2, response_set: freq}
  - {id: u3, text: U3, response_set: freq}
  - {id: loose, text: Not used anywhere, response_set: a5}
scales:
  - {id: xs, label: X, domain: school, kind: protective, items: [x1, x2, x3, x4], reverse: [x4], method: sum, min_valid: 3, cutpoint: {5: 12, 7: 12.5, 9: 13}, direction: at_or_above}
  - {id: ys, label: Y, domain: community, kind: risk, items: [y1, y2, y3], method: mean, min_valid: 2, cutpoint: 0.5, direction: above}
outcomes:
  - {id: any_use, label: Any, group: other, rule: count_at_least, items: [u1, u2], value: 2, count: 1}
validity:
  - {id: all_high, rule: all_at_least, items: [u1, u2, u3], value: 3}
  - {id: too_many_missing, rule: missing_share_above, share: 0.4}
"""


def test_custom_instrument_without_genders_or_school(tmp_path: Path):
    path = tmp_path / "custom.yaml"
    path.write_text(CUSTOM, encoding="utf-8")
    inst = load_instrument(path)
    opts = SimulationOptions(municipalities=3, respondents=700, seed=9, invalid_share=0.05)
    df = simulate_frame(inst, opts)
    assert list(df.columns[:5]) == ["id", "gemeinde", "school", "klasse", "gender"]
    assert set(df["gender"]) == {"female", "male", "diverse"}
    assert set(df["y1"].dropna()) <= {0, 1}
    assert set(df["u1"].dropna()) <= {1, 2, 3, -9, 99}
    scored = score_frame(df, inst)
    assert scored["excluded"].sum() == 3 * round(0.05 * 700)
    assert scored["screen.all_high"].sum() > 0 and scored["screen.too_many_missing"].sum() > 0
    assert 0.1 < scored["flag.xs"].astype("Float64").mean() < 0.9


@pytest.mark.parametrize("grades", [(6,), (8, 10, 12)])
def test_grade_selection(shipped, grades):
    df = simulate_frame(shipped, SimulationOptions(municipalities=1, respondents=300, grades=grades, seed=1))
    assert set(df[shipped.columns.grade]) == set(grades)


def test_more_municipalities_than_names(shipped):
    sim = prepare(shipped, SimulationOptions(municipalities=len(DEFAULT_TOWNS) + 2, respondents=2, schools=1))
    names = sim.design.municipalities
    assert len(set(names)) == len(names) == len(DEFAULT_TOWNS) + 2
    assert names[-1] == f"{DEFAULT_TOWNS[1]} 2"
