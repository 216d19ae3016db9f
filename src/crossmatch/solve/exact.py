"""The shortlist integer program, exactly: CP-SAT (warm-started), and its LP bound (GLOP).

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

import numpy as np

from .problem import Problem

__all__ = ["EXACT_RESOLUTION", "ExactResult", "lp_bound", "lp_relaxation", "solve_cpsat"]

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
    span = float(p.ps.max() - p.ps.min()) or 1.0
    return float(p.k.sum()) * resolution * span


def _units(p: Problem, value: float, resolution: float) -> float:
    """Integer-weight objective -> score units (before the rounding slack)."""
    lo = float(p.ps.min()) if p.n_pairs else 0.0
    span = float(p.ps.max() - lo) if p.n_pairs else 1.0
    return lo * float(p.k.sum()) + (span or 1.0) * resolution * value


def lp_bound(p: Problem) -> float:
    """Optimum of the LP relaxation (GLOP): an upper bound on the shortlist optimum."""
    return lp_relaxation(p)[0]


def lp_relaxation(p: Problem) -> tuple[float, np.ndarray | None]:
    """The LP relaxation (GLOP): ``(optimum + 1e-9 tolerance, x values)``; ``(-inf, None)``
    if infeasible. When x is integral it is an optimal shortlist."""
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("GLOP")
    P = p.n_pairs
    x = [solver.NumVar(0.0, 1.0, "") for _ in range(P)]
    y = [solver.NumVar(0.0, 1.0, "") for _ in range(P)]
    inf = solver.infinity()
    rows_x = [solver.Constraint(float(k), float(k)) for k in p.k]
    rows_y = [solver.Constraint(1.0, 1.0) for _ in range(p.n)]
    expo = [solver.Constraint(-inf, float(e)) for e in p.exposure]
    caps = [solver.Constraint(-inf, float(c)) for c in p.capacity]
    groups: dict[int, object] = {}
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
            groups[key].SetCoefficient(x[q], 1.0)  # type: ignore[attr-defined]
        objective.SetCoefficient(x[q], s)
    objective.SetMaximization()
    status = solver.Solve()
    if status == pywraplp.Solver.INFEASIBLE:
        return -np.inf, None
    if status != pywraplp.Solver.OPTIMAL:
        return np.inf, None
    value = objective.Value()
    xs = np.array([v.solution_value() for v in x])
    return float(value + 1e-9 * max(1.0, abs(value))), xs


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
