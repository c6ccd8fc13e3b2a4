"""changes.html in a real browser (headless Chromium): no errors, no requests, prints on A4, EN and DE."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from ctc.report.browser import inspect_page

A4 = (595.0, 842.0)  # points; Chromium writes MediaBox [0 0 595 842] (±1) for A4


@pytest.fixture(scope="module")
def pages(survey3: Path, compared3: Path, tmp_path_factory: pytest.TempPathFactory, run_ctc) -> dict[str, Path]:
    de = tmp_path_factory.mktemp("de") / "out"
    done = run_ctc("compare", survey3, "-o", de, "--lang", "de", "--priorities", "family_conflict")
    assert done.exit_code == 0, done.output
    return {"en": compared3 / "musterstadt" / "changes.html", "de": de / "musterstadt" / "changes.html"}


@pytest.mark.external("chromium")
@pytest.mark.parametrize("lang", ["en", "de"])
def test_changes_page_renders_and_prints_on_a4(pages: dict[str, Path], lang: str) -> None:
    path = pages[lang]
    result = inspect_page(path, width=1200, full_page=False, height=1400, pdf=True)
    assert result.errors == []
    assert result.requests == [path.resolve().as_uri()]  # self-contained
    assert result.height > 3000  # every factor with its chart, laid out
    pdf = result.pdf
    assert pdf.startswith(b"%PDF")
    boxes = {tuple(round(float(v)) for v in m.groups()) for m in
             re.finditer(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)}
    assert boxes and all(abs(w - A4[0]) <= 1 and abs(h - A4[1]) <= 1 for w, h in boxes), boxes
    text = path.read_text(encoding="utf-8")
    first = "Die Prioritäten des Gremiums" if lang == "de" else "The board's priorities"
    assert text.index(html.escape(first)) < text.index("<svg")  # the priorities come first
    assert text.count("<svg") >= 60


@pytest.mark.external("chromium")
def test_the_cohort_section_renders_and_prints_on_a4(survey3: Path, tmp_path: Path, run_ctc) -> None:
    out = tmp_path / "out"
    done = run_ctc("compare", survey3, "-o", out, "--lang", "de", "--cohorts")
    assert done.exit_code == 0, done.output
    path = out / "musterstadt" / "changes.html"
    assert "<h2>Pseudo-Kohorten: klare Veränderungen" in path.read_text(encoding="utf-8")
    result = inspect_page(path, width=1200, full_page=False, height=1400, pdf=True)
    assert result.errors == [] and result.requests == [path.resolve().as_uri()]
    boxes = {tuple(round(float(v)) for v in m.groups()) for m in
             re.finditer(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", result.pdf)}
    assert boxes and all(abs(w - A4[0]) <= 1 and abs(h - A4[1]) <= 1 for w, h in boxes), boxes
