"""Rank-maximal assignment with several mentors per mentee (``assign(per_mentee=m)``).

The problem
-----------
Mentee i's options are the mentors of their list (their ranked choices, then the rest of
their shortlist, declined pairs removed), option (i, j) of rank r_ij (0 = first). Choose
x_ij in {0, 1} on the options with sum_j x_ij <= m and sum_i x_ij <= c_j, maximising,
lexicographically,

1. the number of mentees with at least one mentor (coverage),
2. the *pair signature*: the number of assigned pairs of rank 0 (first choices), then of
   rank 1, and so on (every pair counts, whichever of the mentee's mentors it is),
3. with the mentors' rankings (``mentor_choices``): the number of pairs a mentor ranked
   first, then second, ...,
4. the total score.

One network, solved in stages (:func:`lexicographic_flow`): source -> mentee by a
*first-mentor* arc (capacity 1) and a second arc (capacity m - 1), mentee -> mentor (one
arc per option, capacity 1), mentor -> sink (capacity c_j), and a source -> sink bypass,
so a flow may stop short. Stage 1 rewards only the first-mentor arcs (cost -1): a mentee
with any flow uses that arc first (it is cheaper), so the stage's optimum is the largest
number of mentees covered, as in :mod:`crossmatch.solve.match_flow` (there the reward is
folded into one cost; here it is its own stage). Each later stage rewards its options
(cost -1, or minus the integer score for the last stage) over the optimal face of the
stages before, kept exactly as in :mod:`crossmatch.solve.rank_maximal`: after a stage's
optimal flow, its duals (flow potentials, :func:`~crossmatch.solve.network.potentials`)
fix every arc of non-zero reduced cost -- negative: full in every optimum, positive:
empty in every optimum (complementary slackness holds for every optimal flow with any
optimal dual) -- and the next stage solves what is left. Flows are integral, so every
stage's answer is an assignment; the weights never need a (n + 1)^k scale.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InfeasibleError
from ..results import Shortlists
from . import network
from .instance import id_order
from .scaling import integer_scaling

__all__ = ["lexicographic_flow", "options_of", "rank_maximal_many"]


def lexicographic_flow(
    tails: np.ndarray, heads: np.ndarray, caps: np.ndarray, supplies: np.ndarray,
    stages: list[np.ndarray],
) -> np.ndarray:  # fmt: skip
    """The integral flow minimising ``stages[0]`` costs, then ``stages[1]`` over that
    stage's optimal face, and so on; the network must be feasible (e.g. a bypass arc).

    Parameters
    ----------
    tails, heads, caps : ndarray of int
        The arcs (lower bounds 0).
    supplies : ndarray of int
        Supply (> 0) or demand (< 0) of every node.
    stages : list of ndarray of int
        One cost per arc for each stage, in priority order.

    Returns
    -------
    ndarray of int
        The flow on every arc.
    """
    n_nodes = len(supplies)
    fixed = np.full(len(tails), -1, np.int64)  # flow of arcs fixed so far (-1: free)
    flow = np.zeros(len(tails), np.int64)
    for s, cost in enumerate(stages):
        idx = np.flatnonzero(fixed < 0)
        held = np.flatnonzero(fixed >= 0)
        b = np.asarray(supplies, np.int64).copy()
        np.subtract.at(b, tails[held], fixed[held])
        np.add.at(b, heads[held], fixed[held])
        t, h, u, c = tails[idx], heads[idx], caps[idx], cost[idx]
        nodes = np.flatnonzero(b)
        f, ok = network.solve_network(t, h, u, c, nodes, b[nodes])
        if not ok:
            raise RuntimeError("lexicographic_flow: a stage has no feasible flow")
        if s == len(stages) - 1:
            flow[idx] = f
            break
        d = network.potentials(*network.residual_arcs(t, h, u, c, f), n_nodes)
        rc = c + d[t] - d[h]
        fixed[idx[rc < 0]] = u[rc < 0]  # full in every optimum of this stage
        fixed[idx[rc > 0]] = 0  # empty in every optimum
    flow[fixed >= 0] = fixed[fixed >= 0]
    return flow


def options_of(
    shortlists: Shortlists, lists: list[np.ndarray], floor: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every option as arrays (mentees in id order): mentee row, mentor column, rank in
    the mentee's list (0-based) and score; with ``floor``, only options scoring at
    least ``floor`` (ranks stay their places in the list)."""
    order = id_order(shortlists.scores.mentee_ids)
    sizes = np.array([len(lists[r]) for r in order], np.int64)
    rows = np.repeat(order, sizes).astype(np.int64)
    cols = np.concatenate([lists[r] for r in order]).astype(np.int64) if len(order) else rows
    ranks = np.concatenate([np.arange(k) for k in sizes]).astype(np.int64) if len(order) else rows
    score = np.asarray(shortlists.scores.total[rows, cols], np.float64)
    if floor is not None:
        ok = score >= floor
        rows, cols, ranks, score = rows[ok], cols[ok], ranks[ok], score[ok]
    return rows, cols, ranks, score


def rank_maximal_many(
    shortlists: Shortlists, lists: list[np.ndarray], mentor_rank: dict[tuple[int, int], int],
    partial: bool, per_mentee: int, floor: float | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:  # fmt: skip
    """The rank-maximal assignment of up to ``per_mentee`` mentors per mentee (see the
    module docstring): ``(mentors, info)``, ``mentors`` of shape ``(n, per_mentee)`` in
    each mentee's list order, ``-1`` padded. Without ``partial`` every mentee with an
    option must get a mentor (else InfeasibleError); with ``floor``, only options
    scoring at least ``floor`` are used."""
    s = shortlists.scores
    n, m = s.n_mentees, s.n_mentors
    rows, cols, ranks, score = options_of(shortlists, lists, floor)
    mentors = np.full((n, per_mentee), -1, np.int64)
    if rows.size == 0:
        return mentors, {"backend": "min-cost flow (lexicographic stages)"}
    who, sizes = np.unique(rows, return_counts=True)  # mentees with options (row order)
    a = len(who)
    node = np.full(n, -1, np.int64)
    node[who] = np.arange(a)
    src, snk = a + m, a + m + 1
    extra = np.minimum(sizes, per_mentee) - 1
    many = np.flatnonzero(extra > 0)
    supply = int(np.minimum(sizes, per_mentee).sum())
    tails = np.r_[np.full(a + len(many), src), node[rows], a + np.arange(m), src]
    heads = np.r_[np.arange(a), many, a + cols, np.full(m, snk), snk]
    caps = np.r_[np.ones(a, np.int64), extra[many], np.ones(len(rows), np.int64),
                 np.asarray(s.capacity, np.int64), supply]  # fmt: skip
    supplies = np.zeros(a + m + 2, np.int64)
    supplies[src], supplies[snk] = supply, -supply
    first = np.zeros(len(tails), bool)
    first[:a] = True
    opt = slice(a + len(many), a + len(many) + len(rows))

    def on_options(values: np.ndarray) -> np.ndarray:
        cost = np.zeros(len(tails), np.int64)
        cost[opt] = values
        return cost

    stages = [-first.astype(np.int64)]
    stages += [on_options(-(ranks == r).astype(np.int64)) for r in range(int(ranks.max()) + 1)]
    if mentor_rank:
        mrank = np.array(
            [mentor_rank.get((int(i), int(j)), -1) for i, j in zip(rows, cols, strict=True)],
            np.int64,
        )
        stages += [on_options(-(mrank == r).astype(np.int64)) for r in range(int(mrank.max()) + 1)]
    scaling = integer_scaling(score, n_nodes=a + m + 2, offset=float(score.min()))
    stages.append(on_options(-scaling.costs(score)))  # the one scaling (solve/scaling.py)
    flow = lexicographic_flow(tails, heads, caps, supplies, stages)
    used = flow[opt] > 0
    covered = np.zeros(n, bool)
    covered[rows[used]] = True
    if not partial and not covered[who].all():
        raise InfeasibleError(
            "no assignment within the shortlists and capacities gives every mentee a mentor",
            fix="use shortlists from `shortlist`, which always contain a complete assignment",
        )
    r_used, c_used = rows[used], cols[used]
    order = np.lexsort((ranks[used], r_used))  # by mentee, then the mentee's rank
    r_used, c_used = r_used[order], c_used[order]
    starts = np.searchsorted(r_used, r_used, side="left")
    mentors[r_used, np.arange(len(r_used)) - starts] = c_used
    return mentors, {"backend": "min-cost flow (lexicographic stages)"}
