"""Ready-made custom criteria from real programmes, and a worked example of writing your own.

A platform adds its own criteria as :class:`~crossmatch.CustomComponent` (a score in
[0, 1]) and :class:`~crossmatch.HardRule` (True where a pair is allowed). Both are
functions of the two validated tables, so any extra input column (here ``grade``,
``department`` and ``profession``) is available to them.

Example: a civil-service scheme
-------------------------------
The scheme's rules:

- the mentor must be one or two grades more senior than the mentee (hard rule);
- the mentor must come from a different department (hard rule);
- points: grade gap 2 scores +12, grade gap 1 scores +9, same profession +10.

:func:`civil_service_scheme` turns those into a :class:`~crossmatch.ScoringConfig`:
the points become one component, ``civil_service = points / 22`` in [0, 1], weighted
next to the built-in components (or alone, with ``only_points=True``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._text import plural
from .._validation import Interval, validate_params
from ..cohort.schema import is_missing
from .config import CustomComponent, HardRule, ScoringConfig

__all__ = ["CIVIL_SERVICE_GRADES", "civil_service_scheme", "grade_levels"]

#: UK civil-service grades from junior to senior; a grade's level is its position.
CIVIL_SERVICE_GRADES: tuple[str, ...] = (
    "AA", "AO", "EO", "HEO", "SEO", "G7", "G6", "SCS1", "SCS2", "SCS3",
)  # fmt: skip
_LEVEL = {g.lower(): k for k, g in enumerate(CIVIL_SERVICE_GRADES)}


def grade_levels(values: pd.Series) -> np.ndarray:
    """Grades as integer levels: civil-service grade names (``"G7"``, ``"SCS1"``...) or integers.

    Raises
    ------
    ValueError
        Naming every row whose grade is neither.
    """
    out = np.empty(len(values), dtype=np.int64)
    bad = []
    for k, (label, v) in enumerate(values.items()):
        key = str(v).strip().lower()
        if key in _LEVEL:
            out[k] = _LEVEL[key]
        elif not is_missing(v) and key.lstrip("-").isdigit():
            out[k] = int(key)
        else:
            bad.append((label, v))
    if bad:
        raise ValueError(
            f"unknown grade in {plural(len(bad), 'row')} of column {values.name!r}: {bad[:10]}. "
            f"Use one of {', '.join(CIVIL_SERVICE_GRADES)} or an integer level."
        )
    return out


@validate_params(
    {
        "grade": ["text"],
        "department": ["text"],
        "profession": ["text"],
        "points_weight": [Interval("real", 0, None)],
        "only_points": ["boolean"],
    }
)
def civil_service_scheme(
    *,
    grade: str = "grade",
    department: str = "department",
    profession: str = "profession",
    points_weight: float = 2.0,
    only_points: bool = False,
    **config: Any,
) -> ScoringConfig:
    """The rules of a civil-service mentoring scheme as a :class:`ScoringConfig`.

    Parameters
    ----------
    grade, department, profession : str
        Names of the extra input columns (on both tables) holding each person's grade
        (a grade name such as ``"G7"`` or an integer level, higher = more senior),
        department and profession.
    points_weight : float, default 2.0
        Weight of the scheme's points next to the built-in components.
    only_points : bool, default False
        Score on the scheme's points alone (built-in component weights set to 0; the
        built-in hard rules still apply).
    **config
        Any other :class:`ScoringConfig` settings.

    Examples
    --------
    >>> cfg = civil_service_scheme()
    >>> [r.name for r in cfg.rules], [c.name for c in cfg.custom]
    (['grade_gap', 'different_department'], ['civil_service'])
    """

    def gap(mentees: pd.DataFrame, mentors: pd.DataFrame) -> np.ndarray:
        return grade_levels(mentors[grade])[None, :] - grade_levels(mentees[grade])[:, None]

    def points(mentees: pd.DataFrame, mentors: pd.DataFrame) -> np.ndarray:
        g = gap(mentees, mentors)
        pts = np.where(g == 2, 12.0, np.where(g == 1, 9.0, 0.0))
        same = _casefold(mentees[profession])[:, None] == _casefold(mentors[profession])[None, :]
        return (pts + 10.0 * same) / 22.0

    def grade_rule(mentees: pd.DataFrame, mentors: pd.DataFrame) -> np.ndarray:
        return np.isin(gap(mentees, mentors), (1, 2))

    def department_rule(mentees: pd.DataFrame, mentors: pd.DataFrame) -> np.ndarray:
        return _casefold(mentees[department])[:, None] != _casefold(mentors[department])[None, :]

    if only_points:
        for name in ("sector", "goals", "availability", "seniority"):
            config.setdefault(f"{name}_weight", 0.0)
    return ScoringConfig(
        custom=(*config.pop("custom", ()), CustomComponent("civil_service", points, points_weight)),
        rules=(
            *config.pop("rules", ()),
            HardRule("grade_gap", grade_rule, "mentor not one or two grades more senior"),
            HardRule("different_department", department_rule, "same department"),
        ),
        **config,
    )


def _casefold(values: pd.Series) -> np.ndarray:
    return values.astype(str).str.strip().str.lower().to_numpy(dtype=object)
