"""prepare()'s codes without a Python string per row: the same codes a Categorical of the
rows' text gives, and the answer codes encode() makes of the float answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ctc.profile.cells import _answer_codes, _category_codes, _floats
from ctc.stats._taylor import encode


@pytest.mark.filterwarnings("ignore:Constructing a Categorical")  # the expected codes, made the old way
def test_category_codes_are_those_of_a_categorical_of_the_text() -> None:
    raw = pd.Series(["b", None, "a", "zz", "a", np.nan, "b", "(none)"], dtype="str")
    levels = ["a", "b", "c"]
    expected = pd.Categorical(raw.astype("string").to_numpy(dtype=object, na_value=None), categories=levels).codes
    found = _category_codes(raw, levels)
    np.testing.assert_array_equal(found, expected)
    assert found.dtype == expected.dtype
    grades = pd.Series([7, None, 9, 12, 7], dtype="Int64")
    np.testing.assert_array_equal(_category_codes(grades, ["7", "8", "9"], whole=True), [0, -1, 2, -1, 0])
    numbers = pd.Series([1.0, 2.0, None])  # not text: matched as its text
    np.testing.assert_array_equal(_category_codes(numbers, ["1.0", "2.0"]), [0, 1, -1])


def test_answer_codes_are_encodes_codes_of_the_floats() -> None:
    flags = pd.Series(pd.array([True, False, None, True, None, False], dtype="boolean"))
    floats = _floats(flags)
    layout = type("L", (), {"order": np.arange(len(flags))})()
    np.testing.assert_array_equal(_answer_codes(flags), encode(floats[:, None], layout)[0])
    np.testing.assert_array_equal(_answer_codes(pd.Series([1.0, 0.0, np.nan])), [1, 0, 2])
