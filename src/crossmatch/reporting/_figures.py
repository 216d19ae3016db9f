"""The tables behind the report and the plots: the pairs a result describes, their mix,
and the mentors' load (shared by :mod:`.report` and :mod:`.plots`, which import it and
not each other)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..results import Assignment, Shortlists
from ..scoring.scores import id_column
from ._source import Result, Source, scores_of

__all__ = ["labels", "mentor_table", "mix", "pairs_frame", "source_of", "the_pairs"]


def source_of(result: Result) -> Source:
    """The score source of a result."""
    return Source(scores_of(result))


def the_pairs(result: Result, src: Source) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Rows and columns of the pairs the report describes, and extra columns."""
    extra: dict[str, Any] = {}
    if isinstance(result, Assignment):
        i = np.flatnonzero(result.mentor >= 0)
        extra["choice"] = result.preference[i]
        return i, result.mentor[i], extra
    if isinstance(result, Shortlists):
        ii, rr = np.nonzero(result.mentors >= 0)
        jj = result.mentors[ii, rr]
        extra["rank"] = rr + 1
        extra["recommended"] = result.recommended[ii] == jj
        return ii, jj, extra
    # scores: the best eligible pair of each mentee (ties: the first mentor), with a
    # finite score (candidates keep every eligible best pair)
    rows, cols, vals = src.scores.pairs_of(np.arange(src.n_mentees))
    order = np.lexsort((cols, -vals, rows))
    first = np.r_[True, rows[order][1:] != rows[order][:-1]] if len(order) else order
    pick = order[first.astype(bool)] if len(order) else order
    pick = pick[np.isfinite(vals[pick])]
    return rows[pick], cols[pick], extra


def labels(src: Source, ii: np.ndarray, jj: np.ndarray) -> dict[str, np.ndarray]:
    c = src.cohort
    if c is None:
        return {}
    rows = src.cohort_rows(ii)
    names = np.asarray(c.taxonomy.names, dtype=object)
    return {
        "mentee_sector": names[c.mentee_sector[rows]] if len(rows) else np.zeros(0, object),
        "mentor_sector": names[c.mentor_sector[jj]] if len(jj) else np.zeros(0, object),
        "mentee_region": c.mentees["region"].to_numpy(dtype=object)[rows],
        "mentor_region": c.mentors["region"].to_numpy(dtype=object)[jj],
    }


#: How a blank sector or region shows in the mix tables (every pair is counted).
NOT_GIVEN = "(not given)"


def mix(pairs: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """Pairs counted by ``a`` x ``b`` (mentee's and mentor's sector or region); blank
    cells count under :data:`NOT_GIVEN` (crosstab alone would drop those pairs)."""
    if a not in pairs.columns or pairs.empty:
        return pd.DataFrame(dtype=np.int64)
    left = pairs[a].astype(object).where(pairs[a].notna(), NOT_GIVEN)
    right = pairs[b].astype(object).where(pairs[b].notna(), NOT_GIVEN)
    mix = pd.crosstab(left, right).astype(np.int64)
    mix.index.name, mix.columns.name = a, b
    return mix


def pairs_frame(result: Result, src: Source) -> pd.DataFrame:
    """The pairs a result describes: ids, score, components, sectors and regions (when the
    cohort is known) and ``choice`` / ``rank`` / ``recommended`` as the result has them."""
    ii, jj, extra = the_pairs(result, src)
    data: dict[str, Any] = {
        "mentee_id": id_column(src.mentee_ids[ii]),
        "mentor_id": id_column(src.mentor_ids[jj]),
        "score": src.pair_totals(ii, jj),
    }
    data.update(src.pair_components(ii, jj))
    data.update(labels(src, ii, jj))
    data.update(extra)
    return pd.DataFrame(data)


def mentor_table(result: Any, src: Source) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One row per mentor (capacity; exposure and shown for shortlists; assigned for
    assignments and the covering assignment of shortlists) and the mentor figures."""
    m = src.n_mentors
    mentors = pd.DataFrame({"mentor_id": id_column(src.mentor_ids)})
    if src.mentor_groups is not None:
        mentors["group"] = src.mentor_groups
    mentors["capacity"] = np.asarray(src.capacity, dtype=np.int64)
    mfig: dict[str, Any] = {}
    sl = result if isinstance(result, Shortlists) else getattr(result, "shortlists", None)
    if sl is not None:
        lists = sl.mentors
        shown = np.bincount(lists[lists >= 0], minlength=m)
        mentors["exposure"] = np.asarray(sl.exposure, dtype=np.int64)
        mentors["shown"] = shown
        mfig["at_exposure_limit"] = int(((shown >= sl.exposure) & (sl.exposure > 0)).sum())
        mfig["shown"] = int((shown > 0).sum())
    if isinstance(result, Assignment):
        load = result.load()
    elif isinstance(result, Shortlists):
        rec = result.recommended
        load = np.bincount(rec[rec >= 0], minlength=m)
    else:
        load = None
    if load is not None:
        cap = np.asarray(src.capacity)
        mentors["assigned"] = load
        has = cap > 0
        mfig.update(
            used=int((load > 0).sum()),
            full=int(((load >= cap) & has).sum()),
            places_used=int(load.sum()),
            mean_load=float((load[has] / cap[has]).mean()) if has.any() else None,
        )
    return mentors, mfig
