"""Trend pages from a comparison folder: inputs made with the CLI (simulate → profile → compare)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from kitread import one, pages, rows, text

from ctc.cli.main import cli

WAVES = ("2022", "2024", "2026")
FACTOR = "family_conflict"


def _cli(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="session")
def waves_run(tmp_path_factory) -> tuple[Path, Path]:
    """Two municipalities × 300 pupils × three waves; family conflict −15 points in Musterstadt in 2026."""
    root = tmp_path_factory.mktemp("trend")
    survey = root / "survey.csv"
    assert _cli("simulate", "-o", survey, "--municipalities", "2", "--respondents", "300", "--waves", ",".join(WAVES),
                "--wave-change", f"Musterstadt:{FACTOR}:2026:-15", "--seed", "7", "-q").exit_code == 0
    done = _cli("profile", survey, "-o", root / "run", "--baseline", "demo-baseline", "--bootstrap", "0", "-q")
    assert done.exit_code == 0, done.output
    done = _cli("compare", survey, "-o", root / "cmp", "-q")
    assert done.exit_code == 0, done.output
    return root / "run", root / "cmp"


def _kit(waves_run, tmp_path_factory, lang: str, compare: Path | None = None) -> Path:
    run, cmp = waves_run
    dest = tmp_path_factory.mktemp("tk") / "m"
    res = _cli("materials", run, "--compare", compare or cmp, "-m", "Musterstadt", "--lang", lang, "-o", dest)
    assert res.exit_code == 0, res.output
    return dest / "musterstadt" / lang


@pytest.fixture(scope="session")
def trend_en(waves_run, tmp_path_factory) -> Path:
    return _kit(waves_run, tmp_path_factory, "en")


@pytest.fixture(scope="session")
def trend_de(waves_run, tmp_path_factory) -> Path:
    return _kit(waves_run, tmp_path_factory, "de")


def _pooled(path: Path, **where: str) -> dict[str, str]:
    found = rows(path, municipality="Musterstadt", grade="all", gender="all", indicator_id=FACTOR, **where)
    assert len(found) == 1
    return found[0]


def _sheet(kit: Path, label: str) -> str:
    return next(text(p) for p in pages(kit / "fact-sheets.pdf") if label in text(p))


HEAD = {"en": ("Family conflict", "Over the survey waves", "Trend over all waves", "better", "decreasing"),
        "de": ("Konflikte in der Familie", "Über die Befragungswellen", "Trend über alle Wellen", "besser", "fallend")}


@pytest.mark.parametrize("lang", ["en", "de"])
def test_fact_sheet_shows_each_wave_the_verdict_and_the_trend(lang, trend_en, trend_de, waves_run) -> None:
    kit = trend_en if lang == "en" else trend_de
    _, cmp = waves_run
    label, heading, trend_head, verdict, trend = HEAD[lang]
    assert _pooled(cmp / "compare.csv")["verdict"] == "better" and _pooled(cmp / "trends.csv")["trend"] == "decreasing"
    page = _sheet(kit, label)
    assert heading in page and trend_head in page and verdict in page and trend in page
    for wave in WAVES:
        r = _pooled(cmp / "waves" / wave / "profile.csv")
        assert wave in page and one(r["pct"], lang) in page and one(r["ci_low"], lang) in page
    key = " ".join(text(p) for p in pages(kit / "exercise-key.pdf"))
    labels = {"en": ("stable", "increasing", "decreasing", "changed direction"),
              "de": ("stabil", "steigend", "fallend", "Richtung gewechselt")}[lang]
    assert any(x in key for x in labels) and ("one wave" if lang == "en" else "eine Welle") not in key
    poster = text(pages(kit / "data-walk-posters-a3.pdf")[-1])
    assert ("Data walk: trends" if lang == "en" else "Datenrundgang: Entwicklung") in poster


def test_deck_has_a_native_line_chart_of_the_waves_with_notes(trend_en, waves_run) -> None:
    from pptx import Presentation

    _, cmp = waves_run
    prs = Presentation(trend_en / "slides.pptx")
    slide = next(s for s in prs.slides if s.shapes.title.text == "How the candidates developed")
    chart = next(sh.chart for sh in slide.shapes if sh.has_chart)
    assert tuple(chart.plots[0].categories) == WAVES
    notes = slide.notes_slide.notes_text_frame.text
    assert "more than chance" in notes
    short = [r["indicator_id"] for r in rows(waves_run[0] / "priorities.csv", municipality="Musterstadt", shortlisted="True")]
    assert short and len(list(chart.plots[0].series)) >= 1
    first = chart.plots[0].series[0]
    ind = next(r["indicator_id"] for r in rows(cmp / "waves" / "2026" / "profile.csv", municipality="Musterstadt",
                                               grade="all", gender="all", label=first.name))
    want = [round(float(_row(cmp, w, ind)["pct"]), 6) for w in WAVES]
    assert [round(v, 6) for v in first.values] == want


def _row(cmp: Path, wave: str, ind: str) -> dict[str, str]:
    return rows(cmp / "waves" / wave / "profile.csv", municipality="Musterstadt", grade="all", gender="all", indicator_id=ind)[0]


def _rewrite(path: Path, change) -> None:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, table = reader.fieldnames, list(reader)
    for r in table:
        if r["municipality"] == "Musterstadt" and r["grade"] == "all" and r["gender"] == "all" and r["indicator_id"] == FACTOR:
            change(r)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(table)


def test_a_hidden_wave_cell_is_a_dash_and_its_number_appears_nowhere(waves_run, tmp_path_factory, tmp_path) -> None:
    """The 2024 cell hidden as a protected release would publish it: blank values, no change."""
    _, cmp = waves_run
    copy = tmp_path / "cmp"
    shutil.copytree(cmp, copy)
    secret = _pooled(cmp / "waves" / "2024" / "profile.csv")

    def hide(r):
        for col in ("n", "n_flagged", "pct", "ci_low", "ci_high", "se", "deff", "n_eff"):
            r[col] = ""
        r["suppressed"], r["suppression_reason"] = "True", "protected"

    def no_change(r):
        for col in ("n_a", "pct_a", "ci_low_a", "ci_high_a", "diff_pp", "diff_se", "diff_ci_low", "diff_ci_high", "t",
                    "p_value", "q_value", "risk_ratio", "odds_ratio", "cohens_h"):
            r[col] = ""
        r["verdict"], r["verdict_label"] = "not-shown", "not shown"

    _rewrite(copy / "waves" / "2024" / "profile.csv", hide)
    _rewrite(copy / "compare.csv", no_change)
    kit = _kit(waves_run, tmp_path_factory, "en", copy)
    page = _sheet(kit, "Family conflict")
    trend_part = page[page.index("Over the survey waves"):]
    for col in ("pct", "ci_low", "ci_high"):
        assert one(secret[col], "en") not in trend_part
    assert "not shown" in trend_part and "–" in trend_part
    from pptx import Presentation

    for slide in Presentation(kit / "slides.pptx").slides:
        for sh in slide.shapes:
            if sh.has_chart:
                for series in sh.chart.plots[0].series:
                    if series.name == "Family conflict" and tuple(sh.chart.plots[0].categories) == WAVES:
                        assert series.values[1] is None


def test_a_rerun_gives_the_same_bytes(trend_en, waves_run, tmp_path_factory) -> None:
    again = _kit(waves_run, tmp_path_factory, "en")
    for f in sorted(trend_en.iterdir()):
        assert f.read_bytes() == (again / f.name).read_bytes(), f.name


@pytest.mark.parametrize("lang, edit, words", [
    ("en", "instrument", "is of instrument"), ("de", "instrument", "ist vom Instrument"),
    ("en", "municipality", "is not in the comparison folder"), ("de", "municipality", "ist nicht im Vergleichsordner"),
])
def test_a_comparison_of_another_instrument_or_without_the_town_is_one_error(waves_run, tmp_path, lang, edit, words) -> None:
    run, cmp = waves_run
    copy = tmp_path / "cmp"
    shutil.copytree(cmp, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    if edit == "instrument":
        manifest["instruments"] = {w: "other-survey 1.0" for w in manifest["instruments"]}
    else:
        manifest["municipalities"] = [m for m in manifest["municipalities"] if m["name"] != "Musterstadt"]
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    res = _cli("materials", run, "--compare", copy, "-m", "Musterstadt", "--lang", lang, "-o", tmp_path / "out")
    lines = [x for x in res.output.splitlines() if x.strip()]
    assert res.exit_code == 1 and len(lines) <= 2 and words in lines[0] and "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_a_comparison_folder_given_as_outdir_says_what_to_do(waves_run, tmp_path) -> None:
    _, cmp = waves_run
    res = _cli("materials", cmp, "-o", tmp_path / "out")
    assert res.exit_code == 1 and "--compare" in res.output
