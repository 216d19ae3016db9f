"""Solving the network of :func:`crossmatch.match`: one OR-Tools min-cost flow, priced for
large networks.

Large networks (over 200,000 pairs, of which each mentee's ``p_i + 8`` and each mentor's
``c_j + 8`` best are under an eighth) are priced: the flow is solved on those best pairs,
node potentials are computed on its residual graph (Bellman-Ford; an optimal flow's
residual graph has no negative cycle), and the left-out pairs with a negative reduced
cost join (the four most negative per mentee and round). When none is left the flow is
optimal for the whole network: a feasible flow with potentials that price every arc
non-negatively is an optimal one (linear programming duality; the network matrix is
totally unimodular). After 30 rounds, or if the potentials do not settle, one flow over
every pair decides.

"""

from __future__ import annotations

import numpy as np

from .match_flow import _Network


def _solve_flow(
    net: _Network,
    *,
    pair_mask: np.ndarray | None = None,
    scores_on: bool = True,
    reward_unit: int | None = None,
) -> np.ndarray:
    """The optimal flow over the pairs in ``pair_mask`` (all by default); the pairs used
    (bool over ``net.pairs``). See :func:`_solve`."""
    return _solve(net, pair_mask, scores_on, reward_unit, duals=False)[0]


def _solve_duals(net: _Network) -> tuple[np.ndarray, np.ndarray | None]:
    """The optimal flow over every pair, and node potentials that prove it (reduced costs
    of every arc >= 0; None if they did not settle)."""
    return _solve(net, None, True, None, duals=True)


def _solve(
    net: _Network,
    pair_mask: np.ndarray | None,
    scores_on: bool,
    reward_unit: int | None,
    *,
    duals: bool,
) -> tuple[np.ndarray, np.ndarray | None]:
    """The optimal flow (pairs used) over the pairs in ``pair_mask``; with ``duals``,
    potentials too.

    Large networks are priced: the flow is solved on each mentee's and each mentor's best
    pairs, node potentials (shortest distances in the residual graph, which has no
    negative cycle at an optimum) are computed, and every left-out pair with a negative
    reduced cost joins; when none is left the flow is optimal over all the pairs (linear
    programming optimality: a feasible flow with potentials that price every arc of the
    full network non-negatively is optimal)."""
    p = net.pairs
    if pair_mask is None:
        idx, pi, pj = np.arange(len(p.pi)), p.pi, p.pj
    else:
        idx = np.flatnonzero(pair_mask)
        pi, pj = p.pi[idx], p.pj[idx]
    unit = net.unit if reward_unit is None else reward_unit
    cost = -net.weights[idx] if scores_on else np.zeros(len(idx), np.int64)
    if len(idx) <= PRICE_ABOVE:
        used, d = _flow(net, idx, cost, unit, duals=duals)
        return _expand(net, idx, used), d
    work = _top_per_group(pi, cost, net.slots + PRICE_START)
    work |= _top_per_group(pj, cost, net.cap + PRICE_START)
    if int(work.sum()) * PRICE_RATIO > len(idx):  # a few rounds would cost more than one
        used, d = _flow(net, idx, cost, unit, duals=duals)
        return _expand(net, idx, used), d
    for _ in range(PRICE_ROUNDS):
        used, d = _flow(net, idx[work], cost[work], unit, duals=True)
        if d is None:
            break
        rc = cost + d[pi]
        rc -= d[p.n + pj]
        enter = np.flatnonzero((rc < 0) & ~work)
        if not enter.size:
            return _expand(net, idx[work], used), d
        # the most negative few per mentee (all of them would swamp the next flow)
        work[enter[_top_per_group(pi[enter], rc[enter], np.full(p.n, PRICE_ENTER))]] = True
    used, d = _flow(net, idx, cost, unit, duals=duals)
    return _expand(net, idx, used), d


def _top_per_group(group: np.ndarray, key: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Mask of, for each group value ``g``, the ``limit[g]`` entries of smallest ``key``."""
    out = np.zeros(len(group), dtype=bool)
    if not len(group):
        return out
    k = key - key.min()
    span = int(k.max()) + 1
    if (int(group.max()) + 1) * span < 2**62:
        order = np.argsort(group.astype(np.int64) * span + k)
    else:
        order = np.lexsort((k, group))
    g = group[order]
    first = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    rank = np.arange(len(g)) - np.repeat(first, np.diff(np.r_[first, len(g)]))
    out[order[rank < limit[g]]] = True
    return out


#: Networks with more pairs than this are solved by pricing (see :func:`_solve_flow`).
PRICE_ABOVE = 200_000
#: ... and with at least this many times the pairs of the first round.
PRICE_RATIO = 8
#: Pricing rounds before solving on every pair at once.
PRICE_ROUNDS = 30
#: Pairs per mentee, beyond ``per_mentee``, and per mentor, beyond capacity, to start from.
PRICE_START = 8
#: Left-out pairs with negative reduced cost that join per mentee and round.
PRICE_ENTER = 4


def _expand(net: _Network, idx: np.ndarray, used: np.ndarray) -> np.ndarray:
    out = np.zeros(len(net.pairs.pi), dtype=bool)
    out[idx[used]] = True
    return out


def _flow(
    net: _Network, idx: np.ndarray, cost: np.ndarray, unit: int, *, duals: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """One OR-Tools min-cost flow over pairs ``idx`` with pair costs ``cost``: which of
    them are used and, with ``duals``, node potentials (None if they do not settle)."""
    from ortools.graph.python import min_cost_flow

    p = net.pairs
    n, m = p.n, p.m
    src, snk = n + m, n + m + 1
    first = (net.slots > 0) & ~net.covered
    extra = np.where(first, net.slots - 1, net.slots)
    f = min_cost_flow.SimpleMinCostFlow()
    a = np.flatnonzero(first)
    a_cost = -(net.n_classes - net.klass[a]) * unit
    arcs_a = f.add_arcs_with_capacity_and_unit_cost(
        np.full(len(a), src), a, np.ones(len(a), np.int64), a_cost
    )
    b = np.flatnonzero(extra > 0)
    b_cap = extra[b].astype(np.int64)
    arcs_b = f.add_arcs_with_capacity_and_unit_cost(
        np.full(len(b), src), b, b_cap, np.zeros(len(b), np.int64)
    )
    arcs = f.add_arcs_with_capacity_and_unit_cost(
        p.pi[idx], n + p.pj[idx], np.ones(len(idx), np.int64), cost
    )
    cap = net.cap.astype(np.int64)
    arcs_m = f.add_arcs_with_capacity_and_unit_cost(
        n + np.arange(m), np.full(m, snk), cap, np.zeros(m, np.int64)
    )
    supply = int(net.slots.sum())
    bypass = f.add_arc_with_capacity_and_unit_cost(src, snk, supply, 0)
    f.set_nodes_supplies(np.array([src, snk]), np.array([supply, -supply]))
    status = f.solve()
    if status != f.OPTIMAL:
        raise RuntimeError(f"the min-cost flow solver stopped with status {status!r}")
    used = f.flows(arcs) > 0
    if not duals:
        return used, None
    fa, fb, fm = f.flows(arcs_a), f.flows(arcs_b), f.flows(arcs_m)
    fz = f.flow(bypass)
    tails, heads, costs = [], [], []

    def arcs_of(
        t: np.ndarray, h: np.ndarray, c: np.ndarray, fwd: np.ndarray, back: np.ndarray
    ) -> None:
        tails.extend([t[fwd], h[back]])
        heads.extend([h[fwd], t[back]])
        costs.extend([c[fwd], -c[back]])

    arcs_of(np.full(len(a), src), a, a_cost, fa < 1, fa > 0)
    arcs_of(np.full(len(b), src), b, np.zeros(len(b), np.int64), fb < b_cap, fb > 0)
    arcs_of(p.pi[idx], n + p.pj[idx], cost, ~used, used)
    arcs_of(n + np.arange(m), np.full(m, snk), np.zeros(m, np.int64), fm < cap, fm > 0)
    arcs_of(
        np.array([src]),
        np.array([snk]),
        np.zeros(1, np.int64),
        np.array([fz < supply]),
        np.array([fz > 0]),
    )
    d = _potentials(np.concatenate(tails), np.concatenate(heads), np.concatenate(costs), n + m + 2)
    return used, d


def _potentials(
    tails: np.ndarray, heads: np.ndarray, costs: np.ndarray, n_nodes: int
) -> np.ndarray | None:
    """Shortest distances from a virtual root (an arc of cost 0 to every node) along the
    residual arcs, by vectorised Bellman-Ford; None if they do not settle in
    ``n_nodes`` rounds."""
    order = np.argsort(heads, kind="stable")
    t, h, c = tails[order], heads[order], costs[order]
    if not len(h):
        return np.zeros(n_nodes, np.int64)
    starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
    uh = h[starts]
    d = np.zeros(n_nodes, np.int64)
    for _ in range(n_nodes + 1):
        best = np.minimum.reduceat(d[t] + c, starts)
        better = best < d[uh]
        if not better.any():
            return d
        d[uh[better]] = best[better]
    return None


def _coverage_value(net: _Network, used: np.ndarray) -> int:
    """Sum of class rewards (in units of G) over covered mentees not covered by fixed."""
    got = np.zeros(net.pairs.n, bool)
    got[net.pairs.pi[used]] = True
    got &= ~net.covered
    return int((net.n_classes - net.klass[got]).sum())
