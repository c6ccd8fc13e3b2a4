"""``ctc map suggest`` run in-process (the lead registers the group in ctc.cli.main)."""

from __future__ import annotations

import io

import pandas as pd

from ctc.release.csvsafe import unquote
import pytest
from click.testing import CliRunner

from ctc.cli.main import CtcGroup
from ctc.cli.map_cmd import map_group
from ctc.io.mapping import suggest_mapping

DATA = "RID;Town;Klasse;a1;a2;Q_A3;b1\nr1;Müllheim;8;1;2;3;1\n"


@pytest.fixture
def ctc():
    """A ctc group holding only ``map``, with the real error translation."""
    group = CtcGroup(name="ctc", commands={"map": map_group})

    def _run(*args):
        return CliRunner().invoke(group, [str(a) for a in args], catch_exceptions=False)

    return _run


@pytest.fixture
def datafile(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text(DATA, encoding="cp1252")
    return path


def test_suggest_to_stdout_equals_library(ctc, datafile, mini, mini_path):
    result = ctc("map", "suggest", datafile, "--instrument", mini_path)
    assert result.exit_code == 0
    printed = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    # role rows start with '@', which a spreadsheet would evaluate: written with an apostrophe
    assert printed["item"].iloc[0] == "'@respondent"
    printed["item"] = printed["item"].map(unquote)
    expected = suggest_mapping(mini, ["RID", "Town", "Klasse", "a1", "a2", "Q_A3", "b1"])
    pd.testing.assert_frame_equal(printed, expected, check_dtype=False)
    assert result.stderr.strip() == ("4 exact, 3 loose (2 case-insensitive, 1 alias), 11 not found. "
                                     "Check the loose rows, then use it with --mapping.")


def test_suggest_to_file_and_no_overwrite(ctc, datafile, mini_path, tmp_path):
    out = tmp_path / "map.csv"
    result = ctc("map", "suggest", datafile, "-i", mini_path, "-o", out)
    assert result.exit_code == 0 and out.exists()
    assert result.stdout.startswith(f"Wrote {out}: 4 exact")
    again = ctc("map", "suggest", datafile, "-i", mini_path, "-o", out)
    assert again.exit_code == 1
    assert again.stderr.strip() == f"Error: {out} already exists. Hint: choose another output or pass --force to replace it"
    assert ctc("map", "suggest", datafile, "-i", mini_path, "-o", out, "--force").exit_code == 0


def test_suggest_bad_data_file_is_one_error_line(ctc, tmp_path, mini_path):
    bad = tmp_path / "survey.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = ctc("map", "suggest", bad, "-i", mini_path)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [f"Error: {bad} is not a text (CSV) file: it looks like a PNG image. "
                     "Hint: export the survey as CSV (UTF-8), .xlsx, SPSS .sav or .parquet"]


def test_suggest_read_options(ctc, tmp_path, mini_path):
    path = tmp_path / "survey.txt"
    path.write_text("rid|town|grade\n1|a|8\n", encoding="utf-8")
    result = ctc("map", "suggest", path, "-i", mini_path, "--sep", "|", "--encoding", "utf-8")
    assert result.exit_code == 0 and "@respondent,rid,exact" in result.stdout
    wrong = ctc("map", "suggest", path, "-i", mini_path, "--sep", ";")
    assert wrong.exit_code == 1 and "found only one column" in wrong.stderr
