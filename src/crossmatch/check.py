"""Checkers: verify a `Shortlists` or `Assignment` against the rules.

Kept apart from the solvers (as networkx keeps ``is_matching`` apart from its matching
algorithms): the test suite and users call the same functions. Each
returns the list of problems found (empty when valid); ``assert_valid`` raises.
"""

from __future__ import annotations

import numpy as np

from ._text import plural
from .results import Assignment, Shortlists

__all__ = ["assert_valid", "check_assignment", "check_shortlists"]


def check_shortlists(sl: Shortlists, *, coverage: bool = True) -> list[str]:
    """Problems with a Shortlists: length k (unless short or fixed), distinct eligible
    mentors, ranking by score (ties by id), exposure, group limit, and coverage: the
    recommended mentors form a complete assignment within capacity."""
    s = sl.scores
    out: list[str] = []
    mentors = sl.mentors
    n = sl.n_mentees
    if mentors.shape != (s.n_mentees, sl.k) or sl.recommended.shape != (s.n_mentees,):
        return [f"shape mismatch: mentors {mentors.shape}, recommended {sl.recommended.shape}"]
    lengths = sl.lengths()
    fixed = int(sl.info.get("fixed", 0))
    waiting = sl.waitlisted
    for i in np.flatnonzero(waiting).tolist():  # waitlisted: an empty row and a reason
        if np.any(mentors[i] >= 0) or sl.recommended[i] >= 0:
            out.append(f"mentee {s.mentee_ids[i]!r}: waitlisted but has a shortlist")
        if not sl.waitlist_reason[i]:
            out.append(f"mentee {s.mentee_ids[i]!r}: waitlisted without a reason")
    for i in np.flatnonzero(~waiting).tolist():
        row = mentors[i][mentors[i] >= 0]
        if np.any(mentors[i][len(row) :] >= 0):
            out.append(f"mentee {s.mentee_ids[i]!r}: padding (-1) before entries")
        if len(set(row.tolist())) != len(row):
            out.append(f"mentee {s.mentee_ids[i]!r}: repeated mentor on the shortlist")
        bad = [j for j in row.tolist() if not s.eligible[i, j]]
        if bad:
            out.append(
                f"mentee {s.mentee_ids[i]!r}: ineligible mentors {s.mentor_ids[bad].tolist()}"
            )
        sc = s.total[i, row].astype(np.float64)
        if len(row) > 1 and np.any(np.diff(sc) > 0):
            out.append(f"mentee {s.mentee_ids[i]!r}: shortlist not ranked by score")
        if sl.recommended[i] not in row:
            out.append(f"mentee {s.mentee_ids[i]!r}: recommended mentor not on the shortlist")
    if not fixed and not sl.info.get("allow_short") and np.any((lengths != sl.k) & ~waiting):
        short = np.flatnonzero((lengths != sl.k) & ~waiting)
        verb = "does" if len(short) == 1 else "do"
        out.append(f"{plural(len(short), 'shortlist')} {verb} not have k={sl.k} entries")
    shown = np.bincount(mentors[mentors >= 0], minlength=s.n_mentors)
    over = np.flatnonzero(shown > sl.exposure) if fixed == 0 else np.zeros(0, int)
    if over.size:
        out.append(f"exposure exceeded for mentors {s.mentor_ids[over].tolist()[:10]}")
    if sl.max_per_group is not None and s.mentor_groups is not None:
        for i in range(n):
            row = mentors[i][mentors[i] >= 0]
            _, counts = np.unique(np.asarray(s.mentor_groups[row], dtype=str), return_counts=True)
            if counts.size and counts.max() > sl.max_per_group:
                out.append(
                    f"mentee {s.mentee_ids[i]!r}: more than {sl.max_per_group} mentors of one group"
                )
    if coverage:
        rec = sl.recommended[~waiting]
        if np.any(rec < 0):
            n = int((rec < 0).sum())
            out.append(
                f"{plural(n, 'mentee')} {'has' if n == 1 else 'have'} no recommended mentor "
                "(coverage)"
            )
        else:
            load = np.bincount(rec, minlength=s.n_mentors)
            over = np.flatnonzero(load > s.capacity)
            if over.size:
                out.append(
                    f"recommended assignment exceeds capacity of {s.mentor_ids[over].tolist()[:10]}"
                )
    return out


def check_assignment(a: Assignment, *, complete: bool | None = None) -> list[str]:
    """Problems with an Assignment: matched mentors eligible and on the mentee's shortlist,
    capacity respected, and (``complete=True``, default for rank-maximal without mentors'
    declines) everyone matched but the waitlisted."""
    s = a.scores
    out: list[str] = []
    ok = a.matched
    i = np.flatnonzero(ok)
    j = a.mentor[ok]
    if np.any(~s.eligible[i, j]):
        out.append("an assigned pair is not eligible")
    if a.shortlists is not None:
        on = (a.shortlists.mentors[i] == j[:, None]).any(axis=1)
        if not on.all():
            out.append(
                f"{plural(int((~on).sum()), 'mentee')} assigned a mentor not on their shortlist"
            )
    load = a.load()
    over = np.flatnonzero(load > s.capacity)
    if over.size:
        out.append(f"capacity exceeded for mentors {s.mentor_ids[over].tolist()[:10]}")
    if complete is None:
        complete = a.method == "rank-maximal" and not a.info.get("declined")
    waiting = a.shortlists.waitlisted if a.shortlists is not None else np.zeros(len(ok), dtype=bool)
    if complete and not (ok | waiting).all():
        out.append(f"{plural(int((~ok & ~waiting).sum()), 'mentee')} unmatched")
    for r in np.flatnonzero(~ok):
        if not a.reason[r]:
            out.append(f"mentee {s.mentee_ids[r]!r} unmatched without a reason")
    return out


def assert_valid(result: Shortlists | Assignment) -> None:
    """Raise ValueError listing the problems of a Shortlists or Assignment, if any."""
    problems = (
        check_shortlists(result) if isinstance(result, Shortlists) else check_assignment(result)
    )
    if problems:
        raise ValueError("invalid result:\n  - " + "\n  - ".join(problems))


def has_complete_assignment(sl: Shortlists) -> bool:
    """True if the shortlists contain an assignment of every mentee within capacity
    (independently of ``recommended`` and of the solvers: an OR-Tools max flow)."""
    from ortools.graph.python import max_flow

    scores = sl.scores
    n, m = sl.mentors.shape[0], scores.n_mentors
    rows, cols = np.nonzero(sl.mentors >= 0)
    mentor = sl.mentors[rows, cols]
    ok = np.asarray(scores.eligible[rows, mentor], dtype=bool)
    rows, mentor = rows[ok], mentor[ok]
    f = max_flow.SimpleMaxFlow()
    src, snk = n + m, n + m + 1
    f.add_arcs_with_capacity(np.full(n, src), np.arange(n), np.ones(n, np.int64))
    f.add_arcs_with_capacity(rows, n + mentor, np.ones(len(rows), np.int64))
    f.add_arcs_with_capacity(n + np.arange(m), np.full(m, snk), scores.capacity.astype(np.int64))
    if f.solve(src, snk) != f.OPTIMAL:
        return False
    return int(f.optimal_flow()) == n
