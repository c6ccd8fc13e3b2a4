"""``ctc compare --cohorts`` as a user runs it: pseudo-cohorts in cohorts.csv, only published cells."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ctc.compare.cohort import COHORT_COLUMNS
from ctc.release.attack import audit_folder

DOCS = Path(__file__).resolve().parents[2] / "docs" / "compare.md"
KEYS = ["municipality", "gender", "indicator_type", "indicator_id"]


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"grade": str, "gender": str, "wave_from": str, "wave_to": str, "grade_from": str,
                                    "grade_to": str, "wave": str})


@pytest.fixture(scope="module")
def cohorts3(survey3: Path, tmp_path_factory: pytest.TempPathFactory, run_ctc) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("coh") / "out"
    done = run_ctc("compare", survey3, "-o", out, "--priorities", "family_conflict,alcohol_30d", "--cohorts")
    assert done.exit_code == 0, done.output
    return out, done.output


def test_every_wave_pair_and_grade_pair(cohorts3: tuple[Path, str]) -> None:
    out, output = cohorts3
    table = _read(out / "cohorts.csv")
    assert list(table.columns) == COHORT_COLUMNS
    pairs = set(zip(table["wave_from"], table["wave_to"], table["grade_from"], table["grade_to"]))
    # simulate writes grades 6-12 in every wave: gap 2 → g+2, gap 4 → g+4
    expected = {(a, b, str(g), str(g + int(b) - int(a))) for a, b in (("2022", "2024"), ("2024", "2026"), ("2022", "2026"))
                for g in range(6, 13) if g + int(b) - int(a) <= 12}
    assert pairs == expected
    assert (table["gap_years"] == table["wave_to"].astype(int) - table["wave_from"].astype(int)).all()
    assert set(table["municipality"]) == {"Beispielburg", "Musterstadt", "all"} and set(table["gender"]) == {"all"}
    assert "pseudo-cohorts:" in output
    manifest = json.loads((out / "manifest.json").read_text())
    assert "cohorts.csv" in manifest["outputs"] and manifest["options"]["cohorts"] is True
    shown = table[table["verdict"].isin(["better", "worse", "no-clear-change"])]
    np.testing.assert_allclose(shown["diff_pp"], shown["pct_to"] - shown["pct_from"], rtol=1e-9, atol=1e-12)
    tested = shown[shown["diff_se"] > 0]
    assert len(tested) > 0.9 * len(shown)  # the rest: 0 % in both cells, no test
    assert (tested["diff_ci_low"] < tested["diff_pp"]).all() and (tested["diff_pp"] < tested["diff_ci_high"]).all()
    pa, pb = shown["pct_from"] / 100, shown["pct_to"] / 100
    np.testing.assert_allclose(shown["cohens_h"], 2 * np.arcsin(np.sqrt(pb)) - 2 * np.arcsin(np.sqrt(pa)), rtol=1e-9)
    clear = shown[shown["q_value"] < 0.05]
    assert (clear["verdict"] != "no-clear-change").all()
    assert (shown.loc[shown["q_value"] >= 0.05, "verdict"] == "no-clear-change").all()


def test_changes_html_lists_the_clear_cohorts(cohorts3: tuple[Path, str]) -> None:
    out = cohorts3[0]
    table = _read(out / "cohorts.csv")
    own = table[table["municipality"] == "Musterstadt"]
    clear = own[own["verdict"].isin(["better", "worse"])]
    page = (out / "musterstadt" / "changes.html").read_text(encoding="utf-8")
    section = page[page.index("<h2>Pseudo-cohorts: clear changes"):page.index("<footer>")]
    assert f"clear changes ({len(clear)})</h2>" in section and f"({len(own)} comparisons" in section
    assert section.count("<tr ") == len(clear) > 0
    first = clear.sort_values("q_value", kind="stable").iloc[0]
    assert f"grade {first['grade_from']} in {first['wave_from']} → grade {first['grade_to']} in {first['wave_to']}" in section


def test_q_values_are_one_family_per_municipality(cohorts3: tuple[Path, str]) -> None:
    from ctc.stats import bh_adjust_grouped

    table = _read(cohorts3[0] / "cohorts.csv")
    q = bh_adjust_grouped(table["p_value"].to_numpy(dtype=float), table["municipality"].to_numpy())
    np.testing.assert_allclose(table["q_value"], q, rtol=1e-12, equal_nan=True)
    one = table[table["municipality"] == "Musterstadt"]
    assert one["p_value"].notna().sum() > 100  # all wave pairs and grade pairs in one family


def test_only_published_cells_and_every_wave_survives_the_audit(cohorts3: tuple[Path, str]) -> None:
    out = cohorts3[0]
    table = _read(out / "cohorts.csv")
    hidden_rows = 0
    for end in ("from", "to"):
        for wave, part in table.groupby(f"wave_{end}"):
            profile = _read(out / "waves" / wave / "profile.csv").rename(columns={"grade": f"grade_{end}"})
            merged = part.merge(profile, on=[*KEYS, f"grade_{end}"], how="left", validate="m:1")
            assert len(merged) == len(part) and merged["suppressed"].notna().all()
            hidden = merged["suppressed"].astype(bool)
            hidden_rows += int(hidden.sum())
            assert merged.loc[hidden, "diff_pp"].isna().all() and merged.loc[hidden, "q_value"].isna().all()
            assert (merged.loc[hidden, "verdict"] == "not-shown").all()
            assert merged.loc[hidden, "reason"].str.contains(f"not shown in wave {wave}|no answers").all()
            np.testing.assert_array_equal(merged.loc[~hidden, f"pct_{end}"], merged.loc[~hidden, "pct"])
            np.testing.assert_array_equal(merged.loc[~hidden, f"n_{end}"], merged.loc[~hidden, "n"])
    assert hidden_rows > 0  # the fixture has hidden cells, so the check above bites
    for wave in ("2022", "2024", "2026"):
        result = audit_folder(out / "waves" / wave)
        assert result.checked > 0 and result.exposed.empty


def test_without_cohorts_nothing_changes(cohorts3: tuple[Path, str], compared3: Path) -> None:
    out = cohorts3[0]
    assert not (compared3 / "cohorts.csv").exists()
    plain = json.loads((compared3 / "manifest.json").read_text())
    assert "cohorts" not in plain["options"] and "cohorts.csv" not in plain["outputs"]
    files = [p.relative_to(compared3) for p in compared3.rglob("*") if p.is_file() and p.name != "manifest.json"]
    assert len(files) > 5
    for rel in files:
        with_cohorts = (out / rel).read_bytes()
        if rel.name == "changes.html":  # the one addition: the cohort section before the footer
            start, end = with_cohorts.index(b"<h2>Pseudo-cohorts"), with_cohorts.index(b"<footer>")
            with_cohorts = with_cohorts[:start] + with_cohorts[end:]
        assert with_cohorts == (compared3 / rel).read_bytes(), rel


def test_no_matching_grades_is_one_error_line(survey3: Path, tmp_path: Path, run_ctc) -> None:
    data = pd.read_csv(survey3, dtype=str, keep_default_na=False)
    data = data[data["wave"] != "2024"]
    data.loc[data["wave"] == "2026", "grade"] = "6"
    path = tmp_path / "two.csv"
    data.to_csv(path, index=False)
    done = run_ctc("compare", path, "-o", tmp_path / "x", "--cohorts")
    assert done.exit_code == 1
    lines = [ln for ln in done.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: --cohorts: no pseudo-cohort can be formed"), done.output
    assert "grades per wave: 2022: 6, 7, 8, 9, 10, 11, 12; 2026: 6)" in lines[0]
    assert not (tmp_path / "x").exists()
    done = run_ctc("compare", path, "-o", tmp_path / "x", "--cohorts", "--lang", "de")
    assert done.exit_code == 1 and done.output.startswith("Fehler: --cohorts: es lässt sich keine Pseudo-Kohorte bilden"), done.output


def test_german_labels(survey3: Path, tmp_path: Path, run_ctc) -> None:
    out = tmp_path / "de"
    done = run_ctc("compare", survey3, "-o", out, "--cohorts", "--lang", "de", "--unweighted", "--design", "clusters")
    assert done.exit_code == 0, done.output
    assert "Pseudo-Kohorten:" in done.output
    assert "<h2>Pseudo-Kohorten: klare Veränderungen" in (out / "musterstadt" / "changes.html").read_text(encoding="utf-8")
    table = _read(out / "cohorts.csv")
    assert set(table["verdict_label"]) <= {"besser", "schlechter", "keine klare Veränderung", "nicht ausgewiesen",
                                           "nicht vergleichbar"}
    assert not table["weighted"].any() and set(table["design"]) == {"clusters"}


def test_documented_columns() -> None:
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("`cohorts.csv`"):]
    for col in COHORT_COLUMNS:
        assert re.search(rf"^\| `{col}` \|", section, re.M), f"column {col} of cohorts.csv is not documented"


def test_a_scale_changed_in_a_later_version_is_not_comparable_in_its_cohorts(per_wave_files: list[Path], tmp_path: Path,
                                                                            run_ctc) -> None:
    shipped = Path(__file__).resolve().parents[2] / "instruments" / "ctc-youth-survey.yaml"
    text = shipped.read_text(encoding="utf-8").replace('version: "2026.1"', 'version: "2027.1"', 1)
    block = text.index("  - id: family_conflict\n")
    cut = text.index("cutpoint: 2.5", block)
    new = tmp_path / "v2027.yaml"
    new.write_text(text[:cut] + "cutpoint: 2.75" + text[cut + len("cutpoint: 2.5"):], encoding="utf-8")
    out = tmp_path / "out"
    done = run_ctc("compare", *per_wave_files, "--waves", "2022,2024,2026", "-i", shipped, "-i", shipped, "-i", new,
                   "--cohorts", "-o", out)
    assert done.exit_code == 0, done.output
    table = _read(out / "cohorts.csv")
    rows = table[table["indicator_id"] == "family_conflict"]
    to_new = rows["wave_to"] == "2026"
    assert (rows.loc[to_new, "verdict"] == "not-comparable").all() and rows.loc[to_new, "diff_pp"].isna().all()
    assert rows.loc[to_new, "reason"].str.contains("cut-point changed (2.5 → 2.75)", regex=False).all()
    assert rows.loc[~to_new, "comparable"].all() and rows.loc[~to_new, "diff_pp"].notna().any()
