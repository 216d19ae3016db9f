"""The shortlist integer program, exactly: its LP relaxation solved by pricing (HiGHS), and
SCIP through OR-Tools (warm-started) when the LP optimum is fractional.

The model, on eligible pairs E (canonical order):

    maximise   sum s_ij x_ij
    subject to sum_j x_ij = k_i                 every mentee i
               sum_i x_ij <= e_j                every mentor j (exposure)
               sum_{j in g} x_ij <= d           every mentee i and group g (optional)
               y_ij <= x_ij,  sum_j y_ij = 1,  sum_i y_ij <= c_j     (coverage)
               x, y in {0, 1}

CP-SAT needs integer weights: scores are rounded to :data:`EXACT_RESOLUTION` of the score
range, and every bound reported in score units adds the largest possible rounding error,
so it stays a valid upper bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .problem import Problem

__all__ = [
    "EXACT_RESOLUTION",
    "ExactResult",
    "PricedLP",
    "candidate_pairs",
    "priced_lp",
    "solve_cpsat",
    "solve_mip",
]

#: Integer resolution of CP-SAT weights, as a share of the score range.
EXACT_RESOLUTION = 2.0**-32


@dataclass(frozen=True, slots=True)
class ExactResult:
    x: np.ndarray | None  # (P,) bool, or None if no solution was found
    y: np.ndarray | None
    optimal: bool
    infeasible: bool
    bound: float  # valid upper bound in score units (inf if none)
    status: str
    seconds: float


def rounding_slack(p: Problem, resolution: float) -> float:
    """Largest total error of rounding every chosen weight to ``resolution``."""
    if p.n_pairs == 0:
        return 0.0
    return float(p.k.sum()) * resolution * p.span


def _units(p: Problem, value: float, resolution: float) -> float:
    """Integer-weight objective -> score units (before the rounding slack)."""
    lo = float(p.ps.min()) if p.n_pairs else 0.0
    return lo * float(p.k.sum()) + p.span * resolution * value


def solve_cpsat(
    p: Problem,
    *,
    hint: tuple[np.ndarray, np.ndarray] | None,
    time_limit: float | None,
    seed: int,
) -> ExactResult:
    """Solve the shortlist integer program with CP-SAT, warm-started from ``hint`` (x, y)."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    P = p.n_pairs
    x = [model.new_bool_var(f"x{q}") for q in range(P)]
    y = [model.new_bool_var(f"y{q}") for q in range(P)]
    by_mentee: list[list[int]] = [[] for _ in range(p.n)]
    by_mentor: list[list[int]] = [[] for _ in range(p.m)]
    by_group: dict[int, list[int]] = {}
    width = int(p.group.max()) + 1 if p.group is not None else 0
    for q, (i, j) in enumerate(zip(p.pi.tolist(), p.pj.tolist(), strict=True)):
        by_mentee[i].append(q)
        by_mentor[j].append(q)
        model.add_implication(y[q], x[q])
        if p.max_per_group is not None and p.group is not None:
            by_group.setdefault(i * width + int(p.group[j]), []).append(q)
    for i, qs in enumerate(by_mentee):
        model.add(sum(x[q] for q in qs) == int(p.k[i]))
        model.add_exactly_one(y[q] for q in qs)
    for j, qs in enumerate(by_mentor):
        if qs:
            model.add(sum(x[q] for q in qs) <= int(p.exposure[j]))
            model.add(sum(y[q] for q in qs) <= int(p.capacity[j]))
    for qs in by_group.values():
        if len(qs) > (p.max_per_group or 0):
            model.add(sum(x[q] for q in qs) <= int(p.max_per_group or 0))
    w = p.scaled(EXACT_RESOLUTION)
    model.maximize(cp_model.LinearExpr.weighted_sum(x, w.tolist()))
    if hint is not None:
        hx, hy = hint
        for q in range(P):
            model.add_hint(x[q], bool(hx[q]))
            model.add_hint(y[q], bool(hy[q]))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # deterministic
    solver.parameters.random_seed = int(seed)
    if time_limit is not None:
        solver.parameters.max_time_in_seconds = float(time_limit)
    status = solver.solve(model)
    name = solver.status_name(status)
    slack = rounding_slack(p, EXACT_RESOLUTION)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        xs = np.array([solver.boolean_value(v) for v in x], dtype=bool)
        ys = np.array([solver.boolean_value(v) for v in y], dtype=bool)
        bound = _units(p, solver.best_objective_bound, EXACT_RESOLUTION) + slack
        return ExactResult(xs, ys, status == cp_model.OPTIMAL, False, bound, name, solver.wall_time)
    return ExactResult(
        None, None, False, status == cp_model.INFEASIBLE, np.inf, name, solver.wall_time
    )


def _lp_model(p: Problem, pairs: np.ndarray) -> dict[str, Any]:
    """Sparse LP (minimisation form, variables [x, y] over ``pairs``) for scipy's HiGHS."""
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
    }


@dataclass(frozen=True, slots=True)
class PricedLP:
    """Result of :func:`priced_lp`."""

    value: float  # LP optimum over the final pair set (-inf if infeasible)
    bound: float  # valid upper bound on the full LP (hence on the integer optimum)
    x: np.ndarray | None  # (P,) x values over all pairs (0 off the model)
    in_model: np.ndarray  # (P,) bool
    rounds: int
    seconds: float


def priced_lp(
    p: Problem, start: np.ndarray, *, time_limit: float | None = None, max_rounds: int = 30
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
    optimum *is* the full LP optimum.
    """
    import time

    from scipy.optimize import linprog

    t0 = time.perf_counter()
    in_model = np.asarray(start, dtype=bool).copy()
    best_bound = np.inf
    value, x_all = -np.inf, None
    for rounds in range(1, max_rounds + 1):
        pairs = np.flatnonzero(in_model)
        model = _lp_model(p, pairs)
        res = linprog(model["c"], model["A_ub"], model["b_ub"], model["A_eq"], model["b_eq"],
                      bounds=(0, 1), method="highs-ds")  # fmt: skip
        if res.status == 2:  # infeasible on the subset: widen to every pair once
            if in_model.all():
                return PricedLP(-np.inf, -np.inf, None, in_model, rounds, time.perf_counter() - t0)
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
        r = p.ps - u[p.pi] - v[p.pj] + np.maximum(0.0, -alpha[p.pi] - beta[p.pj])
        if len(model["gkeys"]):
            width = int(p.group.max()) + 1  # type: ignore[union-attr]
            w = np.zeros(p.n * width)
            w[model["gkeys"]] = ub[2 * p.m + P :]
            r -= w[p.pi * width + p.group[p.pj]]  # type: ignore[index]
        tol = 1e-9 * max(1.0, float(np.abs(p.ps).max()))
        out = ~in_model & (r > tol)
        bound = value + float(r[out].sum()) + 1e-9 * max(1.0, abs(value))
        best_bound = min(best_bound, bound)
        if not out.any():
            break
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            break
        in_model |= out
    return PricedLP(value, best_bound, x_all, in_model, rounds, time.perf_counter() - t0)


def candidate_pairs(p: Problem, per_mentee: int, per_mentor: int) -> np.ndarray:
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
    p: Problem,
    *,
    hint: tuple[np.ndarray, np.ndarray] | None,
    time_limit: float | None,
    seed: int,
) -> ExactResult:
    """Solve the shortlist integer program with SCIP (OR-Tools' linear-solver wrapper).

    x is binary, y continuous (for integral x the assignment polytope is integral), the
    relative gap is 0 and ``hint`` (x, y) warm-starts the search. SCIP works with the float
    scores directly and proves optimality with its own LP bound, which is far quicker here
    than CP-SAT; CP-SAT (:func:`solve_cpsat`) is used if OR-Tools was built without SCIP.
    """
    import time

    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:  # pragma: no cover - OR-Tools without SCIP
        return solve_cpsat(p, hint=hint, time_limit=time_limit, seed=seed)
    t0 = time.perf_counter()
    P = p.n_pairs
    inf = solver.infinity()
    x = [solver.BoolVar("") for _ in range(P)]
    y = [solver.NumVar(0.0, 1.0, "") for _ in range(P)]
    rows_x = [solver.Constraint(float(k), float(k)) for k in p.k]
    rows_y = [solver.Constraint(1.0, 1.0) for _ in range(p.n)]
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
    if time_limit is not None:
        solver.SetTimeLimit(int(1000 * time_limit))
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
        bound = objective.BestBound()
        bound = float(bound + 1e-9 * max(1.0, abs(bound)))
        # y from an exact flow on x (SCIP's continuous y may be fractional)
        from .flow import RESOLUTION, max_assignment

        cover = max_assignment(
            p, np.minimum(p.capacity, p.exposure), weights=p.scaled(RESOLUTION), pair_mask=xs
        )
        if not cover.matched.all():  # pragma: no cover - numerical trouble in the MIP
            return ExactResult(None, None, False, False, bound, "NUMERICAL", seconds)
        return ExactResult(xs, cover.pair_used, status == pywraplp.Solver.OPTIMAL, False, bound,
                           name, seconds)  # fmt: skip
    return ExactResult(
        None, None, False, status == pywraplp.Solver.INFEASIBLE, np.inf, name, seconds
    )
