"""`rematch`: new shortlists for pairs that did not work, leaving every other pair untouched."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..results import Assignment, Shortlists
from ..scoring import CandidateScores, Scores
from .shortlist import shortlist

__all__ = ["rematch"]

PREVIOUS = "previous mentor (rematch)"


def rematch(
    assignment: Assignment,
    scores: Scores | CandidateScores | None = None,
    *,
    mentees: Iterable[Any],
    k: int = 3,
    **options: Any,
) -> Shortlists:
    """New shortlists for some mentees of an assignment (e.g. no rapport with their mentor).

    Never proposes a mentee's previous mentor again, uses only capacity still free once
    every *other* pair is kept, and leaves every other pair untouched.

    Parameters
    ----------
    assignment : Assignment
        The current assignment.
    scores : Scores, optional
        Scores to shortlist from (default: the assignment's own).
    mentees : iterable of mentee ids
        Who to rematch.
    k : int, default 3
    **options
        Passed to :func:`shortlist` (``exposure``, ``max_per_group``, ``method``,
        ``allow_short``, ...).

    Returns
    -------
    Shortlists
        Over the rematched mentees only (``scores`` restricted to their rows, mentor
        capacities set to what is free).
    """
    if not isinstance(assignment, Assignment):
        raise TypeError(
            f"`assignment` must be an Assignment. Got {type(assignment).__name__} instead."
        )
    scores = assignment.scores if scores is None else scores
    if not isinstance(scores, Scores | CandidateScores):
        raise TypeError(f"`scores` must be a Scores object. Got {type(scores).__name__} instead.")
    if scores.n_mentees != len(assignment.mentor) or not np.array_equal(
        scores.mentee_ids, assignment.scores.mentee_ids
    ) or not np.array_equal(scores.mentor_ids, assignment.scores.mentor_ids):  # fmt: skip
        raise ValueError("`scores` must have the same mentees and mentors as the assignment.")
    wanted = list(dict.fromkeys(mentees))
    index = {v: i for i, v in enumerate(scores.mentee_ids.tolist())}
    unknown = [v for v in wanted if v not in index]
    if unknown or not wanted:
        raise ValueError(f"`mentees` must name mentees of the assignment. Unknown: {unknown[:10]}.")
    rows = np.array([index[v] for v in wanted], dtype=np.int64)
    keep = assignment.matched.copy()
    keep[rows] = False
    load = np.bincount(assignment.mentor[keep], minlength=scores.n_mentors)
    free = np.maximum(scores.capacity - load, 0)
    had = rows[assignment.mentor[rows] >= 0]
    if isinstance(scores, CandidateScores):
        # take first (cheap), then exclude in the view's rows and count what is left
        where = np.full(scores.n_mentees, -1, np.int64)
        where[rows] = np.arange(len(rows))
        cands = scores.take(rows).with_capacity(free)
        cands = cands.with_exclusions((where[had], assignment.mentor[had]), reason=PREVIOUS)
        if cands.cohort is not None:
            cands = cands.recount()
        return shortlist(cands, k=k, **options)
    previous = np.zeros(scores.shape, dtype=bool)
    previous[had, assignment.mentor[had]] = True
    sub = scores.with_capacity(free).with_exclusions(previous, reason=PREVIOUS).take(rows)
    return shortlist(sub, k=k, **options)
