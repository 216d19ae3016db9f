"""`assign`: one mentor per mentee from the mentees' choices.

- ``"rank-maximal"`` (default): everyone gets a mentor from their shortlist, capacities
  hold, and the number of first choices is as large as possible, then of second choices,
  and so on; the total score breaks the remaining ties. Solved exactly as a sequence of
  assignment LPs (HiGHS dual simplex, through SciPy): stage r maximises the rank-r count
  over the optimal face of the stages before, which is kept by fixing options by their
  reduced costs (complementary slackness). The assignment polytope is integral and each
  stage optimises over a face of it, so every stage has an integral optimal vertex
  (an OR-Tools CP-SAT solve of the same sequence is the fallback should
  rounding ever leave a fractional value). A single min-cost flow with rank weights would
  need weights of (n + 1)^(k - 1), which overflow 64-bit costs for real cohorts.
- ``"stable"``: mentee-proposing deferred acceptance; mentors rank mentees by score
  (ties by mentee id). Mentees may stay unmatched, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InfeasibleError, Problem, ValidationError
from ..results import Assignment, Shortlists, rank_signature
from .problem import id_order

__all__ = ["ASSIGN_METHODS", "assign", "orderings"]


def orderings(shortlists: Shortlists, choices: pd.DataFrame | None) -> list[np.ndarray]:
    """Each mentee's mentors in preference order: ranked choices (by ``preference``), then
    the unranked rest of the shortlist in shortlist order. Validates ``choices``."""
    lists = [row[row >= 0] for row in shortlists.mentors]
    if choices is None:
        return lists
    if not isinstance(choices, pd.DataFrame):
        raise TypeError(f"`choices` must be a DataFrame. Got {type(choices).__name__} instead.")
    need = ["mentee_id", "mentor_id", "preference"]
    missing = [c for c in need if c not in choices.columns]
    if missing:
        raise ValidationError(
            [Problem("choices", f"required column {c!r} is missing.", column=c,
                     hint="choices need mentee_id, mentor_id, preference (1 = first).")
             for c in missing],
            title="invalid choices",
        )  # fmt: skip
    ee = {v: i for i, v in enumerate(shortlists.mentee_ids.tolist())}
    mr = {v: j for j, v in enumerate(shortlists.mentor_ids.tolist())}
    problems: list[Problem] = []
    ranked: dict[int, list[tuple[int, int]]] = {}
    seen_pair: dict[tuple[int, int], Any] = {}
    seen_pref: dict[tuple[int, int], Any] = {}
    columns = (choices["mentee_id"], choices["mentor_id"], choices["preference"])
    for label, a, b, pref in zip(choices.index, *columns, strict=True):

        def bad(
            message: str,
            column: str,
            value: Any,
            hint: str | None = None,
            row: Any = label,
            who: Any = a,
        ) -> None:
            problems.append(
                Problem("choices", message, row=row, id=who, column=column, value=value, hint=hint)
            )

        i = ee.get(a)
        if i is None:
            bad("unknown mentee id.", "mentee_id", a, "use ids of the shortlisted mentees.")
            continue
        j = mr.get(b)
        if j is None or j not in lists[i]:
            hint = "mentees may only rank mentors from their own shortlist."
            bad("this mentor is not on the mentee's shortlist.", "mentor_id", b, hint)
            continue
        whole = isinstance(pref, int | np.integer) or (
            isinstance(pref, float | np.floating) and float(pref).is_integer()
        )
        if isinstance(pref, bool | np.bool_) or not whole or pref < 1:
            bad("preference must be a whole number >= 1.", "preference", pref)
            continue
        if (i, j) in seen_pair:
            bad(f"duplicate choice (first in row {seen_pair[(i, j)]}).", "mentor_id", b)
            continue
        if (i, int(pref)) in seen_pref:
            first = seen_pref[(i, int(pref))]
            hint = "give each ranked mentor a different preference."
            bad(
                f"duplicate preference {int(pref)} (first in row {first}).",
                "preference",
                pref,
                hint,
            )
            continue
        seen_pair[(i, j)] = label
        seen_pref[(i, int(pref))] = label
        ranked.setdefault(i, []).append((int(pref), j))
    if problems:
        raise ValidationError(problems, title="invalid choices")
    out = []
    for i, row in enumerate(lists):
        first = [j for _, j in sorted(ranked.get(i, []))]
        rest = [j for j in row.tolist() if j not in set(first)]
        out.append(np.array(first + rest, dtype=np.int64))
    return out


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


def _lexicographic(
    rows: np.ndarray, mentors: np.ndarray, ranks: np.ndarray, score: np.ndarray,
    capacity: np.ndarray, n: int,
) -> np.ndarray:  # fmt: skip
    """One option per mentee maximising (count of rank 0, count of rank 1, ..., score).

    A sequence of assignment LPs (HiGHS dual simplex). After stage r (maximise the rank-r
    count) the optimal face is kept by complementary slackness with the stage's optimal
    duals, which holds for *every* optimal solution: a capacity row with a nonzero dual stays
    full, an option with positive reduced cost stays 0, and one with negative reduced cost
    (at its upper bound) stays 1. Those are fixed, and the next stage solves a smaller
    assignment LP. The polytope and its faces are integral, so basic solutions are integral.
    """
    import scipy.sparse as sp
    from scipy.optimize import linprog

    q = len(rows)
    x = np.zeros(q)
    free = np.ones(q, dtype=bool)  # options still undecided
    cap = np.asarray(capacity, dtype=float).copy()
    tight = np.zeros(len(cap), dtype=bool)  # mentors that must stay full
    n_ranks = int(ranks.max()) + 1 if q else 0
    tol = 1e-9
    for stage in range(n_ranks + 1):
        last = stage == n_ranks
        idx = np.flatnonzero(free)
        if idx.size == 0:
            break
        open_rows, row_of = np.unique(rows[idx], return_inverse=True)
        used, col_of = np.unique(mentors[idx], return_inverse=True)
        one = np.ones(idx.size)
        cols = np.arange(idx.size)
        mentee_rows = sp.csr_matrix((one, (row_of, cols)), shape=(len(open_rows), idx.size))
        mentor_rows = sp.csr_matrix((one, (col_of, cols)), shape=(len(used), idx.size))
        full = tight[used]
        a_eq = sp.vstack([mentee_rows, mentor_rows[np.flatnonzero(full)]]).tocsr()
        b_eq = np.r_[np.ones(len(open_rows)), cap[used[full]]]
        a_ub = mentor_rows[np.flatnonzero(~full)]
        b_ub = cap[used[~full]]
        cost = -score[idx] if last else -(ranks[idx] == stage).astype(float)
        res = linprog(cost, a_ub, b_ub, a_eq, b_eq, bounds=(0, 1), method="highs-ds")
        if res.status != 0:
            raise InfeasibleError(
                "no complete assignment exists within the shortlists and capacities",
                fix="use shortlists from `shortlist`, which always contain a complete assignment",
            )
        if last:
            x[idx] = res.x
            break
        tight[used[~full][np.abs(res.ineqlin.marginals) > tol]] = True
        drop = res.lower.marginals > tol
        take = (res.upper.marginals < -tol) & ~drop
        free[idx[drop]] = False
        _take(idx[take], x, free, cap, rows, mentors, n)
    return x


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


def _potentials(
    tails: np.ndarray, heads: np.ndarray, costs: np.ndarray, n_nodes: int
) -> np.ndarray | None:
    """Shortest distances from a virtual root (0 to every node) over residual arcs, by
    vectorised Bellman-Ford: optimal flow duals. None if it does not settle."""
    d = np.zeros(n_nodes, np.int64)
    for _ in range(max(n_nodes, 1) + 1):
        nd = d.copy()
        np.minimum.at(nd, heads, d[tails] + costs)
        if np.array_equal(nd, d):
            return d
        d = nd
    return None


def _flow_lexicographic(
    rows: np.ndarray, mentors: np.ndarray, ranks: np.ndarray, score: np.ndarray,
    capacity: np.ndarray, n: int,
) -> np.ndarray | None:  # fmt: skip
    """:func:`_lexicographic` with OR-Tools min-cost flows for the stages (much faster on
    large cohorts). The duals that fix options between stages are flow potentials
    (:func:`_potentials` on the residual graph). None if potentials do not settle."""
    from ortools.graph.python import min_cost_flow

    q = len(rows)
    x = np.zeros(q)
    free = np.ones(q, dtype=bool)
    cap = np.asarray(capacity, dtype=np.int64).copy()
    tight = np.zeros(len(cap), dtype=bool)
    n_ranks = int(ranks.max()) + 1 if q else 0
    span = float(score.max() - score.min()) if q else 0.0
    for stage in range(n_ranks + 1):
        last = stage == n_ranks
        idx = np.flatnonzero(free)
        if idx.size == 0:
            break
        open_rows, ri = np.unique(rows[idx], return_inverse=True)
        used, cj = np.unique(mentors[idx], return_inverse=True)
        a, b = len(open_rows), len(used)
        if last:
            cost = -np.rint((score[idx] - score.min()) / (span or 1.0) * 1e7).astype(np.int64)
        else:
            cost = -(ranks[idx] == stage).astype(np.int64)
        full = tight[used]
        f = min_cost_flow.SimpleMinCostFlow()
        src, snk = a + b, a + b + 1
        f.add_arcs_with_capacity_and_unit_cost(
            np.full(a, src), np.arange(a), np.ones(a, np.int64), np.zeros(a, np.int64)
        )
        arcs = f.add_arcs_with_capacity_and_unit_cost(ri, a + cj, np.ones(idx.size, np.int64), cost)
        loose = np.flatnonzero(~full)
        f.add_arcs_with_capacity_and_unit_cost(
            a + loose, np.full(len(loose), snk), cap[used[loose]], np.zeros(len(loose), np.int64)
        )
        held = int(cap[used[full]].sum())
        nodes = np.r_[src, a + np.flatnonzero(full), snk]
        supply = np.r_[a, -cap[used[full]], -(a - held)]
        if a - held < 0:
            return _infeasible_assignment()
        f.set_nodes_supplies(nodes, supply)
        if f.solve() != f.OPTIMAL:
            return _infeasible_assignment()
        xo = f.flows(arcs) > 0
        if last:
            x[idx] = xo
            break
        load = np.bincount(cj[xo], minlength=b)
        lo = loose[load[loose] < cap[used[loose]]]
        hi = loose[load[loose] > 0]
        tails = np.r_[ri[~xo], a + cj[xo], a + lo, np.full(len(hi), a + b)]
        heads = np.r_[a + cj[~xo], ri[xo], np.full(len(lo), a + b), a + hi]
        costs = np.r_[cost[~xo], -cost[xo], np.zeros(len(lo) + len(hi), np.int64)]
        d = _potentials(tails, heads, costs, a + b + 1)
        if d is None:
            return None
        rc = cost + d[ri] - d[a + cj]
        sink_rc = d[a + loose] - d[a + b]
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


def _groups(keys: np.ndarray, size: int) -> list[np.ndarray]:
    """Positions of each key value 0..size-1 (one pass, instead of a scan per value)."""
    order = np.argsort(keys, kind="stable")
    return np.split(order, np.searchsorted(keys[order], np.arange(1, size)))


def _cpsat_lexicographic(
    rows: np.ndarray, mentors: np.ndarray, ranks: np.ndarray, score: np.ndarray,
    capacity: np.ndarray, n: int,
) -> np.ndarray:  # fmt: skip
    """The same sequence with OR-Tools CP-SAT (integer by construction): the fallback should
    an LP vertex ever come back fractional through rounding."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = [model.new_bool_var("") for _ in range(len(rows))]
    for members in _groups(rows, n):
        model.add_exactly_one(x[q] for q in members.tolist())
    for j, members in enumerate(_groups(mentors, len(capacity))):
        if members.size:
            model.add(sum(x[q] for q in members.tolist()) <= int(capacity[j]))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    lo, hi = float(score.min(initial=0.0)), float(score.max(initial=1.0))
    weights = np.rint((score - lo) / ((hi - lo) or 1.0) * 2**30).astype(np.int64)
    n_ranks = int(ranks.max()) + 1 if len(ranks) else 0
    for stage in range(n_ranks + 1):
        last = stage == n_ranks
        chosen = np.arange(len(rows)) if last else np.flatnonzero(ranks == stage)
        coeff = weights[chosen] if last else np.ones(len(chosen), dtype=np.int64)
        terms = [x[q] for q in chosen.tolist()]
        model.maximize(cp_model.LinearExpr.weighted_sum(terms, coeff.tolist()))
        if solver.solve(model) != cp_model.OPTIMAL:
            raise InfeasibleError(
                "no complete assignment exists within the shortlists and capacities"
            )
        if not last:
            model.add(sum(terms) == round(solver.objective_value))
    return np.array([solver.boolean_value(v) for v in x], dtype=float)


def _rank_maximal(
    shortlists: Shortlists, lists: list[np.ndarray]
) -> tuple[np.ndarray, dict[str, Any]]:
    s = shortlists.scores
    n = len(lists)
    order = id_order(s.mentee_ids)
    rows, mentors, ranks = _options(lists, order)
    pos = np.empty(n, dtype=np.int64)
    pos[order] = np.arange(n)
    canon_rows = pos[rows]
    score = s.total[rows, mentors].astype(np.float64)
    backend = "min-cost flow"
    value = _flow_lexicographic(canon_rows, mentors, ranks, score, s.capacity, n)
    if value is None:
        backend = "highs"
        value = _lexicographic(canon_rows, mentors, ranks, score, s.capacity, n)
    if np.any(np.abs(value - np.round(value)) > 1e-6):
        backend = "cp-sat"
        value = _cpsat_lexicographic(canon_rows, mentors, ranks, score, s.capacity, n)
    chosen = np.round(value) > 0.5
    mentor = np.full(n, -1, dtype=np.int64)
    mentor[rows[chosen]] = mentors[chosen]
    return mentor, {"backend": backend}


def _stable(shortlists: Shortlists, lists: list[np.ndarray]) -> tuple[np.ndarray, dict[str, Any]]:
    """Mentee-proposing deferred acceptance (Gale-Shapley) with mentor capacities."""
    s = shortlists.scores
    n = len(lists)
    tiebreak = np.empty(n, dtype=np.int64)
    tiebreak[id_order(s.mentee_ids)] = np.arange(n)
    held: dict[int, list[int]] = {}
    next_choice = np.zeros(n, dtype=np.int64)
    mentor = np.full(n, -1, dtype=np.int64)
    free = [int(r) for r in id_order(s.mentee_ids)][::-1]

    def key(i: int, j: int) -> tuple[float, int]:  # smaller = preferred by the mentor
        return (-float(s.total[i, j]), int(tiebreak[i]))

    while free:
        i = free.pop()
        if next_choice[i] >= len(lists[i]):
            continue
        j = int(lists[i][next_choice[i]])
        next_choice[i] += 1
        bucket = held.setdefault(j, [])
        bucket.append(i)
        mentor[i] = j
        if len(bucket) > int(s.capacity[j]):
            worst = max(bucket, key=lambda a: key(a, j))
            bucket.remove(worst)
            mentor[worst] = -1
            free.append(worst)
    return mentor, {}


#: Registered assignment methods, by name.
ASSIGN_METHODS: dict[
    str, Callable[[Shortlists, list[np.ndarray]], tuple[np.ndarray, dict[str, Any]]]
] = {
    "rank-maximal": _rank_maximal,
    "stable": _stable,
}


def assign(
    shortlists: Shortlists, choices: pd.DataFrame | None = None, *, method: str = "rank-maximal"
) -> Assignment:
    """Assign one mentor per mentee from the mentees' choices.

    Parameters
    ----------
    shortlists : Shortlists
    choices : DataFrame, optional
        Columns ``mentee_id``, ``mentor_id``, ``preference`` (1 = first choice); each mentee
        ranks some or all of their own shortlist. Mentees without choices keep the
        shortlist order; unranked entries follow the ranked ones in shortlist order.
    method : {"rank-maximal", "stable"}

    Returns
    -------
    Assignment

    Raises
    ------
    ValidationError
        Choices naming a mentor not on that mentee's shortlist, unknown ids, duplicate
        choices or preferences, bad preference values: all at once.
    InfeasibleError
        ("rank-maximal") if the shortlists hold no complete assignment.
    """
    if method not in ASSIGN_METHODS:
        raise ValueError(
            f"Unknown method {method!r}. Known methods: {', '.join(sorted(ASSIGN_METHODS))}."
        )
    if not isinstance(shortlists, Shortlists):
        raise TypeError(
            f"`shortlists` must be a Shortlists object. Got {type(shortlists).__name__}."
        )
    lists = orderings(shortlists, choices)
    mentor, info = ASSIGN_METHODS[method](shortlists, lists)
    preference = np.zeros(len(lists), dtype=np.int64)
    reasons: list[str | None] = []
    for i, (row, j) in enumerate(zip(lists, mentor.tolist(), strict=True)):
        if j >= 0:
            preference[i] = int(np.flatnonzero(row == j)[0]) + 1
            reasons.append(None)
        elif len(row) == 0:
            reasons.append("empty shortlist")
        else:
            reasons.append("every mentor on the list was filled by mentees they rank higher")
    return Assignment(
        scores=shortlists.scores,
        mentor=mentor,
        preference=preference,
        reason=tuple(reasons),
        method=method,
        shortlists=shortlists,
        info={**info, "signature": rank_signature(preference)},
    )
