"""`score`: run every component and hard rule over a cohort, block by block."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..cohort import Cohort
from .components import Block, Kernels
from .config import ScoringConfig
from .scores import Scores

__all__ = ["iter_score_blocks", "score"]

#: Pairs per block: large enough to amortise numpy overhead, small enough to stay in cache.
DEFAULT_BLOCK_PAIRS = 1 << 18


def _block_rows(n_mentees: int, n_mentors: int, block_rows: int | None) -> int:
    if block_rows is None:
        return max(1, DEFAULT_BLOCK_PAIRS // max(1, n_mentors))
    if (
        not isinstance(block_rows, int | np.integer)
        or isinstance(block_rows, bool)
        or block_rows < 1
    ):
        raise ValueError(f"`block_rows` must be a positive integer. Got {block_rows!r} instead.")
    return int(block_rows)


def _kernels(cohort: Cohort, config: ScoringConfig | None) -> Kernels:
    if not isinstance(cohort, Cohort):
        raise TypeError(f"`cohort` must be a Cohort. Got {type(cohort).__name__} instead.")
    config = ScoringConfig() if config is None else config
    if not isinstance(config, ScoringConfig):
        raise TypeError(f"`config` must be a ScoringConfig. Got {type(config).__name__} instead.")
    return Kernels(cohort, config)


def _blocks(kernels: Kernels, step: int) -> Iterator[Block]:
    n = kernels.cohort.n_mentees
    for start in range(0, n, step):
        yield kernels.block(slice(start, min(start + step, n)))


def iter_score_blocks(
    cohort: Cohort, config: ScoringConfig | None = None, *, block_rows: int | None = None
) -> Iterator[Block]:
    """Score a cohort in blocks of mentee rows, without holding the whole matrix.

    Yields :class:`~crossmatch.scoring.components.Block` objects (``rows`` slice,
    ``total``, ``components``, ``flags``) of shape ``(rows, n_mentors)``, in row order.
    Use it for cohorts too large for :func:`score` (e.g. to keep only each mentee's
    best candidates). Arguments are checked at once, not on the first ``next()``.
    """
    kernels = _kernels(cohort, config)
    return _blocks(kernels, _block_rows(cohort.n_mentees, cohort.n_mentors, block_rows))


def score(
    cohort: Cohort, config: ScoringConfig | None = None, *, block_rows: int | None = None
) -> Scores:
    """Score every mentee-mentor pair of a cohort.

    Parameters
    ----------
    cohort : Cohort
        From :meth:`Cohort.from_frames` or :meth:`Cohort.from_csv`.
    config : ScoringConfig, optional
        Weights, component settings and hard rules; defaults to ``ScoringConfig()``.
    block_rows : int, optional
        Mentee rows computed at a time (a memory/speed knob; results do not depend on it).

    Returns
    -------
    Scores
        Total and per-component scores, all ``(n_mentees, n_mentors)`` float32 in [0, 1],
        the eligibility mask and the reason for every ineligible pair.
    """
    kernels = _kernels(cohort, config)
    blocks = _blocks(kernels, _block_rows(cohort.n_mentees, cohort.n_mentors, block_rows))
    shape = cohort.shape
    total = np.empty(shape, dtype=np.float32)
    flags = np.empty(shape, dtype=kernels.flag_dtype)
    comps = {name: np.empty(shape, dtype=np.float32) for name in kernels.component_names}
    for block in blocks:
        total[block.rows] = block.total
        flags[block.rows] = block.flags
        for name, value in block.components.items():
            comps[name][block.rows] = value
    return Scores(
        total=total,
        eligible=flags == 0,
        reason_flags=flags,
        reason_names=kernels.reason_names,
        mentee_ids=cohort.mentee_ids,
        mentor_ids=cohort.mentor_ids,
        capacity=cohort.capacity,
        components=comps,
        weights=kernels.weights,
        mentor_groups=cohort.mentor_sector_names,
        cohort=cohort,
        config=kernels.config,
    )
