"""The network toolkit: every flow network of the solvers is built here (vectorised:
arcs are added as numpy arrays), and the graph searches on their answers live beside them.

Two networks serve every flow-based step of the shortlist:

- :func:`max_assignment` — source -> mentee (1) -> mentor (eligible pairs) -> sink
  (capacity): the largest, then best-scoring, one-mentor-per-mentee assignment.
- :func:`select_pairs` — source -> mentee (how many entries) [-> mentee x group (at most d)]
  -> mentor (eligible pairs, 1 each) -> sink (exposure left): a b-matching, used for the
  shortlist relaxation (its optimum is an upper bound) and for the alternates stage.

- :func:`solve_network`: any other network from arc arrays (the rank-maximal stages of
  :mod:`crossmatch.solve.rank_maximal`).

:func:`unfilled_reach` (alternating paths: the tight side of a min cut) and
:func:`potentials` (shortest distances on a residual graph: flow duals) read the answers.

Scores become integer costs in one way only, :meth:`Instance.weights
<crossmatch.solve.instance.Instance.weights>` (:data:`~crossmatch.solve.instance.RESOLUTION`
of the score range), so a flow answer is optimal for the rounded scores and bounds add
:meth:`~crossmatch.solve.instance.Instance.rounding_slack`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InfeasibleError
from .instance import Instance

__all__ = [
    "AssignFlow",
    "alternating_groups",
    "max_assignment",
    "potentials",
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


def potentials(tails: np.ndarray, heads: np.ndarray, costs: np.ndarray, n_nodes: int) -> np.ndarray:
    """Shortest distances from a virtual root (0 to every node) over the residual arcs of
    an optimal flow, by vectorised Bellman-Ford: optimal flow duals.

    An optimal flow's residual graph has no negative cycle, so the distances settle
    within ``n_nodes`` rounds (each round fixes at least one more node's shortest path);
    a graph that does not settle is not the residual graph of an optimal flow, and
    raises RuntimeError."""
    d = np.zeros(n_nodes, np.int64)
    for _ in range(max(n_nodes, 1) + 1):
        nd = d.copy()
        np.minimum.at(nd, heads, d[tails] + costs)
        if np.array_equal(nd, d):
            return d
        d = nd
    raise RuntimeError("potentials: a negative cycle; the flow was not optimal")


def unfilled_reach(
    p: Instance, used: np.ndarray, unfilled: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mentees and mentors reachable from ``unfilled`` mentees by alternating paths
    (unused pair forward, used pair back): the tight side of a max-flow min cut. If no
    eligible pair leads from those mentees to another mentor, the cut holds in the full
    problem too."""
    mentee_seen = unfilled.copy()
    mentor_seen = np.zeros(p.m, dtype=bool)
    frontier = np.flatnonzero(mentee_seen)
    while frontier.size:
        arcs = np.isin(p.pi, frontier) & ~used
        new_mentors = np.unique(p.pj[arcs])
        new_mentors = new_mentors[~mentor_seen[new_mentors]]
        mentor_seen[new_mentors] = True
        back = used & np.isin(p.pj, new_mentors)
        new_mentees = np.unique(p.pi[back])
        new_mentees = new_mentees[~mentee_seen[new_mentees]]
        mentee_seen[new_mentees] = True
        frontier = new_mentees
    return mentee_seen, mentor_seen


def alternating_groups(
    pi: np.ndarray, pj: np.ndarray, used: np.ndarray, start: np.ndarray, n: int, m: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Groups of mentees competing for the same full mentors (Hall violators).

    ``used`` marks at most one pair per mentee (a maximum assignment); ``start`` are
    mentees it leaves unmatched. The mentees reached from them by alternating paths
    (mentee -> mentor on unused pairs, mentor -> mentee on used ones) and their mentors,
    split into weakly connected parts, each as ``(mentees, sorted mentors)``. Every such
    mentor is full (else a path would match one more), so each part has more mentees
    than places.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import breadth_first_order, connected_components

    root = n + m
    tails = np.r_[pi[~used], n + pj[used], np.full(start.size, root)]
    heads = np.r_[n + pj[~used], pi[used], start]
    shape = (n + m + 1, n + m + 1)
    g = coo_matrix((np.ones(len(tails)), (tails, heads)), shape=shape).tocsr()
    seen = breadth_first_order(g, root, directed=True, return_predecessors=False)
    seen = seen[seen != root]
    mask = np.zeros(n + m, bool)
    mask[seen] = True
    r, c = g[: n + m, : n + m].nonzero()
    keep = mask[r] & mask[c]
    h = coo_matrix((np.ones(int(keep.sum())), (r[keep], c[keep])), shape=(n + m, n + m))
    _, label = connected_components(h, directed=False)
    out = []
    for lab in np.unique(label[seen]).tolist():
        nodes = seen[label[seen] == lab]
        out.append((nodes[nodes < n], np.sort(nodes[nodes >= n] - n)))
    return out
