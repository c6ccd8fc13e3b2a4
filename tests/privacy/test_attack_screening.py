"""screening.csv survives the same attack: small flagged counts (1-4) and 100 % are not
recoverable, and a municipality with one pupil does not publish what that pupil did.

Before the release step (ctc/release) this failed: screening.csv is published unsuppressed (on the demo 103 of 224
rows show 1-4 questionnaires failing a rule; a one-pupil municipality shows 100 %).

A published screening cell (municipality x grade x rule, pooled rows included) is
sensitive when its true count of failing questionnaires is 1-4, or all of them (100 %
of a non-empty group). It is exposed when it is shown, or when the attacker's interval
is a single value, proves 1-4 (1 <= lo and hi <= 4), or proves 100 % (not-failing hi = 0).
A count of 0 that a shown larger group of at least 50 implies (the whole file reports
0 % for a rule) is no secret of the small group (docs/privacy.md).
"""

from __future__ import annotations

import pandas as pd
import pytest

from attacker import attack_screening, read_screening
from published import Published, ctc
from truth import Level, implied, true_screening

KEY = ["municipality", "grade", "rule"]


def screening_verdicts(published: Published) -> pd.DataFrame:
    frame = read_screening(published.outdir).rename(columns={"gender": "g"}).drop(columns="grade")
    shown = frame.rename(columns={"g": "grade", "indicator_id": "rule"})[[*KEY, "hidden"]]
    intervals = attack_screening(published.outdir)
    cells = shown.merge(intervals, on=KEY, how="left").merge(true_screening(published.scored_frame()), on=KEY, how="left")
    assert cells["n"].notna().all(), "every published screening cell has a true count"
    n, x = cells["n"], cells["x"]
    cells["public"] = implied(cells, true_screening(published.scored_frame()), KEY, Level())
    cells["sensitive"] = ((x >= 1) & (x <= 4)) | ((x == n) & (n >= 1))
    hidden = cells["hidden"]
    cells["exposed"] = cells["sensitive"] & (~hidden | (cells["x_lo"] == cells["x_hi"])
                                             | ((cells["x_lo"] >= 1) & (cells["x_hi"] <= 4)) | (cells["y_hi"] == 0))
    return cells


def show(cells: pd.DataFrame) -> str:
    bad = cells[cells["exposed"]]
    return f"{len(bad)} of {len(cells)} cells exposed\n" + bad[[*KEY, "n", "x", "hidden", "x_lo", "x_hi"]].head(10).to_string(index=False)


def test_demo_screening_counts_are_not_recoverable(demo):
    cells = screening_verdicts(demo)
    assert not cells["exposed"].any(), show(cells)


@pytest.fixture(scope="module")
def one_pupil(demo, tmp_path_factory) -> Published:
    """The demo survey plus a municipality with one pupil, who fails "exaggerated use"."""
    folder = tmp_path_factory.mktemp("one-pupil")
    survey = pd.read_csv(demo.survey, dtype=str, keep_default_na=False)
    scored = demo.scored_frame()
    rid = scored.loc[scored["screen.exaggerated_use"].fillna(False).astype(bool), "respondent"].iloc[0]
    pupil = survey[survey["respondent_id"] == str(rid)].assign(municipality="Einzelhof", school="Einzelhof-01",
                                                               respondent_id="999999")
    path = folder / "one-pupil.csv"
    pd.concat([survey, pupil]).to_csv(path, index=False)
    out, scored_path = folder / "out", folder / "scored.parquet"
    ctc("profile", path, "-o", out, "--bootstrap", 0, "-q")
    ctc("score", path, "-o", scored_path, "-q")
    return Published(out, path, scored_path)


def test_one_pupil_municipality_does_not_publish_what_the_pupil_did(one_pupil):
    cells = screening_verdicts(one_pupil)
    mine = cells[cells["municipality"] == "Einzelhof"]
    assert len(mine) > 0
    # whatever is published about one questionnaire: the attacker must not learn 0 or 1
    learned = ~mine["hidden"] | ((mine["x_lo"] == mine["x_hi"]) & ~mine["public"])
    assert not learned.any(), mine.loc[learned, [*KEY, "n", "x", "hidden", "x_lo", "x_hi"]].to_string(index=False)
    assert not cells["exposed"].any(), show(cells)

