"""The solvers' view of any score source: an :class:`Instance`, its eligible pairs in a
canonical order.

Mentees and mentors are put in id order before any model is built, so answers never
depend on row order; pairs are kept sparse (only eligible ones), sorted by (mentee,
mentor). The scores are read through :class:`~crossmatch.scoring.interface.ScoreSource`,
so dense scores, long tables and candidate pairs are all the same here.

Scores become integer flow costs in exactly one way, :meth:`Instance.weights`, through
the one scaling of :mod:`crossmatch.solve.scaling` (``integer_scaling`` with the
smallest score as offset: costs >= 0; exact for scores on a grid), and every
bound in score units adds the largest rounding error, :meth:`Instance.rounding_slack`.
The canonical pairs themselves (:class:`Pairs`, :func:`canonical_pairs`) are shared with
:func:`crossmatch.match`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..scoring.interface import ScoreSource
from .options import ShortlistOptions
from .pairs import Pairs, canonical_pairs, id_order
from .scaling import FLOAT64_TOLERANCE, RESOLUTION, Scaling, integer_scaling, room_unit

__all__ = [
    "RESOLUTION",
    "Instance",
    "Pairs",
    "canonical_pairs",
    "default_exposure",
    "exposure_of",
    "id_order",
    "score_scale",
]

#: The shortlist networks' largest arc cost in units of the largest score cost (a stage
#: of the flow method adds a bonus of one score range to the pairs it favours).
SHORTLIST_HEADROOM = 2


def score_scale(span: float, n_nodes: int) -> float:
    """The score width of ``1 / RESOLUTION`` cost units off a grid (kept for callers
    of the earlier interface; :func:`~crossmatch.solve.scaling.integer_scaling` is the
    scaling): ``min(span, 1)``, raised as int64 room requires. ``span``: max - min."""
    unit = max(RESOLUTION * min(span, 1.0), room_unit(span, n_nodes, SHORTLIST_HEADROOM))
    return unit / RESOLUTION


#: Exposure slack: by default a mentor may show on ``slack x`` their capacity share of shortlists.
EXPOSURE_SLACK = 1.5


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
    tolerance: float = FLOAT64_TOLERANCE
    _scaling: list[Scaling] = field(default_factory=list, init=False, repr=False, compare=False)

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
        none): the score range the weights scale."""
        if self.n_pairs == 0:
            return 1.0
        return float(self.ps.max() - self.ps.min()) or 1.0

    @property
    def scaling(self) -> Scaling:
        """The scaling of these pairs' scores to weights (computed once per instance):
        :func:`~crossmatch.solve.scaling.integer_scaling` from the smallest score."""
        if not self._scaling:
            low = float(self.ps.min()) if self.n_pairs else 0.0
            self._scaling.append(
                integer_scaling(
                    self.ps, n_nodes=self.n + self.m + 2, headroom=SHORTLIST_HEADROOM,
                    offset=low, tolerance=self.tolerance,
                )
            )  # fmt: skip
        return self._scaling[0]

    @property
    def scale(self) -> float:
        """The score width of ``1 / RESOLUTION`` cost units (``unit / RESOLUTION``)."""
        return self.scaling.unit / RESOLUTION

    def weights(self) -> np.ndarray:
        """The integer flow costs of the pairs, ``round((s - min) / unit)`` (ties kept,
        exact on a grid): the only scaling of scores to integers."""
        if self.n_pairs == 0:
            return np.zeros(0, dtype=np.int64)
        return self.scaling.costs(self.ps)

    def rounding_slack(self) -> float:
        """The largest total error of rounding every chosen weight (k_i per mentee):
        what a bound proved on :meth:`weights` adds in score units, plus float64
        precision (sums of ``k_i`` scores compared in floats: on a grid that is all)."""
        if self.n_pairs == 0:
            return 0.0
        count = float(self.k.sum())
        return self.scaling.slack(count) + count * FLOAT64_TOLERANCE * self.span

    def units(self, value: Any) -> Any:
        """A weight (cost) or potential difference in score units."""
        return value * self.scaling.unit

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
        pairs = canonical_pairs(scores, mentee_rows)
        ee, mr, pi, pj, ps = pairs.ee, pairs.mr, pairs.pi, pairs.pj, pairs.ps
        n = pairs.n
        cuts = scores.cuts
        cut_e, cut_m = (None, None) if cuts is None else (cuts[0][ee], cuts[1][mr])
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
        return cls(scores, ee, mr, pi, pj, ps, capacity, expo, group, kk.astype(np.int64), k,
                   max_per_group, cut_e, cut_m, pairs.tolerance)  # fmt: skip


def group_reach(pi: np.ndarray, g: np.ndarray, n: int, d: int) -> np.ndarray:
    """For each mentee, how many mentors a shortlist can hold with at most d per group."""
    if len(pi) == 0:
        return np.zeros(n, dtype=np.int64)
    keys, counts = np.unique(np.stack([pi, g]), axis=1, return_counts=True)
    return np.bincount(keys[0], weights=np.minimum(counts, d), minlength=n).astype(np.int64)
