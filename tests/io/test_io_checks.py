"""The data check report and the vectorised helpers the scorer calls."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctc.checks import (
    CODES,
    COLUMNS,
    CheckProblem,
    CheckReport,
    find_duplicates,
    find_empty_rows,
    find_grade_problems,
    find_invalid_codes,
    find_invalid_weights,
    find_missing_values,
)

REQUIRED_CODES = {
    "missing-column", "unmapped-item", "column-matched-loosely", "unused-column", "invalid-code",
    "non-numeric-code", "duplicate-respondent", "grade-out-of-range", "missing-grade",
    "missing-municipality", "empty-row", "invalid-weight",
}


def test_registry_has_every_code_in_both_languages():
    assert REQUIRED_CODES <= set(CODES)
    for code, entry in CODES.items():
        assert entry.code == code and entry.severity in ("error", "warning", "info")
        assert entry.en and entry.de and entry.en != entry.de


def raw_items() -> tuple[pd.DataFrame, pd.Series]:
    # index 100.. as in a second chunk: rows are index + 1
    idx = pd.RangeIndex(100, 105)
    raw = pd.DataFrame({"a1": ["1", "x", None, "7", "9"], "a2": ["2", "2", "3.0", "1", "abc"]}, index=idx, dtype="str")
    rid = pd.Series(["r1", "r2", "r3", "r4", "r5"], index=idx, name="rid", dtype="str")
    return raw, rid


def test_invalid_and_non_numeric_codes():
    raw, rid = raw_items()
    problems, codes = find_invalid_codes(raw, {"a1": [1, 2, 3, 4], "a2": [1, 2]}, {"a1": [9]}, respondent=rid)
    got = problems[["code", "row", "respondent", "column", "value"]].astype(object).values.tolist()
    assert got == [
        ["non-numeric-code", 102, "r2", "a1", "x"],
        ["invalid-code", 103, "r3", "a2", "3.0"],  # the raw text, as typed
        ["invalid-code", 104, "r4", "a1", "7"],
        ["non-numeric-code", 105, "r5", "a2", "abc"],
    ]
    expect = pd.DataFrame({"a1": [1.0, np.nan, np.nan, np.nan, np.nan], "a2": [2.0, 2.0, np.nan, 1.0, np.nan]},
                          index=raw.index)
    pd.testing.assert_frame_equal(codes, expect)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["1", "2", "3", "4", "9", "0", "x", "2.5", "-1"])),
                min_size=1, max_size=30))
def test_every_cell_is_a_code_a_missing_code_empty_or_reported(cells):
    raw = pd.DataFrame({"a1": pd.Series(cells, dtype="str")})
    problems, codes = find_invalid_codes(raw, {"a1": [1, 2, 3, 4]}, {"a1": [9]})
    reported = set(problems["row"] - 1)
    for i, cell in enumerate(cells):
        is_code = cell in {"1", "2", "3", "4"}
        assert (codes["a1"].iloc[i] == float(cell)) if is_code else np.isnan(codes["a1"].iloc[i])
        assert (i in reported) == (cell is not None and not is_code and cell != "9")


def test_invalid_codes_on_numeric_columns():
    raw = pd.DataFrame({"a1": [1.0, 7.0, np.nan, 2.5, 9.0]})
    problems, codes = find_invalid_codes(raw, {"a1": [1, 2]}, {"a1": [9]})
    assert problems["value"].tolist() == ["7", "2.5"]
    assert problems["row"].tolist() == [2, 4]
    assert problems["respondent"].isna().all()
    assert codes["a1"].tolist()[0] == 1.0 and codes["a1"].isna().sum() == 4


def test_invalid_codes_need_allowed_codes_for_every_column():
    raw, _ = raw_items()
    with pytest.raises(ValueError, match=r"no allowed codes given for column\(s\) \['a2'\]"):
        find_invalid_codes(raw, {"a1": [1]})


def test_invalid_codes_many_cells_are_vectorised():
    n = 200_000
    raw = pd.DataFrame({f"q{i}": pd.Series(np.where(np.arange(n) % 4 == 0, "8", "2"), dtype="str") for i in range(5)})
    problems, codes = find_invalid_codes(raw, {c: [1, 2, 3, 4] for c in raw.columns})
    assert len(problems) == 5 * n // 4
    assert problems["row"].iloc[:5].tolist() == [1] * 5
    report = CheckReport()
    report.extend(None, problems)
    assert report.count("invalid-code") == 5 * n // 4 and len(report.frame()) == 10_000


def test_duplicates():
    rid = pd.Series(["r1", "r2", "r1", None, None, "r1", 7], name="rid", dtype=object)
    problems = find_duplicates(rid)
    assert problems["row"].tolist() == [1, 3, 6]
    assert problems["respondent"].tolist() == ["r1"] * 3
    assert problems["message"].tolist() == ["respondent id occurs 3 times"] * 3
    assert set(problems["code"]) == {"duplicate-respondent"}
    assert len(find_duplicates(pd.Series(["a", "b"]))) == 0


def test_numeric_and_text_ids_are_compared_as_text():
    assert find_duplicates(pd.Series([1001.0, 1002.0, 1001.0], name="rid"))["value"].tolist() == ["1001", "1001"]


def test_empty_rows():
    raw, rid = raw_items()
    raw.loc[102] = [None, None]
    problems = find_empty_rows(raw, respondent=rid)
    assert problems[["code", "row", "respondent"]].values.tolist() == [["empty-row", 103, "r3"]]


def test_missing_values():
    town = pd.Series(["A", None, "B"], name="town", dtype="str")
    problems = find_missing_values(town, "missing-municipality")
    assert problems[["code", "row", "column"]].values.tolist() == [["missing-municipality", 2, "town"]]
    with pytest.raises(ValueError, match="unknown problem code"):
        find_missing_values(town, "no-such-code")


def test_grade_problems():
    grade = pd.Series(["6", "8a", None, "7", "8.0", "8"], name="grade", dtype="str")
    problems = find_grade_problems(grade, [6, 8])
    assert problems[["code", "row", "value"]].fillna("<NA>").astype(object).values.tolist() == [
        ["grade-out-of-range", 2, "8a"],
        ["missing-grade", 3, "<NA>"],
        ["grade-out-of-range", 4, "7"],
    ]
    assert problems["message"].iloc[0] == "grades of the instrument: 6, 8"


def test_invalid_weights_with_decimal_comma():
    weight = pd.Series(["1,25", "0", None, "x", "-1", "2"], name="weight", dtype="str")
    problems, numbers = find_invalid_weights(weight, ",")
    assert problems["row"].tolist() == [2, 3, 4, 5]
    assert problems["value"].fillna("<NA>").tolist() == ["0", "<NA>", "x", "-1"]
    assert numbers.tolist()[0] == 1.25 and numbers.tolist()[5] == 2.0 and numbers.isna().sum() == 4


# --------------------------------------------------------------------------- the report


def test_report_frame_and_counts():
    raw, rid = raw_items()
    report = CheckReport()
    problems, _ = find_invalid_codes(raw, {"a1": [1, 2, 3, 4], "a2": [1, 2]}, {"a1": [9]}, respondent=rid)
    report.extend(None, problems)
    report.add("unused-column", column="extra")
    report.add_problem(CheckProblem("duplicate-respondent", row=3, respondent="r1", column="rid", value="r1"))
    frame = report.frame()
    assert tuple(frame.columns) == COLUMNS
    assert frame["code"].tolist() == ["duplicate-respondent", "invalid-code", "invalid-code",
                                      "non-numeric-code", "non-numeric-code", "unused-column"]
    assert frame["severity"].tolist()[0] == "error" and frame["severity"].tolist()[-1] == "info"
    assert str(frame["row"].dtype) == "Int64"
    assert frame["message"].iloc[-1] == CODES["unused-column"].en
    counts = report.counts()
    assert dict(zip(counts["code"], counts["count"])) == {"duplicate-respondent": 1, "invalid-code": 2,
                                                          "non-numeric-code": 2, "unused-column": 1}
    assert report.has_errors and len(report) == 6
    assert report.frame("de")["message"].iloc[-1] == CODES["unused-column"].de


def test_report_cap_keeps_exact_counts():
    report = CheckReport(cap=5)
    rows = pd.DataFrame({"row": range(1, 51), "column": "a1", "value": "7"})
    report.extend("invalid-code", rows.iloc[:30])
    report.extend("invalid-code", rows.iloc[30:])
    for i in range(3):
        report.add("unused-column", column=f"c{i}")
    for _ in range(7):
        report.add("missing-column", column="q", value="a1")
    assert report.count("invalid-code") == 50 and report.count("missing-column") == 7
    frame = report.frame()
    assert frame.loc[frame["code"] == "invalid-code", "row"].tolist() == [1, 2, 3, 4, 5]
    assert (frame["code"] == "missing-column").sum() == 5
    assert report.truncated() == {"invalid-code": (5, 50), "missing-column": (5, 7)}
    assert report.summary_lines()[1] == (f"invalid-code: 50 (warning) — {CODES['invalid-code'].en} (first 5 listed)")
    assert report.summary_lines("de")[1].startswith("invalid-code: 50 (Warnung) — Eine Zahl")
    assert report.summary_lines("de")[1].endswith("(die ersten 5 aufgeführt)")


def test_report_no_cap_and_empty():
    report = CheckReport(cap=None)
    assert report.summary_lines() == ["No problems found."] and report.summary_lines("de") == ["Keine Probleme gefunden."]
    assert len(report.frame()) == 0 and tuple(report.frame().columns) == COLUMNS and not report.has_errors
    report.extend("empty-row", pd.DataFrame({"row": range(20_000)}))
    assert len(report.frame()) == 20_000


def test_report_rejects_unknown_codes():
    with pytest.raises(ValueError, match="unknown problem code 'typo'"):
        CheckReport().add("typo")
    with pytest.raises(ValueError):
        CheckProblem("typo")


def test_report_merge_and_big_numbers_de():
    a, b = CheckReport(cap=2), CheckReport(cap=2)
    a.extend("invalid-code", pd.DataFrame({"row": range(1, 1500)}))
    b.extend("invalid-code", pd.DataFrame({"row": range(1500, 3001)}))
    a.merge(b)
    assert a.count("invalid-code") == 3000 and len(a.frame()) == 2
    assert a.summary_lines("de")[0].startswith("invalid-code: 3.000 (Warnung)")
    assert a.summary_lines()[0].startswith("invalid-code: 3,000 (warning)")


def test_report_to_csv(tmp_path):
    report = CheckReport()
    report.add("missing-municipality", row=4, respondent=1001.0, column="town")
    path = report.to_csv(tmp_path / "checks.csv", lang="de")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    assert back.columns.tolist() == list(COLUMNS)
    assert back.iloc[0][["code", "row", "respondent", "message"]].tolist() == [
        "missing-municipality", "4", "1001", CODES["missing-municipality"].de]


def test_every_code_is_documented():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "reading-data.md").read_text(encoding="utf-8")
    for code, entry in CODES.items():
        assert f"| `{code}` | {entry.severity} |" in doc, code
