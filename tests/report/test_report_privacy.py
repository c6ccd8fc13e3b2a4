"""No number of a hidden (suppressed) cell reaches the page; hidden cells show a dash and why."""

from __future__ import annotations

import re

import numpy as np
import pytest
from reportkit import make_context, number_tokens, synthetic_scored, visible_text

from ctc.i18n import number
from ctc.profile.estimate import estimate
from ctc.profile.indicators import indicators
from ctc.report import build_view, render_section, render_view
from ctc.report.frame import ALL

SMALL = "Kleinhausen"


@pytest.fixture(scope="module")
def small(inst, baseline):
    # ~17 respondents per grade: grade cells fall under min_n = 20, the pooled ones do not
    scored = synthetic_scored(inst, {"Musterstadt": 700, "Beispielburg": 500, SMALL: 120}, seed=11)
    out = {}
    for lang in ("en", "de"):
        ctx = make_context(scored, inst, baseline, SMALL, lang)
        view = build_view(ctx)
        out[lang] = (ctx, view, render_view(view))
    return scored, out


def _fmt(values, lang: str) -> set[str]:
    return {number(v, lang, 1) for v in values if np.isfinite(v)}


def _shown_tokens(ctx, lang: str) -> set[str]:
    """Every number the page may legitimately show (formatted like the page does)."""
    t = ctx.table[~ctx.table["suppressed"]]
    cols = ["pct", "ci_low", "ci_high", "baseline_pct", "diff_pp", "diff_ci_low", "diff_ci_high"]
    shown = set().union(*(_fmt(t[c].to_numpy(dtype=float), lang) for c in cols))
    shown |= _fmt(ctx.table["baseline_pct"].to_numpy(dtype=float), lang)  # baselines are public
    shown |= {number(-v, lang, 1) for v in t["diff_pp"].dropna()}
    for reason in ctx.priorities["reason"]:  # reasons are built from shown cells by ctc.profile
        shown |= number_tokens(reason)
    return shown


@pytest.mark.parametrize("lang", ["en", "de"])
def test_no_number_of_a_hidden_cell_appears(inst, small, lang) -> None:
    scored, out = small
    ctx, view, html = out[lang]
    raw = estimate(scored, indicators(inst), ctx.options)  # the same table before suppression
    keys = ["municipality", "grade", "gender", "indicator_type", "indicator_id"]
    raw = ctx.table[keys].astype(str).merge(raw.assign(**{k: raw[k].astype(str) for k in keys}), on=keys, how="left")
    hidden = ctx.table["suppressed"].to_numpy()
    assert hidden.sum() > 50, "the scenario should hide many cells"
    secret = set().union(*(_fmt(raw.loc[hidden, c].to_numpy(dtype=float), lang) for c in ("pct", "ci_low", "ci_high")))
    # values that also belong to a shown cell cannot be told apart; the rest must be absent
    candidates = secret - _shown_tokens(ctx, lang) - number_tokens(render_section(ctx, "participation", view)) \
        - number_tokens(render_section(ctx, "methods", view))
    assert len(candidates) >= 20, "the test would prove nothing"
    page = number_tokens(visible_text(html))
    assert sorted(candidates & page) == []


def test_hidden_cells_are_dashes_with_a_reason(small) -> None:
    _, out = small
    ctx, view, _ = out["en"]
    html = render_section(ctx, "risk", view)
    t = ctx.table
    rows = t[(t["indicator_type"] == "risk") & (t["gender"].astype(str) == ALL) & t["suppressed"]
             & (t["suppression_reason"] != "empty")]
    assert len(rows) > 0
    cells = re.findall(r'<td class="num hidden[^"]*" title="([^"]*)"><span aria-label="[^"]*">–</span></td>', html)
    assert len(cells) == len(rows)
    assert set(cells) == {"not shown to protect privacy"}  # one public reason: the real one would leak bounds
    assert "–: not shown to protect privacy" in html


def test_hidden_grades_are_gaps_in_the_chart_marked_with_a_dash(small) -> None:
    _, out = small
    ctx, view, _ = out["de"]
    svg = str(view.risk.by_grade)
    assert svg.count(">–</text>") > 0
    assert "nicht ausgewiesen" in render_section(ctx, "risk", view)


def test_a_hidden_pooled_factor_has_no_dot_and_says_why(inst, baseline) -> None:
    # a municipality below min_n altogether: every pooled cell hidden, nothing to rank
    scored = synthetic_scored(inst, {"Musterstadt": 600, "Beispielburg": 400, SMALL: 15}, seed=3)
    ctx = make_context(scored, inst, baseline, SMALL, "en")
    view = build_view(ctx)
    t = ctx.table
    assert (t["suppressed"] | (t["suppression_reason"] == "empty")).all()
    assert t.loc[(t["grade"].astype(str) == "all") & (t["gender"].astype(str) == "all"), "suppressed"].all()
    svg = str(view.risk.overview)
    assert svg.count("not shown to protect privacy") == len(ctx.instrument.risk_scales)
    html = render_view(view)
    text = visible_text(html)
    assert "No risk factor is proposed" in text and "too few respondents" in text
    assert not any(p.stability != "–" for k in view.priorities for p in k.picks)


def test_gender_section_shows_what_the_protection_allows(small) -> None:
    _, out = small
    for lang in ("en", "de"):
        ctx, view, _ = out[lang]
        html = render_section(ctx, "gender", view)
        t = ctx.table
        rows = t[(t["grade"].astype(str) == ALL) & (t["gender"].astype(str) != ALL) & t["indicator_type"].isin(["risk", "protective"])]
        shown = rows[~rows["suppressed"]]
        assert view.gender.shown == len(shown) and view.gender.total == len(rows)
        assert len(shown) > 0 and len(rows) - len(shown) > 0  # the scenario has both
        for r in shown.itertuples():
            assert number(r.pct, lang, 1) in html
        assert len(re.findall(r'class="num hidden[ "]', html)) == len(rows) - len(shown)
