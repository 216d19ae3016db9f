"""What a mentee and a mentor share, in words (goals, slots, sectors, mode and place)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..cohort.schema import CADENCES, IN_PERSON, MODES, REMOTE, SLOTS, is_missing

__all__ = [
    "cell_text",
    "describe_pair",
    "listing",
    "person_label",
    "regions_text",
    "sector_label",
]

_DAY = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
_PERIOD = {"am": "morning", "pm": "afternoon", "eve": "evening"}


def listing(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def cell_text(value: object) -> str | None:
    """A cell as text for a sentence, or None when it is blank (empty, NaN, ``NA``...):
    a blank cell is left out of a sentence or said to be not given, never printed as
    ``nan``."""
    if is_missing(value):
        return None
    text = str(value).strip()
    return text or None


def person_label(organisation: object, *details: object) -> str:
    """``Deloitte (professional-services, London)``, blank cells left out:
    ``Deloitte (professional-services)``, ``an organisation not given``.

    >>> person_label("Deloitte", "professional-services", float("nan"))
    'Deloitte (professional-services)'
    """
    org = cell_text(organisation) or "an organisation not given"
    given = [t for t in map(cell_text, details) if t is not None]
    return f"{org} ({', '.join(given)})" if given else org


def regions_text(mentee: str | None, mentor: str | None) -> str:
    """Where the two are, blank regions said as not given.

    >>> regions_text("Leeds", "York"), regions_text("Leeds", None)
    ('Leeds and York', "Leeds (the mentor's region is not given)")
    >>> regions_text(None, None)
    'regions not given'
    """
    if mentee and mentor:
        return f"{mentee} and {mentor}"
    if mentee:
        return f"{mentee} (the mentor's region is not given)"
    if mentor:
        return f"{mentor} (the mentee's region is not given)"
    return "regions not given"


def slot_label(slot: str) -> str:
    day, period = slot.split("-")
    return f"{_DAY[day]} {_PERIOD[period]}"


def sector_label(name: str) -> str:
    return name.replace("-", " ")


def _bits(words: np.ndarray) -> list[int]:
    out = []
    for w, word in enumerate(np.asarray(words, dtype=np.uint64).ravel().tolist()):
        b = 0
        while word:
            if word & 1:
                out.append(64 * w + b)
            word >>= 1
            b += 1
    return out


def _goal_order(c: Any, i: int, wanted: list[int], primary: int) -> list[int]:
    """The mentee's goals in their own order of priority (the input's), primary first."""
    index = {g: k for k, g in enumerate(c.goals)}
    text = c.mentees["goals"].iloc[i] if "goals" in c.mentees.columns else None
    given = [index[g] for g in str(text).split(";") if g in index] if text is not None else []
    order = [primary, *[g for g in given if g != primary]]
    order += [g for g in sorted(wanted) if g not in order]
    return [g for g in dict.fromkeys(order) if g in set(wanted)]


def describe_pair(cohort: Any, config: Any, i: int, j: int) -> tuple[list[str], dict[str, Any]]:
    """Sentences on what mentee row ``i`` and mentor column ``j`` of ``cohort`` share,
    and the facts behind them (JSON-safe)."""
    c = cohort
    facts: dict[str, Any] = {}
    parts: list[str] = []

    # goals
    shared = set(_bits(c.mentee_goal_bits[i] & c.mentor_expertise_bits[j]))
    wanted = _bits(c.mentee_goal_bits[i])
    primary = int(c.mentee_primary_goal[i])
    ordered = _goal_order(c, i, wanted, primary)
    goals = [c.goals[g] for g in ordered if g in shared]
    missing = [c.goals[g] for g in ordered if g not in shared]
    facts["shared_goals"] = goals
    facts["goals_not_covered"] = missing
    first = c.goals[primary]
    others = [g for g in goals if g != first]
    if not goals:
        text = f"the mentor's experience covers none of the mentee's goals ({listing(missing)})"
    elif not missing:
        text = (
            f"the mentor's experience covers the mentee's goal, {first}"
            if len(wanted) == 1
            else f"the mentor's experience covers all of the mentee's goals: {listing(goals)}"
        )
    elif primary in shared:
        text = f"the mentor's experience covers the mentee's first goal, {first}"
        if others:
            text += f", and also {listing(others)}"
        text += f" ({len(goals)} of {len(wanted)} goals)"
    else:
        text = (
            f"the mentor's experience covers {listing(goals)} ({len(goals)} of {len(wanted)} "
            f"goals; not the first goal, {first})"
        )
    parts.append(text)

    # learning: mentors grow too
    s = int(c.mentee_sector[i])
    learn = c.mentor_learning_bits[j]
    if (int(learn[s // 64]) >> (s % 64)) & 1:
        facts["mentor_learns_from_sector"] = True
        parts.append("the mentor hopes to learn about the mentee's sector")

    # slots
    slots = int(c.mentee_slots[i]) & int(c.mentor_slots[j])
    names = [SLOTS[b] for b in range(len(SLOTS)) if (slots >> b) & 1]
    facts["shared_slots"] = names
    if names:
        parts.append(f"they are both free on {listing([slot_label(x) for x in names])}")
    else:
        parts.append("they have no free time slot in common")

    # sectors
    tax = c.taxonomy
    a, b = int(c.mentee_sector[i]), int(c.mentor_sector[j])
    d = float(tax.distance[a, b])
    facts.update(
        mentee_sector=tax.names[a],
        mentor_sector=tax.names[b],
        sector_distance=d,
        mentee_sector_group=tax.groups[a],
        mentor_sector_group=tax.groups[b],
    )
    sa, sb = sector_label(tax.names[a]), sector_label(tax.names[b])
    if a == b:
        rel = f"both work in {sa} (the same sector)"
    elif tax.groups[a] == tax.groups[b]:
        group = sector_label(tax.groups[a])
        rel = f"the mentee works in {sa} and the mentor in {sb}, neighbouring parts of the {group}"
        rel += " sector"
    else:
        rel = (
            f"the mentee works in {sa} ({sector_label(tax.groups[a])}) and the mentor in {sb} "
            f"({sector_label(tax.groups[b])})"
        )
    rel += f", {d:.2f} apart on the sector map"
    if config is not None:
        peak, width = float(config.sector.peak), float(config.sector.width)
        facts["sector_peak"] = peak
        if abs(d - peak) <= width / 2:
            rel += f", close to the programme's sweet spot ({peak:.2f})"
        elif d < peak:
            rel += f", closer than the programme's sweet spot ({peak:.2f})"
        else:
            rel += f", further apart than the programme's sweet spot ({peak:.2f})"
    parts.append(rel)

    # mode, place and cadence
    me, mo = int(c.mentee_mode[i]), int(c.mentor_mode[j])
    region_e = cell_text(c.mentees["region"].iloc[i])  # None: blank (a remote-only person)
    region_o = cell_text(c.mentors["region"].iloc[j])
    same = int(c.mentee_region[i]) == int(c.mentor_region[j])
    facts.update(
        mentee_mode=MODES[me],
        mentor_mode=MODES[mo],
        mentee_region=region_e,
        mentor_region=region_o,
        same_region=same,
    )
    if REMOTE not in (me, mo) and same:
        place = "they can meet in person" + (f" in {region_e}" if region_e else "")
        if me != IN_PERSON and mo != IN_PERSON:
            place += " or remotely"
    elif IN_PERSON not in (me, mo):
        place = "they would meet remotely"
        if same and region_e:
            place += f" (both in {region_e})"
        elif region_e and region_o:
            place += f" ({region_e} and {region_o})"
        elif region_e:
            place += f" (the mentee in {region_e}; the mentor's region is not given)"
        elif region_o:
            place += f" (the mentor in {region_o}; the mentee's region is not given)"
    else:
        how = {"in-person": "in person", "remote": "remotely", "either": "either way"}

        def where(region: str | None) -> str:
            return f"in {region}" if region else "(region not given)"

        place = (
            f"they cannot meet: the mentee meets {how[MODES[me]]} {where(region_e)}, "
            f"the mentor {how[MODES[mo]]} {where(region_o)}"
        )
    parts.append(place)
    ce, co = CADENCES[int(c.mentee_cadence[i])], CADENCES[int(c.mentor_cadence[j])]
    facts.update(mentee_cadence=ce, mentor_cadence=co)
    parts.append(
        f"both prefer {ce} meetings"
        if ce == co
        else f"the mentee prefers {ce} meetings, the mentor {co}"
    )

    # seniority
    ge, go = float(c.mentee_seniority[i]), float(c.mentor_seniority[j])
    if np.isfinite(ge) and np.isfinite(go):
        gap = int(go - ge)
        facts["seniority_gap"] = gap
        if gap > 0:
            parts.append(f"the mentor is {_grades(gap)} more senior")
        elif gap < 0:
            parts.append(f"the mentor is {_grades(-gap)} less senior (reverse mentoring)")
        else:
            parts.append("they are at the same grade")
    return parts, facts


def _grades(n: int) -> str:
    """``1 grade``, ``2 grades``."""
    return f"{n} grade{'' if n == 1 else 's'}"
