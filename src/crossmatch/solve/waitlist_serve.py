"""Oversubscribed cohorts, the value rule: how many and which mentees one assignment can
serve (:func:`serve`, one flow), a bound on any choice's shortlists
(:func:`relaxed_bound`), and candidates widened until the count holds for the full
problem (:func:`widen_to_full`). See :mod:`crossmatch.solve.waitlist`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..scoring.interface import ScoreSource
from .instance import Instance
from .network import max_assignment, select_pairs, solve_network, unfilled_reach
from .scaling import integer_scaling

__all__ = ["best_values", "relaxed_bound", "serve", "widen_to_fill", "widen_to_full"]

#: The relaxation bound's flow holds each mentee's k + this many best pairs.
RELAX_BEST = 40


def _by_mentee(p: Instance, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ordered by mentee, best weight first, and each one's rank there (0 = best)."""
    top = int(w.max(initial=0)) + 1
    order = np.argsort(p.pi * top + (top - 1 - w), kind="stable")
    starts = np.searchsorted(p.pi[order], np.arange(p.n))
    return order, np.arange(len(order)) - starts[p.pi[order]]


def best_values(p: Instance) -> np.ndarray:
    """Each canonical mentee's *value*: the sum of their ``p.k`` best pair scores, an
    upper bound on what their shortlist can score."""
    order, rank = _by_mentee(p, p.weights())
    best = order[rank < p.k[p.pi[order]]]
    return np.bincount(p.pi[best], weights=p.ps[best], minlength=p.n)


def serve(
    p: Instance, classes: np.ndarray | None, value: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """Canonical mentees served (bool, ``(p.n,)``), the pairs of their covering
    assignment (bool, ``(P,)``) within ``min(capacity, exposure)``, and the slack of the
    value grid (the most the served values' sum can be below the best). ``classes``:
    class rank per canonical mentee (0 = highest), or None for one class; ``value``: per
    canonical mentee, what serving them is worth (:func:`best_values`).

    The reward ``R_i`` of a mentee is put on each of their pairs (a mentee uses one), and
    OR-Tools' max flow with min cost makes the count maximum first, then the reward."""
    cap = np.minimum(p.capacity, p.exposure)
    n_classes = 1 if classes is None or len(classes) == 0 else int(classes.max()) + 1
    klass = np.zeros(p.n, np.int64) if classes is None else np.asarray(classes, np.int64)
    n, m = p.n, p.m
    if n == 0:
        flow = max_assignment(p, cap, weights=None)
        return flow.matched, flow.pair_used, 0.0
    # the one scaling of scores to costs (scaling.integer_scaling): the rewards reach
    # C (n W + 1) for W the largest value cost: C (n + 1) times that cost
    scaling = integer_scaling(
        value, n_nodes=n + m + 2, headroom=n_classes * (n + 1), offset=float(value.min())
    )
    v = scaling.costs(value)
    reward = (n_classes - 1 - klass) * (n * int(v.max()) + 1) + v
    flow = max_assignment(p, cap, weights=reward[p.pi])
    return flow.matched, flow.pair_used, scaling.slack(n)


def relaxed_bound(p: Instance, served: int) -> float:
    """An upper bound on the shortlist total of any ``served`` mentees: the best ``U``
    shortlist entries (``U`` the most entries that many mentees can hold) with at most
    ``k_i`` per mentee and ``exposure_j`` per mentor, coverage dropped (a min-cost flow
    with a source -> sink bypass), plus the rounding of scores to flow costs. The flow
    holds each mentee's :data:`RELAX_BEST` + k best pairs; the rest of a mentee's pairs
    are stood in for by one arc straight to the sink, free of exposure, at the score of
    the best pair left out (no pair left out scores more), so the bound stays valid."""
    if served == 0 or p.n_pairs == 0:
        return 0.0
    n, m = p.n, p.m
    units = int(np.sort(p.k)[::-1][:served].sum())
    fewest = int(np.sort(p.k)[:served].sum())
    w = p.weights()
    order, rank = _by_mentee(p, w)
    limit = p.k[p.pi[order]] + RELAX_BEST
    kept = order[rank < limit]
    cut = order[rank == limit]  # each mentee's best pair left out
    q, c = len(kept), len(cut)
    src, snk = n + m, n + m + 1
    flows, ok = solve_network(
        np.r_[np.full(n, src), p.pi[kept], p.pi[cut], n + np.arange(m), src],
        np.r_[np.arange(n), n + p.pj[kept], np.full(c, snk), np.full(m, snk), snk],
        np.r_[p.k, np.ones(q, np.int64), p.k[p.pi[cut]], p.exposure, units].astype(np.int64),
        np.r_[np.zeros(n, np.int64), -w[kept], -w[cut], np.zeros(m + 1, np.int64)],
        np.array([src, snk]),
        np.array([units, -units]),
    )
    if not ok:  # pragma: no cover - the bypass makes every supply feasible
        raise RuntimeError("waitlist: the relaxation flow failed")
    got = float((flows[n : n + q] * w[kept]).sum() + (flows[n + q : n + q + c] * w[cut]).sum())
    low = float(p.ps.min())
    return float(p.units(got)) + low * (units if low >= 0 else fewest) + p.scaling.slack(units)


def _to_columns(p: Instance, values: np.ndarray) -> np.ndarray:
    out = np.empty(p.m, dtype=np.asarray(values).dtype)
    out[p.mr] = values
    return out


def _priced(
    view: ScoreSource, p: Instance, mentees: np.ndarray, blocked: np.ndarray, limit: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Up to ``limit`` eligible pairs per mentee in the ``mentees`` mask (canonical) that
    are not in ``p`` yet, to mentors not ``blocked`` (canonical mask): one streamed
    pass of the source's ``price``."""
    n_rows = view.n_mentees
    prices = _to_columns(p, np.where(blocked, np.inf, 0.0))
    _, r, c, v = view.price(
        prices, np.zeros(n_rows, np.int64), np.full(n_rows, -np.inf),
        rows=p.ee[mentees], limit=limit,
    )  # fmt: skip
    return r, c, v


def widen_to_full(
    view: ScoreSource, p: Instance, klass: np.ndarray, served: np.ndarray, used: np.ndarray
) -> ScoreSource | None:
    """More candidate pairs when the choice of whom to serve on candidates (``served``,
    covering assignment ``used``) may not be maximum for the full problem; None when it
    is proved to be (or the scores hold every eligible pair).

    For each prefix of priority classes with a waiting mentee, the mentees reached from
    its waiting ones by alternating paths within the prefix, and their mentors, form a
    tight set (every such mentor is full with mentees of the prefix, so the count of the
    prefix is maximum on the candidates). It is maximum on the full problem too unless
    one of those mentees has an eligible pair, left out of the candidates, to a mentor
    outside the set with a place: such pairs are found by one streamed pass per prefix
    (mentors in the set priced out) and added. Waiting mentees without any candidate
    pair also get their best pairs, so their reason names who they compete with."""
    if not view.pruned or p.n == 0:
        return None
    cap = np.minimum(p.capacity, p.exposure)
    limit = max(p.k_max, 3)
    reach = np.bincount(p.pi, minlength=p.n)
    got: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    try:
        bare = ~served & (reach == 0) & (view.eligible_counts()[p.ee] > 0)
        if bare.any():
            got.append(_priced(view, p, bare, cap == 0, limit))
        for c in range(int(klass.max()) + 1 if len(klass) else 0):
            inside = klass <= c
            start = inside & ~served
            if not (start & (klass == c)).any():
                continue  # a prefix without new waiting mentees was checked before
            q = p.restrict(inside[p.pi])
            mentees, mentors = unfilled_reach(q, used[inside[p.pi]], start)
            got.append(_priced(view, p, mentees, mentors | (cap == 0), limit))
    except ValueError:  # candidates without the full scores they came from: no pass
        return None
    if not got or not sum(len(g[0]) for g in got):
        return None
    rr, cc, vv = (np.concatenate([g[k] for g in got]) for k in range(3))
    return view.with_pairs(rr.astype(np.int64), cc.astype(np.int64), vv)


def widen_to_fill(view: ScoreSource, q: Instance, served: np.ndarray) -> ScoreSource | None:
    """More candidate pairs when the candidates cannot give the ``served`` mentees their
    ``k_i`` options within exposure (the shortlist relaxation, a max flow, leaves some
    short) but the full problem might: the mentees reached from those left short by
    alternating paths, and their mentors (all at full exposure), are priced against the
    eligible pairs left out (one streamed pass). None when nothing is short, or no such
    pair exists (then the shortage holds in the full problem too)."""
    if not view.pruned or not served.any():
        return None
    sub = replace(q, k=np.where(served, q.k, 0)).restrict(served[q.pi])
    zero = np.zeros(sub.n_pairs, np.int64)
    x, got = select_pairs(sub, per_mentee=sub.k, per_mentor=sub.exposure, weights=zero)
    if got == int(sub.k.sum()):
        return None
    short = served & (np.bincount(sub.pi[x], minlength=q.n) < sub.k)
    mentees, mentors = unfilled_reach(sub, x, short)
    try:
        r, c, v = _priced(view, q, mentees, mentors | (q.exposure == 0), max(q.k_max, 3))
    except ValueError:  # candidates without the full scores they came from: no pass
        return None
    return view.with_pairs(r, c, v) if len(r) else None
