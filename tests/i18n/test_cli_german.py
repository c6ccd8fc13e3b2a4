"""Every command under ``--lang de``, on good and on bad input: no English sentence is left
(checked against the phrase catalogue) and numbers carry German decimal marks."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from ctc.cli.main import cli
from ctc.instrument import load_instrument
from ctc.phrases import DE

#: the catalogue's English templates as patterns (those whose German differs)
ENGLISH = [re.compile(".*?".join(re.escape(p.replace("{{", "{").replace("}}", "}")) for p in en.split("{}")))
           for en, de in DE.items() if de != en and len(en.replace("{}", "").strip()) >= 8]
#: words of an English sentence that no German message, file name or option contains
ENGLISH_WORDS = re.compile(r"\b(the|is|are|was|were|has|have|must|cannot|not found|wrote|excluded|give|choose|"
                           r"and|with|rows from)\b")
#: a number written with a decimal point, not part of a file name, version or option value
POINT_DECIMAL = re.compile(r"(?<![\w./'-])\d+\.\d+(?![\w./'])")


def run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--lang", "de", *map(str, args)])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def english_in(output: str) -> list[str]:
    bad = []
    for line in output.splitlines():
        text = re.sub(r"'[^']*'|\S*[/\\]\S*|\S+\.(csv|xlsx|html|json|yaml|sav|parquet)\b", "", line)
        parts = [line.strip(), *(part.strip() for part in re.split(r": |; |\. ", line))]
        if any(p.fullmatch(part) for p in ENGLISH for part in parts) or ENGLISH_WORDS.search(text):
            bad.append(line)
    return bad


def decimal_points(output: str) -> list[str]:
    # an option with its value (a hint's "e.g. --bounds 0.3,3") is written as typed on the command line
    return [line for line in output.splitlines()
            if POINT_DECIMAL.search(re.sub(r"\S*[/\\]\S*|'[^']*'|--[\w-]+ [\d.,]+", "", line))]


@pytest.fixture(scope="module")
def survey(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("de")
    code, out = run("simulate", "--municipality", "Musterstadt", "--respondents", "150", "--seed", "3",
                    "--invalid-share", "0.05", "-o", folder / "s.csv")
    assert code == 0, out
    return folder / "s.csv"


@pytest.fixture(scope="module")
def profiled(survey: Path) -> tuple[Path, str]:
    out = survey.parent / "out"
    code, text = run("profile", survey, "-o", out)
    assert code == 0, text
    return out, text


@pytest.fixture(scope="module")
def waves(tmp_path_factory) -> Path:
    """Two waves of two small municipalities with a weight column and <stem>.enrolment.csv."""
    folder = tmp_path_factory.mktemp("waves")
    code, out = run("simulate", "--municipalities", "2", "--respondents", "200", "--waves", "2024,2026", "--seed", "4",
                    "--weights", "-o", folder / "w.csv")
    assert code == 0, out
    (folder / "published.csv").write_text("indicator,grade,pct,se,n\nfamily_conflict,8,31.2,1.4,\n"
                                          "alcohol_30d,8,12.5,0.9,\n", encoding="utf-8")
    (folder / "unknown.csv").write_text("indicator,grade,pct,se,n\nnonsense,8,31.2,1.4,\n", encoding="utf-8")
    return folder / "w.csv"


@pytest.fixture(scope="module")
def new_runs(survey: Path, profiled: tuple[Path, str], waves: Path) -> tuple[dict[str, str], dict[str, str]]:
    """compare, weights, cutpoints derive, baseline import and materials: good runs and bad ones."""
    folder = waves.parent
    enrolment = folder / "w.enrolment.csv"
    imported = ["baseline", "import", "--source", "Land 2025", "--year", "2025", "--cutpoints", "ctc-youth-survey"]
    good = {
        "compare": ["compare", waves, "-o", folder / "cmp"],
        "weights": ["weights", waves, "--enrolment", enrolment, "-o", folder / "wt.csv", "--partial"],
        "cutpoints derive": ["cutpoints", "derive", waves, "-o", folder / "new.yaml", "--bootstrap", "10", "--min-n", "50"],
        "baseline import": [*imported, folder / "published.csv", "-o", folder / "base.csv"],
        "materials": ["materials", profiled[0], "-o", folder / "materials"],
    }
    bad = {
        "compare one wave": ["compare", survey, "-o", folder / "c1"],
        "compare order": ["compare", waves, "-o", folder / "c2", "--from", "2026", "--to", "2024"],
        "weights empty cells": ["weights", waves, "--enrolment", enrolment, "-o", folder / "wt2.csv"],
        "weights bounds": ["weights", waves, "--enrolment", enrolment, "-o", folder / "wt3.csv", "--bounds", "2,3"],
        "cutpoints share": ["cutpoints", "derive", waves, "-o", folder / "q.yaml", "--method", "quantile", "--share", "3"],
        "cutpoints exists": ["cutpoints", "derive", waves, "-o", folder / "w.enrolment.csv"],
        "baseline import indicator": [*imported, folder / "unknown.csv", "-o", folder / "base2.csv"],
        "materials not a folder": ["materials", survey],
        "materials demo output": ["materials", "--demo"],
    }
    runs = {}
    for name, args in good.items():
        code, text = run(*args)
        assert code == 0, (name, text)
        runs[name] = text
    errors = {}
    for name, args in bad.items():
        code, text = run(*args)
        assert code != 0, (name, text)
        errors[name] = text
    return runs, errors


def good_runs(survey: Path, profiled: tuple[Path, str]) -> dict[str, str]:
    folder = survey.parent
    outdir, profile_text = profiled
    runs = {"profile": profile_text}
    for name, args in {
        "simulate": ["simulate", "--municipalities", "1", "--respondents", "40", "-o", folder / "t.csv"],
        "score": ["score", survey, "-o", folder / "scored.csv"],
        "audit": ["audit", outdir],
        "instrument check": ["instrument", "check", Path("tests/data/mini.yaml").resolve()],
        "map suggest": ["map", "suggest", survey],
        "programmes match": ["programmes", "match", "--factor", "family_conflict", "--grades", "6-8", "--country", "DE"],
        "workbook update": ["workbook", "update", next((outdir / "musterstadt").glob("*.xlsx")), "--from", outdir],
    }.items():
        code, text = run(*args)
        assert code == 0, (name, text)
        runs[name] = text
    return runs


def bad_runs(survey: Path, profiled: tuple[Path, str]) -> dict[str, str]:
    folder = survey.parent
    (folder / "empty.csv").write_text("a;b\n", encoding="utf-8")
    (folder / "bad.yaml").write_text("id: x\nscales: 3\n", encoding="utf-8")
    runs = {}
    for name, args in {
        "profile exists": ["profile", survey, "-o", profiled[0]],
        "profile missing file": ["profile", folder / "none.csv", "-o", folder / "o2"],
        "profile missing option": ["profile", survey],
        "score empty": ["score", folder / "empty.csv", "-o", folder / "e.csv"],
        "score exists": ["score", survey, "-o", survey],
        "simulate zero": ["simulate", "--municipalities", "0", "-o", folder / "z.csv"],
        "simulate demo options": ["simulate", "--demo", "--respondents", "3", "-o", folder / "z.csv"],
        "audit no folder": ["audit", folder / "nowhere"],
        "instrument check": ["instrument", "check", folder / "bad.yaml"],
        "instrument show": ["instrument", "show", "no-such-instrument"],
        "programmes country": ["programmes", "match", "--factor", "family_conflict", "--grades", "6-8", "--country", "ZZ"],
        "programmes factor": ["programmes", "match", "--factor", "nonsense", "--grades", "6-8"],
        "workbook update missing": ["workbook", "update", folder / "none.xlsx", "--from", profiled[0]],
        "baseline check": ["baseline", "check", folder / "empty.csv"],
        "unknown option": ["score", "--bogus"],
        "unknown command": ["bogus"],
    }.items():
        code, text = run(*args)
        assert code != 0, (name, text)
        runs[name] = text
    return runs


def test_good_runs_speak_german(survey, profiled) -> None:
    for name, text in good_runs(survey, profiled).items():
        assert text.strip(), name
        assert not english_in(text), (name, english_in(text))
        assert not decimal_points(text), (name, decimal_points(text))


def test_new_commands_speak_german(new_runs) -> None:
    good, bad = new_runs
    for name, text in good.items():
        assert text.strip(), name
        assert not english_in(text), (name, english_in(text))
        assert not decimal_points(text), (name, decimal_points(text))
    for name, text in bad.items():
        last = text.strip().splitlines()[-1]
        assert last.startswith("Fehler: "), (name, text)
        assert not english_in(text), (name, english_in(text))
        assert not decimal_points(text), (name, decimal_points(text))


#: English words that are no German words (a report's programme names and scale ids contain none of them)
REPORT_ENGLISH = re.compile(r"\b(the|is|are|has|have|must|and|with|which|this|than|shown|hidden|weighted|"
                            r"risk|respondents|points)\b")


def report_texts(folder: Path) -> dict[str, str]:
    """The text a reader sees in the German reports of compare, weights, cutpoints derive and materials."""
    from pypdf import PdfReader

    def html_text(path: Path) -> str:
        page = re.sub(r"<(style|script)\b.*?</\1>", "", path.read_text(encoding="utf-8"), flags=re.S)
        return html.unescape(re.sub(r"<[^>]+>", "\n", page))

    texts = {p.relative_to(folder).as_posix(): html_text(p) for p in
             [*sorted(folder.glob("cmp/*/changes.html")), folder / "wt.weighting.html", folder / "new.cutpoints.html"]}
    for pdf in sorted(folder.glob("materials/*/de/*.pdf")):
        texts[pdf.relative_to(folder).as_posix()] = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    return texts


def test_reports_of_the_new_commands_read_german(new_runs, waves) -> None:
    texts = report_texts(waves.parent)
    assert len(texts) >= 8 and all(len(t) > 500 for t in texts.values()), {k: len(t) for k, t in texts.items()}
    version = load_instrument("ctc-youth-survey").version  # an instrument version keeps its point
    for name, text in texts.items():
        text = re.sub(re.escape(version) + r"\S*", "", text)
        english = [line for line in text.splitlines() if REPORT_ENGLISH.search(line)]
        assert not english, (name, english[:5])
        assert not decimal_points(text), (name, decimal_points(text)[:5])


def test_errors_speak_german(survey, profiled) -> None:
    for name, text in bad_runs(survey, profiled).items():
        last = text.strip().splitlines()[-1]
        assert last.startswith("Fehler: "), (name, text)
        assert not english_in(text), (name, english_in(text))
        assert not decimal_points(text), (name, decimal_points(text))


def test_the_same_runs_in_english_still_read_english(survey) -> None:
    result = CliRunner().invoke(cli, ["score", str(survey.parent / "missing.csv"), "-o", str(survey.parent / "m.csv")])
    assert result.exit_code != 0 and "Error:" in result.output and "Fehler" not in result.output
