"""The ``fixed`` pairs of :func:`crossmatch.match`, checked (``history`` and ``priority``
are read by :mod:`crossmatch.scoring.history`, shared with ``score`` and ``shortlist``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .._text import norm_id
from ..errors import Problem, ValidationError
from ..scoring.interface import ScoreSource


def _fixed_pairs(
    scores: ScoreSource, fixed: Mapping[Any, Any], per_mentee: int
) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) of the fixed pairs, checked: known ids, eligible (or excluded only by
    history), at most ``per_mentee`` per mentee and capacity per mentor."""
    ee = {v: i for i, v in enumerate(scores.mentee_ids.tolist())}
    mr = {v: j for j, v in enumerate(scores.mentor_ids.tolist())}
    problems: list[Problem] = []
    rows: list[int] = []
    cols: list[int] = []
    for a, bs in fixed.items():
        a, many = norm_id(a), isinstance(bs, list | tuple | set | np.ndarray)  # ' m1 ' = 'm1'
        items = [norm_id(b) for b in (bs if many else [bs])]
        i = ee.get(a)
        if i is None:
            problems.append(Problem("fixed", "unknown mentee id.", id=a))
            continue
        if len(set(items)) != len(items):
            problems.append(Problem("fixed", "a mentor is fixed twice.", id=a, value=items))
        if len(items) > per_mentee:
            problems.append(
                Problem(
                    "fixed",
                    f"more fixed mentors than per_mentee={per_mentee}.",
                    id=a,
                    value=items,
                    hint="raise per_mentee or fix fewer pairs.",
                )
            )
        for b in dict.fromkeys(items):
            j = mr.get(b)
            if j is None:
                problems.append(Problem("fixed", "unknown mentor id.", id=a, value=b))
                continue
            if not scores.eligible[i, j]:
                why = scores.pair_reason(i, j)
                problems.append(Problem("fixed", f"not an eligible pair ({why}).", id=a, value=b))
                continue
            rows.append(i)
            cols.append(j)
    r, c = np.asarray(rows, np.int64), np.asarray(cols, np.int64)
    load = np.bincount(c, minlength=scores.n_mentors)
    for jj in np.flatnonzero(load > scores.capacity).tolist():
        problems.append(
            Problem(
                "fixed",
                f"mentor fixed to {int(load[jj])} mentees, above capacity "
                f"{int(scores.capacity[jj])}.",
                id=scores.mentor_ids[jj],
            )
        )
    if problems:
        raise ValidationError(problems, title="invalid fixed pairs")
    return r, c
