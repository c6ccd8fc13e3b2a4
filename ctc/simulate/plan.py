"""The instrument compiled into a generation plan: which latent drives each item,
with which loading, through which ordinal thresholds.

Item roles are derived from the instrument, never from item names:

* **scale items** are driven by the latent of the first scale that lists them;
  reversed items load negatively, so that after the format's reversal every item of
  a scale rises with the scale's latent. Categories are ordered by *value*.
* **outcome items** (items only outcomes use) are driven by their outcome group's
  latent; thresholds give each item a prevalence (share with a code at or above the
  outcome's threshold value), the first item of a group the most common. For the
  pairs of a ``recent_without_lifetime`` rule the recent item is the lifetime item's
  latent minus a positive gap, so recent use implies lifetime use. Categories are
  ordered by *code* (the rules compare codes).
* **validity items** (items only validity rules use, e.g. a fictitious drug or an
  honesty question) get answers below the rules' thresholds; invalid respondents
  are made later (see :mod:`ctc.simulate.dirt`).
* other items load weakly on the general trait.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from ..instrument.model import Instrument, ResponseSet, Scale
from ..scoring.plan import ScalePlan, scale_plan
from .model import (
    DOMAINS,
    GENDER_EFFECT,
    OUTCOME_GROUPS,
    OUTCOME_ICC_RANGE,
    OUTCOME_ITEM_PREVALENCE,
    OUTCOME_PREVALENCE,
    OUTCOME_SLOPE,
    ONSET_OF,
    LatentSettings,
    attenuation,
    gender_effect,
    grade_slope,
)

SCALE, OUTCOME, VALIDITY, OTHER = "scale", "outcome", "validity", "other"


@dataclass(frozen=True)
class CodeRuleSpec:
    """An ``any_at_least`` / ``all_at_least`` / ``count_at_least`` rule on item positions."""

    id: str
    rule: str
    items: np.ndarray
    value: int
    count: int = 1


@dataclass(frozen=True)
class PairRuleSpec:
    id: str
    recent: np.ndarray
    lifetime: np.ndarray
    value: int


@dataclass(frozen=True)
class LatentSpec:
    """Per latent (scales first, then outcome groups): the fixed part of ``eta``."""

    sign: np.ndarray  # +1 risk / outcome, -1 protective (orientation on G and domain)
    domain: np.ndarray  # domain index (outcome groups: peer_individual)
    general: np.ndarray  # loading on G
    domain_loading: np.ndarray
    unique: np.ndarray  # loading on the latent's own trait
    slope: np.ndarray  # per grade year
    gender: np.ndarray  # latents × 3 (female, male, diverse)
    sigma_municipality: np.ndarray
    sigma_school: np.ndarray


@dataclass(frozen=True)
class GenPlan:
    item_ids: tuple[str, ...]
    columns: tuple[str, ...]  # source column per item
    role: tuple[str, ...]
    driver: np.ndarray  # row of the driver matrix per item
    weight: np.ndarray  # loading (signed)
    noise: np.ndarray  # sqrt(1 - loading²)
    thresholds: tuple[np.ndarray, ...]  # ascending; category = number of thresholds below y
    codes: tuple[np.ndarray, ...]  # code of each category
    values: tuple[np.ndarray, ...]  # value of each category
    missing_codes: tuple[np.ndarray, ...]
    dtypes: tuple[str, ...]  # pandas nullable integer dtype per item
    lifetime_of: np.ndarray  # for the recent item of a pair: position of its lifetime item, else -1
    section: np.ndarray  # section per item (block skips); -1 = never skipped as a block
    sections: tuple[str, ...]
    latents: LatentSpec
    mu: np.ndarray  # location of each latent (scales calibrated, outcome groups 0)
    n_scales: int
    scales: tuple[ScalePlan, ...]
    scale_primary: np.ndarray  # per scale: does any item have it as driver?
    outcomes: tuple[CodeRuleSpec | None, ...]  # None for scale_flag outcomes
    outcome_scale: tuple[int, ...]  # scale position for scale_flag outcomes, else -1
    code_rules: tuple[CodeRuleSpec, ...]  # validity rules on codes
    pair_rules: tuple[PairRuleSpec, ...]
    missing_rules: tuple[tuple[str, float], ...]  # (id, share) of missing_share_above rules
    validity_ids: tuple[str, ...]
    validity: tuple[tuple[str, CodeRuleSpec | PairRuleSpec | float | None], ...]  # (rule type, spec) per rule
    target_rate: np.ndarray  # per scale: % flagged aimed at by the location calibration
    alpha_target: np.ndarray  # per scale: Cronbach's alpha aimed at by the loading calibration
    grades: tuple[int, ...]
    mid_grade: float
    gap: tuple[float, float]  # recent = lifetime - (gap0 + gap1*|z|)
    onset: tuple[tuple[int, int], ...] = ()  # (age-of-onset item, its lifetime-use item) positions

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def n_latents(self) -> int:
        return len(self.mu)

    @property
    def n_drivers(self) -> int:
        return self.n_latents + 2  # + general trait G + a zero row

    @property
    def general_row(self) -> int:
        return self.n_latents

    @property
    def zero_row(self) -> int:
        return self.n_latents + 1

    def code_below(self, j: int, value: int) -> int | None:
        """The largest code of item ``j`` below ``value`` (None if there is none)."""
        below = self.codes[j][self.codes[j] < value]
        return int(below.max()) if below.size else None

    def codes_at_least(self, j: int, value: int) -> np.ndarray:
        return np.sort(self.codes[j][self.codes[j] >= value])


def _param_rng(settings: LatentSettings, key: str) -> np.random.Generator:
    """A generator for one scale's or item's population parameters: stable under edits elsewhere."""
    return np.random.default_rng([settings.population_seed, zlib.crc32(key.encode("utf-8"))])


def _value_order(rs: ResponseSet) -> tuple[np.ndarray, np.ndarray]:
    codes = sorted(rs.codes, key=lambda c: (rs.value_of(c), c))
    return np.array(codes, dtype=np.int64), np.array([rs.value_of(c) for c in codes])


def _code_order(rs: ResponseSet) -> tuple[np.ndarray, np.ndarray]:
    codes = sorted(rs.codes)
    return np.array(codes, dtype=np.int64), np.array([rs.value_of(c) for c in codes])


def _dtype(rs: ResponseSet) -> str:
    every = [*rs.codes, *rs.missing]
    lo, hi = min(every), max(every)
    for name, bits in (("Int8", 8), ("Int16", 16), ("Int32", 32)):
        if -(2 ** (bits - 1)) <= lo and hi < 2 ** (bits - 1):
            return name
    return "Int64"


def _thresholds_from_probs(probs: np.ndarray) -> np.ndarray:
    cum = np.cumsum(probs)[:-1]
    out = np.where(cum >= 1.0 - 1e-12, np.inf, ndtri(np.clip(cum, 1e-12, 1.0)))
    out[cum <= 1e-12] = -np.inf
    return out


def _geometric(n: int, ratio: float) -> np.ndarray:
    w = ratio ** np.arange(n)
    return w / w.sum()


def _outcome_probs(codes: np.ndarray, value: int, prevalence: float) -> np.ndarray:
    below = int((codes < value).sum())
    above = len(codes) - below
    probs = np.zeros(len(codes))
    if below == 0:
        probs[:] = _geometric(len(codes), 0.55)
        return probs
    if above == 0:
        probs[:below] = _geometric(below, 0.3)
        return probs
    probs[:below] = (1.0 - prevalence) * _geometric(below, 0.3)
    probs[below:] = prevalence * _geometric(above, 0.55)
    return probs


def _mental_health_scales(inst: Instrument) -> set[str]:
    return {o.scale for o in inst.outcomes if o.rule == "scale_flag" and o.group == "mental_health"}


def _latents(inst: Instrument, settings: LatentSettings) -> tuple[LatentSpec, np.ndarray, np.ndarray]:
    """Latent parameters for scales then outcome groups; also per-scale target rate and alpha."""
    mental = _mental_health_scales(inst)
    a, b = settings.general_loading, settings.domain_loading
    rows: list[tuple[float, ...]] = []
    genders: list[tuple[float, float, float]] = []
    targets, alphas = [], []
    for s in inst.scales:
        rng = _param_rng(settings, f"scale:{s.id}")
        lo, hi = settings.risk_rate_range if s.kind == "risk" else settings.protective_rate_range
        targets.append(rng.uniform(lo, hi))
        alphas.append(rng.uniform(*settings.alpha_range))
        icc = rng.uniform(*settings.school_icc_range)
        between = icc / (1.0 - icc)
        is_mh = s.id in mental
        rows.append((
            1.0 if s.kind == "risk" else -1.0,
            DOMAINS.index(s.domain),
            a,
            b,
            float(np.sqrt(1.0 - a * a - b * b)),
            grade_slope(s.kind, s.domain, is_mh),
            float(np.sqrt(between * settings.municipality_share)),
            float(np.sqrt(between * (1.0 - settings.municipality_share))),
        ))
        genders.append(gender_effect(s.kind, s.domain, is_mh))
    ao, bo = 0.45, 0.35
    for g in OUTCOME_GROUPS:
        rng = _param_rng(settings, f"outcome-group:{g}")
        icc = rng.uniform(*OUTCOME_ICC_RANGE)
        between = icc / (1.0 - icc)
        rows.append((
            1.0,
            DOMAINS.index("peer_individual"),
            ao,
            bo,
            float(np.sqrt(1.0 - ao * ao - bo * bo)),
            OUTCOME_SLOPE[g],
            float(np.sqrt(between * settings.municipality_share)),
            float(np.sqrt(between * (1.0 - settings.municipality_share))),
        ))
        genders.append(GENDER_EFFECT[("outcome", g)])
    arr = np.array(rows, dtype=np.float64)
    spec = LatentSpec(
        sign=arr[:, 0],
        domain=arr[:, 1].astype(np.intp),
        general=arr[:, 2],
        domain_loading=arr[:, 3],
        unique=arr[:, 4],
        slope=arr[:, 5],
        gender=np.array(genders, dtype=np.float64),
        sigma_municipality=arr[:, 6],
        sigma_school=arr[:, 7],
    )
    return spec, np.array(targets), np.array(alphas)


def _loading(inst: Instrument, s: Scale, alpha: float) -> float:
    """The item loading that gives roughly Cronbach's ``alpha`` for this scale."""
    k = len(s.items)
    if k < 2:
        return 0.8
    r = alpha / (k - (k - 1) * alpha)  # mean inter-item correlation for the target alpha
    att = float(np.mean([attenuation(len(inst.response_set_of(i).codes)) for i in s.items]))
    return float(np.sqrt(np.clip(r / att, 0.15, 0.85)))


def _first_outcome(inst: Instrument) -> dict[str, tuple[str, int]]:
    """Item → (outcome group, threshold value) of the first code-rule outcome using it."""
    out: dict[str, tuple[str, int]] = {}
    for o in inst.outcomes:
        if o.rule == "scale_flag":
            continue
        for item in o.items:
            out.setdefault(item, (o.group, o.value))
    return out


@dataclass(frozen=True)
class _Roles:
    """Which part of the instrument uses each item (see the module docstring)."""

    primary: dict[str, int]  # scale item → position of the first scale listing it
    orient: dict[str, float]  # scale item → -1 if reversed in that scale
    loadings: list[float]  # per scale
    outcome_of: dict[str, tuple[str, int]]  # outcome item → (group, threshold value)
    lifetime: dict[str, str]  # recent item → its lifetime item
    validity_value: dict[str, int]  # validity item → lowest threshold of the rules using it

    @classmethod
    def of(cls, inst: Instrument, alphas: np.ndarray) -> _Roles:
        primary: dict[str, int] = {}
        orient: dict[str, float] = {}
        for k, s in enumerate(inst.scales):
            for item in s.items:
                if item not in primary:
                    primary[item], orient[item] = k, (-1.0 if item in s.reverse else 1.0)
        validity_value: dict[str, int] = {}
        for rule in inst.validity:
            if rule.rule in ("any_at_least", "all_at_least", "count_at_least"):
                for item in rule.items:
                    validity_value[item] = min(validity_value.get(item, rule.value), rule.value)
        return cls(
            primary=primary,
            orient=orient,
            loadings=[_loading(inst, s, a) for s, a in zip(inst.scales, alphas)],
            outcome_of=_first_outcome(inst),
            lifetime={r: life for rule in inst.validity if rule.rule == "recent_without_lifetime" for r, life in rule.pairs},
            validity_value=validity_value,
        )


@dataclass(frozen=True)
class _ItemSpec:
    role: str
    driver: int
    weight: float
    thresholds: np.ndarray
    codes: np.ndarray
    values: np.ndarray
    section: str | None  # block-skip section; None = never skipped as part of a block


def _scale_item(inst: Instrument, item_id: str, rs: ResponseSet, roles: _Roles, rng: np.random.Generator) -> _ItemSpec:
    k = roles.primary[item_id]
    codes, values = _value_order(rs)
    thr = ndtri(np.arange(1, len(codes)) / len(codes)) + rng.normal(0.0, 0.3)
    return _ItemSpec(SCALE, k, roles.orient[item_id] * roles.loadings[k], thr, codes, values, inst.scales[k].domain)


def _outcome_item(item_id: str, rs: ResponseSet, roles: _Roles, rank: int, n_scales: int, settings: LatentSettings, rng: np.random.Generator) -> _ItemSpec:
    group, value = roles.outcome_of[item_id]
    codes, values = _code_order(rs)
    p0, decay, floor = OUTCOME_PREVALENCE[group]
    prevalence = max(floor, p0 * decay**rank) * float(np.exp(rng.normal(0.0, 0.15)))
    if item_id in OUTCOME_ITEM_PREVALENCE:  # calibrated to published figures (docs/simulate.md)
        prevalence = OUTCOME_ITEM_PREVALENCE[item_id]
    thr = _thresholds_from_probs(_outcome_probs(codes, value, min(prevalence, 0.9)))
    driver = n_scales + OUTCOME_GROUPS.index(group)
    return _ItemSpec(OUTCOME, driver, settings.outcome_loading, thr, codes, values, f"outcomes:{group}")


def _validity_item(item_id: str, rs: ResponseSet, roles: _Roles, zero_row: int) -> _ItemSpec:
    codes, values = _code_order(rs)
    below = int((codes < roles.validity_value[item_id]).sum())
    probs = np.zeros(len(codes))
    if below:
        probs[:below] = _geometric(below, 0.35)
    else:  # every code triggers the rule: nothing a valid respondent could answer
        probs[:] = 1.0 / len(codes)
    return _ItemSpec(VALIDITY, zero_row, 0.0, _thresholds_from_probs(probs), codes, values, None)


def _other_item(rs: ResponseSet, general_row: int) -> _ItemSpec:
    codes, values = _value_order(rs)
    return _ItemSpec(OTHER, general_row, 0.4, ndtri(np.arange(1, len(codes)) / len(codes)), codes, values, "other")


def _item_specs(inst: Instrument, settings: LatentSettings, roles: _Roles, n_latents: int) -> list[_ItemSpec]:
    specs: list[_ItemSpec] = []
    rank = {g: 0 for g in OUTCOME_GROUPS}
    for item in inst.items:
        rs = inst.response_sets[item.response_set]
        rng = _param_rng(settings, f"item:{item.id}")
        if item.id in roles.primary:
            specs.append(_scale_item(inst, item.id, rs, roles, rng))
        elif item.id in roles.outcome_of:
            group = roles.outcome_of[item.id][0]
            specs.append(_outcome_item(item.id, rs, roles, rank[group], len(inst.scales), settings, rng))
            if item.id not in roles.lifetime:  # a recent item takes its lifetime item's prevalence
                rank[group] += 1
        elif item.id in roles.validity_value:
            specs.append(_validity_item(item.id, rs, roles, n_latents + 1))
        else:
            specs.append(_other_item(rs, n_latents))
    return specs


def _rule_specs(inst: Instrument, pos: dict[str, int]) -> tuple[tuple[CodeRuleSpec, ...], tuple[PairRuleSpec, ...]]:
    def at(ids: tuple[str, ...] | list[str]) -> np.ndarray:
        return np.array([pos[i] for i in ids], dtype=np.intp)

    code_rules = tuple(
        CodeRuleSpec(r.id, r.rule, at(r.items), r.value, getattr(r, "count", 1))
        for r in inst.validity
        if r.rule in ("any_at_least", "all_at_least", "count_at_least")
    )
    pair_rules = tuple(
        PairRuleSpec(r.id, at([a for a, _ in r.pairs]), at([b for _, b in r.pairs]), r.value)
        for r in inst.validity
        if r.rule == "recent_without_lifetime"
    )
    return code_rules, pair_rules


def compile_plan(inst: Instrument, settings: LatentSettings) -> GenPlan:
    """The instrument as a generation plan; scale locations ``mu`` are still 0 (see calibrate)."""
    pos = {it.id: k for k, it in enumerate(inst.items)}
    latents, targets, alphas = _latents(inst, settings)
    n_scales, n_latents = len(inst.scales), len(inst.scales) + len(OUTCOME_GROUPS)
    roles = _Roles.of(inst, alphas)
    specs = _item_specs(inst, settings, roles, n_latents)
    sections = tuple(dict.fromkeys(sp.section for sp in specs if sp.section is not None))
    thresholds = [np.asarray(sp.thresholds, dtype=np.float64) for sp in specs]
    lifetime_of = np.array([pos.get(roles.lifetime.get(i.id, ""), -1) if sp.role == OUTCOME else -1 for i, sp in zip(inst.items, specs)], dtype=np.intp)
    for j in np.flatnonzero(lifetime_of >= 0):  # same codes: the recent item uses the lifetime thresholds
        if np.array_equal(specs[j].codes, specs[lifetime_of[j]].codes):
            thresholds[j] = thresholds[lifetime_of[j]]
    weight = np.array([sp.weight for sp in specs])
    driver = np.array([sp.driver for sp in specs], dtype=np.intp)
    role = tuple(sp.role for sp in specs)
    code_rules, pair_rules = _rule_specs(inst, pos)
    by_id: dict[str, CodeRuleSpec | PairRuleSpec] = {r.id: r for r in (*code_rules, *pair_rules)}
    grades = tuple(sorted(inst.grades))
    scale_pos = {s.id: k for k, s in enumerate(inst.scales)}
    return GenPlan(
        item_ids=tuple(i.id for i in inst.items),
        columns=tuple(i.source_column for i in inst.items),
        role=role,
        driver=driver,
        weight=weight,
        noise=np.sqrt(1.0 - weight**2),
        thresholds=tuple(thresholds),
        codes=tuple(sp.codes for sp in specs),
        values=tuple(sp.values for sp in specs),
        missing_codes=tuple(np.array(sorted(inst.response_sets[i.response_set].missing), dtype=np.int64) for i in inst.items),
        dtypes=tuple(_dtype(inst.response_sets[i.response_set]) for i in inst.items),
        lifetime_of=lifetime_of,
        section=np.array([sections.index(sp.section) if sp.section is not None else -1 for sp in specs], dtype=np.intp),
        sections=sections,
        latents=latents,
        mu=np.zeros(n_latents),
        n_scales=n_scales,
        scales=tuple(scale_plan(inst, pos, s) for s in inst.scales),
        scale_primary=np.array([any(d == k and r == SCALE for d, r in zip(driver, role)) for k in range(n_scales)]),
        outcomes=tuple(
            None if o.rule == "scale_flag" else CodeRuleSpec(o.id, o.rule, np.array([pos[i] for i in o.items], dtype=np.intp), o.value, getattr(o, "count", 1))
            for o in inst.outcomes
        ),
        outcome_scale=tuple(scale_pos[o.scale] if o.rule == "scale_flag" else -1 for o in inst.outcomes),
        code_rules=code_rules,
        pair_rules=pair_rules,
        missing_rules=tuple((r.id, r.share) for r in inst.validity if r.rule == "missing_share_above"),
        validity_ids=tuple(r.id for r in inst.validity),
        validity=tuple((r.rule, by_id.get(r.id, getattr(r, "share", None))) for r in inst.validity),  # type: ignore[misc]
        target_rate=targets,
        alpha_target=alphas,
        grades=grades,
        mid_grade=float(np.mean(grades)),
        gap=(0.5, 0.4),
        onset=tuple((pos[a], pos[b]) for a, b in ONSET_OF.items() if a in pos and b in pos),
    )
