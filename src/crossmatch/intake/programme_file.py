"""Reading a programme file (TOML): its tables, the ``[input]`` encoding, and the
``[columns.*]`` / ``[aliases.*]`` tables checked (the intake half of a programme).

The ``[scoring]`` and ``[shortlist]`` tables are returned as read: they hold settings of
floors above this one (``ScoringConfig``, the solver's arguments), which
:func:`crossmatch.load_programme` checks and converts, so that one call reports every
problem of the file at once. ``Cohort.from_csv(..., programme="programme.toml")`` reads a
file here (:func:`read_programme`) into a :class:`ProgrammeFile` that carries those two
tables as read; ``crossmatch.score(cohort)`` converts the ``[scoring]`` table with
:meth:`crossmatch.ScoringConfig.from_mapping`, the same conversion as ``load_programme``.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .._text import shorten
from ..errors import Problem, ValidationError
from .spec import IntakeSpec, spec_problems

__all__ = [
    "TABLES",
    "ProgrammeFile",
    "ProgrammeTables",
    "read_programme",
    "read_programme_file",
    "unknown_key",
]

#: The tables a programme file may hold, in the order the docs list them.
TABLES = ("input", "columns", "aliases", "scoring", "shortlist")


@dataclass(frozen=True, slots=True)
class ProgrammeTables:
    """A programme file as read: its tables (each a plain dict; absent ones empty), the
    ``[input] encoding`` and the file's path."""

    source: str
    columns: Mapping[str, Any] = field(default_factory=dict)
    aliases: Mapping[str, Any] = field(default_factory=dict)
    scoring: Mapping[str, Any] = field(default_factory=dict)
    shortlist: Mapping[str, Any] = field(default_factory=dict)
    encoding: str | None = None


def unknown_key(where: str, key: str, known: list[str], source: str) -> Problem:
    """The problem of an unknown key in table ``[where]``, with the closest known key."""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return Problem(
        source,
        f"unknown key {shorten(key)} in [{where}].",
        column=f"{where}.{key}" if where else key,
        hint=hint + "known keys: " + ", ".join(known) + ".",
    )


def _load(source: str) -> dict[str, Any]:
    try:
        with open(source, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ValidationError(
            [Problem(source, "programme file not found.", hint="check the path.")],
            title="invalid programme file",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(
            [
                Problem(
                    source,
                    f"not a valid TOML file: {exc}.",
                    hint='text values need quotes ("id"), headers with spaces too '
                    '("Mentee ID" = "id"); see examples/programme.toml.',
                )
            ],
            title="invalid programme file",
        ) from None


def _encoding(table: Mapping[str, Any], source: str, problems: list[Problem]) -> str | None:
    encoding = None
    for key, value in table.items():
        if key != "encoding":
            problems.append(unknown_key("input", key, ["encoding"], source))
        elif not isinstance(value, str):
            problems.append(
                Problem(
                    source,
                    "must be an encoding name in quotes.",
                    column="input.encoding",
                    value=value,
                    hint='e.g. "cp1252" or "latin-1".',
                )
            )
        else:
            try:
                "".encode(value)
                encoding = value
            except LookupError:
                problems.append(
                    Problem(
                        source,
                        "unknown encoding.",
                        column="input.encoding",
                        value=value,
                        hint='e.g. "utf-8", "cp1252" or "latin-1".',
                    )
                )
    return encoding


def read_programme_file(path: str | os.PathLike[str], problems: list[Problem]) -> ProgrammeTables:
    """Read a programme file's tables, checking all but ``[scoring]`` and ``[shortlist]``.

    Parameters
    ----------
    path : str or path-like
        The TOML file.
    problems : list of Problem
        Unknown tables and keys, and bad values of ``[input]``, ``[columns.*]`` and
        ``[aliases.*]``, are appended here (the caller adds those of the settings tables
        and raises them together).

    Returns
    -------
    ProgrammeTables

    Raises
    ------
    ValidationError
        At once when the file cannot be read at all (missing, not TOML).
    """
    source = os.fspath(path)
    doc = _load(source)
    for key, value in doc.items():
        if key not in TABLES:
            problems.append(unknown_key("", key, list(TABLES), source))
        elif not isinstance(value, dict):
            problems.append(Problem(source, f"[{key}] must be a table.", column=key, value=value))
    table = {k: v for k, v in doc.items() if k in TABLES and isinstance(v, dict)}
    encoding = _encoding(table.get("input", {}), source, problems)
    problems.extend(spec_problems(table.get("columns", {}), table.get("aliases", {}), source))
    return ProgrammeTables(
        source=source,
        columns=table.get("columns", {}),
        aliases=table.get("aliases", {}),
        scoring=table.get("scoring", {}),
        shortlist=table.get("shortlist", {}),
        encoding=encoding,
    )


def _deep_frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _deep_frozen(v) for k, v in value.items()})
    return value


@dataclass(frozen=True, slots=True)
class ProgrammeFile(IntakeSpec):
    """A programme file as the intake reads it (``Cohort.from_csv(..., programme=path)``).

    Its columns, aliases and encoding are checked and used like a
    :class:`~crossmatch.Programme`'s; ``scoring`` is the ``[scoring]`` table as read
    (``crossmatch.score(cohort)`` converts it with
    :meth:`~crossmatch.ScoringConfig.from_mapping`, reporting its problems then), and
    ``shortlist`` the ``[shortlist]`` table (``"none"`` read as None), so
    ``crossmatch.shortlist(scores, **cohort.programme.shortlist)`` works as with a
    Programme. :func:`crossmatch.load_programme` checks both tables up front.
    """

    scoring: Mapping[str, Any] = field(default_factory=dict)
    shortlist: Mapping[str, Any] = field(default_factory=dict)
    path: str | None = None

    def __post_init__(self) -> None:
        IntakeSpec.__post_init__(self)
        object.__setattr__(self, "scoring", _deep_frozen(self.scoring))
        object.__setattr__(self, "shortlist", _deep_frozen(self.shortlist))

    def __repr__(self) -> str:
        n_cols = sum(len(v) for v in self.columns.values())
        n_alias = sum(len(v) for v in self.aliases.values())
        return (
            f"ProgrammeFile(path={self.path!r}, columns={n_cols}, aliases={n_alias}, "
            f"shortlist={dict(self.shortlist)})"
        )


def read_programme(path: str | os.PathLike[str]) -> ProgrammeFile:
    """Read a programme file for the intake: ``[input]``, ``[columns.*]`` and
    ``[aliases.*]`` checked (every problem at once, as :func:`crossmatch.load_programme`),
    ``[scoring]`` and ``[shortlist]`` kept as read.

    Raises
    ------
    ValidationError
        The file cannot be read, or has unknown tables or bad intake keys or values.
    """
    problems: list[Problem] = []
    tables = read_programme_file(path, problems)
    if problems:
        raise ValidationError(problems, title=f"invalid programme file {tables.source!r}")
    return ProgrammeFile(
        columns=tables.columns,
        aliases=tables.aliases,
        encoding=tables.encoding,
        scoring=tables.scoring,
        shortlist={k: None if v == "none" else v for k, v in tables.shortlist.items()},
        path=tables.source,
    )
