"""An independent, deliberately slow oracle for :func:`crossmatch.score`.

``reference_scores`` scores one (mentee, mentor) pair at a time in plain Python, from
the *validated canonical frames* ``cohort.mentees`` / ``cohort.mentors`` (strings such as
``'mon-am;wed-pm'``, ``'confidence;leading change'``, sector names) and the sector
taxonomy. It implements the formulas as written in the docstrings of
``crossmatch/scoring/config.py``, with Python sets and ``math`` only: no bit sets, no
encoded arrays, no numpy vectorisation (numpy is used only to call custom components /
rules, which are array functions by contract, and to hand back the results as arrays).

It shares no code with the kernels in ``crossmatch/scoring/components.py`` on purpose:
when the two disagree, one of them (or a docstring) is wrong.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from crossmatch import Taxonomy
from crossmatch.scoring.config import ScoringConfig

__all__ = ["BUILTIN_REASONS", "reference_scores"]

#: The reason text of each built-in hard rule (as documented for ``Scores.reasons``).
BUILTIN_REASONS = {
    "same_organisation": "same organisation",
    "excluded": "excluded by request",
    "capacity_zero": "mentor capacity 0",
    "no_shared_slot": "no shared slot",
    "in_person_region": "in-person only, different regions",
    "seniority_band": "seniority gap outside the allowed band",
    "mode_conflict": "modes conflict (in-person only vs remote only)",
}

#: Meeting cadences in order of frequency: one step apart = adjacent in this list.
CADENCE_ORDER = ["weekly", "fortnightly", "monthly"]


# ---------------------------------------------------------------------------- cell readers
def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _items(value: Any) -> list[str]:
    """A ';'-separated cell (or a list) -> stripped, non-empty items, in order."""
    if _missing(value):
        return []
    if isinstance(value, list | tuple | set | np.ndarray | pd.Series):
        raw = [str(v) for v in value if not _missing(v)]
    else:
        raw = str(value).split(";")
    return [s.strip() for s in raw if s.strip()]


def _text(value: Any) -> str:
    """Organisation / region: compared case-insensitively, white space collapsed."""
    return " ".join(str(value).split()).lower()


def _seniority(row: pd.Series) -> int | None:
    if "seniority" not in row.index or _missing(row["seniority"]):
        return None
    return int(row["seniority"])


def _has_seniority(df: pd.DataFrame) -> bool:
    return "seniority" in df.columns and any(not _missing(v) for v in df["seniority"])


# ---------------------------------------------------------------------------- components
def sector_score(distance: float, peak: float, width: float) -> float:
    """``exp(-((d - peak) / width)**2 / 2)``."""
    return math.exp(-(((distance - peak) / width) ** 2) / 2)


def goals_score(
    goals: list[str],
    expertise: set[str],
    learning_nodes: set[str],
    mentee_sector: str,
    primary_weight: float,
    learning_weight: float,
) -> float:
    """Coverage of the mentee's goals (first = primary), plus the learning bonus."""
    primary, others = goals[0], goals[1:]
    if not others:
        cover = 1.0 if primary in expertise else 0.0
    else:
        cover = primary_weight if primary in expertise else 0.0
        share = (1.0 - primary_weight) / len(others)
        for g in others:
            if g in expertise:
                cover += share
    if learning_weight > 0 and mentee_sector in learning_nodes:
        cover = cover + learning_weight * (1.0 - cover)
    return min(1.0, max(0.0, cover))


def mode_score(mode_a: str, mode_b: str, same_region: bool, remote_score: float) -> float:
    """1 face to face, ``remote_score`` if they can only meet remotely, else 0."""
    face = mode_a != "remote" and mode_b != "remote" and same_region
    remote = mode_a != "in-person" and mode_b != "in-person"
    if face:
        return 1.0
    if remote:
        return remote_score
    return 0.0


def availability_score(
    slots_a: set[str],
    slots_b: set[str],
    cadence_a: str,
    cadence_b: str,
    mode_a: str,
    mode_b: str,
    same_region: bool,
    cfg: Any,
) -> float:
    shared = len(slots_a & slots_b)
    s = min(shared, cfg.slots_for_full_score) / cfg.slots_for_full_score
    steps = abs(CADENCE_ORDER.index(cadence_a) - CADENCE_ORDER.index(cadence_b))
    c = max(0.0, 1.0 - cfg.cadence_step_penalty * steps)
    m = mode_score(mode_a, mode_b, same_region, cfg.remote_score)
    wsum = cfg.slots_weight + cfg.cadence_weight + cfg.mode_weight
    value = (cfg.slots_weight * s + cfg.cadence_weight * c + cfg.mode_weight * m) / wsum
    return min(1.0, max(0.0, value))


def seniority_gap_score(mentee: int | None, mentor: int | None, cfg: Any) -> tuple[float, bool]:
    """(score, outside the band). Unknown on either side: (unknown_score, False)."""
    if mentee is None or mentor is None:
        return cfg.unknown_score, False
    gap = (mentee - mentor) if cfg.reverse else (mentor - mentee)
    hi = math.inf if cfg.max_gap is None else cfg.max_gap
    if not (cfg.min_gap <= gap <= hi):
        return 0.0, True
    # "span is the larger distance from preferred_gap to a band edge; with max_gap=None
    # the distance to the (missing) upper edge counts as 3 grades" ... "(never below 0)"
    upper = 3 if cfg.max_gap is None else cfg.max_gap - cfg.preferred_gap
    span = max(cfg.preferred_gap - cfg.min_gap, upper)
    return max(0.0, 1.0 - abs(gap - cfg.preferred_gap) / (span + 1)), False


def _learning_nodes(value: Any, taxonomy: Taxonomy) -> set[str]:
    """Names a mentor's ``learning`` matches: each listed sector, and for a top-level
    group every sector whose group it is (which includes the group itself)."""
    out: set[str] = set()
    for item in _items(value):
        i = taxonomy.index(item)
        assert i is not None, f"unknown learning sector {item!r} in a validated frame"
        name = taxonomy.names[i]
        out.add(name)
        if taxonomy.groups[i] == name:  # a top-level group
            out.update(n for n, g in zip(taxonomy.names, taxonomy.groups, strict=True) if g == name)
    return out


def _custom_matrix(func: Any, mentees: pd.DataFrame, mentors: pd.DataFrame) -> np.ndarray:
    shape = (len(mentees), len(mentors))
    return np.broadcast_to(np.asarray(func(mentees, mentors)), shape)


# ---------------------------------------------------------------------------- the oracle
def reference_scores(
    mentees: pd.DataFrame,
    mentors: pd.DataFrame,
    config: ScoringConfig | None = None,
    *,
    taxonomy: Taxonomy | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray, list[list[set[str]]]]:
    """Score every pair, one at a time.

    Parameters
    ----------
    mentees, mentors : DataFrame
        Validated canonical frames (``cohort.mentees`` / ``cohort.mentors``, or row
        slices of them).
    config : ScoringConfig, optional
    taxonomy : Taxonomy, optional
        ``cohort.taxonomy``; defaults to :meth:`Taxonomy.default`.

    Returns
    -------
    total : (n, m) float64 array
    components : dict of name -> (n, m) float64 array (only the active components)
    eligible : (n, m) bool array
    reasons : list (rows) of lists (columns) of sets of reason strings
    """
    config = ScoringConfig() if config is None else config
    taxonomy = Taxonomy.default() if taxonomy is None else taxonomy
    n, m = len(mentees), len(mentors)

    # Per-person facts, as plain Python values.
    def person(row: pd.Series, is_mentor: bool) -> dict[str, Any]:
        sector_index = taxonomy.index(row["sector"])
        assert sector_index is not None
        p = {
            "id": str(row["id"]).strip(),
            "org": _text(row["organisation"]),
            "sector": taxonomy.names[sector_index],
            "sector_index": sector_index,
            "slots": {s.lower() for s in _items(row["availability"])},
            "cadence": str(row["cadence"]).strip().lower(),
            "mode": str(row["mode"]).strip().lower(),
            "region": _text(row["region"]),
            "seniority": _seniority(row),
            "exclude": set(_items(row["exclude"])) if "exclude" in row.index else set(),
        }
        if is_mentor:
            p["expertise"] = {" ".join(g.lower().split()) for g in _items(row["expertise"])}
            p["capacity"] = int(row["capacity"])
            learning = row["learning"] if "learning" in row.index else None
            p["learning"] = _learning_nodes(learning, taxonomy)
        else:
            goals: list[str] = []
            for g in _items(row["goals"]):
                g = " ".join(g.lower().split())
                if g not in goals:
                    goals.append(g)
            p["goals"] = goals
        return p

    ees = [person(r, False) for _, r in mentees.iterrows()]
    mrs = [person(r, True) for _, r in mentors.iterrows()]

    use_seniority = _has_seniority(mentees) and _has_seniority(mentors)
    names = ["sector", "goals", "availability"]
    if use_seniority:
        names.append("seniority")
    names += [c.name for c in config.custom]
    weights = {k: config.weights[k] for k in names}
    wsum = sum(weights.values())
    if wsum <= 0:
        raise ValueError("active weights sum to 0")

    custom = {c.name: _custom_matrix(c.func, mentees, mentors) for c in config.custom}
    rules = [(r.reason, _custom_matrix(r.func, mentees, mentors)) for r in config.rules]

    total = [[0.0] * m for _ in range(n)]
    comps = {k: [[0.0] * m for _ in range(n)] for k in names}
    eligible = [[True] * m for _ in range(n)]
    reasons: list[list[set[str]]] = [[set() for _ in range(m)] for _ in range(n)]

    for i, e in enumerate(ees):
        for j, r in enumerate(mrs):
            same_region = e["region"] == r["region"]
            value: dict[str, float] = {}
            d = float(taxonomy.distance[e["sector_index"], r["sector_index"]])
            value["sector"] = sector_score(d, config.sector.peak, config.sector.width)
            value["goals"] = goals_score(
                e["goals"],
                r["expertise"],
                r["learning"],
                e["sector"],
                config.goals.primary_weight,
                config.goals.learning_weight,
            )
            value["availability"] = availability_score(
                e["slots"],
                r["slots"],
                e["cadence"],
                r["cadence"],
                e["mode"],
                r["mode"],
                same_region,
                config.availability,
            )
            outside = False
            if use_seniority:
                value["seniority"], outside = seniority_gap_score(
                    e["seniority"], r["seniority"], config.seniority
                )
            for k, mat in custom.items():
                value[k] = float(mat[i, j])

            why: set[str] = set()
            if config.same_organisation and e["org"] == r["org"]:
                why.add(BUILTIN_REASONS["same_organisation"])
            if r["id"] in e["exclude"] or e["id"] in r["exclude"]:
                why.add(BUILTIN_REASONS["excluded"])
            if r["capacity"] == 0:
                why.add(BUILTIN_REASONS["capacity_zero"])
            if config.require_shared_slot and not (e["slots"] & r["slots"]):
                why.add(BUILTIN_REASONS["no_shared_slot"])
            if (
                config.in_person_same_region
                and "in-person" in (e["mode"], r["mode"])
                and not same_region
            ):
                why.add(BUILTIN_REASONS["in_person_region"])
            # "one side meets only in person and the other only remotely"
            if config.require_compatible_mode and {e["mode"], r["mode"]} == {
                "in-person",
                "remote",
            }:
                why.add(BUILTIN_REASONS["mode_conflict"])
            if use_seniority and config.seniority.enforce and outside:
                why.add(BUILTIN_REASONS["seniority_band"])
            for reason, allowed in rules:
                if not bool(allowed[i, j]):
                    why.add(reason)

            t = sum(weights[k] * value[k] for k in names) / wsum
            total[i][j] = min(1.0, max(0.0, t))
            for k in names:
                comps[k][i][j] = value[k]
            eligible[i][j] = not why
            reasons[i][j] = why

    return (
        np.array(total, dtype=np.float64).reshape(n, m),
        {k: np.array(v, dtype=np.float64).reshape(n, m) for k, v in comps.items()},
        np.array(eligible, dtype=bool).reshape(n, m),
        reasons,
    )
