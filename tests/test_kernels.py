"""Scoring kernels: `Kernels.pairs` and `Kernels.block` agree bit for bit, whatever the path.

Paths that must not change a single bit: a block or a list of pairs, with or without
components, per-key tables or per-pair evaluation, any chunk size, one thread or two.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import reference_scores
from strategies import cohort_frames

import crossmatch as cm
from crossmatch import (
    CustomComponent,
    GoalsConfig,
    HardRule,
    ScoringConfig,
    SeniorityConfig,
    ValidationError,
)
from crossmatch.scoring import components
from crossmatch.scoring.components import Block, Kernels


def _language(mentees: pd.DataFrame, mentors: pd.DataFrame) -> np.ndarray:
    """A custom component that depends on both sides (row-wise, like a real one)."""
    a = mentees["seniority"].fillna(0).to_numpy(dtype=float)[:, None]
    b = mentors["seniority"].fillna(0).to_numpy(dtype=float)[None, :]
    return np.abs(np.sin(a * 1.7 + b * 0.3))


def _not_same_region(mentees: pd.DataFrame, mentors: pd.DataFrame) -> np.ndarray:
    return mentees["region"].to_numpy()[:, None] != mentors["region"].to_numpy()[None, :]


CONFIGS = {
    "default": ScoringConfig(),
    "seniority": ScoringConfig(
        seniority=SeniorityConfig(min_gap=0, max_gap=None, preferred_gap=1, reverse=True),
        seniority_weight=2.0,
    ),
    "seniority-not-enforced": ScoringConfig(seniority=SeniorityConfig(enforce=False)),
    "no-learning-no-rules": ScoringConfig(
        goals=GoalsConfig(primary_weight=0.8, learning_weight=0.0),
        same_organisation=False,
        require_shared_slot=False,
        in_person_same_region=False,
        require_compatible_mode=False,
    ),
    "learning": ScoringConfig(goals=GoalsConfig(learning_weight=0.9), goals_weight=3.0),
    "custom": ScoringConfig(
        custom=(CustomComponent("language", _language, weight=0.7),),
        rules=(HardRule("elsewhere", _not_same_region, "same region"),),
    ),
}


def _cohort(n: int = 70, m: int = 45, seed: int = 3) -> cm.Cohort:
    """A synthetic cohort with exclusions, unknown seniorities and capacity-0 mentors."""
    mentees, mentors = cm.synthetic_cohort(n, m, seed=seed, capacity=(0, 3))
    rng = np.random.default_rng(seed)
    mentees["exclude"] = [
        ";".join(mentors["id"].iloc[rng.choice(m, size=rng.integers(0, 3), replace=False)])
        for _ in range(n)
    ]
    mentors["exclude"] = [
        ";".join(mentees["id"].iloc[rng.choice(n, size=rng.integers(0, 2), replace=False)])
        for _ in range(m)
    ]
    mentees["seniority"] = mentees["seniority"].astype("Int64")
    mentees.loc[rng.random(n) < 0.1, "seniority"] = pd.NA
    return cm.Cohort.from_frames(mentees, mentors)


@pytest.fixture(scope="module")
def cohort() -> cm.Cohort:
    return _cohort()


def assert_same(a: Block, b: Block, *, components: bool = True) -> None:
    """Bit-for-bit equality of two blocks (of the same pairs)."""
    np.testing.assert_array_equal(a.total, b.total, err_msg="total")
    np.testing.assert_array_equal(a.flags, b.flags, err_msg="flags")
    assert a.flags.dtype == b.flags.dtype
    if components:
        assert list(a.components) == list(b.components)
        for name in a.components:
            np.testing.assert_array_equal(a.components[name], b.components[name], err_msg=name)


def _at(block: Block, i: np.ndarray, j: np.ndarray, start: int = 0) -> Block:
    """A block's values at pairs (i, j), as a pairs-shaped Block."""
    return Block(
        rows=i,
        cols=j,
        total=block.total[i - start, j],
        flags=block.flags[i - start, j],
        components={k: v[i - start, j] for k, v in block.components.items()},
    )


# ---------------------------------------------------------------------------- pairs = block
@pytest.mark.parametrize("name", list(CONFIGS))
def test_pairs_equal_block(cohort, name):
    kernels = Kernels(cohort, CONFIGS[name])
    full = kernels.block(slice(None))
    assert full.total.shape == full.flags.shape == cohort.shape
    rng = np.random.default_rng(0)
    i = rng.integers(0, cohort.n_mentees, 500)
    j = rng.integers(0, cohort.n_mentors, 500)
    # every excluded pair too, so that the sparse lookup is exercised
    i = np.concatenate([i, cohort.excluded_pairs[:, 0]])
    j = np.concatenate([j, cohort.excluded_pairs[:, 1]])
    got = kernels.pairs(i, j)
    assert got.rows is not None and got.cols is not None
    np.testing.assert_array_equal(got.rows, i)
    np.testing.assert_array_equal(got.cols, j)
    assert_same(got, _at(full, i, j))
    assert (got.flags[500:] & (1 << 1)).all(), "excluded pairs carry the `excluded` bit"


def test_every_rule_fires_in_the_test_cohort(cohort):
    """Guard for the tests above: each built-in and custom bit occurs at least once."""
    kernels = Kernels(cohort, CONFIGS["custom"])
    flags = kernels.block(slice(None)).flags
    for bit, reason in enumerate(kernels.reason_names):
        assert ((flags >> bit) & 1).any(), reason


@pytest.mark.parametrize("name", list(CONFIGS))
def test_without_components_same_total_and_flags(cohort, name):
    kernels = Kernels(cohort, CONFIGS[name])
    for rows in (slice(0, 1), slice(5, 31), slice(None)):
        fast = kernels.block(rows, components=False)
        assert fast.components == {}
        assert_same(fast, kernels.block(rows), components=False)
    i = np.arange(cohort.n_mentees).repeat(3)
    j = np.arange(len(i)) % cohort.n_mentors
    fast = kernels.pairs(i, j, components=False)
    assert fast.components == {}
    assert_same(fast, kernels.pairs(i, j), components=False)


def test_block_rows_offset(cohort):
    kernels = Kernels(cohort, CONFIGS["custom"])
    full = kernels.block(slice(None))
    part = kernels.block(slice(17, 40))
    assert part.rows == slice(17, 40) and part.cols is None
    rows = slice(17, 40)
    want = Block(
        rows=rows,
        total=full.total[rows],
        flags=full.flags[rows],
        components={k: v[rows] for k, v in full.components.items()},
    )
    assert_same(part, want)


# ---------------------------------------------------------------------------- paths
@pytest.mark.parametrize("name", ["default", "seniority", "custom"])
def test_tables_chunks_and_direct_evaluation_agree(cohort, name, monkeypatch):
    config = CONFIGS[name]
    want = Kernels(cohort, config).block(slice(None))
    rng = np.random.default_rng(1)
    i = rng.integers(0, cohort.n_mentees, 300)
    j = rng.integers(0, cohort.n_mentors, 300)
    monkeypatch.setattr(components, "TABLE_BYTES", 0)  # every kernel per pair
    monkeypatch.setattr(components, "CHUNK_PAIRS", 97)  # many chunks, ragged last one
    monkeypatch.setattr(components, "CUSTOM_PAIRS", 100)  # custom functions in groups
    kernels = Kernels(cohort, config)
    assert kernels._sector.table is None
    assert_same(kernels.block(slice(None)), want)
    assert_same(kernels.pairs(i, j), _at(want, i, j))


def test_threads_give_the_same_blocks(cohort):
    kernels = Kernels(cohort, CONFIGS["default"])
    rows = [slice(a, a + 7) for a in range(0, cohort.n_mentees, 7)]
    with ThreadPoolExecutor(2) as pool:
        threaded = list(pool.map(lambda r: kernels.block(r, components=False), rows))
    for r, block in zip(rows, threaded, strict=True):
        assert_same(block, kernels.block(r, components=False), components=False)


def test_many_goals_use_several_words():
    """More than 64 goals: bit sets of several uint64 words, checked against the oracle."""
    n, m = 9, 7
    mentees, mentors = cm.synthetic_cohort(n, m, seed=5)
    vocab = [f"goal {k:02d}" for k in range(70)]
    rng = np.random.default_rng(5)
    mentees["goals"] = [";".join(rng.choice(vocab, size=4, replace=False)) for _ in range(n)]
    mentors["expertise"] = [";".join(rng.choice(vocab, size=30, replace=False)) for _ in range(m)]
    mentees.loc[0, "goals"] = "goal 69;goal 01;goal 65"  # primary in the second word
    mentors.loc[0, "expertise"] = "goal 69;goal 65"
    cohort = cm.Cohort.from_frames(mentees, mentors)
    assert cohort.mentee_goal_bits.shape[1] == 2
    kernels = Kernels(cohort, ScoringConfig())
    block = kernels.block(slice(None))
    _, comps, _, _ = reference_scores(cohort.mentees, cohort.mentors, taxonomy=cohort.taxonomy)
    np.testing.assert_allclose(block.components["goals"], comps["goals"], atol=1e-6)
    assert block.components["goals"][0, 0] > 0.5
    i, j = np.meshgrid(np.arange(n), np.arange(m), indexing="ij")
    assert_same(kernels.pairs(i.ravel(), j.ravel()), _at(block, i.ravel(), j.ravel()))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohort_frames(), st.randoms(use_true_random=False), st.sampled_from(list(CONFIGS)))
def test_pairs_in_any_order_equal_block(frames, rnd, name):
    cohort = cm.Cohort.from_frames(*frames)
    kernels = Kernels(cohort, CONFIGS[name])
    full = kernels.block(slice(None))
    pairs = [(a, b) for a in range(cohort.n_mentees) for b in range(cohort.n_mentors)]
    rnd.shuffle(pairs)
    pairs += pairs[: rnd.randint(0, len(pairs))]  # repeats
    i, j = (np.asarray(v, dtype=np.int64) for v in zip(*pairs, strict=True))
    assert_same(kernels.pairs(i, j), _at(full, i, j))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohort_frames(), st.randoms(use_true_random=False), st.sampled_from(list(CONFIGS)))
def test_rows_in_any_order_equal_block(frames, rnd, name):
    """``rows`` (any order, repeats, excluded pairs) gives the block's values row for row."""
    cohort = cm.Cohort.from_frames(*frames)
    kernels = Kernels(cohort, CONFIGS[name])
    full = kernels.block(slice(None))
    rows = [rnd.randrange(cohort.n_mentees) for _ in range(rnd.randint(0, 2 * cohort.n_mentees))]
    rows += list(cohort.excluded_pairs[:, 0])
    idx = np.asarray(rows, dtype=np.int64)
    for with_components in (True, False):
        got = kernels.rows(idx, components=with_components)
        np.testing.assert_array_equal(got.total, full.total[idx])
        np.testing.assert_array_equal(got.flags, full.flags[idx])
        for k, v in got.components.items():
            np.testing.assert_array_equal(v, full.components[k][idx], err_msg=k)
        assert set(got.components) == (set(full.components) if with_components else set())


def test_rows_checks_its_argument(cohort):
    kernels = Kernels(cohort, CONFIGS["default"])
    with pytest.raises(IndexError, match="mentee rows"):
        kernels.rows(np.array([cohort.n_mentees]))
    with pytest.raises(IndexError, match="mentee rows"):
        kernels.rows(np.array([[0]]))


# ---------------------------------------------------------------------------- arguments
def test_pairs_empty(cohort):
    got = Kernels(cohort, CONFIGS["custom"]).pairs(np.array([], dtype=int), [])
    assert got.total.shape == got.flags.shape == (0,)
    assert all(v.shape == (0,) for v in got.components.values())


@pytest.mark.parametrize(
    ("i", "j", "match"),
    [
        ([0, 1], [0], "same length"),
        ([[0]], [0], "1-D integer array"),
        ([0.5], [0], "1-D integer array"),
        ([0], [-1], r"indices in \[0, 45\)"),
        ([70], [0], r"indices in \[0, 70\)"),
    ],
)
def test_pairs_checks_its_arguments(cohort, i, j, match):
    with pytest.raises(ValueError, match=match):
        Kernels(cohort, CONFIGS["default"]).pairs(np.asarray(i), np.asarray(j))


def test_block_needs_step_one(cohort):
    with pytest.raises(ValueError, match="step 1"):
        Kernels(cohort, CONFIGS["default"]).block(slice(0, 10, 2))


@pytest.mark.parametrize(
    ("config", "match"),
    [
        (
            ScoringConfig(custom=(CustomComponent("bad", lambda a, b: np.ones((2, 3))),)),
            "does not fit shape",
        ),
        (
            ScoringConfig(custom=(CustomComponent("big", lambda a, b: np.full(len(b), 2.0)),)),
            "outside",
        ),
        (ScoringConfig(rules=(HardRule("num", lambda a, b: np.ones(len(b)), "x"),)), "booleans"),
    ],
)
def test_custom_errors_are_the_same_for_pairs(cohort, config, match):
    kernels = Kernels(cohort, config)
    with pytest.raises(ValidationError, match=match):
        kernels.block(slice(0, 5))
    with pytest.raises(ValidationError, match=match):
        kernels.pairs(np.array([3, 1]), np.array([0, 2]))
