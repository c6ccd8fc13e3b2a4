"""Fixed texts of the planning workbook and commands, in English and German.

Same shape as :data:`ctc.i18n.MESSAGES`; a test checks that every key has both
languages and that every key the code uses exists.
"""

from __future__ import annotations

from typing import Any

LANGS = ("en", "de")

_SHEETS = {
    "overview": ("Overview", "Übersicht"),
    "profile": ("Profile", "Profil"),
    "behaviours": ("Problem behaviours", "Problemverhalten"),
    "priorities": ("Priorities", "Prioritäten"),
    "matches": ("Programme matches", "Programmvorschläge"),
    "inventory": ("Resource inventory", "Bestandsaufnahme"),
    "gaps": ("Gap matrix", "Lückenmatrix"),
    "actions": ("Action plan", "Aktionsplan"),
    "partners": ("Partners", "Partner"),
    "evaluation": ("Evaluation plan", "Evaluationsplan"),
    "waves": ("Priorities over time", "Prioritäten im Zeitverlauf"),
    "quality": ("Data quality", "Datenqualität"),
    "unmatched": ("Unmatched entries", "Nicht zugeordnete Einträge"),
    "lists": ("Lists", "Listen"),
    "meta": ("Meta", "Meta"),
}

_ABOUT = {
    "profile": ("Risk and protective factors by grade against the baseline, with charts",
                "Risiko- und Schutzfaktoren nach Jahrgang im Vergleich zum Vergleichswert, mit Diagrammen"),
    "behaviours": ("Problem behaviours by grade against the baseline", "Problemverhalten nach Jahrgang im Vergleich zum Vergleichswert"),
    "priorities": ("Shortlist with reasons under three decision rules; the board's decision and rationale",
                   "Vorauswahl mit Begründung nach drei Entscheidungsregeln; Entscheidung und Begründung des Gremiums"),
    "matches": ("Suggested evidence-based programmes and the programme × factor matrix",
                "Vorgeschlagene evidenzbasierte Programme und die Matrix Programm × Faktor"),
    "inventory": ("Existing offers in the community (the board fills this in)", "Bestehende Angebote vor Ort (füllt das Gremium aus)"),
    "gaps": ("Offers per prioritised factor and age band, computed from the inventory",
             "Angebote je priorisiertem Faktor und Altersgruppe, aus der Bestandsaufnahme berechnet"),
    "actions": ("Desired outcomes, programmes, partners, costs and timeline", "Angestrebte Ergebnisse, Programme, Partner, Kosten und Zeitplan"),
    "partners": ("Organisations on the board and what they commit to", "Beteiligte Organisationen und ihre Zusagen"),
    "evaluation": ("Participant and implementation outcomes, next survey wave", "Ergebnisse bei Teilnehmenden und der Umsetzung, nächste Befragungswelle"),
    "waves": ("Each chosen priority per survey wave, its change and verdict (from 'ctc compare')",
              "Jede gewählte Priorität je Befragungswelle, ihre Veränderung und Bewertung (aus „ctc compare“)"),
    "quality": ("Screening audit, cells not shown, data problems", "Prüfung der Fragebögen, nicht ausgewiesene Zellen, Datenprobleme"),
    "unmatched": ("Earlier entries that could not be put back after an update", "Frühere Einträge, die nach einer Aktualisierung nicht zugeordnet werden konnten"),
}

_COLUMNS = {
    # keys and common
    "key": ("Key", "Schlüssel"),
    "sign": ("Sign", "Vorzeichen"),
    "kind": ("Type", "Art"),
    "group": ("Domain / group", "Bereich / Gruppe"),
    "indicator": ("Indicator", "Indikator"),
    "factor": ("Factor", "Faktor"),
    "label": ("Factor", "Faktor"),
    # priorities
    "pct": ("%", "%"),
    "ci_low": ("95% CI low", "95%-KI unten"),
    "ci_high": ("95% CI high", "95%-KI oben"),
    "baseline_pct": ("Baseline %", "Vergleichswert %"),
    "diff_pp": ("Difference (pp)", "Differenz (Pp.)"),
    "q_value": ("q (BH)", "q (BH)"),
    "rank_level": ("Rank: level", "Rang: Niveau"),
    "rank_excess": ("Rank: excess", "Rang: Abstand"),
    "rank_clear": ("Rank: clear excess", "Rang: deutlicher Abstand"),
    "top_share": ("Stability (top-N share)", "Stabilität (Anteil Top-N)"),
    "shortlisted": ("Shortlisted", "Vorauswahl"),
    "reason": ("Reason", "Begründung"),
    "top_n": ("Top N", "Top N"),
    "decision": ("Board decision", "Entscheidung des Gremiums"),
    "rationale": ("Rationale of the board", "Begründung des Gremiums"),
    # inventory
    "provider": ("Provider", "Träger"),
    "programme": ("Programme / offer", "Programm / Angebot"),
    "setting": ("Setting", "Setting"),
    "age_from": ("Age from", "Alter von"),
    "age_to": ("Age to", "Alter bis"),
    "continuum": ("Continuum", "Präventionsebene"),
    "reach": ("Reach (participants per year)", "Reichweite (Teilnehmende pro Jahr)"),
    "funding": ("Funding", "Finanzierung"),
    "evidence": ("Evidence status", "Evidenzstatus"),
    "factor_1": ("Factor addressed 1", "Adressierter Faktor 1"),
    "factor_2": ("Factor addressed 2", "Adressierter Faktor 2"),
    "factor_3": ("Factor addressed 3", "Adressierter Faktor 3"),
    "notes": ("Notes", "Anmerkungen"),
    # action plan
    "outcome": ("Desired outcome", "Angestrebtes Ergebnis"),
    "population": ("Population", "Zielgruppe"),
    "baseline": ("Baseline value %", "Ausgangswert %"),
    "baseline_year": ("Baseline year", "Jahr Ausgangswert"),
    "target": ("Target value %", "Zielwert %"),
    "target_year": ("Target year", "Zieljahr"),
    "source": ("Data source", "Datenquelle"),
    "partner": ("Responsible partner", "Verantwortlicher Partner"),
    "cost": ("Cost (per year)", "Kosten (pro Jahr)"),
    "start": ("Start", "Beginn"),
    "end": ("End", "Ende"),
    "latest": ("Latest survey value %", "Letzter Befragungswert %"),
    "latest_year": ("Latest survey year", "Jahr letzte Befragung"),
    "wave_result": ("Survey waves: the priorities (ctc compare)", "Befragungswellen: die Prioritäten (ctc compare)"),
    "wave_verdict": ("Change between waves (ctc compare)", "Veränderung zwischen Wellen (ctc compare)"),
    # partners
    "organisation": ("Organisation", "Organisation"),
    "sector": ("Sector", "Bereich"),
    "role": ("Role on the board", "Rolle im Gremium"),
    "contact": ("Contact person", "Ansprechperson"),
    "contact_details": ("E-mail / phone", "E-Mail / Telefon"),
    "commitments": ("Commitments", "Zusagen"),
    # evaluation
    "evaltype": ("Type of outcome", "Art des Ergebnisses"),
    "measure": ("What is measured", "Was gemessen wird"),
    "eval_source": ("Instrument / data source", "Instrument / Datenquelle"),
    "eval_target": ("Target", "Ziel"),
    "responsible": ("Responsible", "Verantwortlich"),
    "due": ("When / due", "Wann / fällig"),
    # unmatched
    "from_sheet": ("Original sheet", "Ursprüngliches Blatt"),
    "entry_key": ("Key of the entry", "Schlüssel des Eintrags"),
    "context": ("Entry", "Eintrag"),
    "field": ("Column", "Spalte"),
    "value": ("Value", "Wert"),
    "why": ("Why it was moved", "Grund der Verschiebung"),
    "moved": ("Moved on", "Verschoben am"),
}

_MATCH_COLUMNS = {
    "rank": ("#", "#"),
    "programme": ("Programme", "Programm"),
    "ages": ("Ages", "Alter"),
    "settings": ("Settings", "Settings"),
    "continuum": ("Continuum", "Präventionsebene"),
    "evidence": ("Best rating", "Beste Bewertung"),
    "score": ("Score", "Punkte"),
    "coverage": ("Coverage", "Abdeckung"),
    "strength": ("Evidence", "Evidenz"),
    "age_fit": ("Age fit", "Altersbezug"),
    "why": ("Why suggested", "Warum vorgeschlagen"),
    "link": ("Registry page", "Registerseite"),
}

_QUALITY_COLUMNS = {
    "grade": ("Grade", "Jahrgang"),
    "rule": ("Screening rule", "Prüfregel"),
    "respondents": ("Questionnaires", "Fragebögen"),
    "flagged": ("Flagged", "Markiert"),
    "only_rule": ("Only by this rule", "Nur durch diese Regel"),
    "with_other": ("Also by other rules", "Auch durch andere Regeln"),
    "pct": ("% flagged", "% markiert"),
    "kind": ("Type", "Art"),
    "indicator": ("Indicator", "Indikator"),
    "gender": ("Gender", "Geschlecht"),
    "n": ("n", "n"),
    "reason": ("Not shown because", "Nicht ausgewiesen, weil"),
    "cells": ("Cells not shown (grade: gender)", "Nicht ausgewiesene Zellen (Jahrgang: Geschlecht)"),
    "code": ("Problem code", "Problem-Code"),
    "severity": ("Severity", "Schwere"),
    "count": ("Count", "Anzahl"),
    "description": ("Description", "Beschreibung"),
}

_VALUES = {
    "decision": {"priority": ("priority", "Priorität"), "maybe": ("maybe", "vielleicht"), "not_now": ("not now", "jetzt nicht")},
    "setting": {"family": ("family", "Familie"), "school": ("school / early childhood", "Schule / Kita"),
                "community": ("community", "Gemeinde / Nachbarschaft"), "individual_peer": ("children and youth (groups, one-to-one)", "Kinder und Jugendliche (Gruppe, einzeln)"),
                "other": ("other", "sonstiges")},
    "continuum": {"universal": ("universal", "universell"), "selective": ("selective", "selektiv"), "indicated": ("indicated", "indiziert")},
    "evidence": {"rated": ("rated in a registry (Blueprints, Grüne Liste, Xchange)", "in einem Register bewertet (Grüne Liste, Blueprints, Xchange)"),
                 "evaluated": ("evaluated, not in a registry", "evaluiert, nicht in einem Register"),
                 "not_evaluated": ("not evaluated", "nicht evaluiert"), "unknown": ("unknown", "unbekannt")},
    "sector": {"schools": ("schools", "Schule"), "youth_welfare": ("youth welfare", "Jugendhilfe"), "police": ("police and justice", "Polizei und Justiz"),
               "health": ("health", "Gesundheit"), "social": ("social services", "Soziale Dienste"), "ngo": ("NGOs and associations", "Vereine und freie Träger"),
               "faith": ("faith communities", "Religionsgemeinschaften"), "business": ("business", "Wirtschaft"), "media": ("media", "Medien"),
               "government": ("local government and politics", "Verwaltung und Politik"), "residents": ("residents and parents", "Bürgerinnen, Bürger und Eltern"),
               "youth": ("young people", "Jugendliche"), "other": ("other", "sonstige")},
    "evaltype": {"participant": ("participant outcome", "Ergebnis bei Teilnehmenden"),
                 "implementation": ("implementation outcome (reach, dosage, fidelity)", "Umsetzungsergebnis (Reichweite, Dosis, Programmtreue)"),
                 "community": ("community outcome (next survey wave)", "Ergebnis in der Gemeinde (nächste Befragungswelle)")},
    "kind": {"outcome": ("problem behaviour", "Problemverhalten")},
}

_WAVE_COLUMNS = {
    "key": ("Action", "Maßnahme"),
    "indicator": ("Indicator", "Indikator"),
    "wave": ("Wave", "Welle"),
    "pct": ("%", "%"),
    "ci_low": ("95% CI low", "95%-KI unten"),
    "ci_high": ("95% CI high", "95%-KI oben"),
    "change": ("Change (points)", "Veränderung (Prozentpunkte)"),
    "change_low": ("Change CI low", "Veränderung KI unten"),
    "change_high": ("Change CI high", "Veränderung KI oben"),
    "verdict": ("Verdict", "Bewertung"),
    "trend": ("Trend", "Trend"),
}

MESSAGES: dict[str, dict[str, str]] = {
    **{f"sheet.{k}": {"en": en, "de": de} for k, (en, de) in _SHEETS.items()},
    **{f"about.{k}": {"en": en, "de": de} for k, (en, de) in _ABOUT.items()},
    **{f"col.{k}": {"en": en, "de": de} for k, (en, de) in _COLUMNS.items()},
    **{f"col.m.{k}": {"en": en, "de": de} for k, (en, de) in _MATCH_COLUMNS.items()},
    **{f"col.q.{k}": {"en": en, "de": de} for k, (en, de) in _QUALITY_COLUMNS.items()},
    **{f"col.w.{k}": {"en": en, "de": de} for k, (en, de) in _WAVE_COLUMNS.items()},
    "waves.note": {"en": "Survey waves {waves}; change and verdict compare {a} with {b}; pooled over grades and genders; "
                         "– = not shown to protect privacy. From the comparison folder {folder}; rewritten on every update.",
                   "de": "Befragungswellen {waves}; Veränderung und Bewertung vergleichen {a} mit {b}; über Jahrgänge und "
                         "Geschlechter zusammengefasst; – = zum Schutz der Privatsphäre nicht ausgewiesen. Aus dem "
                         "Vergleichsordner {folder}; wird bei jeder Aktualisierung neu geschrieben."},
    "waves.result": {"en": "{a}→{b}: {better} better, {worse} worse, {same} no clear change, {other} not shown or not comparable "
                           "(sheet '{sheet}')",
                     "de": "{a}→{b}: {better} besser, {worse} schlechter, {same} ohne klare Veränderung, {other} nicht "
                           "ausgewiesen oder nicht vergleichbar (Blatt „{sheet}“)"},
    "waves.none": {"en": "No action-plan row names an indicator yet.", "de": "Noch keine Zeile des Aktionsplans nennt einen Indikator."},
    **{f"v.{lst}.{k}": {"en": en, "de": de} for lst, vals in _VALUES.items() for k, (en, de) in vals.items()},
    "yes": {"en": "yes", "de": "ja"},
    # overview
    "overview.title": {"en": "CTC planning workbook — {municipality}", "de": "CTC-Planungsmappe — {municipality}"},
    "overview.what": {
        "en": "This workbook holds the community profile of the CTC youth survey and the board's planning: priorities, "
              "existing offers and gaps, suggested evidence-based programmes, the Community Action Plan, partners and the evaluation plan.",
        "de": "Diese Mappe enthält das Gebietsprofil aus der CTC-Schülerbefragung und die Planung des Gremiums: Prioritäten, "
              "bestehende Angebote und Lücken, vorgeschlagene evidenzbasierte Programme, den Aktionsplan, Partner und den Evaluationsplan."},
    "overview.data": {
        "en": "Sheets marked 'data' are rewritten whenever the profile is computed again; do not type into them. "
              "Yellow columns are yours: the board's entries there are kept.",
        "de": "Blätter mit „Daten“ werden bei jeder neuen Berechnung des Profils überschrieben; bitte dort nichts eintragen. "
              "Gelbe Spalten gehören dem Gremium: Einträge dort bleiben erhalten."},
    "overview.keep": {
        "en": "Updating the workbook (ctc profile again, or ctc workbook update) keeps every entry by its key (first column) and "
              "saves the previous file as a backup. Entries that no longer fit (e.g. a factor that was removed) move to the sheet "
              "'Unmatched entries' — nothing is deleted. Keep the key column when you copy or sort rows.",
        "de": "Beim Aktualisieren (erneut ctc profile oder ctc workbook update) bleibt jeder Eintrag über seinen Schlüssel (erste Spalte) "
              "erhalten; die vorige Datei wird als Sicherung aufbewahrt. Einträge, die nicht mehr passen (z. B. ein entfallener Faktor), "
              "kommen auf das Blatt „Nicht zugeordnete Einträge“ — gelöscht wird nichts. Beim Kopieren oder Sortieren die Schlüsselspalte mitnehmen."},
    "overview.steps": {"en": "How to use it", "de": "So arbeiten Sie damit"},
    "overview.step1": {"en": "1. Profile and Problem behaviours: look at the factors by grade; red = worse than the baseline by 5 points or more.",
                       "de": "1. Profil und Problemverhalten: Faktoren nach Jahrgang ansehen; rot = mindestens 5 Punkte ungünstiger als der Vergleichswert."},
    "overview.step2": {"en": "2. Priorities: discuss the shortlist and record the board's decision (priority / maybe / not now) with a rationale; choose 2–5 factors.",
                       "de": "2. Prioritäten: Vorauswahl besprechen und die Entscheidung des Gremiums (Priorität / vielleicht / jetzt nicht) mit Begründung eintragen; 2–5 Faktoren wählen."},
    "overview.step3": {"en": "3. Resource inventory: list the offers that exist; the Gap matrix then shows, per prioritised factor and age band, how many offers address it (0 = gap).",
                       "de": "3. Bestandsaufnahme: vorhandene Angebote eintragen; die Lückenmatrix zeigt dann je priorisiertem Faktor und Altersgruppe, wie viele Angebote ihn adressieren (0 = Lücke)."},
    "overview.step4": {"en": "4. Programme matches: suggested tested programmes for the priorities and surveyed ages; check the registry page before adopting one.",
                       "de": "4. Programmvorschläge: geprüfte Programme für die Prioritäten und befragten Altersgruppen; vor der Auswahl die Registerseite prüfen."},
    "overview.step5": {"en": "5. Action plan: set targets (value and year), programmes, responsible partners, costs and dates; baseline values come from the profile.",
                       "de": "5. Aktionsplan: Ziele (Wert und Jahr), Programme, verantwortliche Partner, Kosten und Termine festlegen; Ausgangswerte stammen aus dem Profil."},
    "overview.step6": {"en": "6. Partners and Evaluation plan: who does what; how participant and implementation outcomes are measured; when the next survey wave is.",
                       "de": "6. Partner und Evaluationsplan: wer was übernimmt; wie Ergebnisse bei Teilnehmenden und der Umsetzung gemessen werden; wann die nächste Befragung ist."},
    "overview.col.sheet": {"en": "Sheet", "de": "Blatt"},
    "overview.col.holds": {"en": "What it holds", "de": "Inhalt"},
    "overview.col.owner": {"en": "Who writes it", "de": "Wer trägt ein"},
    "overview.owner.data": {"en": "data (rewritten on update)", "de": "Daten (wird beim Aktualisieren überschrieben)"},
    "overview.owner.board": {"en": "board (kept on update)", "de": "Gremium (bleibt beim Aktualisieren erhalten)"},
    "overview.owner.mixed": {"en": "data + board columns (decision, rationale kept)", "de": "Daten + Spalten des Gremiums (Entscheidung, Begründung bleiben)"},
    "overview.provenance": {"en": "Where the numbers come from", "de": "Herkunft der Zahlen"},
    "overview.col.item": {"en": "Item", "de": "Angabe"},
    "overview.col.value": {"en": "Value", "de": "Wert"},
    "prov.municipality": {"en": "Municipality", "de": "Gemeinde"},
    "prov.instrument": {"en": "Instrument", "de": "Fragebogen"},
    "prov.grades": {"en": "Surveyed grades", "de": "Befragte Jahrgänge"},
    "prov.baseline": {"en": "Baseline (comparison)", "de": "Vergleichswerte"},
    "prov.baseline_years": {"en": "Baseline years", "de": "Jahre der Vergleichswerte"},
    "prov.suppression": {"en": "Small-group rule", "de": "Regel für kleine Gruppen"},
    "prov.suppression.rule": {"en": "a % is shown only with at least {min_n} answers; 0 % or 100 % only with at least {all_or_none}",
                              "de": "ein Anteil wird erst ab {min_n} Antworten gezeigt; 0 % oder 100 % erst ab {all_or_none}"},
    "prov.level": {"en": "Confidence level", "de": "Konfidenzniveau"},
    "prov.catalogue": {"en": "Programme catalogue", "de": "Programmkatalog"},
    "prov.survey_year": {"en": "Survey year (baseline year of the action plan)", "de": "Befragungsjahr (Ausgangsjahr im Aktionsplan)"},
    "prov.toolkit": {"en": "ctc toolkit version", "de": "Version des ctc-Werkzeugs"},
    "prov.created": {"en": "Workbook created", "de": "Mappe erstellt"},
    "prov.updated": {"en": "Last updated", "de": "Zuletzt aktualisiert"},
    "prov.never": {"en": "not yet", "de": "noch nicht"},
    "prov.none": {"en": "none", "de": "keine"},
    # profile
    "profile.note": {
        "en": "% of pupils per grade; '–' = not shown to protect privacy (too few answers). Red: worse than the baseline "
              "by 5 points or more; light red: worse; green: better by 5 points or more. The charts below plot the chart-data cells.",
        "de": "Anteil der Schülerinnen und Schüler je Jahrgang; „–“ = zum Schutz der Privatsphäre nicht ausgewiesen (zu wenige Antworten). "
              "Rot: mindestens 5 Punkte ungünstiger als der Vergleichswert; hellrot: ungünstiger; grün: mindestens 5 Punkte günstiger. "
              "Die Diagramme unten zeigen die Zellen der Diagrammdaten."},
    "profile.flag": {"en": "at risk / with high protection", "de": "belastet / mit hohem Schutz"},
    "profile.block.pct": {"en": "% {flag}", "de": "% {flag}"},
    "profile.block.baseline": {"en": "Baseline %", "de": "Vergleichswert %"},
    "profile.block.diff": {"en": "Difference to the baseline (pp)", "de": "Differenz zum Vergleichswert (Pp.)"},
    "profile.block.gender": {"en": "% by gender (all grades; where the privacy protection allows)", "de": "% nach Geschlecht (alle Jahrgangsstufen; soweit der Datenschutz es zulässt)"},
    "profile.grade": {"en": "Grade {grade}", "de": "Jg. {grade}"},
    "profile.all_grades": {"en": "All grades", "de": "Alle Jg."},
    "profile.suppressed_note": {"en": "Not shown: {reason}", "de": "Nicht ausgewiesen: {reason}"},
    "behaviours.note": {
        "en": "% of pupils reporting the behaviour, per grade; '–' = not shown to protect privacy (too few answers). Red: higher "
              "than the baseline by 5 points or more.",
        "de": "Anteil der Schülerinnen und Schüler mit dem Verhalten je Jahrgang; „–“ = zum Schutz der Privatsphäre nicht ausgewiesen "
              "(zu wenige Antworten). Rot: mindestens 5 Punkte über dem Vergleichswert."},
    "behaviours.flag": {"en": "reporting it", "de": "mit Angabe"},
    "chart.data_title": {"en": "Chart data", "de": "Diagrammdaten"},
    "chart.data_note": {"en": "The charts plot these cells (empty = not shown); edit them to change the charts.",
                        "de": "Die Diagramme zeigen diese Zellen (leer = nicht ausgewiesen); Änderungen hier ändern die Diagramme."},
    "chart.series.municipality": {"en": "{municipality}", "de": "{municipality}"},
    "chart.series.baseline": {"en": "Baseline", "de": "Vergleichswert"},
    "chart.risk": {"en": "Risk factors: % at risk (all grades)", "de": "Risikofaktoren: % belastet (alle Jahrgänge)"},
    "chart.protective": {"en": "Protective factors: % with high protection (all grades)", "de": "Schutzfaktoren: % mit hohem Schutz (alle Jahrgänge)"},
    "chart.behaviours": {"en": "Problem behaviours: % (all grades)", "de": "Problemverhalten: % (alle Jahrgänge)"},
    "chart.by_grade": {"en": "Prioritised factors by grade (%)", "de": "Priorisierte Faktoren nach Jahrgang (%)"},
    "chart.axis.risk": {"en": "% at risk", "de": "% belastet"},
    "chart.axis.protective": {"en": "% with high protection", "de": "% mit hohem Schutz"},
    "chart.axis.pct": {"en": "%", "de": "%"},
    # priorities
    "priorities.note": {
        "en": "Candidates ranked under three decision rules; the shortlist (top {risk} risk, top {protective} protective factors) follows "
              "the rule '{rule}'. The board decides: choose in 'Board decision' and give a rationale.",
        "de": "Kandidaten nach drei Entscheidungsregeln geordnet; die Vorauswahl (die {risk} ersten Risiko-, die {protective} ersten Schutzfaktoren) "
              "folgt der Regel „{rule}“. Das Gremium entscheidet: in „Entscheidung des Gremiums“ auswählen und begründen."},
    "priorities.rules_title": {"en": "The decision rules", "de": "Die Entscheidungsregeln"},
    "rule.level": {"en": "level", "de": "Niveau"},
    "rule.excess": {"en": "excess over the baseline", "de": "Abstand zum Vergleichswert"},
    "rule.clear": {"en": "clear excess", "de": "deutlicher Abstand"},
    "rule.level.explain": {"en": "Level: highest % at risk (lowest % with high protection), all grades together.",
                           "de": "Niveau: höchster Anteil belastet (niedrigster Anteil mit hohem Schutz), alle Jahrgänge zusammen."},
    "rule.excess.explain": {"en": "Excess: largest difference from the baseline in percentage points.",
                            "de": "Abstand: größte Differenz zum Vergleichswert in Prozentpunkten."},
    "rule.clear.explain": {"en": "Clear excess: only differences that are statistically clear (BH q < {alpha}), ranked by the interval bound nearest the baseline.",
                           "de": "Deutlicher Abstand: nur statistisch deutliche Differenzen (BH q < {alpha}), geordnet nach der Intervallgrenze nächst dem Vergleichswert."},
    "priorities.stability": {"en": "Stability: share of bootstrap resamples in which the factor is in the top N of its kind under the shortlist rule.",
                             "de": "Stabilität: Anteil der Bootstrap-Stichproben, in denen der Faktor nach der Regel der Vorauswahl unter den ersten N seiner Art ist."},
    # matches
    "matches.note": {
        "en": "Ranked by how many prioritised factors a programme addresses (weighted by priority rank), evidence rating, age fit and setting mix. "
              "Suggestions, not decisions: check the registry page and local conditions before adopting a programme.",
        "de": "Geordnet danach, wie viele priorisierte Faktoren ein Programm adressiert (gewichtet nach Rang), Evidenzbewertung, Altersbezug und Vielfalt der Settings. "
              "Vorschläge, keine Entscheidungen: vor der Auswahl Registerseite und Bedingungen vor Ort prüfen."},
    "matches.priorities": {"en": "Prioritised factors: {factors}", "de": "Priorisierte Faktoren: {factors}"},
    "matches.ages": {"en": "Surveyed ages: {lo}–{hi} (age ≈ grade + 5)", "de": "Befragte Altersgruppe: {lo}–{hi} Jahre (Alter ≈ Jahrgang + 5)"},
    "matches.none": {"en": "No programme of the catalogue addresses the prioritised factors.", "de": "Kein Programm des Katalogs adressiert die priorisierten Faktoren."},
    "matches.matrix": {"en": "Programme × factor", "de": "Programm × Faktor"},
    "matches.legend": {"en": "● the registry names the factor; ○ our reading of the programme's logic model.",
                       "de": "● das Register nennt den Faktor; ○ eigene Zuordnung nach dem Wirkmodell des Programms."},
    # board sheets
    "inventory.note": {
        "en": "One row per existing offer. Choose setting, continuum, evidence status and up to three factors from the lists; enter ages "
              "from–to as numbers. Insert new rows inside the table so the gap matrix counts them.",
        "de": "Eine Zeile je bestehendem Angebot. Setting, Präventionsebene, Evidenzstatus und bis zu drei Faktoren aus den Listen wählen; Alter "
              "von–bis als Zahlen eintragen. Neue Zeilen innerhalb der Tabelle einfügen, damit die Lückenmatrix sie zählt."},
    "actions.note": {
        "en": "One row per desired outcome. Baseline value and year come from the profile (all surveyed grades); set target value and year. "
              "'Latest survey value' is refreshed on every update.",
        "de": "Eine Zeile je angestrebtem Ergebnis. Ausgangswert und -jahr stammen aus dem Profil (alle befragten Jahrgänge); Zielwert und Zieljahr festlegen. "
              "„Letzter Befragungswert“ wird bei jeder Aktualisierung erneuert."},
    "partners.note": {"en": "Organisations of the CTC board: sector, role, contact person and what they commit to.",
                      "de": "Organisationen im CTC-Gremium: Bereich, Rolle, Ansprechperson und ihre Zusagen."},
    "evaluation.note": {"en": "How the plan is evaluated: participant outcomes, implementation outcomes (reach, dosage, fidelity) and the next survey wave.",
                        "de": "Wie der Plan evaluiert wird: Ergebnisse bei Teilnehmenden, Umsetzungsergebnisse (Reichweite, Dosis, Programmtreue) und die nächste Befragungswelle."},
    "unmatched.note": {
        "en": "Entries from earlier versions of this workbook that could not be put back (see 'Why it was moved'). Copy what you need back into its sheet; delete rows you no longer need.",
        "de": "Einträge aus früheren Fassungen dieser Mappe, die nicht zugeordnet werden konnten (siehe „Grund der Verschiebung“). Benötigtes zurück ins Blatt kopieren; Erledigtes löschen."},
    "plan.outcome.risk": {"en": "Reduce the share of pupils at risk: {factor}", "de": "Anteil belasteter Schülerinnen und Schüler senken: {factor}"},
    "plan.outcome.protective": {"en": "Increase the share of pupils with high protection: {factor}", "de": "Anteil mit hohem Schutz erhöhen: {factor}"},
    "plan.outcome.outcome": {"en": "Reduce: {factor}", "de": "Senken: {factor}"},
    "plan.population": {"en": "Grades {lo}–{hi}", "de": "Jahrgänge {lo}–{hi}"},
    "plan.source": {"en": "CTC youth survey {year}", "de": "CTC-Schülerbefragung {year}"},
    "eval.next_wave": {"en": "All risk and protective factors and problem behaviours (next survey wave)",
                       "de": "Alle Risiko- und Schutzfaktoren und Problemverhalten (nächste Befragungswelle)"},
    "eval.next_wave.source": {"en": "CTC youth survey", "de": "CTC-Schülerbefragung"},
    # gap matrix
    "gaps.note": {
        "en": "Number of offers in the Resource inventory that address each prioritised factor, by age band (an offer counts in every band its ages overlap). "
              "Computed by formulas, so it changes as the inventory is filled in. Age bands (rows 4–5) may be edited.",
        "de": "Zahl der Angebote der Bestandsaufnahme, die den priorisierten Faktor adressieren, je Altersgruppe (ein Angebot zählt in jeder Gruppe, die sein Alter überschneidet). "
              "Mit Formeln berechnet, ändert sich also beim Ausfüllen der Bestandsaufnahme. Altersgruppen (Zeilen 4–5) können geändert werden."},
    "gaps.from": {"en": "ages from", "de": "Alter von"},
    "gaps.to": {"en": "ages to", "de": "Alter bis"},
    "gaps.block.all": {"en": "All offers", "de": "Alle Angebote"},
    "gaps.block.evidence": {"en": "Offers rated in a registry", "de": "In einem Register bewertete Angebote"},
    "gaps.any_age": {"en": "Any age", "de": "Jedes Alter"},
    "gaps.band": {"en": "Ages {lo}–{hi}", "de": "{lo}–{hi} J."},
    "gaps.age": {"en": "Age {age}", "de": "{age} J."},
    "gaps.none": {"en": "No prioritised factors yet.", "de": "Noch keine priorisierten Faktoren."},
    "gaps.legend": {"en": "Red: no offer (gap); green: one offer; amber: two or more (check for overlap). Offers without both ages count only under 'Any age'.",
                    "de": "Rot: kein Angebot (Lücke); grün: ein Angebot; gelb: zwei oder mehr (Überschneidung prüfen). Angebote ohne beide Altersangaben zählen nur unter „Jedes Alter“."},
    # data quality
    "quality.screening": {"en": "Screening of questionnaires", "de": "Prüfung der Fragebögen"},
    "quality.no_screening": {"en": "No screening results.", "de": "Keine Prüfergebnisse."},
    "banner.synthetic": {"en": "SYNTHETIC DATA: simulated, describes no real young people; not for decisions",
                         "de": "SYNTHETISCHE DATEN: simuliert, beschreiben keine realen Jugendlichen; nicht für Entscheidungen"},
    "quality.suppressed": {"en": "Cells not shown (small groups)", "de": "Nicht ausgewiesene Zellen (kleine Gruppen)"},
    "quality.suppressed_note": {"en": "{n} of {total} cells are not shown.", "de": "{n} von {total} Zellen sind nicht ausgewiesen."},
    "quality.problems": {"en": "Data problems (whole run)", "de": "Datenprobleme (gesamter Lauf)"},
    "quality.columns": {"en": "Columns", "de": "Spalten"},
    "quality.no_problems": {"en": "No data problems were found.", "de": "Keine Datenprobleme gefunden."},
    # validation messages
    "dv.title": {"en": "Not a valid entry", "de": "Ungültiger Eintrag"},
    "dv.list.error": {"en": "Choose a value from the dropdown list (the arrow beside the cell).",
                      "de": "Bitte einen Wert aus der Auswahlliste wählen (der Pfeil neben der Zelle)."},
    "dv.list.note": {"en": "Not one of the suggestions in the list; choose OK to keep your own text.",
                     "de": "Kein Vorschlag aus der Liste; mit OK bleibt Ihr eigener Text stehen."},
    "dv.whole.error": {"en": "Enter a whole number (age in years, 0–99).", "de": "Bitte eine ganze Zahl eintragen (Alter in Jahren, 0–99)."},
    "dv.percent.error": {"en": "Enter a percentage from 0 to 100.", "de": "Bitte einen Prozentwert von 0 bis 100 eintragen."},
    "dv.year.error": {"en": "Enter a year (2000–2100).", "de": "Bitte ein Jahr eintragen (2000–2100)."},
    "dv.decimal.error": {"en": "Enter a number (0 or more).", "de": "Bitte eine Zahl eintragen (0 oder mehr)."},
    # why an entry was moved
    "why.factor_gone": {"en": "the factor is no longer in the data", "de": "der Faktor ist nicht mehr in den Daten"},
    "why.duplicate": {"en": "a second row with the same key", "de": "eine zweite Zeile mit demselben Schlüssel"},
    "why.no_key": {"en": "the row had no key", "de": "die Zeile hatte keinen Schlüssel"},
    "why.note": {"en": "typed outside the tables of a sheet the toolkit rewrites from the data",
                 "de": "außerhalb der Tabellen eines Blatts eingetragen, das aus den Daten neu geschrieben wird"},
    "why.comment": {"en": "a comment whose cell is not in the refreshed workbook",
                    "de": "ein Kommentar, dessen Zelle es in der erneuerten Arbeitsmappe nicht mehr gibt"},
    "field.note": {"en": "note", "de": "Notiz"},
    "field.comment": {"en": "comment", "de": "Kommentar"},
    "cli.sheet_kept": {"en": "  sheet added by the board kept: {title}", "de": "  vom Gremium ergänztes Blatt erhalten: {title}"},
    "cli.comments_kept": {"en": "  comments kept on their entries: {n}", "de": "  Kommentare an ihren Einträgen erhalten: {n}"},
    "cli.header_kept": {"en": "  renamed column kept on '{sheet}': '{ours}' is named '{theirs}'",
                        "de": "  umbenannte Spalte auf „{sheet}“ erhalten: „{ours}“ heißt „{theirs}“"},
    "cli.moved_item": {"en": "    {sheet} {where} ({field}) → '{target}': {value}", "de": "    {sheet} {where} ({field}) → „{target}“: {value}"},
    "cli.workbooks": {"en": "planning workbooks: {updated} updated, {written} new", "de": "Planungsmappen: {updated} aktualisiert, {written} neu"},
    "cli.cleaned": {"en": "cleaned what an interrupted earlier run left: {paths}", "de": "Reste eines abgebrochenen früheren Laufs entfernt: {paths}"},
    "cli.restored": {"en": "put back the previous output an interrupted run had moved aside: {paths}",
                     "de": "vorige Ausgabe wiederhergestellt, die ein abgebrochener Lauf beiseitegelegt hatte: {paths}"},
    "why.extra_column": {"en": "a column added by the board (not part of the refreshed sheet)", "de": "eine vom Gremium ergänzte Spalte (nicht Teil des erneuerten Blatts)"},
    # commands
    "cli.written": {"en": "{path}: planning workbook written ({sheets} sheets, {matches} programme suggestions, {seconds:.2f} s)",
                    "de": "{path}: Planungsmappe geschrieben ({sheets} Blätter, {matches} Programmvorschläge, {seconds:.2f} s)"},
    "cli.updated": {"en": "{path}: updated; previous file kept as {backup}", "de": "{path}: aktualisiert; vorige Datei gesichert als {backup}"},
    "cli.kept": {"en": "  kept: {counts}", "de": "  erhalten: {counts}"},
    "cli.moved": {"en": "  moved to '{sheet}': {n} value(s)", "de": "  nach „{sheet}“ verschoben: {n} Wert(e)"},
    "cli.carried": {"en": "  unmatched entries from earlier updates: {n}", "de": "  nicht zugeordnete Einträge aus früheren Aktualisierungen: {n}"},
    "cli.rekeyed": {"en": "  new keys for {n} row(s) without a unique key", "de": "  neue Schlüssel für {n} Zeile(n) ohne eindeutigen Schlüssel"},
    "cli.compare_dropped": {"en": "  the comparison folder {folder} recorded in the workbook is gone: sheet '{sheet}' left out "
                                  "(give --compare to bring it back)",
                            "de": "  der in der Mappe vermerkte Vergleichsordner {folder} fehlt: Blatt „{sheet}“ weggelassen "
                                  "(mit --compare wieder aufnehmen)"},
    "cli.added": {"en": "  action-plan rows added for newly decided priorities: {keys}", "de": "  Zeilen im Aktionsplan für neu beschlossene Prioritäten: {keys}"},
    "cli.language": {"en": "  language changed from {old} to {new}: lists translated, free text kept as typed",
                     "de": "  Sprache von {old} auf {new} geändert: Listenwerte übersetzt, freier Text unverändert"},
    "cli.no_programmes": {"en": "No programme matches these criteria.", "de": "Kein Programm erfüllt diese Kriterien."},
}


def s(key: str, lang: str = "en", **kwargs: Any) -> str:
    """The message ``key`` in ``lang`` (falling back to English), formatted with ``kwargs``."""
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**kwargs) if kwargs else text
