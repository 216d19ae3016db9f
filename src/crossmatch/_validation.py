"""Declared parameter checks, shared by every public function (ground floor).

scikit-learn's ``utils/_param_validation.py`` is the model: each public function declares
what each parameter may be, once, and the checks run at the door, before any work. Every
bad parameter of one call is reported in one :class:`~crossmatch.errors.ParameterError`,
one sentence each, in one format::

    shortlist(): `k` must be an int in [1, inf). Got -1 instead.

Constraints
-----------
- :class:`Interval` ``("int" | "real", low, high, closed=...)``: a number in a range.
  ``"int"`` accepts Python and NumPy integers (not ``bool``, not ``3.0``); ``"real"``
  accepts any real number, finite unless ``high`` is ``inf`` and ``allow_inf=True``.
- :class:`Options` ``({"a", "b"})``: one of a set of strings.
- :class:`Instance` ``(types, "a DataFrame")``: an instance of the given types;
  :data:`DATAFRAME` is the one check every DataFrame parameter uses.
- :class:`SequenceOf` ``(types, "a tuple of HardRule")``: a list or tuple of instances.
- ``None``: the parameter may be None.
- the strings ``"boolean"``, ``"seed"`` (None, an int >= 0 or a
  ``numpy.random.Generator``: every function taking a seed uses it), ``"callable"``,
  ``"mapping"``, ``"array-like"`` (an array, a list, a tuple, a pandas object or any
  other sequence but a string), ``"text"`` (a string that is not blank).

Use :func:`check_params` (a dict of values) or the :func:`validate_params` decorator::

    @validate_params({"k": [Interval("int", 1, None)], "method": [Options({"flow"})]})
    def shortlist(scores, *, k=3, method="flow"): ...
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from ._text import shorten
from .errors import ParameterError

__all__ = [
    "DATAFRAME",
    "Instance",
    "Interval",
    "Options",
    "SequenceOf",
    "check_params",
    "describe_value",
    "validate_params",
]

F = TypeVar("F", bound=Callable[..., Any])


def describe_value(value: Any) -> str:
    """How a given value is shown in messages (short, with its type when it helps)."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, str | numbers.Number | type(None)):
        return shorten(value)
    return f"{shorten(value, 40)} ({type(value).__name__})"


@dataclass(frozen=True, slots=True)
class Interval:
    """A number in a range. ``None`` for ``low``/``high`` means unbounded."""

    kind: str  # "int" or "real"
    low: float | None = None
    high: float | None = None
    closed: str = "both"  # "both", "left", "right", "neither"
    allow_inf: bool = False

    def __post_init__(self) -> None:
        if self.kind not in ("int", "real"):
            raise ValueError(f"Interval kind must be 'int' or 'real'. Got {self.kind!r}.")
        if self.closed not in ("both", "left", "right", "neither"):
            raise ValueError(
                f"Interval closed must be both/left/right/neither. Got {self.closed!r}."
            )

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool | np.bool_):
            return False
        if self.kind == "int":
            if not isinstance(value, numbers.Integral):
                return False
        else:
            if not isinstance(value, numbers.Real):
                return False
            if math.isnan(float(value)):
                return False
            if math.isinf(float(value)) and not self.allow_inf:
                return False
        v = float(value) if self.kind == "real" else int(value)
        lo_ok = self.low is None or (
            v >= self.low if self.closed in ("both", "left") else v > self.low
        )
        hi_ok = self.high is None or (
            v <= self.high if self.closed in ("both", "right") else v < self.high
        )
        return lo_ok and hi_ok

    def __str__(self) -> str:
        name = "an int" if self.kind == "int" else "a real number"
        if not self.allow_inf and self.kind == "real":
            name = "a finite real number"
        left = "[" if self.closed in ("both", "left") and self.low is not None else "("
        right = "]" if self.closed in ("both", "right") and self.high is not None else ")"
        lo = "-inf" if self.low is None else self._bound(self.low)
        hi = "inf" if self.high is None else self._bound(self.high)
        return f"{name} in {left}{lo}, {hi}{right}"

    def _bound(self, x: float) -> str:
        # int bounds in full (2147483648, not 2.14748e+09); real ones short (1e+06)
        if self.kind == "int" and float(x).is_integer():
            return str(int(x))
        return f"{x:g}"


@dataclass(frozen=True, slots=True)
class Options:
    """One of a set of strings."""

    values: frozenset[str]

    def __init__(self, values: Iterable[str]) -> None:
        object.__setattr__(self, "values", frozenset(values))

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str) and value in self.values

    def __str__(self) -> str:
        return "one of " + ", ".join(repr(v) for v in sorted(self.values))


@dataclass(frozen=True, slots=True)
class Instance:
    """An instance of the given type(s), described in words for messages."""

    types: type | tuple[type, ...]
    description: str

    def accepts(self, value: Any) -> bool:
        return isinstance(value, self.types)

    def __str__(self) -> str:
        return self.description


@dataclass(frozen=True, slots=True)
class SequenceOf:
    """A list or tuple whose every item is an instance of the given type(s)."""

    types: type | tuple[type, ...]
    description: str

    def accepts(self, value: Any) -> bool:
        return isinstance(value, list | tuple) and all(isinstance(v, self.types) for v in value)

    def __str__(self) -> str:
        return self.description


#: The one check of every DataFrame parameter (a list or a dict is not a DataFrame).
DATAFRAME = Instance(pd.DataFrame, "a pandas DataFrame")


def _array_like(value: Any) -> bool:
    if isinstance(value, str | bytes):
        return False
    return isinstance(value, np.ndarray | Sequence) or hasattr(value, "__array__")


def _named(constraint: Any) -> tuple[Callable[[Any], bool], str]:
    if constraint is None:
        return (lambda v: v is None), "None"
    if isinstance(constraint, Interval | Options | Instance | SequenceOf):
        return constraint.accepts, str(constraint)
    if constraint == "boolean":
        return (lambda v: isinstance(v, bool | np.bool_)), "a bool"
    if constraint == "seed":
        return (
            lambda v: (
                v is None
                or (isinstance(v, numbers.Integral) and not isinstance(v, bool) and int(v) >= 0)
                or isinstance(v, np.random.Generator)
            )
        ), "an int >= 0, a numpy Generator or None"
    if constraint == "callable":
        return callable, "a callable"
    if constraint == "mapping":
        return (lambda v: isinstance(v, Mapping)), "a mapping (dict)"
    if constraint == "array-like":
        return _array_like, "array-like"
    if constraint == "text":
        return (lambda v: isinstance(v, str) and bool(v.strip())), "a non-empty str"
    if isinstance(constraint, type):
        return (lambda v: isinstance(v, constraint)), f"an instance of {constraint.__name__}"
    raise TypeError(f"unknown constraint {constraint!r}")


def _message(name: str, value: Any, constraints: list[Any]) -> str | None:
    checks = [_named(c) for c in constraints]
    if any(ok(value) for ok, _ in checks):
        return None
    words = [w for _, w in checks]
    what = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    return f"`{name}` must be {what}. Got {describe_value(value)} instead."


def check_params(
    function: str, values: Mapping[str, Any], constraints: Mapping[str, list[Any]]
) -> None:
    """Check ``values`` against ``constraints``; raise one ParameterError listing all failures.

    Parameters absent from ``constraints`` are not checked; a constraint naming a
    parameter absent from ``values`` is skipped.
    """
    messages = [
        msg
        for name, allowed in constraints.items()
        if name in values and (msg := _message(name, values[name], list(allowed))) is not None
    ]
    if messages:
        raise ParameterError(function, messages)


def validate_params(constraints: Mapping[str, list[Any]]) -> Callable[[F], F]:
    """Decorator: check the declared parameters of every call before running the function."""

    def decorate(func: F) -> F:
        signature = inspect.signature(func)
        unknown = set(constraints) - set(signature.parameters)
        if unknown:
            raise TypeError(
                f"{func.__name__}: constraints for unknown parameters {sorted(unknown)}"
            )

        # methods are named with their class (Scores.take), functions by their name
        name = func.__name__ if "<locals>" in func.__qualname__ else func.__qualname__

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            check_params(name, bound.arguments, constraints)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
