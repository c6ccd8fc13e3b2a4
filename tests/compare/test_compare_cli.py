"""``ctc compare`` as a user runs it: simulated waves on disk, the CLI, the files it writes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ctc.compare.tables import COMPARE_COLUMNS, EXPORT_COLUMNS, TREND_COLUMNS
from ctc.release.attack import audit_folder

DOCS = Path(__file__).resolve().parents[2] / "docs" / "compare.md"


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"grade": str, "gender": str, "wave_a": str, "wave_b": str, "wave": str})


def _pooled(frame: pd.DataFrame, muni: str, ind: str) -> pd.Series:
    rows = frame[(frame["municipality"] == muni) & (frame["grade"] == "all") & (frame["gender"] == "all")
                 & (frame["indicator_id"] == ind)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_outputs_and_the_planted_change(compared3: Path) -> None:
    names = {p.relative_to(compared3).as_posix() for p in compared3.rglob("*") if p.is_file()}
    assert {"compare.csv", "trends.csv", "evaluator.csv", "manifest.json", "musterstadt/changes.html",
            "waves/2022/profile.csv", "waves/2026/profile.csv"} <= names
    compare = _read(compared3 / "compare.csv")
    assert list(compare.columns) == COMPARE_COLUMNS
    assert set(compare["wave_a"]) == {"2024"} and set(compare["wave_b"]) == {"2026"}
    planted = _pooled(compare, "Musterstadt", "family_conflict")
    assert planted["verdict"] == "better" and planted["diff_pp"] < -8
    assert planted["diff_ci_low"] < planted["diff_pp"] < planted["diff_ci_high"] < 0
    assert planted["q_value"] < 0.05 and planted["risk_ratio"] < 1 and planted["cohens_h"] < 0
    assert planted["reason"].startswith("down by")
    np.testing.assert_allclose(planted["diff_pp"], planted["pct_b"] - planted["pct_a"], rtol=1e-9)
    pa, pb = planted["pct_a"] / 100, planted["pct_b"] / 100
    np.testing.assert_allclose(planted["risk_ratio"], pb / pa, rtol=1e-9)
    np.testing.assert_allclose(planted["odds_ratio"], (pb / (1 - pb)) / (pa / (1 - pa)), rtol=1e-9)
    np.testing.assert_allclose(planted["cohens_h"], 2 * np.arcsin(np.sqrt(pb)) - 2 * np.arcsin(np.sqrt(pa)), rtol=1e-9)
    trends = _read(compared3 / "trends.csv")
    assert list(trends.columns) == TREND_COLUMNS
    assert _pooled(trends, "Musterstadt", "family_conflict")["trend"] in ("decreasing", "changed direction")
    export = _read(compared3 / "evaluator.csv")
    assert list(export.columns) == EXPORT_COLUMNS and set(export["wave"]) == {"2022", "2024", "2026"}
    manifest = json.loads((compared3 / "manifest.json").read_text())
    assert manifest["waves"] == ["2022", "2024", "2026"] and manifest["compared"] == {"from": "2024", "to": "2026"}


def test_only_what_the_waves_publish_and_each_wave_survives_the_audit(compared3: Path) -> None:
    compare = _read(compared3 / "compare.csv")
    for wave, suffix in (("2024", "a"), ("2026", "b")):
        wave_table = _read(compared3 / "waves" / wave / "profile.csv")
        merged = compare.merge(wave_table, on=["municipality", "grade", "gender", "indicator_type", "indicator_id"])
        assert len(merged) == len(compare)
        hidden = merged["suppressed"]
        assert merged.loc[hidden, f"pct_{suffix}"].isna().all() and merged.loc[hidden, "diff_pp"].isna().all()
        np.testing.assert_array_equal(merged.loc[~hidden, f"pct_{suffix}"], merged.loc[~hidden, "pct"])
        assert (merged.loc[hidden, "verdict"] != "better").all()
    for wave in ("2022", "2024", "2026"):
        result = audit_folder(compared3 / "waves" / wave)
        assert result.checked > 0 and result.exposed.empty
    export = _read(compared3 / "evaluator.csv")
    assert export.loc[export["suppressed"], ["n", "estimate_pct", "se_pp"]].isna().all().all()


def test_documented_columns(compared3: Path) -> None:
    text = DOCS.read_text(encoding="utf-8")
    for col in {*COMPARE_COLUMNS, *TREND_COLUMNS, *EXPORT_COLUMNS}:
        assert re.search(rf"^\| `{col}` \|", text, re.M), f"column {col} is not documented in docs/compare.md"


def test_one_file_per_wave_gives_the_same_numbers(compared3: Path, per_wave_files: list[Path], tmp_path: Path, ctc) -> None:
    out = tmp_path / "split"
    done = ctc("compare", *per_wave_files, "--waves", "2022,2024,2026", "-o", out)
    assert done.exit_code == 0, done.output
    a, b = _read(compared3 / "compare.csv"), _read(out / "compare.csv")
    pd.testing.assert_frame_equal(a.drop(columns=[]), b)


def test_german(survey3: Path, tmp_path: Path, ctc) -> None:
    out = tmp_path / "de"
    done = ctc("compare", survey3, "-o", out, "--lang", "de", "--from", "2022", "--to", "2026")
    assert done.exit_code == 0, done.output
    assert "Wellen" in done.output
    planted = _pooled(_read(out / "compare.csv"), "Musterstadt", "family_conflict")
    assert planted["verdict"] == "better" and planted["verdict_label"] == "besser" and "gesunken" in planted["reason"]
    assert planted["wave_a"] == "2022"
    html = (out / "musterstadt" / "changes.html").read_text(encoding="utf-8")
    assert 'lang="de"' in html and "Was besser geworden ist" in html


@pytest.mark.parametrize(("extra", "message"), [
    (["--waves", "2022,2024"], "--waves names 2 waves for 1 files"),
    (["--waves", "2022"], "has a wave column (waves 2022, 2024, 2026), so --waves cannot apply"),
    (["--from", "2026", "--to", "2024"], "is not earlier than"),
    (["--to", "2030"], "--to 2030 is not one of the waves"),
    (["--design", "clusters", "-i", "ctc-youth-survey", "-i", "ctc-youth-survey"], "2 instruments for 1 files"),
])
def test_bad_options_are_one_error_line(survey3: Path, tmp_path: Path, extra: list[str], message: str, ctc) -> None:
    done = ctc("compare", survey3, "-o", tmp_path / "x", *extra)
    assert done.exit_code != 0
    lines = [ln for ln in done.output.splitlines() if ln.strip()]
    assert lines[0].startswith("Error:") and message in lines[0], done.output
    assert not (tmp_path / "x").exists()


def test_one_wave_or_no_wave_column_is_refused(per_wave_files: list[Path], tmp_path: Path, ctc) -> None:
    done = ctc("compare", per_wave_files[0], "-o", tmp_path / "x")
    assert done.exit_code != 0 and "has no wave column" in done.output and done.output.startswith("Error:")
    done = ctc("compare", per_wave_files[0], "--waves", "2022", "-o", tmp_path / "x")
    assert done.exit_code != 0 and "nothing to compare" in done.output
    done = ctc("compare", per_wave_files[0], per_wave_files[1], "--waves", "2022,2022", "-o", tmp_path / "x")
    assert done.exit_code != 0 and "wave 2022 is in" in done.output
    assert not (tmp_path / "x").exists()


def test_an_existing_folder_is_not_replaced(compared3: Path, survey3: Path, ctc) -> None:
    before = (compared3 / "compare.csv").read_bytes()
    done = ctc("compare", survey3, "-o", compared3)
    assert done.exit_code != 0 and done.output.startswith("Error:") and "--force" in done.output
    assert (compared3 / "compare.csv").read_bytes() == before


def test_clusters_unweighted(survey3: Path, compared3: Path, tmp_path: Path, ctc) -> None:
    out = tmp_path / "clusters"
    done = ctc("compare", survey3, "-o", out, "--design", "clusters", "--unweighted", "--from", "2022")
    assert done.exit_code == 0, done.output
    table = _read(out / "compare.csv")
    assert set(table["design"]) == {"clusters"} and not table["weighted"].any()
    census = _read(compared3 / "compare.csv")
    a, b = _pooled(table, "Musterstadt", "alcohol_30d"), _pooled(census, "Musterstadt", "alcohol_30d")
    # two schools per town: too few clusters for an interval or a test (as the profile), the change is still shown
    assert a["wave_a"] == "2022" and np.isfinite(a["diff_pp"]) and np.isnan(a["diff_se"]) and b["df"] > 100
    assert a["verdict"] == "no-clear-change" and "too few schools" in a["reason"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["options"]["design"] == "clusters" and manifest["options"]["weighted"] is False
