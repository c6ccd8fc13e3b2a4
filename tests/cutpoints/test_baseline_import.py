"""``ctc baseline import``: a published table as a baseline that records its cut-points;
a profile under other cut-points refuses the comparison with the reason."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from ctc.cli.main import cli

SHIPPED = Path(__file__).resolve().parents[2] / "instruments" / "ctc-youth-survey.yaml"


def run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, list(args))
    return res.exit_code, res.output


@pytest.fixture()
def table(tmp_path: Path) -> Path:
    path = tmp_path / "published.csv"
    path.write_text("indicator,grade,pct,se,n\nfamily_conflict,8,31.2,1.4,\nfamily_conflict,10,28.0,,900\n"
                    "alcohol_30d,8,12.5,0.9,\n", encoding="utf-8")
    return path


def test_import_records_cutpoints_and_effective_n(table: Path, tmp_path: Path) -> None:
    out = tmp_path / "base.csv"
    code, text = run("baseline", "import", str(table), "-o", str(out), "--source", "Land survey 2025, table 4",
                     "--year", "2025", "--cutpoints", "ctc-youth-survey")
    assert code == 0, text
    base = pd.read_csv(out, dtype={"grade": str})
    assert list(base["indicator_type"]) == ["risk", "risk", "outcome"]
    assert base.loc[0, "n"] == round(0.312 * 0.688 / 0.014**2)  # effective n from the SE
    assert base.loc[1, "n"] == 900  # a published n is kept
    assert base.loc[0, "cutpoints"] == "ctc-youth-survey 2026.1: mean score > 2.5"
    assert base.loc[2, "cutpoints"] == "ctc-youth-survey 2026.1: any_at_least 2"
    code, text = run("baseline", "check", str(out))
    assert code == 0 and "ok" in text


def test_profile_refuses_a_baseline_under_other_cutpoints(table: Path, tmp_path: Path) -> None:
    out = tmp_path / "base.csv"
    assert run("baseline", "import", str(table), "-o", str(out), "--source", "Land 2025", "--year", "2025",
               "--cutpoints", "ctc-youth-survey")[0] == 0
    other = tmp_path / "other.yaml"
    other.write_text(SHIPPED.read_text(encoding="utf-8").replace('version: "2026.1"', 'version: "2027.1"', 1)
                     .replace("    cutpoint: 2.5\n", "    cutpoint: 2.75\n"), encoding="utf-8")
    survey = tmp_path / "s.csv"
    assert run("simulate", "-o", str(survey), "--municipalities", "1", "--respondents", "200", "-q")[0] == 0
    code, text = run("profile", str(survey), "-o", str(tmp_path / "p"), "-b", str(out), "-i", str(other),
                     "--bootstrap", "0", "-q")
    assert code == 1
    line = text.strip().splitlines()[-1]
    assert line.startswith("Error: baseline") and "assumes other cut-points" in line and "> 2.5" in line
    assert "> 2.75" in line and "Hint:" in line
    assert not (tmp_path / "p").exists()
    # a new version with the same cut-points is fine: only the rule counts
    same = tmp_path / "same.yaml"
    same.write_text(SHIPPED.read_text(encoding="utf-8").replace('version: "2026.1"', 'version: "2027.1"', 1),
                    encoding="utf-8")
    code, text = run("profile", str(survey), "-o", str(tmp_path / "p"), "-b", str(out), "-i", str(same),
                     "--bootstrap", "0", "-q")
    assert code == 0, text


def test_bad_published_table(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator,grade,pct\nno_such_scale,8,31\n", encoding="utf-8")
    code, text = run("baseline", "import", str(bad), "-o", str(tmp_path / "b.csv"), "--source", "x", "--year", "2025",
                     "--cutpoints", "ctc-youth-survey")
    assert code == 1 and "no_such_scale" in text and "Hint:" in text
    bad.write_text("indicator,grade,pct\nfamily_conflict,8,0.312 %\n", encoding="utf-8")
    code, text = run("baseline", "import", str(bad), "-o", str(tmp_path / "b.csv"), "--source", "x", "--year", "2025",
                     "--cutpoints", "ctc-youth-survey")
    assert code == 1 and "pct must be a number" in text
