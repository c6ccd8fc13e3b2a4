"""Small groups are hidden, with a reason, and cannot be recovered by subtraction."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from ctc.profile.estimate import ALL, KEYS, estimate
from ctc.profile.options import ProfileOptions, SuppressionRules
from ctc.profile.suppress import suppress


def profile(scored, inds, **rules) -> pd.DataFrame:
    opts = ProfileOptions(suppression=SuppressionRules(**rules))
    return suppress(estimate(scored, inds, opts), opts.suppression)


def cell(table, muni, grade, gender) -> pd.Series:
    m = (table["municipality"] == muni) & (table["grade"] == str(grade)) & (table["gender"] == gender)
    (row,) = table.index[m]
    return table.loc[row]


def recoverable(table: pd.DataFrame) -> list[str]:
    """Lines where a shown total has exactly one hidden non-empty part (recoverable)."""
    problems = []
    t = table.copy()
    for axis in KEYS:
        others = [k for k in KEYS if k != axis] + ["indicator_type", "indicator_id"]
        for key, grp in t.groupby(others, observed=True):
            total = grp[grp[axis] == ALL]
            parts = grp[(grp[axis] != ALL) & (grp["suppression_reason"] != "empty")]
            if len(total) and not total["suppressed"].iloc[0] and parts["suppressed"].sum() == 1:
                problems.append(f"{axis} {key}")
    return problems


def test_group_just_below_minimum_is_hidden_and_at_minimum_shown(make_scored, x_indicator) -> None:
    scored = make_scored({("A", 6, "f"): (19, 5), ("A", 6, "m"): (20, 5), ("A", 8, "f"): (40, 10), ("A", 8, "m"): (40, 12)})
    table = profile(scored, x_indicator, min_n=20, secondary=False)
    low = cell(table, "A", 6, "f")
    assert low["suppressed"] and low["suppression_reason"] == "small-n"
    assert pd.isna(low["pct"]) and pd.isna(low["n"]) and pd.isna(low["n_flagged"]) and np.isnan(low["ci_low"])
    at = cell(table, "A", 6, "m")
    assert not at["suppressed"] and at["pct"] == 25.0 and at["n"] == 20
    # with secondary suppression the n=20 sibling goes too (else A-6-all minus it reveals A-6-f)
    assert cell(profile(scored, x_indicator, min_n=20), "A", 6, "m")["suppression_reason"] == "secondary"


def test_secondary_suppression_prevents_recovery_by_subtraction(make_scored, x_indicator) -> None:
    scored = make_scored({
        ("A", 6, "f"): (60, 12), ("A", 6, "m"): (45, 9), ("A", 6, "diverse"): (4, 3),
        ("A", 8, "f"): (70, 20), ("A", 8, "m"): (65, 15), ("A", 8, "diverse"): (25, 5),
        ("B", 6, "f"): (80, 30), ("B", 6, "m"): (75, 25), ("B", 6, "diverse"): (30, 6),
        ("B", 8, "f"): (90, 30), ("B", 8, "m"): (85, 40), ("B", 8, "diverse"): (22, 4),
    })
    table = profile(scored, x_indicator, min_n=20, all_or_none_n=0)
    assert cell(table, "A", 6, "diverse")["suppression_reason"] == "small-n"
    # the next-smallest sibling (A, 6, m: 45) is hidden too, so A-6 total − f cannot reveal 'diverse'
    assert cell(table, "A", 6, "m")["suppression_reason"] == "secondary"
    assert not cell(table, "A", 6, ALL)["suppressed"]
    assert recoverable(table) == []


def test_all_or_none_is_hidden_in_small_groups_only(make_scored, x_indicator) -> None:
    scored = make_scored({("A", 6, "f"): (30, 0), ("A", 6, "m"): (30, 30), ("A", 8, "f"): (60, 0), ("A", 8, "m"): (60, 10)})
    table = profile(scored, x_indicator, min_n=20, all_or_none_n=50, secondary=False)
    assert cell(table, "A", 6, "f")["suppression_reason"] == "all-or-none"
    assert cell(table, "A", 6, "m")["suppression_reason"] == "all-or-none"
    shown = cell(table, "A", 8, "f")
    assert not shown["suppressed"] and shown["pct"] == 0.0


def test_single_municipality_total_does_not_reveal_it(make_scored, x_indicator) -> None:
    scored = make_scored({("A", 6, "f"): (10, 2), ("A", 6, "m"): (50, 10), ("A", 8, "f"): (50, 10), ("A", 8, "m"): (50, 20)})
    table = profile(scored, x_indicator, min_n=20, all_or_none_n=0)
    assert recoverable(table) == []
    # the whole-file row for grade 6 female equals A's: hidden as well
    assert cell(table, ALL, 6, "f")["suppressed"]


def test_random_tables_never_leave_a_recoverable_cell(make_scored, x_indicator) -> None:
    rng = np.random.default_rng(7)
    for _ in range(15):
        cells = {}
        for muni, grade, gender in itertools.product("ABC", (6, 7, 8), ("f", "m", "diverse")):
            n = int(rng.choice([0, 3, 12, 19, 25, 40, 90]))
            cells[(muni, grade, gender)] = (n, int(rng.integers(0, n + 1)) if n else 0)
        if not any(n for n, _ in cells.values()):
            continue
        table = profile(make_scored(cells), x_indicator, min_n=20, all_or_none_n=30)
        assert recoverable(table) == []


def test_empty_cells_show_n_zero_and_no_statistics(make_scored, x_indicator) -> None:
    scored = make_scored({("A", 6, "f"): (30, 5), ("A", 8, "m"): (30, 6)})
    table = profile(scored, x_indicator)
    empty = cell(table, "A", 6, "m")
    assert empty["suppression_reason"] == "empty" and empty["n"] == 0 and np.isnan(empty["pct"])
