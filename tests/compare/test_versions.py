"""Two versions of the instrument: indicators matched by id, a changed scale is "not comparable"."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ctc.compare.comparable import comparability
from ctc.instrument import load_instrument

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "instruments" / "ctc-youth-survey.yaml"


def _new_version(tmp_path: Path) -> Path:
    """Version 2027.1: family conflict's cut-point raised, one neighbourhood item reworded."""
    text = SHIPPED.read_text(encoding="utf-8")
    text = text.replace('version: "2026.1"', 'version: "2027.1"', 1)
    block = text.index("  - id: family_conflict\n")
    cut = text.index("cutpoint: 2.5", block)
    text = text[:cut] + "cutpoint: 2.75" + text[cut + len("cutpoint: 2.5"):]
    text = text.replace('text: {en: "I like my neighbourhood.", de: "Ich mag meine Nachbarschaft."}',
                        'text: {en: "I really like my neighbourhood.", de: "Ich mag meine Nachbarschaft sehr."}', 1)
    path = tmp_path / "ctc-youth-survey-2027.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_reasons_from_the_instruments(tmp_path: Path) -> None:
    old, new = load_instrument(SHIPPED), load_instrument(_new_version(tmp_path))
    reasons = comparability(old, new)
    assert reasons[("risk", "family_conflict")] == "cut-point changed (2.5 → 2.75)"
    assert reasons[("risk", "low_neighbourhood_attachment")] == "wording of item nbh_like changed"
    assert reasons[("outcome", "alcohol_30d")] == ""
    assert sum(bool(r) for r in reasons.values()) == 2
    assert not any(comparability(old, old).values())


def test_a_changed_scale_is_reported_not_comparable(per_wave_files: list[Path], tmp_path: Path, ctc) -> None:
    new = _new_version(tmp_path)
    out = tmp_path / "out"
    done = ctc("compare", per_wave_files[1], per_wave_files[2], "--waves", "2024,2026", "-i", SHIPPED, "-i", new, "-o", out)
    assert done.exit_code == 0, done.output
    table = pd.read_csv(out / "compare.csv", dtype={"grade": str, "gender": str})
    rows = table[table["indicator_id"] == "family_conflict"]
    assert (rows["verdict"] == "not-comparable").all() and (~rows["comparable"]).all()
    assert rows["diff_pp"].isna().all() and rows["p_value"].isna().all()
    assert rows["reason"].str.contains("version 2026.1 → 2027.1: cut-point changed (2.5 → 2.75)", regex=False).all()
    moved = table[table["indicator_id"] == "low_neighbourhood_attachment"]
    assert moved["reason"].str.contains("wording of item nbh_like changed").all()
    # each wave's own percentages are still published, scored with its own version
    assert rows["pct_a"].notna().any() and rows["pct_b"].notna().any()
    others = table[table["indicator_id"] == "alcohol_30d"]
    assert others["comparable"].all() and others["diff_pp"].notna().any()
