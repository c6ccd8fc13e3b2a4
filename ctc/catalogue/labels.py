"""Fallback factor vocabulary of the CTC Youth Survey, used until the shipped instrument exists.

The authority is the instrument file (``instruments/ctc-youth-survey.yaml``): when it
can be loaded, its scale ids and labels are used and this table only fills gaps. A
test keeps the two in step once the instrument is shipped.
"""

from __future__ import annotations

from types import MappingProxyType

_LABELS = {
    "low_neighbourhood_attachment": ("Low neighbourhood attachment", "Geringe Bindung an die Nachbarschaft"),
    "community_disorganisation": ("Community disorganisation", "Verwahrlosung des Wohnumfelds"),
    "transitions_mobility": ("Transitions and mobility", "Häufige Umzüge und Schulwechsel"),
    "perceived_availability_drugs": ("Perceived availability of drugs", "Verfügbarkeit von Drogen"),
    "perceived_availability_handguns": ("Perceived availability of handguns", "Verfügbarkeit von Schusswaffen"),
    "laws_norms_favourable_drug_use": ("Laws and norms favourable to drug use", "Normen, die Drogenkonsum begünstigen"),
    "community_opportunities_prosocial": ("Community opportunities for prosocial involvement", "Gelegenheiten zur prosozialen Mitwirkung im Wohnumfeld"),
    "community_rewards_prosocial": ("Community rewards for prosocial involvement", "Anerkennung prosozialer Mitwirkung im Wohnumfeld"),
    "family_history_antisocial": ("Family history of antisocial behaviour", "Geschichte des Problemverhaltens in der Familie"),
    "poor_family_management": ("Poor family management", "Probleme mit dem Familienmanagement"),
    "family_conflict": ("Family conflict", "Konflikte in der Familie"),
    "parental_attitudes_drug_use": ("Parental attitudes favourable to drug use", "Zustimmende Haltung der Eltern zum Drogenkonsum"),
    "parental_attitudes_antisocial": ("Parental attitudes favourable to antisocial behaviour", "Zustimmende Haltung der Eltern zu antisozialem Verhalten"),
    "family_attachment": ("Family attachment", "Familiärer Zusammenhalt"),
    "family_opportunities_prosocial": ("Family opportunities for prosocial involvement", "Gelegenheiten zur prosozialen Mitwirkung in der Familie"),
    "family_rewards_prosocial": ("Family rewards for prosocial involvement", "Anerkennung prosozialer Mitwirkung in der Familie"),
    "academic_failure": ("Academic failure", "Lernrückstände"),
    "low_commitment_school": ("Low commitment to school", "Geringe Bindung an die Schule"),
    "school_opportunities_prosocial": ("School opportunities for prosocial involvement", "Gelegenheiten zur prosozialen Mitwirkung in der Schule"),
    "school_rewards_prosocial": ("School rewards for prosocial involvement", "Anerkennung prosozialer Mitwirkung in der Schule"),
    "rebelliousness": ("Rebelliousness", "Aufsässigkeit"),
    "early_initiation_drug_use": ("Early initiation of drug use", "Früher Beginn des Substanzkonsums"),
    "early_initiation_antisocial": ("Early initiation of antisocial behaviour", "Früher Beginn des antisozialen Verhaltens"),
    "attitudes_favourable_antisocial": ("Attitudes favourable to antisocial behaviour", "Zustimmende Haltung zu antisozialem Verhalten"),
    "attitudes_favourable_drug_use": ("Attitudes favourable to drug use", "Zustimmende Haltung zum Drogenkonsum"),
    "low_perceived_risk_drug_use": ("Low perceived risk of drug use", "Geringe wahrgenommene Risiken des Drogenkonsums"),
    "interaction_antisocial_peers": ("Interaction with antisocial peers", "Umgang mit Freunden, die Problemverhalten zeigen"),
    "friends_use_drugs": ("Friends' use of drugs", "Drogenkonsum im Freundeskreis"),
    "sensation_seeking": ("Sensation seeking", "Suche nach Nervenkitzel"),
    "rewards_antisocial_involvement": ("Rewards for antisocial involvement", "Anerkennung für antisoziales Verhalten"),
    "gang_involvement": ("Gang involvement", "Bandenzugehörigkeit"),
    "intentions_to_use": ("Intentions to use", "Konsumabsicht"),
    "depressive_symptoms": ("Depressive symptoms", "Depressive Symptome"),
    "interaction_prosocial_peers": ("Interaction with prosocial peers", "Umgang mit prosozialen Freunden"),
    "belief_moral_order": ("Belief in the moral order", "Moralische Überzeugungen und klare Normen"),
    "prosocial_involvement": ("Prosocial involvement", "Prosoziales Engagement"),
    "peer_rewards_prosocial": ("Peer rewards for prosocial involvement", "Anerkennung prosozialen Verhaltens durch Gleichaltrige"),
    "social_skills": ("Social skills", "Soziale Kompetenzen"),
    "religiosity": ("Religiosity", "Religiosität"),
}

#: Scale ids of the CTC Youth Survey as agreed for the shipped instrument.
CTC_YOUTH_SURVEY_SCALES: frozenset[str] = frozenset(_LABELS)

#: scale id → {"en": ..., "de": ...}
FALLBACK_LABELS = MappingProxyType({k: {"en": en, "de": de} for k, (en, de) in _LABELS.items()})


def fallback_label(factor_id: str, lang: str = "en") -> str:
    """A readable label for a factor id, even for ids outside the table."""
    entry = FALLBACK_LABELS.get(factor_id)
    if entry is None:
        return factor_id.replace("_", " ")
    return entry.get(lang) or entry["en"]
