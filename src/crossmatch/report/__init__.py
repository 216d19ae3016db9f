"""Reports for coordinators: summaries and explanations (plots come with the optional extra)."""

from .summary import assignment_summary, explain_mentee, ineligibility_table, score_summary

__all__ = ["assignment_summary", "explain_mentee", "ineligibility_table", "score_summary"]
