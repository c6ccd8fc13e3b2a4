"""csvsafe writes float columns with Python's repr: the very text pandas' own to_csv
writes for them (numpy's astype(str)), so the tables are byte-identical."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ctc.release.csvsafe import neutralise, write_csv


def test_float_text_is_that_of_pandas() -> None:
    rng = np.random.default_rng(2)
    special = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e16, 9999999999999998.0, 1e-5, 1e-4, 0.1, 1414.0,
               5e-324, 1.7976931348623157e308, 32.915103721684815]
    values = np.concatenate([special, rng.integers(0, 2**63, 4000, dtype=np.uint64).view(np.float64),
                             rng.random(2000) * 100, rng.random(500) * 1e-7])
    values = values[~np.isnan(values) | (np.arange(values.size) < len(special))]
    frame = pd.DataFrame({"a": values, "b": values[::-1].copy(), "t": ["=x", "y"] * (values.size // 2) + ["z"] * (values.size % 2),
                          "n": np.arange(values.size), "f": np.full(values.size, np.nan)})
    assert write_csv(frame) == neutralise(frame).to_csv(index=False)
    assert write_csv(frame, lineterminator="\n") == neutralise(frame).to_csv(index=False, lineterminator="\n")
    # options that change how floats are written go to pandas as given
    assert write_csv(frame, float_format="%.3f") == neutralise(frame).to_csv(index=False, float_format="%.3f")
    assert write_csv(frame, decimal=",", sep=";") == neutralise(frame).to_csv(index=False, decimal=",", sep=";")
