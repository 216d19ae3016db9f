"""`match`: mentors for every mentee straight from `Scores`, without a choice round.

The problem
-----------
Notation: s_ij the score of eligible pair (i, j), p_i how many mentors mentee i may have
(``per_mentee``), c_j the capacity of mentor j. Choose x_ij in {0, 1} on the eligible
pairs with sum_j x_ij <= p_i and sum_i x_ij <= c_j, and maximise, lexicographically,

1. the number of mentees with at least one mentor (by priority class when ``priority`` is
   given: the count of the highest class first, then of the next, ...),
2. the total score sum s_ij x_ij.

One min-cost flow solves it exactly: source -> mentee i by two arcs, a *first-mentor*
arc (capacity 1, cost -R_i) and a second arc (capacity p_i - 1, cost 0); mentee ->
mentor (capacity 1, cost -w_ij); mentor -> sink (capacity c_j); and a source -> sink
bypass (cost 0), so the flow may stop where more pairs would lower the total. A mentee
with any flow uses the first-mentor arc (it is cheaper), so the cost of an integral flow
is ``-(sum of R_i over covered mentees) - sum w_ij x_ij``.

The pairs are the shortlist's (:func:`crossmatch.solve.pairs.canonical_pairs`), the
costs come from the one scaling (:mod:`crossmatch.solve.scaling`) and the flow from the
network toolkit (:func:`crossmatch.solve.network.reward_flow`). The proof that the reward
dominates is in :mod:`crossmatch.solve.match_flow`, the pricing of large networks in
:mod:`crossmatch.solve.match_pricing`; candidate scores (widening, pricing on the full
matrix, the bound, the deadline across them) in :mod:`crossmatch.solve.match_candidates`;
the fairness objective in :mod:`crossmatch.solve.match_fair`. ``time_limit`` is one
:class:`~crossmatch.solve.options.Deadline` for every stage.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._log import logged
from .._text import plural
from .._validation import Instance, Interval, Options, check_params
from ..errors import InfeasibleError
from ..results import Assignment
from ..scoring.history import apply_history, priority_classes
from ..scoring.interface import SCORE_SOURCE, AnyScores
from .match_answer import _by_class, _fixed_scores, _preference, _reasons, _score_lookup
from .match_candidates import _candidate_bound, _solve_total
from .match_fair import _maxmin
from .match_flow import _build
from .match_inputs import _fixed_pairs
from .options import Deadline

__all__ = ["MATCH_OBJECTIVES", "match"]

MATCH_OBJECTIVES: tuple[str, ...] = ("total", "maxmin")
#: The reason of a mentee left waiting because the time limit stopped the proof.
TIMED_OUT = "not matched before the time limit ran out (raise `time_limit`)"
#: Above this many pairs, maxmin with several mentors needs a `time_limit`.
MILP_PAIRS = 50_000

_CONSTRAINTS: dict[str, list[Any]] = {
    "scores": [SCORE_SOURCE],
    "per_mentee": [Interval("int", 1, None)],
    "objective": [Options(MATCH_OBJECTIVES)],
    "waitlist": ["boolean"],
    "priority": [None, "mapping", "array-like", Instance(pd.Series, "a Series")],
    "fixed": [None, "mapping"],
    "history": [None, Instance(pd.DataFrame, "a DataFrame")],
    "time_limit": [None, Interval("real", 0, None, closed="neither")],
}


# ---------------------------------------------------------------------------- front end
@logged("match")
def match(
    scores: AnyScores,
    *,
    per_mentee: int = 1,
    objective: str = "total",
    waitlist: bool = False,
    priority: Mapping[Any, float] | Sequence[float] | np.ndarray | pd.Series | None = None,
    fixed: Mapping[Any, Any] | None = None,
    history: pd.DataFrame | None = None,
    time_limit: float | None = None,
) -> Assignment:
    """Mentors for every mentee straight from the scores (no choice round).

    Each mentee gets up to ``per_mentee`` distinct eligible mentors, no mentor gets more
    than their capacity, and the answer maximises, lexicographically, the number of
    mentees with at least one mentor (by ``priority`` class when given), then the total
    score. One min-cost flow solves it exactly; see :mod:`crossmatch.solve.match_flow` for
    the network, the integer scaling and the proof that the coverage reward dominates.

    Parameters
    ----------
    scores : Scores or CandidateScores
        On candidate scores, mentees left unmatched (and the mentees they compete with)
        get more candidate pairs, by streamed pricing passes, until no pair of the full
        matrix could cover more of them (Hall's condition, see :func:`_widen`), and
        pairs the flow's potentials price negatively join: ``info["priced"]`` True
        proves the answer optimal on the full matrix. ``info["bound"]`` bounds the total
        any answer on the full matrix can reach, ``info["widening_rounds"]`` counts the
        passes.
    per_mentee : int, default 1
        The most mentors a mentee gets. Pairs that would lower the total (negative
        scores) are not added beyond a mentee's first mentor.
    objective : {"total", "maxmin"}, default "total"
        ``"maxmin"`` maximises the worst-off matched mentee's value (their mentor's score,
        or the sum of their mentors' scores when ``per_mentee > 1``) after coverage, then
        the total under that floor; ``info["price_of_fairness"]`` is the total it costs
        against ``"total"``. Exact by flows for ``per_mentee=1`` (on candidate scores
        of a cohort, over the full matrix: ``info["floor_on_candidates"]`` False); a
        MILP for more (on candidate scores, over the candidates only:
        ``info["floor_on_candidates"]`` True and status ``"feasible"``).
    waitlist : bool, default False
        Match as many mentees as possible and give each other mentee a reason. Without
        it, an answer that leaves a mentee without a mentor raises InfeasibleError.
    priority : mapping from mentee id to number, or one number per mentee row, optional
        Higher first: no mentee waits while one of a lower class is matched in their
        place, if swapping is feasible. Default: from ``history`` (mentees waitlisted or
        unmatched in its latest round first), else everyone equal.
    fixed : mapping from mentee id to a mentor id or a list of them, optional
        Pairs kept as they are (e.g. continuing pairs); they count toward ``per_mentee``
        and capacity, and may be past pairs.
    history : DataFrame, optional
        ``mentee_id``, ``mentor_id`` and optionally ``round``, ``outcome``: past pairs
        become ineligible (reason ``"paired before (round N)"``); ids not in ``scores``
        are ignored.
    time_limit : float, optional
        Seconds for the whole call: one deadline shared by every stage (the flow's
        pricing rounds, widening and pricing passes on candidate scores, the maxmin
        search or MILP). A stage never starts a fresh limit; when the deadline passes,
        the best answer proved feasible so far is returned with ``info["status"]``
        ``"feasible"`` (never ``"optimal"``), ``info["time_limit_reached"]`` True and a
        RuntimeWarning. A stage already running (one OR-Tools flow) is not interrupted.
        Required for ``objective="maxmin"`` with ``per_mentee > 1`` above 50,000 pairs.

    Returns
    -------
    Assignment
        ``mentors`` holds each mentee's mentors (best score first, ``-1`` padded),
        ``mentor`` the first; ``reason`` says why a mentee waits. ``info`` has
        ``coverage``, ``total``, ``status``, ``quantum`` (the score width of one integer
        cost step, :func:`crossmatch.solve.scaling.integer_scaling`),
        ``rounding_bound`` (how far below the optimum the rounding can leave the total;
        0 for scores on a grid) and, for maxmin, ``floor`` and ``price_of_fairness``.

    Raises
    ------
    ParameterError
        A parameter of the wrong type or out of range.
    ValidationError
        Bad ``priority``, ``fixed`` or ``history`` (every problem at once).
    InfeasibleError
        Without ``waitlist=True``, when some mentee cannot have a mentor: who and why.

    Examples
    --------
    Three mentees, two mentors with one place each; mentee "c" is eligible for "x" only:

    >>> import numpy as np
    >>> import crossmatch as cm
    >>> s = cm.Scores.from_matrix(np.array([[0.9, 0.8], [0.7, 0.1], [0.6, np.nan]]),
    ...     mentee_ids=["a", "b", "c"], mentor_ids=["x", "y"], capacity=[1, 1])
    >>> a = cm.match(s, waitlist=True)
    >>> a.mentors.ravel().tolist()
    [1, 0, -1]
    >>> print(a.reason[2])
    3 mentees compete for 2 places among the 2 mentors they are eligible for ('x', 'y'); 1 wait
    """
    check_params("match", locals(), _CONSTRAINTS)
    deadline = Deadline.of(time_limit)
    t0 = time.perf_counter()
    info: dict[str, Any] = {"per_mentee": int(per_mentee), "objective": objective}
    if history is not None:
        scores_h, hinfo = apply_history(scores, history, keep=fixed)
        info.update(hinfo)
    else:
        scores_h = scores
    klass_rows = priority_classes(scores.mentee_ids, priority, history)
    fr, fc = (np.zeros(0, np.int64),) * 2
    if fixed is not None:
        fr, fc = _fixed_pairs(scores, fixed, int(per_mentee))
    solved = _solve_total(scores_h, fr, fc, klass_rows, int(per_mentee), deadline, info)
    scores_h, pairs, net, used = solved.scores, solved.pairs, solved.net, solved.used
    fa, fb = solved.fa, solved.fb
    if solved.added:  # the answer's scores hold its pairs
        added = (np.concatenate(x) for x in zip(*solved.added, strict=True))
        scores = scores.with_pairs(*added)
    n = pairs.n
    timed_out = solved.timed_out
    status = "feasible" if timed_out else "optimal"
    if objective == "maxmin":
        fixed_value = np.bincount(fa, weights=_fixed_scores(scores, fr, fc), minlength=n)
        scores, scores_h, net, used, status, timed_out = _maxmin(
            scores, scores_h, net, used, fixed_value, int(per_mentee),
            lambda cs: _build(cs, fr, fc, klass_rows, 1)[1],
            deadline, time_limit, MILP_PAIRS, timed_out, status, info,
        )  # fmt: skip
        pairs = net.pairs
    if timed_out:
        info["time_limit_reached"] = True
        warnings.warn(
            f"match: the time limit of {time_limit} s ran out before the answer was proved "
            "optimal; returning the best answer found so far (info['status'] "
            f"{status!r}). Raise `time_limit` to prove it.",
            RuntimeWarning,
            stacklevel=3,
        )

    # ------------------------------------------------------------------ the answer
    k_used = np.flatnonzero(used)
    ca = np.concatenate([fa, pairs.pi[k_used]])  # canonical mentee, mentor of every pair
    cb = np.concatenate([fb, pairs.pj[k_used]])
    score_of = _score_lookup(scores)
    vals = np.concatenate([_fixed_scores(scores, fr, fc), pairs.ps[k_used]])
    width = int(per_mentee)
    mentors = np.full((scores.n_mentees, width), -1, np.int64)
    order = np.lexsort((cb, -vals, ca))  # by mentee, best first, ties by mentor id
    ca, cb = ca[order], cb[order]
    first = np.flatnonzero(np.r_[True, ca[1:] != ca[:-1]]) if len(ca) else np.zeros(0, int)
    slot = np.arange(len(ca)) - np.repeat(first, np.diff(np.r_[first, len(ca)]))
    mentors[pairs.ee[ca], slot] = pairs.mr[cb]
    matched_c = np.zeros(n, bool)
    matched_c[ca] = True
    reasons = _reasons(scores_h, net, used, matched_c) if not matched_c.all() else {}
    if timed_out:  # the coverage is not proved the largest: only rule reasons hold
        reach = np.bincount(pairs.pi, minlength=n)
        reasons.update(dict.fromkeys(np.flatnonzero(~matched_c & (reach > 0)).tolist(), TIMED_OUT))
    reason = [None] * scores.n_mentees  # type: list[str | None]
    for a, text in reasons.items():
        reason[int(pairs.ee[a])] = text
    waiting = np.flatnonzero(~matched_c)
    if waiting.size and not waitlist:
        ids = scores.mentee_ids[pairs.ee[waiting]].tolist()
        lines = sorted({reasons[a] for a in waiting.tolist()}, key=str)
        raise InfeasibleError(
            [
                f"{plural(len(ids), 'mentee')} cannot have a mentor "
                f"(e.g. {', '.join(map(repr, ids[:5]))})",
                *lines[:5],
            ],
            who=ids,
            fix="pass waitlist=True to match as many as possible and waitlist the rest, "
            "or relax the rules / raise the capacities named above",
        )
    preference = _preference(pairs, mentors, score_of)
    k_pairs = int(min(net.slots.sum(), net.cap.sum(), len(pairs.pi)))
    quantum = net.quantum
    rr, kk = np.nonzero(mentors >= 0)
    info.update(
        {
            "coverage": int(matched_c.sum()),
            "coverage_by_class": _by_class(klass_rows, mentors[:, 0] >= 0),
            "pairs": int((mentors >= 0).sum()),
            "total": float(score_of(rr, mentors[rr, kk]).sum()),
            "status": status,
            "quantum": quantum,
            "rounding_bound": net.scaling.slack(k_pairs),
            "waitlisted": int(waiting.size),
            "seconds": time.perf_counter() - t0,
        }
    )
    if scores_h.pruned:
        info["bound"] = _candidate_bound(scores_h, int(per_mentee), mentors)
    return Assignment(
        scores=scores,
        mentor=mentors[:, 0].copy(),
        preference=preference,
        reason=tuple(reason),
        method=f"match-{objective}",
        info=info,
        mentors=mentors,
    )
