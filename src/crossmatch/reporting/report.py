"""The coordinator's report: `report(result) -> Report`.

A report describes *the pairs* of a result:

- :class:`~crossmatch.Assignment`: the assigned pairs;
- :class:`~crossmatch.Shortlists`: every shortlist entry;
- :class:`~crossmatch.Scores` / :class:`~crossmatch.CandidateScores`: each mentee's best
  eligible mentor (what a match by score alone would give).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from .._validation import Interval, check_params
from ..results import Assignment, Shortlists
from ..scoring.scores import id_column
from ._figures import mentor_table, mix, pairs_frame
from ._source import RESULT, Result, Source, result_kind, scores_of
from .explain import json_safe

__all__ = ["Report", "report"]


def _stats(values: np.ndarray) -> dict[str, float | None]:
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return {"mean": None, "median": None, "worst": None, "best": None}
    return {
        "mean": float(v.mean()),
        "median": float(np.median(v)),
        "worst": float(v.min()),
        "best": float(v.max()),
    }


@dataclass(frozen=True, slots=True, eq=False)
class Report:
    """What a programme coordinator asks about a result.

    Attributes
    ----------
    kind : {"scores", "candidates", "shortlists", "assignment"}
    figures : mapping
        Every headline figure, JSON-safe (see :meth:`to_dict`): ``n_mentees``,
        ``n_mentors``, ``total_capacity``, ``matched`` / ``waiting`` with ``reasons``,
        ``choices`` (mentees per rank of the choice they got, assignments only),
        ``score`` (mean / median / worst / best over the pairs), ``components`` (the same
        per component), ``mentors`` (load against capacity and exposure),
        ``ineligible`` (pairs per rule), ``few_options`` and ``bound`` (objective, bound,
        gap, status; solved results).
    pairs : DataFrame
        The pairs the figures describe: ``mentee_id``, ``mentor_id``, ``score``, one column
        per component, and ``mentee_sector``, ``mentor_sector``, ``mentee_region``,
        ``mentor_region`` when the cohort is known (``choice`` for an assignment).
    sector_mix, region_mix : DataFrame
        Counts of the pairs, mentee sector (region) by mentor sector (region); empty
        without a cohort.
    mentors : DataFrame
        One row per mentor: ``mentor_id``, ``capacity``, ``exposure`` and ``shown``
        (shortlists), ``assigned`` (assignments, and the covering assignment of
        shortlists).
    waiting : DataFrame
        ``mentee_id`` and ``reason`` of every mentee left without a mentor.
    ineligible : DataFrame
        ``reason``, ``pairs``, ``share``: pairs each rule excludes (a pair may break
        several rules).
    few_options : DataFrame
        ``mentee_id``, ``eligible_mentors`` of mentees with fewer than ``min_options``.
    result : object
        The result reported on (for plots).
    """

    kind: str
    figures: Any
    pairs: pd.DataFrame
    sector_mix: pd.DataFrame
    region_mix: pd.DataFrame
    mentors: pd.DataFrame
    waiting: pd.DataFrame
    ineligible: pd.DataFrame
    few_options: pd.DataFrame
    result: Any = field(repr=False, default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "figures", MappingProxyType(json_safe(dict(self.figures))))

    # ------------------------------------------------------------------ outputs
    def to_dict(self) -> dict[str, Any]:
        """Every figure and table as plain, strict-JSON-safe values (no NaN or inf)."""

        def records(df: pd.DataFrame) -> list[dict[str, Any]]:
            return json_safe(df.astype(object).where(df.notna(), None).to_dict(orient="records"))

        def mix(df: pd.DataFrame) -> dict[str, dict[str, int]]:
            return {
                str(r): {str(c): int(v) for c, v in row.items() if v} for r, row in df.iterrows()
            }

        return json_safe(
            {
                "kind": self.kind,
                "figures": dict(self.figures),
                "sector_mix": mix(self.sector_mix),
                "region_mix": mix(self.region_mix),
                "mentors": records(self.mentors),
                "waiting": records(self.waiting),
                "ineligible": records(self.ineligible),
                "few_options": records(self.few_options),
            }
        )

    def __str__(self) -> str:
        return _text(self)

    def to_html(self, path: str | os.PathLike[str] | None = None, *, plots: bool = True) -> str:
        """One self-contained HTML page (plots embedded as PNG when matplotlib is
        installed); written to ``path`` when given. Returns the HTML."""
        from .html import report_html

        page = report_html(self, plots=plots, standalone=True)
        if path is not None:
            with open(os.fspath(path), "w", encoding="utf-8") as fh:
                fh.write(page)
        return page

    def _repr_html_(self) -> str:
        from .html import report_html

        return report_html(self, plots=False, standalone=False)

    def __repr__(self) -> str:
        f = self.figures
        return (
            f"Report(kind={self.kind!r}, n_mentees={f['n_mentees']}, "
            f"matched={f['matched']['matched']}, waiting={f['matched']['waiting']})"
        )


# ---------------------------------------------------------------------------- building
def report(result: Result, *, min_options: int = 5) -> Report:
    """The coordinator's report on scores, shortlists or an assignment.

    Parameters
    ----------
    result : Scores, CandidateScores, Shortlists or Assignment
    min_options : int, default 5
        Mentees with fewer eligible mentors than this are listed in ``few_options``.

    Returns
    -------
    Report
        ``str(report)`` for a terminal, ``report.to_dict()`` (strict JSON),
        ``report.to_html(path)`` (one self-contained page, plots embedded),
        ``report.sector_mix`` / ``report.region_mix`` (DataFrames).

    Examples
    --------
    >>> import crossmatch as cm
    >>> s = cm.Scores.from_matrix([[0.9, 0.2], [0.4, 0.8]], mentee_ids=["a", "b"],
    ...                           mentor_ids=["x", "y"], capacity=[1, 1])
    >>> r = cm.report(cm.shortlist(s, k=1))
    >>> r.figures["matched"]["matched"], r.figures["score"]["mean"]
    (2, 0.85)
    """
    check_params(
        "report",
        {"result": result, "min_options": min_options},
        {
            "result": [RESULT],
            "min_options": [Interval("int", 0, None)],
        },
    )
    src = Source(scores_of(result))
    kind = result_kind(result)
    n, m = src.n_mentees, src.n_mentors
    pairs = pairs_frame(result, src)

    # matched / waiting, with reasons
    n_elig = src.n_eligible()
    if isinstance(result, Assignment):
        matched = result.mentor >= 0
        reasons = [r if r else "unmatched" for r in result.reason]
    elif isinstance(result, Shortlists):
        matched = result.recommended >= 0
        lengths = result.lengths()
        waits = result.waitlist_reason
        reasons = [
            f"waitlisted: {waits[i]}"
            if result.waitlisted[i] and waits[i]
            else "no eligible mentor"
            if n_elig[i] == 0
            else "empty shortlist"
            if lengths[i] == 0
            else "not in the covering assignment"
            for i in range(n)
        ]
    else:
        matched = n_elig > 0
        reasons = ["no eligible mentor"] * n
    wait_rows = np.flatnonzero(~matched)
    for i in wait_rows.tolist():
        if reasons[i] == "no eligible mentor":
            rules = src.exclusions(i)
            if rules:
                reasons[i] += " (" + ", ".join(f"{rule}: {c}" for rule, c in rules) + ")"
    waiting = pd.DataFrame(
        {
            "mentee_id": id_column(src.mentee_ids[wait_rows]),
            "reason": pd.Series([reasons[i] for i in wait_rows], dtype=object),
        }
    )
    figures: dict[str, Any] = {
        "kind": kind,
        "n_mentees": n,
        "n_mentors": m,
        "total_capacity": int(src.capacity.sum()),
        "matched": {
            "matched": int(matched.sum()),
            "waiting": int((~matched).sum()),
            "reasons": dict(Counter(reasons[i] for i in wait_rows)),
        },
        "pairs": len(pairs),
        "score": _stats(pairs["score"].to_numpy()),
        "components": {k: _stats(pairs[k].to_numpy()) for k in src.component_names},
    }

    # choices
    if isinstance(result, Assignment):
        sig = result.signature()
        total = max(1, int(matched.sum()))
        figures["choices"] = {str(r): int(c) for r, c in enumerate(sig, start=1)}
        figures["choice_share"] = {str(r): c / total for r, c in enumerate(sig, start=1)}
    if isinstance(result, Shortlists):
        lengths = result.lengths()
        figures["shortlists"] = {
            "k": int(result.k),
            "short": int((lengths < result.k).sum()),
            "mean_length": float(lengths.mean()) if n else 0.0,
        }

    # mentors: load against capacity and exposure
    mentors, mfig = mentor_table(result, src)
    sl = result if isinstance(result, Shortlists) else getattr(result, "shortlists", None)
    figures["mentors"] = mfig

    # ineligible pairs and mentees with few options
    inel, complete = src.ineligible_by_rule()
    figures["ineligible"] = {
        "pairs": {str(r): int(p) for r, p in zip(inel["reason"], inel["pairs"], strict=True)},
        "complete": complete,
        "eligible_share": float(n_elig.sum() / max(1, n * m)),
    }
    few = np.flatnonzero(n_elig < min_options)
    few_options = pd.DataFrame(
        {"mentee_id": id_column(src.mentee_ids[few]), "eligible_mentors": n_elig[few]}
    ).sort_values(["eligible_mentors"], kind="stable", ignore_index=True)
    figures["few_options"] = {"min_options": int(min_options), "mentees": len(few)}

    # the fairness objective (objective="maxmin"): the floor and what it costs
    fair = getattr(result, "info", {})
    if "price_of_fairness" in fair:
        figures["fairness"] = {
            k: None if fair.get(k) is None else float(fair[k])
            for k in ("floor", "floor_without", "price_of_fairness", "total_without_floor")
        }
    # bound and gap
    if sl is not None:
        figures["bound"] = {
            "objective": float(sl.objective),
            "bound": float(sl.bound),
            "gap": float(sl.gap),
            "status": sl.status,
            "method": sl.method,
        }
    return Report(
        kind=kind,
        figures=figures,
        pairs=pairs,
        sector_mix=mix(pairs, "mentee_sector", "mentor_sector"),
        region_mix=mix(pairs, "mentee_region", "mentor_region"),
        mentors=mentors,
        waiting=waiting,
        ineligible=inel,
        few_options=few_options,
        result=result,
    )


# ---------------------------------------------------------------------------- text
def _f(x: Any, spec: str = ".3f") -> str:
    return "n/a" if x is None else format(x, spec)


def _text(r: Report) -> str:
    f = r.figures
    what = {
        "scores": "scores (pairs: each mentee's best eligible mentor)",
        "candidates": "candidate scores (pairs: each mentee's best candidate)",
        "shortlists": "shortlists (pairs: every shortlist entry)",
        "assignment": "assignment (pairs: the assigned mentors)",
    }[r.kind]
    lines = [
        f"crossmatch report on {what}",
        f"  {f['n_mentees']} mentees, {f['n_mentors']} mentors, total capacity "
        f"{f['total_capacity']}",
    ]
    mt = f["matched"]
    label = "matched" if r.kind in ("assignment", "shortlists") else "with an eligible mentor"
    lines.append(f"  {label}: {mt['matched']}, waiting: {mt['waiting']}")
    for reason, count in mt["reasons"].items():
        lines.append(f"    {count:>5}  {reason}")
    if "choices" in f:
        parts = [
            f"{int(c)} ({f['choice_share'][k]:.0%}) choice {k}" for k, c in f["choices"].items()
        ]
        lines.append("  got their choice: " + ", ".join(parts))
    if "shortlists" in f:
        s = f["shortlists"]
        lines.append(f"  shortlists of {s['k']}: {s['short']} shorter than k")
    st = f["score"]
    lines.append(
        f"  score of the {f['pairs']} pairs: mean {_f(st['mean'])}, median {_f(st['median'])}, "
        f"worst {_f(st['worst'])}"
    )
    for name, c in f["components"].items():
        lines.append(
            f"    {name:<14} mean {_f(c['mean'])}, median {_f(c['median'])}, worst {_f(c['worst'])}"
        )
    mf = f["mentors"]
    if "used" in mf:
        lines.append(
            f"  mentors: {mf['used']} used, {mf['full']} at capacity, mean load "
            f"{_f(mf['mean_load'], '.0%')} of capacity"
        )
    if "shown" in mf:
        lines.append(
            f"  mentors shown on shortlists: {mf['shown']}, at their exposure limit: "
            f"{mf['at_exposure_limit']}"
        )
    if not r.sector_mix.empty:
        m = r.sector_mix
        vals = m.to_numpy()
        top = np.argsort(-vals, axis=None, kind="stable")[:3]
        width = m.shape[1]
        mix = ", ".join(
            f"{m.index[k // width]} -> {m.columns[k % width]} {int(vals.flat[k])}" for k in top
        )
        lines.append(f"  most common sector pairs (mentee -> mentor): {mix}")
    ine = f["ineligible"]
    lines.append(
        f"  eligible pairs: {ine['eligible_share']:.1%}"
        + ("" if ine["complete"] else " (rule counts for mentees with few options only)")
    )
    for reason, count in ine["pairs"].items():
        lines.append(f"    {count:>8,}  {reason}")
    fo = f["few_options"]
    lines.append(f"  mentees with fewer than {fo['min_options']} eligible mentors: {fo['mentees']}")
    if "fairness" in f:
        fa = f["fairness"]
        lines.append(
            f"  fairness (maxmin): worst-off mentee's value {_f(fa['floor'])} (without the floor "
            f"{_f(fa['floor_without'])}); price of fairness {_f(fa['price_of_fairness'])} of "
            f"the total score {_f(fa['total_without_floor'])}"
        )
    if "bound" in f:
        b = f["bound"]
        lines.append(
            f"  total score {b['objective']:.3f}, bound {b['bound']:.3f} (gap {b['gap']:.3%}, "
            f"{b['status']}, method {b['method']})"
        )
    return "\n".join(lines)
