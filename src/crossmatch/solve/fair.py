"""The threshold search of every fairness objective (``objective="maxmin"``).

:func:`crossmatch.match`, :func:`crossmatch.assign` and :func:`crossmatch.shortlist`
maximise the *floor*: the worst-off matched mentee's value, after coverage. With one
mentor per mentee a mentee's value is one pair's score, so the floor is a pair score, and
a floor ``t`` is feasible when the pairs scoring at least ``t`` still reach the optimal
coverage. Feasibility is monotone in ``t`` (fewer pairs can only cover fewer mentees), so
bisection over the distinct pair scores finds the best floor exactly: :func:`max_floor`,
with the feasibility check given by the caller (a maximum flow, :func:`cover_count`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import network
from .residual import unfilled_reach

__all__ = ["FLOOR_ROUNDS", "FloorNet", "cover_count", "cover_pairs", "max_floor", "priced_floor"]

#: Widening rounds of :func:`priced_floor` at most.
FLOOR_ROUNDS = 10


def max_floor(values: np.ndarray, feasible: Callable[[float], bool], start: float) -> float:
    """The largest of ``values`` at or above ``start`` for which ``feasible`` holds.

    Parameters
    ----------
    values : ndarray of float
        The candidate floors (pair scores; repeats are fine).
    feasible : callable
        ``feasible(t)``: whether floor ``t`` can be met. It must be monotone (true at
        ``t`` implies true below ``t``) and true at ``start``.
    start : float
        A floor known to be feasible (e.g. the worst pair of an optimal answer without
        a floor).

    Returns
    -------
    float
        The best floor: ``O(log len(values))`` calls of ``feasible``.
    """
    cand = np.unique(np.asarray(values, np.float64))
    cand = cand[cand >= start]
    if cand.size == 0 or cand[0] != start:
        cand = np.r_[start, cand]
    lo, hi = 0, len(cand) - 1  # cand[lo] is feasible
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if feasible(float(cand[mid])):
            lo = mid
        else:
            hi = mid - 1
    return float(cand[lo])


def cover_count(
    pi: np.ndarray,
    pj: np.ndarray,
    n: int,
    capacity: np.ndarray,
    *,
    sources: np.ndarray | None = None,
) -> int:
    """How many mentees one assignment can cover: a maximum flow (OR-Tools).

    Parameters
    ----------
    pi, pj : ndarray of int
        The pairs that may be used: mentee (0 .. n-1) and mentor (0 .. m-1) of each.
    n : int
        Number of mentees.
    capacity : ndarray of int, shape (m,)
        Mentees each mentor can take.
    sources : ndarray of int, optional
        The mentees that may be covered (default: all ``n``).

    Returns
    -------
    int
        The size of a maximum assignment (one mentor per mentee, ``capacity`` per mentor).
    """
    return int(cover_pairs(pi, pj, n, capacity, sources=sources).sum())


def cover_pairs(
    pi: np.ndarray,
    pj: np.ndarray,
    n: int,
    capacity: np.ndarray,
    *,
    sources: np.ndarray | None = None,
) -> np.ndarray:
    """The pairs of one maximum assignment (see :func:`cover_count`): a boolean mask
    over ``pi``, one pair per covered mentee (:func:`crossmatch.solve.network.max_cover`)."""
    return network.max_cover(pi, pj, n, capacity, sources=sources)


@dataclass(frozen=True, slots=True)
class FloorNet:
    """One solver's floor problem on candidate pairs, for :func:`priced_floor`.

    ``pi``, ``pj``, ``ps``: the pairs (canonical mentee, mentor, score); ``ee``, ``mr``:
    the score rows of the mentees and columns of the mentors; ``capacity``: places per
    mentor; ``feasible(t)``: whether floor ``t`` keeps the coverage (monotone);
    ``short(t)``: for the best floor ``t``, mentees (bool) whose maximum assignment
    over the pairs scoring *above* ``t`` falls short of what the coverage needs of them
    (all mentees when every one must be covered)."""

    pi: np.ndarray
    pj: np.ndarray
    ps: np.ndarray
    ee: np.ndarray
    mr: np.ndarray
    capacity: np.ndarray
    feasible: Callable[[float], bool]
    short: Callable[[float], np.ndarray]

    @property
    def n(self) -> int:
        return len(self.ee)

    @property
    def m(self) -> int:
        return len(self.mr)


@dataclass(frozen=True, slots=True)
class _Arcs:
    pi: np.ndarray
    pj: np.ndarray
    m: int


def priced_floor(
    cs: Any, build: Callable[[Any], FloorNet], floor: float, *, limit: int,
    executor: Any = None, progress: bool | None = None,
    expired: Callable[[], bool] | None = None,
) -> tuple[float, Any, bool]:  # fmt: skip
    """Candidate scores of a cohort: the best floor over every eligible pair, by widening.

    ``build(cs)`` gives the floor problem on the candidates ``cs``; ``floor`` is feasible
    there. Each round finds the candidates' best floor (:func:`max_floor`); the pairs
    above it leave the ``short`` mentees partly unassigned, and the mentees and mentors
    reached from the unassigned ones by alternating paths form a min cut (every such
    mentor is full). One streamed pricing pass over the full matrix
    (``cs.price``, up to ``limit`` pairs a mentee) looks for pairs scoring above the
    floor from those mentees to other mentors: none proves the floor for the full matrix
    (the cut holds there, so no higher floor keeps the coverage); otherwise they join
    the candidates and the search goes on, at most :data:`FLOOR_ROUNDS` rounds (no
    pass starts once ``expired()`` is true).

    Returns
    -------
    floor : float
    cs : the candidates with the pairs found
    proved : bool
        Whether the floor is proved for the full matrix.
    """
    for _ in range(FLOOR_ROUNDS):
        net = build(cs)
        floor = max_floor(net.ps, net.feasible, floor)
        if expired is not None and expired():
            break
        above = net.ps > floor
        pi, pj = net.pi[above], net.pj[above]
        sources = net.short(floor)
        used = cover_pairs(pi, pj, net.n, net.capacity, sources=np.flatnonzero(sources))
        unfilled = sources.copy()
        unfilled[pi[used]] = False
        mentees, mentors = unfilled_reach(_Arcs(pi, pj, net.m), used, unfilled)
        prices = np.zeros(cs.n_mentors)
        prices[net.mr[mentors | (net.capacity <= 0)]] = np.inf
        threshold = np.full(cs.n_mentees, np.inf)
        threshold[net.ee] = floor
        _, r, c, v = cs.price(prices, np.zeros(cs.n_mentees, np.int64), threshold,
                              rows=net.ee[mentees], limit=limit,
                              executor=executor, progress=progress)  # fmt: skip
        if len(r) == 0:
            return floor, cs, True
        cs = cs.with_pairs(r, c, v)
    return floor, cs, False
