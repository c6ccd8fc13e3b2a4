"""The slide deck, opened with python-pptx: native charts of released numbers, notes on every slide."""

from __future__ import annotations

from pathlib import Path

from kitread import rows
from pptx import Presentation

from ctc.materials.strings import MESSAGES


def test_deck_has_a_native_chart_per_candidate_and_notes_on_every_slide(kit_en: Path, demo_run: Path) -> None:
    deck = Presentation(str(kit_en / "slides.pptx"))
    short = rows(demo_run / "priorities.csv", municipality="Beispielburg", shortlisted="True")
    slides = list(deck.slides)
    assert len(slides) == 4 + len(short)
    for s in slides:
        assert s.has_notes_slide and s.notes_slide.notes_text_frame.text.strip()
        assert any(MESSAGES["mark.synthetic"]["en"] in sh.text_frame.text for sh in s.shapes if sh.has_text_frame)
    charts = {s.shapes.title.text: next(sh.chart for sh in s.shapes if sh.has_chart) for s in slides
              if any(sh.has_chart for sh in s.shapes)}
    assert sorted(charts) == sorted(r["label"] for r in short)
    for r in short:
        released = {x["grade"]: x for x in rows(demo_run / "profile.csv", municipality="Beispielburg",
                                                  indicator_id=r["indicator_id"], gender="all")}
        plot = charts[r["label"]].plots[0]
        grades = list(plot.categories)
        here, base = plot.series[0].values, plot.series[1].values
        for g, v, b in zip(grades, here, base):
            cell = released["all" if g == "All grades" else g]
            assert v == (round(float(cell["pct"]), 6) if cell["pct"] else None)
            assert b == round(float(cell["baseline_pct"]), 6)


def test_german_deck(kit_de: Path) -> None:
    deck = Presentation(str(kit_de / "slides.pptx"))
    titles = [s.shapes.title.text for s in deck.slides]
    assert titles[1] == "Wer teilgenommen hat" and titles[-1] == "Nächste Schritte"
    assert "Profil der Jugendbefragung" in titles[0]
