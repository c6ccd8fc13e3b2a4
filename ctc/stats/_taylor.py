"""The computational kernel of :func:`ctc.stats.weighted.domain_proportions` (private).

Notation: w weight, y0 the answer with NaN set to 0, m = 1 where answered; for domain d
and PSU i, T_id = Σ w·y0 and W_id = Σ w·m over the PSU's respondents in d; p̂_d = T_d/W_d.
R survey's Taylor variance of the domain mean is V_d = S_d / W_d² with

    S_d = Σ_h scale_h · [ Σ_i (T_id - p̂_d W_id)² - centre_h · (T_hd - p̂_d W_hd)² / n_h ].

Respondents are grouped into *atoms* (same domain memberships), so every sum is taken once
per atom and added per domain with the small atom → domain matrix. The in-domain rows are
sorted once by (stratum, atom, PSU); every per-indicator sum is then a contiguous
``np.add.reduceat`` over that order (O(rows × indicators), no Python loop over rows or
domains), over *segments* that are

* when every PSU is a single respondent (schools as strata, the big case): the
  (stratum, atom) cells. A PSU total is then one respondent's w·y0, and because y0 and m
  are 0/1 the squares are linear in y0 and m with weights w² (see ``_row_quadratics``);
* otherwise: the (PSU, atom) groups. Σ_i T_id² = Σ_{a,b∈d} Σ_i T_ia T_ib needs the
  products of the group totals of every pair of atoms in the same PSU; they are summed per
  (stratum, atom, atom) and then per (stratum, domain). Groups are few here (schools ×
  atoms), so this costs nothing next to the row sums.

To keep rounding small, sums of squares are expanded around the overall proportion c:
T - p̂W = (T - cW) - (p̂ - c)W. Results below the rounding noise of that expansion are
flushed to 0 (``_stratified_sum``); otherwise SEs agree with a direct two-pass
computation to ~1e-15 relative in ordinary cases and ~1e-13 absolute in near-degenerate
ones (tests/stats/test_weighted_estimates.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from .design import SurveyDesign
from .domains import Domains

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
Sums = tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]

#: relative size below which an expanded sum of squares is rounding noise (see _stratified_sum)
_FLUSH = 1e-12


@dataclass(frozen=True, eq=False)
class Layout:
    """Everything about (design, domains) that does not depend on the indicator values."""

    order: IntArray  # in-domain respondents sorted by (stratum, atom, PSU): the gather order
    weights: FloatArray  # their weights, in that order
    starts: IntArray  # first position of every segment in `order`
    row_psu: bool  # every PSU is one respondent: segments are (stratum, atom) cells
    seg_to_atom: sparse.csr_array  # (A × S)
    atom_to_domain: FloatArray  # (M × A)
    seg_to_hd: sparse.csr_array  # (H·M × S): linear sums per (stratum, domain)
    pair_first: IntArray | None  # pairs of segments in the same PSU; None = only squares
    pair_second: IntArray | None
    pair_to_hd: sparse.csr_array  # (H·M × pairs)
    df: NDArray[np.int64]  # (M,) PSUs - strata among the domain's respondents
    n_strata: int
    n_domains: int


def build_layout(design: SurveyDesign, domains: Domains) -> Layout:
    """Sort the in-domain respondents and prepare the sparse maps segment → (stratum, domain)."""
    rows = np.flatnonzero(domains.atom >= 0)
    atom, psu, stratum = domains.atom[rows], design.psu[rows], design.stratum[rows]
    key = (stratum.astype(np.int64) * domains.membership.shape[0] + atom) * design.n_psus + psu
    order = rows[np.argsort(key, kind="stable")]
    atom, psu, stratum = domains.atom[order], design.psu[order], design.stratum[order]
    row_psu = design.n_psus == design.n
    seg_key = (stratum, atom) if row_psu else (psu, atom)
    starts = _segment_starts(*seg_key)
    seg_atom, seg_stratum, seg_psu = atom[starts], stratum[starts], psu[starts]
    member = domains.membership
    first, second = (None, None) if row_psu else _pairs_within_psu(seg_psu)
    sizes = np.diff(np.r_[starts, order.size])
    pair_h = seg_stratum if first is None else seg_stratum[first]
    pair_a = seg_atom if first is None else seg_atom[first]
    pair_b = seg_atom if second is None else seg_atom[second]
    return Layout(
        order=order,
        weights=design.weights[order],
        starts=starts,
        row_psu=row_psu,
        seg_to_atom=_indicator_matrix(seg_atom, member.shape[0]),
        atom_to_domain=member.T.astype(np.float64),
        seg_to_hd=_to_stratum_domain(seg_stratum, seg_atom, seg_atom, member, design.n_strata),
        pair_first=first,
        pair_second=second,
        pair_to_hd=_to_stratum_domain(pair_h, pair_a, pair_b, member, design.n_strata),
        df=_domain_df(seg_psu, seg_stratum, seg_atom, sizes, member, row_psu),
        n_strata=design.n_strata,
        n_domains=member.shape[1],
    )


def encode(values: NDArray[np.floating], layout: Layout) -> NDArray[np.uint8]:
    """Answers as codes 0/1 (2 = missing), indicator-major, in layout order; rejects other values.

    One pass over the (respondents × indicators) floats; the reordering then moves bytes only.
    """
    return np.ascontiguousarray(answer_codes(values)[layout.order].T)


def answer_codes(values: NDArray[np.floating]) -> NDArray[np.uint8]:
    """1.0 → 1, 0.0 → 0, NaN → 2 (missing), in place of the values; rejects any other value."""
    missing = np.isnan(values)
    one = values == 1.0
    if np.count_nonzero(values == 0.0) + np.count_nonzero(one) + np.count_nonzero(missing) != values.size:
        raise ValueError("indicator values must be 1.0, 0.0 or NaN")
    return one.view(np.uint8) | (missing.view(np.uint8) << 1)


def chunk_sums(codes: NDArray[np.uint8], layout: Layout, design: SurveyDesign) -> Sums:
    """n, n_flagged, Σw, p̂ and V(p̂) per (domain, indicator) for a block of rows of :func:`encode`."""
    k = codes.shape[0]
    stacked = np.empty((2 * k, codes.shape[1]))  # y0 (answer is 1) over m (answered)
    stacked[:k] = codes == 1
    stacked[k:] = codes != 2
    weighted_rows = stacked * layout.weights
    counts = layout.atom_to_domain @ (layout.seg_to_atom @ _segment_sum(stacked, layout.starts))
    weighted = _segment_sum(weighted_rows, layout.starts)
    t_seg, w_seg = weighted[:, :k], weighted[:, k:]
    x_d, n_d = counts[:, :k], counts[:, k:]
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.nan_to_num(t_seg.sum(axis=0) / w_seg.sum(axis=0))
    shape = (layout.n_strata, layout.n_domains, k)
    t_hd = (layout.seg_to_hd @ t_seg).reshape(shape)
    w_hd = (layout.seg_to_hd @ w_seg).reshape(shape)
    t_d, w_d = t_hd.sum(axis=0), w_hd.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(x_d == 0, 0.0, np.where(x_d == n_d, 1.0, t_d / w_d))
    p = np.where(n_d > 0, p, np.nan)
    if layout.row_psu:
        weighted_rows *= layout.weights
        squares = _row_quadratics(_segment_sum(weighted_rows, layout.starts), c, k)
        q = {key: (layout.seg_to_hd @ v).reshape(shape) for key, v in squares.items()}
    else:
        q = _pair_quadratics(t_seg - c * w_seg, w_seg, layout, shape)
    delta = np.nan_to_num(p - c)
    between = (t_hd - c * w_hd - delta * w_hd) ** 2 / np.maximum(design.n_psu, 1)[:, None, None]
    total = _stratified_sum(q, between, delta, design)
    if design.averaged is not None:
        # R lonely.psu="average": × (strata present) / (present non-lonely strata), counted
        # among the strata where the domain has answering respondents (R's subset drops the rest)
        present = w_hd > 0
        n_present = present.sum(axis=0)
        n_ok = n_present - (present & design.averaged[:, None, None]).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            total = np.where(n_ok > 0, total * n_present / np.maximum(n_ok, 1), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where((x_d == 0) | (x_d == n_d), 0.0, total / w_d**2)
    return n_d, x_d, w_d, p, np.where(n_d > 0, var, np.nan)


def _segment_sum(arr: FloatArray, starts: IntArray) -> FloatArray:
    """Sums over contiguous segments of an indicator-major array, as (segments × indicators)."""
    if starts.size == 0:
        return np.zeros((0, arr.shape[0]))
    return np.add.reduceat(arr, starts, axis=1).T


def _row_quadratics(squares: FloatArray, c: FloatArray, k: int) -> dict[str, FloatArray]:
    """Per cell sums of (w(y0 - c·m))², w(y0 - c·m)·w·m, (w·m)² and |w(y0 - c·m)|·w·m.

    With y0, m ∈ {0, 1} and y0 ≤ m these are linear in A = Σw²y0 and B = Σw²m:
    (1-2c)A + c²B, A - cB, B and (1-c)A + c(B - A), since c lies in [0, 1].
    """
    a, b = squares[:, :k], squares[:, k:]
    tt = (1.0 - 2.0 * c) * a + c * c * b
    return {"tt": tt, "tw": a - c * b, "ww": b, "abs_tt": tt, "abs_tw": (1.0 - c) * a + c * (b - a)}


def _pair_quadratics(
    tc: FloatArray, w_seg: FloatArray, layout: Layout, shape: tuple[int, int, int]
) -> dict[str, FloatArray]:
    """Σ_i T'_id², Σ_i T'_id W_id, Σ_i W_id² per (stratum, domain) from (PSU, atom) group totals,
    and the sums of absolute products (``abs_tt``, ``abs_tw``) that bound their rounding error."""
    abs_tc = np.abs(tc)
    q = {
        "tt": _pair_sum(tc, tc, layout),
        "tw": _pair_sum(tc, w_seg, layout),
        "ww": _pair_sum(w_seg, w_seg, layout),
        "abs_tw": _pair_sum(abs_tc, w_seg, layout),
    }
    q["abs_tt"] = q["tt"] if layout.pair_first is None else _pair_sum(abs_tc, abs_tc, layout)
    return {key: value.reshape(shape) for key, value in q.items()}


def _pair_sum(a: FloatArray, b: FloatArray, layout: Layout) -> FloatArray:
    """Σ over ordered pairs of groups in the same PSU of a[g]·b[g'], per (stratum, domain)."""
    if layout.pair_first is None:
        return layout.pair_to_hd @ (a * b)
    return layout.pair_to_hd @ (a[layout.pair_first] * b[layout.pair_second])


def _stratified_sum(
    q: dict[str, FloatArray], between: FloatArray, delta: FloatArray, design: SurveyDesign
) -> FloatArray:
    """S_d = Σ_h scale_h [Σ_i (T_hid - p̂ W_hid)² - centre_h (T_hd - p̂ W_hd)²/n_h] per domain × indicator.

    A result below the rounding noise of the expansion (``_FLUSH`` times the summed
    magnitudes) is a variance that is exactly 0 in exact arithmetic (e.g. a domain inside
    one lonely PSU) and is returned as 0, so that such an SE is 0 and not ~1e-9.
    """
    centre = design.centre[:, None, None]
    terms = q["tt"] - 2.0 * delta * q["tw"] + delta**2 * q["ww"] - centre * between
    magnitude = q["abs_tt"] + 2.0 * np.abs(delta) * q["abs_tw"] + delta**2 * q["ww"] + centre * between
    total = np.einsum("h,hdk->dk", design.scale, terms)
    noise = _FLUSH * np.einsum("h,hdk->dk", design.scale, magnitude)
    return np.where(total > noise, total, 0.0)


# --- layout helpers ----------------------------------------------------------------------------


def _segment_starts(major: IntArray, minor: IntArray) -> IntArray:
    """Positions where the (major, minor) key changes in sorted rows (rows sorted so keys are contiguous)."""
    if major.size == 0:
        return np.zeros(0, dtype=np.intp)
    change = np.r_[True, (major[1:] != major[:-1]) | (minor[1:] != minor[:-1])]
    return np.flatnonzero(change).astype(np.intp)


def _indicator_matrix(codes: IntArray, n_codes: int) -> sparse.csr_array:
    """Sparse (n_codes × len(codes)) 0/1 matrix summing items into their code."""
    return sparse.csr_array(
        (np.ones(codes.size), (codes, np.arange(codes.size))), shape=(n_codes, codes.size)
    )


def _pairs_within_psu(seg_psu: IntArray) -> tuple[IntArray | None, IntArray | None]:
    """All ordered pairs (g, g') of segments (groups) in the same PSU; (None, None) if one group per PSU."""
    by_psu = np.argsort(seg_psu, kind="stable")
    sorted_psu = seg_psu[by_psu]
    block_starts = _segment_starts(sorted_psu, sorted_psu)
    sizes = np.diff(np.r_[block_starts, seg_psu.size])
    if (sizes == 1).all():
        return None, None
    per_group = np.repeat(sizes, sizes)
    first = np.repeat(np.arange(seg_psu.size), per_group)
    offset = np.arange(first.size) - np.repeat(np.cumsum(per_group) - per_group, per_group)
    second = np.repeat(np.repeat(block_starts, sizes), per_group) + offset
    return by_psu[first], by_psu[second]


def _to_stratum_domain(
    stratum: IntArray, atom_a: IntArray, atom_b: IntArray, member: NDArray[np.bool_], n_strata: int
) -> sparse.csr_array:
    """Sparse (H·M × items) summing items (segments or pairs of them) into (stratum, domain) cells.

    An item with atoms (a, b) counts for domain d when both atoms belong to d. Items are
    first collapsed to distinct (stratum, a, b) bins so the domain expansion stays small.
    """
    n_atoms, n_domains = member.shape
    key = (stratum.astype(np.int64) * n_atoms + atom_a) * n_atoms + atom_b
    bins, item_bin = np.unique(key, return_inverse=True)
    b_h, rest = np.divmod(bins, n_atoms * n_atoms)
    b_a, b_b = np.divmod(rest, n_atoms)
    bin_idx, dom = np.nonzero(member[b_a] & member[b_b])
    bin_to_hd = sparse.csr_array(
        (np.ones(bin_idx.size), (b_h[bin_idx] * n_domains + dom, bin_idx)),
        shape=(n_strata * n_domains, bins.size),
    )
    return sparse.csr_array(bin_to_hd @ _indicator_matrix(item_bin.astype(np.intp), bins.size))


def _domain_df(
    seg_psu: IntArray,
    seg_stratum: IntArray,
    seg_atom: IntArray,
    sizes: IntArray,
    member: NDArray[np.bool_],
    row_psu: bool,
) -> NDArray[np.int64]:
    """PSUs minus strata containing at least one respondent of each domain (R ``degf`` of the subset)."""
    if row_psu:  # every respondent is a PSU; segments are (stratum, atom) cells of `sizes` respondents
        n_psus = member.T.astype(np.int64) @ np.bincount(
            seg_atom, weights=sizes, minlength=member.shape[0]
        ).astype(np.int64)
    else:  # segments are (PSU, atom) groups
        n_psus = _units_per_domain(seg_psu, seg_atom, member)
    return (n_psus - _units_per_domain(seg_stratum, seg_atom, member)).astype(np.int64)


def _units_per_domain(unit: IntArray, atom: IntArray, member: NDArray[np.bool_]) -> IntArray:
    """Number of distinct units (PSUs or strata) among (unit, atom) entries that fall in each domain."""
    n_atoms, n_domains = member.shape
    if unit.size == 0:
        return np.zeros(n_domains, dtype=np.intp)
    unit_of, atom_of = np.divmod(np.unique(unit.astype(np.int64) * n_atoms + atom), n_atoms)
    present = np.logical_or.reduceat(member[atom_of], _segment_starts(unit_of, unit_of), axis=0)
    return present.sum(axis=0).astype(np.intp)
