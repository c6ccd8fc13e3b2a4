"""The generated data have the statistics the latent model promises (checked with the
real scorer, ``ctc.scoring.score_frame``, and the references in _simulate_helpers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from _simulate_helpers import cronbach_alpha, icc_anova, item_values, pct_flagged

# Multi-item scales with method mean/sum are reflective in the simulation, so all are
# tested. Single-item scales have no alpha. (social_skills is an index in the real
# survey, but the simulator generates it like any other scale, so it is kept.)


def test_alpha_per_scale_in_range(base_run, shipped):
    valid = base_run.frame[~base_run.scored["excluded"].to_numpy()]
    alphas = {s.id: cronbach_alpha(item_values(valid, shipped, s.id)) for s in shipped.scales if len(s.items) > 1}
    assert len(alphas) == 36
    outside = {k: round(v, 3) for k, v in alphas.items() if not 0.6 <= v <= 0.9}
    assert not outside, outside


def test_school_icc_in_range(base_run, shipped):
    """32 schools of ~190: the ANOVA estimate has a standard error of about 0.015, so
    single scales are allowed 0.01–0.13 and the median must lie in 0.02–0.10."""
    scored = base_run.scored
    valid = ~scored["excluded"].to_numpy()
    school = base_run.frame[shipped.columns.school].to_numpy()[valid]
    iccs = {s.id: icc_anova(scored[f"score.{s.id}"].to_numpy(dtype=float)[valid], school) for s in shipped.scales}
    assert 0.02 <= float(np.median(list(iccs.values()))) <= 0.10
    outside = {k: round(v, 3) for k, v in iccs.items() if not 0.01 <= v <= 0.13}
    assert not outside, outside
    for sid in ("family_conflict", "perceived_availability_drugs", "school_rewards_prosocial", "friends_use_drugs"):
        assert 0.01 <= iccs[sid] <= 0.13


def test_factors_correlate_with_each_other_and_outcomes(base_run, shipped):
    scored = base_run.scored[~base_run.scored["excluded"]]
    scores = scored[[f"score.{s.id}" for s in shipped.scales]].astype(float)
    corr = scores.corr().to_numpy()
    kinds = np.array([s.kind for s in shipped.scales])
    risk, prot = kinds == "risk", kinds == "protective"
    rr = corr[np.ix_(risk, risk)][np.triu_indices(risk.sum(), 1)]
    pp = corr[np.ix_(prot, prot)][np.triu_indices(prot.sum(), 1)]
    rp = corr[np.ix_(risk, prot)]
    assert np.median(rr) > 0.15 and (rr > 0).mean() > 0.95
    assert np.median(pp) > 0.15 and (pp > 0).mean() > 0.95
    assert np.median(rp) < -0.15
    use = scored["outcome.alcohol_30d"].astype(float)
    with_use = scores.corrwith(use)
    assert (with_use[[f"score.{s.id}" for s in shipped.risk_scales]] > 0.05).mean() > 0.9
    assert (with_use[[f"score.{s.id}" for s in shipped.protective_scales]] < -0.05).mean() > 0.9


def test_substance_use_rises_with_grade_and_is_consistent(base_run, shipped):
    scored, frame = base_run.scored, base_run.frame
    grade = frame[shipped.columns.grade]
    for column in ("outcome.alcohol_30d", "outcome.marijuana_life", "flag.friends_use_drugs", "flag.attitudes_favourable_drug_use"):
        by_grade = pct_flagged(scored, column, grade)
        assert by_grade[12] - by_grade[6] > 10, (column, by_grade.round(1).to_dict())
        assert np.corrcoef(by_grade.index, by_grade.to_numpy())[0, 1] > 0.8
    valid = ~scored["excluded"]
    for recent, lifetime in next(r for r in shipped.validity if r.rule == "recent_without_lifetime").pairs:
        r = frame.loc[valid, shipped.item_by_id[recent].source_column].astype("Float64")
        life = frame.loc[valid, shipped.item_by_id[lifetime].source_column].astype("Float64")
        both = r.isin(range(1, 8)) & life.isin(range(1, 8))
        assert (life[both] >= r[both]).all(), recent  # recent use ⇒ at least as much lifetime use
    assert pct_flagged(scored, "outcome.alcohol_life", grade).mean() > pct_flagged(scored, "outcome.alcohol_30d", grade).mean()


def test_gender_differences(base_run, shipped):
    gender = base_run.frame[shipped.columns.gender]
    antisocial = pct_flagged(base_run.scored, "outcome.suspended", gender)
    assert antisocial["male"] > antisocial["female"]
    depressed = pct_flagged(base_run.scored, "flag.depressive_symptoms", gender)
    assert depressed["female"] > depressed["male"] + 3


def test_invalid_share_as_requested_and_each_rule_triggered(base_run, shipped):
    scored = base_run.scored
    n = len(scored)
    assert scored["excluded"].sum() == 4 * round(0.04 * 1500)  # exact per municipality
    screens = {r.id: int(scored[f"screen.{r.id}"].sum()) for r in shipped.validity}
    for rule in ("fictitious_drug", "dishonest", "exaggerated_use", "inconsistent_use", "too_many_missing"):
        assert screens[rule] >= 0.15 * 0.04 * n / 5, screens
    assert screens["grade_out_of_range"] == 0


def test_invalid_share_is_an_option(shipped):
    from ctc.scoring import score_frame
    from ctc.simulate import SimulationOptions, simulate_frame

    for share in (0.0, 0.1):
        df = simulate_frame(shipped, SimulationOptions(municipalities=2, respondents=500, seed=8, invalid_share=share))
        assert score_frame(df, shipped)["excluded"].mean() == share


def test_item_nonresponse_share(base_run, shipped):
    items = [i.source_column for i in shipped.items]
    valid = base_run.frame[~base_run.scored["excluded"].to_numpy()][items]
    missing = valid.isna() | valid.isin([99])
    share = missing.to_numpy().mean()
    assert 0.02 < share < 0.09  # 3 % item non-response plus 2 % of respondents skipping a section
    late, early = missing.iloc[:, -40:].to_numpy().mean(), missing.iloc[:, :40].to_numpy().mean()
    assert late > early  # fatigue: later items are skipped more often


def test_municipality_and_school_effects_exist(base_run, shipped):
    by_m = pd.DataFrame({
        s.id: pct_flagged(base_run.scored, f"flag.{s.id}", base_run.frame[shipped.columns.municipality]) for s in shipped.scales
    })
    spread = (by_m.max() - by_m.min()).median()
    assert 2 < spread < 20  # municipalities differ, but by less than a planted effect
