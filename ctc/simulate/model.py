"""Settings and fixed effect sizes of the latent model (see docs/simulate.md).

Latent traits are in standard-deviation units of a student's trait. Every scale has
an *oriented* latent ``eta`` (higher = more of the named construct: more risk on a
risk scale, more protection on a protective scale)::

    eta_s = mu_s + sign_s * (a * G + b * D_domain(s)) + c * U_s
            + municipality_s + school_s + slope_s * (grade - mid grade) + gender_s

with ``G`` a general risk trait (sign +1 for risk, -1 for protective scales),
``D`` one trait per domain, ``U_s`` scale-specific, all standard normal and
independent, and ``a² + b² + c² = 1``. Outcome groups (substance use,
antisocial, mental health, other) have latents of the same form that load on ``G``
and on the peer/individual domain trait, so risk factors correlate positively with
each other and with the outcomes, and negatively with protective factors.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

DOMAINS = ("community", "family", "school", "peer_individual")
OUTCOME_GROUPS = ("substance_use", "antisocial", "mental_health", "other")
GENDER_ROLES = ("female", "male", "diverse")


@dataclass(frozen=True)
class LatentSettings:
    """Population parameters. They are drawn from ``population_seed`` (not from the
    run's seed), so two runs with different seeds sample the same population."""

    population_seed: int = 20260101
    general_loading: float = 0.5  # a: loading of every scale on the general trait G
    domain_loading: float = 0.45  # b: loading on the domain trait
    alpha_range: tuple[float, float] = (0.70, 0.85)  # target Cronbach's alpha per scale
    school_icc_range: tuple[float, float] = (0.04, 0.10)  # latent between-school share (incl. municipality)
    municipality_share: float = 0.25  # part of the between-school variance that lies between municipalities
    cluster_correlation: float = 0.6  # how much a school's (municipality's) effects share one common part
    risk_rate_range: tuple[float, float] = (0.25, 0.45)  # % at risk at the middle grade, per risk scale
    protective_rate_range: tuple[float, float] = (0.45, 0.65)  # % with high protection, per protective scale
    outcome_loading: float = 0.75  # loading of an outcome item on its group latent
    calibration_rows: int = 20_000  # calibration sample size per planted effect


#: Change of the oriented latent per grade year, by (kind, domain). Risk rises with
#: age in the peer/individual and community domains (substance-related factors),
#: protection falls slightly.
GRADE_SLOPE = MappingProxyType(
    {
        ("risk", "peer_individual"): 0.12,
        ("risk", "community"): 0.08,
        ("risk", "school"): 0.06,
        ("risk", "family"): 0.03,
        ("protective", "peer_individual"): -0.06,
        ("protective", "community"): -0.06,
        ("protective", "school"): -0.06,
        ("protective", "family"): -0.05,
    }
)
MENTAL_HEALTH_SLOPE = 0.06
OUTCOME_SLOPE = MappingProxyType({"substance_use": 0.28, "antisocial": 0.08, "mental_health": 0.06, "other": 0.05})

#: Shift of the oriented latent by gender role (female, male, diverse).
GENDER_EFFECT = MappingProxyType(
    {
        ("risk", "peer_individual"): (-0.12, 0.12, 0.25),
        ("risk", "other"): (-0.05, 0.05, 0.25),
        ("risk", "mental_health"): (0.25, -0.20, 0.45),
        ("protective", "other"): (0.05, -0.05, -0.20),
        ("outcome", "substance_use"): (-0.05, 0.05, 0.20),
        ("outcome", "antisocial"): (-0.25, 0.25, 0.20),
        ("outcome", "mental_health"): (0.25, -0.20, 0.45),
        ("outcome", "other"): (0.0, 0.0, 0.15),
    }
)

#: Prevalence (code at or above the outcome's threshold) of the first item of an
#: outcome group at the middle grade, the factor by which each further item in the
#: instrument's order is rarer, and the floor.
OUTCOME_PREVALENCE = MappingProxyType(
    {
        "substance_use": (0.45, 0.72, 0.01),
        "antisocial": (0.12, 0.80, 0.01),
        "mental_health": (0.25, 0.85, 0.03),
        "other": (0.20, 0.85, 0.02),
    }
)
OUTCOME_ICC_RANGE = (0.04, 0.10)

#: Prevalence at the middle grade (9) of single outcome items, calibrated so that the
#: demo's rates by grade sit near published survey figures (docs/simulate.md, table
#: "Behaviour rates by grade"; a test checks the bands). They replace the rank rule
#: above, which made the instrument's later items (binge drinking) rare and its hard
#: drugs common. A recent-use item keeps following its lifetime item.
OUTCOME_ITEM_PREVALENCE = MappingProxyType(
    {
        "alc_life": 0.44,  # MTF 2019: grade 8 25 %, grade 12 59 % (German figures are higher)
        "cig_life": 0.55,  # ESPAD 2015 Bavaria, grades 9-10: 55.3 %
        "ecig_life": 0.20,
        "smkl_life": 0.06,
        "mj_life": 0.13,
        "inh_life": 0.05,
        "pain_life": 0.03,
        "hall_life": 0.012,
        "coc_life": 0.006,
        "meth_life": 0.003,
        "her_life": 0.003,
        "ecst_life": 0.008,
        "binge_2wk": 0.075,  # MTF 2019: grade 8 3.8 %, grade 10 8.5 %, grade 12 14.4 %
    }
)

#: Age-of-onset items and the lifetime-use item they answer about: a student who never
#: used reports onset "never", a user reports an onset, and no onset is older than the
#: student (grade + 6 years at most).
ONSET_OF = MappingProxyType(
    {"eid_alcohol": "alc_life", "eid_drink_regularly": "alc_life", "eid_cigarette": "cig_life", "eid_marijuana": "mj_life"}
)
#: onset items answered with the instrument's ``onset9`` values: age of onset = ONSET_AGE − value
#: (8 = "10 or younger", 1 = "17 or older", 0 = never); the oldest student of grade g is g + OLDEST_IN_GRADE
ONSET_AGE = 18
OLDEST_IN_GRADE = 6

#: Pearson correlation of ordinal items relative to the latent correlation, by number
#: of categories (used to pick loadings that give the target alpha).
ATTENUATION = MappingProxyType({2: 0.64, 3: 0.77, 4: 0.83, 5: 0.87, 6: 0.89, 7: 0.91})


def grade_slope(kind: str, domain: str, mental_health: bool) -> float:
    if mental_health:
        return MENTAL_HEALTH_SLOPE
    return GRADE_SLOPE.get((kind, domain), 0.0)


def gender_effect(kind: str, domain: str, mental_health: bool) -> tuple[float, float, float]:
    if mental_health:
        return GENDER_EFFECT[("risk", "mental_health")]
    if kind == "risk":
        return GENDER_EFFECT.get(("risk", domain), GENDER_EFFECT[("risk", "other")])
    return GENDER_EFFECT[("protective", "other")]


def attenuation(categories: int) -> float:
    return ATTENUATION.get(categories, 0.93 if categories > 7 else 0.6)
