"""Exceptions raised by crossmatch (the ground floor: imports only :mod:`crossmatch._text`).

Both exceptions subclass :class:`ValueError`, so code that already catches
``ValueError`` keeps working, and code that wants detail can catch these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ._text import shorten

__all__ = ["InfeasibleError", "ParameterError", "Problem", "ValidationError"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input.

    Attributes
    ----------
    side : str
        Which input holds the problem: ``"mentees"``, ``"mentors"``, ``"programme"``, ...
    message : str
        What is wrong, in one sentence.
    row : object, optional
        Row label: the DataFrame's index label (for a file read by crossmatch, the 0-based
        data row).
    column : str, optional
        Column name (for a programme file, the key such as ``scoring.sector_weight``).
    value : object, optional
        The offending value, as found (cut to a readable length when shown).
    hint : str, optional
        How to fix it, naming the setting or column to change.
    id : object, optional
        The id of the row, when it is known, to find the row quickly.
    sheet_row : int, optional
        The row number a spreadsheet shows for this row: the header is row 1, so the
        first data row is row 2 (the 0-based position + 2).
    """

    side: str
    message: str
    row: Any = None
    column: str | None = None
    value: Any = None
    hint: str | None = None
    id: Any = None
    sheet_row: int | None = None

    def _where(self) -> str:
        where = [self.side]
        extra = []
        if self.sheet_row is not None:
            where.append(f"row {self.sheet_row}")
            extra.append(f"index {self.row!r}")
        elif self.row is not None:
            where.append(f"row {self.row}")
        if self.id is not None and not (isinstance(self.id, float) and self.id != self.id):
            extra.append(f"id {shorten(self.id, 40)}")  # a missing id (NaN) is never "id nan"
        if extra:
            where.append(f"({', '.join(extra)})")
        if self.column is not None:
            where.append(f"{_label(self.column)} {shorten(self.column, 60)}")
        return " ".join(where)

    def _what(self) -> str:
        text = self.message
        if self.value is not None:
            text += f" Got {shorten(self.value, 100)}."
        if self.hint:
            text += f" Hint: {self.hint}"
        return text

    def __str__(self) -> str:
        return f"{self._where()}: {self._what()}"


_SETTING_TABLES = ("columns", "aliases", "scoring", "shortlist", "input")


def _label(column: str) -> str:
    """``key`` for a setting of a programme file or mapping (``scoring.peak``), else ``column``."""
    head, dot, _ = str(column).partition(".")
    return "key" if dot and head in _SETTING_TABLES else "column"


def _rows_text(problems: Sequence[Problem], shown: int = 3) -> str:
    """``rows 2, 5, 9 and 22 more`` (spreadsheet rows when known, else index labels)."""
    labels = [p.sheet_row if p.sheet_row is not None else p.row for p in problems]
    head = ", ".join(str(v) for v in labels[:shown])
    more = len(labels) - shown
    return f"rows {head}" + (f" and {more} more" if more > 0 else "")


def _group(problems: Sequence[Problem]) -> list[list[Problem]]:
    """Problems of the same kind (side, column, message, value, hint) together, in order."""
    groups: dict[tuple[str, ...], list[Problem]] = {}
    for p in problems:
        key: tuple[str, ...] = (
            p.side,
            str(p.column),
            p.message,
            shorten(p.value, 200),
            str(p.hint),
        )
        if p.row is None and p.sheet_row is None:
            key = (*key, str(id(p)))  # table-level problems are never merged
        groups.setdefault(key, []).append(p)
    return list(groups.values())


class ValidationError(ValueError):
    """The input is not valid; lists *every* problem found, not just the first.

    The message shows one line per distinct problem: problems of the same kind (same
    side, column, message, value and hint) in several rows are one line listing the
    rows as a spreadsheet numbers them (``rows 2, 5, 9 and 22 more``). The full list
    stays on :attr:`problems` and :meth:`to_frame`.

    Attributes
    ----------
    problems : tuple of Problem
        Each problem with its side, row, spreadsheet row, column, value and a hint.
    """

    max_shown = 50

    def __init__(self, problems: Iterable[Problem], *, title: str = "invalid input") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.title = title
        n = len(self.problems)
        groups = _group(self.problems)
        head = f"{title}: {n} problem{'s' if n != 1 else ''} found"
        if len(groups) < n:
            head += f" ({len(groups)} distinct)"
        lines = [head]
        for g in groups[: self.max_shown]:
            if len(g) == 1:
                lines.append(f"  - {g[0]}")
                continue
            p = g[0]
            col = f" {_label(p.column)} {shorten(p.column, 60)}" if p.column is not None else ""
            lines.append(f"  - {p.side} {_rows_text(g)}{col}: {p._what()}")
        if len(groups) > self.max_shown:
            lines.append(
                f"  ... and {len(groups) - self.max_shown} more (see .problems or .to_frame())"
            )
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.problems, self.title))

    def to_frame(self) -> Any:
        """Every problem as a pandas DataFrame, one row each.

        Columns: side, sheet_row (the spreadsheet's row number, header = row 1), row
        (the index label), id, column, value, message, hint.
        """
        import pandas as pd

        cols = ["side", "sheet_row", "row", "id", "column", "value", "message", "hint"]
        frame = pd.DataFrame(
            [{c: getattr(p, c) for c in cols} for p in self.problems], columns=cols
        )
        frame["sheet_row"] = frame["sheet_row"].astype("Int64")
        return frame


def _rebuild(problems: tuple[Problem, ...], title: str) -> ValidationError:
    return ValidationError(problems, title=title)


class InfeasibleError(ValueError):
    """The rules cannot all be met: says who, why, and what setting would fix it.

    Attributes
    ----------
    reasons : tuple of str
        One line per cause found.
    who : tuple
        Ids of the people concerned, when the cause is about particular people.
    """

    def __init__(
        self, reasons: str | Sequence[str], *, who: Sequence[Any] = (), fix: str | None = None
    ) -> None:
        self.reasons: tuple[str, ...] = (reasons,) if isinstance(reasons, str) else tuple(reasons)
        self.who: tuple[Any, ...] = tuple(who)
        self.fix = fix
        text = "infeasible: " + "; ".join(self.reasons)
        if fix:
            text += f". To fix: {fix}"
        super().__init__(text)


class ParameterError(ValueError, TypeError):
    """A parameter of a public function is invalid (wrong type or out of range).

    Raised at the door, before any work, by the declared checks in
    :mod:`crossmatch._validation`; lists every bad parameter of the call at once. A
    subclass of both :class:`ValueError` and :class:`TypeError` (as scikit-learn's
    ``InvalidParameterError``), so either ``except`` catches it.

    Attributes
    ----------
    function : str
        The public function whose parameters were checked.
    messages : tuple of str
        One sentence per bad parameter: its name, what it must be, what was given.
    """

    def __init__(self, function: str, messages: Sequence[str]) -> None:
        self.function = function
        self.messages: tuple[str, ...] = tuple(messages)
        if len(self.messages) == 1:
            text = f"{function}(): {self.messages[0]}"
        else:
            text = f"{function}(): {len(self.messages)} invalid parameters\n" + "\n".join(
                f"  - {m}" for m in self.messages
            )
        super().__init__(text)
