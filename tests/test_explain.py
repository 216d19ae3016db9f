"""Explanations on hand-made cohorts whose answers are known: one case per verdict."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest

import crossmatch as cm
from crossmatch.reporting import VERDICTS, explain, explain_mentee


def strict_json(obj):
    def bad(name):
        raise ValueError(f"not strict JSON: {name}")

    return json.loads(json.dumps(obj), parse_constant=bad)


def matrix(rows, mentors, capacity, eligible=None, groups=None, mentees=None):
    S = np.asarray(rows, dtype=float)
    return cm.Scores.from_matrix(
        S,
        mentee_ids=mentees or [f"e{i}" for i in range(S.shape[0])],
        mentor_ids=mentors,
        capacity=capacity,
        eligible=None if eligible is None else np.asarray(eligible, dtype=bool),
        mentor_groups=groups,
    )


# ---------------------------------------------------------------------------- one per verdict
def test_shortlisted_outscored_and_ineligible():
    s = matrix([[0.9, 0.8, 0.1]], ["a", "b", "c"], [1, 1, 1], eligible=[[True, True, False]])
    sl = cm.shortlist(s, k=1)
    assert explain(sl, "e0", "a").verdict == "shortlisted"
    out = explain(sl, "e0", "b")
    assert out.verdict == "outscored"
    assert "a (0.90)" in out.text and "score higher" in out.text
    assert out.details["shortlist"] == [{"mentor_id": "a", "score": 0.9}]
    bad = explain(sl, "e0", "c")
    assert bad.verdict == "ineligible" and "not eligible" in bad.text
    assert bad.details["rules"] == ["not eligible"]


def test_exposure_names_the_mentees_they_score_higher_for():
    # k=1, exposure 1: the best total puts e1 with a (0.9) and e0 with b (0.5)
    s = matrix([[0.6, 0.5], [0.9, 0.1]], ["a", "b"], [1, 1])
    sl = cm.shortlist(s, k=1, exposure=1, method="exact")
    assert sl.mentor_ids[sl.mentors[0, 0]] == "b"
    out = explain(sl, "e0", "a")
    assert out.verdict == "exposure"
    assert "already on 1 shortlists, the most allowed (exposure)" in out.text
    assert out.details["higher_for"] == [{"mentee_id": "e1", "score": 0.9}]
    assert "e1 (0.90)" in out.text


def test_group_limit():
    s = matrix([[0.9, 0.8, 0.3]], ["a", "b", "c"], [1, 1, 1], groups=["g", "g", "h"])
    sl = cm.shortlist(s, k=2, max_per_group=1)
    assert sorted(sl.mentor_ids[sl.mentors[0]].tolist()) == ["a", "c"]
    out = explain(sl, "e0", "b")
    assert out.verdict == "group-limit"
    assert "max_per_group=1" in out.text and out.details["group"] == "g"


def test_trade_off_measures_the_cost_against_brute_force():
    # k=1: the list is the covering assignment; e0 would rather have a, but then e1 gets b
    S = np.array([[0.9, 0.8], [0.85, 0.1]])
    s = matrix(S, ["a", "b"], [1, 1])
    sl = cm.shortlist(s, k=1, exposure=2)
    assert sl.mentor_ids[sl.mentors[0, 0]] == "b"
    out = explain(sl, "e0", "a")
    assert out.verdict == "trade-off"
    # brute force: every assignment of the two mentees to distinct mentors
    totals = {p: S[0, p[0]] + S[1, p[1]] for p in itertools.permutations(range(2))}
    best = max(totals.values())
    forced = max(v for p, v in totals.items() if p[0] == 0)
    assert out.details["loss"] == pytest.approx(best - forced)
    assert f"by {best - forced:.3f}" in out.text
    assert "e1 would get b (0.10) instead of a (0.85)" in out.text
    quick = explain(sl, "e0", "a", counterfactual=False)
    assert quick.verdict == "trade-off" and quick.details["loss"] is None


def test_trade_off_tie_says_so():
    s = matrix([[0.9, 0.8], [0.9, 0.8]], ["a", "b"], [1, 1])
    sl = cm.shortlist(s, k=1, exposure=2)
    j = 1 - int(sl.mentors[0, 0])
    out = explain(sl, "e0", ["a", "b"][j])
    assert out.verdict in {"trade-off", "outscored"}
    if out.verdict == "trade-off":
        assert out.details["loss"] == pytest.approx(0.0, abs=1e-9)
        assert "equally good" in out.text


def test_assigned_and_capacity_in_an_assignment():
    s = matrix([[0.9, 0.5], [0.8, 0.4]], ["a", "b"], [1, 1])
    sl = cm.shortlist(s, k=2, exposure=2)
    choices = pd.DataFrame(
        {"mentee_id": ["e0", "e0", "e1", "e1"], "mentor_id": ["a", "b", "a", "b"],
         "preference": [1, 2, 1, 2]}
    )  # fmt: skip
    a = cm.assign(sl, choices)
    got = dict(zip(a.to_frame().mentee_id, a.to_frame().mentor_id, strict=True))
    loser = next(e for e, m in got.items() if m == "b")
    winner = next(e for e, m in got.items() if m == "a")
    assert explain(a, winner, "a").verdict == "assigned"
    out = explain(a, loser, "a")
    assert out.verdict == "capacity"
    assert winner in out.text and out.details["taken_by"] == [winner]
    assert explain(a, loser, "b").verdict == "assigned"


def test_no_free_capacity_after_rematch_is_capacity():
    s = matrix([[0.9, 0.5, 0.1], [0.8, 0.7, 0.2]], ["a", "b", "c"], [1, 1, 1])
    a = cm.assign(cm.shortlist(s, k=1, exposure=2))
    assert a.to_frame().mentor_id.tolist() == ["a", "b"]
    redo = cm.rematch(a, mentees=["e1"], k=1)
    # e1 may not have its previous mentor b again; a stays full with e0
    out = explain(redo, "e1", "a")
    assert out.verdict == "capacity" and "no free place" in out.text
    assert explain(redo, "e1", "b").verdict == "ineligible"
    assert explain(redo, "e1", "c").verdict == "shortlisted"


def test_scores_alone_use_the_k_best():
    s = matrix([[0.9, 0.8, 0.7]], ["a", "b", "c"], [1, 1, 1])
    assert explain(s, "e0", "b", k=2).verdict == "shortlisted"
    out = explain(s, "e0", "c", k=2)
    assert out.verdict == "outscored"
    assert [c["mentor_id"] for c in out.details["competitors"]] == ["a", "b"]


# ---------------------------------------------------------------------------- what they share
def tiny_cohort():
    base = dict(cadence="monthly", seniority=3)
    mentees = pd.DataFrame(
        [dict(id="ann", organisation="Acme", sector="local-government",
              availability="tue-pm;thu-am", mode="in-person", region="London",
              goals="strategy;budgeting", **base)]
    )  # fmt: skip
    mentors = pd.DataFrame(
        [
            dict(id="bo", organisation="NHS Trust", sector="arms-length-body",
                 availability="tue-pm;fri-am", mode="either", region="London",
                 expertise="budgeting;strategy", capacity=1, cadence="monthly", seniority=5),
            dict(id="cy", organisation="acme", sector="local-government",
                 availability="tue-pm", mode="either", region="London",
                 expertise="strategy", capacity=1, cadence="monthly", seniority=5),
            dict(id="di", organisation="Bank", sector="financial-services",
                 availability="mon-am", mode="remote", region="Leeds",
                 expertise="strategy", capacity=1, cadence="weekly", seniority=5),
        ]
    )  # fmt: skip
    return cm.Cohort.from_frames(mentees, mentors)


def test_suggested_mentor_text_names_what_they_share():
    scores = cm.score(tiny_cohort())
    out = explain(scores, "ann", "bo", k=1)
    assert out.verdict == "shortlisted"
    for words in ("strategy", "budgeting", "Tuesday afternoon", "local government",
                  "arms length body", "public sector", "in person in London", "monthly",
                  "2 grades more senior"):  # fmt: skip
        assert words in out.text, words
    assert "Friday" not in out.text
    shared = out.details["shared"]
    assert shared["shared_goals"] == ["strategy", "budgeting"]  # the primary goal first
    assert shared["shared_slots"] == ["tue-pm"]
    assert shared["sector_distance"] == pytest.approx(
        scores.cohort.taxonomy.distance[
            scores.cohort.mentee_sector[0], scores.cohort.mentor_sector[0]
        ]
    )


def test_ineligible_names_the_rules():
    scores = cm.score(tiny_cohort())
    cy = explain(scores, "ann", "cy")
    assert cy.verdict == "ineligible" and "same organisation" in cy.text
    assert "Both work for Acme." in cy.text
    di = explain(scores, "ann", "di")
    assert di.verdict == "ineligible"
    assert set(di.details["rules"]) == set(scores.reasons("ann", "di"))
    assert "no shared slot" in di.text and "in-person only" in di.text


# ---------------------------------------------------------------------------- tables and types
@pytest.fixture(scope="module")
def demo():
    mentees, mentors = cm.synthetic_cohort(40, 16, seed=5, capacity=(2, 5))
    cohort = cm.Cohort.from_frames(mentees, mentors)
    scores = cm.score(cohort)
    sl = cm.shortlist(scores, k=3, allow_short=True)
    a = cm.assign(sl, cm.simulate_choices(sl, seed=0))
    cs = cm.score_candidates(cohort, per_mentee=4, per_mentor=4)
    return scores, sl, a, cs, cm.shortlist(cs, k=3, allow_short=True)


def test_explain_mentee_has_one_row_per_mentor(demo):
    scores, sl, a, cs, csl = demo
    mentee = scores.mentee_ids[0]
    for result in (scores, sl, a, cs, csl):
        df = explain_mentee(result, mentee)
        assert {"mentor_id", "verdict", "text", "score"} <= set(df.columns)
        assert sorted(df.mentor_id) == sorted(scores.mentor_ids)
        assert set(df.verdict) <= set(VERDICTS)
        assert df.text.str.len().gt(0).all()
        ineligible = set(df.mentor_id[df.verdict == "ineligible"])
        truth = set(scores.mentor_ids[~scores.eligible[0]])
        assert ineligible <= truth
    listed = set(sl.mentor_ids[sl.mentors[0][sl.mentors[0] >= 0]])
    df = explain_mentee(sl, mentee)
    assert set(df.mentor_id[df.verdict == "shortlisted"]) == listed
    assert df.verdict.iloc[0] == "shortlisted"


def test_candidate_scores_explain_pairs_that_were_pruned(demo):
    scores, _, _, cs, csl = demo
    i = 0
    missing = [j for j in range(scores.n_mentors) if not cs.eligible[i, j]]
    assert missing  # some pairs were pruned
    for j in missing:
        out = explain(csl, scores.mentee_ids[i], scores.mentor_ids[j])
        assert out.verdict in VERDICTS
        # the score is recomputed from the cohort, as the dense scores have it
        assert out.details["score"] == pytest.approx(float(scores.total[i, j]), abs=1e-6)
        assert (out.verdict == "ineligible") == (not scores.eligible[i, j])


def test_details_are_strict_json(demo):
    scores, sl, a, _, _ = demo
    for result in (scores, sl, a):
        for j in range(scores.n_mentors):
            e = explain(result, scores.mentee_ids[1], scores.mentor_ids[j])
            back = strict_json(e.to_dict())
            assert back["verdict"] == e.verdict and back["text"] == e.text


def test_explanation_is_frozen(demo):
    scores = demo[0]
    e = explain(scores, scores.mentee_ids[0], scores.mentor_ids[0])
    with pytest.raises(AttributeError):
        e.verdict = "assigned"  # type: ignore[misc]
    with pytest.raises(TypeError):
        e.details["score"] = 1  # type: ignore[index]


def test_bad_input_is_clear(demo):
    scores = demo[0]
    with pytest.raises(KeyError, match="unknown mentee id 'nobody'"):
        explain(scores, "nobody", scores.mentor_ids[0])
    with pytest.raises(KeyError, match="unknown mentor id"):
        explain(scores, scores.mentee_ids[0], "nobody")
    with pytest.raises(cm.ParameterError, match="`result` must be a Scores"):
        explain(scores.to_frame(), "a", "b")
    with pytest.raises(cm.ParameterError, match="`k` must be an int"):
        explain(scores, scores.mentee_ids[0], scores.mentor_ids[0], k=0)


def test_a_mentor_with_capacity_zero_is_capacity():
    s = matrix([[0.9, 0.5]], ["a", "b"], [0, 1])
    out = explain(cm.shortlist(s, k=1), "e0", "a")
    assert out.verdict == "capacity" and "capacity 0" in out.text


def test_places_taken_by_fixed_pairs_are_capacity():
    s = matrix([[0.9, 0.5, 0.4], [0.8, 0.6, 0.3]], ["a", "b", "c"], [1, 1, 1])
    sl = cm.shortlist(s, k=2, fixed={"e0": "a"})
    assert sl.mentor_ids[sl.mentors[0, 0]] == "a" and sl.lengths()[0] == 1
    out = explain(sl, "e1", "a")
    assert out.verdict == "capacity" and out.details["taken_by"] == ["e0"]
    assert "pairs that continue (e0)" in out.text


def test_candidates_without_the_cohort_explain_pruned_pairs(demo):
    from dataclasses import replace

    _, _, _, cs, _ = demo
    bare = replace(cs, cohort=None, config=None)  # e.g. candidates from a platform's table
    i = 0
    j = next(j for j in range(bare.n_mentors) if not bare.eligible[i, j])
    out = explain(bare, bare.mentee_ids[i], bare.mentor_ids[j])
    assert out.verdict == "outscored" and out.details["known"] is False
    if np.isfinite(bare.mentee_cut[i]):
        assert out.details["at_most"] == pytest.approx(float(bare.mentee_cut[i]))
        assert "scores at most" in out.text
    loaded = replace(bare, mentee_cut=np.full(bare.n_mentees, np.inf))
    out = explain(loaded, bare.mentee_ids[i], bare.mentor_ids[j])
    assert out.details["at_most"] is None and "holds no score for the pair" in out.text
    df = explain_mentee(bare, bare.mentee_ids[i])
    assert len(df) == bare.n_mentors and df.score.isna().sum() == bare.n_mentors - int(
        (bare.rows == i).sum()
    )


# ---------------------------------------------------------------------------- properties
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def small_problem(draw):
    n, m = draw(st.integers(2, 5)), draw(st.integers(2, 4))
    grid = st.integers(0, 20).map(lambda v: v / 20)
    S = np.array([[draw(grid) for _ in range(m)] for _ in range(n)])
    elig = np.array([[draw(st.booleans()) or draw(st.booleans()) for _ in range(m)]
                     for _ in range(n)])  # fmt: skip
    cap = [draw(st.sampled_from([1, 1, 2])) for _ in range(m)]
    k = draw(st.sampled_from([1, 1, 2]))
    exposure = draw(st.sampled_from([None, n, n, 1]))  # mostly loose: coverage binds
    groups = [draw(st.sampled_from("gh")) for _ in range(m)]
    per_group = draw(st.sampled_from([None, None, 1]))
    return S, elig, cap, k, exposure, groups, per_group


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problem())
def test_verdicts_agree_with_the_shortlists(problem):
    S, elig, cap, k, exposure, groups, per_group = problem
    s = matrix(S, [f"m{j}" for j in range(S.shape[1])], cap, eligible=elig, groups=groups)
    try:
        sl = cm.shortlist(s, k=k, exposure=exposure, max_per_group=per_group, method="exact")
    except cm.InfeasibleError:
        assume(False)
    shown = np.bincount(sl.mentors[sl.mentors >= 0], minlength=s.n_mentors)
    for i in range(s.n_mentees):
        mine = sl.mentors[i][sl.mentors[i] >= 0]
        for j in range(s.n_mentors):
            e = explain(sl, f"e{i}", f"m{j}")
            assert (e.verdict == "shortlisted") == (j in mine)
            assert (e.verdict == "ineligible") == (not elig[i, j])
            if e.verdict == "outscored":
                assert len(mine) == k and S[i, mine].min() >= S[i, j]
            if e.verdict == "exposure":
                assert shown[j] >= sl.exposure[j]
            if e.verdict == "group-limit":
                assert sum(groups[c] == groups[j] for c in mine) >= per_group
            if e.verdict == "trade-off" and e.details["loss"] is not None:
                loss = e.details["loss"]
                assert loss >= -1e-9
                # the exact re-solve is an independent oracle for the shortlist's optimum
                assert e.details["best_total"] == pytest.approx(sl.objective, abs=1e-6)
                assert e.details["total_with_pair"] <= sl.objective + 1e-6


def test_each_result_is_explained_from_its_own_lists():
    # explanations reuse what they read about a result; another result is read afresh
    s = matrix([[0.9, 0.8, 0.1]], ["a", "b", "c"], [1, 1, 1])
    one, two = cm.shortlist(s, k=1), cm.shortlist(s, k=2)
    for _ in range(2):
        assert explain(one, "e0", "b").verdict == "outscored"
        assert explain(two, "e0", "b").verdict == "shortlisted"
        assert explain(s, "e0", "b", k=1).verdict == "outscored"
        assert explain(s, "e0", "b", k=2).verdict == "shortlisted"


def test_goals_are_named_in_the_mentees_order():
    base = dict(organisation="A", sector="charity", availability="mon-am", cadence="weekly",
                mode="remote", region="Leeds")  # fmt: skip
    mentees = pd.DataFrame([dict(id="m", goals="resilience;budgeting;advocacy", **base)])
    mentors = pd.DataFrame(
        [dict(id="t", expertise="advocacy;budgeting;resilience", capacity=1,
              **{**base, "organisation": "B"})]
    )  # fmt: skip
    scores = cm.score(cm.Cohort.from_frames(mentees, mentors))
    out = explain(scores, "m", "t", k=1)
    assert out.details["shared"]["shared_goals"] == ["resilience", "budgeting", "advocacy"]
    assert "resilience, budgeting and advocacy" in out.text


# ---------------------------------------------------------------------------- blank cells in words
def blank_region_cohort():
    """Remote-only people may leave their region blank: it must never read 'nan'."""
    base = dict(cadence="monthly", seniority=3, availability="tue-pm")
    mentees = pd.DataFrame(
        [dict(id="ann", organisation="Acme", sector="local-government", mode="remote",
              region=None, goals="strategy", **base),
         dict(id="ben", organisation="Acme", sector="local-government", mode="in-person",
              region="Leeds", goals="strategy", **base)]
    )  # fmt: skip
    mentors = pd.DataFrame(
        [dict(id="bo", organisation="Deloitte", sector="professional-services", mode="remote",
              region="", expertise="strategy", capacity=2, **{**base, "seniority": 5}),
         dict(id="cy", organisation="Bank", sector="financial-services", mode="either",
              region="York", expertise="strategy", capacity=2, **{**base, "seniority": 5})]
    )  # fmt: skip
    return cm.Cohort.from_frames(mentees, mentors)


def test_blank_regions_read_naturally():
    scores = cm.score(blank_region_cohort())
    both_blank = explain(scores, "ann", "bo", k=2)
    assert "they would meet remotely" in both_blank.text
    assert "nan" not in both_blank.text and "None" not in both_blank.text
    assert "remotely (" not in both_blank.text  # nothing to say about where
    shared = both_blank.details["shared"]
    assert shared["mentee_region"] is None and shared["mentor_region"] is None
    assert strict_json(both_blank.to_dict())["details"]["shared"]["mentee_region"] is None
    one_blank = explain(scores, "ann", "cy", k=2)
    assert "meet remotely (the mentor in York; the mentee's region is not given)" in one_blank.text
    # an in-person-only mentee and a remote-only mentor with no region: cannot meet
    cannot = explain(scores, "ben", "bo", k=2)
    assert cannot.verdict == "ineligible"
    for text in (cannot.text, *explain_mentee(scores, "ben")["text"]):
        assert "nan" not in text and "None" not in text, text
    assert "the mentor remotely (region not given)" in describe_text(scores, "ben", "bo")
    assert "Leeds (the mentor's region is not given)" in cannot.text


def describe_text(scores, mentee, mentor):
    from crossmatch.reporting._describe import describe_pair

    c = scores.cohort
    i, j = list(c.mentee_ids).index(mentee), list(c.mentor_ids).index(mentor)
    return "; ".join(describe_pair(c, scores.config, i, j)[0])


def test_person_label_leaves_blank_cells_out():
    from crossmatch.reporting._describe import person_label

    assert person_label("Deloitte", "professional-services", "London") == (
        "Deloitte (professional-services, London)"
    )
    assert person_label("Deloitte", "professional-services", float("nan")) == (
        "Deloitte (professional-services)"
    )
    assert person_label(None, " ", "NA") == "an organisation not given"


def test_counts_are_in_the_right_number():
    s = matrix([[0.9, 0.5], [0.8, 0.4]], ["a", "b"], [1, 1])
    a = cm.assign(cm.shortlist(s, k=2, exposure=2), pd.DataFrame(
        {"mentee_id": ["e0", "e0", "e1", "e1"], "mentor_id": ["a", "b", "a", "b"],
         "preference": [1, 2, 1, 2]}))  # fmt: skip
    loser = a.to_frame().set_index("mentor_id").loc["b", "mentee_id"]
    text = explain(a, loser, "a").text
    assert "all 1 place went to" in text and "place(s)" not in text
