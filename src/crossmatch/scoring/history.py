"""Rounds with history: past pairs, and who waited last round.

A *history* is a table of ``mentee_id, mentor_id`` with optional ``round`` (a number)
and ``outcome`` (text) columns, one row per past pair; a row without a mentor, or with
outcome ``"waitlisted"`` / ``"unmatched"``, records a mentee who waited. Shared by every
step that takes ``history=`` (:func:`crossmatch.score`, :func:`crossmatch.shortlist`):

- :func:`history_pairs` checks the table (every problem at once) and returns the past
  pairs of the given ids with their reasons, ``"paired before (round N)"`` (the latest
  round of the pair), or ``"paired before"`` without a round;
- :func:`apply_history` makes those pairs ineligible in any score source (one reason bit
  per round, so reports say which round);
- :func:`priority_classes` turns ``priority=`` (a number per mentee, higher first: a
  mapping id -> number or one number per row) into class ranks (0 = highest), or, without
  ``priority``, derives it from the history: mentees who waited in the latest round come
  first.

Rows naming people not in the scores (who left the programme) are not errors: they are
skipped and counted (``ignored`` of :class:`HistoryPairs`).
"""

from __future__ import annotations

import logging
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._text import norm_id, norm_id_columns, plural
from ..errors import Problem, ValidationError

__all__ = [
    "WAITED",
    "HistoryPairs",
    "apply_history",
    "check_history",
    "history_pairs",
    "history_priority",
    "priority_classes",
]

logger = logging.getLogger("crossmatch")

#: Outcomes (compared lower-case, stripped) that mean the mentee waited that round.
WAITED = frozenset({"waitlisted", "waitlist", "unmatched"})


@dataclass(frozen=True, slots=True)
class HistoryPairs:
    """Past pairs in row/column positions of some scores, with their reason texts."""

    rows: np.ndarray
    cols: np.ndarray
    reasons: tuple[str, ...]
    ignored: int

    def __len__(self) -> int:
        return len(self.rows)


def round_text(r: float) -> str:
    """``3`` for 3.0, ``2.5`` for 2.5."""
    return str(int(r)) if float(r).is_integer() else f"{r:g}"


def check_history(history: Any) -> pd.DataFrame:
    """``history`` checked: a DataFrame with ``mentee_id`` and ``mentor_id`` columns, a
    mentee on every row, numeric ``round`` where given, text ``outcome``; every problem
    in one :class:`~crossmatch.errors.ValidationError`."""
    if not isinstance(history, pd.DataFrame):
        raise ValidationError(
            [
                Problem(
                    "history",
                    "history must be a DataFrame.",
                    value=type(history).__name__,
                    hint="read it with pandas.read_csv (columns mentee_id, mentor_id, "
                    "round, outcome).",
                )
            ],
            title="invalid history",
        )
    problems: list[Problem] = []
    for c in ("mentee_id", "mentor_id"):
        if c not in history.columns:
            problems.append(
                Problem(
                    "history",
                    f"required column {c!r} is missing.",
                    column=c,
                    hint="history needs mentee_id, mentor_id and optionally round, outcome.",
                )
            )
    if "mentee_id" in history.columns:
        for k in history.index[history["mentee_id"].isna().to_numpy()][:50]:
            problems.append(Problem("history", "mentee_id is missing.", row=k, column="mentee_id"))
    if "round" in history.columns:
        rounds = pd.to_numeric(history["round"], errors="coerce")
        bad = (rounds.isna() & history["round"].notna()) | ~np.isfinite(rounds.fillna(0))
        for k in history.index[bad.to_numpy()][:50]:
            problems.append(
                Problem(
                    "history",
                    "round must be a number.",
                    row=k,
                    column="round",
                    value=history["round"].loc[k],
                )
            )
    if "outcome" in history.columns:
        for k, v in history["outcome"].items():
            if not (v is None or isinstance(v, str) or (isinstance(v, float) and math.isnan(v))):
                problems.append(
                    Problem(
                        "history",
                        "outcome must be text.",
                        row=k,
                        column="outcome",
                        value=v,
                        hint="e.g. 'matched', 'waitlisted', 'unmatched'.",
                    )
                )
    if problems:
        raise ValidationError(problems, title="invalid history")
    return norm_id_columns(history)  # ' m1 ' is 'm1', as at intake


def history_pairs(mentee_ids: np.ndarray, mentor_ids: np.ndarray, history: Any) -> HistoryPairs:
    """The past pairs of ``history`` among these ids: positions and reasons ("paired
    before (round N)", N the latest round of the pair; "paired before" without one)."""
    h = check_history(history)
    ee = {v: i for i, v in enumerate(np.asarray(mentee_ids).tolist())}
    mr = {v: j for j, v in enumerate(np.asarray(mentor_ids).tolist())}
    rows = h["mentee_id"].map(ee)
    cols = h["mentor_id"].map(mr)
    known = rows.notna() & cols.notna()
    rounds = (
        pd.to_numeric(h["round"], errors="coerce")
        if "round" in h.columns
        else pd.Series(np.nan, index=h.index)
    )
    frame = pd.DataFrame(
        {
            "i": rows[known].astype(np.int64),
            "j": cols[known].astype(np.int64),
            "round": rounds[known].astype(np.float64),
        }
    )
    frame = frame.sort_values("round", na_position="first", kind="stable")
    frame = frame.drop_duplicates(["i", "j"], keep="last")
    reasons = tuple(
        "paired before" if math.isnan(r) else f"paired before (round {round_text(r)})"
        for r in frame["round"].tolist()
    )
    unknown = ~known & h["mentor_id"].notna()
    ignored = int(unknown.sum())
    if ignored:
        who = [
            f"{a!r}-{b!r}"
            for a, b in zip(h.loc[unknown, "mentee_id"], h.loc[unknown, "mentor_id"], strict=True)
        ]
        logger.warning(
            "history: %s a mentee or mentor not in these scores and are skipped "
            "(people who left; otherwise check the ids): %s%s",
            plural(ignored, "row") + (" names" if ignored == 1 else " name"),
            ", ".join(who[:5]),
            " ..." if ignored > 5 else "",
        )
    return HistoryPairs(
        frame["i"].to_numpy(np.int64), frame["j"].to_numpy(np.int64), reasons, ignored
    )


def apply_history(
    scores: Any, history: Any, *, keep: Mapping[Any, Any] | None = None
) -> tuple[Any, dict[str, Any]]:
    """``scores`` (any score source with ``with_exclusions``) with the past pairs of
    ``history`` ineligible, one reason per round; and info (``history_pairs``,
    ``history_rows_ignored``). ``keep``: mentee id -> mentor id (or a list of them),
    pairs that continue (``fixed``) and so stay eligible."""
    hp = history_pairs(scores.mentee_ids, scores.mentor_ids, history)
    kept: set[tuple[Any, Any]] = set()
    for a, bs in (keep or {}).items():
        for b in bs if isinstance(bs, list | tuple | set | np.ndarray) else [bs]:
            kept.add((a, b))
    ee, mr = scores.mentee_ids, scores.mentor_ids
    out = scores
    by_reason: dict[str, list[int]] = {}
    for k, text in enumerate(hp.reasons):
        if (ee[hp.rows[k]], mr[hp.cols[k]]) in kept:
            continue
        by_reason.setdefault(text, []).append(k)
    for text, ks in by_reason.items():
        i, j = hp.rows[ks], hp.cols[ks]
        if scores.pruned:
            out = out.with_exclusions((i, j), reason=text)
        else:
            mask = np.zeros(out.shape, dtype=bool)
            mask[i, j] = True
            out = out.with_exclusions(mask, reason=text)
    return out, {"history_pairs": len(hp), "history_rows_ignored": hp.ignored}


def history_priority(mentee_ids: np.ndarray, history: Any) -> np.ndarray:
    """1.0 for mentees who waited in the latest round of ``history`` (a row without a
    mentor, or outcome in :data:`WAITED`), 0.0 for everyone else."""
    h = check_history(history)
    ids = np.asarray(mentee_ids).tolist()
    out = np.zeros(len(ids))
    if "round" in h.columns:
        latest = pd.to_numeric(h["round"], errors="coerce")
        if latest.notna().any():
            h = h[latest == latest.max()]
    waited = h["mentor_id"].isna()
    if "outcome" in h.columns:
        waited |= h["outcome"].astype(str).str.strip().str.lower().isin(WAITED)
    names = set(h.loc[waited, "mentee_id"].tolist())
    out[[k for k, v in enumerate(ids) if v in names]] = 1.0
    return out


def priority_classes(mentee_ids: np.ndarray, priority: Any, history: Any = None) -> np.ndarray:
    """A class rank per mentee row (0 = highest priority) from ``priority`` (a number per
    mentee, higher first: a mapping id -> number, or one number per row); without it,
    from ``history`` (:func:`history_priority`); without either, one class."""
    ids = np.asarray(mentee_ids).tolist()
    n = len(ids)
    if priority is None:
        if history is None:
            return np.zeros(n, np.int64)
        return _rank_classes(history_priority(mentee_ids, history))
    problems: list[Problem] = []
    if isinstance(priority, Mapping | pd.Series):
        mapping = {norm_id(k): v for k, v in priority.items()}  # ' m1 ' is 'm1'
        known = set(ids)
        problems += [
            Problem("priority", "unknown mentee id.", id=k, hint="use ids of these scores.")
            for k in mapping
            if k not in known
        ][:50]
        missing = [v for v in ids if v not in mapping]
        if missing:
            problems.append(
                Problem(
                    "priority",
                    f"no priority for {plural(len(missing), 'mentee')}.",
                    value=missing[:10],
                    hint="give every mentee a number (0 by default).",
                )
            )
        values = [mapping.get(v, 0) for v in ids]
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
    for k, v in enumerate(values):
        if (
            isinstance(v, bool | np.bool_)
            or not isinstance(v, numbers.Real)
            or not math.isfinite(float(v))
        ):
            problems.append(
                Problem("priority", "priority must be a finite number.", row=k, id=ids[k], value=v)
            )
    if problems:
        raise ValidationError(problems[:50], title="invalid priority")
    return _rank_classes(np.asarray(values, dtype=np.float64))


def _rank_classes(values: np.ndarray) -> np.ndarray:
    _, inverse = np.unique(-values, return_inverse=True)
    return inverse.astype(np.int64)
