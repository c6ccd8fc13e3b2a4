"""Published count tables as flows in a network, and the attacker's intervals on them.

Every table ``ctc`` publishes is a set of *lines*: parts that add up to a total
(the grades of a municipality add up to the municipality, the municipalities of a
grade add up to the whole file, ...). The lines of a profile — municipality × grade
and municipality × gender, sharing the municipality totals — are exactly the
conservation laws of a circulation in a small network (:mod:`ctc.release.cells`
builds it): every cell is an edge, every line is a node. For one indicator the
flagged counts ``x`` are a flow with ``0 <= x <= n`` on every edge.

An attacker who knows every shown cell (and, conservatively, every group size
``n``) can move flow only around cycles of *hidden* edges. So the largest increase of a
hidden cell's count is the maximum flow from its head back to its tail through the
residual network of the other hidden edges, and the largest decrease the maximum
flow the other way (Ford–Fulkerson; the network matrix is totally unimodular, so these
are the exact integer bounds the attacker's integer program would find).

Secondary suppression follows the network heuristic of Castro (2002), which τ-ARGUS
implements as its "network" method for two-dimensional tables: for every sensitive
cell whose protection is short, the cheapest path of further cells that closes a
cycle with enough capacity is hidden (a shortest path with hidden cells free), until
every sensitive cell meets its protection level. Hiding more cells only widens the
attacker's intervals, so the loop ends, and the audit of the final pattern is
repeated from scratch before anything is written (:func:`shortfalls`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse import csgraph

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: capacity standing for "unbounded" in the flow computations (int32 for scipy)
_BIG = np.int64(2**30)
#: cost of travelling along a cell that is already hidden (scipy ignores zero-weight arcs)
_FREE = 1e-9


@dataclass(frozen=True)
class Network:
    """Cells as edges ``tail[c] → head[c]`` between ``n_nodes`` line nodes."""

    tail: IntArray
    head: IntArray
    n_nodes: int

    @property
    def n_cells(self) -> int:
        return int(self.tail.size)

    @cached_property
    def _arcs(self) -> dict[tuple[int, int], int]:
        out: dict[tuple[int, int], int] = {}
        for c, (t, h) in enumerate(zip(self.tail.tolist(), self.head.tolist(), strict=True)):
            out[(t, h)] = c
            out[(h, t)] = c
        return out

    def cell_of(self, a: int, b: int) -> int | None:
        """The cell joining line nodes a and b (either direction)."""
        return self._arcs.get((a, b))


def required(n: IntArray, protection: float) -> IntArray:
    """The protection amount U = max(1, ⌈p·n⌉) of a cell of group size n."""
    return np.maximum(1, np.ceil(protection * n - 1e-9)).astype(np.int64)


def _residual(net: Network, x: IntArray, n: IntArray, hidden: BoolArray, skip: int,
              shown_cost: NDArray[np.float64] | None = None, need: int = 1) -> tuple[sparse.csr_array, sparse.csr_array | None]:
    """Residual capacities of the hidden cells other than ``skip`` (forward: n − x,
    backward: x) as a CSR matrix; with ``shown_cost``, also a cost matrix over every
    cell (hidden ones free) keeping only arcs that can carry ``need`` more."""
    use = hidden.copy()
    use[skip] = False
    idx = np.flatnonzero(use)
    rows = np.concatenate([net.tail[idx], net.head[idx]])
    cols = np.concatenate([net.head[idx], net.tail[idx]])
    caps = np.concatenate([n[idx] - x[idx], x[idx]]).astype(np.int64)
    keep = caps > 0
    cap = sparse.csr_array((np.minimum(caps[keep], _BIG).astype(np.int32), (rows[keep], cols[keep])),
                           shape=(net.n_nodes, net.n_nodes))
    if shown_cost is None:
        return cap, None
    every = np.ones(net.n_cells, dtype=bool)
    every[skip] = False
    idx = np.flatnonzero(every)
    rows = np.concatenate([net.tail[idx], net.head[idx]])
    cols = np.concatenate([net.head[idx], net.tail[idx]])
    caps = np.concatenate([n[idx] - x[idx], x[idx]])
    cost = np.where(hidden[idx], _FREE, shown_cost[idx])
    cost = np.concatenate([cost, cost])
    ok = caps >= need
    costs = sparse.csr_array((cost[ok], (rows[ok], cols[ok])), shape=(net.n_nodes, net.n_nodes))
    return cap, costs


def _maxflow(cap: sparse.csr_array, source: int, sink: int) -> int:
    if source == sink:
        return int(_BIG)
    if cap.nnz == 0:
        return 0
    return int(csgraph.maximum_flow(cap, source, sink).flow_value)


def room(net: Network, x: IntArray, n: IntArray, hidden: BoolArray, cell: int) -> tuple[int, int]:
    """How far the attacker cannot pin cell ``cell`` down: (possible increase, possible decrease)
    of its count given everything shown and every group size."""
    cap, _ = _residual(net, x, n, hidden, cell)
    t, h = int(net.tail[cell]), int(net.head[cell])
    up = min(int(n[cell] - x[cell]), _maxflow(cap, h, t))
    down = min(int(x[cell]), _maxflow(cap, t, h))
    return up, down


def needs(x: IntArray, n: IntArray, u: IntArray, cell: int, public: BoolArray | None = None) -> tuple[int, int]:
    """Required increase and decrease: U, or as far as the group allows (all or none).

    ``public`` (cells × 2: none / all) marks counts of 0 or n that follow from a larger
    cell the rules allow to show as 0 % or 100 % (when a grade of 300 reports 0 %, so
    does every group in it): that direction needs no protection."""
    up, down = int(min(u[cell], n[cell] - x[cell])), int(min(u[cell], x[cell]))
    if public is not None:
        up = 0 if public[cell, 0] else up
        down = 0 if public[cell, 1] else down
    return up, down


def shortfalls(net: Network, x: IntArray, n: IntArray, hidden: BoolArray, sensitive: BoolArray,
               protection: float, public: BoolArray | None = None) -> list[tuple[int, int, int, int, int]]:
    """Every sensitive cell whose protection is short: (cell, increase, decrease, need up, need down)."""
    u = required(n, protection)
    out = []
    for cell in np.flatnonzero(sensitive):
        need_up, need_down = needs(x, n, u, int(cell), public)
        up, down = room(net, x, n, hidden, int(cell))
        if up < need_up or down < need_down:
            out.append((int(cell), up, down, need_up, need_down))
    return out


def _path(pred: NDArray[np.int32], source: int, target: int) -> list[tuple[int, int]]:
    """Arcs (from, to) of the shortest path found by scipy's dijkstra, source → target."""
    steps = []
    node = target
    while node != source:
        prev = int(pred[node])
        if prev < 0:
            return []
        steps.append((prev, node))
        node = prev
    return steps


def _close_cycle(net: Network, x: IntArray, n: IntArray, hidden: BoolArray, cell: int, cost: NDArray[np.float64],
                 source: int, target: int, short: int) -> list[int]:
    """Shown cells whose hiding lets more flow from ``source`` to ``target``: the cheapest
    augmenting path in the residual network left by a maximum flow over the hidden cells,
    where shown cells cost what hiding them costs. Paths that can carry the whole
    shortfall are preferred. Empty when no path exists."""
    cap, _ = _residual(net, x, n, hidden, cell)
    if cap.nnz and source != target:
        flow = csgraph.maximum_flow(cap, source, target).flow
        left = (cap - flow).tocoo()  # residual after the flow (reverse arcs included)
    else:
        left = cap.tocoo()
    hid_r, hid_c, hid_v = left.row, left.col, left.data
    shown = np.flatnonzero(~hidden)
    shown = shown[shown != cell]
    sh_r = np.concatenate([net.tail[shown], net.head[shown]])
    sh_c = np.concatenate([net.head[shown], net.tail[shown]])
    sh_v = np.concatenate([n[shown] - x[shown], x[shown]])
    sh_w = np.concatenate([cost[shown], cost[shown]])
    for want in (short, 1):
        a = hid_v >= want
        b = sh_v >= want
        rows = np.concatenate([hid_r[a], sh_r[b]])
        cols = np.concatenate([hid_c[a], sh_c[b]])
        weights = np.concatenate([np.full(int(a.sum()), _FREE), sh_w[b]])
        graph = _cheapest(rows, cols, weights, net.n_nodes)
        dist, pred = csgraph.dijkstra(graph, directed=True, indices=source, return_predecessors=True)
        if np.isfinite(dist[target]):
            cells = {net.cell_of(a, b) for a, b in _path(pred, source, target)}
            return sorted(c for c in cells if c is not None and not hidden[c])
    return []


def _cheapest(rows: IntArray, cols: IntArray, weights: NDArray[np.float64], size: int) -> sparse.csr_array:
    """A weight matrix with the cheapest of parallel arcs."""
    order = np.lexsort((weights, cols, rows))
    rows, cols, weights = rows[order], cols[order], weights[order]
    first = np.r_[True, (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])]
    return sparse.csr_array((weights[first], (rows[first], cols[first])), shape=(size, size))


def protect(net: Network, x: IntArray, n: IntArray, hidden: BoolArray, sensitive: BoolArray,
            cost: NDArray[np.float64], protection: float, public: BoolArray | None = None) -> BoolArray:
    """Hide further cells until every sensitive cell meets its protection level.

    ``hidden`` (already including the sensitive cells) is not modified; the grown mask
    is returned. Cells are processed in index order, so the result is deterministic.
    """
    hidden = hidden | sensitive
    u = required(n, protection)
    for cell in np.flatnonzero(sensitive):
        cell = int(cell)
        t, h = int(net.tail[cell]), int(net.head[cell])
        need_up, need_down = needs(x, n, u, cell, public)
        for _ in range(4 * net.n_cells):  # every round hides at least one cell
            up, down = room(net, x, n, hidden, cell)
            if up >= need_up and down >= need_down:
                break
            # an increase of this cell travels back from its head to its tail; a decrease the other way
            source, target, short = (h, t, need_up - up) if up < need_up else (t, h, need_down - down)
            extra = _close_cycle(net, x, n, hidden, cell, cost, source, target, short)
            if not extra:
                raise ProtectionFailure(cell)
            hidden = hidden.copy()
            hidden[extra] = True
    return hidden


class ProtectionFailure(RuntimeError):
    """No set of cells protects this one (cannot happen for a consistent table: hiding
    its whole lines always does); signals a bug in the table's structure."""

    def __init__(self, cell: int) -> None:
        super().__init__(f"cell {cell} cannot be protected")
        self.cell = cell
