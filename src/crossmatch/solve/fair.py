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

import numpy as np

__all__ = ["cover_count", "cover_pairs", "max_floor"]


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
    over ``pi``, one pair per covered mentee."""
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
