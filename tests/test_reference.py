"""`crossmatch.score` against the independent per-pair oracle in ``tests/reference.py``.

Every comparison checks the total and every component within 1e-5, the eligibility mask
and the set of reasons of every pair.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crossmatch as cm
from crossmatch import (
    AvailabilityConfig,
    Cohort,
    CustomComponent,
    GoalsConfig,
    HardRule,
    ScoringConfig,
    SectorPreference,
    SeniorityConfig,
    Taxonomy,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import mentees_frame, mentors_frame
from reference import (
    BUILTIN_REASONS,
    goals_score,
    mode_score,
    reference_scores,
    sector_score,
    seniority_gap_score,
)

ATOL = 1e-5


# ---------------------------------------------------------------------------- helpers
def decode(scores: cm.Scores) -> list[list[set[str]]]:
    """Reason sets of every pair, from ``reason_flags`` and ``reason_names``."""
    flags = scores.reason_flags
    names = scores.reason_names
    return [
        [{n for b, n in enumerate(names) if (int(f) >> b) & 1} for f in row]
        for row in flags.tolist()
    ]


def assert_matches(
    cohort: Cohort, config: ScoringConfig | None = None, *, block_rows: int | None = None
) -> cm.Scores:
    config = ScoringConfig() if config is None else config
    got = cm.score(cohort, config, block_rows=block_rows)
    total, comps, eligible, reasons = reference_scores(
        cohort.mentees, cohort.mentors, config, taxonomy=cohort.taxonomy
    )
    assert list(got.components) == list(comps), "active components differ"
    for name, want in comps.items():
        have = np.asarray(got.components[name], dtype=np.float64)
        bad = np.abs(have - want) > ATOL
        if bad.any():
            i, j = np.argwhere(bad)[0]
            pytest.fail(
                f"component {name!r}: {int(bad.sum())} pair(s) differ, first "
                f"({cohort.mentee_ids[i]}, {cohort.mentor_ids[j]}): kernel {have[i, j]!r}, "
                f"reference {want[i, j]!r}"
            )
    np.testing.assert_allclose(got.total, total, atol=ATOL, rtol=0, err_msg="total")
    np.testing.assert_array_equal(got.eligible, eligible, err_msg="eligible")
    have_reasons = decode(got)
    for i in range(cohort.n_mentees):
        for j in range(cohort.n_mentors):
            assert have_reasons[i][j] == reasons[i][j], (
                f"reasons of ({cohort.mentee_ids[i]}, {cohort.mentor_ids[j]}): "
                f"kernel {have_reasons[i][j]}, reference {reasons[i][j]}"
            )
    # the public accessor agrees with the decoded flags (spot check a few pairs)
    for i, j in [(0, 0), (cohort.n_mentees - 1, cohort.n_mentors - 1)]:
        listed = got.reasons(cohort.mentee_ids[i], cohort.mentor_ids[j])
        assert set(listed) == reasons[i][j]
        assert len(listed) == len(set(listed))
    return got


# ---------------------------------------------------------------------------- the oracle itself
def test_reference_formulas_by_hand() -> None:
    assert sector_score(0.35, 0.35, 0.25) == 1.0
    assert math.isclose(sector_score(0.0, 0.35, 0.25), math.exp(-0.5 * 1.4**2))
    # one goal: all or nothing; learning adds a share of what is left
    assert goals_score(["a"], {"a"}, set(), "x", 0.5, 0.2) == 1.0
    assert goals_score(["a"], {"b"}, set(), "x", 0.5, 0.2) == 0.0
    assert math.isclose(goals_score(["a"], {"b"}, {"x"}, "x", 0.5, 0.2), 0.2)
    # primary 0.5 + one of three others (0.5 / 3 each)
    assert math.isclose(goals_score(["a", "b", "c", "d"], {"a", "c"}, set(), "x", 0.5, 0), 2 / 3)
    assert math.isclose(goals_score(["a", "b", "c"], {"b", "c"}, set(), "x", 0.5, 0), 0.5)
    # modes: face to face, remote only, conflict
    assert mode_score("either", "in-person", True, 0.7) == 1.0
    assert mode_score("either", "either", False, 0.7) == 0.7
    assert mode_score("remote", "either", True, 0.7) == 0.7
    assert mode_score("in-person", "remote", True, 0.7) == 0.0
    assert mode_score("in-person", "either", False, 0.7) == 0.0
    # seniority, default band [1, 3], preferred 2, span 1: 1/2 per grade
    cfg = SeniorityConfig()
    assert seniority_gap_score(3, 5, cfg) == (1.0, False)
    assert seniority_gap_score(3, 4, cfg) == (0.5, False)
    assert seniority_gap_score(3, 6, cfg) == (0.5, False)
    assert seniority_gap_score(3, 7, cfg) == (0.0, True)
    assert seniority_gap_score(3, 3, cfg) == (0.0, True)
    assert seniority_gap_score(None, 3, cfg) == (0.5, False)
    assert seniority_gap_score(5, 3, SeniorityConfig(reverse=True)) == (1.0, False)


def test_reference_tiny_pair_by_hand() -> None:
    """e1 (arms-length-body, monthly, either, london, 3) x r1 (local-government, ...)."""
    c = Cohort.from_frames(mentees_frame(), mentors_frame())
    total, comps, eligible, reasons = reference_scores(c.mentees, c.mentors, taxonomy=c.taxonomy)
    d = c.taxonomy.to_frame().loc["arms-length-body", "local-government"]
    sector = math.exp(-0.5 * ((d - 0.35) / 0.25) ** 2)  # the default peak and width
    assert comps["sector"][0, 0] == pytest.approx(sector)
    assert comps["goals"][0, 0] == pytest.approx(1.0)
    assert comps["availability"][0, 0] == pytest.approx(1.0)  # 2 slots, same cadence, f2f
    assert comps["seniority"][0, 0] == pytest.approx(1.0)  # gap 2
    # weighted mean: sector, goals, availability 1.0 each, seniority 0.5
    assert total[0, 0] == pytest.approx((sector + 1.0 + 1.0 + 0.5) / 3.5)
    assert eligible[0, 0] and not reasons[0][0]
    # e3 (in-person, london) x r3 (remote, scotland): modes conflict, different regions
    assert comps["availability"][2, 2] == pytest.approx(0.5 * 0.5 + 0.2 * 0.5 + 0.0)
    assert reasons[2][2] == {
        BUILTIN_REASONS["in_person_region"],
        BUILTIN_REASONS["mode_conflict"],
    }


# ---------------------------------------------------------------------------- tiny frames
def edge_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hand-made corner cases for every rule (valid input)."""
    mentees = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e", "f"],
            "organisation": [
                "Council X",
                "  council   x ",
                "Bank W",
                "Trust C",
                "Shop Z",
                "Agency A",
            ],
            "sector": [
                "local-government",
                "Public/Local-Government",
                "public",  # a top-level group used as a sector
                "charity",
                "retail",
                "arms-length-body",
            ],
            "availability": [
                "mon-am",
                "MON-AM;tue-pm",
                "wed-pm",
                "sat-eve;sun-am",
                "mon-am",
                "fri-eve",
            ],
            "cadence": ["weekly", "fortnightly", "monthly", "Weekly", "monthly", "fortnightly"],
            "mode": ["in-person", "either", "remote", "in-person", "either", "Either"],
            "region": ["London", "london ", "wales", "scotland", "north  east", "London"],
            "seniority": [3, None, 1, 5, 9, 4],
            "goals": [
                "Confidence",
                "confidence;influencing;resilience",
                "resilience;confidence",
                "strategic leadership;people management;confidence;influencing",
                "influencing;confidence",
                "building networks",
            ],
            "exclude": ["m2", "", None, "m5;m1", "", ""],
        }
    )
    mentors = pd.DataFrame(
        {
            "id": ["m1", "m2", "m3", "m4", "m5"],
            "organisation": ["COUNCIL X", "Bank W", "Foundation F", "Tech T", "Shop Z"],
            "sector": ["local-government", "financial-services", "charity", "technology", "public"],
            "availability": [
                "mon-am;tue-pm",
                "mon-am;wed-pm",
                "sat-eve",
                "sun-am;mon-am",
                "fri-eve",
            ],
            "cadence": ["weekly", "monthly", "fortnightly", "weekly", "monthly"],
            "mode": ["either", "remote", "in-person", "either", "in-person"],
            "region": ["london", "wales", "Scotland", "north east", "london"],
            "seniority": [5, 4, None, 8, 6],
            "expertise": [
                "confidence;influencing",
                "resilience",
                "strategic leadership;influencing",
                "people management;confidence",
                "building networks",
            ],
            "capacity": [1, 2, 0, 3, 1],
            "learning": [
                "public",
                "",
                "charity;private",
                "not-for-profit",
                "public/local-government",
            ],
            "exclude": ["", "c", "", "", "f"],
        }
    )
    return mentees, mentors


def many_goal_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A goal vocabulary of 80 labels: goal bit sets span two 64-bit words."""
    goals = [f"goal {k:02d}" for k in range(80)]
    rng = np.random.default_rng(5)
    n, m = 12, 9
    mentees = pd.DataFrame(
        {
            "id": [f"e{k}" for k in range(n)],
            "organisation": [f"Org {k % 4}" for k in range(n)],
            "sector": ["education", "charity", "technology"] * (n // 3),
            "availability": ["mon-am;tue-am;wed-pm"] * n,
            "cadence": ["monthly"] * n,
            "mode": ["either"] * n,
            "region": ["london"] * n,
            "goals": [
                ";".join(rng.choice(goals, size=int(rng.integers(1, 6)), replace=False))
                for _ in range(n)
            ],
        }
    )
    mentors = pd.DataFrame(
        {
            "id": [f"r{k}" for k in range(m)],
            "organisation": [f"Org {k % 5}" for k in range(m)],
            "sector": ["retail", "education", "energy"] * (m // 3),
            "availability": ["mon-am;wed-pm"] * m,
            "cadence": ["weekly"] * m,
            "mode": ["either"] * m,
            "region": ["london"] * m,
            "expertise": [
                ";".join(rng.choice(goals, size=int(rng.integers(10, 60)), replace=False))
                for _ in range(m)
            ],
            "capacity": [2] * m,
        }
    )
    return mentees, mentors


def _custom_config(**kw: object) -> ScoringConfig:
    """Two custom components (one broadcast) and three custom rules (9 flag bits)."""

    def region_match(ee: pd.DataFrame, mr: pd.DataFrame) -> np.ndarray:
        a = ee["region"].str.lower().str.strip().to_numpy()[:, None]
        b = mr["region"].str.lower().str.strip().to_numpy()[None, :]
        return np.where(a == b, 0.9, 0.1)

    def roomy(ee: pd.DataFrame, mr: pd.DataFrame) -> np.ndarray:
        return (np.minimum(mr["capacity"].to_numpy(), 4) / 4.0)[None, :]

    def different_team(ee: pd.DataFrame, mr: pd.DataFrame) -> np.ndarray:
        return ee["team"].to_numpy()[:, None] != mr["team"].to_numpy()[None, :]

    def mentee_ok(ee: pd.DataFrame, mr: pd.DataFrame) -> np.ndarray:
        return (ee["team"].to_numpy() != "z")[:, None]

    def always(ee: pd.DataFrame, mr: pd.DataFrame) -> np.ndarray:
        return np.ones((1, len(mr)), dtype=bool)

    return ScoringConfig(
        custom=(
            CustomComponent("region_match", region_match, weight=0.7),
            CustomComponent("roomy", roomy, weight=0.3),
        ),
        rules=(
            HardRule("different_team", different_team, "same team"),
            HardRule("mentee_ok", mentee_ok, "mentee on hold"),
            HardRule("always", always, "never shown"),
        ),
        **kw,  # type: ignore[arg-type]
    )


def _with_teams(mentees: pd.DataFrame, mentors: pd.DataFrame, seed: int = 0) -> Cohort:
    rng = np.random.default_rng(seed)
    mentees = mentees.assign(team=rng.choice(["x", "y", "z"], size=len(mentees)))
    mentors = mentors.assign(team=rng.choice(["x", "y"], size=len(mentors)))
    return Cohort.from_frames(mentees, mentors)


CONFIGS: dict[str, ScoringConfig] = {
    "default": ScoringConfig(),
    "peak0-wide": ScoringConfig(sector=SectorPreference(peak=0.0, width=0.5)),
    "peak1-narrow": ScoringConfig(sector=SectorPreference(peak=1.0, width=0.1)),
    "peak0.65": ScoringConfig(sector=SectorPreference(peak=0.65, width=0.2)),
    "primary0.8-nolearning": ScoringConfig(
        goals=GoalsConfig(primary_weight=0.8, learning_weight=0.0)
    ),
    "primary0-learning1": ScoringConfig(goals=GoalsConfig(primary_weight=0.0, learning_weight=1.0)),
    "primary1": ScoringConfig(goals=GoalsConfig(primary_weight=1.0, learning_weight=0.35)),
    "reverse": ScoringConfig(seniority=SeniorityConfig(reverse=True)),
    "reverse-band": ScoringConfig(
        seniority=SeniorityConfig(reverse=True, min_gap=-4, max_gap=0, preferred_gap=-1)
    ),
    "asymmetric-band": ScoringConfig(
        seniority=SeniorityConfig(min_gap=0, max_gap=6, preferred_gap=1, unknown_score=0.1)
    ),
    "not-enforced": ScoringConfig(seniority=SeniorityConfig(enforce=False, unknown_score=0.9)),
    "no-shared-slot-ok": ScoringConfig(require_shared_slot=False),
    "same-org-ok": ScoringConfig(same_organisation=False),
    "regions-free": ScoringConfig(in_person_same_region=False, require_shared_slot=False),
    "modes-free": ScoringConfig(require_compatible_mode=False),
    "meeting-rules-off": ScoringConfig(
        in_person_same_region=False, require_compatible_mode=False, require_shared_slot=False
    ),
    "availability-weights": ScoringConfig(
        availability=AvailabilityConfig(
            slots_weight=0.0,
            cadence_weight=2.0,
            mode_weight=1.0,
            slots_for_full_score=3,
            cadence_step_penalty=0.3,
            remote_score=0.2,
        )
    ),
    "slots-only": ScoringConfig(
        availability=AvailabilityConfig(
            slots_weight=1.0, cadence_weight=0.0, mode_weight=0.0, slots_for_full_score=1
        )
    ),
    "weights": ScoringConfig(
        sector_weight=0.0, goals_weight=2.5, availability_weight=0.5, seniority_weight=3.0
    ),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_tiny_frames(name: str) -> None:
    assert_matches(Cohort.from_frames(mentees_frame(), mentors_frame()), CONFIGS[name])


@pytest.mark.parametrize("name", list(CONFIGS))
def test_edge_frames(name: str) -> None:
    got = assert_matches(Cohort.from_frames(*edge_frames()), CONFIGS[name])
    assert not got.eligible[:, 2].any()  # m3 has capacity 0


def test_edge_frames_hit_every_builtin_rule() -> None:
    """The edge frames are only useful if each built-in rule fires somewhere."""
    c = Cohort.from_frames(*edge_frames())
    _, _, _, reasons = reference_scores(c.mentees, c.mentors, taxonomy=c.taxonomy)
    seen = set().union(*(r for row in reasons for r in row))
    assert seen == set(BUILTIN_REASONS.values())
    # case- and space-insensitive organisations; excludes from both sides
    assert BUILTIN_REASONS["same_organisation"] in reasons[1][0]
    assert BUILTIN_REASONS["excluded"] in reasons[0][1]  # mentee a excludes m2
    assert BUILTIN_REASONS["excluded"] in reasons[2][1]  # mentor m2 excludes c
    assert BUILTIN_REASONS["excluded"] in reasons[5][4]  # mentor m5 excludes f


def test_edge_frames_custom_and_blocks() -> None:
    c = _with_teams(*edge_frames())
    assert_matches(c, _custom_config(), block_rows=4)
    assert_matches(c, _custom_config(same_organisation=False), block_rows=1)


def test_learning_groups_and_leaves() -> None:
    """A group in ``learning`` matches its leaves and itself, a leaf only itself."""
    c = Cohort.from_frames(*edge_frames())
    full = assert_matches(c, ScoringConfig(goals=GoalsConfig(learning_weight=1.0)))
    off = assert_matches(c, ScoringConfig(goals=GoalsConfig(learning_weight=0.0)))
    # with learning_weight 1 a learning match lifts the goals score to 1
    lifted = (np.asarray(full.components["goals"]) == 1) & (np.asarray(off.components["goals"]) < 1)
    covered = np.asarray(off.components["goals"]) == 1
    # mentees a b c d e f = local-government x2, public (a group), charity, retail, arms-length
    matches = {
        0: {0, 1, 2, 5},  # m1 learns "public": its leaves and the group itself
        1: set(),  # m2 learns nothing
        2: {3, 4},  # m3 learns charity (a leaf) and private (a group: retail)
        3: {3},  # m4 learns not-for-profit: charity
        4: {0, 1},  # m5 learns public/local-government, a leaf: not the group mentee c
    }
    for j, rows in matches.items():
        for i in range(c.n_mentees):
            if not covered[i, j]:
                assert lifted[i, j] == (i in rows), (c.mentee_ids[i], c.mentor_ids[j])
    assert lifted.any()


def test_many_goals_two_words() -> None:
    c = Cohort.from_frames(*many_goal_frames())
    assert c.mentee_goal_bits.shape[1] == 2
    for config in (ScoringConfig(), CONFIGS["primary0.8-nolearning"]):
        assert_matches(c, config, block_rows=5)


def test_seniority_in_one_table_only() -> None:
    ee, mr = edge_frames()
    c = Cohort.from_frames(ee, mr.drop(columns=["seniority"]))
    got = assert_matches(c, CONFIGS["asymmetric-band"])
    assert "seniority" not in got.components
    c = Cohort.from_frames(ee.assign(seniority=None), mr)
    assert "seniority" not in assert_matches(c).components


# ---------------------------------------------------------------------------- synthetic cohorts
@pytest.fixture(scope="module")
def synthetic() -> dict[int, Cohort]:
    return {seed: Cohort.from_frames(*cm.synthetic_cohort(40, 15, seed=seed)) for seed in range(4)}


@pytest.mark.parametrize("seed", range(4))
def test_synthetic_default(synthetic: dict[int, Cohort], seed: int) -> None:
    assert_matches(synthetic[seed])


@pytest.mark.parametrize("name", [n for n in CONFIGS if n != "default"])
def test_synthetic_configs(synthetic: dict[int, Cohort], name: str) -> None:
    assert_matches(synthetic[1], CONFIGS[name], block_rows=7)


def test_synthetic_custom() -> None:
    ee, mr = cm.synthetic_cohort(40, 15, seed=3)
    c = _with_teams(ee, mr, seed=3)
    got = assert_matches(c, _custom_config(), block_rows=9)
    assert got.reason_flags.dtype == np.uint16  # 7 built-in + 3 custom rules
    assert "never shown" not in set().union(*(r for row in decode(got) for r in row))


def test_synthetic_capacity_zero_and_taxonomy() -> None:
    """Capacity 0 mentors and a custom (distance-matrix) taxonomy."""
    ee, mr = cm.synthetic_cohort(30, 12, seed=11, capacity=(0, 2))
    tax = Taxonomy.default()
    names = list(tax.names)
    rng = np.random.default_rng(0)
    d = rng.random((len(names), len(names)))
    d = (d + d.T) / 2
    np.fill_diagonal(d, 0.0)
    custom = Taxonomy.from_distance_matrix(d, names=names)
    c = Cohort.from_frames(ee, mr, taxonomy=custom)
    assert (c.capacity == 0).any()
    assert_matches(c, CONFIGS["primary0-learning1"])


# ---------------------------------------------------------------------------- no upper limit
@pytest.mark.parametrize("preferred", [1, 2, 5])
def test_seniority_no_upper_limit(synthetic: dict[int, Cohort], preferred: int) -> None:
    """``max_gap=None``: the missing upper edge counts as 3 grades (documented)."""
    config = ScoringConfig(seniority=SeniorityConfig(max_gap=None, preferred_gap=preferred))
    got = assert_matches(synthetic[1], config)
    assert got.components["seniority"].min() == 0.0  # far gaps score 0 ...
    cfg = config.seniority
    span = max(preferred - cfg.min_gap, 3)  # = 3 unless the lower side is longer
    assert seniority_gap_score(0, preferred + span + 1, cfg) == (0.0, False)  # ... eligible
    assert seniority_gap_score(0, preferred + span, cfg)[0] > 0


# ---------------------------------------------------------------------------- conflicting modes
def mode_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every mode against every mode, in one region and across two: the pairs that only
    the conflicting-modes rule can exclude (same region, in-person only vs remote only)."""
    modes = ["in-person", "remote", "either"]
    mentees = pd.DataFrame(
        {
            "id": [f"e-{m}-{r}" for r in ("se", "nw") for m in modes],
            "organisation": [f"Mentee org {k}" for k in range(6)],
            "sector": ["local-government"] * 6,
            "availability": ["mon-am;tue-pm"] * 6,
            "cadence": ["monthly"] * 6,
            "mode": modes * 2,
            "region": ["South East"] * 3 + ["North West"] * 3,
            "goals": ["confidence"] * 6,
        }
    )
    mentors = pd.DataFrame(
        {
            "id": [f"r-{m}" for m in modes],
            "organisation": [f"Mentor org {k}" for k in range(3)],
            "sector": ["arms-length-body"] * 3,
            "availability": ["mon-am;tue-pm"] * 3,
            "cadence": ["monthly"] * 3,
            "mode": modes,
            "region": ["South East"] * 3,
            "expertise": ["confidence"] * 3,
            "capacity": [2] * 3,
        }
    )
    return mentees, mentors


def _reference_flags(
    cohort: Cohort, config: ScoringConfig
) -> tuple[np.ndarray, np.ndarray, list[list[set[str]]]]:
    """(total, eligible, reasons) from the reference."""
    total, _, eligible, reasons = reference_scores(
        cohort.mentees, cohort.mentors, config, taxonomy=cohort.taxonomy
    )
    return total, eligible, reasons


def assert_paths_match(cohort: Cohort, config: ScoringConfig) -> None:
    """Every scoring path agrees with the reference: dense ``score`` (with the per-pair
    reasons, :func:`assert_matches`), ``iter_score_blocks``, ``score_candidates`` keeping
    everything, and the kernels' row and pair entry points that candidates use."""
    from crossmatch.scoring.components import Kernels

    dense = assert_matches(cohort, config, block_rows=2)
    total, eligible, reasons = _reference_flags(cohort, config)
    names = dense.reason_names

    def reason_sets(flags: np.ndarray) -> list[set[str]]:
        return [{n for b, n in enumerate(names) if (int(f) >> b) & 1} for f in flags.ravel()]

    want = [r for row in reasons for r in row]
    # blocks, streamed
    for block in cm.iter_score_blocks(cohort, config, block_rows=2):
        rows = range(cohort.n_mentees)[block.rows]
        np.testing.assert_array_equal(block.flags == 0, eligible[rows])
        np.testing.assert_allclose(block.total, total[rows], atol=ATOL, rtol=0)
        assert reason_sets(block.flags) == [r for i in rows for r in reasons[i]]
    # the kernels' rows (any order) and pairs entry points
    kernels = Kernels(cohort, config)
    back = np.arange(cohort.n_mentees)[::-1]
    got = kernels.rows(back)
    np.testing.assert_array_equal(got.flags == 0, eligible[back])
    ii, jj = np.divmod(np.arange(cohort.n_mentees * cohort.n_mentors), cohort.n_mentors)
    got = kernels.pairs(ii, jj)
    assert reason_sets(got.flags) == want
    np.testing.assert_allclose(got.total, total.ravel(), atol=ATOL, rtol=0)
    # candidates keeping every eligible pair: exactly the reference's eligible pairs
    cands = cm.score_candidates(
        cohort, config, per_mentee=cohort.n_mentors, per_mentor=cohort.n_mentees, block_rows=2
    )
    have = set(zip(*(a.tolist() for a in cands.eligible_pairs()), strict=True))
    assert have == set(zip(*np.nonzero(eligible), strict=True))
    np.testing.assert_array_equal(cands.eligible_counts(), eligible.sum(axis=1))
    np.testing.assert_allclose(cands.values, total[cands.rows, cands.cols], atol=ATOL, rtol=0)


def test_conflicting_modes_are_a_hard_rule() -> None:
    """Remote only vs in-person only in one region (the trial's repro): ineligible on every
    path, for that reason alone; with the rule off, eligible, and the mode part scores 0."""
    c = Cohort.from_frames(*mode_frames())
    conflict = BUILTIN_REASONS["mode_conflict"]
    on = ScoringConfig()
    assert_paths_match(c, on)
    _, eligible, reasons = _reference_flags(c, on)
    mode_e, mode_r = c.mentees["mode"].tolist(), c.mentors["mode"].tolist()
    same = c.mentees["region"].to_numpy()[:, None] == c.mentors["region"].to_numpy()[None, :]
    for i in range(c.n_mentees):
        for j in range(c.n_mentors):
            clash = {mode_e[i], mode_r[j]} == {"in-person", "remote"}
            assert (conflict in reasons[i][j]) == clash
            if clash and same[i, j]:  # no other rule applies
                assert reasons[i][j] == {conflict} and not eligible[i, j]
    assert sum(conflict in r for row in reasons for r in row) == 4  # 2 in, 2 across regions
    dense = cm.score(c, on)
    assert dense.reasons("e-remote-se", "r-in-person") == [conflict]

    off = ScoringConfig(require_compatible_mode=False)
    assert_paths_match(c, off)
    _, eligible, reasons = _reference_flags(c, off)
    assert conflict not in set().union(*(r for row in reasons for r in row))
    scores = cm.score(c, off)
    i, j = list(c.mentee_ids).index("e-remote-se"), list(c.mentor_ids).index("r-in-person")
    assert eligible[i, j] and bool(scores.eligible[i, j])
    # the mode part is 0: availability is slots 0.5 + cadence 0.2 of the default weights
    assert float(scores.components["availability"][i, j]) == pytest.approx(0.7)


@pytest.mark.parametrize("name", ["default", "modes-free", "meeting-rules-off"])
def test_every_path_matches_the_reference(synthetic: dict[int, Cohort], name: str) -> None:
    """Synthetic cohorts (conflicting modes across and within regions): dense, blocks,
    candidates and the row / pair kernels all give the reference's eligibility."""
    cohort = synthetic[2]
    config = CONFIGS[name]
    _, _, reasons = _reference_flags(cohort, config)
    fired = set().union(*(r for row in reasons for r in row))
    assert (BUILTIN_REASONS["mode_conflict"] in fired) == config.require_compatible_mode
    assert_paths_match(cohort, config)
