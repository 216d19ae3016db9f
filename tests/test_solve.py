"""Solvers against independent oracles (SciPy MILP, brute force, textbook deferred acceptance),
plus properties: every rule, determinism, row-order invariance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracles import deferred_acceptance, milp_rank_maximal, milp_shortlist

import crossmatch as cm
from crossmatch.check import check_assignment, check_shortlists, has_complete_assignment

PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def random_instance(rng: np.random.Generator, *, groups: bool = False):
    """Small instances with popular mentors and tight capacity (where shortcuts fail)."""
    n = int(rng.integers(2, 8))
    m = int(rng.integers(2, 6))
    k = int(rng.integers(1, min(3, m) + 1))
    S = rng.random((n, m))
    popular = rng.random(m) < 0.3
    S[:, popular] += rng.random((n, int(popular.sum()))) + 0.5
    S = np.round(S, 3)
    E = rng.random((n, m)) < 0.8
    cap = rng.integers(0, 3, size=m)
    cap[rng.integers(m)] += 1
    exposure = np.minimum(cap + rng.integers(0, 4, size=m), n)
    g = rng.integers(0, 2, size=m) if groups else None
    return S, E, cap, exposure, k, g


def to_scores(S, E, cap, g=None) -> cm.Scores:
    n, m = S.shape
    return cm.Scores.from_matrix(
        np.where(E, S, np.nan), mentee_ids=list(range(n)), mentor_ids=[f"r{j}" for j in range(m)],
        capacity=cap, mentor_groups=None if g is None else [f"g{v}" for v in g],
    )  # fmt: skip


def scored_cohort(n: int, m: int, capacity=(2, 4)) -> cm.Scores:
    """Scores of the first synthetic cohort (by seed) where every mentee has an option."""
    for seed in range(50):
        scores = cm.score(
            cm.Cohort.from_frames(*cm.synthetic_cohort(n, m, seed=seed, capacity=capacity))
        )
        if scores.eligible.any(axis=1).all():
            return scores
    raise AssertionError("no synthetic cohort where every mentee has an option")


def shuffled_scores(S, E, cap, rnd) -> tuple[cm.Scores, list[int]]:
    """The instance with mentee rows and mentor columns in a random order (same ids)."""
    p = list(range(S.shape[0]))
    q = list(range(S.shape[1]))
    rnd.shuffle(p)
    rnd.shuffle(q)
    shuffled = cm.Scores.from_matrix(
        np.where(E, S, np.nan)[np.ix_(p, q)], mentee_ids=p, mentor_ids=[f"r{j}" for j in q],
        capacity=cap[q],
    )  # fmt: skip
    return shuffled, q


def _oracle(S, E, cap, exposure, k, g, d):
    E = E & (cap > 0)[None, :]
    return milp_shortlist(S, E, cap, exposure, k, groups=g, max_per_group=d)


@pytest.mark.parametrize("method", ["exact", "auto", "flow"])
@pytest.mark.parametrize("groups", [False, True])
def test_shortlist_against_scipy_milp(method, groups):
    rng = np.random.default_rng(7 if groups else 3)
    solved = infeasible = 0
    for _ in range(60):
        S, E, cap, exposure, k, g = random_instance(rng, groups=groups)
        d = 1 if groups and k > 1 else None
        scores = to_scores(S, E, cap, g)
        oracle = _oracle(S, E, cap, exposure, k, g if d else None, d)
        try:
            sl = cm.shortlist(scores, k=k, exposure=exposure, max_per_group=d, method=method)
        except cm.InfeasibleError:
            if method == "flow" and oracle is not None:
                continue  # the fast method may fail where an answer exists; exact must not
            assert oracle is None
            infeasible += 1
            continue
        assert oracle is not None, "solver found shortlists where the oracle proves none exist"
        best = oracle[0]
        assert check_shortlists(sl) == []
        assert has_complete_assignment(sl)
        assert sl.objective <= best + 1e-9
        assert sl.bound >= best - 1e-9
        if method in ("exact", "auto"):
            assert sl.objective == pytest.approx(best, rel=1e-9, abs=1e-9)
            assert sl.status == "optimal"
        solved += 1
    assert solved > 10 and (method == "flow" or infeasible > 3)


def test_flow_gap_is_small_and_bounded():
    rng = np.random.default_rng(11)
    gaps = []
    for _ in range(120):
        S, E, cap, exposure, k, _ = random_instance(rng)
        oracle = _oracle(S, E, cap, exposure, k, None, None)
        if oracle is None:
            continue
        try:
            sl = cm.shortlist(to_scores(S, E, cap), k=k, exposure=exposure, method="flow")
        except cm.InfeasibleError:
            continue
        gaps.append((oracle[0] - sl.objective) / oracle[0])
        assert sl.bound >= oracle[0] - 1e-9
    assert len(gaps) > 15
    assert max(gaps) < 0.10


@PROPS
@given(st.integers(0, 10_000), st.randoms(use_true_random=False))
def test_shortlist_is_deterministic_and_row_order_invariant(seed, rnd):
    rng = np.random.default_rng(seed)
    S, E, cap, exposure, k, _ = random_instance(rng)
    scores = to_scores(S, E, cap)
    try:
        a = cm.shortlist(scores, k=k, exposure=exposure)
    except cm.InfeasibleError:
        return
    b = cm.shortlist(scores, k=k, exposure=exposure)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    shuffled, q = shuffled_scores(S, E, cap, rnd)
    c = cm.shortlist(shuffled, k=k, exposure=exposure[q])
    key = ["mentee_id", "rank"]
    left = a.to_frame().sort_values(key).reset_index(drop=True)
    right = c.to_frame().sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)


def test_shortlist_ranks_by_score_then_id():
    S = np.array([[0.5, 0.9, 0.5, 0.1]])
    scores = cm.Scores.from_matrix(
        S, mentee_ids=["a"], mentor_ids=["d", "c", "b", "a"], capacity=[1, 1, 1, 1]
    )
    sl = cm.shortlist(scores, k=3)
    assert sl.to_frame()["mentor_id"].tolist() == ["c", "b", "d"]
    assert sl.to_frame()["rank"].tolist() == [1, 2, 3]


def test_shortlist_frame_columns_with_components():
    scores = scored_cohort(60, 30)
    sl = cm.shortlist(scores, k=2, allow_short=True)
    df = sl.to_frame()
    assert list(df.columns)[:4] == ["mentee_id", "mentor_id", "rank", "score"]
    assert {"sector", "goals", "availability", "recommended"} <= set(df.columns)
    assert df.groupby("mentee_id")["recommended"].sum().eq(1).all()


def test_max_per_group_diversifies():
    S = np.array([[0.9, 0.8, 0.7, 0.2]])
    scores = cm.Scores.from_matrix(S, mentee_ids=["a"], mentor_ids=list("wxyz"), capacity=[1] * 4,
                                   mentor_groups=["g", "g", "g", "h"])  # fmt: skip
    assert set(cm.shortlist(scores, k=2).to_frame()["mentor_id"]) == {"w", "x"}
    assert set(cm.shortlist(scores, k=2, max_per_group=1).to_frame()["mentor_id"]) == {"w", "z"}


# ---------------------------------------------------------------------------- infeasibility
def test_infeasible_capacity_says_by_how_much():
    scores = cm.Scores.from_matrix(np.ones((5, 2)), mentee_ids=list("abcde"), mentor_ids=["x", "y"],
                                   capacity=[1, 2])  # fmt: skip
    with pytest.raises(
        cm.InfeasibleError, match=r"capacity 3 is below the number of mentees 5 \(short by 2\)"
    ):
        cm.shortlist(scores, k=1)


def test_infeasible_names_mentees_short_of_options_and_why():
    scores = scored_cohort(40, 12, capacity=(4, 6))
    counts = scores.eligible.sum(axis=1)
    k = int(counts.min()) + 1
    with pytest.raises(cm.InfeasibleError) as info:
        cm.shortlist(scores, k=k)
    short = set(scores.mentee_ids[counts < k].tolist())
    assert short <= set(info.value.who)
    assert "fewer than k=" in str(info.value) and "excluded by" in str(info.value)
    sl = cm.shortlist(scores, k=k, allow_short=True)
    assert (sl.lengths() == np.minimum(counts, k)).all()


def test_infeasible_coverage_names_the_bottleneck():
    # three mentees can only use mentor x (capacity 1); y takes anyone else
    E = np.array([[1, 0, 0], [1, 0, 0], [1, 0, 0], [1, 1, 1]], dtype=bool)
    scores = cm.Scores.from_matrix(np.where(E, 0.5, np.nan), mentee_ids=list("abcd"),
                                   mentor_ids=list("xyz"), capacity=[1, 3, 3])  # fmt: skip
    with pytest.raises(cm.InfeasibleError, match="no complete assignment") as info:
        cm.shortlist(scores, k=1)
    assert {"a", "b", "c"} <= set(info.value.who)


def test_exposure_too_small():
    scores = cm.Scores.from_matrix(np.ones((4, 3)), mentee_ids=list("abcd"), mentor_ids=list("xyz"),
                                   capacity=[2, 2, 2])  # fmt: skip
    with pytest.raises(cm.InfeasibleError, match="exposure"):
        cm.shortlist(scores, k=2, exposure=2)


def test_unknown_method_lists_the_known_ones():
    scores = cm.Scores.from_matrix(
        np.ones((1, 1)), mentee_ids=["a"], mentor_ids=["x"], capacity=[1]
    )
    with pytest.raises(ValueError, match="'auto', 'exact', 'flow'"):
        cm.shortlist(scores, method="magic")
    sl = cm.shortlist(scores, k=1)
    with pytest.raises(ValueError, match="'rank-maximal', 'stable'"):
        cm.assign(sl, method="magic")


@pytest.mark.parametrize("bad", [{"k": 0}, {"k": 1.5}, {"exposure": -1}, {"max_per_group": 0},
                                 {"time_limit": -1}])  # fmt: skip
def test_bad_settings(bad):
    scores = cm.Scores.from_matrix(np.ones((2, 2)), mentee_ids=["a", "b"], mentor_ids=["x", "y"],
                                   capacity=[1, 1])  # fmt: skip
    with pytest.raises(ValueError):
        cm.shortlist(scores, **bad)


# ---------------------------------------------------------------------------- assignment
def _choices_for(sl: cm.Shortlists, rng: np.random.Generator, share: float = 0.8) -> pd.DataFrame:
    rows = []
    for i, row in enumerate(sl.mentors):
        row = row[row >= 0]
        if rng.random() > share:
            continue
        order = rng.permutation(len(row))[: int(rng.integers(1, len(row) + 1))]
        for pref, pos in enumerate(order, start=1):
            rows.append((sl.mentee_ids[i], sl.mentor_ids[row[pos]], pref))
    return pd.DataFrame(rows, columns=["mentee_id", "mentor_id", "preference"])


def test_rank_maximal_against_scipy_milp():
    rng = np.random.default_rng(5)
    checked = 0
    for _ in range(60):
        S, E, cap, exposure, k, _ = random_instance(rng)
        scores = to_scores(S, E, cap)
        try:
            sl = cm.shortlist(scores, k=k, exposure=exposure)
        except cm.InfeasibleError:
            continue
        choices = _choices_for(sl, rng)
        a = cm.assign(sl, choices)
        from crossmatch.solve.assign import orderings

        options = [lst.tolist() for lst in orderings(sl, choices)]
        sig, best, _ = milp_rank_maximal(options, S, cap)
        assert check_assignment(a) == []
        got = a.signature()
        assert got + (0,) * (len(sig) - len(got)) == sig
        assert a.total_score == pytest.approx(best, abs=1e-6)
        checked += 1
    assert checked > 15


def test_stable_agrees_with_textbook_deferred_acceptance():
    rng = np.random.default_rng(9)
    checked = 0
    for _ in range(60):
        S, E, cap, exposure, k, _ = random_instance(rng)
        S = (
            S + rng.random(S.shape) * 1e-3
        )  # distinct scores: the stable matching is then unique per prefs
        scores = to_scores(S, E, cap)
        try:
            sl = cm.shortlist(scores, k=k, exposure=exposure)
        except cm.InfeasibleError:
            continue
        choices = _choices_for(sl, rng)
        a = cm.assign(sl, choices, method="stable")
        from crossmatch.solve.assign import orderings

        prefs = [lst.tolist() for lst in orderings(sl, choices)]
        expect = deferred_acceptance(prefs, np.where(E, S, -np.inf), cap)
        np.testing.assert_array_equal(a.mentor, expect)
        assert check_assignment(a) == []
        checked += 1
    assert checked > 15


def test_choices_problems_are_reported_together():
    S = np.array([[0.9, 0.5, 0.1], [0.2, 0.8, 0.4]])
    scores = cm.Scores.from_matrix(
        S, mentee_ids=["a", "b"], mentor_ids=["x", "y", "z"], capacity=[1, 1, 1]
    )
    sl = cm.shortlist(scores, k=2)
    bad = pd.DataFrame(
        {"mentee_id": ["a", "a", "a", "q", "b", "b"], "mentor_id": ["x", "y", "z", "x", "y", "y"],
         "preference": [1, 1, 2, 1, 1, 2]}
    )  # fmt: skip
    with pytest.raises(cm.ValidationError) as info:
        cm.assign(sl, bad)
    text = str(info.value)
    assert "5 problems" not in text
    assert "duplicate preference" in text and "not on the mentee's shortlist" in text
    assert "unknown mentee id" in text and "duplicate choice" in text


def test_mentees_without_choices_keep_shortlist_order():
    S = np.array([[0.9, 0.5], [0.8, 0.4]])
    scores = cm.Scores.from_matrix(S, mentee_ids=["a", "b"], mentor_ids=["x", "y"], capacity=[1, 1])
    sl = cm.shortlist(scores, k=2)
    a = cm.assign(sl)  # nobody chose: both want x first, one gets it
    assert sorted(a.preference.tolist()) == [1, 2]
    chose = pd.DataFrame({"mentee_id": ["a"], "mentor_id": ["y"], "preference": [1]})
    b = cm.assign(sl, chose)
    frame = b.to_frame().set_index("mentee_id")
    assert frame.loc["a", "mentor_id"] == "y" and frame.loc["b", "mentor_id"] == "x"
    assert b.signature() == (2,)


# ---------------------------------------------------------------------------- rematch / fixed
def test_rematch_leaves_others_untouched_and_never_reproposes():
    scores = scored_cohort(80, 40)
    sl = cm.shortlist(scores, k=3, allow_short=True)
    a = cm.assign(sl)
    redo = list(scores.mentee_ids[:5])
    new = cm.rematch(a, mentees=redo, k=2, allow_short=True)
    assert new.mentee_ids.tolist() == redo
    frame = new.to_frame()
    previous = dict(zip(a.to_frame()["mentee_id"], a.to_frame()["mentor_id"], strict=True))
    assert not any(
        previous[e] == r for e, r in zip(frame["mentee_id"], frame["mentor_id"], strict=True)
    )
    kept = a.load() - np.bincount(a.mentor[:5], minlength=scores.n_mentors)
    free = scores.capacity - kept
    rec = np.bincount(new.recommended, minlength=scores.n_mentors)
    assert (rec <= free).all()
    assert check_shortlists(new) == []


def test_fixed_pairs_are_kept_and_use_capacity():
    S = np.array([[0.9, 0.1], [0.8, 0.7], [0.6, 0.5]])
    scores = cm.Scores.from_matrix(
        S, mentee_ids=["a", "b", "c"], mentor_ids=["x", "y"], capacity=[2, 1]
    )
    sl = cm.shortlist(scores, k=1, fixed={"a": "y"})
    frame = sl.to_frame().set_index("mentee_id")
    assert frame.loc["a", "mentor_id"] == "y"
    assert set(frame.loc[["b", "c"], "mentor_id"]) == {"x"}
    assert cm.assign(sl).load().tolist() == [2, 1]


# ---------------------------------------------------------------------------- properties
@PROPS
@given(st.integers(0, 100_000), st.booleans(), st.sampled_from(["flow", "auto"]))
def test_every_rule_holds_on_random_instances(seed, groups, method):
    """Whatever the instance: k distinct eligible mentors, exposure, group limit, coverage;
    the assignment from any choices is complete, on the shortlist and within capacity."""
    rng = np.random.default_rng(seed)
    S, E, cap, exposure, k, g = random_instance(rng, groups=groups)
    d = 1 if groups and k > 1 else None
    scores = to_scores(S, E, cap, g)
    try:
        sl = cm.shortlist(scores, k=k, exposure=exposure, max_per_group=d, method=method)
    except cm.InfeasibleError as err:
        assert str(err).startswith("infeasible: ") and err.reasons
        return
    assert check_shortlists(sl) == [] and has_complete_assignment(sl)
    assert (sl.lengths() == k).all()
    assert sl.objective <= sl.bound + 1e-9
    for how in ("rank-maximal", "stable"):
        a = cm.assign(sl, cm.simulate_choices(sl, seed=seed), method=how)
        assert check_assignment(a) == []


def test_simulated_choices_rank_whole_shortlists():
    scores = scored_cohort(120, 60)
    sl = cm.shortlist(scores, k=3, allow_short=True)
    choices = cm.simulate_choices(sl, seed=1, response_rate=0.5)
    per = choices.groupby("mentee_id")["preference"].agg(["min", "max", "count"])
    assert (per["min"] == 1).all() and (per["max"] == per["count"]).all()
    assert 0.3 < per.shape[0] / sl.n_mentees < 0.7
    pd.testing.assert_frame_equal(choices, cm.simulate_choices(sl, seed=1, response_rate=0.5))
    a = cm.assign(sl, choices)
    from crossmatch.reporting import assignment_summary

    summary = assignment_summary(a)
    assert summary["matched"] == sl.n_mentees and summary["unmatched"] == 0
    assert sum(summary["signature"]) == sl.n_mentees
    assert summary["mentors_full"] <= summary["mentors_used"]
    assert sum(summary["load_histogram"].values()) == scores.n_mentors


def test_assignment_frame_marks_unmatched():
    S = np.array([[0.9], [0.8]])
    scores = cm.Scores.from_matrix(S, mentee_ids=["a", "b"], mentor_ids=["x"], capacity=[2])
    sl = cm.shortlist(scores, k=1)
    reduced = cm.Scores.from_matrix(S, mentee_ids=["a", "b"], mentor_ids=["x"], capacity=[1])
    from dataclasses import replace

    stable = cm.assign(replace(sl, scores=reduced), method="stable")
    frame = stable.to_frame()
    assert frame["mentor_id"].isna().sum() == 1
    assert frame.loc[frame["mentor_id"].isna(), "reason"].str.contains("filled").all()
    assert pd.isna(frame.loc[frame["mentor_id"].isna(), "score"]).all()


@PROPS
@given(
    st.integers(0, 100_000),
    st.randoms(use_true_random=False),
    st.sampled_from(["rank-maximal", "stable"]),
)
def test_assignment_is_row_order_invariant(seed, rnd, method):
    rng = np.random.default_rng(seed)
    S, E, cap, exposure, k, _ = random_instance(rng)
    try:
        sl = cm.shortlist(to_scores(S, E, cap), k=k, exposure=exposure)
    except cm.InfeasibleError:
        return
    choices = cm.simulate_choices(sl, seed=seed)
    a = cm.assign(sl, choices, method=method).to_frame().set_index("mentee_id").sort_index()
    shuffled, q = shuffled_scores(S, E, cap, rnd)
    sl2 = cm.shortlist(shuffled, k=k, exposure=exposure[q])
    b = cm.assign(sl2, choices.sample(frac=1, random_state=seed), method=method)
    b = b.to_frame().set_index("mentee_id").sort_index()
    pd.testing.assert_frame_equal(a, b)


def test_integer_solver_matches_the_oracle():
    """The MIP stage (used when the LP optimum is fractional) is exact on its own."""
    from crossmatch.solve import exact
    from crossmatch.solve.instance import Instance
    from crossmatch.solve.options import Deadline, ShortlistOptions

    rng = np.random.default_rng(21)
    checked = 0
    for _ in range(50):
        S, E, cap, exposure, k, g = random_instance(rng, groups=True)
        d = 1 if k > 1 else None
        oracle = _oracle(S, E, cap, exposure, k, g if d else None, d)
        options = ShortlistOptions(k=k, exposure=exposure, max_per_group=d)
        p = Instance.build(to_scores(S, E, cap, g), options)
        res = exact.solve_mip(p, hint=None, deadline=Deadline.of(30), seed=0)
        if oracle is None:
            assert res.x is None
            continue
        assert res.optimal
        assert p.ps[res.x].sum() == pytest.approx(oracle[0], rel=1e-9, abs=1e-9)
        assert res.bound >= oracle[0] - 1e-9
        checked += 1
    assert checked > 10


@pytest.mark.slow
def test_fractional_lp_is_closed_by_the_mip_stage():
    """A tight real cohort whose LP optimum is fractional: auto still proves optimality."""
    mentees, mentors = cm.synthetic_cohort(500, 150, seed=42, capacity=(2, 5))
    scores = cm.score(cm.Cohort.from_frames(mentees, mentors))
    sl = cm.shortlist(scores, k=3, allow_short=True)
    assert sl.info["lp_integral"] is False and sl.info["mip_status"] == "OPTIMAL"
    assert sl.status == "optimal" and check_shortlists(sl) == []


def test_rematch_rejects_bad_input_clearly():
    S = np.array([[0.9, 0.5], [0.8, 0.4]])
    scores = cm.Scores.from_matrix(S, mentee_ids=["a", "b"], mentor_ids=["x", "y"], capacity=[1, 1])
    a = cm.assign(cm.shortlist(scores, k=2))
    with pytest.raises(TypeError, match="must be an Assignment"):
        cm.rematch(scores, mentees=["a"])
    with pytest.raises(ValueError, match="Unknown"):
        cm.rematch(a, mentees=["nobody"])
    with pytest.raises(ValueError, match="Unknown"):
        cm.rematch(a, mentees=[])
