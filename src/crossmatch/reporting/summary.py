"""Summaries for coordinators: what the scores say about a cohort."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..results import Assignment
from ..scoring import Scores

__all__ = ["assignment_summary", "ineligibility_table", "score_summary"]


def ineligibility_table(scores: Scores) -> pd.DataFrame:
    """How many pairs each hard rule excludes (a pair may break several rules).

    Columns: ``reason``, ``pairs``, ``share`` (of all pairs).
    """
    flags = scores.reason_flags
    counts = [
        int(np.count_nonzero((flags >> np.asarray(b, flags.dtype)) & 1))
        for b in range(len(scores.reason_names))
    ]
    df = pd.DataFrame({"reason": list(scores.reason_names), "pairs": counts})
    df["share"] = df["pairs"] / max(1, flags.size)
    return (
        df[df["pairs"] > 0]
        .sort_values("pairs", ascending=False, kind="stable")
        .reset_index(drop=True)
    )


def score_summary(scores: Scores, *, min_options: int = 5) -> dict[str, Any]:
    """Headline figures of a score matrix, as a plain dict.

    Keys: ``n_mentees``, ``n_mentors``, ``total_capacity``, ``eligible_share``,
    ``mentees_short_of_options`` (fewer than ``min_options`` eligible mentors),
    ``mentees_without_options``, ``score`` (mean / median / p90 / max over eligible
    pairs) and ``components`` (mean of each over eligible pairs).
    """
    elig = scores.eligible
    per_mentee = elig.sum(axis=1)
    vals = scores.total[elig]
    stats = (
        {"mean": float(vals.mean()), "median": float(np.median(vals)),
         "p90": float(np.percentile(vals, 90)), "max": float(vals.max())}
        if vals.size else {"mean": np.nan, "median": np.nan, "p90": np.nan, "max": np.nan}
    )  # fmt: skip
    return {
        "n_mentees": scores.n_mentees,
        "n_mentors": scores.n_mentors,
        "total_capacity": int(scores.capacity.sum()),
        "eligible_share": float(elig.mean()) if elig.size else 0.0,
        "mentees_short_of_options": int(np.count_nonzero(per_mentee < min_options)),
        "mentees_without_options": int(np.count_nonzero(per_mentee == 0)),
        "score": stats,
        "components": {
            k: float(v[elig].mean()) if vals.size else np.nan for k, v in scores.components.items()
        },
    }


def assignment_summary(assignment: Assignment) -> dict[str, Any]:
    """Headline figures of an assignment, as a plain dict.

    Keys: ``n_mentees``, ``matched``, ``unmatched``, ``first_choice_share`` (of matched),
    ``signature`` (mentees per preference rank), ``mean_score``, ``worst_score``,
    ``mentors_used``, ``mentors_full``, ``mean_load`` (assigned / capacity over mentors
    with capacity) and ``load_histogram`` (mentors by number of mentees assigned).
    """
    s = assignment.scores
    ok = assignment.matched
    i = np.flatnonzero(ok)
    vals = s.total[i, assignment.mentor[i]].astype(np.float64)
    load = assignment.load()
    has_cap = s.capacity > 0
    return {
        "n_mentees": len(ok),
        "matched": int(ok.sum()),
        "unmatched": int((~ok).sum()),
        "first_choice_share": float(np.mean(assignment.preference[ok] == 1)) if ok.any() else 0.0,
        "signature": assignment.signature(),
        "mean_score": float(vals.mean()) if vals.size else np.nan,
        "worst_score": float(vals.min()) if vals.size else np.nan,
        "mentors_used": int((load > 0).sum()),
        "mentors_full": int(((load >= s.capacity) & has_cap).sum()),
        "mean_load": float((load[has_cap] / s.capacity[has_cap]).mean()) if has_cap.any() else 0.0,
        "load_histogram": {
            int(k): int(v) for k, v in zip(*np.unique(load, return_counts=True), strict=True)
        },
    }
