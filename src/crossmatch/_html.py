"""Compact HTML views of the pipeline's objects, for Jupyter (ground floor).

Imports nothing from the package: the objects are read by their public attributes, so
any floor may call :func:`repr_html` from its ``_repr_html_``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["STYLE", "escape", "key_values", "repr_html", "table"]

#: One small style sheet shared by every view (scoped to the ``crossmatch`` class).
STYLE = (
    "<style>"
    ".crossmatch{font-family:system-ui,sans-serif;font-size:13px;line-height:1.4}"
    ".crossmatch h3,.crossmatch h4{margin:.6em 0 .3em}"
    ".crossmatch table{border-collapse:collapse;margin:.2em 0 .6em}"
    ".crossmatch th,.crossmatch td{border:1px solid #ddd;padding:2px 8px;text-align:left}"
    ".crossmatch td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".crossmatch th{background:#f4f4f4}"
    ".crossmatch .note{color:#666}"
    "</style>"
)


def escape(value: Any) -> str:
    """Text for HTML (ids and names as given, escaped)."""
    return html.escape(str(value), quote=True)


def _cell(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, int | np.integer):
        return f'<td class="num">{int(value):,}</td>'
    if isinstance(value, float | np.floating):
        v = float(value)
        text = "" if not np.isfinite(v) else f"{v:.3f}"
        return f'<td class="num">{text}</td>'
    return f"<td>{escape('' if value is None else value)}</td>"


def table(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> str:
    """An HTML table (values escaped, numbers right-aligned)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def key_values(pairs: Iterable[tuple[str, Any]]) -> str:
    """A two-column table of labelled values."""
    body = "".join(f"<tr><th>{escape(k)}</th>{_cell(v)}</tr>" for k, v in pairs)
    return f"<table><tbody>{body}</tbody></table>"


def _frame_head(frame: Any, n: int = 5) -> str:
    head = frame.head(n)
    return table(head.columns, head.itertuples(index=False))


def _view(title: str, rows: list[tuple[str, Any]], extra: str = "") -> str:
    return f'<div class="crossmatch">{STYLE}<h4>{escape(title)}</h4>{key_values(rows)}{extra}</div>'


def _cohort(c: Any) -> str:
    sectors = c.mentees["sector"].value_counts().head(3)
    top = ", ".join(f"{k} ({v})" for k, v in sectors.items())
    return _view(
        "Cohort",
        [
            ("mentees", c.n_mentees),
            ("mentors", c.n_mentors),
            ("total capacity", int(np.asarray(c.capacity).sum())),
            ("goals", len(c.goals)),
            ("regions", len(c.regions)),
            ("taxonomy", c.taxonomy.name),
            ("largest mentee sectors", top),
        ],
    )


def _scores(s: Any) -> str:
    n, m = s.n_mentees, s.n_mentors
    rows: list[tuple[str, Any]] = [("mentees", n), ("mentors", m)]
    if hasattr(s, "reason_flags"):  # dense
        e = np.asarray(s.eligible)
        rows.append(("eligible pairs", f"{e.mean():.1%}" if e.size else "0%"))
        vals = np.asarray(s.total)[e]
        if vals.size:
            rows.append(("mean eligible score", float(vals.mean())))
    else:  # candidates
        rows.append(("candidate pairs", int(s.n_pairs)))
    rows.append(("total capacity", int(np.asarray(s.capacity).sum())))
    rows.append(("components", ", ".join(s.weights) or "none"))
    return _view(type(s).__name__, rows)


def _shortlists(sl: Any) -> str:
    lengths = (np.asarray(sl.mentors) >= 0).sum(axis=1)
    rows = [
        ("mentees", sl.n_mentees),
        ("k", sl.k),
        ("shorter than k", int((lengths < sl.k).sum())),
        ("total score", float(sl.objective)),
        ("bound", float(sl.bound)),
        ("gap", f"{sl.gap:.3%}"),
        ("status", sl.status),
        ("method", sl.method),
    ]
    return _view("Shortlists", rows, _frame_head(sl.to_frame()))


def _assignment(a: Any) -> str:
    ok = np.asarray(a.matched)
    sig = a.signature()
    rows = [
        ("mentees", len(ok)),
        ("matched", int(ok.sum())),
        ("waiting", int((~ok).sum())),
        ("choices got (1st, 2nd, ...)", ", ".join(map(str, sig)) or "none"),
        ("total score", float(a.total_score)),
        ("method", a.method),
    ]
    return _view("Assignment", rows, _frame_head(a.to_frame()))


_VIEWS = {
    "Cohort": _cohort,
    "Scores": _scores,
    "CandidateScores": _scores,
    "Shortlists": _shortlists,
    "Assignment": _assignment,
}


def repr_html(obj: Any) -> str:
    """The compact HTML view of a Cohort, Scores, CandidateScores, Shortlists or
    Assignment (Jupyter's ``_repr_html_``)."""
    for cls in type(obj).__mro__:
        view = _VIEWS.get(cls.__name__)
        if view is not None:
            return view(obj)
    return f"<pre>{escape(repr(obj))}</pre>"
