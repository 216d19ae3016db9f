"""Plots for coordinators and analysts (matplotlib: ``pip install "crossmatch[plot]"``).

Every function takes a result (or a :class:`~crossmatch.reporting.Report` of one) and an
optional matplotlib ``ax``, draws on it (a new figure when ``ax`` is None) and returns
it. matplotlib is imported only when a plot is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..results import Assignment, Shortlists
from ..scoring import ScoringConfig
from ..scoring.interface import is_score_source
from ._figures import mentor_table, mix, pairs_frame, source_of
from ._source import result_kind

__all__ = [
    "plot_choice_ranks",
    "plot_mentor_load",
    "plot_score_distribution",
    "plot_sector_mix",
    "plot_sector_preference",
]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "crossmatch's plots need matplotlib, which is not installed. Install the `plot` "
            'extra: pip install "crossmatch[plot]"'
        ) from None
    return plt


def _axes(ax: Any) -> Any:
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.0))
    return ax


@dataclass(frozen=True, slots=True)
class _Tables:
    result: Any
    kind: str
    components: tuple[str, ...]
    pairs: pd.DataFrame
    mentors: pd.DataFrame
    sector_mix: pd.DataFrame
    region_mix: pd.DataFrame


def _tables(obj: Any) -> _Tables:
    """What a plot reads: from a Report (its own tables) or computed from a result."""
    if hasattr(obj, "sector_mix") and hasattr(obj, "result"):  # a Report
        res = obj.result
        pairs, mentors = obj.pairs, obj.mentors
        sector, region = obj.sector_mix, obj.region_mix
    else:
        res = obj
        if not (is_score_source(res) or isinstance(res, Shortlists | Assignment)):
            raise TypeError(
                "plots take a Scores, CandidateScores, Shortlists, Assignment or Report. "
                f"Got {type(obj).__name__} instead."
            )
        src = source_of(res)
        pairs = pairs_frame(res, src)
        mentors, _ = mentor_table(res, src)
        sector = mix(pairs, "mentee_sector", "mentor_sector")
        region = mix(pairs, "mentee_region", "mentor_region")
    kind = result_kind(res)
    return _Tables(res, kind, source_of(res).component_names, pairs, mentors, sector, region)


def plot_score_distribution(result: Any, *, ax: Any = None, bins: int = 20) -> Any:
    """Histograms of the total score and each component over the report's pairs.

    Parameters
    ----------
    result : Scores, CandidateScores, Shortlists, Assignment or Report
    ax : matplotlib Axes, optional
    bins : int, default 20
    """
    r = _tables(result)
    ax = _axes(ax)
    pairs = r.pairs
    names = ["score", *r.components]
    edges = np.linspace(0.0, 1.0, bins + 1)
    if len(pairs):
        lo, hi = float(pairs["score"].min()), float(pairs["score"].max())
        if lo < 0 or hi > 1:  # scores from a platform's own model
            edges = np.linspace(lo, hi + 1e-12, bins + 1)
    for name in names:
        vals = pairs[name].to_numpy(dtype=float)
        vals = vals[np.isfinite(vals)]
        ax.hist(vals, bins=edges, histtype="step", linewidth=2 if name == "score" else 1.2,
                label=name)  # fmt: skip
    ax.set_xlabel("value")
    ax.set_ylabel("pairs")
    ax.set_title(f"Score and components of {len(pairs)} pairs ({r.kind})")
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_mentor_load(result: Any, *, ax: Any = None) -> Any:
    """Each mentor's assigned mentees against capacity (and shortlists shown against
    exposure), mentors sorted by capacity then load."""
    r = _tables(result)
    ax = _axes(ax)
    t = r.mentors
    if "assigned" not in t.columns:
        raise ValueError(
            "mentor load needs shortlists or an assignment; scores alone assign no one."
        )
    order = np.lexsort((-t["assigned"].to_numpy(), -t["capacity"].to_numpy()))
    t = t.iloc[order]
    x = np.arange(len(t))
    edges = np.arange(len(t) + 1) - 0.5
    # one step artist per series (not a bar per mentor): fast for thousands of mentors
    ax.stairs(t["capacity"].to_numpy(), edges, fill=True, color="#dddddd", label="capacity")
    ax.stairs(t["assigned"].to_numpy(), edges, fill=True, color="#3b75af", label="assigned")
    if "shown" in t.columns:
        ax.plot(x, t["shown"], "o", color="#e07b39", markersize=3, label="on shortlists")
        ax.plot(x, t["exposure"], "_", color="#7a3c12", markersize=8, label="exposure limit")
    ax.set_xlabel("mentors (by capacity, then load)")
    ax.set_ylabel("mentees")
    ax.set_xticks([])
    ax.set_title("Mentor load against capacity")
    ax.legend(fontsize="small")
    return ax


def plot_sector_mix(result: Any, *, ax: Any = None, region: bool = False) -> Any:
    """Heat map of the pairs by mentee sector (rows) and mentor sector (columns); with
    ``region=True`` the same by region."""
    r = _tables(result)
    ax = _axes(ax)
    table = r.region_mix if region else r.sector_mix
    if table.empty:
        raise ValueError("the sector mix needs scores made from a cohort (no cohort is known).")
    im = ax.imshow(table.to_numpy(), cmap="Blues", aspect="auto")
    ax.set_xticks(np.arange(table.shape[1]), [str(c) for c in table.columns], rotation=90,
                  fontsize="small")  # fmt: skip
    ax.set_yticks(np.arange(table.shape[0]), [str(i) for i in table.index], fontsize="small")
    ax.set_xlabel("mentor " + ("region" if region else "sector"))
    ax.set_ylabel("mentee " + ("region" if region else "sector"))
    ax.set_title(("Region" if region else "Sector") + f" mix of the pairs ({r.kind})")
    ax.figure.colorbar(im, ax=ax, label="pairs")
    return ax


def plot_choice_ranks(result: Any, *, ax: Any = None) -> Any:
    """How many mentees got their 1st, 2nd, ... choice (and how many wait)."""
    a = _tables(result).result
    if not isinstance(a, Assignment):
        raise ValueError("choice ranks need an Assignment.")
    ax = _axes(ax)
    sig = a.signature()
    labels = [f"choice {k}" for k in range(1, len(sig) + 1)] + ["waiting"]
    counts = [*sig, int((~a.matched).sum())]
    choices = sig
    ax.bar(labels, counts, color=["#3b75af"] * len(choices) + ["#c44e52"])
    for x, c in enumerate(counts):
        ax.annotate(str(c), (x, c), ha="center", va="bottom", fontsize="small")
    ax.set_ylabel("mentees")
    ax.set_title("Rank of the choice each mentee got")
    return ax


def plot_sector_preference(result: Any = None, *, ax: Any = None) -> Any:
    """The sector preference curve over distance, with the taxonomy's distances marked
    and (dense scores of a cohort) a histogram of the eligible pairs' distances.

    ``result`` may be scores (or a result holding them), a :class:`ScoringConfig`, or
    None for the default settings.
    """
    ax = _axes(ax)
    scores = result
    if hasattr(result, "result"):  # a Report
        scores = result.result
    if hasattr(scores, "scores"):
        scores = scores.scores
    if is_score_source(scores):
        config, cohort = scores.config, scores.cohort
    else:
        config, cohort = result, None
    config = config if isinstance(config, ScoringConfig) else ScoringConfig()
    d = np.linspace(0, 1, 201)
    pref = config.sector
    ax.plot(d, pref(d), color="#3b75af", label=f"preference (peak {pref.peak}, width {pref.width})")
    if cohort is not None:
        dist = cohort.taxonomy.distance
        levels = np.unique(np.round(dist, 6))
        ax.plot(levels, pref(levels), "o", color="#e07b39", markersize=3,
                label="the taxonomy's distances")  # fmt: skip
        if not scores.pruned and cohort.n_mentees * cohort.n_mentors <= 4_000_000:
            d = dist[np.asarray(cohort.mentee_sector)[:, None], np.asarray(cohort.mentor_sector)]
            twin = ax.twinx()
            twin.hist(d[np.asarray(scores.eligible)], bins=np.linspace(0, 1, 41),
                      color="#3b75af", alpha=0.15, label="eligible pairs")  # fmt: skip
            twin.set_ylabel("eligible pairs")
            ax.set_zorder(twin.get_zorder() + 1)
            ax.patch.set_visible(False)
    ax.axvline(pref.peak, color="#999999", linestyle=":", linewidth=1)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.1)
    ax.set_xlabel("sector distance (0 = same sector, 1 = furthest apart)")
    ax.set_ylabel("sector score")
    ax.set_title("Sector preference: different, but not diametrically opposed")
    ax.legend(fontsize="small", loc="lower center")
    return ax
