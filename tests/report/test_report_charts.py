"""The SVG charts: deterministic, small, escaped, and no mark where a cell is hidden."""

from __future__ import annotations

import math
import subprocess
import sys
import xml.etree.ElementTree as ET

from ctc.report.charts import Dot, Legend, Panel, clean_svg, dot_chart, grade_panels

NAN = math.nan
LEGEND = Legend("Town <A> & \"B\"", "Baseline: Land & Co", "% at risk", "Chart <1>")
ROWS = [Dot("Family", heading=True), Dot("Conflict <x>", 30.0, 25.0, 35.5, 28.0, strong=True),
        Dot("Hidden one", base=20.0, note="not shown: too few respondents"), Dot("Attachment", 61.2, 55.0, 66.8)]
PANELS = [Panel("Conflict", (20.0, NAN, 31.0), (15.0, NAN, 26.0), (25.0, NAN, 36.0), (22.0, 24.0, 26.0)),
          Panel("Attachment", (50.0, 55.0, 60.0), (45.0, 50.0, 55.0), (55.0, 60.0, 65.0), (NAN, NAN, NAN))]


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_dot_chart_is_well_formed_and_escapes_labels() -> None:
    svg = str(dot_chart(ROWS, LEGEND, "en", "t1"))
    texts = _texts(svg)
    assert 'Town <A> & "B"' in " ".join(texts) and "Conflict <x>" in texts
    assert "30.0" in texts and "61.2" in texts  # values beside the dots
    assert 'aria-label="Chart &lt;1&gt;"' in svg
    assert len(svg) < 20_000


def test_german_chart_uses_decimal_commas() -> None:
    texts = _texts(str(dot_chart(ROWS, LEGEND, "de", "t1")))
    assert "30,0" in texts and "30.0" not in texts


def test_hidden_row_has_a_note_and_no_value() -> None:
    texts = _texts(str(dot_chart(ROWS, LEGEND, "en", "t1")))
    assert "not shown: too few respondents" in texts
    assert len([t for t in texts if t in {"30.0", "61.2"}]) == 2  # only the shown rows carry values


def test_grade_panels_leave_gaps_marked_with_a_dash() -> None:
    svg = str(grade_panels(PANELS, ("7", "9", "11"), LEGEND, "Grade", "en", "t2"))
    texts = _texts(svg)
    assert texts.count("–") == 1 and "Conflict" in texts and "Grade" in texts
    assert len(svg) < 25_000


def test_svg_is_cleaned_for_embedding() -> None:
    svg = str(dot_chart(ROWS, LEGEND, "en", "t1"))
    assert svg.startswith('<svg role="img"')
    for unwanted in ("<?xml", "<!DOCTYPE", "<metadata", "dc:date", "<style", "font-family:", 'id="figure_1"'):
        assert unwanted not in svg
    raw = '<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg xmlns="http://www.w3.org/2000/svg"><metadata>x</metadata><g id="a"><path id="b" d="M 1.234567 2"/></g><use href="#b"/></svg>'
    cleaned = clean_svg(raw, "x")
    assert 'id="a"' not in cleaned and 'id="b"' in cleaned and "1.23 " in cleaned


SCRIPT = """
import hashlib, math
from ctc.report.charts import Dot, Legend, dot_chart
rows = [Dot("A", 30.0, 25.0, 35.0, 28.0), Dot("B", math.nan, note="hidden")]
print(hashlib.sha256(str(dot_chart(rows, Legend("M", "B", "%", "c"), "en", "s")).encode()).hexdigest())
"""


def test_same_chart_gives_the_same_bytes_in_another_process() -> None:
    import hashlib

    rows = [Dot("A", 30.0, 25.0, 35.0, 28.0), Dot("B", NAN, note="hidden")]
    here = hashlib.sha256(str(dot_chart(rows, Legend("M", "B", "%", "c"), "en", "s")).encode()).hexdigest()
    there = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True).stdout.strip()
    assert here == there
