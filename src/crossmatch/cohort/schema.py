"""The input schema: columns, vocabularies and value parsers.

Every parser takes one *distinct* cell value and returns ``(parsed, error)``, where
``error`` is ``None`` or ``(message, hint)``. Columns are parsed once per distinct
value (see :func:`parse_column`), so a 100,000-row table with a few hundred distinct
availability strings costs a few hundred parses, not 100,000.
"""

from __future__ import annotations

import difflib
import math
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem

__all__ = [
    "CADENCES",
    "DAYS",
    "MODES",
    "PERIODS",
    "SLOTS",
    "Side",
    "is_missing",
    "parse_column",
    "split_list",
]

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PERIODS: tuple[str, ...] = ("am", "pm", "eve")
#: Every weekly slot, in bit order: bit ``k`` of a slot mask is ``SLOTS[k]``.
SLOTS: tuple[str, ...] = tuple(f"{d}-{p}" for d in DAYS for p in PERIODS)
SLOT_BIT = {s: i for i, s in enumerate(SLOTS)}
#: Meeting cadences, in order of frequency (the code is the position).
CADENCES: tuple[str, ...] = ("weekly", "fortnightly", "monthly")
#: Meeting modes (the code is the position).
MODES: tuple[str, ...] = ("in-person", "remote", "either")
IN_PERSON, REMOTE, EITHER = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Side:
    """The columns of one input table."""

    name: str  # "mentees" or "mentors"
    required: tuple[str, ...]
    optional: tuple[str, ...]
    other_only: tuple[str, ...]  # columns that belong to the other table

    @property
    def known(self) -> tuple[str, ...]:
        return self.required + self.optional


_COMMON = ("id", "organisation", "sector", "availability", "cadence", "mode", "region")
MENTEES = Side(
    "mentees",
    required=(*_COMMON, "goals"),
    optional=("seniority", "exclude"),
    other_only=("expertise", "capacity", "learning"),
)
MENTORS = Side(
    "mentors",
    required=(*_COMMON, "expertise", "capacity"),
    optional=("seniority", "exclude", "learning"),
    other_only=("goals",),
)

# ---------------------------------------------------------------------------- helpers
Parsed = tuple[Any, tuple[str, str | None] | None]


def is_missing(value: object) -> bool:
    """True for None, NaN, pandas NA and blank strings."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def split_list(value: object) -> list[str]:
    """Split a ``;``-separated string (or a list) into stripped, non-empty items."""
    if isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Series):
        items = [str(v) for v in value if not is_missing(v)]
    else:
        items = str(value).split(";")
    return [s for s in (i.strip() for i in items) if s]


def _hashable(value: object) -> object:
    if isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Series):
        return ";".join(str(v) for v in value if not is_missing(v))
    if is_missing(value):
        return None
    return value


def parse_column(
    series: pd.Series,
    parser: Callable[[object], Parsed],
    *,
    side: str,
    column: str,
    ids: Sequence[object],
    required: bool,
) -> tuple[list[Any], list[Problem]]:
    """Parse every cell of ``series`` with ``parser``; missing cells give ``None``.

    Returns the parsed values (one per row) and the problems found, one per bad row.
    """
    keys = [_hashable(v) for v in series.tolist()]
    cache: dict[tuple[type, object], Parsed] = {}
    out: list[Any] = []
    problems: list[Problem] = []
    for label, key, raw, rid in zip(series.index, keys, series.tolist(), ids, strict=True):
        if key is None or (isinstance(key, str) and not key.strip()):
            out.append(None)
            if required:
                problems.append(
                    Problem(
                        side,
                        "a value is required here but the cell is empty or NaN.",
                        row=label,
                        column=column,
                        id=rid,
                        hint=f"fill in {column!r} for this row, or remove the row.",
                    )
                )
            continue
        # key on the type too: True == 1 == 1.0 hash alike but must not share a parse
        ck = (type(key), key)
        if ck not in cache:
            cache[ck] = parser(key)
        parsed, err = cache[ck]
        out.append(parsed)
        if err is not None:
            message, hint = err
            problems.append(
                Problem(side, message, row=label, column=column, value=raw, hint=hint, id=rid)
            )
    return out, problems


def _closest(word: str, vocabulary: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(word.replace(" ", "-").replace("_", "-"), vocabulary, n=3)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    return None


def _choice(vocabulary: Sequence[str], what: str) -> Callable[[object], Parsed]:
    def parse(value: object) -> Parsed:
        key = str(value).strip().lower()
        if key in vocabulary:
            return key, None
        hint = _closest(key, vocabulary) or "use one of " + ", ".join(map(repr, vocabulary)) + "."
        return None, (f"unknown {what}.", hint)

    return parse


parse_cadence = _choice(CADENCES, "cadence")
parse_mode = _choice(MODES, "mode")


def parse_slots(value: object) -> Parsed:
    """``mon-am;wed-pm`` (or a list) -> (canonical string, bit mask)."""
    items = [s.lower() for s in split_list(value)]
    bad = [s for s in items if s not in SLOT_BIT]
    if bad:
        hints = [f"{b!r}: {_closest(b, SLOTS) or 'not a slot'}" for b in bad]
        return None, (
            f"unknown availability slot(s) {bad}.",
            "slots are day-period pairs such as 'mon-am', 'wed-pm', 'fri-eve' "
            "(days mon..sun; periods am, pm, eve), separated by ';'. " + "; ".join(hints),
        )
    if not items:
        return None, ("no availability slot given.", "list at least one slot, e.g. 'mon-am'.")
    mask = 0
    for s in items:
        mask |= 1 << SLOT_BIT[s]
    canonical = ";".join(s for s in SLOTS if mask >> SLOT_BIT[s] & 1)
    return (canonical, mask), None


_WS = re.compile(r"\s+")


def parse_labels(value: object) -> Parsed:
    """A ``;``-separated list of free labels (goals, expertise), case-folded, in order."""
    items: list[str] = []
    for s in split_list(value):
        key = _WS.sub(" ", s.lower())
        if key not in items:
            items.append(key)
    if not items:
        return None, ("the list is empty.", "give at least one item, separated by ';'.")
    return tuple(items), None


def parse_text(value: object) -> Parsed:
    """A free categorical label (organisation, region), compared case-insensitively."""
    return _WS.sub(" ", str(value).strip().casefold()), None


def parse_ids(value: object) -> Parsed:
    """A ``;``-separated list of ids of the other side, compared as text."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # integer ids in a column with NaN gaps arrive as floats (2.0)
    return tuple(dict.fromkeys(split_list(value))), None


def _as_int(value: object) -> int | None:
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        f = float(value)
        return int(f) if math.isfinite(f) and f.is_integer() else None
    if isinstance(value, str):
        s = value.strip()
        if re.fullmatch(r"[+-]?\d+", s):
            return int(s)
        if re.fullmatch(r"[+-]?\d+\.0*", s):
            return int(float(s))
    return None


def parse_capacity(value: object) -> Parsed:
    n = _as_int(value)
    if n is None:
        return None, (
            "capacity must be a whole number of mentees.",
            "use an integer >= 0 (0 means the mentor takes nobody this round).",
        )
    if n < 0:
        return None, ("capacity must not be negative.", "use an integer >= 0.")
    return n, None


def parse_seniority(value: object) -> Parsed:
    n = _as_int(value)
    if n is None:
        return None, (
            "seniority must be an integer level (higher = more senior).",
            "use whole numbers such as 3, 4, 5, or leave the cell empty if unknown.",
        )
    return n, None
