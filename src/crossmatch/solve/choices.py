"""Reading the choices: the mentees' rankings of their shortlists, and the mentors' say.

Both are validated with every problem reported at once
(:class:`~crossmatch.errors.ValidationError`, one row per problem).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, ValidationError
from ..results import Shortlists

__all__ = ["MentorChoices", "mentor_orderings", "orderings"]


@dataclass(frozen=True, slots=True)
class MentorChoices:
    """The mentors' say, in row/column positions: pairs declined, and each ranked pair's
    0-based rank in its mentor's order (renumbered 0, 1, ... from the ``preference``
    values; unranked acceptable pairs are not in ``rank``)."""

    declined: frozenset[tuple[int, int]]
    rank: dict[tuple[int, int], int]


def _whole(v: Any) -> bool:
    if isinstance(v, bool | np.bool_):
        return False
    if isinstance(v, int | np.integer):
        return True
    return isinstance(v, float | np.floating) and float(v).is_integer()


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float | np.floating) and np.isnan(v))


def mentor_orderings(shortlists: Shortlists, mentor_choices: pd.DataFrame) -> MentorChoices:
    """Validate ``mentor_choices`` (every problem at once) and read it: columns
    ``mentor_id``, ``mentee_id`` and ``preference`` (1 = first) and/or ``accept`` (False =
    declines); each row names a mentee whose shortlist shows that mentor."""
    side = "mentor_choices"
    need = ["mentor_id", "mentee_id"]
    problems = [
        Problem(
            side,
            f"required column {c!r} is missing.",
            column=c,
            hint="mentor_choices need mentor_id, mentee_id and preference and/or accept.",
        )
        for c in need
        if c not in mentor_choices.columns
    ]
    has_pref = "preference" in mentor_choices.columns
    has_accept = "accept" in mentor_choices.columns
    if not (has_pref or has_accept):
        problems.append(
            Problem(
                side,
                "neither 'preference' nor 'accept' is given.",
                column="preference",
                hint="add preference (1 = first) and/or accept (False = declines).",
            )
        )
    if problems:
        raise ValidationError(problems, title="invalid mentor choices")
    ee = {v: i for i, v in enumerate(shortlists.mentee_ids.tolist())}
    mr = {v: j for j, v in enumerate(shortlists.mentor_ids.tolist())}
    ii, rr = np.nonzero(shortlists.mentors >= 0)
    shown = set(zip(ii.tolist(), shortlists.mentors[ii, rr].tolist(), strict=True))
    n = len(mentor_choices)
    prefs = mentor_choices["preference"] if has_pref else pd.Series([None] * n)
    accepts = mentor_choices["accept"] if has_accept else pd.Series([None] * n)
    declined: set[tuple[int, int]] = set()
    ranked: dict[int, list[tuple[int, int]]] = {}
    seen_pair: dict[tuple[int, int], Any] = {}
    seen_pref: dict[tuple[int, int], Any] = {}
    columns = (mentor_choices["mentor_id"], mentor_choices["mentee_id"], prefs, accepts)
    for label, b, a, pref, ok in zip(mentor_choices.index, *columns, strict=True):

        def bad(
            message: str,
            column: str,
            value: Any,
            hint: str | None = None,
            row: Any = label,
            who: Any = b,
        ) -> None:
            problems.append(
                Problem(side, message, row=row, id=who, column=column, value=value, hint=hint)
            )

        j = mr.get(b)
        if j is None:
            bad("unknown mentor id.", "mentor_id", b, "use ids of the shortlisted mentors.")
            continue
        i = ee.get(a)
        if i is None:
            bad("unknown mentee id.", "mentee_id", a, "use ids of the shortlisted mentees.")
            continue
        if (i, j) not in shown:
            bad(
                "this mentee's shortlist does not show this mentor.",
                "mentee_id",
                a,
                "mentors may only answer the mentees whose shortlists show them.",
            )
            continue
        if not _missing(ok) and not isinstance(ok, bool | np.bool_):
            bad("accept must be True or False.", "accept", ok)
            continue
        no_pref = _missing(pref)
        if not no_pref and (not _whole(pref) or pref < 1):
            bad("preference must be a whole number >= 1.", "preference", pref)
            continue
        declines = not _missing(ok) and not bool(ok)
        if declines and not no_pref:
            bad(
                "a declined mentee cannot also be ranked.",
                "preference",
                pref,
                "leave preference empty where accept is False.",
            )
            continue
        if no_pref and _missing(ok):
            bad("neither a preference nor accept is given.", "preference", pref)
            continue
        if (i, j) in seen_pair:
            bad(f"duplicate answer (first in row {seen_pair[(i, j)]}).", "mentee_id", a)
            continue
        seen_pair[(i, j)] = label
        if declines:
            declined.add((i, j))
            continue
        if not no_pref:
            if (j, int(pref)) in seen_pref:
                first = seen_pref[(j, int(pref))]
                hint = "give each ranked mentee a different preference."
                bad(
                    f"duplicate preference {int(pref)} (first in row {first}).",
                    "preference",
                    pref,
                    hint,
                )
                continue
            seen_pref[(j, int(pref))] = label
            ranked.setdefault(j, []).append((int(pref), i))
    if problems:
        raise ValidationError(problems, title="invalid mentor choices")
    rank = {(i, j): r for j, items in ranked.items() for r, (_, i) in enumerate(sorted(items))}
    return MentorChoices(frozenset(declined), rank)


def orderings(shortlists: Shortlists, choices: pd.DataFrame | None) -> list[np.ndarray]:
    """Each mentee's mentors in preference order: ranked choices (by ``preference``), then
    the unranked rest of the shortlist in shortlist order. Validates ``choices``."""
    lists = [row[row >= 0] for row in shortlists.mentors]
    if choices is None:
        return lists
    if not isinstance(choices, pd.DataFrame):
        raise TypeError(f"`choices` must be a DataFrame. Got {type(choices).__name__} instead.")
    need = ["mentee_id", "mentor_id", "preference"]
    missing = [c for c in need if c not in choices.columns]
    if missing:
        raise ValidationError(
            [
                Problem(
                    "choices",
                    f"required column {c!r} is missing.",
                    column=c,
                    hint="choices need mentee_id, mentor_id, preference (1 = first).",
                )
                for c in missing
            ],
            title="invalid choices",
        )
    ee = {v: i for i, v in enumerate(shortlists.mentee_ids.tolist())}
    mr = {v: j for j, v in enumerate(shortlists.mentor_ids.tolist())}
    problems: list[Problem] = []
    ranked: dict[int, list[tuple[int, int]]] = {}
    seen_pair: dict[tuple[int, int], Any] = {}
    seen_pref: dict[tuple[int, int], Any] = {}
    columns = (choices["mentee_id"], choices["mentor_id"], choices["preference"])
    for label, a, b, pref in zip(choices.index, *columns, strict=True):

        def bad(
            message: str,
            column: str,
            value: Any,
            hint: str | None = None,
            row: Any = label,
            who: Any = a,
        ) -> None:
            problems.append(
                Problem("choices", message, row=row, id=who, column=column, value=value, hint=hint)
            )

        i = ee.get(a)
        if i is None:
            bad("unknown mentee id.", "mentee_id", a, "use ids of the shortlisted mentees.")
            continue
        j = mr.get(b)
        if j is None or j not in lists[i]:
            hint = "mentees may only rank mentors from their own shortlist."
            bad("this mentor is not on the mentee's shortlist.", "mentor_id", b, hint)
            continue
        if not _whole(pref) or pref < 1:
            bad("preference must be a whole number >= 1.", "preference", pref)
            continue
        if (i, j) in seen_pair:
            bad(f"duplicate choice (first in row {seen_pair[(i, j)]}).", "mentor_id", b)
            continue
        if (i, int(pref)) in seen_pref:
            first = seen_pref[(i, int(pref))]
            hint = "give each ranked mentor a different preference."
            bad(
                f"duplicate preference {int(pref)} (first in row {first}).",
                "preference",
                pref,
                hint,
            )
            continue
        seen_pair[(i, j)] = label
        seen_pref[(i, int(pref))] = label
        ranked.setdefault(i, []).append((int(pref), j))
    if problems:
        raise ValidationError(problems, title="invalid choices")
    out = []
    for i, row in enumerate(lists):
        first = [j for _, j in sorted(ranked.get(i, []))]
        rest = [j for j in row.tolist() if j not in set(first)]
        out.append(np.array(first + rest, dtype=np.int64))
    return out
