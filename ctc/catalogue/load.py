"""Loading and checking programme catalogues; resolving the instrument's factor vocabulary."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from ..errors import DefinitionError, Problem, UnknownInstrument
from ..resources import data_dir, shipped_files
from ..spec import Text, load_model, locate
from .checks import STRUCTURAL_CHECKS, Check, Doc, unknown_factors
from .labels import CTC_YOUTH_SURVEY_SCALES, FALLBACK_LABELS
from .model import Catalogue

DEFAULT_CATALOGUE = "programmes"
DEFAULT_INSTRUMENT = "ctc-youth-survey"
SUFFIXES = (".yaml", ".yml")
HINT = "Fix the listed problems; docs/catalogue-format.md describes every key and vocabulary."


class UnknownCatalogue(DefinitionError):
    hint = "Give the path to a catalogue .yaml file, or omit it to use the shipped catalogue."


@dataclass(frozen=True)
class FactorVocabulary:
    """The factor ids a catalogue may use, with labels for explanations."""

    instrument: str
    scale_ids: frozenset[str]
    labels: Mapping[str, Text] = field(default_factory=lambda: MappingProxyType({}))
    from_instrument: bool = True

    def label(self, factor_id: str, lang: str = "en") -> str:
        text = self.labels.get(factor_id)
        if text is not None:
            return text.get(lang)
        fallback = FALLBACK_LABELS.get(factor_id)
        if fallback is not None:
            return fallback.get(lang) or fallback["en"]
        return factor_id.replace("_", " ")


def _fallback_vocabulary() -> FactorVocabulary:
    labels = {k: Text.model_validate(v) for k, v in FALLBACK_LABELS.items()}
    return FactorVocabulary(DEFAULT_INSTRUMENT, CTC_YOUTH_SURVEY_SCALES, MappingProxyType(labels), from_instrument=False)


def factor_vocabulary(instrument: str = DEFAULT_INSTRUMENT, *, base: Path | None = None) -> FactorVocabulary:
    """Scale ids and labels of ``instrument`` (a shipped id or a path, relative to ``base``).

    While the shipped CTC Youth Survey instrument is not available, its agreed scale
    ids (:data:`~ctc.catalogue.labels.CTC_YOUTH_SURVEY_SCALES`) are used instead.
    Raises :class:`~ctc.errors.UnknownInstrument` for any other unknown instrument.
    """
    try:
        from ..instrument import load_instrument
    except ImportError:  # pragma: no cover - the instrument package is part of the toolkit
        load_instrument = None
    ref: str | Path = instrument
    if base is not None and instrument.endswith(SUFFIXES) and not Path(instrument).is_absolute():
        ref = base / instrument
    if load_instrument is not None:
        try:
            inst = load_instrument(ref)
        except UnknownInstrument:
            if instrument != DEFAULT_INSTRUMENT:
                raise
        else:
            labels = MappingProxyType({s.id: s.label for s in inst.scales})
            return FactorVocabulary(inst.id, frozenset(s.id for s in inst.scales), labels)
    if instrument == DEFAULT_INSTRUMENT:
        return _fallback_vocabulary()
    raise UnknownInstrument(f"unknown instrument {instrument!r}")


def _factor_check(base: Path, scale_ids: Collection[str] | None) -> Check:
    def check(doc: Doc) -> list[Problem]:
        ref = doc.get("instrument") if isinstance(doc, Mapping) else None
        if scale_ids is not None:
            return unknown_factors(frozenset(scale_ids), str(ref or "(given scale ids)"))(doc)
        if not isinstance(ref, str):
            return []  # the model reports the missing or malformed key
        try:
            vocab = factor_vocabulary(ref, base=base)
        except UnknownInstrument as exc:
            return [locate(doc, ["instrument"], f"{exc.message}; factor ids cannot be checked")]
        return unknown_factors(vocab.scale_ids, ref)(doc)

    return check


def shipped_catalogues() -> dict[str, Path]:
    """Shipped catalogue id (file stem) → file."""
    return {p.stem: p for p in shipped_files("catalogues", SUFFIXES)}


def catalogue_path(ref: str | Path | None = None) -> Path:
    """Resolve ``None`` (the shipped catalogue), a shipped stem, or a path."""
    if ref is None:
        ref = DEFAULT_CATALOGUE
    shipped = shipped_catalogues()
    if isinstance(ref, str) and ref in shipped:
        return shipped[ref]
    path = Path(ref)
    if path.is_file():
        return path
    if ref == DEFAULT_CATALOGUE:
        return data_dir("catalogues") / f"{DEFAULT_CATALOGUE}.yaml"
    raise UnknownCatalogue(f"catalogue not found: {ref}")


def load_catalogue(path: str | Path | None = None, *, scale_ids: Collection[str] | None = None) -> Catalogue:
    """Load and check a catalogue; ``None`` loads the shipped one.

    Every problem (structure, vocabularies, duplicate ids, unknown factor ids) is
    reported at once as :class:`~ctc.errors.InvalidDefinition`. Factor ids are checked
    against the scale ids of the catalogue's ``instrument``, or against ``scale_ids``
    when given.
    """
    resolved = _shipped_default() if path is None else catalogue_path(path).resolve()
    if scale_ids is None:
        return _load_cached(resolved, _mtime(resolved))
    return _load(resolved, frozenset(scale_ids))


@lru_cache(maxsize=1)
def _shipped_default() -> Path:
    """Where the shipped catalogue is (found once: every report and workbook of a run asks,
    and listing the shipped files took a few milliseconds each time)."""
    return catalogue_path(None).resolve()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0


@lru_cache(maxsize=8)
def _load_cached(path: Path, _mtime: float) -> Catalogue:
    return _load(path, None)


def _load(path: Path, scale_ids: frozenset[str] | None) -> Catalogue:
    checks = (*STRUCTURAL_CHECKS, _factor_check(path.parent, scale_ids))
    return load_model(Catalogue, path, checks, what="catalogue", hint=HINT)
