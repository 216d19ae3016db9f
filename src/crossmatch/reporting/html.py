"""The report as HTML: a Jupyter view and one self-contained page to email."""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Callable
from typing import Any

import pandas as pd

from .._html import STYLE, escape, key_values, table

__all__ = ["report_html"]

_MENTOR_LABELS = {
    "at_exposure_limit": "at their exposure limit",
    "shown": "shown on a shortlist",
    "used": "with a mentee",
    "full": "at capacity",
    "places_used": "places used",
    "mean_load": "mean load (share of capacity)",
}
#: Rows of a long table shown in the page (the rest are counted).
MAX_ROWS = 50


def _frame(df: pd.DataFrame, *, index: bool = False, limit: int = MAX_ROWS) -> str:
    if df.empty:
        return '<p class="note">none</p>'
    head = df.head(limit)
    if index:
        body = table(
            [head.index.name or "", *head.columns],
            ([i, *row] for i, row in zip(head.index, head.itertuples(index=False), strict=True)),
        )
    else:
        body = table(head.columns, head.itertuples(index=False))
    more = len(df) - len(head)
    return body + (f'<p class="note">... and {more} more rows</p>' if more > 0 else "")


def _png(draw: Callable[[Any], Any]) -> str | None:
    """A plot drawn on a fresh Agg figure, as an <img> with a base64 PNG."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.add_subplot()
    try:
        draw(ax)
    except ValueError:  # a plot that does not apply to this result
        return None
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="plot" src="data:image/png;base64,{data}"/>'


def _draw(draw: Callable[..., Any], r: Any, ax: Any) -> Any:
    return draw(r, ax=ax)


def _plots(r: Any) -> str:
    from . import plots

    drawn = []
    for draw in (
        plots.plot_choice_ranks,
        plots.plot_score_distribution,
        plots.plot_mentor_load,
        plots.plot_sector_mix,
        plots.plot_sector_preference,
    ):
        img = _png(functools.partial(_draw, draw, r))
        if img is not None:
            drawn.append(img)
    if not drawn:
        return '<p class="note">Plots need matplotlib: pip install "crossmatch[plot]".</p>'
    return "<h4>Plots</h4>" + "".join(drawn)


def report_html(r: Any, *, plots: bool, standalone: bool) -> str:
    """The HTML of a :class:`~crossmatch.reporting.Report`."""
    f = r.figures
    mt = f["matched"]
    head: list[tuple[str, Any]] = [
        ("mentees", f["n_mentees"]),
        ("mentors", f["n_mentors"]),
        ("total capacity", f["total_capacity"]),
        ("matched" if r.kind in ("shortlists", "assignment") else "with an eligible mentor",
         mt["matched"]),
        ("waiting", mt["waiting"]),
        ("pairs described", f["pairs"]),
    ]  # fmt: skip
    if "bound" in f:
        b = f["bound"]
        head += [
            ("total score", b["objective"]),
            ("bound", b["bound"]),
            ("gap", f"{b['gap']:.3%}"),
            ("status", f"{b['status']} ({b['method']})"),
        ]
    parts = [f"<h3>crossmatch report: {escape(r.kind)}</h3>", key_values(head)]
    if mt["reasons"]:
        parts.append("<h4>Waiting, by reason</h4>")
        parts.append(table(["reason", "mentees"], mt["reasons"].items()))
    if "choices" in f:
        parts.append("<h4>Choice each mentee got</h4>")
        parts.append(
            table(
                ["choice", "mentees", "share"],
                ((k, v, f"{f['choice_share'][k]:.1%}") for k, v in f["choices"].items()),
            )
        )
    st = f["score"]
    rows = [["total", st["mean"], st["median"], st["worst"]]]
    rows += [[k, c["mean"], c["median"], c["worst"]] for k, c in f["components"].items()]
    parts.append("<h4>Scores of the pairs</h4>")
    parts.append(
        table(["", "mean", "median", "worst"], ([a, *(float("nan") if v is None else v
                                                       for v in rest)] for a, *rest in rows))
    )  # fmt: skip
    if f["mentors"]:
        parts.append("<h4>Mentors</h4>")
        parts.append(key_values((_MENTOR_LABELS.get(k, k), v) for k, v in f["mentors"].items()))
    parts.append("<h4>Sector mix (mentee sector by mentor sector)</h4>")
    parts.append(_frame(r.sector_mix, index=True))
    parts.append("<h4>Region mix</h4>")
    parts.append(_frame(r.region_mix, index=True))
    parts.append("<h4>Ineligible pairs, by rule</h4>")
    parts.append(_frame(r.ineligible))
    parts.append(f"<h4>Mentees with fewer than {f['few_options']['min_options']} options</h4>")
    parts.append(_frame(r.few_options))
    if not r.waiting.empty:
        parts.append("<h4>Who waits</h4>")
        parts.append(_frame(r.waiting))
    if plots:
        parts.append(_plots(r))
    body = f'<div class="crossmatch">{STYLE}{"".join(parts)}</div>'
    if not standalone:
        return body
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>crossmatch report</title></head><body>" + body + "</body></html>\n"
    )
