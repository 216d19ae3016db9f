"""Column generation: shortlists of large problems, solved on candidate pairs.

Any score source can be solved here: candidate pairs are a cohort's
:func:`~crossmatch.score_candidates`, or a dense matrix's best pairs
(:meth:`CandidateScores.from_scores <crossmatch.CandidateScores.from_scores>`) when it
has more than :data:`CANDIDATE_PAIRS` eligible ones, and the streamed passes of
:meth:`CandidateScores.price <crossmatch.CandidateScores.price>` read the full scores
(the cohort's kernels, or the matrix directly).

:mod:`crossmatch.solve.bounds` makes the answer honest about the pairs left out: the
candidates are widened until they hold an answer whenever the full problem does (a min
cut that survives widening is a proof of infeasibility), and ``bound`` is an upper bound
for the *unpruned* problem, tightened by pricing rounds (column generation) until no
left-out pair can improve the relaxation, or the solve's deadline comes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, cast

import numpy as np

from ..errors import InfeasibleError
from ..scoring.candidates import CandidateScores
from ..scoring.interface import ScoreSource
from ..scoring.scores import Scores
from . import bounds, network
from .diagnose import diagnose
from .instance import Instance, exposure_of
from .methods import METHODS, Answer, objective
from .options import ShortlistOptions

__all__ = [
    "CANDIDATE_PAIRS",
    "PRICING_GAP",
    "PRICING_MARGIN",
    "PRICING_ROUNDS",
    "solve_candidates",
]

#: At most this many pricing rounds (each one streamed pass over the unproven mentees'
#: rows), stopping earlier once the relative gap is below PRICING_GAP (the relaxation is
#: then within 0.05% of its bound; the answer's own gap to it, from coverage, is usually
#: larger).
PRICING_ROUNDS = 6
PRICING_GAP = 5e-4
#: A pricing pass also returns each priced mentee's pairs within this share of the score
#: scale below its k-th best reduced score (up to its limit of pairs): the next round's
#: prices move, and its certificate then still proves most mentees without a pass.
PRICING_MARGIN = 0.01


def _widen(
    cs: CandidateScores, p: Instance, opts: ShortlistOptions, filled: bool = False
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
        xr, got = network.select_pairs(q, per_mentee=q.k, per_mentor=q.exposure, weights=zero)
    if got == int(q.k.sum()) and p.max_per_group is not None:
        # the group limit may be what cannot be met: give the mentees left short their
        # next best pairs (any group); none left means every eligible pair is here
        xg, gg = network.select_pairs(p, per_mentee=p.k, per_mentor=p.exposure, weights=zero)
        if gg < int(p.k.sum()):
            short = np.bincount(p.pi[xg], minlength=p.n) < p.k
            return _priced_pairs(cs, p, opts, np.where(p.exposure > 0, 0.0, np.inf), short,
                                 4 * p.k_max)  # fmt: skip
    if got < int(q.k.sum()):
        used, unfilled = xr, np.bincount(q.pi[xr], minlength=q.n) < q.k
        per_row = cs.per_mentee
    else:  # coverage: each new pair across the cut is an augmenting path
        cover = network.max_assignment(p, np.minimum(p.capacity, p.exposure), weights=None)
        if cover.matched.all():
            return None
        used, unfilled = cover.pair_used, ~cover.matched
        per_row = p.k_max
    mentees, mentors = network.unfilled_reach(p, used, unfilled)
    prices = np.zeros(p.m)
    prices[mentors | (p.exposure == 0)] = np.inf
    # the mentees left short first (a pass over few rows); only if none of them has a
    # pair across the cut, the rest behind it (then none at all proves the cut)
    wider = _priced_pairs(cs, p, opts, prices, unfilled, per_row)
    if wider is None and (mentees & ~unfilled).any():
        wider = _priced_pairs(cs, p, opts, prices, mentees & ~unfilled, per_row)
    return wider


def _covers(p: Instance, pairs: np.ndarray) -> bool:
    """Whether ``pairs`` hold a complete assignment (a max flow without costs on them)."""
    cap = np.minimum(p.capacity, p.exposure)
    return bool(network.max_assignment(p, cap, weights=None, pair_mask=pairs).matched.all())


def _priced_pairs(
    cs: CandidateScores,
    p: Instance,
    opts: ShortlistOptions,
    prices: np.ndarray,
    mentees: np.ndarray,
    limit: int,
) -> CandidateScores | None:
    """``cs`` plus up to ``limit`` best new pairs (``s - prices``) per mentee in the
    ``mentees`` mask (canonical order); None if there are none."""
    _, r, c, v = cs.price(
        _to_columns(p, prices), _to_rows(p, p.k, 0), _to_rows(p, np.full(p.n, -np.inf), np.inf),
        rows=p.ee[mentees], limit=limit, executor=opts.executor,
        progress=opts.progress,
    )  # fmt: skip
    return cs.with_pairs(r, c, v) if len(r) else None


def _to_rows(p: Instance, values: np.ndarray, fill: float) -> np.ndarray:
    out = np.full(p.scores.n_mentees, fill, dtype=np.asarray(values).dtype)
    out[p.ee] = values
    return out


def _to_columns(p: Instance, values: np.ndarray) -> np.ndarray:
    out = np.empty(p.m, dtype=np.asarray(values).dtype)
    out[p.mr] = values
    return out


def solve_candidates(
    cs: CandidateScores, options: ShortlistOptions, rows: np.ndarray
) -> tuple[Instance, Answer, CandidateScores]:
    """Solve the mentees ``rows`` on candidates: widen until feasible, price the
    relaxation until its bound for the full problem is tight (or the deadline comes),
    then run the method once. Also returns the final candidates (with every pair added
    on the way)."""
    opts = options
    deadline = options.deadline
    bound = np.inf
    rounds: list[dict[str, Any]] = []
    widened = 0
    stopped = False
    certificates: list[tuple[np.ndarray, np.ndarray]] = []
    relax: np.ndarray | None
    while True:  # widen until the candidates can hold an answer (or prove none exists)
        p = Instance.build(cs, options, rows)
        diagnose(p, coverage=False)
        # the relaxation first: when it fills every shortlist, the widening's first
        # check (the same max flow, without costs) is answered, and round 1 reuses it
        q = replace(p, max_per_group=None)
        relax, got = network.select_pairs(
            q, per_mentee=q.k, per_mentor=q.exposure, weights=p.weights()
        )
        filled = got == int(q.k.sum())
        if filled and p.max_per_group is None and _covers(p, relax):
            break  # the relaxation holds a complete assignment: nothing to widen
        wider = _widen(cs, p, opts, filled=filled)
        if wider is None:
            break
        cs, widened = wider, widened + 1
    near: tuple[np.ndarray, np.ndarray] | None = None  # the last round's potentials
    added = relax_at = np.zeros(0, bool)  # ... the pairs it added, and its answer
    while True:  # pricing rounds
        w = p.weights()
        q = replace(p, max_per_group=None)
        duals = None
        if near is not None:
            relax, got, duals = bounds.relaxation(q, w, near, relax_at, added)
        elif len(added):
            relax, got = network.select_pairs(q, per_mentee=q.k, per_mentor=q.exposure, weights=w)
        if got < int(q.k.sum()):
            break  # the method below reports the (proved) infeasibility
        if duals is None:
            duals = bounds.flow_duals(q, relax, w)
        v = bounds.mentor_prices(p, duals)
        assert p.cut_e is not None and p.cut_m is not None  # built from candidates
        ub, terms, unproven, kth = bounds.cut_bound(p, v, p.cut_e, p.cut_m, certificates)
        fixed = ub - float(terms.sum())
        r = c = np.zeros(0, np.int64)
        vals = np.zeros(0, np.float32)
        gain = np.zeros(0)
        stopped = deadline.expired()
        if unproven.any() and cs.source is not None and not stopped:
            # pairs within a margin below the k-th come back too: they join (prices move
            # next round) and leave a certificate that still holds after a small move
            limit, low = max(2 * p.k_max, 10), kth - PRICING_MARGIN * p.scale
            topk, r, c, vals = cs.price(
                _to_columns(p, v), _to_rows(p, p.k, 0), _to_rows(p, low, np.inf),
                rows=p.ee[unproven], limit=limit,
                claims=[(_to_rows(p, c, np.inf), _to_columns(p, ref)) for c, ref in certificates],
                executor=opts.executor, progress=opts.progress,
            )  # fmt: skip
            terms = terms.copy()
            terms[unproven] = topk[p.ee[unproven]]
            ub = fixed + float(terms.sum())
            # what this pass proved about the pairs it did not return, for later rounds
            ci, cj = p.canonical(r, c)
            gain = vals - v[cj] - kth[ci]  # > 0: the pair improves the relaxation
            certificates.append((bounds.priced_cut(p, unproven, low, limit, ci,
                                                  vals - v[cj]), v))  # fmt: skip
        bound = min(bound, ub)
        value = objective(p, relax)
        entering = int(np.count_nonzero(gain > 0))
        rounds.append({"pairs": p.n_pairs, "relaxation": value, "bound": ub, "added": len(r),
                       "unproven": int(unproven.sum()), "entering": entering})  # fmt: skip
        stopped = bool(entering) and deadline.expired()
        if entering == 0 or bound - value <= PRICING_GAP * abs(bound) or stopped:
            break
        if len(rounds) >= PRICING_ROUNDS:
            break
        near = None if duals is None else bounds.potentials(q, duals)
        cs = cs.with_pairs(r, c, vals)
        p, old = bounds.merged(p, cs, ci, cj, vals)
        added, relax_at = np.ones(p.n_pairs, bool), np.zeros(p.n_pairs, bool)
        added[old], relax_at[old[relax]] = False, True  # the new pairs; the last answer
    while True:
        try:
            opts = replace(options, relax=relax if p.max_per_group is None else None)
            ans = METHODS[options.method](p, opts)
            if ans.info.get("flow_failed"):
                raise InfeasibleError("the flow method found no shortlists meeting every rule")
            break
        except InfeasibleError:
            wider = _widen(cs, p, opts)
            if wider is None:
                diagnose(p)  # a proved violator (the cut holds in the full problem)
                raise
            cs, widened = wider, widened + 1
            p = Instance.build(cs, options, rows)
            relax = None
    value = objective(p, ans.x)
    info = {**ans.info, "candidate_pairs": p.n_pairs, "pricing_rounds": rounds,
            "widened": widened, "pruned_bound": ans.bound}  # fmt: skip
    if stopped:
        info["time_limit_reached"] = True
    return p, replace(ans, bound=max(float(bound), value), info=info), cs


def with_fixed_pairs(cs: CandidateScores, fixed: Mapping[Any, Any]) -> CandidateScores:
    """Candidates plus the eligible ``fixed`` pairs (mentee id -> mentor id) that were
    not candidates (read from the full scores)."""
    if cs.source is None:
        return cs
    ee = {v: i for i, v in enumerate(cs.mentee_ids.tolist())}
    mr = {v: j for j, v in enumerate(cs.mentor_ids.tolist())}
    pairs = [(ee[a], mr[b]) for a, b in fixed.items() if a in ee and b in mr]
    pairs = [(i, j) for i, j in pairs if not cs.eligible[i, j]]
    if not pairs:
        return cs
    r, c = (np.array(x, dtype=np.int64) for x in zip(*pairs, strict=True))
    src = r if cs.source_rows is None else cs.source_rows[r]
    vals = cs.source.pairs(src, c)
    ok = (vals > -np.inf) & ~np.isin(r * cs.n_mentors + c, cs.excluded_keys)
    ok &= cs.capacity[c] > 0
    return cs.with_pairs(r[ok], c[ok], vals[ok]) if ok.any() else cs


#: Dense scores with more eligible pairs than this are solved on candidate pairs (with
#: widening and pricing reading the matrix), like :class:`CandidateScores`.
CANDIDATE_PAIRS = 500_000


def candidates_for(
    scores: ScoreSource, options: ShortlistOptions, rows: np.ndarray
) -> CandidateScores | None:
    """The candidate pairs to solve ``rows`` on: pruned scores as they are; dense ones
    when they have more than :data:`CANDIDATE_PAIRS` eligible pairs; else None (solve
    on every pair)."""
    if scores.pruned:  # pruned scores are candidates
        return cast(CandidateScores, scores)
    if int(np.count_nonzero(scores.eligible[rows])) <= CANDIDATE_PAIRS:
        return None
    return _dense_candidates(scores, options.k, options.exposure, rows)


def _dense_candidates(
    scores: ScoreSource, k: int, exposure: Any, rows: np.ndarray
) -> CandidateScores:
    """Candidate pairs of large dense scores: each mentee's ``2 k`` best mentors and
    each mentor's ``4 e`` best mentees (``e`` the largest exposure; at least 20).

    Exposure is what binds on skewed ("popular mentor") scores, so the mentor side
    carries the relaxation: with ``4 e`` one pricing round usually proves the bound
    (``2 e`` needed a second round, and its flow, on the 10,000 x 2,000 benchmark)."""
    expo = exposure_of(exposure, scores.capacity, len(rows), int(k))
    per_mentor = max(20, 4 * int(expo.max(initial=0)))
    return CandidateScores.from_scores(
        cast(Scores, scores), per_mentee=2 * int(k), per_mentor=per_mentor
    )
