"""The network of :func:`crossmatch.match`: eligible pairs in canonical order, integer
costs, the reward of a first mentor.

Integer scaling (exact at the precision used)
---------------------------------------------
Flow costs are integers, made by the one scaling of :mod:`crossmatch.solve.scaling`
(offset 0: a pair's cost keeps its sign, so pairs that lower the total are left out):
``w_ij = round(s_ij / q)`` with the quantum ``q`` (``info["quantum"]``) fine enough for
``2^40`` steps over scores in [-1, 1], and exact when the scores lie on a grid (points
systems, rating scales: ``info["rounding_bound"]`` 0). The flow is optimal for the
rounded scores; any two answers differ in true and rounded total by at most ``K q / 2``
each (``K``: the most pairs a flow can hold), so the answer's total is within ``K q`` of
the true optimum (``info["rounding_bound"]``); coverage is exact.

The reward dominates any score total. Let ``D = K * (w+ + w-)`` with ``w+ = max(0,
max w)`` and ``w- = max(0, -min w)``: every flow's rounded total lies in ``[-K w-, K w+]``,
so two flows' totals differ by at most ``D``. With ``C`` priority classes (rank ``k = 0``
the highest) the first-mentor reward of a class-``k`` mentee is ``R_k = (C - k) G`` with
``G = D + 1``. Coverage rewards are multiples of ``G``, so a flow with a smaller reward
sum costs at least ``G - D = 1`` more than one with a larger sum, whatever their totals:
the optimum maximises the reward sum first, then the rounded total. The mentees that can
be covered together form a matroid (a transversal matroid of the capacity-expanded
graph); in a matroid every maximum-weight independent set, for weights that decrease
strictly with the class, has the largest possible count of each prefix of classes (the
greedy characterisation: it spans every level set). So maximising the reward sum is
exactly the lexicographic coverage, and with one class it is the maximum cardinality.

OR-Tools multiplies costs by (number of nodes + 1) inside its cost scaling, so the
scaling gets the headroom ``C (2K + 1)`` (the largest reward in units of the largest
score cost): every arc cost times (nodes + 1), and every flow's total cost, fit in 64
bits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scoring.interface import ScoreSource
from .pairs import Pairs, canonical_pairs
from .scaling import COST_ROOM, Scaling, integer_scaling

#: Below this many steps over the scores the priority classes leave too little room.
MIN_RESOLUTION = 2**12


# ---------------------------------------------------------------------------- pairs
def _pairs(scores: ScoreSource) -> Pairs:
    """Every eligible pair to a mentor with capacity, in canonical order."""
    pairs = canonical_pairs(scores)
    keep = scores.capacity[pairs.mr[pairs.pj]] > 0
    return pairs if keep.all() else pairs.subset(keep)


# ---------------------------------------------------------------------------- flow
@dataclass(frozen=True, slots=True)
class _Network:
    """The matching network's data (canonical indices), ready for several solves."""

    pairs: Pairs
    slots: np.ndarray  # mentors still open per canonical mentee (p_i minus fixed)
    covered: np.ndarray  # canonical mentees already covered by fixed pairs
    klass: np.ndarray  # class rank per canonical mentee (0 = highest)
    n_classes: int
    cap: np.ndarray  # capacity left per canonical mentor
    scaling: Scaling  # scores -> integer costs (offset 0)
    weights: np.ndarray  # integer scores of the pairs
    unit: int  # G

    @property
    def quantum(self) -> float:
        """The score width of one cost step."""
        return self.scaling.unit


def _network(
    pairs: Pairs, slots: np.ndarray, covered: np.ndarray, klass: np.ndarray, cap: np.ndarray
) -> _Network:
    n_classes = int(klass.max()) + 1 if len(klass) else 1
    most = int(min(slots.sum(), cap.sum(), len(pairs.pi)))  # K
    nodes = pairs.n + pairs.m + 2
    headroom = n_classes * (2 * most + 1)
    if headroom * (nodes + 1) > COST_ROOM // MIN_RESOLUTION:
        raise ValueError(
            f"{n_classes} priority classes leave too little integer room for the scores: "
            "use fewer distinct `priority` values."
        )
    scaling = integer_scaling(pairs.ps, n_nodes=nodes, headroom=headroom, tolerance=pairs.tolerance)
    w = scaling.costs(pairs.ps)
    w_pos = max(0, int(w.max())) if len(w) else 0
    w_neg = max(0, -int(w.min())) if len(w) else 0
    unit = most * (w_pos + w_neg) + 1
    return _Network(pairs, slots, covered, klass, n_classes, cap, scaling, w, unit)


def _build(
    scores: ScoreSource,
    fr: np.ndarray,
    fc: np.ndarray,
    klass_rows: np.ndarray,
    per_mentee: int,
) -> tuple[Pairs, _Network, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The network of these scores with the fixed pairs (rows ``fr``, columns ``fc``)
    taken out: pairs, network, canonical fixed pairs, open slots, covered, capacity left."""
    pairs = _pairs(scores)
    n, m = pairs.n, pairs.m
    inv_e = np.empty(n, np.int64)
    inv_e[pairs.ee] = np.arange(n)
    inv_m = np.empty(m, np.int64)
    inv_m[pairs.mr] = np.arange(m)
    fa, fb = inv_e[fr], inv_m[fc]
    if fa.size:  # fixed pairs leave the network (they are added back to the answer)
        drop = np.isin(pairs.pi * m + pairs.pj, fa * m + fb)
        pairs = pairs.subset(~drop)
    fixed_count = np.bincount(fa, minlength=n)
    slots = per_mentee - fixed_count
    covered = fixed_count > 0
    cap = scores.capacity[pairs.mr].astype(np.int64) - np.bincount(fb, minlength=m)
    net = _network(pairs, slots, covered, klass_rows[pairs.ee], cap)
    return pairs, net, fa, fb, slots, covered, cap
