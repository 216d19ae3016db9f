"""Where the streamed passes read full rows of scores: a cohort's kernels or a dense matrix.

The solvers work on candidate pairs (:class:`~crossmatch.scoring.candidates.CandidateScores`)
whatever the scores came from; what they need from the full matrix -- pricing a set of
rows against mentor prices, widening, recounting -- goes through one small interface,
:class:`RowSource`:

- ``n_rows``, ``n_mentors`` and ``dtype`` (of the values returned);
- ``block(rows)``: the totals of a slice of rows, ``-inf`` where a pair is ineligible;
- ``rows(rr)``: the same for a sorted array of rows;
- ``pairs(r, c)``: the totals of single pairs, ``-inf`` where ineligible.

:class:`KernelSource` scores a cohort on the fly (float32, as :func:`crossmatch.score`);
:class:`MatrixSource` reads a dense matrix (float64, as given: a platform's own
:meth:`Scores.from_matrix <crossmatch.Scores.from_matrix>` or
:meth:`~crossmatch.Scores.from_frame` scores). Both are frozen and picklable, so a
process pool can run the passes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from .components import Kernels

if TYPE_CHECKING:
    from ..cohort import Cohort
    from .config import ScoringConfig

__all__ = ["KernelSource", "MatrixSource", "RowSource"]


class RowSource(Protocol):
    """Full rows of scores, read by the streamed passes (pricing, widening, counting)."""

    @property
    def n_rows(self) -> int: ...

    @property
    def n_mentors(self) -> int: ...

    @property
    def dtype(self) -> np.dtype[Any]: ...

    def block(self, rows: slice) -> np.ndarray: ...

    def rows(self, rr: np.ndarray) -> np.ndarray: ...

    def pairs(self, r: np.ndarray, c: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True, eq=False)
class KernelSource:
    """Scores of a cohort, computed block by block (float32; ``-inf`` where ineligible)."""

    cohort: Cohort
    config: ScoringConfig

    @property
    def n_rows(self) -> int:
        return int(self.cohort.n_mentees)

    @property
    def n_mentors(self) -> int:
        return int(self.cohort.n_mentors)

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtype(np.float32)

    @functools.cached_property
    def _kernels_cached(self) -> Kernels:
        return Kernels(self.cohort, self.config)

    def _kernels(self) -> Kernels:
        """The cohort's kernels, built once per source (about 20 ms at 10,000 x 2,000;
        a pass reads many blocks) and never pickled (workers build their own)."""
        return self._kernels_cached

    def __getstate__(self) -> dict[str, Any]:
        return {"cohort": self.cohort, "config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @staticmethod
    def _masked(blk: Any) -> np.ndarray:
        return np.where(blk.flags == 0, blk.total, np.float32(-np.inf))

    def block(self, rows: slice) -> np.ndarray:
        return self._masked(self._kernels().block(rows, components=False))

    def rows(self, rr: np.ndarray) -> np.ndarray:
        return self._masked(self._kernels().rows(rr, components=False))

    def pairs(self, r: np.ndarray, c: np.ndarray) -> np.ndarray:
        return self._masked(self._kernels().pairs(r, c, components=False))


@dataclass(frozen=True, eq=False)
class MatrixSource:
    """A dense score matrix and its eligibility (float64; ``-inf`` where ineligible)."""

    total: np.ndarray
    eligible: np.ndarray

    @property
    def n_rows(self) -> int:
        return int(self.total.shape[0])

    @property
    def n_mentors(self) -> int:
        return int(self.total.shape[1])

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtype(np.float64)

    def block(self, rows: slice) -> np.ndarray:
        return np.where(self.eligible[rows], self.total[rows], -np.inf)

    def rows(self, rr: np.ndarray) -> np.ndarray:
        return np.where(self.eligible[rr], self.total[rr], -np.inf)

    def pairs(self, r: np.ndarray, c: np.ndarray) -> np.ndarray:
        return np.where(self.eligible[r, c], self.total[r, c], -np.inf)
