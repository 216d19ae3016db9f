"""Diagnosis: say who cannot be served, why, and what setting would fix it.

Cheap proofs first (total capacity, each mentee's eligible mentors, total exposure);
then, when those pass, the coverage check: a maximum assignment within
``min(capacity, exposure)`` that leaves mentees out comes with a Hall violator, the
mentees reachable from them by alternating paths and the mentors those reach, whose
capacity is too small for them. The message names both sides: the mentees, and the
mentors whose capacity (or exposure) to raise.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from .._text import plural
from ..errors import InfeasibleError
from .instance import Instance, group_reach
from .network import max_assignment, unfilled_reach

__all__ = ["coverage_violation", "diagnose"]

#: Mentees (and mentors) named in a message before "and N more".
SHOWN = 10


def diagnose(p: Instance, *, coverage: bool = True) -> None:
    """Raise InfeasibleError listing every cheap-to-prove reason the rules cannot be met
    (``coverage=False`` skips the Hall check, which on candidates proves nothing)."""
    s = p.scores
    reasons: list[str] = []
    who: list[Any] = []
    fixes: list[str] = []
    total = int(p.capacity.sum())
    if total < p.n:
        reasons.append(
            f"total mentor capacity {total} is below the number of mentees {p.n} "
            f"(short by {p.n - total})"
        )
        fixes.append(f"add mentors or raise capacities by {p.n - total} in total")
    reach = np.bincount(p.pi, minlength=p.n)
    if s.pruned and not coverage:
        reach = s.eligible_counts()[p.ee]  # candidates may widen: only the full count proves
    elif p.max_per_group is not None and p.group is not None:
        reach = group_reach(p.pi, p.group[p.pj], p.n, p.max_per_group)
    elif s.pruned:
        reach = s.eligible_counts()[p.ee]
    short = np.flatnonzero((reach < p.k) | (reach == 0))
    if short.size:
        _short_mentees(p, short, reach, reasons, who, fixes)
    need = int(p.k.sum())
    if int(p.exposure.sum()) < need:
        reasons.append(
            f"exposure allows {int(p.exposure.sum())} shortlist places but k per mentee "
            f"needs {need}"
        )
        fixes.append("raise `exposure` or lower k")
    if not reasons and coverage:
        hall = coverage_violation(p)
        if hall is not None:
            mentees, mentors, cap = hall
            example = ", ".join(map(repr, s.mentee_ids[p.ee[mentees[:5]]].tolist()))
            names = s.mentor_ids[p.mr[mentors]].tolist()
            listed = ", ".join(map(repr, names[:SHOWN]))
            more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
            reasons.append(
                f"no complete assignment exists: {plural(len(mentees), 'mentee')} (e.g. {example}) "
                f"can only be matched with {plural(len(mentors), 'mentor')} ({listed}{more}) whose "
                f"capacity, within exposure, totals {cap}"
            )
            who.extend(s.mentee_ids[p.ee[mentees]].tolist())
            fixes.append(
                f"raise the capacity or exposure of those mentors ({listed}{more}) by "
                f"{len(mentees) - cap} in total, or relax rules for those mentees"
            )
    if reasons:
        raise InfeasibleError(reasons, who=who, fix="; ".join(fixes))


def _short_mentees(
    p: Instance, short: np.ndarray, reach: np.ndarray, reasons: list[str], who: list[Any],
    fixes: list[str],
) -> None:  # fmt: skip
    s = p.scores
    counts_all = s.reason_counts_of(p.ee[short[:SHOWN]])
    lines = []
    for a, row_counts in zip(short[:SHOWN], counts_all, strict=True):
        counts: Counter[str] = Counter(
            {name: int(c) for name, c in zip(s.reason_names, row_counts, strict=True) if c}
        )
        why = ", ".join(f"{name} ({c})" for name, c in counts.most_common(3)) or "none"
        lines.append(f"{s.mentee_ids[p.ee[a]]!r} has {int(reach[a])} (others excluded by: {why})")
    more = f" and {short.size - SHOWN} more" if short.size > SHOWN else ""
    limit = " under the group limit" if p.max_per_group is not None else ""
    none = bool(np.all(reach[short] == 0))
    what = "no eligible mentor" if none else f"fewer than k={p.k_max} eligible mentors{limit}"
    reasons.append(
        f"{plural(short.size, 'mentee')} {'has' if short.size == 1 else 'have'} {what}: "
        + "; ".join(lines)
        + more
    )
    who.extend(s.mentee_ids[p.ee[short]].tolist())
    fixes.append(
        "relax the rules named above for them"
        if none
        else "lower k, pass allow_short=True, or relax the rules named above"
    )


def coverage_violation(p: Instance) -> tuple[np.ndarray, np.ndarray, int] | None:
    """A Hall violator if no assignment covers every mentee (within min(capacity,
    exposure)): ``(mentees, their mentors, total capacity)``; None if one exists."""
    cap = np.minimum(p.capacity, p.exposure)
    flow = max_assignment(p, cap, weights=None)
    if flow.matched.all():
        return None
    # mentees reachable from an unmatched mentee by alternating paths (residual graph)
    mentee_seen, mentor_seen = unfilled_reach(p, flow.pair_used, ~flow.matched)
    mentees = np.flatnonzero(mentee_seen)
    mentors = np.flatnonzero(mentor_seen)
    return mentees, mentors, int(cap[mentors].sum())
