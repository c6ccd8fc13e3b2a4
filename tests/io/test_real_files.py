"""Real-world files from XlsxWriter's, haven's and pyreadstat's test suites (tests/data/real,
see its README for origin and licence), and the two shapes that made the readers crash:
a blank row inside an Excel sheet, and an SPSS date after the year 9999."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ctc.io.read import read_survey

REAL = Path(__file__).parent.parent / "data" / "real"
MINI_COLUMNS_MISSING = ("Error: required column(s) not found in the data: respondent ('rid'); municipality ('town'); "
                        "grade ('grade'). Hint: name the column in a mapping file (a row '@respondent,<column>') and "
                        "pass it with --mapping; 'ctc map suggest DATAFILE' writes a template")


def _last_line(result) -> str:
    return result.output.strip().splitlines()[-1]


@pytest.mark.parametrize("name", ["xlsxwriter_optimize10.xlsx", "xlsxwriter_unicode_polish_utf8.xlsx",
                                  "haven_datetime.sav", "haven_umlauts.sav", "pyreadstat_sample.sav",
                                  "pyreadstat_missing_test.sav"])
def test_real_file_is_read_and_refused_for_its_columns(run, mini_path, tmp_path, name):
    """Each file is read to the end; what stops `ctc score` is that it is no survey of the instrument."""
    result = run("score", REAL / name, "-o", tmp_path / "out.csv", "--instrument", mini_path)
    assert result.exit_code == 1
    assert _last_line(result) == MINI_COLUMNS_MISSING
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.csv").exists()


def test_workbook_with_only_blank_rows_below_the_header(run, mini_path, tmp_path):
    path = REAL / "xlsxwriter_checkbox02.xlsx"
    result = run("score", path, "-o", tmp_path / "out.csv", "--instrument", mini_path)
    assert result.exit_code == 1
    assert _last_line(result) == (f"Error: {path}: no data rows (the file has a header but no rows below it). "
                                  "Hint: export the survey again including the answers")


def test_xlsxwriter_blank_rows_keep_their_row_numbers():
    info, frame = read_survey(REAL / "xlsxwriter_optimize10.xlsx")
    assert info.format == "xlsx" and len(frame) >= 2
    assert frame.isna().all(axis=1).any()  # the blank row inside is kept, as documented


def test_blank_row_in_the_middle_of_a_survey_workbook(run, mini_path, tmp_path):
    path = tmp_path / "survey.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["rid", "town", "grade", "a1", "a2", "Q_A3"])
    ws.append(["r1", "Müllheim", 6, 1, 2, 3])
    ws.append([])  # the blank row that raised TypeError
    ws.append(["r3", "Müllheim", 8, 4, 4, 1])
    wb.save(path)
    result = run("score", path, "-o", tmp_path / "out.csv", "--instrument", mini_path)
    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "out.csv", dtype={"respondent": str})
    assert out["respondent"].tolist()[::2] == ["r1", "r3"] and len(out) == 3
    checks = pd.read_csv(tmp_path / "out.checks.csv")
    empty = checks[checks["code"] == "empty-row"]
    assert empty["row"].tolist() == [2]  # 1-based data row: the second row below the header


def test_spss_datetime_after_year_9999_is_read_as_spss_numbers():
    info, frame = read_survey(REAL / "haven_datetime.sav")
    assert list(frame.columns) == ["date", "date.posix", "time"]
    assert frame["date.posix"].iloc[0] == pytest.approx(6.30615e12, rel=1e-5)  # seconds since 1582-10-14
    assert any("date/time columns read as SPSS numbers" in n and "date.posix" in n for n in info.notes)


# --------------------------------------------------------------------------- found by the fuzzing harness


def _score_error(run, mini_path, tmp_path, path) -> str:
    result = run("score", path, "-o", tmp_path / "out.csv", "--instrument", mini_path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    return result.output.strip().splitlines()[-1]


def test_parquet_with_a_column_name_that_is_not_utf8(run, mini_path, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "broken.parquet"
    pq.write_table(pa.table({"rid": [1, 2], "Zz": [1, 2]}), path, store_schema=False)
    data = path.read_bytes()
    assert data.count(b"Zz") == 2  # schema and column chunk
    path.write_bytes(data.replace(b"Zz", b"Z\xe2"))  # the name's bytes in the footer, no longer UTF-8
    assert _score_error(run, mini_path, tmp_path, path) == (
        f"Error: {path} is not a readable Parquet file ('utf-8' codec can't decode byte 0xe2 in position 1: "
        "unexpected end of data). Hint: write the file again, or export CSV")


def test_workbook_that_lists_no_sheets(run, mini_path, tmp_path):
    import re
    import zipfile

    source = REAL / "xlsxwriter_optimize10.xlsx"
    path = tmp_path / "nosheets.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "xl/workbook.xml":
                data = re.sub(rb"<sheet [^>]*/>", b"", data)
            zout.writestr(name, data)
    assert _score_error(run, mini_path, tmp_path, path) == (
        f"Error: {path} is not a readable Excel workbook (it lists no sheets). Hint: open it in Excel and save it "
        "again as .xlsx, or export the data as CSV")


def test_workbook_with_its_first_byte_lost(run, mini_path, tmp_path):
    path = tmp_path / "cut.xlsx"
    path.write_bytes((REAL / "xlsxwriter_optimize10.xlsx").read_bytes()[1:])
    line = _score_error(run, mini_path, tmp_path, path)
    assert line.startswith(f"Error: {path} is not a readable Excel workbook (") and line.endswith(
        "Hint: open it in Excel and save it again as .xlsx, or export the data as CSV")


def test_spss_file_with_a_nameless_variable(run, mini_path, tmp_path):
    """haven's datetime.sav with three bytes changed (the fuzzing campaign's minimal case)."""
    data = bytearray((REAL / "haven_datetime.sav").read_bytes())
    data[3] ^= 1  # "$FL2" → "$FL3"
    i = 24281 % len(data)
    data[i + 24:i + 24] = data[i:i + 24]
    data[48564 % len(data)] = 0
    path = tmp_path / "damaged.sav"
    path.write_bytes(bytes(data))
    assert _score_error(run, mini_path, tmp_path, path) == (
        f"Error: {path} is not a readable SPSS file (a variable has no name). Hint: open it in SPSS/PSPP and save it "
        "again, or export the data as CSV")


def test_workbook_needing_a_newer_zip_version(run, mini_path, tmp_path):
    data = bytearray((REAL / "xlsxwriter_optimize10.xlsx").read_bytes())
    entry = data.find(b"PK\x01\x02")  # the first central-directory entry
    data[entry + 6] = 64  # "version needed to extract": 6.4, which Python's zipfile does not support
    path = tmp_path / "zip64.xlsx"
    path.write_bytes(bytes(data))
    assert _score_error(run, mini_path, tmp_path, path) == (
        f"Error: {path} is not a readable Excel workbook (zip file version 6.4). Hint: open it in Excel and save it "
        "again as .xlsx, or export the data as CSV")
