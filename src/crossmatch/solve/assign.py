"""`assign`: mentors for mentees from the mentees' choices (one each by default).

- ``"rank-maximal"`` (default): everyone gets a mentor from their shortlist, capacities
  hold, and the number of first choices is as large as possible, then of second choices,
  and so on; the total score breaks the remaining ties. Solved exactly by a sequence of
  min-cost flows (:mod:`crossmatch.solve.rank_maximal`).
- ``"stable"``: mentee-proposing deferred acceptance; mentors rank mentees by their own
  ranking where given (``mentor_choices``), else by score (ties by mentee id). Mentees
  may stay unmatched, with the reason.

Mentors' declines (``mentor_choices`` with ``accept=False``) leave the mentee's list
before either method runs (:mod:`crossmatch.solve.choices`); waitlisted mentees of the
shortlists stay unmatched with their waitlist reason. Several mentors per mentee
(``per_mentee``): :mod:`crossmatch.solve.assign_many`; the fairness objective
(``objective="maxmin"``): :mod:`crossmatch.solve.assign_fair`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._log import logged
from .._validation import Instance as IsA
from .._validation import Interval, Options, check_params
from ..choices import as_choices, as_mentor_choices
from ..errors import ParameterError
from ..results import Assignment, Shortlists, rank_signature
from .assign_fair import maxmin
from .assign_many import rank_maximal_many
from .choices import MentorChoices, mentor_orderings, orderings
from .instance import id_order
from .rank_maximal import rank_maximal

__all__ = ["ASSIGN_METHODS", "ASSIGN_OBJECTIVES", "assign", "orderings"]

#: Objectives of :func:`assign` besides the method's own (None).
ASSIGN_OBJECTIVES: tuple[str, ...] = ("maxmin",)


def _stable(
    shortlists: Shortlists, lists: list[np.ndarray], mentor_rank: dict[tuple[int, int], int],
    partial: bool, per_mentee: int = 1, floor: float | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:  # fmt: skip
    """Mentee-proposing deferred acceptance (Gale-Shapley) with mentor capacities; a
    mentor prefers the mentees they ranked (in their order), then the others by score
    (ties by mentee id). With ``per_mentee`` = p > 1, a mentee holding fewer than p
    mentors proposes to the next on their list (many-to-many deferred acceptance):
    the answer is pairwise stable (see :func:`assign`). ``floor`` is not supported."""
    s = shortlists.scores
    n = len(lists)
    tiebreak = np.empty(n, dtype=np.int64)
    tiebreak[id_order(s.mentee_ids)] = np.arange(n)
    held: dict[int, list[int]] = {}
    next_choice = np.zeros(n, dtype=np.int64)
    holds: list[set[int]] = [set() for _ in range(n)]
    free = [int(r) for r in id_order(s.mentee_ids)][::-1]

    def key(i: int, j: int) -> tuple[int, float, int]:  # smaller = preferred by the mentor
        r = mentor_rank.get((i, j))
        if r is not None:
            return (0, float(r), int(tiebreak[i]))
        return (1, -float(s.total[i, j]), int(tiebreak[i]))

    while free:
        i = free.pop()
        if next_choice[i] >= len(lists[i]) or len(holds[i]) >= per_mentee:
            continue
        j = int(lists[i][next_choice[i]])
        next_choice[i] += 1
        bucket = held.setdefault(j, [])
        bucket.append(i)
        holds[i].add(j)
        if len(bucket) > int(s.capacity[j]):
            worst = max(bucket, key=lambda a: key(a, j))
            bucket.remove(worst)
            holds[worst].discard(j)
            free.append(worst)
        if i in bucket and len(holds[i]) < per_mentee:  # room for one more
            free.append(i)
    mentors = np.full((n, per_mentee), -1, dtype=np.int64)
    for i, js in enumerate(holds):
        if js:  # in the mentee's own order
            row = [int(j) for j in lists[i] if int(j) in js]
            mentors[i, : len(row)] = row
    return mentors, {}


def _rank_maximal(
    shortlists: Shortlists, lists: list[np.ndarray], mentor_rank: dict[tuple[int, int], int],
    partial: bool, per_mentee: int = 1, floor: float | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:  # fmt: skip
    """Rank-maximal: one min-cost flow per stage (:mod:`crossmatch.solve.rank_maximal`;
    :mod:`crossmatch.solve.assign_many` for several mentors per mentee)."""
    if per_mentee > 1:
        return rank_maximal_many(shortlists, lists, mentor_rank, partial, per_mentee, floor)
    mentor, info = rank_maximal(shortlists, lists, mentor_rank, partial, floor)
    return mentor.reshape(-1, 1), info


#: Registered assignment methods, by name.
ASSIGN_METHODS: dict[
    str,
    Callable[
        [Shortlists, list[np.ndarray], dict[tuple[int, int], int], bool, int, float | None],
        tuple[np.ndarray, dict[str, Any]],
    ],
] = {
    "rank-maximal": _rank_maximal,
    "stable": _stable,
}


@logged("assign")
def assign(
    shortlists: Shortlists,
    choices: Any = None,
    mentor_choices: pd.DataFrame | None = None,
    *,
    method: str = "rank-maximal",
    per_mentee: int = 1,
    objective: str | None = None,
) -> Assignment:
    """Assign mentors to mentees from the mentees' (and the mentors') choices.

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
    per_mentee : int, default 1
        The most mentors a mentee gets, all distinct and from their own list (their
        ranked choices, then the rest of their shortlist; declined pairs never).
        ``"rank-maximal"`` then maximises, lexicographically, the number of mentees with
        at least one mentor, the *pair signature* (how many assigned pairs are a
        mentee's first choice, then second, ...: ``info["pair_signature"]``), the
        mentors' rank counts and the total score, in one staged min-cost flow
        (:mod:`crossmatch.solve.assign_many`). ``"stable"`` runs many-to-many deferred
        acceptance (mentees propose while they hold fewer than ``per_mentee``): no
        mentee and mentor on their list, not paired, would both rather be -- the mentee
        because they hold fewer than ``per_mentee`` mentors or prefer this one to one
        of theirs, the mentor because they have room or prefer this mentee to one of
        theirs (pairwise stability). ``mentors`` holds every mentor (the mentee's best
        first); ``mentor`` and ``preference`` are the first's.
    objective : {None, "maxmin"}, default None
        None: the method's own objective (ranks, or stability). ``"maxmin"`` (with
        ``"rank-maximal"``): after coverage, maximise the worst-off matched mentee's
        value (their mentor's score, or the sum of their mentors' scores with
        ``per_mentee > 1``), then the rank-maximal objective under that floor
        (:mod:`crossmatch.solve.assign_fair`): ``info["floor"]``,
        ``info["price_of_fairness"]`` (the total without the floor minus the total
        with it). Exact by flows for one mentor, by MILPs for several.

    Returns
    -------
    Assignment
        Waitlisted mentees of the shortlists stay unmatched, with their waitlist reason.
        For shortlists from :func:`rematch`, the previous assignment with these mentees
        reassigned (:meth:`Assignment.merge`; one mentor per mentee only).

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
            "per_mentee": per_mentee,
            "objective": objective,
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
            "per_mentee": [Interval("int", 1, None)],
            "objective": [None, Options(ASSIGN_OBJECTIVES)],
        },
    )
    problems = []
    if objective == "maxmin" and method != "rank-maximal":
        problems.append(
            f"objective='maxmin' needs method='rank-maximal' (got {method!r}): a floor on "
            "scores and stability conflict; use method='rank-maximal' for the floor."
        )
    if per_mentee > 1 and shortlists.previous is not None:
        problems.append(
            "per_mentee > 1 cannot be merged into a previous assignment (these shortlists "
            "come from `rematch`): use per_mentee=1."
        )
    if problems:
        raise ParameterError("assign", problems)
    lists = orderings(shortlists, as_choices(choices, shortlists.mentee_ids, shortlists.mentor_ids))
    said = MentorChoices(frozenset(), {})
    if mentor_choices is not None:
        said = mentor_orderings(shortlists, as_mentor_choices(mentor_choices, shortlists))
    declined_by: dict[int, list[int]] = {}
    for i, j in sorted(said.declined):
        declined_by.setdefault(i, []).append(j)
    for i, js in declined_by.items():
        lists[i] = lists[i][~np.isin(lists[i], js)]
    partial = bool(said.declined)
    width = int(per_mentee)
    if objective == "maxmin":
        mentors, info = maxmin(ASSIGN_METHODS[method], shortlists, lists, said.rank, partial, width)
        info["objective"] = objective
    else:
        mentors, info = ASSIGN_METHODS[method](shortlists, lists, said.rank, partial, width, None)
    mentor = mentors[:, 0].copy()
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
    if per_mentee > 1:
        counts = (mentors >= 0).sum(axis=1)
        rr, kk = np.nonzero(mentors >= 0)
        ranks = [int(np.flatnonzero(lists[i] == mentors[i, k])[0]) + 1
                 for i, k in zip(rr.tolist(), kk.tolist(), strict=True)]  # fmt: skip
        info = {**info, "per_mentee": width, "coverage": int((counts > 0).sum()),
                "pairs": int(counts.sum()),
                "pair_signature": rank_signature(np.array(ranks, np.int64))}  # fmt: skip
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
        mentors=mentors,
    )
    return result if shortlists.previous is None else shortlists.previous.merge(result)
