"""crossmatch: match mentees with mentors across sectors.

The pipeline reads as a chain of nouns::

    prog = load_programme("programme.toml")  # columns, aliases, settings (crossmatch.programme)
    Cohort.from_csv(ee, mr, programme=prog)  # their words -> ours (crossmatch.intake);
                                           # validate and encode   (crossmatch.cohort)
    score(cohort, ScoringConfig())         # -> Scores             (crossmatch.scoring)
    score_candidates(cohort)               # -> CandidateScores    (large cohorts, sparse)
    shortlist(scores, k=3)                 # -> Shortlists         (crossmatch.solve)
    assign(shortlists, choices)            # -> Assignment         (crossmatch.solve)
    explain(result, mentee_id, mentor_id)  # -> Explanation        (crossmatch.reporting)
    report(result)                         # -> Report             (crossmatch.reporting)

Heavy optional dependencies are imported only where used.
"""

from .choices import read_choices
from .cohort import Cohort, Taxonomy
from .errors import InfeasibleError, ParameterError, Problem, ValidationError
from .intake import IntakeSummary
from .programme import Programme, check_options, load_programme
from .reporting import Explanation, Report, explain, explain_mentee, report
from .results import Assignment, Shortlists
from .scoring import (
    AvailabilityConfig,
    CandidateScores,
    CustomComponent,
    GoalsConfig,
    HardRule,
    Scores,
    ScoringConfig,
    SectorPreference,
    SeniorityConfig,
    iter_score_blocks,
    score,
    score_candidates,
    text_similarity,
)
from .solve import assign, match, rematch, shortlist
from .synth import simulate_choices, synthetic_cohort

__version__ = "0.1.0"

__all__ = [
    "Assignment",
    "AvailabilityConfig",
    "CandidateScores",
    "Cohort",
    "CustomComponent",
    "Explanation",
    "GoalsConfig",
    "HardRule",
    "InfeasibleError",
    "IntakeSummary",
    "ParameterError",
    "Problem",
    "Programme",
    "Report",
    "Scores",
    "ScoringConfig",
    "SectorPreference",
    "SeniorityConfig",
    "Shortlists",
    "Taxonomy",
    "ValidationError",
    "__version__",
    "assign",
    "check_options",
    "explain",
    "explain_mentee",
    "iter_score_blocks",
    "load_programme",
    "match",
    "read_choices",
    "rematch",
    "report",
    "score",
    "score_candidates",
    "shortlist",
    "simulate_choices",
    "synthetic_cohort",
    "text_similarity",
]
