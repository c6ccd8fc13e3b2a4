"""The attacker finds known leaks in small hand-made profile.csv files, exactly those,
and only proves what is true. These tests do not depend on ctc's output."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from attacker import InconsistentModel, Knowledge, attack
from truth import CELL, judge, summary

NO_REASONS = Knowledge(use_reasons=False)


def write_profile(folder: Path, interior: dict, hidden: dict, cross: bool = True) -> Path:
    """profile.csv of one indicator from interior counts {(m, g, s): (n, x)}: every cell
    (pooled ones included; the grade x gender cross cells only when ``cross``), hidden
    cells {(m, g, s): reason} with blank n and n_flagged. With one municipality the
    whole-file rows are the same cells and are hidden alike."""
    ms, gs, ss = (sorted({k[i] for k in interior}) for i in range(3))
    if len(ms) == 1:
        hidden = {**hidden, **{("all", *k[1:]): r for k, r in hidden.items()}}
    rows = []
    for m, g, s in itertools.product([*ms, "all"], [*gs, "all"], [*ss, "all"]):
        if not cross and g != "all" and s != "all":
            continue
        parts = [v for k, v in interior.items() if all(a in (b, "all") for a, b in zip((m, g, s), k))]
        n, x = sum(p[0] for p in parts), sum(p[1] for p in parts)
        reason = hidden.get((m, g, s), "")
        rows.append({"municipality": m, "grade": g, "gender": s, "indicator_type": "risk", "indicator_id": "x",
                     "n": "" if reason else n, "n_flagged": "" if reason else x,
                     "suppressed": bool(reason), "suppression_reason": reason})
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(folder / "profile.csv", index=False)
    return folder


def truth_of(interior: dict) -> pd.DataFrame:
    rows = []
    keys = [sorted({k[i] for k in interior}) + ["all"] for i in range(3)]
    for m, g, s in itertools.product(*keys):
        parts = [v for k, v in interior.items() if all(a in (b, "all") for a, b in zip((m, g, s), k))]
        rows.append({"municipality": m, "grade": g, "gender": s, "indicator_type": "risk", "indicator_id": "x",
                     "n": sum(p[0] for p in parts), "x": sum(p[1] for p in parts)})
    return pd.DataFrame(rows)


def grid(n=40, x=10, munis=("A", "B"), grades=("6", "7"), genders=("f", "m")) -> dict:
    return {k: (n, x) for k in itertools.product(munis, grades, genders)}


def attack_a(folder: Path, know: Knowledge) -> pd.DataFrame:
    """Intervals of municipality A's hidden cells (the whole-file copies left out)."""
    result = attack(folder, know)
    return result[result["municipality"] == "A"].set_index(["grade", "gender"])


def exact_cells(result: pd.DataFrame) -> set:
    hit = result[result["x_lo"] == result["x_hi"]]
    return {(r.municipality, r.grade, r.gender) for r in hit.itertuples()}


def test_one_hidden_cell_on_a_line_is_recovered(tmp_path):
    interior = grid()
    interior[("A", "6", "f")] = (7, 3)
    result = attack(write_profile(tmp_path, interior, {("A", "6", "f"): "hidden"}), NO_REASONS)
    row = result.iloc[0]
    assert len(result) == 1 and (row.x_lo, row.x_hi, row.y_lo, row.y_hi, row.n_lo, row.n_hi) == (3, 3, 4, 4, 7, 7)


def test_hidden_pair_summing_to_zero_is_recovered(tmp_path):
    """A hidden 2 x 2 rectangle (two hidden parts on every line, as the current rule
    wants), but one line's shown total has 0 flagged: both its parts have 0 flagged, and
    then the columns give the other two. Their n stays open (the not-flagged move)."""
    interior = grid(munis=("A",))
    interior[("A", "6", "f")] = (5, 0)
    interior[("A", "6", "m")] = (9, 0)
    interior[("A", "7", "f")] = (30, 5)
    interior[("A", "7", "m")] = (30, 5)
    hidden = {k: "hidden" for k in interior}
    result = attack_a(write_profile(tmp_path, interior, hidden), NO_REASONS)
    assert exact_cells(result.reset_index()) == set(interior)
    assert result["x_lo"].to_dict() == {("6", "f"): 0, ("6", "m"): 0, ("7", "f"): 5, ("7", "m"): 5}
    assert result.loc[("6", "f"), "y_lo"] == 0 and result.loc[("6", "f"), "y_hi"] == 14  # 5 + 9 could all be girls


def test_three_dimensional_chain_is_recovered(tmp_path):
    """All 8 cells of a 2 x 2 x 2 block hidden: every line has two hidden parts (the
    current rule's condition), yet the only freedom is the alternating +t/-t pattern over
    the cube, and two flagged counts of 0 of opposite sign pin t = 0: all 8 flagged
    counts follow. The not-flagged counts keep t in [-8, 8] (the smallest y of each sign)."""
    interior = grid(munis=("A", "B", "C"), grades=("6", "7", "8"), genders=("f", "m", "d"))
    block = list(itertools.product(("A", "B"), ("6", "7"), ("f", "m")))
    values = [0, 0, 3, 4, 2, 5, 6, 1]  # x; the sign alternates with the parity of (m, g, s)
    for i, (key, x) in enumerate(zip(block, values)):
        interior[key] = (x + (8 if x == 0 else 14 + i), x)  # the two zeros (+ and -) have y = 8
    result = attack(write_profile(tmp_path, interior, {k: "hidden" for k in block}), NO_REASONS)
    assert exact_cells(result) == set(block)
    truth = truth_of(interior).set_index(CELL[:3])
    for row in result.itertuples():
        n, x = truth.loc[(row.municipality, row.grade, row.gender), ["n", "x"]]
        assert row.x_lo == row.x_hi == x
        assert row.y_hi - row.y_lo == 16  # y +- 8: min y among each sign class is 8
        assert row.y_lo == n - x - 8


def test_a_protected_pattern_shows_no_exact_cell(tmp_path):
    """The same block with every count well inside its bounds: nothing exact."""
    interior = grid(munis=("A", "B", "C"), grades=("6", "7", "8"), genders=("f", "m", "d"))
    block = list(itertools.product(("A", "B"), ("6", "7"), ("f", "m")))
    for key in block:
        interior[key] = (40, 10)
    result = attack(write_profile(tmp_path, interior, {k: "hidden" for k in block}), NO_REASONS)
    assert exact_cells(result) == set()
    assert (result["x_lo"] == 0).all() and (result["x_hi"] == 20).all()


def test_reason_bounds_prove_all_or_none_direction(tmp_path):
    """A 2 x 2 rectangle of hidden cells: without reasons the flagged counts move freely;
    the published reasons (all-or-none: 20..49 with 0 % or 100 %; secondary: n >= 20,
    and 0 < x < n below 50) prove that the all-or-none cell has none flagged."""
    interior = grid(n=60, x=20, munis=("A",))
    interior[("A", "6", "f")] = (25, 0)
    interior[("A", "6", "m")] = (30, 4)
    interior[("A", "7", "f")] = (30, 4)
    interior[("A", "7", "m")] = (25, 2)
    hidden = {("A", "6", "f"): "all-or-none", ("A", "6", "m"): "secondary", ("A", "7", "f"): "secondary",
              ("A", "7", "m"): "secondary"}
    folder = write_profile(tmp_path, interior, hidden)
    blind = attack_a(folder, NO_REASONS)
    assert blind.loc[("6", "f"), "x_hi"] == 4 and exact_cells(blind.reset_index()) == set()
    told = attack_a(folder, Knowledge())
    assert told.loc[("6", "f"), "x_hi"] == 0  # "none of them" proven
    assert told.loc[("6", "f"), "n_lo"] >= 20


def test_small_n_reason_bounds_n(tmp_path):
    interior = grid(munis=("A",))
    interior[("A", "6", "f")] = (3, 1)
    interior[("A", "6", "m")] = (40, 10)
    hidden = {("A", "6", "f"): "small-n", ("A", "6", "m"): "secondary", ("A", "7", "f"): "secondary",
              ("A", "7", "m"): "secondary"}
    result = attack_a(write_profile(tmp_path, interior, hidden), Knowledge())
    assert result.loc[("6", "f"), "n_lo"] == 1 and result.loc[("6", "f"), "n_hi"] == 19


def test_without_cross_cells_and_with_a_gender_remainder(tmp_path):
    """The new shape (no grade x gender cells): a municipality's hidden grade cell is
    still the shown municipality total minus its shown grades - unless respondents
    without a gender may exist (then the remainder is free too, yet the grade cell is the
    same sum): grade cells stay exact either way; the gender cell loses its bound."""
    interior = grid()
    hidden = {("A", "6", "all"): "hidden", ("A", "all", "f"): "hidden", ("all", "all", "f"): "hidden"}
    folder = write_profile(tmp_path, interior, hidden, cross=False)
    strict = attack_a(folder, NO_REASONS)
    assert strict.loc[("6", "all"), "x_lo"] == strict.loc[("6", "all"), "x_hi"] == 20
    assert strict.loc[("all", "f"), "x_lo"] == strict.loc[("all", "f"), "x_hi"] == 20  # total minus boys
    loose = attack_a(folder, Knowledge(use_reasons=False, gender_remainder=True))
    assert loose.loc[("6", "all"), "x_lo"] == loose.loc[("6", "all"), "x_hi"] == 20
    assert loose.loc[("all", "f"), "x_lo"] == 0 and loose.loc[("all", "f"), "x_hi"] == 20


def test_intervals_contain_the_truth_on_random_tables(tmp_path):
    rng = np.random.default_rng(4)
    for case in range(6):
        keys = list(itertools.product(("A", "B", "C"), ("6", "7", "8"), ("f", "m", "d")))
        interior = {}
        for k in keys:
            n = int(rng.integers(0, 40))
            interior[k] = (n, int(rng.integers(0, n + 1)))
        truth = truth_of(interior)
        hide = truth[(truth["n"] < 20) | (rng.random(len(truth)) < 0.3)]
        hidden = {(r.municipality, r.grade, r.gender): "hidden" for r in hide.itertuples()}
        result = attack(write_profile(tmp_path / str(case), interior, hidden), NO_REASONS)
        cells = judge(result, truth)  # raises when an interval misses the truth
        assert summary(cells)["hidden"] == len(hidden)


def test_numbers_that_do_not_add_up_are_reported(tmp_path):
    interior = grid()
    folder = write_profile(tmp_path, interior, {("A", "6", "f"): "hidden"})
    frame = pd.read_csv(folder / "profile.csv", dtype=str, keep_default_na=False)
    frame.loc[(frame.municipality == "A") & (frame.grade == "6") & (frame.gender == "all"), "n_flagged"] = "5"
    frame.to_csv(folder / "profile.csv", index=False)
    with pytest.raises(InconsistentModel):
        attack(folder, NO_REASONS)


def test_screening_counts_bound_n(tmp_path):
    """Optional knowledge: questionnaires minus excluded ones per municipality x grade
    (screening.csv) cap the n of that grade."""
    interior = {("A", "6", "f"): (40, 10), ("A", "7", "f"): (40, 10)}
    hidden = {("A", "6", "all"): "hidden", ("A", "7", "all"): "hidden", ("A", "6", "f"): "hidden", ("A", "7", "f"): "hidden"}
    folder = write_profile(tmp_path, interior, hidden)
    pd.DataFrame([{"municipality": "A", "grade": "6", "rule": "(excluded)", "respondents": 45, "flagged": 5}]).to_csv(
        folder / "screening.csv", index=False)
    plain = attack_a(folder, NO_REASONS)
    assert (plain.loc[("6", "all"), "n_lo"], plain.loc[("6", "all"), "n_hi"]) == (0, 80)
    told = attack_a(folder, Knowledge(use_reasons=False, screening=True))
    assert (told.loc[("6", "all"), "n_lo"], told.loc[("6", "all"), "n_hi"]) == (0, 40)
    assert told.loc[("7", "all"), "n_lo"] == 40
