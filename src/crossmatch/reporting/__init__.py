"""Results people can act on: explanations, the coordinator's report, plots and HTML.

- :func:`explain` / :func:`explain_mentee`: why (not) this mentor, in plain English;
- :func:`report`: the coordinator's figures, as text, JSON-safe dict and HTML;
- :mod:`crossmatch.reporting.plots`: figures (the optional ``plot`` extra, matplotlib);
- :func:`score_summary`, :func:`ineligibility_table`, :func:`assignment_summary`: plain
  summaries.
"""

from .explain import VERDICTS, Explanation, explain, explain_mentee
from .report import Report, report
from .summary import assignment_summary, ineligibility_table, score_summary

__all__ = [
    "VERDICTS",
    "Explanation",
    "Report",
    "assignment_summary",
    "explain",
    "explain_mentee",
    "ineligibility_table",
    "report",
    "score_summary",
]
