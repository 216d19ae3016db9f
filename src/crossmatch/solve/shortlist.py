"""`shortlist`: k mentors per mentee, under capacity, exposure and coverage.

The front end in three visible steps, as scipy's ``milp``: parameters checked at the
door (:mod:`crossmatch._validation`) into one frozen
:class:`~crossmatch.solve.options.ShortlistOptions` -> solve (every pair of a small
problem with a method of :data:`~crossmatch.solve.methods.METHODS`, or candidate pairs
with widening and pricing, :mod:`crossmatch.solve.colgen`) -> a frozen
:class:`~crossmatch.Shortlists` with its status and bound. The problem and the methods
are stated in :mod:`crossmatch.solve.methods`.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import replace
from typing import Any, cast

import numpy as np
import pandas as pd

from .._log import logged
from .._text import norm_id
from .._validation import Instance as IsA
from .._validation import Interval, Options, check_params
from ..errors import InfeasibleError, ParameterError
from ..results import Shortlists
from ..scoring import CandidateScores, Scores
from ..scoring.history import apply_history, priority_classes
from ..scoring.interface import SCORE_SOURCE, ScoreSource
from .colgen import candidates_for, solve_candidates, with_fixed_pairs
from .diagnose import diagnose
from .instance import Instance, exposure_of
from .methods import AUTO_TIME_LIMIT, METHODS, OPTIMAL_GAP, Answer, proved
from .methods import objective as total_of
from .options import Deadline, ShortlistOptions
from .shortlist_fair import SOLVE_FOR
from .waitlist import split_waitlist

__all__ = ["METHODS", "SHORTLIST_OBJECTIVES", "shortlist"]

#: What :func:`shortlist` maximises: the total, or the floor of the recommended pairs first.
SHORTLIST_OBJECTIVES: tuple[str, ...] = tuple(SOLVE_FOR)

#: The parameters of :func:`shortlist`, declared once (checked before any work).
CONSTRAINTS: dict[str, list[Any]] = {
    "scores": [SCORE_SOURCE],
    "k": [Interval("int", 1, None)],
    "exposure": [None, Interval("int", 0, None), "array-like"],
    "max_per_group": [None, Interval("int", 1, None)],
    "method": [Options(METHODS)],
    "time_limit": [None, Interval("real", 0, None, closed="neither", allow_inf=True)],
    "seed": [Interval("int", 0, 2**31 - 1)],
    "allow_short": ["boolean"],
    "fixed": [None, "mapping"],
    "executor": [None, IsA(Executor, "a concurrent.futures.Executor")],
    "progress": [None, "boolean"],
    "waitlist": ["boolean"],
    "priority": [None, "mapping", "array-like", IsA(pd.Series, "a Series")],
    "history": [None, IsA(pd.DataFrame, "a DataFrame")],
    "objective": [Options(SHORTLIST_OBJECTIVES)],
}


@logged("shortlist")
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
    waitlist: bool = False,
    priority: Mapping[Any, float] | Sequence[float] | np.ndarray | pd.Series | None = None,
    history: pd.DataFrame | None = None,
    objective: str = "total",
) -> Shortlists:
    """Propose k mentors per mentee so that a complete assignment always remains possible.

    Parameters
    ----------
    scores : Scores or CandidateScores
        Dense scores (from a cohort, a matrix or a long table), or candidate pairs of a
        large cohort (:func:`crossmatch.score_candidates`). Large problems -- candidates,
        or dense scores with more than
        :data:`~crossmatch.solve.colgen.CANDIDATE_PAIRS` eligible pairs -- are solved on
        candidate pairs, widened and priced so that ``bound`` holds for the full problem.
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
        One deadline, in seconds, for the whole solve (pricing rounds, LP, MIP,
        widening). When it stops a stage before the answer is proved, the best answer
        so far is returned with its bound and status ``"feasible"``, and a
        RuntimeWarning says so. None or ``inf``: no limit ("auto" still gives its exact
        stage at most 30 s).
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
    waitlist : bool, default False
        For oversubscribed cohorts: instead of raising when not every mentee can be
        served, serve the **largest possible number of mentees** (a maximum-cardinality
        covering assignment within capacity and exposure, by ``priority`` class when
        given; whom, for the best shortlists: by one MIP under "exact", small "auto")
        and waitlist the rest, each with a reason (``waitlisted``, ``waitlist_reason``).
        Waitlisted mentees get an empty shortlist. The shortlists of the served mentees
        are then solved as usual; ``bound`` holds for every choice of whom to serve
        (:mod:`crossmatch.solve.waitlist`). On candidate scores the candidates are
        widened until the count is proved the largest of the full problem
        (``info["waitlist_widened"]``) and ``bound`` is for the mentees served.
    priority : mapping of mentee id to number, or one number per mentee row, optional
        With ``waitlist=True``: higher numbers are served first -- no mentee of a higher
        class waits while a lower one is served, if swapping is feasible. Default: from
        ``history``, mentees who waited in its latest round first.
    history : DataFrame, optional
        Past pairs, ``mentee_id, mentor_id`` and optionally ``round``, ``outcome``
        (:mod:`crossmatch.scoring.history`): those pairs become ineligible with reason
        ``"paired before (round N)"`` (pairs in ``fixed`` continue and stay eligible).
    objective : {"total", "maxmin"}, default "total"
        ``"maxmin"``: after coverage, maximise the worst recommended pair's score, then the
        total under that floor (``info["floor"]``, ``info["price_of_fairness"]``, ...:
        :mod:`crossmatch.solve.shortlist_fair`).

    Returns
    -------
    Shortlists

    Raises
    ------
    ParameterError
        For a bad parameter (a ValueError and TypeError): which, what it must be, what
        was given; an unknown method lists the known ones.
    InfeasibleError
        When the rules cannot be met: says who, why and what would fix it.
    """
    check_params("shortlist", locals(), CONSTRAINTS)
    t0 = time.perf_counter()
    if priority is not None and not waitlist:
        raise ParameterError(
            "shortlist",
            ["`priority` orders who waits, so it needs waitlist=True (every mentee is "
             "served without it)."],
        )  # fmt: skip
    hinfo: dict[str, Any] = {}
    if history is not None:
        scores, hinfo = apply_history(scores, history, keep=fixed)
    classes = priority_classes(scores.mentee_ids, priority, history) if waitlist else None
    options = ShortlistOptions(
        k=int(k), exposure=exposure, max_per_group=None if max_per_group is None
        else int(max_per_group), allow_short=bool(allow_short), method=method, seed=int(seed),
        deadline=Deadline.of(time_limit), executor=executor, progress=progress,
    )  # fmt: skip
    if fixed is not None and scores.pruned:  # pruned scores are candidates
        scores = with_fixed_pairs(cast(CandidateScores, scores), fixed)
    pinned = _fixed_rows(scores, fixed)
    capacity = scores.capacity.copy()
    for j in pinned.values():
        capacity[j] -= 1
    if (capacity < 0).any():
        over = scores.mentor_ids[np.flatnonzero(capacity < 0)].tolist()
        raise ParameterError(
            "shortlist", [f"`fixed` assigns more mentees than their capacity to {over[:10]}."]
        )
    open_rows = np.array([r for r in range(scores.n_mentees) if r not in pinned], dtype=np.int64)
    n_all = scores.n_mentees
    mentors = np.full((n_all, options.k), -1, dtype=np.int64)
    recommended = np.full(n_all, -1, dtype=np.int64)
    for r, j in pinned.items():
        mentors[r, 0] = j
        recommended[r] = j
    total = float(sum(float(scores.total[r, j]) for r, j in pinned.items()))
    bound, status, used = total, "optimal", method
    pinned_total = total
    info: dict[str, Any] = {}
    expo_full = np.zeros(scores.n_mentors, dtype=np.int64)
    waiting = np.zeros(n_all, dtype=bool)
    why: list[str | None] = [None] * n_all
    view: ScoreSource = scores
    if not np.array_equal(capacity, scores.capacity):
        view = scores.with_capacity(capacity)
    if open_rows.size and classes is not None:
        open_rows, winfo = split_waitlist(view, options, open_rows, classes, waiting, why)
        info.update(winfo)
    if open_rows.size:
        try:  # exposure per mentor, resolved and checked once
            expo = exposure_of(exposure, view.capacity, len(open_rows), options.k)
        except ValueError as e:
            raise ParameterError("shortlist", [str(e)]) from None
        options = replace(options, exposure=expo)
        p, ans, grown, fairness = SOLVE_FOR[objective](_solve, view, options, open_rows)
        info.update(fairness)
        if grown is not None and scores.pruned and grown.n_pairs > cast(Any, view).n_pairs:
            # keep the pairs added on the way (pruned scores only: dense ones hold all)
            scores = cast(CandidateScores, scores).with_pairs(grown.rows, grown.cols, grown.values)
        if ans.info.get("flow_failed"):
            raise InfeasibleError(
                "the flow method found no shortlists meeting every rule",
                fix="use method='exact' or 'auto', raise `exposure`, or lower k",
            )
        _fill(p, ans, mentors, recommended)
        value = total_of(p, ans.x)
        total += value
        bound += max(ans.bound, value)
        status = "optimal" if proved(p, ans) else "feasible"
        used, info = ans.method, {**info, **ans.info}
        expo_full[p.mr] = p.exposure
        if ans.info.get("time_limit_reached") and status != "optimal":
            gap = (ans.bound - value) / max(abs(ans.bound), 1e-12)
            limit = AUTO_TIME_LIMIT if time_limit is None or np.isinf(time_limit) else time_limit
            warnings.warn(
                f"shortlist: the time limit of {limit:g} s ran out before "
                f"the answer was proved optimal; returning the best shortlists so far "
                f"(relative gap to the bound {gap:.3%}). Raise `time_limit` to prove it.",
                RuntimeWarning,
                stacklevel=2,
            )
    if "waitlist_bound" in info and not scores.pruned:
        # valid for every choice of whom to serve, not only for the mentees served here
        bound = max(bound, pinned_total + info["waitlist_bound"])
        tol = info["waitlist_slack"] + OPTIMAL_GAP * max(1.0, abs(bound))
        if total < bound - tol:
            status = "feasible"
    info = {**info, **hinfo, "seconds": time.perf_counter() - t0, "fixed": len(pinned),
            "allow_short": bool(allow_short)}  # fmt: skip
    return Shortlists(scores=scores, mentors=mentors, recommended=recommended, k=options.k,
                      exposure=expo_full, max_per_group=options.max_per_group,
                      objective=total, bound=bound, status=status, method=used,
                      info=info, waitlisted=waiting,
                      waitlist_reason=tuple(why))  # fmt: skip


def _solve(
    view: ScoreSource, options: ShortlistOptions, rows: np.ndarray
) -> tuple[Instance, Answer, CandidateScores | None]:
    """Solve ``rows`` on every eligible pair, or on candidate pairs when the problem is
    large (then also the final candidates)."""
    cs = candidates_for(view, options, rows)
    if cs is not None:
        return solve_candidates(cs, options, rows)
    p = Instance.build(view, options, rows)
    diagnose(p)
    return p, METHODS[options.method](p, options), None


def _fixed_rows(scores: ScoreSource, fixed: Mapping[Any, Any] | None) -> dict[int, int]:
    """``fixed`` as original (row, column) pairs; every bad pair reported at once."""
    if fixed is None:
        return {}
    ee = {v: i for i, v in enumerate(scores.mentee_ids.tolist())}
    mr = {v: j for j, v in enumerate(scores.mentor_ids.tolist())}
    out: dict[int, int] = {}
    bad = []
    for a, b in ((norm_id(a), norm_id(b)) for a, b in fixed.items()):  # ' m1 ' is 'm1'
        if a not in ee or b not in mr:
            which = "mentee" if a not in ee else "mentor"
            bad.append(f"({a!r}, {b!r}) names an unknown {which} id")
        elif not scores.eligible[ee[a], mr[b]]:
            bad.append(f"({a!r}, {b!r}) is not an eligible pair")
        else:
            out[ee[a]] = mr[b]
    if bad:
        raise ParameterError("shortlist", ["`fixed` pairs are invalid: " + "; ".join(bad) + "."])
    return out


def _fill(p: Instance, ans: Answer, mentors: np.ndarray, recommended: np.ndarray) -> None:
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
