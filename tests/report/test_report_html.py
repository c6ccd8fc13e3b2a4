"""The HTML report: sections in both languages, self-contained, deterministic, well-formed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pandas as pd
import pytest
from reportkit import number_tokens, svgs, visible_text

from ctc.i18n import number
from ctc.report import SECTIONS, render_html, render_section
from ctc.report.frame import ALL

HEADINGS = {
    "en": ["Participation and screening", "Priority candidates", "Risk factor profile", "Protective factor profile",
           "Problem behaviours", "Methods", "Data quality"],
    "de": ["Beteiligung und Prüfung der Fragebögen", "Kandidaten für Prioritäten", "Profil der Risikofaktoren",
           "Profil der Schutzfaktoren", "Problemverhalten", "Methoden", "Datenqualität"],
}


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_section_is_there_with_its_heading_in_the_language(pages, lang) -> None:
    html = pages[lang]
    assert html.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in html
    for section_id, heading in zip(("participation", "priorities", "risk", "protective", "outcomes", "methods", "quality"),
                                   HEADINGS[lang]):
        assert re.search(rf'<section class="major[^"]*" id="{section_id}"', html), section_id
        assert f"{heading}</h2>" in html  # appendices read "Appendix A: …"
    other = HEADINGS["de" if lang == "en" else "en"]
    assert not any(f"{h}</h2>" in html for h in other if h not in HEADINGS[lang])


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_board_summary_comes_first_and_the_codebook_last(pages, lang) -> None:
    html = pages[lang]
    order = [html.index(f'id="{x}"') for x in ("summary", "risk", "protective", "outcomes", "appendix", "priorities",
                                                "methods", "quality", "codebook")]
    assert order == sorted(order)


def test_german_numbers_use_decimal_commas(contexts, section) -> None:
    ctx = contexts["de"]
    row = ctx.table[(ctx.table["indicator_type"] == "risk") & (ctx.table["grade"].astype(str) == ALL)
                    & (ctx.table["gender"].astype(str) == ALL) & ~ctx.table["suppressed"]].iloc[0]
    risk = visible_text(section("risk", "de"))
    german, english = number(row["pct"], "de", 1), number(row["pct"], "en", 1)
    assert "," in german and german in risk
    assert english not in number_tokens(risk)
    tokens = number_tokens(risk)
    assert not [t for t in tokens if re.fullmatch(r"\d+\.\d", t)], "an English decimal point in the German profile"


def test_header_names_survey_date_baseline_and_warns_about_synthetic_data(section) -> None:
    en, de = section("header", "en"), section("header", "de")
    assert "Musterstadt" in en and "Communities That Care Youth Survey, version 2026.1" in en
    assert "2026-11-22" in en and "22.11.2026" in de
    assert "Synthetic Land survey 2025" in en and "land-2025" in en
    assert 'class="synthetic"' in en and "simulated" in en and "simuliert" in de


def test_no_synthetic_banner_when_the_manifest_does_not_say_so(contexts, views) -> None:
    from dataclasses import replace

    from ctc.report import summary
    from ctc.report.provenance import provenance

    real = replace(contexts["en"], manifest={"created": "2026-01-02", "input": {"sha256": "c" * 64}})
    prov = provenance(real.manifest)
    view = replace(views["en"], header=summary.header(real, prov), footer=summary.footer(real, prov))
    assert 'class="synthetic"' not in render_section(real, "header", view)
    assert "c" * 64 in render_section(real, "footer", view)


def test_participation_counts_exclusions_per_rule_and_grade(contexts, section) -> None:
    ctx = contexts["en"]
    html = section("participation")
    s = ctx.screening
    total = s[(s["grade"].astype(str) == ALL) & (s["rule"] == "(excluded)")].iloc[0]
    if pd.isna(total["flagged"]):  # a small excluded count is protected: neither it nor the total shows
        assert pd.isna(total["respondents"])
        assert f">{int(total['analysed']):,}<" in html  # the analysed questionnaires are no secret
    else:
        final = int(total["respondents"]) - int(total["flagged"])
        assert f">{int(total['respondents']):,}<" in html and f">{final:,}<" in html
    shown = s[s["flagged"].notna() & (s["grade"].astype(str) == ALL) & (s["rule"] != "(excluded)")]
    for r in shown.itertuples():
        assert f">{int(r.flagged):,}<" in html
    for rule in ctx.instrument.validity:
        assert rule.label.get("en") in html
    assert "positive if any of derbisol_life, derbisol_30d has code ≥ 2" in html  # rule_text
    assert html.count("<tr") >= len(ctx.instrument.validity) + 8


def test_priorities_show_shortlists_stability_and_the_rule_comparison(contexts, section) -> None:
    ctx = contexts["en"]
    html = section("priorities")
    p = ctx.priorities
    short = p[p["shortlisted"]]
    assert len(short) == ctx.options.top_risk + ctx.options.top_protective
    for _, row in short.iterrows():
        assert row["label"].replace("'", "&#39;") in html
        assert f">{round(100 * row['top_share']):.0f}<" in html  # stability as %
    for _, row in p.iterrows():  # every factor appears in the comparison table
        assert row["label"].replace("'", "&#39;") in html
    assert "The board decides" in html
    assert "furthest above the baseline" in html and "clearly above the baseline" in html
    assert ("The rules disagree" in html) or ("same factors" in html)


def test_methods_are_generated_from_the_instrument(contexts, section) -> None:
    ctx = contexts["de"]
    html = section("methods", "de") + section("codebook", "de")  # the codebook is its own appendix
    inst = ctx.instrument
    for scale in inst.scales:
        assert f'id="scale-{scale.id}"' in html
    item = inst.item_by_id[inst.scales[0].items[0]]
    assert item.text.get("de").replace("'", "&#39;") in html
    assert "umgepolt" in html  # reversed items are marked
    assert "Logit-Intervall" in html and "Benjamini–Hochberg" in html
    assert "Alle Schulen der Gemeinde haben teilgenommen" in html  # the design question, in plain words
    assert "mindestens 20 Befragte" in html  # suppression rules in force
    assert "nicht der Mittelwert der Anteile der Jahrgangsstufen" in html


def test_data_quality_lists_problem_counts_by_code(section) -> None:
    en, de = section("quality", "en"), section("quality", "de")
    assert "invalid-code" in en and ">17<" in en and "duplicate-respondent" in en
    assert ">2<" not in en  # 2 duplicates: a small count, named but not shown
    assert en.index("duplicate-respondent") < en.index("invalid-code")  # errors first
    assert "Warnung" in de and "Fehler" in de


def test_footer_carries_toolkit_version_and_hashes(pages) -> None:
    html = pages["en"]
    assert "version 0.1.0" in html and "a" * 64 in html and "b" * 64 in html


def test_every_section_renders_on_its_own(contexts, views) -> None:
    view = views["en"]
    for name in SECTIONS:
        assert render_section(contexts["en"], name, view).strip()
    with pytest.raises(ValueError, match="unknown section"):
        render_section(contexts["en"], "nope", view)


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.refs += [v or "" for k, v in attrs if k in ("src", "href", "xlink:href", "action", "srcset", "poster", "data")]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_page_is_self_contained(pages, lang) -> None:
    html = pages[lang]
    refs = _Refs()
    refs.feed(html)
    assert not refs.tags & {"script", "link", "iframe", "object", "embed", "img", "base"}
    assert all(r.startswith("#") for r in refs.refs), [r for r in refs.refs if not r.startswith("#")][:5]
    assert "@import" not in html and "url(http" not in html and "@font-face" not in html
    assert "default-src 'none'" in html  # the browser would refuse anything else anyway


def test_same_context_gives_the_same_bytes(contexts, pages) -> None:
    assert render_html(contexts["en"]) == pages["en"]


def test_embedded_svgs_are_well_formed_with_unique_ids(pages) -> None:
    html = pages["de"]
    charts = svgs(html)
    assert len(charts) >= 6
    for svg in charts:
        root = ET.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("role") == "img"
        assert "<metadata" not in svg and "dc:date" not in svg and "font-family:" not in svg
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids"
    for ref in set(re.findall(r'href="#([^"]+)"', html)) | set(re.findall(r"url\(#([^)]+)\)", html)):
        assert ref in ids, ref


def test_report_without_baseline_says_so_and_has_no_comparison_columns(inst, scored) -> None:
    from reportkit import make_context

    ctx = make_context(scored, inst, None, "Musterstadt", "en")
    html = render_html(ctx)
    assert "no baseline (levels only)" in html
    assert "Without a baseline only the rule" in html
    assert "No baseline was given" in html
    assert ">Difference<" not in html


def test_weighted_data_are_described_as_design_based(inst) -> None:
    import numpy as np
    from reportkit import make_context, synthetic_scored

    from ctc.report.methods import methods

    scored = synthetic_scored(inst, {"Musterstadt": 400, "Beispielburg": 300}, seed=4)
    scored["weight"] = np.random.default_rng(1).uniform(0.5, 2.0, len(scored))
    text = " ".join(methods(make_context(scored, inst, None, "Musterstadt", "de")).statistics)
    assert "designbasiert" in text and "Logit" in text and "Clopper–Pearson" in text
    assert "Wilson" not in text


def test_sections_cope_with_a_context_without_priorities_screening_or_checks(contexts) -> None:
    from dataclasses import replace

    import pandas as pd

    from ctc.report.participation import participation
    from ctc.report.priorities import views as priority_views
    from ctc.report.summary import problems

    bare = replace(contexts["en"], priorities=pd.DataFrame(), screening=pd.DataFrame(), checks=pd.DataFrame())
    assert participation(bare).by_grade == () and participation(bare).final == 0
    assert all(k.picks == () and k.compared == () for k in priority_views(bare))
    assert problems(bare) == ()
