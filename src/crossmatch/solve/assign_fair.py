"""The fairness objective of :func:`crossmatch.assign` (``objective="maxmin"``).

A matched mentee's *value* is the score of their mentor, or the sum of their mentors'
scores with ``per_mentee > 1``; the *floor* is the smallest value over matched mentees.
The answer maximises, lexicographically,

1. coverage: the number of mentees with at least one mentor (as without the floor:
   everyone when no mentor declines),
2. the floor,
3. under that floor, the rank-maximal objective of :func:`crossmatch.assign` (the
   mentees' rank signature, then the mentors' ranks, then the total score): the
   mentees' choices still decide among the answers that keep the floor.

- ``per_mentee == 1``: the floor is one option's score. Bisection over the distinct
  option scores from the rank-maximal answer's worst one
  (:func:`~crossmatch.solve.fair.max_floor`, shared with ``match`` and ``shortlist``):
  ``t`` is feasible when the options scoring at least ``t`` still cover as many mentees
  (one maximum flow per step); the rank-maximal flows then run on those options only.
  Exact.
- ``per_mentee > 1``: deciding a floor on sums is NP-hard in general (it contains bin
  covering), so a mixed-integer program (SciPy's HiGHS ``milp``) with the coverage count
  fixed maximises the floor, then, with the floor held, each rank count in turn, the
  mentors' rank counts and the total score (one MILP per stage). Exact; meant for small
  and medium cohorts (at most :data:`MILP_OPTIONS` options).

``info["price_of_fairness"]`` is the total score of the answer without the floor (the
same method) minus this answer's total; it can be negative, because without the floor
the ranks, not the total, come first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import ParameterError
from ..results import Shortlists
from .assign_many import options_of
from .fair import cover_count, max_floor

__all__ = ["MILP_OPTIONS", "maxmin"]

#: With several mentors per mentee, maxmin solves MILPs over at most this many options.
MILP_OPTIONS = 20_000

Method = Callable[..., tuple[np.ndarray, dict[str, Any]]]


def _values(shortlists: Shortlists, mentors: np.ndarray) -> np.ndarray:
    """Each mentee's value (sum of their mentors' scores); NaN where unmatched."""
    r, k = np.nonzero(mentors >= 0)
    v = np.bincount(
        r,
        weights=np.asarray(shortlists.scores.total[r, mentors[r, k]], np.float64),
        minlength=len(mentors),
    )
    return np.where(mentors[:, 0] >= 0, v, np.nan)


def maxmin(
    method: Method, shortlists: Shortlists, lists: list[np.ndarray],
    mentor_rank: dict[tuple[int, int], int], partial: bool, per_mentee: int,
) -> tuple[np.ndarray, dict[str, Any]]:  # fmt: skip
    """The maxmin answer (see the module docstring): ``(mentors, info)``; ``method`` is
    the rank-maximal method of :data:`~crossmatch.solve.assign.ASSIGN_METHODS`."""
    base, info = method(shortlists, lists, mentor_rank, partial, per_mentee, None)
    s = shortlists.scores
    before = _values(shortlists, base)
    total_before = float(np.nansum(before))
    rows, cols, ranks, score = options_of(shortlists, lists)
    if not (base[:, 0] >= 0).any():
        return base, {**info, "floor": None, "price_of_fairness": 0.0,
                      "total_without_floor": total_before}  # fmt: skip
    capacity = np.asarray(s.capacity, np.int64)
    target = cover_count(rows, cols, s.n_mentees, capacity)
    if per_mentee == 1:

        def feasible(t: float) -> bool:
            ok = score >= t
            return cover_count(rows[ok], cols[ok], s.n_mentees, capacity) == target

        floor = max_floor(score, feasible, float(np.nanmin(before)))
        mentors, info = method(shortlists, lists, mentor_rank, partial, 1, floor)
        status = "optimal"
    else:
        if len(rows) > MILP_OPTIONS:
            raise ParameterError(
                "assign",
                [f"objective='maxmin' with per_mentee > 1 solves MILPs, here on {len(rows):,} "
                 f"options (more than {MILP_OPTIONS:,}): use per_mentee=1 (exact by flows at "
                 "any size) or objective=None."],
            )  # fmt: skip
        mrank = np.array(
            [mentor_rank.get((int(i), int(j)), -1) for i, j in zip(rows, cols, strict=True)],
            np.int64,
        )
        x, status = _lexicographic_milp(rows, cols, ranks, mrank, score, capacity,
                                        per_mentee, target)  # fmt: skip
        mentors = _mentors_of(rows[x], cols[x], ranks[x], s.n_mentees, per_mentee)
        info = {**info, "backend": "MILP (HiGHS), lexicographic stages"}
    after = _values(shortlists, mentors)
    total = float(np.nansum(after))
    info.update(
        {
            "floor": float(np.nanmin(after)),
            "floor_without": float(np.nanmin(before)),
            "total_without_floor": total_before,
            "price_of_fairness": total_before - total,
            "status": status,
        }
    )
    return mentors, info


def _mentors_of(
    r: np.ndarray, c: np.ndarray, k: np.ndarray, n: int, width: int
) -> np.ndarray:  # fmt: skip
    """Pairs as an ``(n, width)`` array, each mentee's mentors in list order."""
    out = np.full((n, width), -1, np.int64)
    order = np.lexsort((k, r))
    r, c = r[order], c[order]
    out[r, np.arange(len(r)) - np.searchsorted(r, r)] = c
    return out


def _lexicographic_milp(
    rows: np.ndarray, cols: np.ndarray, ranks: np.ndarray, mrank: np.ndarray,
    score: np.ndarray, capacity: np.ndarray, per_mentee: int, target: int,
) -> tuple[np.ndarray, str]:  # fmt: skip
    """Options chosen: coverage ``target`` fixed, floor, rank counts, mentors' rank
    counts, total score -- one HiGHS MILP per stage, each stage's optimum held."""
    import scipy.sparse as sp
    from scipy.optimize import Bounds, LinearConstraint, milp

    who, mi = np.unique(rows, return_inverse=True)
    q, a = len(rows), len(who)
    nv = q + a + 1  # x (options), y (mentee covered), t (floor)
    big_t = per_mentee * float(np.abs(score).max()) + 1.0
    big = 2.0 * big_t + 1.0
    qa = np.arange(q)
    x_of = sp.csr_matrix((np.ones(q), (mi, qa)), shape=(a, q))
    cons = [
        LinearConstraint(  # x_q <= y_i
            sp.hstack([sp.identity(q), -sp.csr_matrix((np.ones(q), (qa, mi)), shape=(q, a)),
                       sp.csr_matrix((q, 1))]), -np.inf, 0.0),
        LinearConstraint(  # y_i <= sum x, sum x <= per_mentee
            sp.hstack([-x_of, sp.identity(a), sp.csr_matrix((a, 1))]), -np.inf, 0.0),
        LinearConstraint(sp.hstack([x_of, sp.csr_matrix((a, a + 1))]), -np.inf, per_mentee),
        LinearConstraint(
            sp.hstack([sp.csr_matrix((np.ones(q), (cols, qa)), shape=(len(capacity), q)),
                       sp.csr_matrix((len(capacity), a + 1))]), -np.inf, capacity),
        LinearConstraint(np.r_[np.zeros(q), np.ones(a), 0.0][None, :], target, target),
        LinearConstraint(  # t - sum s x + big y_i <= big
            sp.hstack([-sp.csr_matrix((score, (mi, qa)), shape=(a, q)),
                       big * sp.identity(a), np.ones((a, 1))]), -np.inf, big),
    ]  # fmt: skip
    lo, hi = np.zeros(nv), np.ones(nv)
    lo[-1], hi[-1] = -big_t, big_t
    integrality = np.r_[np.ones(q + a), 0.0]
    status = "optimal"

    def solve(c: np.ndarray) -> np.ndarray:
        res = milp(c, constraints=cons, integrality=integrality, bounds=Bounds(lo, hi))
        if res.x is None or res.status != 0:
            raise RuntimeError(f"the maxmin MILP stopped: {res.message}")
        return np.asarray(res.x)

    x = solve(np.r_[np.zeros(q + a), -1.0])
    lo[-1] = float(x[-1]) - 1e-9 * max(1.0, abs(float(x[-1])))  # hold the floor
    stages = [ranks == r for r in range(int(ranks.max()) + 1)]
    stages += [mrank == r for r in range(int(mrank.max(initial=-1)) + 1)]
    for mark in stages:
        if not mark.any():
            continue
        c = np.r_[-mark.astype(float), np.zeros(a + 1)]
        x = solve(c)
        held = float(np.round(mark @ np.round(x[:q])))
        cons.append(LinearConstraint(-c[None, :], held, held))
    x = solve(np.r_[-(score - score.min()), np.zeros(a + 1)])
    return np.round(x[:q]) > 0.5, status
