"""Oversubscribed cohorts: who is served, who waits, and why.

``shortlist(..., waitlist=True)`` first fixes how many mentees are served: the **largest
possible number** that one assignment can cover (a maximum-cardinality capacitated
matching within ``min(capacity, exposure)``), lexicographically by priority class when
classes are given. *Whom* to serve among the sets of that size then decides the
shortlist total; the shortlists are solved for them as usual; the rest wait, each with a
reason (``info["waitlist_choice"]`` says which rule chose).

1. **The value rule** (:func:`serve`): the set of the largest total *value*, a mentee's
   value being the sum of their k best eligible scores (:func:`best_values`: the most
   their shortlist can score). One flow does it exactly: source -> mentee (1) -> mentor
   (eligible pairs) -> sink (``min(capacity, exposure)``), OR-Tools' max flow with min
   cost, each pair of mentee ``i`` earning ``R_i = (C - 1 - k_i) G + V_i`` (a mentee uses
   one pair) for class rank ``k_i`` (0 = highest, ``C`` classes) and value ``V_i`` as an
   integer cost by the one scaling of scores
   (:func:`~crossmatch.solve.instance.score_scale`, ``W`` the largest), ``G = n W + 1``
   larger than any difference of value sums. The mentees that can be covered together
   form a matroid (transversal, capacity-expanded): every maximal set has the same size,
   and a set of maximum reward among them covers the largest count of each prefix of
   classes -- no mentee of a higher class waits while a lower one is served if swapping
   is feasible -- and, among those, has the largest value sum (up to the scaling,
   ``info["waitlist_slack"]``).
2. **Priced** (:func:`choose_priced`, the flow path): values ignore that popular mentors
   cannot be on everyone's shortlist. The mentors are priced by the shortlist relaxation
   of the value rule's choice (exposure duals of a b-matching), the same flow chooses
   again by each mentee's best-k sum of ``s_ij - v_j``, and the choice whose relaxation
   is better is kept. On 150 small instances against the joint MILP this cut the mean
   gap from 0.32 % to 0.21 % (``benchmarks/bench_waitlist_gap.py``).
3. **Jointly optimal** (:func:`choose_jointly`; ``method="exact"``, and ``"auto"`` up to
   :data:`JOINT_AUTO_PAIRS` pairs): one integer program chooses whom to serve (binary
   ``z_i``, each prefix of classes serving its maximum) together with the shortlists, so
   the answer is optimal over every choice (0 gap on the same instances).

Exposure: a choice whose shortlists cannot fit in exposure (even the relaxation leaves a
served mentee short of k options) is made again with those mentees valued lower, then
by the joint MIP on small problems; when no choice of that many fits, fewer are served
and those left out wait with the reason (:func:`fit_exposure`), instead of an error.

Candidate pairs (:func:`widen_to_full`): the count is the largest of the *full* problem,
not of the candidates: the alternating-path (tight) sets that prove the count maximum on
the candidates are checked against the eligible pairs left out (one streamed pass per
prefix of classes), and widened until no such pair could serve one more.

Bound: no choice of whom to serve gives shortlists a higher total than the smallest of
(a) the value sum of the value rule's choice (no shortlist scores more than its mentee's
value), (b) :func:`relaxed_bound`, the best shortlist entries that many mentees could hold
within exposure, coverage dropped, (c) the Lagrangian bound of the priced rule, and (d)
the joint MIP's bound. So the shortlists' ``bound`` (``info["waitlist_bound"]``) holds for
the whole problem, and their status is "optimal" only when their total reaches it.

Reasons: a mentee without eligible pairs waits for the rules that exclude their mentors
("no eligible mentor under rule ..."); the others wait because the mentees reached from
them by alternating paths, all competing for the same full mentors, outnumber those
mentors' places (Hall's condition fails: no answer serves more of them), or because
exposure leaves no room for their shortlist.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from .._text import plural
from ..errors import ParameterError
from ..scoring.interface import ScoreSource
from .instance import RESOLUTION, Instance, exposure_of, score_scale
from .network import (
    alternating_groups,
    max_assignment,
    select_pairs,
    solve_network,
    unfilled_reach,
)
from .options import ShortlistOptions

__all__ = [
    "best_values",
    "class_counts",
    "relaxed_bound",
    "serve",
    "split_waitlist",
    "waiting_reasons",
]

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
    # the one scaling of scores to costs (instance.score_scale): the rewards reach
    # C * (n W + 1) for W the largest value cost, so the room is that of a network
    # C (n + 1) times larger than this one
    span = float(value.max() - value.min()) or 1.0
    unit = RESOLUTION * score_scale(span, n_classes * (n + 1) * (n + m + 3))
    v = np.rint((value - value.min()) / unit).astype(np.int64)
    reward = (n_classes - 1 - klass) * (n * int(v.max()) + 1) + v
    flow = max_assignment(p, cap, weights=reward[p.pi])
    return flow.matched, flow.pair_used, float(n) * unit


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


def _rule_text(p: Instance, row: int) -> str:
    counts = p.scores.reason_counts_of(np.array([row]))[0]
    parts = sorted(
        ((name, int(c)) for name, c in zip(p.scores.reason_names, counts, strict=True) if c),
        key=lambda kv: -kv[1],
    )
    if not parts:
        return "no eligible mentor (no mentor has free capacity)"
    return "no eligible mentor under rule " + ", ".join(f"{k!r} ({v} mentors)" for k, v in parts)


def _groups(
    p: Instance, used: np.ndarray, served: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The competing groups of waiting mentees that have pairs: the mentees reached by
    alternating paths from them and those mentees' mentors (canonical), split into
    connected parts. Every such mentor is full (else a path would serve one more)."""
    n = p.n
    reach = np.bincount(p.pi, minlength=n)
    rest = np.flatnonzero(~served & (reach > 0))
    if not rest.size:
        return []
    return alternating_groups(p.pi, p.pj, used, rest, n, p.m)


def waiting_reasons(
    p: Instance, used: np.ndarray, served: np.ndarray, n_classes: int = 1
) -> dict[int, str]:
    """A reason per waiting canonical mentee: the rules that leave them no eligible
    mentor, or the group of mentees competing for the same full mentors."""
    s = p.scores
    reach = np.bincount(p.pi, minlength=p.n)
    out: dict[int, str] = {}
    none = np.flatnonzero(~served & (reach == 0))
    counts = s.eligible_counts() if s.pruned and none.size else None
    for a in none.tolist():
        row = int(p.ee[a])
        n_elig = 0 if counts is None else int(counts[row])
        if n_elig > 0:
            # the waitlist's widening gave them every eligible pair with a place
            out[a] = (
                f"no eligible mentor with a place (their {n_elig} eligible mentor(s) have "
                "capacity or exposure 0)"
            )
        else:
            out[a] = _rule_text(p, row)
    cap = np.minimum(p.capacity, p.exposure)
    for mentees, mentors in _groups(p, used, served):
        waiting = mentees[~served[mentees]]
        places = int(cap[mentors].sum())
        ids = ", ".join(repr(x) for x in s.mentor_ids[p.mr[mentors[:3]]].tolist())
        more = f" and {len(mentors) - 3} more" if len(mentors) > 3 else ""
        text = (
            f"{len(mentees)} mentees compete for {places} place{'s' if places != 1 else ''} "
            "among the "
            f"{plural(len(mentors), 'mentor')} they are eligible for ({ids}{more}); "
            f"{waiting.size} wait"
        )
        if n_classes > 1:
            text += " (places go to higher priority first)"
        for a in waiting.tolist():
            out[a] = text
    return out


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


def class_counts(classes: np.ndarray, served: np.ndarray) -> list[tuple[int, int]]:
    """(served, size) per priority class, highest first."""
    out: list[tuple[int, int]] = []
    for k in range(int(classes.max()) + 1 if len(classes) else 0):
        inside = classes == k
        out.append((int((served & inside).sum()), int(inside.sum())))
    return out


def _price_of(
    q: Instance, served: np.ndarray, prices: bool = True
) -> tuple[np.ndarray | None, float]:
    """Exposure prices (score units; ``inf`` at exposure 0) of the shortlist relaxation
    of the ``served`` mentees (k_i each, exposure, coverage dropped: a b-matching by
    min-cost flow, priced by :func:`~crossmatch.solve.bounds.mentor_prices`; None
    without ``prices``), and the relaxation's value."""
    from .bounds import mentor_prices

    sub = replace(q, k=np.where(served, q.k, 0)).restrict(served[q.pi])
    w = sub.weights()
    x, _ = select_pairs(sub, per_mentee=sub.k, per_mentor=sub.exposure, weights=w)
    return (mentor_prices(sub, x, w) if prices else None), float(sub.ps[x].sum())


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
        assert prices is not None
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
        if _price_of(q, current, prices=False)[1] > best_relax:
            best = (current, cur_used)
    return best[0], best[1], bound


#: How whom to serve is chosen after the count (see the module doc): ``"values"``: the
#: largest sum of each mentee's k best scores; ``"priced"``: then :func:`choose_priced`.
CHOICE_RULE = "priced"
#: Rounds of :func:`choose_priced`.
PRICE_ROUNDS = 1
#: ``method="exact"`` chooses whom to serve jointly with the shortlists (one MIP) ...
JOINT_EXACT = True
#: ... and so does ``"auto"`` up to this many eligible pairs (about a second), within
#: :data:`JOINT_AUTO_SECONDS`, keeping the MIP's choice when it is proved optimal.
JOINT_AUTO_PAIRS = 2_000
JOINT_AUTO_SECONDS = 10.0
#: Check that the chosen mentees' shortlists fit in exposure (:func:`fit_exposure`).
FIT_EXPOSURE = True
#: Rounds of choosing again when exposure leaves a served mentee short of k options.
FILL_ROUNDS = 3
#: Up to this many eligible pairs, a choice left short by every round is settled by the
#: joint MIP (which finds a choice whose shortlists fit, if any does).
JOINT_FALLBACK_PAIRS = 20_000
EXPOSURE_SHORT = (
    "the mentors they could have are on too many other shortlists: exposure leaves no "
    "room for {k} options each for as many mentees as capacity could serve (raise "
    "`exposure` or lower k)"
)


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
    if not FIT_EXPOSURE:
        return served, used, q, dropped, None
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
        joint = choose_jointly(q, klass, served, replace(options, allow_short=True))
        if joint is not None:
            return joint[0], joint[1], q, dropped, "joint MIP (to fit exposure)"
    while missing:  # serve fewer: as few of those left short as can free the room wait
        few = -(-missing // max(int(q.k.max(initial=1)), 1))
        out = np.flatnonzero(short)[np.argsort(base[short], kind="stable")[:few]]
        dropped[out] = True
        served = served & ~dropped
        used = used & served[p.pi]
        q = replace(p, exposure=expo_of(int(served.sum()))[p.mr])
        short, missing = short_of(q, served)
    return served, used, q, dropped, "fewer served (exposure)"


def choose_jointly(
    q: Instance, klass: np.ndarray, served: np.ndarray, options: ShortlistOptions
) -> tuple[np.ndarray, np.ndarray, float, bool] | None:
    """Whom to serve and their shortlists as one integer program (served ``z_i`` a
    variable, each prefix of classes serving as many as ``served`` does; see
    :func:`~crossmatch.solve.exact.solve_mip`): the choice, its covering assignment, the
    MIP's bound (valid for every choice) and whether it is proved optimal; None when it
    found no answer in time (or none exists)."""
    from .exact import solve_mip

    k = q.k if options.allow_short else np.full(q.n, q.k_max, np.int64)
    n_classes = int(klass.max()) + 1 if len(klass) else 0
    counts = np.array([int((served & (klass <= c)).sum()) for c in range(n_classes)])
    res = solve_mip(
        replace(q, k=k), hint=None, deadline=options.deadline, seed=options.seed,
        serve=(klass, counts),
    )  # fmt: skip
    if res.served is None or res.y is None:
        return None
    return res.served, res.y, res.bound, res.optimal


def split_waitlist(
    view: ScoreSource, options: ShortlistOptions, rows: np.ndarray, classes: np.ndarray,
    waiting: np.ndarray, why: list[str | None],
) -> tuple[np.ndarray, dict[str, Any]]:  # fmt: skip
    """The rows to serve (a maximum covering assignment, by class), marking the rest in
    ``waiting`` with their reasons in ``why``; and info."""
    try:
        expo = exposure_of(options.exposure, view.capacity, len(rows), options.k)
    except ValueError as e:
        raise ParameterError("shortlist", [str(e)]) from None
    build = replace(options, exposure=expo, allow_short=True)
    p = Instance.build(view, build, rows)
    klass = classes[p.ee]
    widened = 0
    while True:  # on candidates: widen until the count is maximum for the full problem
        value = best_values(p)
        served, used, slack = serve(p, klass, value)
        wider = widen_to_full(view, p, klass, served, used)
        if wider is None:
            break
        view, widened = wider, widened + 1
        p = Instance.build(view, build, rows)
    # every choice serves as many mentees, so the shortlists get the exposure of that many
    count = int(served.sum())

    def expo_of(count: int) -> np.ndarray:
        try:
            return exposure_of(options.exposure, view.capacity, count, options.k)
        except ValueError as e:
            raise ParameterError("shortlist", [str(e)]) from None

    q = replace(p, exposure=expo_of(count)[p.mr])
    # no choice of whom to serve (as many, by class) can give shortlists a higher total
    # than each served mentee's best k scores, summed, at its best
    bound = min(float(value[served].sum()) + slack, relaxed_bound(q, count))
    rule = "values"
    auto = options.method == "auto" and q.n_pairs <= JOINT_AUTO_PAIRS
    if JOINT_EXACT and (options.method == "exact" or auto) and not view.pruned and count:
        cap = options.deadline.capped(JOINT_AUTO_SECONDS) if auto else options.deadline
        joint = choose_jointly(q, klass, served, replace(options, deadline=cap))
        if joint is not None and (joint[3] or not auto):
            served, used, mip_bound, _ = joint
            bound, rule = min(bound, mip_bound), "joint MIP"
    if rule == "values" and CHOICE_RULE == "priced" and count:
        served, used, lagrange = choose_priced(q, klass, served, used, PRICE_ROUNDS)
        bound, rule = min(bound, lagrange), "priced"
    served, used, q, dropped, fitted = fit_exposure(p, q, klass, served, used, options, expo_of)
    if fitted is not None:
        rule = f"{rule}; {fitted}"
    if dropped.any():  # fewer than the most: a bound for any choice of that many
        bound = relaxed_bound(q, int(served.sum()))
    n_classes = int(klass.max()) + 1 if len(klass) else 1
    for a, text in waiting_reasons(p, used, served, n_classes).items():
        waiting[p.ee[a]] = True
        why[int(p.ee[a])] = text
    for a in np.flatnonzero(dropped).tolist():
        waiting[p.ee[a]] = True
        why[int(p.ee[a])] = EXPOSURE_SHORT.format(k=int(q.k[a]))
    info: dict[str, Any] = {
        "waitlisted": int((~served).sum()),
        "served": int(served.sum()),
        "served_by_class": class_counts(klass, served),
        "waitlist_choice": rule,
        "waitlist_bound": bound,
        "waitlist_slack": slack + p.rounding_slack(),
    }
    if view.pruned:
        info["waitlist_on_candidates"] = True
        info["waitlist_widened"] = widened
    return np.sort(p.ee[served]), info
