"""The cost of forcing one pair onto a shortlist: two exact re-solves of a small cohort.

The shortlist problem (k per mentee, exposure, group limit, coverage: an assignment
within capacity inside the shortlists) is written as an integer program and solved by
HiGHS through :func:`scipy.optimize.milp`, once as it is and once with ``x_ij = 1``; the
difference of the two optima is what the pair costs the programme. Independent of the
solvers in :mod:`crossmatch.solve` (which it may therefore also check).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["MAX_PAIRS", "Solution", "solve_shortlists"]

#: Largest number of eligible pairs on which the counterfactual re-solve runs.
MAX_PAIRS = 2_500
#: Seconds per re-solve.
TIME_LIMIT = 10.0


@dataclass(frozen=True, slots=True)
class Solution:
    """An optimal shortlist: ``x`` (pair on a list) and ``y`` (covering assignment)."""

    value: float
    x: np.ndarray  # bool over the pairs
    y: np.ndarray


def solve_shortlists(
    rows: np.ndarray,
    cols: np.ndarray,
    values: np.ndarray,
    *,
    length: np.ndarray,
    covered: np.ndarray,
    exposure: np.ndarray,
    capacity: np.ndarray,
    groups: np.ndarray | None,
    max_per_group: int | None,
    forced: int | None = None,
) -> Solution | None:
    """Best shortlists over the given eligible pairs; None if none exists (or time ran out).

    ``length[i]`` entries for mentee ``i``; ``covered[i]``: whether mentee ``i`` must be
    matched by the covering assignment; ``forced``: index of a pair that must be listed.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp  # only when a pair is explained
    from scipy.sparse import coo_matrix, vstack

    p = len(rows)
    n, m = len(length), len(exposure)
    idx = np.arange(p)

    def block(keys: np.ndarray, size: int, offset: int) -> Any:
        return coo_matrix((np.ones(p), (keys, idx + offset)), shape=(size, 2 * p))

    parts = [block(rows, n, 0), block(rows, n, p), block(cols, m, 0), block(cols, m, p)]
    lo = [length, covered.astype(float), np.zeros(m), np.zeros(m)]
    hi = [length, covered.astype(float), exposure, capacity]
    link = coo_matrix(
        (np.r_[np.ones(p), -np.ones(p)], (np.r_[idx, idx], np.r_[idx + p, idx])), shape=(p, 2 * p)
    )
    parts.append(link)
    lo.append(np.full(p, -np.inf))
    hi.append(np.zeros(p))
    if max_per_group is not None and groups is not None:
        _, g = np.unique(np.asarray(groups, dtype=str), return_inverse=True)
        key = rows * (int(g.max()) + 1) + g[cols]
        uniq, k = np.unique(key, return_inverse=True)
        parts.append(block(k, len(uniq), 0))
        lo.append(np.zeros(len(uniq)))
        hi.append(np.full(len(uniq), float(max_per_group)))
    a = vstack(parts).tocsr()
    lower = np.zeros(2 * p)
    if forced is not None:
        lower[forced] = 1.0
    res = milp(
        c=np.r_[-np.asarray(values, dtype=np.float64), np.zeros(p)],
        constraints=LinearConstraint(a, np.concatenate(lo), np.concatenate(hi)),
        integrality=np.ones(2 * p),
        bounds=Bounds(lower, np.ones(2 * p)),
        options={"time_limit": TIME_LIMIT},
    )
    if res.status != 0 or res.x is None:
        return None
    x = res.x[:p] > 0.5
    return Solution(float(np.asarray(values, dtype=np.float64)[x].sum()), x, res.x[p:] > 0.5)
