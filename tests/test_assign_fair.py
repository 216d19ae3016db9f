"""`assign(per_mentee=m)` and `assign(objective="maxmin")`.

Oracles: brute force over every assignment of tiny cohorts (coverage, floor, the pair
signature, the mentors' rank counts, the score), SciPy's HiGHS MILP solved
lexicographically on larger ones, coverage against SciPy's maximum bipartite matching
(a max flow independent of OR-Tools), and pairwise stability checked pair by pair.
Cohorts are tight: popular mentors, capacities near or below the number of mentees,
oversubscribed ones waitlisted, mentors declining.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crossmatch as cm
from crossmatch.errors import ParameterError


def tight(seed: int, n: int = 6, m: int = 3, k: int = 3, over: bool = False) -> cm.Shortlists:
    """Shortlists of a cohort with popular mentors; room for everyone unless ``over``."""
    rng = np.random.default_rng(seed)
    popular = rng.random(m) ** 2
    matrix = np.round(0.5 * rng.random((n, m)) + 0.5 * popular[None, :], 2)
    capacity = rng.integers(1, 3, size=m)
    if not over:
        capacity[0] += max(0, n - int(capacity.sum()))
    s = cm.Scores.from_matrix(
        matrix,
        capacity=capacity,
        mentee_ids=[f"e{i}" for i in range(n)],
        mentor_ids=[f"m{j}" for j in range(m)],
    )
    return cm.shortlist(s, k=min(k, m), exposure=n, waitlist=over)


def declines(sl: cm.Shortlists, seed: int, share: float = 0.25) -> pd.DataFrame:
    """Random mentor answers: some declines, some ranked."""
    rng = np.random.default_rng(seed)
    rows, pref = [], {}
    for i, r in zip(*np.nonzero(sl.mentors >= 0), strict=True):
        j = int(sl.mentors[i, r])
        u = rng.random()
        if u < share:
            rows.append((sl.mentor_ids[j], sl.mentee_ids[i], np.nan, False))
        elif u < share + 0.4:
            pref[j] = pref.get(j, 0) + 1
            rows.append((sl.mentor_ids[j], sl.mentee_ids[i], float(pref[j]), True))
    return pd.DataFrame(rows, columns=["mentor_id", "mentee_id", "preference", "accept"])


def read(sl: cm.Shortlists, mc: pd.DataFrame | None) -> tuple[list[list[int]], set, dict]:
    """Independently: each mentee's options (shortlist order, declines out), the declined
    pairs and each mentor's 0-based ranks."""
    declined: set = set()
    mrank: dict = {}
    if mc is not None:
        ee = {v: i for i, v in enumerate(sl.mentee_ids.tolist())}
        mr = {v: j for j, v in enumerate(sl.mentor_ids.tolist())}
        answers = zip(mc.mentor_id, mc.mentee_id, mc.accept, strict=True)
        declined = {(ee[a], mr[b]) for b, a, ok in answers if not ok}
        ranked: dict = {}
        for b, a, p in zip(mc.mentor_id, mc.mentee_id, mc.preference, strict=True):
            if not np.isnan(p):
                ranked.setdefault(mr[b], []).append((p, ee[a]))
        mrank = {(i, j): r for j, v in ranked.items() for r, (_, i) in enumerate(sorted(v))}
    lists = [
        [int(j) for j in row if j >= 0 and (i, int(j)) not in declined]
        for i, row in enumerate(sl.mentors)
    ]
    return lists, declined, mrank


def key(sl, lists, mrank, sets, fair: bool) -> tuple:
    """The lexicographic objective of an assignment (``sets[i]``: mentee i's mentors)."""
    S = sl.scores.total
    K = max((len(x) for x in lists), default=0)
    sig = [0] * K
    msig = [0] * (max(mrank.values(), default=-1) + 1)
    values = []
    for i, js in enumerate(sets):
        for j in js:
            sig[lists[i].index(j)] += 1
            if (i, j) in mrank:
                msig[mrank[(i, j)]] += 1
        if js:
            values.append(float(sum(S[i, j] for j in js)))
    cover = len(values)
    floor = round(min(values), 9) if values else 0.0
    total = round(sum(values), 9)
    return (cover, floor if fair else 0.0, *sig, *msig, total)


def brute(sl, lists, mrank, per_mentee: int, fair: bool) -> tuple:
    """The best key over every assignment (each mentee: any subset of their list of at
    most ``per_mentee`` mentors; capacity held)."""
    cap = sl.scores.capacity
    menus = [
        [c for r in range(min(per_mentee, len(x)) + 1) for c in itertools.combinations(x, r)]
        for x in lists
    ]
    best = None
    for sets in itertools.product(*menus):
        load = np.bincount([j for js in sets for j in js], minlength=len(cap))
        if (load > cap).any():
            continue
        k = key(sl, lists, mrank, sets, fair)
        if best is None or k > best:
            best = k
    return best


def ours(a: cm.Assignment) -> list[list[int]]:
    return [[int(j) for j in row if j >= 0] for row in a.mentors]


def check_valid(sl, lists, declined, a: cm.Assignment, per_mentee: int) -> None:
    """The properties every answer has."""
    sets = ours(a)
    assert a.mentors.shape == (sl.scores.n_mentees, per_mentee)
    for i, js in enumerate(sets):
        assert len(js) <= per_mentee
        assert len(set(js)) == len(js)  # distinct mentors
        assert all(j in lists[i] for j in js)  # only the mentee's own options
        assert not any((i, j) in declined for j in js)  # no decline assigned
        assert [lists[i].index(j) for j in js] == sorted(lists[i].index(j) for j in js)
        if sl.waitlisted[i]:
            assert not js and a.reason[i] == sl.waitlist_reason[i]
        assert (a.reason[i] is None) == bool(js)
    assert (a.load() <= sl.scores.capacity).all()
    assert np.array_equal(a.mentor, a.mentors[:, 0])


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("per_mentee", [2, 3])
def test_rank_maximal_many_against_brute_force(seed: int, per_mentee: int) -> None:
    over = seed % 3 == 2
    sl = tight(seed, n=5, m=3, over=over)
    mc = declines(sl, seed) if seed % 2 else None
    lists, declined, mrank = read(sl, mc)
    a = cm.assign(sl, None, mc, per_mentee=per_mentee)
    check_valid(sl, lists, declined, a, per_mentee)
    got = key(sl, lists, mrank, ours(a), fair=False)
    want = brute(sl, lists, mrank, per_mentee, fair=False)
    assert got[:-1] == want[:-1]
    assert got[-1] == pytest.approx(want[-1], abs=1e-6)
    assert a.info["pair_signature"] == tuple(got[2 : 2 + len(a.info["pair_signature"])])


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("per_mentee", [1, 2])
def test_maxmin_against_brute_force(seed: int, per_mentee: int) -> None:
    sl = tight(seed, n=5, m=3, over=seed % 3 == 2)
    mc = declines(sl, seed) if seed % 2 else None
    lists, declined, mrank = read(sl, mc)
    a = cm.assign(sl, None, mc, per_mentee=per_mentee, objective="maxmin")
    check_valid(sl, lists, declined, a, per_mentee)
    got = key(sl, lists, mrank, ours(a), fair=True)
    want = brute(sl, lists, mrank, per_mentee, fair=True)
    assert got[:-1] == want[:-1]  # coverage, floor, signatures
    assert got[-1] == pytest.approx(want[-1], abs=1e-6)
    assert a.info["floor"] == pytest.approx(want[1], abs=1e-9)
    plain = cm.assign(sl, None, mc, per_mentee=per_mentee)
    assert a.info["total_without_floor"] == pytest.approx(plain.total_score)
    assert a.info["price_of_fairness"] == pytest.approx(plain.total_score - a.total_score)
    assert a.info["floor"] >= a.info["floor_without"] - 1e-12


def test_per_mentee_one_is_today() -> None:
    """per_mentee=1 gives the single-mentor answer, with the usual fields."""
    sl = tight(3, n=8, m=4)
    a, b = cm.assign(sl), cm.assign(sl, per_mentee=1)
    assert np.array_equal(a.mentors, b.mentors) and a.per_mentee == 1
    assert "pair_signature" not in b.info


# ------------------------------------------------------------------ MILP oracle
def milp_lexicographic(lists, S, cap, per_mentee):
    """Coverage, then the pair signature, then the score, by one HiGHS MILP per stage."""
    from scipy.optimize import LinearConstraint, milp

    opts = [(i, j, r) for i, x in enumerate(lists) for r, j in enumerate(x)]
    q, n = len(opts), len(lists)
    A = np.zeros((0, q + n))
    rows, lo, hi = [], [], []

    def add(row, a, b):
        rows.append(row)
        lo.append(a)
        hi.append(b)

    for i in range(n):
        mine = [t for t, o in enumerate(opts) if o[0] == i]
        row = np.zeros(q + n)
        row[mine] = 1
        add(row, 0, per_mentee)
        row2 = -row.copy()
        row2[q + i] = 1  # y_i <= sum x
        add(row2, -np.inf, 0)
    for j in range(len(cap)):
        row = np.zeros(q + n)
        row[[t for t, o in enumerate(opts) if o[1] == j]] = 1
        add(row, 0, cap[j])
    A = np.array(rows)
    integ = np.ones(q + n)
    objectives = [np.r_[np.zeros(q), np.ones(n)]]
    K = max((len(x) for x in lists), default=0)
    objectives += [np.r_[[1.0 * (o[2] == r) for o in opts], np.zeros(n)] for r in range(K)]
    objectives.append(np.r_[[S[i, j] for i, j, _ in opts], np.zeros(n)])
    found = []
    for c in objectives:
        res = milp(-c, constraints=LinearConstraint(A, lo, hi), integrality=integ,
                   bounds=(0, 1))  # fmt: skip
        assert res.status == 0
        found.append(float(c @ res.x))
        A = np.vstack([A, c])
        lo.append(found[-1] - 1e-6)
        hi.append(np.inf)
    return found


@pytest.mark.parametrize("seed", range(6))
def test_rank_maximal_many_against_milp(seed: int) -> None:
    sl = tight(seed, n=14, m=5, k=3, over=seed % 2 == 1)
    lists, _, _ = read(sl, None)
    a = cm.assign(sl, per_mentee=2)
    found = milp_lexicographic(lists, sl.scores.total, sl.scores.capacity, 2)
    sig = key(sl, lists, {}, ours(a), fair=False)
    assert a.info["coverage"] == round(found[0])
    assert sig[2:-1] == tuple(round(v) for v in found[1:-1])
    assert a.total_score == pytest.approx(found[-1], abs=1e-6)


def matching_size(lists: list[list[int]], capacity: np.ndarray) -> int:
    """Largest assignment within ``lists`` (SciPy's matching on capacity copies)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_bipartite_matching

    copies = [j for j in range(len(capacity)) for _ in range(int(capacity[j]))]
    g = np.array([[1 if j in x else 0 for j in copies] for x in lists]).reshape(len(lists), -1)
    if g.size == 0:
        return 0
    return int((maximum_bipartite_matching(csr_matrix(g), perm_type="column") >= 0).sum())


def test_coverage_against_bipartite_matching() -> None:
    """Coverage is the size of a maximum assignment (SciPy's matching on capacity copies)."""
    for seed in range(8):
        sl = tight(seed, n=12, m=4, over=True)
        mc = declines(sl, seed, share=0.4)
        lists, _, _ = read(sl, mc)
        want = matching_size(lists, sl.scores.capacity)
        for p in (1, 2, 3):
            a = cm.assign(sl, None, mc, per_mentee=p)
            assert int(a.matched.sum()) == want
            fair = cm.assign(sl, None, mc, per_mentee=p, objective="maxmin")
            assert int(fair.matched.sum()) == want


# ------------------------------------------------------------------ stable, many-to-many
def blocking_pairs(sl, lists, mrank, sets, per_mentee):
    S = sl.scores.total
    held = {j: [i for i, js in enumerate(sets) if j in js] for j in range(sl.scores.n_mentors)}

    def mentor_key(i, j):  # smaller = preferred
        r, name = mrank.get((i, j)), str(sl.mentee_ids[i])
        return (0, r, name) if r is not None else (1, -S[i, j], name)

    out = []
    for i, x in enumerate(lists):
        for j in x:
            if j in sets[i]:
                continue
            mentee_wants = len(sets[i]) < per_mentee or any(
                x.index(j) < x.index(h) for h in sets[i]
            )
            mentor_wants = len(held[j]) < sl.scores.capacity[j] or any(
                mentor_key(i, j) < mentor_key(h, j) for h in held[j]
            )
            if mentee_wants and mentor_wants:
                out.append((i, j))
    return out


@given(seed=st.integers(0, 10_000), per_mentee=st.integers(1, 3), over=st.booleans())
@settings(max_examples=40, deadline=None)
def test_stable_many_is_pairwise_stable(seed: int, per_mentee: int, over: bool) -> None:
    sl = tight(seed, n=7, m=4, over=over)
    mc = declines(sl, seed)
    lists, declined, mrank = read(sl, mc)
    a = cm.assign(sl, None, mc, method="stable", per_mentee=per_mentee)
    check_valid(sl, lists, declined, a, per_mentee)
    assert blocking_pairs(sl, lists, mrank, ours(a), per_mentee) == []


# ------------------------------------------------------------------ properties
@given(
    seed=st.integers(0, 10_000),
    per_mentee=st.integers(1, 3),
    over=st.booleans(),
    with_declines=st.booleans(),
    objective=st.sampled_from([None, "maxmin"]),
)
@settings(max_examples=40, deadline=None)
def test_properties(seed, per_mentee, over, with_declines, objective) -> None:
    sl = tight(seed, n=9, m=4, over=over)
    mc = declines(sl, seed) if with_declines else None
    lists, declined, _ = read(sl, mc)
    a = cm.assign(sl, None, mc, per_mentee=per_mentee, objective=objective)
    check_valid(sl, lists, declined, a, per_mentee)
    base = cm.assign(sl, None, mc, per_mentee=per_mentee)
    assert int(a.matched.sum()) == int(base.matched.sum())  # coverage first
    if objective == "maxmin" and a.matched.any():
        values = [sum(sl.scores.total[i, j] for j in js) for i, js in enumerate(ours(a)) if js]
        assert a.info["floor"] == pytest.approx(min(values))
        assert (
            a.info["floor"]
            >= min(sum(sl.scores.total[i, j] for j in js) for i, js in enumerate(ours(base)) if js)
            - 1e-12
        )


def test_frame_has_one_row_per_pair() -> None:
    sl = tight(1, n=6, m=3, over=True)
    a = cm.assign(sl, per_mentee=2)
    df = a.to_frame()
    assert len(df) == int(a.counts().sum()) + int((~a.matched).sum())
    assert set(df.columns) >= {"mentee_id", "mentor_id", "slot", "preference", "score"}


def test_parameters_checked_at_the_door() -> None:
    sl = tight(0)
    with pytest.raises(ParameterError, match="per_mentee"):
        cm.assign(sl, per_mentee=0)
    with pytest.raises(ParameterError, match="objective"):
        cm.assign(sl, objective="fair")
    with pytest.raises(ParameterError, match="method='rank-maximal'"):
        cm.assign(sl, method="stable", objective="maxmin")


def test_cli_passes_per_mentee(tmp_path) -> None:
    """``crossmatch assign --per-mentee M`` gives the library's answer."""
    from crossmatch.cli import main

    sl = tight(4, n=8, m=4, over=True)
    sl.to_json(tmp_path / "shortlists.json")
    assert main(["assign", str(tmp_path / "shortlists.json"), "--per-mentee", "2",
                 "--out", str(tmp_path / "out"), "--no-report"]) == 0  # fmt: skip
    got = cm.Assignment.from_json(tmp_path / "out" / "assignment.json")
    want = cm.assign(cm.Shortlists.from_json(tmp_path / "shortlists.json"), per_mentee=2)
    assert ours(got) == ours(want) and got.info["per_mentee"] == 2
    assert main(["assign", str(tmp_path / "shortlists.json"), "--per-mentee", "0",
                 "--out", str(tmp_path / "bad")]) == 2  # fmt: skip


def test_report_shows_the_price_of_fairness() -> None:
    sl = tight(2, n=8, m=4)
    a = cm.assign(sl, objective="maxmin")
    r = cm.report(a)
    assert r.figures["fairness"]["price_of_fairness"] == pytest.approx(a.info["price_of_fairness"])
    assert r.figures["fairness"]["floor"] == pytest.approx(a.info["floor"])
    assert "price of fairness" in str(r)
    assert "fairness" not in cm.report(cm.assign(sl)).figures


def test_rematch_shortlists_take_one_mentor_per_mentee() -> None:
    rng = np.random.default_rng(0)
    s = cm.Scores.from_matrix(rng.random((4, 3)), capacity=[2, 2, 2],
                              mentee_ids=list("abcd"), mentor_ids=list("xyz"))  # fmt: skip
    again = cm.rematch(cm.assign(cm.shortlist(s, k=2)), mentees=["a"], k=2)
    assert cm.assign(again).per_mentee == 1
    with pytest.raises(ParameterError, match="per_mentee=1"):
        cm.assign(again, per_mentee=2)
