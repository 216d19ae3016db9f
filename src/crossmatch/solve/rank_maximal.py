"""Rank-maximal assignment from choices: as many first choices as possible, then second
choices, and so on; the total score breaks the remaining ties.

Solved exactly as a sequence of min-cost flows (one per rank, then the score), each over
the optimal face of the stages before, kept by fixing options by their reduced costs
(complementary slackness with flow potentials). A single min-cost flow with rank weights
would need weights of (n + 1)^(k - 1), which overflow 64-bit costs for real cohorts.

The stages are flows, so every answer is integral and the potentials of an optimal flow
always settle (:func:`~crossmatch.solve.network.potentials` raises otherwise): an earlier
LP path (HiGHS) and a CP-SAT path that ran "should rounding ever leave a fractional
value" could never run, and were removed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InfeasibleError
from ..results import Shortlists
from . import network
from .instance import id_order
from .scaling import integer_scaling

__all__ = ["rank_maximal"]


def _options(
    lists: list[np.ndarray], order: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flatten (canonical mentee order) into option arrays: mentee row, mentor, rank (0-based)."""
    rows = (
        np.concatenate([np.full(len(lists[r]), r) for r in order])
        if len(order)
        else np.zeros(0, int)
    )
    mentors = np.concatenate([lists[r] for r in order]) if len(order) else np.zeros(0, int)
    ranks = (
        np.concatenate([np.arange(len(lists[r])) for r in order])
        if len(order)
        else np.zeros(0, int)
    )
    return rows.astype(np.int64), mentors.astype(np.int64), ranks.astype(np.int64)


def _take(
    chosen: np.ndarray, x: np.ndarray, free: np.ndarray, cap: np.ndarray,
    rows: np.ndarray, mentors: np.ndarray, n: int,
) -> None:  # fmt: skip
    """Fix options at 1 between stages: their mentees' other options leave, their mentors'
    capacity drops."""
    if not chosen.size:
        return
    x[chosen] = 1.0
    free[chosen] = False
    done = np.zeros(n, dtype=bool)
    done[rows[chosen]] = True
    free &= ~done[rows]  # the other options of those mentees are out
    np.subtract.at(cap, mentors[chosen], 1)


def _flow_lexicographic(
    rows: np.ndarray, mentors: np.ndarray, stages: list[np.ndarray], score: np.ndarray,
    capacity: np.ndarray, n: int,
) -> np.ndarray:  # fmt: skip
    """One option per mentee maximising (count of ``stages[0]`` options, count of
    ``stages[1]`` options, ..., score): one min-cost flow per stage (for the mentees'
    ranks, ``stages[r]`` marks the options of rank r). After stage r (maximise its count)
    the optimal face is kept by complementary slackness with the stage's optimal duals (flow
    potentials, :func:`~crossmatch.solve.network.potentials`), which holds for *every*
    optimal solution: a mentor whose sink arc has a negative reduced cost stays full, an
    option with positive reduced cost stays out, one with negative reduced cost stays
    in. Those are fixed, and the next stage solves a smaller assignment. Flows are
    integral, so every stage's answer is (no rounding, no fallback)."""
    q = len(rows)
    x = np.zeros(q)
    free = np.ones(q, dtype=bool)
    cap = np.asarray(capacity, dtype=np.int64).copy()
    tight = np.zeros(len(cap), dtype=bool)
    n_ranks = len(stages) if q else 0
    for stage in range(n_ranks + 1):
        last = stage == n_ranks
        idx = np.flatnonzero(free)
        if idx.size == 0:
            break
        open_rows, ri = np.unique(rows[idx], return_inverse=True)
        used, cj = np.unique(mentors[idx], return_inverse=True)
        a, b = len(open_rows), len(used)
        if last:  # the one scaling of scores to integers (crossmatch.solve.scaling)
            scaling = integer_scaling(score, n_nodes=a + b + 2, offset=float(score.min()))
            cost = -scaling.costs(score[idx])
        else:
            cost = -stages[stage][idx].astype(np.int64)
        full = tight[used]
        src, snk = a + b, a + b + 1
        loose = np.flatnonzero(~full)
        held = int(cap[used[full]].sum())
        if a - held < 0:
            return _infeasible_assignment()
        arcs = (
            np.r_[np.full(a, src), ri, a + loose],
            np.r_[np.arange(a), a + cj, np.full(len(loose), snk)],
            np.r_[np.ones(a + idx.size, np.int64), cap[used[loose]]],
            np.r_[np.zeros(a, np.int64), cost, np.zeros(len(loose), np.int64)],
        )
        flows, ok = network.solve_network(
            *arcs,
            np.r_[src, a + np.flatnonzero(full), snk],
            np.r_[a, -cap[used[full]], -(a - held)],
        )
        if not ok:
            return _infeasible_assignment()
        xo = flows[a : a + idx.size] > 0
        if last:
            x[idx] = xo
            break
        # the optimal duals: potentials over the residual graph (the source's arcs are
        # all full, so it only has arcs in and leaves the other potentials as they are)
        d = network.potentials(*network.residual_arcs(*arcs, flows), a + b + 2)
        rc = cost + d[ri] - d[a + cj]
        sink_rc = d[a + loose] - d[snk]
        tight[used[loose[sink_rc < 0]]] = True  # full in every optimum
        idle = np.zeros(b, dtype=bool)
        idle[loose[sink_rc > 0]] = True  # empty in every optimum
        drop = (rc > 0) | idle[cj]
        take = (rc < 0) & ~drop
        free[idx[drop]] = False
        _take(idx[take], x, free, cap, rows, mentors, n)
    return x


def _infeasible_assignment() -> np.ndarray:
    raise InfeasibleError(
        "no complete assignment exists within the shortlists and capacities",
        fix="use shortlists from `shortlist`, which always contain a complete assignment",
    )


def rank_maximal(
    shortlists: Shortlists, lists: list[np.ndarray],
    mentor_rank: dict[tuple[int, int], int] | None = None, partial: bool = False,
    floor: float | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:  # fmt: skip
    """The rank-maximal assignment of ``lists`` (each mentee's mentors, best first).

    Stages, each over the optimal face of those before: with ``partial``, first the
    number of mentees served (a mentee may stay unmatched, e.g. after declines: each gets
    an option to a dummy mentor of unlimited capacity); then the count of the mentees'
    first choices, seconds, ...; then, with ``mentor_rank`` ((row, column) -> the
    mentor's 0-based rank of that mentee), the count of the mentors' first choices,
    seconds, ...; then the total score. With ``floor``, only options scoring at least
    ``floor`` may be assigned; their ranks stay their places in ``lists``."""
    s = shortlists.scores
    n = len(lists)
    order = id_order(s.mentee_ids)
    rows, mentors, ranks = _options(lists, order)
    pos = np.empty(n, dtype=np.int64)
    pos[order] = np.arange(n)
    score = s.total[rows, mentors].astype(np.float64)
    if floor is not None:
        ok = score >= floor
        rows, mentors, ranks, score = rows[ok], mentors[ok], ranks[ok], score[ok]
    capacity = np.asarray(s.capacity, np.int64)
    mrank = np.full(len(rows), -1, np.int64)
    if mentor_rank:
        mrank = np.array(
            [mentor_rank.get((int(r), int(j)), -1) for r, j in zip(rows, mentors, strict=True)],
            dtype=np.int64,
        )
    real = np.ones(len(rows), dtype=bool)
    if partial and len(rows):
        who = np.unique(rows)  # a dummy option per mentee with options
        dummy = s.n_mentors
        rows = np.r_[rows, who]
        mentors = np.r_[mentors, np.full(len(who), dummy)]
        ranks = np.r_[ranks, np.full(len(who), -1)]
        mrank = np.r_[mrank, np.full(len(who), -1)]
        score = np.r_[score, np.full(len(who), score.min())]
        real = np.r_[real, np.zeros(len(who), dtype=bool)]
        capacity = np.r_[capacity, len(who)]
    stages: list[np.ndarray] = [real] if partial else []
    stages += [ranks == r for r in range(int(ranks.max(initial=-1)) + 1)]
    stages += [mrank == r for r in range(int(mrank.max(initial=-1)) + 1)]
    value = _flow_lexicographic(pos[rows], mentors, stages, score, capacity, n)
    chosen = (np.round(value) > 0.5) & real
    mentor = np.full(n, -1, dtype=np.int64)
    mentor[rows[chosen]] = mentors[chosen]
    return mentor, {"backend": "min-cost flow"}
