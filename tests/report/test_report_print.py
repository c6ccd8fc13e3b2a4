"""The demo report as a board reads it: printed to PDF by headless Chromium (the summary
ends by page 4, the report before its codebook within 15 pages) and on screens of
1,280 px and 390 px (no element wider than the window)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from ctc.report.browser import inspect_page
from ctc.report.strings import msg

chromium = pytest.mark.external("chromium")

#: every element whose box reaches past the window, or that scrolls sideways itself
WIDER_THAN_WINDOW = """(() => {
  const w = document.documentElement.clientWidth, bad = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    const scrolls = e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible';
    if (r.width > 0 && (r.right > w + 1 || scrolls)) bad.push(e.tagName + '.' + e.className + ' ' + Math.round(r.right));
  }
  return JSON.stringify({window: w, page: document.documentElement.scrollWidth, bad: bad.slice(0, 12)});
})()"""


@pytest.fixture(scope="module")
def demo_reports(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for lang in ("en", "de"):
        folder = tmp_path_factory.mktemp(f"demo-{lang}") / "out"
        done = subprocess.run([sys.executable, "-m", "ctc", "--lang", lang, "profile", "--demo", "-o", str(folder)],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        out[lang] = folder / "musterstadt" / "report.html"
    return out


def _page_of(texts: list[str], heading: str) -> int:
    """1-based page on which ``heading`` first stands at the top of a section."""
    def flat(text: str) -> str:  # PDF text has ligatures (ﬁ) and line breaks inside headings
        return unicodedata.normalize("NFKC", text).replace(" ", "").replace("\n", "")

    return next(i + 1 for i, t in enumerate(texts) if flat(heading) in flat(t))


@chromium
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_printed_summary_ends_by_page_four_and_the_report_fits_in_fifteen_pages(demo_reports, lang) -> None:
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(inspect_page(demo_reports[lang], pdf=True, width=1280).pdf))
    texts = [p.extract_text() for p in pdf.pages]
    assert _page_of(texts, msg("section.summary", lang)) == 1
    profiles = _page_of(texts, msg("section.risk", lang))  # the factor profiles start on a new page after the summary
    assert profiles <= 5, profiles
    codebook = _page_of(texts, msg("section.codebook", lang))
    assert codebook - 1 <= 15, f"{codebook - 1} pages before the codebook"
    assert len(pdf.pages) > codebook  # the codebook is printed after everything else


@chromium
@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("lang", ["en", "de"])
def test_no_element_is_wider_than_the_window(demo_reports, lang, width) -> None:
    result = inspect_page(demo_reports[lang], width=width, full_page=False, height=900, evaluate=WIDER_THAN_WINDOW)
    found = json.loads(result.value)
    assert found["page"] <= found["window"] and not found["bad"], found
