"""Reading survey files: every format, detection, overrides, chunking and every bad input."""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from ctc.errors import DataError, ReadError, UsageError
from ctc.io.read import (
    NA_TOKENS,
    ReadOptions,
    iter_survey,
    probe_survey,
    read_survey,
    to_number,
)


def assert_table(frame: pd.DataFrame, table: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(frame.reset_index(drop=True), table, check_dtype=False)
    assert all(pd.api.types.is_string_dtype(frame[c].dtype) for c in frame.columns)


# --------------------------------------------------------------------------- CSV / TSV


def test_utf8_csv(write, delimited, table):
    path = write("s.csv", delimited(","))
    info, frame = read_survey(path)
    assert_table(frame, table)
    assert (info.format, info.encoding, info.encoding_method, info.delimiter, info.decimal) == ("csv", "utf-8", "utf-8", ",", ".")
    assert info.columns == tuple(table.columns)
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert info.size_bytes == path.stat().st_size
    assert info.row_count == 3
    assert list(frame.index) == [0, 1, 2]


def test_utf8_with_bom(write, delimited, table):
    path = write("s.csv", b"\xef\xbb\xbf" + delimited(";").encode())
    info, frame = read_survey(path)
    assert info.encoding == "utf-8-sig" and info.encoding_method == "bom"
    assert info.columns[0] == "rid"  # no BOM glued to the first name
    assert_table(frame, table)


def test_cp1252_umlauts(write, delimited, table):
    path = write("s.csv", delimited(";"), encoding="cp1252")
    info, frame = read_survey(path)
    assert info.encoding == "cp1252" and info.encoding_method == "detected"
    assert list(frame["town"]) == ["Müllheim", "Groß-Gerau", "Müllheim"]
    assert any("cp1252" in n for n in info.notes)


def test_cp1252_first_umlaut_far_into_the_file(write):
    rows = "".join(f"r{i};Berlin;8;1\n" for i in range(5000)) + "r9999;Müllheim;6;2\n"
    path = write("s.csv", "rid;town;grade;a1\n" + rows, encoding="cp1252")
    info, frame = read_survey(path)
    assert info.encoding == "cp1252"
    assert frame["town"].iloc[-1] == "Müllheim"


def test_cp1252_in_a_mostly_numeric_export(write):
    # statistical detectors read this as cp850 ("M³llheim"); the letter evidence must win
    rows = "".join(f"{i};Müllheim;{i % 3 + 6};" + ";".join(str((i + k) % 4 + 1) for k in range(40)) + "\n"
                   for i in range(3000))
    header = "rid;town;grade;" + ";".join(f"q{k}" for k in range(40)) + "\n"
    info, frame = read_survey(write("s.csv", header + rows, encoding="cp1252"))
    assert info.encoding == "cp1252"
    assert set(frame["town"]) == {"Müllheim"}


def test_dos_cp850_export(write):
    # cp850 writes ü as 0x81, a byte cp1252 does not define: the detector must not force cp1252
    path = write("s.csv", "rid;town\n1;Müllheim\n2;Groß-Gerau\n3;Köln\n", encoding="cp850")
    info, frame = read_survey(path)
    assert info.encoding == "cp850"
    assert frame["town"].tolist() == ["Müllheim", "Groß-Gerau", "Köln"]


def test_utf16_with_bom(write, delimited, table):
    path = write("s.csv", delimited("\t"), encoding="utf-16")
    info, frame = read_survey(path)
    assert info.encoding == "utf-16" and info.delimiter == "\t"
    assert_table(frame, table)


def test_semicolon_with_decimal_comma(write):
    path = write("s.csv", "rid;town;weight\nr1;Müllheim;1,25\nr2;Groß-Gerau;2\nr3;X;0,5\n", encoding="cp1252")
    info, frame = read_survey(path)
    assert info.delimiter == ";" and info.decimal == ","
    assert list(frame["weight"]) == ["1,25", "2", "0,5"]  # raw text is kept
    assert to_number(frame["weight"], info.decimal).tolist() == [1.25, 2.0, 0.5]


def test_semicolon_with_decimal_points(write):
    path = write("s.csv", "rid;weight\nr1;1.25\nr2;2\n")
    info, frame = read_survey(path)
    assert info.decimal == "."
    assert to_number(frame["weight"], info.decimal).tolist() == [1.25, 2.0]


def test_to_number_keeps_non_numbers_as_nan():
    s = pd.Series(["1,5", " 2 ", "x", None, "1.000,5"], dtype="str")
    assert to_number(s, ",").tolist()[:2] == [1.5, 2.0]
    assert to_number(s, ",").isna().tolist() == [False, False, True, True, True]
    assert to_number(pd.Series([1, 2]), ",").dtype == "float64"


@pytest.mark.parametrize("name", ["s.tsv", "s.csv", "s.txt"])
def test_tab_separated(write, delimited, table, name):
    info, frame = read_survey(write(name, delimited("\t")))
    assert info.delimiter == "\t"
    assert_table(frame, table)


def test_pipe_separated(write, delimited, table):
    info, frame = read_survey(write("s.csv", delimited("|")))
    assert info.delimiter == "|"
    assert_table(frame, table)


def test_quoted_delimiters_inside_values(write):
    path = write("s.csv", 'rid,town,note\n1,"Bad Homburg, v.d.H.",a;b\n2,X,"c,d"\n')
    info, frame = read_survey(path)
    assert info.delimiter == ","
    assert frame["town"].iloc[0] == "Bad Homburg, v.d.H."


def test_sep_override(write, delimited, table):
    path = write("s.csv", delimited("|"))
    info, frame = read_survey(path, ReadOptions(sep="|"))
    assert info.delimiter == "|"
    assert_table(frame, table)
    assert ReadOptions(sep="tab").sep == "\t" and ReadOptions(sep="\\t").sep == "\t"


def test_wrong_sep_override_is_one_clear_error(write, delimited):
    path = write("s.csv", delimited(";"))
    with pytest.raises(ReadError) as err:
        read_survey(path, ReadOptions(sep=","))
    assert str(err.value) == f"{path}: found only one column ('rid;town;grade;a1;weight'); the delimiter was not recognised"
    assert err.value.hint == "the header has no ',': check --sep"


def test_encoding_override(write, delimited):
    path = write("s.csv", delimited(";"), encoding="latin-1")
    info, frame = read_survey(path, ReadOptions(encoding="latin-1"))
    assert info.encoding == "iso8859-1" and info.encoding_method == "option"
    assert frame["town"].iloc[1] == "Groß-Gerau"


def test_wrong_encoding_override(write, delimited):
    path = write("s.csv", delimited(";"), encoding="cp1252")
    with pytest.raises(ReadError, match=r"is not valid utf-8 text \(undecodable byte at offset \d+\)"):
        read_survey(path, ReadOptions(encoding="utf-8"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"encoding": "klingon"}, "unknown encoding 'klingon'"),
        ({"sep": ";;"}, "--sep must be one character, got ';;'"),
        ({"chunk_rows": 0}, "chunk_rows must be a positive integer, got 0"),
        ({"decimal": ";"}, "decimal mark must be '.' or ',', got ';'"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(UsageError) as err:
        ReadOptions(**kwargs)
    assert str(err.value) == message


def test_na_tokens_whitespace_and_raw_values(write):
    path = write("s.csv", "rid,a1,a2\n r1 , 3 ,NA\nr2,x,#NULL!\nr3,,.\nr4,07,-\n")
    _, frame = read_survey(path)
    assert frame["rid"].tolist() == ["r1", "r2", "r3", "r4"]
    assert frame["a1"].tolist()[:2] == ["3", "x"] and pd.isna(frame["a1"].iloc[2])
    assert frame["a1"].iloc[3] == "07"  # leading zeros survive: raw text
    assert frame["a2"].isna().tolist() == [True, True, True, False]
    assert frame["a2"].iloc[3] == "-"
    assert "#NULL!" in NA_TOKENS


def test_blank_rows_inside_are_kept_trailing_ones_dropped(write):
    path = write("s.csv", "rid;a1\nr1;1\n;\n\nr2;2\n;\n;\n\n")
    info, frame = read_survey(path)
    assert list(frame.index) == [0, 1, 2, 3]  # rows 2 and 3 are blank and keep their numbers
    assert frame["rid"].iloc[3] == "r2"
    assert frame.iloc[1:3].isna().all().all()
    assert info.row_count == 4


def test_duplicate_header_names_are_renamed_and_noted(write):
    info, frame = read_survey(write("s.csv", "rid,a1,a1\n1,2,3\n"))
    assert info.columns == ("rid", "a1", "a1.1")
    assert any("duplicate column names ['a1']" in n for n in info.notes)


def test_probe_reads_header_only(write):
    info = probe_survey(write("s.csv", "rid;town;grade\n"))
    assert info.columns == ("rid", "town", "grade") and info.row_count is None


# --------------------------------------------------------------------------- Excel


@pytest.fixture
def workbook(tmp_path, table) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Info"
    ws.append(["This sheet is a cover page", None])
    ws.append(["made", "2024"])
    data = wb.create_sheet("Daten")
    data.append(list(table.columns))
    for row in table.itertuples(index=False):
        data.append([int(v) if v.isdigit() else v for v in row])
    data.append([None] * 5)  # trailing blank rows: spreadsheet residue
    data.append([None] * 5)
    path = tmp_path / "s.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize("sheet", ["Daten", "daten", "2", 1])
def test_xlsx_sheet_option(workbook, table, sheet):
    info, frame = read_survey(workbook, ReadOptions(sheet=sheet))
    assert (info.format, info.sheet, info.sheets) == ("xlsx", "Daten", ("Info", "Daten"))
    assert_table(frame, table)  # numbers arrive as text, like CSV: 6 → "6"


def test_xlsx_default_is_first_sheet(workbook):
    info, frame = read_survey(workbook)
    assert info.sheet == "Info"
    assert info.columns == ("This sheet is a cover page",)


def test_xlsx_wrong_sheet(workbook):
    with pytest.raises(ReadError) as err:
        read_survey(workbook, ReadOptions(sheet="Data"))
    assert str(err.value) == f"sheet 'Data' not found in {workbook}; sheets: Info, Daten"
    assert "--sheet" in err.value.hint


def test_xlsx_numbers_and_blank_middle_row(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["rid", "weight", "a1", None])  # an unnamed, empty trailing header cell
    ws.append([1001, 1.25, 3])
    ws.append([None, None, None])
    ws.append([1002, 2, "x"])
    path = tmp_path / "s.xlsx"
    wb.save(path)
    _, frame = read_survey(path)
    assert list(frame.columns) == ["rid", "weight", "a1"]
    assert frame["rid"].tolist()[0] == "1001" and frame["weight"].iloc[0] == "1.25"
    assert frame.iloc[1].isna().all() and frame["a1"].iloc[2] == "x"


# --------------------------------------------------------------------------- SPSS and Parquet


@pytest.fixture
def sav(tmp_path) -> Path:
    df = pd.DataFrame({"rid": ["r1", "r2", "r3", "r4"], "grade": [6.0, 8.0, 8.0, 6.0],
                       "a1": [1.0, 9.0, np.nan, 7.0], "town": ["Müllheim", "", "Groß-Gerau", "X"]})
    path = tmp_path / "s.sav"
    pyreadstat.write_sav(df, str(path), variable_value_labels={"a1": {1: "no", 2: "yes", 9: "no answer"}},
                         missing_ranges={"a1": [9]})
    return path


def test_sav_round_trip(sav):
    info, frame = read_survey(sav)
    assert info.format == "sav" and info.row_count == 4
    assert info.columns == ("rid", "grade", "a1", "town")
    assert info.value_labels == {"a1": {1: "no", 2: "yes", 9: "no answer"}}
    assert pd.api.types.is_float_dtype(frame["a1"].dtype)
    assert frame["a1"].tolist()[:2] == [1.0, 9.0]  # the user-missing code 9 is kept as a code
    assert frame["a1"].tolist()[3] == 7.0  # unlabelled codes too: the checks report them
    assert frame["town"].tolist()[0] == "Müllheim" and pd.isna(frame["town"].iloc[1])


def test_parquet(tmp_path, table):
    path = tmp_path / "s.parquet"
    table.assign(grade=table["grade"].astype(int)).to_parquet(path)
    info = probe_survey(path)
    assert info.format == "parquet" and info.row_count == 3 and info.columns == tuple(table.columns)
    _, frame = read_survey(path)
    assert frame["grade"].tolist() == [6, 8, 8]
    assert frame["town"].tolist() == table["town"].tolist()


# --------------------------------------------------------------------------- chunking


def _many(n: int = 10) -> pd.DataFrame:
    return pd.DataFrame({"rid": [f"r{i}" for i in range(n)], "a1": [str(i % 5) for i in range(n)],
                         "town": ["Müllheim"] * n})


@pytest.mark.parametrize("ext", ["csv", "xlsx", "sav", "parquet"])
def test_chunks_equal_whole(tmp_path, ext):
    df = _many(10)
    path = tmp_path / f"s.{ext}"
    if ext == "csv":
        df.to_csv(path, index=False, sep=";")
    elif ext == "xlsx":
        df.to_excel(path, index=False)
    elif ext == "sav":
        pyreadstat.write_sav(df, str(path))
    else:
        df.to_parquet(path)
    _, whole = read_survey(path)
    _, chunks = iter_survey(path, ReadOptions(chunk_rows=3))
    parts = list(chunks)
    assert [len(p) for p in parts] == [3, 3, 3, 1]
    assert [p.index[0] for p in parts] == [0, 3, 6, 9]
    pd.testing.assert_frame_equal(pd.concat(parts), whole)
    assert whole["rid"].tolist() == df["rid"].tolist()


def test_chunks_with_blank_rows_at_a_chunk_edge(write):
    path = write("s.csv", "rid;a1\nr1;1\nr2;2\n;\n;\nr3;3\n;\n")
    _, chunks = iter_survey(path, ReadOptions(chunk_rows=2))
    frame = pd.concat(list(chunks))
    assert list(frame.index) == [0, 1, 2, 3, 4]
    assert frame["rid"].iloc[4] == "r3"


# --------------------------------------------------------------------------- bad inputs


def _one_error(path, exc_type=ReadError, options=None) -> str:
    with pytest.raises(exc_type) as err:
        read_survey(path, options)
    assert type(err.value) is exc_type
    assert err.value.__cause__ is None  # no chained library traceback
    assert err.value.hint
    return str(err.value)


def test_file_not_found(tmp_path):
    path = tmp_path / "nope.csv"
    assert _one_error(path) == f"data file not found: {path}"


def test_folder(tmp_path):
    folder = tmp_path / "x.csv"
    folder.mkdir()
    assert _one_error(folder) == f"{folder} is a folder, not a data file"


@pytest.mark.parametrize("ext", ["csv", "xlsx", "sav", "parquet"])
def test_empty_file(write, ext):
    path = write(f"s.{ext}", b"")
    assert _one_error(path) == f"{path} is empty (0 bytes)"


def test_only_blank_lines(write):
    path = write("s.csv", "\n\n  \n")
    assert _one_error(path) == f"{path} contains no header line (only blank lines)"


def test_header_only_is_no_data_rows(write):
    path = write("s.csv", "rid;town;grade\n")
    message = f"{path}: no data rows (the file has a header but no rows below it)"
    assert _one_error(path, DataError) == message
    with pytest.raises(DataError, match="no data rows"):  # at the call, not while iterating
        iter_survey(path)


def test_header_and_blank_rows_only(write):
    path = write("s.csv", "rid;town\n;\n;\n")
    assert "no data rows" in _one_error(path, DataError)


def test_header_only_xlsx_and_parquet(tmp_path):
    pd.DataFrame({"rid": [], "a1": []}).to_excel(tmp_path / "s.xlsx", index=False)
    pd.DataFrame({"rid": pd.Series([], dtype="str")}).to_parquet(tmp_path / "s.parquet")
    assert "no data rows" in _one_error(tmp_path / "s.xlsx", DataError)
    assert "no data rows" in _one_error(tmp_path / "s.parquet", DataError)


def test_random_bytes_renamed_csv(write):
    path = write("s.csv", np.random.default_rng(1).bytes(5000))
    assert _one_error(path) == f"{path} is not a text (CSV) file: it contains binary data"


def test_png_renamed_csv(write):
    path = write("s.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert _one_error(path) == f"{path} is not a text (CSV) file: it looks like a PNG image"


def test_xlsx_renamed_csv(workbook, write):
    path = write("s.csv", workbook.read_bytes())
    assert _one_error(path) == f"{path} is not a text (CSV) file: it looks like a ZIP archive (an .xlsx workbook is one: is the extension wrong?)"


@pytest.mark.parametrize(("name", "hint"), [("s.xls", "save it as .xlsx"), ("s.dat", "export the survey as CSV"),
                                            ("noext", "export the survey as CSV")])
def test_unknown_extension(write, name, hint):
    path = write(name, "a,b\n1,2\n")
    with pytest.raises(ReadError) as err:
        read_survey(path)
    suffix = path.suffix or "(none)"
    assert str(err.value) == (f"{path}: unsupported file type '{suffix}'; supported: "
                              ".csv, .txt, .tsv, .tab, .xlsx, .xlsm, .sav, .zsav, .parquet, .pq")
    assert hint in err.value.hint


def test_single_column_hint(write):
    path = write("s.csv", "rid town grade\n1 a 8\n")
    message = _one_error(path)
    assert message == f"{path}: found only one column ('rid town grade'); the delimiter was not recognised"
    with pytest.raises(ReadError) as err:
        read_survey(path)
    assert "--sep" in err.value.hint


def test_row_with_too_many_fields(write):
    path = write("s.csv", "rid,a1\n1,2\n3,4,5\n")
    message = _one_error(path)
    # 1-based, as the docs promise: line 3 of the file is data row 2 (it said "after data row 0")
    assert message == f"{path}: cannot parse line 3 (data row 2): expected 2 fields like the header, found 3"


def test_row_with_too_many_fields_in_a_later_chunk(write):
    rows = "".join(f"{i},1\n" for i in range(1, 8))
    path = write("s.csv", f"rid,a1\n{rows}9,9,9\n")
    with pytest.raises(ReadError) as err:
        read_survey(path, ReadOptions(chunk_rows=3))
    assert err.value.message == f"{path}: cannot parse line 9 (data row 8): expected 2 fields like the header, found 3"


def test_corrupt_xlsx_random_bytes(write):
    path = write("s.xlsx", os.urandom(2000))
    assert _one_error(path) == f"{path} is not a readable Excel workbook (File is not a zip file)"


def test_corrupt_xlsx_truncated(workbook, write):
    path = write("t.xlsx", workbook.read_bytes()[:1500])
    assert _one_error(path).startswith(f"{path} is not a readable Excel workbook (")


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "s.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    assert _one_error(path).startswith(f"{path} is not a readable Excel workbook (")


def test_corrupt_sav(sav, write):
    path = write("t.sav", sav.read_bytes()[:200])
    assert _one_error(path).startswith(f"{path} is not a readable SPSS file (")
    path = write("r.sav", os.urandom(3000))
    assert _one_error(path).startswith(f"{path} is not a readable SPSS file (")


def test_corrupt_parquet(tmp_path, table, write):
    good = tmp_path / "g.parquet"
    table.to_parquet(good)
    raw = good.read_bytes()
    path = write("t.parquet", raw[: len(raw) // 2] + raw[-8:])
    assert _one_error(path).startswith(f"{path} is not a readable Parquet file (")
    path = write("r.parquet", b"not parquet at all" * 10)
    assert _one_error(path) == (f"{path} is not a readable Parquet file (Parquet magic bytes not found in footer. "
                                "Either the file is corrupted or this is not a parquet file.)")



def test_blank_lines_above_the_header_are_skipped(write):
    """Found by the fuzzing harness: the header was found, then the rows were read from line 1
    (pandas EmptyDataError)."""
    path = write("s.csv", "\n\nrid,a1\n1,2\n3,4\n")
    info, frame = read_survey(path)
    assert info.header_line == 3 and "2 blank line(s) above the header were skipped" in info.notes
    assert frame["rid"].tolist() == ["1", "3"] and frame.index.tolist() == [0, 1]


def test_vertical_tab_before_the_header_is_not_a_line_end(write):
    """Found by the fuzzing harness: str.splitlines() splits at \\x0b, CSV does not."""
    path = write("s.csv", "\x0brid,a1\n" + "".join(f"{i},2\n" for i in range(100)))
    info, frame = read_survey(path)
    assert info.header_line == 1 and info.columns == ("\x0brid", "a1") and len(frame) == 100
