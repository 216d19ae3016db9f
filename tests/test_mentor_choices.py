"""Mentors' own say: `assign(shortlists, choices, mentor_choices)`.

Oracles: brute force over every assignment of tiny cohorts (rank-maximal: served count,
then the mentees' rank signature, then the mentors', then the score) and over every
matching (stable: ours is stable under the mentors' orders and mentee-optimal).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crossmatch as cm
from crossmatch.check import check_assignment
from crossmatch.errors import ValidationError


def cohort(seed: int, n: int = 6, m: int = 3, k: int = 3) -> cm.Shortlists:
    rng = np.random.default_rng(seed)
    matrix = np.round(rng.random((n, m)), 2)
    capacity = rng.integers(1, 4, size=m)
    capacity[0] += max(0, n - int(capacity.sum()))  # room for everyone
    s = cm.Scores.from_matrix(
        matrix,
        capacity=capacity,
        mentee_ids=[f"e{i}" for i in range(n)],
        mentor_ids=[f"m{j}" for j in range(m)],
    )
    return cm.shortlist(s, k=min(k, m), exposure=n)


def answers(sl: cm.Shortlists, seed: int, p_decline: float = 0.25) -> pd.DataFrame:
    """Random mentor answers: some declines, some ranked (preferences with gaps)."""
    rng = np.random.default_rng(seed)
    rows = []
    by_mentor: dict[int, list[int]] = {}
    for i, r in zip(*np.nonzero(sl.mentors >= 0), strict=True):
        by_mentor.setdefault(int(sl.mentors[i, r]), []).append(int(i))
    for j, mentees in by_mentor.items():
        mentees = list(rng.permutation(mentees))
        pref = 1
        for i in mentees:
            u = rng.random()
            if u < p_decline:
                rows.append((sl.mentor_ids[j], sl.mentee_ids[i], np.nan, False))
            elif u < p_decline + 0.4:
                rows.append((sl.mentor_ids[j], sl.mentee_ids[i], float(pref), True))
                pref += int(rng.integers(1, 3))  # gaps are renumbered
    return pd.DataFrame(rows, columns=["mentor_id", "mentee_id", "preference", "accept"])


def read(sl: cm.Shortlists, mc: pd.DataFrame) -> tuple[list[list[int]], set, dict]:
    """Independent reading: each mentee's options (shortlist order, declines out), the
    declined pairs, and each mentor's 0-based ranks of the mentees they ranked."""
    ee = {v: i for i, v in enumerate(sl.mentee_ids.tolist())}
    mr = {v: j for j, v in enumerate(sl.mentor_ids.tolist())}
    cols = zip(mc.mentor_id, mc.mentee_id, mc.accept, strict=True)
    declined = {(ee[a], mr[b]) for b, a, ok in cols if not ok}
    ranked: dict[int, list[tuple[float, int]]] = {}
    for b, a, p in zip(mc.mentor_id, mc.mentee_id, mc.preference, strict=True):
        if not np.isnan(p):
            ranked.setdefault(mr[b], []).append((p, ee[a]))
    mrank = {(i, j): r for j, v in ranked.items() for r, (_, i) in enumerate(sorted(v))}
    lists = [
        [int(j) for j in row if j >= 0 and (i, int(j)) not in declined]
        for i, row in enumerate(sl.mentors)
    ]
    return lists, declined, mrank


def brute_rank_maximal(sl, lists, mrank) -> tuple:
    s = sl.scores
    cap = s.capacity
    R = max((len(o) for o in lists), default=0)
    best = None
    for choice in itertools.product(*([*o, -1] for o in lists)):
        load = np.bincount([j for j in choice if j >= 0], minlength=len(cap))
        if np.any(load > cap):
            continue
        sig = [0] * R
        msig = [0] * (max(mrank.values(), default=-1) + 1)
        total = 0.0
        for i, j in enumerate(choice):
            if j < 0:
                continue
            sig[lists[i].index(j)] += 1
            if (i, j) in mrank:
                msig[mrank[(i, j)]] += 1
            total += float(s.total[i, j])
        key = (sum(j >= 0 for j in choice), tuple(sig), tuple(msig), round(total, 9))
        best = key if best is None or key > best else best
    return best


def key_of(sl, lists, mrank, mentor) -> tuple:
    R = max((len(o) for o in lists), default=0)
    sig = [0] * R
    msig = [0] * (max(mrank.values(), default=-1) + 1)
    total = 0.0
    for i, j in enumerate(mentor.tolist()):
        if j >= 0:
            sig[lists[i].index(j)] += 1
            if (i, j) in mrank:
                msig[mrank[(i, j)]] += 1
            total += float(sl.scores.total[i, j])
    return (int((mentor >= 0).sum()), tuple(sig), tuple(msig), round(total, 9))


def mentor_key(sl, mrank, i, j):
    r = mrank.get((i, j))
    return (0, r, i) if r is not None else (1, -float(sl.scores.total[i, j]), i)


def stable(sl, lists, mrank, match) -> bool:
    cap = sl.scores.capacity
    held: dict[int, list[int]] = {}
    for i, j in enumerate(match):
        if j >= 0:
            if j not in lists[i]:
                return False
            held.setdefault(j, []).append(i)
    if any(len(v) > cap[j] for j, v in held.items()):
        return False
    for i, opts in enumerate(lists):
        upto = opts.index(match[i]) if match[i] >= 0 else len(opts)
        for j in opts[:upto]:
            h = held.get(j, [])
            if len(h) < cap[j] or any(
                mentor_key(sl, mrank, a, j) > mentor_key(sl, mrank, i, j) for a in h
            ):
                return False
    return True


@pytest.mark.parametrize("seed", range(15))
def test_rank_maximal_against_brute_force(seed: int) -> None:
    sl = cohort(seed)
    mc = answers(sl, seed)
    lists, declined, mrank = read(sl, mc)
    a = cm.assign(sl, None, mc)
    assert key_of(sl, lists, mrank, a.mentor) == brute_rank_maximal(sl, lists, mrank)
    assert not any((i, j) in declined for i, j in enumerate(a.mentor.tolist()))
    # preference counts the options left after declines
    for i, j in enumerate(a.mentor.tolist()):
        if j >= 0:
            assert a.preference[i] == lists[i].index(j) + 1


@pytest.mark.parametrize("seed", range(15))
def test_stable_against_brute_force(seed: int) -> None:
    sl = cohort(seed)
    mc = answers(sl, seed)
    lists, _, mrank = read(sl, mc)
    a = cm.assign(sl, None, mc, method="stable")
    match = a.mentor.tolist()
    assert stable(sl, lists, mrank, match)
    everyone = [
        list(c)
        for c in itertools.product(*([*o, -1] for o in lists))
        if stable(sl, lists, mrank, list(c))
    ]
    for other in everyone:  # mentee-proposing: the best stable matching for every mentee
        for i, j in enumerate(other):
            mine = lists[i].index(match[i]) if match[i] >= 0 else len(lists[i])
            theirs = lists[i].index(j) if j >= 0 else len(lists[i])
            assert mine <= theirs


def test_mentor_ranks_break_ties_and_decline_reason() -> None:
    s = cm.Scores.from_matrix(
        np.array([[0.5, 0.4], [0.5, 0.4]]),
        capacity=[1, 1],
        mentee_ids=["a", "b"],
        mentor_ids=["X", "Y"],
    )
    sl = cm.shortlist(s, k=2)
    choices = pd.DataFrame({"mentee_id": ["a", "b"], "mentor_id": ["X", "X"], "preference": [1, 1]})
    # both want X: by score a tie; X ranks b first -> b gets X
    mc = pd.DataFrame({"mentor_id": ["X"], "mentee_id": ["b"], "preference": [1]})
    for method in ("rank-maximal", "stable"):
        a = cm.assign(sl, choices, mc, method=method)
        assert a.mentor.tolist() == [1, 0], method
    # X declines a: a's list is [Y] (renumbered: Y is a's first remaining option)
    mc = pd.DataFrame({"mentor_id": ["X"], "mentee_id": ["a"], "accept": [False]})
    a = cm.assign(sl, choices, mc)
    assert a.mentor.tolist() == [1, 0] and a.preference.tolist() == [1, 1]
    # everyone declines a: a waits with the reason, b is still served
    mc = pd.DataFrame({"mentor_id": ["X", "Y"], "mentee_id": ["a", "a"], "accept": [False] * 2})
    for method in ("rank-maximal", "stable"):
        a = cm.assign(sl, choices, mc, method=method)
        assert a.mentor.tolist() == [-1, 0]
        assert a.reason[0] == "declined by every mentor on the shortlist ('X', 'Y')"
        assert a.info["declined"] == 2


def test_validation_lists_every_problem() -> None:
    sl = cohort(0, n=4, m=2, k=1)
    j0 = sl.mentor_ids[sl.mentors[0, 0]]
    other = sl.mentor_ids[1 - sl.mentors[0, 0]]
    mc = pd.DataFrame(
        {
            "mentor_id": ["nobody", j0, other, j0, j0, j0],
            "mentee_id": ["e0", "zz", "e0", "e0", "e0", "e0"],
            "preference": [1, 1, 1, 0.5, np.nan, 2],
            "accept": [True, True, True, True, "yes", False],
        }
    )
    with pytest.raises(ValidationError) as err:
        cm.assign(sl, None, mc)
    text = str(err.value)
    for part in (
        "unknown mentor id",
        "unknown mentee id",
        "shortlist does not show this mentor",
        "whole number",
        "accept must be True or False",
        "cannot also be ranked",
    ):
        assert part in text, part
    with pytest.raises(ValidationError, match="neither 'preference' nor 'accept'"):
        cm.assign(sl, None, pd.DataFrame({"mentor_id": [j0], "mentee_id": ["e0"]}))
    dup = pd.DataFrame({"mentor_id": [j0, j0], "mentee_id": ["e0", "e0"], "accept": [True] * 2})
    with pytest.raises(ValidationError, match="duplicate answer"):
        cm.assign(sl, None, dup)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), p=st.floats(0, 0.9), stable_method=st.booleans())
def test_no_decline_is_ever_assigned(seed: int, p: float, stable_method: bool) -> None:
    sl = cohort(seed, n=7, m=3)
    mc = answers(sl, seed, p_decline=p)
    _, declined, _ = read(sl, mc)
    a = cm.assign(sl, None, mc, method="stable" if stable_method else "rank-maximal")
    assert not any((i, j) in declined for i, j in enumerate(a.mentor.tolist()))
    assert np.all(a.load() <= sl.scores.capacity)
    assert all((r is None) == m for r, m in zip(a.reason, a.matched, strict=True))
    assert check_assignment(a) == []
