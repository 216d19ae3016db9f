"""The shared parameter-validation module: declared constraints, one message format."""

from __future__ import annotations

import numpy as np
import pytest

import crossmatch as cm
from crossmatch._validation import Instance, Interval, Options, check_params, validate_params
from crossmatch.errors import ParameterError


@validate_params(
    {
        "k": [Interval("int", 1, None)],
        "limit": [Interval("real", 0, None, closed="neither"), None],
        "method": [Options({"flow", "exact"})],
        "flag": ["boolean"],
        "seed": ["seed"],
    }
)
def _f(x, *, k=3, limit=None, method="flow", flag=False, seed=0):
    return k


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"k": -1}, "`k` must be an int in [1, inf). Got -1 instead."),
        ({"k": 2.0}, "`k` must be an int"),
        ({"k": True}, "`k` must be an int"),
        ({"limit": float("inf")}, "`limit` must be a finite real number in (0, inf) or None"),
        ({"limit": float("nan")}, "`limit`"),
        ({"limit": 0}, "`limit`"),
        ({"method": "fast"}, "`method` must be one of 'exact', 'flow'. Got 'fast' instead."),
        ({"flag": 1}, "`flag` must be a bool"),
        ({"seed": "abc"}, "`seed` must be an int >= 0, a numpy Generator or None. Got 'abc'"),
        ({"seed": -3}, "`seed`"),
    ],
)
def test_bad_parameter_named_with_what_it_must_be(kwargs, needle):
    with pytest.raises(ParameterError) as info:
        _f(None, **kwargs)
    assert needle in str(info.value)
    assert str(info.value).startswith("_f(): ")
    assert isinstance(info.value, ValueError) and isinstance(info.value, TypeError)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"k": np.int64(4)},
        {"limit": 0.5},
        {"limit": 3},
        {"method": "exact"},
        {"flag": np.True_},
        {"seed": None},
        {"seed": np.random.default_rng(0)},
    ],
)
def test_good_parameters_pass(kwargs):
    assert _f(None, **kwargs) == kwargs.get("k", 3)


def test_every_bad_parameter_reported_at_once():
    with pytest.raises(ParameterError) as info:
        _f(None, k=0, method="x", seed="s")
    err = info.value
    assert len(err.messages) == 3
    assert "3 invalid parameters" in str(err)
    assert err.function == "_f"


def test_long_values_are_cut():
    with pytest.raises(ParameterError) as info:
        check_params("g", {"name": "x" * 10_000}, {"name": [Options({"a"})]})
    assert len(str(info.value)) < 300


def test_instance_and_interval_descriptions():
    assert str(Interval("real", 0, 1)) == "a finite real number in [0, 1]"
    assert str(Interval("int", None, 5, closed="neither")) == "an int in (-inf, 5)"
    check_params("g", {"t": {}}, {"t": [Instance(dict, "a dict")]})
    with pytest.raises(ParameterError, match=r"`t` must be a dict\. Got"):
        check_params("g", {"t": []}, {"t": [Instance(dict, "a dict")]})


def test_decorator_rejects_constraints_for_unknown_parameters():
    with pytest.raises(TypeError):
        validate_params({"nope": [None]})(lambda x: x)


def test_parameter_error_is_exported():
    assert cm.ParameterError is ParameterError


# ---------------------------------------------------------------------------- additions
def test_dataframe_constraint_is_one_instance_check():
    import pandas as pd

    from crossmatch._validation import DATAFRAME

    check_params("g", {"frame": pd.DataFrame()}, {"frame": [DATAFRAME]})
    with pytest.raises(ParameterError, match=r"`frame` must be a pandas DataFrame\. Got \[1\] "):
        check_params("g", {"frame": [1]}, {"frame": [DATAFRAME]})


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ([1, 2], True),
        ((1,), True),
        (range(3), True),
        (np.arange(2), True),
        (np.float64(1.0), True),  # numpy scalars have __array__: 0-d arrays
        ("abc", False),
        (b"abc", False),
        ({"a": 1}, False),
        ({1, 2}, False),
        (3, False),
    ],
)
def test_array_like(value, ok):
    import pandas as pd

    if ok:
        check_params("g", {"x": value}, {"x": ["array-like"]})
        check_params("g", {"x": pd.Series([1])}, {"x": ["array-like"]})
    else:
        with pytest.raises(ParameterError, match=r"`x` must be array-like\. Got "):
            check_params("g", {"x": value}, {"x": ["array-like"]})


TEXTS = [("a", True), (" a ", True), ("", False), ("  ", False), (None, False), (1, False)]


@pytest.mark.parametrize(("value", "ok"), TEXTS)
def test_text(value, ok):
    if ok:
        check_params("g", {"name": value}, {"name": ["text"]})
    else:
        with pytest.raises(ParameterError, match=r"`name` must be a non-empty str\. Got "):
            check_params("g", {"name": value}, {"name": ["text"]})


def test_sequence_of():
    from crossmatch._validation import SequenceOf

    rule = {"xs": [SequenceOf(int, "a tuple of ints")]}
    check_params("g", {"xs": (1, 2)}, rule)
    check_params("g", {"xs": []}, rule)
    for bad in [(1, "2"), {1, 2}, 1]:
        with pytest.raises(ParameterError, match=r"`xs` must be a tuple of ints\. Got "):
            check_params("g", {"xs": bad}, rule)


def test_int_bounds_shown_in_full():
    assert str(Interval("int", 0, 2**31)) == "an int in [0, 2147483648]"
    assert str(Interval("real", 0, 1e6)) == "a finite real number in [0, 1e+06]"


def test_complex_and_huge_values_are_not_reals_or_ints_in_range():
    rule = {"x": [Interval("real", 0, 1)]}
    for bad in [0.5 + 0j, np.complex128(0.5), float("inf"), "0.5"]:
        with pytest.raises(ParameterError):
            check_params("g", {"x": bad}, rule)
    with pytest.raises(ParameterError, match=r"`n` must be an int in \[1, 100\]\. Got 10000"):
        check_params("g", {"n": 10**30}, {"n": [Interval("int", 1, 100)]})


class _Thing:
    @validate_params({"k": [Interval("int", 1, None)]})
    def method(self, *, k=1):
        return k


def test_methods_are_named_with_their_class():
    assert _Thing().method(k=2) == 2
    with pytest.raises(ParameterError, match=r"^_Thing\.method\(\): `k` must be"):
        _Thing().method(k=0)
