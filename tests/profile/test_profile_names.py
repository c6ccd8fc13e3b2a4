"""One town, one profile: names are normalised before grouping (NFC, white space), and a
file mixing UTF-8 and cp1252 lines is read line by line and reported."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from ctc.instrument import load_instrument
from ctc.simulate import SimulationOptions, simulate

NFC = unicodedata.normalize("NFC", "Mülheim an der Ruhr")
NFD = unicodedata.normalize("NFD", NFC)


@pytest.fixture(scope="module")
def lines(tmp_path_factory) -> list[str]:
    path = tmp_path_factory.mktemp("names") / "s.csv"
    simulate(load_instrument(), path, SimulationOptions(municipalities=(NFC,), respondents=60, seed=8))
    text = path.read_text(encoding="utf-8").splitlines()
    assert all(NFC in line for line in text[1:])
    return text


def test_nfc_nfd_and_spacing_variants_are_one_municipality(run, lines, tmp_path):
    variants = [NFC, NFD, f" {NFD} ", NFC.replace(" an ", "  an\u00a0")]
    body = [line.replace(NFC, variants[k % 4]) for k, line in enumerate(lines[1:])]
    path = tmp_path / "survey.csv"
    path.write_text("\n".join([lines[0], *body]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run("profile", path, "-o", out, "--bootstrap", "0")
    assert result.exit_code == 0, result.output
    m = json.loads((out / "manifest.json").read_text())
    assert [x["name"] for x in m["municipalities"]] == [NFC]
    assert "1 municipalities" in result.output
    table = pd.read_csv(out / "profile.csv")
    assert set(table["municipality"]) == {NFC}  # one municipality: no separate whole-file rows


def test_score_writes_one_spelling(run, lines, tmp_path):
    body = [line.replace(NFC, NFD if k % 2 else NFC + "  ") for k, line in enumerate(lines[1:])]
    path = tmp_path / "survey.csv"
    path.write_text("\n".join([lines[0], *body]) + "\n", encoding="utf-8")
    result = run("score", path, "-o", tmp_path / "scored.csv")
    assert result.exit_code == 0, result.output
    scored = pd.read_csv(tmp_path / "scored.csv")
    assert scored["municipality"].unique().tolist() == [NFC]


def test_mixed_utf8_and_cp1252_lines_are_one_municipality(run, lines, tmp_path):
    data = [lines[0].encode("utf-8")]
    data += [line.encode("cp1252" if k % 3 == 0 else "utf-8") for k, line in enumerate(lines[1:])]
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\n".join(data) + b"\n")
    result = run("score", path, "-o", tmp_path / "scored.csv")
    assert result.exit_code == 0, result.output
    scored = pd.read_csv(tmp_path / "scored.csv")
    assert scored["municipality"].unique().tolist() == [NFC] and len(scored) == 60
    checks = pd.read_csv(tmp_path / "scored.checks.csv")
    mixed = checks[checks["code"] == "mixed-encoding"]
    assert mixed["message"].tolist() == [
        "encoding: the file mixes UTF-8 and cp1252 lines (line 3 is UTF-8, line 2 is cp1252); each line was read in "
        "its own encoding. Save the file as UTF-8 to be sure"]
    assert mixed["severity"].tolist() == ["warning"]


def test_a_plain_cp1252_file_is_not_called_mixed(run, lines, tmp_path):
    path = tmp_path / "win.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    result = run("score", path, "-o", tmp_path / "scored.csv")
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "scored.csv")["municipality"].unique().tolist() == [NFC]
    assert "mixed-encoding" not in set(pd.read_csv(tmp_path / "scored.checks.csv")["code"])
