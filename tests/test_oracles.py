"""Validate the reference solvers in ``tests/oracles.py`` against brute force.

Each MILP oracle is compared with its enumeration twin on many random tiny instances
(uniform, popular-mentor and tied scores; loose and tight capacities; feasible and
infeasible), the LP relaxation is checked to bound the MILP, and deferred acceptance is
checked against the full set of stable matchings (stable and mentee-optimal).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from oracles import (
    brute_force_rank_maximal,
    brute_force_shortlist,
    brute_force_stable_matchings,
    brute_force_waitlist,
    deferred_acceptance,
    is_stable,
    lp_shortlist_bound,
    milp_rank_maximal,
    milp_shortlist,
    milp_waitlist,
)

TOL = 1e-6


# ---------------------------------------------------------------------------- generators
def random_scores(rng: np.random.Generator, n: int, m: int, kind: str) -> np.ndarray:
    if kind == "uniform":
        return rng.random((n, m))
    if kind == "popular":  # one or two mentors everyone rates far above the rest
        S = rng.random((n, m))
        S[:, rng.choice(m, size=min(m, rng.integers(1, 3)), replace=False)] += 10.0
        return S
    if kind == "ties":
        return rng.integers(0, 3, size=(n, m)).astype(float)
    raise AssertionError(kind)


SCORE_KINDS = ["uniform", "popular", "ties"]


def random_shortlist_instance(rng: np.random.Generator, kind: str) -> dict:
    n = int(rng.integers(1, 5))
    m = int(rng.integers(1, 6))
    k = int(rng.integers(1, min(m, 3) + 1))
    E = rng.random((n, m)) < rng.uniform(0.6, 1.0)
    S = random_scores(rng, n, m, kind)
    S[~E] = np.nan  # the oracles must not read S off E
    if rng.random() < 0.6:  # tight: total capacity around n
        capacity = rng.multinomial(n + int(rng.integers(0, 2)), np.ones(m) / m)
    else:
        capacity = rng.integers(0, 3, size=m)
    if rng.random() < 0.4:
        exposure = np.full(m, n)
    else:  # tight exposure: total exposure around n * k
        exposure = np.maximum(capacity, rng.integers(-(-n * k // m), n + 1, size=m))
    inst = dict(S=S, E=E, capacity=capacity, exposure=exposure, k=k)
    if rng.random() < 0.4:
        inst["groups"] = rng.choice(np.array(["a", "b", "c"]), size=m)
        inst["max_per_group"] = int(rng.integers(1, 3))
    return inst


def random_prefs(rng: np.random.Generator, n: int, m: int, allow_empty: bool) -> list[list[int]]:
    lo = 0 if allow_empty else 1
    return [rng.permutation(m)[: int(rng.integers(lo, m + 1))].tolist() for _ in range(n)]


# ---------------------------------------------------------------------------- checkers
def check_shortlist_solution(inst: dict, X: np.ndarray, Y: np.ndarray) -> None:
    E, k = inst["E"], inst["k"]
    assert X.dtype == bool and Y.dtype == bool and X.shape == Y.shape == E.shape
    assert not (X & ~E).any()
    assert (X.sum(axis=1) == k).all()
    assert (X.sum(axis=0) <= inst["exposure"]).all()
    if "groups" in inst:
        for g in np.unique(inst["groups"]):
            assert (X[:, inst["groups"] == g].sum(axis=1) <= inst["max_per_group"]).all()
    assert not (Y & ~X).any()
    assert (Y.sum(axis=1) == 1).all()
    assert (Y.sum(axis=0) <= inst["capacity"]).all()


def check_rank_solution(options, S, capacity, result) -> None:
    sig, score, assign = result
    n = len(options)
    assert assign.shape == (n,)
    assert all(int(assign[i]) in options[i] for i in range(n))
    assert (np.bincount(assign, minlength=len(capacity)) <= capacity).all()
    R = max(len(o) for o in options)
    counts = [0] * R
    for i in range(n):
        counts[options[i].index(int(assign[i]))] += 1
    assert tuple(counts) == sig
    assert score == pytest.approx(float(S[np.arange(n), assign].sum()), abs=1e-9)


def mentee_rank(prefs: list[int], j: int) -> int:
    return prefs.index(j) if j != -1 else len(prefs)


# ---------------------------------------------------------------------------- shortlist
@pytest.mark.parametrize("kind", SCORE_KINDS)
def test_milp_shortlist_matches_brute_force(kind: str) -> None:
    feasible = infeasible = lp_strict = 0
    for seed in range(150):
        rng = np.random.default_rng([1, SCORE_KINDS.index(kind), seed])
        inst = random_shortlist_instance(rng, kind)
        got = milp_shortlist(**inst)
        want = brute_force_shortlist(**inst)
        bound = lp_shortlist_bound(**inst)
        if want is None:
            infeasible += 1
            assert got is None, (seed, inst)
            continue
        feasible += 1
        assert got is not None, (seed, inst)
        obj, X, Y = got
        assert obj == pytest.approx(want, abs=TOL), (seed, inst)
        check_shortlist_solution(inst, X, Y)
        assert obj == pytest.approx(float(inst["S"][X].sum()), abs=1e-9)
        assert bound is not None and bound >= obj - TOL, (seed, inst, bound)
        lp_strict += bound > obj + TOL
    # the generator must exercise both outcomes
    assert feasible >= 30 and infeasible >= 10, (feasible, infeasible)


def test_shortlist_coverage_binds() -> None:
    # Both mentees love mentor 0, who can take one; without coverage both would list only 0.
    S = np.array([[5.0, 1.0], [5.0, 1.0]])
    E = np.ones((2, 2), bool)
    obj, X, Y = milp_shortlist(S, E, capacity=[1, 1], exposure=[2, 2], k=1)
    assert obj == 6.0
    assert X.sum(axis=0).tolist() == [1, 1] and (X == Y).all()
    assert brute_force_shortlist(S, E, [1, 1], [2, 2], 1) == 6.0
    # k = 2: both list both, coverage is then free
    assert milp_shortlist(S, E, [1, 1], [2, 2], 2)[0] == 12.0
    # exposure 1 on mentor 0 and capacity 0 on mentor 1: nobody can cover mentee 2
    assert milp_shortlist(S, E, [1, 0], [1, 2], 1) is None
    assert brute_force_shortlist(S, E, [1, 0], [1, 2], 1) is None


def test_shortlist_groups_and_degenerate_cases() -> None:
    S = np.array([[3.0, 2.0, 1.0]])
    E = np.ones((1, 3), bool)
    groups = np.array(["x", "x", "y"])
    obj, X, _ = milp_shortlist(S, E, [1, 1, 1], [1, 1, 1], 2, groups, 1)
    assert obj == 4.0 and X.tolist() == [[True, False, True]]
    assert milp_shortlist(S, E, [1, 1, 1], [1, 1, 1], 3, groups, 1) is None
    assert brute_force_shortlist(S, E, [1, 1, 1], [1, 1, 1], 3, groups, 1) is None
    # k = 0 cannot cover anybody; a mentee with no eligible mentor cannot be covered
    assert milp_shortlist(S, E, [1, 1, 1], [1, 1, 1], 0) is None
    assert milp_shortlist(S, np.zeros((1, 3), bool), [1, 1, 1], [1, 1, 1], 1) is None
    assert lp_shortlist_bound(S, np.zeros((1, 3), bool), [1, 1, 1], [1, 1, 1], 1) is None
    # fewer eligible mentors than k
    E1 = np.array([[True, False, False]])
    assert milp_shortlist(S, E1, [1, 1, 1], [1, 1, 1], 2) is None
    assert brute_force_shortlist(S, E1, [1, 1, 1], [1, 1, 1], 2) is None
    # no mentees
    obj, X, Y = milp_shortlist(np.zeros((0, 3)), np.zeros((0, 3), bool), [1] * 3, [1] * 3, 1)
    assert obj == 0.0 and X.shape == Y.shape == (0, 3)
    with pytest.raises(ValueError):
        milp_shortlist(S, E, [1, 1, 1], [1, 1, 1], 1, groups=groups)


def test_shortlist_medium_instance_lp_bound() -> None:
    rng = np.random.default_rng(7)
    n, m, k = 60, 15, 3
    E = rng.random((n, m)) < 0.6
    S = rng.random((n, m)) + np.linspace(0, 2, m)  # later mentors are popular
    capacity = rng.integers(3, 7, size=m)
    exposure = capacity * 3
    groups = np.arange(m) % 4
    got = milp_shortlist(S, E, capacity, exposure, k, groups, 2)
    assert got is not None
    obj, X, Y = got
    check_shortlist_solution(
        dict(E=E, k=k, capacity=capacity, exposure=exposure, groups=groups, max_per_group=2),
        X,
        Y,
    )
    assert lp_shortlist_bound(S, E, capacity, exposure, k, groups, 2) >= obj - TOL


# ---------------------------------------------------------------------------- rank-maximal
@pytest.mark.parametrize("kind", SCORE_KINDS)
def test_milp_rank_maximal_matches_brute_force(kind: str) -> None:
    feasible = infeasible = 0
    for seed in range(120):
        rng = np.random.default_rng([2, SCORE_KINDS.index(kind), seed])
        n = int(rng.integers(1, 7))
        m = int(rng.integers(1, 5))
        options = random_prefs(rng, n, m, allow_empty=rng.random() < 0.1)
        S = random_scores(rng, n, m, kind)
        if rng.random() < 0.5:  # tight
            capacity = rng.multinomial(n, np.ones(m) / m)
        else:
            capacity = rng.integers(0, 3, size=m)
        got = milp_rank_maximal(options, S, capacity)
        want = brute_force_rank_maximal(options, S, capacity)
        if want is None:
            infeasible += 1
            assert got is None, (seed, options, capacity)
            continue
        feasible += 1
        assert got is not None, (seed, options, capacity)
        check_rank_solution(options, S, capacity, got)
        check_rank_solution(options, S, capacity, want)
        assert got[0] == want[0], (seed, options, capacity)
        assert got[1] == pytest.approx(want[1], abs=TOL), (seed, options, capacity)
        assert len(got[0]) == max(len(o) for o in options) and sum(got[0]) == n
    assert feasible >= 30 and infeasible >= 10, (feasible, infeasible)


def test_rank_maximal_hand_example() -> None:
    # Mentees 0 and 1 both want mentor 0 first (capacity 1); mentee 1's second choice is
    # mentor 1, which mentee 2 also ranks first. Max #first choices is 2: {0->0, 2->1} and
    # 1 -> its third choice, or {1->0, 2->1} and 0 -> 2 (its second choice): the latter has
    # the better signature (2, 1, 0) vs (2, 0, 1).
    options = [[0, 2], [0, 1, 2], [1]]
    S = np.zeros((3, 3))
    got = milp_rank_maximal(options, S, [1, 1, 1])
    assert got[0] == (2, 1, 0)
    assert got[2].tolist() == [2, 0, 1]
    assert brute_force_rank_maximal(options, S, [1, 1, 1])[0] == (2, 1, 0)
    # scores break ties between equal signatures
    S2 = np.array([[0.0, 0.0], [0.0, 0.0]])
    S2[1, 0] = 1.0
    sig, score, assign = milp_rank_maximal([[0, 1], [1, 0]], S2, [1, 1])
    assert sig == (2, 0) and assign.tolist() == [0, 1] and score == 0.0
    sig, score, assign = milp_rank_maximal([[0, 1], [0, 1]], S2, [1, 1])
    assert sig == (1, 1) and assign.tolist() == [1, 0] and score == 1.0
    # empty list / no capacity: infeasible; no mentees: trivial
    assert milp_rank_maximal([[0], []], S2, [1, 1]) is None
    assert milp_rank_maximal([[0], [0]], S2, [1, 1]) is None
    sig, score, assign = milp_rank_maximal([], np.zeros((0, 2)), [1, 1])
    assert sig == () and score == 0.0 and assign.shape == (0,)


# ---------------------------------------------------------------------------- stable matching
def test_deferred_acceptance_is_mentee_optimal_stable() -> None:
    nonempty = 0
    for seed in range(400):
        rng = np.random.default_rng([3, seed])
        n = int(rng.integers(1, 7))
        m = int(rng.integers(1, 5))
        if seed % 3 == 0:  # complete lists, unit capacities: many stable matchings
            m = n = int(rng.integers(2, 6))
            prefs = [rng.permutation(m).tolist() for _ in range(n)]
            scores = rng.random((n, m))
            capacity = np.ones(m, int)
        else:
            prefs = random_prefs(rng, n, m, allow_empty=True)
            scores = (
                rng.integers(0, 3, size=(n, m)).astype(float)
                if seed % 3 == 1
                else random_scores(rng, n, m, "popular")
            )
            capacity = rng.integers(0, 3, size=m)
        match = deferred_acceptance(prefs, scores, capacity)
        assert is_stable(match, prefs, scores, capacity), seed
        stable = brute_force_stable_matchings(prefs, scores, capacity)
        assert any((s == match).all() for s in stable), seed
        for s in stable:
            for i in range(n):
                assert mentee_rank(prefs[i], int(match[i])) <= mentee_rank(prefs[i], int(s[i]))
            # rural hospitals: same matched mentees and mentor loads in every stable matching
            assert ((s == -1) == (match == -1)).all(), seed
            assert (
                np.bincount(s[s >= 0], minlength=m) == np.bincount(match[match >= 0], minlength=m)
            ).all()
        nonempty += len(stable) > 1
    assert nonempty >= 20  # several instances have more than one stable matching


def test_deferred_acceptance_hand_example() -> None:
    # Classic 3x3 latin square, unit capacities: mentee i ranks i, i+1, i+2 and mentor j
    # ranks j+1, j+2, j (mod 3). Three stable matchings; DA gives every mentee their first
    # choice, the mentor-optimal one gives every mentor theirs.
    prefs = [[0, 1, 2], [1, 2, 0], [2, 0, 1]]
    scores = np.array([[1, 2, 3], [3, 1, 2], [2, 3, 1]], dtype=float)  # [mentee, mentor]
    match = deferred_acceptance(prefs, scores, [1, 1, 1])
    assert match.tolist() == [0, 1, 2]
    stable = sorted(s.tolist() for s in brute_force_stable_matchings(prefs, scores, [1, 1, 1]))
    assert stable == [[0, 1, 2], [1, 2, 0], [2, 0, 1]]
    # capacity 2, ties broken by lower mentee index
    match = deferred_acceptance([[0], [0], [0]], np.ones((3, 1)), [2])
    assert match.tolist() == [0, 0, -1]
    assert not is_stable(np.array([0, -1, 0]), [[0], [0], [0]], np.ones((3, 1)), [2])
    # a mentor never takes someone who did not list them; over-capacity is not stable
    assert not is_stable(np.array([1]), [[0]], np.ones((1, 2)), [1, 1])
    assert not is_stable(np.array([0, 0]), [[0], [0]], np.ones((2, 1)), [1])


@pytest.mark.parametrize("seed", range(30))
def test_milp_waitlist_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m, k = int(rng.integers(2, 6)), int(rng.integers(2, 4)), int(rng.integers(1, 3))
    E = rng.random((n, m)) < 0.7
    E[:, :k] = True  # every mentee has k eligible mentors
    S = np.round(rng.random((n, m)), 2)
    capacity = rng.integers(0, 3, m)
    exposure = rng.integers(1, n + 1, m)
    classes = rng.integers(0, 2, n)
    got = milp_waitlist(S, E, capacity, exposure, k, classes)
    want = brute_force_waitlist(S, E, capacity, exposure, k, classes)
    if want is None:
        assert got is None
    else:
        assert got is not None and got[0] == pytest.approx(want, abs=1e-9)
