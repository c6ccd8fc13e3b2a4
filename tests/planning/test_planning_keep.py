"""Regeneration keeps everything a board adds, met as a board meets it: a planning.xlsx
written by `ctc profile`, edited with openpyxl the way Excel saves it (an added sheet,
comments, a renamed header, a note beside the Profile table), regenerated three times
with `ctc profile --force` and once with `ctc workbook update`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.comments import Comment

from ctc.cli.main import cli
from ctc.instrument import load_instrument
from ctc.simulate import SimulationOptions, simulate

UPDATED = "planning workbooks: 1 updated, 0 new"


def ctc(*args) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def survey(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("keep") / "survey.csv"
    simulate(load_instrument(), path, SimulationOptions(municipalities=("Musterstadt",), respondents=300, seed=3))
    return path


def profile(survey: Path, out: Path, *extra) -> str:
    code, output = ctc("profile", survey, "-o", out, "--bootstrap", "0", *extra)
    assert code == 0, output
    return output


def board_edits(path: Path) -> None:
    wb = load_workbook(path)
    notes = wb.create_sheet("Board notes")
    notes["A1"] = "Meeting 3 March: ask the schools"
    notes["B2"] = "=1+1"
    notes["A1"].comment = Comment("on our own sheet", "Anna")
    notes.column_dimensions["A"].width = 41
    inv = wb["Resource inventory"]
    inv["B5"] = "Youth club"
    inv["B5"].comment = Comment("ask about funding", "Anna")
    wb["Priorities"]["R4"] = "Why we decided"  # the board renamed "Rationale of the board"
    wb["Priorities"]["A1"].comment = Comment("title comment", "Ben")  # no entry there: moves
    wb["Profile"].cell(row=2, column=30).value = "check with schools"  # typed beside the table
    wb.save(path)


@pytest.fixture(scope="module")
def regenerated(survey: Path, tmp_path_factory) -> dict:
    """Three regenerations; the workbook and its summary before each."""
    out = tmp_path_factory.mktemp("regen") / "out"
    profile(survey, out)
    book = out / "musterstadt" / "planning.xlsx"
    board_edits(book)
    versions, outputs = [], []
    for _ in range(3):
        versions.append(book.read_bytes())
        outputs.append(profile(survey, out, "--force"))
    return {"out": out, "book": book, "versions": versions, "outputs": outputs}


def test_every_backup_is_kept_with_the_bytes_of_its_version(regenerated) -> None:
    folder = regenerated["book"].parent
    for n, version in enumerate(regenerated["versions"], start=1):
        assert (folder / f"planning.backup-{n}.xlsx").read_bytes() == version
    assert sorted(p.name for p in folder.glob("planning.backup-*.xlsx")) == [f"planning.backup-{n}.xlsx" for n in (1, 2, 3)]
    assert not list(regenerated["out"].parent.glob(".out*"))  # no staging, lock or old folder left


def test_added_sheet_comments_header_and_notes_survive(regenerated) -> None:
    wb = load_workbook(regenerated["book"])
    assert wb.sheetnames.index("Board notes") == wb.sheetnames.index("Unmatched entries") + 1
    notes = wb["Board notes"]
    assert notes["A1"].value == "Meeting 3 March: ask the schools" and notes["B2"].value == "=1+1"
    assert notes["A1"].comment.text == "on our own sheet" and notes.column_dimensions["A"].width == 41
    inv = wb["Resource inventory"]
    assert inv["B5"].value == "Youth club" and (inv["B5"].comment.text, inv["B5"].comment.author) == ("ask about funding", "Anna")
    assert wb["Priorities"]["R4"].value == "Why we decided"
    assert wb["Profile"].cell(row=2, column=30).value is None  # the data sheet is rewritten ...
    moved = [r[:5] for r in wb["Unmatched entries"].iter_rows(min_row=5, values_only=True)]
    assert moved == [("Profile", "AD2", None, "note", "check with schools"),  # ... the note moved, once
                     ("Priorities", "A1", None, "comment", "title comment")]


def test_the_summary_names_workbook_backup_and_what_moved_where(regenerated) -> None:
    book, first, last = regenerated["book"], regenerated["outputs"][0], regenerated["outputs"][2]
    lines = first.splitlines()
    i = lines.index(UPDATED)
    assert lines[i + 1] == f"{book}: updated; previous file kept as {book.parent / 'planning.backup-1.xlsx'}"
    assert lines[i + 3:] == [
        "  sheet added by the board kept: Board notes",
        "  comments kept on their entries: 1",
        "  renamed column kept on 'Priorities': 'Rationale of the board' is named 'Why we decided'",
        "  moved to 'Unmatched entries': 2 value(s)",
        "    Profile AD2 (note) → 'Unmatched entries': check with schools",
        "    Priorities A1 (comment) → 'Unmatched entries': title comment",
    ]
    assert f"previous file kept as {book.parent / 'planning.backup-3.xlsx'}" in last
    assert "  unmatched entries from earlier updates: 2" in last.splitlines()


def _cells(path: Path, sheet: str) -> list[tuple]:
    return list(load_workbook(path)[sheet].iter_rows(values_only=True))


def test_workbook_update_numbers_on_and_writes_the_same_values_as_profile(regenerated, tmp_path: Path) -> None:
    out, book = regenerated["out"], regenerated["book"]
    code, output = ctc("workbook", "update", book, "--from", out)
    assert code == 0, output
    assert output.splitlines()[0] == f"{book}: updated; previous file kept as {book.parent / 'planning.backup-4.xlsx'}"
    assert (book.parent / "planning.backup-4.xlsx").read_bytes() != b""
    # one precision whichever command wrote the workbook: update (from the CSVs) = profile (from memory)
    by_profile = book.parent / "planning.backup-4.xlsx"
    for sheet in ("Profile", "Problem behaviours", "Priorities"):
        assert _cells(book, sheet) == _cells(by_profile, sheet), sheet
    # at full precision, as the CSVs carry them (nothing rounded away on either path)
    pct = [r[3] for r in _cells(book, "Priorities")[4:] if isinstance(r[3], float)]
    assert pct and any(round(v, 4) != v for v in pct)


def test_german_summary(survey: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    profile(survey, out, "--lang", "de")
    book = out / "musterstadt" / "planning.xlsx"
    wb = load_workbook(book)
    wb.create_sheet("Notizen")["A1"] = "Sitzung"
    wb["Profil"].cell(row=2, column=30).value = "Schulen fragen"
    wb.save(book)
    code, output = ctc("workbook", "update", book, "--from", out)
    assert code == 0, output
    assert output.splitlines()[0] == f"{book}: aktualisiert; vorige Datei gesichert als {book.parent / 'planning.backup-1.xlsx'}"
    assert output.splitlines()[2:] == [
        "  vom Gremium ergänztes Blatt erhalten: Notizen",
        "  nach „Nicht zugeordnete Einträge“ verschoben: 1 Wert(e)",
        "    Profil AD2 (Notiz) → „Nicht zugeordnete Einträge“: Schulen fragen",
    ]


CONTROL = ("Nord\x0bstadt", "Süd\x00dorf")


def test_control_characters_in_names_are_written_safely(survey: Path, tmp_path: Path) -> None:
    data = pd.read_csv(survey, dtype=str, keep_default_na=False)
    data["municipality"] = [CONTROL[k % 2] for k in range(len(data))]
    path = tmp_path / "control.parquet"  # a CSV with NUL bytes is refused as binary; Parquet holds them
    data.to_parquet(path, index=False)
    out = tmp_path / "out"
    profile(path, out)
    for folder, shown in (("nord-stadt", "Nord stadt"), ("süd-dorf", "Süddorf")):
        wb = load_workbook(out / folder / "planning.xlsx")
        title = wb["Overview"]["A1"].value.split(" — SYNTHETIC DATA")[0]  # a simulated file carries the banner
        assert title.endswith(f"— {shown}"), wb["Overview"]["A1"].value
        meta = {r[0]: r[1] for r in wb["Meta"].iter_rows(values_only=True)}
        assert meta["municipality"] == shown
    assert UPDATED.replace("1 updated, 0 new", "2 updated, 0 new") in profile(path, out, "--force")


def test_the_library_result_names_the_workbooks_where_they_are(survey: Path, tmp_path: Path) -> None:
    from ctc.planning.workbook import UpdateResult
    from ctc.profile.options import ProfileOptions
    from ctc.profile.run import profile as run_profile

    out = tmp_path / "out"
    options = ProfileOptions(bootstrap=0)
    first = run_profile(survey, out, options=options)
    assert first.workbooks["Musterstadt"].path == out / "musterstadt" / "planning.xlsx"
    again = run_profile(survey, out, options=options, force=True)
    book = again.workbooks["Musterstadt"]
    assert isinstance(book, UpdateResult) and book.path == out / "musterstadt" / "planning.xlsx"
    assert book.backup == out / "musterstadt" / "planning.backup-1.xlsx" and book.backup.is_file()
