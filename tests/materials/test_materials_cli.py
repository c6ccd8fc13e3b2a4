"""``ctc materials`` as a user runs it: outputs, and one Error: line for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_cli_builds_one_kit_and_refuses_to_overwrite_edited_decks(run, demo_run: Path, tmp_path: Path) -> None:
    dest = tmp_path / "m"
    res = run("materials", str(demo_run), "-m", "Exampleton", "--kit", "board", "-o", str(dest))
    assert res.exit_code == 0, res.output
    assert "synthetic data" in res.output
    files = sorted(p.name for p in (dest / "exampleton" / "en").iterdir())
    assert files == ["board-summary.pdf", "reading-guide.pdf", "slides.pptx", "trainer-guide-board.pdf"]
    again = run("materials", str(demo_run), "-m", "Exampleton", "--kit", "board", "-o", str(dest))
    assert again.exit_code != 0 and "already exists" in again.output and "--force" in again.output
    assert run("materials", str(demo_run), "-m", "Exampleton", "--kit", "board", "-o", str(dest), "--force").exit_code == 0


@pytest.mark.parametrize("args, words", [
    (["{tmp}"], "is not a profile output folder"),
    (["{tmp}/none"], "is not a folder"),
    (["{run}", "-m", "Nowhere", "-o", "{tmp}/x"], "municipality 'Nowhere' is not in"),
])
def test_bad_input_is_one_error_line_and_writes_nothing(run, demo_run: Path, tmp_path: Path, args, words) -> None:
    args = [a.format(tmp=tmp_path, run=demo_run) for a in args]
    res = run("materials", *args)
    assert res.exit_code == 1
    lines = [x for x in res.output.splitlines() if x.strip()]
    assert lines[-1].startswith("Error:") and words in lines[-1] and "Traceback" not in res.output
    assert not (tmp_path / "x").exists()


def test_unknown_kit_and_demo_without_output_are_usage_errors(run, demo_run: Path) -> None:
    assert run("materials", str(demo_run), "--kit", "party").exit_code == 2
    res = run("materials", "--demo")
    assert res.exit_code == 2 and "--output" in res.output
