"""Why (not) this mentor: `explain` and `explain_mentee`.

Verdicts, in the order they are tried (the first that applies is given):

``"assigned"``
    (an :class:`~crossmatch.Assignment`) the pair is matched.
``"shortlisted"``
    the mentor is on the mentee's shortlist (for :class:`~crossmatch.Scores` with no
    solve: among the mentee's ``k`` best eligible mentors).
``"ineligible"``
    a hard rule excludes the pair (the rules are named).
``"outscored"``
    every mentor on the mentee's shortlist (or the ``k`` best) scores at least as high.
    Also given for a pair the result holds no score for (candidate pairs without their
    cohort, e.g. a result loaded from JSON): ``details["known"]`` is then False and the
    text says what can and cannot be told.
``"exposure"``
    the mentor is already on as many shortlists as allowed; the mentees for whom they
    score higher are named.
``"capacity"``
    the mentor has no place left: capacity 0, places held by continuing pairs, or, in an
    assignment, filled by other mentees.
``"group-limit"``
    the shortlist already holds ``max_per_group`` mentors of the mentor's group.
``"trade-off"``
    none of the above: the mentor would score higher, but putting them on the list costs
    the programme more elsewhere. On small cohorts an exact re-solve with the pair forced
    in measures how much, and names who would lose what.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from .._text import plural
from .._validation import Interval, check_params
from ..results import Assignment, Shortlists
from ..scoring.scores import id_column
from . import _counterfactual
from ._describe import _grades, describe_pair, listing, regions_text
from ._source import NO_FREE_CAPACITY, RESULT, Result, Source, scores_of

__all__ = ["VERDICTS", "Explanation", "explain", "explain_mentee"]

#: Every verdict, in the order :func:`explain` tries them.
VERDICTS: tuple[str, ...] = (
    "assigned",
    "shortlisted",
    "ineligible",
    "outscored",
    "exposure",
    "capacity",
    "group-limit",
    "trade-off",
)
#: The built-in rule of a mentor who takes no mentees (reported as "capacity").
CAPACITY_ZERO = "mentor capacity 0"
#: Names listed in a sentence before "and N more".
SHOWN = 5


def json_safe(value: Any) -> Any:
    """Plain Python values for JSON: numpy scalars unwrapped, NaN and inf as None."""
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [json_safe(v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a mentor is (or is not) suggested to a mentee.

    Attributes
    ----------
    mentee_id, mentor_id
        The pair, ids as given.
    verdict : str
        One of :data:`VERDICTS`.
    text : str
        Plain English for a coordinator's email.
    details : mapping
        The numbers behind the text (score, components, ranks, competitors), JSON-safe.
    """

    mentee_id: Any
    mentor_id: Any
    verdict: str
    text: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "details", MappingProxyType(json_safe(dict(self.details))))

    def to_dict(self) -> dict[str, Any]:
        """``mentee_id``, ``mentor_id``, ``verdict``, ``text``, ``details`` (JSON-safe)."""
        return json_safe(
            {
                "mentee_id": self.mentee_id,
                "mentor_id": self.mentor_id,
                "verdict": self.verdict,
                "text": self.text,
                "details": dict(self.details),
            }
        )

    def __str__(self) -> str:
        return self.text


def _fmt(x: float) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.2f}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _best(n: int) -> str:
    return "best" if n == 1 else f"{_ordinal(n)} best"


class _Context:
    """What explanations of one result share (rows, loads, the re-solve baseline)."""

    def __init__(self, result: Result, k: int) -> None:
        self.assignment = result if isinstance(result, Assignment) else None
        if isinstance(result, Shortlists):
            self.shortlists: Shortlists | None = result
        elif isinstance(result, Assignment):
            self.shortlists = result.shortlists
        else:
            self.shortlists = None
        self.src = Source(scores_of(result))
        self.k = k
        self._baseline: Any = None
        self._pairs: Any = None
        self._orders: dict[int, tuple[list[int], dict[int, int]]] = {}
        if self.shortlists is not None:
            lists = self.shortlists.mentors
            self.shown = np.bincount(lists[lists >= 0], minlength=self.src.n_mentors)
        if self.assignment is not None:
            self.load = self.assignment.load()

    def order(self, i: int) -> tuple[list[int], dict[int, int]]:
        """Mentee ``i``'s eligible mentors, best first (ties by mentor order), and the
        rank (1 = best) of each."""
        if i not in self._orders:
            row = self.src.row(i)
            keys = (np.arange(self.src.n_mentors), -np.nan_to_num(row.total, nan=-np.inf))
            order = [int(c) for c in np.lexsort(keys) if row.eligible[c]]
            self._orders[i] = (order, {c: r for r, c in enumerate(order, start=1)})
        return self._orders[i]

    def mentee_name(self, i: int) -> str:
        return str(self.src.mentee_ids[i])

    def mentor_name(self, j: int) -> str:
        return str(self.src.mentor_ids[j])

    def scored(self, i: int, cols: list[int]) -> list[dict[str, Any]]:
        row = self.src.row(i)
        return [{"mentor_id": self.src.mentor_ids[c], "score": float(row.total[c])} for c in cols]

    def names_scores(self, items: list[dict[str, Any]], key: str = "mentor_id") -> str:
        shown = [f"{x[key]} ({_fmt(x['score'])})" for x in items[:SHOWN]]
        if len(items) > SHOWN:
            shown.append(f"{len(items) - SHOWN} more")
        return listing(shown)

    # ------------------------------------------------------------------ the re-solve
    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Every eligible pair (rows, cols, totals), when the cohort is small enough."""
        if self._pairs is None:
            src = self.src
            if src.n_mentees * src.n_mentors > 20 * _counterfactual.MAX_PAIRS:
                self._pairs = False
            else:
                rr, cc, vv = [], [], []
                for i in range(src.n_mentees):
                    row = src.row(i)
                    ok = np.flatnonzero(row.eligible & row.known)
                    rr.append(np.full(len(ok), i))
                    cc.append(ok)
                    vv.append(row.total[ok])
                rows = np.concatenate(rr).astype(np.int64)
                self._pairs = (
                    (rows, np.concatenate(cc).astype(np.int64), np.concatenate(vv))
                    if len(rows) <= _counterfactual.MAX_PAIRS
                    else False
                )
        return self._pairs or None

    def solve(self, forced: int | None) -> _counterfactual.Solution | None:
        sl = self.shortlists
        pairs = self.pairs()
        assert sl is not None and pairs is not None
        rows, cols, vals = pairs
        return _counterfactual.solve_shortlists(
            rows,
            cols,
            vals,
            length=sl.lengths().astype(float),
            covered=sl.recommended >= 0,
            exposure=np.asarray(sl.exposure, dtype=float),
            capacity=np.asarray(self.src.capacity, dtype=float),
            groups=self.src.mentor_groups,
            max_per_group=sl.max_per_group,
            forced=forced,
        )

    def pinned(self) -> np.ndarray | None:
        """Places of each mentor taken by fixed pairs (``shortlist(fixed=...)``): the
        one-entry lists of shortlists of k > 1 that were given fixed pairs."""
        sl = self.shortlists
        if sl is None or not sl.info.get("fixed") or sl.k <= 1:
            return None
        rows = np.flatnonzero((sl.lengths() == 1) & (sl.recommended == sl.mentors[:, 0]))
        return np.bincount(sl.recommended[rows], minlength=self.src.n_mentors)

    def baseline(self) -> _counterfactual.Solution | None:
        if self._baseline is None:
            self._baseline = self.solve(None) or False
        return self._baseline or None


#: Contexts of the last two results explained (results are immutable, so what one
#: explanation reads stays valid for the next: a mentee letter per mentee costs one
#: context, not one per pair). Each entry keeps its result alive, so ids are not reused.
_CONTEXTS: OrderedDict[tuple[int, int], tuple[Any, _Context]] = OrderedDict()
CONTEXT_CACHE = 2


def _context(result: Result, k: int) -> _Context:
    key = (id(result), k)
    hit = _CONTEXTS.get(key)
    if hit is not None and hit[0] is result:
        _CONTEXTS.move_to_end(key)
        return hit[1]
    ctx = _Context(result, k)
    _CONTEXTS[key] = (result, ctx)
    while len(_CONTEXTS) > CONTEXT_CACHE:
        _CONTEXTS.popitem(last=False)
    return ctx


# ---------------------------------------------------------------------------- verdicts
def _explain(ctx: _Context, i: int, j: int, counterfactual: bool) -> Explanation:
    src = ctx.src
    row = src.row(i)
    score = float(row.total[j])
    order, rank = ctx.order(i)
    d: dict[str, Any] = {
        "score": score,
        "components": {k: float(v[j]) for k, v in row.components.items()},
        "eligible": bool(row.eligible[j]),
        "rank_by_score": rank.get(j),
        "eligible_mentors": len(order),
    }
    who, mentor = ctx.mentee_name(i), ctx.mentor_name(j)
    share = _share(ctx, i, j, d)

    a, sl = ctx.assignment, ctx.shortlists
    waits = None if sl is None or not sl.waitlisted[i] else sl.waitlist_reason[i] or "waitlisted"
    if waits is not None:
        d["waitlisted"] = waits

    def out(verdict: str, text: str) -> Explanation:
        if waits is not None:  # an oversubscribed cohort: say first that the mentee waits
            text = f"{who} is on the waitlist ({waits}). {text}"
        return Explanation(src.mentee_ids[i], src.mentor_ids[j], verdict, text.strip(), d)

    if not row.known[j]:  # candidates without a cohort (e.g. loaded from JSON): no score
        return _unknown(ctx, i, j, d, out)
    if a is not None:
        d["assigned_mentor"] = None if a.mentor[i] < 0 else src.mentor_ids[a.mentor[i]]
        d["assigned_preference"] = int(a.preference[i]) or None
        if a.mentor[i] == j:
            return out(
                "assigned",
                f"{mentor} is matched with {who} ({_ordinal(int(a.preference[i]))} in their order "
                f"of preference, score {_fmt(score)}). {share}",
            )
        listed = sl is not None and j in sl.mentors[i].tolist()
        full = ctx.load[j] >= src.capacity[j]
        if full and (listed or sl is None) and row.eligible[j]:
            takers = np.flatnonzero(a.mentor == j).tolist()
            d["taken_by"] = [src.mentee_ids[t] for t in takers]
            got = (
                f"{who} was matched with {d['assigned_mentor']} instead"
                if a.mentor[i] >= 0
                else f"{who} is not matched ({a.reason[i]})"
            )
            return out(
                "capacity",
                f"{mentor} has no place left: all {plural(int(src.capacity[j]), 'place')} went to "
                f"{listing([str(src.mentee_ids[t]) for t in takers[:SHOWN]])}"
                f"{' and others' if len(takers) > SHOWN else ''}; {got}.",
            )
        if listed:
            got = (
                f"{who} was matched with {d['assigned_mentor']}, "
                f"{_ordinal(int(a.preference[i]))} in their order of preference"
                if a.mentor[i] >= 0
                else f"{who} is not matched ({a.reason[i]})"
            )
            return out(
                "shortlisted",
                f"{mentor} was on {who}'s shortlist (score {_fmt(score)}) and still has room; "
                f"{got}. {share}",
            )
        if sl is None:
            return _from_scores(ctx, i, j, d, order, share, out, assigned=True)
    if sl is not None:
        return _from_shortlists(ctx, sl, i, j, d, share, out, counterfactual)
    return _from_scores(ctx, i, j, d, order, share, out, assigned=False)


def _unknown(ctx: _Context, i: int, j: int, d: dict[str, Any], out: Any) -> Explanation:
    """A pair the result holds no score for (pruned candidates without their cohort)."""
    who, mentor = ctx.mentee_name(i), ctx.mentor_name(j)
    d["known"] = False
    d["score"] = None
    cut = ctx.src.cut(i)
    d["at_most"] = cut
    sl = ctx.shortlists
    kept = (
        [int(c) for c in sl.mentors[i] if c >= 0]
        if sl is not None
        else [int(c) for c in np.flatnonzero(ctx.src.row(i).known)]
    )
    d["kept"] = ctx.scored(i, kept)
    listed = ctx.names_scores(sorted(d["kept"], key=lambda x: -x["score"]))
    where = "shortlist" if sl is not None else "candidate mentors"
    text = f"{mentor} is not on {who}'s {where}" + (f" ({listed})" if kept else "") + ". "
    if cut is not None:
        text += f"Every mentor left out scores at most {_fmt(cut)} for {who}."
    else:
        text += (
            "This result holds no score for the pair (it keeps the listed pairs only), so "
            "whether a rule excludes it or the listed mentors score higher cannot be told "
            "from it; explain the full scores to know."
        )
    return out("outscored", text)


def _share(ctx: _Context, i: int, j: int, d: dict[str, Any]) -> str:
    src = ctx.src
    r = src.cohort_row(i)
    if r is None:
        comps = ", ".join(f"{k} {_fmt(v)}" for k, v in d["components"].items())
        return f"Score components: {comps}." if comps else ""
    parts, facts = describe_pair(src.cohort, src.config, r, j)
    d["shared"] = facts
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def _ineligible(ctx: _Context, i: int, j: int, d: dict[str, Any], out: Any) -> Explanation:
    reasons = ctx.src.row(i).reasons(j)
    d["rules"] = reasons
    who, mentor = ctx.mentee_name(i), ctx.mentor_name(j)
    if reasons == [NO_FREE_CAPACITY]:
        return out(
            "capacity",
            f"{mentor} has no free place left (every place is taken by pairs that continue), "
            f"so cannot be suggested to {who}.",
        )
    if reasons == [CAPACITY_ZERO]:
        return out("capacity", f"{mentor} takes no mentees (capacity 0), so cannot be suggested.")
    why = listing(reasons) if reasons else "the pair is not among the scored pairs"
    text = f"{mentor} cannot be suggested to {who}: {why}."
    facts = d.get("shared") or {}
    src = ctx.src
    r = src.cohort_row(i)
    if "same organisation" in reasons and r is not None:
        org = src.cohort.mentees["organisation"].iloc[r]
        text += f" Both work for {org}."
    if "excluded by request" in reasons:
        text += " One of them asked not to be paired with the other."
    if "no shared slot" in reasons:
        text += " They have no free time slot in common."
    if "in-person only, different regions" in reasons and facts:
        e, o = facts.get("mentee_region"), facts.get("mentor_region")
        where = f"they are in {regions_text(e, o)}" if e or o else "neither gave a region"
        text += f" One side meets in person only, and {where}."
    if "seniority gap outside the allowed band" in reasons and src.config is not None:
        sen = src.config.seniority
        gap = facts.get("seniority_gap")
        band = f"{sen.min_gap} to {'any' if sen.max_gap is None else sen.max_gap}"
        said = (
            ""
            if gap is None
            else "they are at the same grade; "
            if gap == 0
            else f"the mentor is {_grades(abs(gap))} {'more' if gap > 0 else 'less'} senior; "
        )
        who_more = "the mentee" if sen.reverse else "the mentor"
        text += (
            f" Seniority: {said}the programme asks for {who_more} to be {band} grades more senior."
        )
    return out("ineligible", text)


def _from_scores(
    ctx: _Context,
    i: int,
    j: int,
    d: dict[str, Any],
    order: list[int],
    share: str,
    out: Any,
    *,
    assigned: bool,
) -> Explanation:
    """Scores only (no shortlists): the k best eligible mentors are the shortlist."""
    who, mentor = ctx.mentee_name(i), ctx.mentor_name(j)
    if not d["eligible"]:
        return _ineligible(ctx, i, j, d, out)
    a = ctx.assignment
    if assigned and a is not None:
        if a.mentor[i] >= 0 and ctx.src.row(i).total[a.mentor[i]] >= d["score"]:
            best = ctx.scored(i, [int(a.mentor[i])])
            d["competitors"] = best
            return out(
                "outscored",
                f"{who}'s mentor {best[0]['mentor_id']} scores higher "
                f"({_fmt(best[0]['score'])}) than {mentor} ({_fmt(d['score'])}).",
            )
        return out(
            "trade-off",
            f"{mentor} (score {_fmt(d['score'])}) would suit {who}, but the assignment that is "
            "best for the whole programme places them elsewhere.",
        )
    top = order[: ctx.k]
    d["k"] = ctx.k
    if j in top:
        return out(
            "shortlisted",
            f"{mentor} is {who}'s {_best(top.index(j) + 1)} of {len(order)} eligible "
            f"mentor{'' if len(order) == 1 else 's'} "
            f"(score {_fmt(d['score'])}). {share}",
        )
    d["competitors"] = ctx.scored(i, top)
    return out(
        "outscored",
        f"{mentor} (score {_fmt(d['score'])}, {_ordinal(d['rank_by_score'])} of {len(order)}) "
        f"is not among {who}'s {ctx.k} best eligible mentors, who score higher: "
        f"{ctx.names_scores(d['competitors'])}.",
    )


def _from_shortlists(
    ctx: _Context,
    sl: Shortlists,
    i: int,
    j: int,
    d: dict[str, Any],
    share: str,
    out: Any,
    counterfactual: bool,
) -> Explanation:
    src = ctx.src
    who, mentor = ctx.mentee_name(i), ctx.mentor_name(j)
    mine = [int(c) for c in sl.mentors[i] if c >= 0]
    d["shortlist"] = ctx.scored(i, mine)
    if j in mine:
        d["shortlist_rank"] = mine.index(j) + 1
        d["recommended"] = bool(sl.recommended[i] == j)  # in the covering assignment
        return out(
            "shortlisted",
            f"{mentor} is number {mine.index(j) + 1} on {who}'s shortlist "
            f"(score {_fmt(d['score'])}). {share}",
        )
    if not d["eligible"]:
        return _ineligible(ctx, i, j, d, out)
    scores = [x["score"] for x in d["shortlist"]]
    if mine and len(mine) >= sl.k and min(scores) >= d["score"]:
        return out(
            "outscored",
            f"{mentor} (score {_fmt(d['score'])}) is not on {who}'s shortlist: "
            f"your shortlist's mentors score higher: {ctx.names_scores(d['shortlist'])}.",
        )
    pinned = ctx.pinned()
    if pinned is not None and src.capacity[j] > 0 and pinned[j] >= src.capacity[j]:
        takers = np.flatnonzero((sl.recommended == j) & (sl.lengths() == 1))
        d["taken_by"] = [src.mentee_ids[t] for t in takers]
        return out(
            "capacity",
            f"{mentor} has no free place: all {plural(int(src.capacity[j]), 'place')} "
            f"{'is' if int(src.capacity[j]) == 1 else 'are'} taken by "
            f"pairs that continue ({listing([str(src.mentee_ids[t]) for t in takers[:SHOWN]])}"
            f"{' and others' if len(takers) > SHOWN else ''}).",
        )
    shown, limit = int(ctx.shown[j]), int(sl.exposure[j])
    d["shown"], d["exposure"] = shown, limit
    if shown >= limit:
        on = np.flatnonzero((sl.mentors == j).any(axis=1))
        vals = src.pair_totals(on, np.full(len(on), j))
        higher = [
            {"mentee_id": src.mentee_ids[r], "score": float(v)}
            for r, v in sorted(zip(on.tolist(), vals.tolist(), strict=True), key=lambda t: -t[1])
            if v > d["score"]
        ]
        d["higher_for"] = higher
        text = (
            f"{mentor} is already on {shown} shortlists, the most allowed (exposure)"
            if limit
            else f"{mentor} may not be shown on any shortlist (exposure 0)"
        )
        if higher:
            text += (
                f"; they score higher for {ctx.names_scores(higher, 'mentee_id')} than for "
                f"{who} ({_fmt(d['score'])})"
            )
        return out("exposure", text + ".")
    if sl.max_per_group is not None and src.mentor_groups is not None:
        g = src.mentor_groups[j]
        same = [c for c in mine if src.mentor_groups[c] == g]
        if len(same) >= sl.max_per_group:
            d["group"], d["max_per_group"] = g, sl.max_per_group
            return out(
                "group-limit",
                f"{who}'s shortlist already has {plural(len(same), 'mentor')} from {g} "
                f"({listing([ctx.mentor_name(c) for c in same])}), the most allowed from one "
                f"group (max_per_group={sl.max_per_group}).",
            )
    return _trade_off(ctx, sl, i, j, d, out, counterfactual)


def _trade_off(
    ctx: _Context,
    sl: Shortlists,
    i: int,
    j: int,
    d: dict[str, Any],
    out: Any,
    counterfactual: bool,
) -> Explanation:
    who, mentor = ctx.mentee_name(i), ctx.mentor_name(j)
    head = (
        f"{mentor} (score {_fmt(d['score'])}) would score higher than someone on {who}'s "
        "shortlist, but "
    )
    pairs = ctx.pairs() if counterfactual and not sl.info.get("fixed") else None
    if pairs is None:
        d["loss"] = None
        return out(
            "trade-off",
            head + "the best shortlists for the whole programme place them elsewhere (an "
            "exact re-solve to measure the cost runs on small cohorts only).",
        )
    rows, cols, _ = pairs
    hit = np.flatnonzero((rows == i) & (cols == j))
    base = ctx.baseline()
    forced = ctx.solve(int(hit[0])) if base is not None and hit.size else None
    if base is None:
        d["loss"] = None
        return out("trade-off", head + "the exact re-solve found no answer in time.")
    if forced is None:
        d["loss"] = None
        return out(
            "trade-off",
            head + "no set of shortlists that meets every rule (k per mentee, exposure, group "
            "limit and a complete assignment within capacity) includes them.",
        )
    loss = base.value - forced.value
    d.update(loss=loss, best_total=base.value, total_with_pair=forced.value)
    changes = _changes(ctx, pairs, base, forced, i)
    d["changes"] = changes
    if loss <= 1e-9 * max(1.0, abs(base.value)):
        return out(
            "trade-off",
            head + "other shortlists just as good include them; the solver picked one of "
            "several equally good answers.",
        )
    because = []
    for c in changes[:SHOWN]:
        lost = listing([f"{x['mentor_id']} ({_fmt(x['score'])})" for x in c["removed"]])
        got = listing([f"{x['mentor_id']} ({_fmt(x['score'])})" for x in c["added"]])
        if c["mentee_id"] == ctx.src.mentee_ids[i]:
            because.append(f"{who} would lose {lost}" if lost else f"{who} would gain {got}")
        elif lost and got:
            because.append(f"{c['mentee_id']} would get {got} instead of {lost}")
        elif lost:
            because.append(f"{c['mentee_id']} would lose {lost}")
        else:
            because.append(f"{c['mentee_id']} would gain {got}")
    if len(changes) > SHOWN:
        because.append(f"{len(changes) - SHOWN} more shortlists would change")
    return out(
        "trade-off",
        f"Adding {mentor} to {who}'s shortlist would lower the programme's total by "
        f"{loss:.3f} (from {base.value:.3f} to {forced.value:.3f}), because "
        f"{listing(because)}.",
    )


def _changes(
    ctx: _Context,
    pairs: tuple[np.ndarray, np.ndarray, np.ndarray],
    base: _counterfactual.Solution,
    forced: _counterfactual.Solution,
    i: int,
) -> list[dict[str, Any]]:
    rows, cols, vals = pairs
    src = ctx.src
    out = []
    for r in np.unique(rows[base.x != forced.x]).tolist():
        sel = rows == r
        removed = np.flatnonzero(sel & base.x & ~forced.x)
        added = np.flatnonzero(sel & forced.x & ~base.x)
        out.append(
            {
                "mentee_id": src.mentee_ids[r],
                "removed": [
                    {"mentor_id": src.mentor_ids[cols[p]], "score": float(vals[p])} for p in removed
                ],
                "added": [
                    {"mentor_id": src.mentor_ids[cols[p]], "score": float(vals[p])} for p in added
                ],
            }
        )
    out.sort(key=lambda c: (c["mentee_id"] != src.mentee_ids[i],))
    return out


# ---------------------------------------------------------------------------- public API
_RESULT = RESULT


def explain(
    result: Result,
    mentee_id: Any,
    mentor_id: Any,
    *,
    k: int = 3,
    counterfactual: bool = True,
) -> Explanation:
    """Why ``mentor_id`` is (or is not) suggested to ``mentee_id``.

    Parameters
    ----------
    result : Scores, CandidateScores, Shortlists or Assignment
        What to explain. Given scores alone, a mentee's shortlist is their ``k`` best
        eligible mentors.
    mentee_id, mentor_id
        Ids as given in the input tables.
    k : int, default 3
        Shortlist length assumed for scores alone (ignored for solved results).
    counterfactual : bool, default True
        For a ``"trade-off"``, measure the cost of forcing the pair in by two exact
        re-solves (cohorts with at most
        :data:`crossmatch.reporting._counterfactual.MAX_PAIRS` eligible pairs).

    Returns
    -------
    Explanation
        ``verdict`` (one of :data:`VERDICTS`, the first that applies), ``text`` and
        ``details`` (JSON-safe numbers behind the text).

    Raises
    ------
    KeyError
        For an id that is not in the result.

    Examples
    --------
    >>> import crossmatch as cm
    >>> s = cm.Scores.from_matrix([[0.9, 0.2]], mentee_ids=["ann"],
    ...                           mentor_ids=["bo", "cy"], capacity=[1, 1])
    >>> cm.explain(s, "ann", "cy", k=1).verdict
    'outscored'
    """
    check_params(
        "explain",
        {"result": result, "k": k, "counterfactual": counterfactual},
        {"result": [_RESULT], "k": [Interval("int", 1, None)], "counterfactual": ["boolean"]},
    )
    ctx = _context(result, int(k))
    return _explain(ctx, ctx.src.mentee(mentee_id), ctx.src.mentor(mentor_id), counterfactual)


def explain_mentee(
    result: Result,
    mentee_id: Any,
    *,
    k: int = 3,
    top: int | None = None,
    counterfactual: bool = True,
) -> pd.DataFrame:
    """One row per mentor (ineligible ones included) for one mentee: why (not) them.

    Parameters
    ----------
    result : Scores, CandidateScores, Shortlists or Assignment
    mentee_id
        The mentee.
    k : int, default 3
        Shortlist length assumed for scores alone.
    top : int, optional
        Keep only the first ``top`` rows.
    counterfactual : bool, default True
        As in :func:`explain`.

    Returns
    -------
    DataFrame
        Columns ``mentor_id``, ``verdict``, ``score`` (NaN where unknown), ``eligible``,
        ``group`` (when mentors have groups), one column per score component, and
        ``text``. Rows in verdict order
        (:data:`VERDICTS`), then by score (best first), then by mentor order.
    """
    check_params(
        "explain_mentee",
        {"result": result, "k": k, "top": top, "counterfactual": counterfactual},
        {
            "result": [_RESULT],
            "k": [Interval("int", 1, None)],
            "top": [None, Interval("int", 1, None)],
            "counterfactual": ["boolean"],
        },
    )
    ctx = _context(result, int(k))
    i = ctx.src.mentee(mentee_id)
    row = ctx.src.row(i)
    items = [_explain(ctx, i, j, counterfactual) for j in range(ctx.src.n_mentors)]
    data: dict[str, Any] = {
        "mentor_id": id_column(ctx.src.mentor_ids),
        "verdict": [e.verdict for e in items],
        "score": row.total,
        "eligible": row.eligible,
    }
    if ctx.src.mentor_groups is not None:
        data["group"] = ctx.src.mentor_groups
    for name, comp in row.components.items():
        data[name] = comp
    data["text"] = [e.text for e in items]
    df = pd.DataFrame(data)
    rank = df["verdict"].map({v: n for n, v in enumerate(VERDICTS)})
    order = np.lexsort((np.arange(len(df)), -df["score"].fillna(-np.inf).to_numpy(), rank))
    df = df.iloc[order].reset_index(drop=True)
    return df if top is None else df.head(top)
