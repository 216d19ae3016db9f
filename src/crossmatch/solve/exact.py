"""The shortlist integer program, exactly: its LP relaxation solved by pricing (HiGHS), and
SCIP through OR-Tools (warm-started) when the LP optimum is fractional.

The model, on eligible pairs E (canonical order):

    maximise   sum s_ij x_ij
    subject to sum_j x_ij = k_i                 every mentee i
               sum_i x_ij <= e_j                every mentor j (exposure)
               sum_{j in g} x_ij <= d           every mentee i and group g (optional)
               y_ij <= x_ij,  sum_j y_ij = 1,  sum_i y_ij <= c_j     (coverage)
               x, y in {0, 1}

Both work with the float scores directly (no integer scaling); bounds add a relative
1e-9 against the solvers' tolerances. Both honour the solve's one deadline
(:class:`~crossmatch.solve.options.Deadline`): HiGHS and SCIP get what is left of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .instance import Instance
from .network import max_assignment
from .options import Deadline

__all__ = ["ExactResult", "PricedLP", "candidate_pairs", "priced_lp", "solve_mip"]


@dataclass(frozen=True, slots=True)
class ExactResult:
    x: np.ndarray | None  # (P,) bool, or None if no solution was found
    y: np.ndarray | None
    optimal: bool
    infeasible: bool
    bound: float  # valid upper bound in score units (inf if none)
    status: str
    seconds: float
    served: np.ndarray | None = None  # (n,) bool, with ``serve=``: the mentees served


def _lp_model(p: Instance, pairs: np.ndarray, cover: np.ndarray | None = None) -> dict[str, Any]:
    """Sparse LP (minimisation form, variables [x, y] over ``pairs``) for scipy's HiGHS;
    ``cover`` (over all pairs): the pairs y may use (None: every pair)."""
    import scipy.sparse as sp

    P = len(pairs)
    pi, pj = p.pi[pairs], p.pj[pairs]
    r = np.arange(P)
    one = np.ones(P)
    blocks_ub = [
        sp.csr_matrix((one, (pj, r)), shape=(p.m, 2 * P)),  # exposure
        sp.csr_matrix((one, (pj, P + r)), shape=(p.m, 2 * P)),  # capacity
        sp.csr_matrix(
            (np.r_[one, -one], (np.r_[r, r], np.r_[P + r, r])), shape=(P, 2 * P)
        ),  # y <= x
    ]
    b_ub = [p.exposure.astype(float), p.capacity.astype(float), np.zeros(P)]
    gkeys = np.zeros(0, dtype=np.int64)
    if p.max_per_group is not None and p.group is not None:
        width = int(p.group.max()) + 1
        key = pi * width + p.group[pj]
        gkeys, inv = np.unique(key, return_inverse=True)
        blocks_ub.append(sp.csr_matrix((one, (inv, r)), shape=(len(gkeys), 2 * P)))
        b_ub.append(np.full(len(gkeys), float(p.max_per_group)))
    A_eq = sp.vstack(
        [sp.csr_matrix((one, (pi, r)), shape=(p.n, 2 * P)),
         sp.csr_matrix((one, (pi, P + r)), shape=(p.n, 2 * P))]
    )  # fmt: skip
    return {
        "c": -np.r_[p.ps[pairs], np.zeros(P)],
        "A_ub": sp.vstack(blocks_ub).tocsr(),
        "b_ub": np.concatenate(b_ub),
        "A_eq": A_eq.tocsr(),
        "b_eq": np.r_[p.k.astype(float), np.ones(p.n)],
        "gkeys": gkeys,
        "bounds": (0, 1) if cover is None
        else np.c_[np.zeros(2 * P), np.r_[np.ones(P), cover[pairs]]],
    }  # fmt: skip


@dataclass(frozen=True, slots=True)
class PricedLP:
    """Result of :func:`priced_lp`."""

    value: float  # LP optimum over the final pair set (-inf if infeasible)
    bound: float  # valid upper bound on the full LP (hence on the integer optimum)
    x: np.ndarray | None  # (P,) x values over all pairs (0 off the model)
    in_model: np.ndarray  # (P,) bool
    rounds: int
    seconds: float
    timed_out: bool = False  # the deadline stopped the pricing before it was done


def priced_lp(
    p: Instance,
    start: np.ndarray,
    *,
    deadline: Deadline,
    max_rounds: int = 30,
    on_round: Callable[[int, float], None] | None = None,
    cover: np.ndarray | None = None,
) -> PricedLP:
    """The LP relaxation over all eligible pairs, solved on a growing subset (pricing).

    Starts from the pairs in ``start``; after each solve (HiGHS dual simplex) every pair
    outside the model is priced with the duals u (k rows), alpha (assignment rows),
    v (exposure), beta (capacity) and w (group rows). In maximisation form, adding pair
    (i, j) can raise the optimum only if

        r_ij = s_ij - u_i - v_j - w_ig + max(0, -alpha_i - beta_j) > 0

    (the new link row's dual is chosen freely). Pairs with r_ij > 0 join the model. At
    any round ``LP(subset) + sum of positive r_ij`` is a valid upper bound on the full LP
    (give each pruned x_ij <= 1 bound the dual r_ij); when no pair prices out, the subset
    optimum *is* the full LP optimum. Each HiGHS solve gets what is left of ``deadline``;
    a solve it cuts short ends the rounds (``timed_out``). ``on_round(round, bound)`` is
    called after each priced round (progress bars). ``cover``: the pairs the covering
    assignment y may use (None: all); a pair outside it prices without the y term.
    """
    import time

    from scipy.optimize import linprog

    t0 = time.perf_counter()
    in_model = np.asarray(start, dtype=bool).copy()
    best_bound = np.inf
    value, x_all = -np.inf, None
    timed_out = False
    for rounds in range(1, max_rounds + 1):
        if deadline.expired():
            timed_out = True
            break
        pairs = np.flatnonzero(in_model)
        model = _lp_model(p, pairs, cover)
        left = deadline.remaining()
        options = {} if left is None else {"time_limit": max(left, 1e-3)}
        res = linprog(model["c"], model["A_ub"], model["b_ub"], model["A_eq"], model["b_eq"],
                      bounds=model["bounds"], method="highs-ds", options=options)  # fmt: skip
        if res.status == 1:  # the deadline (or HiGHS's iteration limit) stopped it
            timed_out = True
            break
        if res.status == 2:  # infeasible on the subset: widen to every pair once
            if in_model.all():
                seconds = time.perf_counter() - t0
                return PricedLP(-np.inf, -np.inf, None, in_model, rounds, seconds, False)
            in_model[:] = True
            continue
        if res.status != 0:
            break
        value = float(-res.fun)
        P = len(pairs)
        x_all = np.zeros(p.n_pairs)
        x_all[pairs] = res.x[:P]
        # duals of the minimisation form; maximisation-form duals are their negatives
        eq = -res.eqlin.marginals
        ub = -res.ineqlin.marginals
        u, alpha = eq[: p.n], eq[p.n :]
        v, beta = ub[: p.m], ub[p.m : 2 * p.m]
        gain = np.maximum(0.0, -alpha[p.pi] - beta[p.pj])
        r = p.ps - u[p.pi] - v[p.pj] + (gain if cover is None else np.where(cover, gain, 0.0))
        if len(model["gkeys"]):
            width = int(p.group.max()) + 1  # type: ignore[union-attr]
            w = np.zeros(p.n * width)
            w[model["gkeys"]] = ub[2 * p.m + P :]
            r -= w[p.pi * width + p.group[p.pj]]  # type: ignore[index]
        tol = 1e-9 * max(1.0, float(np.abs(p.ps).max()))
        out = ~in_model & (r > tol)
        bound = value + float(r[out].sum()) + 1e-9 * max(1.0, abs(value))
        best_bound = min(best_bound, bound)
        if on_round is not None:
            on_round(rounds, best_bound)
        if not out.any():
            break
        if deadline.expired():
            timed_out = True
            break
        in_model |= out
    seconds = time.perf_counter() - t0
    return PricedLP(value, best_bound, x_all, in_model, rounds, seconds, timed_out)


def candidate_pairs(p: Instance, per_mentee: int, per_mentor: int) -> np.ndarray:
    """Each mentee's ``per_mentee`` best pairs and each mentor's ``per_mentor`` best pairs."""
    out = np.zeros(p.n_pairs, dtype=bool)
    for keys, size, top in ((p.pi, p.n, per_mentee), (p.pj, p.m, per_mentor)):
        order = np.lexsort((-p.ps, keys))
        sorted_keys = keys[order]
        starts = np.searchsorted(sorted_keys, np.arange(size))
        rank = np.arange(len(order)) - starts[sorted_keys]
        out[order[rank < top]] = True
    return out


def solve_mip(
    p: Instance,
    *,
    hint: tuple[np.ndarray, np.ndarray] | None,
    deadline: Deadline,
    seed: int,
    cover: np.ndarray | None = None,
    serve: tuple[np.ndarray, np.ndarray] | None = None,
) -> ExactResult:
    """Solve the shortlist integer program with SCIP (OR-Tools' linear-solver wrapper).

    ``serve = (classes, counts)`` (waitlist): whom to serve is a variable too, binary
    ``z_i`` with ``sum_j x_ij = k_i z_i``, ``sum_j y_ij = z_i``, ``sum_{i: classes_i <=
    c} z_i = counts[c]`` (-1: free), optimal jointly (``ExactResult.served``).
    x is binary, y continuous (for integral x the assignment polytope is integral), the
    relative gap is 0 and ``hint`` (x, y) warm-starts the search. SCIP works with the float
    scores directly and proves optimality with its own LP bound; it gets what is left of
    ``deadline``; ``cover``: the pairs y may use (None: all). The OR-Tools wheels ship
    SCIP; a build without it raises RuntimeError (no silent switch to another solver).
    """
    import time

    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:  # an OR-Tools build without SCIP
        raise RuntimeError(
            "method='exact' needs SCIP, which this OR-Tools build lacks: install the "
            "OR-Tools wheel from PyPI (`pip install ortools`), or use method='flow'"
        )
    t0 = time.perf_counter()
    P = p.n_pairs
    inf = solver.infinity()
    x = [solver.BoolVar("") for _ in range(P)]
    y_max = np.ones(P) if cover is None else np.asarray(cover, float)
    y = [solver.NumVar(0.0, float(u), "") for u in y_max]
    z = [] if serve is None else [solver.BoolVar("") for _ in range(p.n)]
    ks, ones = (p.k, np.ones(p.n)) if serve is None else (np.zeros(p.n), np.zeros(p.n))
    rows_x = [solver.Constraint(float(k), float(k)) for k in ks]
    rows_y = [solver.Constraint(float(v), float(v)) for v in ones]
    for i, zi in enumerate(z):  # x rows: sum x - k z = 0; y rows: sum y - z = 0
        rows_x[i].SetCoefficient(zi, -float(p.k[i]))
        rows_y[i].SetCoefficient(zi, -1.0)
    classes, counts = serve if serve is not None else (np.zeros(0), np.zeros(0))
    for c, count in enumerate(np.asarray(counts).tolist()):
        if count >= 0:  # served per prefix of classes (-1: free)
            prefix = solver.Constraint(float(count), float(count))
            for i in np.flatnonzero(np.asarray(classes) <= c).tolist():
                prefix.SetCoefficient(z[i], 1.0)
    expo = [solver.Constraint(-inf, float(e)) for e in p.exposure]
    caps = [solver.Constraint(-inf, float(c)) for c in p.capacity]
    groups: dict[int, Any] = {}
    width = int(p.group.max()) + 1 if p.group is not None else 0
    objective = solver.Objective()
    for q, (i, j, s) in enumerate(zip(p.pi.tolist(), p.pj.tolist(), p.ps.tolist(), strict=True)):
        rows_x[i].SetCoefficient(x[q], 1.0)
        rows_y[i].SetCoefficient(y[q], 1.0)
        expo[j].SetCoefficient(x[q], 1.0)
        caps[j].SetCoefficient(y[q], 1.0)
        link = solver.Constraint(-inf, 0.0)
        link.SetCoefficient(y[q], 1.0)
        link.SetCoefficient(x[q], -1.0)
        if p.max_per_group is not None and p.group is not None:
            key = i * width + int(p.group[j])
            if key not in groups:
                groups[key] = solver.Constraint(-inf, float(p.max_per_group))
            groups[key].SetCoefficient(x[q], 1.0)
        objective.SetCoefficient(x[q], s)
    objective.SetMaximization()
    if hint is not None:
        hx, hy = hint
        solver.SetHint(x + y, [float(v) for v in hx] + [float(v) for v in hy])
    left = deadline.remaining()
    if left is not None:
        solver.SetTimeLimit(max(1, int(1000 * left)))
    solver.SetSolverSpecificParametersAsString(f"randomization/randomseedshift = {int(seed)}\n")
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)
    status = solver.Solve(params)
    seconds = time.perf_counter() - t0
    names = {pywraplp.Solver.OPTIMAL: "OPTIMAL", pywraplp.Solver.FEASIBLE: "FEASIBLE",
             pywraplp.Solver.INFEASIBLE: "INFEASIBLE"}  # fmt: skip
    name = names.get(status, "UNKNOWN")
    if status in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        xs = np.array([v.solution_value() > 0.5 for v in x], dtype=bool)
        served = np.array([v.solution_value() > 0.5 for v in z]) if z else np.ones(p.n, bool)
        bound = objective.BestBound()
        bound = float(bound + 1e-9 * max(1.0, abs(bound)))
        # y from an exact flow on x (SCIP's continuous y may be fractional)
        found = max_assignment(
            p,
            np.minimum(p.capacity, p.exposure),
            weights=p.weights(),
            pair_mask=xs if cover is None else xs & cover,
        )
        if not np.array_equal(found.matched, served):  # pragma: no cover - numerical trouble
            return ExactResult(None, None, False, False, bound, "NUMERICAL", seconds)
        return ExactResult(xs, found.pair_used, status == pywraplp.Solver.OPTIMAL, False, bound,
                           name, seconds, None if serve is None else served)  # fmt: skip
    return ExactResult(
        None, None, False, status == pywraplp.Solver.INFEASIBLE, np.inf, name, seconds
    )
