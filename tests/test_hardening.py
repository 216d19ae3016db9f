"""Bad inputs at the doors outside solve/: one test per family of the hardening battery.

Each family is checked across every public function it reaches, and each message must
name the parameter, say what it must be and show what was given.
"""

from __future__ import annotations

import math
import re
import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from _data import mentees_frame, mentors_frame
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import crossmatch as cm
from crossmatch.errors import ParameterError
from crossmatch.scoring import engine
from crossmatch.scoring.config import BUILTIN_RULES
from crossmatch.scoring.scores import MAX_ABS_SCORE, MAX_CAPACITY

PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: The one message format of a bad parameter.
FORMAT = re.compile(r"`(\w+)` must be (.+)\. Got (.+) instead\.")


def cohort() -> cm.Cohort:
    return cm.Cohort.from_frames(mentees_frame(), mentors_frame())


def matrix_scores(matrix=None, **kwargs) -> cm.Scores:
    m = np.array([[0.5, 0.2, np.nan], [0.1, 0.9, 0.3]]) if matrix is None else matrix
    n_rows, n_cols = np.shape(m)[:2]
    args = {
        "mentee_ids": [f"e{i}" for i in range(n_rows)],
        "mentor_ids": [f"r{j}" for j in range(n_cols)],
        "capacity": [1] * n_cols,
    }
    return cm.Scores.from_matrix(m, **{**args, **kwargs})


def shortlists() -> cm.Shortlists:
    return cm.shortlist(matrix_scores(capacity=[2, 2, 2]), k=1)


def parameter_error(call, name: str) -> tuple[str, str]:
    """Run ``call``; it must raise a ParameterError with one line about ``name`` in the one
    format. Returns (what it must be, what was given)."""
    with pytest.raises(ParameterError) as info:
        call()
    lines = [m for m in info.value.messages if m.startswith(f"`{name}`")]
    assert len(lines) == 1, str(info.value)
    found = FORMAT.fullmatch(lines[0])
    assert found, lines[0]
    assert isinstance(info.value, ValueError) and isinstance(info.value, TypeError)
    return found.group(2), found.group(3)


def validation_error(call) -> cm.ValidationError:
    with pytest.raises(cm.ValidationError) as info:
        call()
    return info.value


# ---------------------------------------------------------------------------- seeds
SEEDED = {
    "synthetic_cohort": lambda seed: cm.synthetic_cohort(5, 3, seed=seed),
    "simulate_choices": lambda seed: cm.simulate_choices(shortlists(), seed=seed),
}


@pytest.mark.parametrize("function", sorted(SEEDED))
@pytest.mark.parametrize("bad", ["abc", -1, 1.5, True, [1, 2], np.random.RandomState(0)])
def test_every_seed_takes_the_same_constraint(function, bad):
    must, got = parameter_error(lambda: SEEDED[function](bad), "seed")
    assert must == "an int >= 0, a numpy Generator or None"
    assert got.startswith(repr(bad)[:8]) or type(bad).__name__ in got


@pytest.mark.parametrize("function", sorted(SEEDED))
@pytest.mark.parametrize("good", [0, np.int64(7), None, np.random.default_rng(3)])
def test_every_seed_accepts_ints_generators_and_none(function, good):
    SEEDED[function](good)


def test_same_seed_same_answer_generator_seed_too():
    a = cm.synthetic_cohort(20, 6, seed=np.random.default_rng(5))
    b = cm.synthetic_cohort(20, 6, seed=np.random.default_rng(5))
    pd.testing.assert_frame_equal(a[0], b[0])


# ---------------------------------------------------------------------------- DataFrames
@pytest.mark.parametrize(
    ("bad", "shown"),
    [
        ([["e0", "r0", 1.0]], "[['e0', 'r0', 1.0]] (list)"),
        ({"mentee_id": ["e0"]}, "{'mentee_id': ['e0']} (dict)"),
        (np.ones((1, 3)), "an array of shape (1, 3) and dtype float64"),
        (None, "None"),
    ],
)
def test_a_dataframe_parameter_given_something_else(bad, shown):
    must, got = parameter_error(lambda: cm.Scores.from_frame(bad, capacity=1), "frame")
    assert (must, got) == ("a pandas DataFrame", shown)


@pytest.mark.parametrize("bad", [{"a": [1.0]}, "0.5", 3.0, None])
def test_a_matrix_parameter_given_something_else(bad):
    call = lambda: cm.Scores.from_matrix(bad, mentee_ids=["a"], mentor_ids=["x"], capacity=1)  # noqa: E731
    must, got = parameter_error(call, "matrix")
    assert must == "a pandas DataFrame or array-like"
    assert got.startswith(repr(bad))


# ---------------------------------------------------------------------------- capacities
BIG = [2**31 + 1, 2**63, 10**20, 1e30, np.uint64(2**64 - 1)]


@pytest.mark.parametrize("value", BIG)
@pytest.mark.parametrize("form", ["list", "mapping", "frame"])
def test_capacity_beyond_the_supported_range_is_named(value, form):
    ids = ["r0", "r1", "r2"]
    capacity = {
        "list": [1, value, 2],
        "mapping": dict(zip(ids, [1, value, 2], strict=True)),
        "frame": dict(zip(ids, [1, value, 2], strict=True)),
    }[form]
    if form == "frame":
        long = pd.DataFrame({"mentee_id": ["e0"], "mentor_id": ["r0"], "score": [0.5]})
        call = lambda: cm.Scores.from_frame(long, capacity=capacity)  # noqa: E731
    else:
        call = lambda: matrix_scores(capacity=capacity)  # noqa: E731
    err = validation_error(call)
    texts = [p for p in err.problems if p.column == "capacity"]
    assert texts, str(err)
    assert all("at most 2,147,483,648 (MAX_CAPACITY = 2**31)" in p.message for p in texts)
    assert texts[0].value == (int(value) if isinstance(value, np.integer) else value)


def test_scalar_capacity_beyond_the_range_is_a_parameter_error():
    # as the one int for every mentor, the door check says it (the declared range)
    must, got = parameter_error(lambda: matrix_scores(capacity=2**40), "capacity")
    assert must.startswith("an int in [0, 2147483648]")
    assert got == str(2**40)


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        (-1, "integer >= 0."),
        (2.5, "without a fraction"),
        (float("nan"), "without a fraction"),
        (True, "not a bool"),
        ("3", "without a fraction"),
        (1 + 0j, "without a fraction"),
    ],
)
def test_capacity_must_be_a_whole_number_at_least_zero(value, needle):
    err = validation_error(lambda: matrix_scores(capacity=[1, value, 1]))
    (problem,) = err.problems
    assert (problem.column, problem.row, problem.id) == ("capacity", 1, "r1")
    assert needle in problem.message
    assert repr(value) in str(err) or repr(value) == "nan"


def test_whole_float_capacities_and_the_largest_are_accepted():
    s = matrix_scores(capacity=[2.0, np.int32(0), MAX_CAPACITY])
    assert s.capacity.tolist() == [2, 0, MAX_CAPACITY] and s.capacity.dtype == np.int64


@pytest.mark.parametrize("method", ["with_capacity", "with_exclusions"])
@pytest.mark.parametrize("bad", [[1, 2], [1, 10**20, 1], [1, -1, 1], [1.5, 1, 1]])
def test_methods_taking_capacities_reject_the_same_values(method, bad):
    s = matrix_scores()
    if method == "with_capacity":
        call = lambda: s.with_capacity(bad)  # noqa: E731
    else:
        call = lambda: s.with_exclusions(np.zeros(s.shape, bool), reason="x", capacity=bad)  # noqa: E731
    must, got = parameter_error(call, "capacity")
    assert must == "3 integers in [0, 2147483648], one per mentor (or a mapping from mentor id)"
    if len(bad) == 3:
        assert got == f"{bad[1]!r} for mentor 'r1'" or got == f"{bad[0]!r} for mentor 'r0'"
    else:
        assert got == "[1, 2] (list): `capacity` needs one value per mentor (3)"


def test_synthetic_cohort_capacity_range():
    must, got = parameter_error(lambda: cm.synthetic_cohort(5, 3, capacity=(0, 2**40)), "capacity")
    assert "0 <= low <= high <= 2147483648" in must and str(2**40) in got
    must, got = parameter_error(lambda: cm.synthetic_cohort(5, 3, capacity=(3, 1)), "capacity")
    assert got == "(3, 1)"


# ---------------------------------------------------------------------------- complex, text
@pytest.mark.parametrize(
    "matrix",
    [
        np.array([[1 + 0j, 0.5 + 0j]]),  # zero imaginary parts: still not a real matrix
        np.array([[1 + 2j, 0.5]]),
        np.array([[0.5, 1j]], dtype=object),
    ],
)
def test_complex_scores_are_rejected_not_cast(matrix):
    err = validation_error(lambda: matrix_scores(matrix))
    bad = [p for p in err.problems if "complex" in p.message]
    assert bad and all(p.hint and "real" in p.hint for p in bad)
    assert {(p.row, p.column) for p in bad} <= {(0, "r0"), (0, "r1")}


@pytest.mark.parametrize("value", ["0.5", "high", b"x", True, [0.5], {"a": 1}, pd.Timestamp(0)])
def test_text_and_other_objects_in_the_matrix_are_cells_to_fix(value):
    m = np.array([[0.5, None], [value, 0.2]], dtype=object)
    err = validation_error(lambda: matrix_scores(m))
    (problem,) = err.problems
    assert (problem.row, problem.id, problem.column) == (1, "e1", "r0")
    assert problem.message == "the score is not a number."


def test_long_text_in_a_cell_is_cut():
    m = np.array([[0.5, "x" * 100_000]], dtype=object)
    err = validation_error(lambda: matrix_scores(m))
    assert len(str(err)) < 500 and "100,000 characters" in str(err)


def test_numeric_text_in_a_long_table_reads_as_a_number():
    long = pd.DataFrame({"mentee_id": ["a", "b"], "mentor_id": ["x", "x"], "score": ["0.5", "1e9"]})
    err = validation_error(lambda: cm.Scores.from_frame(long, capacity=1))
    (problem,) = err.problems  # "0.5" is fine, "1e9" is out of range
    assert (problem.row, problem.column, problem.value) == (1, "score", "1e9")
    assert "MAX_ABS_SCORE" in problem.message


def test_ragged_and_flat_matrices():
    ids = {"mentee_ids": ["a", "b"], "mentor_ids": ["x", "y"], "capacity": 1}
    err = validation_error(lambda: cm.Scores.from_matrix([[0.5, 0.2], [0.1]], **ids))
    assert "rows of different lengths" in str(err)
    err = validation_error(lambda: cm.Scores.from_matrix(np.ones(3), **ids))
    assert "2-D" in str(err) and "1-D" in str(err)
    err = validation_error(lambda: cm.Scores.from_matrix(np.float64(0.5), **ids))
    assert "Got 0-D" in str(err)
    err = validation_error(lambda: cm.Scores.from_matrix(np.ones((2, 2, 1)), **ids))
    assert "Got 3-D" in str(err)
    err = validation_error(lambda: cm.Scores.from_matrix(np.ones((0, 2)), **ids))
    assert "empty" in str(err)


# ---------------------------------------------------------------------------- score range
@pytest.mark.parametrize("value", [1e9, -2e6, np.inf, -np.inf, 1e308, 10**400])
def test_scores_outside_the_range_are_rejected_with_a_hint(value):
    m = np.array([[0.5, value], [0.1, 0.2]], dtype=object if isinstance(value, int) else float)
    err = validation_error(lambda: matrix_scores(m))
    (problem,) = err.problems
    assert (problem.row, problem.id, problem.column) == (0, "e0", "r1")
    assert "fixed=" in problem.hint
    assert ("infinite" if isinstance(value, float) and math.isinf(value) else "MAX_ABS_SCORE") in (
        problem.message
    )


def test_the_range_is_closed_and_nan_means_no_score():
    s = matrix_scores(np.array([[MAX_ABS_SCORE, -MAX_ABS_SCORE, np.nan]]))
    assert s.total.tolist() == [[MAX_ABS_SCORE, -MAX_ABS_SCORE, 0.0]]
    assert s.eligible.tolist() == [[True, True, False]]
    assert s.reasons("e0", "r2") == ["no score"]


def test_many_bad_cells_are_listed_then_counted():
    m = np.full((40, 3), 5e6)
    err = validation_error(lambda: matrix_scores(m))
    assert len(err.problems) == 11  # ten cells by name, then one line counting the rest
    assert err.problems[-1].message.startswith("and 110 more cells where")
    assert "(120 in all; rows 0, 1, 2, 3" in err.problems[-1].message


def test_every_problem_of_a_matrix_is_reported_at_once():
    m = np.array([[np.inf, "x"], [1e7, 1j]], dtype=object)
    ids = {"mentee_ids": ["a", "a"], "mentor_ids": ["x", "y"]}
    err = validation_error(lambda: cm.Scores.from_matrix(m, **ids, capacity=[1, 10**30]))
    text = str(err)
    for needle in ("duplicate", "infinite", "not a number", "complex", "MAX_ABS_SCORE", "2**31"):
        assert needle in text, needle


# ---------------------------------------------------------------------------- sizes
NEGATIVE = {
    "synthetic_cohort(n_mentees)": (lambda v: cm.synthetic_cohort(v, 3), "n_mentees"),
    "synthetic_cohort(n_mentors)": (lambda v: cm.synthetic_cohort(3, v), "n_mentors"),
    "score(block_rows)": (lambda v: cm.score(cohort(), block_rows=v), "block_rows"),
    "iter_score_blocks(block_rows)": (
        lambda v: cm.iter_score_blocks(cohort(), block_rows=v),
        "block_rows",
    ),
    "score_candidates(per_mentee)": (
        lambda v: cm.score_candidates(cohort(), per_mentee=v),
        "per_mentee",
    ),
    "score_candidates(per_mentor)": (
        lambda v: cm.score_candidates(cohort(), per_mentor=v),
        "per_mentor",
    ),
}


@pytest.mark.parametrize("where", sorted(NEGATIVE))
@pytest.mark.parametrize("bad", [-1, 0, 2.0, "3", True])
def test_sizes_must_be_positive_ints(where, bad):
    call, name = NEGATIVE[where]
    must, got = parameter_error(lambda: call(bad), name)
    assert must == "an int in [1, inf)" or must == "an int in [1, inf) or None"
    assert got == repr(bad)


# ---------------------------------------------------------------------------- other doors
@pytest.mark.parametrize(
    ("call", "name", "must"),
    [
        (lambda: cm.score(mentees_frame()), "cohort", "a Cohort"),
        (
            lambda: cm.score(cohort(), {"sector_weight": 1}),
            "config",
            "a ScoringConfig, a Programme",
        ),
        (lambda: cm.score_candidates(cohort(), executor=4), "executor", "a concurrent.futures"),
        (lambda: cm.score_candidates(cohort(), progress="yes"), "progress", "a bool or None"),
        (lambda: cm.simulate_choices(matrix_scores()), "shortlists", "a Shortlists"),
        (
            lambda: cm.simulate_choices(shortlists(), response_rate=1.5),
            "response_rate",
            "a finite real number in [0, 1]",
        ),
        (lambda: cm.simulate_choices(shortlists(), noise=-1), "noise", "a finite real number"),
        (lambda: cm.simulate_choices(shortlists(), noise=np.inf), "noise", "a finite real"),
        (lambda: matrix_scores().to_frame(eligible_only="yes"), "eligible_only", "a bool"),
        (lambda: matrix_scores().take([True, False]), "mentee_rows", "a 1-D array of integer"),
        (lambda: matrix_scores().take([0, 2]), "mentee_rows", "a 1-D array of integer row"),
        (lambda: matrix_scores().take("0"), "mentee_rows", "array-like"),
        (
            lambda: matrix_scores().with_exclusions(np.ones((2, 3), int), reason="x"),
            "mask",
            "a bool array of shape (2, 3)",
        ),
        (
            lambda: matrix_scores().with_exclusions(np.ones((3, 3), bool), reason="x"),
            "mask",
            "a bool array of shape (2, 3)",
        ),
        (lambda: matrix_scores().with_capacity([1, 1, 1], reason=""), "reason", "a non-empty"),
        (lambda: matrix_scores().reasons(["e0"], "r0"), "mentee_id", "one mentee id"),
        (lambda: matrix_scores(mentee_ids="ab"), "mentee_ids", "array-like or None"),
        (lambda: matrix_scores(eligible=True), "eligible", "array-like or None"),
    ],
)
def test_other_doors(call, name, must):
    found, _ = parameter_error(call, name)
    assert found.startswith(must)


def test_methods_are_named_with_their_class():
    with pytest.raises(ParameterError, match=r"^Scores\.take\(\): "):
        matrix_scores().take([5])
    with pytest.raises(ParameterError, match=r"^Scores\.to_frame\(\): "):
        matrix_scores().to_frame(eligible_only=1)


def test_unknown_id_is_a_key_error_naming_it():
    with pytest.raises(KeyError, match="`mentor_id` 'zz' is not a mentor id"):
        matrix_scores().reasons("e0", "zz")


def test_tuple_ids_are_compared_whole():
    s = matrix_scores(mentee_ids=[("a", 1), ("a", 2)])
    assert s.reasons(("a", 2), "r0") == []


def test_good_method_arguments_still_work():
    s = matrix_scores()
    assert s.take(np.array([1])).mentee_ids.tolist() == ["e1"]
    assert s.take([]).n_mentees == 0
    t = s.with_capacity({"r0": 0, "r1": 1, "r2": 1})
    assert not t.eligible[:, 0].any()
    u = s.with_exclusions(np.array([True, False, False]), reason="gone")  # broadcasts
    assert u.reasons("e1", "r0") == ["gone"]


# ---------------------------------------------------------------------------- settings
SETTINGS = [
    (cm.SectorPreference, {"width": -1}, "`width` must be a finite real number in (0, inf)"),
    (cm.SectorPreference, {"peak": 1.5}, "`peak` must be a finite real number in [0, 1]"),
    (cm.GoalsConfig, {"primary_weight": "high"}, "`primary_weight` must be a finite real"),
    (cm.GoalsConfig, {"learning_weight": np.nan}, "`learning_weight` must be a finite real"),
    (cm.AvailabilityConfig, {"slots_for_full_score": 2.0}, "must be an int in [1, 21]"),
    (cm.AvailabilityConfig, {"mode_weight": -0.1}, "`mode_weight` must be a finite real number"),
    (cm.AvailabilityConfig, {"remote_score": 1j}, "`remote_score` must be a finite real number"),
    (cm.SeniorityConfig, {"min_gap": 1.5}, "`min_gap` must be an int in [-1000, 1000]"),
    (cm.SeniorityConfig, {"max_gap": 10**30}, "`max_gap` must be an int in [-1000, 1000] or None"),
    (cm.SeniorityConfig, {"reverse": "yes"}, "`reverse` must be a bool"),
    (cm.ScoringConfig, {"goals_weight": -1}, "`goals_weight` must be a finite real number"),
    (cm.ScoringConfig, {"sector": {"peak": 0.3}}, "`sector` must be a SectorPreference"),
    (cm.ScoringConfig, {"rules": ["x"]}, "`rules` must be a tuple of HardRule"),
    (cm.ScoringConfig, {"same_organisation": 0}, "`same_organisation` must be a bool"),
]


def test_the_message_of_the_issue():
    with pytest.raises(ParameterError) as info:
        cm.SectorPreference(width=-1)
    assert str(info.value) == (
        "SectorPreference(): `width` must be a finite real number in (0, inf). Got -1 instead."
    )


@pytest.mark.parametrize(("cls", "kwargs", "message"), SETTINGS)
def test_settings_use_the_one_message_format(cls, kwargs, message):
    with pytest.raises(ParameterError) as info:
        cls(**kwargs)
    assert str(info.value).startswith(f"{cls.__name__}(): ")
    ((name, value),) = kwargs.items()
    must, got = parameter_error(lambda: cls(**kwargs), name)
    assert message.endswith(must) or must in message or message.split(" must be ")[1] in must
    assert got.startswith(repr(value)[:12])


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (lambda: cm.CustomComponent("", len), "name", "must be a non-empty str. Got ''"),
        (lambda: cm.CustomComponent("x", 3), "func", "must be a callable. Got 3"),
        (lambda: cm.CustomComponent("x", len, weight=-2), "weight", "must be a finite real number"),
        (lambda: cm.CustomComponent("score", len), "name", "must not be a column"),
        (lambda: cm.HardRule("r", len, "  "), "reason", "must be a non-empty str. Got '  '"),
        (lambda: cm.HardRule(None, len, "x"), "name", "must be a non-empty str. Got None"),
    ],
)
def test_custom_components_and_rules(make, name, message):
    with pytest.raises(ParameterError) as info:
        make()
    assert f"`{name}` {message}" in str(info.value)


def test_every_bad_setting_is_reported_at_once():
    with pytest.raises(ParameterError) as info:
        cm.ScoringConfig(sector_weight=-1, goals_weight="x", same_organisation=None)
    assert len(info.value.messages) == 3


def test_cross_field_rules_say_which_fields():
    with pytest.raises(ParameterError, match="`min_gap`, `preferred_gap` and `max_gap`"):
        cm.SeniorityConfig(min_gap=3, preferred_gap=1)
    with pytest.raises(ParameterError, match="`custom` component names must be unique"):
        cm.ScoringConfig(custom=(cm.CustomComponent("goals", len),))
    most = 64 - len(BUILTIN_RULES)  # one flag bit per rule, built-in or custom
    with pytest.raises(ParameterError, match=rf"`rules` must hold at most {most} rules\. Got"):
        cm.ScoringConfig(rules=tuple(cm.HardRule(f"r{k}", len, "x") for k in range(most + 1)))
    full = tuple(cm.HardRule(f"r{k}", len, "x") for k in range(most))
    assert len(cm.ScoringConfig(rules=full).rules) == most


def test_tiny_width_scores_without_overflow_warnings():
    pref = cm.SectorPreference(width=1e-300)
    with np.errstate(over="raise"):
        assert pref(np.array([0.35, 0.9])).tolist() == [1.0, 0.0]


# ---------------------------------------------------------------------------- memory
def test_dense_score_refused_up_front_when_it_would_not_fit(monkeypatch):
    c = cohort()
    kernels = engine._kernels(c, None)
    need = engine.dense_bytes(*c.shape, kernels)
    monkeypatch.setattr(
        engine, "available_memory", lambda: int(need / engine.DENSE_MEMORY_SHARE) - 1
    )
    with pytest.raises(MemoryError) as info:
        cm.score(c)
    text = str(info.value)
    assert "score_candidates" in text and "3 mentees x 4 mentors" in text
    # at the line it fits, and an unknown figure never blocks
    monkeypatch.setattr(
        engine, "available_memory", lambda: int(need / engine.DENSE_MEMORY_SHARE) + 1
    )
    assert cm.score(c).shape == (3, 4)
    monkeypatch.setattr(engine, "available_memory", lambda: None)
    assert cm.score(c).shape == (3, 4)


def test_the_national_cohort_is_refused_without_allocating(monkeypatch):
    # the issue's case, 100,000 x 20,000 with four components: about 41 GiB of arrays
    kernels = SimpleNamespace(
        cohort=SimpleNamespace(shape=(100_000, 20_000)),
        component_names=("sector", "goals", "availability", "seniority"),
        flag_dtype=np.uint8,
    )
    monkeypatch.setattr(engine, "available_memory", lambda: 16 * 2**30)
    with pytest.raises(MemoryError) as info:
        engine._check_memory(kernels)
    text = str(info.value)
    assert "100,000 mentees x 20,000 mentors need about 41.0 GiB" in text
    assert "of the 16.0 GiB of memory available" in text and "score_candidates" in text
    monkeypatch.setattr(engine, "available_memory", lambda: 64 * 2**30)
    engine._check_memory(kernels)  # fits in 80% of 64 GiB


def test_dense_bytes_is_what_the_result_holds():
    config = cm.ScoringConfig(custom=(cm.CustomComponent("extra", lambda a, b: 0.5),))
    for cfg in (None, config):
        s = cm.score(cohort(), cfg)
        held = s.total.nbytes + s.eligible.nbytes + s.reason_flags.nbytes
        held += sum(c.nbytes for c in s.components.values())
        assert engine.dense_bytes(*s.shape, engine._kernels(cohort(), cfg)) == held


def test_available_memory_sources(monkeypatch, tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:  16000000 kB\nMemAvailable:   8000000 kB\n")
    assert engine._meminfo_available(str(meminfo)) == 8_000_000 * 1024
    assert engine._meminfo_available(str(tmp_path / "missing")) is None
    meminfo.write_text("MemTotal:  16000000 kB\n")
    assert engine._meminfo_available(str(meminfo)) is None
    if sys.platform.startswith("linux"):
        monkeypatch.setitem(sys.modules, "psutil", None)  # as if psutil were not installed
        room = engine.available_memory()
        assert room is not None and room > 0


# ---------------------------------------------------------------------------- property
CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-MAX_ABS_SCORE, max_value=MAX_ABS_SCORE),
    st.integers(min_value=-(10**7), max_value=10**7),
    st.integers(),
    st.none(),
    st.booleans(),
    st.text(max_size=3),
    st.complex_numbers(max_magnitude=10),
)


def valid_cell(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, bool) or not isinstance(v, int | float):
        return False
    return math.isnan(v) or abs(v) <= MAX_ABS_SCORE


@PROPS
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=6),
        elements=st.one_of(
            st.floats(min_value=-MAX_ABS_SCORE, max_value=MAX_ABS_SCORE), st.just(np.nan)
        ),
    )
)
def test_any_finite_matrix_within_range_builds(m):
    s = matrix_scores(m)
    np.testing.assert_array_equal(s.total, np.where(np.isnan(m), 0.0, m))
    np.testing.assert_array_equal(s.eligible, ~np.isnan(m))
    assert s.total.dtype == np.float64


@PROPS
@given(
    st.integers(1, 4).flatmap(
        lambda m: st.lists(st.lists(CELLS, min_size=m, max_size=m), min_size=1, max_size=4)
    )
)
def test_anything_outside_the_range_is_a_validation_error(rows):
    matrix = np.empty((len(rows), len(rows[0])), dtype=object)
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            matrix[i, j] = v
    ok = all(valid_cell(v) for r in rows for v in r)
    if ok:
        s = matrix_scores(matrix)
        assert np.isfinite(s.total).all() and (np.abs(s.total) <= MAX_ABS_SCORE).all()
    else:
        err = validation_error(lambda: matrix_scores(matrix))
        assert err.problems and all(p.side == "scores" for p in err.problems)
    # the same numbers as a float array (where they convert) behave alike
    if all(isinstance(v, float) for r in rows for v in r):
        floats = np.array(rows, dtype=np.float64)
        if ok:
            matrix_scores(floats)
        else:
            validation_error(lambda: matrix_scores(floats))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"grade": ""}, "grade"),
        ({"points_weight": -1}, "points_weight"),
        ({"only_points": 1}, "only_points"),
    ],
)
def test_civil_service_scheme_door(kwargs, name):
    from crossmatch.scoring.presets import civil_service_scheme

    parameter_error(lambda: civil_service_scheme(**kwargs), name)


@PROPS
@given(st.lists(CELLS, min_size=1, max_size=8))
def test_a_long_table_is_valid_or_a_validation_error(cells):
    n = len(cells)
    long = pd.DataFrame(
        {
            "mentee_id": [f"e{k // 2}" for k in range(n)],
            "mentor_id": [f"r{k % 2}" for k in range(n)],
            "score": pd.Series(cells, dtype=object),
        }
    )

    def readable(v: object) -> bool:  # a long table reads numeric text, as from a CSV file
        if isinstance(v, str):
            try:
                v = float(v)
            except ValueError:
                return False
        return valid_cell(v)

    if all(readable(v) for v in cells):
        s = cm.Scores.from_frame(long, capacity=1)
        assert s.shape == (len({k // 2 for k in range(n)}), min(n, 2))
        assert np.isfinite(s.total).all() and (np.abs(s.total) <= MAX_ABS_SCORE).all()
    else:
        err = validation_error(lambda: cm.Scores.from_frame(long, capacity=1))
        assert all(p.column == "score" for p in err.problems)
