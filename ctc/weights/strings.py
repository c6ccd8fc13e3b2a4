"""Texts of the weighting and cut-point reports, in English and German."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "title": {"en": "Weighting report", "de": "Gewichtungsbericht"},
    "intro": {
        "en": "The survey {survey} weighted to the enrolment totals {enrolment} by {method}. An internal document "
              "of the survey office: it shows respondent counts per cell and is not for publication.",
        "de": "Die Befragung {survey}, gewichtet auf die Schülerzahlen {enrolment} ({method}). Ein internes Dokument "
              "der Erhebungsstelle: Es zeigt Befragtenzahlen je Zelle und ist nicht zur Veröffentlichung bestimmt.",
    },
    "summary": {"en": "Summary", "de": "Überblick"},
    "respondents": {"en": "Respondents", "de": "Befragte"},
    "iterations": {"en": "Iterations", "de": "Iterationen"},
    "misfit": {"en": "Largest relative misfit of a margin", "de": "Größte relative Abweichung einer Randverteilung"},
    "kish": {"en": "Kish design effect of weighting (1 + CV²)", "de": "Kish-Designeffekt der Gewichtung (1 + CV²)"},
    "kish_before": {"en": "Kish design effect of the design weights", "de": "Kish-Designeffekt der Designgewichte"},
    "n_eff": {"en": "Effective sample size n / deff", "de": "Effektive Stichprobengröße n / deff"},
    "bounds": {"en": "Bounds of weight / design weight", "de": "Grenzen von Gewicht / Designgewicht"},
    "trimmed": {"en": "Weights at a bound after trimming", "de": "Gewichte an einer Grenze nach dem Kappen"},
    "none": {"en": "none", "de": "keine"},
    "distribution": {"en": "Weight distribution", "de": "Verteilung der Gewichte"},
    "statistic": {"en": "Statistic", "de": "Kennzahl"},
    "design_weight": {"en": "Design weight", "de": "Designgewicht"},
    "weight": {"en": "Calibrated weight", "de": "Kalibriertes Gewicht"},
    "ratio": {"en": "Weight / design weight", "de": "Gewicht / Designgewicht"},
    "margins": {"en": "Margins before and after weighting", "de": "Randverteilungen vor und nach der Gewichtung"},
    "margin": {"en": "Margin", "de": "Randverteilung"},
    "cell": {"en": "Cell", "de": "Zelle"},
    "enrolled": {"en": "Enrolled", "de": "Schülerzahl"},
    "before": {"en": "Weighted before", "de": "Gewichtet vorher"},
    "after": {"en": "Weighted after", "de": "Gewichtet nachher"},
    "small": {"en": "Small cells", "de": "Kleine Zellen"},
    "small_intro": {
        "en": "Cells with fewer than {n} respondents get large, unstable weights; merge them as suggested.",
        "de": "Zellen mit weniger als {n} Befragten erhalten große, instabile Gewichte; fassen Sie sie wie vorgeschlagen zusammen.",
    },
    "suggestion": {"en": "Suggestion", "de": "Vorschlag"},
    "notes": {"en": "Notes", "de": "Hinweise"},
    "variance": {
        "en": "Standard errors: ctc profile reads the calibration model {model} beside the weighted file and uses the "
              "residuals of the calibration model ({variance}), as R survey does.",
        "de": "Standardfehler: ctc profile liest das Kalibrierungsmodell {model} neben der gewichteten Datei und "
              "verwendet die Residuen des Kalibrierungsmodells ({variance}) wie R survey.",
    },
    "poststratify": {"en": "post-stratification", "de": "Nachschichtung"},
    "rake": {"en": "raking", "de": "Raking (iterative proportionale Anpassung)"},
    "calibrate": {"en": "raking calibration", "de": "Raking-Kalibrierung"},
    # row labels of the weight distribution (percentiles p01 … read alike in both languages)
    "dist_median": {"en": "median", "de": "Median"},
    "dist_mean": {"en": "mean", "de": "Mittelwert"},
    "dist_cv": {"en": "cv", "de": "Variationskoeffizient"},
}


def s(key: str, lang: str = "en", **kwargs: object) -> str:
    entry = STRINGS[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**kwargs) if kwargs else text
