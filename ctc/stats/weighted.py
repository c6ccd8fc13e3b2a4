"""Design-based (weighted, Taylor-linearised) prevalence estimates for many domains × indicators at once.

The numbers equal R ``survey`` 4.1 (see ``tests/oracle``):

* estimate p̂ = Σ w·y / Σ w over the domain's respondents with a non-missing answer
  (``svymean(~y, subset(des, <domain>), na.rm=TRUE)``);
* variance by Taylor linearisation with z_j = w_j (y_j - p̂)/Σw inside the domain and
  0 outside it, *all* PSUs of the design kept (``svyby``/``subset`` semantics), see
  :mod:`ctc.stats.design` for the stratum formula and lonely PSUs;
* degrees of freedom ``df="domain"``: PSUs - strata among the domain's respondents,
  which is what R's ``degf(subset(des, <domain>))`` and therefore ``svyciprop`` and
  ``svyttest`` on a subset use; ``df="design"``: PSUs - strata of the whole design;
* interval ``svyciprop(method="logit")``: logit(p̂) ± t_df · SE/(p̂(1-p̂)), back-transformed.

The sums are computed in :mod:`ctc.stats._taylor` in O(respondents × indicators), with
no Python loop over respondents or domains; indicators are processed in column chunks
to bound memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from . import _taylor
from .design import SurveyDesign
from .domains import Domains

FloatArray = NDArray[np.float64]
DfRule = Literal["domain", "design"]

__all__ = [
    "CiStatus",
    "DomainEstimates",
    "design_t_test_fixed",
    "domain_proportions",
    "logit_interval",
]

#: elements per indicator chunk (rows × indicators); bounds the temporary arrays to ~64 MB each
_CHUNK_ELEMENTS = 1 << 23


class CiStatus(IntEnum):
    """Why a design-based logit interval is or is not available for a (domain, indicator)."""

    OK = 0
    #: no respondent of the domain answered: estimate, SE and CI are NaN
    EMPTY = 1
    #: p̂ is exactly 0 or 1: SE = 0, the logit CI is undefined (NaN); fall back to an exact interval
    BOUNDARY = 2
    #: fewer than 1 degree of freedom (e.g. the domain lies in a single school): CI is NaN
    NO_DF = 3


@dataclass(frozen=True, eq=False)
class DomainEstimates:
    """Estimates for every (domain, indicator); arrays are (domains × indicators) unless noted.

    Attributes:
        domains: one row per domain (from :class:`Domains`).
        indicators: indicator names.
        n: respondents in the domain with a non-missing answer.
        n_flagged: of them, respondents with y = 1.
        weight_sum: Σ w over those respondents.
        estimate: weighted proportion p̂.
        se: Taylor-linearisation standard error.
        df: (domains,) degrees of freedom used for the interval.
        ci_low, ci_high: logit interval at ``level``; NaN unless ``ci_status == OK``.
        ci_status: :class:`CiStatus` codes.
        level: confidence level.
    """

    domains: pd.DataFrame
    indicators: tuple[str, ...]
    n: NDArray[np.int64]
    n_flagged: NDArray[np.int64]
    weight_sum: FloatArray
    estimate: FloatArray
    se: FloatArray
    df: NDArray[np.int64]
    ci_low: FloatArray
    ci_high: FloatArray
    ci_status: NDArray[np.int8]
    level: float

    def to_frame(self) -> pd.DataFrame:
        """Long format: the domain label columns, ``indicator``, then one column per statistic."""
        n_dom, n_ind = self.estimate.shape
        out = self.domains.iloc[np.repeat(np.arange(n_dom), n_ind)].reset_index(drop=True)
        out["indicator"] = np.tile(np.asarray(self.indicators, dtype=object), n_dom)
        for name in ("n", "n_flagged", "weight_sum", "estimate", "se"):
            out[name] = getattr(self, name).ravel()
        out["df"] = np.repeat(self.df, n_ind)
        out["ci_low"] = self.ci_low.ravel()
        out["ci_high"] = self.ci_high.ravel()
        labels = pd.Index([status.name.lower() for status in CiStatus])
        out["ci_status"] = pd.Categorical.from_codes(self.ci_status.ravel(), categories=labels)
        return out


def domain_proportions(
    y: ArrayLike | pd.DataFrame,
    design: SurveyDesign,
    domains: Domains,
    *,
    level: float = 0.95,
    df: DfRule = "domain",
    indicators: tuple[str, ...] | None = None,
) -> DomainEstimates:
    """Weighted prevalence, SE, df and logit CI of every indicator in every domain.

    Args:
        y: (respondents × indicators) values 1.0 (at risk), 0.0 or NaN (missing; the
            respondent leaves the domain for that indicator only, its PSU stays in the
            design, as R ``na.rm=TRUE``). A DataFrame gives the indicator names.
        design: the design of these respondents (e.g. one municipality).
        domains: domain membership; domains may overlap.
        level: confidence level of the intervals.
        df: ``"domain"`` (R ``svyciprop`` on a subset, default) or ``"design"``.
        indicators: names, when ``y`` is not a DataFrame.
    """
    values, names = _indicator_matrix(y, indicators)
    if values.shape[0] != design.n or domains.n != design.n:
        raise ValueError(f"y has {values.shape[0]} rows, design {design.n}, domains {domains.n}")
    if df not in ("domain", "design"):
        raise ValueError(f"df must be 'domain' or 'design', got {df!r}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level!r}")
    return _proportions(lambda layout: _taylor.encode(values, layout), names, design, domains, level, df)


def coded_domain_proportions(
    codes: NDArray[np.uint8],
    design: SurveyDesign,
    domains: Domains,
    *,
    level: float = 0.95,
    df: DfRule = "domain",
    indicators: tuple[str, ...],
    by_respondent: bool = False,
) -> DomainEstimates:
    """:func:`domain_proportions` of answers given as codes, indicator-major (indicators ×
    respondents uint8: 0, 1, 2 = missing — what :func:`ctc.stats._taylor.encode` makes of
    0.0, 1.0, NaN): a quarter of the memory of float32 answers, the same numbers bit for bit.
    ``by_respondent``: the codes are respondents × indicators instead."""
    n = codes.shape[0 if by_respondent else 1]
    if n != design.n or domains.n != design.n:
        raise ValueError(f"codes have {n} respondents, design {design.n}, domains {domains.n}")
    if by_respondent:  # as encode() orders them: rows gathered, then indicator-major
        return _proportions(lambda layout: np.ascontiguousarray(codes[layout.order].T), tuple(indicators), design,
                            domains, level, df)
    return _proportions(lambda layout: codes[:, layout.order], tuple(indicators), design, domains, level, df)


def _proportions(encode, names, design, domains, level, df) -> DomainEstimates:
    layout = _taylor.build_layout(design, domains)
    codes = encode(layout)
    step = max(1, _CHUNK_ELEMENTS // max(layout.order.size, 1))
    parts = [
        _taylor.chunk_sums(codes[start : start + step], layout, design)
        for start in range(0, codes.shape[0], step)
    ]
    n, flagged, wsum, est, var = (np.concatenate(arrs, axis=1) for arrs in zip(*parts, strict=True))
    if design.second_stage is not None:  # two-stage design: add the within-PSU stage (R multistage)
        stage2 = design.second_stage
        layout2 = _taylor.build_layout(stage2, domains)
        codes2 = encode(layout2)
        var2 = np.concatenate([_taylor.chunk_sums(codes2[s : s + step], layout2, stage2)[4]
                               for s in range(0, codes2.shape[0], step)], axis=1)
        var = var + var2
    dfs = layout.df if df == "domain" else np.full(layout.n_domains, design.df, dtype=np.int64)
    return _finish(domains, names, n, flagged, wsum, est, var, dfs, level)


def logit_interval(
    estimate: ArrayLike, se: ArrayLike, df: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """``svyciprop(method="logit")``: expit(logit(p̂) ± t_{df,1-α/2}·SE/(p̂(1-p̂))).

    NaN where p̂ is 0, 1 or NaN, the SE is NaN, or df < 1.
    """
    p, s, d = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (estimate, se, df)))
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = (p > 0.0) & (p < 1.0) & (d >= 1.0) & np.isfinite(s)
        tq = _t_quantile(0.5 + level / 2.0, np.where(ok, d, 1.0))
        half = tq * s / (p * (1.0 - p))
        centre = special.logit(np.where(ok, p, 0.5))
    low = np.where(ok, special.expit(centre - half), np.nan)
    high = np.where(ok, special.expit(centre + half), np.nan)
    return low, high


def _t_quantile(q: float, df: FloatArray) -> FloatArray:
    """``stats.t.ppf(q, df)`` evaluated once per distinct df (a domain's df is shared by all its
    indicators: a few dozen values among thousands of cells), the same numbers."""
    if df.size <= 1:
        return stats.t.ppf(q, df)
    distinct, inverse = np.unique(df, return_inverse=True)
    return stats.t.ppf(q, distinct)[inverse.reshape(df.shape)]


def design_t_test_fixed(
    estimate: ArrayLike, se: ArrayLike, design_df: ArrayLike, p0: ArrayLike
) -> FloatArray:
    """Two-sided p of the design-based t-test of p̂ against a fixed baseline p0.

    t = (p̂ - p0)/SE with ``design_df - 1`` degrees of freedom, exactly R
    ``svyttest(I(y - p0) ~ 0, subset(des, <domain>), na.rm=TRUE)`` when ``design_df``
    is the domain df returned by :func:`domain_proportions`. NaN when SE is 0 or NaN
    (p̂ = 0 or 1: use an exact or score test instead) or when ``design_df - 1 < 1``.
    """
    p, s, d, b = np.broadcast_arrays(
        *(np.asarray(a, dtype=np.float64) for a in (estimate, se, design_df, p0))
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = np.isfinite(p) & (s > 0.0) & (d - 1.0 >= 1.0) & np.isfinite(b)
        t = (p - b) / np.where(ok, s, 1.0)
        pval = 2.0 * stats.t.sf(np.abs(t), np.where(ok, d - 1.0, 1.0))
    return np.where(ok, pval, np.nan)


# --- input --------------------------------------------------------------------------------


def _indicator_matrix(
    y: ArrayLike | pd.DataFrame, names: tuple[str, ...] | None
) -> tuple[NDArray[np.floating], tuple[str, ...]]:
    """The indicator values as a 2-D float array (float32 input is kept as is) and their names."""
    if isinstance(y, pd.DataFrame):
        values = y.to_numpy(dtype=np.float64, na_value=np.nan)
        found = tuple(str(c) for c in y.columns)
    else:
        values = np.asarray(y)
        values = values if np.issubdtype(values.dtype, np.floating) else values.astype(np.float64)
        values = values.reshape(-1, 1) if values.ndim == 1 else values
        found = tuple(f"y{i}" for i in range(values.shape[1])) if values.ndim == 2 else ()
    if values.ndim != 2 or values.shape[1] == 0:
        raise ValueError("y must be 2-D (respondents × indicators) with at least one indicator")
    chosen = tuple(names) if names is not None else found
    if len(chosen) != values.shape[1]:
        raise ValueError(f"{len(chosen)} indicator names for {values.shape[1]} columns")
    return values, chosen


def _finish(
    domains: Domains,
    names: tuple[str, ...],
    n: FloatArray,
    flagged: FloatArray,
    wsum: FloatArray,
    est: FloatArray,
    var: FloatArray,
    dfs: NDArray[np.int64],
    level: float,
) -> DomainEstimates:
    se = np.sqrt(var)
    low, high = logit_interval(est, se, dfs[:, None], level)
    status = np.select(
        [n == 0, (flagged == 0) | (flagged == n), np.broadcast_to(dfs[:, None] < 1, n.shape)],
        [CiStatus.EMPTY, CiStatus.BOUNDARY, CiStatus.NO_DF],
        CiStatus.OK,
    ).astype(np.int8)
    return DomainEstimates(
        domains=domains.labels,
        indicators=names,
        n=np.rint(n).astype(np.int64),
        n_flagged=np.rint(flagged).astype(np.int64),
        weight_sum=wsum,
        estimate=est,
        se=se,
        df=dfs,
        ci_low=low,
        ci_high=high,
        ci_status=status,
        level=level,
    )
