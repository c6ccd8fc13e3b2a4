"""Ranking catalogue programmes against a community's priority factors and surveyed ages.

Score (all parts in [0, 1]; documented in docs/catalogue-format.md):

    score = 0.55 · coverage + 0.25 · evidence + 0.20 · age_fit   (+ small bonuses)

* coverage: priority-weighted share of the priorities the programme addresses; the
  priority ranked r of k weighs (k + 1 − r) / k; a tag that is only our interpretation
  counts 0.75 of a registry tag.
* evidence: the strongest rating's strength (:mod:`ctc.catalogue.evidence`).
* age_fit: how well the programme's ages match the surveyed ages; programmes for
  younger children still fit (prevention starts before onset), programmes for older
  youth than surveyed rank lower.
* setting mix: when the list is built, a candidate that brings a setting not yet in
  the list gets +0.05, so the top list is not all one setting; ``prefer_country``
  adds +0.05 to programmes offered in that country.

Programmes addressing none of the priorities are not matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ..errors import UsageError
from ..spec import Text
from .evidence import best_rating, rating_label, rating_strength
from .grades import ages_to_grades
from .load import FactorVocabulary, factor_vocabulary
from .model import AgeRange, Catalogue, Programme

WEIGHT_COVERAGE = 0.55
WEIGHT_EVIDENCE = 0.25
WEIGHT_AGE = 0.20
BASIS_WEIGHT = {"registry": 1.0, "interpretation": 0.75}
SETTING_BONUS = 0.05
COUNTRY_BONUS = 0.05

Priorities = Sequence[tuple[str, int]]


@dataclass(frozen=True)
class Match:
    """One ranked programme with the parts of its score and a one-line explanation.

    ``score`` is the programme's own score (coverage, evidence, age fit and the country
    preference); ``bonus`` is the setting-mix bonus that was added when its rank was
    decided, so a later rank can show a slightly higher ``score`` than an earlier one.
    """

    rank: int
    programme: Programme
    score: float
    coverage: float
    evidence: float
    age_fit: float
    bonus: float
    addressed: tuple[str, ...]  # priority factor ids the programme addresses, in priority order
    explanation: Text

    def explain(self, lang: str = "en") -> str:
        return self.explanation.get(lang)


# --------------------------------------------------------------------------- parts


def priority_weights(priorities: Priorities) -> dict[str, float]:
    """Factor id → weight; rank 1 of k weighs 1, rank k weighs 1/k."""
    if not priorities:
        raise UsageError("give at least one priority factor")
    ids = [f for f, _ in priorities]
    dupes = sorted({f for f in ids if ids.count(f) > 1})
    if dupes:
        raise UsageError(f"priority factors listed twice: {', '.join(dupes)}")
    k = len(priorities)
    weights = {}
    for factor, rank in priorities:
        if not isinstance(rank, int) or rank < 1:
            raise UsageError(f"priority rank of {factor!r} must be an integer ≥ 1, got {rank!r}")
        weights[factor] = max(k + 1 - rank, 1) / k
    return weights


def coverage(programme: Programme, weights: dict[str, float]) -> float:
    total = sum(weights.values())
    got = 0.0
    for factor, w in weights.items():
        tag = programme.factor(factor)
        if tag is not None:
            got += w * BASIS_WEIGHT[tag.basis]
    return got / total


def age_relation(ages: AgeRange, lo: int, hi: int) -> str:
    """'covers', 'partial', 'younger' (entirely below the surveyed ages) or 'older'."""
    if ages.max < lo:
        return "younger"
    if ages.min > hi:
        return "older"
    return "covers" if ages.min <= lo and ages.max >= hi else "partial"


def age_fit(ages: AgeRange, lo: int, hi: int) -> float:
    relation = age_relation(ages, lo, hi)
    if relation == "younger":
        return max(0.0, 0.5 - 0.15 * (lo - ages.max - 1))
    if relation == "older":
        return max(0.0, 0.3 - 0.15 * (ages.min - hi - 1))
    fit = 0.6 + 0.4 * ages.overlap(lo, hi) / (hi - lo + 1)
    if ages.min > lo:  # starts after the youngest surveyed age: later than onset for some
        fit -= 0.1 * min(ages.min - lo, 2)
    return fit


# --------------------------------------------------------------------------- explanation


def _target(lo: int, hi: int, lang: str) -> str:
    g0, g1 = ages_to_grades((lo, hi))
    if g0 >= 1:
        return f"Klassen {g0}–{g1}" if lang == "de" else f"grades {g0}–{g1}"
    return f"Alter {lo}–{hi}" if lang == "de" else f"ages {lo}–{hi}"


def _age_phrase(ages: AgeRange, lo: int, hi: int, lang: str) -> str:
    rel, target = age_relation(ages, lo, hi), _target(lo, hi, lang)
    if lang == "de":
        return {
            "covers": f"Alter {ages} passt zu Ihren {target}",
            "partial": f"Alter {ages} passt teilweise zu Ihren {target}",
            "younger": f"Alter {ages}: setzt vor Ihren {target} an (vor dem Beginn)",
            "older": f"Alter {ages}: älter als Ihre {target}",
        }[rel]
    return {
        "covers": f"ages {ages} fit your {target}",
        "partial": f"ages {ages} partly fit your {target}",
        "younger": f"ages {ages}: starts before your {target} (before onset)",
        "older": f"ages {ages}: older than your {target}",
    }[rel]


def _explanation(p: Programme, addressed: Sequence[str], k: int, lo: int, hi: int, vocab: FactorVocabulary) -> Text:
    texts = {}
    interpreted = any(p.factor(f).basis == "interpretation" for f in addressed)  # type: ignore[union-attr]
    for lang in ("en", "de"):
        names = ", ".join(vocab.label(f, lang).lower() if lang == "en" else vocab.label(f, lang) for f in addressed)
        if lang == "de":
            head = f"Adressiert {len(addressed)} von {k} Ihrer Prioritäten ({names})"
            note = " (teils eigene Zuordnung)" if interpreted else ""
        else:
            head = f"Addresses {len(addressed)} of your {k} priorities ({names})"
            note = " (partly our reading)" if interpreted else ""
        texts[lang] = f"{head}{note}; {rating_label(best_rating(p), lang)}; {_age_phrase(p.ages, lo, hi, lang)}"
    return Text.model_validate(texts)


# --------------------------------------------------------------------------- ranking


@dataclass(frozen=True)
class _Candidate:
    programme: Programme
    base: float
    coverage: float
    evidence: float
    age_fit: float
    addressed: tuple[str, ...]


def _candidates(catalogue: Catalogue, weights: dict[str, float], lo: int, hi: int, prefer_country: str | None) -> list[_Candidate]:
    out = []
    order = list(weights)
    for p in catalogue.programmes:
        cov = coverage(p, weights)
        if cov <= 0:
            continue
        ev = rating_strength(best_rating(p))
        fit = age_fit(p.ages, lo, hi)
        base = WEIGHT_COVERAGE * cov + WEIGHT_EVIDENCE * ev + WEIGHT_AGE * fit
        if prefer_country and prefer_country.upper() in p.available_in:
            base += COUNTRY_BONUS
        addressed = tuple(f for f in order if f in p.factor_ids)
        out.append(_Candidate(p, base, cov, ev, fit, addressed))
    return out


def _pick(pool: list[_Candidate], settings_seen: set[str]) -> tuple[_Candidate, float]:
    """The next match: highest score plus setting-mix bonus; ties by score, then id."""

    def bonus(c: _Candidate) -> float:
        return SETTING_BONUS if settings_seen and set(c.programme.settings) - settings_seen else 0.0

    ranked = sorted(pool, key=lambda c: (-(c.base + bonus(c)), -c.base, c.programme.id))
    return ranked[0], bonus(ranked[0])


def match_programmes(
    catalogue: Catalogue,
    priorities: Priorities,
    ages: tuple[int, int],
    *,
    top: int = 10,
    prefer_country: str | None = None,
    vocabulary: FactorVocabulary | None = None,
) -> list[Match]:
    """Rank programmes for ``priorities`` ((factor id, rank) with rank 1 = top) and surveyed ``ages``.

    ``ages`` is an inclusive (min, max) range in years; use
    :func:`ctc.catalogue.grades.grades_to_ages` for grades. Returns at most ``top`` matches.
    """
    weights = priority_weights(priorities)
    lo, hi = min(ages), max(ages)
    vocab = vocabulary or factor_vocabulary(catalogue.instrument)
    unknown = sorted(set(weights) - vocab.scale_ids)
    if unknown:
        raise UsageError(f"unknown priority factor(s) {', '.join(unknown)}; not scales of instrument {vocab.instrument!r}")
    ordered = dict(sorted(weights.items(), key=lambda kv: -kv[1]))
    pool = _candidates(catalogue, ordered, lo, hi, prefer_country)
    matches: list[Match] = []
    seen: set[str] = set()
    while pool and len(matches) < top:
        best, bonus = _pick(pool, seen)
        pool.remove(best)
        seen.update(best.programme.settings)
        expl = _explanation(best.programme, best.addressed, len(weights), lo, hi, vocab)
        matches.append(
            Match(len(matches) + 1, best.programme, round(best.base, 4), round(best.coverage, 4),
                  best.evidence, round(best.age_fit, 4), bonus, best.addressed, expl)
        )
    return matches


def programme_factor_matrix(matches: Sequence[Match], priorities: Priorities) -> pd.DataFrame:
    """Programmes (rows, in rank order) × priority factors (columns, in priority order).

    A cell holds the tag's basis ('registry' or 'interpretation') or '' when the
    programme does not address the factor.
    """
    factors = [f for f, _ in sorted(priorities, key=lambda fr: fr[1])]
    rows = {
        m.programme.id: [(m.programme.factor(f).basis if m.programme.factor(f) else "") for f in factors]  # type: ignore[union-attr]
        for m in matches
    }
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=factors)
    frame.index.name = "programme"
    frame.columns.name = "factor"
    return frame
