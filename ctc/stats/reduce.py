"""The Taylor estimate of :func:`ctc.stats.domain_proportions` as a reduction over parts.

When every stratum of a design lies wholly inside one part of the respondents (the
whole-file design of a profile: strata are schools or municipalities, and a municipality
is one part), the variance

    S_d = Σ_h scale_h · [ Σ_i (T_hid - p̂_d W_hid)² - centre_h · (T_hd - p̂_d W_hd)² / n_h ]

is a sum over the parts of per-stratum sums, and everything a part contributes fits in a
few (domains × indicators) arrays (:class:`PartSums`): its counts and weighted totals, and
the quadratic terms of its strata expanded around its own proportion c (the part's p̂_d):
with T' = T - cW and δ = p̂_d - c, a part adds Q1 - 2δ·Q2 + δ²·Q3 (Q1 = Σ scale·ΣT'²,
Q2 = Σ scale·ΣT'W, Q3 = Σ scale·ΣW², each less its stratum-mean term). :func:`part_sums`
makes them from a part's rows (its working memory that of its non-empty (PSU, atom)
segments), :func:`combine` adds the parts in the order given. Centring each part at its own
proportion keeps δ small, so the rounding is of the direct kernel's size; the numbers are
not the kernel's bit for bit (the sums are taken in another order: up to about 1e-14
relative seen, tests/stats/test_reduce.py checks 1e-12), so whoever needs identical numbers
computes them through these two functions in the same order (ctc.profile.estimate,
ctc.engine.dask_engine); every call is deterministic (sparse sums and numpy reductions in
a fixed order, no BLAS).

Supported: one-stage designs without a finite-population correction, respondents as PSUs
(``psu=None``: the census design) or PSUs nested in strata, every lonely-PSU rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from .design import DesignError, LonelyPsu, _stratum_factors, _weights
from .domains import Domains
from .weighted import _CHUNK_ELEMENTS, DomainEstimates, _finish

FloatArray = NDArray[np.float64]
#: relative size below which a variance is rounding noise (as ctc.stats._taylor._FLUSH)
_FLUSH = 1e-12


@dataclass(frozen=True, eq=False)
class PartSums:
    """One part's sufficient statistics; arrays are (domains × indicators) unless noted."""

    labels: pd.DataFrame  # the domains (the same in every part)
    n: FloatArray  # answered
    x: FloatArray  # flagged
    t: FloatArray  # Σ w·y
    w: FloatArray  # Σ w over the answered
    c: FloatArray  # the centre of the quadratic terms: t / w (0 where nobody answered)
    q1: FloatArray  # Σ_h scale_h Σ_i T'²        (T' = T - cW, per PSU i)
    q2: FloatArray  # Σ_h scale_h Σ_i T'·W
    q3: FloatArray  # Σ_h scale_h Σ_i W²
    b1: FloatArray  # Σ_h scale_h centre_h T'_h² / n_h   (the stratum totals)
    b2: FloatArray  # Σ_h scale_h centre_h T'_h·W_h / n_h
    b3: FloatArray  # Σ_h scale_h centre_h W_h² / n_h
    m2: FloatArray  # Σ_h scale_h Σ_i |T'|·W (with q1 and q3, the size the flush compares with)
    psus: NDArray[np.int64]  # (domains,) PSUs with a respondent of the domain
    strata: NDArray[np.int64]  # (domains,) strata with one
    present: NDArray[np.int64] | None  # lonely_psu="average": strata where the domain has answers
    present_lonely: NDArray[np.int64] | None  # of them, lonely ones
    n_strata: int
    n_lonely: int  # strata with a single PSU

    @property
    def nbytes(self) -> int:
        return sum(v.nbytes for v in self.__dict__.values() if isinstance(v, np.ndarray))


def part_sums(codes: NDArray[np.uint8], weights: FloatArray | None, stratum: NDArray[np.integer],
              psu: NDArray[np.integer] | None, domains: Domains, lonely_psu: LonelyPsu = "adjust", *,
              by_respondent: bool = False) -> PartSums:
    """A part's :class:`PartSums`. ``codes``: indicators × respondents uint8 (0, 1, 2 = missing;
    respondents × indicators with ``by_respondent``); ``weights`` None: 1 for everybody;
    ``stratum`` and ``psu`` any integer labels (their order is the order the sums are taken
    in); ``psu`` None: every respondent is a PSU. Every stratum must lie wholly in this part."""
    n_rows = stratum.size
    w_all = np.ones(n_rows) if weights is None else _weights(weights)
    atoms, n_dom = domains.membership.shape
    k = codes.shape[1 if by_respondent else 0]
    h_of_row = np.unique(stratum, return_inverse=True)[1].ravel().astype(np.int64)
    n_h = int(h_of_row.max(initial=-1)) + 1
    if psu is None:
        unit_of_row, unit_stratum = h_of_row, np.arange(n_h)
        n_psu = np.bincount(h_of_row, minlength=n_h)
    else:  # PSUs numbered in (stratum, PSU) order, so a stratum's PSUs are contiguous
        psu = np.asarray(psu, dtype=np.int64)
        span = int(psu.max(initial=0)) + 1
        pairs, unit_of_row = np.unique(h_of_row * span + psu, return_inverse=True)
        unit_of_row = unit_of_row.ravel().astype(np.int64)
        unit_stratum = pairs // span
        n_psu = np.bincount(unit_stratum, minlength=n_h)
    scale, centre, lonely = _factors(n_psu, lonely_psu)

    rows = np.flatnonzero(domains.atom >= 0)
    key = unit_of_row[rows] * atoms + domains.atom[rows]
    by_key = np.argsort(key, kind="stable")
    order, key = rows[by_key], key[by_key]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if key.size else np.zeros(0, dtype=np.intp)
    seg_unit, seg_atom = np.divmod(key[starts], atoms)
    w = w_all[order]
    # per (PSU or stratum, atom) segment, only those with respondents: counts, Σw· and
    # (respondents as PSUs) Σw²· of y and m
    seg = np.empty((6 if psu is None else 4, starts.size, k))
    step = max(1, _CHUNK_ELEMENTS // max(order.size, 1))
    for lo in range(0, k, step):
        hi = min(k, lo + step)
        block = codes[order, lo:hi].T if by_respondent else codes[lo:hi, order]
        stacked = np.empty((2 * (hi - lo), order.size))
        stacked[: hi - lo] = block == 1
        stacked[hi - lo:] = block != 2
        for s, values in enumerate([stacked, stacked * w] + ([stacked * (w * w)] if psu is None else [])):
            if starts.size:
                sums = np.add.reduceat(values, starts, axis=1).T
                seg[2 * s, :, lo:hi], seg[2 * s + 1, :, lo:hi] = sums[:, : hi - lo], sums[:, hi - lo:]
    # (unit, domain) pairs with respondents: each the sum of its atoms' segments (sparse maps,
    # so the memory is that of the segments, not units × domains × indicators)
    member = domains.membership
    seg_of, dom_of = np.nonzero(member[seg_atom])
    ud, ud_of = np.unique(seg_unit[seg_of] * n_dom + dom_of, return_inverse=True)
    ud_unit, ud_dom = np.divmod(ud, n_dom)
    to_ud = _map(ud_of.ravel(), seg_of, ud.size, starts.size)
    x_u, n_u, t_u, w_u, *squares = (to_ud @ v for v in seg)
    ud_to_d = _map(ud_dom, np.arange(ud.size), n_dom, ud.size)
    x, n, t, wsum = (ud_to_d @ v for v in (x_u, n_u, t_u, w_u))
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.nan_to_num(t / wsum)
    c_u = c[ud_dom]
    if psu is None:  # y and m are 0/1: the squares are linear in A = Σw²y and B = Σw²m (ctc.stats._taylor)
        a, b = squares
        tt, tw, ww, abs_tw = (1.0 - 2.0 * c_u) * a + c_u * c_u * b, a - c_u * b, b, (1.0 - c_u) * a + c_u * (b - a)
        hd_stratum, hd_dom, t_h, w_h, hd_to_d = ud_unit, ud_dom, t_u, w_u, ud_to_d
    else:  # the PSUs' totals, and the (stratum, domain) totals of them
        tc = t_u - c_u * w_u
        tt, tw, ww, abs_tw = tc * tc, tc * w_u, w_u * w_u, np.abs(tc) * w_u
        hd, hd_of = np.unique(unit_stratum[ud_unit] * n_dom + ud_dom, return_inverse=True)
        hd_stratum, hd_dom = np.divmod(hd, n_dom)
        to_hd = _map(hd_of.ravel(), np.arange(ud.size), hd.size, ud.size)
        t_h, w_h = to_hd @ t_u, to_hd @ w_u
        hd_to_d = _map(hd_dom, np.arange(hd.size), n_dom, hd.size)
    s_u = scale[unit_stratum[ud_unit]][:, None]
    s_h = (scale * centre / np.maximum(n_psu, 1))[hd_stratum][:, None]
    th = t_h - c[hd_dom] * w_h
    present = present_lonely = None
    if lonely_psu == "average":
        has = (w_h > 0).astype(np.float64)
        present = np.rint(hd_to_d @ has).astype(np.int64)
        present_lonely = np.rint(hd_to_d @ (has * lonely[hd_stratum][:, None])).astype(np.int64)
    # PSUs and strata with an in-domain respondent (R degf of the subset), as whole numbers
    if psu is None:
        psus = np.bincount(domains.atom[rows], minlength=atoms).astype(np.int64) @ member.astype(np.int64)
    else:
        psus = np.bincount(ud_dom, minlength=n_dom)
    return PartSums(domains.labels, n, x, t, wsum, c, ud_to_d @ (s_u * tt), ud_to_d @ (s_u * tw), ud_to_d @ (s_u * ww),
                    hd_to_d @ (s_h * th * th), hd_to_d @ (s_h * th * w_h), hd_to_d @ (s_h * w_h * w_h),
                    ud_to_d @ (s_u * abs_tw), psus.astype(np.int64), np.bincount(hd_dom, minlength=n_dom).astype(np.int64),
                    present, present_lonely, n_h, int((n_psu == 1).sum()))


def _map(target: NDArray[np.integer], source: NDArray[np.integer], n_target: int, n_source: int) -> sparse.csr_array:
    """Sparse 0/1 (targets × sources) summing every source into its target (in source order)."""
    return sparse.csr_array((np.ones(source.size), (target, source)), shape=(n_target, n_source))


def _factors(n_psu: NDArray[np.integer], lonely_psu: LonelyPsu) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """scale_h, centre_h (as SurveyDesign.build without fpc) and the lonely strata. A stratum of
    two PSUs is appended for the call: "every stratum lonely" is a property of the whole design,
    checked by :func:`combine`, not of one part."""
    scale, centre = _stratum_factors(np.r_[n_psu, 2], np.ones(n_psu.size + 1), lonely_psu)
    return scale[:-1], centre[:-1], n_psu == 1


def combine(parts: list[PartSums], names: tuple[str, ...], lonely_psu: LonelyPsu = "adjust",
            level: float = 0.95) -> DomainEstimates:
    """:func:`ctc.stats.domain_proportions` (``df="domain"``) of the design whose strata are the
    parts' strata, from the parts' sums added in the order given."""
    if lonely_psu == "average" and sum(p.n_lonely for p in parts) == sum(p.n_strata for p in parts):
        raise DesignError("every stratum has a single PSU, so lonely_psu='average' has nothing to average",
                          hint="Use lonely_psu 'adjust' or 'certainty', or declare fewer strata.")
    n, x, t, w = (_total([getattr(p, key) for p in parts]) for key in ("n", "x", "t", "w"))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(x == 0, 0.0, np.where(x == n, 1.0, t / w))
    p = np.where(n > 0, p, np.nan)
    total, size = np.zeros_like(p), np.zeros_like(p)
    for part in parts:
        d = np.nan_to_num(p - part.c)
        total += (part.q1 - part.b1) - 2.0 * d * (part.q2 - part.b2) + d * d * (part.q3 - part.b3)
        size += part.q1 + 2.0 * np.abs(d) * part.m2 + d * d * part.q3 + np.abs(part.b1 - 2.0 * d * part.b2 + d * d * part.b3)
    total = np.where(total > _FLUSH * size, total, 0.0)
    if lonely_psu == "average":  # R: × (strata present) / (present non-lonely strata), per domain and indicator
        present = _total([q.present for q in parts])
        usable = present - _total([q.present_lonely for q in parts])
        with np.errstate(invalid="ignore", divide="ignore"):
            total = np.where(usable > 0, total * present / np.maximum(usable, 1), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where((x == 0) | (x == n), 0.0, total / w**2)
    var = np.where(n > 0, var, np.nan)
    df = _total([q.psus for q in parts]) - _total([q.strata for q in parts])
    labels = parts[0].labels
    domains = Domains(np.zeros(0, dtype=np.intp), np.ones((1, len(labels)), dtype=bool), labels)
    return _finish(domains, names, n, x, w, p, var, df, level)


def _total(arrays: list[np.ndarray]) -> np.ndarray:
    out = arrays[0].copy()
    for a in arrays[1:]:
        out += a
    return out
