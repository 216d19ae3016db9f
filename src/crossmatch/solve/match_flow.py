"""The network of :func:`crossmatch.match`: eligible pairs in canonical order, integer
costs, the reward of a first mentor.

Integer scaling (exact at the precision used)
---------------------------------------------
Flow costs are integers. With ``A = max |s_ij|`` (1 if all are 0) and a resolution
``W`` (below), ``w_ij = round(s_ij * W / A)``: scores are rounded to a quantum
``q = A / W`` and the flow is optimal for the rounded scores. Any two answers differ in
true and rounded total by at most ``K q / 2`` each (``K``: the most pairs a flow can
hold), so the answer's total is within ``K q`` of the true optimum (``info["quantum"]``,
``info["rounding_bound"]``); coverage is exact. When the scores lie on a grid (at most
4,096 distinct values, each ``A * k / W`` for one ``W <= 2^16`` up to the scores' own float
precision: points systems, rating scales), that ``W`` is used instead: the rounding is
then exact and so is the optimum (``rounding_bound`` 0). That also makes the flow faster.

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

OR-Tools multiplies costs by (number of nodes + 1) inside its cost scaling, so ``W`` is
the largest integer with ``(nodes + 1) C (2K + 1) W <= 2^61`` (at most 2^40): every arc
cost times (nodes + 1), and every flow's total cost, fit in 64 bits.

"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..scoring.interface import ScoreSource
from .instance import id_order

#: Every arc cost times (nodes + 1), and every flow's total cost, stay below this.
COST_BUDGET = 2**61
#: The finest resolution used (scores are float64 or float32).
MAX_RESOLUTION = 2**40
#: Below this resolution the priority classes leave too little room for the scores.
MIN_RESOLUTION = 2**12
#: Scores with at most this many distinct values are checked for a common grid ...
GRID_VALUES = 4096
#: ... of at most this many steps per unit of the largest |score|.
GRID_DENOMINATOR = 2**16


# ---------------------------------------------------------------------------- pairs
@dataclass(frozen=True, slots=True)
class _Pairs:
    """Eligible pairs in canonical order: ``ee[a]`` is mentee row of canonical ``a``."""

    ee: np.ndarray
    mr: np.ndarray
    pi: np.ndarray  # canonical mentee of each pair
    pj: np.ndarray  # canonical mentor
    ps: np.ndarray  # float64 score
    tolerance: float = 4 * float(np.finfo(np.float64).eps)  # the scores' float precision

    @property
    def n(self) -> int:
        return len(self.ee)

    @property
    def m(self) -> int:
        return len(self.mr)


def _pairs(scores: ScoreSource) -> _Pairs:
    # canonical order by id: answers never depend on row order
    ee, mr = id_order(scores.mentee_ids), id_order(scores.mentor_ids)
    rank_e = np.empty(len(ee), np.int64)
    rank_e[ee] = np.arange(len(ee))
    rank_m = np.empty(len(mr), np.int64)
    rank_m[mr] = np.arange(len(mr))
    ii, jj, raw = scores.pairs_of(np.arange(scores.n_mentees))
    tol = 4 * float(np.finfo(raw.dtype).eps) if raw.dtype.kind == "f" else 0.0
    vals = np.asarray(raw, np.float64)
    keep = scores.capacity[jj] > 0
    if not keep.all():
        ii, jj, vals = ii[keep], jj[keep], vals[keep]
    pi, pj = rank_e[ii], rank_m[jj]
    if not (_identity(ee) and _identity(mr)):  # else already sorted by (row, column)
        order = np.lexsort((pj, pi))
        pi, pj, vals = pi[order], pj[order], vals[order]
    return _Pairs(ee, mr, pi, pj, vals, tol)


def _identity(order: np.ndarray) -> bool:
    return bool(np.array_equal(order, np.arange(len(order))))


# ---------------------------------------------------------------------------- flow
@dataclass(frozen=True, slots=True)
class _Network:
    """The matching network's data (canonical indices), ready for several solves."""

    pairs: _Pairs
    slots: np.ndarray  # mentors still open per canonical mentee (p_i minus fixed)
    covered: np.ndarray  # canonical mentees already covered by fixed pairs
    klass: np.ndarray  # class rank per canonical mentee (0 = highest)
    n_classes: int
    cap: np.ndarray  # capacity left per canonical mentor
    resolution: int
    scale: float  # A: score units of `resolution`
    weights: np.ndarray  # integer scores of the pairs
    unit: int  # G
    exact: bool  # the scores lie on the grid of `resolution`


def _network(
    pairs: _Pairs, slots: np.ndarray, covered: np.ndarray, klass: np.ndarray, cap: np.ndarray
) -> _Network:
    n_classes = int(klass.max()) + 1 if len(klass) else 1
    most = int(min(slots.sum(), cap.sum(), len(pairs.pi)))  # K
    nodes = pairs.n + pairs.m + 2
    room = COST_BUDGET // ((nodes + 1) * n_classes * (2 * most + 1))
    resolution = int(min(MAX_RESOLUTION, room))
    if resolution < MIN_RESOLUTION:
        raise ValueError(
            f"{n_classes} priority classes leave too little integer room for the scores "
            f"({resolution} steps): use fewer distinct `priority` values."
        )
    scale = float(np.max(np.abs(pairs.ps))) if len(pairs.ps) else 1.0
    scale = scale or 1.0
    grid = _grid(pairs.ps / scale, resolution, pairs.tolerance)
    resolution = resolution if grid is None else grid
    w = np.rint(pairs.ps * (resolution / scale)).astype(np.int64)
    w_pos = max(0, int(w.max())) if len(w) else 0
    w_neg = max(0, -int(w.min())) if len(w) else 0
    unit = most * (w_pos + w_neg) + 1
    return _Network(
        pairs, slots, covered, klass, n_classes, cap, resolution, scale, w, unit, grid is not None
    )


def _grid(x: np.ndarray, limit: int, tol: float) -> int | None:
    """The smallest ``W <= limit`` with every ``x * W`` an integer (within ``tol``, the
    scores' own float precision), if the values are few enough to check; else None.
    Points systems and rating scales lie on such grids: their flow is then exact."""
    from fractions import Fraction

    if len(np.unique(x[: GRID_VALUES * 4])) > GRID_VALUES:  # a cheap first look
        return None
    uniq = np.unique(x)
    if len(uniq) > GRID_VALUES:
        return None
    w = 1
    for v in uniq.tolist():
        q = Fraction(v).limit_denominator(GRID_DENOMINATOR).denominator
        w = w * q // math.gcd(w, q)
        if w > min(limit, GRID_DENOMINATOR):
            return None
    if np.any(np.abs(np.rint(uniq * w) - uniq * w) > tol * w * np.maximum(np.abs(uniq), 1.0)):
        return None
    return w


def _build(
    scores: ScoreSource,
    fr: np.ndarray,
    fc: np.ndarray,
    klass_rows: np.ndarray,
    per_mentee: int,
) -> tuple[_Pairs, _Network, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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
        pairs = _Pairs(
            pairs.ee, pairs.mr, pairs.pi[~drop], pairs.pj[~drop], pairs.ps[~drop], pairs.tolerance
        )
    fixed_count = np.bincount(fa, minlength=n)
    slots = per_mentee - fixed_count
    covered = fixed_count > 0
    cap = scores.capacity[pairs.mr].astype(np.int64) - np.bincount(fb, minlength=m)
    net = _network(pairs, slots, covered, klass_rows[pairs.ee], cap)
    return pairs, net, fa, fb, slots, covered, cap
