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
   (:func:`~crossmatch.solve.scaling.integer_scaling`, ``W`` the largest), ``G = n W + 1``
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
   :data:`JOINT_AUTO_PAIRS` pairs, on scores that hold every pair -- not candidates):
   one integer program chooses whom to serve (binary
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
from .instance import Instance, exposure_of
from .network import alternating_groups
from .options import ShortlistOptions
from .waitlist_choice import EXPOSURE_SHORT, choose_jointly, choose_priced, fit_exposure
from .waitlist_serve import best_values, relaxed_bound, serve, widen_to_fill, widen_to_full

__all__ = [
    "best_values",
    "class_counts",
    "relaxed_bound",
    "serve",
    "split_waitlist",
    "waiting_reasons",
]

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


def _could_be_placed(p: Instance, used: np.ndarray, served: np.ndarray) -> np.ndarray:
    """Waiting mentees that an assignment could still place (alternating paths from them
    reach a mentor with a free place): they wait because exposure leaves no room."""
    cap = np.minimum(p.capacity, p.exposure)
    load = np.bincount(p.pj[used], minlength=p.m)
    out = np.zeros(p.n, bool)
    for mentees, mentors in _groups(p, used, served):
        if (load[mentors] < cap[mentors]).any():
            out[mentees[~served[mentees]]] = True
    return out


def class_counts(classes: np.ndarray, served: np.ndarray) -> list[tuple[int, int]]:
    """(served, size) per priority class, highest first."""
    out: list[tuple[int, int]] = []
    for k in range(int(classes.max()) + 1 if len(classes) else 0):
        inside = classes == k
        out.append((int((served & inside).sum()), int(inside.sum())))
    return out


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

    def q_of(count: int) -> Instance:  # the instance with the exposure of that many
        return replace(p, exposure=expo_of(count)[p.mr])

    q = q_of(count)
    # no choice of whom to serve (as many, by class) can give shortlists a higher total
    # than each served mentee's best k scores, summed, at its best
    bound = min(float(value[served].sum()) + slack, relaxed_bound(q, count))
    rule = "values"
    auto = options.method == "auto" and q.n_pairs <= JOINT_AUTO_PAIRS
    if JOINT_EXACT and (options.method == "exact" or auto) and not view.pruned and count:
        cap = options.deadline.capped(JOINT_AUTO_SECONDS) if auto else options.deadline
        joint = choose_jointly(q, klass, served, replace(options, deadline=cap), q_of)
        if joint is not None and (joint[3] or not auto):
            most, (served, used, mip_bound, _) = served, joint
            bound, rule = min(bound, mip_bound), "joint MIP"
            if served.sum() < most.sum():  # no choice of the most fits: fewer served
                bound, rule = mip_bound, "joint MIP; fewer served (exposure)"
                q = q_of(int(served.sum()))
    if rule == "values" and CHOICE_RULE == "priced" and count:
        served, used, lagrange = choose_priced(q, klass, served, used, PRICE_ROUNDS)
        bound, rule = min(bound, lagrange), "priced"
    dropped, fitted = np.zeros(p.n, bool), None
    while FIT_EXPOSURE:  # on candidates: widen until the shortlists' room is the full one
        wider = widen_to_fill(view, q, served)
        if wider is None:
            break
        view, widened, old = wider, widened + 1, p
        p = Instance.build(view, build, rows)
        q = replace(p, exposure=q.exposure)
        used = np.isin(p.pi * p.m + p.pj, old.pi[used] * old.m + old.pj[used])
    if FIT_EXPOSURE:
        served, used, q, dropped, fitted = fit_exposure(p, q, klass, served, used, options, expo_of)
    if fitted is not None:
        rule = f"{rule}; {fitted}"
    if dropped.any():  # fewer than the most: a bound for any choice of that many
        bound = relaxed_bound(q, int(served.sum()))
    n_classes = int(klass.max()) + 1 if len(klass) else 1
    for a, text in waiting_reasons(p, used, served, n_classes).items():
        waiting[p.ee[a]] = True
        why[int(p.ee[a])] = text
    if "fewer served" in rule:  # who waits for room on shortlists, not for a place
        dropped |= _could_be_placed(p, used, served)
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
