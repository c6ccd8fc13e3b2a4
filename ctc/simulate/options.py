"""What a simulation run is asked to do: the options, planted effects and their parsing.

Everything here is plain, immutable data. Checking the options against an instrument
(are the named factors and municipalities known?) happens in
:func:`ctc.simulate.design.resolve`, so that one error lists every valid name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import UsageError
from .model import LatentSettings

#: Clearly fictional German and English town names; ``municipalities=N`` takes the first N.
DEFAULT_TOWNS: tuple[str, ...] = (
    "Musterstadt",
    "Beispielburg",
    "Exampleton",
    "Sampleford",
    "Demodorf",
    "Testwick",
    "Fiktivhausen",
    "Mockbury",
    "Übungsheim",
    "Placeholder Bay",
    "Erfundenfeld",
    "Dummyville",
    "Modellingen",
    "Specimen Hill",
    "Platzhalter am See",
    "Notaplace",
    "Scheinbach",
    "Trialton",
    "Vorlagenau",
    "Imaginary Falls",
)

#: Percentage points added to a factor's % flagged by ``--elevate TOWN:FACTOR`` without a number.
DEFAULT_ELEVATION_PP = 15.0


@dataclass(frozen=True)
class Plant:
    """Make ``factor`` (a scale id or outcome id) differ in ``municipality`` in every wave.

    ``delta`` is in percentage points of the factor's flagged share: for a risk
    scale the % at risk, for a protective scale the % with high protection, for an
    outcome the % positive. Negative values depress the factor.
    """

    municipality: str
    factor: str
    delta: float = DEFAULT_ELEVATION_PP


@dataclass(frozen=True)
class WaveChange:
    """In ``wave`` (a year of ``SimulationOptions.waves`` other than the first),
    change ``factor`` in ``municipality`` by ``delta`` percentage points relative to
    the first wave."""

    municipality: str
    factor: str
    wave: int
    delta: float


@dataclass(frozen=True)
class SimulationOptions:
    """Options of one simulation run; the same options always give the same file.

    ``respondents`` is per municipality and wave. ``schools`` is per municipality
    (``None``: one school per about 400 respondents, at least 2). ``grades`` defaults
    to the instrument's grades. ``csv_decimal`` defaults to ``,`` when
    ``csv_sep`` is ``;`` (German Excel style) and ``.`` otherwise.
    """

    municipalities: tuple[str, ...] | int = 3
    respondents: int = 1000
    schools: int | None = None
    grades: tuple[int, ...] | None = None
    waves: tuple[int, ...] = (2026,)
    seed: int = 1
    elevate: tuple[Plant, ...] = ()
    wave_changes: tuple[WaveChange, ...] = ()
    invalid_share: float = 0.04
    missing_share: float = 0.03
    block_skip_share: float = 0.02
    missing_code_share: float = 0.1
    weights: bool = False
    csv_sep: str = ","
    csv_encoding: str = "utf-8"
    csv_decimal: str | None = None
    model: LatentSettings = field(default_factory=LatentSettings)
    #: what an elevation's delta is relative to: the municipality's own natural share
    #: ("municipality", the counterfactual without the plant) or the population's share,
    #: which a baseline drawn from the same population shows ("population"; the demo)
    plant_level: str = "municipality"

    @property
    def decimal(self) -> str:
        if self.csv_decimal is not None:
            return self.csv_decimal
        return "," if self.csv_sep == ";" else "."


def _number(text: str, what: str, spec: str) -> float:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise UsageError(f"{what} {text!r} in {spec!r} is not a number", PLANT_HINT) from None


PLANT_HINT = "write --elevate TOWN:FACTOR[:PP] and --wave-change TOWN:FACTOR:WAVE:PP, e.g. Musterstadt:family_conflict:-10"


def parse_plant(spec: str) -> Plant:
    """``"Musterstadt:family_conflict"`` or ``"Musterstadt:family_conflict:-10"`` → :class:`Plant`."""
    parts = [p.strip() for p in spec.split(":")]
    if len(parts) == 3:
        return Plant(parts[0], parts[1], _number(parts[2], "percentage points", spec))
    if len(parts) == 2 and all(parts):
        return Plant(parts[0], parts[1])
    raise UsageError(f"cannot read the elevation {spec!r}", PLANT_HINT)


def parse_wave_change(spec: str) -> WaveChange:
    """``"Musterstadt:family_conflict:2026:-8"`` → :class:`WaveChange`."""
    parts = [p.strip() for p in spec.split(":")]
    if len(parts) != 4 or not all(parts):
        raise UsageError(f"cannot read the wave change {spec!r}", PLANT_HINT)
    try:
        wave = int(parts[2])
    except ValueError:
        raise UsageError(f"wave {parts[2]!r} in {spec!r} is not a year", PLANT_HINT) from None
    return WaveChange(parts[0], parts[1], wave, _number(parts[3], "percentage points", spec))


def parse_int_list(text: str, what: str) -> tuple[int, ...]:
    """``"2024,2026"`` → ``(2024, 2026)``."""
    try:
        values = tuple(int(p) for p in text.replace(";", ",").split(",") if p.strip())
    except ValueError:
        raise UsageError(f"cannot read {what} {text!r}", "give whole numbers separated by commas, e.g. 2024,2026") from None
    if not values:
        raise UsageError(f"no {what} given", "give whole numbers separated by commas, e.g. 2024,2026")
    return values
