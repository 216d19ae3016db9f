"""The network toolkit: every flow network of the solvers is built here (vectorised:
arcs are added as numpy arrays); the searches on their answers are in
:mod:`crossmatch.solve.residual` (re-exported here).

- :func:`max_assignment` — source -> mentee (1) -> mentor (eligible pairs) -> sink
  (capacity): the largest, then best-scoring, one-mentor-per-mentee assignment.
- :func:`max_cover` — the same network by maximum flow, without costs: how many
  mentees one assignment covers (the floor searches of :mod:`crossmatch.solve.fair`).
- :func:`select_pairs` — source -> mentee (how many entries) [-> mentee x group (at most d)]
  -> mentor (eligible pairs, 1 each) -> sink (exposure left): a b-matching, used for the
  shortlist relaxation (its optimum is an upper bound) and for the alternates stage.
- :func:`reward_flow` — :func:`crossmatch.match`'s network: a first-mentor reward arc
  and a second arc per mentee, pairs, capacities and a source -> sink bypass; with its
  optimal duals (:func:`potentials` on :func:`residual_arcs`) on request.
- :func:`solve_network`: any other network from arc arrays (the rank-maximal stages of
  :mod:`crossmatch.solve.rank_maximal`).

Scores become integer costs in one way only, :func:`crossmatch.solve.scaling.integer_scaling`
(through :meth:`Instance.weights <crossmatch.solve.instance.Instance.weights>` for the
shortlist), so a flow answer is optimal for the rounded scores and bounds add the
rounding slack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InfeasibleError
from .instance import Instance
from .residual import alternating_groups, potentials, residual_arcs, unfilled_reach

__all__ = [
    "AssignFlow",
    "alternating_groups",
    "max_assignment",
    "max_cover",
    "potentials",
    "residual_arcs",
    "reward_flow",
    "select_pairs",
    "solve_network",
    "unfilled_reach",
]


@dataclass(frozen=True, slots=True)
class AssignFlow:
    matched: np.ndarray  # (n,) bool
    mentor: np.ndarray  # (n,) canonical mentor, -1 if unmatched
    pair_used: np.ndarray  # (P,) bool


def _new_flow() -> Any:
    """An OR-Tools min-cost flow, imported on first use (not at ``import crossmatch``)."""
    from ortools.graph.python import min_cost_flow

    return min_cost_flow.SimpleMinCostFlow()


def _solve(f: Any) -> None:
    status = f.solve_max_flow_with_min_cost()
    if status != f.OPTIMAL:
        raise InfeasibleError(f"the min-cost flow solver stopped with status {status!r}")


def max_assignment(
    p: Instance,
    capacity: np.ndarray,
    *,
    weights: np.ndarray | None,
    pair_mask: np.ndarray | None = None,
) -> AssignFlow:
    """Maximum assignment (one mentor per mentee, ``capacity`` per mentor), best total
    ``weights`` among maximum ones (or any, if ``weights`` is None)."""
    n, m = p.n, p.m
    pairs = np.arange(p.n_pairs) if pair_mask is None else np.flatnonzero(pair_mask)
    f = _new_flow()
    src, snk = n + m, n + m + 1
    f.add_arcs_with_capacity_and_unit_cost(
        np.full(n, src), np.arange(n), np.ones(n, np.int64), np.zeros(n, np.int64)
    )
    cost = np.zeros(len(pairs), np.int64) if weights is None else -weights[pairs]
    arcs = f.add_arcs_with_capacity_and_unit_cost(
        p.pi[pairs], n + p.pj[pairs], np.ones(len(pairs), np.int64), cost
    )
    f.add_arcs_with_capacity_and_unit_cost(
        n + np.arange(m), np.full(m, snk), np.asarray(capacity, np.int64), np.zeros(m, np.int64)
    )
    f.set_nodes_supplies(np.array([src, snk]), np.array([n, -n]))
    _solve(f)
    used = np.zeros(p.n_pairs, dtype=bool)
    used[pairs] = f.flows(arcs) > 0
    mentor = np.full(n, -1, dtype=np.int64)
    mentor[p.pi[used]] = p.pj[used]
    return AssignFlow(mentor >= 0, mentor, used)


def max_cover(
    pi: np.ndarray, pj: np.ndarray, n: int, capacity: np.ndarray, *,
    sources: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """A maximum assignment by maximum flow (no costs): source -> mentee (1; only
    ``sources``, default all ``n``) -> mentor (pairs ``pi``, ``pj``) -> sink
    (``capacity``). Returns the pairs used (bool over ``pi``), one per covered mentee."""
    from ortools.graph.python import max_flow

    m = len(capacity)
    src, snk = n + m, n + m + 1
    open_ = np.arange(n) if sources is None else np.asarray(sources, np.int64)
    f = max_flow.SimpleMaxFlow()
    f.add_arcs_with_capacity(np.full(len(open_), src), open_, np.ones(len(open_), np.int64))
    arcs = f.add_arcs_with_capacity(
        np.asarray(pi, np.int64), n + np.asarray(pj, np.int64), np.ones(len(pi), np.int64)
    )
    f.add_arcs_with_capacity(n + np.arange(m), np.full(m, snk), np.asarray(capacity, np.int64))
    if f.solve(src, snk) != f.OPTIMAL:
        raise RuntimeError("the max-flow solver failed")
    return np.asarray(f.flows(arcs)) > 0


def select_pairs(
    p: Instance,
    *,
    per_mentee: np.ndarray,
    per_mentor: np.ndarray,
    weights: np.ndarray,
    pair_mask: np.ndarray | None = None,
    group_used: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """Best b-matching: up to ``per_mentee[i]`` pairs per mentee, ``per_mentor[j]`` per
    mentor, at most ``p.max_per_group`` per (mentee, group) minus ``group_used`` of that
    (mentee, group), among pairs in ``pair_mask``. Returns (pairs used, flow value);
    the flow is maximum first, then of maximum total weight."""
    n, m = p.n, p.m
    pairs = np.arange(p.n_pairs) if pair_mask is None else np.flatnonzero(pair_mask)
    f = _new_flow()
    src, snk = n + m, n + m + 1
    f.add_arcs_with_capacity_and_unit_cost(
        np.full(n, src), np.arange(n), np.asarray(per_mentee, np.int64), np.zeros(n, np.int64)
    )
    tails = p.pi[pairs]
    if p.max_per_group is not None and p.group is not None:
        # one node per (mentee, group) that has pairs: mentee -> it (cap d) -> mentors
        key = p.pi[pairs] * (int(p.group.max()) + 1) + p.group[p.pj[pairs]]
        uniq, inv = np.unique(key, return_inverse=True)
        gnode = n + m + 2 + np.arange(len(uniq))
        cap = np.full(len(uniq), p.max_per_group, np.int64)
        if group_used is not None:
            cap -= group_used[uniq]
        f.add_arcs_with_capacity_and_unit_cost(
            uniq // (int(p.group.max()) + 1),
            gnode,
            np.maximum(cap, 0),
            np.zeros(len(uniq), np.int64),
        )
        tails = gnode[inv]
    arcs = f.add_arcs_with_capacity_and_unit_cost(
        tails, n + p.pj[pairs], np.ones(len(pairs), np.int64), -weights[pairs]
    )
    f.add_arcs_with_capacity_and_unit_cost(
        n + np.arange(m), np.full(m, snk), np.maximum(np.asarray(per_mentor, np.int64), 0),
        np.zeros(m, np.int64),
    )  # fmt: skip
    total = int(np.asarray(per_mentee).sum())
    f.set_nodes_supplies(np.array([src, snk]), np.array([total, -total]))
    _solve(f)
    used = np.zeros(p.n_pairs, dtype=bool)
    used[pairs] = f.flows(arcs) > 0
    return used, int(used.sum())


def group_key_usage(p: Instance, mentor: np.ndarray) -> np.ndarray | None:
    """For the alternates stage: 1 at key ``mentee * G + group(mentor[mentee])``."""
    if p.max_per_group is None or p.group is None:
        return None
    width = int(p.group.max()) + 1
    usage = np.zeros(p.n * width, dtype=np.int64)
    ok = mentor >= 0
    usage[np.flatnonzero(ok) * width + p.group[mentor[ok]]] = 1
    return usage


def solve_network(
    tails: np.ndarray, heads: np.ndarray, capacities: np.ndarray, costs: np.ndarray,
    nodes: np.ndarray, supplies: np.ndarray,
) -> tuple[np.ndarray, bool]:  # fmt: skip
    """A min-cost flow on arc arrays: ``(flow per arc, solved)``; ``solved`` is False
    when the supplies cannot be met."""
    f = _new_flow()
    arcs = f.add_arcs_with_capacity_and_unit_cost(
        np.asarray(tails, np.int64), np.asarray(heads, np.int64),
        np.asarray(capacities, np.int64), np.asarray(costs, np.int64),
    )  # fmt: skip
    f.set_nodes_supplies(np.asarray(nodes, np.int64), np.asarray(supplies, np.int64))
    if f.solve() != f.OPTIMAL:
        return np.zeros(len(arcs), np.int64), False
    return f.flows(arcs), True


def reward_flow(
    pi: np.ndarray, pj: np.ndarray, costs: np.ndarray, *, first: np.ndarray,
    first_cost: np.ndarray, extra: np.ndarray, capacity: np.ndarray, duals: bool = False,
) -> tuple[np.ndarray, np.ndarray | None]:  # fmt: skip
    """The optimal flow of :func:`crossmatch.match`'s network: pairs used (bool over
    ``pi``) and, with ``duals``, node potentials that prove it (:func:`potentials` on
    :func:`residual_arcs`; nodes: mentees ``0..n-1``, mentors ``n..n+m-1``, source, sink).

    Source -> mentee ``i``: where ``first[i]``, a first-mentor arc (capacity 1, cost
    ``first_cost[i]``, a reward when negative); a second arc (capacity ``extra[i]``, cost
    0); mentee -> mentor per pair (capacity 1, cost ``costs``); mentor -> sink
    (``capacity``); a source -> sink bypass at cost 0, so the flow may stop where more
    pairs would cost more. The source supplies every arc out of it."""
    n, m = len(first), len(capacity)
    src, snk = n + m, n + m + 1
    a, b = np.flatnonzero(first), np.flatnonzero(extra > 0)
    supply = int(len(a) + np.asarray(extra, np.int64)[b].sum())
    i64 = np.int64

    def cat(*parts: Any) -> np.ndarray:  # int64 throughout: costs exceed float precision
        return np.concatenate([np.asarray(x, i64).ravel() for x in parts])

    tails = cat(np.full(len(a) + len(b), src), pi, n + np.arange(m), src)
    heads = cat(a, b, n + np.asarray(pj, i64), np.full(m, snk), snk)
    caps = cat(np.ones(len(a)), extra[b], np.ones(len(pi)), capacity, supply)
    cost = cat(first_cost[a], np.zeros(len(b)), costs, np.zeros(m + 1))
    f = _new_flow()
    arcs = f.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, cost)
    f.set_nodes_supplies(np.array([src, snk]), np.array([supply, -supply]))
    if f.solve() != f.OPTIMAL:
        raise RuntimeError("the min-cost flow solver failed on the matching network")
    flows = f.flows(arcs)
    used = flows[len(a) + len(b) : len(a) + len(b) + len(pi)] > 0
    if not duals:
        return used, None
    rt, rh, rc = residual_arcs(tails, heads, caps, cost, flows)
    return used, potentials(rt, rh, rc, n + m + 2)
