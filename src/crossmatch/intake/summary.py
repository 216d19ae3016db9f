"""The intake summary: what was read as what, and how sure, so nothing is guessed silently."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .._text import shorten

__all__ = ["SURE", "IntakeNote", "IntakeSummary", "NoteGroup"]

#: How sure each way of recognising a value is, as shown in the summary.
SURE: dict[str, str] = {
    "exact": "certain",
    "mapping": "certain: your mapping",
    "alias": "certain: your alias",
    "normalised": "certain: same after normalising",
    "synonym": "likely: built-in synonym",
    "parsed": "likely: read from a sentence",
    "path": "likely: group/leaf path",
    "header": "likely: a common header for it",
    "guess": "a guess",
    "fuzzy": "a guess: similar wording",
    "skipped": "certain: nothing in the row",
}


class IntakeNote(NamedTuple):
    """One header or value read as something else (an immutable named tuple: a large
    table's thousands of notes cost little).

    Attributes
    ----------
    side : str
        ``mentees``, ``mentors`` or ``both`` (goals are one vocabulary for both tables).
    column : str
        The schema column (for a header: ``"(header)"``).
    found : str
        What the table says.
    mapped_to : str
        What crossmatch reads it as.
    how : str
        ``mapping``, ``alias``, ``normalised``, ``synonym``, ``parsed``, ``fuzzy`` or ``guess``
        (see :mod:`crossmatch.intake.phrases`).
    score : float
        100 unless fuzzy (rapidfuzz similarity, 0-100).
    rows : int
        How many rows hold this value (0 for a header).
    """

    side: str
    column: str
    found: str
    mapped_to: str
    how: str
    score: float = 100.0
    rows: int = 0

    @property
    def sure(self) -> str:
        text = SURE.get(self.how, self.how)
        return f"{text}, score {self.score:.0f}" if self.how in ("fuzzy", "guess") else text


@dataclass(frozen=True, slots=True)
class NoteGroup:
    """Many notes of one column, stored column-wise (a large table's thousands of
    sentences cost a few tuples, not thousands of objects). Equal-length tuples."""

    side: str
    column: str
    found: tuple[str, ...]
    mapped_to: tuple[str, ...]
    how: tuple[str, ...]
    score: tuple[float, ...]
    rows: tuple[int, ...]

    @classmethod
    def of(cls, notes: Sequence[IntakeNote]) -> list[NoteGroup]:
        """Group individual notes by (side, column), in order."""
        by: dict[tuple[str, str], list[IntakeNote]] = {}
        for n in notes:
            by.setdefault((n.side, n.column), []).append(n)
        return [
            cls(side, column, *(tuple(v) for v in zip(*[n[2:] for n in group], strict=True)))
            for (side, column), group in by.items()
        ]

    def __len__(self) -> int:
        return len(self.found)

    def notes(self) -> list[IntakeNote]:
        return [
            IntakeNote(self.side, self.column, *values)
            for values in zip(
                self.found, self.mapped_to, self.how, self.score, self.rows, strict=True
            )
        ]


@dataclass(frozen=True, slots=True)
class IntakeSummary:
    """What intake did to the two tables.

    A value (or header) that differs from what it is read as only in letter case and
    surrounding white space (``Monthly``, ``Charity``, ``london`` beside ``London``) is
    never a note: that reading is certain and would only bury the real guesses.

    Attributes
    ----------
    sources : tuple of (side, description)
        How each table was read (file, encoding, delimiter).
    groups : tuple of NoteGroup
        The notes, column by column (see :attr:`notes`).
    warnings : tuple of str
        Things that will not stop a run but a coordinator should know (a goal no mentor
        covers, mentees with no eligible mentor); each is also logged on the
        ``crossmatch`` logger.
    """

    sources: tuple[tuple[str, str], ...] = ()
    groups: tuple[NoteGroup, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def notes(self) -> tuple[IntakeNote, ...]:
        """Every header and value read as something other than itself, one
        :class:`IntakeNote` each."""
        return tuple(n for g in self.groups for n in g.notes())

    max_lines = 12

    def with_warnings(self, lines: Sequence[str]) -> IntakeSummary:
        """A copy with more warning lines."""
        return replace(self, warnings=(*self.warnings, *lines))

    @property
    def guesses(self) -> tuple[IntakeNote, ...]:
        """The notes that are not certain (synonyms, sentences, fuzzy matches, guesses)."""
        uncertain = ("synonym", "path", "parsed", "fuzzy", "guess")
        return tuple(n for n in self.notes if n.how in uncertain)

    def __len__(self) -> int:
        """The number of notes."""
        return sum(len(g) for g in self.groups)

    def to_frame(self) -> pd.DataFrame:
        """One row per note: side, column, found, mapped_to, how, sure, score, rows."""
        cols = ["side", "column", "found", "mapped_to", "how", "sure", "score", "rows"]
        parts = []
        for g in self.groups:
            part = pd.DataFrame(
                {
                    "side": g.side,
                    "column": g.column,
                    "found": list(g.found),
                    "mapped_to": list(g.mapped_to),
                    "how": list(g.how),
                    "score": np.asarray(g.score, dtype=float),
                    "rows": np.asarray(g.rows, dtype=np.int64),
                }
            )
            parts.append(part)
        if not parts:
            return pd.DataFrame(columns=cols)
        frame = pd.concat(parts, ignore_index=True)
        frame["sure"] = [
            IntakeNote("", "", "", "", h, s).sure
            for h, s in zip(frame["how"], frame["score"], strict=True)
        ]
        return frame[cols]

    def __str__(self) -> str:
        return self.format()

    def format(self, *, warnings: bool = True) -> str:
        """The readable summary (``str(summary)``); ``warnings=False`` leaves them out."""
        lines = ["intake summary"]
        for side, text in self.sources:
            lines.append(f"  {side} read from {text}")
        headers = [n for g in self.groups if g.column == "(header)" for n in g.notes()]
        if headers:
            lines.append("  columns:")
            for n in headers:
                lines.append(f"    {n.side}: {shorten(n.found, 50)} -> {n.mapped_to} ({n.sure})")
        groups = [g for g in self.groups if g.column != "(header)" and len(g)]
        if groups:
            lines.append("  values:")
        for g in groups:
            side, column = g.side, g.column
            order = sorted(range(len(g)), key=lambda k: (_rank(g.how[k]), -g.rows[k], g.found[k]))
            notes = [
                IntakeNote(
                    side, column, g.found[k], g.mapped_to[k], g.how[k], g.score[k], g.rows[k]
                )
                for k in order[: self.max_lines]
            ]
            lines.append(f"    {side} {column}:")
            for n in notes:
                rows = f", {n.rows} row{'s' if n.rows != 1 else ''}" if n.rows else ""
                lines.append(
                    f"      {shorten(n.found, 50)} -> {shorten(n.mapped_to, 70)} ({n.sure}{rows})"
                )
            if len(g) > self.max_lines:
                lines.append(f"      ... and {len(g) - self.max_lines} more (see .to_frame())")
        if not headers and not groups:
            lines.append("  every header and value was already in crossmatch's own words")
        if self.warnings and warnings:
            lines.append("  warnings:")
            lines += [f"    - {w}" for w in self.warnings]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"IntakeSummary(notes={len(self)}, warnings={len(self.warnings)})"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython
        p.text(str(self))


def _rank(how: str) -> int:
    order = [
        "fuzzy",
        "guess",
        "synonym",
        "path",
        "parsed",
        "alias",
        "mapping",
        "normalised",
        "exact",
    ]
    return order.index(how) if how in order else len(order)
