"""`rematch`: new shortlists for pairs that did not work, leaving every other pair untouched."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from .._log import logged
from .._text import norm_id
from .._validation import Instance as IsA
from .._validation import Interval, check_params
from ..errors import ParameterError
from ..results import Assignment, Shortlists
from ..scoring import CandidateScores, Scores
from ..scoring.interface import SCORE_SOURCE, ScoreSource
from .shortlist import shortlist

__all__ = ["rematch"]

PREVIOUS = "previous mentor (rematch)"


@logged("rematch")
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
        capacities set to what is free), with ``previous=assignment``: ``assign`` on
        them returns the full assignment with these mentees reassigned.
    """
    check_params(
        "rematch",
        {"assignment": assignment, "scores": scores, "mentees": mentees, "k": k},
        {
            "assignment": [IsA(Assignment, "an Assignment")],
            "scores": [None, SCORE_SOURCE],
            "mentees": [IsA((list, tuple, set, frozenset, np.ndarray, pd.Index, pd.Series),
                            "a list of mentee ids")],
            "k": [Interval("int", 1, None)],
        },
    )  # fmt: skip
    source: ScoreSource = assignment.scores if scores is None else scores
    if source.n_mentees != len(assignment.mentor) or not np.array_equal(
        source.mentee_ids, assignment.scores.mentee_ids
    ) or not np.array_equal(source.mentor_ids, assignment.scores.mentor_ids):  # fmt: skip
        raise ParameterError(
            "rematch", ["`scores` must have the same mentees and mentors as the assignment."]
        )
    wanted = list(dict.fromkeys(norm_id(v) for v in mentees))  # ' m1 ' is 'm1'
    index = {v: i for i, v in enumerate(source.mentee_ids.tolist())}
    unknown = [v for v in wanted if v not in index]
    if unknown or not wanted:
        raise ParameterError(
            "rematch",
            [f"`mentees` must name mentees of the assignment. Unknown: {unknown[:10]}."],
        )
    rows = np.array([index[v] for v in wanted], dtype=np.int64)
    keep = assignment.matched.copy()
    keep[rows] = False
    load = np.bincount(assignment.mentor[keep], minlength=source.n_mentors)
    free = np.maximum(source.capacity - load, 0)
    had = rows[assignment.mentor[rows] >= 0]
    sub = source.for_rows(rows, capacity=free, exclude=(had, assignment.mentor[had]),
                          reason=PREVIOUS)  # fmt: skip
    return replace(shortlist(sub, k=k, **options), previous=assignment)  # type: ignore[arg-type]
