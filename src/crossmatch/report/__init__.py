"""Reports for coordinators: summaries and explanations (plots come with the optional extra)."""

from .summary import explain_mentee, ineligibility_table, score_summary

__all__ = ["explain_mentee", "ineligibility_table", "score_summary"]
