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

Integer scaling (exact at the precision used)
---------------------------------------------
Flow costs are integers. With ``A = max |s_ij|`` (1 if all are 0) and a resolution
``W`` (below), ``w_ij = round(s_ij * W / A)``: scores are rounded to a quantum
``q = A / W`` and the flow is optimal for the rounded scores. Any two answers differ in
true and rounded total by at most ``K q / 2`` each (``K``: the most pairs a flow can
hold), so the answer's total is within ``K q`` of the true optimum (``info["quantum"]``,
``info["rounding_bound"]``); coverage is exact. When the scores lie on a grid (at most
4,096 distinct values, each ``A * k / W`` for one ``W <= 2^16`` up to the scores' own float
precision: points systems, rating scales), that ``W`` is used instead: the rounding is
then exact and so is the optimum (``rounding_bound`` 0). That also makes the flow faster.

The reward dominates any score total. Let ``D = K * (w+ + w-)`` with ``w+ = max(0,
max w)`` and ``w- = max(0, -min w)``: every flow's rounded total lies in ``[-K w-, K w+]``,
so two flows' totals differ by at most ``D``. With ``C`` priority classes (rank ``k = 0``
the highest) the first-mentor reward of a class-``k`` mentee is ``R_k = (C - k) G`` with
``G = D + 1``. Coverage rewards are multiples of ``G``, so a flow with a smaller reward
sum costs at least ``G - D = 1`` more than one with a larger sum, whatever their totals:
the optimum maximises the reward sum first, then the rounded total. The mentees that can
be covered together form a matroid (a transversal matroid of the capacity-expanded
graph); in a matroid every maximum-weight independent set, for weights that decrease
strictly with the class, has the largest possible count of each prefix of classes (the
greedy characterisation: it spans every level set). So maximising the reward sum is
exactly the lexicographic coverage, and with one class it is the maximum cardinality.

OR-Tools multiplies costs by (number of nodes + 1) inside its cost scaling, so ``W`` is
the largest integer with ``(nodes + 1) C (2K + 1) W <= 2^61`` (at most 2^40): every arc
cost times (nodes + 1), and every flow's total cost, fit in 64 bits.

Large networks (over 200,000 pairs, of which each mentee's ``p_i + 8`` and each mentor's
``c_j + 8`` best are under an eighth) are priced: the flow is solved on those best pairs,
node potentials are computed on its residual graph (Bellman-Ford; an optimal flow's
residual graph has no negative cycle), and the left-out pairs with a negative reduced
cost join (the four most negative per mentee and round). When none is left the flow is
optimal for the whole network: a feasible flow with potentials that price every arc
non-negatively is an optimal one (linear programming duality; the network matrix is
totally unimodular). After 30 rounds, or if the potentials do not settle, one flow over
every pair decides.

Candidate scores
----------------
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

Fairness (``objective="maxmin"``)
---------------------------------
The value of a matched mentee is the sum of their mentors' scores. First the coverage
(reward sum) of the ``"total"`` answer is fixed; then the floor ``t`` (the worst-off
matched mentee's value) is maximised, then the total under ``t``:

- ``per_mentee == 1``: a mentee's value is one pair's score, so the floor is a pair score.
  Binary search over the distinct pair scores from the ``"total"`` answer's worst one:
  ``t`` is feasible when the pairs scoring at least ``t`` still reach the optimal
  coverage (one OR-Tools maximum flow per step; with priority classes, a min-cost flow
  with the class rewards). Exact: feasibility is monotone in ``t``, and every floor is one
  of those scores. The final flow keeps only the pairs at or above the best ``t``.
- ``per_mentee > 1``: with sums, deciding a floor is NP-hard in general (it contains
  bin covering), so no flow is exact. A mixed-integer program (SciPy's HiGHS ``milp``)
  with the coverage counts of each class fixed maximises the floor, then the total with
  the floor held. It is proved optimal within ``time_limit`` (status ``"optimal"``) or
  returns the best found (``"feasible"``); meant for small and medium cohorts.

Mentees with a ``fixed`` pair do not count toward the floor (their mentor was not
chosen here). The price of fairness, ``info["price_of_fairness"]``, is the ``"total"``
answer's total minus this answer's.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._validation import Instance, Interval, Options, check_params
from ..errors import InfeasibleError, Problem, ValidationError
from ..results import Assignment
from ..scoring import Scores
from ..scoring.candidates import CandidateScores
from .match_fair import _maxmin_milp, _maxmin_single
from .match_flow import _Network, _network, _Pairs, _pairs, _solve_duals, _solve_flow

__all__ = ["MATCH_OBJECTIVES", "match"]

MATCH_OBJECTIVES: tuple[str, ...] = ("total", "maxmin")
#: New candidate pairs per mentee and widening round (see :func:`_widen`).
WIDEN_PAIRS = 10
#: Widening rounds at most.
WIDEN_ROUNDS = 20
#: Above this many pairs, maxmin with several mentors needs a `time_limit`.
MILP_PAIRS = 50_000

_CONSTRAINTS: dict[str, list[Any]] = {
    "scores": [Instance((Scores, CandidateScores), "a Scores or CandidateScores object")],
    "per_mentee": [Interval("int", 1, None)],
    "objective": [Options(MATCH_OBJECTIVES)],
    "waitlist": ["boolean"],
    "priority": [None, "mapping", "array-like", Instance(pd.Series, "a Series")],
    "fixed": [None, "mapping"],
    "history": [None, Instance(pd.DataFrame, "a DataFrame")],
    "time_limit": [None, Interval("real", 0, None, closed="neither")],
}


# ---------------------------------------------------------------------------- inputs
def _history_exclusions(
    scores: Scores | CandidateScores, history: pd.DataFrame
) -> tuple[Scores | CandidateScores, dict[str, Any]]:
    """Past pairs made ineligible, reason ``"paired before (round N)"`` (latest round)."""
    need = ["mentee_id", "mentor_id"]
    missing = [c for c in need if c not in history.columns]
    if missing:
        raise ValidationError(
            [
                Problem(
                    "history",
                    f"required column {c!r} is missing.",
                    column=c,
                    hint="history needs mentee_id, mentor_id and optionally round, outcome.",
                )
                for c in missing
            ],
            title="invalid history",
        )
    rounds = None
    if "round" in history.columns:
        rounds = pd.to_numeric(history["round"], errors="coerce")
        bad = rounds.isna() & history["round"].notna()
        if bad.any():
            raise ValidationError(
                [
                    Problem(
                        "history",
                        "round must be a number.",
                        row=k,
                        column="round",
                        value=history["round"].loc[k],
                    )
                    for k in history.index[bad.to_numpy()]
                ],
                title="invalid history",
            )
    ee = {v: i for i, v in enumerate(scores.mentee_ids.tolist())}
    mr = {v: j for j, v in enumerate(scores.mentor_ids.tolist())}
    rows = history["mentee_id"].map(ee)
    cols = history["mentor_id"].map(mr)
    known = rows.notna() & cols.notna()
    frame = pd.DataFrame(
        {
            "i": rows[known].astype(np.int64),
            "j": cols[known].astype(np.int64),
            "round": np.nan if rounds is None else rounds[known],
        }
    )
    # the latest round of each pair names it
    frame = frame.sort_values("round", na_position="first").drop_duplicates(["i", "j"], keep="last")
    out = scores
    for r, group in frame.groupby(frame["round"].fillna(-np.inf), sort=True):
        reason = "paired before" if r == -np.inf else f"paired before (round {_round_text(r)})"
        i, j = group["i"].to_numpy(), group["j"].to_numpy()
        if isinstance(out, CandidateScores):
            out = out.with_exclusions((i, j), reason=reason)
        else:
            mask = np.zeros(out.shape, dtype=bool)
            mask[i, j] = True
            out = out.with_exclusions(mask, reason=reason)
    # rows naming someone not in these scores (people who left); rows without a mentor
    # (waitlisted last time) only count for priority
    ignored = ~known & history["mentor_id"].notna()
    info = {"history_pairs": len(frame), "history_rows_ignored": int(ignored.sum())}
    return out, info


def _round_text(r: float) -> str:
    return str(int(r)) if float(r).is_integer() else f"{r:g}"


def _priority_classes(
    scores: Scores | CandidateScores, priority: Any, history: pd.DataFrame | None
) -> np.ndarray:
    """A class rank per mentee row (0 = highest priority) from ``priority`` (higher first).

    Without ``priority``, a ``history`` with an ``outcome`` column gives mentees whose
    latest outcome was ``"waitlisted"`` or ``"unmatched"`` (or whose latest row has no
    mentor) priority 1 over everyone else (0)."""
    n = scores.n_mentees
    if priority is None:
        if history is None:
            return np.zeros(n, np.int64)
        return _rank_classes(_history_priority(scores, history))
    if isinstance(priority, Mapping | pd.Series):
        mapping = dict(priority.items())
        known = set(scores.mentee_ids.tolist())
        unknown = [k for k in mapping if k not in known]
        missing = [v for v in scores.mentee_ids.tolist() if v not in mapping]
        problems = [
            Problem("priority", "unknown mentee id.", id=k, hint="use ids of these scores.")
            for k in unknown[:50]
        ]
        if missing:
            problems.append(
                Problem(
                    "priority",
                    f"no priority for {len(missing)} mentee(s).",
                    value=missing[:10],
                    hint="give every mentee a number (0 by default).",
                )
            )
        if problems:
            raise ValidationError(problems, title="invalid priority")
        values = [mapping[v] for v in scores.mentee_ids.tolist()]
    else:
        values = list(np.asarray(priority, dtype=object).ravel())
        if len(values) != n:
            raise ValidationError(
                [
                    Problem(
                        "priority",
                        f"needs one number per mentee row ({n}).",
                        value=f"{len(values)} values",
                    )
                ],
                title="invalid priority",
            )
    bad = [
        (k, v)
        for k, v in enumerate(values)
        if isinstance(v, bool | np.bool_)
        or not isinstance(v, numbers.Real)
        or not math.isfinite(float(v))
    ]
    if bad:
        raise ValidationError(
            [
                Problem(
                    "priority",
                    "priority must be a finite number.",
                    row=k,
                    id=scores.mentee_ids[k],
                    value=v,
                )
                for k, v in bad[:50]
            ],
            title="invalid priority",
        )
    return _rank_classes(np.asarray(values, dtype=np.float64))


def _rank_classes(values: np.ndarray) -> np.ndarray:
    _, inverse = np.unique(-values, return_inverse=True)
    return inverse.astype(np.int64)


def _history_priority(scores: Scores | CandidateScores, history: pd.DataFrame) -> np.ndarray:
    out = np.zeros(scores.n_mentees)
    if "outcome" not in history.columns and history["mentor_id"].notna().all():
        return out
    h = history
    if "round" in h.columns:
        latest = pd.to_numeric(h["round"], errors="coerce")
        h = h[latest == latest.max()] if latest.notna().any() else h
    waited = h["mentor_id"].isna()
    if "outcome" in h.columns:
        text = h["outcome"].astype(str).str.strip().str.lower()
        waited |= text.isin(["waitlisted", "unmatched", "waitlist"])
    names = set(h.loc[waited, "mentee_id"].tolist())
    out[[k for k, v in enumerate(scores.mentee_ids.tolist()) if v in names]] = 1.0
    return out


def _fixed_pairs(
    scores: Scores | CandidateScores, fixed: Mapping[Any, Any], per_mentee: int
) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) of the fixed pairs, checked: known ids, eligible (or excluded only by
    history), at most ``per_mentee`` per mentee and capacity per mentor."""
    ee = {v: i for i, v in enumerate(scores.mentee_ids.tolist())}
    mr = {v: j for j, v in enumerate(scores.mentor_ids.tolist())}
    problems: list[Problem] = []
    rows: list[int] = []
    cols: list[int] = []
    for a, bs in fixed.items():
        items = list(bs) if isinstance(bs, list | tuple | set | np.ndarray) else [bs]
        i = ee.get(a)
        if i is None:
            problems.append(Problem("fixed", "unknown mentee id.", id=a))
            continue
        if len(set(items)) != len(items):
            problems.append(Problem("fixed", "a mentor is fixed twice.", id=a, value=items))
        if len(items) > per_mentee:
            problems.append(
                Problem(
                    "fixed",
                    f"more fixed mentors than per_mentee={per_mentee}.",
                    id=a,
                    value=items,
                    hint="raise per_mentee or fix fewer pairs.",
                )
            )
        for b in dict.fromkeys(items):
            j = mr.get(b)
            if j is None:
                problems.append(Problem("fixed", "unknown mentor id.", id=a, value=b))
                continue
            if not scores.eligible[i, j]:
                why = (
                    "; ".join(scores.reasons(a, b))
                    if isinstance(scores, Scores)
                    else "not a candidate pair"
                )
                problems.append(Problem("fixed", f"not an eligible pair ({why}).", id=a, value=b))
                continue
            rows.append(i)
            cols.append(j)
    r, c = np.asarray(rows, np.int64), np.asarray(cols, np.int64)
    load = np.bincount(c, minlength=scores.n_mentors)
    for jj in np.flatnonzero(load > scores.capacity).tolist():
        problems.append(
            Problem(
                "fixed",
                f"mentor fixed to {int(load[jj])} mentees, above capacity "
                f"{int(scores.capacity[jj])}.",
                id=scores.mentor_ids[jj],
            )
        )
    if problems:
        raise ValidationError(problems, title="invalid fixed pairs")
    return r, c


# ---------------------------------------------------------------------------- reasons
def _rule_text(scores: Scores | CandidateScores, row: int) -> str:
    if isinstance(scores, CandidateScores):
        counts = {
            name: int(c)
            for name, c in zip(scores.reason_names, scores.reason_counts[row], strict=True)
            if c
        }
    else:
        flags = np.asarray(scores.reason_flags[row])
        counts = {}
        for b, name in enumerate(scores.reason_names):
            c = int(np.count_nonzero((flags >> np.asarray(b, flags.dtype)) & 1))
            if c:
                counts[name] = c
    if not counts:
        return "no eligible mentor (no mentor has free capacity)"
    parts = sorted(counts.items(), key=lambda kv: -kv[1])
    return "no eligible mentor under rule " + ", ".join(f"{k!r} ({v} mentors)" for k, v in parts)


def _groups(
    net: _Network, used: np.ndarray, matched: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The competing groups of unmatched mentees that have pairs: for each, the mentees
    reached by alternating paths from its unmatched ones and their mentors (canonical,
    sorted). Every such mentor is full, and with the mentees assigned to them, inside the
    group; the group has more mentees than places (Hall's condition fails), which proves
    that no answer on these pairs covers more of them."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import breadth_first_order, connected_components

    p = net.pairs
    n, m = p.n, p.m
    reach = np.bincount(p.pi, minlength=n)
    rest = np.flatnonzero(~matched & (reach > 0))
    if not rest.size:
        return []
    # one mentor per covered mentee: a maximum assignment (as large as the coverage)
    one = np.zeros(len(p.pi), bool)
    firsts = np.flatnonzero(used)
    _, pos = np.unique(p.pi[firsts], return_index=True)
    one[firsts[pos]] = True
    # alternating graph: mentee -> mentor on unused pairs, mentor -> mentee on used ones
    root = n + m
    tails = np.r_[p.pi[~one], n + p.pj[one], np.full(rest.size, root)]
    heads = np.r_[n + p.pj[~one], p.pi[one], rest]
    g = coo_matrix((np.ones(len(tails)), (tails, heads)), shape=(n + m + 1, n + m + 1)).tocsr()
    seen = breadth_first_order(g, root, directed=True, return_predecessors=False)
    seen = seen[seen != root]
    mask = np.zeros(n + m, bool)
    mask[seen] = True
    # groups: weakly connected parts of the reached subgraph
    r, c = g[: n + m, : n + m].nonzero()
    keep = mask[r] & mask[c]
    h = coo_matrix((np.ones(int(keep.sum())), (r[keep], c[keep])), shape=(n + m, n + m))
    _, label = connected_components(h, directed=False)
    out = []
    for lab in np.unique(label[seen]).tolist():
        nodes = seen[label[seen] == lab]
        out.append((nodes[nodes < n], np.sort(nodes[nodes >= n] - n)))
    return out


def _reasons(
    scores: Scores | CandidateScores, net: _Network, used: np.ndarray, matched: np.ndarray
) -> dict[int, str]:
    """A reason per unmatched canonical mentee: no eligible mentor (which rules), no
    candidate pair, or the group of mentees competing for the same full mentors."""
    p = net.pairs
    reach = np.bincount(p.pi, minlength=p.n)
    out: dict[int, str] = {}
    for a in np.flatnonzero(~matched & (reach == 0)).tolist():
        row = int(p.ee[a])
        if isinstance(scores, CandidateScores) and scores.n_eligible[row] > 0:
            out[a] = (
                f"no candidate pair ({int(scores.n_eligible[row])} eligible mentors were "
                "pruned by score_candidates; raise its per_mentee or per_mentor)"
            )
        else:
            out[a] = _rule_text(scores, row)
    which = (
        "of their candidate pairs"
        if isinstance(scores, CandidateScores)
        else "they are eligible for"
    )
    for mentees, mentors in _groups(net, used, matched):
        waiting = mentees[~matched[mentees]]
        places = int(net.cap[mentors].sum())
        ids = ", ".join(repr(x) for x in scores.mentor_ids[p.mr[mentors[:3]]].tolist())
        more = f" and {len(mentors) - 3} more" if len(mentors) > 3 else ""
        text = (
            f"{len(mentees)} mentees compete for {places} places among the "
            f"{len(mentors)} mentor(s) {which} ({ids}{more}); {waiting.size} wait"
        )
        if net.n_classes > 1:
            text += " (places go to higher priority first)"
        for a in waiting.tolist():
            out[a] = text
    return out


def _widen(
    cs: CandidateScores, net: _Network, used: np.ndarray, matched: np.ndarray
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
    lonely = lonely[cs.n_eligible[p.ee[lonely]] > 0]
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
    cs: CandidateScores, net: _Network, potentials: np.ndarray | None
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
    q = net.scale / net.resolution
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


def _build(
    scores: Scores | CandidateScores,
    fr: np.ndarray,
    fc: np.ndarray,
    klass_rows: np.ndarray,
    per_mentee: int,
) -> tuple[_Pairs, _Network, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The network of these scores with the fixed pairs (rows ``fr``, columns ``fc``)
    taken out: pairs, network, canonical fixed pairs, open slots, covered, capacity left."""
    pairs = _pairs(scores)
    n, m = pairs.n, pairs.m
    inv_e = np.empty(n, np.int64)
    inv_e[pairs.ee] = np.arange(n)
    inv_m = np.empty(m, np.int64)
    inv_m[pairs.mr] = np.arange(m)
    fa, fb = inv_e[fr], inv_m[fc]
    if fa.size:  # fixed pairs leave the network (they are added back to the answer)
        drop = np.isin(pairs.pi * m + pairs.pj, fa * m + fb)
        pairs = _Pairs(
            pairs.ee, pairs.mr, pairs.pi[~drop], pairs.pj[~drop], pairs.ps[~drop], pairs.tolerance
        )
    fixed_count = np.bincount(fa, minlength=n)
    slots = per_mentee - fixed_count
    covered = fixed_count > 0
    cap = scores.capacity[pairs.mr].astype(np.int64) - np.bincount(fb, minlength=m)
    net = _network(pairs, slots, covered, klass_rows[pairs.ee], cap)
    return pairs, net, fa, fb, slots, covered, cap


# ---------------------------------------------------------------------------- front end
def match(
    scores: Scores | CandidateScores,
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
    score. One min-cost flow solves it exactly; see :mod:`crossmatch.solve.match` for the
    network, the integer scaling and the proof that the coverage reward dominates.

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
        against ``"total"``. Exact by flows for ``per_mentee=1``; a MILP for more.
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
        Seconds for each MILP stage of ``objective="maxmin"`` with ``per_mentee > 1``
        (required above 50,000 pairs); ``info["status"]`` is then "feasible" if the
        limit stopped it before the proof. The flows have no time limit.

    Returns
    -------
    Assignment
        ``mentors`` holds each mentee's mentors (best score first, ``-1`` padded),
        ``mentor`` the first; ``reason`` says why a mentee waits. ``info`` has
        ``coverage``, ``total``, ``status``, ``quantum``, ``rounding_bound`` and, for
        maxmin, ``floor`` and ``price_of_fairness``.

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
    3 mentees compete for 2 places among the 2 mentor(s) they are eligible for ('x', 'y'); 1 wait
    """
    check_params("match", locals(), _CONSTRAINTS)
    t0 = time.perf_counter()
    info: dict[str, Any] = {"per_mentee": int(per_mentee), "objective": objective}
    if history is not None:
        scores_h, hinfo = _history_exclusions(scores, history)
        info.update(hinfo)
    else:
        scores_h = scores
    klass_rows = _priority_classes(scores, priority, history)
    fr, fc = (np.zeros(0, np.int64),) * 2
    if fixed is not None:
        fr, fc = _fixed_pairs(scores, fixed, int(per_mentee))
    added: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # widening
    for widened in range(WIDEN_ROUNDS + 1):
        pairs, net, fa, fb, slots, covered, cap = _build(
            scores_h, fr, fc, klass_rows, int(per_mentee)
        )
        if not isinstance(scores_h, CandidateScores):
            used = _solve_flow(net)
            break
        used, potentials = _solve_duals(net)
        if widened == WIDEN_ROUNDS:
            break
        matched_c = covered.copy()
        matched_c[pairs.pi[used]] = True
        wider = None if matched_c.all() else _widen(scores_h, net, used, matched_c)
        if wider is None:
            wider = _price_pairs(scores_h, net, potentials)
            info["priced"] = wider is None and potentials is not None
        if wider is None:
            break
        scores_h = scores_h.with_pairs(*wider)
        added.append(wider)
    info["widening_rounds"] = widened
    if added and isinstance(scores, CandidateScores):  # the answer's scores hold its pairs
        scores = scores.with_pairs(*(np.concatenate(x) for x in zip(*added, strict=True)))
    n = pairs.n
    status = "optimal"
    total_best = float(pairs.ps[used].sum())
    if objective == "maxmin":
        fixed_value = np.bincount(fa, weights=_fixed_scores(scores, fr, fc), minlength=n)
        if per_mentee == 1:
            used, floor = _maxmin_single(net, used)
        else:
            got = np.zeros(n, bool)
            got[pairs.pi[used]] = True
            got &= ~covered
            counts = np.bincount(net.klass[got], minlength=net.n_classes).astype(float)
            if len(pairs.pi) > MILP_PAIRS and time_limit is None:
                raise ValueError(
                    f"objective='maxmin' with per_mentee > 1 solves a MILP, here on "
                    f"{len(pairs.pi):,} pairs (more than {MILP_PAIRS:,}): pass `time_limit` "
                    "(seconds) to take the best answer found by then, or use per_mentee=1 "
                    "(exact by flows at any size)."
                )
            used, floor, status = _maxmin_milp(net, counts, fixed_value, time_limit)
        info["floor"] = floor
        info["price_of_fairness"] = total_best - float(pairs.ps[used].sum())
        info["total_without_floor"] = total_best

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
    reason = [None] * scores.n_mentees  # type: list[str | None]
    for a, text in reasons.items():
        reason[int(pairs.ee[a])] = text
    waiting = np.flatnonzero(~matched_c)
    if waiting.size and not waitlist:
        ids = scores.mentee_ids[pairs.ee[waiting]].tolist()
        lines = sorted({reasons[a] for a in waiting.tolist()}, key=str)
        raise InfeasibleError(
            [
                f"{len(ids)} mentee(s) cannot have a mentor (e.g. {', '.join(map(repr, ids[:5]))})",
                *lines[:5],
            ],
            who=ids,
            fix="pass waitlist=True to match as many as possible and waitlist the rest, "
            "or relax the rules / raise the capacities named above",
        )
    preference = _preference(pairs, mentors, score_of)
    k_pairs = int(min(slots.sum(), cap.sum(), len(pairs.pi)))
    quantum = net.scale / net.resolution
    rr, kk = np.nonzero(mentors >= 0)
    info.update(
        {
            "coverage": int(matched_c.sum()),
            "coverage_by_class": _by_class(klass_rows, mentors[:, 0] >= 0),
            "pairs": int((mentors >= 0).sum()),
            "total": float(score_of(rr, mentors[rr, kk]).sum()),
            "status": status,
            "quantum": quantum,
            "rounding_bound": 0.0 if net.exact else k_pairs * quantum,
            "waitlisted": int(waiting.size),
            "seconds": time.perf_counter() - t0,
        }
    )
    if isinstance(scores_h, CandidateScores):
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


def _fixed_scores(
    scores: Scores | CandidateScores, rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    if not rows.size:
        return np.zeros(0)
    v = np.asarray(scores.total[rows, cols], np.float64)
    return np.where(np.isnan(v), 0.0, v)


def _score_lookup(scores: Scores | CandidateScores) -> Any:
    def lookup(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        r, c = np.asarray(rows, np.int64), np.asarray(cols, np.int64)
        if not r.size:
            return np.zeros(0)
        v = np.asarray(scores.total[r, c], np.float64)
        return np.where(np.isnan(v), 0.0, v)

    return lookup


def _preference(pairs: _Pairs, mentors: np.ndarray, score_of: Any) -> np.ndarray:
    """Rank of each mentee's first (best) mentor among their eligible mentors by score
    (1 = their best-scoring mentor; ties share the better rank); 0 where unmatched."""
    n_rows = mentors.shape[0]
    out = np.zeros(n_rows, np.int64)
    ok = np.flatnonzero(mentors[:, 0] >= 0)
    if not ok.size:
        return out
    best = np.full(n_rows, np.inf)
    best[ok] = score_of(ok, mentors[ok, 0])
    rows = pairs.ee[pairs.pi]
    above = np.bincount(rows, weights=(pairs.ps > best[rows] + 1e-12), minlength=n_rows)
    out[ok] = above[ok].astype(np.int64) + 1
    return out


def _by_class(klass: np.ndarray, matched: np.ndarray) -> list[tuple[int, int]]:
    """(matched, size) per priority class, highest first."""
    size = np.bincount(klass)
    got = np.bincount(klass[matched], minlength=len(size))
    return [(int(g), int(s)) for g, s in zip(got, size, strict=True)]


def _candidate_bound(cs: CandidateScores, per_mentee: int, mentors: np.ndarray) -> float:
    """An upper bound on the total score of any answer on the *full* matrix (whatever its
    coverage), by linear programming duality with mentor prices ``v >= 0``.

    For every ``v >= 0`` and every answer ``x``: ``sum s x = sum (s_ij - v_j) x_ij +
    sum_j v_j sum_i x_ij <= sum_i (the per_mentee largest positive s_ij - v_j) + sum_j
    c_j v_j``. Two price vectors are tried and the smaller bound kept: the lowest score a
    full mentor got in this answer (0 for the others), and each mentor's
    ``(c_j + 1)``-th best candidate score. Pairs that are not candidates are bounded
    through the cuts (``s_ij <= min(mentee_cut[i], mentor_cut[j])``): at most
    ``max_j min(mentee_cut[i], mentor_cut[j]) - v_j`` each, and mentee ``i`` has
    ``n_eligible[i] - candidates`` of them."""
    m = cs.n_mentors
    r, k = np.nonzero(mentors >= 0)
    c = mentors[r, k]
    got = np.asarray(cs.total[r, c], np.float64)
    low = np.full(m, np.inf)
    np.minimum.at(low, c, got)
    full = np.bincount(c, minlength=m) >= cs.capacity
    v1 = np.where(full & np.isfinite(low), np.maximum(low, 0.0), 0.0)
    vals = np.asarray(cs.values, np.float64)
    order = np.lexsort((-vals, cs.cols))
    cols = cs.cols[order]
    first = np.flatnonzero(np.r_[True, cols[1:] != cols[:-1]]) if len(cols) else np.zeros(0, int)
    rank = np.arange(len(cols)) - np.repeat(first, np.diff(np.r_[first, len(cols)]))
    at = rank == cs.capacity[cols]  # the (c_j + 1)-th best candidate of each mentor
    v2 = np.zeros(m)
    v2[cols[at]] = np.maximum(vals[order][at], 0.0)
    return min(_dual_bound(cs, per_mentee, v1), _dual_bound(cs, per_mentee, v2))


def _dual_bound(cs: CandidateScores, per_mentee: int, v: np.ndarray) -> float:
    """``sum_i (per_mentee largest positive s_ij - v_j) + sum_j c_j v_j`` over the full
    matrix, pruned pairs bounded through the cuts (see :func:`_candidate_bound`)."""
    n, m = cs.n_mentees, cs.n_mentors
    # candidates: each mentee's per_mentee largest positive s - v
    red = np.maximum(np.asarray(cs.values, np.float64) - v[cs.cols], 0.0)
    order = np.lexsort((-red, cs.rows))
    rows = cs.rows[order]
    first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]]) if len(rows) else np.zeros(0, int)
    rank = np.arange(len(rows)) - np.repeat(first, np.diff(np.r_[first, len(rows)]))
    top = np.zeros((n, per_mentee))
    keep = rank < per_mentee
    top[rows[keep], rank[keep]] = red[order][keep]
    # pruned pairs: g_i = max_j min(cut_i, mcut_j) - v_j, split at cut_i over mentors
    # sorted by their cut (suffix minimum of v above it, prefix maximum of mcut - v below)
    by = np.argsort(cs.mentor_cut, kind="stable")
    mc, vs = cs.mentor_cut[by], v[by]
    suffix_min = np.minimum.accumulate(vs[::-1])[::-1]
    prefix_max = np.r_[-np.inf, np.maximum.accumulate(mc - vs)]
    cut = np.asarray(cs.mentee_cut, np.float64)
    at = np.searchsorted(mc, cut, side="left")
    above = np.where(at < m, cut - suffix_min[np.minimum(at, m - 1)], -np.inf)
    g = np.maximum(np.maximum(above, prefix_max[at]), 0.0)
    g = np.where(np.isfinite(cut), g, 0.0)
    dropped = np.maximum(cs.n_eligible - np.bincount(cs.rows, minlength=n), 0)
    extra = np.where(
        np.arange(per_mentee)[None, :] < np.minimum(dropped, per_mentee)[:, None], g[:, None], 0.0
    )
    merged = -np.sort(-np.concatenate([top, extra], axis=1), axis=1)[:, :per_mentee]
    return float(merged.sum() + (cs.capacity * v).sum())
