"""Bounds and widening for shortlists solved on candidate pairs (`CandidateScores`).

The shortlist relaxation without coverage is the b-matching LP

    max sum s_ij x_ij  s.t.  sum_j x_ij = k_i,  sum_i x_ij <= e_j,  0 <= x_ij <= 1,

and for any mentor prices ``v >= 0`` Lagrangian duality gives an upper bound on it, and
so on the shortlist problem, over *all* eligible pairs:

    UB(v) = sum_j e_j v_j + sum_i (sum of the k_i largest s_ij - v_j over eligible j).

With the optimal prices of the b-matching on the candidates (node potentials of the
min-cost flow, found here by Bellman-Ford on its residual graph) ``UB(v)`` equals the
candidates' relaxation optimum whenever no pruned pair has a positive reduced cost. The
pruned pairs' scores are bounded by the cuts of :class:`CandidateScores`, which proves
most mentees' terms without looking at their pairs again; the rest are priced exactly
by one streamed pass (:meth:`CandidateScores.price`), which also returns the pairs that
should enter. Adding them and solving again is column generation: each round's bound is
valid, and it stops when no pair can enter.

Mentors with exposure 0 can hold no pair and get price ``inf`` (their pairs leave the
problem rather than being priced).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..scoring.candidates import CandidateScores
from . import network
from .instance import Instance
from .residual import bmatching_potentials

__all__ = [
    "best_pruned",
    "cut_bound",
    "flow_duals",
    "improving",
    "mentor_prices",
    "merged",
    "potentials",
    "priced_cut",
    "relaxation",
    "top_values",
]

#: Bellman-Ford rounds before giving up on exact prices (then prices are 0: still valid).
MAX_ROUNDS = 20_000
#: A relaxation solved again after pricing (:func:`relaxation`) adds pairs to its working
#: set at most this many times before it solves on every pair.
WORKING_ROUNDS = 4
#: ... and starts from the pairs within this many times the new pairs' median gain.
WORKING_SLACK = 2.0
#: ... unless that is over this share of the pairs (then it solves on every pair: a
#: working set of 95% of 4M pairs, at 100,000 x 20,000, took two flows instead of one).
WORKING_SHARE = 0.5


def flow_duals(
    p: Instance, x: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int] | None:
    """Node potentials ``(d_mentee, d_mentor, d_sink)`` of the b-matching ``x`` (k_i per
    mentee, e_j per mentor) for integer ``weights``, by the toolkit's
    :func:`~crossmatch.solve.residual.bmatching_potentials`; None when they do not
    settle within :data:`MAX_ROUNDS` rounds."""
    return bmatching_potentials(p.pi, p.pj, x, weights, p.exposure, p.n, p.m, max_rounds=MAX_ROUNDS)


def improving(
    p: Instance, weights: np.ndarray, duals: tuple[np.ndarray, np.ndarray, int]
) -> np.ndarray:
    """Pairs whose arc (mentee -> mentor, cost ``-w``) breaks the potentials ``duals``
    (``d_mentor > d_mentee - w``): pairs left out of a b-matching solved on a subset that
    would improve it. When none does, the b-matching is optimal on every pair of ``p``
    too (its residual graph then has no negative cycle), with the same duals."""
    di, dj, _ = duals
    return dj[p.pj] > di[p.pi] - np.asarray(weights, np.int64)


def potentials(
    p: Instance, duals: tuple[np.ndarray, np.ndarray, int]
) -> tuple[np.ndarray, np.ndarray]:
    """The duals of :func:`flow_duals` in score units, ``(a, b)`` such that a pair's
    reduced cost is ``a_i - b_j - s_ij`` (>= 0 for an unused pair of an optimal
    b-matching, up to rounding): comparable across instances with other scalings."""
    di, dj, _ = duals
    lo = p.scaling.offset if p.n_pairs else 0.0  # weights are (s - offset) / unit
    return p.units(di.astype(np.float64)) + lo, p.units(dj.astype(np.float64))


def relaxation(
    p: Instance,
    weights: np.ndarray,
    near: tuple[np.ndarray, np.ndarray],
    last: np.ndarray,
    new: np.ndarray,
) -> tuple[np.ndarray, int, tuple[np.ndarray, np.ndarray, int] | None]:
    """The b-matching relaxation of ``p`` (no group limits) solved again after a pricing
    round added the pairs ``new`` (a mask): ``(pairs used, flow value, duals)``, optimal
    on every pair of ``p``.

    The last round's answer ``last`` was optimal but for the new pairs, so most pairs
    stay out: it is solved on a working set first, ``last``, ``new`` and the pairs whose
    reduced cost by the last round's :func:`potentials` ``near`` is within a slack
    (:data:`WORKING_SLACK` times the median gain of the new pairs that improve by them).
    Pairs whose arcs then break the new duals (:func:`improving`) join, with those
    within the slack of the new duals, until none does: the answer is then optimal on
    all of ``p``, with the same duals. Falls back to every pair after
    :data:`WORKING_ROUNDS` tries, when the working set cannot fill every shortlist, or
    when it holds over :data:`WORKING_SHARE` of the pairs.
    (On the 10,000 x 2,000 benchmark, a slack of twice the median needs one try; half
    or once the median needs two.)"""
    red = near[0][p.pi] - near[1][p.pj] - p.ps  # >= 0 on the old pairs, up to rounding
    gain = -red[new]
    slack = WORKING_SLACK * float(np.median(gain[gain > 0])) if (gain > 0).any() else 0.0
    work = (red <= slack) | last | new
    need = int(p.k.sum())
    for _ in range(WORKING_ROUNDS):
        if np.count_nonzero(work) > WORKING_SHARE * p.n_pairs:
            break  # hardly smaller than every pair: no time to save
        sub = p.restrict(work)
        xs, got = network.select_pairs(sub, per_mentee=p.k, per_mentor=p.exposure,
                                       weights=weights[work])  # fmt: skip
        duals = flow_duals(sub, xs, weights[work]) if got == need else None
        if duals is None:
            break
        more = improving(p, weights, duals) & ~work & (p.exposure[p.pj] > 0)
        if not more.any():
            x = np.zeros(p.n_pairs, bool)
            x[np.flatnonzero(work)[xs]] = True
            return x, got, duals
        a, b = potentials(p, duals)
        work |= more | (a[p.pi] - b[p.pj] - p.ps <= slack)
    x, got = network.select_pairs(p, per_mentee=p.k, per_mentor=p.exposure, weights=weights)
    return x, got, None


def mentor_prices(p: Instance, duals: tuple[np.ndarray, np.ndarray, int] | None) -> np.ndarray:
    """Optimal exposure prices ``v`` (score units, canonical mentor order) of a
    b-matching from its :func:`flow_duals`: ``v_j = max(0, d_sink - d_j)`` (prices 0,
    still valid, when the duals did not settle: ``None``). Mentors with exposure 0 get
    ``inf``."""
    if duals is None:
        v = np.zeros(p.m)
    else:
        v = p.units(np.maximum(duals[2] - duals[1], 0).astype(np.float64))
    return np.where(p.exposure > 0, v, np.inf)


def merged(
    p: Instance, cs: CandidateScores, ci: np.ndarray, cj: np.ndarray, vals: np.ndarray
) -> tuple[Instance, np.ndarray]:
    """``p`` plus the new pairs ``(ci, cj)`` (canonical; not in ``p``) with scores
    ``vals``, on the candidates ``cs`` that now hold them: what :meth:`Instance.build`
    gives, without building it again. Also returns where ``p``'s pairs went."""
    key = p.pi * p.m + p.pj  # sorted (canonical order)
    add, first = np.unique(ci * p.m + cj, return_index=True)
    fresh = ~np.isin(add, key, assume_unique=True)
    ci, cj, vals = ci[first][fresh], cj[first][fresh], np.asarray(vals)[first][fresh]
    order = np.argsort(np.concatenate([key, add[fresh]]), kind="stable")
    where = np.empty(len(order), np.int64)
    where[order] = np.arange(len(order))
    ps = np.concatenate([p.ps, np.asarray(vals, cs.values.dtype).astype(np.float64)])[order]
    pi, pj = np.concatenate([p.pi, ci])[order], np.concatenate([p.pj, cj])[order]
    return replace(p, scores=cs, pi=pi, pj=pj, ps=ps), where[: p.n_pairs]


def top_values(mentee: np.ndarray, values: np.ndarray, k: int, n: int) -> np.ndarray:
    """Per mentee, its ``k`` largest values in descending order (``-inf`` where it has
    fewer): an ``(n, k)`` array. ``mentee`` must be sorted (canonical pair order).

    ``k`` rounds of segment maxima (one pass each) instead of a sort of every pair;
    each round removes one occurrence of its maximum, so ties count as often as they
    occur."""
    if np.any(mentee[1:] < mentee[:-1]):
        raise ValueError("top_values needs pairs sorted by mentee")
    out = np.full((n, k), -np.inf)
    counts = np.bincount(mentee, minlength=n)
    rows = np.flatnonzero(counts)
    if rows.size == 0 or k == 0:
        return out
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))[rows]
    left = np.array(values, dtype=np.float64)  # a copy: taken values become -inf
    where = np.arange(len(left))
    seg = np.repeat(np.arange(len(rows)), counts[rows])
    for r in range(min(k, int(counts.max()))):
        best = np.maximum.reduceat(left, starts)
        out[rows, r] = best
        first = np.minimum.reduceat(np.where(left == best[seg], where, len(left)), starts)
        left[first[first < len(left)]] = -np.inf
    return out


def best_pruned(
    cut_e: np.ndarray, cut_m: np.ndarray, v: np.ndarray, ref: np.ndarray | None = None
) -> np.ndarray:
    """``g_i = max_j min(cut_e[i] + ref_j, cut_m[j]) - v_j``: an upper bound on ``s_ij -
    v_j`` over every pruned pair of mentee ``i``, when its pruned pairs have ``s_ij -
    ref_j <= cut_e[i]`` (``ref`` = 0: a plain score cut; else the prices of an earlier
    pricing pass) and score at most ``cut_m[j]``.

    Each mentor's term is ``c + ref_j - v_j`` up to its breakpoint ``t_j = cut_m[j] -
    ref_j`` and ``cut_m[j] - v_j`` after it, so with mentors sorted by ``t`` it is a
    suffix maximum and a prefix maximum, found by one binary search per mentee."""
    ref = np.zeros(len(v)) if ref is None else np.asarray(ref, np.float64)
    live = np.isfinite(v) & np.isfinite(cut_m)
    with np.errstate(invalid="ignore"):
        t = np.where(live, cut_m - ref, -np.inf)
        a = np.where(live, ref - v, -np.inf)
        b = np.where(live, cut_m - v, -np.inf)
    order = np.argsort(t, kind="stable")
    ts, a_s, b_s = t[order], a[order], b[order]
    suf = np.append(np.maximum.accumulate(a_s[::-1])[::-1], -np.inf)  # t_j >= c
    pre = np.insert(np.maximum.accumulate(b_s), 0, -np.inf)  # t_j < c
    idx = np.searchsorted(ts, cut_e, side="left")
    with np.errstate(invalid="ignore"):
        above = np.where(np.isfinite(suf[idx]), cut_e + suf[idx], -np.inf)
    g = np.maximum(above, pre[idx])
    return np.where(cut_e > -np.inf, g, -np.inf)


def cut_bound(
    p: Instance,
    v: np.ndarray,
    cut_e: np.ndarray,
    cut_m: np.ndarray,
    certificates: Sequence[tuple[np.ndarray, np.ndarray]] = (),
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """``UB(v)`` proved from the candidates and cuts alone.

    ``certificates``: ``(c, ref)`` pairs from earlier pricing passes, each saying that
    every pruned pair of mentee ``i`` has ``s_ij - ref_j <= c[i]`` (``c[i] = inf``: no
    claim); a mentee's pruned pairs are bounded by the tightest claim.

    Returns ``(bound, per-mentee terms, unproven mask, k-th candidate reduced value)``;
    an unproven mentee may have a pruned pair with a larger reduced value than its k-th
    candidate, so its term uses the cut (valid, but maybe loose)."""
    red = p.ps - v[p.pj]
    top = top_values(p.pi, red, p.k_max, p.n)
    within = np.arange(p.k_max) < p.k[:, None]  # mentee i counts its first k_i
    kth = np.where(p.k > 0, top[np.arange(p.n), np.maximum(p.k - 1, 0)], -np.inf)
    g = best_pruned(cut_e, cut_m, v)
    for c, ref in certificates:
        has = np.isfinite(c)
        g[has] = np.minimum(g[has], best_pruned(c[has], cut_m, v, ref))
    # the k_i largest of (its candidates, k_i pruned pairs worth g_i): the r-th is
    # max(top_r, g_i); sums count finite values only
    best = np.maximum(top, g[:, None])
    terms = np.where(within & np.isfinite(best), best, 0.0).sum(axis=1)
    unproven = g > kth
    fixed = float(np.sum(p.exposure[np.isfinite(v)] * v[np.isfinite(v)]))
    return fixed + float(terms.sum()), terms, unproven, kth


def priced_cut(
    p: Instance, rows: np.ndarray, threshold: np.ndarray, limit: int,
    new_rows: np.ndarray, new_reduced: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """The certificate ``c`` a pricing pass leaves (see :func:`cut_bound`): for the
    priced mentees (mask ``rows``), every pair it did not return scores ``s - v`` at most
    their ``threshold``, or at most the last pair returned when it returned ``limit``
    (canonical mentees; ``new_rows`` / ``new_reduced``: the returned pairs)."""
    count = np.bincount(new_rows, minlength=p.n)
    low = np.full(p.n, np.inf)
    np.minimum.at(low, new_rows, new_reduced)
    c = np.where(count >= limit, np.maximum(threshold, low), threshold)
    return np.where(rows, c, np.inf)
