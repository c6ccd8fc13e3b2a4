"""Names and texts from files appear literally: escaped in HTML and inside the SVG charts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from reportkit import make_context, svgs, synthetic_scored

from ctc.instrument import Instrument
from ctc.report import render_html

HOSTILE = '<script>alert(1)</script> & "Süd"'
FORMULA = "=SUM(A1)"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def hostile_pages(inst, baseline):
    scored = synthetic_scored(inst, {HOSTILE: 500, FORMULA: 400, "Other": 300}, seed=5)
    return {name: render_html(make_context(scored, inst, baseline, name, "en")) for name in (HOSTILE, FORMULA)}


def _svg_texts(html: str) -> list[str]:
    out = []
    for svg in svgs(html):
        root = ET.fromstring(svg)  # raises when a name broke the markup
        out += ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
        out.append(root.get("aria-label") or "")
    return out


def test_hostile_municipality_name_is_text_in_html(hostile_pages) -> None:
    html = hostile_pages[HOSTILE]
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Süd&#34;" in html
    assert "<title>&lt;script&gt;" in html


def test_hostile_municipality_name_is_text_in_svg(hostile_pages) -> None:
    texts = _svg_texts(hostile_pages[HOSTILE])
    assert any(HOSTILE in t for t in texts)


def test_formula_like_name_is_shown_as_written(hostile_pages) -> None:
    html = hostile_pages[FORMULA]
    assert "<h1>=SUM(A1)<span" in html
    assert any(FORMULA in t for t in _svg_texts(html))


def test_hostile_texts_from_the_instrument_file_are_escaped(inst, baseline) -> None:
    data = inst.model_dump()
    data["scales"][0]["label"] = {"en": '<img src=x onerror="alert(1)"> & $x$', "de": "<b>fett</b> & Co"}
    data["items"] = [dict(i) for i in data["items"]]
    first_item = data["scales"][0]["items"][0]
    for item in data["items"]:
        if item["id"] == first_item:
            item["text"] = {"en": "</td></tr></table><p>broken?", "de": "=HYPERLINK(\"http://x\")"}
    data["validity"][0]["label"] = {"en": '"><svg onload=alert(1)>', "de": "&amp; literal"}
    evil = Instrument.model_validate(data)
    scored = synthetic_scored(evil, {"Musterstadt": 600, "Other": 300}, seed=2)
    en = render_html(make_context(scored, evil, None, "Musterstadt", "en"))
    de = render_html(make_context(scored, evil, None, "Musterstadt", "de"))
    assert "<img" not in en and "onerror=&#34;alert(1)&#34;" in en
    assert "</td></tr></table><p>broken?" not in en and "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;p&gt;broken?" in en
    assert "<svg onload" not in en
    assert "&lt;b&gt;fett&lt;/b&gt; &amp; Co" in de and "&amp;amp; literal" in de
    assert "=HYPERLINK(&#34;http://x&#34;)" in de
    texts = _svg_texts(en)
    assert any('<img src=x onerror="alert(1)"> & $x$' in t for t in texts)  # '$' is no maths
    assert any("<b>fett</b> & Co" in t for t in _svg_texts(de))
