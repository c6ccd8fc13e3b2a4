"""``ctc simulate`` is a thin adapter: options in, one library call, a summary out."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd
import pytest
from click.testing import CliRunner

from ctc.cli.main import cli
from ctc.simulate import SimulationOptions, simulate


@pytest.fixture
def ctc() -> click.Group:
    """The real group (it loads `simulate` on first use)."""
    return cli


def _invoke(group: click.Group, *args: str):
    return CliRunner().invoke(group, ["simulate", *args], catch_exceptions=False)


def test_writes_file_and_summary(tmp_path: Path, ctc):
    out = tmp_path / "s.csv"
    result = _invoke(ctc, "-o", str(out), "--municipality", "Musterstadt", "--municipality", "Beispielburg",
                     "--respondents", "200", "--seed", "3", "--elevate", "Musterstadt:family_conflict",
                     "--elevate", "Beispielburg:school_rewards_prosocial:-10", "--waves", "2024,2026",
                     "--wave-change", "Musterstadt:family_conflict:2026:-8", "--weights")
    assert result.exit_code == 0, result.output
    assert "Wrote 800 respondents" in result.output
    assert "Planted: Musterstadt family_conflict +15 pp" in result.output
    assert "Planted: Beispielburg school_rewards_prosocial -10 pp" in result.output
    assert "Planted: Musterstadt family_conflict -8 pp in 2026" in result.output
    assert "Enrolment totals:" in result.output
    df = pd.read_csv(out)
    assert sorted(df["wave"].unique()) == [2024, 2026]


def test_cli_equals_library(tmp_path: Path, ctc, shipped):
    """The command's file is byte-identical to the library's for the same options."""
    _invoke(ctc, "-o", str(tmp_path / "cli.csv"), "--municipalities", "2", "--respondents", "150", "--seed", "9", "-q")
    simulate(shipped, tmp_path / "lib.csv", SimulationOptions(municipalities=2, respondents=150, seed=9))
    assert (tmp_path / "cli.csv").read_bytes() == (tmp_path / "lib.csv").read_bytes()


def test_quiet_prints_nothing(tmp_path: Path, ctc):
    result = _invoke(ctc, "-o", str(tmp_path / "s.parquet"), "--municipalities", "1", "--respondents", "50", "-q")
    assert result.exit_code == 0 and result.output == ""
    assert (tmp_path / "s.parquet").exists()


def _error_lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("Error:")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--elevate", "Musterstadt:family_confict"], "unknown factor 'family_confict'; valid factors"),
        (["--elevate", "Nowhere:family_conflict"], "unknown municipality 'Nowhere'"),
        (["--elevate", "Musterstadt"], "cannot read the elevation 'Musterstadt'"),
        (["--wave-change", "Musterstadt:family_conflict:2026:-5"], "wave change for 2026: not a later wave"),
        (["--municipalities", "2", "--municipality", "X"], "either --municipalities N or --municipality NAME"),
        (["--invalid-share", "0.7"], "the invalid share must be between 0 and 0.5"),
        (["--grades", "4,5"], "are not the instrument's grades"),
        (["--demo", "--seed", "4"], "--demo takes no generation options (got --"),
        (["--encoding", "klingon"], "unknown encoding 'klingon'"),
    ],
)
def test_usage_errors_are_one_error_line(tmp_path: Path, ctc, args, message):
    out = tmp_path / "s.csv"
    base = ["-o", str(out)] if "--municipality" in args or "--municipalities" in args else ["-o", str(out), "--municipality", "Musterstadt"]
    result = _invoke(ctc, *base, "--respondents", "20", *args)
    assert result.exit_code == 1
    errors = _error_lines(result)
    assert len(errors) == 1 and message in errors[0], result.output
    assert not out.exists()


def test_unknown_factor_lists_valid_ones(tmp_path: Path, ctc, shipped):
    result = _invoke(ctc, "-o", str(tmp_path / "s.csv"), "--municipalities", "1", "--elevate", "Musterstadt:nope")
    line = _error_lines(result)[0]
    assert all(s.id in line for s in shipped.scales)
    assert "alcohol_30d" in line


def test_demo(tmp_path: Path, ctc):
    result = _invoke(ctc, "-o", str(tmp_path / "demo.csv"), "--demo")
    assert result.exit_code == 0, result.output
    assert "Wrote 3,600 respondents" in result.output
    assert "Planted: Musterstadt family_conflict +15 pp" in result.output
