"""``ctc cutpoints derive`` on simulated reference samples with planted truth, as a user
runs it: files on disk, the CLI, ``ctc instrument check`` and ``ctc score`` on the result."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from ctc.cli.main import cli

PLANTED = 2.5  # the outcome's probability jumps at this scale score


def run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, list(args))
    return res.exit_code, res.output


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A simulated survey whose family-conflict items and alcohol use, and family
    opportunities and cigarette use, are replaced by a planted relation: the outcome is
    likely (0.75) on the risk side of 2.5 and unlikely (0.15) on the other."""
    folder = tmp_path_factory.mktemp("ref")
    path = folder / "ref.csv"
    code, out = run("simulate", "-o", str(path), "--municipalities", "2", "--respondents", "1200", "--seed", "5",
                    "--schools", "6", "--missing-share", "0", "--block-skip-share", "0", "--invalid-share", "0", "-q")
    assert code == 0, out
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    rng = np.random.default_rng(7)
    n = len(frame)
    fc = rng.integers(1, 5, size=(n, 3))
    fo = rng.integers(1, 5, size=(n, 3))
    for k, item in enumerate(("fc_insult", "fc_argue", "fc_same")):
        frame[item] = fc[:, k].astype(str)
    for k, item in enumerate(("fo_fun", "fo_opinion", "fo_help")):
        frame[item] = fo[:, k].astype(str)
    alcohol = rng.random(n) < np.where(fc.mean(axis=1) > PLANTED, 0.75, 0.15)
    smoking = rng.random(n) < np.where(fo.mean(axis=1) <= PLANTED, 0.75, 0.15)  # protective: low protection is the risk
    frame["alc_30d"] = np.where(alcohol, "3", "1")
    frame["alc_life"] = np.where(alcohol, "4", frame["alc_life"])
    frame["cig_30d"] = np.where(smoking, "3", "1")
    frame["cig_life"] = np.where(smoking, "4", frame["cig_life"])
    frame.to_csv(path, index=False)
    return path


def load_yaml(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def scale(doc: dict, scale_id: str) -> dict:
    return next(s for s in doc["scales"] if s["id"] == scale_id)


def test_roc_recovers_the_planted_threshold_within_its_interval(reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "roc.yaml"
    code, text = run("cutpoints", "derive", str(reference), "-o", str(out), "--method", "roc", "--bootstrap", "100",
                     "--outcome", "family_conflict=alcohol_30d", "--outcome", "family_opportunities_prosocial=cigarettes_30d",
                     "--design", "clusters")
    assert code == 0, text
    doc = load_yaml(out)
    for scale_id in ("family_conflict", "family_opportunities_prosocial"):
        s = scale(doc, scale_id)
        low, high = s["cutpoint_derivation"]["interval"]
        assert low <= PLANTED <= high, (scale_id, low, s["cutpoint"], high)
        assert abs(s["cutpoint"] - PLANTED) < 0.34  # one step of a mean of three 1–4 items
        assert s["cutpoint_derivation"]["resampled"] == "schools"
    report = pd.read_csv(tmp_path / "roc.cutpoints.csv")
    fc = report[report["scale"] == "family_conflict"].iloc[0]
    assert 0.6 < fc["sensitivity_new"] < 0.95 and 0.6 < fc["specificity_new"] < 0.95 and fc["auc"] > 0.7
    fo = report[report["scale"] == "family_opportunities_prosocial"].iloc[0]
    assert fo["kind"] == "protective" and fo["auc"] > 0.7 and fo["sensitivity_new"] > 0.6


def test_mad_equals_a_hand_computation_and_round_trips(reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "mad.yaml"
    code, text = run("cutpoints", "derive", str(reference), "-o", str(out), "--bootstrap", "20", "--k", "0.15")
    assert code == 0, text
    scored = tmp_path / "scored.csv"
    code, text = run("score", str(reference), "-o", str(scored), "-q")
    assert code == 0, text
    frame = pd.read_csv(scored)
    kept = frame[~frame["excluded"].astype(bool)]
    doc = load_yaml(out)
    sha = hashlib.sha256(reference.read_bytes()).hexdigest()
    for scale_id, protective in (("family_conflict", False), ("family_opportunities_prosocial", True)):
        x = kept[f"score.{scale_id}"].dropna().to_numpy()
        med = np.median(x)
        mad = np.median(np.abs(x - med))
        want = med - 0.15 * mad if protective else med + 0.15 * mad
        s = scale(doc, scale_id)
        assert s["cutpoint"] == pytest.approx(want, rel=1e-12)
        d = s["cutpoint_derivation"]
        assert (d["method"], d["parameter"], d["sha256"], d["n"], d["reference"]) == ("mad", 0.15, sha, x.size, "ref.csv")
        assert "Not the official CTC cut-points" in s["cutpoint_source"]["en"]
    assert str(doc["version"]).endswith("+mad." + d["date"].replace("-", ""))
    code, text = run("instrument", "check", str(out))
    assert code == 0 and "ok" in text, text
    rescored = tmp_path / "rescored.csv"
    code, text = run("score", str(reference), "-i", str(out), "-o", str(rescored), "-q")
    assert code == 0, text
    again = pd.read_csv(rescored)
    cut = scale(doc, "family_conflict")["cutpoint"]
    score = again["score.family_conflict"]
    flag = again["flag.family_conflict"]
    known = score.notna()
    assert (flag[known].astype(bool) == (score[known] > cut)).all()
    assert not (flag[known].astype(bool) == (score[known] > 2.5)).all()  # the old cut-point would flag differently


def test_by_grade_writes_a_mapping_and_a_small_grade_is_an_error(reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "q.yaml"
    code, text = run("cutpoints", "derive", str(reference), "-o", str(out), "--method", "quantile", "--share", "0.25",
                     "--by-grade", "--bootstrap", "0", "--min-n", "50")
    assert code == 0, text
    s = scale(load_yaml(out), "family_conflict")
    assert isinstance(s["cutpoint"], dict) and len(s["cutpoint"]) >= 5
    report = pd.read_csv(tmp_path / "q.cutpoints.csv")
    fc = report[report["scale"] == "family_conflict"]
    assert ((fc["pct_at_risk_new"] > 10) & (fc["pct_at_risk_new"] < 40)).all()
    code, text = run("cutpoints", "derive", str(reference), "-o", str(tmp_path / "big.yaml"), "--by-grade", "--min-n", "5000")
    assert code == 1
    line = text.strip().splitlines()[-1]
    assert line.startswith("Error: the reference sample has only") and "in grade" in line and "--by-grade" in line
    assert not (tmp_path / "big.yaml").exists()


def test_never_overwrites_and_checks_options(reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.yaml"
    out.write_text("mine\n")
    code, text = run("cutpoints", "derive", str(reference), "-o", str(out))
    assert code == 1 and "already exists" in text and out.read_text() == "mine\n"
    code, text = run("cutpoints", "derive", str(reference), "-o", str(tmp_path / "y.yaml"), "--outcome", "nope=alcohol_30d")
    assert code == 1 and "scale 'nope'" in text
    code, text = run("cutpoints", "derive", str(reference), "-o", str(tmp_path / "y.yaml"), "--share", "1.5")
    assert code == 1 and "--share" in text


def test_german_comparison_report(reference: Path, tmp_path: Path) -> None:
    code, text = run("--lang", "de", "cutpoints", "derive", str(reference), "-o", str(tmp_path / "de.yaml"),
                     "--bootstrap", "0")
    assert code == 0, text
    html = (tmp_path / "de.cutpoints.html").read_text()
    assert 'lang="de"' in html and "Vergleich der Schwellenwerte" in html and "abgeleitet mit mad" in html
    assert "Sensitivität (neu)" in html
