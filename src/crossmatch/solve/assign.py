"""`assign`: one mentor per mentee from the mentees' choices.

- ``"rank-maximal"`` (default): everyone gets a mentor from their shortlist, capacities
  hold, and the number of first choices is as large as possible, then of second choices,
  and so on; the total score breaks the remaining ties. Solved exactly by a sequence of
  min-cost flows (:mod:`crossmatch.solve.rank_maximal`).
- ``"stable"``: mentee-proposing deferred acceptance; mentors rank mentees by their own
  ranking where given (``mentor_choices``), else by score (ties by mentee id). Mentees
  may stay unmatched, with the reason.

Mentors' declines (``mentor_choices`` with ``accept=False``) leave the mentee's list
before either method runs (:mod:`crossmatch.solve.choices`); waitlisted mentees of the
shortlists stay unmatched with their waitlist reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._log import logged
from .._validation import Instance as IsA
from .._validation import Options, check_params
from ..choices import as_choices, as_mentor_choices
from ..results import Assignment, Shortlists, rank_signature
from .choices import MentorChoices, mentor_orderings, orderings
from .instance import id_order
from .rank_maximal import rank_maximal

__all__ = ["ASSIGN_METHODS", "assign", "orderings"]


def _stable(
    shortlists: Shortlists, lists: list[np.ndarray], mentor_rank: dict[tuple[int, int], int],
    partial: bool,
) -> tuple[np.ndarray, dict[str, Any]]:  # fmt: skip
    """Mentee-proposing deferred acceptance (Gale-Shapley) with mentor capacities; a
    mentor prefers the mentees they ranked (in their order), then the others by score
    (ties by mentee id)."""
    s = shortlists.scores
    n = len(lists)
    tiebreak = np.empty(n, dtype=np.int64)
    tiebreak[id_order(s.mentee_ids)] = np.arange(n)
    held: dict[int, list[int]] = {}
    next_choice = np.zeros(n, dtype=np.int64)
    mentor = np.full(n, -1, dtype=np.int64)
    free = [int(r) for r in id_order(s.mentee_ids)][::-1]

    def key(i: int, j: int) -> tuple[int, float, int]:  # smaller = preferred by the mentor
        r = mentor_rank.get((i, j))
        if r is not None:
            return (0, float(r), int(tiebreak[i]))
        return (1, -float(s.total[i, j]), int(tiebreak[i]))

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
    str,
    Callable[
        [Shortlists, list[np.ndarray], dict[tuple[int, int], int], bool],
        tuple[np.ndarray, dict[str, Any]],
    ],
] = {
    "rank-maximal": rank_maximal,
    "stable": _stable,
}


@logged("assign")
def assign(
    shortlists: Shortlists,
    choices: Any = None,
    mentor_choices: pd.DataFrame | None = None,
    *,
    method: str = "rank-maximal",
) -> Assignment:
    """Assign one mentor per mentee from the mentees' (and the mentors') choices.

    Parameters
    ----------
    shortlists : Shortlists
    choices : DataFrame, list of records or mapping, optional
        Columns ``mentee_id``, ``mentor_id``, ``preference`` (1 = first choice), or the
        wide form ``mentee_id, choice_1, choice_2, ...`` (see :mod:`crossmatch.choices`);
        each mentee ranks some or all of their own shortlist. Mentees without choices keep the
        shortlist order; unranked entries follow the ranked ones in shortlist order.
    mentor_choices : DataFrame, optional
        The mentors' say about the mentees whose shortlists show them: columns
        ``mentor_id``, ``mentee_id`` and ``preference`` (1 = first) and/or ``accept``
        (False = the mentor declines). Pairs a mentor did not mention are acceptable and
        ranked after the ranked ones, by score. A declined pair is never assigned: it
        leaves the mentee's list, whose ranks are renumbered (``preference`` of the
        result counts only the options left), and a mentee left unmatched because of
        declines says so in ``reason``. ``"stable"``: mentors accept by their own
        ranking (score where they gave none). ``"rank-maximal"``: the mentees' ranks
        come first; the mentors' ranks then break ties (as many mentors' first choices
        as possible, then seconds, ...), then the score. With declines the
        rank-maximal assignment first serves as many mentees as possible.
    method : {"rank-maximal", "stable"}

    Returns
    -------
    Assignment
        Waitlisted mentees of the shortlists stay unmatched, with their waitlist reason.
        For shortlists from :func:`rematch`, the previous assignment with these mentees
        reassigned (:meth:`Assignment.merge`).

    Raises
    ------
    ParameterError
        A bad parameter (a ValueError and TypeError); an unknown method lists the known
        ones.
    ValidationError
        Choices (or mentor choices) naming a mentor not on that mentee's shortlist,
        unknown ids, duplicate choices or preferences, bad preference or accept values:
        all at once.
    InfeasibleError
        ("rank-maximal", without declines) if the shortlists hold no complete
        assignment.
    """
    check_params(
        "assign",
        {
            "shortlists": shortlists,
            "choices": choices,
            "mentor_choices": mentor_choices,
            "method": method,
        },
        {
            "shortlists": [IsA(Shortlists, "a Shortlists object")],
            "choices": [
                None,
                IsA(
                    (pd.DataFrame, list, tuple, Mapping),
                    "a DataFrame, a list of records or a mapping",
                ),
            ],
            "mentor_choices": [None, IsA(pd.DataFrame, "a DataFrame")],
            "method": [Options(ASSIGN_METHODS)],
        },
    )
    lists = orderings(shortlists, as_choices(choices, shortlists.mentee_ids, shortlists.mentor_ids))
    said = MentorChoices(frozenset(), {})
    if mentor_choices is not None:
        said = mentor_orderings(shortlists, as_mentor_choices(mentor_choices, shortlists))
    declined_by: dict[int, list[int]] = {}
    for i, j in sorted(said.declined):
        declined_by.setdefault(i, []).append(j)
    for i, js in declined_by.items():
        lists[i] = lists[i][~np.isin(lists[i], js)]
    mentor, info = ASSIGN_METHODS[method](shortlists, lists, said.rank, bool(said.declined))
    preference = np.zeros(len(lists), dtype=np.int64)
    reasons: list[str | None] = []
    ids = shortlists.mentor_ids
    for i, (row, j) in enumerate(zip(lists, mentor.tolist(), strict=True)):
        gone = declined_by.get(i, [])
        names = ", ".join(repr(x) for x in ids[gone].tolist())
        if j >= 0:
            preference[i] = int(np.flatnonzero(row == j)[0]) + 1
            reasons.append(None)
        elif shortlists.waitlisted[i]:
            reasons.append(shortlists.waitlist_reason[i])
        elif len(row) == 0 and gone:
            reasons.append(f"declined by every mentor on the shortlist ({names})")
        elif len(row) == 0:
            reasons.append("empty shortlist")
        elif gone:
            reasons.append(
                f"declined by {names}; every other mentor on the list was filled by "
                "mentees they rank higher"
            )
        elif method == "rank-maximal":
            reasons.append("every mentor on the list was needed for other mentees")
        else:
            reasons.append("every mentor on the list was filled by mentees they rank higher")
    if said.declined or said.rank:
        info = {**info, "declined": len(said.declined), "mentor_ranked": len(said.rank)}
    if shortlists.waitlisted.any():
        info = {**info, "waitlisted": int(shortlists.waitlisted.sum())}
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
