"""Numeric evidence strength and readable labels for registry ratings.

The strengths order ratings across registries for ranking only; they are the
toolkit's convention (documented in docs/catalogue-format.md), not a registry's.
"""

from __future__ import annotations

from types import MappingProxyType

from .model import Programme, Rating

#: (registry, rating) → strength in [0, 1]
EVIDENCE_STRENGTH = MappingProxyType(
    {
        ("blueprints", "model_plus"): 1.0,
        ("blueprints", "model"): 0.9,
        ("blueprints", "promising"): 0.7,
        ("gruene_liste", "level_3"): 0.8,
        ("gruene_liste", "level_2"): 0.6,
        ("gruene_liste", "level_1"): 0.4,
        ("gruene_liste", "listed"): 0.4,  # in the register, level not traced: its minimum
        ("xchange", "beneficial"): 0.8,
        ("xchange", "likely_beneficial"): 0.6,
        ("xchange", "additional_studies_recommended"): 0.3,
        ("xchange", "unknown"): 0.2,
        ("xchange", "possibly_harmful"): 0.0,
        ("ctc_guide", "listed"): 0.6,
    }
)
#: ratings of registry 'other' with a known meaning; any other slug gets OTHER_DEFAULT
OTHER_STRENGTH = MappingProxyType(
    {
        "crimesolutions_effective": 0.7,
        "crimesolutions_promising": 0.5,
        "casel_select": 0.5,
        "crimesolutions_no_effects": 0.0,
    }
)
OTHER_DEFAULT = 0.3
#: a programme without any traced rating (``not_rated``): below every registry's minimum
NOT_RATED_STRENGTH = 0.1
NOT_RATED = ("not rated (no registry rating traced)", "nicht bewertet (keine Registerbewertung ermittelt)")

_GL = {
    "level_3": ("effectiveness proven", "Effektivität nachgewiesen"),
    "level_2": ("effectiveness probable", "Effektivität wahrscheinlich"),
    "level_1": ("effectiveness theoretically well founded", "Effektivität theoretisch gut begründet"),
    "listed": ("listed, level not traced", "gelistet, Stufe nicht ermittelt"),
}
_XCHANGE = {
    "beneficial": ("Beneficial", "Beneficial (wirksam)"),
    "likely_beneficial": ("Likely to be beneficial", "Likely to be beneficial (wahrscheinlich wirksam)"),
    "additional_studies_recommended": ("Additional studies recommended", "Additional studies recommended (weitere Studien empfohlen)"),
    "unknown": ("Unknown", "Unknown (unbekannt)"),
    "possibly_harmful": ("Possibly harmful", "Possibly harmful (möglicherweise schädlich)"),
}


def rating_strength(rating: Rating | None) -> float:
    if rating is None:
        return NOT_RATED_STRENGTH
    if rating.registry == "other":
        return OTHER_STRENGTH.get(rating.rating, OTHER_DEFAULT)
    return EVIDENCE_STRENGTH[(rating.registry, rating.rating)]


def best_rating(programme: Programme) -> Rating | None:
    """The programme's strongest rating (first one on ties); None for a programme marked ``not_rated``."""
    return max(programme.ratings, key=rating_strength) if programme.ratings else None


def evidence_strength(programme: Programme) -> float:
    return rating_strength(best_rating(programme))


def rating_label(rating: Rating | None, lang: str = "en") -> str:
    de = lang == "de"
    if rating is None:
        return NOT_RATED[1 if de else 0]
    if rating.registry == "blueprints":
        return "Blueprints " + rating.rating.replace("_", " ").title()
    if rating.registry == "gruene_liste":
        en_text, de_text = _GL[rating.rating]
        return f"Grüne Liste: {de_text if de else en_text}"
    if rating.registry == "xchange":
        en_text, de_text = _XCHANGE[rating.rating]
        return f"Xchange: {de_text if de else en_text}"
    if rating.registry == "ctc_guide":
        return "CTC-Leitfaden Präventionsstrategien" if de else "CTC Prevention Strategies Guide"
    return ("andere Quelle: " if de else "other: ") + rating.rating.replace("_", " ")
