"""The answer of :func:`crossmatch.match` in words and figures: why a mentee waits (no
eligible mentor under which rules, or the group competing for the same full mentors),
preferences, coverage by class, score lookups."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._text import plural
from ..scoring.interface import ScoreSource
from .match_flow import _Network
from .network import alternating_groups
from .pairs import Pairs


def _rule_text(scores: ScoreSource, row: int) -> str:
    by_rule = scores.reason_counts_of(np.array([row], np.int64))[0]
    counts = {name: int(c) for name, c in zip(scores.reason_names, by_rule, strict=True) if c}
    if not counts:
        return "no eligible mentor (no mentor has free capacity)"
    parts = sorted(counts.items(), key=lambda kv: -kv[1])
    return "no eligible mentor under rule " + ", ".join(f"{k!r} ({v} mentors)" for k, v in parts)


def _groups(
    net: _Network, used: np.ndarray, matched: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The competing groups of unmatched mentees that have pairs: for each, the mentees
    reached by alternating paths from its unmatched ones and their mentors (canonical,
    sorted). Every such mentor is full, and with the mentees assigned to them, inside the
    group; the group has more mentees than places (Hall's condition fails), which proves
    that no answer on these pairs covers more of them."""
    p = net.pairs
    n, m = p.n, p.m
    reach = np.bincount(p.pi, minlength=n)
    rest = np.flatnonzero(~matched & (reach > 0))
    if not rest.size:
        return []
    # one mentor per covered mentee: a maximum assignment (as large as the coverage)
    one = np.zeros(len(p.pi), bool)
    firsts = np.flatnonzero(used)
    _, pos = np.unique(p.pi[firsts], return_index=True)
    one[firsts[pos]] = True
    return alternating_groups(p.pi, p.pj, one, rest, n, m)


def _reasons(
    scores: ScoreSource, net: _Network, used: np.ndarray, matched: np.ndarray
) -> dict[int, str]:
    """A reason per unmatched canonical mentee: no eligible mentor (which rules), no
    candidate pair, or the group of mentees competing for the same full mentors."""
    p = net.pairs
    reach = np.bincount(p.pi, minlength=p.n)
    out: dict[int, str] = {}
    n_eligible = scores.eligible_counts() if scores.pruned else None
    for a in np.flatnonzero(~matched & (reach == 0)).tolist():
        row = int(p.ee[a])
        if n_eligible is not None and n_eligible[row] > 0:
            out[a] = (
                f"no candidate pair ({int(n_eligible[row])} eligible mentors were "
                "pruned by score_candidates; raise its per_mentee or per_mentor)"
            )
        else:
            out[a] = _rule_text(scores, row)
    which = "of their candidate pairs" if scores.pruned else "they are eligible for"
    for mentees, mentors in _groups(net, used, matched):
        waiting = mentees[~matched[mentees]]
        places = int(net.cap[mentors].sum())
        ids = ", ".join(repr(x) for x in scores.mentor_ids[p.mr[mentors[:3]]].tolist())
        more = f" and {len(mentors) - 3} more" if len(mentors) > 3 else ""
        text = (
            f"{len(mentees)} mentees compete for {places} places among the "
            f"{plural(len(mentors), 'mentor')} {which} ({ids}{more}); {waiting.size} wait"
        )
        if net.n_classes > 1:
            text += " (places go to higher priority first)"
        for a in waiting.tolist():
            out[a] = text
    return out


def _fixed_scores(scores: ScoreSource, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    if not rows.size:
        return np.zeros(0)
    v = np.asarray(scores.total[rows, cols], np.float64)
    return np.where(np.isnan(v), 0.0, v)


def _score_lookup(scores: ScoreSource) -> Any:
    def lookup(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        r, c = np.asarray(rows, np.int64), np.asarray(cols, np.int64)
        if not r.size:
            return np.zeros(0)
        v = np.asarray(scores.total[r, c], np.float64)
        return np.where(np.isnan(v), 0.0, v)

    return lookup


def _preference(pairs: Pairs, mentors: np.ndarray, score_of: Any) -> np.ndarray:
    """Rank of each mentee's first (best) mentor among their eligible mentors by score
    (1 = their best-scoring mentor; ties share the better rank); 0 where unmatched."""
    n_rows = mentors.shape[0]
    out = np.zeros(n_rows, np.int64)
    ok = np.flatnonzero(mentors[:, 0] >= 0)
    if not ok.size:
        return out
    best = np.full(n_rows, np.inf)
    best[ok] = score_of(ok, mentors[ok, 0])
    rows = pairs.ee[pairs.pi]
    above = np.bincount(rows, weights=(pairs.ps > best[rows] + 1e-12), minlength=n_rows)
    out[ok] = above[ok].astype(np.int64) + 1
    return out


def _by_class(klass: np.ndarray, matched: np.ndarray) -> list[tuple[int, int]]:
    """(matched, size) per priority class, highest first."""
    size = np.bincount(klass)
    got = np.bincount(klass[matched], minlength=len(size))
    return [(int(g), int(s)) for g, s in zip(got, size, strict=True)]
