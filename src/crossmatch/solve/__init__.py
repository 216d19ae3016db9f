"""Solving: shortlists, assignment from choices, rematch.

Scoring ends at a score source (:class:`~crossmatch.Scores` or
:class:`~crossmatch.CandidateScores`, read through
:class:`~crossmatch.scoring.interface.ScoreSource`); everything here works on its
eligible pairs. Floors, each importing only those above it in this list:

- ``options`` (settings, the deadline), ``scaling`` (the one integer scaling of scores),
  ``pairs`` (eligible pairs in canonical order), ``instance`` (a shortlist problem on
  them), ``residual`` (residual arcs, potentials, alternating paths), ``network`` (every
  flow network), ``diagnose`` (who cannot be served, and why), ``bounds`` (bounds on
  pruned pairs), ``waitlist``
  (whom an oversubscribed cohort serves, who waits and why), ``choices`` (the mentees'
  and mentors' choices, validated);
- ``exact`` (priced LP with HiGHS, the integer program with SCIP), ``methods`` (the
  registered shortlist methods: flow, exact, auto), ``colgen`` (candidate pairs with
  widening and pricing), ``rank_maximal``;
- ``match_flow`` / ``match_pricing`` / ``match_candidates`` / ``match_fair`` (the
  network of direct matching on the shared pairs, scaling and toolkit; pricing,
  widening, fairness);
- front ends: ``shortlist``, ``assign``, ``rematch``, ``match``.
"""

from .assign import ASSIGN_METHODS, assign
from .match import match
from .rematch import rematch
from .shortlist import METHODS, shortlist

__all__ = ["ASSIGN_METHODS", "METHODS", "assign", "match", "rematch", "shortlist"]
