"""Scoring: properties (range, shape, permutations, hard rules) and worked examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _data import mentees_frame, mentors_frame
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import cohort_frames

import crossmatch as cm
from crossmatch.cohort import SLOTS

PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COMPONENTS = ("sector", "goals", "availability", "seniority")


def _cohort(mentees: pd.DataFrame, mentors: pd.DataFrame) -> cm.Cohort:
    return cm.Cohort.from_frames(mentees, mentors)


# ---------------------------------------------------------------------------- properties
@PROPS
@given(cohort_frames())
def test_scores_in_range_with_right_shape(frames):
    cohort = _cohort(*frames)
    s = cm.score(cohort)
    n, m = len(frames[0]), len(frames[1])
    assert s.shape == (n, m)
    for name, arr in [("total", s.total), *s.components.items()]:
        assert arr.shape == (n, m), name
        assert np.all(np.isfinite(arr)), name
        assert arr.min() >= 0 and arr.max() <= 1, name
    assert s.eligible.dtype == bool
    np.testing.assert_array_equal(s.eligible, s.reason_flags == 0)
    assert set(s.components) >= {"sector", "goals", "availability"}


@PROPS
@given(cohort_frames(), st.randoms(use_true_random=False))
def test_permuting_rows_permutes_scores(frames, rnd):
    mentees, mentors = frames
    p = list(range(len(mentees)))
    q = list(range(len(mentors)))
    rnd.shuffle(p)
    rnd.shuffle(q)
    a = cm.score(_cohort(mentees, mentors))
    b = cm.score(_cohort(mentees.iloc[p], mentors.iloc[q]))
    np.testing.assert_array_equal(b.mentee_ids, a.mentee_ids[p])
    np.testing.assert_array_equal(b.mentor_ids, a.mentor_ids[q])
    np.testing.assert_allclose(b.total, a.total[np.ix_(p, q)], atol=1e-6)
    for name in a.components:
        np.testing.assert_allclose(b.components[name], a.components[name][np.ix_(p, q)], atol=1e-6)
    np.testing.assert_array_equal(b.reason_flags, a.reason_flags[np.ix_(p, q)])


def _slots(text: str) -> set[str]:
    return set(text.split(";")) if text else set()


@PROPS
@given(cohort_frames())
def test_every_hard_rule_makes_the_pair_ineligible_with_its_reason(frames):
    """Each rule's condition, computed independently from the raw frames, matches the flags."""
    mentees, mentors = frames
    s = cm.score(_cohort(mentees, mentors))
    for i, e in enumerate(mentees.itertuples()):
        for j, r in enumerate(mentors.itertuples()):
            expect = set()
            if e.organisation.lower() == r.organisation.lower():
                expect.add("same organisation")
            if r.id in _slots(e.exclude) or e.id in _slots(r.exclude):
                expect.add("excluded by request")
            if r.capacity == 0:
                expect.add("mentor capacity 0")
            if not (_slots(e.availability) & _slots(r.availability)):
                expect.add("no shared slot")
            if "in-person" in (e.mode, r.mode) and e.region != r.region:
                expect.add("in-person only, different regions")
            if {e.mode, r.mode} == {"in-person", "remote"}:
                expect.add("modes conflict (in-person only vs remote only)")
            known = not (pd.isna(e.seniority) or pd.isna(r.seniority))
            if "seniority" in s.components and known and not 1 <= r.seniority - e.seniority <= 3:
                expect.add("seniority gap outside the allowed band")
            assert set(s.reasons(e.id, r.id)) == expect, (e.id, r.id)
            assert bool(s.eligible[i, j]) == (not expect)


@PROPS
@given(cohort_frames(), st.integers(1, 4))
def test_block_size_does_not_change_results(frames, rows):
    cohort = _cohort(*frames)
    a = cm.score(cohort)
    b = cm.score(cohort, block_rows=rows)
    np.testing.assert_array_equal(a.total, b.total)
    np.testing.assert_array_equal(a.reason_flags, b.reason_flags)


def test_iter_score_blocks_covers_every_row_once():
    cohort = cm.Cohort.from_frames(*cm.synthetic_cohort(37, 11, seed=3))
    full = cm.score(cohort)
    blocks = list(cm.iter_score_blocks(cohort, block_rows=8))
    assert [b.rows.start for b in blocks] == [0, 8, 16, 24, 32]
    np.testing.assert_array_equal(np.vstack([b.total for b in blocks]), full.total)


# ---------------------------------------------------------------------------- components
def _pair_frames(
    mentee_sector: str, mentor_sectors: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One mentee and several mentors identical in everything but sector."""
    base = {
        "availability": "mon-am;tue-pm",
        "cadence": "monthly",
        "mode": "either",
        "region": "london",
    }
    mentees = pd.DataFrame(
        [{"id": "e", "organisation": "E", "sector": mentee_sector, "goals": "confidence", **base}]
    )
    mentors = pd.DataFrame(
        [
            {"id": f"r{k}", "organisation": f"R{k}", "sector": sec, "expertise": "confidence",
             "capacity": 1, **base}
            for k, sec in enumerate(mentor_sectors)
        ]
    )  # fmt: skip
    return mentees, mentors


def test_sector_sweet_spot_different_but_not_opposed():
    """An arm's-length-body mentee prefers local government over the same sector and retail."""
    mentees, mentors = _pair_frames(
        "arms-length-body", ["local-government", "arms-length-body", "retail"]
    )
    s = cm.score(_cohort(mentees, mentors))
    lg, alb, retail = s.total[0]
    assert lg > alb and lg > retail
    tax = cm.Taxonomy.default()
    d = tax.distance[tax.index("arms-length-body"), tax.index("local-government")]
    assert s.components["sector"][0, 0] == pytest.approx(cm.SectorPreference()(d), rel=1e-6)
    # only the sector differs: every other component is equal across the three
    for name in ("goals", "availability"):
        assert len(set(s.components[name][0].tolist())) == 1


def test_sector_peak_is_a_setting():
    mentees, mentors = _pair_frames(
        "arms-length-body", ["local-government", "arms-length-body", "retail"]
    )
    cohort = _cohort(mentees, mentors)
    same = cm.score(cohort, cm.ScoringConfig(sector=cm.SectorPreference(peak=0.0)))
    far = cm.score(cohort, cm.ScoringConfig(sector=cm.SectorPreference(peak=1.0)))
    assert np.argmax(same.components["sector"][0]) == 1
    assert np.argmax(far.components["sector"][0]) == 2
    narrow = cm.score(cohort, cm.ScoringConfig(sector=cm.SectorPreference(width=0.05)))
    assert narrow.components["sector"][0, 1] < cm.score(cohort).components["sector"][0, 1]


def test_custom_taxonomy_from_distance_matrix():
    names = ["arts", "science", "sport"]
    d = pd.DataFrame([[0, 0.4, 1], [0.4, 0, 0.7], [1, 0.7, 0]], index=names, columns=names)
    tax = cm.Taxonomy.from_distance_matrix(d)
    mentees, mentors = _pair_frames("Arts", ["arts", "science", "sport"])
    s = cm.score(cm.Cohort.from_frames(mentees, mentors, taxonomy=tax))
    assert np.argmax(s.total[0]) == 1
    with pytest.raises(cm.ValidationError, match="did you mean 'science'"):
        cm.Cohort.from_frames(*_pair_frames("sciense", ["arts"]), taxonomy=tax)


def test_sector_accepts_leaf_name_alone_path_and_group():
    mentees, mentors = _pair_frames(
        "public/arms-length-body", ["local-government", "public", "Private > retail"]
    )
    cohort = _cohort(mentees, mentors)
    assert list(cohort.mentors["sector"]) == ["local-government", "public", "retail"]
    assert cohort.mentees["sector"].iloc[0] == "arms-length-body"


@pytest.mark.parametrize(
    ("goals", "expertise", "expected"),
    [
        ("confidence", "confidence", 1.0),
        ("confidence", "resilience", 0.0),
        ("confidence;resilience", "confidence", 0.5),  # primary weighs 0.5
        ("confidence;resilience", "resilience", 0.5),
        ("confidence;resilience;collaboration", "resilience", 0.25),
        ("confidence;resilience;collaboration", "confidence;collaboration", 0.75),
    ],
)
def test_goal_coverage_weighs_the_primary_goal(goals, expertise, expected):
    mentees, mentors = _pair_frames("charity", ["technology"])
    mentees["goals"] = goals
    mentors["expertise"] = expertise
    s = cm.score(_cohort(mentees, mentors))
    assert s.components["goals"][0, 0] == pytest.approx(expected)


def test_many_goals_span_several_bit_words():
    vocab = [f"goal {k}" for k in range(150)]
    mentees, mentors = _pair_frames("charity", ["technology", "energy"])
    mentees["goals"] = "goal 140;goal 3;goal 99"
    mentors["expertise"] = [";".join(vocab), "goal 99;goal 3"]
    s = cm.score(_cohort(mentees, mentors))
    assert s.components["goals"][0].tolist() == pytest.approx([1.0, 0.5])


def test_mentor_learning_adds_a_smaller_bonus():
    mentees, mentors = _pair_frames("local-government", ["technology", "technology", "technology"])
    mentees["goals"] = "confidence;resilience"
    mentors["expertise"] = "confidence"
    mentors["learning"] = ["public", "local-government", "charity"]
    s = cm.score(_cohort(mentees, mentors))
    g = s.components["goals"][0]
    assert g[0] == pytest.approx(0.5 + 0.2 * 0.5)  # group 'public' covers local government
    assert g[1] == pytest.approx(0.6)
    assert g[2] == pytest.approx(0.5)
    off = cm.score(
        _cohort(mentees, mentors), cm.ScoringConfig(goals=cm.GoalsConfig(learning_weight=0))
    )
    assert off.components["goals"][0].tolist() == pytest.approx([0.5, 0.5, 0.5])


def test_availability_slots_cadence_and_mode():
    mentees, mentors = _pair_frames("charity", ["technology"] * 4)
    mentors["availability"] = ["mon-am;tue-pm", "mon-am", "mon-am;tue-pm", "mon-am;tue-pm"]
    mentors["cadence"] = ["monthly", "monthly", "weekly", "monthly"]
    mentors["mode"] = ["either", "either", "either", "remote"]
    s = cm.score(_cohort(mentees, mentors))
    a = s.components["availability"][0]
    assert a[0] == pytest.approx(1.0)
    assert a[1] == pytest.approx(1 - 0.5 * 0.5)  # one shared slot of the two needed
    assert a[2] == pytest.approx(1 - 0.2)  # weekly vs monthly: two steps apart
    assert a[3] == pytest.approx(1 - 0.3 * (1 - 0.7))  # remote only


def test_seniority_band_preferred_gap_and_reverse():
    mentees, mentors = _pair_frames("charity", ["technology"] * 5)
    mentees["seniority"] = 3
    mentors["seniority"] = [5, 4, 6, 3, 1]  # gaps 2, 1, 3, 0, -2
    s = cm.score(_cohort(mentees, mentors))
    sen = s.components["seniority"][0]
    assert sen[0] == pytest.approx(1.0)
    assert sen[1] == pytest.approx(0.5) and sen[2] == pytest.approx(0.5)
    assert s.eligible[0].tolist() == [True, True, True, False, False]
    rev = cm.score(
        _cohort(mentees, mentors),
        cm.ScoringConfig(seniority=cm.SeniorityConfig(reverse=True, min_gap=1, max_gap=2)),
    )
    assert rev.eligible[0].tolist() == [False, False, False, False, True]
    loose = cm.score(
        _cohort(mentees, mentors), cm.ScoringConfig(seniority=cm.SeniorityConfig(enforce=False))
    )
    assert loose.eligible[0].all()


def test_seniority_is_inactive_without_data():
    mentees, mentors = _pair_frames("charity", ["technology"])
    s = cm.score(_cohort(mentees, mentors))
    assert "seniority" not in s.components
    assert "seniority" not in s.to_frame().columns


def test_hard_rules_can_be_switched_off():
    mentees, mentors = _pair_frames("charity", ["technology"])
    mentors["organisation"] = "e"  # same organisation, case-insensitive
    mentors["availability"] = "sun-eve"
    mentors["mode"] = "in-person"
    mentors["region"] = "leeds"
    cohort = _cohort(mentees, mentors)
    assert set(cm.score(cohort).reasons("e", "r0")) == {
        "same organisation", "no shared slot", "in-person only, different regions"
    }  # fmt: skip
    off = cm.ScoringConfig(
        same_organisation=False, require_shared_slot=False, in_person_same_region=False
    )
    assert cm.score(cohort, off).eligible.all()


def test_weights_change_the_total():
    cohort = cm.Cohort.from_frames(mentees_frame(), mentors_frame())
    only_goals = cm.ScoringConfig(sector_weight=0, availability_weight=0, seniority_weight=0)
    s = cm.score(cohort, only_goals)
    np.testing.assert_allclose(s.total, s.components["goals"], atol=1e-6)


@pytest.mark.parametrize(
    "make",
    [
        lambda: cm.SectorPreference(peak=1.5),
        lambda: cm.SectorPreference(width=0),
        lambda: cm.GoalsConfig(primary_weight=-0.1),
        lambda: cm.AvailabilityConfig(slots_for_full_score=0),
        lambda: cm.SeniorityConfig(min_gap=3, preferred_gap=1),
        lambda: cm.ScoringConfig(goals_weight=-1),
        lambda: cm.ScoringConfig(goals_weight=float("nan")),
        lambda: cm.ScoringConfig(custom=(cm.CustomComponent("goals", lambda a, b: 0.5),)),
    ],
)
def test_bad_settings_raise_clear_errors(make):
    with pytest.raises(ValueError, match=r"must|Need|unique"):
        make()


def test_all_zero_weights_rejected():
    cohort = cm.Cohort.from_frames(mentees_frame(), mentors_frame())
    cfg = cm.ScoringConfig(
        sector_weight=0, goals_weight=0, availability_weight=0, seniority_weight=0
    )
    with pytest.raises(ValueError, match="weights"):
        cm.score(cohort, cfg)


# ---------------------------------------------------------------------------- custom criteria
def test_custom_component_and_rule_with_extra_columns():
    mentees, mentors = mentees_frame(), mentors_frame()
    mentees["language"] = ["en", "cy", "en"]
    mentors["language"] = ["en", "en", "cy", "cy"]

    def same_language(ee, mr):
        return (ee["language"].to_numpy()[:, None] == mr["language"].to_numpy()[None, :]).astype(
            float
        )

    rule = cm.HardRule(
        "not_r4", lambda ee, mr: (mr["id"] != "r4").to_numpy()[None, :], "r4 is away"
    )
    cfg = cm.ScoringConfig(
        custom=(cm.CustomComponent("language", same_language, 2.0),), rules=(rule,)
    )
    s = cm.score(cm.Cohort.from_frames(mentees, mentors), cfg)
    np.testing.assert_array_equal(s.components["language"][0], [1, 1, 0, 0])
    assert "r4 is away" in s.reasons("e3", "r4")
    assert not s.eligible[:, 3].any()
    frame = s.to_frame()
    assert "language" in frame.columns
    assert cm.Cohort.from_frames(mentees, mentors).mentees["language"].tolist() == [
        "en",
        "cy",
        "en",
    ]


def test_custom_component_out_of_range_is_reported():
    cohort = cm.Cohort.from_frames(mentees_frame(), mentors_frame())
    bad = cm.ScoringConfig(
        custom=(cm.CustomComponent("x", lambda a, b: np.full((len(a), len(b)), 2.0)),)
    )
    with pytest.raises(cm.ValidationError, match="outside"):
        cm.score(cohort, bad)
    wrong = cm.ScoringConfig(custom=(cm.CustomComponent("x", lambda a, b: np.zeros((2, 2))),))
    with pytest.raises(cm.ValidationError, match="shape"):
        cm.score(cohort, wrong)


def test_civil_service_scheme_example():
    from crossmatch.scoring.presets import civil_service_scheme

    mentees, mentors = _pair_frames("central-government", ["local-government"] * 5)
    mentees["grade"], mentees["department"], mentees["profession"] = "HEO", "DfE", "policy"
    mentors["grade"] = ["G7", "SEO", "G6", "HEO", "G7"]  # gaps 2, 1, 3, 0, 2
    mentors["department"] = ["HMT", "DHSC", "HO", "MoJ", "DfE"]
    mentors["profession"] = ["policy", "finance", "policy", "policy", "policy"]
    cfg = civil_service_scheme(only_points=True)
    s = cm.score(cm.Cohort.from_frames(mentees, mentors), cfg)
    points = s.components["civil_service"][0] * 22
    assert points[:2].tolist() == pytest.approx([12 + 10, 9])
    assert s.eligible[0].tolist() == [True, True, False, False, False]
    assert s.reasons("e", "r2") == ["mentor not one or two grades more senior"]
    assert s.reasons("e", "r4") == ["same department"]
    assert s.total[0, 0] > s.total[0, 1]


# ---------------------------------------------------------------------------- Scores object
def test_to_frame_columns_and_reasons():
    s = cm.score(cm.Cohort.from_frames(mentees_frame(), mentors_frame()))
    df = s.to_frame()
    assert list(df.columns) == [
        "mentee_id", "mentor_id", "score", *COMPONENTS, "eligible", "reason"
    ]  # fmt: skip
    assert len(df) == 12
    assert df.loc[df.eligible, "reason"].isna().all()
    assert df.loc[~df.eligible, "reason"].notna().all()
    assert len(s.to_frame(eligible_only=True)) == int(s.eligible.sum())


def test_scores_are_read_only():
    s = cm.score(cm.Cohort.from_frames(mentees_frame(), mentors_frame()))
    with pytest.raises(ValueError, match="read-only"):
        s.total[0, 0] = 1
    with pytest.raises(TypeError):
        s.components["sector"] = s.total  # type: ignore[index]


def test_from_matrix_array_and_frame():
    m = np.array([[0.9, np.nan, 0.1], [0.2, 0.5, 3.0]])
    s = cm.Scores.from_matrix(m, mentee_ids=["a", "b"], mentor_ids=[1, 2, 3], capacity=[1, 2, 0],
                              mentor_groups=["x", "y", "x"])  # fmt: skip
    assert s.eligible.tolist() == [[True, False, False], [True, True, False]]
    assert s.reasons("a", 2) == ["no score"]
    assert s.reasons("b", 3) == ["mentor capacity 0"]
    df = s.to_frame()
    assert list(df.columns) == ["mentee_id", "mentor_id", "score", "eligible", "reason"]
    assert df["mentor_id"].dtype.kind == "i"
    labelled = pd.DataFrame(m, index=["a", "b"], columns=[1, 2, 3])
    t = cm.Scores.from_matrix(labelled, capacity={1: 1, 2: 2, 3: 0})
    np.testing.assert_array_equal(t.eligible, s.eligible)
    elig = np.array([[False, True, True], [True, True, True]])
    u = cm.Scores.from_matrix(np.ones((2, 3)), mentee_ids=["a", "b"], mentor_ids=[1, 2, 3],
                              capacity=[1, 1, 1], eligible=elig)  # fmt: skip
    assert u.reasons("a", 1) == ["not eligible"]


def test_from_matrix_reports_every_problem():
    m = np.array([[np.inf, 0.5], [0.1, 0.2]])
    with pytest.raises(cm.ValidationError) as info:
        cm.Scores.from_matrix(m, mentee_ids=["a", "a"], mentor_ids=["x"], capacity=[1, -1])
    text = str(info.value)
    assert "duplicate" in text and "infinite" in text and "mentor_ids" in text
    with pytest.raises(cm.ValidationError, match="capacity"):
        cm.Scores.from_matrix(
            np.ones((1, 2)), mentee_ids=["a"], mentor_ids=["x", "y"], capacity=[1, 2.5]
        )


def test_from_frame_long_table():
    long = pd.DataFrame(
        {"mentee_id": ["a", "a", "b"], "mentor_id": ["x", "y", "y"], "score": [1, 2, 3]}
    )
    s = cm.Scores.from_frame(long, capacity={"x": 1, "y": 1, "z": 2})
    assert s.shape == (2, 3)
    assert s.eligible.tolist() == [[True, True, False], [False, True, False]]
    with pytest.raises(cm.ValidationError, match="duplicate"):
        cm.Scores.from_frame(pd.concat([long, long.iloc[:1]]), capacity=[1, 1])


# ---------------------------------------------------------------------------- synthetic cohorts
def test_synthetic_cohort_is_deterministic_and_valid():
    a = cm.synthetic_cohort(200, 50, seed=7)
    b = cm.synthetic_cohort(200, 50, seed=7)
    c = cm.synthetic_cohort(200, 50, seed=8)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])
    assert not a[0].equals(c[0])
    cohort = cm.Cohort.from_frames(*a)
    assert cohort.capacity.min() >= 1 and cohort.capacity.max() <= 4
    assert set(cohort.mentees["sector"]) <= set(cohort.taxonomy.names)


def test_synthetic_cohort_is_realistic_not_uniform():
    mentees, mentors = cm.synthetic_cohort(3000, 600, seed=0)
    s = cm.score(cm.Cohort.from_frames(mentees, mentors))
    # popular mentors: the best-liked decile of mentors is top-10 for far more mentees
    top = np.argsort(-np.where(s.eligible, s.total, -1), axis=1)[:, :10]
    counts = np.bincount(top.ravel(), minlength=600)
    assert np.sort(counts)[-60:].sum() > 3 * np.sort(counts)[:300].sum()
    public_sectors = ["central-government", "local-government", "arms-length-body",
                      "health-and-social-care", "emergency-services", "education"]  # fmt: skip
    public = mentees["sector"].isin(public_sectors)
    assert 0.5 < public.mean() < 0.8
    assert mentees["goals"].str.startswith("confidence").mean() > 0.1
    assert set(mentors["capacity"]) == {1, 2, 3, 4}


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_synthetic_cohort_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match=r"`n_mentees` must be an int in \[1, inf\)"):
        cm.synthetic_cohort(bad, 10)


def test_slots_vocabulary():
    assert len(SLOTS) == 21 and SLOTS[0] == "mon-am" and SLOTS[-1] == "sun-eve"


def test_score_rejects_wrong_types_clearly():
    cohort = cm.Cohort.from_frames(mentees_frame(), mentors_frame())
    with pytest.raises(TypeError, match="must be a Cohort"):
        cm.score(mentees_frame())
    with pytest.raises(TypeError, match="must be a ScoringConfig"):
        cm.score(cohort, {"sector_weight": 1})
    with pytest.raises(ValueError, match="block_rows"):
        cm.iter_score_blocks(cohort, block_rows=0)
