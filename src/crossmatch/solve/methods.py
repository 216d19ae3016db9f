"""The shortlist methods, registered by name in :data:`METHODS`.

The problem, on eligible pairs E with scores s_ij, mentor capacities c_j, exposures e_j
and shortlist length k:

    choose x_ij in {0, 1} on E with sum_j x_ij = k for every mentee, sum_i x_ij <= e_j for
    every mentor, optionally at most d mentors of one group per shortlist; subject to
    coverage: there is an assignment y <= x with one mentor per mentee and
    sum_i y_ij <= c_j; maximise sum s_ij x_ij.

- ``"flow"``: solve the relaxation without coverage (a b-matching, by min-cost flow) --
  its optimum is an upper bound; if it already contains a complete assignment it is
  optimal. Otherwise two stages: a best assignment (favouring pairs of the relaxation),
  then the best alternates around it. Fast; can lose a few percent.
- ``"exact"``: the LP relaxation over every eligible pair, solved by pricing from the
  flow answer and each person's best pairs; an integral LP optimum is a proved optimum.
  Otherwise SCIP (OR-Tools' linear-solver wrapper) solves the integer program on the pairs
  the LP kept, warm-started from the flow answer, and the LP optimum stays as the bound.
- ``"auto"``: flow; then exact when the flow answer is not proved optimal and the
  problem is small enough (:data:`AUTO_EXACT_PAIRS` eligible pairs) to finish quickly.

Each method takes an :class:`~crossmatch.solve.instance.Instance` and the solve's
:class:`~crossmatch.solve.options.ShortlistOptions` and returns an :class:`Answer`.
With ``ShortlistOptions.cover_floor`` (the floor of ``objective="maxmin"``) the
covering assignment y may use only pairs scoring at least the floor (:func:`cover_pairs`);
the shortlist x may still hold any pair.
An answer is "optimal" only when :func:`proved`: its bound, which includes the rounding
of scores to integer flow costs, is within :data:`OPTIMAL_GAP` of its objective.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .._log import progress_enabled
from .._text import plural
from ..errors import InfeasibleError
from . import exact, network
from .diagnose import diagnose
from .floored import floored_relaxation
from .instance import Instance
from .options import ShortlistOptions

__all__ = ["AUTO_EXACT_PAIRS", "METHODS", "Answer", "cover_pairs", "objective", "proved"]

#: "auto" runs the exact method when the problem has at most this many eligible pairs.
AUTO_EXACT_PAIRS = 120_000
#: Default time limit (seconds) of the exact stage under "auto".
AUTO_TIME_LIMIT = 30.0
#: Relative gap under which an answer is reported as "optimal".
OPTIMAL_GAP = 1e-9


@dataclass(frozen=True, slots=True)
class Answer:
    """A solver's answer in canonical pair space."""

    x: np.ndarray  # (P,) bool shortlist pairs
    y: np.ndarray  # (P,) bool covering assignment (y <= x)
    bound: float
    method: str
    info: dict[str, Any]
    relax: np.ndarray | None = None  # the relaxation's b-matching, when solved


Solver = Callable[[Instance, ShortlistOptions], Answer]


def objective(p: Instance, x: np.ndarray) -> float:
    """The total score of the pairs in ``x``."""
    return float(p.ps[x].sum())


def cover_pairs(p: Instance, opts: ShortlistOptions) -> np.ndarray | None:
    """The pairs the covering assignment may use: those scoring at least
    ``opts.cover_floor`` (None: every pair)."""
    return None if opts.cover_floor is None else p.ps >= opts.cover_floor


def _within(mask: np.ndarray | None, cover: np.ndarray | None) -> np.ndarray | None:
    if cover is None:
        return mask
    return cover if mask is None else mask & cover


def _flow(p: Instance, opts: ShortlistOptions) -> Answer:
    t0 = time.perf_counter()
    w = p.weights()
    need = int(p.k.sum())
    xr = opts.relax
    if xr is not None:  # solved already (by the candidates' pricing rounds)
        got = int(xr.sum())
    else:
        xr, got = network.select_pairs(p, per_mentee=p.k, per_mentor=p.exposure, weights=w)
    if got < need:
        filled = np.bincount(p.pi[xr], minlength=p.n)
        short = np.flatnonzero(filled < p.k)
        who = p.scores.mentee_ids[p.ee[short]].tolist()
        raise InfeasibleError(
            f"exposure and group limits leave room for only {got} of the {need} shortlist "
            f"places: {plural(len(who), 'mentee')} cannot get k mentors (e.g. {who[:5]}) "
            "because the mentors they could have are on too many other shortlists",
            who=who,
            fix="raise `exposure`, raise `max_per_group` or lower k"
            + ("" if opts.allow_short else ", or pass allow_short=True"),
        )
    cover = cover_pairs(p, opts)
    if cover is not None and p.max_per_group is None:  # a floor: a tighter relaxation
        xr = floored_relaxation(p, w, cover)
        if xr is None:
            raise InfeasibleError("no shortlists give every mentee a pair at the floor")
    bound = objective(p, xr) + p.rounding_slack()
    info: dict[str, Any] = {"relaxation_bound": bound}
    cap = np.minimum(p.capacity, p.exposure)
    # does the relaxation hold a complete assignment? (a max flow without costs first:
    # when it does not, which is usual on skewed cohorts, the costed one is not needed)
    inside = network.max_assignment(p, cap, weights=None, pair_mask=_within(xr, cover))
    if inside.matched.all():
        inside = network.max_assignment(p, cap, weights=w, pair_mask=_within(xr, cover))
        info["stages"] = "relaxation covers"
        info["flow_seconds"] = time.perf_counter() - t0
        return Answer(xr, inside.pair_used, bound, "flow", info, xr)
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    bonus = max(int(w.max(initial=0)), 1)  # one score range: >= any weight difference
    for favour in (True, False):  # the plain variant only if favouring the relaxation fails
        if best is not None:
            break
        stage1 = network.max_assignment(
            p, cap, weights=w + bonus * xr if favour else w, pair_mask=cover
        )
        if not stage1.matched.all():
            diagnose(p)  # names the mentees and mentors (a Hall violator)
            raise InfeasibleError("no complete assignment exists within capacity and exposure")
        load = np.bincount(stage1.mentor, minlength=p.m)
        alt, got = network.select_pairs(
            p,
            per_mentee=p.k - 1,
            per_mentor=p.exposure - load,
            weights=w,
            pair_mask=~stage1.pair_used,
            group_used=network.group_key_usage(p, stage1.mentor),
        )
        if got == need - p.n:
            x = alt | stage1.pair_used
            value = objective(p, x)
            if best is None or value > best[0]:
                best = (value, x, stage1.pair_used)
    info["stages"] = "two-stage"
    info["flow_seconds"] = time.perf_counter() - t0
    if best is None:
        info["flow_failed"] = True
        return Answer(np.zeros(p.n_pairs, bool), np.zeros(p.n_pairs, bool), bound, "flow", info, xr)
    return Answer(best[1], best[2], bound, "flow", info, xr)


def _exact(p: Instance, opts: ShortlistOptions, start: Answer | None = None) -> Answer:
    # a progress bar over the stages: LP pricing rounds, then the integer program
    from tqdm.auto import tqdm

    shown = progress_enabled(opts.progress)
    bar = tqdm(desc="exact: LP pricing", unit="round", leave=False, disable=not shown)
    try:
        return _exact_stages(p, opts, start, bar)
    finally:
        bar.close()


def _exact_stages(p: Instance, opts: ShortlistOptions, start: Answer | None, bar: Any) -> Answer:
    if start is None:
        try:
            start = _flow(p, opts)
        except InfeasibleError:
            start = None
    info = dict(start.info) if start is not None else {}
    # the flow answer, when it found shortlists (its relaxation bound is valid either way)
    flow_answer = start if start is not None and not start.info.get("flow_failed") else None
    if flow_answer is not None and opts.deadline.expired():  # no time left for the LP
        return replace(flow_answer, info={**info, "time_limit_reached": True})
    seed_pairs = exact.candidate_pairs(p, 2 * p.k_max + 2, 2 * p.k_max + 2)
    if flow_answer is not None:
        seed_pairs |= flow_answer.x | flow_answer.y
    cover = cover_pairs(p, opts)
    lp = exact.priced_lp(p, seed_pairs, deadline=opts.deadline,
                         on_round=lambda r, b: bar.update(1), cover=cover)  # fmt: skip
    info.update(lp_bound=lp.bound, lp_rounds=lp.rounds, lp_seconds=lp.seconds,
                lp_pairs=int(lp.in_model.sum()))  # fmt: skip
    if lp.timed_out:
        info["time_limit_reached"] = True
        if lp.x is None:  # no LP solution at all: the flow answer is all there is
            if flow_answer is None:
                raise InfeasibleError(
                    "no shortlists were found within the time limit",
                    fix="raise `time_limit`, raise `exposure`, or lower k",
                )
            return replace(flow_answer, info=info)
    if lp.value == -np.inf:
        raise InfeasibleError(
            "no shortlists meet every rule together (k per mentee, exposure, group limit and "
            "coverage): even the LP relaxation is infeasible",
            fix="raise `exposure`, lower k or `max_per_group`, or add capacity",
        )
    bound = min(lp.bound, start.bound if start is not None else np.inf)
    if lp.x is not None and np.all(np.abs(lp.x - np.round(lp.x)) <= 1e-6):
        # an integral LP optimum is an optimal shortlist; find its covering assignment
        x = np.round(lp.x) > 0.5
        found = network.max_assignment(
            p, np.minimum(p.capacity, p.exposure), weights=p.weights(), pair_mask=_within(x, cover)
        )
        if found.matched.all() and objective(p, x) >= lp.bound - 1e-9 * max(1.0, abs(lp.bound)):
            info["lp_integral"] = True
            return Answer(x, found.pair_used, min(bound, lp.bound), "exact", info)
    info["lp_integral"] = False
    if flow_answer is not None and opts.deadline.expired():  # no time left for the MIP
        info["time_limit_reached"] = True
        return Answer(flow_answer.x, flow_answer.y, bound, "flow", info)
    # SCIP on the pairs the LP kept (every pair that could matter to the LP)
    bar.set_description("exact: integer program (SCIP)")
    sub = p.restrict(lp.in_model)
    keep = np.flatnonzero(lp.in_model)
    hint = None if flow_answer is None else (flow_answer.x[keep], flow_answer.y[keep])
    res = exact.solve_mip(sub, hint=hint, deadline=opts.deadline, seed=opts.seed,
                          cover=None if cover is None else cover[keep])  # fmt: skip
    info.update(mip_status=res.status, mip_seconds=res.seconds)
    if not res.optimal and opts.deadline.expired():
        info["time_limit_reached"] = True
    if res.x is None or res.y is None:
        if flow_answer is not None:
            info["note"] = "the MIP solver found nothing better within the time limit"
            return Answer(flow_answer.x, flow_answer.y, bound, "flow", info)
        raise InfeasibleError(
            "no shortlists were found within the time limit, and the quick checks found no "
            "simple cause",
            fix="raise `time_limit`, raise `exposure`, or lower k",
        )
    x = np.zeros(p.n_pairs, dtype=bool)
    y = np.zeros(p.n_pairs, dtype=bool)
    x[keep], y[keep] = res.x, res.y
    if flow_answer is not None and objective(p, flow_answer.x) > objective(p, x):
        return Answer(flow_answer.x, flow_answer.y, bound, "flow", info)
    return Answer(x, y, bound, "exact", info)


def _auto(p: Instance, opts: ShortlistOptions) -> Answer:
    start = _flow(p, opts)
    if not start.info.get("flow_failed") and proved(p, start):
        return start
    if p.n_pairs <= AUTO_EXACT_PAIRS or start.info.get("flow_failed"):
        # the exact stage stops at the solve's deadline; without one, after AUTO_TIME_LIMIT
        deadline = opts.deadline
        if deadline.limit is None:
            deadline = deadline.capped(AUTO_TIME_LIMIT)
        return _exact(p, replace(opts, deadline=deadline), start)
    return start


def proved(p: Instance, a: Answer) -> bool:
    """Whether ``a`` is proved optimal: its bound is within :data:`OPTIMAL_GAP` of its
    objective, up to the rounding of scores to integer flow costs (which the flow
    bounds include, see :meth:`Instance.rounding_slack`)."""
    value = objective(p, a.x)
    return a.bound - value <= OPTIMAL_GAP * max(1.0, abs(a.bound)) + p.rounding_slack()


#: Registered shortlist solvers, by name.
METHODS: dict[str, Solver] = {"auto": _auto, "flow": _flow, "exact": _exact}
