"""Estimation domains (subpopulations), possibly overlapping, in a compact form.

Respondents are grouped into *atoms*: sets of respondents that belong to exactly the
same domains (for grade × gender profiles, an atom is a grade × gender cell). A
:class:`Domains` is then an atom code per respondent plus a small boolean matrix
atom → domain, so pooled domains ("grade 8, all genders", "all grades, all genders")
cost nothing extra: every sum is taken once per atom and added up per domain.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]

__all__ = ["Domains"]


@dataclass(frozen=True, eq=False)
class Domains:
    """Domain membership of every respondent.

    Attributes:
        atom: atom code 0..A-1 per respondent; -1 = the respondent is in no domain.
        membership: (A, M) boolean, ``membership[a, d]`` = atom a belongs to domain d.
        labels: one row per domain (M rows) describing it.
    """

    atom: IntArray
    membership: BoolArray
    labels: pd.DataFrame

    def __post_init__(self) -> None:
        n_atoms, n_domains = self.membership.shape
        if len(self.labels) != n_domains:
            raise ValueError(f"{len(self.labels)} labels for {n_domains} domains")
        if self.atom.size and (self.atom.min() < -1 or self.atom.max() >= n_atoms):
            raise ValueError("atom codes must lie in -1 .. A-1")

    @property
    def n(self) -> int:
        """Number of respondents."""
        return int(self.atom.size)

    @property
    def n_domains(self) -> int:
        return int(self.membership.shape[1])

    @classmethod
    def from_membership(cls, member: ArrayLike, labels: pd.DataFrame | None = None) -> Domains:
        """From an (n, M) boolean matrix: respondent j is in domain d where ``member[j, d]``."""
        mat = np.asarray(member, dtype=bool)
        if mat.ndim != 2:
            raise ValueError("the membership matrix must be 2-D (respondents × domains)")
        packed = np.ascontiguousarray(np.packbits(mat, axis=1))
        keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
        uniq, inverse = np.unique(keys, return_inverse=True)
        table = np.unpackbits(uniq.view(np.uint8).reshape(uniq.size, -1), axis=1, count=mat.shape[1]).astype(
            bool
        )
        atom, table = _drop_empty_atom(inverse.astype(np.intp), table)
        names = labels if labels is not None else pd.DataFrame({"domain": np.arange(mat.shape[1])})
        return cls(atom, table, names.reset_index(drop=True))

    @classmethod
    def crossed(
        cls,
        factors: Mapping[str, ArrayLike],
        *,
        include: ArrayLike | None = None,
        pooled: bool = True,
        all_label: object = "all",
    ) -> Domains:
        """All cross-classifications of the factors, each factor also pooled over its levels.

        ``Domains.crossed({"grade": g, "gender": s})`` gives the domains
        (grade × gender), (grade, all genders), (all grades × gender) and (all, all),
        labelled with ``all_label`` where a factor is pooled; ``pooled=False`` keeps only
        the full cross-classification. Levels are the categories of a pandas
        ``Categorical`` (kept even when empty) or else the sorted observed values.
        A respondent whose factor value is missing belongs only to the domains that
        pool that factor; ``include`` (boolean per respondent) removes respondents
        from every domain.
        """
        cats = [_categorical(v) for v in factors.values()]
        if not cats:
            raise ValueError("at least one factor is needed")
        sizes = [len(c.categories) + 1 for c in cats]  # the last code of each factor = missing value
        codes = [np.where(c.codes < 0, len(c.categories), c.codes) for c in cats]
        cell = np.ravel_multi_index(codes, sizes).astype(np.intp)
        if include is not None:
            cell = np.where(np.asarray(include, dtype=bool), cell, -1)
        choices = [[*range(len(c.categories)), *([-1] if pooled else [])] for c in cats]
        combos = np.array(list(itertools.product(*choices)), dtype=np.intp)  # domains × factors, -1 = pooled
        grid = np.indices(sizes).reshape(len(sizes), -1).T  # atoms × factors
        table = ((combos[None, :, :] < 0) | (grid[:, None, :] == combos[None, :, :])).all(axis=2)
        labels = pd.DataFrame(
            {
                name: [all_label if level < 0 else cat.categories[level] for level in combos[:, f]]
                for f, (name, cat) in enumerate(zip(factors, cats, strict=True))
            }
        )
        atom, table = _drop_empty_atom(cell, table)
        return cls(atom, table, labels)


def _categorical(values: ArrayLike) -> pd.Categorical:
    return values if isinstance(values, pd.Categorical) else pd.Categorical(np.asarray(values))


def _drop_empty_atom(atom: IntArray, table: BoolArray) -> tuple[IntArray, BoolArray]:
    """Drop atoms that belong to no domain; their respondents get code -1."""
    empty = ~table.any(axis=1)
    if not empty.any():
        return atom, table
    new_code = np.append(np.cumsum(~empty) - 1, -1)  # index -1 (already excluded) stays -1
    new_code[:-1][empty] = -1
    return new_code[atom].astype(np.intp), table[~empty]
