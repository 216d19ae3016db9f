"""Synthetic cohorts in the input schema: realistic, seeded, vectorised.

The mix imitates a cross-sector membership body's leadership programme: mostly public
sector mentees, mentors from all three sectors, leadership development goals with some
far more common than others, and a minority of *popular* mentors (broad expertise on
the common goals, flexible mode, many slots) that most mentees would rank highly,
next to unpopular ones. Capacities are small, so popular mentors are scarce.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.dtypes import StringDType

from ._validation import Instance, Interval, validate_params
from .cohort.schema import CADENCES, MODES, SLOTS
from .errors import ParameterError
from .results import Shortlists
from .scoring.scores import MAX_CAPACITY, id_column

__all__ = ["GOALS", "REGIONS", "SECTOR_MIX", "simulate_choices", "synthetic_cohort"]

#: Leadership development goals and how common each is among mentees.
GOALS: dict[str, float] = {
    "confidence": 0.14,
    "strategic leadership": 0.13,
    "people management": 0.10,
    "leading change": 0.10,
    "stakeholder engagement": 0.09,
    "collaboration": 0.08,
    "communicating a vision": 0.07,
    "executive readiness": 0.07,
    "influencing": 0.06,
    "resilience": 0.05,
    "political awareness": 0.04,
    "commercial awareness": 0.03,
    "inclusive leadership": 0.02,
    "building networks": 0.02,
}

#: Sector mix of mentees and mentors (leaves of the default taxonomy).
SECTOR_MIX: dict[str, tuple[float, float]] = {
    # sector: (mentee share, mentor share)
    "central-government": (0.12, 0.09),
    "arms-length-body": (0.10, 0.06),
    "local-government": (0.14, 0.10),
    "health-and-social-care": (0.14, 0.09),
    "emergency-services": (0.05, 0.03),
    "education": (0.08, 0.05),
    "financial-services": (0.05, 0.08),
    "technology": (0.05, 0.08),
    "professional-services": (0.04, 0.09),
    "energy": (0.02, 0.04),
    "manufacturing": (0.02, 0.04),
    "retail": (0.02, 0.04),
    "charity": (0.08, 0.07),
    "social-enterprise": (0.03, 0.04),
    "membership-body": (0.02, 0.05),
    "housing-association": (0.04, 0.05),
}

_ORG_WORD = {
    "central-government": "Department",
    "arms-length-body": "Agency",
    "local-government": "Council",
    "health-and-social-care": "Health Trust",
    "emergency-services": "Fire and Rescue",
    "education": "College",
    "financial-services": "Bank",
    "technology": "Tech",
    "professional-services": "Consulting",
    "energy": "Energy",
    "manufacturing": "Industries",
    "retail": "Retail",
    "charity": "Foundation",
    "social-enterprise": "Social Enterprise",
    "membership-body": "Institute",
    "housing-association": "Housing",
}

#: Regions and their weights (a national programme centred on London).
REGIONS: dict[str, float] = {
    "london": 0.24,
    "south east": 0.12,
    "north west": 0.10,
    "west midlands": 0.08,
    "yorkshire": 0.08,
    "south west": 0.08,
    "east of england": 0.08,
    "scotland": 0.07,
    "east midlands": 0.06,
    "wales": 0.04,
    "north east": 0.03,
    "northern ireland": 0.02,
}

# Slot weights: weekday mornings and afternoons are common, evenings less, weekends rare.
_SLOT_WEIGHT = np.array(
    [
        {"am": 1.0, "pm": 1.0, "eve": 0.45}[s.split("-")[1]]
        * (0.15 if s[:3] in ("sat", "sun") else 1)
        for s in SLOTS
    ]
)


def _top_k(rng: np.random.Generator, weights: np.ndarray, n: int, k: int) -> np.ndarray:
    """For each of n rows, k distinct indices drawn by weight (Gumbel top-k), in draw order."""
    keys = np.log(weights)[None, :] + rng.gumbel(size=(n, len(weights)))
    return np.argsort(-keys, axis=1, kind="stable")[:, :k]


def _join(vocab: np.ndarray, picks: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Join ``vocab[picks[r, :counts[r]]]`` with ';' for every row, vectorised over rows."""
    words = vocab.astype(StringDType())
    out: np.ndarray = words[picks[:, 0]]
    for p in range(1, picks.shape[1]):
        more = counts > p
        out = np.where(more, np.strings.add(np.strings.add(out, ";"), words[picks[:, p]]), out)
    return out.astype(object)


def _slot_strings(masks: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.full(len(masks), "", dtype=StringDType())
    for k, slot in enumerate(SLOTS):
        has = ((masks >> k) & 1).astype(bool)
        out = np.where(has, np.strings.add(out, slot + ";"), out)
    return np.strings.rstrip(out, ";").astype(object)


def _slots(rng: np.random.Generator, counts: np.ndarray) -> np.ndarray:
    picks = _top_k(rng, _SLOT_WEIGHT, len(counts), int(counts.max()))
    keep = np.arange(picks.shape[1])[None, :] < counts[:, None]
    masks = np.bitwise_or.reduce(np.where(keep, np.left_shift(1, picks), 0), axis=1)
    return _slot_strings(masks.astype(np.int64))


def _choice(rng: np.random.Generator, options: list[str], p: np.ndarray, n: int) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p / p.sum())]


def _ids(prefix: str, n: int) -> np.ndarray:
    width = max(4, len(str(n)))
    return np.strings.add(
        prefix, np.strings.zfill(np.arange(1, n + 1).astype(StringDType()), width)
    ).astype(object)


@validate_params(
    {
        "n_mentees": [Interval("int", 1, None)],
        "n_mentors": [Interval("int", 1, None)],
        "seed": ["seed"],
        "capacity": [Instance((tuple, list), "a (low, high) pair of ints")],
    }
)
def synthetic_cohort(
    n_mentees: int,
    n_mentors: int,
    *,
    seed: int | np.random.Generator | None = 0,
    capacity: tuple[int, int] = (1, 4),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Make a realistic synthetic cohort in the input schema.

    Parameters
    ----------
    n_mentees, n_mentors : int
        Table sizes (each >= 1).
    seed : int >= 0, numpy Generator or None, default 0
        Same seed, same cohort (None: a fresh one each call).
    capacity : (int, int), default (1, 4)
        Inclusive range of mentor capacities. Widen it when the mentees outnumber what
        mentors with capacity 1-4 can take (e.g. 10,000 mentees and 2,000 mentors).

    Returns
    -------
    mentees, mentors : DataFrame
        Ready for :meth:`crossmatch.Cohort.from_frames`.

    Examples
    --------
    >>> mentees, mentors = synthetic_cohort(100, 30, seed=1)
    >>> mentees.shape[0], mentors.shape[0]
    (100, 30)
    """
    bound = Interval("int", 0, MAX_CAPACITY)
    if not (
        len(capacity) == 2 and all(map(bound.accepts, capacity)) and capacity[0] <= capacity[1]
    ):
        raise ParameterError(
            "synthetic_cohort",
            [
                f"`capacity` must be a (low, high) pair of ints with 0 <= low <= high <= "
                f"{MAX_CAPACITY}. Got {capacity!r} instead."
            ],
        )
    lo, hi = (int(c) for c in capacity)
    rng = np.random.default_rng(seed)
    sectors = list(SECTOR_MIX)
    share = np.array(list(SECTOR_MIX.values()))
    goals = np.asarray(list(GOALS), dtype=object)
    goal_w = np.array(list(GOALS.values()))
    regions = list(REGIONS)
    region_w = np.array(list(REGIONS.values()))

    # Organisations: a pool per sector shared by both sides, a few large employers each.
    n_total = n_mentees + n_mentors
    pools = {s: max(3, int(np.ceil(n_total * share[k].mean() / 12))) for k, s in enumerate(sectors)}

    def organisations(sector_idx: np.ndarray) -> np.ndarray:
        out = np.empty(len(sector_idx), dtype=object)
        for k, s in enumerate(sectors):
            rows = np.flatnonzero(sector_idx == k)
            if rows.size == 0:
                continue
            size = pools[s]
            w = 1.0 / np.arange(1, size + 1)
            pick = rng.choice(size, size=rows.size, p=w / w.sum()) + 1
            names = np.strings.add(
                f"{_ORG_WORD[s]} ", np.strings.zfill(pick.astype(StringDType()), 3)
            )
            out[rows] = names.astype(object)
        return out

    # ---------------------------------------------------------------- mentees
    ee_sector = rng.choice(len(sectors), size=n_mentees, p=share[:, 0] / share[:, 0].sum())
    ee_ngoals = rng.choice([1, 2, 3, 4], size=n_mentees, p=[0.15, 0.35, 0.35, 0.15])
    ee_goals = _join(goals, _top_k(rng, goal_w, n_mentees, 4), ee_ngoals)
    ee_slots = _slots(rng, rng.integers(3, 9, size=n_mentees))
    ee_region = _choice(rng, regions, region_w, n_mentees)
    ee_mode = _choice(rng, list(MODES), np.array([0.12, 0.3, 0.58]), n_mentees)
    # only Londoners insist on meeting in person: elsewhere the pool of mentors is too thin
    thin = np.isin(ee_region, [r for r, w in REGIONS.items() if w < 0.2])
    ee_mode[thin & (ee_mode == "in-person")] = "either"
    mentees = pd.DataFrame(
        {
            "id": _ids("mentee-", n_mentees),
            "organisation": organisations(ee_sector),
            "sector": np.asarray(sectors, dtype=object)[ee_sector],
            "availability": ee_slots,
            "cadence": _choice(rng, list(CADENCES), np.array([0.2, 0.5, 0.3]), n_mentees),
            "mode": ee_mode,
            "region": ee_region,
            "seniority": rng.choice(
                [2, 3, 4, 5, 6], size=n_mentees, p=[0.02, 0.3, 0.35, 0.25, 0.08]
            ),
            "goals": ee_goals,
        }
    )

    # ---------------------------------------------------------------- mentors
    appeal = rng.normal(size=n_mentors)  # latent popularity
    popular = appeal > 1.0  # about one mentor in six
    mr_sector = rng.choice(len(sectors), size=n_mentors, p=share[:, 1] / share[:, 1].sum())
    n_exp = np.clip(np.rint(3 + 1.3 * appeal + rng.normal(0, 0.7, n_mentors)), 1, 8).astype(int)
    # popular mentors know the common goals; others lean to niche ones
    exp_w = np.where(popular[:, None], goal_w[None, :] ** 1.5, np.sqrt(goal_w)[None, :])
    keys = np.log(exp_w) + rng.gumbel(size=exp_w.shape)
    expertise = _join(goals, np.argsort(-keys, axis=1, kind="stable")[:, :8], n_exp)
    n_slots = np.clip(np.rint(4 + 2 * appeal + rng.normal(0, 1, n_mentors)), 2, 12).astype(int)
    mode_p = np.where(popular[:, None], [0.03, 0.15, 0.82], [0.1, 0.3, 0.6])
    mode_pick = (rng.random(n_mentors)[:, None] > np.cumsum(mode_p, axis=1)).sum(axis=1)
    learning = np.full(n_mentors, "", dtype=object)
    learns = rng.random(n_mentors) < 0.4
    targets = np.asarray([*sectors, "public", "private", "not-for-profit"], dtype=object)
    learning[learns] = targets[rng.integers(0, len(targets), size=int(learns.sum()))]
    mentors = pd.DataFrame(
        {
            "id": _ids("mentor-", n_mentors),
            "organisation": organisations(mr_sector),
            "sector": np.asarray(sectors, dtype=object)[mr_sector],
            "availability": _slots(rng, n_slots),
            "cadence": _choice(rng, list(CADENCES), np.array([0.15, 0.45, 0.4]), n_mentors),
            "mode": np.asarray(MODES, dtype=object)[np.minimum(mode_pick, 2)],
            "region": _choice(rng, regions, region_w, n_mentors),
            "seniority": rng.choice([4, 5, 6, 7, 8], size=n_mentors, p=[0.15, 0.25, 0.3, 0.2, 0.1]),
            "expertise": expertise,
            "capacity": rng.integers(lo, hi + 1, size=n_mentors),
            "learning": learning,
        }
    )

    # A few people ask not to be paired with someone on the other side.
    ee_excl = np.full(n_mentees, "", dtype=object)
    rows = np.flatnonzero(rng.random(n_mentees) < 0.02)
    ee_excl[rows] = mentors["id"].to_numpy()[rng.integers(0, n_mentors, size=rows.size)]
    mentees["exclude"] = ee_excl
    mr_excl = np.full(n_mentors, "", dtype=object)
    rows = np.flatnonzero(rng.random(n_mentors) < 0.02)
    mr_excl[rows] = mentees["id"].to_numpy()[rng.integers(0, n_mentees, size=rows.size)]
    mentors["exclude"] = mr_excl
    return mentees, mentors


@validate_params(
    {
        "shortlists": [Instance(Shortlists, "a Shortlists")],
        "seed": ["seed"],
        "response_rate": [Interval("real", 0, 1)],
        "noise": [Interval("real", 0, None)],
    }
)
def simulate_choices(
    shortlists: Shortlists,
    *,
    seed: int | np.random.Generator | None = 0,
    response_rate: float = 0.85,
    noise: float = 0.15,
) -> pd.DataFrame:
    """Simulate the mentees' choices from their shortlists (a random-utility model).

    Each mentee who responds (probability ``response_rate``) ranks every mentor on their
    shortlist by ``score + noise * Gumbel``: mostly by score, but not always. Mentees who
    do not respond send no rows (and keep the shortlist order in :func:`crossmatch.assign`).

    Parameters
    ----------
    shortlists : Shortlists
        From :func:`crossmatch.shortlist`.
    seed : int >= 0, numpy Generator or None, default 0
        Same seed, same choices.
    response_rate : float in [0, 1], default 0.85
    noise : float >= 0, default 0.15
        Scale of the Gumbel noise added to each score (0: everyone ranks by score).

    Returns
    -------
    DataFrame
        ``mentee_id``, ``mentor_id``, ``preference`` (1 = first choice).
    """
    rng = np.random.default_rng(seed)
    mentors = shortlists.mentors
    n, k = mentors.shape
    valid = mentors >= 0
    score = shortlists.scores.total[np.arange(n)[:, None], np.where(valid, mentors, 0)]
    utility = np.where(valid, score + noise * rng.gumbel(size=(n, k)), -np.inf)
    order = np.argsort(-utility, axis=1, kind="stable")
    responds = np.less(rng.random(n), response_rate)
    rows, pos = np.nonzero(valid[np.arange(n)[:, None], order] & responds[:, None])
    chosen = mentors[rows, order[rows, pos]]
    return pd.DataFrame(
        {
            "mentee_id": id_column(shortlists.mentee_ids[rows]),
            "mentor_id": id_column(shortlists.mentor_ids[chosen]),
            "preference": pos + 1,
        }
    )
