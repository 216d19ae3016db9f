"""Scoring: settings, components and the `Scores` of every mentee-mentor pair."""

from .candidates import CandidateScores, score_candidates
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
from .text import text_similarity

__all__ = [
    "AvailabilityConfig",
    "CandidateScores",
    "CustomComponent",
    "GoalsConfig",
    "HardRule",
    "Scores",
    "ScoringConfig",
    "SectorPreference",
    "SeniorityConfig",
    "iter_score_blocks",
    "score",
    "score_candidates",
    "text_similarity",
]
