"""One small adapter over the score sources that explanations and reports read.

Dense :class:`~crossmatch.scoring.Scores` and sparse
:class:`~crossmatch.scoring.candidates.CandidateScores` differ in how a pair's values are
found; everything in :mod:`crossmatch.reporting` reads them through :class:`Source`
only, so a change of the score types (one interface for every score source) is a change
of this module alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..scoring import CandidateScores, Scores

__all__ = ["Row", "Source", "position"]

#: Reason that :meth:`Scores.with_capacity` adds (capacity used up by other pairs).
NO_FREE_CAPACITY = "no free capacity"


@dataclass(frozen=True, slots=True)
class Row:
    """One mentee's values against every mentor.

    ``known`` is False where the value is not available (a pair that is not a candidate
    of scores without a cohort); there ``total`` is NaN and ``eligible`` False.
    :meth:`reasons` lists the hard rules excluding a pair (empty when eligible or
    unknown), read from ``flags`` (bit ``b``: ``names[b]``) and ``extra`` (rules added
    after scoring, by mentor column).
    """

    total: np.ndarray
    eligible: np.ndarray
    known: np.ndarray
    components: dict[str, np.ndarray]
    flags: np.ndarray | None = None
    names: tuple[str, ...] = ()
    extra: dict[int, list[str]] = field(default_factory=dict)

    def reasons(self, j: int) -> list[str]:
        if self.eligible[j] or not self.known[j]:
            return []
        found = []
        if self.flags is not None:
            f = int(self.flags[j])
            found = [n for b, n in enumerate(self.names) if (f >> b) & 1]
        return found + [n for n in self.extra.get(j, []) if n not in found]


def position(ids: np.ndarray, value: Any, what: str) -> int:
    """Row (or column) of an id; KeyError naming the id when unknown."""
    hits = np.flatnonzero(ids == value)
    if hits.size == 0:
        raise KeyError(f"unknown {what} id {value!r}")
    return int(hits[0])


class Source:
    """Read-only access to a :class:`Scores` or :class:`CandidateScores`."""

    def __init__(self, scores: Scores | CandidateScores) -> None:
        if not isinstance(scores, Scores | CandidateScores):
            raise TypeError(
                f"expected Scores or CandidateScores. Got {type(scores).__name__} instead."
            )
        self.scores = scores
        self.dense = isinstance(scores, Scores)
        self._kernels: Any = None
        self._rows: dict[int, Row] = {}

    # ------------------------------------------------------------------ plain attributes
    @property
    def mentee_ids(self) -> np.ndarray:
        return self.scores.mentee_ids

    @property
    def mentor_ids(self) -> np.ndarray:
        return self.scores.mentor_ids

    @property
    def n_mentees(self) -> int:
        return self.scores.n_mentees

    @property
    def n_mentors(self) -> int:
        return self.scores.n_mentors

    @property
    def capacity(self) -> np.ndarray:
        return self.scores.capacity

    @property
    def cohort(self) -> Any:
        return self.scores.cohort

    @property
    def config(self) -> Any:
        return self.scores.config

    @property
    def mentor_groups(self) -> np.ndarray | None:
        return self.scores.mentor_groups

    @property
    def reason_names(self) -> tuple[str, ...]:
        return tuple(self.scores.reason_names)

    @property
    def component_names(self) -> tuple[str, ...]:
        s = self.scores
        return tuple(s.components if isinstance(s, Scores) else s.pair_components)

    def mentee(self, mentee_id: Any) -> int:
        return position(self.mentee_ids, mentee_id, "mentee")

    def mentor(self, mentor_id: Any) -> int:
        return position(self.mentor_ids, mentor_id, "mentor")

    def cohort_row(self, i: int) -> int | None:
        """The cohort's row of mentee ``i`` (None without a cohort)."""
        s = self.scores
        if s.cohort is None:
            return None
        if isinstance(s, CandidateScores) and s.source_rows is not None:
            return int(s.source_rows[i])
        return i

    def cohort_rows(self, rows: np.ndarray) -> np.ndarray:
        """The cohort's rows of mentee rows ``rows`` (a cohort must be known)."""
        s = self.scores
        rows = np.asarray(rows, dtype=np.int64)
        if isinstance(s, CandidateScores) and s.source_rows is not None:
            return np.asarray(s.source_rows, dtype=np.int64)[rows]
        return rows

    def cut(self, i: int) -> float | None:
        """An upper bound on the score of every eligible pair of mentee ``i`` left out of
        the candidates (None for dense scores or when nothing was left out)."""
        s = self.scores
        if isinstance(s, Scores):
            return None
        v = float(s.mentee_cut[i])
        return v if np.isfinite(v) else None

    # ------------------------------------------------------------------ values
    def row(self, i: int) -> Row:
        """Mentee row ``i`` against every mentor (cached)."""
        if i not in self._rows:
            self._rows[i] = self._dense_row(i) if self.dense else self._candidate_row(i)
        return self._rows[i]

    def _dense_row(self, i: int) -> Row:
        s = self.scores
        assert isinstance(s, Scores)
        return Row(
            total=np.asarray(s.total[i], dtype=np.float64),
            eligible=np.asarray(s.eligible[i], dtype=bool),
            known=np.ones(s.n_mentors, dtype=bool),
            components={k: np.asarray(v[i], dtype=np.float64) for k, v in s.components.items()},
            flags=s.reason_flags[i],
            names=tuple(s.reason_names),
        )

    def _candidate_row(self, i: int) -> Row:
        s = self.scores
        assert isinstance(s, CandidateScores)
        m = s.n_mentors
        lo, hi = np.searchsorted(s.rows, [i, i + 1])
        cand = np.zeros(m, dtype=bool)
        cand[s.cols[lo:hi]] = True
        src = self.cohort_row(i)
        if src is None or s.cohort is None or s.config is None:  # only candidates known
            total = np.full(m, np.nan)
            total[s.cols[lo:hi]] = s.values[lo:hi]
            comps = {}
            for k, v in s.pair_components.items():
                c = np.full(m, np.nan)
                c[s.cols[lo:hi]] = v[lo:hi]
                comps[k] = c
            return Row(total, cand, cand.copy(), comps)
        if self._kernels is None:
            from ..scoring.components import Kernels

            self._kernels = Kernels(s.cohort, s.config)
        blk = self._kernels.rows(np.array([src]))
        flags = blk.flags[0]
        # exclusions made after scoring (capacity used up, previous mentors, ...)
        names = tuple(self._kernels.reason_names)
        later = [n for n in s.reason_names if n not in names]
        excluded = np.isin(i * m + np.arange(m), s.excluded_keys)
        extra: dict[int, list[str]] = {}
        for j in np.flatnonzero(excluded | (s.capacity == 0)).tolist():
            if s.capacity[j] == 0 and NO_FREE_CAPACITY in later:
                extra[j] = [NO_FREE_CAPACITY]
            elif excluded[j]:
                extra[j] = [n for n in later if n != NO_FREE_CAPACITY]
            elif flags[j] == 0:
                extra[j] = ["mentor capacity 0"]
        eligible = (flags == 0) & ~np.isin(np.arange(m), list(extra))
        return Row(
            total=np.asarray(blk.total[0], dtype=np.float64),
            eligible=eligible | cand,
            known=np.ones(m, dtype=bool),
            components={k: np.asarray(v[0], dtype=np.float64) for k, v in blk.components.items()},
            flags=flags,
            names=names,
            extra=extra,
        )

    def exclusions(self, i: int) -> list[tuple[str, int]]:
        """The rules that exclude mentee ``i``'s pairs, with how many mentors each
        excludes, most first (candidates: counted only for mentees with few options)."""
        s = self.scores
        names = s.reason_names
        if isinstance(s, Scores):
            flags = s.reason_flags[i].astype(np.uint64)
            counts = [
                int(np.count_nonzero((flags >> np.uint64(b)) & np.uint64(1)))
                for b in range(len(names))
            ]
        else:
            counts = [int(c) for c in np.asarray(s.reason_counts)[i].tolist()]
        found = [(n, c) for n, c in zip(names, counts, strict=False) if c > 0]
        return sorted(found, key=lambda t: -t[1])

    def pair_totals(self, ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
        """Total scores of known pairs (e.g. shortlist entries), float64."""
        return np.asarray(self.scores.total[ii, jj], dtype=np.float64)

    def pair_components(self, ii: np.ndarray, jj: np.ndarray) -> dict[str, np.ndarray]:
        """Each component at known pairs, float64."""
        return {
            k: np.asarray(v[ii, jj], dtype=np.float64) for k, v in self.scores.components.items()
        }

    def n_eligible(self) -> np.ndarray:
        """Eligible mentors of each mentee (in the full matrix)."""
        s = self.scores
        if isinstance(s, Scores):
            return s.eligible.sum(axis=1).astype(np.int64)
        return np.asarray(s.n_eligible, dtype=np.int64)

    def eligible_values(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Total and components of every eligible pair known here (dense: all of them;
        candidates: the candidate pairs)."""
        s = self.scores
        if isinstance(s, Scores):
            e = s.eligible
            return (
                np.asarray(s.total[e], dtype=np.float64),
                {k: np.asarray(v[e], dtype=np.float64) for k, v in s.components.items()},
            )
        return (
            np.asarray(s.values, dtype=np.float64),
            {k: np.asarray(v, dtype=np.float64) for k, v in s.pair_components.items()},
        )

    def ineligible_by_rule(self) -> tuple[pd.DataFrame, bool]:
        """Pairs each rule excludes: (table with ``reason``, ``pairs``, ``share``, complete).

        Dense scores count every pair; candidate scores know the counts only for mentees
        with few eligible mentors, so ``complete`` is False there.
        """
        s = self.scores
        n_pairs = max(1, s.n_mentees * s.n_mentors)
        if isinstance(s, Scores):
            flags = s.reason_flags.astype(np.uint64)
            counts = [
                int(np.count_nonzero((flags >> np.uint64(b)) & np.uint64(1)))
                for b in range(len(s.reason_names))
            ]
            complete = True
        else:
            counts = [int(c) for c in np.asarray(s.reason_counts).sum(axis=0).tolist()]
            counts += [0] * (len(s.reason_names) - len(counts))
            complete = False
        df = pd.DataFrame({"reason": list(s.reason_names), "pairs": counts})
        df["share"] = df["pairs"] / n_pairs
        df = df[df["pairs"] > 0].sort_values("pairs", ascending=False, kind="stable")
        return df.reset_index(drop=True), complete
