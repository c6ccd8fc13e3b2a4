"""Checking options against an instrument, and the sampling frame:
municipalities → schools → grades → students, with gender, wave, school and
municipality random effects, invalid respondents and (optionally) weights."""

from __future__ import annotations

import codecs
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..instrument.model import Instrument
from .model import GENDER_ROLES
from .options import DEFAULT_TOWNS, Plant, SimulationOptions, WaveChange
from .plan import GenPlan

DEFAULT_GENDERS = ("female", "male", "diverse")
GENDER_SHARE = {"female": 0.49, "male": 0.49, "diverse": 0.02}
_FEMALE = {"f", "female", "w", "weiblich", "girl", "girls", "mädchen"}
_MALE = {"m", "male", "männlich", "boy", "boys", "junge"}
SCHOOL_SIZE = 400  # respondents per school when the number of schools is not given

# Child streams of the run's seed. Changing one option never re-draws another stream.
STREAM_EFFECTS, STREAM_LAYOUT, STREAM_INVALID, STREAM_WEIGHTS, STREAM_BLOCKS, STREAM_CALIBRATION = range(1, 7)


def stream(seed: int, *key: int) -> np.random.Generator:
    """The generator for one purpose of a run (``key`` names the purpose and block)."""
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=key))


@dataclass(frozen=True)
class Design:
    """Options resolved against an instrument: every name known, every default filled in."""

    municipalities: tuple[str, ...]
    respondents: int
    schools: int
    grades: tuple[int, ...]
    waves: tuple[int, ...]
    genders: tuple[str, ...]
    gender_roles: np.ndarray  # role index (0 female, 1 male, 2 diverse) per gender value
    gender_share: np.ndarray
    columns: dict[str, str]  # role → column name, in file order
    elevate: tuple[Plant, ...]
    wave_changes: tuple[WaveChange, ...]

    @property
    def rows(self) -> int:
        return len(self.municipalities) * self.respondents * len(self.waves)


def _town_names(n: int) -> tuple[str, ...]:
    names = list(DEFAULT_TOWNS[:n])
    k = 2
    while len(names) < n:
        names += [f"{t} {k}" for t in DEFAULT_TOWNS][: n - len(names)]
        k += 1
    return tuple(names)


def _municipalities(value: tuple[str, ...] | int) -> tuple[str, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 1:
            raise UsageError(f"--municipalities must be at least 1, got {value}", "give a positive number of municipalities")
        return _town_names(value)
    names = tuple(str(v).strip() for v in value)
    if not names or any(not n for n in names):
        raise UsageError("municipality names must not be empty", "give names like --municipality Musterstadt")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise UsageError(f"municipality named more than once: {', '.join(dup)}", "give each municipality once")
    return names


def _gender_roles(inst: Instrument) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    if not inst.genders:
        keys = DEFAULT_GENDERS
        roles = [0, 1, 2]
    else:
        keys = tuple(inst.genders)
        roles = []
        for k in keys:
            words = {k.lower(), str(inst.genders[k]).lower(), inst.genders[k].get("de").lower()}
            roles.append(0 if words & _FEMALE else 1 if words & _MALE else 2)
        if sorted(roles)[:2] != [0, 1] or roles.count(0) > 1 or roles.count(1) > 1:
            roles = [min(i, 2) for i in range(len(keys))]  # fall back to the listed order
    share = np.array([GENDER_SHARE[GENDER_ROLES[r]] for r in roles])
    diverse = [i for i, r in enumerate(roles) if r == 2]
    if diverse:
        share[diverse] = GENDER_SHARE["diverse"] / len(diverse)
    return keys, np.array(roles, dtype=np.intp), share / share.sum()


def _columns(inst: Instrument, opts: SimulationOptions, waves: tuple[int, ...]) -> dict[str, str]:
    c = inst.columns
    cols = {"respondent": c.respondent, "municipality": c.municipality, "school": c.school or "school", "grade": c.grade, "gender": c.gender or "gender"}
    if opts.weights:
        cols["weight"] = c.weight or "weight"
    if c.wave or len(waves) > 1:
        cols["wave"] = c.wave or "wave"
    items = {i.source_column for i in inst.items}
    clash = sorted(set(cols.values()) & items)
    if clash:
        raise UsageError(f"metadata column(s) {', '.join(clash)} have the same name as an item column", "rename them in the instrument's 'columns'")
    return cols


def factor_ids(inst: Instrument) -> list[str]:
    return [s.id for s in inst.scales] + [o.id for o in inst.outcomes if o.id not in inst.scale_by_id]


def _check_names(inst: Instrument, municipalities: tuple[str, ...], plants: list[Plant | WaveChange]) -> None:
    factors = set(factor_ids(inst)) | {o.id for o in inst.outcomes}
    for p in plants:
        if p.municipality not in municipalities:
            raise UsageError(
                f"unknown municipality {p.municipality!r} in a planted effect; the municipalities are: {', '.join(municipalities)}",
                "name one of the simulated municipalities (set them with --municipality NAME)",
            )
        if p.factor not in factors:
            raise UsageError(
                f"unknown factor {p.factor!r}; valid factors (scales and outcomes of {inst.id}): {', '.join(factor_ids(inst))}",
                "use a scale id or an outcome id; 'ctc instrument show' lists them",
            )
        if not -100.0 < p.delta < 100.0:
            raise UsageError(f"a planted change of {p.delta:g} percentage points is impossible", "give a number between -100 and 100")


def _share(name: str, value: float, high: float) -> None:
    if not 0.0 <= value <= high:
        raise UsageError(f"{name} must be between 0 and {high:g}, got {value:g}", "give a share such as 0.04 (4 %)")


def resolve(inst: Instrument, opts: SimulationOptions, plan: GenPlan) -> Design:
    """Check the options against the instrument; raise :class:`UsageError` on the first problem."""
    municipalities = _municipalities(opts.municipalities)
    if opts.respondents < 1:
        raise UsageError(f"respondents per municipality must be at least 1, got {opts.respondents}", "give --respondents N with N ≥ 1")
    schools = opts.schools if opts.schools is not None else max(2, round(opts.respondents / SCHOOL_SIZE))
    if schools < 1:
        raise UsageError(f"schools per municipality must be at least 1, got {schools}", "give --schools N with N ≥ 1")
    grades = tuple(opts.grades) if opts.grades else tuple(sorted(inst.grades))
    unknown = sorted(set(grades) - set(inst.grades))
    if unknown or len(set(grades)) != len(grades):
        raise UsageError(f"grade(s) {unknown or list(grades)} are not the instrument's grades {list(inst.grades)} or repeat", "choose grades the instrument surveys")
    waves = tuple(sorted(set(int(w) for w in opts.waves)))
    if not waves or len(waves) != len(opts.waves):
        raise UsageError(f"waves must be distinct years, got {list(opts.waves)}", "give e.g. --waves 2024,2026")
    if opts.seed < 0:
        raise UsageError(f"the seed must be 0 or positive, got {opts.seed}", "give --seed N with N ≥ 0")
    _share("the invalid share", opts.invalid_share, 0.5)
    _share("the missing share", opts.missing_share, 0.5)
    _share("the block-skip share", opts.block_skip_share, 1.0)
    _share("the missing-code share", opts.missing_code_share, 1.0)
    if opts.invalid_share > 0 and not invalid_types(plan).size:
        raise UsageError(f"instrument {inst.id} has no validity rule that simulated answers can trigger", "pass --invalid-share 0")
    if len(opts.csv_sep) != 1:
        raise UsageError(f"the CSV separator must be one character, got {opts.csv_sep!r}", "use --sep ';' or --sep ','")
    try:
        codecs.lookup(opts.csv_encoding)
    except LookupError:
        raise UsageError(f"unknown encoding {opts.csv_encoding!r}", "use utf-8 or cp1252") from None
    _check_names(inst, municipalities, [*opts.elevate, *opts.wave_changes])
    for wc in opts.wave_changes:
        if wc.wave not in waves[1:]:
            raise UsageError(
                f"wave change for {wc.wave}: not a later wave of this run (waves: {', '.join(map(str, waves))})",
                "changes are relative to the first wave; add the year to --waves",
            )
    genders, roles, share = _gender_roles(inst)
    return Design(
        municipalities=municipalities,
        respondents=int(opts.respondents),
        schools=int(schools),
        grades=grades,
        waves=waves,
        genders=genders,
        gender_roles=roles,
        gender_share=share,
        columns=_columns(inst, opts, waves),
        elevate=tuple(opts.elevate),
        wave_changes=tuple(opts.wave_changes),
    )


# ----------------------------------------------------------------------------- the frame


@dataclass(frozen=True)
class Frame:
    """One row per respondent, in file order (wave, municipality, school, grade)."""

    wave: np.ndarray  # wave index
    municipality: np.ndarray  # municipality index
    school: np.ndarray  # global school index
    grade: np.ndarray
    gender: np.ndarray  # index into Design.genders
    invalid: np.ndarray  # validity-rule index the respondent is made to fail, -1 = valid
    school_names: tuple[str, ...]
    municipality_effect: np.ndarray  # latents × municipalities
    school_effect: np.ndarray  # latents × schools
    weight: np.ndarray | None
    enrolment: pd.DataFrame | None

    def __len__(self) -> int:
        return len(self.grade)

    def group(self, rows: slice | np.ndarray = slice(None)) -> np.ndarray:
        """(wave, municipality) group index of the rows: wave * municipalities + municipality."""
        return self.wave[rows].astype(np.intp) * int(self.municipality_effect.shape[1]) + self.municipality[rows]


def _effects(plan: GenPlan, design: Design, seed: int, rho: float) -> tuple[np.ndarray, np.ndarray]:
    rng = stream(seed, STREAM_EFFECTS)
    lat = plan.latents
    m, s = len(design.municipalities), len(design.municipalities) * design.schools

    def draw(count: int, sigma: np.ndarray) -> np.ndarray:
        common = rng.standard_normal(count)
        own = rng.standard_normal((len(sigma), count))
        return (sigma * lat.sign)[:, None] * (rho * common[None, :] + math.sqrt(1 - rho * rho) * own)

    return draw(m, lat.sigma_municipality), draw(s, lat.sigma_school)


def invalid_types(plan: GenPlan) -> np.ndarray:
    """Weight per validity rule of being the reason a simulated respondent is invalid."""
    w = np.zeros(len(plan.validity))
    for k, (kind, spec) in enumerate(plan.validity):
        if kind in ("any_at_least", "all_at_least", "count_at_least"):
            ok = [plan.codes_at_least(int(j), spec.value).size > 0 for j in spec.items]  # type: ignore[union-attr]
            need = spec.count if kind == "count_at_least" else (len(ok) if kind == "all_at_least" else 1)  # type: ignore[union-attr]
            w[k] = 1.0 if sum(ok) >= need else 0.0
        elif kind == "recent_without_lifetime":
            w[k] = 1.0
        elif kind == "missing_share_above":
            w[k] = 0.5
    return w if w.sum() > 0 else np.zeros(0)


def build_frame(plan: GenPlan, design: Design, opts: SimulationOptions) -> Frame:
    rng = stream(opts.seed, STREAM_LAYOUT)
    n_m, n_s, n_g = len(design.municipalities), design.schools, len(design.grades)
    school_share = rng.dirichlet(np.full(n_s, 8.0), size=n_m) if n_s > 1 else np.ones((n_m, 1))
    grade_share = rng.dirichlet(np.full(n_g, 30.0), size=n_m * n_s) if n_g > 1 else np.ones((n_m * n_s, 1))
    waves, munis, schools, grades = [], [], [], []
    for w in range(len(design.waves)):
        for m in range(n_m):
            per_school = rng.multinomial(design.respondents, school_share[m])
            for k in range(n_s):
                sid = m * n_s + k
                per_grade = rng.multinomial(per_school[k], grade_share[sid])
                grades.append(np.repeat(np.array(design.grades, dtype=np.int16), per_grade))
                schools.append(np.full(per_school[k], sid, dtype=np.int32))
            munis.append(np.full(design.respondents, m, dtype=np.int16))
            waves.append(np.full(design.respondents, w, dtype=np.int16))
    n = design.rows
    gender = rng.choice(len(design.genders), size=n, p=design.gender_share).astype(np.int8)
    frame_municipality = np.concatenate(munis)
    frame_wave = np.concatenate(waves)
    mun_eff, school_eff = _effects(plan, design, opts.seed, opts.model.cluster_correlation)
    school_names = tuple(f"{m}-{k + 1:02d}" for m in design.municipalities for k in range(n_s))
    invalid = _invalid(plan, frame_wave, frame_municipality, opts)
    grade = np.concatenate(grades)
    school = np.concatenate(schools)
    weight, enrolment = _weights(design, frame_wave, frame_municipality, grade, gender, opts) if opts.weights else (None, None)
    return Frame(frame_wave, frame_municipality, school, grade, gender, invalid, school_names, mun_eff, school_eff, weight, enrolment)


def _invalid(plan: GenPlan, wave: np.ndarray, municipality: np.ndarray, opts: SimulationOptions) -> np.ndarray:
    out = np.full(len(wave), -1, dtype=np.int8)
    weights = invalid_types(plan)
    if opts.invalid_share <= 0 or not weights.size:
        return out
    rng = stream(opts.seed, STREAM_INVALID)
    group = wave.astype(np.int64) * (int(municipality.max()) + 1) + municipality
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:], len(group)]
    for a, b in zip(starts, ends):
        k = int(round(opts.invalid_share * (b - a)))
        rows = a + rng.choice(b - a, size=k, replace=False)
        out[rows] = rng.choice(len(weights), size=k, p=weights / weights.sum())
    return out


def _weights(
    design: Design, wave: np.ndarray, municipality: np.ndarray, grade: np.ndarray, gender: np.ndarray, opts: SimulationOptions
) -> tuple[np.ndarray, pd.DataFrame]:
    """Weights = enrolment / respondents per wave × municipality × grade × gender cell."""
    rng = stream(opts.seed, STREAM_WEIGHTS)
    n_w, n_m, n_g, n_x = len(design.waves), len(design.municipalities), len(design.grades), len(design.genders)
    grade_pos = np.searchsorted(np.array(design.grades), grade)
    cell = ((wave.astype(np.int64) * n_m + municipality) * n_g + grade_pos) * n_x + gender
    counts = np.bincount(cell, minlength=n_w * n_m * n_g * n_x)
    rate = rng.uniform(0.65, 0.92, size=counts.size)
    enrolled = np.where(counts > 0, np.ceil(counts / rate), rng.integers(1, 4, size=counts.size)).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_cell = np.round(enrolled / counts, 4)
    w_idx, m_idx, g_idx, x_idx = np.unravel_index(np.arange(counts.size), (n_w, n_m, n_g, n_x))
    table = pd.DataFrame(
        {
            "wave": np.array(design.waves)[w_idx],
            "municipality": pd.array(np.array(design.municipalities, dtype=object)[m_idx], dtype="str"),
            "grade": np.array(design.grades)[g_idx],
            "gender": pd.array(np.array(design.genders, dtype=object)[x_idx], dtype="str"),
            "enrolled": enrolled,
        }
    )
    if "wave" not in design.columns:
        table = table.drop(columns="wave")
    return per_cell[cell], table
