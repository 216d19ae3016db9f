"""One small adapter over the score sources that explanations and reports read.

It reads any :class:`~crossmatch.scoring.interface.ScoreSource` through that interface
only (dense :class:`~crossmatch.scoring.Scores`, sparse
:class:`~crossmatch.scoring.candidates.CandidateScores`): where pairs were pruned
(``pruned``), a whole row is scored again from the cohort's kernels when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._text import norm_id
from .._validation import Instance
from ..results import Assignment, Shortlists
from ..scoring.interface import SCORE_TYPES, ScoreSource, is_score_source

__all__ = ["RESULT", "Result", "Row", "Source", "position", "result_kind", "scores_of"]

#: What reports, plots and explanations describe.
Result = ScoreSource | Shortlists | Assignment
#: Parameter constraint (``crossmatch._validation``) for a :data:`Result`.
RESULT = Instance(
    (*SCORE_TYPES, Shortlists, Assignment), "a Scores, CandidateScores, Shortlists or Assignment"
)


def scores_of(result: Any) -> ScoreSource:
    """The scores of a result (the scores themselves when given scores)."""
    return result if is_score_source(result) else result.scores


def result_kind(result: Any) -> str:
    """``"assignment"``, ``"shortlists"``, ``"candidates"`` (scores with pairs pruned) or
    ``"scores"``: the label reports and plots give a result."""
    if isinstance(result, Assignment):
        return "assignment"
    if isinstance(result, Shortlists):
        return "shortlists"
    return "candidates" if result.pruned else "scores"


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
    hits = np.flatnonzero(ids == norm_id(value))  # ' m1 ' is 'm1', as at intake
    if hits.size == 0:
        raise KeyError(f"unknown {what} id {value!r}")
    return int(hits[0])


class Source:
    """Read-only access to any score source (:class:`Scores`, :class:`CandidateScores`)."""

    def __init__(self, scores: ScoreSource) -> None:
        if not is_score_source(scores):
            raise TypeError(
                f"expected Scores or CandidateScores. Got {type(scores).__name__} instead."
            )
        self.scores = scores
        self.dense = not scores.pruned
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
        return tuple(self.scores.components)

    def mentee(self, mentee_id: Any) -> int:
        return position(self.mentee_ids, mentee_id, "mentee")

    def mentor(self, mentor_id: Any) -> int:
        return position(self.mentor_ids, mentor_id, "mentor")

    def cohort_row(self, i: int) -> int | None:
        """The cohort's row of mentee ``i`` (None without a cohort)."""
        s = self.scores
        if s.cohort is None:
            return None
        if s.source_rows is not None:
            return int(s.source_rows[i])
        return i

    def cohort_rows(self, rows: np.ndarray) -> np.ndarray:
        """The cohort's rows of mentee rows ``rows`` (a cohort must be known)."""
        s = self.scores
        rows = np.asarray(rows, dtype=np.int64)
        if s.source_rows is not None:
            return np.asarray(s.source_rows, dtype=np.int64)[rows]
        return rows

    def cut(self, i: int) -> float | None:
        """An upper bound on the score of every eligible pair of mentee ``i`` left out of
        the candidates (None for dense scores or when nothing was left out)."""
        cuts = self.scores.cuts
        if cuts is None:
            return None
        v = float(cuts[0][i])
        return v if np.isfinite(v) else None

    # ------------------------------------------------------------------ values
    def row(self, i: int) -> Row:
        """Mentee row ``i`` against every mentor (cached)."""
        if i not in self._rows:
            self._rows[i] = self._dense_row(i) if self.dense else self._candidate_row(i)
        return self._rows[i]

    def _dense_row(self, i: int) -> Row:
        """Row ``i`` of scores that hold every pair."""
        s = self.scores
        flags = s.reason_flags_of(np.array([i]))
        return Row(
            total=np.asarray(s.total[i], dtype=np.float64),
            eligible=np.asarray(s.eligible[i], dtype=bool),
            known=np.ones(s.n_mentors, dtype=bool),
            components={k: np.asarray(v[i], dtype=np.float64) for k, v in s.components.items()},
            flags=None if flags is None else flags[0],
            names=tuple(s.reason_names),
        )

    def _candidate_row(self, i: int) -> Row:
        """Row ``i`` of pruned scores: scored again from the cohort's kernels, or only
        the pairs held when there is no cohort."""
        s = self.scores
        m = s.n_mentors
        ii, held, vals = s.pairs_of(np.array([i]))
        cand = np.zeros(m, dtype=bool)
        cand[held] = True
        src = self.cohort_row(i)
        if src is None or s.cohort is None or s.config is None:  # only candidates known
            total = np.full(m, np.nan)
            total[held] = vals
            comps = {}
            for k, v in s.components.items():
                c = np.full(m, np.nan)
                c[held] = v[ii, held]
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
                extra[j] = s.exclusion_reasons(i, j) or [n for n in later if n != NO_FREE_CAPACITY]
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
        counts = [int(c) for c in s.reason_counts_of(np.array([i]))[0].tolist()]
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
        return np.asarray(self.scores.eligible_counts(), dtype=np.int64)

    def eligible_values(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Total and components of every eligible pair known here (dense: all of them;
        candidates: the candidate pairs)."""
        s = self.scores
        ii, jj, vals = s.pairs_of(np.arange(s.n_mentees))
        return (
            np.asarray(vals, dtype=np.float64),
            {k: np.asarray(v[ii, jj], dtype=np.float64) for k, v in s.components.items()},
        )

    def ineligible_by_rule(self) -> tuple[pd.DataFrame, bool]:
        """Pairs each rule excludes: (table with ``reason``, ``pairs``, ``share``, complete).

        Dense scores count every pair; candidate scores know the counts only for mentees
        with few eligible mentors, so ``complete`` is False there.
        """
        s = self.scores
        n_pairs = max(1, s.n_mentees * s.n_mentors)
        counts = [int(c) for c in s.reason_counts_of(np.arange(s.n_mentees)).sum(axis=0).tolist()]
        counts += [0] * (len(s.reason_names) - len(counts))
        complete = not s.pruned
        df = pd.DataFrame({"reason": list(s.reason_names), "pairs": counts})
        df["share"] = df["pairs"] / n_pairs
        df = df[df["pairs"] > 0].sort_values("pairs", ascending=False, kind="stable")
        return df.reset_index(drop=True), complete
