"""Fixed texts of ``ctc compare`` (tables, changes.html, command output) in English and German.

Same shape as :data:`ctc.i18n.MESSAGES`; tests check both languages and every used key.
"""

from __future__ import annotations

from typing import Any

LANGS = ("en", "de")

TEXTS: dict[str, dict[str, str]] = {
    # verdicts (code → label)
    "verdict.better": {"en": "better", "de": "besser"},
    "verdict.worse": {"en": "worse", "de": "schlechter"},
    "verdict.no-clear-change": {"en": "no clear change", "de": "keine klare Veränderung"},
    "verdict.not-comparable": {"en": "not comparable", "de": "nicht vergleichbar"},
    "verdict.not-shown": {"en": "not shown", "de": "nicht ausgewiesen"},
    # reasons
    "reason.clear": {"en": "{direction} by {diff} points ({lo} to {hi}), q = {q} < {alpha}: more than chance",
                     "de": "{direction} um {diff} Prozentpunkte ({lo} bis {hi}), q = {q} < {alpha}: mehr als Zufall"},
    "reason.noise": {"en": "change of {diff} points ({lo} to {hi}), q = {q} ≥ {alpha}: could be chance",
                     "de": "Veränderung um {diff} Prozentpunkte ({lo} bis {hi}), q = {q} ≥ {alpha}: kann Zufall sein"},
    "reason.untested": {"en": "change of {diff} points, but too few schools for a test",
                        "de": "Veränderung um {diff} Prozentpunkte, aber zu wenige Schulen für einen Test"},
    "reason.hidden": {"en": "not shown in wave {wave} to protect privacy",
                      "de": "in Welle {wave} zum Schutz der Privatsphäre nicht ausgewiesen"},
    "reason.empty": {"en": "no answers in wave {wave}", "de": "keine Antworten in Welle {wave}"},
    "reason.not-comparable": {"en": "measured differently: {why}", "de": "anders gemessen: {why}"},
    "direction.down": {"en": "down", "de": "gesunken"},
    "direction.up": {"en": "up", "de": "gestiegen"},
    # trends
    "trend.increasing": {"en": "increasing", "de": "steigend"},
    "trend.decreasing": {"en": "decreasing", "de": "fallend"},
    "trend.stable": {"en": "stable", "de": "stabil"},
    "trend.changed direction": {"en": "changed direction", "de": "Richtung gewechselt"},
    "trend.none": {"en": "no trend estimate", "de": "keine Trendschätzung"},
    # changes.html
    "html.title": {"en": "What changed: {municipality}", "de": "Was sich verändert hat: {municipality}"},
    "html.lead": {"en": "Survey waves {waves}. Percentages with 95 % intervals; a change counts as clear when the "
                        "false-discovery-adjusted q-value is below {alpha}. Design: {design}.",
                  "de": "Befragungswellen {waves}. Prozentwerte mit 95-%-Intervallen; eine Veränderung gilt als klar, wenn "
                        "der für Mehrfachtests korrigierte q-Wert unter {alpha} liegt. Design: {design}."},
    "html.priorities": {"en": "The board's priorities", "de": "Die Prioritäten des Gremiums"},
    "html.priorities.none": {"en": "No priorities were given (--priorities); the factors that changed most clearly come first.",
                             "de": "Keine Prioritäten angegeben (--priorities); die Faktoren mit den klarsten Veränderungen stehen zuerst."},
    "html.better": {"en": "What improved", "de": "Was besser geworden ist"},
    "html.worse": {"en": "What worsened", "de": "Was schlechter geworden ist"},
    "html.rest": {"en": "No clear change", "de": "Keine klare Veränderung"},
    "html.other": {"en": "Not comparable or not shown", "de": "Nicht vergleichbar oder nicht ausgewiesen"},
    "html.from_to": {"en": "{a} → {b}", "de": "{a} → {b}"},
    "html.trend": {"en": "Trend over {k} waves: {label}", "de": "Trend über {k} Wellen: {label}"},
    "html.chart": {"en": "% flagged per wave with 95 % interval", "de": "% auffällig je Welle mit 95-%-Intervall"},
    "html.kind.risk": {"en": "risk factor", "de": "Risikofaktor"},
    "html.kind.protective": {"en": "protective factor", "de": "Schutzfaktor"},
    "html.kind.outcome": {"en": "problem behaviour", "de": "Problemverhalten"},
    "html.footer": {"en": "Only aggregates; cells that could reveal small groups are not shown (docs/privacy.md). "
                          "Method: docs/compare.md.",
                    "de": "Nur zusammengefasste Werte; Zellen, die kleine Gruppen offenlegen könnten, werden nicht "
                          "ausgewiesen (docs/privacy.md). Methode: docs/compare.md."},
    "html.cohorts": {"en": "Pseudo-cohorts: clear changes", "de": "Pseudo-Kohorten: klare Veränderungen"},
    "html.cohorts.lead": {"en": "The same birth cohort in a later wave: grade g against grade g + d, d years later "
                                "({n} comparisons, all in cohorts.csv). Different pupils answered each time (movers, "
                                "absent pupils); pupils also grow older, so read a cohort change against other towns "
                                "or cohorts (docs/compare.md).",
                          "de": "Derselbe Geburtsjahrgang in einer späteren Welle: Klasse g gegen Klasse g + d, d Jahre "
                                "später ({n} Vergleiche, alle in cohorts.csv). Jedes Mal haben andere Schülerinnen und "
                                "Schüler geantwortet (Zu- und Wegzüge, Abwesende); zudem werden sie älter, daher eine "
                                "Kohortenveränderung mit anderen Gemeinden oder Kohorten vergleichen (docs/compare.md)."},
    "html.cohorts.none": {"en": "No clear change in any pseudo-cohort.", "de": "In keiner Pseudo-Kohorte eine klare Veränderung."},
    "html.cohorts.pair": {"en": "grade {g1} in {w1} → grade {g2} in {w2}", "de": "Klasse {g1} in {w1} → Klasse {g2} in {w2}"},
    "html.hidden": {"en": "not shown", "de": "nicht ausgewiesen"},
    # command output
    "cli.summary": {"en": "{rows} questionnaires in {waves} waves ({list}), {munis} municipalities; compared {a} → {b}: "
                          "{better} better, {worse} worse, {same} no clear change, {other} not comparable or not shown",
                    "de": "{rows} Fragebögen in {waves} Wellen ({list}), {munis} Gemeinden; verglichen {a} → {b}: "
                          "{better} besser, {worse} schlechter, {same} ohne klare Veränderung, {other} nicht vergleichbar "
                          "oder nicht ausgewiesen"},
    "cli.trends": {"en": "trends over {k} waves: {inc} increasing, {dec} decreasing, {chg} changed direction, {stable} stable",
                   "de": "Trends über {k} Wellen: {inc} steigend, {dec} fallend, {chg} Richtung gewechselt, {stable} stabil"},
    "cli.cohorts": {"en": "pseudo-cohorts: {rows} comparisons, {better} better, {worse} worse, {same} no clear change, "
                          "{other} not comparable or not shown",
                    "de": "Pseudo-Kohorten: {rows} Vergleiche, {better} besser, {worse} schlechter, {same} ohne klare "
                          "Veränderung, {other} nicht vergleichbar oder nicht ausgewiesen"},
    "cli.outputs": {"en": "outputs in {outdir}/ ({seconds} s)", "de": "Ausgaben in {outdir}/ ({seconds} s)"},
}


def s(key: str, lang: str = "en", **kwargs: Any) -> str:
    """The text of ``key`` in ``lang`` (English when the language is unknown), formatted."""
    entry = TEXTS[key]
    return (entry.get(lang) or entry["en"]).format(**kwargs)
