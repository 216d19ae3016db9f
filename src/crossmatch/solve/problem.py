"""The solvers' view of `Scores`: eligible pairs in a canonical order, plus diagnosis.

Mentees and mentors are put in id order before any model is built, so answers never
depend on row order; pairs are kept sparse (only eligible ones), sorted by (mentee, mentor).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InfeasibleError
from ..scoring import Scores
from ..scoring.candidates import CandidateScores

__all__ = ["Problem", "default_exposure", "id_order"]

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


def _exposure(exposure: Any, capacity: np.ndarray, n: int, k: int) -> np.ndarray:
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
class Problem:
    """Eligible pairs in canonical (id) order.

    Mentee ``a`` is original row ``ee[a]``; mentor ``b`` original column ``mr[b]``.
    Pair ``p`` joins canonical mentee ``pi[p]`` and mentor ``pj[p]`` with score ``ps[p]``.
    Built from :class:`CandidateScores`, the pairs are the candidates and ``cut_e`` /
    ``cut_m`` bound the score of every eligible pair left out (None: nothing left out).
    """

    scores: Scores | CandidateScores
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

    def scaled(self, resolution: float) -> np.ndarray:
        """Integer weights ``round((s - min) / span / resolution)`` (ties kept)."""
        if self.n_pairs == 0:
            return np.zeros(0, dtype=np.int64)
        return np.rint((self.ps - float(self.ps.min())) / self.span / resolution).astype(np.int64)

    def restrict(self, mask: np.ndarray) -> Problem:
        """The same problem on a subset of its pairs (pair indices change)."""
        from dataclasses import replace

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
        cls,
        scores: Scores | CandidateScores,
        *,
        k: int,
        exposure: Any = None,
        max_per_group: int | None = None,
        allow_short: bool = False,
        mentee_rows: np.ndarray | None = None,
    ) -> Problem:
        if not isinstance(scores, Scores | CandidateScores):
            raise TypeError(
                f"`scores` must be a Scores object. Got {type(scores).__name__} instead."
            )
        if not isinstance(k, int | np.integer) or isinstance(k, bool) or k < 1:
            raise ValueError(f"`k` must be a positive integer. Got {k!r} instead.")
        if max_per_group is not None and (
            not isinstance(max_per_group, int | np.integer)
            or isinstance(max_per_group, bool)
            or max_per_group < 1
        ):
            raise ValueError(
                "`max_per_group` must be a positive integer or None. "
                f"Got {max_per_group!r} instead."
            )
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
        cut_e = cut_m = None
        if isinstance(scores, CandidateScores):
            keep = rank_e[scores.rows] >= 0
            ii, jj, vals = scores.rows[keep], scores.cols[keep], scores.values[keep]
            cut_e, cut_m = scores.mentee_cut[ee], scores.mentor_cut[mr]
        else:
            ii, jj = np.nonzero(scores.eligible[rows])
            ii = rows[ii]
            vals = scores.total[ii, jj]
        pi, pj = rank_e[ii], rank_m[jj]
        order = np.lexsort((pj, pi))
        pi, pj = pi[order], pj[order]
        ps = np.asarray(vals, np.float64)[order]
        capacity = scores.capacity[mr].astype(np.int64)
        expo = _exposure(exposure, scores.capacity, n, int(k))[mr]
        group = None
        if scores.mentor_groups is not None:
            _, codes = np.unique(np.asarray(scores.mentor_groups, dtype=str), return_inverse=True)
            group = codes[mr].astype(np.int64)
        counts = np.bincount(pi, minlength=n)
        reach = counts
        if max_per_group is not None and group is not None:
            reach = _group_reach(pi, group[pj], n, int(max_per_group))
        if isinstance(scores, CandidateScores) and (max_per_group is None or group is None):
            reach = np.maximum(reach, scores.n_eligible[ee])  # eligible in the full matrix
        kk = np.minimum(reach, k) if allow_short else np.full(n, int(k))
        return cls(scores, ee, mr, pi.astype(np.int64), pj.astype(np.int64), ps, capacity, expo,
                   group, kk.astype(np.int64), int(k), max_per_group, cut_e, cut_m)  # fmt: skip

    # ------------------------------------------------------------------ diagnosis
    def diagnose(self, *, coverage: bool = True) -> None:
        """Raise InfeasibleError listing every cheap-to-prove reason the rules cannot be met
        (``coverage=False`` skips the Hall check, which on candidates proves nothing)."""
        s = self.scores
        reasons: list[str] = []
        who: list[Any] = []
        fixes: list[str] = []
        total = int(self.capacity.sum())
        if total < self.n:
            reasons.append(
                f"total mentor capacity {total} is below the number of mentees {self.n} "
                f"(short by {self.n - total})"
            )
            fixes.append(f"add mentors or raise capacities by {self.n - total} in total")
        reach = np.bincount(self.pi, minlength=self.n)
        if isinstance(s, CandidateScores) and not coverage:
            reach = s.n_eligible[self.ee]  # candidates may widen: only the full count proves
        elif self.max_per_group is not None and self.group is not None:
            reach = _group_reach(self.pi, self.group[self.pj], self.n, self.max_per_group)
        elif isinstance(s, CandidateScores):
            reach = s.n_eligible[self.ee]
        short = np.flatnonzero((reach < self.k) | (reach == 0))
        if short.size:
            lines = []
            for a in short[:10]:
                row = self.ee[a]
                counts: Counter[str] = Counter()
                for b, name in enumerate(s.reason_names):
                    if isinstance(s, CandidateScores):
                        c = int(s.reason_counts[row, b])
                    else:
                        flags = s.reason_flags[row]
                        c = int(np.count_nonzero((flags >> np.asarray(b, flags.dtype)) & 1))
                    if c:
                        counts[name] = c
                why = ", ".join(f"{name} ({c})" for name, c in counts.most_common(3)) or "none"
                lines.append(
                    f"{s.mentee_ids[row]!r} has {int(reach[a])} (others excluded by: {why})"
                )
            more = f" and {short.size - 10} more" if short.size > 10 else ""
            limit = " under the group limit" if self.max_per_group is not None else ""
            none = bool(np.all(reach[short] == 0))
            what = (
                "no eligible mentor"
                if none
                else f"fewer than k={self.k_max} eligible mentors{limit}"
            )
            reasons.append(f"{short.size} mentee(s) have {what}: " + "; ".join(lines) + more)
            who.extend(s.mentee_ids[self.ee[short]].tolist())
            fixes.append(
                "relax the rules named above for them"
                if none
                else "lower k, pass allow_short=True, or relax the rules named above"
            )
        need = int(self.k.sum())
        if int(self.exposure.sum()) < need:
            reasons.append(
                f"exposure allows {int(self.exposure.sum())} shortlist places but k per mentee "
                f"needs {need}"
            )
            fixes.append("raise `exposure` or lower k")
        if not reasons and coverage:
            hall = self.coverage_violation()
            if hall is not None:
                mentees, mentors, cap = hall
                example = ", ".join(map(repr, s.mentee_ids[self.ee[mentees[:5]]].tolist()))
                reasons.append(
                    f"no complete assignment exists: {len(mentees)} mentee(s) (e.g. "
                    f"{example}) can only "
                    f"be matched with {len(mentors)} mentor(s) whose capacity, within exposure, "
                    f"totals {cap}"
                )
                who.extend(s.mentee_ids[self.ee[mentees]].tolist())
                fixes.append(
                    "raise those mentors' capacity or exposure, or relax rules for those mentees"
                )
        if reasons:
            raise InfeasibleError(reasons, who=who, fix="; ".join(fixes))

    def coverage_violation(self) -> tuple[np.ndarray, np.ndarray, int] | None:
        """A Hall violator if no assignment covers every mentee (within min(capacity, exposure)):
        ``(mentees, their mentors, total capacity)``; None if one exists."""
        from .flow import max_assignment

        cap = np.minimum(self.capacity, self.exposure)
        flow = max_assignment(self, cap, weights=None)
        if flow.matched.all():
            return None
        from .prune import unfilled_reach

        # mentees reachable from an unmatched mentee by alternating paths (residual graph)
        mentee_seen, mentor_seen = unfilled_reach(self, flow.pair_used, ~flow.matched)
        mentees = np.flatnonzero(mentee_seen)
        mentors = np.flatnonzero(mentor_seen)
        return mentees, mentors, int(cap[mentors].sum())


def _group_reach(pi: np.ndarray, g: np.ndarray, n: int, d: int) -> np.ndarray:
    """For each mentee, how many mentors a shortlist can hold with at most d per group."""
    if len(pi) == 0:
        return np.zeros(n, dtype=np.int64)
    keys, counts = np.unique(np.stack([pi, g]), axis=1, return_counts=True)
    return np.bincount(keys[0], weights=np.minimum(counts, d), minlength=n).astype(np.int64)
