"""crossmatch: match mentees with mentors across sectors.

The pipeline reads as a chain of nouns::

    Cohort.from_frames(mentees, mentors)   # validate and encode   (crossmatch.cohort)
    score(cohort, ScoringConfig())         # -> Scores             (crossmatch.scoring)

Heavy optional dependencies are imported only where used.
"""

from .cohort import Cohort, Taxonomy
from .errors import InfeasibleError, Problem, ValidationError
from .scoring import (
    AvailabilityConfig,
    CustomComponent,
    GoalsConfig,
    HardRule,
    Scores,
    ScoringConfig,
    SectorPreference,
    SeniorityConfig,
    iter_score_blocks,
    score,
)
from .synth import synthetic_cohort

__version__ = "0.1.0"

__all__ = [
    "AvailabilityConfig",
    "Cohort",
    "CustomComponent",
    "GoalsConfig",
    "HardRule",
    "InfeasibleError",
    "Problem",
    "Scores",
    "ScoringConfig",
    "SectorPreference",
    "SeniorityConfig",
    "Taxonomy",
    "ValidationError",
    "__version__",
    "iter_score_blocks",
    "score",
    "synthetic_cohort",
]
