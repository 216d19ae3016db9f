"""`shortlist`: k mentors per mentee, under capacity, exposure and coverage.

The problem (``../shared/DESIGN.md``), on eligible pairs E with scores s_ij, mentor
capacities c_j, exposures e_j and shortlist length k:

    choose x_ij in {0, 1} on E with sum_j x_ij = k for every mentee, sum_i x_ij <= e_j for
    every mentor, optionally at most d mentors of one group per shortlist; subject to
    coverage: there is an assignment y <= x with one mentor per mentee and
    sum_i y_ij <= c_j; maximise sum s_ij x_ij.

Methods (see :data:`METHODS`):

- ``"flow"``: solve the relaxation without coverage (a b-matching, by min-cost flow) —
  its optimum is an upper bound; if it already contains a complete assignment it is
  optimal. Otherwise two stages: a best assignment (favouring pairs of the relaxation),
  then the best alternates around it. Fast; can lose a few percent.
- ``"exact"``: the LP relaxation over every eligible pair, solved by pricing from the
  flow answer and each person's best pairs; an integral LP optimum is a proved optimum.
  Otherwise SCIP (OR-Tools' linear-solver wrapper) solves the integer program on the pairs
  the LP kept, warm-started from the flow answer, and the LP optimum stays as the bound.
- ``"auto"``: flow; then exact when the flow answer is not proved optimal and the
  problem is small enough (:data:`AUTO_EXACT_PAIRS` eligible pairs) to finish quickly.

On :class:`~crossmatch.scoring.candidates.CandidateScores` (large cohorts) any method
solves the candidate pairs, and :mod:`crossmatch.solve.prune` makes the answer honest
about the pairs left out: the candidates are widened until they hold an answer whenever
the full problem does (a min cut that survives widening is a proof of infeasibility),
and ``bound`` is an upper bound for the *unpruned* problem, tightened by pricing rounds
(column generation) until no left-out pair can improve the relaxation.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..errors import InfeasibleError
from ..results import Shortlists
from ..scoring import Scores
from ..scoring.candidates import CandidateScores, check_executor
from . import exact, flow, prune
from .problem import Problem

__all__ = ["AUTO_EXACT_PAIRS", "METHODS", "shortlist"]

#: "auto" runs the exact method when the problem has at most this many eligible pairs.
AUTO_EXACT_PAIRS = 120_000
#: Default time limit (seconds) of the exact stage under "auto".
AUTO_TIME_LIMIT = 30.0
#: Relative gap under which an answer is reported as "optimal".
OPTIMAL_GAP = 1e-9
#: On candidates: at most this many pricing rounds (each one streamed pass over the
#: unproven mentees' rows), stopping earlier once the relative gap is below PRICING_GAP
#: (the relaxation is then within 0.05% of its bound; the answer's own gap to it, from
#: coverage, is usually larger).
PRICING_ROUNDS = 6
PRICING_GAP = 5e-4


@dataclass(frozen=True, slots=True)
class Answer:
    """A solver's answer in canonical pair space."""

    x: np.ndarray  # (P,) bool shortlist pairs
    y: np.ndarray  # (P,) bool covering assignment (y <= x)
    bound: float
    method: str
    info: dict[str, Any]
    relax: np.ndarray | None = None  # the relaxation's b-matching, when solved


Solver = Callable[[Problem, dict[str, Any]], Answer]


def _objective(p: Problem, x: np.ndarray) -> float:
    return float(p.ps[x].sum())


def _flow(p: Problem, opts: dict[str, Any]) -> Answer:
    t0 = time.perf_counter()
    w = p.scaled(flow.RESOLUTION)
    need = int(p.k.sum())
    xr = opts.get("relax")
    if xr is not None:  # solved already (by the candidates' pricing rounds)
        got = int(xr.sum())
    else:
        xr, got = flow.select_pairs(p, per_mentee=p.k, per_mentor=p.exposure, weights=w)
    if got < need:
        filled = np.bincount(p.pi[xr], minlength=p.n)
        short = np.flatnonzero(filled < p.k)
        who = p.scores.mentee_ids[p.ee[short]].tolist()
        raise InfeasibleError(
            f"exposure and group limits leave room for only {got} of the {need} shortlist "
            f"places: {len(who)} mentee(s) cannot get k mentors (e.g. {who[:5]}) because the "
            "mentors they could have are on too many other shortlists",
            who=who,
            fix="raise `exposure`, raise `max_per_group`, lower k, or pass allow_short=True",
        )
    bound = _objective(p, xr) + exact.rounding_slack(p, flow.RESOLUTION)
    info: dict[str, Any] = {"relaxation_bound": bound}
    cap = np.minimum(p.capacity, p.exposure)
    # does the relaxation hold a complete assignment? (a max flow without costs first:
    # when it does not, which is usual on skewed cohorts, the costed one is not needed)
    inside = flow.max_assignment(p, cap, weights=None, pair_mask=xr)
    if inside.matched.all():
        inside = flow.max_assignment(p, cap, weights=w, pair_mask=xr)
        info["stages"] = "relaxation covers"
        info["flow_seconds"] = time.perf_counter() - t0
        return Answer(xr, inside.pair_used, bound, "flow", info, xr)
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    bonus = round(1.0 / flow.RESOLUTION)
    for favour in (True, False):  # the plain variant only if favouring the relaxation fails
        if best is not None:
            break
        stage1 = flow.max_assignment(p, cap, weights=w + bonus * xr if favour else w)
        if not stage1.matched.all():
            p.diagnose()  # names the mentees and mentors (a Hall violator)
            raise InfeasibleError("no complete assignment exists within capacity and exposure")
        load = np.bincount(stage1.mentor, minlength=p.m)
        alt, got = flow.select_pairs(
            p,
            per_mentee=p.k - 1,
            per_mentor=p.exposure - load,
            weights=w,
            pair_mask=~stage1.pair_used,
            group_used=flow.group_key_usage(p, stage1.mentor),
        )
        if got == need - p.n:
            x = alt | stage1.pair_used
            value = _objective(p, x)
            if best is None or value > best[0]:
                best = (value, x, stage1.pair_used)
    info["stages"] = "two-stage"
    info["flow_seconds"] = time.perf_counter() - t0
    if best is None:
        info["flow_failed"] = True
        return Answer(np.zeros(p.n_pairs, bool), np.zeros(p.n_pairs, bool), bound, "flow", info, xr)
    return Answer(best[1], best[2], bound, "flow", info, xr)


def _exact(p: Problem, opts: dict[str, Any], start: Answer | None = None) -> Answer:
    if start is None:
        try:
            start = _flow(p, opts)
        except InfeasibleError:
            start = None
    info = dict(start.info) if start is not None else {}
    # the flow answer, when it found shortlists (its relaxation bound is valid either way)
    flow_answer = start if start is not None and not start.info.get("flow_failed") else None
    seed_pairs = exact.candidate_pairs(p, 2 * p.k_max + 2, 2 * p.k_max + 2)
    if flow_answer is not None:
        seed_pairs |= flow_answer.x | flow_answer.y
    lp = exact.priced_lp(p, seed_pairs, time_limit=opts.get("time_limit"))
    info.update(lp_bound=lp.bound, lp_rounds=lp.rounds, lp_seconds=lp.seconds,
                lp_pairs=int(lp.in_model.sum()))  # fmt: skip
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
        cover = flow.max_assignment(
            p, np.minimum(p.capacity, p.exposure), weights=p.scaled(flow.RESOLUTION), pair_mask=x
        )
        if cover.matched.all() and _objective(p, x) >= lp.bound - 1e-9 * max(1.0, abs(lp.bound)):
            info["lp_integral"] = True
            return Answer(x, cover.pair_used, min(bound, lp.bound), "exact", info)
    info["lp_integral"] = False
    # SCIP on the pairs the LP kept (every pair that could matter to the LP)
    sub = p.restrict(lp.in_model)
    keep = np.flatnonzero(lp.in_model)
    hint = None if flow_answer is None else (flow_answer.x[keep], flow_answer.y[keep])
    res = exact.solve_mip(
        sub, hint=hint, time_limit=opts.get("time_limit"), seed=opts.get("seed", 0)
    )
    info.update(mip_status=res.status, mip_seconds=res.seconds)
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
    if flow_answer is not None and _objective(p, flow_answer.x) > _objective(p, x):
        return Answer(flow_answer.x, flow_answer.y, bound, "flow", info)
    return Answer(x, y, bound, "exact", info)


def _auto(p: Problem, opts: dict[str, Any]) -> Answer:
    start = _flow(p, opts)
    if not start.info.get("flow_failed") and _proved(p, start):
        return start
    if p.n_pairs <= AUTO_EXACT_PAIRS or start.info.get("flow_failed"):
        opts = {**opts, "time_limit": opts.get("time_limit") or AUTO_TIME_LIMIT}
        return _exact(p, opts, start)
    return start


def _proved(p: Problem, a: Answer) -> bool:
    value = _objective(p, a.x)
    return a.bound - value <= OPTIMAL_GAP * max(1.0, abs(a.bound)) + exact.rounding_slack(
        p, flow.RESOLUTION
    )


def _widen(
    cs: CandidateScores, p: Problem, opts: dict[str, Any], filled: bool = False
) -> CandidateScores | None:
    """More candidates for the mentees behind a min cut of the candidate graph, when the
    candidates cannot fill every shortlist (exposure, then group limits) or hold no
    complete assignment (capacity); None when they can, or when no eligible pair crosses
    the cut, which then proves it for the full problem too. The checks are max flows
    without costs (fast); only the streamed pass that widens looks at the full matrix.
    ``filled``: the caller's relaxation already filled every shortlist without group
    limits (the first check then has its answer)."""
    if cs.source is None:
        return None
    q = replace(p, max_per_group=None)
    zero = np.zeros(p.n_pairs, np.int64)
    if filled:
        xr, got = np.zeros(p.n_pairs, bool), int(q.k.sum())
    else:
        xr, got = flow.select_pairs(q, per_mentee=q.k, per_mentor=q.exposure, weights=zero)
    if got == int(q.k.sum()) and p.max_per_group is not None:
        # the group limit may be what cannot be met: give the mentees left short their
        # next best pairs (any group); none left means every eligible pair is here
        xg, gg = flow.select_pairs(p, per_mentee=p.k, per_mentor=p.exposure, weights=zero)
        if gg < int(p.k.sum()):
            short = np.bincount(p.pi[xg], minlength=p.n) < p.k
            return _priced_pairs(cs, p, opts, np.where(p.exposure > 0, 0.0, np.inf), short,
                                 4 * p.k_max)  # fmt: skip
    if got < int(q.k.sum()):
        used, unfilled = xr, np.bincount(q.pi[xr], minlength=q.n) < q.k
        per_row = cs.per_mentee
    else:  # coverage: each new pair across the cut is an augmenting path
        cover = flow.max_assignment(p, np.minimum(p.capacity, p.exposure), weights=None)
        if cover.matched.all():
            return None
        used, unfilled = cover.pair_used, ~cover.matched
        per_row = p.k_max
    mentees, mentors = prune.unfilled_reach(p, used, unfilled)
    prices = np.zeros(p.m)
    prices[mentors | (p.exposure == 0)] = np.inf
    # the mentees left short first (a pass over few rows); only if none of them has a
    # pair across the cut, the rest behind it (then none at all proves the cut)
    wider = _priced_pairs(cs, p, opts, prices, unfilled, per_row)
    if wider is None and (mentees & ~unfilled).any():
        wider = _priced_pairs(cs, p, opts, prices, mentees & ~unfilled, per_row)
    return wider


def _covers(p: Problem, pairs: np.ndarray) -> bool:
    """Whether ``pairs`` hold a complete assignment (a max flow without costs on them)."""
    cap = np.minimum(p.capacity, p.exposure)
    return bool(flow.max_assignment(p, cap, weights=None, pair_mask=pairs).matched.all())


def _priced_pairs(
    cs: CandidateScores,
    p: Problem,
    opts: dict[str, Any],
    prices: np.ndarray,
    mentees: np.ndarray,
    limit: int,
) -> CandidateScores | None:
    """``cs`` plus up to ``limit`` best new pairs (``s - prices``) per mentee in the
    ``mentees`` mask (canonical order); None if there are none."""
    _, r, c, v = cs.price(
        _to_columns(p, prices), _to_rows(p, p.k, 0), _to_rows(p, np.full(p.n, -np.inf), np.inf),
        rows=p.ee[mentees], limit=limit, executor=opts.get("executor"),
        progress=opts.get("progress"),
    )  # fmt: skip
    return cs.with_pairs(r, c, v) if len(r) else None


def _to_rows(p: Problem, values: np.ndarray, fill: float) -> np.ndarray:
    out = np.full(p.scores.n_mentees, fill, dtype=np.asarray(values).dtype)
    out[p.ee] = values
    return out


def _to_columns(p: Problem, values: np.ndarray) -> np.ndarray:
    out = np.empty(p.m, dtype=np.asarray(values).dtype)
    out[p.mr] = values
    return out


def _solve_candidates(
    cs: CandidateScores, build: dict[str, Any], method: str, opts: dict[str, Any]
) -> tuple[Problem, Answer, CandidateScores]:
    """Solve on candidates: widen until feasible, price the relaxation until its bound
    for the full problem is tight (or time is up), then run ``method`` once. Also returns
    the final candidates (with every pair added on the way)."""
    t0 = time.perf_counter()
    limit = opts.get("time_limit")
    bound = np.inf
    rounds: list[dict[str, Any]] = []
    widened = 0
    stopped = False
    certificates: list[tuple[np.ndarray, np.ndarray]] = []
    relax: np.ndarray | None
    while True:  # widen until the candidates can hold an answer (or prove none exists)
        p = Problem.build(cs, **build)
        p.diagnose(coverage=False)
        # the relaxation first: when it fills every shortlist, the widening's first
        # check (the same max flow, without costs) is answered, and round 1 reuses it
        q = replace(p, max_per_group=None)
        relax, got = flow.select_pairs(
            q, per_mentee=q.k, per_mentor=q.exposure, weights=p.scaled(flow.RESOLUTION)
        )
        filled = got == int(q.k.sum())
        if filled and p.max_per_group is None and _covers(p, relax):
            break  # the relaxation holds a complete assignment: nothing to widen
        wider = _widen(cs, p, opts, filled=filled)
        if wider is None:
            break
        cs, widened = wider, widened + 1
    first = True
    while True:  # pricing rounds
        w = p.scaled(flow.RESOLUTION)
        q = replace(p, max_per_group=None)
        if not first:
            relax, got = flow.select_pairs(q, per_mentee=q.k, per_mentor=q.exposure, weights=w)
        first = False
        if got < int(q.k.sum()):
            break  # the method below reports the (proved) infeasibility
        v = prune.mentor_prices(p, relax, w)
        assert p.cut_e is not None and p.cut_m is not None  # built from candidates
        ub, terms, unproven, kth = prune.cut_bound(p, v, p.cut_e, p.cut_m, certificates)
        fixed = ub - float(terms.sum())
        r = c = np.zeros(0, np.int64)
        vals = np.zeros(0, np.float32)
        stopped = limit is not None and time.perf_counter() - t0 > limit
        if unproven.any() and cs.source is not None and not stopped:
            entering = max(2 * p.k_max, 10)
            topk, r, c, vals = cs.price(
                _to_columns(p, v), _to_rows(p, p.k, 0), _to_rows(p, kth, np.inf),
                rows=p.ee[unproven], limit=entering,
                claims=[(_to_rows(p, c, np.inf), _to_columns(p, ref)) for c, ref in certificates],
                executor=opts.get("executor"), progress=opts.get("progress"),
            )  # fmt: skip
            terms = terms.copy()
            terms[unproven] = topk[p.ee[unproven]]
            ub = fixed + float(terms.sum())
            # what this pass proved about the pairs it did not return, for later rounds
            ci, cj = p.canonical(r, c)
            certificates.append((prune.priced_cut(p, unproven, kth, entering, ci,
                                                  vals - v[cj]), v))  # fmt: skip
        bound = min(bound, ub)
        value = _objective(p, relax)
        rounds.append({"pairs": p.n_pairs, "relaxation": value, "bound": ub,
                       "unproven": int(unproven.sum()), "entering": len(r)})  # fmt: skip
        stopped = bool(len(r)) and limit is not None and time.perf_counter() - t0 > limit
        if len(r) == 0 or bound - value <= PRICING_GAP * abs(bound) or stopped:
            break
        if len(rounds) >= PRICING_ROUNDS:
            break
        cs = cs.with_pairs(r, c, vals)
        p = Problem.build(cs, **build)
    while True:
        try:
            opts = {**opts, "relax": relax if p.max_per_group is None else None}
            ans = METHODS[method](p, opts)
            if ans.info.get("flow_failed"):
                raise InfeasibleError("the flow method found no shortlists meeting every rule")
            break
        except InfeasibleError:
            wider = _widen(cs, p, opts)
            if wider is None:
                p.diagnose()  # a proved violator (the cut holds in the full problem)
                raise
            cs, widened = wider, widened + 1
            p = Problem.build(cs, **build)
            relax = None
    value = _objective(p, ans.x)
    info = {**ans.info, "candidate_pairs": p.n_pairs, "pricing_rounds": rounds,
            "widened": widened, "pruned_bound": ans.bound}  # fmt: skip
    if stopped:
        info["time_limit_reached"] = True
        warnings.warn(
            f"shortlist: the time limit of {limit} s ran out after {len(rounds)} pricing "
            f"round(s); returning the best shortlists so far (relative gap to the bound "
            f"{(bound - value) / max(abs(bound), 1e-12):.3%})",
            RuntimeWarning,
            stacklevel=3,
        )
    return p, replace(ans, bound=max(float(bound), value), info=info), cs


#: Registered shortlist solvers, by name.
METHODS: dict[str, Solver] = {"auto": _auto, "flow": _flow, "exact": _exact}


def _with_fixed_pairs(cs: CandidateScores, fixed: Any) -> CandidateScores:
    """Candidates plus the eligible ``fixed`` pairs that were not candidates."""
    if cs.source is None:
        return cs
    items = list(fixed.items() if isinstance(fixed, Mapping) else fixed)
    ee = {v: i for i, v in enumerate(cs.mentee_ids.tolist())}
    mr = {v: j for j, v in enumerate(cs.mentor_ids.tolist())}
    pairs = [(ee[a], mr[b]) for a, b in items if a in ee and b in mr]
    pairs = [(i, j) for i, j in pairs if not cs.eligible[i, j]]
    if not pairs:
        return cs
    r, c = (np.array(x, dtype=np.int64) for x in zip(*pairs, strict=True))
    src = r if cs.source_rows is None else cs.source_rows[r]
    vals = cs.source.pairs(src, c)
    ok = (vals > -np.inf) & ~np.isin(r * cs.n_mentors + c, cs.excluded_keys)
    ok &= cs.capacity[c] > 0
    return cs.with_pairs(r[ok], c[ok], vals[ok]) if ok.any() else cs


def _fixed_rows(scores: Scores | CandidateScores, fixed: Any) -> dict[int, int]:
    if fixed is None:
        return {}
    items = fixed.items() if isinstance(fixed, Mapping) else fixed
    ee = {v: i for i, v in enumerate(scores.mentee_ids.tolist())}
    mr = {v: j for j, v in enumerate(scores.mentor_ids.tolist())}
    out: dict[int, int] = {}
    bad = []
    for a, b in items:
        if a not in ee or b not in mr:
            bad.append(f"({a!r}, {b!r}) names an unknown id")
        elif not scores.eligible[ee[a], mr[b]]:
            bad.append(f"({a!r}, {b!r}) is not an eligible pair")
        else:
            out[ee[a]] = mr[b]
    if bad:
        raise ValueError("`fixed` pairs are invalid: " + "; ".join(bad))
    return out


def shortlist(
    scores: Scores | CandidateScores,
    *,
    k: int = 3,
    exposure: int | np.ndarray | None = None,
    max_per_group: int | None = None,
    method: str = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    allow_short: bool = False,
    fixed: Mapping[Any, Any] | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
) -> Shortlists:
    """Propose k mentors per mentee so that a complete assignment always remains possible.

    Parameters
    ----------
    scores : Scores or CandidateScores
        Dense scores, or candidate pairs of a large cohort
        (:func:`crossmatch.score_candidates`): then the answer is found on the
        candidates, widened and priced so that ``bound`` holds for the full problem.
    k : int, default 3
        Shortlist length.
    exposure : int, array or None
        How many shortlists each mentor may appear on. None: ``max(c_j, ceil(1.5 * n *
        k * c_j / sum(c)))`` (proportional to capacity with 50% slack, at most n).
    max_per_group : int, optional
        At most this many mentors of one group (``scores.mentor_groups``, the sector for
        scored cohorts) on any shortlist.
    method : {"auto", "flow", "exact"}
    time_limit : float, optional
        Seconds for the exact stage and, on candidates, for the pricing rounds; the best
        answer so far is returned with its bound (and a RuntimeWarning says so).
    seed : int
        Seed of the MIP solver's search (answers are deterministic for a given seed).
    allow_short : bool, default False
        Mentees with fewer than k reachable mentors get shorter lists instead of an error.
    fixed : mapping of mentee id to mentor id, optional
        Pairs accepted earlier: those mentees keep their mentor (a one-entry shortlist,
        recommended) and use up that mentor's capacity; the rest are solved around them.
    executor : concurrent.futures.Executor, optional
        Runs the streamed pricing passes on candidates (see
        :func:`crossmatch.score_candidates`).
    progress : bool, optional
        Progress bars for the streamed passes; default: only on a terminal.

    Returns
    -------
    Shortlists

    Raises
    ------
    InfeasibleError
        When the rules cannot be met: says who, why and what would fix it.
    ValueError
        For bad settings or an unknown method (the message lists the known ones).
    """
    if method not in METHODS:
        raise ValueError(f"Unknown method {method!r}. Known methods: {', '.join(sorted(METHODS))}.")
    if time_limit is not None and not (isinstance(time_limit, int | float) and time_limit > 0):
        raise ValueError(
            f"`time_limit` must be a positive number or None. Got {time_limit!r} instead."
        )
    if not isinstance(scores, Scores | CandidateScores):
        raise TypeError(f"`scores` must be a Scores object. Got {type(scores).__name__} instead.")
    check_executor(executor)
    t0 = time.perf_counter()
    if isinstance(scores, CandidateScores) and fixed is not None:
        scores = _with_fixed_pairs(scores, fixed)
    pinned = _fixed_rows(scores, fixed)
    capacity = scores.capacity.copy()
    for j in pinned.values():
        capacity[j] -= 1
    if (capacity < 0).any():
        raise ValueError("`fixed` assigns more mentees to a mentor than their capacity.")
    open_rows = np.array([r for r in range(scores.n_mentees) if r not in pinned], dtype=np.int64)
    n_all = scores.n_mentees
    mentors = np.full((n_all, int(k) if isinstance(k, int | np.integer) else 1), -1, dtype=np.int64)
    recommended = np.full(n_all, -1, dtype=np.int64)
    for r, j in pinned.items():
        mentors[r, 0] = j
        recommended[r] = j
    objective = float(sum(float(scores.total[r, j]) for r, j in pinned.items()))
    bound, status, used, info = objective, "optimal", method, {}
    expo_full = np.zeros(scores.n_mentors, dtype=np.int64)
    if open_rows.size:
        view = _with_capacity(scores, capacity)
        build: dict[str, Any] = {"k": k, "exposure": exposure, "max_per_group": max_per_group,
                 "allow_short": allow_short, "mentee_rows": open_rows}  # fmt: skip
        opts = {"time_limit": time_limit, "seed": seed, "executor": executor,
                "progress": progress}  # fmt: skip
        if isinstance(view, Scores) and _dense_is_large(view, open_rows):
            view = _dense_candidates(view, k, exposure, open_rows)
            p, ans, _ = _solve_candidates(view, build, method, opts)
        elif isinstance(view, CandidateScores):
            assert isinstance(scores, CandidateScores)
            p, ans, final = _solve_candidates(view, build, method, opts)
            if final.n_pairs > view.n_pairs:  # keep the pairs added on the way
                scores = scores.with_pairs(final.rows, final.cols, final.values)
        else:
            p = Problem.build(view, **build)
            p.diagnose()
            ans = METHODS[method](p, opts)
        if ans.info.get("flow_failed"):
            raise InfeasibleError(
                "the flow method found no shortlists meeting every rule",
                fix="use method='exact' or 'auto', raise `exposure`, or lower k",
            )
        _fill(p, ans, mentors, recommended)
        value = _objective(p, ans.x)
        objective += value
        bound += max(ans.bound, value)
        status = (
            "optimal" if _proved(p, Answer(ans.x, ans.y, ans.bound, ans.method, {})) else "feasible"
        )
        used, info = ans.method, ans.info
        expo_full[p.mr] = p.exposure
    info = {
        **info,
        "seconds": time.perf_counter() - t0,
        "fixed": len(pinned),
        "allow_short": bool(allow_short),
    }
    return Shortlists(
        scores=scores,
        mentors=mentors,
        recommended=recommended,
        k=int(k),
        exposure=expo_full,
        max_per_group=max_per_group,
        objective=objective,
        bound=bound,
        status=status,
        method=used,
        info=info,
    )


#: Dense scores with more eligible pairs than this are solved on candidate pairs (with
#: widening and pricing reading the matrix), like :class:`CandidateScores`.
CANDIDATE_PAIRS = 500_000


def _dense_is_large(scores: Scores, rows: np.ndarray) -> bool:
    return int(np.count_nonzero(scores.eligible[rows])) > CANDIDATE_PAIRS


def _dense_candidates(scores: Scores, k: int, exposure: Any, rows: np.ndarray) -> CandidateScores:
    """Candidate pairs of large dense scores: each mentee's ``2 k`` best mentors and
    each mentor's ``4 e`` best mentees (``e`` the largest exposure; at least 20).

    Exposure is what binds on skewed ("popular mentor") scores, so the mentor side
    carries the relaxation: with ``4 e`` one pricing round usually proves the bound
    (``2 e`` needed a second round, and its flow, on the 10,000 x 2,000 benchmark)."""
    from .problem import _exposure

    expo = _exposure(exposure, scores.capacity, len(rows), int(k))
    per_mentor = max(20, 4 * int(expo.max(initial=0)))
    return CandidateScores.from_scores(scores, per_mentee=2 * int(k), per_mentor=per_mentor)


def _with_capacity(
    scores: Scores | CandidateScores, capacity: np.ndarray
) -> Scores | CandidateScores:
    if np.array_equal(capacity, scores.capacity):
        return scores
    return scores.with_capacity(capacity)


def _fill(p: Problem, ans: Answer, mentors: np.ndarray, recommended: np.ndarray) -> None:
    """Write an answer into (original-row) arrays, each list best first, ties by mentor id."""
    sel = np.flatnonzero(ans.x)
    # sort by mentee, then score descending, then mentor id order (canonical index)
    order = np.lexsort((p.pj[sel], -p.ps[sel], p.pi[sel]))
    sel = sel[order]
    starts = np.searchsorted(p.pi[sel], np.arange(p.n))
    rank = np.arange(len(sel)) - starts[p.pi[sel]]
    rows, cols = p.to_original(sel)
    mentors[rows, rank] = cols
    yr, yc = p.to_original(np.flatnonzero(ans.y))
    recommended[yr] = yc
