"""`crossmatch.match`: direct matching with several mentors, waitlist, priority, fixed
pairs, history and the max-min objective, checked against SciPy MILP and max-flow oracles
written here from the problem statement (nothing below calls crossmatch's solvers)."""

from __future__ import annotations

import dataclasses
import sys

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracles import max_cover_count
from scipy.optimize import Bounds, LinearConstraint, milp

import crossmatch as cm
from crossmatch.errors import InfeasibleError, ParameterError, ValidationError

MILP_OPTIONS = {"disp": False, "mip_rel_gap": 0.0}
MODULE = sys.modules["crossmatch.solve.match"]  # the package exports the function `match`
FLOW = sys.modules["crossmatch.solve.match_pricing"]


@pytest.fixture(params=["direct", "priced", "priced-no-rounds"])
def pricing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test twice: one flow over every pair, and the priced path (a flow on each
    person's best pairs, then pairs with a negative reduced cost join, one per mentee
    and round) that large networks take; and that path's fallback (one flow over every
    pair when the rounds run out)."""
    if request.param == "priced-no-rounds":
        monkeypatch.setattr(FLOW, "PRICE_ROUNDS", 0)
    if request.param.startswith("priced"):
        monkeypatch.setattr(FLOW, "PRICE_ABOVE", 0)
        monkeypatch.setattr(FLOW, "PRICE_RATIO", 0)
        monkeypatch.setattr(FLOW, "PRICE_START", 0)
        monkeypatch.setattr(FLOW, "PRICE_ENTER", 1)
    return str(request.param)


# ---------------------------------------------------------------------------- instances
def instance(
    seed: int,
    n: int = 8,
    m: int = 4,
    *,
    density: float = 0.6,
    cap: tuple[int, int] = (1, 3),
    negative: bool = False,
) -> cm.Scores:
    """Small random scores with popular mentors (high appeal, many eligible mentees) and
    tight capacity; often oversubscribed."""
    rng = np.random.default_rng(seed)
    appeal = rng.normal(size=m)
    s = np.round(rng.random((n, m)) + 0.5 * appeal[None, :], 3)
    if not negative:
        s = np.abs(s)
    p_elig = np.clip(density + 0.25 * appeal, 0.1, 1.0)[None, :]
    elig = rng.random((n, m)) < p_elig
    mat = np.where(elig, s, np.nan)
    capacity = rng.integers(cap[0], cap[1] + 1, size=m)
    return cm.Scores.from_matrix(
        mat,
        mentee_ids=[f"e{i}" for i in range(n)],
        mentor_ids=[f"r{j}" for j in range(m)],
        capacity=capacity,
    )


# ---------------------------------------------------------------------------- oracles
def milp_match(
    S: np.ndarray,
    E: np.ndarray,
    capacity: np.ndarray,
    p: int,
    classes: np.ndarray | None = None,
    forbid: np.ndarray | None = None,
    maxmin: bool = False,
) -> dict:
    """The problem as a MILP: x_ij on eligible pairs, y_i = mentee covered.

    y_i <= sum_j x_ij <= p y_i, x_ij <= y_i, sum_i x_ij <= c_j. Stages: maximise the covered
    count of each class in turn (0 = highest; fixing each), then (maxmin) the floor z
    with z <= value_i + M (1 - y_i), then the total."""
    n, m = S.shape
    ok = E if forbid is None else E & ~forbid
    ii, jj = np.nonzero(ok)
    q = len(ii)
    nv = q + n + 1
    A = sp.lil_matrix((4 * n + m + q + 10, nv))
    rows, lo, hi = [], [], []
    r = 0
    for i in range(n):  # sum_j x_ij - p y_i <= 0
        for k in np.flatnonzero(ii == i):
            A[r, k] = 1
        A[r, q + i] = -p
        lo.append(-np.inf), hi.append(0), rows.append(r)
        r += 1
        for k in np.flatnonzero(ii == i):  # y_i - sum_j x_ij <= 0
            A[r, k] = -1
        A[r, q + i] = 1
        lo.append(-np.inf), hi.append(0), rows.append(r)
        r += 1
    for k in range(q):  # x_ij - y_i <= 0
        A[r, k] = 1
        A[r, q + ii[k]] = -1
        lo.append(-np.inf), hi.append(0), rows.append(r)
        r += 1
    for j in range(m):
        for k in np.flatnonzero(jj == j):
            A[r, k] = 1
        lo.append(-np.inf), hi.append(capacity[j]), rows.append(r)
        r += 1
    big = 2 * p * (np.abs(S[ok]).max(initial=1.0)) + 1
    for i in range(n):  # z - sum_j s_ij x_ij + big y_i <= big
        for k in np.flatnonzero(ii == i):
            A[r, k] = -S[ii[k], jj[k]]
        A[r, q + i] = big
        A[r, nv - 1] = 1
        lo.append(-np.inf), hi.append(big if maxmin else np.inf), rows.append(r)
        r += 1
    A = A[:r].tocsr()
    cons = [LinearConstraint(A, np.array(lo), np.array(hi))]
    integrality = np.r_[np.ones(q + n), 0]
    bounds = Bounds(np.r_[np.zeros(q + n), -big], np.r_[np.ones(q + n), big])
    klass = np.zeros(n, int) if classes is None else classes
    counts = []
    for c in range(int(klass.max()) + 1):
        obj = np.zeros(nv)
        obj[q + np.flatnonzero(klass == c)] = -1
        res = milp(
            obj, constraints=cons, integrality=integrality, bounds=bounds, options=MILP_OPTIONS
        )
        best = round(-res.fun)
        counts.append(best)
        cons.append(LinearConstraint(-obj[None, :], best, best))
    floor = None
    if maxmin:
        obj = np.zeros(nv)
        obj[-1] = -1
        res = milp(
            obj, constraints=cons, integrality=integrality, bounds=bounds, options=MILP_OPTIONS
        )
        floor = float(res.x[-1])
        cons.append(LinearConstraint(-obj[None, :], floor - 1e-7, np.inf))
    obj = np.r_[-S[ii, jj], np.zeros(n + 1)]
    res = milp(obj, constraints=cons, integrality=integrality, bounds=bounds, options=MILP_OPTIONS)
    return {"counts": counts, "coverage": sum(counts), "total": -res.fun, "floor": floor}


def check_valid(a: cm.Assignment, s: cm.Scores, p: int) -> None:
    """The checks every answer must pass: eligible pairs, distinct mentors, counts,
    capacity, reasons exactly for the unmatched."""
    mentors = a.mentors
    assert mentors.shape == (s.n_mentees, p)
    assert np.array_equal(a.mentor, mentors[:, 0])
    for i, row in enumerate(mentors):
        got = row[row >= 0]
        assert len(set(got.tolist())) == len(got)
        assert np.all(row[len(got) :] == -1)  # padding at the end
        assert all(s.eligible[i, j] for j in got)
        assert (a.reason[i] is None) == (len(got) > 0)
    assert np.all(a.load() <= s.capacity)
    i, k = np.nonzero(mentors >= 0)
    assert a.total_score == pytest.approx(float(s.total[i, mentors[i, k]].sum()))


# ---------------------------------------------------------------------------- oracle tests
@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("p", [1, 2, 3])
def test_lexicographic_objective_matches_milp(seed: int, p: int, pricing: str) -> None:
    s = instance(seed, negative=seed % 4 == 3)
    a = cm.match(s, per_mentee=p, waitlist=True)
    check_valid(a, s, p)
    E = np.asarray(s.eligible)
    oracle = milp_match(np.asarray(s.total), E, s.capacity, p)
    assert int(a.matched.sum()) == max_cover_count(E, s.capacity) == oracle["coverage"]
    assert a.total_score == pytest.approx(oracle["total"], abs=1e-6)
    assert a.info["coverage"] == oracle["coverage"]


@pytest.mark.parametrize("seed", range(10))
def test_maxmin_single_mentor_matches_milp(seed: int, pricing: str) -> None:
    s = instance(seed, n=9, m=4, cap=(1, 4))
    a = cm.match(s, waitlist=True, objective="maxmin")
    b = cm.match(s, waitlist=True)
    check_valid(a, s, 1)
    oracle = milp_match(np.asarray(s.total), np.asarray(s.eligible), s.capacity, 1, maxmin=True)
    assert int(a.matched.sum()) == oracle["coverage"]
    ok = a.matched
    worst = float(s.total[np.flatnonzero(ok), a.mentor[ok]].min())
    assert worst == pytest.approx(oracle["floor"], abs=1e-9)
    assert a.info["floor"] == pytest.approx(worst)
    assert a.total_score == pytest.approx(oracle["total"], abs=1e-6)
    assert a.info["price_of_fairness"] == pytest.approx(b.total_score - a.total_score)
    assert a.info["price_of_fairness"] >= -1e-9


@pytest.mark.parametrize("seed", range(8))
def test_maxmin_several_mentors_matches_milp(seed: int) -> None:
    s = instance(seed, n=7, m=4, cap=(1, 3))
    a = cm.match(s, per_mentee=2, waitlist=True, objective="maxmin")
    check_valid(a, s, 2)
    oracle = milp_match(np.asarray(s.total), np.asarray(s.eligible), s.capacity, 2, maxmin=True)
    value = np.where(
        a.mentors >= 0, np.asarray(s.total)[np.arange(7)[:, None], np.maximum(a.mentors, 0)], 0
    ).sum(1)
    assert int(a.matched.sum()) == oracle["coverage"]
    assert value[a.matched].min() == pytest.approx(oracle["floor"], abs=1e-6)
    assert a.total_score == pytest.approx(oracle["total"], abs=1e-6)
    assert a.info["status"] == "optimal"


@pytest.mark.parametrize("seed", range(10))
def test_priority_classes_match_sequential_milp(seed: int, pricing: str) -> None:
    s = instance(seed, n=9, m=3, cap=(1, 2))
    rng = np.random.default_rng(100 + seed)
    prio = rng.integers(0, 3, size=9)  # higher first
    a = cm.match(s, per_mentee=2, waitlist=True, priority=prio)
    check_valid(a, s, 2)
    classes = np.unique(-prio, return_inverse=True)[1]
    oracle = milp_match(np.asarray(s.total), np.asarray(s.eligible), s.capacity, 2, classes=classes)
    got = [int(a.matched[classes == c].sum()) for c in range(classes.max() + 1)]
    assert got == oracle["counts"]
    assert a.total_score == pytest.approx(oracle["total"], abs=1e-6)
    # the mapping form gives the same answer
    by_id = cm.match(
        s,
        per_mentee=2,
        waitlist=True,
        priority=dict(zip(s.mentee_ids.tolist(), prio.tolist(), strict=True)),
    )
    assert np.array_equal(by_id.mentors, a.mentors)


def test_priority_decides_who_waits() -> None:
    # two mentees want the only place; the one with priority gets it whatever the scores
    s = cm.Scores.from_matrix(
        np.array([[0.9], [0.1]]), mentee_ids=["a", "b"], mentor_ids=["x"], capacity=[1]
    )
    assert cm.match(s, waitlist=True).mentor.tolist() == [0, -1]
    assert cm.match(s, waitlist=True, priority={"a": 0, "b": 1}).mentor.tolist() == [-1, 0]


# ---------------------------------------------------------------------------- behaviour
def test_single_mentor_fields_keep_working() -> None:
    s = instance(1)
    a = cm.match(s, waitlist=True)
    assert a.per_mentee == 1 and a.mentors.shape == (8, 1)
    f = a.to_frame()
    assert list(f.columns) == ["mentee_id", "mentor_id", "preference", "score", "reason"]
    assert len(f) == 8


def test_several_mentors_frame_one_row_per_pair() -> None:
    s = instance(2, n=10, m=4)
    a = cm.match(s, per_mentee=3, waitlist=True)
    f = a.to_frame()
    assert list(f.columns) == ["mentee_id", "mentor_id", "slot", "preference", "score", "reason"]
    assert len(f) == int((a.mentors >= 0).sum()) + int((~a.matched).sum())
    assert f["mentor_id"].isna().sum() == int((~a.matched).sum())
    assert f["score"].sum() == pytest.approx(a.total_score)
    assert (f.groupby("mentee_id")["mentor_id"].count() <= 3).all()
    # best first within a mentee
    for _, g in f.dropna(subset=["mentor_id"]).groupby("mentee_id"):
        assert list(g["score"]) == sorted(g["score"], reverse=True)


def test_infeasible_without_waitlist_names_who_and_why() -> None:
    s = cm.Scores.from_matrix(
        np.array([[0.5, np.nan], [0.4, np.nan], [0.3, np.nan], [np.nan, np.nan]]),
        mentee_ids=["a", "b", "c", "d"],
        mentor_ids=["x", "y"],
        capacity=[2, 1],
    )
    with pytest.raises(InfeasibleError) as e:
        cm.match(s)
    assert set(e.value.who) == {"c", "d"}
    text = str(e.value)
    assert "3 mentees compete for 2 places" in text
    assert "no eligible mentor under rule 'no score'" in text
    assert "waitlist=True" in text
    a = cm.match(s, waitlist=True)
    assert a.mentor.tolist() == [0, 0, -1, -1]
    assert a.reason[2].startswith("3 mentees compete for 2 places among the 1 mentor ")
    assert a.reason[3].startswith("no eligible mentor under rule 'no score' (2 mentors)")
    assert a.info["waitlisted"] == 2


def test_fixed_pairs_are_kept_and_counted() -> None:
    s = instance(3, n=8, m=4, cap=(2, 3))
    free = cm.match(s, per_mentee=2, waitlist=True)
    i, j = next(
        (i, j)
        for i, j in zip(*np.nonzero(np.asarray(s.eligible)), strict=True)
        if j not in free.mentors[i]
    )
    a = cm.match(s, per_mentee=2, waitlist=True, fixed={s.mentee_ids[i]: [s.mentor_ids[j]]})
    check_valid(a, s, 2)
    assert j in a.mentors[i]
    # the oracle with the fixed pair forced
    forced = milp_match_fixed(s, 2, i, j)
    assert a.total_score == pytest.approx(forced, abs=1e-6)


def milp_match_fixed(s: cm.Scores, p: int, i: int, j: int) -> float:
    """Best coverage-then-total with pair (i, j) fixed: the pair's score plus the MILP on
    the rest (mentee i keeps p - 1 places and is covered, mentor j has one place less)."""
    S, E = np.asarray(s.total), np.asarray(s.eligible).copy()
    cap = s.capacity.copy()
    cap[j] -= 1
    E[i, j] = False
    # mentee i is covered already: a private mentor of its own, worth so much that it is
    # always taken, holds the fixed pair's place (covered, one slot used)
    extra = np.full((S.shape[0], 1), 1000.0)
    ext = np.hstack([S, extra])
    e2 = np.hstack([E, np.zeros((S.shape[0], 1), bool)])
    e2[i, -1] = True
    c2 = np.r_[cap, 1]
    res = milp_match(ext, e2, c2, p)
    return float(S[i, j] + res["total"] - 1000.0)


def test_fixed_validation_lists_every_problem() -> None:
    s = cm.Scores.from_matrix(
        np.array([[0.5, np.nan], [0.4, 0.2]]),
        mentee_ids=["a", "b"],
        mentor_ids=["x", "y"],
        capacity=[1, 1],
    )
    with pytest.raises(ValidationError) as e:
        cm.match(s, fixed={"a": "y", "zz": "x", "b": ["x", "x"]})
    text = str(e.value)
    assert "not an eligible pair (no score)" in text
    assert "unknown mentee id" in text
    assert "a mentor is fixed twice" in text


def test_history_pairs_are_ineligible_with_the_round() -> None:
    s = instance(4, n=6, m=3, cap=(2, 3))
    first = cm.match(s, waitlist=True)
    past = first.to_frame().dropna(subset=["mentor_id"])[["mentee_id", "mentor_id"]]
    past = past.assign(round=1)
    second = cm.match(s, waitlist=True, history=past)
    for (_, row), j in zip(first.to_frame().iterrows(), second.mentor, strict=True):
        if j >= 0:
            assert s.mentor_ids[j] != row["mentor_id"]
    hist = cm.Scores.from_matrix(
        np.array([[0.9]]), mentee_ids=["a"], mentor_ids=["x"], capacity=[1]
    )
    a = cm.match(
        hist,
        waitlist=True,
        history=pd.DataFrame(
            {"mentee_id": ["a", "a", "gone"], "mentor_id": ["x", "x", "x"], "round": [1, 2, 2]}
        ),
    )
    assert a.reason[0] == "no eligible mentor under rule 'paired before (round 2)' (1 mentors)"
    assert a.info["history_rows_ignored"] == 1


def test_history_gives_last_rounds_waitlist_priority() -> None:
    s = cm.Scores.from_matrix(
        np.array([[0.9], [0.1]]), mentee_ids=["a", "b"], mentor_ids=["x"], capacity=[1]
    )
    history = pd.DataFrame(
        {"mentee_id": ["b"], "mentor_id": [None], "round": [1], "outcome": ["waitlisted"]}
    )
    assert cm.match(s, waitlist=True, history=history).mentor.tolist() == [-1, 0]
    # an explicit priority overrides the derived one
    assert cm.match(s, waitlist=True, history=history, priority=[0, 0]).mentor.tolist() == [0, -1]


def test_answer_does_not_depend_on_row_order() -> None:
    s = instance(5, n=10, m=4)
    a = cm.match(s, per_mentee=2, waitlist=True)
    perm = np.random.default_rng(0).permutation(10)
    t = s.take(perm)
    b = cm.match(t, per_mentee=2, waitlist=True)
    assert np.array_equal(b.mentors, a.mentors[perm])


def test_candidate_scores_match_the_dense_answer_when_nothing_is_pruned() -> None:
    ee, mr = cm.synthetic_cohort(120, 30, seed=1, capacity=(2, 6))
    cohort = cm.Cohort.from_frames(ee, mr)
    dense = cm.score(cohort)
    cands = cm.score_candidates(cohort, per_mentee=30, per_mentor=120)
    a = cm.match(dense, per_mentee=3, waitlist=True)
    b = cm.match(cands, per_mentee=3, waitlist=True)
    assert a.info["coverage"] == b.info["coverage"]
    assert a.total_score == pytest.approx(b.total_score, rel=1e-6)
    assert b.info["bound"] >= b.total_score - 1e-6


def test_candidate_bound_holds_when_pruned() -> None:
    ee, mr = cm.synthetic_cohort(200, 40, seed=2, capacity=(1, 3))  # oversubscribed
    cohort = cm.Cohort.from_frames(ee, mr)
    full = cm.match(cm.score(cohort), per_mentee=2, waitlist=True)
    cands = cm.score_candidates(cohort, per_mentee=2, per_mentor=3)
    b = cm.match(cands, per_mentee=2, waitlist=True)
    assert b.info["bound"] >= full.total_score - 1e-4
    # pricing against the flow's potentials makes it the full matrix's optimum
    assert b.info["priced"]
    assert b.total_score == pytest.approx(full.total_score, abs=1e-5)
    # the pruned candidates alone cover fewer; widening restores the full coverage
    assert b.info["widening_rounds"] >= 1
    assert b.info["coverage"] == full.info["coverage"]
    check_valid_candidates(b, cands)


def check_valid_candidates(a: cm.Assignment, cands: cm.CandidateScores) -> None:
    """Every pair eligible in the full matrix (scored again from the cohort), capacity."""
    i, k = np.nonzero(a.mentors >= 0)
    j = a.mentors[i, k]
    dense = cm.score(cands.cohort, cands.config)
    assert np.asarray(dense.eligible)[i, j].all()
    assert np.allclose(np.asarray(a.scores.total[i, j]), np.asarray(dense.total)[i, j], atol=1e-6)
    assert np.all(a.load() <= cands.capacity)


def test_parameters_checked_at_the_door() -> None:
    s = instance(0)
    with pytest.raises(ParameterError, match="per_mentee"):
        cm.match(s, per_mentee=0)
    with pytest.raises(ParameterError, match="objective"):
        cm.match(s, objective="fair")
    with pytest.raises(ParameterError, match="scores"):
        cm.match(np.zeros((2, 2)))
    with pytest.raises(ValidationError, match="one number per mentee"):
        cm.match(s, priority=[1, 2])
    with pytest.raises(ValidationError, match="mentor_id"):
        cm.match(s, history=pd.DataFrame({"mentee_id": ["e0"]}))


# ---------------------------------------------------------------------------- properties
@st.composite
def problems(draw: st.DrawFn) -> tuple[cm.Scores, int, np.ndarray, pd.DataFrame]:
    n = draw(st.integers(1, 7))
    m = draw(st.integers(1, 4))
    vals = draw(st.lists(st.one_of(st.none(), st.integers(-5, 20)), min_size=n * m, max_size=n * m))
    mat = np.array([np.nan if v is None else v / 10 for v in vals]).reshape(n, m)
    cap = draw(st.lists(st.integers(0, 3), min_size=m, max_size=m))
    p = draw(st.integers(1, 3))
    prio = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    past = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, m - 1)), max_size=4))
    s = cm.Scores.from_matrix(
        mat, mentee_ids=list(range(n)), mentor_ids=[f"r{j}" for j in range(m)], capacity=cap
    )
    hist = pd.DataFrame(
        {"mentee_id": [i for i, _ in past], "mentor_id": [f"r{j}" for _, j in past], "round": 1}
    )
    return s, p, prio, hist


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_properties(case: tuple[cm.Scores, int, np.ndarray, pd.DataFrame]) -> None:
    s, p, prio, hist = case
    a = cm.match(s, per_mentee=p, waitlist=True, priority=prio, history=hist)
    check_valid(a, s, p)
    past = set(zip(hist["mentee_id"], hist["mentor_id"], strict=True))
    for i, row in enumerate(a.mentors):
        for j in row[row >= 0]:
            assert (s.mentee_ids[i], s.mentor_ids[j]) not in past  # no past pair repeated
    # priority respected: the class counts are lexicographically best (MILP oracle)
    forbid = np.zeros(s.shape, bool)
    for i, j in past:
        forbid[i, int(j[1:])] = True
    classes = np.unique(-prio, return_inverse=True)[1]
    oracle = milp_match(
        np.asarray(s.total), np.asarray(s.eligible), s.capacity, p, classes=classes, forbid=forbid
    )
    got = [int(a.matched[classes == c].sum()) for c in range(classes.max() + 1)]
    assert got == oracle["counts"]
    assert a.total_score == pytest.approx(oracle["total"], abs=1e-6)


def test_maxmin_several_mentors_needs_a_time_limit_when_large(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(MODULE, "MILP_PAIRS", 5)
    s = instance(0)
    with pytest.raises(ValueError, match="time_limit"):
        cm.match(s, per_mentee=2, waitlist=True, objective="maxmin")
    a = cm.match(s, per_mentee=2, waitlist=True, objective="maxmin", time_limit=30)
    assert a.info["status"] in ("optimal", "feasible")
    check_valid(a, s, 2)


def test_candidates_with_no_candidate_pair_say_so() -> None:
    ee, mr = cm.synthetic_cohort(60, 12, seed=4, capacity=(1, 2))
    cands = cm.score_candidates(cm.Cohort.from_frames(ee, mr), per_mentee=2, per_mentor=2)
    # drop every candidate pair of one mentee that has eligible mentors in the full matrix
    row = int(np.flatnonzero(cands.n_eligible > 3)[0])
    mine = cands.rows == row
    cut = cands.with_exclusions((cands.rows[mine], cands.cols[mine]), reason="test")
    cut = dataclasses.replace(cut, n_eligible=cands.n_eligible)
    a = cm.match(cut, waitlist=True)
    assert a.reason[row].startswith("no candidate pair")
    assert "per_mentee or per_mentor" in a.reason[row]
    other = [r for r in a.reason if r and not r.startswith("no ")]
    assert other and all("of their candidate pairs" in r for r in other)


def test_assignment_mentors_must_agree_with_mentor() -> None:
    s = instance(0)
    a = cm.match(s, per_mentee=2, waitlist=True)
    bad = a.mentors.copy()
    bad[:, 0] = -1
    with pytest.raises(ValueError, match="first column"):
        dataclasses.replace(a, mentors=bad)
    one = dataclasses.replace(a, mentors=np.zeros((0, 1), np.int64))
    assert one.mentors.shape == (8, 1) and one.per_mentee == 1
