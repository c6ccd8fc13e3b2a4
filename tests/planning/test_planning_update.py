"""Regeneration keeps the board's work: fill the board sheets, regenerate with changed data,
and every entered value is still there while the data sheets changed."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook
from planning_data import entered_rows, field_columns, fill, make_context

from ctc.errors import OutputError
from ctc.planning import update_planning_workbook, write_planning_workbook
from ctc.planning.strings import s

HOSTILE = ["=SUM(A1)", "+cmd|' /C calc'!A0", "<b>&", "@x", "-1+1"]
RATED = s("v.evidence.rated")
GONE = "low_neighbourhood_attachment"


def _row_of(ws, key: str) -> int:
    col = field_columns(ws)["key"]
    return next(r for r in range(5, ws.max_row + 1) if ws.cell(row=r, column=col).value == key)


def board_fill(path: Path, ctx) -> dict:
    """Type a board's work into the workbook; returns what was typed, by sheet and key."""
    wb = load_workbook(path)
    typed: dict[str, dict] = {}
    inv = wb["Resource inventory"]
    inventory = {
        "INV-0001": {"provider": HOSTILE[0], "programme": "Familien stärken", "setting": "family", "age_from": 10, "age_to": 14,
                     "continuum": "universal", "reach": 40, "funding": "city budget", "evidence": RATED,
                     "factor_1": "Poor family management", "factor_2": "Family conflict", "notes": HOSTILE[2]},
        "INV-0002": {"provider": "Youth club", "programme": "Open youth work", "setting": "community", "age_from": 12, "age_to": 18,
                     "continuum": "universal", "reach": 200, "evidence": "not evaluated", "factor_1": "Friends' use of drugs"},
        "INV-0003": {"provider": "School social work", "programme": "Mediation", "setting": "school", "age_from": 11, "age_to": 13,
                     "evidence": "unknown", "factor_1": "Family conflict", "factor_3": "Low neighbourhood attachment"},
    }
    for k, (key, values) in enumerate(inventory.items()):
        fill(inv, 5 + k, values)
    typed["inventory"] = inventory
    # a second row that copied INV-0001's key, and a column the board added itself
    fill(inv, 9, {"key": "INV-0001", "provider": "Copied row", "programme": "Copy"})
    inv.cell(row=4, column=20).value = "Board's own column"
    inv.cell(row=6, column=20).value = "kept somewhere"
    prio = wb["Priorities"]
    keys = {prio.cell(row=r, column=1).value: r for r in range(5, prio.max_row + 1)}
    decisions = {"poor_family_management": {"decision": "priority", "rationale": HOSTILE[1]},
                 "family_conflict": {"decision": "maybe", "rationale": "Gebietsteam: Erfahrung der Fachkräfte"},
                 "academic_failure": {"decision": "priority", "rationale": "schools report it"},
                 GONE: {"decision": "priority", "rationale": "dropped later"}}
    for key, values in decisions.items():
        fill(prio, keys[key], values)
    typed["priorities"] = decisions
    plan = wb["Action plan"]
    first = plan.cell(row=5, column=1).value
    actions = {first: {"target": 45.0, "target_year": 2030, "programme": "Guiding Good Choices", "partner": HOSTILE[3],
                       "cost": 12000, "start": dt.datetime(2027, 1, 1), "end": dt.datetime(2029, 12, 31)}}
    fill(plan, 5, actions[first])
    free = next(r for r in range(5, plan.max_row + 1) if plan.cell(row=r, column=2).value is None)
    new_key = plan.cell(row=free, column=1).value
    fill(plan, free, {"outcome": "Less drinking", "indicator": "Alcohol, past 30 days", "target": 10.0, "target_year": 2030})
    actions[new_key] = {"outcome": "Less drinking", "indicator": "Alcohol, past 30 days", "target": 10.0, "target_year": 2030}
    plan.cell(row=free + 1, column=field_columns(plan)["cost"]).value = "=1000*3"  # a formula typed by the board
    plan.cell(row=free + 1, column=field_columns(plan)["outcome"]).value = "Formula row"
    typed["actions"] = actions
    partners = {"PRT-0001": {"organisation": HOSTILE[3], "sector": "schools", "role": "chair", "contact": HOSTILE[4],
                             "contact_details": "a@b.de", "commitments": "hosts meetings"},
                "PRT-0002": {"organisation": "Jugendamt", "sector": "youth welfare", "commitments": "funds 1 FTE"}}
    for k, values in enumerate(partners.values()):
        fill(wb["Partners"], 5 + k, values)
    typed["partners"] = partners
    evaluation = {"EVL-0002": {"programme": "Guiding Good Choices", "evaltype": "participant outcome", "measure": "parenting scale",
                               "responsible": HOSTILE[3], "due": "2028-06"}}
    fill(wb["Evaluation plan"], 6, evaluation["EVL-0002"])
    typed["evaluation"] = evaluation
    wb.save(path)
    return typed


@pytest.fixture(scope="module")
def round_trip(inst, tmp_path_factory):
    folder = tmp_path_factory.mktemp("rt")
    path = folder / "planning.xlsx"
    first = make_context(inst)
    write_planning_workbook(first, path)
    typed = board_fill(path, first)
    before = path.read_bytes()
    new = make_context(inst, seed=7, planted={"poor_family_management": 48.0, "academic_failure": 62.0})
    new = replace(new, priorities=new.priorities[new.priorities["indicator_id"] != GONE].reset_index(drop=True))
    result = update_planning_workbook(new, path)
    return {"path": path, "typed": typed, "before": before, "result": result, "wb": load_workbook(path), "new": new, "first": first}


def test_every_entered_value_survived(round_trip) -> None:
    wb, typed = round_trip["wb"], round_trip["typed"]
    for sheet, title in (("inventory", "Resource inventory"), ("partners", "Partners"), ("evaluation", "Evaluation plan")):
        rows = entered_rows(wb[title])
        for key, values in typed[sheet].items():
            for f, v in values.items():
                assert rows[key][f] == v, (sheet, key, f)
    prio = entered_rows(wb["Priorities"])
    for key, values in typed["priorities"].items():
        if key == GONE:
            continue
        assert {f: prio[key][f] for f in values} == values
    plan = entered_rows(wb["Action plan"])
    for key, values in typed["actions"].items():
        for f, v in values.items():
            assert plan[key][f] == v, (key, f)


def test_hostile_text_stays_text_after_update(round_trip) -> None:
    hits = 0
    for ws in round_trip["wb"].worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and any(h in cell.value for h in HOSTILE):
                    hits += 1
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                if cell.data_type == "f":
                    assert ws.title == "Gap matrix"
    assert hits >= 7


def test_a_board_formula_comes_back_as_text(round_trip) -> None:
    plan = entered_rows(round_trip["wb"]["Action plan"])
    row = next(r for r in plan.values() if r["outcome"] == "Formula row")
    assert row["cost"] == "=1000*3"


def test_data_sheets_changed(round_trip) -> None:
    old = load_workbook(round_trip["path"].with_name("planning.backup-1.xlsx"))
    new = round_trip["wb"]
    assert [c.value for c in old["Profile"]["F"]] != [c.value for c in new["Profile"]["F"]]
    old_prio = {r[0]: r[3] for r in old["Priorities"].iter_rows(min_row=5, values_only=True)}
    new_prio = {r[0]: r[3] for r in new["Priorities"].iter_rows(min_row=5, values_only=True)}
    assert old_prio["poor_family_management"] != new_prio["poor_family_management"]
    assert GONE in old_prio and GONE not in new_prio


def test_previous_file_kept_as_backup(round_trip) -> None:
    backup = round_trip["result"].backup
    assert backup == round_trip["path"].with_name("planning.backup-1.xlsx")
    assert backup.read_bytes() == round_trip["before"]


def test_unmatched_entries_are_moved_not_dropped(round_trip) -> None:
    result, wb = round_trip["result"], round_trip["wb"]
    ws = wb["Unmatched entries"]
    rows = list(entered_rows(ws).values())
    gone = [r for r in rows if r["entry_key"] == GONE]
    assert {r["field"]: r["value"] for r in gone} == {"Board decision": "priority", "Rationale of the board": "dropped later"}
    assert all(r["from_sheet"] == "Priorities" and r["why"] == s("why.factor_gone") for r in gone)
    extra = [r for r in rows if r["field"] == "Board's own column"]
    assert extra and extra[0]["value"] == "kept somewhere" and extra[0]["entry_key"] == "INV-0002"
    assert len(result.moved) == len(rows) == 3
    assert wb.sheetnames.index("Unmatched entries") == wb.sheetnames.index("Data quality") + 1


def test_duplicate_key_gets_a_new_key(round_trip) -> None:
    result = round_trip["result"]
    assert [(s_, old) for s_, old, _ in result.rekeyed] == [("inventory", "INV-0001")]
    new_key = result.rekeyed[0][2]
    rows = entered_rows(round_trip["wb"]["Resource inventory"])
    assert rows[new_key]["provider"] == "Copied row" and rows["INV-0001"]["provider"] == "=SUM(A1)"


def test_decided_priorities_get_action_rows_and_baselines(round_trip) -> None:
    result, wb, new = round_trip["result"], round_trip["wb"], round_trip["new"]
    plan = entered_rows(wb["Action plan"])
    assert len(result.added) == 1
    added = plan[result.added[0]]
    assert added["indicator"] == "Academic failure" and added["baseline_year"] == 2026
    t = new.table
    pooled = t[(t["grade"] == "all") & (t["gender"] == "all")].set_index(["indicator_type", "indicator_id"])
    assert added["baseline"] == pytest.approx(round(float(pooled.loc[("risk", "academic_failure"), "pct"]), 1))
    drink = next(r for r in plan.values() if r["outcome"] == "Less drinking")
    assert drink["baseline"] == pytest.approx(round(float(pooled.loc[("outcome", "alcohol_30d"), "pct"]), 1))
    assert drink["latest"] == drink["baseline"] and drink["population"] == "Grades 6–9"
    gaps = wb["Gap matrix"]
    assert "academic_failure" in [gaps.cell(row=r, column=1).value for r in range(7, gaps.max_row + 1)]


def test_kept_counts(round_trip) -> None:
    kept = round_trip["result"].kept
    assert kept["inventory"] == 4 and kept["partners"] == 2 and kept["evaluation"] == 2 and kept["priorities"] == 3


def test_a_second_update_carries_unmatched_entries_without_duplicating(round_trip, tmp_path: Path) -> None:
    path = tmp_path / "planning.xlsx"
    path.write_bytes(round_trip["path"].read_bytes())
    again = update_planning_workbook(round_trip["new"], path)
    assert again.carried == 3 and again.moved == () and again.added == () and again.rekeyed == ()
    wb = load_workbook(path)
    assert len(entered_rows(wb["Unmatched entries"])) == 3
    assert entered_rows(wb["Resource inventory"]) == entered_rows(round_trip["wb"]["Resource inventory"])
    assert entered_rows(wb["Action plan"]).keys() == entered_rows(round_trip["wb"]["Action plan"]).keys()


def test_german_workbook_stays_german_unless_asked(inst, tmp_path: Path) -> None:
    de = make_context(inst, lang="de")
    path = tmp_path / "planung.xlsx"
    write_planning_workbook(de, path)
    wb = load_workbook(path)
    prio = wb["Prioritäten"]
    fill(prio, 5, {"decision": "Priorität", "rationale": "Fachkräfte sehen das so"})
    fill(wb["Bestandsaufnahme"], 5, {"provider": "Verein", "setting": "Familie", "evidence": "unbekannt",
                                     "factor_1": "Konflikte in der Familie"})
    wb.save(path)
    en = make_context(inst, lang="en", seed=3)
    result = update_planning_workbook(en, path)
    assert result.lang == "de" and result.previous_lang == "de"
    wb = load_workbook(path)
    assert wb.sheetnames[0] == "Übersicht"
    assert entered_rows(wb["Prioritäten"])[prio.cell(row=5, column=1).value]["decision"] == "Priorität"
    result = update_planning_workbook(en, path, lang="en")
    assert result.lang == "en" and result.previous_lang == "de"
    wb = load_workbook(path)
    assert wb.sheetnames[0] == "Overview"
    row = entered_rows(wb["Priorities"])[prio.cell(row=5, column=1).value]
    assert row == {**row, "decision": "priority", "rationale": "Fachkräfte sehen das so"}
    inv = entered_rows(wb["Resource inventory"])["INV-0001"]
    assert (inv["provider"], inv["setting"], inv["evidence"], inv["factor_1"]) == ("Verein", "family", "unknown", "Family conflict")


def test_reasons_follow_the_workbook_language(inst, tmp_path: Path) -> None:
    de = make_context(inst, lang="de")
    path = tmp_path / "p.xlsx"
    write_planning_workbook(de, path)
    update_planning_workbook(make_context(inst, lang="en", seed=4), path)
    wb = load_workbook(path)
    reasons = [r[14] for r in wb["Prioritäten"].iter_rows(min_row=5, values_only=True) if r[0] and r[2]]
    assert reasons and all("belastet" in r or "Schutz" in r or "nicht ausgewiesen" in r for r in reasons)


def test_not_a_planning_workbook(ctx, tmp_path: Path) -> None:
    from openpyxl import Workbook

    path = tmp_path / "other.xlsx"
    Workbook().save(path)
    with pytest.raises(OutputError, match="not a planning workbook"):
        update_planning_workbook(ctx, path)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(OutputError, match="cannot read"):
        update_planning_workbook(ctx, broken)


def test_workbook_of_another_municipality_is_refused(ctx, inst, tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    write_planning_workbook(ctx, path)
    other = make_context(inst, municipality="Anderswo")
    with pytest.raises(OutputError, match="Testhausen"):
        update_planning_workbook(other, path)
    assert not path.with_name("p.backup-1.xlsx").exists()


def test_entries_can_be_read_from_a_previous_file(ctx, tmp_path: Path) -> None:
    old = tmp_path / "old" / "planning.xlsx"
    old.parent.mkdir()
    write_planning_workbook(ctx, old)
    wb = load_workbook(old)
    fill(wb["Partners"], 5, {"organisation": "Schule am Park"})
    wb.save(old)
    new = tmp_path / "new" / "planning.xlsx"
    new.parent.mkdir()
    result = update_planning_workbook(ctx, new, previous=old)
    assert result.backup == new.with_name("planning.backup-1.xlsx") and result.backup.exists()
    assert entered_rows(load_workbook(new)["Partners"])["PRT-0001"]["organisation"] == "Schule am Park"
