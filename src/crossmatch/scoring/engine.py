"""`score`: run every component and hard rule over a cohort, block by block."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from .._log import logged
from .._validation import Instance, Interval, validate_params
from ..cohort import Cohort
from ..errors import ParameterError
from ..intake import IntakeSpec
from .components import Block, Kernels
from .config import ScoringConfig, programme_scoring
from .history import apply_history
from .scores import Scores

__all__ = ["DENSE_MEMORY_SHARE", "available_memory", "dense_bytes", "iter_score_blocks", "score"]

#: Pairs per block: large enough to amortise numpy overhead, small enough to stay in cache.
DEFAULT_BLOCK_PAIRS = 1 << 18

#: :func:`score` refuses a cohort whose dense result would take more than this share of
#: the memory available when it is called; the rest is the margin left for the blocks
#: being scored, the solver that reads the result, and everything else running.
DENSE_MEMORY_SHARE = 0.8

#: The arguments every scoring entry point shares (checked at the door).
SCORE_PARAMS: dict[str, list[Any]] = {
    "cohort": [Instance(Cohort, "a Cohort")],
    "config": [
        Instance(ScoringConfig, "a ScoringConfig"),
        Instance(IntakeSpec, "a Programme (its .scoring is used)"),
        None,
    ],
    "block_rows": [Interval("int", 1, None), None],
}


def available_memory() -> int | None:
    """Bytes of memory a new allocation can take now, or None when it cannot be known.

    ``psutil.virtual_memory().available`` when psutil is installed; else, on Linux,
    ``MemAvailable`` from ``/proc/meminfo`` (free memory plus the caches the kernel can
    drop); else ``os.sysconf`` free pages (which undercounts: caches are left out).
    """
    try:
        import psutil
    except ImportError:
        return _meminfo_available() or _sysconf_available()
    return int(psutil.virtual_memory().available)


def _meminfo_available(path: str = "/proc/meminfo") -> int | None:
    try:
        with open(path, encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024  # the figure is in kB
    except (OSError, ValueError, IndexError):
        return None
    return None


def _sysconf_available() -> int | None:
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):
        return None


def dense_bytes(n_mentees: int, n_mentors: int, kernels: Kernels) -> int:
    """Bytes of every array a dense :class:`Scores` of this cohort and config holds.

    ``total`` and each component are float32, ``eligible`` one byte, ``reason_flags``
    the smallest unsigned integer with a bit per rule; per pair.
    """
    per_pair = (
        np.dtype(np.float32).itemsize * (1 + len(kernels.component_names))
        + np.dtype(np.bool_).itemsize
        + np.dtype(kernels.flag_dtype).itemsize
    )
    return int(n_mentees) * int(n_mentors) * per_pair


def _check_memory(kernels: Kernels) -> None:
    n, m = kernels.cohort.shape
    need = dense_bytes(n, m, kernels)
    room = available_memory()
    if room is None or need <= DENSE_MEMORY_SHARE * room:
        return
    raise MemoryError(
        f"score(): the dense scores of {n:,} mentees x {m:,} mentors need about "
        f"{need / 2**30:,.1f} GiB (total, eligibility, reasons and "
        f"{len(kernels.component_names)} components, {need // (n * m)} bytes a pair), more "
        f"than {DENSE_MEMORY_SHARE:.0%} of the {room / 2**30:,.1f} GiB of memory available. "
        "Use crossmatch.score_candidates(cohort, config) instead: it keeps only each "
        "mentee's and each mentor's best pairs (a sparse CandidateScores that shortlist, "
        "assign and rematch accept), or crossmatch.iter_score_blocks to stream the rows."
    )


def _block_rows(n_mentees: int, n_mentors: int, block_rows: int | None) -> int:
    if block_rows is None:
        return max(1, DEFAULT_BLOCK_PAIRS // max(1, n_mentors))
    return int(block_rows)


logger = logging.getLogger("crossmatch")


def _config(cohort: Cohort, config: ScoringConfig | IntakeSpec | None) -> ScoringConfig:
    """The settings to score with: ``config``; a Programme's ``.scoring``; with none, the
    ``.scoring`` of the programme the cohort was read with; else ``ScoringConfig()``."""
    if isinstance(config, ScoringConfig):
        return config
    source = cohort.programme if config is None else config
    found = programme_scoring(source)
    if found is not None:
        if config is None:
            logger.info(
                "scoring with the [scoring] settings of the cohort's programme %s",
                getattr(source, "path", None) or "(given in Python)",
            )
        return found
    if config is not None:
        raise ParameterError(
            "score", ["`config` must be a ScoringConfig or a Programme (load_programme)."]
        )
    return ScoringConfig()


def _kernels(cohort: Cohort, config: ScoringConfig | IntakeSpec | None) -> Kernels:
    return Kernels(cohort, _config(cohort, config))


def _blocks(kernels: Kernels, step: int) -> Iterator[Block]:
    n = kernels.cohort.n_mentees
    for start in range(0, n, step):
        yield kernels.block(slice(start, min(start + step, n)))


@validate_params(SCORE_PARAMS)
def iter_score_blocks(
    cohort: Cohort,
    config: ScoringConfig | IntakeSpec | None = None,
    *,
    block_rows: int | None = None,
) -> Iterator[Block]:
    """Score a cohort in blocks of mentee rows, without holding the whole matrix.

    Yields :class:`~crossmatch.scoring.components.Block` objects (``rows`` slice,
    ``total``, ``components``, ``flags``) of shape ``(rows, n_mentors)``, in row order.
    Use it for cohorts too large for :func:`score` (e.g. to keep only each mentee's
    best candidates). Arguments are checked at once, not on the first ``next()``.
    """
    kernels = _kernels(cohort, config)
    return _blocks(kernels, _block_rows(cohort.n_mentees, cohort.n_mentors, block_rows))


@validate_params({**SCORE_PARAMS, "history": [None, Instance(pd.DataFrame, "a DataFrame")]})
@logged("score")
def score(
    cohort: Cohort,
    config: ScoringConfig | IntakeSpec | None = None,
    *,
    block_rows: int | None = None,
    history: pd.DataFrame | None = None,
) -> Scores:
    """Score every mentee-mentor pair of a cohort.

    Parameters
    ----------
    cohort : Cohort
        From :meth:`Cohort.from_frames` or :meth:`Cohort.from_csv`.
    config : ScoringConfig or Programme, optional
        Weights, component settings and hard rules, or a programme (its ``.scoring``).
        By default the ``[scoring]`` of the programme the cohort was read with
        (``Cohort.from_csv(..., programme=prog)``; logged at info level), else
        ``ScoringConfig()``. A programme's ``[shortlist]`` goes on to the solver:
        ``crossmatch.shortlist(scores, **prog.shortlist)``.
    block_rows : int, optional
        Mentee rows computed at a time (a memory/speed knob; results do not depend on it).
    history : DataFrame, optional
        Past rounds: ``mentee_id, mentor_id`` and optionally ``round``, ``outcome``
        (:mod:`crossmatch.scoring.history`). Past pairs become ineligible with reason
        ``"paired before (round N)"``; rows naming people not in the cohort are skipped.

    Returns
    -------
    Scores
        Total and per-component scores, all ``(n_mentees, n_mentors)`` float32 in [0, 1],
        the eligibility mask and the reason for every ineligible pair.

    Raises
    ------
    ParameterError
        When an argument is not of the documented type or range.
    MemoryError
        Up front, before anything is allocated, when the dense result would take more
        than :data:`DENSE_MEMORY_SHARE` (80%) of the memory available (see
        :func:`available_memory`; :func:`dense_bytes` is the estimate: 4 bytes a pair
        for the total and for each component, 1 for eligibility and 1-8 for the
        reasons, e.g. about 41 GiB for 100,000 x 20,000 with four components). Use
        :func:`~crossmatch.score_candidates` for such cohorts.
    """
    kernels = _kernels(cohort, config)
    _check_memory(kernels)
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
    out = Scores(
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
    if history is not None:
        out = apply_history(out, history)[0]
    return out
