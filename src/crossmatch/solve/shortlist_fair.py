"""The fairness objective of :func:`crossmatch.shortlist` (``objective="maxmin"``).

A served mentee's value is the score of their *recommended* mentor: the covering
assignment y inside the shortlists (``Shortlists.recommended``), which proves that a
complete assignment remains. The answer maximises, lexicographically,

1. coverage (everyone; with ``waitlist=True`` the mentees served are chosen first, as
   without the floor, :mod:`crossmatch.solve.waitlist`),
2. the floor: the smallest score of a recommended pair,
3. the shortlist total under that floor.

The floor is found by :func:`~crossmatch.solve.fair.max_floor` (shared with ``match``
and ``assign``) from the default answer's worst recommended pair: a floor ``t`` is
feasible when the pairs scoring at least ``t`` hold a complete assignment within
``min(capacity, exposure)`` (one maximum flow per step). The shortlists are then solved
with y restricted to those pairs (``ShortlistOptions.cover_floor``, honoured by every
method; x may still hold any pair); their ``bound`` and ``status`` are for the problem
under the floor. Should the other rules (k, exposure, group limits) leave no shortlists
with that floor, the floor is lowered by the same bisection over full solves.

The floor is exact over every eligible pair of dense scores: larger ones are solved on
candidate pairs, and one maximum flow on the full matrix's pairs above the candidates'
floor proves it there (else the search goes on over the full matrix and the pairs it
needs join the candidates: :func:`_full_floor`). On candidate scores of a cohort
(:func:`crossmatch.score_candidates`) streamed pricing passes widen the candidates until
a min cut proves the floor for the full matrix (:func:`_priced_floor`, through
:func:`~crossmatch.solve.fair.priced_floor`, shared with ``match``;
``info["floor_on_candidates"]`` is True only if
:data:`~crossmatch.solve.fair.FLOOR_ROUNDS` passes did not).
``info["price_of_fairness"]`` is the shortlist total
without the floor minus the total with it (both solved the same way);
``info["recommended_price"]`` the same for the recommended pairs' total.

Cost: two solves and a bisection of maximum flows. The floor's covering assignment is
seldom inside the relaxation, so the flow answer under the floor is seldom proved
optimal by it, and ``method="auto"`` then runs its exact stage (problems up to
:data:`~crossmatch.solve.methods.AUTO_EXACT_PAIRS` pairs, at most 30 s without a
``time_limit``). ``benchmarks/bench_fair.py``: at 10,000 x 2,000 the answer took
5.5 s (default objective 1.5 s); at 2,000 x 600 "auto" spent 30 s in the LP
and kept the flow answer (status "feasible", gap 2e-7), which ``method="flow"`` gives
in under a second.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, cast

import numpy as np

from ..errors import InfeasibleError
from ..scoring.interface import ScoreSource
from .fair import FloorNet, cover_count, cover_pairs, max_floor, priced_floor
from .instance import Instance
from .methods import Answer, objective
from .options import ShortlistOptions

__all__ = ["SOLVE_FOR", "maxmin_shortlists", "plain_shortlists"]

Solve = Callable[[ScoreSource, ShortlistOptions, np.ndarray], tuple[Instance, Answer, Any]]


def plain_shortlists(
    solve: Solve, view: ScoreSource, options: ShortlistOptions, rows: np.ndarray
) -> tuple[Instance, Answer, Any, dict[str, Any]]:
    """``objective="total"``: ``solve`` as it is, no fairness figures."""
    return (*solve(view, options, rows), {})


def maxmin_shortlists(
    solve: Solve, view: ScoreSource, options: ShortlistOptions, rows: np.ndarray
) -> tuple[Instance, Answer, Any, dict[str, Any]]:
    """Solve ``rows`` for the floor, then the total (see the module docstring).

    Returns the instance, the answer, the final candidates (or None) as ``solve`` does,
    and the fairness figures for ``info``."""
    p0, a0, grown = solve(view, options, rows)
    start = float(p0.ps[a0.y].min()) if a0.y.any() else -np.inf
    total0 = objective(p0, a0.x)
    recommended0 = float(p0.ps[a0.y].sum())
    figures: dict[str, Any] = {"floor_without": start, "total_without_floor": total0}
    if not a0.y.any():
        return p0, a0, grown, {**figures, "floor": start, "price_of_fairness": 0.0}
    source = view if grown is None else grown  # the pairs the floor was found on stay
    cap = np.minimum(p0.capacity, p0.exposure)

    def covers(t: float) -> bool:
        ok = p0.ps >= t
        return cover_count(p0.pi[ok], p0.pj[ok], p0.n, cap) == p0.n

    floor = max_floor(p0.ps, covers, start)
    on_candidates = p0.pruned
    if p0.pruned and not view.pruned:  # dense scores solved on candidates: check them all
        floor, extra = _full_floor(view, p0, rows, floor)
        if extra is not None:  # a higher floor needs pairs the candidates lack
            source = cast(Any, source).with_pairs(*extra)
        on_candidates = False
    elif p0.pruned and getattr(source, "source", None) is not None:  # a cohort's candidates
        floor, source, proved = _priced_floor(
            cast(Any, source), options, rows, floor, max(p0.k_max, 1)
        )
        on_candidates = not proved
    solved: dict[float, tuple[Instance, Answer, Any]] = {start: (p0, a0, grown)}

    def attempt(t: float) -> bool:
        try:
            found = solve(source, replace(options, cover_floor=t), rows)
        except InfeasibleError:
            return False
        if found[1].info.get("flow_failed"):  # the fast method found no shortlists
            return False
        solved[t] = found
        return True

    if floor > start and not attempt(floor):  # other rules bind: lower it, by full solves
        floor = max_floor(p0.ps[p0.ps < floor], attempt, start)
    p, a, grown = solved[floor]
    figures.update(
        {
            "floor": float(p.ps[a.y].min()),
            "price_of_fairness": total0 - objective(p, a.x),
            "recommended_price": recommended0 - float(p.ps[a.y].sum()),
            "floor_on_candidates": bool(on_candidates),
        }
    )
    return p, a, grown, figures


def _full_floor(
    view: ScoreSource, p0: Instance, rows: np.ndarray, floor: float
) -> tuple[float, tuple[np.ndarray, np.ndarray, np.ndarray] | None]:
    """Dense scores solved on candidate pairs: the best floor over *every* eligible pair.

    One maximum flow on the pairs scoring above ``floor`` (the candidates' floor) usually
    proves it; otherwise the bisection goes on over those pairs, and the pairs of one
    covering assignment at the higher floor are returned, to join the candidates."""
    cap = np.zeros(view.n_mentors, np.int64)
    cap[p0.mr] = np.minimum(p0.capacity, p0.exposure)
    total = np.asarray(view.total[rows], np.float64)
    ii, jj = np.nonzero(np.asarray(view.eligible[rows]) & (total > floor))
    vals = total[ii, jj]
    n = len(rows)

    def feasible(t: float) -> bool:
        ok = vals >= t
        return cover_count(ii[ok], jj[ok], n, cap) == n

    if vals.size == 0 or not feasible(float(vals.min())):
        return floor, None
    best = max_floor(vals, feasible, float(vals.min()))
    ok = np.flatnonzero(vals >= best)
    used = ok[cover_pairs(ii[ok], jj[ok], n, cap)]
    return best, (rows[ii[used]], jj[used], vals[used])


def _priced_floor(
    cs: Any, options: ShortlistOptions, rows: np.ndarray, floor: float, limit: int
) -> tuple[float, Any, bool]:
    """Candidate scores of a cohort: the floor over every eligible pair, by widening
    (:func:`~crossmatch.solve.fair.priced_floor`: every mentee must be covered, within
    ``min(capacity, exposure)``). Returns the floor, the candidates and whether the
    floor is proved."""

    def build(cs: Any) -> FloorNet:
        p = Instance.build(cs, options, rows)
        cap = np.minimum(p.capacity, p.exposure)

        def covers(t: float) -> bool:
            ok = p.ps >= t
            return cover_count(p.pi[ok], p.pj[ok], p.n, cap) == p.n

        every = np.ones(p.n, bool)
        return FloorNet(p.pi, p.pj, p.ps, p.ee, p.mr, cap, covers, lambda t: every)

    return priced_floor(cs, build, floor, limit=limit,
                        executor=options.executor, progress=options.progress)  # fmt: skip


#: How :func:`crossmatch.shortlist` solves each ``objective``.
SOLVE_FOR: dict[str, Callable[..., tuple[Instance, Answer, Any, dict[str, Any]]]] = {
    "total": plain_shortlists,
    "maxmin": maxmin_shortlists,
}
