"""The pricing rounds of shortlists on candidate pairs (`solve/colgen.py`, `solve/bounds.py`).

- a relaxation solved again on a working set (:func:`bounds.relaxation`) is optimal on
  every pair: its value equals SciPy's LP optimum of the b-matching (integral), whatever
  the working set starts from, and its duals certify it;
- :func:`bounds.flow_duals` settles exactly for optimal b-matchings;
- an instance grown by a pricing round (`bounds.merged`) is what `Instance.build` makes;
- whole solves: each pricing round's relaxation is the optimum of its candidates, and the
  bound holds for the unpruned problem.
"""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

import crossmatch as cm
from crossmatch.solve import bounds, network
from crossmatch.solve.instance import Instance
from crossmatch.solve.options import ShortlistOptions

PROPS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def cohort(n: int, m: int, seed: int) -> cm.Cohort:
    return cm.Cohort.from_frames(*cm.synthetic_cohort(n, m, seed=seed, capacity=(4, 8)))


def lp_value(p: Instance, w: np.ndarray) -> float:
    """SciPy's optimum of the b-matching LP (k_i per mentee, e_j per mentor, 0 <= x <= 1)
    in the integer weights ``w``."""
    cols = np.arange(p.n_pairs)
    by_mentee = csr_matrix((np.ones(p.n_pairs), (p.pi, cols)), shape=(p.n, p.n_pairs))
    by_mentor = csr_matrix((np.ones(p.n_pairs), (p.pj, cols)), shape=(p.m, p.n_pairs))
    res = linprog(-w.astype(float), A_ub=by_mentor, b_ub=p.exposure, A_eq=by_mentee,
                  b_eq=p.k, bounds=(0, 1), method="highs")  # fmt: skip
    assert res.status == 0, res.message
    return float(-res.fun)


def instance(seed: int, n: int = 40, m: int = 12, k: int = 3) -> Instance:
    """A small instance on every eligible pair with tight exposure (prices bind)."""
    rng = np.random.default_rng(seed)
    popular = rng.random(m) ** 3  # popular mentors: everyone's best
    s = np.clip(0.6 * popular[None, :] + 0.4 * rng.random((n, m)), 0, 1)
    eligible = rng.random((n, m)) < 0.8
    eligible[np.arange(n), rng.integers(0, m, n)] = True
    scores = cm.Scores.from_matrix(
        s, capacity=np.full(m, 20), eligible=eligible,
        mentee_ids=[f"e{i}" for i in range(n)], mentor_ids=[f"r{j}" for j in range(m)],
    )  # fmt: skip
    expo = np.full(m, int(np.ceil(1.3 * n * k / m)))
    return Instance.build(scores, ShortlistOptions(k=k, exposure=expo))


@PROPS
@given(seed=st.integers(0, 10_000), share=st.floats(0.05, 0.9), rounds=st.integers(1, 4))
def test_relaxation_on_a_working_set_is_the_lp_optimum(seed, share, rounds):
    """Whatever the last round solved (a random part of the pairs) and added, the
    relaxation solved again is optimal on every pair: its weight equals SciPy's LP
    optimum, and no pair left out improves on its duals."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bounds, "WORKING_ROUNDS", rounds)
        check_relaxation(seed, share)


def check_relaxation(seed: int, share: float) -> None:
    p = instance(seed)
    w = p.weights()
    need = int(p.k.sum())
    rng = np.random.default_rng(seed)
    before = rng.random(p.n_pairs) < share
    sub = p.restrict(before)
    xs, got = network.select_pairs(sub, per_mentee=p.k, per_mentor=p.exposure, weights=w[before])
    if got < need:  # the part cannot fill every shortlist: start from all pairs
        before[:] = True
        sub = p
        xs, got = network.select_pairs(p, per_mentee=p.k, per_mentor=p.exposure, weights=w)
    duals = bounds.flow_duals(sub, xs, w[before])
    assert duals is not None
    last = np.zeros(p.n_pairs, bool)
    last[np.flatnonzero(before)[xs]] = True
    new = ~before & (rng.random(p.n_pairs) < 0.5)  # what a pricing pass added
    x, got, d = bounds.relaxation(p, w, bounds.potentials(sub, duals), last, new)
    assert got == need
    assert int(w[x].sum()) == round(lp_value(p, w))
    assert np.array_equal(np.bincount(p.pi[x], minlength=p.n), p.k)
    assert np.all(np.bincount(p.pj[x], minlength=p.m) <= p.exposure)
    if d is not None:  # optimal on a working set: its duals hold on every pair
        assert not (bounds.improving(p, w, d) & ~x).any()


@pytest.mark.parametrize("seed", range(6))
def test_flow_duals_settle_only_for_optimal_b_matchings(seed, monkeypatch):
    monkeypatch.setattr(bounds, "MAX_ROUNDS", 500)
    p = instance(seed)
    w = p.weights()
    x, _ = network.select_pairs(p, per_mentee=p.k, per_mentor=p.exposure, weights=w)
    d = bounds.flow_duals(p, x, w)
    assert d is not None
    assert not (bounds.improving(p, w, d) & ~x).any()
    v = bounds.mentor_prices(p, d)
    assert np.all(v >= 0)
    # a worse b-matching: mentee 0 swaps its best pair for its worst unused one
    mine = np.flatnonzero(p.pi == 0)
    used, free = mine[x[mine]], mine[~x[mine]]
    free = free[np.bincount(p.pj[x], minlength=p.m)[p.pj[free]] < p.exposure[p.pj[free]]]
    if len(free):
        best, worst = used[np.argmax(w[used])], free[np.argmin(w[free])]
        if w[worst] < w[best]:
            y = x.copy()
            y[best], y[worst] = False, True
            assert bounds.flow_duals(p, y, w) is None
    assert np.all(bounds.mentor_prices(p, None) == np.where(p.exposure > 0, 0.0, np.inf))


@pytest.mark.parametrize("seed", range(3))
def test_a_grown_instance_is_a_fresh_build(seed):
    """Pairs added by pricing, merged into the instance, give the arrays
    `Instance.build` gives on the grown candidates; old pairs keep their data."""
    cs = cm.score_candidates(cohort(120, 30, seed), per_mentee=3, per_mentor=5)
    rows = np.arange(cs.n_mentees)[::-1]
    opts = ShortlistOptions(k=2)
    p = Instance.build(cs, opts, rows)
    dense = cm.score(cohort(120, 30, seed))
    ok = np.asarray(dense.eligible) & ~np.isin(
        np.arange(cs.n_mentees)[:, None] * cs.n_mentors + np.arange(cs.n_mentors), cs.keys
    )
    r, c = np.nonzero(ok)
    pick = np.random.default_rng(seed).random(len(r)) < 0.3
    r, c = r[pick], c[pick]
    vals = np.asarray(dense.total, np.float32)[r, c]
    grown = cs.with_pairs(r, c, vals)
    ci, cj = p.canonical(r, c)
    q, old = bounds.merged(p, grown, ci, cj, vals)
    fresh = Instance.build(grown, opts, rows)
    for name in ("ee", "mr", "pi", "pj", "ps", "capacity", "exposure", "k", "cut_e", "cut_m"):
        np.testing.assert_array_equal(getattr(q, name), getattr(fresh, name), err_msg=name)
    np.testing.assert_array_equal(q.ps[old], p.ps)
    np.testing.assert_array_equal(q.pi[old], p.pi)
    np.testing.assert_array_equal(q.pj[old], p.pj)
    again, _ = bounds.merged(q, grown, ci, cj, vals)  # pairs already there: nothing new
    np.testing.assert_array_equal(again.ps, q.ps)


@pytest.mark.parametrize(("n", "m", "seed"), [(300, 60, 0), (500, 100, 1)])
def test_every_pricing_round_solves_its_candidates(n, m, seed, monkeypatch):
    """On cohorts that need a second round: each round's relaxation is the LP optimum
    of that round's candidates (within rounding), and the bound holds for the
    unpruned relaxation (SciPy LP on every eligible pair)."""
    seen: list[tuple[float, float]] = []
    real = bounds.cut_bound

    def spy(p, v, cut_e, cut_m, certificates=()):
        w = replace(p, max_per_group=None).weights()
        seen.append((lp_value(p, w) * p.units(1.0) + float(p.k.sum()) * float(p.ps.min()),
                     float(p.rounding_slack())))  # fmt: skip
        return real(p, v, cut_e, cut_m, certificates)

    monkeypatch.setattr(bounds, "cut_bound", spy)
    cs = cm.score_candidates(cohort(n, m, seed), per_mentee=3, per_mentor=10)
    sl = cm.shortlist(cs, k=3, method="flow", allow_short=True)
    rounds = sl.info["pricing_rounds"]
    assert len(rounds) >= 2 and rounds[0]["entering"] > 0
    assert len(seen) == len(rounds)
    for r, (lp, slack) in zip(rounds, seen, strict=True):
        assert r["relaxation"] == pytest.approx(lp, abs=2 * slack + 1e-9)
    p = Instance.build(cm.score(cohort(n, m, seed)), ShortlistOptions(k=3, allow_short=True))
    full = lp_value(p, p.weights()) * p.units(1.0) + float(p.k.sum()) * float(p.ps.min())
    assert sl.bound >= full - p.rounding_slack() - 1e-9
    assert sl.objective <= sl.bound


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(
    ("slack", "tries", "share"), [(-1e9, 1, 1.0), (-1e9, 4, 1.0), (0.0, 4, 1.0), (0.0, 4, 0.0)]
)
def test_relaxation_grows_its_working_set_or_falls_back(seed, slack, tries, share, monkeypatch):
    """A working set of only the last answer and the new pairs: pairs that break the
    duals join until none does, or after ``tries`` (or at once when the working set
    holds over ``share`` of the pairs) the relaxation solves on every pair (duals None);
    optimal either way."""
    monkeypatch.setattr(bounds, "WORKING_SLACK", slack)
    monkeypatch.setattr(bounds, "WORKING_ROUNDS", tries)
    monkeypatch.setattr(bounds, "WORKING_SHARE", share)
    p = instance(seed, n=60, m=15)
    w = p.weights()
    rng = np.random.default_rng(seed)
    best, _ = network.select_pairs(p, per_mentee=p.k, per_mentor=p.exposure, weights=w)
    # the last round lacked half the optimum's pairs and a fifth of the rest
    before = ~(best & (rng.random(p.n_pairs) < 0.5)) & (rng.random(p.n_pairs) < 0.8)
    xs, got = network.select_pairs(
        p.restrict(before), per_mentee=p.k, per_mentor=p.exposure, weights=w[before]
    )
    assert got == int(p.k.sum())
    duals = bounds.flow_duals(p.restrict(before), xs, w[before])
    assert duals is not None
    last = np.zeros(p.n_pairs, bool)
    last[np.flatnonzero(before)[xs]] = True
    new = ~before & (best | (rng.random(p.n_pairs) < 0.3))
    calls = []
    real = network.select_pairs

    def spy(q, **kw):
        calls.append(q.n_pairs if kw.get("pair_mask") is None else int(kw["pair_mask"].sum()))
        return real(q, **kw)

    monkeypatch.setattr(network, "select_pairs", spy)
    x, got, d = bounds.relaxation(p, w, bounds.potentials(p.restrict(before), duals), last, new)
    assert int(w[x].sum()) == round(lp_value(p, w))
    if d is None:  # fell back: the last call solved on every pair
        assert calls[-1] == p.n_pairs
        assert len(calls) == (1 if share == 0 else tries + 1)
    else:
        assert not (bounds.improving(p, w, d) & ~x).any()
        assert len(calls) <= tries
