"""Ranking catalogue programmes against a community's priority factors and surveyed ages.

Order (documented in docs/catalogue-format.md), for a community-wide plan:

1. prevention level: programmes whose continuum includes *universal* come before
   programmes that are only selective or indicated;
2. country fit (:mod:`ctc.catalogue.country`): rated by the country's own registry and
   offered there, then local adaptations offered there, then other programmes offered
   there, then programmes not offered there (no country: no ordering by country);
3. fit score (all parts in [0, 1])::

       score = 0.55 · coverage + 0.25 · evidence + 0.20 · age_fit

   * coverage: priority-weighted share of the priorities the programme addresses; the
     priority ranked r of k weighs (k + 1 − r) / k; a tag that is only our
     interpretation counts 0.75 of a registry tag.
   * evidence: the strongest rating's strength (:mod:`ctc.catalogue.evidence`).
   * age_fit: how well the programme's ages match the surveyed ages; programmes for
     younger children still fit (prevention starts before onset), programmes for older
     youth than surveyed rank lower.
   * setting mix: when the list is built, a candidate that brings a setting not yet in
     the list gets +0.05, so the top list is not all one setting.

Programmes addressing none of the priorities are not matches. Every match carries the
reason for its rank in English and German.

**Every priority shows its registry programme.** When a country is given, the list of
``top`` is first given, for each priority, the best-ranked programme rated by the
country's registry and offered there that addresses it (when the catalogue has one),
and then filled in the order above; the chosen programmes keep that order. So a
priority whose only registry programme is selective or indicated (e.g. "Kurve
kriegen" for antisocial peers) shows it in the targeted part after the universal
programmes, and its reason says why it was listed. The rule "registry first" holds
within each prevention level; between levels the universal programmes come first,
because the plan is community-wide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ..errors import UsageError
from ..i18n import number
from ..spec import Text
from .country import (
    FIT_ORDER,
    REGISTRY_NAMES,
    check_country,
    country_fit,
    is_universal,
    local_adaptations,
    registries_of,
)
from .evidence import best_rating, rating_label, rating_strength
from .grades import ages_to_grades
from .load import FactorVocabulary, factor_vocabulary
from .model import AgeRange, Catalogue, Programme

WEIGHT_COVERAGE = 0.55
WEIGHT_EVIDENCE = 0.25
WEIGHT_AGE = 0.20
BASIS_WEIGHT = {"registry": 1.0, "interpretation": 0.75}
SETTING_BONUS = 0.05

Priorities = Sequence[tuple[str, int]]


@dataclass(frozen=True)
class Match:
    """One ranked programme with the parts of its score, a one-line explanation and the reason for its rank.

    ``score`` is the programme's own fit score (coverage, evidence, age fit); ``bonus``
    is the setting-mix bonus that was added when its rank was decided. Ranks follow the
    prevention level first and the country fit second (see the module docstring), so a
    later rank can show a higher ``score`` than an earlier one; ``reason`` says why.
    ``level`` is ``universal`` or ``targeted`` (selective/indicated only);
    ``country_fit`` one of ``registry``, ``adaptation``, ``offered``, ``elsewhere``, ``any``.
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
    level: str = "universal"
    country_fit: str = "any"
    country: str | None = None
    reason: Text | None = None
    reserved_for: tuple[str, ...] = ()  # priorities for which it was listed as their registry programme

    def explain(self, lang: str = "en") -> str:
        return self.explanation.get(lang)

    def why_rank(self, lang: str = "en") -> str:
        return self.reason.get(lang) if self.reason is not None else ""


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
    level: str
    fit: str

    @property
    def tier(self) -> tuple[int, int]:
        return (0 if self.level == "universal" else 1, FIT_ORDER[self.fit])


def _candidates(catalogue: Catalogue, weights: dict[str, float], lo: int, hi: int, country: str | None) -> list[_Candidate]:
    out = []
    order = list(weights)
    for p in catalogue.programmes:
        cov = coverage(p, weights)
        if cov <= 0:
            continue
        ev = rating_strength(best_rating(p))
        fit = age_fit(p.ages, lo, hi)
        base = WEIGHT_COVERAGE * cov + WEIGHT_EVIDENCE * ev + WEIGHT_AGE * fit
        addressed = tuple(f for f in order if f in p.factor_ids)
        level = "universal" if is_universal(p) else "targeted"
        out.append(_Candidate(p, base, cov, ev, fit, addressed, level, country_fit(p, country)))
    return out


def _pick(pool: list[_Candidate], settings_seen: set[str]) -> tuple[_Candidate, float]:
    """The next match: prevention level, then country fit, then score plus setting-mix
    bonus; ties by score, then id."""

    def bonus(c: _Candidate) -> float:
        return SETTING_BONUS if settings_seen and set(c.programme.settings) - settings_seen else 0.0

    ranked = sorted(pool, key=lambda c: (c.tier, -(c.base + bonus(c)), -c.base, c.programme.id))
    return ranked[0], bonus(ranked[0])


# --------------------------------------------------------------------------- reason for the rank

_CONTINUUM = {"universal": ("universal", "universell"), "selective": ("selective", "selektiv"),
              "indicated": ("indicated", "indiziert")}


def _level_phrase(p: Programme, level: str, lang: str) -> str:
    i = 1 if lang == "de" else 0
    if level == "universal":
        return "universell: passt zu einem gemeindeweiten Plan" if i else "universal: fits a community-wide plan"
    cont = "/".join(_CONTINUUM[c][i] for c in p.continuum)
    if i:
        return f"{cont}: für bestimmte Gruppen, daher nach den universellen Programmen"
    return f"{cont}: for specific groups, so after the universal programmes"


def _country_phrase(catalogue: Catalogue, p: Programme, fit: str, country: str | None, lang: str) -> str:
    de = lang == "de"
    i = 1 if de else 0
    regs = registries_of(country)
    reg_name = " / ".join(REGISTRY_NAMES.get(r, (r, r))[i] for r in regs)
    original = catalogue.by_id.get(p.adapts or "")
    if fit == "any":
        return "kein Land angegeben, daher nicht nach Land geordnet" if de else "no country given, so not ordered by country"
    if fit == "registry":
        text = (f"bewertet in {reg_name} (Register für {country}), angeboten in {country}" if de
                else f"rated by {reg_name} ({country}'s registry), offered in {country}")
        if original is not None:
            text += f" (Adaption von {original.name.get(lang)})" if de else f" (adaptation of {original.name.get(lang)})"
        return text
    if fit == "adaptation":
        name = original.name.get(lang) if original is not None else p.adapts
        return f"lokale Adaption von {name}, angeboten in {country}" if de else f"local adaptation of {name}, offered in {country}"
    if fit == "offered":
        if not regs:
            return f"angeboten in {country}" if de else f"offered in {country}"
        return (f"angeboten in {country}, ohne Bewertung in {reg_name}" if de
                else f"offered in {country}, not rated by {reg_name}")
    text = f"laut Quellen nicht in {country} angeboten" if de else f"not offered in {country} according to the sources"
    local = local_adaptations(catalogue, p, country)
    if local:
        names = ", ".join(q.name.get(lang) for q in local)
        text += f"; dort angeboten als {names}" if de else f"; offered there as {names}"
    return text


def _reserved_phrase(names: Sequence[str], country: str | None, lang: str) -> str:
    regs = registries_of(country)
    i = 1 if lang == "de" else 0
    reg_name = " / ".join(REGISTRY_NAMES.get(r, (r, r))[i] for r in regs)
    joined = ", ".join(names)
    if i:
        return f"aufgeführt als Programm {reg_name} für die Priorität {joined}"
    return f"listed as the programme rated by {reg_name} for the priority {joined}"


def _reason(catalogue: Catalogue, c: _Candidate, bonus: float, country: str | None,
            reserved: Sequence[str] = (), vocab: FactorVocabulary | None = None) -> Text:
    texts = {}
    base = round(c.base, 4)  # the Match.score shown beside the reason
    for lang in ("en", "de"):
        de = lang == "de"
        score = f"danach nach Passung {number(base, 'de', 2)}" if de else f"then by fit score {base:.2f}"
        if bonus:
            score += f" + {number(bonus, 'de', 2)} für ein neues Setting" if de else f" + {bonus:.2f} for a setting not yet in the list"
        parts = [_level_phrase(c.programme, c.level, lang), _country_phrase(catalogue, c.programme, c.fit, country, lang), score]
        if reserved and vocab is not None:
            parts.append(_reserved_phrase([vocab.label(f, lang) for f in reserved], country, lang))
        texts[lang] = "; ".join(parts)
    return Text.model_validate(texts)


def match_programmes(
    catalogue: Catalogue,
    priorities: Priorities,
    ages: tuple[int, int],
    *,
    top: int = 10,
    country: str | None = None,
    vocabulary: FactorVocabulary | None = None,
) -> list[Match]:
    """Rank programmes for ``priorities`` ((factor id, rank) with rank 1 = top) and surveyed ``ages``.

    ``ages`` is an inclusive (min, max) range in years; use
    :func:`ctc.catalogue.grades.grades_to_ages` for grades. ``country`` (ISO 3166-1
    alpha-2, checked against the catalogue) orders the matches by country fit; None
    leaves them unordered by country. Returns at most ``top`` matches, among them, for
    each priority, its best programme rated by the country's registry (module docstring).
    """
    country = check_country(country, catalogue) if country else None
    weights = priority_weights(priorities)
    lo, hi = min(ages), max(ages)
    vocab = vocabulary or factor_vocabulary(catalogue.instrument)
    unknown = sorted(set(weights) - vocab.scale_ids)
    if unknown:
        raise UsageError(f"unknown priority factor(s) {', '.join(unknown)}; not scales of instrument {vocab.instrument!r}")
    ordered = dict(sorted(weights.items(), key=lambda kv: -kv[1]))
    pool = _candidates(catalogue, ordered, lo, hi, country)
    ranked: list[tuple[_Candidate, float]] = []
    seen: set[str] = set()
    while pool:  # the whole order (small catalogue); the list of `top` is chosen from it
        best, bonus = _pick(pool, seen)
        pool.remove(best)
        seen.update(best.programme.settings)
        ranked.append((best, bonus))
    reserved = _reserve(ranked, list(ordered), top)
    chosen = set(reserved)
    for k in range(len(ranked)):
        if len(chosen) >= top:
            break
        chosen.add(k)
    matches: list[Match] = []
    plain = set(range(top))  # what the order alone would have listed
    for k in sorted(chosen):
        best, bonus = ranked[k]
        why = reserved.get(k, ()) if k not in plain else ()
        expl = _explanation(best.programme, best.addressed, len(weights), lo, hi, vocab)
        matches.append(
            Match(len(matches) + 1, best.programme, round(best.base, 4), round(best.coverage, 4),
                  best.evidence, round(best.age_fit, 4), bonus, best.addressed, expl,
                  best.level, best.fit, country, _reason(catalogue, best, bonus, country, why, vocab), why)
        )
    return matches


def _reserve(ranked: Sequence[tuple[_Candidate, float]], priorities: Sequence[str], top: int) -> dict[int, tuple[str, ...]]:
    """Position in ``ranked`` → the priorities whose first registry programme it is
    (priorities in rank order, at most ``top`` positions)."""
    out: dict[int, list[str]] = {}
    for factor in priorities:
        hit = next((k for k, (c, _) in enumerate(ranked) if c.fit == "registry" and factor in c.addressed), None)
        if hit is None or (hit not in out and len(out) >= top):
            continue
        out.setdefault(hit, []).append(factor)
    return {k: tuple(v) for k, v in out.items()}


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
