"""Every printed item of a kit, opened with pypdf: sizes, page counts, fonts, words and numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from kitread import A3, A4, fonts_embedded, one, pages, rows, size, text

from ctc.instrument import load_instrument
from ctc.materials import build_materials
from ctc.materials.strings import MESSAGES

N_SCALES = len(load_instrument().scales)
POSTER_OUTCOMES = ("alcohol_30d", "binge_2wk", "ecig_30d", "cigarettes_30d", "marijuana_30d")
LANDSCAPE = (A4[1], A4[0])


def _shortlisted(run: Path, municipality: str) -> list[dict[str, str]]:
    return rows(run / "priorities.csv", municipality=municipality, shortlisted="True")


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_item_has_its_pages_and_paper(lang: str, kit_en: Path, kit_de: Path, demo_run: Path) -> None:
    """German texts are longer: an item keeps its number of pages in both languages."""
    kit_en = kit_en if lang == "en" else kit_de
    n_posters = len(_shortlisted(demo_run, "Beispielburg" if lang == "en" else "Musterstadt")) + len(POSTER_OUTCOMES)
    expected = {"board-summary.pdf": (2, A4), "fact-sheets.pdf": (N_SCALES, A4), "exercise-blank.pdf": (2, LANDSCAPE),
                "exercise-key.pdf": (2, LANDSCAPE), "reading-guide.pdf": (1, A4), "data-walk-posters-a3.pdf": (n_posters, A3),
                "trainer-guide-board.pdf": (1, A4), "trainer-guide-assessment.pdf": (1, A4), "trainer-guide-planning.pdf": (1, A4)}
    assert sorted(p.name for p in kit_en.glob("*.pdf")) == sorted(expected)
    for name, (count, paper) in expected.items():
        got = pages(kit_en / name)
        assert len(got) == count, name
        assert {size(p) for p in got} == {paper}, name


def test_every_font_is_embedded(kit_en: Path) -> None:
    for pdf in kit_en.glob("*.pdf"):
        for page in pages(pdf):
            found = fonts_embedded(page)
            assert found and all(ok for _, ok in found), (pdf.name, found)
            assert all("DejaVu" in name for name, _ in found)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_synthetic_mark_on_every_page_of_a_demo_kit(lang: str, kit_en: Path, kit_de: Path) -> None:
    kit = kit_en if lang == "en" else kit_de
    mark = " ".join(MESSAGES["mark.synthetic"][lang].split())
    for pdf in kit.glob("*.pdf"):
        for i, page in enumerate(pages(pdf)):
            assert mark in text(page), (pdf.name, i)


def test_board_summary_headings_and_numbers_in_english(kit_en: Path, demo_run: Path) -> None:
    body = " ".join(text(p) for p in pages(kit_en / "board-summary.pdf"))
    for heading in ("Board summary", "Who took part", "Candidates for priorities", "What happens next", "All factors at a glance"):
        assert heading in body
    short = _shortlisted(demo_run, "Beispielburg")
    assert short
    for r in short:
        assert r["label"] in body
        assert one(r["pct"], "en") in body and one(r["baseline_pct"], "en") in body


def test_german_kit_speaks_german_with_decimal_commas(kit_de: Path, demo_run: Path) -> None:
    body = " ".join(text(p) for p in pages(kit_de / "board-summary.pdf"))
    assert "Zusammenfassung für das Gebietsteam" in body and "Wie es weitergeht" in body
    assert "Board summary" not in body
    for r in _shortlisted(demo_run, "Musterstadt"):
        assert one(r["pct"], "de") in body
    facts = pages(kit_de / "fact-sheets.pdf")
    assert "Was der Faktor misst" in text(facts[0]) and "Die Fragen dahinter" in text(facts[0])
    guide = text(pages(kit_de / "trainer-guide-planning.pdf")[0])
    assert "Ablauf mit Zeiten" in guide and "Gesamt:" in guide


def test_fact_sheet_shows_the_questions_and_the_released_numbers_by_grade(kit_en: Path, demo_run: Path) -> None:
    inst = load_instrument()
    scale = inst.scales[0]
    page = text(pages(kit_en / "fact-sheets.pdf")[0])
    assert scale.label.get("en") in page
    items = {i.id: i for i in inst.items}
    for item in scale.items:
        assert " ".join(items[item].text.get("en").split())[:40] in page
    for r in rows(demo_run / "profile.csv", municipality="Beispielburg", indicator_id=scale.id, gender="all"):
        assert one(r["pct"], "en") in page and one(r["baseline_pct"], "en") in page


def test_every_number_on_a_fact_sheet_is_a_released_number(kit_en: Path, demo_run: Path) -> None:
    """No second copy of the numbers: each decimal printed is a released value (rounded)."""
    import re

    released: set[str] = set()
    for r in rows(demo_run / "profile.csv", municipality="Beispielburg"):
        for col in ("pct", "ci_low", "ci_high", "baseline_pct", "diff_pp"):
            if r[col]:
                released.add(f"{abs(float(r[col])):.1f}")
    for page in pages(kit_en / "fact-sheets.pdf"):
        body = text(page)
        body = body[body.index("against the baseline"):]  # the chart and table part
        printed = set(re.findall(r"\d+\.\d", body.split("What it is known")[0]))
        assert printed and printed <= released, printed - released


def test_a_hidden_cell_is_a_dash_and_its_number_appears_nowhere(run_copy: Path, tmp_path: Path) -> None:
    path = run_copy / "profile.csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, table = reader.fieldnames, list(reader)
    target = next(r for r in table if r["municipality"] == "Beispielburg" and r["indicator_id"] == "low_neighbourhood_attachment"
                  and r["grade"] == "12" and r["gender"] == "all")
    secret = one(target["pct"], "en")
    for col in ("n", "n_flagged", "pct", "ci_low", "ci_high", "diff_pp", "p_value", "q_value", "diff_ci_low", "diff_ci_high", "se"):
        target[col] = ""
    target["suppressed"], target["suppression_reason"] = "True", "protected"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(table)
    build_materials(run_copy, tmp_path / "m", municipalities=["Beispielburg"], lang="en", kits=["assessment"])
    kit = tmp_path / "m" / "beispielburg" / "en"
    sheet = text(pages(kit / "fact-sheets.pdf")[0])
    assert "Low neighbourhood attachment" in sheet
    assert secret not in sheet
    grade_row = sheet[sheet.index("Grade 6 7 8"):]
    assert grade_row.split("% at risk")[1].split()[6] == "–"  # grade 12 is the 7th column
    for page in pages(kit / "data-walk-posters-a3.pdf"):
        if "Low neighbourhood attachment" in text(page):
            assert secret not in text(page)


def test_a_real_run_carries_no_synthetic_mark(run_copy: Path, tmp_path: Path) -> None:
    import json

    manifest = json.loads((run_copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["input"]["synthetic"] = False
    manifest["baseline"]["synthetic"] = False
    (run_copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    build_materials(run_copy, tmp_path / "m", municipalities=["Exampleton"], lang="en", kits=["board"])
    body = text(pages(tmp_path / "m" / "exampleton" / "en" / "board-summary.pdf")[0])
    assert "Board summary" in body and "FOR TRAINING ONLY" not in body


def test_a_rerun_gives_the_same_bytes(demo_run: Path, kit_en: Path, tmp_path: Path) -> None:
    build_materials(demo_run, tmp_path / "again", municipalities=["Beispielburg"], lang="en")
    again = tmp_path / "again" / "beispielburg" / "en"
    names = sorted(p.name for p in kit_en.iterdir())
    assert names == sorted(p.name for p in again.iterdir()) and "slides.pptx" in names
    for name in names:
        assert (kit_en / name).read_bytes() == (again / name).read_bytes(), name
