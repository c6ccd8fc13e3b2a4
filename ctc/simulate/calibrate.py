"""Numerical calibration on samples drawn with their own generators.

* :func:`calibrate_locations` sets each scale's latent location so that its share
  flagged (at the instrument's cut-points) is near the population target.
* :func:`plant_shifts` turns planted effects, given in percentage points of the share
  flagged, into shifts of the raw item latents in the named municipality, found by
  bisection on a calibration sample of that municipality (its schools, grades and
  genders), so that the achieved change is close to the requested one.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ..instrument.model import Instrument
from .design import STREAM_CALIBRATION, Design, Frame, stream
from .latent import (
    Rows,
    category,
    code_rule_positive,
    drivers,
    effective_shift,
    item_latents,
    scale_flag,
)
from .model import LatentSettings
from .plan import SCALE, GenPlan

BASE_ROWS = 6000
SHIFT_RANGE = 6.0


@dataclass(frozen=True)
class PlantedEffect:
    """One planted effect as calibrated: the % flagged without and with it (on the
    calibration sample), and the latent shift applied to the factor's items."""

    municipality: str
    factor: str
    kind: str  # "elevate" (every wave) or "wave_change" (relative to the first wave)
    wave: int | None
    requested_pp: float
    base_pct: float
    expected_pct: float
    shift: float


def _bisect(f: Callable[[float], float], target: float, iterations: int = 24) -> float:
    lo, hi = -SHIFT_RANGE, SHIFT_RANGE
    if target <= f(lo):
        return lo
    if target >= f(hi):
        return hi
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _rate(flags: np.ndarray) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(np.nanmean(flags))


def _alpha(plan: GenPlan, sp, y_items: np.ndarray) -> float:
    """Cronbach's alpha of a scale's (reversed) item values from raw item latents."""
    vals = np.empty(y_items.shape)
    for k, j in enumerate(sp.items):
        v = plan.values[j][category(plan.thresholds[j], y_items[k])]
        vals[k] = (sp.low[k] + sp.high[k]) - v if sp.reverse[k] else v
    total = vals.sum(axis=0).var()
    if total <= 0:
        return float("nan")
    k = len(sp.items)
    return k / (k - 1) * (1.0 - vals.var(axis=1).sum() / total)


def calibrate_locations(plan: GenPlan, settings: LatentSettings) -> GenPlan:
    """The plan with each scale's location ``mu`` set to hit its target share flagged,
    and its loading adjusted (at most twice) towards its target Cronbach's alpha."""
    rng = np.random.default_rng([settings.population_seed, 0x5EED])
    n = BASE_ROWS
    grades = rng.choice(np.array(plan.grades, dtype=np.float64), size=n)
    roles = rng.choice(3, size=n, p=[0.49, 0.49, 0.02])
    lat = plan.latents
    sigma = np.sqrt(lat.sigma_municipality**2 + lat.sigma_school**2)
    cluster = rng.standard_normal((plan.n_latents, n)) * sigma[:, None]
    h = drivers(plan, Rows(grades, roles, cluster), rng)
    noise_draws = rng.standard_normal((plan.n_items, n))
    weight, noise = plan.weight.copy(), plan.noise.copy()
    y = weight[:, None] * h[plan.driver] + noise[:, None] * noise_draws
    mu = np.zeros(plan.n_latents)
    role = np.array(plan.role)
    own_items = [(plan.driver[sp.items] == k) & (role[sp.items] == SCALE) for k, sp in enumerate(plan.scales)]
    shared = any(not own.all() for own in own_items)
    for sweep in range(2 if shared else 1):
        for k, sp in enumerate(plan.scales):
            own = own_items[k]
            if not own.any():
                continue
            items = sp.items[own]
            for attempt in range(3):
                y[items] = weight[items, None] * (h[k] + mu[k]) + noise[items, None] * noise_draws[items]
                if np.isnan(_rate(scale_flag(plan, sp, y[sp.items], grades))):
                    break  # no grade of the sample has a cut-point

                def rate(m: float, sp=sp, items=items, k=k) -> float:
                    trial = y[sp.items].copy()
                    trial[own_items[k]] = weight[items, None] * (h[k] + m) + noise[items, None] * noise_draws[items]
                    return _rate(scale_flag(plan, sp, trial, grades))

                mu[k] = _bisect(rate, float(plan.target_rate[k]))
                y[items] = weight[items, None] * (h[k] + mu[k]) + noise[items, None] * noise_draws[items]
                if sweep or attempt == 2 or len(sp.items) < 2 or sp.method == "max":
                    break
                achieved, target = _alpha(plan, sp, y[sp.items]), float(plan.alpha_target[k])
                if not np.isfinite(achieved) or abs(achieved - target) < 0.02:
                    break
                m = len(sp.items)
                r_now = max(achieved / (m - (m - 1) * achieved), 0.02)
                r_goal = target / (m - (m - 1) * target)
                lam = np.abs(weight[items])
                lam = np.sqrt(np.clip(lam**2 * r_goal / r_now, 0.1, 0.92))
                weight[items] = np.sign(weight[items]) * lam
                noise[items] = np.sqrt(1.0 - lam**2)
    return replace(plan, mu=mu, weight=weight, noise=noise)


# ------------------------------------------------------------------------ planted effects


@dataclass(frozen=True)
class _Factor:
    items: np.ndarray
    direction: np.ndarray  # full-length (items of the instrument) raw-latent direction
    evaluate: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (y of items, grades) → 1/0/NaN


def _factor(plan: GenPlan, inst: Instrument, factor: str) -> _Factor:
    direction = np.zeros(plan.n_items)
    scale_pos = {s.id: k for k, s in enumerate(inst.scales)}
    outcome_pos = {o.id: k for k, o in enumerate(inst.outcomes)}
    if factor not in scale_pos and plan.outcome_scale[outcome_pos[factor]] >= 0:
        factor = inst.scales[plan.outcome_scale[outcome_pos[factor]]].id
    if factor in scale_pos:
        sp = plan.scales[scale_pos[factor]]
        direction[sp.items] = np.where(sp.reverse, -1.0, 1.0)
        return _Factor(sp.items, direction, lambda y, g: scale_flag(plan, sp, y, g))
    spec = plan.outcomes[outcome_pos[factor]]
    assert spec is not None
    direction[spec.items] = 1.0
    return _Factor(spec.items, direction, lambda y, g: code_rule_positive(plan, spec.rule, spec.items, spec.value, spec.count, y))


def _sample(plan: GenPlan, design: Design, frame: Frame, group: int, rng: np.random.Generator, n: int,
            population: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """A calibration sample of one (wave, municipality) group: raw item latents and grades.
    With ``population`` the municipality's and schools' random effects are left out: the
    same students as the population (and a baseline drawn from it) would answer."""
    rows = np.flatnonzero(frame.group() == group)
    pick = rows[rng.integers(0, len(rows), size=n)]
    m = int(frame.municipality[pick[0]])
    cluster = frame.municipality_effect[:, [m]] + frame.school_effect[:, frame.school[pick]]
    if population:
        cluster = np.zeros_like(cluster)
    grades = frame.grade[pick].astype(np.float64)
    sample = Rows(grades, design.gender_roles[frame.gender[pick]], cluster)
    return item_latents(plan, drivers(plan, sample, rng), rng), grades


def _calibrate(
    plan: GenPlan, factor: _Factor, y: np.ndarray, grades: np.ndarray, base: np.ndarray, delta: float,
    level: float | None = None,
) -> tuple[float, float, float]:
    """(latent shift, % flagged at ``base``, % flagged with the shift). The target is
    ``level + delta`` (a share, e.g. the population's), by default the sample's own share + delta."""
    y_items = y[factor.items]

    def rate(d: float) -> float:
        shift = effective_shift(plan, base + d * factor.direction)[factor.items]
        return _rate(factor.evaluate(y_items + shift[:, None], grades))

    p0 = rate(0.0)
    d = _bisect(rate, float(np.clip((p0 if level is None else level) + delta, 0.0, 1.0)))
    return d, 100.0 * p0, 100.0 * rate(d)


def _population_rate(plan: GenPlan, factor: _Factor, design: Design, frame: Frame, group: int, seed: int, k: int, n: int) -> float:
    y, grades = _sample(plan, design, frame, group, stream(seed, STREAM_CALIBRATION, 2, k), n, population=True)
    return _rate(factor.evaluate(y[factor.items], grades))


def plant_shifts(
    plan: GenPlan, inst: Instrument, design: Design, frame: Frame, seed: int, settings: LatentSettings,
    plant_level: str = "municipality",
) -> tuple[np.ndarray, tuple[PlantedEffect, ...]]:
    """Per (wave, municipality) group the raw-latent shift of every item, and the effects."""
    n_m, n_w = len(design.municipalities), len(design.waves)
    table = np.zeros((n_w * n_m, plan.n_items))
    elevation = np.zeros((n_m, plan.n_items))
    effects: list[PlantedEffect] = []
    n = settings.calibration_rows
    for k, p in enumerate(design.elevate):
        m = design.municipalities.index(p.municipality)
        factor = _factor(plan, inst, p.factor)
        y, grades = _sample(plan, design, frame, m, stream(seed, STREAM_CALIBRATION, 0, k), n)
        level = _population_rate(plan, factor, design, frame, m, seed, k, n) if plant_level == "population" else None
        d, p0, p1 = _calibrate(plan, factor, y, grades, np.zeros(plan.n_items), p.delta / 100.0, level)
        elevation[m] += d * factor.direction
        effects.append(PlantedEffect(p.municipality, p.factor, "elevate", None, p.delta, p0, p1, d))
    for w in range(n_w):
        table[w * n_m : (w + 1) * n_m] += elevation
    for k, wc in enumerate(design.wave_changes):
        m, w = design.municipalities.index(wc.municipality), design.waves.index(wc.wave)
        factor = _factor(plan, inst, wc.factor)
        y, grades = _sample(plan, design, frame, w * n_m + m, stream(seed, STREAM_CALIBRATION, 1, k), n)
        d, p0, p1 = _calibrate(plan, factor, y, grades, elevation[m], wc.delta / 100.0)
        table[w * n_m + m] += d * factor.direction
        effects.append(PlantedEffect(wc.municipality, wc.factor, "wave_change", wc.wave, wc.delta, p0, p1, d))
    return table, tuple(effects)
