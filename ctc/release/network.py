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

import heapq
import math
from collections import deque
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: capacity standing for "unbounded" in the flow computations (int32 for scipy)
_BIG = np.int64(2**30)
#: cost of travelling along a cell that is already hidden (scipy ignores zero-weight arcs)
_FREE = 1e-9
#: the certificate works on dense node × node matrices; above this many line nodes (about
#: 150 municipalities) their memory and matrix products would cost more than they save
_DENSE_NODES = 1500


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

    @cached_property
    def incident(self) -> list[list[int]]:
        """The cells at each line node."""
        out: list[list[int]] = [[] for _ in range(self.n_nodes)]
        for c, (t, h) in enumerate(zip(self.tail.tolist(), self.head.tolist(), strict=True)):
            out[t].append(c)
            out[h].append(c)
        return out

    @cached_property
    def tails(self) -> list[int]:
        return self.tail.tolist()

    @cached_property
    def heads(self) -> list[int]:
        return self.head.tolist()

    def cell_of(self, a: int, b: int) -> int | None:
        """The cell joining line nodes a and b (either direction)."""
        return self._arcs.get((a, b))


def required(n: IntArray, protection: float) -> IntArray:
    """The protection amount U = max(1, ⌈p·n⌉) of a cell of group size n."""
    return np.maximum(1, np.ceil(protection * n - 1e-9)).astype(np.int64)


Residual = dict[int, dict[int, int]]


class Flows:
    """The residual network of a set of hidden cells, kept while cells are added.

    :meth:`room` works on an overlay of changes, so the base is never copied: the cell's
    own arcs are taken out, flow is pushed, and the overlay is dropped."""

    def __init__(self, net: Network, x: IntArray, n: IntArray, hidden: BoolArray) -> None:
        self.net, self.x, self.n = net, x, n  # n: how far each count can grow
        self.xs, self.ns = x.tolist(), n.tolist()
        self.up, self.down = (n - x).tolist(), x.tolist()
        self.base: Residual = {}
        for c in np.flatnonzero(hidden).tolist():
            self.add(c)

    def _arc(self, u: int, v: int, cap: int) -> None:
        if cap > 0:
            row = self.base.setdefault(u, {})
            row[v] = row.get(v, 0) + cap

    def add(self, cell: int) -> None:
        t, h = self.net.tails[cell], self.net.heads[cell]
        self._arc(t, h, min(self.up[cell], int(_BIG)))
        self._arc(h, t, self.down[cell])

    def _push(self, source: int, sink: int, limit: int, skip: int) -> tuple[int, Residual]:
        """Push up to ``limit`` units source → sink around the hidden cells other than
        ``skip`` (Edmonds–Karp on an overlay); returns the flow and the overlay."""
        base, net = self.base, self.net
        delta: Residual = {}
        t, h = net.tails[skip], net.heads[skip]  # the cell itself is not a way round
        delta.setdefault(t, {})[h] = -min(self.up[skip], int(_BIG)) if self.up[skip] > 0 else 0
        delta.setdefault(h, {})[t] = -self.down[skip] if self.down[skip] > 0 else 0

        empty: dict[int, int] = {}

        def cap(u: int, v: int) -> int:
            return base.get(u, empty).get(v, 0) + delta.get(u, empty).get(v, 0)

        flow = 0
        while flow < limit:
            parent = {source: source}
            queue = deque([source])
            while queue and sink not in parent:
                u = queue.popleft()
                brow, extra = base.get(u, empty), delta.get(u)
                if extra:  # the same order of visits as the residual's keys (the flow found is kept)
                    for v in brow.keys() | extra.keys():
                        if v not in parent and brow.get(v, 0) + extra.get(v, 0) > 0:
                            parent[v] = u
                            queue.append(v)
                else:
                    for v, c in brow.items():
                        if c > 0 and v not in parent:
                            parent[v] = u
                            queue.append(v)
            if sink not in parent:
                break
            push, v = limit - flow, sink
            while v != source:
                u = parent[v]
                push = min(push, cap(u, v))
                v = u
            v = sink
            while v != source:
                u = parent[v]
                row = delta.setdefault(u, {})
                row[v] = row.get(v, 0) - push
                back = delta.setdefault(v, {})
                back[u] = back.get(u, 0) + push
                v = u
            flow += push
        return flow, delta

    def left(self, delta: Residual) -> Residual:
        """Residual capacities after the flow recorded in ``delta`` (a view: rows are
        merged when asked for, as a shortest-path search reads only some)."""
        return _Left(self.base, delta)

    def room(self, cell: int, limit: tuple[int, int] | None = None) -> tuple[int, int]:
        up, down, _, _ = self.room_flows(cell, limit)
        return up, down

    def room_flows(self, cell: int, limit: tuple[int, int] | None = None
                   ) -> tuple[int, int, Residual | None, Residual | None]:
        """:meth:`room` and the flows found (overlays; None where nothing was pushed).

        A direction whose room falls short of its limit ended because no augmenting path
        was left, never at the limit: its overlay is that of the maximum flow, as an
        unlimited push would find it (the same breadth-first paths in the same order)."""
        t, h = self.net.tails[cell], self.net.heads[cell]
        top_up, top_down = self.up[cell], self.down[cell]
        if limit is not None:
            top_up, top_down = min(top_up, limit[0]), min(top_down, limit[1])
        up, d_up = self._push(h, t, top_up, cell) if top_up > 0 else (0, None)
        down, d_down = self._push(t, h, top_down, cell) if top_down > 0 else (0, None)
        return up, down, d_up, d_down


class _Left(dict):
    """Base capacities plus a flow's changes, row by row on demand (``.get`` only)."""

    def __init__(self, base: Residual, delta: Residual) -> None:
        super().__init__()
        self.base, self.delta = base, delta

    def get(self, u: int, default: dict[int, int] | None = None) -> dict[int, int]:  # type: ignore[override]
        row = dict.get(self, u)
        if row is None:
            extra = self.delta.get(u)
            row = dict(self.base.get(u, {}))
            if extra:
                for v, c in extra.items():
                    row[v] = row.get(v, 0) + c
            self[u] = row
        return row


def room(net: Network, x: IntArray, n: IntArray, hidden: BoolArray, cell: int,
         limit: tuple[int, int] | None = None) -> tuple[int, int]:
    """How far the attacker cannot pin cell ``cell`` down: (possible increase, possible decrease)
    of its count given everything shown and every group size. With ``limit`` the search
    stops once that much room is found in each direction."""
    return Flows(net, x, n, hidden).room(cell, limit)


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


def needs_all(x: IntArray, n: IntArray, u: IntArray, cells: IntArray,
              public: BoolArray | None = None) -> tuple[IntArray, IntArray]:
    """:func:`needs` of many cells at once."""
    up, down = np.minimum(u[cells], n[cells] - x[cells]), np.minimum(u[cells], x[cells])
    if public is not None:
        up = np.where(public[cells, 0], 0, up)
        down = np.where(public[cells, 1], 0, down)
    return up.astype(np.int64), down.astype(np.int64)


def certified(net: Network, x: IntArray, n: IntArray, hidden: BoolArray, cells: IntArray,
              need_up: IntArray, need_down: IntArray) -> tuple[BoolArray, BoolArray]:
    """Cells whose room surely reaches the need, by a vectorised sufficient test.

    One cycle of hidden cells through the cell, of at most four cells, whose other cells
    all have at least the need in the direction of travel, lets the attacker move that
    much: the maximum flow is at least the need, so :meth:`Flows.room` (which stops at
    the need) would return exactly the need. The test only ever says "enough"; every
    cell it does not certify goes to the exact maximum flow. Hiding more cells only adds
    arcs, so a certificate holds for every larger hidden set too."""
    t, h = net.tail[cells], net.head[cells]
    # increase: flow from the head back to the tail; decrease: the other way
    return (_short_path(net, x, n, hidden, h, t, need_up),
            _short_path(net, x, n, hidden, t, h, need_down))


def _short_path(net: Network, x: IntArray, n: IntArray, hidden: BoolArray, source: IntArray,
                sink: IntArray, need: IntArray) -> BoolArray:
    """need <= 0, or a path source → sink of residual arcs that each carry ``need`` and
    avoid the queried cell's own arcs (the only arcs between source and sink)."""
    ok = need <= 0
    if ok.all() or net.n_nodes > _DENSE_NODES:
        return ok  # nothing certified: every cell goes to the exact maximum flow
    size = net.n_nodes
    cap = np.zeros((size, size), dtype=np.int64)
    cells = np.flatnonzero(hidden)
    t, h = net.tail[cells], net.head[cells]
    np.add.at(cap, (t, h), np.minimum(n[cells] - x[cells], _BIG))
    np.add.at(cap, (h, t), x[cells])
    for want in np.unique(need[~ok]):
        sel = np.flatnonzero(need == want)
        arcs = (cap >= want).astype(np.float32)
        s, k, rows = source[sel], sink[sel], np.arange(sel.size)
        first = arcs[s]  # source → v, never v = sink (that arc would be the cell's own)
        first[rows, k] = 0
        last = arcs[:, k].T.copy()  # w → sink, never w = source
        last[rows, s] = 0
        # cycles of three or four cells decide most queries with two products
        found = ((first * last).sum(axis=1) + ((first @ arcs) * last).sum(axis=1)) > 0
        rest = ~found
        if rest.any():
            found[rest] = _reach(arcs, first[rest], last[rest], s[rest], k[rest])
        ok[sel] = found
    return ok


def _reach(arcs: NDArray[np.float32], first: NDArray[np.float32], last: NDArray[np.float32],
           source: IntArray, sink: IntArray) -> BoolArray:
    """Breadth-first search of all queries at once, one matrix product per step: can a
    walk leave source (not straight to sink), pass neither source nor sink, and end with
    an arc into sink? (Such a walk contains a path; it never uses an arc between the two.)"""
    rows = np.arange(source.size)
    seen = first > 0
    seen[rows, source] = True  # never an intermediate stop
    frontier = first
    found = np.zeros(source.size, dtype=bool)
    while True:
        found |= (frontier * last).sum(axis=1) > 0
        step = ((frontier @ arcs) > 0) & ~seen
        step[found] = False
        step[rows, sink] = False  # arriving at sink is counted by ``last``, not walked on
        if not step.any():
            return found
        seen |= step
        frontier = step.astype(np.float32)


def shortfalls(net: Network, x: IntArray, n: IntArray, hidden: BoolArray, sensitive: BoolArray,
               protection: float, public: BoolArray | None = None,
               size: IntArray | None = None) -> list[tuple[int, int, int, int, int]]:
    """Every sensitive cell whose protection is short: (cell, increase, decrease, need up, need down).

    ``n`` is how far each count can grow for the attacker; ``size`` the true group size
    that sets the protection amount (default: ``n``)."""
    size = n if size is None else size
    u = required(size, protection)
    flows = Flows(net, x, n, hidden)
    out = []
    for cell in np.flatnonzero(sensitive & ~hidden):  # shown: the attacker reads it
        need_up, need_down = needs(x, size, u, int(cell), public)
        if need_up > 0 or need_down > 0:
            out.append((int(cell), 0, 0, need_up, need_down))
    cells = np.flatnonzero(sensitive & hidden)
    sure_up, sure_down = certified(net, x, n, hidden, cells, *needs_all(x, size, u, cells, public))
    for cell in cells[~(sure_up & sure_down)]:  # only these need the exact maximum flow
        need_up, need_down = needs(x, size, u, int(cell), public)
        up, down = flows.room(int(cell), limit=(need_up, need_down))
        if up < need_up or down < need_down:
            out.append((int(cell), up, down, need_up, need_down))
    return out


def _close_cycle(flows: Flows, shown: list[bool], cell: int, costs: list[float],
                 source: int, target: int, short: int, delta: Residual | None = None) -> list[int]:
    """Shown cells whose hiding lets more flow from ``source`` to ``target``: the cheapest
    augmenting path in the residual network left by a maximum flow over the hidden cells,
    where shown cells cost what hiding them costs. Paths that can carry the whole
    shortfall are preferred. Empty when no path exists. ``delta``: that maximum flow,
    when the caller has it already (:meth:`Flows.room_flows` of a short direction).
    ``shown``, ``costs``: per cell, as Python lists (the search reads a few entries per
    arc, and numpy's scalar indexing was most of its time)."""
    if delta is None:
        _, delta = flows._push(source, target, int(_BIG), cell)
    res = flows.left(delta)
    for want in (short, 1):
        path = _dijkstra(flows.net, res, flows.xs, flows.ns, shown, cell, costs, source, target, want)
        if path is not None:
            return sorted({c for c in path if c >= 0})
    return []


def _dijkstra(net: Network, res: Residual, x: list[int], n: list[int], shown: list[bool], cell: int,
              cost: list[float], source: int, target: int, want: int) -> list[int] | None:
    """Cells (−1 for hidden ones) on the cheapest path source → target whose arcs carry
    ``want``: hidden cells by their residual (free), shown cells by their room (at their cost)."""
    tails, heads, incident = net.tails, net.heads, net.incident
    pop, push, inf, free = heapq.heappop, heapq.heappush, math.inf, _FREE
    best = {source: 0.0}
    via: dict[int, tuple[int, int]] = {}
    heap = [(0.0, source)]
    while heap:
        d, u = pop(heap)
        if u == target:
            cells = []
            while u != source:
                u, c = via[u]
                cells.append(c)
            return cells
        if d > best.get(u, inf):
            continue
        # relaxed in a fixed order (hidden arcs, then the incident shown cells): ties break the same way every run
        for v, cap in res.get(u, {}).items():
            if cap >= want and (nd := d + free) < best.get(v, inf):
                best[v] = nd
                via[v] = (u, -1)
                push(heap, (nd, v))
        for c in incident[u]:
            if c == cell or not shown[c]:
                continue
            if tails[c] == u and n[c] - x[c] >= want:
                v = heads[c]
            elif heads[c] == u and x[c] >= want:
                v = tails[c]
            else:
                continue
            if (nd := d + cost[c]) < best.get(v, inf):
                best[v] = nd
                via[v] = (u, c)
                push(heap, (nd, v))
    return None


def protect(net: Network, x: IntArray, n: IntArray, hidden: BoolArray, sensitive: BoolArray,
            cost: NDArray[np.float64], protection: float, public: BoolArray | None = None,
            size: IntArray | None = None) -> BoolArray:
    """Hide further cells until every sensitive cell meets its protection level.

    ``hidden`` (already including the sensitive cells) is not modified; the grown mask
    is returned. Cells are processed in index order, so the result is deterministic.
    """
    hidden = hidden | sensitive
    size = n if size is None else size
    u = required(size, protection)
    flows = Flows(net, x, n, hidden)
    cells = np.flatnonzero(sensitive)
    # certified with the starting hidden set, so also with every larger one the loop makes
    sure_up, sure_down = certified(net, x, n, hidden, cells, *needs_all(x, size, u, cells, public))
    shown, costs = (~hidden).tolist(), cost.tolist()  # for _close_cycle, kept in step with ``hidden``
    for cell in cells[~(sure_up & sure_down)]:
        cell = int(cell)
        t, h = int(net.tail[cell]), int(net.head[cell])
        need_up, need_down = needs(x, size, u, cell, public)
        for _ in range(4 * net.n_cells):  # every round hides at least one cell
            up, down, d_up, d_down = flows.room_flows(cell, limit=(need_up, need_down))
            if up >= need_up and down >= need_down:
                break
            # an increase of this cell travels back from its head to its tail; a decrease the other way
            source, target, short, delta = ((h, t, need_up - up, d_up) if up < need_up
                                            else (t, h, need_down - down, d_down))
            extra = _close_cycle(flows, shown, cell, costs, source, target, short, delta)
            if not extra:
                raise ProtectionFailure(cell)
            hidden = hidden.copy()
            hidden[extra] = True
            for c in extra:
                flows.add(c)
                shown[c] = False
    return hidden


class ProtectionFailure(RuntimeError):
    """No set of cells protects this one (cannot happen for a consistent table: hiding
    its whole lines always does); signals a bug in the table's structure."""

    def __init__(self, cell: int) -> None:
        super().__init__(f"cell {cell} cannot be protected")
        self.cell = cell
