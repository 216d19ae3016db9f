"""Scoring: settings, components and the `Scores` of every mentee-mentor pair."""

from .config import (
    AvailabilityConfig,
    CustomComponent,
    GoalsConfig,
    HardRule,
    ScoringConfig,
    SectorPreference,
    SeniorityConfig,
)
from .engine import iter_score_blocks, score
from .scores import Scores

__all__ = [
    "AvailabilityConfig",
    "CustomComponent",
    "GoalsConfig",
    "HardRule",
    "Scores",
    "ScoringConfig",
    "SectorPreference",
    "SeniorityConfig",
    "iter_score_blocks",
    "score",
]
