"""Oversubscribed cohorts: whom to serve among the sets of the largest size -- priced by
the shortlist relaxation (:func:`choose_priced`), jointly with the shortlists by one MIP
(:func:`choose_jointly`), and so that their shortlists fit in exposure
(:func:`fit_exposure`). See :mod:`crossmatch.solve.waitlist`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from .instance import Instance
from .network import select_pairs
from .options import ShortlistOptions
from .waitlist_serve import best_values, serve

__all__ = [
    "EXPOSURE_SHORT",
    "choose_jointly",
    "choose_priced",
    "fit_exposure",
    "priced_values",
    "short_of",
]

#: Rounds of choosing again when exposure leaves a served mentee short of k options.
FILL_ROUNDS = 3
#: Up to this many eligible pairs, a choice left short by every round is settled by the
#: joint MIP (which finds a choice whose shortlists fit, if any does).
JOINT_FALLBACK_PAIRS = 20_000
#: ... within this many seconds (or the solve's deadline, if sooner).
JOINT_FALLBACK_SECONDS = 10.0
EXPOSURE_SHORT = (
    "the mentors they could have are on too many other shortlists: exposure leaves no "
    "room for {k} options each for as many mentees as capacity could serve (raise "
    "`exposure` or lower k)"
)


def _relaxation(q: Instance, served: np.ndarray) -> tuple[Instance, np.ndarray, np.ndarray]:
    """The shortlist relaxation of the ``served`` mentees (k_i each within exposure,
    coverage dropped: a b-matching by min-cost flow): its instance, pairs and weights."""
    sub = replace(q, k=np.where(served, q.k, 0)).restrict(served[q.pi])
    w = sub.weights()
    x, _ = select_pairs(sub, per_mentee=sub.k, per_mentor=sub.exposure, weights=w)
    return sub, x, w


def _price_of(q: Instance, served: np.ndarray) -> tuple[np.ndarray, float]:
    """Exposure prices (score units; ``inf`` at exposure 0) of the shortlist relaxation
    of the ``served`` mentees (from its :func:`~crossmatch.solve.bounds.flow_duals`),
    and the relaxation's value."""
    from .bounds import flow_duals, mentor_prices

    sub, x, w = _relaxation(q, served)
    return mentor_prices(sub, flow_duals(sub, x, w)), float(sub.ps[x].sum())


def priced_values(q: Instance, prices: np.ndarray) -> np.ndarray:
    """Each canonical mentee's value under mentor ``prices``: the sum of their ``k_i``
    best ``s_ij - prices_j`` (mentors priced ``inf`` hold nothing; a mentee with fewer
    such pairs than ``k_i`` cannot be served, and is valued below everyone)."""
    from .bounds import top_values

    red = q.ps - prices[q.pj]  # -inf at mentors priced out
    ok = np.isfinite(red)
    top = top_values(q.pi, red, q.k_max, q.n)  # pairs are sorted by mentee
    top[np.arange(q.k_max)[None, :] >= q.k[:, None]] = 0.0  # only k_i of them
    missing = np.count_nonzero(np.isneginf(top), axis=1)
    low = float(red[ok].min()) if ok.any() else 0.0
    span = float(red[ok].max()) - low if ok.any() else 0.0
    return np.where(np.isfinite(top), top, 0.0).sum(axis=1) + missing * (min(low, 0.0) - span - 1.0)


def choose_priced(
    q: Instance, klass: np.ndarray, served: np.ndarray, used: np.ndarray, rounds: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """Whom to serve, with the congestion of popular mentors counted: starting from the
    value rule's choice ``served`` (covering assignment ``used``), ``rounds`` times
    price the mentors by the shortlist relaxation of the current choice and choose again
    by :func:`priced_values`; keep the choice whose relaxation is best. Returns the
    choice, its covering assignment and the best Lagrangian bound ``sum_j e_j v_j +
    max_S sum_{i in S} V_i(v)`` (plus the value grid's slack): valid for every choice of
    whom to serve, since any ``v >= 0`` prices exposure and the max is over every set
    :func:`serve` may choose."""
    current, cur_used = served, used
    best_relax, best = -np.inf, (served, used)
    bound = np.inf
    for _ in range(max(int(rounds), 0)):
        prices, relax = _price_of(q, current)
        if relax > best_relax:
            best_relax, best = relax, (current, cur_used)
        vals = priced_values(q, prices)
        nxt, nxt_used, slack = serve(q, klass, vals)
        finite = np.isfinite(prices)
        spent = float((q.exposure[finite] * prices[finite]).sum())
        bound = min(bound, spent + float(vals[nxt].sum()) + slack)
        if np.array_equal(nxt, current):
            break
        current, cur_used = nxt, nxt_used
    else:
        sub, x, _ = _relaxation(q, current)
        if float(sub.ps[x].sum()) > best_relax:
            best = (current, cur_used)
    return best[0], best[1], bound


def choose_jointly(
    q: Instance, klass: np.ndarray, served: np.ndarray, options: ShortlistOptions,
    q_of: Callable[[int], Instance] | None = None,
) -> tuple[np.ndarray, np.ndarray, float, bool] | None:  # fmt: skip
    """Whom to serve and their shortlists as one integer program (served ``z_i`` a
    variable, each prefix of classes serving as many as ``served`` does; see
    :func:`~crossmatch.solve.exact.solve_mip`): the choice, its covering assignment, the
    MIP's bound (valid for every choice) and whether it is proved optimal; None when it
    found no answer in time (or none exists).

    With ``q_of`` (a count -> the instance with the exposure of that many), when the MIP
    proves that no choice of that many has shortlists, the most that do are served,
    lexicographically by class: each prefix of classes in turn serves the most it can
    (counting down from its count, later prefixes free), then the answer is solved with
    every count fixed."""
    from .exact import solve_mip

    k = q.k if options.allow_short else np.full(q.n, q.k_max, np.int64)
    n_classes = int(klass.max()) + 1 if len(klass) else 0
    counts = np.array([int((served & (klass <= c)).sum()) for c in range(n_classes)])

    def solve(counts: np.ndarray, final: bool = True) -> Any:
        # the exposure of the count served (checks with free prefixes: of the most)
        total = int(counts[-1]) if final and len(counts) else int(served.sum())
        qt = q if q_of is None or total == int(served.sum()) else q_of(total)
        return solve_mip(replace(qt, k=k), hint=None, deadline=options.deadline,
                         seed=options.seed, serve=(klass, counts))  # fmt: skip

    res = solve(counts)
    if res.served is None and res.infeasible and q_of is not None:
        fixed = np.full(n_classes, -1)
        for c in range(n_classes):  # the most each prefix can serve, highest class first
            low = int(fixed[c - 1]) if c else 0
            for t in range(int(counts[c]), low - 1, -1):
                fixed[c] = t
                trial = solve(fixed, final=False)
                if trial.served is not None:
                    break
                if not trial.infeasible:
                    return None  # out of time
            else:
                fixed[c] = low
        res = solve(fixed)
    if res.served is None or res.y is None:
        return None
    return res.served, res.y, res.bound, res.optimal


def short_of(q: Instance, served: np.ndarray) -> tuple[np.ndarray, int]:
    """The ``served`` mentees that the shortlist relaxation (``k_i`` pairs each within
    exposure, coverage dropped: a max flow) leaves short of ``k_i`` options, and how many
    options are missing in all (0: every shortlist fits)."""
    sub = replace(q, k=np.where(served, q.k, 0)).restrict(served[q.pi])
    zero = np.zeros(sub.n_pairs, np.int64)
    x, got = select_pairs(sub, per_mentee=sub.k, per_mentor=sub.exposure, weights=zero)
    missing = int(sub.k.sum()) - got
    if not missing:
        return np.zeros(q.n, bool), 0
    return served & (np.bincount(sub.pi[x], minlength=q.n) < sub.k), missing


def fit_exposure(
    p: Instance, q: Instance, klass: np.ndarray, served: np.ndarray, used: np.ndarray,
    options: ShortlistOptions, expo_of: Any,
) -> tuple[np.ndarray, np.ndarray, Instance, np.ndarray, str | None]:  # fmt: skip
    """A choice of whom to serve whose shortlists fit in exposure: ``served`` if they
    do; else, keeping the counts, choose again with the mentees left short valued
    lower (:data:`FILL_ROUNDS`), then by the joint MIP on small problems; else serve
    fewer: the mentees left short wait (until the rest fit). Returns the choice, its
    covering assignment, the instance with the exposure of that many, the mentees made
    to wait, and the rule that settled it (None: ``served`` fitted)."""
    dropped = np.zeros(p.n, bool)
    short, missing = short_of(q, served)
    if not missing:
        return served, used, q, dropped, None
    base = best_values(q)
    step = float(base.max() - base.min()) + 1.0 if p.n else 1.0
    penalty = np.zeros(p.n)
    for _ in range(FILL_ROUNDS):
        penalty[short] += step
        served, used, _ = serve(q, klass, base - penalty)
        short, missing = short_of(q, served)
        if not missing:
            return served, used, q, dropped, "re-chosen to fit exposure"
    if q.n_pairs <= JOINT_FALLBACK_PAIRS:
        cap = options.deadline.capped(JOINT_FALLBACK_SECONDS)
        joint = choose_jointly(q, klass, served, replace(options, allow_short=True, deadline=cap))
        if joint is not None:
            return joint[0], joint[1], q, dropped, "joint MIP (to fit exposure)"
    while missing:  # serve fewer: as few of those left short as can free the room wait
        few = -(-missing // max(int(q.k.max(initial=1)), 1))
        # the lowest priority first, then the least value
        out = np.flatnonzero(short)[np.lexsort((base[short], -klass[short]))[:few]]
        dropped[out] = True
        served = served & ~dropped
        used = used & served[p.pi]
        q = replace(p, exposure=expo_of(int(served.sum()))[p.mr])
        short, missing = short_of(q, served)
    return served, used, q, dropped, "fewer served (exposure)"
