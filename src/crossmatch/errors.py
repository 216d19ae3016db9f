"""Exceptions raised by crossmatch (the ground floor: imports nothing from the package).

Both exceptions subclass :class:`ValueError`, so code that already catches
``ValueError`` keeps working, and code that wants detail can catch these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["InfeasibleError", "ParameterError", "Problem", "ValidationError"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input.

    Attributes
    ----------
    side : str
        Which input holds the problem: ``"mentees"``, ``"mentors"``, ``"scores"``, ...
    message : str
        What is wrong, in one sentence.
    row : object, optional
        Row label (for a DataFrame the index label, for a CSV the 0-based data row).
    column : str, optional
        Column name.
    value : object, optional
        The offending value, as found.
    hint : str, optional
        How to fix it.
    id : object, optional
        The id of the row, when it is known, to find the row quickly.
    """

    side: str
    message: str
    row: Any = None
    column: str | None = None
    value: Any = None
    hint: str | None = None
    id: Any = None

    def __str__(self) -> str:
        where = [self.side]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.id is not None:
            where.append(f"(id {self.id!r})")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = " ".join(where) + ": " + self.message
        if self.value is not None:
            text += f" Got {self.value!r}."
        if self.hint:
            text += f" Hint: {self.hint}"
        return text


class ValidationError(ValueError):
    """The input is not valid; lists *every* problem found, not just the first.

    Attributes
    ----------
    problems : tuple of Problem
        Each problem with its side, row, column, value and a hint.
    """

    max_shown = 50

    def __init__(self, problems: Iterable[Problem], *, title: str = "invalid input") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        n = len(self.problems)
        lines = [f"{title}: {n} problem{'s' if n != 1 else ''} found"]
        lines += [f"  - {p}" for p in self.problems[: self.max_shown]]
        if n > self.max_shown:
            lines.append(f"  ... and {n - self.max_shown} more (see the .problems attribute)")
        super().__init__("\n".join(lines))

    def to_frame(self) -> Any:
        """The problems as a pandas DataFrame (side, row, id, column, value, message, hint)."""
        import pandas as pd

        cols = ["side", "row", "id", "column", "value", "message", "hint"]
        return pd.DataFrame([{c: getattr(p, c) for c in cols} for p in self.problems], columns=cols)


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
