"""OR-Tools min-cost flow builders (vectorised: arcs are added as numpy arrays).

Two networks serve every flow-based step:

- :func:`max_assignment` — source -> mentee (1) -> mentor (eligible pairs) -> sink
  (capacity): the largest, then best-scoring, one-mentor-per-mentee assignment.
- :func:`select_pairs` — source -> mentee (how many entries) [-> mentee x group (at most d)]
  -> mentor (eligible pairs, 1 each) -> sink (exposure left): a b-matching, used for the
  shortlist relaxation (its optimum is an upper bound) and for the alternates stage.

Scores become integer costs at a documented resolution (:data:`RESOLUTION` of the score
range), so a flow answer is optimal for the rounded scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from ..errors import InfeasibleError
from .problem import Problem

__all__ = ["RESOLUTION", "AssignFlow", "max_assignment", "select_pairs"]

#: Integer resolution of flow costs, as a share of the score range (max - min).
RESOLUTION = 1e-7


@dataclass(frozen=True, slots=True)
class AssignFlow:
    matched: np.ndarray  # (n,) bool
    mentor: np.ndarray  # (n,) canonical mentor, -1 if unmatched
    pair_used: np.ndarray  # (P,) bool


def _solve(f: min_cost_flow.SimpleMinCostFlow) -> None:
    status = f.solve_max_flow_with_min_cost()
    if status != f.OPTIMAL:
        raise InfeasibleError(f"the min-cost flow solver stopped with status {status!r}")


def max_assignment(
    p: Problem,
    capacity: np.ndarray,
    *,
    weights: np.ndarray | None,
    pair_mask: np.ndarray | None = None,
) -> AssignFlow:
    """Maximum assignment (one mentor per mentee, ``capacity`` per mentor), best total
    ``weights`` among maximum ones (or any, if ``weights`` is None)."""
    n, m = p.n, p.m
    pairs = np.arange(p.n_pairs) if pair_mask is None else np.flatnonzero(pair_mask)
    f = min_cost_flow.SimpleMinCostFlow()
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


def select_pairs(
    p: Problem,
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
    f = min_cost_flow.SimpleMinCostFlow()
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


def group_key_usage(p: Problem, mentor: np.ndarray) -> np.ndarray | None:
    """For the alternates stage: 1 at key ``mentee * G + group(mentor[mentee])``."""
    if p.max_per_group is None or p.group is None:
        return None
    width = int(p.group.max()) + 1
    usage = np.zeros(p.n * width, dtype=np.int64)
    ok = mentor >= 0
    usage[np.flatnonzero(ok) * width + p.group[mentor[ok]]] = 1
    return usage
