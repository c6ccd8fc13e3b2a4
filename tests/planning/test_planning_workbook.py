"""planning.xlsx read back with openpyxl: sheets, headers, prefilled values, charts,
validations, formatting, suppressed cells, formulas and hostile text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from planning_data import make_context, with_municipality

from ctc.errors import OutputError
from ctc.excel import DASH
from ctc.planning import write_planning_workbook
from ctc.planning.layout import FIRST_ROW, HEADER_ROW, ID_ROW, TABLES
from ctc.planning.strings import s

HOSTILE = "=SUM(A1)"
EN_SHEETS = ["Overview", "Profile", "Problem behaviours", "Priorities", "Programme matches", "Resource inventory", "Gap matrix",
             "Action plan", "Partners", "Evaluation plan", "Data quality", "Lists", "Meta"]


@pytest.fixture(scope="module")
def written(ctx, tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "planning.xlsx"
    result = write_planning_workbook(ctx, path)
    return result, load_workbook(path)


def column(ws, field_id: str) -> int:
    for cell in ws[ID_ROW]:
        if isinstance(cell.value, str) and cell.value.endswith(f":{field_id}"):
            return cell.column
    raise KeyError(field_id)


def rows_of(ws, field_ids: list[str]) -> list[dict]:
    cols = {f: column(ws, f) for f in field_ids}
    out = []
    for r in range(FIRST_ROW, ws.max_row + 1):
        row = {f: ws.cell(row=r, column=c).value for f, c in cols.items()}
        if any(v is not None for k, v in row.items() if k != "key"):
            out.append(row)
    return out


def test_sheets_in_order_with_lists_and_meta_hidden(written) -> None:
    result, wb = written
    assert wb.sheetnames == EN_SHEETS == list(result.sheets)
    assert [ws.title for ws in wb.worksheets if ws.sheet_state == "hidden"] == ["Lists", "Meta"]
    meta = {r[0]: r[1] for r in wb["Meta"].iter_rows(min_row=2, values_only=True)}
    assert meta["format"] == "ctc-planning/1" and meta["lang"] == "en" and meta["municipality"] == "Testhausen"


def test_german_workbook_has_german_sheets_headers_and_lists(ctx_de, tmp_path: Path) -> None:
    write_planning_workbook(ctx_de, tmp_path / "p.xlsx")
    wb = load_workbook(tmp_path / "p.xlsx")
    assert wb.sheetnames[:4] == ["Übersicht", "Profil", "Problemverhalten", "Prioritäten"]
    assert "Nicht zugeordnete Einträge" not in wb.sheetnames  # only when something was moved
    inv = wb["Bestandsaufnahme"]
    assert inv.cell(row=HEADER_ROW, column=2).value == "Träger"
    lists = wb["Listen"]
    assert [lists.cell(row=r, column=2).value for r in (2, 3, 4)] == ["Priorität", "vielleicht", "jetzt nicht"]
    assert wb["Aktionsplan"].cell(row=FIRST_ROW, column=2).value.startswith("Anteil belasteter")


def test_board_tables_have_field_ids_and_translated_headers(written) -> None:
    _, wb = written
    for sheet, title in (("inventory", "Resource inventory"), ("actions", "Action plan"), ("partners", "Partners"),
                         ("evaluation", "Evaluation plan"), ("priorities", "Priorities")):
        ws = wb[title]
        assert ws.row_dimensions[ID_ROW].hidden
        fields = TABLES[sheet]
        assert [ws.cell(row=ID_ROW, column=c).value for c in range(1, len(fields) + 1)] == [f"ctc:{sheet}:{f.id}" for f in fields]
        assert [ws.cell(row=HEADER_ROW, column=c).value for c in range(1, len(fields) + 1)] == [s(f.header_key) for f in fields]
        assert ws.freeze_panes == f"B{FIRST_ROW}"


def test_empty_board_rows_carry_keys(written) -> None:
    _, wb = written
    inv = wb["Resource inventory"]
    keys = [inv.cell(row=r, column=1).value for r in range(FIRST_ROW, FIRST_ROW + 200)]
    assert keys[0] == "INV-0001" and keys[-1] == "INV-0200" and len(set(keys)) == 200


def test_action_plan_prefilled_with_baselines_from_the_profile(ctx, written) -> None:
    _, wb = written
    rows = rows_of(wb["Action plan"], ["key", "outcome", "indicator", "population", "baseline", "baseline_year", "source", "latest"])
    short = ctx.priorities[ctx.priorities["shortlisted"]]
    assert len(rows) == len(short)
    t = ctx.table
    pooled = t[(t["grade"] == "all") & (t["gender"] == "all")].set_index("indicator_id")
    labels = dict(zip(ctx.priorities["indicator_id"], ctx.priorities["label"]))
    by_label = {r["indicator"]: r for r in rows}
    for fid in short["indicator_id"]:
        row = by_label[labels[fid]]
        assert row["baseline"] == pytest.approx(round(float(pooled.loc[fid, "pct"]), 1))
        assert row["latest"] == pytest.approx(row["baseline"])
        assert row["baseline_year"] == 2026  # manifest 'created'
        assert row["population"] == "Grades 6–9"
        assert row["key"].startswith("ACT-")
    evaluation = rows_of(wb["Evaluation plan"], ["key", "evaltype", "due"])
    assert evaluation == [{"key": "EVL-0001", "evaltype": s("v.evaltype.community"), "due": 2028}]


def test_profile_grid_against_the_baseline_with_suppressed_cells_as_text(ctx, written) -> None:
    _, wb = written
    ws = wb["Profile"]
    header = [c.value for c in ws[4]]
    assert header[:5] == ["Key", "Sign", "Type", "Domain / group", "Indicator"]
    assert header[5:10] == ["Grade 6", "Grade 7", "Grade 8", "Grade 9", "All grades"]
    assert len(header) >= 5 + 3 * 5
    keys = [ws.cell(row=r, column=1).value for r in range(5, 5 + 39)]
    assert keys == [i.id for i in ctx.indicators if i.type in ("risk", "protective")]
    grade9 = [ws.cell(row=r, column=9) for r in range(5, 5 + 39)]
    # why they are not shown: the sheet's note, once, not a cell note repeating it on every "–"
    assert all(c.value == DASH and c.data_type == "s" and c.comment is None for c in grade9)
    assert "'–' = not shown to protect privacy" in ws["A2"].value
    assert all(isinstance(ws.cell(row=r, column=11).value, int | float) for r in range(5, 44))  # baseline block
    fm = ws.cell(row=5 + keys.index("poor_family_management"), column=6).value
    assert fm == pytest.approx(60.0, abs=3)


def test_charts_reference_cells_and_never_suppressed_values(written) -> None:
    _, wb = written
    ws = wb["Profile"]
    assert len(ws._charts) == 3 and len(wb["Problem behaviours"]._charts) == 1
    for chart in ws._charts:
        for series in chart.series:
            ref = series.val.numRef.f
            assert ref.startswith("'Profile'!$")
            sheet_cells = ws[ref.split("!")[1].replace("$", "")]
            for row in sheet_cells:
                for cell in row:
                    assert cell.value is None or isinstance(cell.value, int | float)
    by_grade = ws._charts[2]
    refs = [sr.val.numRef.f for sr in by_grade.series]
    assert refs and all(r.endswith(f"$I${r.split('$')[-1]}") for r in refs)  # grades 6–9
    assert all(ws[r.split("!")[1].replace("$", "").split(":")[1]].value is None for r in refs)  # grade 9: suppressed, blank


def test_validations_and_names(written) -> None:
    _, wb = written
    inv = wb["Resource inventory"]
    lists = {dv.formula1: str(dv.sqref) for dv in inv.data_validations.dataValidation if dv.type == "list"}
    assert set(lists) == {"ctc_setting", "ctc_continuum", "ctc_evidence", "ctc_factor"}
    assert lists["ctc_setting"] == "D5:D204"
    names = {n: d.attr_text for n, d in wb.defined_names.items()}
    assert names["ctc_decision"] == "'Lists'!$B$2:$B$4"
    assert names["ctc_inv_factor_1"] == "'Resource inventory'!$K$5:$K$204"
    assert names["ctc_prio_decision"].startswith("'Priorities'!$Q$5:")
    prio = wb["Priorities"]
    assert any(dv.formula1 == "ctc_decision" for dv in prio.data_validations.dataValidation)
    partners = wb["Partners"]
    assert any(dv.formula1 == "ctc_sector" for dv in partners.data_validations.dataValidation)
    plan = wb["Action plan"]
    loose = [dv for dv in plan.data_validations.dataValidation if dv.formula1 in ("ctc_programme", "ctc_partner")]
    assert len(loose) == 2 and all(dv.errorStyle == "information" for dv in loose)


def test_conditional_formatting_and_print_setup(written) -> None:
    _, wb = written
    assert len(wb["Profile"].conditional_formatting) >= 2
    assert len(wb["Gap matrix"].conditional_formatting) >= 2
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_gap_matrix_formulas_reference_cells_only(written) -> None:
    result, wb = written
    ws = wb["Gap matrix"]
    assert {ws.cell(row=r, column=1).value for r in range(7, 7 + len(result.prioritised))} == set(result.prioritised)
    formula = ws["F7"].value
    assert formula == ("=SUMPRODUCT(((ctc_inv_factor_1=$C7)+(ctc_inv_factor_2=$C7)+(ctc_inv_factor_3=$C7)>0)*"
                       "ISNUMBER(ctc_inv_age_from)*ISNUMBER(ctc_inv_age_to)*(ctc_inv_age_from<=F$5)*(ctc_inv_age_to>=F$4))")
    assert ws["E7"].value == "=SUMPRODUCT(--((ctc_inv_factor_1=$C7)+(ctc_inv_factor_2=$C7)+(ctc_inv_factor_3=$C7)>0))"
    assert [ws.cell(row=4, column=c).value for c in range(6, 11)] == [6, 11, 12, 13, 14]
    assert [ws.cell(row=5, column=c).value for c in range(6, 11)] == [10, 11, 12, 13, 14]
    formulas = [c.value for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas and all(re.fullmatch(r"[=A-Za-z0-9_$(),<>*+\-\"&:]+", f) for f in formulas)


def test_programme_matches_and_matrix(written) -> None:
    result, wb = written
    ws = wb["Programme matches"]
    assert ws["A7"].value == 1 and ws["K7"].value.startswith("Addresses ")
    assert ws["L7"].hyperlink is not None
    cells = [c.value for row in ws.iter_rows() for c in row]
    assert "Programme × factor" in cells and ("●" in cells or "○" in cells)
    assert len(result.matches) == 15


def test_overview_provenance_and_data_quality(written) -> None:
    _, wb = written
    ov = [c.value for row in wb["Overview"].iter_rows() for c in row if c.value is not None]
    assert any("ctc-youth-survey" in str(v) for v in ov)
    assert "Synthetic reference survey" in ov
    q = [c.value for row in wb["Data quality"].iter_rows() for c in row if c.value is not None]
    assert "invalid-code" in q and "not shown to protect privacy" in q


def test_refuses_to_replace_an_existing_file(ctx, written, tmp_path: Path) -> None:
    path = tmp_path / "planning.xlsx"
    path.write_bytes(b"board work")
    with pytest.raises(OutputError, match="already exists"):
        write_planning_workbook(ctx, path)
    assert path.read_bytes() == b"board work"


@pytest.mark.parametrize("name", [HOSTILE, "+cmd|' /C calc'!A0", "<b>&amp;", "@SUM(1)", "-2+3"])
def test_hostile_names_stay_text_everywhere(ctx, tmp_path: Path, name: str) -> None:
    path = tmp_path / "p.xlsx"
    write_planning_workbook(with_municipality(ctx, name), path)
    wb = load_workbook(path)
    hits = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert ws.title == "Gap matrix" and name not in str(cell.value)
                if isinstance(cell.value, str) and name in cell.value:
                    hits += 1
                    assert cell.data_type == "s"
    assert hits >= 5


def test_big_profile_writes_fast(inst, tmp_path: Path) -> None:
    big = make_context(inst, grades=(6, 7, 8, 9, 10, 11, 12), small_grade=None)
    result = write_planning_workbook(big, tmp_path / "big.xlsx")
    assert result.seconds < 5
    assert load_workbook(tmp_path / "big.xlsx")["Profile"].cell(row=4, column=12).value == "Grade 12"


# --------------------------------------------------------------------------- validations and protection


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_validation_rejects_or_warns_with_a_message_in_the_workbook_language(inst, tmp_path: Path, lang: str) -> None:
    from ctc.planning.strings import s as text

    path = tmp_path / "planning.xlsx"
    write_planning_workbook(make_context(inst, lang=lang), path)
    wb = load_workbook(path)
    dvs = [(ws.title, dv) for ws in wb.worksheets for dv in ws.data_validations.dataValidation]
    assert len(dvs) >= 22
    for title_, dv in dvs:
        assert dv.showErrorMessage is True, (title_, dv.sqref)
        assert dv.errorTitle == text("dv.title", lang) and dv.error
    lists = [dv for _, dv in dvs if dv.type == "list"]
    strict = {dv.error for dv in lists if dv.errorStyle in (None, "stop")}
    assert strict == {text("dv.list.error", lang)}
    assert {dv.error for dv in lists if dv.errorStyle == "information"} == {text("dv.list.note", lang)}


def test_data_sheets_are_protected_and_board_columns_stay_editable(inst, tmp_path: Path) -> None:
    path = tmp_path / "planning.xlsx"
    write_planning_workbook(make_context(inst), path)
    wb = load_workbook(path)
    protected = {ws.title for ws in wb.worksheets if ws.protection.sheet}
    assert protected == {"Overview", "Profile", "Problem behaviours", "Priorities", "Programme matches", "Gap matrix",
                         "Data quality"}
    prio = wb["Priorities"]
    assert prio.protection.autoFilter is False and prio.protection.formatColumns is False
    header = {c.value: c.column for c in prio[4]}
    row = 5
    assert prio.cell(row=row, column=header["Board decision"]).protection.locked is False
    assert prio.cell(row=row, column=header["Rationale of the board"]).protection.locked is False
    for name in ("Key", "Factor", "%", "Reason"):
        assert prio.cell(row=row, column=header[name]).protection.locked is True, name
    assert wb["Profile"]["B6"].protection.locked is True
    assert not wb["Resource inventory"].protection.sheet and not wb["Action plan"].protection.sheet


def test_profile_sheet_shows_the_gender_breakdown_the_protection_allows(ctx, written) -> None:
    _, wb = written
    ws = wb["Profile"]
    head = next(c for c in ws[3] if c.value and str(c.value).startswith("% by gender"))
    genders = {ws.cell(row=4, column=head.column + k).value: head.column + k for k in range(3)}
    t = ctx.table
    rows = t[(t["grade"].astype(str) == "all") & (t["gender"].astype(str) != "all") & t["indicator_type"].isin(["risk", "protective"])]
    by_row = {ws.cell(row=r, column=1).value: r for r in range(5, ws.max_row + 1)}
    names = {code: text.get("en") for code, text in ctx.instrument.genders.items()}
    checked = hidden = 0
    for r in rows.itertuples():
        cell = ws.cell(row=by_row[r.indicator_id], column=genders[names[r.gender]])
        if r.suppressed:
            assert cell.value == "–" and cell.comment is None  # the sheet's note says why
            hidden += 1
        else:
            assert cell.value == pytest.approx(r.pct)
        checked += 1
    assert checked == len(rows) and hidden > 0 and checked - hidden > 0
