"""Oversubscribed cohorts: `shortlist(..., waitlist=True, priority=...)`.

Oracles: SciPy's MILP (lexicographic served counts by priority class, then the best sum
of the served mentees' values -- each one's best k scores), SciPy's maximum flow (the
maximum number of mentees that can be served), and the shortlist MILP of
``tests/oracles.py`` over every maximum set of mentees (the true optimum, which the
answer's bound must hold and its "optimal" status must reach), on small random instances
with popular mentors and tight capacity.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import max_cover_count, milp_shortlist, milp_waitlist
from scipy.optimize import Bounds, LinearConstraint, milp

import crossmatch as cm
from crossmatch.check import check_assignment, check_shortlists
from crossmatch.errors import InfeasibleError, ParameterError, ValidationError
from crossmatch.solve import ASSIGN_METHODS


def instance(seed: int, n: int = 9, m: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random oversubscribed instance: popular mentors (a skewed eligibility), tight capacity."""
    rng = np.random.default_rng(seed)
    pop = np.linspace(0.9, 0.3, m)
    eligible = rng.random((n, m)) < pop[None, :]
    matrix = np.round(rng.random((n, m)), 3)
    capacity = rng.integers(1, 3, size=m)
    return matrix, eligible, capacity


def scores_of(matrix: np.ndarray, eligible: np.ndarray, capacity: np.ndarray) -> cm.Scores:
    n, m = matrix.shape
    return cm.Scores.from_matrix(
        matrix,
        capacity=capacity,
        eligible=eligible,
        mentee_ids=[f"e{i}" for i in range(n)],
        mentor_ids=[f"m{j}" for j in range(m)],
    )


def values(matrix: np.ndarray, eligible: np.ndarray, k: int) -> np.ndarray:
    """Each mentee's best k eligible scores, summed (fewer when they have fewer)."""
    masked = np.where(eligible, matrix, -np.inf)
    top = -np.sort(-masked, axis=1)[:, :k]
    return np.where(np.isfinite(top), top, 0.0).sum(axis=1)


def milp_lexicographic(
    value: np.ndarray, eligible: np.ndarray, capacity: np.ndarray, classes: np.ndarray
) -> tuple[list[int], float]:
    """Served count per class (highest first, each maximised with the earlier fixed), then
    the best sum of ``value`` over the served mentees with those counts: SciPy MILP."""
    matrix = np.broadcast_to(value[:, None], eligible.shape)
    n, m = eligible.shape
    ii, jj = np.nonzero(eligible)
    q = len(ii)
    if q == 0:  # nobody can be served
        return [0] * (int(classes.max()) + 1), 0.0
    rows = sp.csr_matrix((np.ones(q), (ii, np.arange(q))), shape=(n, q))
    cols = sp.csr_matrix((np.ones(q), (jj, np.arange(q))), shape=(m, q))
    cons = [LinearConstraint(rows, 0, 1), LinearConstraint(cols, 0, capacity)]
    counts = []
    for c in range(int(classes.max()) + 1):
        inside = (classes[ii] == c).astype(float)
        res = milp(-inside, constraints=cons, integrality=np.ones(q), bounds=Bounds(0, 1))
        best = round(-res.fun)
        counts.append(best)
        cons.append(LinearConstraint(inside[None, :], best, np.inf))
    res = milp(-matrix[ii, jj], constraints=cons, integrality=np.ones(q), bounds=Bounds(0, 1))
    return counts, -float(res.fun)


def coverable(eligible: np.ndarray, capacity: np.ndarray, who: np.ndarray) -> bool:
    return max_cover_count(eligible & who[:, None], capacity) == int(who.sum())


@pytest.fixture
def value_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whom to serve by the value rule alone (the flow of ``serve``), as it was chosen
    before the priced and joint rules, to check that flow against its MILP."""
    from crossmatch.solve import waitlist as wl

    monkeypatch.setattr(wl, "CHOICE_RULE", "values")
    monkeypatch.setattr(wl, "JOINT_EXACT", False)


@pytest.mark.parametrize("seed", range(12))
def test_served_count_is_maximum_and_best_scoring(seed: int, value_rule: None) -> None:
    matrix, eligible, capacity = instance(seed)
    sl = cm.shortlist(
        scores_of(matrix, eligible, capacity),
        k=2,
        waitlist=True,
        exposure=len(matrix),
        allow_short=True,
    )
    served = ~sl.waitlisted
    assert int(served.sum()) == max_cover_count(eligible, capacity)
    assert sl.info["served"] == int(served.sum())
    assert coverable(eligible, capacity, served)
    v = values(matrix, eligible, 2)
    _, best = milp_lexicographic(v, eligible, capacity, np.zeros(len(matrix), np.int64))
    assert v[served].sum() == pytest.approx(best, abs=1e-5)
    # the shortlists serve exactly those mentees, and their covering assignment holds
    assert np.all((sl.lengths() > 0) == served)
    rec = sl.recommended
    assert np.all((rec >= 0) == served)
    assert np.all(np.bincount(rec[served], minlength=len(capacity)) <= capacity)
    assert all(eligible[i, rec[i]] for i in np.flatnonzero(served))


@pytest.mark.parametrize("seed", range(12))
def test_priority_classes_match_lexicographic_milp(seed: int, value_rule: None) -> None:
    matrix, eligible, capacity = instance(100 + seed, n=10)
    rng = np.random.default_rng(seed)
    priority = rng.integers(0, 3, size=len(matrix))
    sl = cm.shortlist(
        scores_of(matrix, eligible, capacity),
        k=1,
        waitlist=True,
        exposure=len(matrix),
        priority=priority,
        allow_short=True,
    )
    classes = np.unique(-priority, return_inverse=True)[1]
    v = values(matrix, eligible, 1)
    counts, best = milp_lexicographic(v, eligible, capacity, classes)
    served = ~sl.waitlisted
    got = [int((served & (classes == c)).sum()) for c in range(len(counts))]
    assert got == counts
    assert sum(counts) == max_cover_count(eligible, capacity)  # priority costs no place
    assert v[served].sum() == pytest.approx(best, abs=1e-5)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(1, 9),
    m=st.integers(1, 4),
    k=st.integers(1, 3),
    levels=st.integers(1, 3),
)
def test_properties(seed: int, n: int, m: int, k: int, levels: int) -> None:
    matrix, eligible, capacity = instance(seed, n, m)
    priority = np.random.default_rng(seed).integers(0, levels, size=n)
    sl = cm.shortlist(
        scores_of(matrix, eligible, capacity),
        k=k,
        waitlist=True,
        exposure=len(matrix),
        priority=priority,
        allow_short=True,
    )
    served = ~sl.waitlisted
    # counts
    assert int(served.sum()) == max_cover_count(eligible, capacity)
    assert sl.info["waitlisted"] + sl.info["served"] == n
    # waitlisted mentees: an empty row and a reason; the others none
    assert np.all(sl.mentors[sl.waitlisted] == -1)
    assert all((r is not None) == w for r, w in zip(sl.waitlist_reason, sl.waitlisted, strict=True))
    # capacity of the covering assignment; only eligible pairs anywhere
    rec = sl.recommended[served]
    assert np.all(np.bincount(rec, minlength=m) <= capacity)
    ii, rr = np.nonzero(sl.mentors >= 0)
    assert eligible[ii, sl.mentors[ii, rr]].all()
    # the shared checkers accept it, and the assignment from it
    assert check_shortlists(sl) == []
    assert check_assignment(cm.assign(sl)) == []
    # priority: no waiting mentee could replace a served one of a lower priority
    for a in np.flatnonzero(sl.waitlisted):
        for b in np.flatnonzero(served & (priority < priority[a])):
            swap = served.copy()
            swap[b], swap[a] = False, True
            assert not coverable(eligible, capacity, swap)


def test_reasons_name_the_rule_and_the_competition() -> None:
    matrix = np.array([[0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.5, 0.5]])
    eligible = np.array([[True, False], [True, False], [True, False], [False, False]])
    sl = cm.shortlist(scores_of(matrix, eligible, np.array([1, 1])), k=1, waitlist=True)
    assert sl.waitlisted.tolist() == [False, True, True, True]
    assert sl.waitlist_reason[1] == sl.waitlist_reason[2]
    assert sl.waitlist_reason[1].startswith("3 mentees compete for 1 place among the 1 mentor")
    assert "'m0'" in sl.waitlist_reason[1]
    assert sl.waitlist_reason[3] == "no eligible mentor under rule 'not eligible' (2 mentors)"
    frame = sl.to_frame()
    assert len(frame) == 4 and frame["mentor_id"].isna().sum() == 3
    assert frame.loc[frame["mentee_id"] == "e3", "waitlist_reason"].item() == sl.waitlist_reason[3]
    # without waitlist=True, today's error stays
    with pytest.raises(InfeasibleError):
        cm.shortlist(scores_of(matrix, eligible, np.array([1, 1])), k=1)


def test_priority_by_id_and_validation() -> None:
    matrix = np.array([[0.9], [0.1], [0.5]])
    s = scores_of(matrix, np.ones((3, 1), bool), np.array([1]))
    sl = cm.shortlist(s, k=1, waitlist=True, priority={"e0": 0, "e1": 5, "e2": 0})
    assert sl.waitlisted.tolist() == [True, False, True]
    with pytest.raises(ValidationError) as err:
        cm.shortlist(s, k=1, waitlist=True, priority={"e0": 0, "zz": 1, "e2": float("nan")})
    text = str(err.value)
    assert "unknown mentee id" in text and "no priority for 1" in text and "finite" in text
    with pytest.raises(ValidationError, match="one number per mentee row"):
        cm.shortlist(s, k=1, waitlist=True, priority=[1, 2])
    with pytest.raises(ParameterError, match="needs waitlist=True"):
        cm.shortlist(s, k=1, priority=[1, 2, 3])
    with pytest.raises(ParameterError, match="waitlist"):
        cm.shortlist(s, k=1, waitlist="yes")


def test_assign_keeps_waitlisted_unmatched_with_reason() -> None:
    matrix, eligible, capacity = instance(7)
    sl = cm.shortlist(
        scores_of(matrix, eligible, capacity),
        k=2,
        waitlist=True,
        exposure=len(matrix),
        allow_short=True,
    )
    assert sl.waitlisted.any()
    for method in ASSIGN_METHODS:
        a = cm.assign(sl, method=method)
        assert not a.matched[sl.waitlisted].any()
        for i in np.flatnonzero(sl.waitlisted):
            assert a.reason[i] == sl.waitlist_reason[i]
        assert a.info["waitlisted"] == int(sl.waitlisted.sum())
        if method == "rank-maximal":
            assert a.matched[~sl.waitlisted].all()


def test_fixed_and_exposure_with_waitlist() -> None:
    matrix, eligible, capacity = instance(3, n=10, m=3)
    s = scores_of(matrix, eligible, capacity)
    first = int(np.flatnonzero(eligible[0])[0])
    sl = cm.shortlist(s, k=1, waitlist=True, fixed={"e0": f"m{first}"}, exposure=10)
    assert not sl.waitlisted[0] and sl.recommended[0] == first
    # the fixed pair uses a place: the others are served as far as what is left allows
    left = capacity.copy()
    left[first] -= 1
    rest = eligible.copy()
    rest[0] = False
    assert int((~sl.waitlisted[1:]).sum()) == max_cover_count(rest, left)
    assert "waitlisted=" in repr(sl)
    # exposure below capacity limits who can be served
    low = np.minimum(capacity, 1)
    sl = cm.shortlist(s, k=1, waitlist=True, exposure=low)
    assert int((~sl.waitlisted).sum()) == max_cover_count(eligible, low)


@pytest.mark.parametrize("relax_best", [8, 0])
@pytest.mark.parametrize("seed", range(25))
def test_objective_and_bound_against_every_choice_of_whom_to_serve(
    seed: int, relax_best: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The true optimum: the shortlist MILP on every maximum set of mentees. The answer is
    below it, its bound above it (the flow's priced choice too), "optimal" only when it
    reaches it, and with the joint MIP ("exact"; "auto" on small problems) it does
    (``relax_best`` 0: the relaxation bound leaves out pairs, standing in for them by
    their cut)."""
    from crossmatch.solve import waitlist_serve

    monkeypatch.setattr(waitlist_serve, "RELAX_BEST", relax_best)
    rng = np.random.default_rng(seed)
    n, m, k = 6, 4, 2
    eligible = rng.random((n, m)) < np.linspace(0.95, 0.4, m)[None, :]
    eligible[:, 0] = True  # every mentee has k eligible mentors
    eligible[:, 1] = True
    matrix = np.round(rng.random((n, m)), 3)
    capacity = rng.integers(1, 3, size=m)
    exposure = rng.integers(2, n + 1, size=m)
    count = max_cover_count(eligible, np.minimum(capacity, exposure))
    best = -np.inf
    for who in itertools.combinations(range(n), count):
        rows = np.array(who)
        found = milp_shortlist(matrix[rows], eligible[rows], capacity, exposure, k)
        if found is not None:
            best = max(best, found[0])
    s = scores_of(matrix, eligible, capacity)
    if best == -np.inf:  # exposure leaves no room for k entries each: fewer are served
        sl = cm.shortlist(s, k=k, waitlist=True, exposure=exposure, method="exact")
        assert sl.info["served"] < count
        assert any("exposure leaves no room" in (r or "") for r in sl.waitlist_reason)
        return
    for method in ("flow", "auto", "exact"):
        sl = cm.shortlist(s, k=k, waitlist=True, exposure=exposure, method=method)
        assert sl.objective <= best + 1e-6 <= sl.bound + 2e-6
        if sl.status == "optimal" or method != "flow":  # jointly optimal (small: auto too)
            assert sl.objective == pytest.approx(best, abs=1e-6)
            assert sl.status == "optimal"


def test_json_round_trip_keeps_the_waitlist() -> None:
    matrix, eligible, capacity = instance(7)
    sl = cm.shortlist(
        scores_of(matrix, eligible, capacity), k=2, waitlist=True, exposure=9, allow_short=True
    )
    assert sl.waitlisted.any()
    back = cm.Shortlists.from_json(sl.to_json())
    np.testing.assert_array_equal(back.waitlisted, sl.waitlisted)
    assert back.waitlist_reason == sl.waitlist_reason
    np.testing.assert_array_equal(back.mentors, sl.mentors)
    assert cm.assign(back).reason == cm.assign(sl).reason


# ------------------------------------------------------------ on candidate pairs
def test_candidates_too_narrow_are_widened_to_the_full_maximum() -> None:
    """Every mentee's best mentor is m0 and every other mentor's best mentee is e0, so
    the candidates (1 per mentee, 1 per mentor) serve 2 mentees; the full problem serves
    all 5, and so must the waitlist."""
    n = m = 5
    matrix = np.full((n, m), 0.1)
    matrix[:, 0] = 0.9
    matrix[0, 1:] = 0.8
    s = scores_of(matrix, np.ones((n, m), bool), np.ones(m, np.int64))
    cs = cm.CandidateScores.from_scores(s, per_mentee=1, per_mentor=1)
    assert max_cover_count(np.asarray(cs.eligible[np.arange(n)[:, None], np.arange(m)]),
                          np.ones(m)) == 2  # fmt: skip
    sl = cm.shortlist(cs, k=1, waitlist=True, allow_short=True)
    assert not sl.waitlisted.any() and sl.info["served"] == 5
    assert sl.info["waitlist_widened"] >= 1
    assert check_shortlists(sl) == []


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(2, 10),
    m=st.integers(1, 5),
    per=st.integers(1, 2),
    levels=st.integers(1, 3),
)
def test_candidates_serve_the_full_problems_maximum_by_class(
    seed: int, n: int, m: int, per: int, levels: int
) -> None:
    """On candidate pairs too narrow for the answer, the served count of every prefix of
    priority classes is the maximum of the *full* problem (SciPy MILP, max flow)."""
    matrix, eligible, capacity = instance(seed, n, m)
    priority = np.random.default_rng(seed).integers(0, levels, size=n)
    cs = cm.CandidateScores.from_scores(
        scores_of(matrix, eligible, capacity), per_mentee=per, per_mentor=per
    )
    sl = cm.shortlist(cs, k=1, waitlist=True, exposure=n, priority=priority, allow_short=True)
    served = ~sl.waitlisted
    classes = np.unique(-priority, return_inverse=True)[1]
    counts, _ = milp_lexicographic(np.zeros(n), eligible, capacity, classes)
    assert [int((served & (classes == c)).sum()) for c in range(len(counts))] == counts
    assert int(served.sum()) == max_cover_count(eligible, capacity)
    rec = sl.recommended[served]
    assert np.all(np.bincount(rec, minlength=m) <= capacity)
    assert eligible[np.flatnonzero(served), rec].all()
    assert all((r is not None) == w for r, w in zip(sl.waitlist_reason, sl.waitlisted, strict=True))


# ------------------------------------------------------------ tight exposure
def tight(seed: int, n: int, m: int, k: int) -> dict:
    """Small oversubscribed instances where exposure, not only capacity, binds."""
    rng = np.random.default_rng(seed)
    eligible = rng.random((n, m)) < np.linspace(0.95, 0.4, m)[None, :]
    eligible[:, : min(k, m)] = True
    matrix = np.round(np.linspace(0.4, 0.0, m)[None, :] + 0.6 * rng.random((n, m)), 3)
    return {
        "matrix": matrix,
        "eligible": eligible,
        "capacity": rng.integers(1, 3, size=m),
        "exposure": rng.integers(1, n + 1, size=m),
        "priority": rng.integers(0, 2, size=n),
    }


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(3, 8),
    m=st.integers(2, 5),
    k=st.integers(1, 3),
    method=st.sampled_from(["flow", "auto", "exact"]),
)
def test_tight_exposure_never_raises_on_a_feasible_problem(
    seed: int, n: int, m: int, k: int, method: str
) -> None:
    """When some choice of the most mentees has shortlists (SciPy MILP), the waitlist
    finds one and never raises; when exposure leaves none, it serves fewer, and those
    left waiting say why."""
    t = tight(seed, n, m, k)
    classes = np.unique(-t["priority"], return_inverse=True)[1]
    found = milp_waitlist(t["matrix"], t["eligible"], t["capacity"], t["exposure"], k, classes)
    s = scores_of(t["matrix"], t["eligible"], t["capacity"])
    kw = {"k": k, "exposure": t["exposure"], "priority": t["priority"], "allow_short": True}
    try:
        sl = cm.shortlist(s, waitlist=True, method=method, **kw)
    except InfeasibleError:
        assert found is None  # only where no choice of the most mentees fits
        return
    served = ~sl.waitlisted
    most = max_cover_count(t["eligible"], np.minimum(t["capacity"], t["exposure"]))
    assert int(served.sum()) == most if found is not None else int(served.sum()) <= most
    assert all((r is not None) == w for r, w in zip(sl.waitlist_reason, sl.waitlisted, strict=True))
    assert check_shortlists(sl) == []
    if method == "exact":  # the joint MIP: the most that fit, by class, then the best
        best = found or milp_waitlist(
            t["matrix"], t["eligible"], t["capacity"], t["exposure"], k, classes, fewer=True
        )
        assert best is not None
        by_class = [int((served & (classes == c)).sum()) for c in range(classes.max() + 1)]
        assert by_class == [int((best[1] & (classes == c)).sum()) for c in range(classes.max() + 1)]
        assert sl.objective == pytest.approx(best[0], abs=1e-6)
        assert sl.status == "optimal"


def test_exposure_too_tight_serves_fewer_with_a_reason() -> None:
    """Capacity could serve all three, but exposure holds 5 shortlist entries: two
    shortlists of k = 2. Two are served (no error), the third waits and says why."""
    matrix = np.array([[0.9, 0.5], [0.8, 0.6], [0.7, 0.4]])
    s = scores_of(matrix, np.ones((3, 2), bool), np.array([2, 1]))
    assert milp_waitlist(matrix, np.ones((3, 2), bool), [2, 1], [3, 2], 2) is None
    for method in ("flow", "exact"):
        sl = cm.shortlist(s, k=2, waitlist=True, exposure=np.array([3, 2]), method=method)
        assert sl.info["served"] == 2 and sl.waitlisted.sum() == 1
        (a,) = np.flatnonzero(sl.waitlisted)
        assert "exposure leaves no room for 2 options" in sl.waitlist_reason[a]
        assert "fewer served" in sl.info["waitlist_choice"]
        assert check_shortlists(sl) == []
        assert sl.bound >= sl.objective
    with pytest.raises(InfeasibleError):  # without waitlist=True, today's error stays
        cm.shortlist(s, k=2, exposure=np.array([3, 2]))


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(3, 8),
    m=st.integers(2, 5),
    k=st.integers(1, 3),
)
def test_tight_exposure_on_narrow_candidates_never_raises(seed: int, n: int, m: int, k: int):
    """Candidates of one pair per mentee and per mentor, tight exposure: no error; the
    candidates are widened for the shortlists' room as for the count, and whoever
    waits says why."""
    t = tight(seed, n, m, k)
    cs = cm.CandidateScores.from_scores(
        scores_of(t["matrix"], t["eligible"], t["capacity"]), per_mentee=1, per_mentor=1
    )
    sl = cm.shortlist(cs, k=k, exposure=t["exposure"], priority=t["priority"], waitlist=True,
                      allow_short=True)  # fmt: skip
    most = max_cover_count(t["eligible"], np.minimum(t["capacity"], t["exposure"]))
    assert int((~sl.waitlisted).sum()) <= most
    assert all((r is not None) == w for r, w in zip(sl.waitlist_reason, sl.waitlisted, strict=True))
    assert check_shortlists(sl) == []


@pytest.mark.parametrize(
    ("seed", "n", "m", "k", "rule"),
    [
        (0, 8, 4, 2, "re-chosen to fit exposure"),
        (514, 8, 4, 2, "joint MIP (to fit exposure)"),
        (1, 6, 4, 3, "fewer served (exposure)"),
    ],
)
def test_each_way_of_fitting_exposure(seed: int, n: int, m: int, k: int, rule: str) -> None:
    """The flow path's choice left some shortlist short of room in exposure: it is made
    again, settled by the joint MIP, or fewer are served -- each checked against the
    joint MILP (the most mentees that fit, by class)."""
    t = tight(seed, n, m, k)
    sl = cm.shortlist(scores_of(t["matrix"], t["eligible"], t["capacity"]), k=k,
                      exposure=t["exposure"], priority=t["priority"], waitlist=True,
                      allow_short=True, method="flow")  # fmt: skip
    assert sl.info["waitlist_choice"] == f"priced; {rule}"
    assert check_shortlists(sl) == []
    classes = np.unique(-t["priority"], return_inverse=True)[1]
    found = milp_waitlist(t["matrix"], t["eligible"], t["capacity"], t["exposure"], k, classes)
    most = milp_waitlist(
        t["matrix"], t["eligible"], t["capacity"], t["exposure"], k, classes, fewer=True
    )
    assert most is not None
    if found is not None:  # the most mentees fit: as many are served, bound holds
        assert sl.info["served"] == int(found[1].sum())
        assert sl.objective <= found[0] + 1e-9 <= sl.bound + 1e-6
    else:
        assert sl.info["served"] <= int(most[1].sum())
        assert any("exposure leaves no room" in (r or "") for r in sl.waitlist_reason)
