"""The solving core `match` shares with `shortlist`: one integer scaling of scores
(``solve/scaling.py``), one network toolkit (``reward_flow``, residual arcs, potentials)
and one deadline across every stage of `match`. Oracles: brute force, SciPy's
Bellman-Ford; nothing below times anything (a limit of 1e-9 s has always run out by
the first check)."""

from __future__ import annotations

import itertools
import sys
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import bellman_ford

import crossmatch as cm
from crossmatch.solve import network
from crossmatch.solve.instance import Instance
from crossmatch.solve.options import ShortlistOptions
from crossmatch.solve.scaling import COST_ROOM, RESOLUTION, integer_scaling

PRICING = sys.modules["crossmatch.solve.match_pricing"]
EXPIRED = 1e-9  # seconds: gone before the first stage ends


def valid(a: cm.Assignment, s: cm.Scores | cm.CandidateScores, p: int) -> None:
    """Eligible, distinct mentors, at most ``p`` each, capacity held, reasons exactly
    for the unmatched."""
    mentors = a.mentors
    assert mentors.shape == (s.n_mentees, p)
    for i, row in enumerate(mentors):
        got = row[row >= 0]
        assert len(set(got.tolist())) == len(got)
        assert all(bool(s.eligible[i, j]) for j in got)
        assert (a.reason[i] is None) == (len(got) > 0)
    assert np.all(a.load() <= s.capacity)


def candidates(n: int = 240, m: int = 40, seed: int = 3) -> cm.CandidateScores:
    ee, mr = cm.synthetic_cohort(n, m, seed=seed, capacity=(1, 3))
    return cm.score_candidates(cm.Cohort.from_frames(ee, mr), per_mentee=2, per_mentor=3)


def dense(n: int = 120, m: int = 30, seed: int = 0) -> cm.Scores:
    rng = np.random.default_rng(seed)
    mat = np.where(rng.random((n, m)) < 0.7, rng.random((n, m)), np.nan)
    return cm.Scores.from_matrix(
        mat, mentee_ids=np.arange(n), mentor_ids=np.arange(m), capacity=rng.integers(1, 5, m)
    )


def expired_match(s: cm.Scores | cm.CandidateScores, **kw: object) -> cm.Assignment:
    with pytest.warns(RuntimeWarning, match="time limit"):
        return cm.match(s, waitlist=True, time_limit=EXPIRED, **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- deadline
def test_candidates_deadline_stops_widening_and_pricing_not_optimal() -> None:
    cs = candidates()
    full = cm.match(cs, per_mentee=2, waitlist=True)
    assert full.info["status"] == "optimal" and "time_limit_reached" not in full.info
    a = expired_match(cs, per_mentee=2)
    assert a.info["status"] == "feasible"
    assert a.info["time_limit_reached"] is True
    assert not a.info.get("priced", False)  # the full-matrix proof never ran
    valid(a, a.scores, 2)
    assert a.info["coverage"] <= full.info["coverage"]


def test_priced_dense_flow_deadline_returns_the_first_rounds_flow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {"PRICE_ABOVE": 0, "PRICE_RATIO": 0, "PRICE_START": 0}.items():
        monkeypatch.setattr(PRICING, name, value)
    s = dense()
    best = cm.match(s, per_mentee=2, waitlist=True)
    assert best.info["status"] == "optimal"
    a = expired_match(s, per_mentee=2)
    assert a.info["status"] == "feasible" and a.info["time_limit_reached"]
    valid(a, s, 2)
    assert a.info["total"] <= best.info["total"] + 1e-9 or (
        a.info["coverage"] < best.info["coverage"]
    )


@pytest.mark.parametrize("per_mentee", [1, 2])
def test_maxmin_deadline_keeps_the_total_answer_with_its_floor(per_mentee: int) -> None:
    s = dense(40, 10)
    total = cm.match(s, per_mentee=per_mentee, waitlist=True)
    a = expired_match(s, per_mentee=per_mentee, objective="maxmin")
    assert a.info["status"] == "feasible" and a.info["time_limit_reached"]
    valid(a, s, per_mentee)
    assert np.array_equal(a.mentors, total.mentors)  # nothing raised the floor
    value = np.where(a.mentors >= 0, s.total[np.arange(40)[:, None], a.mentors], 0.0)
    assert a.info["floor"] == pytest.approx(value.sum(axis=1)[a.matched].min())
    assert a.info["price_of_fairness"] == 0.0


def test_small_dense_flow_is_proved_whatever_the_limit() -> None:
    """One flow with no stage left out is a proof: "optimal" is true, no warning."""
    s = dense(20, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = cm.match(s, waitlist=True, time_limit=EXPIRED)
    assert a.info["status"] == "optimal" and "time_limit_reached" not in a.info


# ---------------------------------------------------------------------------- scaling
@pytest.mark.parametrize(
    "values, offset, unit",
    [
        (np.array([0.0, 3, 7, 12, 9]), 0.0, 1.0),  # points
        (np.array([1.0, 2, 3, 4, 5]), 1.0, 1.0),  # a 1-5 rating
        (np.array([0.0, 1 / 3, 2 / 3, 1.0]), 0.0, 1 / 3),  # thirds
        (np.array([-1.5, 0.25, 2.0]), 0.0, 0.25),
    ],
)
def test_grid_scores_scale_exactly(values: np.ndarray, offset: float, unit: float) -> None:
    sc = integer_scaling(values, n_nodes=10, offset=offset)
    assert sc.exact and sc.unit == pytest.approx(unit)
    assert sc.error <= 1e-15 and sc.slack(1000) <= 1e-12
    np.testing.assert_allclose(sc.costs(values) * sc.unit + offset, values, atol=1e-12)


def test_continuous_scores_get_the_fine_unit_and_report_their_rounding() -> None:
    v = np.random.default_rng(0).random(10_000)
    sc = integer_scaling(v, n_nodes=100)
    assert not sc.exact
    assert sc.unit == pytest.approx(RESOLUTION * float(v.max()))
    assert np.max(np.abs(sc.costs(v) * sc.unit - v)) <= sc.error == sc.unit / 2
    assert sc.slack(7) == pytest.approx(7 * sc.unit)


def test_an_outlier_does_not_round_the_other_scores_away() -> None:
    rng = np.random.default_rng(1)
    v = np.r_[rng.random(500), 1e6]
    sc = integer_scaling(v, n_nodes=1000)
    assert sc.unit <= 1e-9  # differences of 1e-9 between ordinary scores still count
    c = sc.costs(v[:-1])
    assert np.array_equal(np.argsort(c, kind="stable"), np.argsort(v[:-1], kind="stable"))


@pytest.mark.parametrize("n_nodes, headroom", [(10**7, 1), (10**6, 10**4), (50, 10**12)])
def test_costs_leave_int64_room_for_the_flow_solver(n_nodes: int, headroom: int) -> None:
    v = np.random.default_rng(2).random(1000) * 5
    sc = integer_scaling(v, n_nodes=n_nodes, headroom=headroom)
    top = int(np.abs(sc.costs(v)).max()) - 0.5  # a cost may be rounded half a step up
    assert top * headroom * (n_nodes + 1) <= COST_ROOM * (1 + 1e-12)


def brute_force_match(S: np.ndarray, capacity: np.ndarray) -> tuple[int, float]:
    """per_mentee=1: the most mentees matched, then the best total, over every choice."""
    n, m = S.shape
    best = (-1, -np.inf)
    for pick in itertools.product(range(-1, m), repeat=n):
        js = [j for j in pick if j >= 0]
        if any(np.isnan(S[i, j]) for i, j in enumerate(pick) if j >= 0):
            continue
        if np.any(np.bincount(js, minlength=m) > capacity):
            continue
        total = float(sum(S[i, j] for i, j in enumerate(pick) if j >= 0))
        best = max(best, (len(js), total))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_match_on_grid_scores_is_exact_against_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = 6, 3
    S = rng.integers(0, 4, (n, m)) / 3.0  # thirds, with ties
    S[rng.random((n, m)) < 0.25] = np.nan
    capacity = rng.integers(1, 3, m)
    s = cm.Scores.from_matrix(S, mentee_ids=range(n), mentor_ids=range(m), capacity=capacity)
    a = cm.match(s, waitlist=True)
    assert a.info["rounding_bound"] == 0.0
    assert a.info["quantum"] == pytest.approx(1 / 3)
    assert (int(a.matched.sum()), a.total_score) == pytest.approx(brute_force_match(S, capacity))


def test_shortlist_on_grid_scores_has_only_float_slack() -> None:
    rng = np.random.default_rng(4)
    S = rng.integers(1, 6, (30, 8)).astype(float)  # 1-5 ratings
    s = cm.Scores.from_matrix(S, mentee_ids=range(30), mentor_ids=range(8), capacity=[5] * 8)
    p = Instance.build(s, ShortlistOptions(k=3))
    assert p.scaling.exact and p.scaling.slack(p.k.sum()) == 0.0
    assert p.rounding_slack() <= 1e-12  # only the float precision of summed scores
    assert np.array_equal(p.weights(), (p.ps - 1).astype(np.int64))
    sl = cm.shortlist(s, k=3, method="exact")
    assert sl.status == "optimal" and sl.bound == pytest.approx(sl.objective, abs=1e-9)


# ---------------------------------------------------------------------------- network
def test_potentials_are_shortest_distances_and_negative_cycles_raise() -> None:
    rng = np.random.default_rng(5)
    n = 30
    pairs = np.array(sorted({(int(a), int(b)) for a, b in rng.integers(0, n, (120, 2)) if a != b}))
    tails, heads = pairs[:, 0], pairs[:, 1]
    price = rng.integers(-50, 50, n)
    costs = rng.integers(0, 20, len(tails)) + price[tails] - price[heads]  # no negative cycle
    d = network.potentials(tails, heads, costs, n)
    g = sp.coo_matrix(
        (np.r_[costs, np.zeros(n)].astype(float) + 1e-300, (np.r_[tails, np.full(n, n)],
         np.r_[heads, np.arange(n)])), shape=(n + 1, n + 1),
    ).tocsr()  # fmt: skip
    oracle = bellman_ford(g, indices=n)[:n]
    np.testing.assert_allclose(d, np.minimum(oracle, 0.0), atol=1e-6)
    cyc_t, cyc_h = np.array([0, 1, 2]), np.array([1, 2, 0])
    with pytest.raises(RuntimeError, match="negative cycle"):
        network.potentials(cyc_t, cyc_h, np.array([1, 1, -3]), 3)


def test_residual_arcs_forward_below_capacity_backward_with_flow() -> None:
    t, h, c = network.residual_arcs(
        np.array([0, 1, 2]), np.array([1, 2, 3]), np.array([2, 1, 1]), np.array([5, -2, 7]),
        np.array([1, 1, 0]),
    )  # fmt: skip
    got = sorted(zip(t.tolist(), h.tolist(), c.tolist(), strict=True))
    assert got == [(0, 1, 5), (1, 0, -5), (2, 1, 2), (2, 3, 7)]
