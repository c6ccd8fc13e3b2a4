"""The board's priorities followed over waves: `ctc workbook create|update --compare`, run as a user
would — simulate 2- and 3-wave surveys, profile the latest wave, compare, write the workbook, type
board entries with openpyxl, update — and read the workbook back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from planning_data import entered_rows, fill, field_columns

from ctc.cli.main import cli
from ctc.compare.strings import s as cs
from ctc.excel import DASH

SHEET = {"en": "Priorities over time", "de": "Prioritäten im Zeitverlauf"}
TOWN = "Musterstadt"


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _simulate(path: Path, waves: str) -> Path:
    done = run("simulate", "-o", path, "--municipalities", "2", "--respondents", "500", "--waves", waves, "--weights",
               "--wave-change", f"{TOWN}:family_conflict:2026:-15", "--seed", "7", "-q")
    assert done.exit_code == 0, done.output
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """survey files, the profile of the latest wave, and two comparisons (3 waves; 2 waves with a
    high --min-n, so that some pooled cells are hidden)."""
    root = tmp_path_factory.mktemp("waves")
    s3 = _simulate(root / "survey3.csv", "2022,2024,2026")
    s2 = _simulate(root / "survey2.csv", "2024,2026")
    data = pd.read_csv(s3, dtype=str, keep_default_na=False)
    latest = root / "latest.csv"
    data[data["wave"] == "2026"].drop(columns=["wave"]).to_csv(latest, index=False)
    out = {"prof": root / "prof", "cmp3": root / "cmp3", "cmp2": root / "cmp2"}
    for args in (("profile", latest, "-o", out["prof"], "-q"),
                 ("compare", s3, "-o", out["cmp3"]),
                 ("compare", s2, "-o", out["cmp2"], "--min-n", "470")):
        done = run(*args)
        assert done.exit_code == 0, done.output
    return out


def _sheet(path: Path, lang: str = "en") -> pd.DataFrame:
    ws = load_workbook(path)[SHEET[lang]]
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    cols = ["key", "indicator", "wave", "pct", "ci_low", "ci_high", "change", "change_low", "change_high", "verdict", "trend"]
    return pd.DataFrame([r[:11] for r in rows if r[0]], columns=cols)


def _pooled(path: Path) -> pd.DataFrame:
    t = pd.read_csv(path, dtype={"grade": str, "gender": str, "wave_a": str, "wave_b": str})
    return t[(t["municipality"] == TOWN) & (t["grade"] == "all") & (t["gender"] == "all")]


def _indicators(path: Path) -> dict[str, str]:
    """action key → kind:id, from the action plan's indicator column (label → id via the Lists sheet)."""
    wb = load_workbook(path)
    from ctc.planning import read_workbook

    labels = read_workbook(path).lists["indicator"]
    ws = wb["Action plan"] if "Action plan" in wb.sheetnames else wb["Aktionsplan"]
    return {k: labels[v["indicator"]] for k, v in entered_rows(ws).items() if v.get("indicator")}


def test_three_waves_equal_compare_and_trends(runs, tmp_path: Path) -> None:
    book = tmp_path / "planning.xlsx"
    done = run("workbook", "create", book, "--from", runs["prof"], "-m", TOWN, "--compare", runs["cmp3"])
    assert done.exit_code == 0, done.output
    sheet, cmp, trends = _sheet(book), _pooled(runs["cmp3"] / "compare.csv"), _pooled(runs["cmp3"] / "trends.csv")
    chosen = _indicators(book)
    assert chosen and set(sheet["key"]) == set(chosen)
    for key, ind in chosen.items():
        kind, fid = ind.split(":")
        mine = sheet[sheet["key"] == key].set_index("wave")
        assert list(mine.index) == ["2022", "2024", "2026"]
        c = cmp[(cmp["indicator_type"] == kind) & (cmp["indicator_id"] == fid)].iloc[0]
        assert (c["wave_a"], c["wave_b"]) == ("2024", "2026")
        assert mine.loc["2024", "pct"] == pytest.approx(c["pct_a"], rel=1e-12)
        assert mine.loc["2026", "pct"] == pytest.approx(c["pct_b"], rel=1e-12)
        assert mine.loc["2026", "ci_low"] == pytest.approx(c["ci_low_b"], rel=1e-12)
        assert mine.loc["2026", "change"] == pytest.approx(c["diff_pp"], rel=1e-12)
        assert mine.loc["2026", "change_high"] == pytest.approx(c["diff_ci_high"], rel=1e-12)
        assert mine.loc["2026", "verdict"] == c["verdict_label"]
        t = trends[(trends["indicator_type"] == kind) & (trends["indicator_id"] == fid)].iloc[0]
        assert mine.loc["2026", "trend"] == t["trend_label"]
        w22 = _pooled(runs["cmp3"] / "waves" / "2022" / "profile.csv")
        assert mine.loc["2022", "pct"] == pytest.approx(
            w22[(w22["indicator_type"] == kind) & (w22["indicator_id"] == fid)]["pct"].iloc[0], rel=1e-12)
    meta = {r[0]: r[1] for r in load_workbook(book)["Meta"].iter_rows(values_only=True)}
    assert meta["compare.folder"] == str(runs["cmp3"].resolve()) and meta["compare.waves"] == "2022;2024;2026"
    assert meta["compare.run"] == json.loads((runs["cmp3"] / "manifest.json").read_text())["created"]
    plan = entered_rows(load_workbook(book)["Action plan"])
    assert all(v["wave_verdict"].startswith("2024→2026: ") for v in plan.values() if v.get("indicator"))
    result = entered_rows(load_workbook(book)["Evaluation plan"])["EVL-0001"]["wave_result"]  # the next-wave row
    counts = [int(part.split()[0]) for part in result.split(": ", 1)[1].split(" (")[0].split(", ")]
    assert len(counts) == 4 and sum(counts) == len(set(chosen.values()))
    mine = cmp[cmp["indicator_id"].isin([i.split(":")[1] for i in chosen.values()])]
    assert counts[:3] == [int((mine["verdict"] == v).sum()) for v in ("better", "worse", "no-clear-change")]


def _board_fill(path: Path) -> tuple[dict, dict]:
    """Board entries; one of them links a rare behaviour (few answers: hidden under --min-n 470)."""
    from ctc.planning import read_workbook

    rare = {v: k for k, v in read_workbook(path).lists["indicator"].items()}["outcome:heroin_life"]
    wb = load_workbook(path)
    plan, ev = wb["Action plan"], wb["Evaluation plan"]
    fill(plan, 5, {"target": 50.5, "target_year": 2028, "programme": "=SUM(A1)", "partner": "Jugendamt", "cost": 1200})
    fill(plan, 7, {"outcome": "Fewer fights at school", "population": "Grades 7–8"})
    free = max(r for r in range(5, plan.max_row + 1) if plan.cell(row=r, column=2).value) + 1
    fill(plan, free, {"outcome": "Nobody tries heroin", "indicator": rare, "population": "Grades 8–9", "baseline": 1.5,
                      "baseline_year": 2026, "source": "our count"})  # all typed: nothing for the toolkit to fill
    fill(ev, 6, {"programme": "Familien stärken", "measure": "reach per term", "notes": "<b>&"})
    wb.save(path)
    wb = load_workbook(path)
    return entered_rows(wb["Action plan"]), entered_rows(wb["Evaluation plan"])


def _board_only(rows: dict, sheet: str) -> dict:
    from ctc.planning.layout import board_fields

    keep = {f.id for f in board_fields(sheet)} | {"key"}
    return {k: {f: v for f, v in row.items() if f in keep} for k, row in rows.items()}


def test_update_brings_waves_in_and_keeps_the_board(runs, tmp_path: Path) -> None:
    book = tmp_path / "planning.xlsx"
    assert run("workbook", "create", book, "--from", runs["prof"], "-m", TOWN).exit_code == 0
    assert SHEET["en"] not in load_workbook(book).sheetnames  # only with a comparison
    plan, ev = _board_fill(book)
    done = run("workbook", "update", book, "--from", runs["prof"], "--compare", runs["cmp2"])
    assert done.exit_code == 0, done.output
    wb = load_workbook(book)
    assert _board_only(entered_rows(wb["Action plan"]), "actions") == _board_only(plan, "actions")
    assert _board_only(entered_rows(wb["Evaluation plan"]), "evaluation") == _board_only(ev, "evaluation")
    assert entered_rows(wb["Evaluation plan"])["EVL-0001"]["wave_result"].startswith("2024→2026: ")
    assert wb["Action plan"].cell(row=5, column=field_columns(wb["Action plan"])["programme"]).data_type == "s"
    sheet, wave = _sheet(book), {}
    for w in ("2024", "2026"):
        wave[w] = _pooled(runs["cmp2"] / "waves" / w / "profile.csv")
    chosen = _indicators(book)
    hidden = shown = 0
    for key, ind in chosen.items():
        kind, fid = ind.split(":")
        for w, t in wave.items():
            cell = t[(t["indicator_type"] == kind) & (t["indicator_id"] == fid)].iloc[0]
            got = sheet[(sheet["key"] == key) & (sheet["wave"] == w)].iloc[0]
            if bool(cell["suppressed"]):
                hidden += 1
                assert [got["pct"], got["ci_low"], got["ci_high"]] == [DASH] * 3
            else:
                shown += 1
                assert got["pct"] == pytest.approx(cell["pct"], rel=1e-12)
        last = sheet[(sheet["key"] == key) & (sheet["wave"] == "2026")].iloc[0]
        if last["pct"] == DASH:
            assert last["change"] == DASH and last["verdict"] == cs("verdict.not-shown")
    assert hidden and shown  # the test meets both kinds of cell
    assert sheet["trend"].isna().all()  # two waves: no trend
    # a later update without --compare reads the recorded folder again
    before = _sheet(book)
    done = run("workbook", "update", book, "--from", runs["prof"])
    assert done.exit_code == 0, done.output
    pd.testing.assert_frame_equal(_sheet(book), before)
    # ... and says so when the folder is gone
    moved = tmp_path / "moved"
    shutil.copytree(runs["cmp2"], moved)
    done = run("workbook", "update", book, "--from", runs["prof"], "--compare", moved)
    assert done.exit_code == 0, done.output
    shutil.rmtree(moved)
    done = run("workbook", "update", book, "--from", runs["prof"])
    assert done.exit_code == 0, done.output
    assert f"the comparison folder {moved.resolve()} recorded in the workbook is gone" in done.output
    wb = load_workbook(book)
    assert SHEET["en"] not in wb.sheetnames
    assert _board_only(entered_rows(wb["Action plan"]), "actions") == _board_only(plan, "actions")


def test_german_workbook_has_german_verdicts(runs, tmp_path: Path) -> None:
    book = tmp_path / "planung.xlsx"
    done = run("workbook", "create", book, "--from", runs["prof"], "-m", TOWN, "--compare", runs["cmp3"], "--lang", "de")
    assert done.exit_code == 0, done.output
    sheet = _sheet(book, "de")
    german = {cs(f"verdict.{v}", "de") for v in ("better", "worse", "no-clear-change", "not-shown", "not-comparable")}
    verdicts = set(sheet["verdict"].dropna())
    assert verdicts and verdicts <= german
    assert set(sheet["trend"].dropna()) <= {cs(f"trend.{t}", "de") for t in
                                            ("increasing", "decreasing", "stable", "changed direction", "none")}
    assert load_workbook(book)["Aktionsplan"].cell(row=4, column=17).value == "Veränderung zwischen Wellen (ctc compare)"


def _last(done) -> str:
    assert done.exit_code == 1
    return done.output.strip().splitlines()[-1]


def test_errors_name_the_problem(runs, tmp_path: Path) -> None:
    book = tmp_path / "planning.xlsx"
    line = _last(run("workbook", "create", book, "--from", runs["prof"], "-m", TOWN, "--compare", runs["prof"]))
    assert line == f"Error: {runs['prof']} holds no compare.csv. Hint: give the output folder of 'ctc compare' (--compare OUTDIR)"
    line = _last(run("workbook", "create", book, "--from", runs["prof"], "-m", TOWN, "--compare", runs["prof"], "--lang", "de"))
    assert line.startswith(f"Fehler: {runs['prof']} enthält keine compare.csv")
    other = tmp_path / "other"
    shutil.copytree(runs["cmp3"], other)
    cmp = pd.read_csv(other / "compare.csv", dtype=str, keep_default_na=False)
    cmp[cmp["municipality"] != TOWN].to_csv(other / "compare.csv", index=False)
    line = _last(run("workbook", "create", book, "--from", runs["prof"], "-m", TOWN, "--compare", other))
    assert line.startswith(f"Error: municipality {TOWN} is not in {other / 'compare.csv'}. Hint: give the comparison")
    shutil.copy(runs["cmp3"] / "compare.csv", other / "compare.csv")
    man = json.loads((other / "manifest.json").read_text())
    man["instruments"] = {w: "other-survey 1.0" for w in man["instruments"]}
    (other / "manifest.json").write_text(json.dumps(man))
    line = _last(run("workbook", "create", book, "--from", runs["prof"], "-m", TOWN, "--compare", other))
    assert line.startswith(f"Error: the comparison in {other} was made with instrument other-survey, not with ctc-youth-survey.")
    assert not book.exists()


@pytest.mark.external("soffice")
def test_libreoffice_opens_it_and_a_later_update_keeps_the_sheet(runs, tmp_path: Path) -> None:
    """Saved by LibreOffice (which drops code names), the sheet is still the toolkit's: updated in place,
    not carried over as a board sheet, and its values are those written."""
    from test_planning_libreoffice import soffice

    book = tmp_path / "planning.xlsx"
    assert run("workbook", "create", book, "--from", runs["prof"], "-m", TOWN, "--compare", runs["cmp3"]).exit_code == 0
    written = _sheet(book)
    (tmp_path / "lo").mkdir()
    saved = soffice(book, "xlsx", tmp_path / "lo")
    pd.testing.assert_frame_equal(_sheet(saved), written)
    done = run("workbook", "update", saved, "--from", runs["prof"])
    assert done.exit_code == 0, done.output
    from ctc.planning.strings import s

    assert s("cli.sheet_kept", "en", title=SHEET["en"]) not in done.output
    names = load_workbook(saved).sheetnames
    assert names.count(SHEET["en"]) == 1 and not any(n.startswith(SHEET["en"][:20]) and n != SHEET["en"] for n in names)
    pd.testing.assert_frame_equal(_sheet(saved), written)


def test_fast_writer_gives_openpyxls_workbook_with_waves(runs, tmp_path: Path) -> None:
    """"Priorities over time" too: the new-workbook writer (XlsxWriter) and openpyxl's agree."""
    from test_planning_fast import describe, diff

    from ctc.catalogue import load_catalogue
    from ctc.planning import context_from_outputs
    from ctc.planning.book import Board
    from ctc.planning.waves import read_compare
    from ctc.planning.workbook import _fresh, _save, build

    ctx = context_from_outputs(runs["prof"], TOWN)
    waves = read_compare(runs["cmp3"], TOWN, ctx.instrument.id)
    files = {}
    for fast in (False, True):
        book = build(ctx, load_catalogue(), Board(), decided=[], created="2026-01-01T00:00:00+00:00", updated="",
                     prepare=_fresh, waves=waves, fast=fast)
        _save(book, tmp_path / f"{fast}.xlsx", False)
        files[fast] = describe(tmp_path / f"{fast}.xlsx")
    assert SHEET["en"] in files[True] and len(files[True][SHEET["en"]]["cells"]) > 20
    assert diff(files[False], files[True]) == []
