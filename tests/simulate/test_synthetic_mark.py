"""Simulated files carry their mark wherever they travel, and a profile of one is synthetic."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from ctc.io.read import probe_survey, read_survey
from ctc.io.synthetic import SYNTHETIC_COLUMN, has_synthetic_mark


@pytest.mark.parametrize("ext", ["csv", "parquet", "xlsx", "sav"])
def test_every_format_carries_the_mark_on_every_row(run, tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"s.{ext}"
    assert run("simulate", "-o", str(path), "--municipalities", "1").exit_code == 0
    info = probe_survey(path)
    assert has_synthetic_mark(info.columns)
    _, frame = read_survey(path)
    assert (pd.to_numeric(frame[SYNTHETIC_COLUMN]) == 1).all()


def test_a_simulated_file_fed_back_in_is_recognised_and_a_real_one_is_not(run, tmp_path: Path) -> None:
    sim = tmp_path / "sim.csv"
    assert run("simulate", "-o", str(sim), "--municipalities", "1").exit_code == 0
    travelled = tmp_path / "export from the survey office.csv"  # renamed, re-saved, rows cut
    frame = pd.read_csv(sim, dtype=str, keep_default_na=False)
    frame.head(len(frame) - 10).to_csv(travelled, sep=";", index=False)
    real = tmp_path / "real.csv"
    frame.drop(columns=[SYNTHETIC_COLUMN]).to_csv(real, index=False)
    for path, expected in ((travelled, True), (real, False)):
        out = tmp_path / f"out-{expected}"
        res = run("profile", str(path), "-o", str(out), "--quiet")
        assert res.exit_code == 0, res.output
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["input"]["synthetic"] is expected
        report = next(out.glob("*/report.html")).read_text(encoding="utf-8")
        assert ("The survey data in this report are simulated" in report) is expected
