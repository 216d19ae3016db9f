"""Solving the network of :func:`crossmatch.match`: one OR-Tools min-cost flow, priced for
large networks.

Large networks (over 200,000 pairs, of which each mentee's ``p_i + 8`` and each mentor's
``c_j + 8`` best are under an eighth) are priced: the flow is solved on those best pairs,
node potentials are computed on its residual graph (Bellman-Ford; an optimal flow's
residual graph has no negative cycle), and the left-out pairs with a negative reduced
cost join (the four most negative per mentee and round). When none is left the flow is
optimal for the whole network: a feasible flow with potentials that price every arc
non-negatively is an optimal one (linear programming duality; the network matrix is
totally unimodular). After 30 rounds one flow over every pair decides. When the
deadline of :func:`crossmatch.match` runs out between rounds, the last round's flow is
returned (feasible on the whole network, not proved optimal).
"""

from __future__ import annotations

from typing import cast

import numpy as np

from .match_flow import _Network
from .network import reward_flow
from .options import Deadline


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


def _solve_within(
    net: _Network, deadline: Deadline, *, duals: bool
) -> tuple[np.ndarray, np.ndarray | None, bool]:
    """The flow over every pair within ``deadline``: pairs used, node potentials that
    prove it with ``duals`` (reduced costs of every arc >= 0), and whether it is proved
    optimal (False when the deadline stopped the pricing rounds: the flow is then
    feasible, and the potentials None)."""
    return _solve(net, None, True, None, duals=duals, deadline=deadline)


def _solve(
    net: _Network,
    pair_mask: np.ndarray | None,
    scores_on: bool,
    reward_unit: int | None,
    *,
    duals: bool,
    deadline: Deadline | None = None,
) -> tuple[np.ndarray, np.ndarray | None, bool]:
    """The optimal flow (pairs used) over the pairs in ``pair_mask``; with ``duals``,
    potentials too (None if ``deadline`` ran out first: the flow is then feasible).

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
        return _expand(net, idx, used), d, True
    work = _top_per_group(pi, cost, net.slots + PRICE_START)
    work |= _top_per_group(pj, cost, net.cap + PRICE_START)
    if int(work.sum()) * PRICE_RATIO > len(idx):  # a few rounds would cost more than one
        used, d = _flow(net, idx, cost, unit, duals=duals)
        return _expand(net, idx, used), d, True
    for _ in range(PRICE_ROUNDS):
        held = idx[work]
        used, dual = _flow(net, held, cost[work], unit, duals=True)
        d = cast(np.ndarray, dual)  # duals=True: always potentials
        rc = cost + d[pi]
        rc -= d[p.n + pj]
        enter = np.flatnonzero((rc < 0) & ~work)
        if not enter.size:
            return _expand(net, held, used), d, True
        if deadline is not None and deadline.expired():  # feasible, not proved
            return _expand(net, held, used), None, False
        # the most negative few per mentee (all of them would swamp the next flow)
        work[enter[_top_per_group(pi[enter], rc[enter], np.full(p.n, PRICE_ENTER))]] = True
    used, d = _flow(net, idx, cost, unit, duals=duals)
    return _expand(net, idx, used), d, True


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
    """One min-cost flow (:func:`~crossmatch.solve.network.reward_flow`) over pairs
    ``idx`` with pair costs ``cost`` and reward unit ``unit``: which of them are used
    and, with ``duals``, node potentials."""
    p = net.pairs
    first = (net.slots > 0) & ~net.covered
    return reward_flow(
        p.pi[idx], p.pj[idx], cost, first=first,
        first_cost=-(net.n_classes - net.klass) * unit,
        extra=np.where(first, net.slots - 1, net.slots), capacity=net.cap, duals=duals,
    )  # fmt: skip


def _coverage_value(net: _Network, used: np.ndarray) -> int:
    """Sum of class rewards (in units of G) over covered mentees not covered by fixed."""
    got = np.zeros(net.pairs.n, bool)
    got[net.pairs.pi[used]] = True
    got &= ~net.covered
    return int((net.n_classes - net.klass[got]).sum())
