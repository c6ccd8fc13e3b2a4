"""The profile finds what was planted, and its numbers equal an independent recount."""

from __future__ import annotations

import numpy as np
import pytest

from ctc.instrument import load_instrument
from ctc.profile.baseline import Baseline, build_baseline
from ctc.profile.compute import profile_tables
from ctc.profile.estimate import estimate
from ctc.profile.indicators import indicators
from ctc.profile.options import ProfileOptions
from ctc.release.protect import protect_profile
from ctc.release.publish import profile_rules
from ctc.scoring import score_frame
from ctc.simulate import Plant, SimulationOptions, simulate_frame

PLANTS = (Plant("Musterstadt", "family_conflict", 20), Plant("Musterstadt", "poor_family_management", 20),
          Plant("Beispielburg", "perceived_availability_drugs", 20), Plant("Beispielburg", "school_rewards_prosocial", -20))


@pytest.fixture(scope="module")
def inst():
    return load_instrument()


@pytest.fixture(scope="module")
def reference_baseline(inst) -> Baseline:
    ref = score_frame(simulate_frame(inst, SimulationOptions(municipalities=8, respondents=1500, seed=99)), inst)
    rules = ProfileOptions().suppression
    table, _ = protect_profile(estimate(ref.assign(municipality="ref"), indicators(inst), ProfileOptions()), list(inst.genders),
                               profile_rules(rules))
    return Baseline("test-baseline", build_baseline(table, source="simulated reference", year=2026))


@pytest.fixture(scope="module")
def planted(inst):
    frame = simulate_frame(inst, SimulationOptions(municipalities=("Musterstadt", "Beispielburg", "Exampleton"),
                                                  respondents=1500, seed=5, elevate=PLANTS))
    return score_frame(frame, inst)


def test_planted_factors_top_the_excess_shortlist(planted, inst, reference_baseline) -> None:
    result = profile_tables(planted, inst, reference_baseline, ProfileOptions(bootstrap=50))
    p = result.priorities
    risk = p[(p["kind"] == "risk")]
    top = {m: set(risk[(risk["municipality"] == m) & (risk["rank_excess"] <= 3)]["indicator_id"])
           for m in ("Musterstadt", "Beispielburg")}
    assert {"family_conflict", "poor_family_management"} <= top["Musterstadt"]
    assert "perceived_availability_drugs" in top["Beispielburg"]
    prot = p[(p["kind"] == "protective") & (p["municipality"] == "Beispielburg")]
    assert prot.sort_values("rank_excess")["indicator_id"].iloc[0] == "school_rewards_prosocial"
    # the planted factors are stable in the bootstrap and statistically clear
    fc = risk[(risk["municipality"] == "Musterstadt") & (risk["indicator_id"] == "family_conflict")].iloc[0]
    assert fc["top_share"] > 0.9 and fc["rank_clear"] <= 3 and fc["shortlisted"]
    assert "points, worse than the baseline" in fc["reason"] and "clearly above in grade(s)" in fc["reason"]
    # the reason's numbers are the table's numbers (pooled row, as the report rounds them)
    assert f"{fc['pct']:.1f} % at risk (baseline {fc['baseline_pct']:.1f} %)" in fc["reason"]
    assert f"difference +{fc['diff_pp']:.1f} points" in fc["reason"]


def test_shortlist_proposes_only_what_the_data_support(planted, inst, reference_baseline) -> None:
    p = profile_tables(planted, inst, reference_baseline, ProfileOptions(bootstrap=20)).priorities
    short = p[p["shortlisted"]]
    risk, prot = short[short["kind"] == "risk"], short[short["kind"] == "protective"]
    assert (risk["diff_pp"] > 0).all() and (prot["diff_pp"] < 0).all()  # never at or on the good side of the baseline
    assert len(short) and (p.groupby(["municipality", "kind"])["shortlisted"].sum() <= 5).all()
    # a factor at or below the baseline is no candidate, whatever its rank
    assert not p[(p["kind"] == "risk") & (p["diff_pp"] <= 0)]["shortlisted"].any()
    for (muni, kind), rows in p.groupby(["municipality", "kind"]):
        assert (rows["shortlist_size"] == rows["shortlisted"].sum()).all()
        assert rows["shortlist_note"].nunique() == 1
    # an interval that excludes the baseline with q >= alpha is explained, not called clear
    unclear = p[(p["kind"] == "risk") & (p["diff_pp"] > 0) & (p["q_value"] >= 0.05)]
    for _, row in unclear.iterrows():
        assert "clearly worse" not in row["reason"]


def test_shortlist_can_be_empty_and_says_so(planted, inst, reference_baseline) -> None:
    # a baseline at 100 % risk and 0 % protection: nothing can be worse
    base = reference_baseline.table.copy()
    base["pct"] = np.where(base["indicator_type"] == "protective", 0.0, 100.0)
    p = profile_tables(planted, inst, Baseline("b", base), ProfileOptions(bootstrap=0)).priorities
    assert not p["shortlisted"].any()
    assert p[p["kind"] == "risk"]["shortlist_note"].str.contains("No risk factor is worse than the baseline").all()
    # without a baseline: only factors beyond the stated level, with the caution
    p = profile_tables(planted, inst, None, ProfileOptions(bootstrap=0, risk_level=99.0)).priorities
    risk = p[p["kind"] == "risk"]
    assert not risk["shortlisted"].any() and risk["shortlist_note"].str.contains("provisional cut-points").all()
    # not planted in Exampleton: family conflict is not clearly above there
    ex = risk[(risk["municipality"] == "Exampleton") & (risk["indicator_id"] == "family_conflict")].iloc[0]
    assert np.isnan(ex["rank_clear"]) or ex["q_value"] >= 0.05


def test_percentages_equal_an_independent_recount(planted, inst) -> None:
    table = profile_tables(planted, inst, None, ProfileOptions(bootstrap=0)).table
    kept = planted[~planted["excluded"]]
    shown = table[~table["suppressed"]]
    checked = 0
    cells = [("Musterstadt", "8", "all"), ("all", "all", "all"), ("Exampleton", "all", "male"), ("Beispielburg", "12", "all"),
             ("all", "10", "all"), ("Musterstadt", "all", "female")]
    for muni, grade, gender in cells:
        sel = kept
        if muni != "all":
            sel = sel[sel["municipality"] == muni]
        if grade != "all":
            sel = sel[sel["grade"] == int(grade)]
        if gender != "all":
            sel = sel[sel["gender"] == gender]
        rows = shown[(shown["municipality"] == muni) & (shown["grade"] == grade) & (shown["gender"] == gender)]
        for _, r in rows.iterrows():
            col = ("outcome." if r["indicator_type"] == "outcome" else "flag.") + r["indicator_id"]
            values = sel[col].dropna()
            assert r["n"] == len(values) and r["n_flagged"] == int(values.sum()), (muni, grade, gender, col)
            assert r["pct"] == pytest.approx(100 * values.mean(), abs=1e-9)
            checked += 1
    assert checked > 200


def test_pooled_rows_are_pooled_not_averaged(planted, inst) -> None:
    table = profile_tables(planted, inst, None, ProfileOptions(bootstrap=0)).table
    t = table[(table["municipality"] == "Musterstadt") & (table["gender"] == "all") & (table["indicator_id"] == "family_conflict")
              & (table["indicator_type"] == "risk")]
    grades = t[t["grade"] != "all"]
    pooled = t[t["grade"] == "all"].iloc[0]
    assert pooled["n"] == grades["n"].sum() and pooled["n_flagged"] == grades["n_flagged"].sum()
