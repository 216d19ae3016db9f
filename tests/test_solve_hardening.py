"""Solver hardening (issue 11): each family of bad inputs and faults, fixed as a family.

- outlier scores: the integer scaling keeps everyone's differences; answers match the
  SciPy MILP oracle and "optimal" is claimed only when it is;
- one deadline across every stage: a RuntimeWarning and status "feasible" when it cuts
  the proof short; ``time_limit=inf`` means no limit;
- parameters checked at the door, one family per test;
- diagnosis: a Hall violator names the mentees and the mentors whose capacity to raise.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from oracles import milp_shortlist

import crossmatch as cm
from crossmatch.check import check_shortlists
from crossmatch.errors import ParameterError
from crossmatch.solve.instance import default_exposure


def matrix_scores(S: np.ndarray, cap, groups=None) -> cm.Scores:
    n, m = S.shape
    return cm.Scores.from_matrix(S, mentee_ids=[f"e{i}" for i in range(n)],
                                 mentor_ids=[f"r{j}" for j in range(m)], capacity=cap,
                                 mentor_groups=groups)  # fmt: skip


# ---------------------------------------------------------------------------- outliers
@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("method", ["flow", "auto", "exact"])
def test_one_outlier_score_does_not_round_the_others_away(seed: int, method: str) -> None:
    """A single 1e6 ("must match") score among [0, 1] scores: the answer equals the MILP
    optimum whenever the status says "optimal", and is never above it."""
    rng = np.random.default_rng(seed)
    n, m, k = 6, 5, 2
    S = rng.random((n, m))
    S[rng.integers(n), rng.integers(m)] = 1e6
    cap = rng.integers(1, 4, size=m)
    cap[0] = max(cap[0], n - int(cap[1:].sum()))  # feasible
    scores = matrix_scores(S, cap)
    expo = default_exposure(scores.capacity, n, k)
    want = milp_shortlist(S, np.ones((n, m), bool), cap, expo, k)
    assert want is not None
    sl = cm.shortlist(scores, k=k, method=method)
    assert check_shortlists(sl) == []
    assert sl.objective <= want[0] + 1e-6
    assert sl.bound >= want[0] - 1e-6
    if sl.status == "optimal":
        assert sl.objective == pytest.approx(want[0], abs=1e-6)
    if method != "flow":  # auto and exact prove it
        assert sl.status == "optimal"


def test_scores_beyond_the_valid_range_are_refused_before_solving() -> None:
    """|s| > MAX_ABS_SCORE (e.g. +-1e308) cannot be scaled to integer costs exactly: a
    clear error naming the limit, not a solver status."""
    from crossmatch.scoring.scores import MAX_ABS_SCORE

    assert MAX_ABS_SCORE == 1e6
    S = np.array([[1e308, 0.5], [0.2, -1e308]])
    try:
        scores = matrix_scores(S, [1, 1])
    except cm.ValidationError:
        return  # the constructors refuse it (issue 11, scores range check)
    with pytest.raises(ValueError, match="MAX_ABS_SCORE"):
        cm.shortlist(scores, k=1)


# ---------------------------------------------------------------------------- deadline
def tight_instance(seed: int) -> cm.Scores:
    """Coverage binds: the flow answer is usually not proved optimal."""
    rng = np.random.default_rng(seed)
    n, m = 40, 12
    S = rng.random((n, m))
    S[:, :3] += 1.0  # popular mentors
    cap = rng.multinomial(n, np.full(m, 1 / m))
    return matrix_scores(np.minimum(S, 1.0) * 0.5 + 0.5 * S / 2, cap)


def test_time_limit_cut_short_warns_and_says_feasible() -> None:
    """A deadline that expires before the proof: a RuntimeWarning, status "feasible",
    and still valid shortlists with a valid bound."""
    for seed in range(20):
        scores = tight_instance(seed)
        if cm.shortlist(scores, k=2, method="flow").status == "optimal":
            continue  # the flow answer is proved: no later stage to cut short
        with pytest.warns(RuntimeWarning, match="time limit"):
            sl = cm.shortlist(scores, k=2, method="exact", time_limit=1e-9)
        assert sl.status == "feasible"
        assert sl.info.get("time_limit_reached")
        assert check_shortlists(sl) == []
        full = cm.shortlist(scores, k=2, method="exact")
        assert sl.bound >= full.objective - 1e-9
        return
    pytest.fail("no instance left the flow answer unproved")


def test_time_limit_inf_means_no_limit() -> None:
    scores = tight_instance(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = cm.shortlist(scores, k=2, method="exact", time_limit=math.inf)
    b = cm.shortlist(scores, k=2, method="exact")
    assert (a.objective, a.bound, a.status) == (b.objective, b.bound, b.status)
    np.testing.assert_array_equal(a.mentors, b.mentors)


# ---------------------------------------------------------------------------- parameters
@pytest.fixture
def small() -> cm.Scores:
    return matrix_scores(np.array([[0.9, 0.5, 0.1], [0.8, 0.4, 0.3]]), [1, 1, 1])


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ({"k": -1}, "`k` must be an int in [1, inf). Got -1"),
        ({"k": 2.0}, "`k` must be an int"),
        ({"k": True}, "`k` must be an int"),
        ({"seed": "abc"}, "`seed` must be an int"),
        ({"seed": -3}, "`seed` must be an int"),
        ({"time_limit": 0}, "`time_limit`"),
        ({"time_limit": float("nan")}, "`time_limit`"),
        ({"time_limit": "2"}, "`time_limit`"),
        ({"method": "magic"}, "'auto', 'exact', 'flow'"),
        ({"max_per_group": 0}, "`max_per_group`"),
        ({"allow_short": "yes"}, "`allow_short` must be a bool"),
        ({"fixed": [("e0", "r0"), ("e0", "r1")]}, "`fixed` must be None or a mapping"),
        ({"executor": 4}, "concurrent.futures.Executor"),
        ({"progress": 1}, "`progress`"),
    ],
)
def test_shortlist_checks_parameters_at_the_door(small, bad, words) -> None:
    with pytest.raises(ParameterError, match="shortlist\\(\\)") as info:
        cm.shortlist(small, **bad)
    assert words in str(info.value)


def test_shortlist_reports_every_bad_parameter_at_once(small) -> None:
    with pytest.raises(ParameterError) as info:
        cm.shortlist(small, k=-1, seed="abc", method="magic")
    assert len(info.value.messages) == 3


def test_shortlist_rejects_a_non_scores_object() -> None:
    with pytest.raises(ParameterError, match="`scores` must be a Scores or CandidateScores"):
        cm.shortlist([[0.1, 0.2]], k=1)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="`scores`"):
        cm.shortlist(pd.DataFrame([[0.1]]), k=1)  # type: ignore[arg-type]


def test_fixed_names_every_bad_pair(small) -> None:
    with pytest.raises(ParameterError) as info:
        cm.shortlist(small, k=1, fixed={"e0": "nobody", "ghost": "r0"})
    text = str(info.value)
    assert "('e0', 'nobody') names an unknown mentor id" in text
    assert "('ghost', 'r0') names an unknown mentee id" in text
    with pytest.raises(ParameterError, match="more mentees than their capacity"):
        cm.shortlist(small, k=1, fixed={"e0": "r0", "e1": "r0"})


def test_exposure_is_checked(small) -> None:
    with pytest.raises(ValueError, match="`exposure`"):
        cm.shortlist(small, k=1, exposure=-1)
    with pytest.raises(ValueError, match="`exposure`"):
        cm.shortlist(small, k=1, exposure=[1, 2])


def test_assign_and_rematch_check_parameters(small) -> None:
    sl = cm.shortlist(small, k=2)
    with pytest.raises(ParameterError, match="`method`"):
        cm.assign(sl, method="magic")
    with pytest.raises(ParameterError, match="`choices` as a list must hold records"):
        cm.assign(sl, [("e0", "r0", 1)])  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="`shortlists`"):
        cm.assign(small)  # type: ignore[arg-type]
    a = cm.assign(sl)
    with pytest.raises(ParameterError, match="`k` must be an int"):
        cm.rematch(a, mentees=["e0"], k=0)
    with pytest.raises(ParameterError, match="`mentees` must be a list"):
        cm.rematch(a, mentees="e0")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="Unknown: \\['ghost'\\]"):
        cm.rematch(a, mentees=["ghost"])


# ---------------------------------------------------------------------------- diagnosis
def test_hall_violator_names_mentees_and_mentors() -> None:
    """Three mentees who can only have r0 or r1 (capacity 1 each): the message names
    them and the two mentors whose capacity to raise."""
    S = np.full((4, 3), np.nan)
    S[:3, :2] = 0.5
    S[3, 2] = 0.5
    scores = matrix_scores(S, [1, 1, 3])
    with pytest.raises(cm.InfeasibleError) as info:
        cm.shortlist(scores, k=1)
    text = str(info.value)
    assert "no complete assignment exists: 3 mentees" in text
    assert "'r0', 'r1'" in text and "'r2'" not in text
    assert "raise the capacity or exposure of those mentors ('r0', 'r1') by 1" in text
    assert set(info.value.who) == {"e0", "e1", "e2"}


def test_exact_without_scip_says_so_instead_of_switching_solver(monkeypatch) -> None:
    """No silent fallback: an OR-Tools build without SCIP gives a clear error."""
    from ortools.linear_solver import pywraplp

    from crossmatch.solve import exact
    from crossmatch.solve.instance import Instance
    from crossmatch.solve.options import Deadline, ShortlistOptions

    monkeypatch.setattr(pywraplp.Solver, "CreateSolver", staticmethod(lambda name: None))
    p = Instance.build(tight_instance(0), ShortlistOptions(k=2))
    with pytest.raises(RuntimeError, match="needs SCIP"):
        exact.solve_mip(p, hint=None, deadline=Deadline.of(None), seed=0)


def test_exact_method_shows_progress_by_stage(capsys):
    """The dense exact method has a progress bar (LP pricing rounds, then the MIP) when
    asked, and none when not: the same answer either way."""
    mentees, mentors = cm.synthetic_cohort(60, 25, seed=2)
    scores = cm.score(cm.Cohort.from_frames(mentees, mentors))
    assert scores.eligible.sum(axis=1).min() >= 1
    quiet = cm.shortlist(scores, k=1, method="exact", progress=False)
    assert "exact:" not in capsys.readouterr().err
    shown = cm.shortlist(scores, k=1, method="exact", progress=True)
    err = capsys.readouterr().err
    assert "exact: LP pricing" in err or "exact: integer program" in err
    assert shown.info["lp_rounds"] >= 1
    np.testing.assert_array_equal(quiet.mentors, shown.mentors)
