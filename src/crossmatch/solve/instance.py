"""The solvers' view of any score source: an :class:`Instance`, its eligible pairs in a
canonical order.

Mentees and mentors are put in id order before any model is built, so answers never
depend on row order; pairs are kept sparse (only eligible ones), sorted by (mentee,
mentor). The scores are read through :class:`~crossmatch.scoring.interface.ScoreSource`,
so dense scores, long tables and candidate pairs are all the same here.

Scores become integer flow costs in exactly one way, :meth:`Instance.weights`, and
every bound in score units adds the largest rounding error,
:meth:`Instance.rounding_slack`. The scaling (:func:`score_scale`): a cost unit is
:data:`RESOLUTION` times the *scale*, which is the score range when it is at most 1 (so
scores in [0, 1] keep 10^7 steps over their range), and 1 otherwise: an outlier (one
1e6 score among [0, 1] scores) then widens the range without coarsening the unit, so
everyone else's differences still count (a unit relative to the whole range would round
them away and "prove" a wrong answer). The unit is raised only as far as int64 costs
require (the flow solver multiplies costs by the number of nodes): with scores within
:data:`~crossmatch.scoring.scores.MAX_ABS_SCORE` that happens only for networks of
thousands of millions of nodes, and the slack reported grows with it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..scoring.interface import ScoreSource
from ..scoring.scores import MAX_ABS_SCORE
from .options import ShortlistOptions

__all__ = [
    "RESOLUTION",
    "Instance",
    "default_exposure",
    "exposure_of",
    "id_order",
    "score_scale",
]

#: The one integer scaling of scores: a flow cost unit is this share of the score scale
#: (:func:`score_scale`), and weights are rounded to it.
RESOLUTION = 1e-7
#: Largest weight times nodes allowed, so the flow solver's cost arithmetic fits in int64.
COST_ROOM = 2**60


def score_scale(span: float, n_nodes: int) -> float:
    """The score width of ``1 / RESOLUTION`` cost units: ``min(span, 1)``, raised if
    needed so that ``span / scale / RESOLUTION * n_nodes`` stays below
    :data:`COST_ROOM`. ``span`` is the score range (max - min; 1 when it is 0)."""
    scale = min(span, 1.0)
    need = span * (n_nodes + 2) / RESOLUTION / COST_ROOM
    return max(scale, need)


#: Exposure slack: by default a mentor may show on ``slack x`` their capacity share of shortlists.
EXPOSURE_SLACK = 1.5


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


def default_exposure(capacity: np.ndarray, n_mentees: int, k: int) -> np.ndarray:
    """``max(c_j, ceil(1.5 * n * k * c_j / sum(c)))``, at most ``n``; 0 for capacity 0."""
    c = np.asarray(capacity, dtype=np.int64)
    total = max(int(c.sum()), 1)
    share = np.ceil(EXPOSURE_SLACK * n_mentees * k * c / total).astype(np.int64)
    return np.where(c > 0, np.minimum(np.maximum(c, share), n_mentees), 0)


def exposure_of(exposure: Any, capacity: np.ndarray, n: int, k: int) -> np.ndarray:
    """Exposure per mentor: the given number or array (checked), or the default."""
    m = len(capacity)
    if exposure is None:
        return default_exposure(capacity, n, k)
    e = np.asarray(exposure)
    if e.ndim == 0:
        e = np.full(m, e.item())
    if e.shape != (m,):
        raise ValueError(
            f"`exposure` must be a number or one value per mentor ({m}). Got shape {e.shape}."
        )
    if (
        e.dtype.kind not in "iuf"
        or not np.all(np.isfinite(e))
        or np.any(e < 0)
        or np.any(e != np.round(e))
    ):
        raise ValueError("`exposure` values must be integers >= 0.")
    return e.astype(np.int64)


@dataclass(frozen=True, slots=True, eq=False)
class Instance:
    """Eligible pairs in canonical (id) order.

    Mentee ``a`` is original row ``ee[a]``; mentor ``b`` original column ``mr[b]``.
    Pair ``p`` joins canonical mentee ``pi[p]`` and mentor ``pj[p]`` with score ``ps[p]``.
    Built from pruned scores (candidate pairs), ``cut_e`` / ``cut_m`` bound the score of
    every eligible pair left out (None: nothing left out).
    """

    scores: ScoreSource
    ee: np.ndarray
    mr: np.ndarray
    pi: np.ndarray
    pj: np.ndarray
    ps: np.ndarray
    capacity: np.ndarray
    exposure: np.ndarray
    group: np.ndarray | None
    k: np.ndarray  # per mentee
    k_max: int
    max_per_group: int | None
    cut_e: np.ndarray | None = None
    cut_m: np.ndarray | None = None

    @property
    def pruned(self) -> bool:
        return self.cut_e is not None

    @property
    def n(self) -> int:
        return len(self.ee)

    @property
    def m(self) -> int:
        return len(self.mr)

    @property
    def n_pairs(self) -> int:
        return len(self.pi)

    @property
    def span(self) -> float:
        """``max - min`` of the pair scores (1.0 when they are all equal or there are
        none): the score range that :meth:`scaled` weights are a share of."""
        if self.n_pairs == 0:
            return 1.0
        return float(self.ps.max() - self.ps.min()) or 1.0

    @property
    def scale(self) -> float:
        """The score width of ``1 / RESOLUTION`` cost units (:func:`score_scale`)."""
        return score_scale(self.span, self.n + self.m + 2)

    def weights(self) -> np.ndarray:
        """The integer flow costs of the pairs: ``round((s - min) / scale / RESOLUTION)``
        (ties kept); the only scaling of scores to integers."""
        if self.n_pairs == 0:
            return np.zeros(0, dtype=np.int64)
        return np.rint((self.ps - float(self.ps.min())) / self.scale / RESOLUTION).astype(np.int64)

    def rounding_slack(self) -> float:
        """The largest total error of rounding every chosen weight (k_i per mentee):
        what a bound proved on :meth:`weights` adds in score units."""
        if self.n_pairs == 0:
            return 0.0
        return float(self.k.sum()) * RESOLUTION * self.scale

    def units(self, value: Any) -> Any:
        """A weight (cost) or potential difference in score units."""
        return value * (RESOLUTION * self.scale)

    def restrict(self, mask: np.ndarray) -> Instance:
        """The same instance on a subset of its pairs (pair indices change)."""
        return replace(self, pi=self.pi[mask], pj=self.pj[mask], ps=self.ps[mask])

    def to_original(self, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Original (row, column) of canonical pair indices."""
        return self.ee[self.pi[pairs]], self.mr[self.pj[pairs]]

    def canonical(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Canonical (mentee, mentor) of original rows and columns (-1: not in the problem)."""
        inv_e = np.full(self.scores.n_mentees, -1, np.int64)
        inv_e[self.ee] = np.arange(self.n)
        inv_m = np.full(self.scores.n_mentors, -1, np.int64)
        inv_m[self.mr] = np.arange(self.m)
        return inv_e[np.asarray(rows, np.int64)], inv_m[np.asarray(cols, np.int64)]

    @classmethod
    def build(
        cls, scores: ScoreSource, options: ShortlistOptions, mentee_rows: np.ndarray | None = None
    ) -> Instance:
        """The instance of ``options`` on ``scores`` (of ``mentee_rows``, or every mentee)."""
        k, max_per_group = int(options.k), options.max_per_group
        if max_per_group is not None and scores.mentor_groups is None:
            raise ValueError(
                "`max_per_group` needs mentor groups: build Scores with `mentor_groups=`."
            )
        rows = np.arange(scores.n_mentees) if mentee_rows is None else np.asarray(mentee_rows)
        ee = rows[id_order(scores.mentee_ids[rows])]
        mr = id_order(scores.mentor_ids)
        n, m = len(ee), len(mr)
        rank_e = np.full(scores.n_mentees, -1, dtype=np.int64)
        rank_e[ee] = np.arange(n)
        rank_m = np.empty(m, dtype=np.int64)
        rank_m[mr] = np.arange(m)
        ii, jj, vals = scores.pairs_of(ee)
        cuts = scores.cuts
        cut_e, cut_m = (None, None) if cuts is None else (cuts[0][ee], cuts[1][mr])
        pi, pj = rank_e[ii], rank_m[jj]
        order = np.lexsort((pj, pi))
        pi, pj = pi[order], pj[order]
        ps = np.asarray(vals, np.float64)[order]
        if ps.size and not np.all(np.abs(ps) <= MAX_ABS_SCORE):
            bad = float(ps[~(np.abs(ps) <= MAX_ABS_SCORE)][0])
            raise ValueError(
                f"scores must be finite and within +-{MAX_ABS_SCORE:g} (MAX_ABS_SCORE) to be "
                f"solved exactly. Got {bad!r}: rescale the scores (only their order and "
                "differences matter)."
            )
        capacity = scores.capacity[mr].astype(np.int64)
        expo = exposure_of(options.exposure, scores.capacity, n, k)[mr]
        group = None
        if scores.mentor_groups is not None:
            _, codes = np.unique(np.asarray(scores.mentor_groups, dtype=str), return_inverse=True)
            group = codes[mr].astype(np.int64)
        reach = np.bincount(pi, minlength=n)
        if max_per_group is not None and group is not None:
            reach = group_reach(pi, group[pj], n, int(max_per_group))
        elif scores.pruned:
            reach = np.maximum(reach, scores.eligible_counts()[ee])  # in the full matrix
        kk = np.minimum(reach, k) if options.allow_short else np.full(n, k)
        return cls(scores, ee, mr, pi.astype(np.int64), pj.astype(np.int64), ps, capacity, expo,
                   group, kk.astype(np.int64), k, max_per_group, cut_e, cut_m)  # fmt: skip


def group_reach(pi: np.ndarray, g: np.ndarray, n: int, d: int) -> np.ndarray:
    """For each mentee, how many mentors a shortlist can hold with at most d per group."""
    if len(pi) == 0:
        return np.zeros(n, dtype=np.int64)
    keys, counts = np.unique(np.stack([pi, g]), axis=1, return_counts=True)
    return np.bincount(keys[0], weights=np.minimum(counts, d), minlength=n).astype(np.int64)
