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
makes them from a part's rows, :func:`combine` adds the parts in the order given. Centring
each part at its own proportion keeps δ small, so the rounding is that of the direct
kernel (a few 1e-16 relative); the numbers are not the kernel's bit for bit (its sums are
taken in another order), so whoever needs identical numbers computes them through these
two functions in the same order (ctc.profile.estimate, ctc.engine.dask_engine).

Supported: one-stage designs without a finite-population correction, respondents as PSUs
(``psu=None``: the census design) or PSUs nested in strata, every lonely-PSU rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

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
    n_units = unit_stratum.size

    rows = np.flatnonzero(domains.atom >= 0)
    key = unit_of_row[rows] * atoms + domains.atom[rows]
    order = rows[np.argsort(key, kind="stable")]
    key = key[np.argsort(key, kind="stable")]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if key.size else np.zeros(0, dtype=np.intp)
    seg_unit, seg_atom = np.divmod(key[starts], atoms)
    w = w_all[order]
    # per (PSU or stratum, atom) segment: counts, Σw·, and (respondents as PSUs) Σw²· of y and m
    cells = np.zeros((6 if psu is None else 4, n_units, atoms, k))
    step = max(1, _CHUNK_ELEMENTS // max(order.size, 1))
    for lo in range(0, k, step):
        hi = min(k, lo + step)
        block = codes[order, lo:hi].T if by_respondent else codes[lo:hi, order]
        stacked = np.empty((2 * (hi - lo), order.size))
        stacked[: hi - lo] = block == 1
        stacked[hi - lo:] = block != 2
        sums = [stacked, stacked * w] + ([stacked * (w * w)] if psu is None else [])
        for s, values in enumerate(sums):
            seg = np.add.reduceat(values, starts, axis=1).T if starts.size else np.zeros((0, 2 * (hi - lo)))
            cells[2 * s, seg_unit, seg_atom, lo:hi] = seg[:, : hi - lo]
            cells[2 * s + 1, seg_unit, seg_atom, lo:hi] = seg[:, hi - lo:]
    member = domains.membership
    # (…, units, domains, k): each domain the sum of its atoms, added in atom order
    by_dom = np.stack([cells[:, :, member[:, d], :].sum(axis=2) for d in range(n_dom)], axis=2)
    x_u, n_u, t_u, w_u = by_dom[0], by_dom[1], by_dom[2], by_dom[3]
    x, n, t, wsum = x_u.sum(axis=0), n_u.sum(axis=0), t_u.sum(axis=0), w_u.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.nan_to_num(t / wsum)
    if psu is None:  # y and m are 0/1: the squares are linear in A = Σw²y and B = Σw²m (ctc.stats._taylor)
        a, b = by_dom[4], by_dom[5]
        tt, tw, ww, abs_tw = (1.0 - 2.0 * c) * a + c * c * b, a - c * b, b, (1.0 - c) * a + c * (b - a)
        t_h, w_h = t_u, w_u
    else:
        tc = t_u - c * w_u
        tt, tw, ww, abs_tw = tc * tc, tc * w_u, w_u * w_u, np.abs(tc) * w_u
        first = np.flatnonzero(np.r_[True, unit_stratum[1:] != unit_stratum[:-1]]) if n_units else np.zeros(0, int)
        tt, tw, ww, abs_tw, t_h, w_h = (np.add.reduceat(v, first, axis=0) if n_units else v[:0]
                                        for v in (tt, tw, ww, abs_tw, t_u, w_u))
    s3 = scale[:, None, None]
    sc = (scale * centre / np.maximum(n_psu, 1))[:, None, None]
    th = t_h - c * w_h
    present = present_lonely = None
    if lonely_psu == "average":
        has = w_h > 0
        present, present_lonely = has.sum(axis=0), (has & lonely[:, None, None]).sum(axis=0)
    # PSUs and strata with an in-domain respondent (R degf of the subset), as whole numbers
    in_atom = np.zeros((n_units, atoms), dtype=bool)
    in_atom[seg_unit, seg_atom] = True
    unit_in = (in_atom.astype(np.int64) @ member.astype(np.int64)) > 0  # units × domains
    if psu is None:
        psus = np.bincount(domains.atom[rows], minlength=atoms).astype(np.int64) @ member.astype(np.int64)
        strata_in = unit_in
    else:
        psus = unit_in.sum(axis=0).astype(np.int64)
        strata_in = np.zeros((n_h, n_dom), dtype=bool)
        np.logical_or.at(strata_in, unit_stratum, unit_in)
    return PartSums(domains.labels, n, x, t, wsum, c, (s3 * tt).sum(axis=0), (s3 * tw).sum(axis=0),
                    (s3 * ww).sum(axis=0), (sc * th * th).sum(axis=0), (sc * th * w_h).sum(axis=0),
                    (sc * w_h * w_h).sum(axis=0), (s3 * abs_tw).sum(axis=0), psus.astype(np.int64),
                    strata_in.sum(axis=0).astype(np.int64), present, present_lonely, n_h, int((n_psu == 1).sum()))


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
