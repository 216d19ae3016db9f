"""The canonical values of the schema's category columns (what the rest of crossmatch reads).

Kept on the intake floor, the lowest that needs them, so that both the phrase
recogniser (:mod:`crossmatch.intake.phrases`) and the schema
(:mod:`crossmatch.cohort.schema`) read one definition.
"""

from __future__ import annotations

__all__ = ["CADENCES", "DAYS", "MODES", "NA_STRINGS", "PERIODS", "SLOTS", "SLOT_BIT"]

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PERIODS: tuple[str, ...] = ("am", "pm", "eve")
#: Every weekly slot, in bit order: bit ``k`` of a slot mask is ``SLOTS[k]``.
SLOTS: tuple[str, ...] = tuple(f"{d}-{p}" for d in DAYS for p in PERIODS)
SLOT_BIT: dict[str, int] = {s: i for i, s in enumerate(SLOTS)}
#: Meeting cadences, in order of frequency (the code is the position).
CADENCES: tuple[str, ...] = ("weekly", "fortnightly", "monthly")
#: Meeting modes (the code is the position).
MODES: tuple[str, ...] = ("in-person", "remote", "either")

#: Cell texts that mean "no value", from a CSV file and from a DataFrame alike (pandas'
#: own default missing-value markers: what ``pandas.read_csv`` turns into NaN).
NA_STRINGS: frozenset[str] = frozenset(
    {
        "",
        "#N/A",
        "#N/A N/A",
        "#NA",
        "-1.#IND",
        "-1.#QNAN",
        "-NaN",
        "-nan",
        "1.#IND",
        "1.#QNAN",
        "<NA>",
        "N/A",
        "NA",
        "NULL",
        "NaN",
        "None",
        "n/a",
        "nan",
        "null",
    }
)
