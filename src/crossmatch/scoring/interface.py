"""The one interface the solvers read from any source of scores.

Dense scores (:class:`~crossmatch.Scores`, from :func:`crossmatch.score`,
:meth:`~crossmatch.Scores.from_matrix` or a long table through
:meth:`~crossmatch.Scores.from_frame`) and candidate pairs
(:class:`~crossmatch.CandidateScores`, from :func:`crossmatch.score_candidates` or
:meth:`~crossmatch.CandidateScores.from_scores`) both implement :class:`ScoreSource`, so
nothing in :mod:`crossmatch.solve` asks which one it was given:

- ids, capacities, groups and reasons: ``mentee_ids``, ``mentor_ids``, ``capacity``,
  ``mentor_groups``, ``reason_names``, ``total[i, j]`` and ``eligible[i, j]`` lookups;
- ``pairs_of(rows)``: the eligible pairs known for some mentees, with their scores;
- ``pruned`` and ``cuts``: whether pairs were left out, and the bounds on their scores;
- ``eligible_counts()`` and ``reason_counts_of(rows)``: for diagnosing who is short;
- candidate pairs for large problems: pruned scores are candidates already, dense ones
  give theirs by :meth:`CandidateScores.from_scores`; the candidates' ``price`` pass
  (pricing a set of rows against mentor prices) reads the full scores;
- ``with_capacity``, ``for_rows``: the views ``shortlist(fixed=)`` and ``rematch`` need.
"""

from __future__ import annotations

from typing import Any, Protocol, Self

import numpy as np

__all__ = ["ScoreSource"]


class ScoreSource(Protocol):
    """What the solvers need from scores, whatever their form (see the module doc)."""

    @property
    def mentee_ids(self) -> np.ndarray: ...

    @property
    def mentor_ids(self) -> np.ndarray: ...

    @property
    def capacity(self) -> np.ndarray: ...

    @property
    def mentor_groups(self) -> np.ndarray | None: ...

    @property
    def reason_names(self) -> tuple[str, ...]: ...

    @property
    def n_mentees(self) -> int: ...

    @property
    def n_mentors(self) -> int: ...

    @property
    def shape(self) -> tuple[int, int]: ...

    @property
    def total(self) -> Any: ...

    @property
    def eligible(self) -> Any: ...

    @property
    def pruned(self) -> bool: ...

    @property
    def cuts(self) -> tuple[np.ndarray, np.ndarray] | None: ...

    def pairs_of(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...

    def eligible_counts(self) -> np.ndarray: ...

    def reason_counts_of(self, rows: np.ndarray) -> np.ndarray: ...

    def with_capacity(self, capacity: np.ndarray, *, reason: str = ...) -> Self: ...

    def for_rows(
        self, rows: np.ndarray, *, capacity: np.ndarray, exclude: tuple[np.ndarray, np.ndarray],
        reason: str,
    ) -> Self: ...  # fmt: skip
