"""Independent reference solvers ("oracles") for the matching problems, on plain numpy arrays.

Nothing here imports :mod:`crossmatch`: these functions restate the optimisation problems
directly as mixed-integer programs for ``scipy.optimize.milp`` (HiGHS, ``mip_rel_gap=0``)
or as textbook algorithms, and each comes with a brute-force twin for tiny instances that
``tests/test_oracles.py`` uses to validate it. Solver tests compare the production solvers
in ``crossmatch.solve`` against these.

Problems
--------
Shortlist (``milp_shortlist``): S (n, m) float scores, E (n, m) bool eligible pairs,
capacity c (m,), exposure e (m,), k. Choose x_ij in {0, 1}, x_ij = 0 off E, with

* sum_j x_ij = k for every mentee i,
* sum_i x_ij <= e_j for every mentor j,
* optionally (``groups`` (m,) labels and ``max_per_group`` d): sum_{j in g} x_ij <= d for
  every mentee i and group g,
* coverage: some y with 0 <= y_ij <= x_ij, sum_j y_ij = 1 for every i and
  sum_i y_ij <= c_j for every j,

maximising sum S_ij x_ij.

Waitlist (``milp_waitlist``): the shortlist problem for oversubscribed cohorts, with
``classes`` (n,) priority class ranks (0 = highest). Choose who is served, z_i in {0, 1},
with sum_{i: class <= c} z_i = N_c for every c, N_c the most mentees of classes <= c one
assignment within min(c_j, e_j) can serve; then x, y as above for the served mentees only
(sum_j x_ij = k_i z_i with k_i = min(k, eligible mentors of i), sum_j y_ij = z_i),
maximising sum S_ij x_ij jointly over whom to serve and their shortlists.

Rank-maximal assignment (``milp_rank_maximal``): every mentee gets exactly one mentor
from their own preference list, mentor loads <= capacity; lexicographically maximise
(#rank-1, #rank-2, ...), then the total score S[i, assigned].

Stable matching (``deferred_acceptance``): mentee-proposing Gale-Shapley with capacities;
mentor j ranks mentees by ``mentor_scores[i, j]`` descending, ties to the lower index.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

__all__ = [
    "brute_force_rank_maximal",
    "brute_force_shortlist",
    "brute_force_stable_matchings",
    "brute_force_waitlist",
    "deferred_acceptance",
    "is_stable",
    "lp_shortlist_bound",
    "max_cover_count",
    "milp_rank_maximal",
    "milp_shortlist",
    "milp_waitlist",
]

#: Options handed to HiGHS by every MILP: no logging, exact optimum (no relative gap).
_MILP_OPTIONS = {"disp": False, "mip_rel_gap": 0.0}


def max_cover_count(eligible: np.ndarray, capacity: np.ndarray) -> int:
    """The most mentees one assignment can serve (one mentor each, ``capacity`` per
    mentor, only ``eligible`` pairs): a maximum flow source -> mentee (1) -> mentor (1
    per pair) -> sink (c_j), by SciPy's ``csgraph.maximum_flow``."""
    from scipy.sparse.csgraph import maximum_flow

    n, m = eligible.shape
    src, snk = n + m, n + m + 1
    ii, jj = np.nonzero(eligible)
    tails = np.r_[np.full(n, src), ii, n + np.arange(m)]
    heads = np.r_[np.arange(n), n + jj, np.full(m, snk)]
    caps = np.r_[np.ones(n + len(ii)), capacity].astype(np.int32)
    g = sp.csr_matrix((caps, (tails, heads)), shape=(n + m + 2, n + m + 2))
    return int(maximum_flow(g, src, snk).flow_value)


# ============================================================================ shortlist
def _check_shortlist_inputs(
    S: Any, E: Any, capacity: Any, exposure: Any, k: int, groups: Any, max_per_group: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, np.ndarray | None, int | None]:
    S = np.asarray(S, dtype=float)
    E = np.asarray(E, dtype=bool)
    if S.ndim != 2 or S.shape != E.shape:
        raise ValueError(f"S and E must be 2-d of the same shape, got {S.shape} and {E.shape}")
    m = S.shape[1]
    capacity = np.asarray(capacity).reshape(-1)
    exposure = np.asarray(exposure).reshape(-1)
    if capacity.shape != (m,) or exposure.shape != (m,):
        raise ValueError("capacity and exposure must have shape (m,)")
    if not np.all(np.isfinite(S[E])):
        raise ValueError("S must be finite on eligible pairs")
    k = int(k)
    if k < 0:
        raise ValueError("k must be >= 0")
    if (groups is None) != (max_per_group is None):
        raise ValueError("give both groups and max_per_group, or neither")
    codes = None
    if groups is not None:
        groups = np.asarray(groups).reshape(-1)
        if groups.shape != (m,):
            raise ValueError("groups must have shape (m,)")
        _, codes = np.unique(groups, return_inverse=True)
        codes = codes.reshape(-1)
        max_per_group = int(max_per_group)
    return S, E, capacity, exposure, k, codes, max_per_group


def _shortlist_model(
    S: np.ndarray,
    E: np.ndarray,
    capacity: np.ndarray,
    exposure: np.ndarray,
    k: int,
    codes: np.ndarray | None,
    d: int | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, sp.csr_array, np.ndarray, np.ndarray]:
    """Variables [x_p for p in pairs] + [y_p for p in pairs] over eligible pairs only.

    Returns (rows, cols, c, A, lb, ub) with the objective c to *minimise* (= -S x) and the
    constraints lb <= A v <= ub.
    """
    n, m = S.shape
    rows, cols = np.nonzero(E)
    P = rows.size
    pair = np.arange(P)
    c = np.concatenate([-S[rows, cols], np.zeros(P)])

    blocks: list[sp.coo_array] = []
    lbs: list[np.ndarray] = []
    ubs: list[np.ndarray] = []

    def add(r: np.ndarray, cidx: np.ndarray, vals: np.ndarray, nrows: int, lo, hi) -> None:
        blocks.append(sp.coo_array((vals, (r, cidx)), shape=(nrows, 2 * P)))
        lbs.append(np.broadcast_to(np.asarray(lo, dtype=float), (nrows,)))
        ubs.append(np.broadcast_to(np.asarray(hi, dtype=float), (nrows,)))

    ones = np.ones(P)
    # sum_j x_ij = k
    add(rows, pair, ones, n, k, k)
    # sum_i x_ij <= e_j
    add(cols, pair, ones, m, -np.inf, exposure.astype(float))
    # sum_{j in g} x_ij <= d
    if codes is not None:
        G = int(codes.max()) + 1 if m else 0
        add(rows * G + codes[cols], pair, ones, n * G, -np.inf, float(d))
    # y_ij - x_ij <= 0
    add(
        np.concatenate([pair, pair]),
        np.concatenate([P + pair, pair]),
        np.concatenate([ones, -ones]),
        P,
        -np.inf,
        0.0,
    )
    # sum_j y_ij = 1
    add(rows, P + pair, ones, n, 1.0, 1.0)
    # sum_i y_ij <= c_j
    add(cols, P + pair, ones, m, -np.inf, capacity.astype(float))

    A = sp.vstack(blocks, format="csr")
    return rows, cols, c, A, np.concatenate(lbs), np.concatenate(ubs)


def milp_shortlist(
    S: Any,
    E: Any,
    capacity: Any,
    exposure: Any,
    k: int,
    groups: Any = None,
    max_per_group: int | None = None,
    time_limit: float = 60,
) -> tuple[float, np.ndarray, np.ndarray] | None:
    """Optimal shortlist by MILP: ``(objective, X, Y)`` or ``None`` if infeasible.

    ``X`` (n, m) bool is the shortlist, ``Y`` (n, m) bool a coverage assignment inside it
    (one mentor per mentee, mentor loads <= capacity). ``objective`` is ``S[X].sum()``.
    ``y`` is declared binary. Raises ``RuntimeError`` if HiGHS does not prove optimality
    or infeasibility (e.g. time limit), and ``AssertionError`` if the rounded solution
    violates a constraint.
    """
    S, E, capacity, exposure, k, codes, d = _check_shortlist_inputs(
        S, E, capacity, exposure, k, groups, max_per_group
    )
    n, m = S.shape
    if n == 0:
        return 0.0, np.zeros((0, m), bool), np.zeros((0, m), bool)
    if k == 0 or not E.any(axis=1).all():
        return None  # some mentee can be covered by nobody
    rows, cols, c, A, lb, ub = _shortlist_model(S, E, capacity, exposure, k, codes, d)
    P = rows.size
    res = milp(
        c,
        constraints=LinearConstraint(A, lb, ub),
        integrality=np.ones(2 * P),
        bounds=Bounds(0.0, 1.0),
        options={**_MILP_OPTIONS, "time_limit": float(time_limit)},
    )
    if res.status == 2:
        return None
    if res.status != 0:
        raise RuntimeError(f"milp_shortlist: HiGHS status {res.status}: {res.message}")
    v = np.round(res.x).astype(bool)
    X = np.zeros((n, m), bool)
    Y = np.zeros((n, m), bool)
    X[rows, cols] = v[:P]
    Y[rows, cols] = v[P:]
    _assert_shortlist_valid(X, Y, E, capacity, exposure, k, codes, d)
    objective = float(S[X].sum())
    if not np.isclose(objective, -res.fun, rtol=1e-9, atol=1e-6):
        raise AssertionError(f"rounded objective {objective} != HiGHS {-res.fun}")
    return objective, X, Y


def _assert_shortlist_valid(
    X: np.ndarray,
    Y: np.ndarray,
    E: np.ndarray,
    capacity: np.ndarray,
    exposure: np.ndarray,
    k: int,
    codes: np.ndarray | None,
    d: int | None,
) -> None:
    def check(ok: bool, what: str) -> None:
        if not ok:
            raise AssertionError(f"milp_shortlist: rounded solution violates {what}")

    check(not (X & ~E).any(), "eligibility")
    check(bool((X.sum(axis=1) == k).all()), "shortlist length k")
    check(bool((X.sum(axis=0) <= exposure).all()), "exposure")
    if codes is not None:
        for g in np.unique(codes):
            check(bool((X[:, codes == g].sum(axis=1) <= d).all()), "max_per_group")
    check(not (Y & ~X).any(), "y <= x")
    check(bool((Y.sum(axis=1) == 1).all()), "one covering mentor per mentee")
    check(bool((Y.sum(axis=0) <= capacity).all()), "coverage capacity")


def lp_shortlist_bound(
    S: Any,
    E: Any,
    capacity: Any,
    exposure: Any,
    k: int,
    groups: Any = None,
    max_per_group: int | None = None,
    time_limit: float = 60,
) -> float | None:
    """Optimum of the LP relaxation of :func:`milp_shortlist` (an upper bound on it).

    ``None`` if even the relaxation is infeasible (then the MILP is infeasible too).
    """
    S, E, capacity, exposure, k, codes, d = _check_shortlist_inputs(
        S, E, capacity, exposure, k, groups, max_per_group
    )
    if S.shape[0] == 0:
        return 0.0
    if not E.any(axis=1).all():
        return None
    _, _, c, A, lb, ub = _shortlist_model(S, E, capacity, exposure, k, codes, d)
    eq = lb == ub
    le = ~eq
    # every non-equality row here is of the form A v <= ub (lb = -inf)
    assert np.all(np.isneginf(lb[le]))
    res = linprog(
        c,
        A_ub=A[np.flatnonzero(le)],
        b_ub=ub[le],
        A_eq=A[np.flatnonzero(eq)],
        b_eq=ub[eq],
        bounds=(0.0, 1.0),
        method="highs",
        options={"disp": False, "time_limit": float(time_limit)},
    )
    if res.status == 2:
        return None
    if res.status != 0:
        raise RuntimeError(f"lp_shortlist_bound: HiGHS status {res.status}: {res.message}")
    return float(-res.fun)


def brute_force_shortlist(
    S: Any,
    E: Any,
    capacity: Any,
    exposure: Any,
    k: int,
    groups: Any = None,
    max_per_group: int | None = None,
) -> float | None:
    """Best shortlist objective by enumeration (tiny: n <= 4, m <= 5), or ``None``.

    Enumerates every k-subset of eligible mentors per mentee, keeps the combinations that
    respect exposure (and the group limit), and checks coverage by enumerating every
    choice of one mentor per mentee from their shortlist against the capacities, best
    objective first.
    """
    S, E, capacity, exposure, k, codes, d = _check_shortlist_inputs(
        S, E, capacity, exposure, k, groups, max_per_group
    )
    n, m = S.shape
    if n > 6 or m > 6:
        raise ValueError("brute_force_shortlist is for tiny instances only")
    if n == 0:
        return 0.0
    per_mentee: list[list[tuple[int, ...]]] = []
    for i in range(n):
        subsets = []
        for sub in itertools.combinations(np.flatnonzero(E[i]).tolist(), k):
            if codes is not None:
                counts = np.bincount(codes[list(sub)], minlength=1) if sub else np.zeros(1)
                if counts.max() > d:
                    continue
            subsets.append(sub)
        per_mentee.append(subsets)

    candidates: list[tuple[float, tuple[tuple[int, ...], ...]]] = []
    for choice in itertools.product(*per_mentee):
        load = np.zeros(m, int)
        for sub in choice:
            for j in sub:
                load[j] += 1
        if (load > exposure).any():
            continue
        obj = float(sum(S[i, j] for i, sub in enumerate(choice) for j in sub))
        candidates.append((obj, choice))
    candidates.sort(key=lambda t: -t[0])

    for obj, choice in candidates:
        for assign in itertools.product(*choice):
            if (np.bincount(np.asarray(assign, int), minlength=m) <= capacity).all():
                return obj
    return None


# ============================================================================ waitlist
def _max_served(E: np.ndarray, cap: np.ndarray, classes: np.ndarray) -> list[int]:
    """N_c: the most mentees of classes <= c one assignment can serve (each prefix
    maximised with the earlier ones fixed; by the matroid property, all at once)."""
    n, m = E.shape
    ii, jj = np.nonzero(E)
    q = len(ii)
    cons = [
        LinearConstraint(sp.csr_array((np.ones(q), (ii, np.arange(q))), shape=(n, q)), 0, 1),
        LinearConstraint(sp.csr_array((np.ones(q), (jj, np.arange(q))), shape=(m, q)), 0, cap),
    ]
    out: list[int] = []
    for c in range(int(classes.max()) + 1 if n else 0):
        inside = (classes[ii] <= c).astype(float)
        if q == 0:
            out.append(0)
            continue
        res = milp(-inside, constraints=cons, integrality=np.ones(q), bounds=Bounds(0, 1),
                   options=_MILP_OPTIONS)  # fmt: skip
        best = round(float(-res.fun))
        out.append(best)
        cons.append(LinearConstraint(inside[None, :], best, np.inf))
    return out


def milp_waitlist(
    S: Any, E: Any, capacity: Any, exposure: Any, k: int, classes: Any = None,
    fewer: bool = False,
) -> tuple[float, np.ndarray] | None:  # fmt: skip
    """The jointly optimal waitlist and shortlists by MILP: ``(objective, served)`` or
    ``None`` if no served set of the maximum counts has feasible shortlists.

    ``fewer``: the counts are the most each prefix of classes can serve *with* feasible
    shortlists (lexicographically: each prefix maximised by a MILP of the whole problem,
    the earlier ones fixed), so an answer exists whenever one mentee can be served."""
    S, E, capacity, exposure, k, _, _ = _check_shortlist_inputs(
        S, E, capacity, exposure, k, None, None
    )
    n, m = S.shape
    classes = np.zeros(n, int) if classes is None else np.asarray(classes, int)
    kk = np.minimum(E.sum(axis=1), k)
    rows, cols = np.nonzero(E)
    P = rows.size
    pair = np.arange(P)
    ones = np.ones(P)
    nv = 2 * P + n  # [x, y, z]
    blocks, lo, hi = [], [], []

    def add(r: Any, c: Any, v: Any, nrows: int, lb: Any, ub: Any) -> None:
        blocks.append(sp.coo_array((v, (r, c)), shape=(nrows, nv)))
        lo.append(np.broadcast_to(np.asarray(lb, float), (nrows,)))
        hi.append(np.broadcast_to(np.asarray(ub, float), (nrows,)))

    def solve(cost: np.ndarray) -> Any:
        A = sp.vstack(blocks).tocsr()
        return milp(
            cost, constraints=LinearConstraint(A, np.concatenate(lo), np.concatenate(hi)),
            integrality=np.ones(nv), bounds=Bounds(0, 1), options=_MILP_OPTIONS,
        )  # fmt: skip

    z = 2 * P + np.arange(n)
    add(np.r_[rows, np.arange(n)], np.r_[pair, z], np.r_[ones, -kk], n, 0, 0)  # x = k z
    add(cols, pair, ones, m, -np.inf, exposure)
    add(np.r_[pair, pair], np.r_[P + pair, pair], np.r_[ones, -ones], P, -np.inf, 0)  # y <= x
    add(np.r_[rows, np.arange(n)], np.r_[P + pair, z], np.r_[ones, -np.ones(n)], n, 0, 0)
    add(cols, P + pair, ones, m, -np.inf, capacity)
    counts = [] if fewer else _max_served(E, np.minimum(capacity, exposure), classes)
    for c in range(int(classes.max()) + 1 if n else 0):
        inside = np.flatnonzero(classes <= c)
        if fewer:  # the most this prefix can serve with shortlists, earlier ones fixed
            cost = np.zeros(nv)
            cost[z[inside]] = -1.0
            found = solve(cost)
            if found.status != 0:
                raise RuntimeError(f"milp_waitlist: HiGHS status {found.status}")
            counts.append(round(float(-found.fun)))
        count = counts[c]
        add(np.zeros(len(inside), int), z[inside], np.ones(len(inside)), 1, count, count)
    res = solve(np.r_[-S[rows, cols], np.zeros(P + n)])
    if res.status == 2:
        return None
    if res.status != 0:
        raise RuntimeError(f"milp_waitlist: HiGHS status {res.status}: {res.message}")
    return -float(res.fun), np.round(res.x[2 * P :]).astype(bool)


def brute_force_waitlist(
    S: Any, E: Any, capacity: Any, exposure: Any, k: int, classes: Any = None
) -> float | None:
    """:func:`milp_waitlist`'s objective by enumeration (tiny; every mentee with at least
    ``k`` eligible mentors): every set of mentees with the most served per class prefix
    (coverability by enumerating assignments), each solved by
    :func:`brute_force_shortlist`."""
    S, E, capacity, exposure = (np.asarray(a) for a in (S, E, capacity, exposure))
    n, m = S.shape
    classes = np.zeros(n, int) if classes is None else np.asarray(classes, int)
    cap = np.minimum(capacity, exposure)

    def coverable(who: tuple[int, ...]) -> bool:
        for pick in itertools.product(*(np.flatnonzero(E[i]).tolist() for i in who)):
            if (np.bincount(np.asarray(pick, int), minlength=m) <= cap).all():
                return True
        return False

    sets = [w for size in range(n + 1) for w in itertools.combinations(range(n), size)]
    sets = [w for w in sets if coverable(w)]
    for c in range(int(classes.max()) + 1 if n else 0):
        best = max(sum(classes[i] <= c for i in w) for w in sets)
        sets = [w for w in sets if sum(classes[i] <= c for i in w) == best]
    found = [brute_force_shortlist(S[list(w)], E[list(w)], capacity, exposure, k) for w in sets]
    values = [f for f in found if f is not None]
    return max(values) if values else None


# ======================================================================= rank-maximal
def _check_options(options: Sequence[Sequence[int]], m: int) -> list[list[int]]:
    out = []
    for i, opts in enumerate(options):
        opts = [int(j) for j in opts]
        if len(set(opts)) != len(opts):
            raise ValueError(f"options[{i}] lists a mentor twice")
        if any(j < 0 or j >= m for j in opts):
            raise ValueError(f"options[{i}] has a mentor index outside [0, {m})")
        out.append(opts)
    return out


def milp_rank_maximal(
    options: Sequence[Sequence[int]], S: Any, capacity: Any
) -> tuple[tuple[int, ...], float, np.ndarray] | None:
    """Rank-maximal assignment, ties by total score: ``(signature, score, assignment)``.

    ``signature[r-1]`` = number of mentees assigned their rank-r option (length = longest
    list); ``assignment[i]`` the mentor index of mentee i. ``None`` if no assignment
    respects the lists and capacities. A sequence of ``scipy.optimize.milp`` solves:
    stage r maximises #rank-r with #rank-1..r-1 fixed; a last stage maximises the score
    with the whole signature fixed.
    """
    S = np.asarray(S, dtype=float)
    capacity = np.asarray(capacity).reshape(-1)
    n = len(options)
    m = capacity.shape[0]
    if S.shape != (n, m):
        raise ValueError(f"S must have shape ({n}, {m}), got {S.shape}")
    opts = _check_options(options, m)
    R = max((len(o) for o in opts), default=0)
    if n == 0:
        return (), 0.0, np.zeros(0, int)
    if any(len(o) == 0 for o in opts):
        return None

    mentee = np.array([i for i, o in enumerate(opts) for _ in o])
    mentor = np.array([j for o in opts for j in o])
    rank = np.array([r for o in opts for r in range(len(o))])  # 0-based
    V = mentee.size
    var = np.arange(V)
    ones = np.ones(V)
    A_base = sp.vstack(
        [
            sp.coo_array((ones, (mentee, var)), shape=(n, V)),
            sp.coo_array((ones, (mentor, var)), shape=(m, V)),
        ],
        format="csr",
    )
    lb_base = np.concatenate([np.ones(n), np.full(m, -np.inf)])
    ub_base = np.concatenate([np.ones(n), capacity.astype(float)])
    A_rank = sp.coo_array((ones, (rank, var)), shape=(R, V)).tocsr()

    def solve(c: np.ndarray, fixed: list[int]) -> Any:
        r = len(fixed)
        A = sp.vstack([A_base, A_rank[:r]], format="csr") if r else A_base
        f = np.asarray(fixed, dtype=float)
        res = milp(
            c,
            constraints=LinearConstraint(
                A, np.concatenate([lb_base, f]), np.concatenate([ub_base, f])
            ),
            integrality=np.ones(V),
            bounds=Bounds(0.0, 1.0),
            options=_MILP_OPTIONS,
        )
        return res

    signature: list[int] = []
    for r in range(R):
        res = solve(-(rank == r).astype(float), signature)
        if res.status == 2:
            if r == 0:
                return None
            raise AssertionError("milp_rank_maximal: stage became infeasible")
        if res.status != 0:
            raise RuntimeError(f"milp_rank_maximal: HiGHS status {res.status}: {res.message}")
        signature.append(round(-res.fun))
    res = solve(-S[mentee, mentor], signature)
    if res.status != 0:
        raise RuntimeError(f"milp_rank_maximal: final stage status {res.status}: {res.message}")
    z = np.round(res.x).astype(bool)
    if np.bincount(mentee[z], minlength=n).tolist() != [1] * n:
        raise AssertionError("milp_rank_maximal: not one mentor per mentee")
    assignment = np.empty(n, int)
    assignment[mentee[z]] = mentor[z]
    if (np.bincount(assignment, minlength=m) > capacity).any():
        raise AssertionError("milp_rank_maximal: capacity violated")
    got = tuple(np.bincount(rank[z], minlength=R).tolist())
    if got != tuple(signature):
        raise AssertionError(f"milp_rank_maximal: signature {got} != {tuple(signature)}")
    score = float(S[np.arange(n), assignment].sum())
    return tuple(signature), score, assignment


def brute_force_rank_maximal(
    options: Sequence[Sequence[int]], S: Any, capacity: Any
) -> tuple[tuple[int, ...], float, np.ndarray] | None:
    """Same as :func:`milp_rank_maximal` by enumerating every assignment (tiny: n <= 6)."""
    S = np.asarray(S, dtype=float)
    capacity = np.asarray(capacity).reshape(-1)
    n = len(options)
    m = capacity.shape[0]
    opts = _check_options(options, m)
    R = max((len(o) for o in opts), default=0)
    if n > 8:
        raise ValueError("brute_force_rank_maximal is for tiny instances only")
    best: tuple[tuple[int, ...], float] | None = None
    best_assign: tuple[int, ...] | None = None
    for ranks in itertools.product(*(range(len(o)) for o in opts)):
        assign = [opts[i][r] for i, r in enumerate(ranks)]
        load = [0] * m
        for j in assign:
            load[j] += 1
        if any(load[j] > capacity[j] for j in range(m)):
            continue
        sig = [0] * R
        for r in ranks:
            sig[r] += 1
        key = (tuple(sig), float(sum(S[i, j] for i, j in enumerate(assign))))
        if best is None or key > best:
            best, best_assign = key, tuple(assign)
    if best is None:
        return None
    return best[0], best[1], np.asarray(best_assign, dtype=int).reshape(n)


# ================================================================== stable matching
def _mentor_key(mentor_scores: np.ndarray, i: int, j: int) -> tuple[float, int]:
    """Sort key of mentee i in mentor j's order: smaller = more preferred."""
    return (-float(mentor_scores[i, j]), i)


def deferred_acceptance(
    mentee_prefs: Sequence[Sequence[int]], mentor_scores: Any, capacity: Any
) -> np.ndarray:
    """Mentee-proposing Gale-Shapley with capacities: ``match[i]`` mentor index or -1.

    Every mentee who lists mentor j is acceptable to j; j prefers higher
    ``mentor_scores[i, j]``, ties to the lower mentee index, and holds its
    ``capacity[j]`` most preferred proposers.
    """
    mentor_scores = np.asarray(mentor_scores, dtype=float)
    capacity = np.asarray(capacity).reshape(-1)
    m = capacity.shape[0]
    prefs = _check_options(mentee_prefs, m)
    n = len(prefs)
    nxt = [0] * n  # next position in i's list to propose to
    held: list[list[int]] = [[] for _ in range(m)]
    match = np.full(n, -1, dtype=int)
    free = list(range(n - 1, -1, -1))
    while free:
        i = free.pop()
        if nxt[i] >= len(prefs[i]):
            continue  # exhausted list: stays unmatched
        j = prefs[i][nxt[i]]
        nxt[i] += 1
        held[j].append(i)
        held[j].sort(key=lambda a: _mentor_key(mentor_scores, a, j))
        match[i] = j
        while len(held[j]) > capacity[j]:
            out = held[j].pop()
            match[out] = -1
            free.append(out)
    return match


def is_stable(
    match: Any, mentee_prefs: Sequence[Sequence[int]], mentor_scores: Any, capacity: Any
) -> bool:
    """True iff ``match`` is individually rational, within capacity and has no blocking pair.

    A blocking pair (i, j): j is in i's list and i prefers j to ``match[i]`` (or i is
    unmatched), and j has a free seat or holds a mentee it ranks below i.
    """
    match = np.asarray(match, dtype=int).reshape(-1)
    mentor_scores = np.asarray(mentor_scores, dtype=float)
    capacity = np.asarray(capacity).reshape(-1)
    m = capacity.shape[0]
    prefs = _check_options(mentee_prefs, m)
    n = len(prefs)
    if match.shape != (n,):
        return False
    held: list[list[int]] = [[] for _ in range(m)]
    for i, j in enumerate(match.tolist()):
        if j == -1:
            continue
        if j not in prefs[i]:
            return False
        held[j].append(i)
    if any(len(held[j]) > capacity[j] for j in range(m)):
        return False
    for i in range(n):
        cur = prefs[i].index(int(match[i])) if match[i] != -1 else len(prefs[i])
        for j in prefs[i][:cur]:
            if len(held[j]) < capacity[j]:
                return False
            key_i = _mentor_key(mentor_scores, i, j)
            if any(_mentor_key(mentor_scores, a, j) > key_i for a in held[j]):
                return False
    return True


def brute_force_stable_matchings(
    mentee_prefs: Sequence[Sequence[int]], mentor_scores: Any, capacity: Any
) -> list[np.ndarray]:
    """Every stable matching, by enumerating each mentee's list plus "unmatched" (tiny)."""
    capacity = np.asarray(capacity).reshape(-1)
    prefs = _check_options(mentee_prefs, capacity.shape[0])
    if len(prefs) > 8:
        raise ValueError("brute_force_stable_matchings is for tiny instances only")
    out = []
    for choice in itertools.product(*([*p, -1] for p in prefs)):
        match = np.asarray(choice, dtype=int).reshape(len(prefs))
        if is_stable(match, prefs, mentor_scores, capacity):
            out.append(match)
    return out
