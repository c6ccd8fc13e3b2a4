"""Every CSV the toolkit writes opens in LibreOffice without live formulas, and its
numbers stay numbers (OWASP CSV injection).

Before the release step (ctc/release) this failed: names and texts starting with =, +, -, @ are written raw; a
municipality named =HYPERLINK(...) becomes a live formula in profile.csv,
priorities.csv and screening.csv, a respondent id in the scored CSV and its checks.

Inputs: the demo survey with a municipality named =HYPERLINK("http://x","click"),
schools named +cmd, -2+3, @SUM(1), respondent ids starting with = and @ on rows with an
invalid answer (so the check reports name them), an item column renamed @nbh_like (for
ctc map suggest), and an instrument whose labels start with =, +, -, @.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from published import REPO_ROOT, ctc

pytestmark = pytest.mark.external("soffice")

EVIL_TOWN = '=HYPERLINK("http://x","click")'
LABELS = {"Family conflict": "+Family conflict", "Rebelliousness": "-Rebelliousness",
          "Sensation seeking": "@Sensation seeking", "Academic failure": "=1+1 Academic failure"}


def evil_instrument(folder: Path) -> Path:
    text = (REPO_ROOT / "instruments" / "ctc-youth-survey.yaml").read_text(encoding="utf-8")
    for old, new in LABELS.items():
        assert f'label: {{en: "{old}"' in text, old
        text = text.replace(f'label: {{en: "{old}"', f'label: {{en: "{new}"', 1)
    path = folder / "evil-instrument.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def evil_survey(demo_survey: Path, folder: Path) -> Path:
    frame = pd.read_csv(demo_survey, dtype=str, keep_default_na=False)
    first = frame["municipality"] == frame["municipality"].iloc[0]
    frame.loc[first, "municipality"] = EVIL_TOWN
    schools = sorted(frame.loc[~first, "school"].unique())
    frame["school"] = frame["school"].replace(dict(zip(schools, ["+cmd", "-2+3", "@SUM(1)"])))
    for i, rid in zip((10, 11, 12), ("=1+2", "@id", "+42")):
        frame.loc[i, "respondent_id"] = rid
        frame.loc[i, "nbh_like"] = "9"  # an invalid code: the check reports name this row
    path = folder / "evil.csv"
    frame.to_csv(path, index=False)
    return path


def soffice_xlsx(files: list[Path], outdir: Path) -> dict[Path, Path]:
    profile = outdir / "lo-profile"
    cmd = [shutil.which("soffice") or "soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
           "--convert-to", "xlsx", "--outdir", str(outdir), *map(str, files)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = {f: outdir / f"{f.stem}.xlsx" for f in files}
    assert all(p.is_file() for p in out.values()), (done.stdout, done.stderr)
    return out


@pytest.fixture(scope="module")
def written(demo, tmp_path_factory) -> list[Path]:
    """Every CSV that ctc profile, ctc score and ctc map suggest write for the evil input."""
    folder = tmp_path_factory.mktemp("evil")
    survey, inst = evil_survey(demo.survey, folder), evil_instrument(folder)
    ctc("profile", survey, "-i", inst, "-o", folder / "out", "--bootstrap", 0, "-q")
    ctc("score", survey, "-i", inst, "-o", folder / "scored.csv", "-q")
    renamed = pd.read_csv(survey, dtype=str, keep_default_na=False).rename(columns={"nbh_like": "@nbh_like"})
    renamed.to_csv(folder / "renamed.csv", index=False)
    ctc("map", "suggest", folder / "renamed.csv", "-o", folder / "mapping.csv")
    files = [folder / "out" / f for f in ("profile.csv", "priorities.csv", "screening.csv", "checks.csv")]
    files += [folder / "scored.csv", folder / "scored.checks.csv", folder / "scored.screening.csv", folder / "mapping.csv"]
    assert all(f.is_file() for f in files), [f for f in files if not f.is_file()]
    return files


def test_the_evil_texts_reach_the_csv_files(written):
    """So the test below is about something: the names are in the files."""
    text = "\n".join(f.read_text(encoding="utf-8") for f in written)
    for needle in ("HYPERLINK", "cmd", "SUM(1)", "Family conflict", "Sensation seeking", "nbh_like", "1+2"):
        assert needle in text, needle


def test_no_formulas_and_numbers_stay_numbers(written, tmp_path):
    converted = soffice_xlsx(written, tmp_path)
    problems = []
    for csv, xlsx in converted.items():
        ws = load_workbook(xlsx, data_only=False).active
        formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
        if formulas:
            problems.append(f"{csv.name}: {len(formulas)} formulas, e.g. {formulas[:3]}")
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        header = [c.value for c in ws[1]]
        for col in frame.columns:
            values = frame[col][frame[col] != ""]
            if values.empty or pd.to_numeric(values, errors="coerce").isna().any():
                continue  # not a numeric column
            j = header.index(col) + 1 if col in header else None
            if j is None:
                problems.append(f"{csv.name}: column {col} missing after import")
                continue
            cells = [ws.cell(row=r, column=j).value for r in range(2, ws.max_row + 1)]
            texts = [v for v in cells if isinstance(v, str) and v != ""]
            if texts:
                problems.append(f"{csv.name}: numeric column {col} imported as text, e.g. {texts[:2]}")
    assert not problems, "\n".join(problems)
