"""JSON in and out: strict, versioned, schema-valid, lossless, and the same assignment in a
new process; rematch merges into the previous assignment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crossmatch as cm
from crossmatch.check import check_assignment, check_shortlists
from crossmatch.results import Assignment, Shortlists

SRC = str(Path(__file__).resolve().parents[1] / "src")


def strict_loads(text: str):
    """json.loads that refuses NaN / Infinity, as JSON.parse does."""

    def refuse(name: str):
        raise AssertionError(f"non-strict JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def cohort_scores():
    mentees, mentors = cm.synthetic_cohort(90, 40, seed=4, capacity=(2, 4))
    return mentees, cm.score(cm.Cohort.from_frames(mentees, mentors))


@pytest.fixture(scope="module")
def lists(cohort_scores):
    return cm.shortlist(cohort_scores[1], k=3, allow_short=True)


@pytest.fixture(scope="module")
def choices(lists):
    return cm.simulate_choices(lists, seed=2)


def with_unmatched(a: Assignment, rows: list[int]) -> Assignment:
    mentor, pref = a.mentor.copy(), a.preference.copy()
    mentor[rows], pref[rows] = -1, 0
    reason = tuple("waiting: no capacity" if r in rows else x for r, x in enumerate(a.reason))
    return Assignment(scores=a.scores, mentor=mentor, preference=pref, reason=reason,
                      method=a.method, shortlists=a.shortlists, info=a.info)  # fmt: skip


# ---------------------------------------------------------------------------- strictness
def test_records_and_json_are_strict_with_unmatched_mentees(lists, choices):
    a = with_unmatched(cm.assign(lists, choices), [0, 7])
    assert a.to_frame()["score"].isna().sum() == 2  # the frame keeps NaN ...
    recs = a.to_records()
    assert recs[0]["mentor_id"] is None and recs[0]["score"] is None
    assert recs[0]["preference"] is None and recs[0]["reason"] == "waiting: no capacity"
    strict_loads(json.dumps(recs, allow_nan=False))  # ... records and JSON never do
    doc = strict_loads(a.to_json())
    assert doc["schema"] == 1 and doc["kind"] == "assignment"
    assert doc["assignment"][7]["mentor_id"] is None
    matched = [r for k, r in enumerate(recs) if k not in (0, 7)]
    assert all(type(r["score"]) is float and type(r["preference"]) is int for r in matched)
    strict_loads(lists.to_json())
    strict_loads(json.dumps(lists.to_records(), allow_nan=False))


def test_a_nan_in_the_input_is_refused(lists):
    text = lists.to_json().replace('"objective": ', '"objective": NaN, "x": ', 1)
    with pytest.raises(ValueError, match="strict JSON has no NaN"):
        Shortlists.from_json(text)


def test_wrong_kind_version_missing_keys_and_files(lists, choices, tmp_path):
    a_text = cm.assign(lists, choices).to_json()
    with pytest.raises(ValueError, match="expected shortlists JSON"):
        Shortlists.from_json(a_text)
    doc = strict_loads(lists.to_json())
    with pytest.raises(ValueError, match="schema version 99"):
        Shortlists.from_json(json.dumps({**doc, "schema": 99}))
    del doc["entries"]
    with pytest.raises(ValueError, match=r"missing required key.*entries"):
        Shortlists.from_json(json.dumps(doc))
    with pytest.raises(FileNotFoundError, match="not found"):
        Shortlists.from_json(tmp_path / "nope.json")
    with pytest.raises(IsADirectoryError, match="directory"):
        Assignment.from_json(tmp_path)
    with pytest.raises(ValueError, match="not valid JSON"):
        Shortlists.from_json("{ not json")


# ---------------------------------------------------------------------------- round trips
def test_shortlists_round_trip_is_lossless(lists, tmp_path):
    path = tmp_path / "lists.json"
    assert lists.to_json(path, indent=2) is None
    for source in (path, str(path), path.read_text(), path.read_bytes()):
        back = Shortlists.from_json(source)
        pd.testing.assert_frame_equal(back.to_frame(), lists.to_frame(), check_dtype=False)
    assert np.array_equal(back.mentors, lists.mentors)
    assert np.array_equal(back.recommended, lists.recommended)
    assert np.array_equal(back.exposure, lists.exposure)
    assert np.array_equal(back.scores.capacity, lists.scores.capacity)
    assert (back.k, back.objective, back.bound, back.status, back.method) == (
        lists.k, lists.objective, lists.bound, lists.status, lists.method,
    )  # fmt: skip
    assert list(back.mentor_ids) == list(lists.mentor_ids)
    assert dict(back.scores.weights) == pytest.approx(dict(lists.scores.weights))
    assert back.to_json() == lists.to_json()  # a fixed point
    assert check_shortlists(back) == []


def test_assignment_round_trip_is_lossless(lists, choices):
    a = with_unmatched(cm.assign(lists, choices), [3])
    back = Assignment.from_json(a.to_json())
    pd.testing.assert_frame_equal(back.to_frame(), a.to_frame(), check_dtype=False)
    assert back.reason == a.reason and back.method == a.method
    assert back.total_score == a.total_score
    assert back.to_json() == a.to_json()
    assert np.array_equal(back.shortlists.mentors, lists.mentors)


def test_ids_keep_their_type():
    scores = cm.Scores.from_matrix(
        np.array([[0.9, 0.2, 0.5], [0.4, 0.8, 0.3], [0.1, 0.6, 0.7]]),
        mentee_ids=[10, "10b", 3],
        mentor_ids=["007", 7, "=x"],
        capacity=[1, 1, 1],
    )
    lists = cm.shortlist(scores, k=2)
    back = Shortlists.from_json(lists.to_json())
    assert [type(v) for v in back.mentee_ids] == [int, str, int]
    assert list(back.mentor_ids) == ["007", 7, "=x"]
    a = cm.assign(lists)
    b = Assignment.from_json(a.to_json())
    assert b.to_records() == a.to_records()
    assert b.to_records()[0]["mentee_id"] == 10


def test_a_loaded_shortlists_assigns_exactly_as_the_original(lists, choices):
    back = Shortlists.from_json(lists.to_json())
    for method in ("rank-maximal", "stable"):
        a, b = cm.assign(lists, choices, method=method), cm.assign(back, choices, method=method)
        assert np.array_equal(a.mentor, b.mentor)
        assert np.array_equal(a.preference, b.preference)
        assert a.total_score == b.total_score
        assert check_assignment(b) == []


def test_cross_process_assignment_is_identical(lists, choices, tmp_path):
    """Save the shortlists; assign in a new Python process from the JSON and a choices CSV
    written by crossmatch; the result equals the in-process assignment."""
    lists.to_json(tmp_path / "lists.json")
    choices.to_csv(tmp_path / "choices.csv", index=False)
    script = (
        "import sys, crossmatch as cm\n"
        "lists = cm.Shortlists.from_json(sys.argv[1])\n"
        "choices = cm.read_choices(sys.argv[2])\n"
        "cm.assign(lists, choices).to_json(sys.argv[3])\n"
    )
    out = tmp_path / "assignment.json"
    env = {**os.environ, "PYTHONPATH": SRC}
    subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "lists.json"),
         str(tmp_path / "choices.csv"), str(out)],
        check=True, env=env, capture_output=True, text=True,
    )  # fmt: skip
    theirs = Assignment.from_json(out)
    mine = cm.assign(lists, choices)
    assert theirs.to_records() == Assignment.from_json(mine.to_json()).to_records()
    assert np.array_equal(theirs.mentor, mine.mentor)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(2, 6).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.floats(0, 1, width=32), min_size=n * 4, max_size=n * 4),
            st.booleans(),
        )
    )
)
def test_property_round_trip_assigns_the_same(case):
    n, values, int_ids = case
    mat = np.array(values, dtype=np.float64).reshape(n, 4)
    ee = list(range(100, 100 + n)) if int_ids else [f"m{k}" for k in range(n)]
    scores = cm.Scores.from_matrix(mat, mentee_ids=ee, mentor_ids=["a", "b", 3, 4],
                                   capacity=[n, n, n, n])  # fmt: skip
    lists = cm.shortlist(scores, k=2, method="flow")
    back = Shortlists.from_json(lists.to_json())
    assert back.to_records() == lists.to_records()
    assert cm.assign(back).to_records() == cm.assign(lists).to_records()


# ---------------------------------------------------------------------------- JSON Schema
def _validator(name: str):
    jsonschema = pytest.importorskip("jsonschema")
    from referencing import Registry, Resource

    files = resources.files("crossmatch") / "schemas"
    docs = {p: json.loads((files / p).read_text()) for p in
            ("shortlists.schema.json", "assignment.schema.json")}  # fmt: skip
    registry = Registry().with_resources(
        [(d["$id"], Resource.from_contents(d)) for d in docs.values()]
    )
    cls = jsonschema.validators.validator_for(docs[name])
    cls.check_schema(docs[name])
    return cls(docs[name], registry=registry)


def test_output_matches_the_json_schemas(cohort_scores, lists, choices):
    mentees, _scores = cohort_scores
    v_lists, v_assign = _validator("shortlists.schema.json"), _validator("assignment.schema.json")
    a = with_unmatched(cm.assign(lists, choices), [1])
    v_lists.validate(strict_loads(lists.to_json()))
    v_assign.validate(strict_loads(a.to_json()))
    again = cm.rematch(cm.assign(lists, choices), mentees=[mentees.id[2]], k=2)
    v_lists.validate(strict_loads(again.to_json()))  # with the previous assignment inside
    merged = cm.assign(again)
    v_assign.validate(strict_loads(merged.to_json()))
    broken = strict_loads(lists.to_json())
    broken["entries"][0]["score"] = None
    with pytest.raises(Exception, match="None is not of type 'number'"):
        v_lists.validate(broken)


# ---------------------------------------------------------------------------- rematch merge
def test_assigning_rematch_shortlists_merges_into_the_previous_assignment(cohort_scores, lists):
    mentees, scores = cohort_scores
    first = cm.assign(lists)
    who = [mentees.id[0], mentees.id[9]]
    rows = [0, 9]
    again = cm.rematch(first, mentees=who, k=2)
    assert again.previous is first
    second = cm.assign(again)
    assert len(second.mentor) == len(first.mentor)  # a full assignment
    others = np.setdiff1d(np.arange(len(first.mentor)), rows)
    assert np.array_equal(second.mentor[others], first.mentor[others])  # untouched
    assert np.array_equal(second.preference[others], first.preference[others])
    assert np.all(second.mentor[rows] != first.mentor[rows])  # never the previous mentor
    assert check_assignment(second) == []  # capacity holds with everyone kept
    assert second.info["rematched"] == who
    # the merged result can be rematched again, and saved and loaded in between
    third = cm.assign(cm.rematch(second, mentees=[who[0]], k=2))
    assert third.info["rematched"] == who
    assert third.mentor[0] not in (second.mentor[0],)
    assert np.array_equal(np.delete(third.mentor, 0), np.delete(second.mentor, 0))
    loaded = Assignment.from_json(second.to_json())
    via_json = cm.assign(
        Shortlists.from_json(cm.rematch(loaded, scores=scores, mentees=[who[0]], k=2).to_json())
    )
    assert np.array_equal(via_json.mentor, third.mentor)
    assert check_assignment(via_json) == []


def test_merge_rejects_foreign_updates(lists):
    a = cm.assign(lists)
    other = cm.Scores.from_matrix(np.ones((1, 1)), mentee_ids=["z"], mentor_ids=["q"],
                                  capacity=[1])  # fmt: skip
    b = cm.assign(cm.shortlist(other, k=1))
    with pytest.raises(ValueError, match="same mentors"):
        a.merge(b)
    with pytest.raises(TypeError, match="must be an Assignment"):
        a.merge(lists)


def test_door_checks_of_the_writers_and_readers(lists):
    with pytest.raises(cm.ParameterError, match=r"`indent` must be an int in \[0, inf\)"):
        lists.to_json(indent=-1)
    with pytest.raises(cm.ParameterError, match="`safe` must be a bool"):
        lists.to_csv(safe="no")
    with pytest.raises(cm.ParameterError, match="`path` must be a file path"):
        cm.assign(lists).to_json(3)
    with pytest.raises(cm.ParameterError, match="`source` must be JSON text, a path or an open"):
        Assignment.from_json({"kind": "assignment"})
    with pytest.raises(cm.ParameterError, match="`source` must be a CSV path"):
        cm.read_choices(42)


def test_with_scores_gives_a_loaded_result_every_pair_again(cohort_scores, lists, choices):
    mentees, scores = cohort_scores
    loaded = Shortlists.from_json(lists.to_json())
    full = loaded.with_scores(scores)
    assert full.scores is scores and np.array_equal(full.mentors, lists.mentors)
    assert bool(full.scores.eligible.sum() > loaded.scores.n_pairs)  # every pair again
    assert cm.assign(full, choices).to_records() == cm.assign(lists, choices).to_records()
    a = Assignment.from_json(cm.assign(lists, choices).to_json()).with_scores(scores)
    assert a.scores is scores and a.shortlists.scores is scores
    # rematch shortlists: their rows of the full scores, with the capacity they were solved with
    again = cm.rematch(cm.assign(lists, choices), mentees=[mentees.id[4]], k=2)
    back = Shortlists.from_json(again.to_json()).with_scores(scores)
    assert list(back.mentee_ids) == [mentees.id[4]]
    assert np.array_equal(back.scores.capacity, again.scores.capacity)
    assert np.array_equal(cm.assign(back).mentor, cm.assign(again).mentor)
    other = cm.Scores.from_matrix(np.ones((1, 1)), mentee_ids=["z"], mentor_ids=["q"],
                                  capacity=[1])  # fmt: skip
    with pytest.raises(ValueError, match="same mentors"):
        loaded.with_scores(other)
    with pytest.raises(cm.ParameterError, match="`scores` must be a Scores"):
        loaded.with_scores(lists)


def test_several_mentors_per_mentee_round_trip_where_supported(lists, choices):
    """A document may give a mentee several mentors ("also"); a version whose Assignment
    has ``mentors`` reads them back, others refuse clearly instead of dropping them."""
    a = cm.assign(lists, choices)
    doc = strict_loads(a.to_json())
    second = next(e["mentor_id"] for e in doc["shortlists"]["entries"]
                  if e["mentee_id"] == doc["assignment"][0]["mentee_id"]
                  and e["mentor_id"] != doc["assignment"][0]["mentor_id"])  # fmt: skip
    doc["assignment"][0]["also"] = [{"mentor_id": second, "score": 0.5, "components": None}]
    _validator("assignment.schema.json").validate(doc)
    from dataclasses import fields

    if "mentors" in {f.name for f in fields(Assignment)}:
        back = Assignment.from_json(json.dumps(doc))
        assert back.mentors[0, 1] == list(back.scores.mentor_ids).index(second)
        assert strict_loads(back.to_json())["assignment"][0]["also"][0]["mentor_id"] == second
    else:
        with pytest.raises(ValueError, match="one mentor per mentee only"):
            Assignment.from_json(json.dumps(doc))


def test_candidate_shortlists_round_trip_and_assign_the_same():
    cohort = cm.Cohort.from_frames(*cm.synthetic_cohort(200, 60, seed=2, capacity=(2, 5)))
    cands = cm.score_candidates(cohort, per_mentee=10, per_mentor=20)
    lists = cm.shortlist(cands, k=3, allow_short=True)
    back = Shortlists.from_json(lists.to_json())
    assert back.to_records() == lists.to_records()
    assert back.scores.n_eligible.tolist() == cands.n_eligible.tolist()
    choices = cm.simulate_choices(lists, seed=1)
    assert cm.assign(back, choices).to_records() == cm.assign(lists, choices).to_records()
