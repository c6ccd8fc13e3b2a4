"""Finding and loading instruments: shipped ones by id, any other by path."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import UnknownInstrument
from ..resources import shipped_files
from ..spec import load_model
from .checks import CROSS_CHECKS
from .model import Instrument

HINT = "Fix the listed problems; 'ctc instrument show ctc-youth-survey' shows a valid example."
SUFFIXES = (".yaml", ".yml")


def load_instrument_file(path: str | Path) -> Instrument:
    """Load and check one instrument file; raise InvalidDefinition listing every problem."""
    return _load_cached(Path(path).resolve(), _mtime(Path(path)))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0


@lru_cache(maxsize=16)
def _load_cached(path: Path, _mtime: float) -> Instrument:
    return load_model(Instrument, path, CROSS_CHECKS, what="instrument", hint=HINT)


def shipped_instruments() -> dict[str, Path]:
    """Shipped instrument id → file (the id is read from the file name)."""
    return {p.stem: p for p in shipped_files("instruments", SUFFIXES)}


def load_instrument(ref: str | Path | Instrument = "ctc-youth-survey") -> Instrument:
    """An instrument by shipped id (``ctc-youth-survey``) or by path to a YAML file."""
    if isinstance(ref, Instrument):
        return ref
    shipped = shipped_instruments()
    if isinstance(ref, str) and ref in shipped:
        return load_instrument_file(shipped[ref])
    path = Path(ref)
    if path.suffix in SUFFIXES or path.exists():
        if not path.exists():
            raise UnknownInstrument(f"instrument file not found: {path}")
        return load_instrument_file(path)
    raise UnknownInstrument(f"unknown instrument {str(ref)!r}; shipped: {', '.join(sorted(shipped)) or 'none'}")


@dataclass(frozen=True)
class InstrumentSummary:
    id: str
    version: str
    title: str
    scales: int
    risk: int
    protective: int
    items: int
    outcomes: int
    validity: int
    path: Path


def summarise(inst: Instrument, path: Path, lang: str = "en") -> InstrumentSummary:
    return InstrumentSummary(
        id=inst.id,
        version=inst.version,
        title=inst.title.get(lang),
        scales=len(inst.scales),
        risk=len(inst.risk_scales),
        protective=len(inst.protective_scales),
        items=len(inst.items),
        outcomes=len(inst.outcomes),
        validity=len(inst.validity),
        path=path,
    )


def list_instruments(lang: str = "en") -> list[InstrumentSummary]:
    return [summarise(load_instrument_file(p), p, lang) for p in shipped_instruments().values()]
