"""The one interface of every score source (`crossmatch.scoring.interface.ScoreSource`):
dense scores and candidate pairs answer its questions alike, checked against each other
and against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import crossmatch as cm
from crossmatch.scoring.interface import SCORE_SOURCE, is_score_source


def _dense(seed: int = 0, n: int = 6, m: int = 4) -> cm.Scores:
    rng = np.random.default_rng(seed)
    mat = rng.normal(size=(n, m)).round(2)
    mat[rng.random((n, m)) < 0.3] = np.nan
    return cm.Scores.from_matrix(
        mat,
        mentee_ids=[f"e{i}" for i in range(n)],
        mentor_ids=[f"m{j}" for j in range(m)],
        capacity=rng.integers(1, 3, m).tolist(),
    )


def _both(s: cm.Scores) -> list:
    # keeping every pair: the candidates hold what the dense scores hold
    return [s, cm.CandidateScores.from_scores(s, per_mentee=s.n_mentors, per_mentor=s.n_mentees)]


# ---------------------------------------------------------------------------- reason_text
@pytest.mark.parametrize("flag", [0, 1, 2, 3, np.uint8(3), np.uint64(1)])
def test_reason_text_takes_one_flag_value(flag: int) -> None:
    s = _dense().with_exclusions(np.zeros((6, 4), bool), reason="other rule")
    names = [n for b, n in enumerate(s.reason_names) if (int(flag) >> b) & 1]
    want = "; ".join(names) if names else None
    for src in _both(s):
        got = src.reason_text(flag)
        assert got.shape == ()
        assert got.item() == want


def test_reason_text_keeps_the_shape_of_an_array() -> None:
    s = _dense()
    flags = np.asarray(s.reason_flags)
    got = s.reason_text(flags)
    assert got.shape == flags.shape
    assert all((got[i, j] is None) == (flags[i, j] == 0) for i, j in np.ndindex(flags.shape))
    assert s.reason_text(flags[:0]).shape == (0, 4)


# ---------------------------------------------------------------------------- the interface
def test_is_score_source_is_the_one_type_check() -> None:
    s = _dense()
    assert all(is_score_source(x) for x in _both(s))
    assert not is_score_source(np.zeros((2, 2)))
    assert not is_score_source(cm.match(s, waitlist=True))
    assert all(SCORE_SOURCE.accepts(x) for x in _both(s))
    assert not SCORE_SOURCE.accepts(np.zeros((2, 2)))
    with pytest.raises(cm.ParameterError, match="a Scores or CandidateScores object"):
        cm.match(np.zeros((2, 2)))  # type: ignore[arg-type]


def test_both_kinds_answer_alike_when_the_candidates_hold_every_pair() -> None:
    s = _dense(3, 7, 5)
    d, c = _both(s)
    assert (d.pruned, c.pruned) == (False, True)
    assert d.cuts is None and c.cuts is not None
    rows = np.array([0, 2, 5])
    for a, b in zip(d.pairs_of(rows), c.pairs_of(rows), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(d.eligible_counts(), c.eligible_counts())
    assert d.source_rows is None and c.source_rows is None
    assert d.excluded_keys.size == 0 == c.excluded_keys.size
    assert d.reason_flags_of(rows).shape == (3, 5) and c.reason_flags_of(rows) is None
    i, j = np.argwhere(~np.asarray(s.eligible))[0]
    assert d.pair_reason(i, j) == "; ".join(s.reasons(s.mentee_ids[i], s.mentor_ids[j]))
    assert c.pair_reason(i, j) == "not a candidate pair"
    # dense scores hold every eligible pair: nothing to add
    assert d.with_pairs(np.array([0]), np.array([0]), np.array([1.0])) is d


def test_without_pairs_makes_the_same_pairs_ineligible_in_both_kinds() -> None:
    s = _dense(4, 6, 4)
    ii, jj, _ = s.pairs_of(np.arange(s.n_mentees))
    r, c = ii[::2], jj[::2]
    for src in _both(s):
        out = src.without_pairs(r, c, reason="paired before")
        assert "paired before" in out.reason_names
        assert not np.asarray(out.eligible[r, c]).any()
        kept = np.ones(len(ii), bool)
        kept[::2] = False
        assert np.asarray(out.eligible[ii[kept], jj[kept]]).all()
        assert out.eligible_counts().sum() == s.eligible_counts().sum() - len(r)


@settings(max_examples=30, deadline=None)
@given(
    mat=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 6), st.integers(1, 5)),
        elements=st.one_of(st.just(np.nan), st.floats(-2, 2, width=32)),
    ),
    data=st.data(),
)
def test_dense_price_sums_match_brute_force_and_the_candidates(mat: np.ndarray, data) -> None:
    n, m = mat.shape
    s = cm.Scores.from_matrix(
        mat, mentee_ids=list(range(n)), mentor_ids=list(range(m)), capacity=[1] * m
    )
    prices = np.array(data.draw(st.lists(st.floats(-1, 1), min_size=m, max_size=m)))
    k = np.array(data.draw(st.lists(st.integers(0, m), min_size=n, max_size=n)))
    rows = np.array(sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1))))
    sums, r, c, v = s.price(prices, k, np.full(n, np.inf), rows=rows)
    assert len(r) == len(c) == len(v) == 0  # every eligible pair is already there
    for i in range(n):
        if i not in rows:
            assert np.isnan(sums[i])
            continue
        red = sorted(
            (s.total[i, j] - prices[j] for j in range(m) if s.eligible[i, j]), reverse=True
        )
        assert sums[i] == pytest.approx(sum(red[: k[i]]), abs=1e-9)
    cand = cm.CandidateScores.from_scores(s, per_mentee=1, per_mentor=1)
    # the candidates' sums need every pair above the k-th best candidate to come back
    csums, *_ = cand.price(prices, k, np.full(n, -np.inf), rows=rows, limit=m)
    np.testing.assert_allclose(csums[rows], sums[rows], atol=1e-6)
