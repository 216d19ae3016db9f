"""Results of the solvers: `Shortlists` and `Assignment`, frozen, with table views.

Both keep mentor *indices* into the `Scores` they were solved from (columns of the score
matrix); ids appear only in :meth:`to_frame` / :meth:`to_records`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ._frozen import Picklable
from .scoring import Scores
from .scoring.candidates import CandidateScores
from .scoring.scores import id_column

__all__ = ["Assignment", "Shortlists", "rank_signature"]


def _readonly(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.setflags(write=False)


@dataclass(frozen=True, slots=True, eq=False)
class Shortlists(Picklable):
    """For every mentee, a ranked shortlist of mentors to choose from.

    Attributes
    ----------
    scores : Scores
        What was solved.
    mentors : ndarray of int, shape (n_mentees, k)
        Mentor column indices, best first (by score, ties by mentor id); ``-1`` pads a
        shorter list (``allow_short=True``, fixed pairs).
    recommended : ndarray of int, shape (n_mentees,)
        Each mentee's mentor in the complete assignment the shortlists contain (coverage).
    k : int
    exposure : ndarray of int
        The exposure limit used for each mentor.
    max_per_group : int or None
    objective : float
        Total score of all shortlist entries.
    bound : float
        An upper bound on the best possible objective: ``objective <= optimum <= bound``.
    status : {"optimal", "feasible"}
        "optimal" when the objective is proved optimal (up to ``1e-9`` relative).
    method : str
        The solver that produced the answer.
    info : mapping
        Timings and solver details.
    """

    scores: Scores | CandidateScores
    mentors: np.ndarray
    recommended: np.ndarray
    k: int
    exposure: np.ndarray
    max_per_group: int | None
    objective: float
    bound: float
    status: str
    method: str
    info: Any = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "info", MappingProxyType(dict(self.info)))
        _readonly(self.mentors, self.recommended, self.exposure)

    @property
    def mentee_ids(self) -> np.ndarray:
        return self.scores.mentee_ids

    @property
    def mentor_ids(self) -> np.ndarray:
        return self.scores.mentor_ids

    @property
    def n_mentees(self) -> int:
        return int(self.mentors.shape[0])

    @property
    def gap(self) -> float:
        """Relative distance to the bound: ``(bound - objective) / max(|bound|, 1e-12)``."""
        return max(0.0, (self.bound - self.objective) / max(abs(self.bound), 1e-12))

    def lengths(self) -> np.ndarray:
        """Number of mentors on each shortlist."""
        return (self.mentors >= 0).sum(axis=1)

    def to_frame(self) -> pd.DataFrame:
        """One row per shortlist entry: ``mentee_id``, ``mentor_id``, ``rank`` (1 = best),
        ``score``, one column per score component, ``recommended``."""
        ii, rr = np.nonzero(self.mentors >= 0)
        jj = self.mentors[ii, rr]
        s = self.scores
        data: dict[str, Any] = {
            "mentee_id": id_column(s.mentee_ids[ii]),
            "mentor_id": id_column(s.mentor_ids[jj]),
            "rank": rr + 1,
            "score": s.total[ii, jj].astype(np.float64),
        }
        for name, comp in s.components.items():
            data[name] = comp[ii, jj]
        data["recommended"] = self.recommended[ii] == jj
        return pd.DataFrame(data)

    def to_records(self) -> list[dict[str, Any]]:
        """The rows of :meth:`to_frame` as plain dicts (for JSON)."""
        return [
            {str(k): v for k, v in r.items()} for r in self.to_frame().to_dict(orient="records")
        ]

    def __repr__(self) -> str:
        return (
            f"Shortlists(n_mentees={self.n_mentees}, k={self.k}, objective={self.objective:.4f}, "
            f"bound={self.bound:.4f}, status={self.status!r}, method={self.method!r})"
        )

    def _repr_html_(self) -> str:
        from ._html import repr_html

        return repr_html(self)


def rank_signature(preference: np.ndarray) -> tuple[int, ...]:
    """How many mentees got their 1st, 2nd, ... choice (0 = unmatched, not counted)."""
    p = preference[preference > 0]
    if p.size == 0:
        return ()
    return tuple(int(c) for c in np.bincount(p, minlength=int(p.max()) + 1)[1:])


@dataclass(frozen=True, slots=True, eq=False)
class Assignment(Picklable):
    """One or several mentors per mentee (or an explicit reason why none).

    Attributes
    ----------
    scores : Scores
    mentor : ndarray of int, shape (n_mentees,)
        Mentor column index, ``-1`` where unmatched (with several mentors: the first of
        ``mentors``).
    preference : ndarray of int
        The rank of the assigned mentor in the mentee's own ordering (1 = first choice;
        0 where unmatched). Ranked choices come first, then unranked shortlist entries
        in shortlist order.
    reason : tuple of (str or None)
        Why a mentee is unmatched (None where matched).
    method : str
    shortlists : Shortlists or None
    info : mapping
        Solver details (for "rank-maximal": ``signature``, the number of mentees getting
        their 1st, 2nd, ... choice).
    mentors : ndarray of int, shape (n_mentees, per_mentee)
        Every mentor of each mentee (best first), ``-1`` padded; one column (``mentor``)
        when not given.
    """

    scores: Scores | CandidateScores
    mentor: np.ndarray
    preference: np.ndarray
    reason: tuple[str | None, ...]
    method: str
    shortlists: Shortlists | None = None
    info: Any = field(default_factory=dict)
    mentors: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.int64))

    def __post_init__(self) -> None:
        object.__setattr__(self, "info", MappingProxyType(dict(self.info)))
        many = np.asarray(self.mentors, dtype=np.int64)
        if many.shape == (0, 1) and len(self.mentor):  # not given: the one mentor
            many = np.asarray(self.mentor, dtype=np.int64).reshape(-1, 1).copy()
        elif (
            many.ndim != 2
            or many.shape[0] != len(self.mentor)
            or not np.array_equal(many[:, 0], self.mentor)
        ):
            raise ValueError("`mentors` must be (n_mentees, k) with `mentor` as its first column")
        object.__setattr__(self, "mentors", many)
        _readonly(self.mentor, self.preference, self.mentors)

    @property
    def mentee_ids(self) -> np.ndarray:
        return self.scores.mentee_ids

    @property
    def matched(self) -> np.ndarray:
        return self.mentor >= 0

    @property
    def per_mentee(self) -> int:
        """Columns of ``mentors``: the most mentors a mentee can have here."""
        return int(self.mentors.shape[1])

    @property
    def total_score(self) -> float:
        """Sum of the scores of every assigned pair."""
        i, k = np.nonzero(self.mentors >= 0)
        return float(self.scores.total[i, self.mentors[i, k]].astype(np.float64).sum())

    def counts(self) -> np.ndarray:
        """Number of mentors of each mentee."""
        return (self.mentors >= 0).sum(axis=1)

    def signature(self) -> tuple[int, ...]:
        """How many mentees got their 1st, 2nd, ... choice."""
        return rank_signature(self.preference)

    def load(self) -> np.ndarray:
        """Mentees assigned to each mentor."""
        m = self.scores.n_mentors
        return np.bincount(self.mentors[self.mentors >= 0], minlength=m)

    def to_frame(self) -> pd.DataFrame:
        """``mentee_id``, ``mentor_id`` (missing where unmatched), ``preference``, ``score``,
        ``reason``.

        With several mentors per mentee (``per_mentee > 1``): one row per pair, in mentee
        order, best mentor first, plus a ``slot`` column (1 = the mentee's first mentor,
        who carries ``preference``); an unmatched mentee has one row, mentor missing."""
        if self.per_mentee > 1:
            return self._pairs_frame()
        s = self.scores
        ok = self.matched
        j = np.where(ok, self.mentor, 0)
        i = np.arange(len(self.mentor))
        ids = np.empty(len(ok), dtype=object)
        ids[ok] = s.mentor_ids[j[ok]]
        mentor_id = id_column(ids)
        return pd.DataFrame(
            {
                "mentee_id": id_column(s.mentee_ids),
                "mentor_id": mentor_id,
                "preference": pd.Series(self.preference, dtype="Int64").mask(~ok),
                "score": np.where(ok, s.total[i, j].astype(np.float64), np.nan),
                "reason": list(self.reason),
            }
        )

    def _pairs_frame(self) -> pd.DataFrame:
        s = self.scores
        k = self.mentors.shape[1]
        has = self.mentors >= 0
        keep = has | ((np.arange(k) == 0)[None, :] & ~has[:, :1])  # unmatched: one row
        i, slot = np.nonzero(keep)
        j = self.mentors[i, slot]
        ok = j >= 0
        ids = np.empty(len(i), dtype=object)
        ids[ok] = s.mentor_ids[j[ok]]
        score = np.full(len(i), np.nan)
        score[ok] = np.asarray(s.total[i[ok], j[ok]], dtype=np.float64)
        first = ok & (slot == 0)
        return pd.DataFrame(
            {
                "mentee_id": id_column(s.mentee_ids[i]),
                "mentor_id": id_column(ids),
                "slot": pd.Series(slot + 1, dtype="Int64").mask(~ok),
                "preference": pd.Series(self.preference[i], dtype="Int64").mask(~first),
                "score": score,
                "reason": [self.reason[r] for r in i.tolist()],
            }
        )

    def to_records(self) -> list[dict[str, Any]]:
        return [
            {str(k): v for k, v in r.items()} for r in self.to_frame().to_dict(orient="records")
        ]

    def __repr__(self) -> str:
        if self.per_mentee > 1:
            return (
                f"Assignment(n_mentees={len(self.mentor)}, matched={int(self.matched.sum())}, "
                f"pairs={int((self.mentors >= 0).sum())}, per_mentee={self.per_mentee}, "
                f"method={self.method!r})"
            )
        return (
            f"Assignment(n_mentees={len(self.mentor)}, matched={int(self.matched.sum())}, "
            f"method={self.method!r}, signature={self.signature()})"
        )

    def _repr_html_(self) -> str:
        from ._html import repr_html

        return repr_html(self)
