"""The shortlist relaxation under a floor (``objective="maxmin"``), for the flow method.

Under a floor t the covering assignment may use only pairs scoring at least t
(:attr:`~crossmatch.solve.options.ShortlistOptions.cover_floor`), so every shortlist
must hold at least one such pair. Adding that condition to the relaxation (k pairs per
mentee, exposure per mentor, coverage dropped) keeps it a min-cost flow and tightens its
bound: each mentee i sends ``k_i - 1`` units through a *high* node (pairs scoring >= t)
or a *low* node (the other pairs), and one more unit that starts at the high node -- the
lower bound of one high pair, written as a supply. Its optimum is an upper bound on the
shortlists under the floor, and when it holds a covering assignment on the high pairs it
is their optimum, as the plain relaxation is without a floor.
"""

from __future__ import annotations

import numpy as np

from . import network
from .instance import Instance

__all__ = ["floored_relaxation"]


def floored_relaxation(p: Instance, weights: np.ndarray, cover: np.ndarray) -> np.ndarray | None:
    """The pairs of the best relaxation with at least one pair of ``cover`` per mentee
    (None when none exists: then no shortlists meet the floor). Without group limits
    only (the caller keeps the plain relaxation otherwise).

    Parameters
    ----------
    p : Instance
    weights : ndarray of int
        Integer pair weights (:meth:`Instance.weights`).
    cover : ndarray of bool
        The pairs the covering assignment may use (scoring at least the floor).

    Returns
    -------
    ndarray of bool or None
    """
    n, m = p.n, p.m
    high, low = n, 2 * n  # node blocks: mentee, high node, low node, mentors, sink
    mentors, sink = 3 * n, 3 * n + m
    k = p.k.astype(np.int64)
    rest = np.maximum(k - 1, 0)
    tails = np.r_[np.arange(n), np.arange(n), np.where(cover, high + p.pi, low + p.pi),
                  mentors + np.arange(m)]  # fmt: skip
    heads = np.r_[high + np.arange(n), low + np.arange(n), mentors + p.pj, np.full(m, sink)]
    caps = np.r_[rest, rest, np.ones(p.n_pairs, np.int64), np.asarray(p.exposure, np.int64)]
    costs = np.r_[np.zeros(2 * n, np.int64), -weights, np.zeros(m, np.int64)]
    supplies = np.zeros(sink + 1, np.int64)
    supplies[:n] = rest
    supplies[high : high + n] = np.minimum(k, 1)
    supplies[sink] = -int(k.sum())
    nodes = np.flatnonzero(supplies)
    flows, ok = network.solve_network(tails, heads, caps, costs, nodes, supplies[nodes])
    if not ok:
        return None
    return flows[2 * n : 2 * n + p.n_pairs] > 0
