"""The board summary says every number as the tables say it, in plain words."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_reasons_numbers_are_the_tables_numbers(views, lang) -> None:
    view = views[lang]
    picks = {(k.kind, p.label): p for k in view.priorities for p in k.picks}
    assert view.board.candidates, "the shared context has candidates"
    for c in view.board.candidates:
        pick = picks[(c.kind, c.label)]
        assert (c.pct, c.baseline, c.diff) == (pick.pct, pick.baseline, pick.diff)
        assert c.pct in c.why
        if view.has_baseline:
            assert c.baseline in c.why and c.diff.lstrip("+−") in c.why


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_summary_speaks_plainly(section, lang) -> None:
    html = section("summary", lang)
    for technical in ("q (BH)", "q-value", "q-Wert", "bootstrap", "Bootstrap", "logit", "Logit", "Benjamini"):
        assert technical not in html
    if lang == "de":
        assert "Klassenstufe" not in html and "Kommune" not in html
