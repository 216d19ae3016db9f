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
- ``with_capacity``, ``for_rows``: the views ``shortlist(fixed=)`` and ``rematch`` need;
- ``without_pairs(rows, cols, reason=)``: some pairs made ineligible (``match(history=)``);
  ``pair_reason(i, j)``: why a pair is not eligible, in words;
- ``with_pairs(rows, cols, values)`` and ``price(prices, k, threshold, rows=, limit=)``:
  widening and pricing. Dense scores hold every eligible pair, so their ``price`` finds no
  new pair (only the sums) and ``with_pairs`` returns them unchanged;
- for explanations and reports: ``cohort``, ``config``, ``components`` (``[i, j]``
  lookups by name), ``source_rows`` (the cohort's row of each mentee after a ``take``;
  None: the same rows), ``excluded_keys`` (pairs excluded after scoring that the reason
  counts do not record, as sorted ``row * n_mentors + col``; dense scores record every
  exclusion in their flags, so none; ``exclusion_reasons(i, j)``: the reason recorded for
  one of them, e.g. which round of a history) and ``reason_flags_of(rows)`` (the reason bits of
  whole rows, None when the rows are not held, as for candidates).

Whether pairs are missing (``pruned``) is a property of the source, not of its type:
code that needs every pair (a full row, a count over all pairs) asks ``pruned``, never
``isinstance``. The one type check, at public doors that accept any score source, is
:func:`is_score_source` (and the :data:`SCORE_SOURCE` parameter constraint).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, Self

import numpy as np

from .._validation import Instance
from .candidates import CandidateScores
from .scores import Scores

#: The score sources there are (dense scores and candidate pairs) ...
SCORE_TYPES: tuple[type, ...] = (Scores, CandidateScores)
#: ... as a type, for public signatures and result fields.
AnyScores = Scores | CandidateScores
#: Parameter constraint (``crossmatch._validation``) for "any score source".
SCORE_SOURCE = Instance(SCORE_TYPES, "a Scores or CandidateScores object")


def is_score_source(x: Any) -> bool:
    """True if ``x`` is a source of scores (the one type check of the score kinds)."""
    return isinstance(x, SCORE_TYPES)


__all__ = ["SCORE_SOURCE", "AnyScores", "ScoreSource", "is_score_source"]


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
    def cohort(self) -> Any: ...

    @property
    def config(self) -> Any: ...

    @property
    def components(self) -> Mapping[str, Any]: ...

    @property
    def source_rows(self) -> np.ndarray | None: ...

    @property
    def excluded_keys(self) -> np.ndarray: ...

    def exclusion_reasons(self, i: int, j: int) -> list[str] | None: ...

    @property
    def pruned(self) -> bool: ...

    @property
    def cuts(self) -> tuple[np.ndarray, np.ndarray] | None: ...

    def pairs_of(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...

    def eligible_counts(self) -> np.ndarray: ...

    def reason_counts_of(self, rows: np.ndarray) -> np.ndarray: ...

    def reason_flags_of(self, rows: np.ndarray) -> np.ndarray | None: ...

    def pair_reason(self, i: int, j: int) -> str: ...

    def without_pairs(self, rows: np.ndarray, cols: np.ndarray, *, reason: str) -> Self: ...

    def with_pairs(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> Self: ...

    def price(
        self,
        prices: np.ndarray,
        k: np.ndarray,
        threshold: np.ndarray,
        *,
        rows: np.ndarray | None = ...,
        limit: int = ...,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]: ...

    def with_capacity(self, capacity: np.ndarray, *, reason: str = ...) -> Self: ...

    def for_rows(
        self, rows: np.ndarray, *, capacity: np.ndarray, exclude: tuple[np.ndarray, np.ndarray],
        reason: str,
    ) -> Self: ...  # fmt: skip
