"""The fairness objective of :func:`crossmatch.match` (``objective="maxmin"``).

The value of a matched mentee is the sum of their mentors' scores. First the coverage
(reward sum) of the ``"total"`` answer is fixed; then the floor ``t`` (the worst-off
matched mentee's value) is maximised, then the total under ``t``:

- ``per_mentee == 1``: a mentee's value is one pair's score, so the floor is a pair score.
  Binary search over the distinct pair scores from the ``"total"`` answer's worst one
  (:func:`crossmatch.solve.fair.max_floor`, shared with ``assign`` and ``shortlist``):
  ``t`` is feasible when the pairs scoring at least ``t`` still reach the optimal
  coverage (one OR-Tools maximum flow per step; with priority classes, a min-cost flow
  with the class rewards). Exact: feasibility is monotone in ``t``, and every floor is one
  of those scores. The final flow keeps only the pairs at or above the best ``t``.
  On a cohort's candidate scores the search runs on the candidate pairs, then streamed
  pricing passes widen them until a min cut proves the floor for the full matrix
  (:func:`_maxmin_priced`, through :func:`crossmatch.solve.fair.priced_floor`, the
  mechanism ``shortlist`` uses); ``info["floor_on_candidates"]`` is True (and the
  status ``"feasible"``) only if :data:`~crossmatch.solve.fair.FLOOR_ROUNDS` passes, or
  the time limit, did not prove it.
- ``per_mentee > 1``: with sums, deciding a floor is NP-hard in general (it contains
  bin covering), so no flow is exact. A mixed-integer program (SciPy's HiGHS ``milp``)
  with the coverage counts of each class fixed maximises the floor, then the total with
  the floor held. It is proved optimal within ``time_limit`` (status ``"optimal"``) or
  returns the best found (``"feasible"``); meant for small and medium cohorts. On
  candidate scores it runs on the pairs it is given: the floor is not proved for the
  full matrix (``info["floor_on_candidates"]`` True, status ``"feasible"``).

Mentees with a ``fixed`` pair do not count toward the floor (their mentor was not
chosen here). The price of fairness, ``info["price_of_fairness"]``, is the ``"total"``
answer's total minus this answer's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np

from ..scoring.interface import AnyScores, ScoreSource
from .fair import FloorNet, cover_count, max_floor, priced_floor
from .match_flow import _Network
from .match_pricing import _coverage_value, _expand, _flow, _solve_flow
from .options import Deadline


# ---------------------------------------------------------------------------- maxmin
def _maxmin_single(net: _Network, used_total: np.ndarray) -> tuple[np.ndarray, float]:
    """per_mentee == 1: the best floor (:func:`~crossmatch.solve.fair.max_floor`, from
    the ``"total"`` answer's worst pair score); the final pairs and the floor."""
    ps = net.pairs.ps
    target = _coverage_value(net, used_total)
    if not used_total.any():
        return used_total, -np.inf
    floor = max_floor(ps, lambda t: _covers(net, ps >= t, target), float(ps[used_total].min()))
    return _solve_flow(net, pair_mask=ps >= floor), floor


def _floor_net(net: _Network, got: np.ndarray) -> FloorNet:
    """The floor problem of ``net`` for :func:`~crossmatch.solve.fair.priced_floor`:
    keep the coverage of the mentees ``got`` (those the ``"total"`` answer covers).

    With priority classes the coverage is a transversal matroid's greedy optimum, so it
    keeps its class counts exactly when every class prefix (classes ``0..c``) keeps its
    count; above the best floor the first short prefix's mentees are ``short``."""
    p = net.pairs
    open_ = (net.slots > 0) & ~net.covered
    target = int((net.n_classes - net.klass[got & ~net.covered]).sum())
    need = np.cumsum(np.bincount(net.klass[got & open_], minlength=net.n_classes))

    def short(t: float) -> np.ndarray:
        ok = p.ps > t
        for c in range(net.n_classes):
            sources = open_ & (net.klass <= c)
            reach = cover_count(p.pi[ok], p.pj[ok], p.n, net.cap, sources=np.flatnonzero(sources))
            if reach < need[c]:
                return sources
        return open_

    def feasible(t: float) -> bool:
        return _covers(net, p.ps >= t, target)

    return FloorNet(p.pi, p.pj, p.ps, p.ee, p.mr, net.cap, feasible, short)


def _maxmin_priced(
    scores: ScoreSource, net: _Network, used_total: np.ndarray, floor: float,
    build: Callable[[ScoreSource], _Network], deadline: Deadline,
) -> tuple[ScoreSource, _Network, float, bool]:  # fmt: skip
    """per_mentee == 1 on a cohort's candidate scores: widen the candidates until a min
    cut proves ``floor`` (the candidates' best) for the full matrix
    (:func:`~crossmatch.solve.fair.priced_floor`, shared with ``shortlist``). Returns
    the widened scores, their network (``build`` makes one), the floor and whether it
    is proved (not when ``deadline`` stopped the passes).

    The coverage kept is the ``"total"`` answer's (``used_total``): it is the largest on
    the full matrix (the ``"total"`` answer is widened until Hall's condition proves
    it), and a floor feasible on fewer pairs stays feasible on more."""
    got = np.zeros(net.pairs.n, bool)
    got[net.pairs.pi[used_total]] = True
    last: list[Any] = [scores, net]  # the scores last built and their network

    def network_of(cs: Any) -> _Network:
        if cs is not last[0]:
            last[:] = [cs, build(cs)]
        return cast(_Network, last[1])

    floor, wide, proved = priced_floor(
        scores, lambda cs: _floor_net(network_of(cs), got), floor, limit=1,
        expired=deadline.expired,
    )  # fmt: skip
    wide_net = network_of(wide)
    if not proved:  # the last pairs found have not been searched yet
        floor = max_floor(wide_net.pairs.ps, _floor_net(wide_net, got).feasible, floor)
    return wide, wide_net, floor, proved


def _covers(net: _Network, mask: np.ndarray, target: int) -> bool:
    """Whether the pairs in ``mask`` still reach the coverage value ``target`` (a
    maximum flow with one class, a min-cost flow with class rewards otherwise)."""
    p = net.pairs
    idx = np.flatnonzero(mask)
    if net.n_classes > 1:
        used = _flow(net, idx, np.zeros(len(idx), np.int64), 1, duals=False)[0]
        return _coverage_value(net, _expand(net, idx, used)) == target
    open_ = np.flatnonzero((net.slots > 0) & ~net.covered)
    return cover_count(p.pi[idx], p.pj[idx], p.n, net.cap, sources=open_) == target


def _maxmin_milp(
    net: _Network, counts: np.ndarray, fixed_value: np.ndarray, deadline: Deadline
) -> tuple[np.ndarray, float, str]:
    """per_mentee > 1: floor then total, by MILP (HiGHS through SciPy) with the class
    coverage counts fixed. Returns pairs used, floor, status."""
    import scipy.sparse as sp
    from scipy.optimize import Bounds, LinearConstraint, milp

    p = net.pairs
    n, q = p.n, len(p.pi)
    # variables: x (q pairs), y (n covered), z (floor)
    nv = q + n + 1
    open_ = ~net.covered
    lo = np.zeros(nv)
    hi = np.ones(nv)
    lo[q : q + n][net.covered] = 1.0  # covered by fixed pairs
    big = (
        2.0
        * (
            float(net.slots.max(initial=1)) * float(np.abs(p.ps).max(initial=1.0))
            + float(np.abs(fixed_value).max(initial=0.0))
        )
        + 1.0
    )
    lo[-1], hi[-1] = -big, big
    rows_e = sp.csr_matrix((np.ones(q), (p.pi, np.arange(q))), shape=(n, q))
    eye = sp.identity(n, format="csr")
    zero_n = sp.csr_matrix((n, 1))
    cons = [
        # sum_j x_ij - slots_i y_i <= 0 ; y_i - sum_j x_ij <= 0 (fixed-covered: y = 1 anyway)
        LinearConstraint(
            sp.hstack([rows_e, -sp.diags(net.slots.astype(float)), zero_n]), -np.inf, np.zeros(n)
        ),
        LinearConstraint(
            sp.hstack([-rows_e[open_], eye[open_], zero_n[open_]]),
            -np.inf,
            np.zeros(int(open_.sum())),
        ),
        LinearConstraint(
            sp.hstack(
                [
                    sp.csr_matrix((np.ones(q), (p.pj, np.arange(q))), shape=(p.m, q)),
                    sp.csr_matrix((p.m, n + 1)),
                ]
            ),
            -np.inf,
            net.cap.astype(float),
        ),
    ]
    klass_rows = sp.csr_matrix(
        (np.ones(int(open_.sum())), (net.klass[open_], np.flatnonzero(open_))),
        shape=(net.n_classes, n),
    )
    cons.append(
        LinearConstraint(
            sp.hstack(
                [sp.csr_matrix((net.n_classes, q)), klass_rows, sp.csr_matrix((net.n_classes, 1))]
            ),
            counts,
            counts,
        )
    )
    # z - sum_j s_ij x_ij + big * y_i <= big + fixed_i  (only for mentees the solver matches)
    vals = sp.csr_matrix((-p.ps, (p.pi, np.arange(q))), shape=(n, q))
    floor_rows = sp.hstack([vals, sp.diags(np.full(n, big)), sp.csr_matrix(np.ones((n, 1)))])
    cons.append(LinearConstraint(floor_rows.tocsr()[open_], -np.inf, big + fixed_value[open_]))
    integrality = np.r_[np.ones(q + n), 0.0]
    left = deadline.remaining()  # one deadline for both stages (None: no limit)
    options: dict[str, Any] = {} if left is None else {"time_limit": left}
    c = np.zeros(nv)
    c[-1] = -1.0
    res = milp(c, constraints=cons, integrality=integrality, bounds=Bounds(lo, hi), options=options)
    if res.x is None:
        raise RuntimeError(f"the MILP found no answer: {res.message}")
    status = "optimal" if res.status == 0 else "feasible"
    floor = float(res.x[-1])
    c2 = np.r_[-p.ps, np.zeros(n + 1)]
    lo[-1] = floor - 1e-9 * max(1.0, abs(floor))
    left = deadline.remaining()
    options = {} if left is None else {"time_limit": left}
    res2 = milp(
        c2, constraints=cons, integrality=integrality, bounds=Bounds(lo, hi), options=options
    )
    if res2.x is None:  # keep the first answer
        res2 = res
    elif res2.status != 0:
        status = "feasible"
    return np.asarray(res2.x[:q]) > 0.5, floor, status


# ---------------------------------------------------------------------------- front end
def _maxmin(
    scores: AnyScores, scores_h: ScoreSource, net: _Network, used: np.ndarray,
    fixed_value: np.ndarray, per_mentee: int, build: Callable[[ScoreSource], _Network],
    deadline: Deadline, time_limit: float | None, milp_pairs: int, timed_out: bool,
    status: str, info: dict[str, Any],
) -> tuple[AnyScores, ScoreSource, _Network, np.ndarray, str, bool]:  # fmt: skip
    """``objective="maxmin"`` from the ``"total"`` answer ``used`` on ``net`` (module
    docstring): the answer's scores (with pairs the floor's pricing added), the scores
    solved (after history), their network, the pairs used, status and whether the
    deadline stopped a proof; ``floor``, ``price_of_fairness``, ``total_without_floor``
    and ``floor_on_candidates`` go into ``info``."""
    pairs = net.pairs
    n = pairs.n
    total_best = float(pairs.ps[used].sum())
    floor = None
    if not (timed_out or deadline.expired()) and per_mentee == 1:
        used_total = used
        used, floor = _maxmin_single(net, used)
        if scores_h.pruned and np.isfinite(floor):  # the floor over the candidates
            proved = False
            if scores_h.cohort is not None and scores_h.config is not None:
                wide, wide_net, floor, proved = _maxmin_priced(
                    scores_h, net, used_total, floor, build, deadline
                )
                if wide_net is not net:  # pairs of the full matrix joined
                    old = np.unique(pairs.pi * pairs.m + pairs.pj)
                    new = wide_net.pairs
                    add = ~np.isin(new.pi * new.m + new.pj, old)
                    scores = scores.with_pairs(new.ee[new.pi[add]], new.mr[new.pj[add]],
                                               new.ps[add])  # fmt: skip
                    scores_h, net, pairs = wide, wide_net, new
                    used = _solve_flow(net, pair_mask=pairs.ps >= floor)
            info["floor_on_candidates"] = not proved
            if not proved:  # the floor is the candidates' only
                status = "feasible"
                timed_out = deadline.expired()
    elif not (timed_out or deadline.expired()):
        got = np.zeros(n, bool)
        got[pairs.pi[used]] = True
        got &= ~net.covered
        counts = np.bincount(net.klass[got], minlength=net.n_classes).astype(float)
        if len(pairs.pi) > milp_pairs and time_limit is None:
            raise ValueError(
                f"objective='maxmin' with per_mentee > 1 solves a MILP, here on "
                f"{len(pairs.pi):,} pairs (more than {milp_pairs:,}): pass `time_limit` "
                "(seconds) to take the best answer found by then, or use per_mentee=1 "
                "(exact by flows at any size)."
            )
        try:
            used, floor, status = _maxmin_milp(net, counts, fixed_value, deadline)
        except RuntimeError:  # no MILP answer in time: the "total" answer stands
            if not deadline.expired():
                raise
        timed_out = status != "optimal" or floor is None
        if scores_h.pruned:  # solved on the candidate pairs only: not proved
            info["floor_on_candidates"] = True
            status = "feasible"
    if floor is None:  # the "total" answer, its floor not raised: feasible
        timed_out, status = True, "feasible"
        value = np.bincount(pairs.pi[used], weights=pairs.ps[used], minlength=n) + fixed_value
        mine = np.zeros(n, bool)
        mine[pairs.pi[used]] = True
        own = value[mine & ~net.covered]
        floor = float(own.min()) if own.size else -np.inf
    info["floor"] = floor
    info["price_of_fairness"] = total_best - float(pairs.ps[used].sum())
    info["total_without_floor"] = total_best
    return scores, scores_h, net, used, status, timed_out
