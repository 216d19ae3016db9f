"""match(objective="maxmin") on a cohort's candidate scores: the floor is proved for the
full matrix (pricing passes widen the candidates until a min cut holds there,
:func:`crossmatch.solve.fair.priced_floor`). Oracle: match on the dense scores of the
same cohort (itself checked against a MILP in tests/test_match.py)."""

from __future__ import annotations

import numpy as np
import pytest

import crossmatch as cm


def _cohort(seed: int, n: int = 60, m: int = 20, capacity: tuple[int, int] = (2, 4)) -> cm.Cohort:
    mentees, mentors = cm.synthetic_cohort(n, m, seed=seed, capacity=capacity)
    return cm.Cohort.from_frames(mentees, mentors)


def _worst(a: cm.Assignment, dense: cm.Scores) -> float:
    """The smallest dense score of a pair of ``a`` (all pairs eligible in ``dense``)."""
    rows = np.flatnonzero(a.mentor >= 0)
    assert np.asarray(dense.eligible)[rows, a.mentor[rows]].all()
    return float(np.asarray(dense.total)[rows, a.mentor[rows]].min())


@pytest.mark.parametrize("seed", range(12))
def test_candidate_floor_equals_dense_floor(seed: int) -> None:
    """(The candidates' own floor is lower at 5 of these 12 seeds.)"""
    cohort = _cohort(seed)
    scores = cm.score(cohort)
    dense = cm.match(scores, objective="maxmin", waitlist=True)
    cs = cm.score_candidates(cohort, per_mentee=1, per_mentor=1)
    cands = cm.match(cs, objective="maxmin", waitlist=True)
    assert cands.info["floor_on_candidates"] is False
    assert cands.info["coverage"] == dense.info["coverage"]
    assert cands.info["floor"] == pytest.approx(dense.info["floor"])
    assert _worst(cands, scores) == pytest.approx(cands.info["floor"])
    assert cands.info["status"] == "optimal"


@pytest.mark.parametrize("seed", range(6))
def test_candidate_floor_equals_dense_floor_with_priority(seed: int) -> None:
    cohort = _cohort(seed, n=40, m=8, capacity=(1, 3))
    rng = np.random.default_rng(seed)
    priority = rng.integers(0, 3, 40).astype(float)
    scores = cm.score(cohort)
    dense = cm.match(scores, objective="maxmin", waitlist=True, priority=priority)
    cs = cm.score_candidates(cohort, per_mentee=1, per_mentor=1)
    cands = cm.match(cs, objective="maxmin", waitlist=True, priority=priority)
    assert cands.info["floor_on_candidates"] is False
    assert cands.info["coverage_by_class"] == dense.info["coverage_by_class"]
    assert cands.info["floor"] == pytest.approx(dense.info["floor"])
    assert _worst(cands, scores) == pytest.approx(cands.info["floor"])


def test_several_mentors_on_candidates_say_the_floor_is_not_proved() -> None:
    """per_mentee > 1 solves the MILP on the candidate pairs it is given: its floor is
    not proved for the full matrix, and the status says so."""
    cs = cm.score_candidates(_cohort(0), per_mentee=2, per_mentor=2)
    a = cm.match(cs, per_mentee=2, objective="maxmin", waitlist=True)
    assert a.info["floor_on_candidates"] is True
    assert a.info["status"] == "feasible"


def test_dense_floor_is_not_on_candidates() -> None:
    a = cm.match(cm.score(_cohort(1)), objective="maxmin", waitlist=True)
    assert "floor_on_candidates" not in a.info or a.info["floor_on_candidates"] is False


def test_unproved_floor_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pricing passes (FLOOR_ROUNDS = 0) the floor is the candidates' own: lower
    than the full matrix's here, and the answer says it is not proved."""
    from crossmatch.solve import fair

    cohort = _cohort(0)
    dense = cm.match(cm.score(cohort), objective="maxmin", waitlist=True)
    monkeypatch.setattr(fair, "FLOOR_ROUNDS", 0)
    cs = cm.score_candidates(cohort, per_mentee=1, per_mentor=1)
    a = cm.match(cs, objective="maxmin", waitlist=True)
    assert a.info["floor_on_candidates"] is True
    assert a.info["status"] == "feasible"
    assert "time_limit_reached" not in a.info
    assert a.info["floor"] < dense.info["floor"]


@pytest.mark.parametrize("seed", [0, 4, 5, 6, 9])
@pytest.mark.parametrize("rule", ["fixed", "history"])
def test_candidate_floor_equals_dense_floor_with_fixed_or_history(seed: int, rule: str) -> None:
    """A fixed pair (a candidate) or last round's pairs (made ineligible) change the
    network the floor is priced on; the floor still equals the dense one."""
    cohort = _cohort(seed)
    scores = cm.score(cohort)
    cs = cm.score_candidates(cohort, per_mentee=1, per_mentor=1)
    if rule == "fixed":
        rows, cols, _ = cs.pairs_of(np.arange(cs.n_mentees))
        kw: dict[str, object] = {"fixed": {cs.mentee_ids[rows[3]]: cs.mentor_ids[cols[3]]}}
    else:
        past = cm.match(scores, objective="maxmin", waitlist=True).to_frame().dropna()
        kw = {"history": past.head(15).assign(round=1)}
    dense = cm.match(scores, objective="maxmin", waitlist=True, **kw)  # type: ignore[arg-type]
    cands = cm.match(cs, objective="maxmin", waitlist=True, **kw)  # type: ignore[arg-type]
    assert cands.info["floor_on_candidates"] is False
    assert cands.info["coverage"] == dense.info["coverage"]
    assert cands.info["floor"] == pytest.approx(dense.info["floor"])
