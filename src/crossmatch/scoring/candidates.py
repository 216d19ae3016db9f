"""Candidate pairs for large cohorts: blockwise scoring straight into a sparse `Scores`.

At national scale (10^5 mentees x 10^4 mentors = 10^9 pairs) the dense matrix does not
fit, and most pairs could never be on a shortlist anyway. :func:`score_candidates`
streams the scores block by block (never holding more than a block) and keeps, for
every mentee, their ``per_mentee`` best eligible mentors *and*, for every mentor, their
``per_mentor`` best eligible mentees, so popular mentors cannot crowd everyone else out
of the candidate set. It also records what the solvers need to *prove* that nothing
better was pruned away:

- ``mentee_cut[i]`` / ``mentor_cut[j]``: an upper bound on the score of every eligible
  pair of mentee ``i`` (mentor ``j``) that was not kept (``-inf``: none was dropped);
- ``n_eligible[i]``: how many eligible mentors mentee ``i`` has in the full matrix, and
  the rule counts behind it for mentees with few.

The solvers (:func:`crossmatch.shortlist`) turn those into a valid upper bound for the
*unpruned* problem, and widen the candidate set with :meth:`CandidateScores.price`
(one more streamed pass) when the bound says a pruned pair might help.

Work is split into chunks of mentee rows that run on any
:class:`concurrent.futures.Executor` (threads, processes, or a Dask cluster through
``distributed.Client.get_executor()``); chunks and their merge order are fixed, so the
answer is the same whichever executor runs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._csv import write_csv
from .._frozen import Picklable
from .._log import logged, progress_enabled
from .._validation import Instance, Interval, validate_params
from .components import Kernels
from .engine import DEFAULT_BLOCK_PAIRS, SCORE_PARAMS, _block_rows, _kernels
from .history import history_pairs
from .scores import Scores, id_column
from .source import KernelSource, MatrixSource, RowSource

if TYPE_CHECKING:
    from ..cohort import Cohort
    from ..intake import IntakeSpec
    from .config import ScoringConfig

__all__ = ["CandidateScores", "PairLookup", "score_candidates"]

#: Mentee rows per task handed to an executor (fixed, so answers never depend on it).
CHUNK_ROWS = 4096
#: A pricing pass scores pairs one by one (not whole rows) when under 1/SPARSE_SHARE
#: of its rows' pairs can beat their thresholds.
SPARSE_SHARE = 8
#: Relative slack of that test, against rounding (a pair near the line is scored).
PRICE_SLACK = 1e-9
F32 = np.float32


# ---------------------------------------------------------------------------- lookups
class PairLookup:
    """``view[rows, cols]`` over sparse pairs, like indexing a dense matrix.

    Integer (arrays of) rows and columns broadcast as in NumPy; pairs that are not
    candidates give ``missing`` (NaN for scores, False for eligibility).
    """

    __slots__ = ("_keys", "_m", "_missing", "_values", "shape")

    def __init__(
        self, keys: np.ndarray, values: np.ndarray, shape: tuple[int, int], missing: Any
    ) -> None:
        self._keys, self._values, self._m, self._missing = keys, values, shape[1], missing
        self.shape = shape

    def __getitem__(self, index: tuple[Any, Any]) -> Any:
        if not (isinstance(index, tuple) and len(index) == 2):
            raise TypeError("index candidate pairs with [rows, cols] (integers or arrays)")
        r, c = np.broadcast_arrays(np.asarray(index[0]), np.asarray(index[1]))
        if r.dtype.kind not in "iu" or c.dtype.kind not in "iu":
            raise TypeError("candidate pairs are indexed by integer rows and columns")
        n, m = self.shape
        if r.size and (r.min() < -n or r.max() >= n or c.min() < -m or c.max() >= m):
            raise IndexError(f"pair index out of range for shape {self.shape}")
        key = np.where(r < 0, r + n, r).astype(np.int64) * m + np.where(c < 0, c + m, c)
        pos = np.searchsorted(self._keys, key)
        pos = np.minimum(pos, max(len(self._keys) - 1, 0))
        hit = (self._keys[pos] == key) if len(self._keys) else np.zeros(key.shape, bool)
        fill = np.asarray(self._missing, dtype=self._values.dtype)
        out = np.where(hit, self._values[pos] if len(self._keys) else fill, fill)
        return out[()] if out.ndim == 0 else out


# ---------------------------------------------------------------------------- result
@dataclass(frozen=True, slots=True, eq=False)
class CandidateScores(Picklable):
    """Scores of candidate pairs only (sparse), with what proves nothing better was dropped.

    Made by :func:`score_candidates`. Accepted wherever :class:`Scores` is by
    :func:`crossmatch.shortlist`, :func:`crossmatch.assign`,
    :func:`crossmatch.simulate_choices` and :func:`crossmatch.rematch`.

    Attributes
    ----------
    rows, cols : ndarray of int64
        The candidate pairs (mentee row, mentor column), sorted by row then column.
        Every candidate is eligible.
    values : ndarray of float32
        Their total scores.
    pair_components : mapping of str to ndarray
        Each component's value at the candidate pairs.
    total, eligible : PairLookup
        ``total[i, j]`` (NaN off the candidates) and ``eligible[i, j]`` (False off them),
        indexed like the dense arrays of :class:`Scores`.
    n_eligible : ndarray of int64
        Eligible mentors of each mentee in the *full* matrix.
    reason_counts : ndarray of int64, (n_mentees, n_reasons)
        Per mentee, how many mentors each rule excludes; filled for mentees with fewer
        than ``per_mentee`` eligible mentors (zeros elsewhere).
    mentee_cut, mentor_cut : ndarray of float64
        Upper bounds on the score of every eligible pair not kept, by mentee and by
        mentor (``-inf`` when nothing was dropped).
    per_mentee, per_mentor : int
        The selection sizes.
    mentee_ids, mentor_ids, capacity, reason_names, weights, mentor_groups, cohort, config
        As in :class:`Scores` (after :meth:`take`, ``source_rows`` maps rows to the
        cohort's).
    """

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    n_eligible: np.ndarray
    reason_counts: np.ndarray
    mentee_cut: np.ndarray
    mentor_cut: np.ndarray
    per_mentee: int
    per_mentor: int
    reason_names: tuple[str, ...]
    mentee_ids: np.ndarray
    mentor_ids: np.ndarray
    capacity: np.ndarray
    pair_components: Mapping[str, np.ndarray] = field(default_factory=lambda: MappingProxyType({}))
    weights: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    mentor_groups: np.ndarray | None = None
    cohort: Cohort | None = None
    config: ScoringConfig | None = None
    #: Pairs excluded after scoring (e.g. previous mentors in a rematch), as sorted keys.
    excluded_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    #: The reason of each excluded pair (index into ``reason_names``, aligned with
    #: ``excluded_keys``; -1: not recorded).
    excluded_codes: np.ndarray | None = None
    #: The source row of each mentee here (None: the same rows), after :meth:`take`.
    source_rows: np.ndarray | None = None
    #: Where streamed passes read full rows (a cohort's kernels or a dense matrix);
    #: None: no pass is possible (the candidates are all there is).
    source: RowSource | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "pair_components", MappingProxyType(dict(self.pair_components)))
        object.__setattr__(self, "weights", MappingProxyType(dict(self.weights)))
        for a in (self.rows, self.cols, self.values, self.capacity, self.n_eligible,
                  self.mentee_cut, self.mentor_cut, *self.pair_components.values()):  # fmt: skip
            a.setflags(write=False)

    # ------------------------------------------------------------------ builders
    @classmethod
    def from_scores(cls, scores: Scores, *, per_mentee: int, per_mentor: int) -> CandidateScores:
        """The candidate pairs of dense scores: each mentee's ``per_mentee`` and each
        mentor's ``per_mentor`` best eligible pairs, with the cuts that bound the rest.

        The solvers use this for large dense problems: the streamed passes then read
        the matrix directly (:class:`~crossmatch.scoring.source.MatrixSource`), and
        values stay float64, exactly as given.
        """
        n = scores.n_mentees
        rows, cols, values, cut_e, cut_m = _select_dense(
            np.asarray(scores.total), np.asarray(scores.eligible), int(per_mentee), int(per_mentor)
        )
        n_elig = np.count_nonzero(scores.eligible, axis=1).astype(np.int64)
        counts = np.zeros((n, len(scores.reason_names)), np.int64)
        few = np.flatnonzero(n_elig < per_mentee)
        flags = np.asarray(scores.reason_flags)[few]
        for bit in range(len(scores.reason_names)):
            counts[few, bit] = np.count_nonzero((flags >> flags.dtype.type(bit)) & 1, axis=1)
        return cls(
            rows=rows,
            cols=cols,
            values=values,
            n_eligible=n_elig,
            reason_counts=counts,
            mentee_cut=cut_e,
            mentor_cut=cut_m,
            per_mentee=int(per_mentee),
            per_mentor=int(per_mentor),
            reason_names=tuple(scores.reason_names),
            mentee_ids=scores.mentee_ids,
            mentor_ids=scores.mentor_ids,
            capacity=np.array(scores.capacity, dtype=np.int64),
            weights=scores.weights,
            mentor_groups=scores.mentor_groups,
            source=MatrixSource(scores.total, scores.eligible),
        )

    # ------------------------------------------------------------------ shape
    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.mentee_ids), len(self.mentor_ids))

    @property
    def n_mentees(self) -> int:
        return len(self.mentee_ids)

    @property
    def n_mentors(self) -> int:
        return len(self.mentor_ids)

    @property
    def n_pairs(self) -> int:
        return len(self.rows)

    @property
    def keys(self) -> np.ndarray:
        """``row * n_mentors + col`` of each candidate (sorted)."""
        return self.rows * self.n_mentors + self.cols

    @property
    def total(self) -> PairLookup:
        return PairLookup(self.keys, self.values, self.shape, np.nan)

    @property
    def eligible(self) -> PairLookup:
        return PairLookup(self.keys, np.ones(self.n_pairs, bool), self.shape, False)

    @property
    def components(self) -> Mapping[str, PairLookup]:
        keys = self.keys
        return MappingProxyType(
            {k: PairLookup(keys, v, self.shape, np.nan) for k, v in self.pair_components.items()}
        )

    def eligible_pairs(self, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(row, col) of the eligible pairs known here, optionally of some rows only."""
        if rows is None:
            return self.rows, self.cols
        keep = np.isin(self.rows, rows)
        return self.rows[keep], self.cols[keep]

    # ------------------------------------------------------------------ the solvers' interface
    # (see crossmatch.scoring.interface.ScoreSource; Scores implements it too)
    @property
    def pruned(self) -> bool:
        """True: pairs off the candidates were pruned (``cuts`` bound their scores)."""
        return True

    @property
    def cuts(self) -> tuple[np.ndarray, np.ndarray]:
        """``(mentee_cut, mentor_cut)``: bounds on every pruned eligible pair's score."""
        return self.mentee_cut, self.mentor_cut

    def pairs_of(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(row, col, score)`` of the candidate pairs of ``rows`` (row-major order)."""
        keep = np.zeros(self.n_mentees, bool)
        keep[np.asarray(rows, dtype=np.int64)] = True
        keep = keep[self.rows]
        return self.rows[keep], self.cols[keep], self.values[keep]

    def eligible_counts(self) -> np.ndarray:
        """How many eligible mentors each mentee has in the *full* matrix."""
        return self.n_eligible

    def reason_counts_of(self, rows: np.ndarray) -> np.ndarray:
        """``(len(rows), n_reasons)``: per mentee, how many mentors each rule excludes
        (filled for mentees with few eligible mentors)."""
        return self.reason_counts[np.asarray(rows, dtype=np.int64)]

    def for_rows(
        self, rows: np.ndarray, *, capacity: np.ndarray, exclude: tuple[np.ndarray, np.ndarray],
        reason: str,
    ) -> CandidateScores:  # fmt: skip
        """The candidates of some mentees (``rows``, in order) with new mentor capacities
        and the pairs ``exclude`` (original rows, columns) made ineligible for ``reason``;
        eligibility counts are redone by one streamed pass when the source is known."""
        rows = np.asarray(rows, dtype=np.int64)
        where = np.full(self.n_mentees, -1, np.int64)
        where[rows] = np.arange(len(rows))
        r, c = (np.asarray(a, np.int64) for a in exclude)
        ok = where[r] >= 0
        out = self.take(rows).with_capacity(capacity)
        out = out.with_exclusions((where[r[ok]], c[ok]), reason=reason)
        return out.recount() if out.source is not None else out

    def reason_flags_of(self, rows: np.ndarray) -> None:
        """None: candidates hold no whole rows (a cohort's kernels can score them)."""
        return None

    def pair_reason(self, i: int, j: int) -> str:
        """Why pair ``(i, j)`` is not eligible here: it is not a candidate pair."""
        return "not a candidate pair"

    def without_pairs(self, rows: np.ndarray, cols: np.ndarray, *, reason: str) -> CandidateScores:
        """The pairs ``(rows, cols)`` made ineligible for ``reason`` (:meth:`with_exclusions`)."""
        return self.with_exclusions((rows, cols), reason=reason)

    # ------------------------------------------------------------------ variants
    def with_pairs(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> CandidateScores:
        """These scores plus more candidate pairs (e.g. found by :meth:`price`); pairs
        already here are kept as they are."""
        rows, cols = np.asarray(rows, np.int64), np.asarray(cols, np.int64)
        first = _first_by_key(rows * self.n_mentors + cols)
        key = rows[first] * self.n_mentors + cols[first]
        new = ~_contains(self.keys, key)
        rows, cols = rows[first][new], cols[first][new]
        values = np.asarray(values, self.values.dtype)[first][new]
        if not len(rows):
            return self
        comps: dict[str, np.ndarray] = {}
        if self.pair_components and self.cohort is not None and self.config is not None:
            src = rows if self.source_rows is None else self.source_rows[rows]
            block = Kernels(self.cohort, self.config).pairs(src, cols)
            comps = {k: np.asarray(v, F32) for k, v in block.components.items()}
        all_keys = np.concatenate([self.keys, rows * self.n_mentors + cols])
        order = np.argsort(all_keys, kind="stable")
        return replace(
            self,
            rows=np.concatenate([self.rows, rows])[order],
            cols=np.concatenate([self.cols, cols])[order],
            values=np.concatenate([self.values, values])[order],
            pair_components={
                k: np.concatenate([v, comps[k]])[order]
                for k, v in self.pair_components.items()
                if k in comps
            },
        )

    def with_capacity(
        self, capacity: np.ndarray, *, reason: str = "no free capacity"
    ) -> CandidateScores:
        """New mentor capacities; pairs with mentors left at 0 stop being candidates."""
        cap = np.asarray(capacity, dtype=np.int64)
        if cap.shape != self.capacity.shape or np.any(cap < 0):
            raise ValueError(f"`capacity` must be {self.n_mentors} integers >= 0.")
        zero = np.flatnonzero(cap == 0)
        pairs = _all_pairs_of(self, zero)
        out = self.with_exclusions(pairs, reason=reason)
        return replace(out, capacity=cap.copy())

    def with_exclusions(self, mask: Any, *, reason: str) -> CandidateScores:
        """The same scores with some pairs made ineligible for ``reason``.

        ``mask`` is a dense boolean ``(n_mentees, n_mentors)`` array or a pair of
        (rows, cols) integer arrays."""
        if isinstance(mask, tuple):
            r, c = (np.asarray(a, np.int64) for a in mask)
        else:
            r, c = np.nonzero(np.asarray(mask, dtype=bool))
        names = self.reason_names if reason in self.reason_names else (*self.reason_names, reason)
        key = np.sort(r.astype(np.int64) * self.n_mentors + c)
        drop = _contains(key, self.keys)
        keep = ~drop
        counts = np.zeros((self.n_mentees, len(names)), np.int64)
        counts[:, : self.reason_counts.shape[1]] = self.reason_counts
        n_elig = self.n_eligible.copy()
        if r.size:
            # full-matrix counts: drop each distinct excluded pair once (eligible or not is
            # unknown off the candidates, so only the candidates' are certain)
            np.subtract.at(n_elig, self.rows[drop], 1)
            np.add.at(counts[:, names.index(reason)], self.rows[drop], 1)
        # the first reason recorded for a pair stays
        all_keys = np.concatenate([self.excluded_keys, key])
        codes = np.concatenate([self._codes(), np.full(len(key), names.index(reason))])
        first = _first_by_key(all_keys)
        return replace(
            self,
            rows=self.rows[keep],
            cols=self.cols[keep],
            values=self.values[keep],
            pair_components={k: v[keep] for k, v in self.pair_components.items()},
            n_eligible=n_elig,
            reason_counts=counts,
            reason_names=names,
            excluded_keys=all_keys[first],
            excluded_codes=codes[first],
        )

    def _codes(self) -> np.ndarray:
        if self.excluded_codes is None:
            return np.full(len(self.excluded_keys), -1, np.int64)
        return np.asarray(self.excluded_codes, np.int64)

    def exclusion_reasons(self, i: int, j: int) -> list[str] | None:
        """Why pair ``(i, j)``, excluded after scoring (``excluded_keys``), is not
        eligible, e.g. ``["paired before (round 2)"]``; None when it is not excluded or
        its reason was not recorded."""
        key = int(i) * self.n_mentors + int(j)
        pos = int(np.searchsorted(self.excluded_keys, key))
        if pos >= len(self.excluded_keys) or self.excluded_keys[pos] != key:
            return None
        code = int(self._codes()[pos])
        return None if code < 0 else [self.reason_names[code]]

    def take(self, mentee_rows: np.ndarray) -> CandidateScores:
        """The candidates of some mentees only (rows in the given order)."""
        rows = np.asarray(mentee_rows, dtype=np.int64)
        new = np.full(self.n_mentees, -1, np.int64)
        new[rows] = np.arange(len(rows))
        keep = new[self.rows] >= 0
        r, c = new[self.rows[keep]], self.cols[keep]
        order = np.lexsort((c, r))
        ek = self.excluded_keys
        er, ec = ek // self.n_mentors, ek % self.n_mentors
        ekeep = new[er] >= 0
        moved = new[er[ekeep]] * self.n_mentors + ec[ekeep]
        eorder = np.argsort(moved, kind="stable")
        return replace(
            self,
            rows=r[order],
            cols=c[order],
            values=self.values[keep][order],
            pair_components={k: v[keep][order] for k, v in self.pair_components.items()},
            n_eligible=self.n_eligible[rows],
            reason_counts=self.reason_counts[rows],
            mentee_cut=self.mentee_cut[rows],
            mentee_ids=self.mentee_ids[rows],
            capacity=self.capacity.copy(),
            excluded_keys=moved[eorder],
            excluded_codes=self._codes()[ekeep][eorder],
            source_rows=(rows if self.source_rows is None else self.source_rows[rows]),
        )

    # ------------------------------------------------------------------ pricing
    def price(
        self,
        prices: np.ndarray,
        k: np.ndarray,
        threshold: np.ndarray,
        *,
        rows: np.ndarray | None = None,
        limit: int = 10,
        claims: Sequence[tuple[np.ndarray, np.ndarray]] = (),
        executor: Executor | None = None,
        progress: bool | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """One streamed pass over the full matrix, for the solvers' bound and widening.

        For each mentee row ``i`` (all, or ``rows``): the sum of the ``k[i]`` largest
        ``s_ij - prices[j]`` over *all* its eligible mentors, and up to ``limit`` pairs
        with ``s_ij - prices[j] > threshold[i]`` that are not candidates yet (best first).
        ``prices`` may be ``inf`` to leave a mentor out.

        The cuts bound every pair that is not a candidate (``s_ij <= min(mentee_cut[i],
        mentor_cut[j])``), and ``claims`` may add bounds the caller has proved, each
        ``(c, ref)`` saying ``s_ij - ref[j] <= c[i]`` for every such pair (``c[i] =
        inf``: no claim on row ``i``). Where those leave few pairs that could beat their
        row's threshold, only those are scored; the answer is the same.

        Returns
        -------
        topk_sum : ndarray of float64, (n_mentees,)
            NaN for rows not priced.
        new_rows, new_cols, new_values : ndarray
        """
        if self.source is None:
            raise ValueError("pricing needs the full scores (a cohort or matrix) these came from")
        n, m, big = self.n_mentees, self.n_mentors, self.source.n_rows
        src = np.arange(n) if self.source_rows is None else self.source_rows
        back = np.full(big, -1, np.int64)
        back[src] = np.arange(n)

        def lift(values: np.ndarray, fill: Any) -> np.ndarray:  # view rows -> cohort rows
            out = np.full(big, fill, dtype=np.asarray(values).dtype)
            out[src] = values
            return out

        want = np.arange(n) if rows is None else np.asarray(rows, np.int64)
        mask = np.zeros(n, bool)
        mask[want] = True
        todo = lift(mask, False)
        ek = self.excluded_keys
        task = _PriceTask(
            self.source, np.asarray(prices, np.float64),
            lift(np.asarray(k, np.int64), 0), lift(np.asarray(threshold, np.float64), np.inf),
            todo, np.sort(src[self.rows] * m + self.cols), np.sort(src[ek // m] * m + ek % m),
            max(int(limit), int(np.max(k)) if np.size(k) else 0),  # the sums need k of them
            _PairBound(lift(self.mentee_cut, -np.inf), self.mentor_cut.astype(np.float64),
                       tuple((lift(np.asarray(c, np.float64), np.inf),
                              np.asarray(ref, np.float64)) for c, ref in claims)),
        )  # fmt: skip
        chunks = [(a, b) for a, b in _chunks(big) if todo[a:b].any()]
        out_r, out_c, out_v = [], [], []
        for (_a, _b), (_sums, r, c, v) in zip(
            chunks, _run(task, chunks, executor, progress, "pricing"), strict=True
        ):
            out_r.append(r)
            out_c.append(c)
            out_v.append(v)
        r, c = back[_cat(out_r, np.int64)], _cat(out_c, np.int64)
        v = _cat(out_v, self.values.dtype)
        # the k largest s - price of a row are among its candidates and the pairs above
        # its threshold (the k-th best candidate's, or lower), all of which came back
        prices = np.asarray(prices, np.float64)
        mine = mask[self.rows]
        rows_all = np.concatenate([self.rows[mine], r])
        red = np.concatenate([self.values[mine] - prices[self.cols[mine]], v - prices[c]])
        kk = np.asarray(k, np.int64)
        order = np.lexsort((-red, rows_all))
        ro, vo = rows_all[order], red[order]
        rank = np.arange(len(ro)) - np.searchsorted(ro, ro)
        top = (rank < kk[ro]) & np.isfinite(vo)
        sums = np.bincount(ro[top], weights=vo[top], minlength=n)
        return np.where(mask, sums, np.nan), r, c, v

    def recount(
        self, *, executor: Executor | None = None, progress: bool | None = None
    ) -> CandidateScores:
        """Exact ``n_eligible`` after :meth:`with_capacity` / :meth:`with_exclusions`
        (which can only subtract the candidates they drop): one streamed pass over these
        mentees' rows, not counting mentors with capacity 0 or excluded pairs."""
        if self.source is None:
            raise ValueError(
                "recounting needs the full scores (a cohort or matrix) these came from"
            )
        n, m, big = self.n_mentees, self.n_mentors, self.source.n_rows
        src = np.arange(n) if self.source_rows is None else self.source_rows
        todo = np.zeros(big, bool)
        todo[src] = True
        ek = self.excluded_keys
        task = _CountTask(self.source, todo, self.capacity == 0,
                          np.sort(src[ek // m] * m + ek % m))  # fmt: skip
        chunks = [(a, b) for a, b in _chunks(big) if todo[a:b].any()]
        counts = np.zeros(big, np.int64)
        for (a, b), got in zip(chunks, _run(task, chunks, executor, progress, "counting"),
                               strict=True):  # fmt: skip
            counts[a:b] = got
        return replace(self, n_eligible=counts[src])

    # ------------------------------------------------------------------ output
    def to_frame(self, *, eligible_only: bool = True) -> pd.DataFrame:
        """A long table of the candidate pairs: ``mentee_id``, ``mentor_id``, ``score``,
        one column per component, ``eligible`` (always True) and ``reason`` (None)."""
        data: dict[str, Any] = {
            "mentee_id": id_column(self.mentee_ids[self.rows]),
            "mentor_id": id_column(self.mentor_ids[self.cols]),
            "score": self.values,
        }
        data.update({k: v for k, v in self.pair_components.items()})
        data["eligible"] = np.ones(self.n_pairs, bool)
        data["reason"] = np.full(self.n_pairs, None, dtype=object)
        return pd.DataFrame(data)

    def to_csv(self, path: Any = None, *, safe: bool = True) -> Any:
        """:meth:`to_frame` as CSV, formula-safe unless ``safe=False`` (see ``crossmatch._csv``)."""
        return write_csv(self.to_frame(), path, safe=safe)

    def reason_text(self, flags: np.ndarray | int) -> np.ndarray:
        """Reason strings for flag values, as :meth:`Scores.reason_text`."""
        f = np.asarray(flags)
        out = np.empty(f.shape, dtype=object)
        for idx, u in np.ndenumerate(f):
            names = [n for b, n in enumerate(self.reason_names) if (int(u) >> b) & 1]
            out[idx] = "; ".join(names) if names else None
        return out

    def __repr__(self) -> str:
        n, m = self.shape
        share = self.n_pairs / max(n * m, 1)
        comps = ", ".join(self.pair_components) or "none"
        return (
            f"CandidateScores(n_mentees={n}, n_mentors={m}, candidates={self.n_pairs} "
            f"({share:.2%} of pairs), per_mentee={self.per_mentee}, "
            f"per_mentor={self.per_mentor}, components=[{comps}])"
        )

    def _repr_html_(self) -> str:
        from .._html import repr_html

        return repr_html(self)


#: Rows (columns) of a dense matrix sampled to estimate each mentor's (mentee's)
#: selection threshold.
SAMPLE_ROWS = 2048


def _select_dense(
    total: np.ndarray, eligible: np.ndarray, per_mentee: int, per_mentor: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Candidate pairs of a dense matrix and their cuts, in one pass over it by blocks
    of rows: an eligible pair is kept when it is at least its row's ``per_mentee``-th
    largest value or at least its mentor's threshold, an estimate of the column's
    ``per_mentor``-th largest from a sample of rows (columns are slow to partition in a
    row-major matrix). Every pair dropped is below both, so the row's (k+1)-th value
    and the mentor's threshold bound them. Returns ``(rows, cols, values,
    cut_e, cut_m)``, pairs sorted by row, then column."""
    n, m = total.shape
    ke = min(per_mentee, m)
    col_thr = _thresholds(total, eligible, per_mentor, axis=0)
    cut_e = np.full(n, -np.inf)
    out_r, out_c, out_v = [], [], []
    block = max(1, (1 << 18) // max(m, 1))
    for a in range(0, n, block):
        b = min(a + block, n)
        vals = np.where(eligible[a:b], total[a:b], -np.inf)
        row_thr = np.full(b - a, -np.inf)
        if ke < m:
            part = np.partition(vals, m - ke - 1, axis=1)
            row_thr = part[:, m - ke :].min(axis=1)  # the ke-th largest
            cut_e[a:b] = part[:, m - ke - 1]  # the (ke+1)-th
        keep = (vals >= row_thr[:, None]) | (vals >= col_thr[None, :])
        keep &= vals > -np.inf
        r, c = np.nonzero(keep)
        out_r.append(r + a)
        out_c.append(c)
        out_v.append(vals[r, c])
    rows, cols = _cat(out_r, np.int64), _cat(out_c, np.int64)
    # a row's dropped pairs are at most its (ke+1)-th value, a mentor's below its
    # threshold (-inf: none was dropped)
    return rows, cols, _cat(out_v, np.float64), cut_e, col_thr


def _thresholds(total: np.ndarray, eligible: np.ndarray, size: int, axis: int) -> np.ndarray:
    """Per row (``axis=1``) or column (``axis=0``): about its ``size``-th largest
    eligible value, from a sample of the other axis (exact when that axis is short);
    ``-inf`` keeps everything."""
    length, other = total.shape[1 - axis], total.shape[axis]
    if size >= other:
        return np.full(length, -np.inf)
    step = max(1, other // SAMPLE_ROWS)
    picked = np.arange(0, other, step)
    index = (slice(None), picked) if axis == 1 else (picked, slice(None))
    sample = np.where(eligible[index], total[index], -np.inf)
    want = max(1, int(np.ceil(size * len(picked) / other)))
    return (
        np.partition(sample, len(picked) - want, axis=axis)
        .take(len(picked) - want, axis=axis)
        .astype(np.float64)
    )


def _first_by_key(key: np.ndarray) -> np.ndarray:
    """Indices of the first occurrence of each distinct key, in key order."""
    order = np.argsort(key, kind="stable")
    k = key[order]
    return order[np.r_[True, k[1:] != k[:-1]]] if len(k) else order


def _contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Which ``keys`` are in ``sorted_keys`` (a binary search; faster than np.isin here)."""
    if not len(sorted_keys):
        return np.zeros(len(keys), bool)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[pos] == keys


def _all_pairs_of(cs: CandidateScores, mentors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isin(cs.cols, mentors)
    return cs.rows[keep], cs.cols[keep]


# ---------------------------------------------------------------------------- chunks
def _chunks(n: int) -> list[tuple[int, int]]:
    size = CHUNK_ROWS  # read at call time, so tests can shrink it
    return [(a, min(a + size, n)) for a in range(0, n, size)]


def _cat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype)


def _excluded_in(excluded: np.ndarray, rr: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``(index into rr, column)`` of the excluded pairs (sorted keys) on the
    rows ``rr`` (sorted, distinct)."""
    if not len(rr):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    lo, hi = np.searchsorted(excluded, [rr[0] * m, (rr[-1] + 1) * m])
    ek = excluded[lo:hi]
    er, ec = ek // m, ek % m
    pos = np.searchsorted(rr, er)
    hit = (pos < len(rr)) & (rr[np.minimum(pos, len(rr) - 1)] == er)
    return pos[hit], ec[hit]


def check_executor(executor: Any) -> None:
    """TypeError unless ``executor`` is None or a concurrent.futures.Executor."""
    if executor is not None and not isinstance(executor, Executor):
        raise TypeError(
            "`executor` must be a concurrent.futures.Executor (e.g. ThreadPoolExecutor, "
            "ProcessPoolExecutor, or distributed.Client.get_executor()). "
            f"Got {type(executor).__name__} instead."
        )


def _progress_enabled(progress: bool | None) -> bool:
    return progress_enabled(progress)


def _run(
    task: Callable[[tuple[int, int]], Any],
    chunks: Sequence[tuple[int, int]],
    executor: Executor | None,
    progress: bool | None,
    what: str,
) -> Iterator[Any]:
    """Results of ``task`` per chunk, in chunk order, on ``executor`` (or here)."""
    results: Iterable[Any]
    if executor is None:
        results = map(task, chunks)
    else:
        check_executor(executor)
        results = executor.map(task, chunks)
    if _progress_enabled(progress):
        from tqdm.auto import tqdm

        results = tqdm(results, total=len(chunks), desc=what, unit="chunk", leave=False)
    yield from results


def _blocks(a: int, b: int, step: int) -> Iterator[slice]:
    for s in range(a, b, step):
        yield slice(s, min(s + step, b))


def _step(m: int, block_rows: int | None) -> int:
    return int(block_rows) if block_rows else max(1, DEFAULT_BLOCK_PAIRS // max(1, m))


def _masked_total(kernels: Kernels, rows: slice) -> tuple[np.ndarray, np.ndarray]:
    blk = kernels.block(rows, components=False)
    vals = np.where(blk.flags == 0, blk.total, F32(-np.inf))
    return vals, blk.flags


def _wanted_rows(
    source: RowSource, a: int, b: int, todo: np.ndarray, step: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``(rows, totals)`` for the rows of ``[a, b)`` marked in ``todo``, a group at a
    time (totals -inf where ineligible): whole blocks when every row is wanted, else
    just the wanted rows (the same values and, per row, the same cost)."""
    wanted = a + np.flatnonzero(todo[a:b])
    if len(wanted) == b - a:
        for rows in _blocks(a, b, step):
            sel = np.flatnonzero(todo[rows])
            if sel.size:
                yield rows.start + sel, source.block(rows)[sel]
        return
    for g in range(0, len(wanted), step):
        rr = wanted[g : g + step]
        yield rr, source.rows(rr)


def _top(vals: np.ndarray, kk: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the columns of the ``kk`` largest values and the (kk+1)-th value."""
    r, m = vals.shape
    if kk >= m:
        cols = np.broadcast_to(np.arange(m), (r, m))
        return cols, np.full(r, -np.inf, F32)
    part = np.argpartition(-vals, kk, axis=1)
    cut = np.take_along_axis(vals, part[:, kk : kk + 1], axis=1)[:, 0]
    return part[:, :kk], cut


@dataclass(frozen=True, eq=False)
class _SelectTask:
    """One chunk of the selection pass (a picklable callable, for process pools)."""

    cohort: Cohort
    config: ScoringConfig
    per_mentee: int
    per_mentor: int
    step: int
    excluded: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # past pairs

    def __call__(self, chunk: tuple[int, int]) -> dict[str, np.ndarray]:
        a, b = chunk
        kernels = Kernels(self.cohort, self.config)
        m = self.cohort.n_mentors
        n_rules = len(kernels.reason_names)
        n_elig = np.zeros(b - a, np.int64)
        counts = np.zeros((b - a, n_rules), np.int64)
        cut_e = np.full(b - a, -np.inf)
        er, ec, ev = [], [], []  # mentee side
        pool = _MentorPool(m, self.per_mentor)
        for rows in _blocks(a, b, self.step):
            vals, flags = _masked_total(kernels, rows)
            vals[_excluded_in(self.excluded, np.arange(rows.start, rows.stop), m)] = -np.inf
            ok = np.isfinite(vals)
            n_elig[rows.start - a : rows.stop - a] = ok.sum(axis=1)
            few = np.flatnonzero(n_elig[rows.start - a : rows.stop - a] < self.per_mentee)
            for bit in range(n_rules):
                if few.size:
                    hit = (flags[few] >> flags.dtype.type(bit)) & 1
                    counts[rows.start - a + few, bit] = hit.sum(axis=1)
            cols, cut = _top(vals, self.per_mentee)
            cut_e[rows.start - a : rows.stop - a] = cut
            rr = np.broadcast_to(np.arange(rows.start, rows.stop)[:, None], cols.shape)
            v = np.take_along_axis(vals, cols, axis=1)
            keep = np.isfinite(v)
            er.append(rr[keep])
            ec.append(np.asarray(cols)[keep])
            ev.append(v[keep])
            pool.add(vals, rows.start)
        pr, pc, pv, cut_m = pool.result()
        return {
            "rows": _cat(er, np.int64).astype(np.int64),
            "cols": _cat(ec, np.int64).astype(np.int64),
            "values": _cat(ev, F32).astype(F32),
            "n_eligible": n_elig,
            "reason_counts": counts,
            "mentee_cut": cut_e,
            "mentor_pool": np.stack([pr, pc]),
            "mentor_values": pv,
            "mentor_cut": cut_m,
        }


class _MentorPool:
    """Each mentor's best ``size`` mentees seen so far, with a bound on the rest."""

    def __init__(self, m: int, size: int) -> None:
        self.m, self.size = m, size
        self.tau = np.full(m, -np.inf, F32)  # only values above this can still enter
        self.cut = np.full(m, -np.inf)  # max value ever left out
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.held = 0

    def add(self, vals: np.ndarray, row0: int) -> None:
        # ">" is exact: rows arrive in increasing order, so a later value equal to tau
        # ranks below the pool's own ties (value, then row) and could never enter it
        r, c = np.nonzero(vals > self.tau[None, :])
        self.r.append(r + row0)
        self.c.append(c)
        self.v.append(vals[r, c])
        self.held += len(r)
        if self.held > 4 * self.size * self.m + (1 << 18):
            self._compact()

    def add_pairs(self, r: np.ndarray, c: np.ndarray, v: np.ndarray, cut: np.ndarray) -> None:
        """A later chunk's pool (rows after every row here), by the same ``>`` rule."""
        up = v > self.tau[c]
        self.r.append(r[up])
        self.c.append(c[up])
        self.v.append(v[up])
        self.held += int(up.sum())
        self.cut = np.maximum(self.cut, cut)
        if self.held > 2 * self.size * self.m + (1 << 18):
            self._compact()

    def _compact(self) -> None:
        r, c, v = _by_mentor(*(np.concatenate(x) for x in (self.r, self.c, self.v)))
        starts = np.searchsorted(c, np.arange(self.m))
        rank = np.arange(len(c)) - starts[c]
        keep = rank < self.size
        drop = ~keep
        np.maximum.at(self.cut, c[drop], v[drop].astype(np.float64))
        last = keep & (rank == self.size - 1)
        self.tau[c[last]] = v[last]
        self.r, self.c, self.v = [r[keep]], [c[keep]], [v[keep]]
        self.held = int(keep.sum())

    def result(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if self.r:
            self._compact()
            r, c, v = self.r[0], self.c[0], self.v[0]
        else:
            r = c = np.zeros(0, np.int64)
            v = np.zeros(0, F32)
        # values never added were below tau (which is -inf until the pool is full)
        return r, c, v, np.maximum(self.cut, self.tau.astype(np.float64))


def _by_mentor(
    r: np.ndarray, c: np.ndarray, v: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pool entries sorted by mentor, best value first, ties by row."""
    if not len(r):
        return r, c, v
    base = int(r.min())
    rb = max(1, int(r.max()) - base).bit_length()
    cb = max(1, int(c.max())).bit_length()
    if cb + 31 + rb <= 63:
        # one int64 key per entry, sorted in place (no index array): mentor, then the
        # value's bits inverted (scores are >= 0, whose float32 bits order like the
        # values; + 0 turns -0.0 into 0.0), then the row
        bits = (v + F32(0)).view(np.uint32).astype(np.int64)
        key = c.astype(np.int64) << (31 + rb)
        key |= (~bits & 0x7FFFFFFF) << rb
        key |= r - base
        key.sort()
        low = (1 << rb) - 1
        bits = ~(key >> rb) & 0x7FFFFFFF
        return (key & low) + base, key >> (31 + rb), bits.astype(np.uint32).view(F32)
    # entries arrive in row order (pool first): a stable sort on ``2c + (1 - v)``
    order = np.argsort(2.0 * c + (1.0 - v.astype(np.float64)), kind="stable")
    return r[order], c[order], v[order]


@dataclass(frozen=True, eq=False)
class _PairBound:
    """What is known about the pairs that are not candidates (cohort rows): every such
    pair has ``s_ij <= min(cut_e[i], cut_m[j])`` and, for each claim ``(c, ref)``,
    ``s_ij - ref_j <= c[i]``. A pricing pass then scores only the pairs whose bound
    can exceed their row's threshold."""

    cut_e: np.ndarray
    cut_m: np.ndarray
    claims: tuple[tuple[np.ndarray, np.ndarray], ...]

    def survivors(
        self, rr: np.ndarray, threshold: np.ndarray, prices: np.ndarray, step: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(index into rr, column)`` of the pairs whose bound minus ``prices`` exceeds
        ``threshold`` (of the rows ``rr``), with a little slack against rounding."""
        with np.errstate(invalid="ignore"):  # inf - inf: the pair is out anyway
            t = threshold - PRICE_SLACK * (1.0 + np.abs(threshold))
            head = self.cut_m - prices  # the mentor cut
            nv = -prices  # the mentee cut: cut_e[i] - v_j > t_i
            refs = [ref - prices for _, ref in self.claims]
        out_i, out_j = [], []
        for g in range(0, len(rr), step):
            sl = slice(g, g + step)
            tt = t[sl]
            with np.errstate(invalid="ignore"):
                ok = head[None, :] > tt[:, None]
                ok &= nv[None, :] > (tt - self.cut_e[rr[sl]])[:, None]
                for (c, _), rv in zip(self.claims, refs, strict=True):
                    cc = c[rr[sl]]
                    # c = inf: no claim on the row; ref = inf: none on the column
                    ok &= (rv[None, :] > (tt - cc)[:, None]) | ~np.isfinite(rv)[None, :]
            i, j = np.nonzero(ok)
            out_i.append(i + g)
            out_j.append(j)
        return _cat(out_i, np.int64), _cat(out_j, np.int64)


@dataclass(frozen=True, eq=False)
class _PriceTask:
    source: RowSource
    prices: np.ndarray
    k: np.ndarray
    threshold: np.ndarray
    todo: np.ndarray
    known: np.ndarray  # sorted keys of candidate pairs (not re-proposed)
    excluded: np.ndarray  # sorted keys excluded after scoring
    limit: int
    bound: _PairBound | None = None

    def __call__(
        self, chunk: tuple[int, int]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        a, b = chunk
        m = self.source.n_mentors
        sums = np.full(b - a, np.nan)
        step = _step(m, None)
        sparse = self._sparse(a, b, step)
        if sparse is not None:
            return (sums, *sparse)
        out_r: list[np.ndarray] = []
        out_c: list[np.ndarray] = []
        out_v: list[np.ndarray] = []
        for rr, vals in _wanted_rows(self.source, a, b, self.todo, step):
            vals[_excluded_in(self.excluded, rr, m)] = -np.inf
            red = vals.astype(np.float64) - self.prices[None, :]
            # entering pairs: above the threshold and not candidates yet
            hi = red > self.threshold[rr][:, None]
            self._at_most_best(hi, red, rr, m)
            hi_r, hi_c = np.nonzero(hi)
            new = ~_contains(self.known, rr[hi_r] * m + hi_c)  # not candidates yet
            hi_r, hi_c = hi_r[new], hi_c[new]
            got = self._best_new(rr[hi_r], hi_c, red[hi_r, hi_c], vals[hi_r, hi_c])
            for out, x in zip((out_r, out_c, out_v), got, strict=True):
                out.append(x)
        dtype = self.source.dtype
        return sums, _cat(out_r, np.int64), _cat(out_c, np.int64), _cat(out_v, dtype)

    def _sparse(
        self, a: int, b: int, step: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """The pass over ``[a, b)`` scoring only the pairs the bound lets through, or
        None when too many get through (scoring pairs one by one costs about ten times
        a pair of a whole block)."""
        if self.bound is None:
            return None
        rr = a + np.flatnonzero(self.todo[a:b])
        m = self.source.n_mentors
        if not rr.size or not np.isfinite(self.threshold[rr]).any():
            return None
        few = rr[:: max(1, len(rr) // 256)]  # a sample first: often the rows are worth
        i, _ = self.bound.survivors(few, self.threshold[few], self.prices, step)  # whole
        if len(i) * SPARSE_SHARE > len(few) * m:  # (the full test would say so too)
            return None
        i, j = self.bound.survivors(rr, self.threshold[rr], self.prices, step)
        if len(i) * SPARSE_SHARE > len(rr) * m:
            return None
        r = rr[i]
        keys = r * m + j
        fresh = ~_contains(self.known, keys) & ~_contains(self.excluded, keys)
        r, j = r[fresh], j[fresh]
        vals = self.source.pairs(r, j)
        red = vals.astype(np.float64) - self.prices[j]
        hi = red > self.threshold[r]
        return self._best_new(r[hi], j[hi], red[hi], vals[hi])

    def _best_new(
        self, r: np.ndarray, c: np.ndarray, red: np.ndarray, vals: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Of new pairs above their row's threshold (rows ascending): up to ``limit``
        per row, best first (ties by column)."""
        if not r.size:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), vals[:0]
        order = np.lexsort((c, -red, r))
        r, c, vals = r[order], c[order], vals[order]
        rank = np.arange(len(r)) - np.searchsorted(r, r)
        keep = rank < self.limit
        return r[keep].astype(np.int64), c[keep].astype(np.int64), vals[keep]

    def _at_most_best(self, hi: np.ndarray, red: np.ndarray, rr: np.ndarray, m: int) -> None:
        """Narrow ``hi`` (in place) on rows with many hits to their ``limit + known``
        largest values (ties kept): the ``limit`` best new pairs of a row are among them,
        and sorting them all (e.g. a widening's threshold of -inf) is slow."""
        lo = np.searchsorted(self.known, rr * m)
        known = np.searchsorted(self.known, (rr + 1) * m) - lo
        many = np.flatnonzero(hi.sum(axis=1) > 2 * (self.limit + known) + 64)
        if not many.size:
            return
        kk = int(min(m, self.limit + known[many].max()))
        kth = np.partition(red[many], m - kk, axis=1)[:, m - kk]
        hi[many] &= red[many] >= kth[:, None]


@dataclass(frozen=True, eq=False)
class _CountTask:
    source: RowSource
    todo: np.ndarray
    blocked: np.ndarray  # mentors that count as ineligible (capacity 0)
    excluded: np.ndarray  # sorted keys (cohort rows) excluded after scoring

    def __call__(self, chunk: tuple[int, int]) -> np.ndarray:
        a, b = chunk
        m = self.source.n_mentors
        counts = np.zeros(b - a, np.int64)
        for rr, vals in _wanted_rows(self.source, a, b, self.todo, _step(m, None)):
            ok = np.isfinite(vals) & ~self.blocked[None, :]
            ok[_excluded_in(self.excluded, rr, m)] = False
            counts[rr - a] = ok.sum(axis=1)
        return counts


# ---------------------------------------------------------------------------- entry point
@validate_params(
    {
        **SCORE_PARAMS,
        "per_mentee": [Interval("int", 1, None)],
        "per_mentor": [Interval("int", 1, None)],
        "executor": [Instance(Executor, "a concurrent.futures.Executor"), None],
        "progress": ["boolean", None],
        "history": [None, Instance(pd.DataFrame, "a DataFrame")],
    }
)
@logged("score_candidates")
def score_candidates(
    cohort: Cohort,
    config: ScoringConfig | IntakeSpec | None = None,
    *,
    per_mentee: int = 20,
    per_mentor: int = 100,
    block_rows: int | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
    history: pd.DataFrame | None = None,
) -> CandidateScores:
    """Score a large cohort blockwise, keeping only candidate pairs from both sides.

    Parameters
    ----------
    cohort : Cohort
    config : ScoringConfig, optional
    per_mentee : int, default 20
        Each mentee's best eligible mentors kept (at least the shortlist length k; 4 k
        is a good start: pricing adds the few pairs the bound asks for).
    per_mentor : int, default 100
        Each mentor's best eligible mentees kept, so unpopular mentors stay reachable and
        popular ones cannot crowd others out (about twice a mentor's exposure is plenty;
        too few only costs a widening pass).
    block_rows : int, optional
        Mentee rows scored at a time (a memory/speed knob; answers do not depend on it).
    executor : concurrent.futures.Executor, optional
        Runs the chunks of :data:`CHUNK_ROWS` mentees: a ``ThreadPoolExecutor`` uses
        every core of one machine, a ``ProcessPoolExecutor`` or
        ``distributed.Client.get_executor()`` spreads them further (the cohort and
        config are pickled to the workers, so custom functions must be picklable).
        The answer is the same as without one.
    progress : bool, optional
        Show a progress bar (tqdm); default: only when stderr is a terminal.
    history : DataFrame, optional
        Past rounds, as for :func:`crossmatch.score`: ``mentee_id, mentor_id`` and
        optionally ``round``, ``outcome`` (:mod:`crossmatch.scoring.history`). Past pairs
        are ineligible with reason ``"paired before (round N)"`` before the candidates
        are chosen (so each mentee still gets ``per_mentee`` candidates), and every
        later pass (pricing, widening, recounting) leaves them out; rows naming people
        not in the cohort are skipped. To keep pairs that continue eligible, score
        without ``history`` and pass it to ``shortlist`` or ``match`` with ``fixed=``.

    Returns
    -------
    CandidateScores
        The candidate pairs with their scores and components, the cuts that bound
        everything dropped, and per-mentee eligibility counts.

    Examples
    --------
    >>> from crossmatch import Cohort, synthetic_cohort
    >>> cohort = Cohort.from_frames(*synthetic_cohort(200, 60, seed=1))
    >>> cands = score_candidates(cohort, per_mentee=10, per_mentor=20)
    >>> cands.n_pairs < 200 * 60
    True
    """
    kernels = _kernels(cohort, config)
    n, m = cohort.shape
    step = _block_rows(n, m, block_rows)
    past = _past_pairs(cohort, history)
    task = _SelectTask(cohort, kernels.config, int(per_mentee), int(per_mentor), step, past[0])
    chunks = _chunks(n)
    n_elig = np.zeros(n, np.int64)
    counts = np.zeros((n, len(kernels.reason_names)), np.int64)
    cut_e = np.full(n, -np.inf)
    er, ec, ev = [], [], []
    pool = _MentorPool(m, int(per_mentor))
    for (a, b), res in zip(chunks, _run(task, chunks, executor, progress, "scoring"), strict=True):
        n_elig[a:b] = res["n_eligible"]
        counts[a:b] = res["reason_counts"]
        cut_e[a:b] = res["mentee_cut"]
        er.append(res["rows"])
        ec.append(res["cols"])
        ev.append(res["values"])
        pr, pc = res["mentor_pool"]
        pool.add_pairs(pr, pc, res["mentor_values"], res["mentor_cut"])
    _, _, _, cut_m = pool.result()
    pr, pc, pv = pool.r[0], pool.c[0], pool.v[0]
    # union of the mentee-side picks and the final mentor pools
    mentee_side = (np.concatenate(er), np.concatenate(ec), np.concatenate(ev))
    rows = np.concatenate([mentee_side[0], pr])
    cols = np.concatenate([mentee_side[1], pc])
    vals = np.concatenate([mentee_side[2], pv])
    first = _first_by_key(rows * m + cols)
    rows, cols, vals = rows[first], cols[first], vals[first]
    # mentee cut: also every pair the chunk-level mentor pools let go (all were below the
    # mentee's own (K+1)-th value or kept on the mentee side) -- cut_e already bounds them
    block = kernels.pairs(rows, cols)
    comps = {k: np.asarray(v, F32) for k, v in block.components.items()}
    names = kernels.reason_names
    if len(past[0]):  # past pairs: one reason per round, counted like the rules' reasons
        keys, reasons = past
        names = (*names, *dict.fromkeys(reasons))
        few = n_elig < int(per_mentee)
        counts = np.pad(counts, ((0, 0), (0, len(names) - counts.shape[1])))
        r = keys // m
        col = np.array([names.index(t) for t in reasons], np.int64)
        np.add.at(counts, (r[few[r]], col[few[r]]), 1)
    return CandidateScores(
        rows=rows,
        cols=cols,
        values=vals.astype(F32),
        n_eligible=n_elig,
        reason_counts=counts,
        mentee_cut=cut_e,
        mentor_cut=cut_m,
        per_mentee=int(per_mentee),
        per_mentor=int(per_mentor),
        reason_names=names,
        mentee_ids=cohort.mentee_ids,
        mentor_ids=cohort.mentor_ids,
        capacity=cohort.capacity,
        pair_components=comps,
        weights=kernels.weights,
        mentor_groups=cohort.mentor_sector_names,
        cohort=cohort,
        config=kernels.config,
        excluded_keys=past[0],
        excluded_codes=np.array([names.index(t) for t in past[1]], np.int64),
        source=KernelSource(cohort, kernels.config),
    )


def _past_pairs(cohort: Cohort, history: pd.DataFrame | None) -> tuple[np.ndarray, list[str]]:
    """The past pairs of ``history`` in ``cohort`` as sorted keys ``row * n_mentors +
    col``, and each one's reason ("paired before (round N)")."""
    if history is None:
        return np.zeros(0, np.int64), []
    hp = history_pairs(cohort.mentee_ids, cohort.mentor_ids, history)
    keys = hp.rows * cohort.n_mentors + hp.cols
    order = np.argsort(keys, kind="stable")
    return keys[order], [hp.reasons[k] for k in order.tolist()]
