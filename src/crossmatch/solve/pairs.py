"""Eligible pairs in canonical order, shared by every solver: mentees and mentors sorted
by id before any model is built (so answers never depend on row order), pairs kept
sparse and sorted by (mentee, mentor). :class:`~crossmatch.solve.instance.Instance`
(shortlists) and :func:`crossmatch.match` both start from :func:`canonical_pairs`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..scoring.interface import ScoreSource
from ..scoring.scores import MAX_ABS_SCORE
from .scaling import FLOAT64_TOLERANCE

__all__ = ["Pairs", "canonical_pairs", "id_order"]


def _key(v: Any) -> tuple[int, Any]:
    if isinstance(v, bool | np.bool_):
        return (1, str(v))
    if isinstance(v, int | float | np.integer | np.floating):
        return (0, float(v))
    return (1, str(v))


def id_order(ids: np.ndarray) -> np.ndarray:
    """Positions that sort ``ids`` (numbers before text, each in natural order; a
    stable sort, so equal keys keep their order)."""
    values = np.asarray(ids).tolist()
    if values and all(type(v) is int for v in values):  # the common case, vectorised
        try:
            return np.argsort(np.array(values, dtype=np.int64), kind="stable")
        except OverflowError:
            pass
    if values and all(type(v) is str for v in values):
        return np.argsort(np.array(values, dtype=str), kind="stable")
    return np.array(sorted(range(len(ids)), key=lambda i: _key(ids[i])), dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Pairs:
    """Eligible pairs in canonical (id) order: canonical mentee ``a`` is row ``ee[a]``,
    mentor ``b`` column ``mr[b]``; pair ``p`` joins ``pi[p]`` and ``pj[p]`` with score
    ``ps[p]`` (float64), sorted by (mentee, mentor). ``tolerance``: the scores' own
    relative float precision (float32 scores are coarser than float64)."""

    ee: np.ndarray
    mr: np.ndarray
    pi: np.ndarray
    pj: np.ndarray
    ps: np.ndarray
    tolerance: float = FLOAT64_TOLERANCE

    @property
    def n(self) -> int:
        return len(self.ee)

    @property
    def m(self) -> int:
        return len(self.mr)

    def subset(self, mask: np.ndarray) -> Pairs:
        """The same mentees and mentors with the pairs in ``mask``."""
        return replace(self, pi=self.pi[mask], pj=self.pj[mask], ps=self.ps[mask])


def canonical_pairs(scores: ScoreSource, rows: np.ndarray | None = None) -> Pairs:
    """The eligible pairs of ``rows`` (every mentee by default) in canonical order;
    scores outside +-MAX_ABS_SCORE (or not finite) raise ValueError."""
    all_rows = rows is None
    rows = np.arange(scores.n_mentees) if rows is None else np.asarray(rows, np.int64)
    ee = rows[id_order(scores.mentee_ids[rows])]
    mr = id_order(scores.mentor_ids)
    rank_e = np.full(scores.n_mentees, -1, dtype=np.int64)
    rank_e[ee] = np.arange(len(ee))
    rank_m = np.empty(len(mr), dtype=np.int64)
    rank_m[mr] = np.arange(len(mr))
    ii, jj, raw = scores.pairs_of(ee)
    tol = 4 * float(np.finfo(raw.dtype).eps) if raw.dtype.kind == "f" else 0.0
    pi, pj = rank_e[ii], rank_m[jj]
    ps = np.asarray(raw, np.float64)
    identity = all_rows and _identity(ee) and _identity(mr)
    if not identity:  # else already sorted by (row, column)
        order = np.lexsort((pj, pi))
        pi, pj, ps = pi[order], pj[order], ps[order]
    if ps.size and not np.all(np.abs(ps) <= MAX_ABS_SCORE):
        bad = float(ps[~(np.abs(ps) <= MAX_ABS_SCORE)][0])
        raise ValueError(
            f"scores must be finite and within +-{MAX_ABS_SCORE:g} (MAX_ABS_SCORE) to be "
            f"solved exactly. Got {bad!r}: rescale the scores (only their order and "
            "differences matter)."
        )
    return Pairs(ee, mr, pi.astype(np.int64), pj.astype(np.int64), ps, tol)


def _identity(order: np.ndarray) -> bool:
    return bool(np.array_equal(order, np.arange(len(order))))
