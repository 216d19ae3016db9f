"""Candidate pairs (`score_candidates`) and everything that runs on them, against the dense path.

- selection: every candidate, value, component, count and cut checked against the dense
  `score()` matrix by brute force;
- determinism: block sizes, thread and process pools and a local Dask cluster give the
  same candidates and the same shortlists as the single-process path;
- solving: on tight instances (coverage binds, tiny candidate sets) the shortlists are valid,
  never better than the optimum of the *unpruned* problem (SciPy MILP oracle), their bound
  never below it, and pruning never changes feasibility (widening restores it);
- downstream: choices, both assignment methods, rematch and fixed pairs on candidates;
- bad input.
"""

from __future__ import annotations

import functools
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracles import milp_shortlist

import crossmatch as cm
from crossmatch.check import check_assignment, check_shortlists, has_complete_assignment
from crossmatch.scoring import candidates as candidates_module
from crossmatch.solve.instance import default_exposure

PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOL = 1e-6


# ---------------------------------------------------------------------------- helpers
@functools.cache
def synthetic(n: int, m: int, seed: int, capacity: tuple[int, int] = (1, 3)) -> cm.Cohort:
    return cm.Cohort.from_frames(*cm.synthetic_cohort(n, m, seed=seed, capacity=capacity))


@functools.cache
def tight(n: int, m: int, seed: int, slack: int) -> cm.Cohort:
    """A synthetic cohort whose capacities sum to ``n + slack``: coverage binds, and
    the popular mentors are as scarce as the rest."""
    mentees, mentors = cm.synthetic_cohort(n, m, seed=seed, capacity=(1, 3))
    cap = np.random.default_rng(seed).multinomial(n + slack, np.full(m, 1 / m))
    return cm.Cohort.from_frames(mentees, mentors.assign(capacity=cap))


@functools.cache
def dense(cohort: cm.Cohort) -> cm.Scores:
    return cm.score(cohort)


def kept(cs: cm.CandidateScores) -> np.ndarray:
    """The candidate pairs as a dense boolean mask."""
    mask = np.zeros(cs.shape, dtype=bool)
    mask[cs.rows, cs.cols] = True
    return mask


def arrays(cs: cm.CandidateScores) -> dict[str, np.ndarray]:
    """Everything of a CandidateScores that must not depend on how it was computed."""
    out = {
        "rows": cs.rows,
        "cols": cs.cols,
        "values": cs.values,
        "mentee_cut": cs.mentee_cut,
        "mentor_cut": cs.mentor_cut,
        "n_eligible": cs.n_eligible,
        "reason_counts": cs.reason_counts,
    }
    out.update({f"component {k}": v for k, v in cs.pair_components.items()})
    return out


def assert_same_candidates(a: cm.CandidateScores, b: cm.CandidateScores) -> None:
    x, y = arrays(a), arrays(b)
    assert x.keys() == y.keys()
    for name in x:
        np.testing.assert_array_equal(x[name], y[name], err_msg=name)


def assert_same_shortlists(a: cm.Shortlists, b: cm.Shortlists) -> None:
    np.testing.assert_array_equal(a.mentors, b.mentors)
    np.testing.assert_array_equal(a.recommended, b.recommended)
    assert a.objective == b.objective
    assert a.bound == b.bound
    assert a.status == b.status


def oracle(scores: cm.Scores, k: int) -> float | None:
    """Optimum of the unpruned problem (default exposure), or None when infeasible."""
    E = scores.eligible & (scores.capacity > 0)[None, :]
    expo = default_exposure(scores.capacity, scores.n_mentees, k)
    res = milp_shortlist(scores.total.astype(float), E, scores.capacity, expo, k)
    return None if res is None else res[0]


def assert_valid(sl: cm.Shortlists) -> None:
    assert check_shortlists(sl) == []
    assert has_complete_assignment(sl)
    assert sl.objective <= sl.bound + TOL


# ---------------------------------------------------------------------------- selection
SIZES = [(1, 1), (3, 7), (10, 2), (50, 100)]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("capacity", [(0, 2), (1, 3)])
@pytest.mark.parametrize(("per_mentee", "per_mentor"), SIZES)
@pytest.mark.parametrize("chunk_rows", [None, 37])  # one chunk; many, merged in order
def test_selection_matches_brute_force(seed, capacity, per_mentee, per_mentor, chunk_rows,
                                       monkeypatch):  # fmt: skip
    if chunk_rows:
        monkeypatch.setattr(candidates_module, "CHUNK_ROWS", chunk_rows)
    cohort = synthetic(300, 80, seed, capacity)
    s = dense(cohort)
    cs = cm.score_candidates(cohort, per_mentee=per_mentee, per_mentor=per_mentor)
    K = kept(cs)
    T = np.where(s.eligible, s.total, -np.inf).astype(np.float32)

    # sorted by row then column, no duplicates, all eligible, values and components exact
    keys = cs.rows * cs.n_mentors + cs.cols
    assert np.all(np.diff(keys) > 0)
    assert s.eligible[cs.rows, cs.cols].all()
    assert cs.values.dtype == np.float32
    np.testing.assert_array_equal(cs.values, s.total[cs.rows, cs.cols])
    assert set(cs.pair_components) == set(s.components)
    for name, v in cs.pair_components.items():
        np.testing.assert_array_equal(v, s.components[name][cs.rows, cs.cols], err_msg=name)
    assert (cs.per_mentee, cs.per_mentor) == (per_mentee, per_mentor)

    # each mentee keeps a set of its best per_mentee eligible values (ties in any order)
    want = -np.sort(-T, axis=1)[:, :per_mentee]
    got = -np.sort(-np.where(K, T, -np.inf), axis=1)[:, :per_mentee]
    np.testing.assert_array_equal(got, want)
    # each mentor likewise for its best per_mentor mentees
    want = -np.sort(-T, axis=0)[:per_mentor]
    got = -np.sort(-np.where(K, T, -np.inf), axis=0)[:per_mentor]
    np.testing.assert_array_equal(got, want)

    # full-matrix eligibility counts
    np.testing.assert_array_equal(cs.n_eligible, s.eligible.sum(axis=1))

    # the cuts bound every eligible pair left out
    r, c = np.nonzero(s.eligible & ~K)
    limit = np.minimum(cs.mentee_cut[r], cs.mentor_cut[c])
    worst = T[r, c] - limit
    assert not np.any(worst > TOL), f"{np.sum(worst > TOL)} pruned pairs above the cuts"


@pytest.mark.parametrize("seed", [0, 3])
def test_lookups_and_reason_counts_match_dense(seed):
    cohort = synthetic(300, 80, seed, (0, 2))
    s = dense(cohort)
    cs = cm.score_candidates(cohort, per_mentee=6, per_mentor=3)
    K = kept(cs)
    n, m = cs.shape
    i, j = np.arange(n)[:, None], np.arange(m)[None, :]
    np.testing.assert_array_equal(cs.eligible[i, j], K)
    np.testing.assert_array_equal(cs.total[i, j], np.where(K, s.total, np.nan))
    for name, lookup in cs.components.items():
        np.testing.assert_array_equal(lookup[i, j], np.where(K, s.components[name], np.nan))
    r, c = cs.rows[5], cs.cols[5]
    assert cs.total[r, c] == s.total[r, c] and cs.eligible[-n + r, c - m]
    assert len(cs.to_frame()) == cs.n_pairs

    # rule counts for the mentees with fewer eligible mentors than per_mentee
    assert cs.reason_names == s.reason_names
    few = np.flatnonzero(cs.n_eligible < cs.per_mentee)
    assert few.size
    for b in range(len(s.reason_names)):
        flags = s.reason_flags[few]
        hits = np.count_nonzero((flags >> np.asarray(b, flags.dtype)) & 1, axis=1)
        np.testing.assert_array_equal(cs.reason_counts[few, b], hits)


def test_nothing_pruned_when_sizes_cover_everything():
    cohort = synthetic(300, 80, 2, (1, 3))
    s = dense(cohort)
    cs = cm.score_candidates(cohort, per_mentee=80, per_mentor=300)
    np.testing.assert_array_equal(kept(cs), s.eligible)
    assert np.all(cs.mentee_cut == -np.inf) and np.all(cs.mentor_cut == -np.inf)


def test_pruning_is_real_and_cuts_are_finite_where_pairs_were_dropped():
    cohort = synthetic(300, 80, 1, (1, 3))
    s = dense(cohort)
    cs = cm.score_candidates(cohort, per_mentee=3, per_mentor=2)
    dropped = s.eligible & ~kept(cs)
    assert cs.n_pairs < s.eligible.sum() / 5
    assert np.all(np.isfinite(cs.mentee_cut[dropped.any(axis=1)]))
    assert np.all(np.isfinite(cs.mentor_cut[dropped.any(axis=0)]))


# ---------------------------------------------------------------------------- determinism
BIG = {"per_mentee": 4, "per_mentor": 30}
BIG_SHORTLIST = {"k": 2, "method": "flow", "allow_short": True}


@pytest.fixture(scope="module")
def big():
    """A cohort of three 4096-row chunks, its candidates and shortlists, single process."""
    cohort = synthetic(9000, 44, 3, (240, 300))
    cs = cm.score_candidates(cohort, **BIG)
    sl = cm.shortlist(cs, **BIG_SHORTLIST)
    assert sl.info["candidate_pairs"] > cs.n_pairs  # pricing streamed more pairs in
    return cohort, cs, sl


@pytest.mark.parametrize("block_rows", [1, 7, 5000])
def test_block_rows_do_not_change_candidates(big, block_rows):
    cohort, ref, ref_sl = big
    cs = cm.score_candidates(cohort, **BIG, block_rows=block_rows)
    assert_same_candidates(cs, ref)
    assert_same_shortlists(cm.shortlist(cs, **BIG_SHORTLIST), ref_sl)


@pytest.mark.parametrize("block_rows", [1, 7, None])
def test_block_rows_do_not_change_candidates_small(block_rows):
    cohort = synthetic(300, 80, 0, (1, 3))
    ref = cm.score_candidates(cohort, per_mentee=5, per_mentor=9, block_rows=300)
    cs = cm.score_candidates(cohort, per_mentee=5, per_mentor=9, block_rows=block_rows)
    assert_same_candidates(cs, ref)


def _check_executor(big, executor) -> None:
    cohort, ref, ref_sl = big
    cs = cm.score_candidates(cohort, **BIG, executor=executor)
    assert_same_candidates(cs, ref)
    sl = cm.shortlist(cs, **BIG_SHORTLIST, executor=executor)
    assert_same_shortlists(sl, ref_sl)
    assert sl.info["candidate_pairs"] == ref_sl.info["candidate_pairs"]


def test_thread_pool_gives_the_same_candidates_and_shortlists(big):
    with ThreadPoolExecutor(2) as ex:
        _check_executor(big, ex)


def test_process_pool_gives_the_same_candidates_and_shortlists(big):
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as ex:
        _check_executor(big, ex)


def test_dask_cluster_gives_the_same_candidates_and_shortlists(big):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        _check_executor(big, client.get_executor())


# ---------------------------------------------------------------------------- bound and feasibility
@PROPS
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(40, 120),
    m=st.integers(15, 35),
    slack=st.integers(-2, 12),
    k=st.integers(2, 3),
    per_mentee=st.integers(0, 3),
    per_mentor=st.integers(1, 5),
    method=st.sampled_from(["flow", "exact"]),
)
def test_candidates_agree_with_the_unpruned_optimum(
    seed, n, m, slack, k, per_mentee, per_mentor, method
):
    """Tight instances and tiny candidate sets: same feasibility as the full problem,
    objective <= optimum <= bound, valid shortlists."""
    cohort = tight(n, m, seed, slack)
    s = dense(cohort)
    cs = cm.score_candidates(cohort, per_mentee=k + per_mentee, per_mentor=per_mentor)
    opt = oracle(s, k)
    if opt is None:
        with pytest.raises(cm.InfeasibleError):
            cm.shortlist(s, k=k, method="exact")
        with pytest.raises(cm.InfeasibleError):
            cm.shortlist(cs, k=k, method=method)
        return
    sl = cm.shortlist(cs, k=k, method=method)
    assert_valid(sl)
    np.testing.assert_array_equal(sl.exposure, default_exposure(s.capacity, n, k))
    assert sl.bound >= opt - TOL
    assert sl.objective <= opt + TOL
    assert sl.info["candidate_pairs"] >= cs.n_pairs
    assert sl.info["pricing_rounds"]


# cohorts tight(80, 25, seed, 2), k=2: feasible, but not on the per_mentee=2, per_mentor=1
# candidates alone (checked below by the oracle); and some that are infeasible outright
WIDEN_SEEDS = [1, 11, 18]
INFEASIBLE_SEEDS = [0, 2]


@pytest.mark.parametrize("method", ["flow", "exact"])
def test_widening_restores_feasibility(method):
    widened = 0
    for seed in WIDEN_SEEDS:
        cohort = tight(80, 25, seed, 2)
        s = dense(cohort)
        cs = cm.score_candidates(cohort, per_mentee=2, per_mentor=1)
        only = cm.Scores.from_matrix(
            np.where(kept(cs), s.total, np.nan), mentee_ids=s.mentee_ids,
            mentor_ids=s.mentor_ids, capacity=s.capacity,
        )  # fmt: skip
        assert oracle(only, 2) is None  # the candidates alone hold no shortlists
        opt = oracle(s, 2)
        assert opt is not None
        sl = cm.shortlist(cs, k=2, method=method)
        assert_valid(sl)
        assert sl.objective <= opt + TOL
        assert sl.bound >= opt - TOL
        assert sl.info["candidate_pairs"] > cs.n_pairs
        assert isinstance(sl.scores, cm.CandidateScores)
        assert sl.scores.n_pairs >= sl.info["candidate_pairs"]  # pairs added are kept
        widened += sl.info["widened"] > 0
    assert widened >= 1


@pytest.mark.parametrize("seed", INFEASIBLE_SEEDS)
def test_infeasible_stays_infeasible(seed):
    cohort = tight(80, 25, seed, 2)
    s = dense(cohort)
    assert oracle(s, 2) is None
    with pytest.raises(cm.InfeasibleError):
        cm.shortlist(s, k=2, method="exact")
    for per_mentee, per_mentor in [(2, 1), (80, 25)]:
        cs = cm.score_candidates(cohort, per_mentee=per_mentee, per_mentor=per_mentor)
        for method in ("flow", "exact"):
            with pytest.raises(cm.InfeasibleError):
                cm.shortlist(cs, k=2, method=method)


@pytest.mark.parametrize("seed", [4, 6, 10, 11])
@pytest.mark.parametrize("method", ["flow", "exact"])
def test_allow_short_bound_holds_against_dense(seed, method):
    """With allow_short the problem is still the full one (lengths from the full matrix):
    any dense answer is below the candidates' bound, and the lengths agree."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(60, 151)), int(rng.integers(20, 41))
    lo = max(1, -(-n // m) + int(rng.integers(-1, 2)))
    cohort = synthetic(n, m, seed, (lo, lo + 2))
    d = cm.shortlist(dense(cohort), k=3, method="exact", allow_short=True)
    cs = cm.score_candidates(cohort, per_mentee=3, per_mentor=2)
    sl = cm.shortlist(cs, k=3, method=method, allow_short=True)
    assert_valid(sl)
    np.testing.assert_array_equal(sl.lengths(), d.lengths())
    assert sl.bound >= d.objective - TOL
    assert sl.objective <= d.bound + TOL


# ---------------------------------------------------------------------------- downstream
@pytest.fixture(scope="module")
def assigned():
    cohort = synthetic(120, 30, 1, (4, 6))
    cs = cm.score_candidates(cohort, per_mentee=3, per_mentor=2)
    sl = cm.shortlist(cs, k=2, method="flow", allow_short=True)
    a = cm.assign(sl, cm.simulate_choices(sl, seed=1))
    return cohort, cs, sl, a


def test_choices_and_both_assignment_methods(assigned):
    _, cs, sl, _ = assigned
    assert_valid(sl)
    assert sl.info["widened"] > 0
    choices = cm.simulate_choices(sl, seed=3, response_rate=0.7)
    assert set(choices["mentee_id"]) <= set(cs.mentee_ids)
    for how in ("rank-maximal", "stable"):
        a = cm.assign(sl, choices, method=how)
        assert check_assignment(a) == []
        assert isinstance(a.scores, cm.CandidateScores)
        on = (sl.mentors == a.mentor[:, None]).any(axis=1)
        assert on[a.matched].all()
    assert cm.assign(sl, choices).matched.all()


@pytest.mark.parametrize("own", [True, False])
@pytest.mark.parametrize("method", ["flow", "exact"])
def test_rematch_on_candidates(assigned, own, method):
    cohort, cs, _, a = assigned
    rows = np.arange(20, 30)
    redo = list(cs.mentee_ids[rows])
    new = cm.rematch(a, None if own else cs, mentees=redo, k=2, method=method)
    assert isinstance(new.scores, cm.CandidateScores)
    assert new.mentee_ids.tolist() == redo
    assert check_shortlists(new) == []
    assert has_complete_assignment(new)
    # never the previous mentor, only capacity left free by everyone else
    assert not (new.mentors == a.mentor[rows][:, None]).any()
    keep = a.matched.copy()
    keep[rows] = False
    free = cs.capacity - np.bincount(a.mentor[keep], minlength=cs.n_mentors)
    assert (np.bincount(new.recommended, minlength=cs.n_mentors) <= free).all()
    # no better than the same rematch on the dense scores
    d = cm.rematch(a, dense(cohort), mentees=redo, k=2, method="exact")
    assert new.bound >= d.objective - TOL
    assert new.objective <= d.bound + TOL
    b = cm.assign(new, cm.simulate_choices(new, seed=2))
    assert check_assignment(b) == []


def test_fixed_pairs_on_candidates(assigned):
    cohort, _, sl, a = assigned
    frame = a.to_frame()
    fixed = dict(zip(frame["mentee_id"][:15], frame["mentor_id"][:15], strict=True))
    out = cm.shortlist(sl.scores, k=2, fixed=fixed, allow_short=True)
    assert check_shortlists(out) == []
    got = out.to_frame().query("recommended").set_index("mentee_id")["mentor_id"]
    assert all(got[e] == r for e, r in fixed.items())
    assert out.info["fixed"] == 15
    b = cm.assign(out, cm.simulate_choices(out, seed=4))
    assert check_assignment(b) == []
    matched = b.to_frame().set_index("mentee_id")["mentor_id"]
    assert all(matched[e] == r for e, r in fixed.items())
    d = cm.shortlist(dense(cohort), k=2, fixed=fixed, allow_short=True, method="exact")
    assert out.bound >= d.objective - TOL


# ---------------------------------------------------------------------------- known bugs
def test_rematch_allow_short_on_candidates_matches_dense(assigned):
    cohort, cs, _, a = assigned
    # the first ten mentees (in steps of ten) of whom someone has a single option left
    # once the others keep their mentors
    for start in range(0, cs.n_mentees, 10):
        redo = list(cs.mentee_ids[start : start + 10])
        try:
            d = cm.rematch(a, dense(cohort), mentees=redo, k=2, method="exact", allow_short=True)
        except cm.InfeasibleError:
            continue
        if d.lengths().min() < 2:
            break
    else:
        pytest.fail("no group of ten mentees with a short list left")
    new = cm.rematch(a, mentees=redo, k=2, method="flow", allow_short=True)
    np.testing.assert_array_equal(new.lengths(), d.lengths())
    assert check_shortlists(new) == []


def test_fixed_accepts_eligible_pairs_that_are_not_candidates(assigned):
    cohort, cs, _, a = assigned
    s = dense(cohort)
    rows = np.flatnonzero(~cs.eligible[np.arange(cs.n_mentees), a.mentor] & a.matched)
    assert rows.size and s.eligible[rows, a.mentor[rows]].all()
    fixed = {cs.mentee_ids[rows[0]]: cs.mentor_ids[a.mentor[rows[0]]]}
    out = cm.shortlist(cs, k=2, fixed=fixed, allow_short=True)
    assert check_shortlists(out) == []
    assert out.recommended[rows[0]] == a.mentor[rows[0]]


def test_max_per_group_on_candidates_widens_instead_of_failing():
    cohort = synthetic(40, 25, 27, (3, 6))
    d = cm.shortlist(dense(cohort), k=2, max_per_group=1, method="exact")
    cs = cm.score_candidates(cohort, per_mentee=2, per_mentor=1)
    sl = cm.shortlist(cs, k=2, max_per_group=1)
    assert check_shortlists(sl) == []
    assert sl.bound >= d.objective - TOL


def test_shortlist_rejects_a_bad_executor_up_front():
    cohort = synthetic(60, 30, 1, (3, 5))
    cs = cm.score_candidates(cohort, per_mentee=30, per_mentor=60)
    with pytest.raises(TypeError, match=r"Executor"):
        cm.shortlist(cs, k=2, executor="x")


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("name", ["per_mentee", "per_mentor"])
@pytest.mark.parametrize("bad", [0, -1, "5", True, 2.0, None])
def test_bad_sizes(name, bad):
    with pytest.raises(ValueError, match=rf"`{name}` must be an int in \[1, inf\)"):
        cm.score_candidates(synthetic(30, 10, 0), **{name: bad})


def test_numpy_integer_sizes_are_accepted():
    cs = cm.score_candidates(synthetic(30, 10, 0), per_mentee=np.int64(3), per_mentor=np.int32(2))
    assert (cs.per_mentee, cs.per_mentor) == (3, 2)


@pytest.mark.parametrize("bad", ["x", 2, ThreadPoolExecutor])
def test_bad_executor(bad):
    with pytest.raises(TypeError, match=r"concurrent\.futures\.Executor"):
        cm.score_candidates(synthetic(30, 10, 0), executor=bad)


def test_bad_executor_when_pricing_runs():
    cohort = synthetic(120, 30, 1, (4, 6))
    cs = cm.score_candidates(cohort, per_mentee=3, per_mentor=2)
    with pytest.raises(TypeError, match=r"concurrent\.futures\.Executor"):
        cm.shortlist(cs, k=2, allow_short=True, executor="x")


@pytest.mark.parametrize("bad", [None, "cohort", "scores"])
def test_not_a_cohort(bad):
    cohort = synthetic(30, 10, 0)
    arg = dense(cohort) if bad == "scores" else bad
    with pytest.raises(TypeError, match="`cohort` must be a Cohort"):
        cm.score_candidates(arg)


def test_lookup_rejects_bad_indices():
    cs = cm.score_candidates(synthetic(30, 10, 0), per_mentee=3, per_mentor=2)
    with pytest.raises(TypeError):
        cs.total[0]
    with pytest.raises(TypeError):
        cs.total[0.5, 1]
    with pytest.raises(IndexError):
        cs.total[30, 0]
    with pytest.raises(IndexError):
        cs.eligible[0, -11]


# ---------------------------------------------------------------------------- certificates
@PROPS
@given(seed=st.integers(0, 10_000), n=st.integers(1, 12), m=st.integers(1, 9))
def test_best_pruned_bounds_every_pruned_pair(seed, n, m):
    """The per-mentee bound from mentee cuts relative to earlier prices (``ref``) and
    mentor cuts equals its defining max over mentors, and bounds every pruned pair."""
    from crossmatch.solve.bounds import best_pruned

    rng = np.random.default_rng(seed)
    s = rng.random((n, m))
    pruned = rng.random((n, m)) < 0.5
    ref = np.where(rng.random(m) < 0.3, 0.0, rng.random(m))
    v = np.where(rng.random(m) < 0.2, np.inf, rng.random(m))
    with np.errstate(invalid="ignore"):
        cut_e = np.where(pruned, s - ref, -np.inf).max(axis=1)
        cut_m = np.where(pruned, s, -np.inf).max(axis=0)
        g = best_pruned(cut_e, cut_m, v, ref)
        terms = np.minimum(cut_e[:, None] + ref, cut_m) - v
    terms = np.where(np.isnan(terms) | np.isinf(v)[None, :], -np.inf, terms)
    np.testing.assert_allclose(g, terms.max(axis=1), rtol=0, atol=1e-12)
    worst = np.where(pruned & np.isfinite(v), s - v, -np.inf).max(axis=1)
    assert np.all(g >= worst - 1e-12)


@PROPS
@given(
    data=st.lists(
        st.tuples(st.integers(0, 7), st.sampled_from([-np.inf, 0.0, 0.5, 1.0, 2.0, 2.5])),
        max_size=60,
    ),
    k=st.integers(0, 5),
)
def test_top_values_match_sorting(data, k):
    """Each mentee's k largest values, ties counted as often as they occur."""
    from crossmatch.solve.bounds import top_values

    n = 8
    data = sorted(data, key=lambda t: t[0])
    mentee = np.array([t[0] for t in data], dtype=np.int64)
    values = np.array([t[1] for t in data], dtype=np.float64)
    got = top_values(mentee, values, k, n)
    for i in range(n):
        want = sorted((v for e, v in data if e == i), reverse=True)[:k]
        want += [-np.inf] * (k - len(want))
        assert got[i].tolist() == want
    if len(mentee) > 1 and mentee[0] != mentee[-1]:
        with pytest.raises(ValueError, match="sorted"):
            top_values(mentee[::-1].copy(), values, k, n)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cut_bound_matches_its_definition(seed):
    """``UB(v)`` term by term: each mentee's k largest reduced values among its
    candidates and k copies of its pruned bound g_i; k-th candidate; unproven mask."""
    from crossmatch.solve.bounds import best_pruned, cut_bound
    from crossmatch.solve.instance import Instance
    from crossmatch.solve.options import ShortlistOptions

    cs = cm.score_candidates(synthetic(70, 25, seed, (1, 3)), per_mentee=4, per_mentor=3)
    p = Instance.build(cs, ShortlistOptions(k=3))
    rng = np.random.default_rng(seed)
    v = np.where(rng.random(p.m) < 0.1, np.inf, rng.random(p.m) * 0.3)
    ub, terms, unproven, kth = cut_bound(p, v, p.cut_e, p.cut_m)
    g = best_pruned(p.cut_e, p.cut_m, v)
    want_terms, want_kth = [], []
    for i in range(p.n):
        red = sorted((p.ps[p.pi == i] - v[p.pj[p.pi == i]]).tolist(), reverse=True)
        want_kth.append(red[2] if len(red) >= 3 else -np.inf)
        top = sorted(red + [g[i]] * 3, reverse=True)[:3]
        want_terms.append(sum(t for t in top if np.isfinite(t)))
    np.testing.assert_allclose(terms, want_terms, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(kth, want_kth)
    np.testing.assert_array_equal(unproven, g > np.array(want_kth))
    fixed = float(np.sum((p.exposure * v)[np.isfinite(v)]))
    assert ub == pytest.approx(fixed + sum(want_terms), abs=1e-9)


def test_results_pickle_and_keep_their_answers():
    cohort = synthetic(60, 30, 1, (2, 4))  # one mentee has a single eligible mentor
    cs = cm.score_candidates(cohort, per_mentee=3, per_mentor=3)
    sl = cm.shortlist(cs, k=2, allow_short=True)
    a = cm.assign(sl, cm.simulate_choices(sl, seed=0))
    s = dense(cohort)
    for obj in (cs, sl, a, s, cm.shortlist(s, k=2, allow_short=True)):
        back = pickle.loads(pickle.dumps(obj))
        assert type(back) is type(obj)
        assert repr(back) == repr(obj)
    back = pickle.loads(pickle.dumps(cs))
    np.testing.assert_array_equal(back.keys, cs.keys)
    assert dict(back.pair_components).keys() == dict(cs.pair_components).keys()
    assert pickle.loads(pickle.dumps(a)).total_score == a.total_score
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(sl)).mentors, sl.mentors)


@pytest.mark.parametrize("share", [1.0, 0.1])  # whole blocks; a few rows' pairs only
@pytest.mark.parametrize("path", ["auto", "pairs", "rows"])  # how the pass scores
@pytest.mark.parametrize("with_claims", [False, True])
def test_price_matches_brute_force(share, path, with_claims, monkeypatch):
    """Top-k reduced sums over all eligible pairs, and the best new pairs above each
    row's threshold (at most ``limit``, best first, ties by column), whether the pass
    scores whole rows or only the pairs the cuts and claims let through."""
    monkeypatch.setattr(
        candidates_module, "SPARSE_SHARE", {"auto": 8, "pairs": 0, "rows": 10**12}[path]
    )
    cohort = synthetic(200, 300, 4, (0, 2))
    s = dense(cohort)
    cs = cm.score_candidates(cohort, per_mentee=4, per_mentor=3)
    rng = np.random.default_rng(0)
    n, m = cs.shape
    prices = np.where(rng.random(m) < 0.1, np.inf, rng.random(m) * 0.3)
    k = rng.integers(1, 4, n)
    red = np.where(s.eligible, s.total.astype(np.float32), -np.inf).astype(np.float64) - prices
    K = kept(cs)
    # thresholds at a row's 1st-5th best new pair (few enter, near the cuts), or none;
    # at most its k-th best candidate's (what the sums rely on)
    new_best = -np.sort(-np.where(K, -np.inf, red), axis=1)
    kth = -np.sort(-np.where(K, red, -np.inf), axis=1)[np.arange(n), k - 1]
    near = np.minimum(new_best[np.arange(n), rng.integers(0, 5, n)], kth)
    threshold = np.where(rng.random(n) < 0.3, -np.inf, near)
    rows = np.flatnonzero(rng.random(n) < share)
    claims = []
    if with_claims:  # tight, true claims on the pairs left out: s - ref <= c
        for ref in (prices, np.where(rng.random(m) < 0.05, np.inf, rng.random(m) * 0.2)):
            with np.errstate(invalid="ignore"):
                out = np.where(s.eligible & ~K, s.total.astype(np.float64) - ref, -np.inf)
            c = np.nan_to_num(out, nan=-np.inf).max(axis=1)
            claims.append((np.where(rng.random(n) < 0.2, np.inf, c), ref))
    sums, r, c, v = cs.price(prices, k, threshold, rows=rows, limit=3, claims=claims)
    best = -np.sort(-red, axis=1)
    assert np.isnan(np.delete(sums, rows)).all()
    for i in rows:
        top = best[i, : k[i]]
        assert sums[i] == pytest.approx(top[np.isfinite(top)].sum(), abs=1e-9)
        new = np.flatnonzero(~K[i] & (red[i] > threshold[i]))
        want = sorted(new.tolist(), key=lambda j: (-red[i, j], j))[:3]
        assert c[r == i].tolist() == want
    assert set(r.tolist()) <= set(rows.tolist())
    np.testing.assert_array_equal(v, s.total[r, c])


# ---------------------------------------------------------------------------- dense on candidates
def popular(n: int, m: int, seed: int) -> np.ndarray:
    """Skewed scores: a shared mentor popularity plus each pair's own fit."""
    rng = np.random.default_rng(seed)
    return 0.6 * rng.beta(0.5, 3.0, size=m)[None, :] + 0.4 * rng.random((n, m))


@pytest.fixture
def always_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dense scores of any size take the candidate path."""
    import importlib

    monkeypatch.setattr(importlib.import_module("crossmatch.solve.colgen"), "CANDIDATE_PAIRS", 0)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("method", ["flow", "auto"])
def test_dense_scores_on_candidates_against_milp(
    always_candidates: None, seed: int, method: str
) -> None:
    """A dense matrix solved on its candidate pairs (with pricing reading the matrix):
    valid shortlists, never above the unpruned MILP optimum, a bound never below it."""
    rng = np.random.default_rng(seed)
    n, m, k = 40, 12, 2
    S = popular(n, m, seed)
    E = rng.random((n, m)) < 0.8
    cap = rng.integers(3, 7, size=m)
    scores = cm.Scores.from_matrix(np.where(E, S, np.nan), mentee_ids=np.arange(n),
                                   mentor_ids=np.arange(m), capacity=cap)  # fmt: skip
    want = oracle(scores, k)
    if want is None:
        with pytest.raises(cm.InfeasibleError):
            cm.shortlist(scores, k=k, method=method)
        return
    sl = cm.shortlist(scores, k=k, method=method)
    assert "candidate_pairs" in sl.info  # it took the candidate path
    assert_valid(sl)
    assert sl.objective <= want + TOL
    assert sl.bound >= want - TOL


def test_dense_candidates_selection_and_cuts() -> None:
    """Every dropped eligible pair is below both its row's and its column's cut, each
    mentee keeps its per_mentee best, and the values are the matrix's (float64)."""
    rng = np.random.default_rng(3)
    n, m = 300, 40
    S = popular(n, m, 3)
    E = rng.random((n, m)) < 0.9
    scores = cm.Scores.from_matrix(np.where(E, S, np.nan), mentee_ids=np.arange(n),
                                   mentor_ids=np.arange(m), capacity=np.full(m, 2))  # fmt: skip
    cs = cm.CandidateScores.from_scores(scores, per_mentee=4, per_mentor=10)
    mask = kept(cs)
    assert not (mask & ~E).any()
    np.testing.assert_array_equal(cs.values, S[cs.rows, cs.cols])
    assert cs.values.dtype == np.float64
    dropped = E & ~mask
    ii, jj = np.nonzero(dropped)
    assert np.all(S[ii, jj] <= cs.mentee_cut[ii])
    assert np.all(S[ii, jj] <= cs.mentor_cut[jj])
    for i in range(n):  # the per_mentee best eligible of each row are kept
        best = np.sort(S[i][E[i]])[::-1][:4]
        assert np.all(np.isin(best, S[i][mask[i]]))
    np.testing.assert_array_equal(cs.n_eligible, E.sum(axis=1))


def test_dense_pricing_matches_brute_force() -> None:
    """`price` on a matrix source: top-k sums and entering pairs against NumPy."""
    n, m = 60, 15
    S = popular(n, m, 5)
    scores = cm.Scores.from_matrix(S, mentee_ids=np.arange(n), mentor_ids=np.arange(m),
                                   capacity=np.full(m, 3))  # fmt: skip
    cs = cm.CandidateScores.from_scores(scores, per_mentee=2, per_mentor=4)
    prices = np.random.default_rng(0).random(m) * 0.3
    k = np.full(n, 3)
    sums, r, c, v = cs.price(prices, k, np.full(n, -np.inf), limit=m)
    red = S - prices[None, :]
    np.testing.assert_allclose(sums, np.sort(red, axis=1)[:, ::-1][:, :3].sum(axis=1))
    assert not kept(cs)[r, c].any()  # only new pairs
    assert len(r) + cs.n_pairs == n * m
    np.testing.assert_array_equal(v, S[r, c])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(2, 25),
    m=st.integers(2, 9),
    k=st.integers(1, 3),
    density=st.floats(0.5, 1.0),
    ties=st.booleans(),
)
def test_dense_candidate_path_property(
    always_candidates: None, seed: int, n: int, m: int, k: int, density: float, ties: bool
) -> None:
    """Any dense matrix on the candidate path: infeasible exactly when the unpruned MILP
    is; else valid shortlists, objective <= optimum <= bound."""
    rng = np.random.default_rng(seed)
    S = rng.integers(0, 3, size=(n, m)).astype(float) if ties else popular(n, m, seed)
    E = rng.random((n, m)) < density
    cap = rng.integers(0, 4, size=m)
    scores = cm.Scores.from_matrix(np.where(E, S, np.nan), mentee_ids=np.arange(n),
                                   mentor_ids=np.arange(m), capacity=cap)  # fmt: skip
    want = oracle(scores, k)
    if want is None:
        with pytest.raises(cm.InfeasibleError):
            cm.shortlist(scores, k=k, method="flow")
        return
    sl = cm.shortlist(scores, k=k, method="flow")
    assert_valid(sl)
    assert sl.objective <= want + TOL
    assert sl.bound >= want - TOL
