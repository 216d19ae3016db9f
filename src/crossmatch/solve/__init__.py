"""Solving: shortlists (OR-Tools min-cost flow and CP-SAT), assignment from choices, rematch.

Scoring ends at `Scores`; everything here works on its eligible pairs.
"""

from .assign import ASSIGN_METHODS, assign
from .rematch import rematch
from .shortlist import METHODS, shortlist

__all__ = ["ASSIGN_METHODS", "METHODS", "assign", "rematch", "shortlist"]
