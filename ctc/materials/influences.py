"""What each risk factor is known to influence: the CTC risk-factor chart.

The chart (Hawkins, Catalano & Miller 1992; as used in CTC trainings, e.g. the table
"Risk Factors for Adolescent Problem Behaviors" in IOM/NRC 2011, *The Science of
Adolescent Risk-Taking*, Table 6-1, after Brooke-Weiss et al. 2008) links each risk
factor to the problem behaviours it predicts. Scales of the instrument that belong to
one chart row share its behaviours; scales outside the chart have none here
(docs/materials.md lists the transcription). Protective factors buffer all of them.
"""

from __future__ import annotations

BEHAVIOURS = ("substance", "delinquency", "pregnancy", "dropout", "violence", "depression")
ALL = BEHAVIOURS
_NEIGHBOURHOOD = ("substance", "delinquency", "violence")
_PEERS = ("substance", "delinquency", "pregnancy", "dropout", "violence")
_ATTITUDES = ("substance", "delinquency", "pregnancy", "dropout")
_PARENTS = ("substance", "delinquency", "violence")

CHART: dict[str, tuple[str, ...]] = {
    "low_neighbourhood_attachment": _NEIGHBOURHOOD,
    "community_disorganisation": _NEIGHBOURHOOD,
    "transitions_mobility": ("substance", "delinquency", "dropout", "depression"),
    "perceived_availability_drugs": ("substance", "violence"),
    "perceived_availability_handguns": ("delinquency", "violence"),
    "laws_norms_favourable_drug_use": ("substance", "delinquency", "violence"),
    "family_history_antisocial": ALL,
    "poor_family_management": ALL,
    "family_conflict": ALL,
    "parental_attitudes_drug_use": _PARENTS,
    "parental_attitudes_antisocial": _PARENTS,
    "academic_failure": ALL,
    "low_commitment_school": _ATTITUDES,
    "rebelliousness": ("substance", "delinquency", "dropout"),
    "early_initiation_drug_use": _PEERS,
    "early_initiation_antisocial": _PEERS,
    "attitudes_favourable_antisocial": _ATTITUDES,
    "attitudes_favourable_drug_use": _ATTITUDES,
    "low_perceived_risk_drug_use": ("substance",),
    "interaction_antisocial_peers": _PEERS,
    "friends_use_drugs": _PEERS,
    "rewards_antisocial_involvement": ("substance", "delinquency"),
    "gang_involvement": ("substance", "delinquency", "violence"),
    "sensation_seeking": ("substance", "delinquency", "violence"),  # chart row "constitutional factors"
    "intentions_to_use": ("substance",),
}


def influences(scale_id: str, kind: str) -> tuple[str, ...]:
    """Problem behaviours (ids of :data:`BEHAVIOURS`) the factor is known to influence."""
    if kind == "protective":
        return BEHAVIOURS
    return CHART.get(scale_id, ())
