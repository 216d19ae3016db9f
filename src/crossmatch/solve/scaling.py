"""The one integer scaling of scores: every flow cost made from a score is made here.

A min-cost flow needs integer costs. A score ``s`` becomes the cost ``round((s - offset)
/ unit)`` (:meth:`Scaling.costs`); a flow is then optimal for the rounded scores, and a
bound in score units adds the rounding, :meth:`Scaling.slack`: each score moves by at
most :attr:`Scaling.error`, so two answers of ``K`` pairs compare within ``2 K error``.

The unit (:func:`integer_scaling`), with ``A = max |s - offset|`` (1 when 0):

1. **Exact on a grid.** When the scores lie on a grid (each ``offset + A t / W`` for an
   integer ``t`` and one ``W <=`` :data:`GRID_DENOMINATOR`, up to the scores' own float
   precision; ``W`` is read from the distinct values of a slice, at most
   :data:`GRID_VALUES`, then every score is checked in one pass): ``unit = A / W``.
   Points systems, 1-5 ratings, thirds: rounding is exact (``error`` is the float
   residue, 0 for integers), so the flow's optimum is the true optimum; costs are small.
2. **Otherwise fine:** ``unit = RESOLUTION * min(A, 1)``: scores in [0, 1] keep ``2^40``
   steps over their range, and an outlier (one 1e6 score among [0, 1] scores) widens
   ``A`` without coarsening the unit, so everyone else's differences still count (a unit
   relative to ``A`` would round them away and "prove" a wrong answer).
3. **Int64 room.** OR-Tools multiplies costs by the node count inside its cost scaling,
   so the unit is raised, only if needed, until ``(A / unit) * headroom * (n_nodes + 1)
   <= COST_ROOM``. ``headroom`` is the largest arc cost of the network in units of the
   largest score cost: 2 for the shortlist networks (a stage adds a bonus of one score
   range), ``classes * (2 K + 1)`` for :func:`crossmatch.match` (its first-mentor rewards
   dominate any score total of ``K`` pairs, per priority class). With scores within
   :data:`~crossmatch.scoring.scores.MAX_ABS_SCORE` that happens only for networks of
   millions of nodes, and the slack reported grows with it.

The grid is tried for the shortlist too (measured: continuous scores are dismissed by
the first slice in about a millisecond; 10 million grid scores are confirmed in one
blocked pass, no sort), so points systems and ratings get exact proofs there as well.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

__all__ = [
    "COST_ROOM",
    "GRID_DENOMINATOR",
    "GRID_VALUES",
    "RESOLUTION",
    "Scaling",
    "integer_scaling",
    "room_unit",
]

#: Steps per unit of score (scores within [-1, 1]) when the scores are not on a grid.
RESOLUTION = 2.0**-40
#: Largest arc cost times (nodes + 1) allowed: OR-Tools' cost arithmetic stays in int64.
COST_ROOM = 2**61
#: A grid is looked for when a slice of the scores has at most this many distinct values ...
GRID_VALUES = 4096
#: ... of at most this many steps per ``A`` (the largest ``|s - offset|``).
GRID_DENOMINATOR = 2**16
#: Scores checked against a grid per block (bounds the memory of the check).
GRID_BLOCK = 1 << 20
#: Float precision of float64 scores (float32 scores pass their own).
FLOAT64_TOLERANCE = 4 * float(np.finfo(np.float64).eps)


@dataclass(frozen=True, slots=True)
class Scaling:
    """Scores to integer costs: ``round((s - offset) / unit)``.

    ``exact``: the scores lie on the grid of ``unit`` (up to ``error``, their float
    residue); ``error``: the most a score moves when rounded (``unit / 2`` off a grid).
    """

    offset: float
    unit: float
    exact: bool
    error: float

    def costs(self, values: np.ndarray) -> np.ndarray:
        """The integer costs (int64) of ``values``."""
        v = np.asarray(values, np.float64)
        return np.rint((v - self.offset) / self.unit).astype(np.int64)

    def slack(self, count: float) -> float:
        """The most two answers of ``count`` pairs can differ between their rounded and
        their true totals: what a bound proved on the costs adds in score units."""
        return float(count) * 2.0 * self.error


def integer_scaling(
    values: np.ndarray,
    *,
    n_nodes: int,
    headroom: float = 1.0,
    offset: float = 0.0,
    tolerance: float = FLOAT64_TOLERANCE,
) -> Scaling:
    """The one scaling of ``values`` (scores) to integer flow costs (see the module).

    Parameters
    ----------
    values : array of float
        The scores that become costs.
    n_nodes : int
        Nodes of the flow network.
    headroom : float, default 1
        The network's largest arc cost in units of the largest score cost.
    offset : float, default 0
        Subtracted before scaling (the shortlist uses the smallest score: costs >= 0).
    tolerance : float
        The scores' own relative float precision (grid detection).
    """
    v = np.asarray(values, np.float64)
    x = v - offset if offset else v
    top = float(max(x.max(), -x.min())) if x.size else 0.0  # max |x|, no temporary
    top = top or 1.0
    room = room_unit(top, n_nodes, headroom)
    unit = max(RESOLUTION * min(top, 1.0), room)
    grid = _grid(x, top, min(top / room, GRID_DENOMINATOR), tolerance)
    if grid is not None:
        return Scaling(float(offset), top / grid[0], True, grid[1])
    return Scaling(float(offset), unit, False, unit / 2.0)


def room_unit(top: float, n_nodes: int, headroom: float = 1.0) -> float:
    """The finest unit int64 allows for costs up to ``top`` (score units) times
    ``headroom`` in a network of ``n_nodes`` nodes: ``top / steps`` with ``steps
    headroom (n_nodes + 1) <= COST_ROOM`` (a cost rounded half a step up stays far
    inside int64: :data:`COST_ROOM` is a quarter of its range)."""
    steps = COST_ROOM // (math.ceil(headroom) * (int(n_nodes) + 1))
    return top / steps if steps > 0 else math.inf


def _grid(x: np.ndarray, top: float, limit: float, tol: float) -> tuple[int, float] | None:
    """The smallest ``W <= limit`` with every ``x / top * W`` an integer (within ``tol``,
    the scores' own float precision), and the largest residue in score units; None
    when there is none or the values are too many to check.

    No sort of every value: ``W`` comes from the distinct values of a first slice, then
    every value is checked in blocks (one pass); values off that grid refine ``W`` (a
    common multiple of their denominators) until all are on it or ``W`` passes the limit.
    """
    sample, w, first = x[: GRID_VALUES * 4], 1, True
    while True:
        uniq = np.unique(sample)
        if len(uniq) > GRID_VALUES:
            return None
        wider = _common_denominator(uniq / top, w, limit)
        if wider is None or (wider == w and not first):
            return None  # too fine a grid, or values on none
        w = wider
        off, residue = _off_grid(x, top, w, tol)
        if off is None:
            return w, residue
        sample, first = off, False


def _common_denominator(values: np.ndarray, w: int, limit: float) -> int | None:
    """The least common multiple of ``w`` and the denominators of ``values`` (as
    fractions of denominator at most :data:`GRID_DENOMINATOR`); None above ``limit``."""
    for v in values.tolist():
        q = Fraction(v).limit_denominator(GRID_DENOMINATOR).denominator
        w = w * q // math.gcd(w, q)
        if w > limit:
            return None
    return w


def _off_grid(x: np.ndarray, top: float, w: int, tol: float) -> tuple[np.ndarray | None, float]:
    """The first block's values off the grid ``top / w`` (None if every value is on it),
    and the largest residue (score units) of the values on it."""
    residue = 0.0
    for lo in range(0, len(x), GRID_BLOCK):
        r = x[lo : lo + GRID_BLOCK] / top * w
        gap = np.abs(np.rint(r) - r)
        off = gap > tol * np.maximum(np.abs(r), w)
        if off.any():
            return x[lo : lo + GRID_BLOCK][off], residue
        residue = max(residue, float(gap.max(initial=0.0)) * top / w)
    return None, residue
