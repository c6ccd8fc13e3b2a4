"""Synthetic municipality contexts (helpers; fixtures in conftest.py) on the shipped instrument (no survey file needed).

Every cell (municipality × grade × gender) gets exactly round(n · p) flagged
respondents per indicator, so planted percentages are exact; one small cell makes
the profile suppress (and secondarily suppress) some values.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ctc.profile.baseline import COLUMNS, Baseline
from ctc.profile.compute import profile_tables
from ctc.profile.context import MunicipalityContext
from ctc.profile.options import ProfileOptions
from ctc.scoring.audit import screening_audit

FAMILY = {"poor_family_management": 60.0, "family_conflict": 55.0}
BASE = 30.0


def scored_frame(inst, cells: dict[tuple[str, int, str], int], planted: dict[str, float], seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    rid = 0
    for (muni, grade, gender), n in cells.items():
        cols: dict[str, object] = {
            "respondent": np.arange(rid, rid + n), "municipality": muni, "school": f"{muni}-school", "grade": grade,
            "gender": gender,
        }
        rid += n
        for sc in inst.scales:
            k = int(round(n * planted.get(sc.id, BASE) / 100))
            cols[f"flag.{sc.id}"] = rng.permutation(np.arange(n) < k)
        for o in inst.outcomes:
            k = int(round(n * planted.get(f"outcome.{o.id}", 20.0) / 100))
            cols[f"outcome.{o.id}"] = rng.permutation(np.arange(n) < k)
        for rule in inst.validity:
            cols[f"screen.{rule.id}"] = rng.random(n) < 0.02
        parts.append(pd.DataFrame(cols))
    frame = pd.concat(parts, ignore_index=True)
    frame["excluded"] = frame[[f"screen.{r.id}" for r in inst.validity]].any(axis=1)
    frame["grade"] = frame["grade"].astype("Int64")
    for c in frame.columns:
        if c.startswith(("flag.", "outcome.")):
            frame[c] = frame[c].astype("boolean")
    return frame


def baseline(inst, grades=(6, 7, 8), value: float = BASE) -> Baseline:
    rows = []
    for sc in inst.scales:
        for g in [*map(str, grades), "all"]:
            rows.append((sc.kind, sc.id, g, "all", value, pd.NA, "Synthetic reference survey", 2024))
    for o in inst.outcomes:
        for g in [*map(str, grades), "all"]:
            rows.append(("outcome", o.id, g, "all", 20.0, pd.NA, "Synthetic reference survey", 2024))
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    table["n"] = table["n"].astype("Int64")
    table["year"] = table["year"].astype("Int64")
    return Baseline("synthetic", table)


def make_context(inst, *, municipality: str = "Testhausen", lang: str = "en", planted: dict[str, float] | None = None,
                 grades=(6, 7, 8), n: int = 60, small: int = 8, small_grade: int | None = 9, seed: int = 1,
                 manifest: dict | None = None) -> MunicipalityContext:
    """A context of ``municipality`` (plus a neighbour, so the whole-file rows differ).

    ``small_grade`` gets only ``small`` respondents per gender: its cells are suppressed."""
    planted = FAMILY if planted is None else planted
    cells = {}
    for g in grades:
        for gender in ("female", "male"):
            cells[(municipality, g, gender)] = n
            cells[("Nachbarort", g, gender)] = n
    cells[(municipality, grades[-1], "diverse")] = small  # a small cell: suppressed
    if small_grade is not None:
        for gender in ("female", "male"):
            cells[(municipality, small_grade, gender)] = small
            cells[("Nachbarort", small_grade, gender)] = n
    all_grades = (*grades, small_grade) if small_grade is not None else grades
    scored = scored_frame(inst, cells, planted, seed)
    options = ProfileOptions(bootstrap=30, lang=lang)
    tabs = profile_tables(scored, inst, baseline(inst, all_grades), options)
    t = tabs.table
    muni = t["municipality"].astype(str)
    screening = screening_audit(scored, inst, lang)
    checks = pd.DataFrame({"code": ["invalid-code"], "severity": ["warning"], "count": [3],
                           "description": ["An answer code is not valid."]})
    return MunicipalityContext(
        municipality=municipality, instrument=inst, indicators=tabs.indicators,
        table=t[muni == municipality].reset_index(drop=True), whole=t[muni == "all"].reset_index(drop=True),
        priorities=tabs.priorities[tabs.priorities["municipality"] == municipality].reset_index(drop=True),
        screening=screening[screening["municipality"] == municipality].reset_index(drop=True), checks=checks,
        baseline=baseline(inst, all_grades), options=options,
        manifest=manifest if manifest is not None else {"toolkit": {"name": "ctc", "version": "test"}, "created": "2026-05-04T10:00:00+00:00",
                                                         "instrument": {"id": inst.id, "version": inst.version}},
    )


def with_municipality(ctx: MunicipalityContext, name: str) -> MunicipalityContext:
    """The same context under another (e.g. hostile) municipality name."""
    rename = lambda f: f.assign(municipality=name) if "municipality" in f else f  # noqa: E731
    return replace(ctx, municipality=name, table=rename(ctx.table), priorities=rename(ctx.priorities), screening=rename(ctx.screening))


MINI_CATALOGUE = """\
format: ctc-catalogue/1
id: local-office
version: "2026.1"
title: {en: "Local catalogue =SUM(A1)", de: "Lokaler Katalog =SUM(A1)"}
source: {en: Test data, de: Testdaten}
instrument: ctc-youth-survey
programmes:
  - id: family-young
    name: {en: Family programme for young adolescents, de: Familienprogramm}
    description: {en: Parent and youth sessions., de: Eltern- und Jugendsitzungen.}
    ratings:
      - {registry: blueprints, rating: promising, url: "https://example.org/family-young"}
    ages: {min: 10, max: 14}
    settings: [family]
    continuum: [universal]
    factors:
      - {id: poor_family_management, basis: registry, source: "https://example.org/family-young"}
      - {id: family_conflict, basis: registry, source: "https://example.org/family-young"}
    outcomes: [substance_use]
    available_in: [DE]
    languages: [de]
    sources:
      - {url: "https://example.org/family-young", checked: 2026-11-22}
  - id: school-older
    name: {en: "=HYPERLINK(\\"http://x\\") school programme", de: "=HYPERLINK(\\"http://x\\") Schulprogramm"}
    description: {en: Classroom sessions., de: Unterrichtseinheiten.}
    ratings:
      - {registry: blueprints, rating: model_plus, url: "https://example.org/school-older"}
    ages: {min: 15, max: 18}
    settings: [school]
    continuum: [universal]
    factors:
      - {id: poor_family_management, basis: registry, source: "https://example.org/school-older"}
      - {id: family_conflict, basis: registry, source: "https://example.org/school-older"}
    outcomes: [substance_use]
    available_in: [US]
    languages: [en]
    sources:
      - {url: "https://example.org/school-older", checked: 2026-11-22}
"""


def field_columns(ws) -> dict[str, int]:
    """field id → column, from the hidden field-id row (row 3)."""
    return {c.value.split(":")[2]: c.column for c in ws[3] if isinstance(c.value, str) and c.value.startswith("ctc:")}


def entered_rows(ws) -> dict[str, dict]:
    """Rows with anything besides the key, by key (or by row number when keyless)."""
    cols = field_columns(ws)
    out = {}
    for r in range(5, ws.max_row + 1):
        row = {f: ws.cell(row=r, column=c).value for f, c in cols.items()}
        if any(v is not None for k, v in row.items() if k != "key"):
            out[row.get("key") or f"row{r}"] = row
    return out


def fill(ws, row: int, values: dict) -> None:
    """Type values into a row as a board member would; strings are text (as typed with a
    leading apostrophe or pasted as text), never formulas."""
    cols = field_columns(ws)
    for f, v in values.items():
        cell = ws.cell(row=row, column=cols[f])
        cell.value = v
        if isinstance(v, str):
            cell.data_type = "s"


def write_outputs(ctx: MunicipalityContext, outdir, detail_checks: bool = False) -> None:
    """The files a 'ctc profile' run leaves in its output folder, for this context."""
    import json
    from dataclasses import asdict

    outdir.mkdir(parents=True, exist_ok=True)
    pd.concat([ctx.table, ctx.whole], ignore_index=True).to_csv(outdir / "profile.csv", index=False, encoding="utf-8-sig")
    ctx.priorities.to_csv(outdir / "priorities.csv", index=False, encoding="utf-8-sig")
    ctx.screening.to_csv(outdir / "screening.csv", index=False, encoding="utf-8-sig")
    if detail_checks:
        frame = pd.DataFrame({"code": ["invalid-code"] * 3, "severity": ["warning"] * 3, "row": [1, 2, 3], "respondent": ["a", "b", "c"],
                              "column": ["q1"] * 3, "value": ["9"] * 3, "message": ["bad"] * 3})
        frame.to_csv(outdir / "checks.csv", index=False)
    else:
        ctx.checks.to_csv(outdir / "checks.csv", index=False)
    manifest = {**ctx.manifest, "options": asdict(ctx.options),
                "baseline": {"id": "synthetic", "sources": ["Synthetic reference survey"], "years": [2024]}}
    (outdir / "manifest.json").write_text(json.dumps(manifest, default=str), encoding="utf-8")
