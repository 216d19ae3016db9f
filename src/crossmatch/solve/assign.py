"""`assign`: one mentor per mentee from the mentees' choices.

- ``"rank-maximal"`` (default): everyone gets a mentor from their shortlist, capacities
  hold, and the number of first choices is as large as possible, then of second choices,
  and so on; the total score breaks the remaining ties. Solved exactly by a sequence of
  min-cost flows (:mod:`crossmatch.solve.rank_maximal`).
- ``"stable"``: mentee-proposing deferred acceptance; mentors rank mentees by score
  (ties by mentee id). Mentees may stay unmatched, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._log import logged
from .._validation import Instance as IsA
from .._validation import Options, check_params
from ..choices import as_choices
from ..errors import Problem, ValidationError
from ..results import Assignment, Shortlists, rank_signature
from .instance import id_order
from .rank_maximal import rank_maximal

__all__ = ["ASSIGN_METHODS", "assign", "orderings"]


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
            [Problem("choices", f"required column {c!r} is missing.", column=c,
                     hint="choices need mentee_id, mentor_id, preference (1 = first).")
             for c in missing],
            title="invalid choices",
        )  # fmt: skip
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
        whole = isinstance(pref, int | np.integer) or (
            isinstance(pref, float | np.floating) and float(pref).is_integer()
        )
        if isinstance(pref, bool | np.bool_) or not whole or pref < 1:
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


def _stable(shortlists: Shortlists, lists: list[np.ndarray]) -> tuple[np.ndarray, dict[str, Any]]:
    """Mentee-proposing deferred acceptance (Gale-Shapley) with mentor capacities."""
    s = shortlists.scores
    n = len(lists)
    tiebreak = np.empty(n, dtype=np.int64)
    tiebreak[id_order(s.mentee_ids)] = np.arange(n)
    held: dict[int, list[int]] = {}
    next_choice = np.zeros(n, dtype=np.int64)
    mentor = np.full(n, -1, dtype=np.int64)
    free = [int(r) for r in id_order(s.mentee_ids)][::-1]

    def key(i: int, j: int) -> tuple[float, int]:  # smaller = preferred by the mentor
        return (-float(s.total[i, j]), int(tiebreak[i]))

    while free:
        i = free.pop()
        if next_choice[i] >= len(lists[i]):
            continue
        j = int(lists[i][next_choice[i]])
        next_choice[i] += 1
        bucket = held.setdefault(j, [])
        bucket.append(i)
        mentor[i] = j
        if len(bucket) > int(s.capacity[j]):
            worst = max(bucket, key=lambda a: key(a, j))
            bucket.remove(worst)
            mentor[worst] = -1
            free.append(worst)
    return mentor, {}


#: Registered assignment methods, by name.
ASSIGN_METHODS: dict[
    str, Callable[[Shortlists, list[np.ndarray]], tuple[np.ndarray, dict[str, Any]]]
] = {
    "rank-maximal": rank_maximal,
    "stable": _stable,
}


@logged("assign")
def assign(
    shortlists: Shortlists, choices: Any = None, *, method: str = "rank-maximal"
) -> Assignment:
    """Assign one mentor per mentee from the mentees' choices.

    Parameters
    ----------
    shortlists : Shortlists
    choices : DataFrame, list of records or mapping, optional
        Columns ``mentee_id``, ``mentor_id``, ``preference`` (1 = first choice), or the
        wide form ``mentee_id, choice_1, choice_2, ...`` (see :mod:`crossmatch.choices`);
        each mentee ranks some or all of their own shortlist. Mentees without choices keep the
        shortlist order; unranked entries follow the ranked ones in shortlist order.
    method : {"rank-maximal", "stable"}

    Returns
    -------
    Assignment
        For shortlists from :func:`rematch`, the previous assignment with these mentees
        reassigned (:meth:`Assignment.merge`).

    Raises
    ------
    ParameterError
        A bad parameter (a ValueError and TypeError); an unknown method lists the known
        ones.
    ValidationError
        Choices naming a mentor not on that mentee's shortlist, unknown ids, duplicate
        choices or preferences, bad preference values: all at once.
    InfeasibleError
        ("rank-maximal") if the shortlists hold no complete assignment.
    """
    check_params(
        "assign",
        {"shortlists": shortlists, "choices": choices, "method": method},
        {
            "shortlists": [IsA(Shortlists, "a Shortlists object")],
            "choices": [
                None,
                IsA(
                    (pd.DataFrame, list, tuple, Mapping),
                    "a DataFrame, a list of records or a mapping",
                ),
            ],
            "method": [Options(ASSIGN_METHODS)],
        },
    )
    lists = orderings(shortlists, as_choices(choices, shortlists.mentee_ids, shortlists.mentor_ids))
    mentor, info = ASSIGN_METHODS[method](shortlists, lists)
    preference = np.zeros(len(lists), dtype=np.int64)
    reasons: list[str | None] = []
    for i, (row, j) in enumerate(zip(lists, mentor.tolist(), strict=True)):
        if j >= 0:
            preference[i] = int(np.flatnonzero(row == j)[0]) + 1
            reasons.append(None)
        elif len(row) == 0:
            reasons.append("empty shortlist")
        else:
            reasons.append("every mentor on the list was filled by mentees they rank higher")
    result = Assignment(
        scores=shortlists.scores,
        mentor=mentor,
        preference=preference,
        reason=tuple(reasons),
        method=method,
        shortlists=shortlists,
        info={**info, "signature": rank_signature(preference)},
    )
    return result if shortlists.previous is None else shortlists.previous.merge(result)
