"""Typed, frozen settings of one solve, checked once at the door, and its deadline.

:func:`crossmatch.shortlist` checks its parameters with :mod:`crossmatch._validation`
and passes them down as one :class:`ShortlistOptions` (no ``**kwargs`` dictionaries
travel between layers). ``time_limit`` becomes one :class:`Deadline` shared by every
stage (pricing rounds, LP, MIP, widening): a stage asks how much time is left, never
starts a fresh limit of its own.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Deadline", "ShortlistOptions"]


@dataclass(frozen=True, slots=True)
class Deadline:
    """One time limit across every stage of a solve (``limit`` None: no limit)."""

    limit: float | None
    start: float = field(default_factory=time.perf_counter)

    @classmethod
    def of(cls, time_limit: float | None) -> Deadline:
        """``time_limit`` seconds from now; None or ``inf``: no limit."""
        if time_limit is None or math.isinf(time_limit):
            return cls(None)
        return cls(float(time_limit))

    def remaining(self) -> float | None:
        """Seconds left (>= 0), or None without a limit."""
        if self.limit is None:
            return None
        return max(0.0, self.limit - (time.perf_counter() - self.start))

    def expired(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0.0

    def capped(self, seconds: float) -> Deadline:
        """This deadline, or ``seconds`` from now if that comes first."""
        left = self.remaining()
        return Deadline(seconds if left is None else min(left, seconds))


@dataclass(frozen=True, slots=True)
class ShortlistOptions:
    """The settings of one shortlist solve (see :func:`crossmatch.shortlist`)."""

    k: int
    #: None (the default exposure), an int, or one int per mentor; the front end resolves
    #: it to one int per mentor (checked) before solving
    exposure: Any = None
    max_per_group: int | None = None
    allow_short: bool = False
    method: str = "auto"
    seed: int = 0
    deadline: Deadline = field(default_factory=lambda: Deadline(None))
    executor: Executor | None = None
    progress: bool | None = None
    #: the candidates' relaxation, solved already by the pricing rounds
    relax: np.ndarray | None = None
    #: the covering assignment may use only pairs scoring at least this much (the floor of
    #: ``objective="maxmin"``, :mod:`crossmatch.solve.shortlist_fair`); None: any pair
    cover_floor: float | None = None
