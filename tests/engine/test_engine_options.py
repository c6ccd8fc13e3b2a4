"""The engine options as a user meets them: an option that cannot apply is one
`Error:` line (English and German), and a missing Dask names the pip command."""

from __future__ import annotations

import sys

import pytest


@pytest.fixture
def survey(tmp_path, run):
    path = tmp_path / "s.parquet"
    assert run("simulate", "-o", path, "--municipalities", 1, "--respondents", 50, "-q").exit_code == 0
    return path


@pytest.mark.parametrize("command", ["score", "profile"])
def test_scheduler_without_the_dask_engine_is_an_error(run, survey, tmp_path, command) -> None:
    out = tmp_path / ("x.parquet" if command == "score" else "out")
    res = run(command, survey, "-o", out, "--scheduler", "tcp://127.0.0.1:8786")
    assert res.exit_code != 0
    assert res.output.strip().splitlines() == [
        "Error: --scheduler applies to the Dask engine only. Hint: add --engine dask, or leave out --scheduler"]
    assert not out.exists()
    res = run("--lang", "de", command, survey, "-o", out, "--scheduler", "tcp://127.0.0.1:8786")
    assert res.output.strip().splitlines() == [
        "Fehler: --scheduler gilt nur für die Dask-Engine. Hinweis: geben Sie --engine dask an, oder lassen Sie "
        "--scheduler weg"]


def test_the_dask_engine_without_dask_names_the_extra(run, survey, tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed → ImportError
    out = tmp_path / "out"
    res = run("profile", survey, "-o", out, "--engine", "dask")
    assert res.exit_code != 0
    assert res.output.strip().splitlines() == [
        "Error: --engine dask needs Dask, which is not installed. Hint: pip install 'ctc-toolkit[dask]' "
        "(dask[dataframe] and distributed)"]
    assert not out.exists()
