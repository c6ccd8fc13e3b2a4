"""User-facing fixed strings in English and German.

Texts that come from definition files (scale labels, item wording) carry their own
translations (:class:`ctc.spec.Text`); this module holds the toolkit's own words.
A plain dictionary is enough here: the catalogue is small, reviewed as code, and a
test checks that every key exists in both languages (gettext's .po/.mo tool chain
would add a compile step for no gain at this size).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from numbers import Integral
from typing import Any

MESSAGES: dict[str, dict[str, str]] = {
    # domains, kinds, groups
    "domain.community": {"en": "Community", "de": "Gemeinde / Nachbarschaft"},
    "domain.family": {"en": "Family", "de": "Familie"},
    "domain.school": {"en": "School", "de": "Schule"},
    "domain.peer_individual": {"en": "Peer and individual", "de": "Gleichaltrige und Individuum"},
    "kind.risk": {"en": "risk factor", "de": "Risikofaktor"},
    "kind.protective": {"en": "protective factor", "de": "Schutzfaktor"},
    "kind.outcome": {"en": "problem behaviour", "de": "Problemverhalten"},
    "group.substance_use": {"en": "Substance use", "de": "Substanzkonsum"},
    "group.antisocial": {"en": "Antisocial behaviour", "de": "Dissoziales Verhalten"},
    "group.mental_health": {"en": "Mental health", "de": "Psychische Gesundheit"},
    "group.other": {"en": "Other", "de": "Sonstiges"},
    "method.mean": {"en": "mean of the answered items", "de": "Mittelwert der beantworteten Fragen"},
    "method.sum": {"en": "sum of the items (prorated for missing answers)", "de": "Summe der Fragen (bei fehlenden Antworten hochgerechnet)"},
    "method.max": {"en": "highest value of the answered items", "de": "höchster Wert der beantworteten Fragen"},
    "direction.above": {"en": "above {cut}", "de": "über {cut} liegt"},
    "direction.at_or_above": {"en": "at or above {cut}", "de": "bei {cut} oder darüber liegt"},
    "flag.risk": {"en": "at risk", "de": "belastet"},
    "flag.protective": {"en": "high protection", "de": "hoher Schutz"},
    # codebook
    "codebook.title": {"en": "Codebook", "de": "Codebuch"},
    "codebook.source": {"en": "Source and status", "de": "Quelle und Stand"},
    "codebook.grades": {"en": "Grades", "de": "Jahrgangsstufen"},
    "codebook.columns": {"en": "Data columns", "de": "Datenspalten"},
    "codebook.scales": {"en": "Risk and protective factor scales", "de": "Skalen der Risiko- und Schutzfaktoren"},
    "codebook.items": {"en": "Items", "de": "Fragen"},
    "codebook.item_text": {"en": "Question", "de": "Frage"},
    "codebook.response_set": {"en": "Response set", "de": "Antwortformat"},
    "codebook.label": {"en": "Label", "de": "Bezeichnung"},
    "codebook.group": {"en": "Group", "de": "Gruppe"},
    "codebook.rule": {"en": "Rule", "de": "Regel"},
    "codebook.reversed": {"en": "reversed", "de": "umgepolt"},
    "codebook.score": {"en": "Score", "de": "Wert"},
    "codebook.min_valid": {"en": "at least {n} answered item(s)", "de": "mindestens {n} beantwortete Frage(n)"},
    "codebook.cutpoint": {"en": "Cut-point", "de": "Schwellenwert"},
    "codebook.cutpoint_rule": {"en": "flagged as {flag} when the score is {direction}", "de": "als „{flag}“ gewertet, wenn der Wert {direction}"},
    "codebook.by_grade": {"en": "by grade", "de": "nach Jahrgangsstufe"},
    "codebook.provenance": {"en": "Provenance of the cut-point", "de": "Herkunft des Schwellenwerts"},
    "codebook.response_sets": {"en": "Response sets", "de": "Antwortformate"},
    "codebook.code": {"en": "code", "de": "Code"},
    "codebook.value": {"en": "value", "de": "Wert"},
    "codebook.missing": {"en": "missing codes", "de": "Codes für fehlende Antworten"},
    "codebook.outcomes": {"en": "Problem behaviours", "de": "Problemverhalten"},
    "codebook.validity": {"en": "Screening rules (invalid questionnaires)", "de": "Prüfregeln (ungültige Fragebögen)"},
    "rule.any_at_least": {"en": "positive if any of {items} has code ≥ {value}", "de": "positiv, wenn eine der Fragen {items} Code ≥ {value} hat"},
    "rule.all_at_least": {"en": "positive if all of {items} have code ≥ {value}", "de": "positiv, wenn alle Fragen {items} Code ≥ {value} haben"},
    "rule.count_at_least": {"en": "positive if at least {count} of {items} have code ≥ {value}", "de": "positiv, wenn mindestens {count} der Fragen {items} Code ≥ {value} haben"},
    "rule.scale_flag": {"en": "positive if the scale '{scale}' is flagged", "de": "positiv, wenn die Skala „{scale}“ auffällig ist"},
    "rule.recent_without_lifetime": {"en": "recent use (code ≥ {value}) reported while lifetime use is denied, for any of {pairs}", "de": "aktueller Konsum (Code ≥ {value}) angegeben, Lebenszeitkonsum aber verneint, bei einem der Paare {pairs}"},
    "rule.missing_share_above": {"en": "more than {share:.0%} of all items unanswered", "de": "mehr als {share:.0%} aller Fragen unbeantwortet"},
    "rule.grade_not_in_instrument": {"en": "grade missing or not one of {grades}", "de": "Jahrgangsstufe fehlt oder ist nicht eine von {grades}"},
    # priority reasons
    "reason.level": {"en": "{pct} % {flag}", "de": "{pct} % {flag}"},
    "reason.baseline": {"en": "(baseline {pct} %)", "de": "(Vergleichswert {pct} %)"},
    "reason.diff": {"en": "difference {diff} points, {direction} the baseline", "de": "Differenz {diff} Punkte, {direction} der Vergleichswert"},
    "reason.above": {"en": "worse than", "de": "ungünstiger als"},
    "reason.below": {"en": "not worse than", "de": "nicht ungünstiger als"},
    "reason.grades": {"en": "worse in {k} of {m} grades", "de": "ungünstiger in {k} von {m} Jahrgangsstufen"},
    "reason.clear": {"en": "clearly worse, also after adjusting for the number of comparisons ({q}; threshold {alpha})", "de": "deutlich ungünstiger, auch nach Anpassung an die Zahl der Vergleiche ({q}; Schwelle {alpha})"},
    "reason.not_clear": {"en": "the interval excludes the baseline, but the difference is not clear after adjusting for the number of comparisons ({q})",
                         "de": "das Intervall schließt den Vergleichswert aus, nach Anpassung an die Zahl der Vergleiche ist der Unterschied aber nicht deutlich ({q})"},
    "reason.chance": {"en": "could be chance: the interval includes the baseline", "de": "kann Zufall sein: das Intervall schließt den Vergleichswert ein"},
    "reason.clearly": {"en": "clearly {direction} in grade(s) {grades}", "de": "deutlich {direction} in Jahrgangsstufe(n) {grades}"},
    "reason.above_short": {"en": "above", "de": "darüber"},
    "reason.below_short": {"en": "below", "de": "darunter"},
    "reason.over_level": {"en": "above the stated level of {level} % (no baseline; ranking by level depends entirely on provisional cut-points)",
                          "de": "über der festgelegten Schwelle von {level} % (kein Vergleichswert; eine Rangfolge nach Höhe hängt ganz von vorläufigen Schwellenwerten ab)"},
    "reason.under_level": {"en": "below the stated level of {level} % (no baseline; ranking by level depends entirely on provisional cut-points)",
                           "de": "unter der festgelegten Schwelle von {level} % (kein Vergleichswert; eine Rangfolge nach Höhe hängt ganz von vorläufigen Schwellenwerten ab)"},
    "reason.not_over_level": {"en": "not above the stated level of {level} %", "de": "nicht über der festgelegten Schwelle von {level} %"},
    "reason.not_under_level": {"en": "not below the stated level of {level} %", "de": "nicht unter der festgelegten Schwelle von {level} %"},
    "reason.worst_grade": {"en": "highest concern in grade {grade} ({pct} %)", "de": "am stärksten in Jahrgangsstufe {grade} ({pct} %)"},
    "reason.weakest_grade": {"en": "weakest in grade {grade} ({pct} %)", "de": "am schwächsten in Jahrgangsstufe {grade} ({pct} %)"},
    "shortlist.note.baseline": {"en": "{k} {kind} factor(s) worse than the baseline; shortlist of {k_short} (at most {top}).",
                                "de": "{k} {kind} ungünstiger als der Vergleichswert; engere Auswahl: {k_short} (höchstens {top})."},
    "shortlist.note.baseline_none": {"en": "No {kind} factor is worse than the baseline: the shortlist is empty.",
                                     "de": "Kein {kind} ist ungünstiger als der Vergleichswert: die engere Auswahl ist leer."},
    "shortlist.note.level": {"en": "No baseline: {k} {kind} factor(s) beyond the stated level of {level} %; shortlist of {k_short} (at most {top}). Caution: ranking by level depends entirely on provisional cut-points.",
                             "de": "Kein Vergleichswert: {k} {kind} jenseits der festgelegten Schwelle von {level} %; engere Auswahl: {k_short} (höchstens {top}). Vorsicht: eine Rangfolge nach Höhe hängt ganz von vorläufigen Schwellenwerten ab."},
    "shortlist.note.level_none": {"en": "No baseline, and no {kind} factor beyond the stated level of {level} %: the shortlist is empty. Caution: levels depend entirely on provisional cut-points.",
                                  "de": "Kein Vergleichswert, und kein {kind} jenseits der festgelegten Schwelle von {level} %: die engere Auswahl ist leer. Vorsicht: die Höhe hängt ganz von vorläufigen Schwellenwerten ab."},
    "shortlist.kind.risk": {"en": "risk", "de": "Risikofaktor(en)"},
    "shortlist.kind.protective": {"en": "protective", "de": "Schutzfaktor(en)"},
    "reason.suppressed": {"en": "not shown to protect privacy", "de": "zum Schutz der Privatsphäre nicht ausgewiesen"},
    # suppression reasons
    "suppression.empty": {"en": "no respondents", "de": "keine Antworten"},
    "suppression.protected": {"en": "not shown to protect privacy", "de": "zum Schutz der Privatsphäre nicht ausgewiesen"},
    # console
    "cli.error": {"en": "Error", "de": "Fehler"},
    "cli.hint": {"en": "Hint", "de": "Hinweis"},
    "cli.excluded": {"en": "(excluded)", "de": "(ausgeschlossen)"},
    "cli.severity.error": {"en": "error", "de": "Fehler"},
    "cli.severity.warning": {"en": "warning", "de": "Warnung"},
    "cli.severity.info": {"en": "note", "de": "Hinweis"},
    # workbooks
    "xlsx.all": {"en": "all", "de": "alle"},
    # ctc weights
    "weights.done": {
        "en": "{rows} respondents weighted ({method}, {margins} margin(s)): {iterations} iteration(s), largest misfit {misfit}; "
              "Kish design effect {deff}; weights {low}–{high}; {seconds} s",
        "de": "{rows} Befragte gewichtet ({method}, {margins} Randverteilung(en)): {iterations} Iteration(en), größte "
              "Abweichung {misfit}; Kish-Designeffekt {deff}; Gewichte {low}–{high}; {seconds} s",
    },
    "weights.tiny": {
        "en": "  small cell {margin} ({cell}): {n} respondent(s); suggestion: {suggestion}",
        "de": "  kleine Zelle {margin} ({cell}): {n} Befragte; Vorschlag: {suggestion}",
    },
    "weights.tiny_more": {"en": "  … and {n} more small cells (see the report)", "de": "  … und {n} weitere kleine Zellen (siehe Bericht)"},
    "weights.outputs": {
        "en": "Weighted survey: {output}\nCalibration model: {model}\nReport: {report}",
        "de": "Gewichtete Befragung: {output}\nKalibrierungsmodell: {model}\nBericht: {report}",
    },
}


def t(key: str, lang: str = "en", **kwargs: Any) -> str:
    """The message ``key`` in ``lang`` (falling back to English), formatted with ``kwargs``."""
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**kwargs) if kwargs else text


def number(value: float, lang: str = "en", digits: int | None = None, *, grouping: bool = False) -> str:
    """A number as a reader of ``lang`` writes it (German: decimal comma), through Babel's CLDR data."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) or hasattr(value, "dtype"):
        v = float(value)
        if math.isfinite(v):
            # Babel rounds the float's shortest repr in the decimal context; rounding is idempotent,
            # so the value as it will be printed is the key: the many values that print alike (a
            # profile has 7,000 per town) share one Babel call
            exact = Decimal(int(value)) if isinstance(value, Integral) else Decimal(repr(v))
            try:
                shown = exact.quantize(_QUANTUM[6 if digits is None else min(digits, 7)]) if (digits or 0) < 8 else exact
            except InvalidOperation:  # beyond the context's precision: as it is
                shown = exact
            return _number(shown, math.copysign(1.0, v), lang, digits, grouping)
    return _babel(value, lang, digits, grouping)


_QUANTUM = tuple(Decimal(10) ** -d for d in range(8))


@lru_cache(maxsize=65536)
def _number(value: Decimal, sign: float, lang: str, digits: int | None, grouping: bool) -> str:
    """Memoised Babel call; ``sign`` keeps -0.0 apart from 0.0, which compare (and hash) equal."""
    return _babel(value, lang, digits, grouping)


def _babel(value: Any, lang: str, digits: int | None, grouping: bool) -> str:
    from babel.numbers import format_decimal

    if digits is None:
        return format_decimal(value, format="#,##0.######" if grouping else "0.######", locale=lang)
    pattern = ("#,##0" if grouping else "0") + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=lang)


#: an English number inside a message: with thousands commas and/or a decimal point (plain
#: integers such as years, codes and row numbers are left as they are)
_EN_NUMBER = re.compile(r"(?<![\w.,])([-+−]?)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)(?![\w]|\.\d|,\d)")
#: templates without words: they only join other messages, which are translated one by one
_JOINERS = ("{}: {}", "{}; {}")


@lru_cache(maxsize=1)
def _templates(lang: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    from .phrases import DE

    table = DE if lang == "de" else {}
    pairs = [*table.items(), *((j, j) for j in _JOINERS)]
    # the most specific first: a template with more fixed text wins over a looser one
    pairs.sort(key=lambda kv: -len(kv[0].replace("{}", "")))
    compiled = []
    for en, other in pairs:
        parts = [re.escape(part.replace("{{", "{").replace("}}", "}")) for part in en.split("{}")]
        compiled.append((re.compile("(.*?)".join(parts), re.DOTALL), other))
    return tuple(compiled)


def translate(text: str, lang: str = "en", _depth: int = 0) -> str:
    """An English message in ``lang``: matched against the phrase catalogue (:mod:`ctc.phrases`),
    its variable parts translated in turn (a message may quote another) and its numbers
    written the reader's way. Text the catalogue does not know is returned as it is."""
    if lang == "en" or not text.strip():
        return text
    stripped = text.strip()
    if _depth == 0 and stripped != text:  # an indented line: try it as it is, then its text alone
        whole = translate(text, lang, 1)
        if whole != text:
            return whole
        start = text.index(stripped)
        return text[:start] + translate(stripped, lang) + text[start + len(stripped):]
    for pattern, other in _templates(lang):
        match = pattern.fullmatch(text)
        if match is None:
            continue
        values = [_part(v, lang, _depth) for v in match.groups()]
        return other.format(*values)
    return _numbers(text, lang) if _depth else text


def _part(value: str, lang: str, depth: int) -> str:
    core = value.strip()
    if depth < 4 and re.search(r"[A-Za-z]{2}", core):
        start = value.index(core)
        done = translate(core, lang, depth + 1)
        if done == _numbers(core, lang):  # no message but a name (an instrument 'ctc-youth-survey 2026.1'): as it is
            done = core
        return value[:start] + done + value[start + len(core):]
    return _numbers(value, lang)


def _numbers(text: str, lang: str) -> str:
    def local(m: re.Match[str]) -> str:
        digits = m.group(2)
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        value = float(digits.replace(",", ""))
        return m.group(1) + number(value, lang, decimals, grouping="," in digits)

    return _EN_NUMBER.sub(local, text)
