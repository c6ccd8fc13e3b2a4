"""`ctc instrument ...` and the error wrapper, run in-process."""

from __future__ import annotations

from pathlib import Path

from ctc.instrument import list_instruments


def test_version(run) -> None:
    result = run("--version")
    assert result.exit_code == 0 and "ctc, version" in result.output


def test_list_matches_the_library(run) -> None:
    result = run("instrument", "list")
    assert result.exit_code == 0
    for summary in list_instruments():
        line = next(l for l in result.output.splitlines() if l.startswith(summary.id))
        assert f" {summary.scales} " in line and f" {summary.items} " in line


def test_check_all_shipped_instruments(run) -> None:
    files = sorted(str(p) for p in Path("instruments").glob("*.yaml"))
    result = run("instrument", "check", *files)
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok") == len(files)


def test_check_lists_every_problem_and_exits_1(run, mini_path: Path, tmp_path: Path) -> None:
    broken = tmp_path / "b.yaml"
    broken.write_text(mini_path.read_text().replace("items: [a1, a2, a3]", "items: [a1, a2, zz]").replace("format: ctc-instrument/1", "format: ctc-instrument/9"))
    result = run("instrument", "check", str(broken))
    assert result.exit_code == 1
    assert "scales[0].items[2]" in result.output and "unknown item 'zz'" in result.output
    assert "format" in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error: 1 of 1 file(s) have problems")


def test_show_in_german_prints_german_labels(run) -> None:
    result = run("instrument", "show", "ctc-youth-survey", "--lang", "de")
    assert result.exit_code == 0
    assert "Konflikte in der Familie" in result.output and "Schwellenwert" in result.output
    assert "Family conflict" not in result.output


def test_global_lang_applies_to_subcommands(run) -> None:
    result = run("--lang", "de", "instrument", "show", "ctc-youth-survey")
    assert "Codebuch" in result.output


def test_show_csv_has_one_row_per_scale_item(run) -> None:
    from ctc.instrument import load_instrument

    inst = load_instrument()
    result = run("instrument", "show", "ctc-youth-survey", "--format", "csv")
    lines = [l for l in result.output.splitlines() if l.startswith("scale,")]
    assert len(lines) == sum(len(s.items) for s in inst.scales)


def test_unknown_instrument_is_one_error_line(run) -> None:
    result = run("instrument", "show", "nope")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: unknown instrument 'nope'") and "Hint:" in lines[0]
    assert "Traceback" not in result.output


def test_debug_shows_traceback(run) -> None:
    result = run("--debug", "instrument", "show", "nope")
    assert result.exit_code == 1 and "Traceback" in result.output


def test_usage_error_exits_2(run) -> None:
    result = run("instrument", "show", "ctc-youth-survey", "--format", "pdf")
    assert result.exit_code == 2


def test_python_dash_m_works() -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "ctc", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "ctc, version" in result.stdout
