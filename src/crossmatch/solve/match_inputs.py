"""The inputs of :func:`crossmatch.match` beyond the scores: ``history`` (past pairs made
ineligible, priority derived), ``priority`` (classes) and ``fixed`` pairs, checked."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, ValidationError
from ..scoring.interface import ScoreSource


def _history_exclusions(
    scores: ScoreSource, history: pd.DataFrame
) -> tuple[ScoreSource, dict[str, Any]]:
    """Past pairs made ineligible, reason ``"paired before (round N)"`` (latest round)."""
    need = ["mentee_id", "mentor_id"]
    missing = [c for c in need if c not in history.columns]
    if missing:
        raise ValidationError(
            [
                Problem(
                    "history",
                    f"required column {c!r} is missing.",
                    column=c,
                    hint="history needs mentee_id, mentor_id and optionally round, outcome.",
                )
                for c in missing
            ],
            title="invalid history",
        )
    rounds = None
    if "round" in history.columns:
        rounds = pd.to_numeric(history["round"], errors="coerce")
        bad = rounds.isna() & history["round"].notna()
        if bad.any():
            raise ValidationError(
                [
                    Problem(
                        "history",
                        "round must be a number.",
                        row=k,
                        column="round",
                        value=history["round"].loc[k],
                    )
                    for k in history.index[bad.to_numpy()]
                ],
                title="invalid history",
            )
    ee = {v: i for i, v in enumerate(scores.mentee_ids.tolist())}
    mr = {v: j for j, v in enumerate(scores.mentor_ids.tolist())}
    rows = history["mentee_id"].map(ee)
    cols = history["mentor_id"].map(mr)
    known = rows.notna() & cols.notna()
    frame = pd.DataFrame(
        {
            "i": rows[known].astype(np.int64),
            "j": cols[known].astype(np.int64),
            "round": np.nan if rounds is None else rounds[known],
        }
    )
    # the latest round of each pair names it
    frame = frame.sort_values("round", na_position="first").drop_duplicates(["i", "j"], keep="last")
    out = scores
    for r, group in frame.groupby(frame["round"].fillna(-np.inf), sort=True):
        reason = "paired before" if r == -np.inf else f"paired before (round {_round_text(r)})"
        i, j = group["i"].to_numpy(), group["j"].to_numpy()
        out = out.without_pairs(i, j, reason=reason)
    # rows naming someone not in these scores (people who left); rows without a mentor
    # (waitlisted last time) only count for priority
    ignored = ~known & history["mentor_id"].notna()
    info = {"history_pairs": len(frame), "history_rows_ignored": int(ignored.sum())}
    return out, info


def _round_text(r: float) -> str:
    return str(int(r)) if float(r).is_integer() else f"{r:g}"


def _priority_classes(
    scores: ScoreSource, priority: Any, history: pd.DataFrame | None
) -> np.ndarray:
    """A class rank per mentee row (0 = highest priority) from ``priority`` (higher first).

    Without ``priority``, a ``history`` with an ``outcome`` column gives mentees whose
    latest outcome was ``"waitlisted"`` or ``"unmatched"`` (or whose latest row has no
    mentor) priority 1 over everyone else (0)."""
    n = scores.n_mentees
    if priority is None:
        if history is None:
            return np.zeros(n, np.int64)
        return _rank_classes(_history_priority(scores, history))
    if isinstance(priority, Mapping | pd.Series):
        mapping = dict(priority.items())
        known = set(scores.mentee_ids.tolist())
        unknown = [k for k in mapping if k not in known]
        missing = [v for v in scores.mentee_ids.tolist() if v not in mapping]
        problems = [
            Problem("priority", "unknown mentee id.", id=k, hint="use ids of these scores.")
            for k in unknown[:50]
        ]
        if missing:
            problems.append(
                Problem(
                    "priority",
                    f"no priority for {len(missing)} mentee(s).",
                    value=missing[:10],
                    hint="give every mentee a number (0 by default).",
                )
            )
        if problems:
            raise ValidationError(problems, title="invalid priority")
        values = [mapping[v] for v in scores.mentee_ids.tolist()]
    else:
        values = list(np.asarray(priority, dtype=object).ravel())
        if len(values) != n:
            raise ValidationError(
                [
                    Problem(
                        "priority",
                        f"needs one number per mentee row ({n}).",
                        value=f"{len(values)} values",
                    )
                ],
                title="invalid priority",
            )
    bad = [
        (k, v)
        for k, v in enumerate(values)
        if isinstance(v, bool | np.bool_)
        or not isinstance(v, numbers.Real)
        or not math.isfinite(float(v))
    ]
    if bad:
        raise ValidationError(
            [
                Problem(
                    "priority",
                    "priority must be a finite number.",
                    row=k,
                    id=scores.mentee_ids[k],
                    value=v,
                )
                for k, v in bad[:50]
            ],
            title="invalid priority",
        )
    return _rank_classes(np.asarray(values, dtype=np.float64))


def _rank_classes(values: np.ndarray) -> np.ndarray:
    _, inverse = np.unique(-values, return_inverse=True)
    return inverse.astype(np.int64)


def _history_priority(scores: ScoreSource, history: pd.DataFrame) -> np.ndarray:
    out = np.zeros(scores.n_mentees)
    if "outcome" not in history.columns and history["mentor_id"].notna().all():
        return out
    h = history
    if "round" in h.columns:
        latest = pd.to_numeric(h["round"], errors="coerce")
        h = h[latest == latest.max()] if latest.notna().any() else h
    waited = h["mentor_id"].isna()
    if "outcome" in h.columns:
        text = h["outcome"].astype(str).str.strip().str.lower()
        waited |= text.isin(["waitlisted", "unmatched", "waitlist"])
    names = set(h.loc[waited, "mentee_id"].tolist())
    out[[k for k, v in enumerate(scores.mentee_ids.tolist()) if v in names]] = 1.0
    return out


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
        items = list(bs) if isinstance(bs, list | tuple | set | np.ndarray) else [bs]
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
