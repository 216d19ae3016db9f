"""`shortlist(objective="maxmin")`: the floor of the recommended pairs, then the total.

Oracle: SciPy's HiGHS MILP of the shortlist problem with the covering assignment y
restricted to pairs scoring at least t (the model of ``oracles._shortlist_model`` with
per-variable bounds): the best floor is the largest pair score t for which that MILP is
feasible (found by scanning every score), and the total is its optimum there.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import _shortlist_model
from scipy.optimize import Bounds, LinearConstraint, milp

import crossmatch as cm
from crossmatch.check import check_shortlists
from crossmatch.errors import ParameterError


def cohort(seed: int, n: int = 8, m: int = 4, spare: int = 1) -> cm.Scores:
    """Popular mentors and tight capacity (``spare`` places beyond the mentees)."""
    rng = np.random.default_rng(seed)
    popular = rng.random(m) ** 2
    matrix = np.round(0.5 * rng.random((n, m)) + 0.5 * popular[None, :], 2)
    matrix[rng.random((n, m)) < 0.15] = np.nan  # some ineligible pairs
    matrix[:, 0] = np.where(np.isnan(matrix[:, 0]), 0.1, matrix[:, 0])
    capacity = np.ones(m, np.int64)
    capacity[0] = n + spare - (m - 1)
    return cm.Scores.from_matrix(
        matrix,
        capacity=capacity,
        mentee_ids=[f"e{i}" for i in range(n)],
        mentor_ids=[f"m{j}" for j in range(m)],
    )


def milp_under_floor(S, E, capacity, exposure, k, t):
    """The best shortlist total with y on pairs scoring >= t (None if infeasible)."""
    rows, cols, c, A, lb, ub = _shortlist_model(S, E, capacity, exposure, k, None, None)
    P = rows.size
    hi = np.r_[np.ones(P), (S[rows, cols] >= t).astype(float)]
    res = milp(c, constraints=LinearConstraint(A, lb, ub), integrality=np.ones(2 * P),
               bounds=Bounds(np.zeros(2 * P), hi))  # fmt: skip
    if res.status == 2:
        return None
    assert res.status == 0, res.message
    return float(-res.fun)


def oracle(s: cm.Scores, k: int, exposure: np.ndarray) -> tuple[float, float]:
    S = np.where(s.eligible, s.total, 0.0).astype(float)
    E = np.asarray(s.eligible)
    for t in sorted(set(S[E].tolist()), reverse=True):
        total = milp_under_floor(S, E, s.capacity, exposure, k, t)
        if total is not None:
            return t, total
    raise AssertionError("no floor is feasible")


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("method", ["exact", "auto"])
def test_floor_and_total_against_milp(seed: int, method: str) -> None:
    s = cohort(seed)
    k = 2
    exposure = np.minimum(s.n_mentees, np.asarray(s.capacity) + 3 + seed % 2)  # tight
    got = cm.shortlist(s, k=k, exposure=exposure, method=method, objective="maxmin")
    floor, total = oracle(s, k, exposure)
    rec = s.total[np.arange(s.n_mentees), got.recommended]
    assert got.info["floor"] == pytest.approx(floor)
    assert rec.min() == pytest.approx(floor)
    assert got.objective == pytest.approx(total, abs=1e-6)
    assert got.status == "optimal"
    plain = cm.shortlist(s, k=k, exposure=exposure, method=method)
    assert got.info["price_of_fairness"] == pytest.approx(plain.objective - got.objective)
    assert got.info["total_without_floor"] == pytest.approx(plain.objective)
    assert got.info["floor_without"] <= got.info["floor"]
    assert check_shortlists(got) == []


@given(seed=st.integers(0, 10_000), k=st.integers(1, 3), spare=st.integers(0, 3))
@settings(max_examples=25, deadline=None)
def test_flow_method_keeps_the_floor(seed: int, k: int, spare: int) -> None:
    """The fast method reaches the same floor (the floor is its own flow), a valid
    shortlist, and a total at most the exact one under that floor."""
    s = cohort(seed, n=9, m=5, spare=spare)
    try:
        exact = cm.shortlist(s, k=k, method="exact", objective="maxmin")
    except cm.errors.InfeasibleError:
        return
    flow = cm.shortlist(s, k=k, method="flow", objective="maxmin")
    assert flow.info["floor"] == pytest.approx(exact.info["floor"])
    assert flow.objective <= exact.objective + 1e-9
    # the relaxation under the floor (one high pair per list) bounds the optimum there
    assert flow.info["relaxation_bound"] >= exact.objective - 1e-9
    rec = flow.recommended
    assert (rec >= 0).all()
    assert (np.bincount(rec, minlength=s.n_mentors) <= s.capacity).all()
    assert all(rec[i] in flow.mentors[i] for i in range(s.n_mentees))
    assert (s.total[np.arange(s.n_mentees), rec] >= flow.info["floor"] - 1e-12).all()


def test_waitlist_coverage_comes_first() -> None:
    """Oversubscribed: the same mentees are served; among them the floor is the best
    (checked against the MILP on the served mentees)."""
    for seed in range(6):
        s = cohort(seed, n=10, m=4, spare=-3)
        plain = cm.shortlist(s, k=2, waitlist=True, exposure=10)
        fair = cm.shortlist(s, k=2, waitlist=True, exposure=10, objective="maxmin")
        assert np.array_equal(plain.waitlisted, fair.waitlisted)
        served = np.flatnonzero(~fair.waitlisted)
        S = np.where(s.eligible, s.total, 0.0)[served]
        E = np.asarray(s.eligible)[served]
        expo = np.full(s.n_mentors, 10)
        best = None
        for t in sorted(set(S[E].tolist()), reverse=True):
            total = milp_under_floor(S, E, s.capacity, expo, 2, t)
            if total is not None:
                best = (t, total)
                break
        assert best is not None
        assert fair.info["floor"] == pytest.approx(best[0])
        assert fair.objective == pytest.approx(best[1], abs=1e-6)


def covers_all(S: np.ndarray, E: np.ndarray, capacity: np.ndarray) -> bool:
    """Whether the pairs in ``E`` hold a complete assignment (SciPy's matching)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_bipartite_matching

    copies = np.repeat(np.arange(S.shape[1]), capacity)
    g = csr_matrix(E[:, copies].astype(np.int8))
    return bool((maximum_bipartite_matching(g, perm_type="column") >= 0).all())


@pytest.mark.parametrize("sparse", [False, True])
def test_candidates_path_floor_holds_for_the_full_matrix(
    monkeypatch: pytest.MonkeyPatch, sparse: bool
) -> None:
    """Dense scores above the candidate threshold solve on candidate pairs; the floor
    is still the best over every pair (certified here by SciPy's matching: the pairs at
    or above it cover everyone, those above it do not). ``sparse``: candidates so few
    that their own floor is lower, so the full matrix's pairs must join."""
    from crossmatch.scoring import CandidateScores
    from crossmatch.solve import colgen

    rng = np.random.default_rng(5)
    n, m = 120, 16
    S = 0.6 * rng.beta(0.5, 3.0, size=m)[None, :] + 0.4 * rng.random((n, m))
    s = cm.Scores.from_matrix(S, capacity=np.full(m, 9), mentee_ids=list(range(n)),
                              mentor_ids=list(range(m)))  # fmt: skip
    monkeypatch.setattr(colgen, "CANDIDATE_PAIRS", 50)
    if sparse:
        monkeypatch.setattr(
            colgen, "_dense_candidates",
            lambda scores, k, exposure, rows: CandidateScores.from_scores(
                scores, per_mentee=k + 1, per_mentor=1),
        )  # fmt: skip
    fair = cm.shortlist(s, k=2, exposure=30, method="flow", objective="maxmin")
    floor = fair.info["floor"]
    cap = np.minimum(9, 30) * np.ones(m, np.int64)
    assert covers_all(S, S >= floor, cap) and not covers_all(S, S > floor, cap)
    assert not fair.info["floor_on_candidates"] and "candidate_pairs" in fair.info
    rec = s.total[np.arange(n), fair.recommended]
    assert rec.min() == pytest.approx(floor)
    assert check_shortlists(fair) == []


def test_objective_checked_at_the_door() -> None:
    with pytest.raises(ParameterError, match="objective"):
        cm.shortlist(cohort(0), objective="fair")


@pytest.mark.parametrize("method", ["flow", "exact", "auto"])
def test_floor_lowered_when_exposure_binds(method: str) -> None:
    """The covering flow alone allows floor 0.8 ((e1, B), (e2, A)), but e1 needs both A
    and B on their list and A may show once, so e2's list is {B, C}: the best floor is
    0.6 (the MILP agrees), reached by lowering the floor with full solves."""
    s = cm.Scores.from_matrix(
        np.array([[0.9, 0.8, np.nan], [0.95, 0.5, 0.6]]),
        capacity=[1, 1, 1],
        mentee_ids=["e1", "e2"],
        mentor_ids=["A", "B", "C"],
    )
    exposure = np.array([1, 2, 1])
    got = cm.shortlist(s, k=2, exposure=exposure, method=method, objective="maxmin")
    floor, total = oracle(s, 2, exposure)
    assert floor == pytest.approx(0.6)
    assert got.info["floor"] == pytest.approx(floor)
    assert got.objective == pytest.approx(total)
    assert check_shortlists(got) == []


def test_cohort_candidates_floor_is_proved_on_the_full_matrix() -> None:
    """Candidate scores of a cohort (few per mentee): pricing passes widen them until the
    floor is the best over every eligible pair, the same as on the dense scores of that
    cohort (certified by SciPy's matching)."""
    mentees, mentors = cm.synthetic_cohort(150, 40, seed=3, capacity=(3, 6))
    cohort = cm.Cohort.from_frames(mentees, mentors)
    dense = cm.score(cohort)
    cs = cm.score_candidates(cohort, per_mentee=3, per_mentor=3)
    fair = cm.shortlist(cs, k=2, exposure=20, waitlist=True, allow_short=True,
                        method="flow", objective="maxmin")  # fmt: skip
    assert not fair.info["floor_on_candidates"]
    served = np.flatnonzero(fair.recommended >= 0)
    floor = fair.info["floor"]
    S = np.where(dense.eligible, dense.total, -np.inf)[served]
    cap = np.minimum(dense.capacity, 20)
    assert covers_all(S, S >= floor, cap) and not covers_all(S, S > floor, cap)
    rec = dense.total[served, fair.recommended[served]]
    assert rec.min() == pytest.approx(floor)


def test_auto_stage_limit_is_named_in_the_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without `time_limit`, "auto" gives its exact stage 30 s; when that stops the proof
    the warning names those 30 s (it said "None s")."""
    import warnings

    from crossmatch.solve import methods

    monkeypatch.setattr(methods, "AUTO_TIME_LIMIT", 1e-9)
    for seed in range(20):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sl = cm.shortlist(cohort(seed), k=2, exposure=8, objective="maxmin")
        said = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
        if sl.status != "optimal" and said:
            assert "None" not in said[0] and "30 s" in said[0]
            return
    pytest.fail("no instance left its proof to the exact stage")


def test_match_maxmin_floor_on_cohort_candidates() -> None:
    """The candidates' own floor is 0.6541 here, the full matrix's 0.6585: match's
    pricing passes find it (see also tests/test_match_floor.py)."""
    mentees, mentors = cm.synthetic_cohort(150, 40, seed=3, capacity=(3, 6))
    cohort = cm.Cohort.from_frames(mentees, mentors)
    dense = cm.match(cm.score(cohort), objective="maxmin", waitlist=True)
    cands = cm.match(cm.score_candidates(cohort, per_mentee=3, per_mentor=3),
                     objective="maxmin", waitlist=True)  # fmt: skip
    assert cands.info["floor"] == pytest.approx(dense.info["floor"])
    assert cands.info["floor_on_candidates"] is False
