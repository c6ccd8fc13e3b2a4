"""Which cells a profile publishes, and their lines as a network (:mod:`ctc.release.network`).

A profile publishes, for every municipality and for the whole file (municipality
``all``; only when the file has more than one municipality):

* each grade with genders pooled, and all grades pooled;
* each gender of the instrument with grades pooled.

Grade × gender cross-cells are not published: nobody reads them in a board meeting,
they are where the small groups are, and every extra cross-classification gives an
attacker more equations (``shared/domain/disclosure.md``: "publish what readers use").

Respondents whose gender is not one of the instrument's genders (missing or an
unexpected code) are counted in the pooled cells only; inside each municipality they
form an unpublished *remainder* cell of the gender line, which the protection treats
like any hidden cell — if it is small, it is protected too.

The lines form a network with one node per line::

    S --(all, g)--> G_g --(m, g)--> M_m --(m, all)--> M'_m --(m, s)--> H_s --(all, s)--> K --(all, all)--> S

(the grades of m add up at M_m, its genders at M'_m, the municipalities of a grade
at G_g and of a gender at H_s, and the whole file's grades and genders at S and K).
The screening table has the same shape without genders.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .network import Network

ALL = "all"
#: the gender "not one of the instrument's genders" (never published)
REMAINDER = "\x00remainder"


@dataclass(frozen=True)
class Cells:
    """The cells of one family of tables (every indicator has the same cells).

    keys: one row per cell (municipality, grade, gender), remainder cells included.
    published: False for cells that exist only for the attacker (remainders; the
        whole-file cells when the file has one municipality).
    network: the cells' lines.
    cost: what hiding a cell costs (totals are dearer than parts).
    """

    keys: pd.DataFrame
    published: np.ndarray
    network: Network
    cost: np.ndarray


def _nodes(munis: list[str], grades: list[str], genders: list[str]) -> dict[tuple[str, str], int]:
    names = [("S", ""), ("K", "")] + [("G", g) for g in grades] + [("M", m) for m in munis]
    names += [("M'", m) for m in munis] + [("H", s) for s in genders]
    return {name: k for k, name in enumerate(names)}


def build_cells(munis: list[str], grades: list[str], genders: list[str], *, whole: bool) -> Cells:
    """Cells and network for municipalities × grades (× genders, when given).

    ``genders`` should end with :data:`REMAINDER` when respondents can lack a gender;
    ``whole``: publish the whole-file cells (municipality ``all``).
    """
    node = _nodes(munis, grades, genders)
    rows: list[tuple[str, str, str, int, int, bool, float]] = []
    gender_all = ALL
    for m in munis:
        for g in grades:
            rows.append((m, g, gender_all, node[("G", g)], node[("M", m)], True, 1.0))
        if genders:
            rows.append((m, ALL, gender_all, node[("M", m)], node[("M'", m)], True, 20.0))
            for s in genders:
                rows.append((m, ALL, s, node[("M'", m)], node[("H", s)], s != REMAINDER, 1.0))
        else:
            rows.append((m, ALL, gender_all, node[("M", m)], node[("K", "")], True, 20.0))
    for g in grades:
        rows.append((ALL, g, gender_all, node[("S", "")], node[("G", g)], whole, 5.0))
    if genders:
        for s in genders:
            rows.append((ALL, ALL, s, node[("H", s)], node[("K", "")], whole and s != REMAINDER, 5.0))
    rows.append((ALL, ALL, gender_all, node[("K", "")], node[("S", "")], whole, 1000.0))
    keys = pd.DataFrame([r[:3] for r in rows], columns=["municipality", "grade", "gender"])
    tail = np.array([r[3] for r in rows], dtype=np.int64)
    head = np.array([r[4] for r in rows], dtype=np.int64)
    published = np.array([r[5] for r in rows], dtype=bool)
    cost = np.array([r[6] for r in rows], dtype=np.float64)
    return Cells(keys, published, Network(tail, head, len(node)), cost)
