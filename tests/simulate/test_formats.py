"""Each format reads back with its types and labels; the toolkit's reader reads them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ctc.errors import OutputError
from ctc.io.survey_write import open_writer, write_survey
from ctc.io.synthetic import SYNTHETIC_COLUMN
from ctc.simulate import SimulationOptions, simulate, simulate_frame

OPTS = SimulationOptions(municipalities=("Musterstadt", "Übungsheim"), respondents=60, seed=6, weights=True)


@pytest.fixture(scope="module")
def frame(shipped) -> pd.DataFrame:
    return simulate_frame(shipped, OPTS)


def _written(frame: pd.DataFrame) -> pd.DataFrame:
    """What ``simulate`` writes: the frame and the synthetic-data mark on every row."""
    return frame.assign(**{SYNTHETIC_COLUMN: 1})


def test_parquet_round_trip_keeps_types(tmp_path: Path, shipped, frame):
    simulate(shipped, tmp_path / "s.parquet", OPTS)
    back = pd.read_parquet(tmp_path / "s.parquet")
    pd.testing.assert_frame_equal(back, _written(frame), check_dtype=False)
    assert str(back["nbh_like"].dtype) == "Int8"
    assert back[shipped.columns.grade].dtype == np.int64


def test_sav_has_labels_and_missing_codes(tmp_path: Path, shipped, frame):
    pyreadstat = pytest.importorskip("pyreadstat")
    simulate(shipped, tmp_path / "s.sav", OPTS)
    data, meta = pyreadstat.read_sav(tmp_path / "s.sav", user_missing=True)
    assert list(data.columns) == list(_written(frame).columns)
    labels = dict(zip(meta.column_names, meta.column_labels))
    item = shipped.items[0]
    assert labels[item.source_column] == str(item.text)
    assert labels[shipped.columns.municipality] == "Municipality"
    codes = meta.variable_value_labels[item.source_column]
    rs = shipped.response_set_of(item.id)
    assert {int(k): v for k, v in codes.items() if k not in rs.missing} == {c: str(t) for c, t in rs.codes.items()}
    assert meta.variable_value_labels[shipped.columns.gender] == {"female": "Female", "male": "Male", "diverse": "Diverse"}
    assert meta.missing_ranges[item.source_column] == [{"lo": 99.0, "hi": 99.0}]
    assert meta.variable_measure[item.source_column] == "ordinal"
    assert meta.variable_measure[shipped.columns.weight] == "scale"
    expected = frame[item.source_column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    np.testing.assert_array_equal(data[item.source_column].to_numpy(), expected)
    assert list(data[shipped.columns.municipality].unique()) == ["Musterstadt", "Übungsheim"]


def test_xlsx_types_and_labels(tmp_path: Path, shipped, frame):
    from openpyxl import load_workbook

    simulate(shipped, tmp_path / "s.xlsx", OPTS)
    wb = load_workbook(tmp_path / "s.xlsx", read_only=True)
    assert wb.sheetnames == ["data", "labels"]
    rows = list(wb["data"].iter_rows(values_only=True))
    assert list(rows[0]) == list(_written(frame).columns)
    assert len(rows) == len(frame) + 1
    col = list(frame.columns).index("nbh_like")
    values = [r[col] for r in rows[1:]]
    assert all(v is None or type(v) is int for v in values)
    assert [v for v in values] == [None if pd.isna(v) else int(v) for v in frame["nbh_like"]]
    assert isinstance(rows[1][list(frame.columns).index(shipped.columns.weight)], float | int)
    labels = list(wb["labels"].iter_rows(values_only=True))
    assert labels[0] == ("column", "label", "code", "code_label")
    assert ("nbh_like", None, 1, "NO!") in labels


def test_german_excel_csv(tmp_path: Path, shipped, frame):
    from dataclasses import replace

    simulate(shipped, tmp_path / "de.csv", replace(OPTS, csv_sep=";", csv_encoding="cp1252"))
    raw = (tmp_path / "de.csv").read_bytes()
    text = raw.decode("cp1252")
    assert "Übungsheim" in text and b"\xdcbungsheim" in raw
    header, first = text.split("\n")[:2]
    assert header.split(";")[:3] == [shipped.columns.respondent, shipped.columns.municipality, shipped.columns.school]
    weight = first.split(";")[list(frame.columns).index(shipped.columns.weight)]
    assert "," in weight and "." not in weight  # decimal comma
    back = pd.read_csv(tmp_path / "de.csv", sep=";", encoding="cp1252", decimal=",")
    assert np.allclose(back[shipped.columns.weight], frame[shipped.columns.weight])


def test_encoding_that_cannot_hold_a_name(tmp_path: Path, shipped):
    from dataclasses import replace

    with pytest.raises(OutputError, match="ascii"):
        simulate(shipped, tmp_path / "x.csv", replace(OPTS, csv_encoding="ascii"))
    assert not (tmp_path / "x.csv").exists()


def test_toolkit_reader_reads_every_format(tmp_path: Path, shipped, frame):
    read = pytest.importorskip("ctc.io.read")
    from ctc.scoring import score_frame

    expected = score_frame(frame, shipped)["excluded"].sum()
    assert expected > 0
    for suffix in (".csv", ".parquet", ".xlsx", ".sav"):
        write_survey(frame, tmp_path / f"s{suffix}", shipped)
        _, back = read.read_survey(tmp_path / f"s{suffix}")
        assert len(back) == len(frame), suffix
        assert score_frame(back, shipped)["excluded"].sum() == expected, suffix


def test_unknown_extension(tmp_path: Path, shipped):
    with pytest.raises(OutputError, match=r"\.json"):
        simulate(shipped, tmp_path / "s.json", OPTS)


def test_xlsx_row_limit(tmp_path: Path, shipped, frame, monkeypatch):
    import ctc.io.survey_write as sw
    import ctc.simulate.run as run

    monkeypatch.setattr(sw, "EXCEL_MAX_ROWS", 100)
    with pytest.raises(OutputError, match="at most 99"):
        write_survey(frame, tmp_path / "big.xlsx", shipped)
    assert not (tmp_path / "big.xlsx").exists()
    monkeypatch.setattr(run, "EXCEL_MAX_ROWS", 100)
    with pytest.raises(OutputError, match="do not fit"):
        simulate(shipped, tmp_path / "big.xlsx", OPTS)


def test_failed_write_leaves_no_file(tmp_path: Path, shipped, frame):
    with pytest.raises(RuntimeError):
        with open_writer(tmp_path / "half.parquet", shipped) as writer:
            writer.write(frame.iloc[:10])
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []
