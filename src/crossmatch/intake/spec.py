"""`IntakeSpec`: a programme's column mapping and value aliases, checked once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any

from .._text import norm_key, shorten
from ..errors import Problem
from .phrases import recognise_cadence, recognise_mode, recognise_slots

__all__ = ["ALIAS_KINDS", "SIDES", "IntakeSpec", "spec_problems"]

SIDES = ("mentees", "mentors")
#: The value columns ``aliases`` may hold a mapping for.
ALIAS_KINDS: tuple[str, ...] = (
    "sector",
    "goals",
    "mode",
    "cadence",
    "availability",
    "region",
    "organisation",
    "seniority",
)


def _frozen(m: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(m))


def _thawed(value: Any) -> Any:
    """Read-only mappings (which pickle cannot copy) back to plain dicts, recursively."""
    if isinstance(value, MappingProxyType):
        return {k: _thawed(v) for k, v in value.items()}
    return value


def _rebuild(cls: type[IntakeSpec], state: dict[str, Any]) -> IntakeSpec:
    return cls(**state)


@dataclass(frozen=True, slots=True)
class IntakeSpec:
    """Column mapping and value aliases (the intake half of a programme).

    Parameters
    ----------
    columns : mapping, optional
        ``{"mentees": {their header: our column}, "mentors": {...}}``, or one flat
        ``{their header: our column}`` applied to both tables.
    aliases : mapping, optional
        ``{kind: {their value: our value}}`` for kinds ``sector``, ``goals``, ``mode``,
        ``cadence``, ``availability``, ``region``, ``organisation`` and ``seniority``
        (their words -> a whole number: ``{"Grade 7": 6}``); looked up by
        :func:`crossmatch._text.norm_key` of their value, before the built-in synonyms.
    encoding : str, optional
        The CSV files' encoding when it is neither UTF-8 nor cp1252 (``[input] encoding``).

    Attributes
    ----------
    columns : mapping
        Always the two-sided form ``{"mentees": {...}, "mentors": {...}}``.
    aliases : mapping
        ``{kind: {their value: our value}}`` as given.
    """

    columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    aliases: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    encoding: str | None = None

    def __post_init__(self) -> None:
        problems = spec_problems(self.columns, self.aliases)
        if problems:
            from ..errors import ValidationError

            raise ValidationError(problems, title="invalid column mapping or aliases")
        cols = self.columns or {}
        if cols and set(cols) <= set(SIDES) and all(isinstance(v, Mapping) for v in cols.values()):
            two = {s: dict(cols.get(s, {})) for s in SIDES}
        else:
            two = {s: dict(cols) for s in SIDES}  # type: ignore[arg-type]
        object.__setattr__(self, "columns", _frozen({s: _frozen(m) for s, m in two.items()}))
        object.__setattr__(
            self, "aliases", _frozen({k: _frozen(v) for k, v in (self.aliases or {}).items()})
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # a Cohort keeps its programme and is sent to worker processes (score_candidates)
        state = {f.name: _thawed(getattr(self, f.name)) for f in fields(self)}
        return (_rebuild, (type(self), state))

    @property
    def flat(self) -> bool:
        """True when one mapping applies to both tables."""
        return dict(self.columns["mentees"]) == dict(self.columns["mentors"])

    def alias_keys(self, kind: str) -> dict[str, str]:
        """``{norm_key(their value): our value}`` for one kind (empty if none)."""
        return {norm_key(k): str(v) for k, v in self.aliases.get(kind, {}).items()}

    def merged(self, other: IntakeSpec) -> IntakeSpec:
        """This spec with ``other``'s entries added (``other`` wins on the same key); a
        programme stays a programme (its other settings, e.g. ``[scoring]``, kept)."""
        columns = {s: {**self.columns[s], **other.columns[s]} for s in SIDES}
        kinds = set(self.aliases) | set(other.aliases)
        aliases = {k: {**self.aliases.get(k, {}), **other.aliases.get(k, {})} for k in kinds}
        return replace(
            self,
            columns=columns,
            aliases=aliases,
            encoding=other.encoding or self.encoding,
        )

    def problems(self, source: str = "arguments") -> list[Problem]:
        """Everything wrong with the mapping (see :func:`spec_problems`)."""
        return spec_problems(self.columns, self.aliases, source)


def _whole(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and value.strip().lstrip("+-").isdigit()


def spec_problems(columns: object, aliases: object, source: str = "arguments") -> list[Problem]:
    """Everything wrong with a column mapping and aliases (types, unknown kinds, unknown
    modes, ...), as problems naming the key (``aliases.mode.Teams``)."""
    out: list[Problem] = []
    cols: Any = columns
    if cols is not None and not isinstance(cols, Mapping):
        out.append(Problem(source, "`columns` must be a mapping.", value=cols))
        cols = {}
    two_sided = bool(cols) and set(cols) <= set(SIDES)
    groups = cols.items() if two_sided else [("columns", cols)]
    for side, mapping in groups:
        where = f"columns.{side}" if two_sided else "columns"
        if not isinstance(mapping, Mapping):
            out.append(
                Problem(
                    source,
                    "must be a table of their header = our column.",
                    column=where,
                    value=mapping,
                )
            )
            continue
        for k, v in mapping.items():
            if not isinstance(v, str) or not v.strip():
                out.append(
                    Problem(
                        source,
                        f"the column that {shorten(k)} maps to must be a non-empty name.",
                        column=f"{where}.{k}",
                        value=v,
                    )
                )
    kinds: Any = aliases
    if kinds is not None and not isinstance(kinds, Mapping):
        out.append(Problem(source, "`aliases` must be a mapping.", value=kinds))
        kinds = {}
    for kind, mapping in (kinds or {}).items():
        if kind not in ALIAS_KINDS:
            out.append(
                Problem(
                    source,
                    f"unknown alias kind {shorten(kind)}.",
                    column=f"aliases.{kind}",
                    hint="use " + ", ".join(ALIAS_KINDS) + ".",
                )
            )
            continue
        if not isinstance(mapping, Mapping):
            out.append(
                Problem(
                    source,
                    "must be a table of their value = our value.",
                    column=f"aliases.{kind}",
                    value=mapping,
                )
            )
            continue
        for k, v in mapping.items():
            where = f"aliases.{kind}.{k}"
            if kind == "seniority":
                if not _whole(v):
                    out.append(
                        Problem(
                            source,
                            "must be a whole number (a seniority level, higher = more senior).",
                            column=where,
                            value=v,
                            hint='e.g. "Grade 7" = 6, "SCS1" = 8.',
                        )
                    )
            elif not isinstance(v, str) or not v.strip():
                out.append(Problem(source, "must be a non-empty text.", column=where, value=v))
            elif kind == "mode" and recognise_mode(v) is None:
                out.append(
                    Problem(
                        source,
                        "unknown meeting mode.",
                        column=where,
                        value=v,
                        hint="use in-person, remote or either.",
                    )
                )
            elif kind == "availability" and recognise_slots(v)[0] is None:
                out.append(
                    Problem(
                        source,
                        "could not read these slots.",
                        column=where,
                        value=v,
                        hint="write slots such as 'tue-pm;thu-am' or 'Tuesday afternoons'.",
                    )
                )
            elif kind == "cadence" and recognise_cadence(v) is None:
                out.append(
                    Problem(
                        source,
                        "unknown cadence.",
                        column=where,
                        value=v,
                        hint="use weekly, fortnightly or monthly.",
                    )
                )
    return out
