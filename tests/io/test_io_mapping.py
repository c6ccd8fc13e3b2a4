"""Column mapping: instrument defaults, loose matches, mapping files, overrides, suggestions."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctc.errors import InvalidDefinition, MissingColumn, OutputError, UsageError
from ctc.io.mapping import (
    ColumnMap,
    normalise_name,
    resolve_columns,
    suggest_mapping,
    write_mapping,
)

# mini.yaml: columns rid/town/grade/school/gender; items a1 a2 a3(column Q_A3) b1 b2 use_life use_30d fake
EXACT = ["rid", "town", "grade", "school", "gender", "a1", "a2", "Q_A3", "b1", "b2", "use_life", "use_30d", "fake"]


def codes(problems) -> list[tuple[str, str | None, str | None]]:
    return [(p.code, p.column, p.value) for p in problems]


def test_exact_columns(mini):
    cmap, problems = resolve_columns(mini, [*EXACT, "extra"])
    assert cmap.roles == {"respondent": "rid", "municipality": "town", "grade": "grade",
                          "school": "school", "gender": "gender"}
    assert cmap.items["a3"] == "Q_A3"
    assert cmap.absent_items == ()
    assert codes(problems) == [("unused-column", "extra", None)]


def test_loose_match_is_reported_as_info(mini):
    cols = ["RID", " Town ", "grade", "a1", "A2", "q a3", "b1", "b2", "use-life", "use_30d", "fake"]
    cmap, problems = resolve_columns(mini, cols)
    assert (cmap.respondent, cmap.municipality, cmap.items["a3"], cmap.items["use_life"]) == ("RID", " Town ", "q a3", "use-life")
    loose = [(p.column, p.value) for p in problems if p.code == "column-matched-loosely"]
    assert loose == [("RID", "@respondent"), (" Town ", "@municipality"), ("A2", "a2"), ("q a3", "a3"), ("use-life", "use_life")]
    assert all(p.severity == "info" for p in problems if p.code == "column-matched-loosely")


def test_exact_beats_loose_and_ambiguity_is_not_guessed(mini):
    cols = ["rid", "town", "grade", "a1", "A1", "A2", "a2 "]
    cmap, problems = resolve_columns(mini, cols)
    assert cmap.items["a1"] == "a1"  # exact wins; "A1" stays unused
    assert cmap.items["a2"] is None
    amb = next(p for p in problems if p.value == "a2")
    assert amb.code == "missing-column" and "fits several columns: A2, a2 " in amb.message
    assert ("unused-column", "A1", None) in codes(problems)


def test_missing_items_and_optional_roles(mini):
    cmap, problems = resolve_columns(mini, ["rid", "town", "grade", "a1", "QA3"])
    assert cmap.role("school") is None and cmap.role("weight") is None
    # an optional role the instrument suggests but the file lacks is no warning, and says so
    absent = next(p for p in problems if p.value == "@school")
    assert (absent.code, absent.severity) == ("optional-column-absent", "info")
    assert ("missing-column", "school", "@school") not in codes(problems)
    assert ("missing-column", "b1", "b1") in codes(problems)
    a3 = next(p for p in problems if p.value == "a3")
    assert a3.message == "a3: no column 'Q_A3' (did you mean 'QA3'?)"
    data = pd.DataFrame({"rid": ["r1"], "town": ["X"], "grade": ["6"], "a1": ["2"], "QA3": ["1"]})
    items = cmap.item_frame(data)
    assert list(items.columns) == [i.id for i in mini.items]
    assert items["a1"].tolist() == ["2"] and items["b1"].isna().all()


def test_missing_required_roles_are_one_fatal_error(mini):
    with pytest.raises(MissingColumn) as err:
        resolve_columns(mini, ["ID", "Gemeinde", "Klasse", "a1"])
    assert str(err.value) == ("required column(s) not found in the data: respondent ('rid') — did you mean 'ID'?; "
                              "municipality ('town') — did you mean 'Gemeinde'?; grade ('grade') — did you mean 'Klasse'?")
    assert "@respondent" in err.value.hint and "--mapping" in err.value.hint


def test_mapping_file_overrides(mini, tmp_path):
    mapping = tmp_path / "map.csv"
    mapping.write_bytes("\ufeffitem;column;confidence\n@respondent;ID;alias\n@weight;Gewicht\n"
                        "# a comment row\na1;Frage 1\nb2;\n@school;\n\n".encode())
    cols = ["ID", "town", "grade", "Frage 1", "a2", "Q_A3", "b1", "Gewicht", "school"]
    cmap, problems = resolve_columns(mini, cols, mapping=mapping)
    assert cmap.roles == {"respondent": "ID", "municipality": "town", "grade": "grade", "weight": "Gewicht"}
    assert cmap.items["a1"] == "Frage 1" and cmap.items["b2"] is None
    assert ("unmapped-item", None, "b2") in codes(problems)
    assert ("unused-column", "school", None) in codes(problems)  # @school left empty: not used


def test_role_overrides_win(mini, tmp_path):
    mapping = tmp_path / "map.csv"
    mapping.write_text("item,column\n@respondent,ID\n", encoding="utf-8")
    cols = ["ID", "rid2", "town", "grade", "w"]
    cmap, _ = resolve_columns(mini, cols, mapping=mapping, role_overrides={"respondent": "rid2", "weight": "w", "gender": None})
    assert cmap.respondent == "rid2" and cmap.role("weight") == "w" and cmap.role("gender") is None
    with pytest.raises(UsageError, match="unknown column role 'sex'"):
        resolve_columns(mini, cols, role_overrides={"sex": "x"})
    with pytest.raises(MissingColumn, match=r"grade \(no column given\)"):
        resolve_columns(mini, cols, role_overrides={"grade": None})


def test_bad_mapping_file_lists_every_problem(mini, tmp_path):
    mapping = tmp_path / "map.csv"
    mapping.write_text("item,column\nzz,a1\n@resp,rid\na1,nope\na1,a1\nb1,town2\na2,x\nb2,x\n", encoding="utf-8")
    with pytest.raises(InvalidDefinition) as err:
        resolve_columns(mini, ["rid", "town", "grade", "a1", "x"], mapping=mapping)
    assert [str(p) for p in err.value.problems] == [
        "zz (line 2): unknown item id",
        "@resp (line 3): unknown role; roles: @respondent, @municipality, @grade, @school, @gender, @weight, @wave, "
        "@stratum, @schools_population, @enrolled",
        "a1 (line 4): column 'nope' is not in the data",
        "a1 (line 5): listed twice (lines 4 and 5)",
        "b1 (line 6): column 'town2' is not in the data (did you mean 'town'?)",
        "b2 (line 8): column 'x' is already mapped to item a2 (line 7)",
    ]
    assert str(err.value).startswith(f"mapping file {mapping}: 6 problems")


@pytest.mark.parametrize("content", ["column,item\na1,a1\n", "", "a1,a1\n"])
def test_mapping_file_needs_the_header(mini, tmp_path, content):
    mapping = tmp_path / "map.csv"
    mapping.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidDefinition) as err:
        resolve_columns(mini, EXACT, mapping=mapping)
    assert len(err.value.problems) == 1 and err.value.problems[0].path == "header"


def test_suggest_confidences(mini):
    cols = ["LfdN", "Town", "grade", "a1", "A2", "q-a3", "b1x", "use_30d_", "fakes", "Geschlecht", "other"]
    table = suggest_mapping(mini, cols).set_index("item")
    assert list(table.columns) == ["column", "confidence", "candidates"]
    expect = {
        "@respondent": ("LfdN", "alias"),
        "@municipality": ("Town", "case-insensitive"),
        "@grade": ("grade", "exact"),
        "@gender": ("Geschlecht", "alias"),
        "@school": ("", "none"),
        "a1": ("a1", "exact"),
        "a2": ("A2", "case-insensitive"),
        "a3": ("q-a3", "case-insensitive"),
        "use_30d": ("use_30d_", "case-insensitive"),
        "fake": ("fakes", "fuzzy"),
        "b2": ("", "none"),
    }
    for key, want in expect.items():
        assert (table.loc[key, "column"], table.loc[key, "confidence"]) == want, key
    used = [c for c in table["column"] if c]
    assert len(used) == len(set(used))  # each data column suggested at most once


def test_suggest_does_not_pair_neighbouring_item_names(mini):
    table = suggest_mapping(mini, ["rid", "town", "grade", "a3"]).set_index("item")
    assert table.loc["a1", "confidence"] == "none"  # "a3" is not a guess for a1
    assert table.loc["a3", "confidence"] == "alias"  # item id when the instrument names column Q_A3


def test_suggest_round_trip(mini, tmp_path):
    cols = ["RID", "gemeinde", "Jahrgangsstufe", "a1", "a 2", "Q_A3", "b1", "b2", "use_life", "usE_30d", "fake", "gewicht"]
    table = suggest_mapping(mini, cols)
    path = write_mapping(table, tmp_path / "map.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    cmap, problems = resolve_columns(mini, cols, mapping=path)
    suggested = dict(zip(table["item"], table["column"]))
    assert cmap.roles == {"respondent": "RID", "municipality": "gemeinde", "grade": "Jahrgangsstufe", "weight": "gewicht"}
    assert cmap.items == {k: (v or None) for k, v in suggested.items() if not k.startswith("@")}
    assert [p.code for p in problems] == []
    with pytest.raises(OutputError, match="already exists"):
        write_mapping(table, path)


def test_column_map_role_names():
    with pytest.raises(KeyError):
        ColumnMap().role("sex")


@given(st.text(max_size=20))
def test_normalise_name_is_idempotent(name):
    assert normalise_name(normalise_name(name)) == normalise_name(name)


def test_normalise_name_examples():
    assert {normalise_name(n) for n in [" Q_A3 ", "q a3", "q-a3", "Q.A3", "q__a3"]} == {"q_a3"}
    assert normalise_name("q1_1") != normalise_name("q11")


def test_a_role_the_user_names_but_the_data_lack_is_a_warning(mini):
    # (a mapping file naming a column the data lack is refused outright: see above)
    _, problems = resolve_columns(mini, ["rid", "town", "grade", "a1"], role_overrides={"weight": "wgt"})
    missing = next(p for p in problems if p.value == "@weight")
    assert (missing.code, missing.severity, missing.column) == ("missing-column", "warning", "wgt")


def test_the_published_summary_names_the_columns(mini):
    from ctc.checks import CheckReport

    _, problems = resolve_columns(mini, ["rid", "town", "grade", "a1", "extra"])
    report = CheckReport()
    for p in problems:
        report.add(p.code, column=p.column, value=p.value, message=p.message)
    summary = report.counts().set_index("code")["columns"]
    assert "extra" in summary["unused-column"]
    assert "school" in summary["optional-column-absent"]
