"""Programme catalogues: model, loading and checks, filtering, matching, text rendering."""

from .checks import catalogue_problems
from .country import check_country, country_fit, default_country, known_countries, resolve_country
from .evidence import EVIDENCE_STRENGTH, best_rating, evidence_strength, rating_label
from .grades import age_to_grade, ages_to_grades, grade_to_age, grades_to_ages
from .load import (
    FactorVocabulary,
    UnknownCatalogue,
    factor_vocabulary,
    load_catalogue,
    shipped_catalogues,
)
from .match import Match, match_programmes, programme_factor_matrix
from .model import (
    FORMAT,
    RATINGS,
    AgeRange,
    Catalogue,
    FactorTag,
    Programme,
    Rating,
    Source,
)
from .render import matches_table, programme_details, programmes_table, rank_reasons
from .select import filter_programmes

__all__ = [
    "EVIDENCE_STRENGTH",
    "FORMAT",
    "RATINGS",
    "AgeRange",
    "Catalogue",
    "FactorTag",
    "FactorVocabulary",
    "Match",
    "Programme",
    "Rating",
    "Source",
    "UnknownCatalogue",
    "age_to_grade",
    "ages_to_grades",
    "best_rating",
    "catalogue_problems",
    "check_country",
    "country_fit",
    "default_country",
    "evidence_strength",
    "factor_vocabulary",
    "filter_programmes",
    "grade_to_age",
    "grades_to_ages",
    "known_countries",
    "load_catalogue",
    "match_programmes",
    "matches_table",
    "programme_details",
    "programme_factor_matrix",
    "programmes_table",
    "rank_reasons",
    "rating_label",
    "resolve_country",
    "shipped_catalogues",
]
