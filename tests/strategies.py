"""Hypothesis strategies shared by the tests: small valid cohorts in the input schema."""

from __future__ import annotations

import pandas as pd
from hypothesis import strategies as st

from crossmatch.cohort import CADENCES, MODES, SLOTS, Taxonomy

SECTORS = list(Taxonomy.default().names)
# a few slots only, so that pairs share slots often and miss them sometimes
SLOT_POOL = [SLOTS[k] for k in (0, 1, 4, 7, 11, 20)]
GOAL_POOL = ["confidence", "strategic leadership", "leading change", "collaboration", "resilience"]
ORGS = ["Org A", "Org B", "Org C", "Org D"]
REGIONS = ["london", "leeds", "cardiff"]


def _ordered_subset(pool: list[str], min_size: int = 1, max_size: int = 4) -> st.SearchStrategy:
    return st.lists(st.sampled_from(pool), min_size=min_size, max_size=max_size, unique=True)


@st.composite
def person(draw: st.DrawFn, side: str) -> dict:
    row = {
        "organisation": draw(st.sampled_from(ORGS)),
        "sector": draw(st.sampled_from(SECTORS)),
        "availability": ";".join(draw(_ordered_subset(SLOT_POOL))),
        "cadence": draw(st.sampled_from(CADENCES)),
        "mode": draw(st.sampled_from(MODES)),
        "region": draw(st.sampled_from(REGIONS)),
        "seniority": draw(st.one_of(st.none(), st.integers(1, 8))),
    }
    if side == "mentees":
        row["goals"] = ";".join(draw(_ordered_subset(GOAL_POOL)))
    else:
        row["expertise"] = ";".join(draw(_ordered_subset(GOAL_POOL, max_size=5)))
        row["capacity"] = draw(st.integers(0, 3))
        row["learning"] = ";".join(draw(_ordered_subset(SECTORS, min_size=0, max_size=2)))
    return row


@st.composite
def cohort_frames(
    draw: st.DrawFn, max_mentees: int = 6, max_mentors: int = 6
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A valid (mentees, mentors) pair of DataFrames, with exclusions on both sides."""
    n = draw(st.integers(1, max_mentees))
    m = draw(st.integers(1, max_mentors))
    ee = [draw(person("mentees")) for _ in range(n)]
    mr = [draw(person("mentors")) for _ in range(m)]
    ee_ids = [f"e{k}" for k in range(n)]
    mr_ids = [f"r{k}" for k in range(m)]
    for k, row in enumerate(ee):
        row["id"] = ee_ids[k]
        row["exclude"] = ";".join(draw(st.lists(st.sampled_from(mr_ids), max_size=2, unique=True)))
    for k, row in enumerate(mr):
        row["id"] = mr_ids[k]
        row["exclude"] = ";".join(draw(st.lists(st.sampled_from(ee_ids), max_size=1, unique=True)))
    mentees = pd.DataFrame(ee)
    mentors = pd.DataFrame(mr)
    mentees["seniority"] = mentees["seniority"].astype("Int64")
    mentors["seniority"] = mentors["seniority"].astype("Int64")
    return mentees, mentors
