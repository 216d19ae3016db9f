"""Candidate scores in :func:`crossmatch.match`: widening, pricing on the full matrix, a bound.

On :class:`~crossmatch.scoring.candidates.CandidateScores` the network holds the candidate
pairs. If some mentees are left unmatched, the unmatched ones with eligible mentors in the
full matrix, and the groups they compete in, get their best pairs to mentors outside
their groups' (full) mentors from a streamed pricing pass, and the flow runs again.
When a pass finds none, each group's mentees are eligible, in the full matrix too, only
for mentors that are full with the group's own mentees: Hall's condition fails there,
so no answer on the full matrix covers more. Then one more streamed pass prices every
pair of the full matrix at the flow's node potentials; pairs with a negative reduced
cost join and the flow runs again. When none is left (``info["priced"]``), the flow's
potentials price every arc of the full network non-negatively, so the answer is optimal
on the full matrix, not just on the candidates. ``info["bound"]`` is a cheaper upper
bound for the full matrix by LP duality (mentor prices, cuts for the pruned pairs).

"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..scoring.interface import ScoreSource
from .match_answer import _groups
from .match_flow import _build, _Network
from .match_pricing import _solve_within
from .options import Deadline
from .pairs import Pairs

#: New candidate pairs per mentee and widening round (see :func:`_widen`).
WIDEN_PAIRS = 10
#: Widening rounds at most.
WIDEN_ROUNDS = 20


@dataclass(frozen=True, slots=True)
class _Solved:
    """The ``"total"`` answer of :func:`crossmatch.match` and the network it holds."""

    scores: ScoreSource  # the scores solved (candidates with the pairs widening added)
    added: list[tuple[np.ndarray, np.ndarray, np.ndarray]]  # pairs widening added
    pairs: Pairs
    net: _Network
    fa: np.ndarray  # canonical fixed pairs
    fb: np.ndarray
    used: np.ndarray  # pairs of the answer (bool over ``pairs``)
    timed_out: bool  # the deadline stopped a stage: feasible, not proved optimal


def _solve_total(
    scores: ScoreSource, fr: np.ndarray, fc: np.ndarray, klass_rows: np.ndarray,
    per_mentee: int, deadline: Deadline, info: dict[str, Any],
) -> _Solved:  # fmt: skip
    """The flow on ``scores`` (fixed pairs ``fr``, ``fc`` kept); on candidate scores,
    widened and priced on the full matrix until proved (module docstring), or until the
    deadline: the last flow is then returned, feasible and not proved."""
    added: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for widened in range(WIDEN_ROUNDS + 1):
        pairs, net, fa, fb, *_ = _build(scores, fr, fc, klass_rows, per_mentee)
        used, potentials, proved = _solve_within(net, deadline, duals=scores.pruned)
        timed_out = not proved
        if not scores.pruned or timed_out or widened == WIDEN_ROUNDS:
            break  # every pair is in the network, no time left, or no rounds left
        if deadline.expired():
            timed_out = True
            break
        matched = net.covered.copy()
        matched[pairs.pi[used]] = True
        wider = None if matched.all() else _widen(scores, net, used, matched)
        if wider is None:
            wider = _price_pairs(scores, net, potentials)
            info["priced"] = wider is None and potentials is not None
        if wider is None:
            break
        if deadline.expired():  # keep the answer in hand rather than start another flow
            timed_out = True
            break
        scores = scores.with_pairs(*wider)
        added.append(wider)
    info["widening_rounds"] = widened
    return _Solved(scores, added, pairs, net, fa, fb, used, timed_out)


def _widen(
    cs: ScoreSource, net: _Network, used: np.ndarray, matched: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """New candidate pairs (rows, columns, scores) where they could cover more mentees,
    or None when none can.

    The unmatched mentees with eligible mentors in the full matrix, and their competing
    groups, get their best pairs (one streamed pass, :meth:`CandidateScores.price`) to
    mentors outside the groups' full mentors. None when there is nothing to add (or no
    cohort to score from): then every group's mentees are eligible, in the full matrix,
    only for mentors inside it, so Hall's condition fails there too and the coverage is
    the largest on the full matrix."""
    if cs.cohort is None or cs.config is None:
        return None
    p = net.pairs
    reach = np.bincount(p.pi, minlength=p.n)
    lonely = np.flatnonzero(~matched & (reach == 0))
    lonely = lonely[cs.eligible_counts()[p.ee[lonely]] > 0]
    groups = _groups(net, used, matched)
    mentees = np.concatenate([lonely, *[g[0] for g in groups]]).astype(np.int64)
    if not mentees.size:
        return None
    prices = np.where(cs.capacity > 0, 0.0, np.inf)
    for _, mentors in groups:
        prices[p.mr[mentors]] = np.inf
    rows = np.sort(p.ee[mentees])
    _, r, c, v = cs.price(
        prices,
        np.ones(cs.n_mentees, np.int64),
        np.full(cs.n_mentees, -np.inf),
        rows=rows,
        limit=WIDEN_PAIRS,
    )
    if not len(r):
        return None
    return r, c, v


def _price_pairs(
    cs: ScoreSource, net: _Network, potentials: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Pairs of the full matrix with a negative reduced cost at the flow's potentials
    (one streamed pass, :meth:`CandidateScores.price`), or None when there is none: the
    answer is then optimal for the whole matrix, not just the candidates.

    Pair (i, j) has reduced cost ``-w_ij + d_i - d_j`` (potentials ``d``), negative when
    ``round(s_ij / q) > d_i - d_j``, which needs ``s_ij - (-q d_j) > q (d_i + 1/2)``: those
    are the prices and thresholds of the pass (less a hair, against float rounding; a pair
    let in by it only costs a flow)."""
    if potentials is None or cs.cohort is None or cs.config is None:
        return None
    p = net.pairs
    q = net.quantum
    prices = np.full(cs.n_mentors, np.inf)
    prices[p.mr] = np.where(net.cap > 0, -q * potentials[p.n + np.arange(p.m)], np.inf)
    open_ = net.slots > 0
    threshold = np.full(cs.n_mentees, np.inf)
    t = q * (potentials[: p.n] + 0.5)
    threshold[p.ee[open_]] = t[open_] - 1e-9 * np.maximum(1.0, np.abs(t[open_]))
    _, r, c, v = cs.price(
        prices, np.ones(cs.n_mentees, np.int64), threshold, rows=p.ee[open_], limit=WIDEN_PAIRS
    )
    return (r, c, v) if len(r) else None


def _candidate_bound(cs: ScoreSource, per_mentee: int, mentors: np.ndarray) -> float:
    """An upper bound on the total score of any answer on the *full* matrix (whatever its
    coverage), by linear programming duality with mentor prices ``v >= 0``.

    For every ``v >= 0`` and every answer ``x``: ``sum s x = sum (s_ij - v_j) x_ij +
    sum_j v_j sum_i x_ij <= sum_i (the per_mentee largest positive s_ij - v_j) + sum_j
    c_j v_j``. Two price vectors are tried and the smaller bound kept: the lowest score a
    full mentor got in this answer (0 for the others), and each mentor's
    ``(c_j + 1)``-th best candidate score. Pairs that are not candidates are bounded
    through the cuts (``s_ij <= min(mentee_cut[i], mentor_cut[j])``): at most
    ``max_j min(mentee_cut[i], mentor_cut[j]) - v_j`` each, and mentee ``i`` has
    ``n_eligible[i] - candidates`` of them (none for dense scores: no cuts)."""
    m = cs.n_mentors
    prows, pcols, pvals = cs.pairs_of(np.arange(cs.n_mentees))
    cuts = cs.cuts or (np.full(cs.n_mentees, -np.inf), np.full(m, -np.inf))
    pairs = (prows, pcols, np.asarray(pvals, np.float64))
    r, k = np.nonzero(mentors >= 0)
    c = mentors[r, k]
    got = np.asarray(cs.total[r, c], np.float64)
    low = np.full(m, np.inf)
    np.minimum.at(low, c, got)
    full = np.bincount(c, minlength=m) >= cs.capacity
    v1 = np.where(full & np.isfinite(low), np.maximum(low, 0.0), 0.0)
    vals = pairs[2]
    order = np.lexsort((-vals, pcols))
    cols = pcols[order]
    first = np.flatnonzero(np.r_[True, cols[1:] != cols[:-1]]) if len(cols) else np.zeros(0, int)
    rank = np.arange(len(cols)) - np.repeat(first, np.diff(np.r_[first, len(cols)]))
    at = rank == cs.capacity[cols]  # the (c_j + 1)-th best candidate of each mentor
    v2 = np.zeros(m)
    v2[cols[at]] = np.maximum(vals[order][at], 0.0)
    return min(
        _dual_bound(cs, pairs, cuts, per_mentee, v1), _dual_bound(cs, pairs, cuts, per_mentee, v2)
    )


def _dual_bound(
    cs: ScoreSource,
    pairs: tuple[np.ndarray, np.ndarray, np.ndarray],
    cuts: tuple[np.ndarray, np.ndarray],
    per_mentee: int,
    v: np.ndarray,
) -> float:
    """``sum_i (per_mentee largest positive s_ij - v_j) + sum_j c_j v_j`` over the full
    matrix, pruned pairs bounded through the cuts (see :func:`_candidate_bound`)."""
    n, m = cs.n_mentees, cs.n_mentors
    # candidates: each mentee's per_mentee largest positive s - v
    prows, pcols, pvals = pairs
    red = np.maximum(pvals - v[pcols], 0.0)
    order = np.lexsort((-red, prows))
    rows = prows[order]
    first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]]) if len(rows) else np.zeros(0, int)
    rank = np.arange(len(rows)) - np.repeat(first, np.diff(np.r_[first, len(rows)]))
    top = np.zeros((n, per_mentee))
    keep = rank < per_mentee
    top[rows[keep], rank[keep]] = red[order][keep]
    # pruned pairs: g_i = max_j min(cut_i, mcut_j) - v_j, split at cut_i over mentors
    # sorted by their cut (suffix minimum of v above it, prefix maximum of mcut - v below)
    mentee_cut, mentor_cut = cuts
    by = np.argsort(mentor_cut, kind="stable")
    mc, vs = mentor_cut[by], v[by]
    suffix_min = np.minimum.accumulate(vs[::-1])[::-1]
    prefix_max = np.r_[-np.inf, np.maximum.accumulate(mc - vs)]
    cut = np.asarray(mentee_cut, np.float64)
    at = np.searchsorted(mc, cut, side="left")
    above = np.where(at < m, cut - suffix_min[np.minimum(at, m - 1)], -np.inf)
    g = np.maximum(np.maximum(above, prefix_max[at]), 0.0)
    g = np.where(np.isfinite(cut), g, 0.0)
    dropped = np.maximum(cs.eligible_counts() - np.bincount(prows, minlength=n), 0)
    extra = np.where(
        np.arange(per_mentee)[None, :] < np.minimum(dropped, per_mentee)[:, None], g[:, None], 0.0
    )
    merged = -np.sort(-np.concatenate([top, extra], axis=1), axis=1)[:, :per_mentee]
    return float(merged.sum() + (cs.capacity * v).sum())
