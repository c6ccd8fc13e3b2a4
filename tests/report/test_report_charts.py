"""The SVG charts: deterministic, small, escaped, and no mark where a cell is hidden."""

from __future__ import annotations

import math
import subprocess
import sys
import xml.etree.ElementTree as ET

from ctc.report.charts import Dot, Legend, Panel, dot_chart, grade_panels, text_width

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


SVG = "{http://www.w3.org/2000/svg}"
LONG = Legend("Musterstadt with 95 % confidence interval",
              "Baseline: SYNTHETIC demo baseline: simulated reference population (ctc simulate, 20 municipalities), not real data",
              "% at risk", "Risk factors")


def _legend_texts(svg: str) -> list[str]:
    return [t for t in _texts(svg) if t not in {"", "–"}]


def test_svg_is_embeddable_and_accessible() -> None:
    for svg in (str(dot_chart(ROWS, LEGEND, "en", "t1")), str(grade_panels(PANELS, ("7", "9", "11"), LEGEND, "Grade", "en", "t2"))):
        root = ET.fromstring(svg)
        assert svg.startswith("<svg ") and root.get("role") == "img" and root.get("aria-label") == "Chart <1>"
        assert root.find(f"{SVG}title").text == "Chart <1>"
        desc = root.find(f"{SVG}desc").text
        assert 'Town <A> & "B"' in desc and "Baseline: Land & Co" in desc
        for unwanted in ("<?xml", "<!DOCTYPE", "<metadata", "<style", "font-family:", " id="):
            assert unwanted not in svg


def test_long_legend_is_wrapped_not_cut_in_both_charts() -> None:
    for svg in (str(dot_chart(ROWS, LONG, "en", "a")), str(grade_panels(PANELS, ("7", "9"), LONG, "Grade", "en", "b"))):
        text = " ".join(_legend_texts(svg))
        assert "…" not in text
        assert "simulated reference population (ctc simulate, 20 municipalities), not real data" in text
        root = ET.fromstring(svg)
        width = float(root.get("viewBox").split()[2])
        for t in root.iter(f"{SVG}text"):  # every line of the legend fits the drawing
            if t.get("text-anchor") == "start":
                assert float(t.get("x")) + text_width(t.text, float(t.get("font-size"))) <= width


def test_dot_chart_structure() -> None:
    root = ET.fromstring(str(dot_chart(ROWS, LEGEND, "en", "t1")))
    circles = root.findall(f"{SVG}circle")
    assert len(circles) == 1 + 2  # legend sample + the two shown rows (none for the hidden row)
    paths = [p for p in root.findall(f"{SVG}path")]
    baseline = [p for p in paths if p.get("stroke") == "#D55E00"]
    assert sum(p.get("d").count("M") for p in baseline) == 1 + 2  # legend + rows with a baseline (hidden row keeps its baseline)
    interval = [p for p in paths if p.get("stroke") == "#0072B2" and p.get("stroke-width") == "1.6"]
    assert sum(p.get("d").count("M") for p in interval) == 1 + 2  # legend sample + two intervals
    bold = [t.text for t in root.iter(f"{SVG}text") if t.get("font-weight") == "bold"]
    assert bold == ["Family", "Conflict <x>"]  # the heading and the strong row
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "middle"]
    assert ticks[:-1] == ["0", "10", "20", "30", "40", "50", "60", "70"] and ticks[-1] == "% at risk"


def test_grade_panels_structure() -> None:
    root = ET.fromstring(str(grade_panels(PANELS, ("7", "9", "11"), LEGEND, "Grade", "en", "t2")))
    squares = root.findall(f"{SVG}rect")
    assert len(squares) == 1 + 3  # legend + the first panel's three baselines (the second has none)
    assert all(r.get("fill") == "#ffffff" for r in squares)  # open squares: visible in black and white
    assert len(root.findall(f"{SVG}circle")) == 1 + 2 + 3  # legend + shown values (one hidden)
    dashed = [p for p in root.findall(f"{SVG}path") if p.get("stroke-dasharray")]
    assert dashed and all(p.get("stroke") == "#D55E00" for p in dashed)
    blue_lines = [p for p in root.findall(f"{SVG}path") if p.get("stroke") == "#0072B2" and p.get("stroke-width") == "1.2"]
    assert sum(p.get("d").count("M") for p in blue_lines) == 4 + 1 + 1  # whiskers (2+3-1 hidden) + lines broken at the gap
    texts = _texts(ET.tostring(root, encoding="unicode"))
    assert texts.count("7") == 2 and texts.count("11") == 2  # grade labels under each panel


def test_label_wrapping_uses_the_font_widths() -> None:
    assert text_width("iiii", 10) < text_width("MMMM", 10) and text_width("ab", 10, bold=True) > text_width("ab", 10)
    rows = [Dot("Parental attitudes favourable to antisocial behaviour and a much longer tail of words", 10.0)]
    labels = [t.text for t in ET.fromstring(str(dot_chart(rows, LEGEND, "en", "w"))).iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert len(labels) == 2 and all(text_width(x, 7.5) <= 2.8 * 72 for x in labels)


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
