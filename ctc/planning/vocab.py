"""The dropdown vocabularies of the planning workbook.

A board's choice is stored internally as :class:`Coded` (list id + value id) and
written in the workbook's language, so a German workbook's "Priorität" and an English
"priority" are the same decision. Fixed lists take their labels from
:mod:`ctc.planning.strings` (``v.<list>.<value>``); the factor and indicator lists are
built from the instrument.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..instrument.model import Instrument
from .strings import LANGS, s

#: fixed lists: list id → value ids (labels in strings.py as v.<list>.<value>)
FIXED: Mapping[str, tuple[str, ...]] = {
    "decision": ("priority", "maybe", "not_now"),
    "setting": ("family", "school", "community", "individual_peer", "other"),
    "continuum": ("universal", "selective", "indicated"),
    "evidence": ("rated", "evaluated", "not_evaluated", "unknown"),
    "sector": ("schools", "youth_welfare", "police", "health", "social", "ngo", "faith", "business", "media",
               "government", "residents", "youth", "other"),
    "evaltype": ("participant", "implementation", "community"),
}


@dataclass(frozen=True)
class Coded:
    """A value chosen from a list: ``Coded("decision", "priority")``."""

    list: str
    id: str


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


@dataclass(frozen=True)
class Vocab:
    """One list: ordered value ids with a label per language."""

    id: str
    labels: Mapping[str, Mapping[str, str]]  # value id → {lang: label}

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def label(self, value_id: str, lang: str) -> str:
        entry = self.labels[value_id]
        return entry.get(lang) or entry["en"]

    def column(self, lang: str) -> list[str]:
        return [self.label(v, lang) for v in self.ids]

    def parse(self, text: object, extra: Mapping[str, str] | None = None) -> str | None:
        """The value id whose label (in any language) is ``text``; ``extra`` maps more labels to ids.
        Anything else (text the board typed past the dropdown) is not a list value: None."""
        if not isinstance(text, str) or not text.strip():
            return None
        key = _norm(text)
        for label, value_id in (extra or {}).items():
            if _norm(label) == key and value_id in self.labels:
                return value_id
        for value_id, entry in self.labels.items():
            if any(key == _norm(lbl) for lbl in entry.values()):
                return value_id
        return None


def fixed(list_id: str) -> Vocab:
    return Vocab(list_id, {v: {lang: s(f"v.{list_id}.{v}", lang) for lang in LANGS} for v in FIXED[list_id]})


def factor_vocab(inst: Instrument) -> Vocab:
    """Risk and protective factors (scale ids), risk first, in instrument order."""
    scales = [*inst.risk_scales, *inst.protective_scales]
    return Vocab("factor", {sc.id: {lang: sc.label.get(lang) for lang in LANGS} for sc in scales})


def indicator_key(kind: str, indicator_id: str) -> str:
    return f"{kind}:{indicator_id}"


def indicator_vocab(inst: Instrument) -> Vocab:
    """Factors and problem behaviours (``kind:id``); a behaviour whose label repeats a
    factor's gets its kind appended so every dropdown entry is unique."""
    labels: dict[str, dict[str, str]] = {}
    for sc in [*inst.risk_scales, *inst.protective_scales]:
        labels[indicator_key(sc.kind, sc.id)] = {lang: sc.label.get(lang) for lang in LANGS}
    taken = {lang: {_norm(e[lang]) for e in labels.values()} for lang in LANGS}
    for o in inst.outcomes:
        entry = {}
        for lang in LANGS:
            text = o.label.get(lang)
            entry[lang] = f"{text} ({s('v.kind.outcome', lang)})" if _norm(text) in taken[lang] else text
        labels[indicator_key("outcome", o.id)] = entry
    return Vocab("indicator", labels)


def all_vocabs(inst: Instrument) -> dict[str, Vocab]:
    out = {k: fixed(k) for k in FIXED}
    out["factor"] = factor_vocab(inst)
    out["indicator"] = indicator_vocab(inst)
    return out


def render(value: object, vocabs: Mapping[str, Vocab], lang: str) -> object:
    """A stored value as written into a cell: a :class:`Coded` becomes its label."""
    if isinstance(value, Coded):
        vocab = vocabs.get(value.list)
        if vocab is not None and value.id in vocab.labels:
            return vocab.label(value.id, lang)
        return value.id
    return value
