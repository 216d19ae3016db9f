"""Scoring settings: frozen, keyword-only dataclasses with documented defaults."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._validation import Instance, Interval, SequenceOf, check_params
from ..errors import ParameterError, Problem, ValidationError
from ..intake.programme_file import unknown_key

__all__ = [
    "AvailabilityConfig",
    "CustomComponent",
    "GoalsConfig",
    "HardRule",
    "ScoringConfig",
    "SectorPreference",
    "SeniorityConfig",
]

BUILTIN_COMPONENTS: tuple[str, ...] = ("sector", "goals", "availability", "seniority")

#: Columns of the score tables that a custom component's name would overwrite.
RESERVED_NAMES: tuple[str, ...] = (
    "mentee_id",
    "mentor_id",
    "score",
    "eligible",
    "reason",
    "rank",
    "preference",
    "recommended",
)

#: Built-in hard rules, in flag-bit order, with the reason kept for an ineligible pair.
BUILTIN_RULES: tuple[tuple[str, str], ...] = (
    ("same_organisation", "same organisation"),
    ("excluded", "excluded by request"),
    ("capacity_zero", "mentor capacity 0"),
    ("no_shared_slot", "no shared slot"),
    ("in_person_region", "in-person only, different regions"),
    ("seniority_band", "seniority gap outside the allowed band"),
    ("mode_conflict", "modes conflict (in-person only vs remote only)"),
)


#: The declared constraints shared by the settings (one message format, see _validation).
UNIT = [Interval("real", 0, 1)]
WEIGHT = [Interval("real", 0, None)]
#: Seniority gaps in grades: far wider than any real scale, small enough for int64 sums.
GAP = [Interval("int", -1000, 1000)]


def _check_fields(obj: object, constraints: dict[str, list[Any]]) -> None:
    """Check the fields of a settings object at construction, all at once."""
    values = {name: getattr(obj, name) for name in constraints}
    check_params(type(obj).__name__, values, constraints)


def _check(obj: object, ok: bool, message: str) -> None:
    """A rule across fields, checked once every field is valid on its own."""
    if not ok:
        raise ParameterError(type(obj).__name__, [message])


@dataclass(frozen=True, slots=True, kw_only=True)
class SectorPreference:
    """How sector distance becomes a preference: *different but not diametrically opposed*.

    The preference is a bump ``exp(-((d - peak) / width)**2 / 2)`` of the sector distance
    ``d`` in [0, 1]: 1 at ``d = peak``, lower for the same sector (``d = 0``) and lower
    still for sectors furthest apart (``d = 1``) when ``peak < 0.5``.

    Parameters
    ----------
    peak : float, default 0.35
        The distance that scores best. With the default taxonomy 0.35 is two sectors
        of the same top-level group (local government and an arm's-length body).
        ``peak=0`` prefers the same sector; ``peak=1`` the furthest.
    width : float, default 0.25
        How quickly the preference falls away from the peak (a standard deviation).
    """

    peak: float = 0.35
    width: float = 0.25

    def __post_init__(self) -> None:
        _check_fields(self, {"peak": UNIT, "width": [Interval("real", 0, None, closed="neither")]})

    def __call__(self, distance: np.ndarray) -> np.ndarray:
        d = np.asarray(distance, dtype=np.float64)
        with np.errstate(over="ignore"):  # a tiny width: far from the peak is exp(-inf) = 0
            return np.exp(-0.5 * ((d - self.peak) / self.width) ** 2)


@dataclass(frozen=True, slots=True, kw_only=True)
class GoalsConfig:
    """How well the mentor's expertise covers the mentee's goals.

    Coverage = ``primary_weight`` if the primary goal (the mentee's first) is in the
    mentor's expertise, plus an equal share of ``1 - primary_weight`` for each other
    goal covered. A mentee with one goal scores 1 or 0. Mentors grow too: when the
    mentee's sector is one the mentor hopes to learn from (``learning``), the score
    gains ``learning_weight`` of what coverage left: ``cover + learning_weight * (1 - cover)``.

    Parameters
    ----------
    primary_weight : float, default 0.5
    learning_weight : float, default 0.2
        0 turns the mentor's ``learning`` off.
    """

    primary_weight: float = 0.5
    learning_weight: float = 0.2

    def __post_init__(self) -> None:
        _check_fields(self, {"primary_weight": UNIT, "learning_weight": UNIT})


@dataclass(frozen=True, slots=True, kw_only=True)
class AvailabilityConfig:
    """Can the two actually meet: shared slots, cadence and mode with place.

    ``availability = (slots_weight * S + cadence_weight * C + mode_weight * M) / sum of weights``

    - ``S = min(shared slots, slots_for_full_score) / slots_for_full_score``;
    - ``C = 1`` for the same cadence, ``1 - cadence_step_penalty`` one step apart
      (weekly / fortnightly / monthly), and so on down to 0;
    - ``M = 1`` when they can meet face to face (neither is remote-only and they are in
      the same region), ``remote_score`` when they can only meet remotely, and 0 when
      they cannot meet at all (one in-person only and the other remote only, or one
      in-person only and the two in different regions). Hard rules exclude both
      (``ScoringConfig.require_compatible_mode`` and ``in_person_same_region``), so
      ``M = 0`` is seen only when a rule is turned off.

    Parameters
    ----------
    slots_weight, cadence_weight, mode_weight : float, defaults 0.5, 0.2, 0.3
    slots_for_full_score : int, default 2
    cadence_step_penalty : float, default 0.5
    remote_score : float, default 0.7
        Early face-to-face meetings matter, so remote-only pairs score a little lower.
    """

    slots_weight: float = 0.5
    cadence_weight: float = 0.2
    mode_weight: float = 0.3
    slots_for_full_score: int = 2
    cadence_step_penalty: float = 0.5
    remote_score: float = 0.7

    def __post_init__(self) -> None:
        _check_fields(
            self,
            {
                "slots_weight": WEIGHT,
                "cadence_weight": WEIGHT,
                "mode_weight": WEIGHT,
                "slots_for_full_score": [Interval("int", 1, 21)],
                "cadence_step_penalty": UNIT,
                "remote_score": UNIT,
            },
        )
        _check(
            self,
            self.slots_weight + self.cadence_weight + self.mode_weight > 0,
            "`slots_weight`, `cadence_weight` and `mode_weight` must not all be 0 "
            "(at least one of the availability weights must be positive).",
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SeniorityConfig:
    """Seniority gap (used when both tables have a ``seniority`` column).

    The gap is ``mentor - mentee`` (``mentee - mentor`` with ``reverse=True``, for
    reverse mentoring). Inside ``[min_gap, max_gap]`` the score is 1 at
    ``preferred_gap`` and falls linearly by ``1 / (span + 1)`` per grade away from it
    (never below 0), where ``span`` is the larger distance from ``preferred_gap`` to a
    band edge; with ``max_gap=None`` the distance to the (missing) upper edge counts as
    3 grades (a large gap may then score 0 yet stay eligible). Outside
    the band the score is 0 and, with ``enforce=True``, the pair is ineligible. A pair
    where either seniority is unknown scores ``unknown_score`` and is never excluded.

    Parameters
    ----------
    min_gap : int, default 1
    max_gap : int or None, default 3
        None: no upper limit.
    preferred_gap : int, default 2
    reverse : bool, default False
    enforce : bool, default True
    unknown_score : float, default 0.5
    """

    min_gap: int = 1
    max_gap: int | None = 3
    preferred_gap: int = 2
    reverse: bool = False
    enforce: bool = True
    unknown_score: float = 0.5

    def __post_init__(self) -> None:
        _check_fields(
            self,
            {
                "min_gap": GAP,
                "max_gap": [*GAP, None],
                "preferred_gap": GAP,
                "reverse": ["boolean"],
                "enforce": ["boolean"],
                "unknown_score": UNIT,
            },
        )
        hi = self.preferred_gap if self.max_gap is None else self.max_gap
        _check(
            self,
            self.min_gap <= self.preferred_gap <= hi,
            "`min_gap`, `preferred_gap` and `max_gap` must be in order (min_gap <= "
            f"preferred_gap <= max_gap). Got {self.min_gap}, {self.preferred_gap}, "
            f"{self.max_gap} instead.",
        )


ArrayFunc = Callable[[pd.DataFrame, pd.DataFrame], Any]


@dataclass(frozen=True, slots=True)
class CustomComponent:
    """A platform's own scoring criterion.

    Parameters
    ----------
    name : str
        Column name in :meth:`Scores.to_frame`; must not clash with a built-in component.
    func : callable ``(mentees, mentors) -> array``
        Receives the validated mentee and mentor DataFrames (extra columns included; the
        mentees may be a block of rows) and returns scores in [0, 1] of shape
        ``(len(mentees), len(mentors))`` (anything that broadcasts to it).
    weight : float, default 1.0
        Weight in the total, next to the built-in weights.
    """

    name: str
    func: ArrayFunc
    weight: float = 1.0

    def __post_init__(self) -> None:
        _check_fields(self, {"name": ["text"], "func": ["callable"], "weight": WEIGHT})
        _check(
            self,
            self.name not in RESERVED_NAMES,
            f"`name` must not be a column of the score table ({', '.join(RESERVED_NAMES)}). "
            f"Got {self.name!r} instead.",
        )


@dataclass(frozen=True, slots=True)
class HardRule:
    """A platform's own hard rule: pairs that break it are ineligible, with ``reason`` kept.

    Parameters
    ----------
    name : str
    func : callable ``(mentees, mentors) -> bool array``
        True where the pair *satisfies* the rule (is allowed), shape
        ``(len(mentees), len(mentors))`` or broadcastable to it.
    reason : str
        Shown for every pair the rule excludes, e.g. ``"same department"``.
    """

    name: str
    func: ArrayFunc
    reason: str

    def __post_init__(self) -> None:
        _check_fields(self, {"name": ["text"], "func": ["callable"], "reason": ["text"]})


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoringConfig:
    """Everything that decides a score: component settings, weights and hard rules.

    ``total = sum(weight_c * component_c) / sum(weight_c)`` over the active components
    (seniority is active only when both tables have seniority data), so the total is
    in [0, 1].

    Parameters
    ----------
    sector, goals, availability, seniority : component settings
    sector_weight, goals_weight, availability_weight : float, default 1.0
    seniority_weight : float, default 0.5
    custom : tuple of CustomComponent
    rules : tuple of HardRule
    same_organisation : bool, default True
        Pairs from the same organisation are ineligible.
    require_shared_slot : bool, default True
        Pairs with no weekly slot in common are ineligible.
    in_person_same_region : bool, default True
        A pair where either side meets only in person must be in the same region.
    require_compatible_mode : bool, default True
        A pair where one side meets only in person and the other only remotely is
        ineligible (reason ``"modes conflict (in-person only vs remote only)"``): they
        cannot meet at all.
    """

    sector: SectorPreference = field(default_factory=SectorPreference)
    goals: GoalsConfig = field(default_factory=GoalsConfig)
    availability: AvailabilityConfig = field(default_factory=AvailabilityConfig)
    seniority: SeniorityConfig = field(default_factory=SeniorityConfig)
    sector_weight: float = 1.0
    goals_weight: float = 1.0
    availability_weight: float = 1.0
    seniority_weight: float = 0.5
    custom: tuple[CustomComponent, ...] = ()
    rules: tuple[HardRule, ...] = ()
    same_organisation: bool = True
    require_shared_slot: bool = True
    in_person_same_region: bool = True
    require_compatible_mode: bool = True

    def __post_init__(self) -> None:
        _check_fields(
            self,
            {
                "sector": [Instance(SectorPreference, "a SectorPreference")],
                "goals": [Instance(GoalsConfig, "a GoalsConfig")],
                "availability": [Instance(AvailabilityConfig, "an AvailabilityConfig")],
                "seniority": [Instance(SeniorityConfig, "a SeniorityConfig")],
                **{f"{name}_weight": WEIGHT for name in BUILTIN_COMPONENTS},
                "custom": [SequenceOf(CustomComponent, "a tuple of CustomComponent")],
                "rules": [SequenceOf(HardRule, "a tuple of HardRule")],
                "same_organisation": ["boolean"],
                "require_shared_slot": ["boolean"],
                "in_person_same_region": ["boolean"],
                "require_compatible_mode": ["boolean"],
            },
        )
        object.__setattr__(self, "custom", tuple(self.custom))
        object.__setattr__(self, "rules", tuple(self.rules))
        names = [c.name for c in self.custom]
        clash = sorted({n for n in names if n in BUILTIN_COMPONENTS or names.count(n) > 1})
        _check(
            self,
            not clash,
            "`custom` component names must be unique and not built-in "
            f"({', '.join(BUILTIN_COMPONENTS)}). Got {clash} instead.",
        )
        rule_names = [r.name for r in self.rules]
        builtin = [n for n, _ in BUILTIN_RULES]
        clash = sorted({n for n in rule_names if n in builtin or rule_names.count(n) > 1})
        _check(
            self,
            not clash,
            f"`rules` names must be unique and not built-in ({', '.join(builtin)}). "
            f"Got {clash} instead.",
        )
        most = 64 - len(BUILTIN_RULES)
        _check(
            self,
            len(self.rules) <= most,
            f"`rules` must hold at most {most} rules. Got {len(self.rules)} instead.",
        )

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any], *, source: str = "settings") -> ScoringConfig:
        """Settings from a programme file's ``[scoring]`` table (or any such mapping).

        Parameters
        ----------
        table : mapping
            Field names -> values as TOML gives them: ``sector_weight = 1.0``, sub-tables
            ``sector``, ``goals``, ``availability``, ``seniority`` holding the fields of
            those settings, ``"none"`` for a field that may be None. ``custom`` and
            ``rules`` hold Python functions and are not read from a file.
        source : str, default "settings"
            Named in every problem (a programme file's path).

        Returns
        -------
        ScoringConfig

        Raises
        ------
        ValidationError
            Every unknown key and bad value at once, each naming the key
            (``scoring.sector.peak``), the value and a hint.
        """
        problems: list[Problem] = []
        config = scoring_from_table(table, source, problems)
        if problems or config is None:
            raise ValidationError(problems, title=f"invalid [scoring] settings in {source!r}")
        return config

    @property
    def weights(self) -> dict[str, float]:
        """The weight of every component, built-in and custom."""
        w = {name: float(getattr(self, f"{name}_weight")) for name in BUILTIN_COMPONENTS}
        w.update({c.name: float(c.weight) for c in self.custom})
        return w


# ------------------------------------------------------------- from a programme file
_SUB_CONFIGS: dict[str, type] = {
    "sector": SectorPreference,
    "goals": GoalsConfig,
    "availability": AvailabilityConfig,
    "seniority": SeniorityConfig,
}
#: Scoring fields that hold Python functions: not settable from a file.
_CODE_ONLY = ("custom", "rules")


def kind_ok(value: Any, default: Any, annotation: str) -> bool:
    """Whether a value read from a file has the kind of a setting's default."""
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int) and "float" not in annotation:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str)
    return not isinstance(value, dict | list)


def kind_name(default: Any, annotation: str) -> str:
    """The kind :func:`kind_ok` expects, in a programme file's words."""
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int) and "float" not in annotation:
        return "a whole number"
    if isinstance(default, int | float):
        return "a number"
    if isinstance(default, str):
        return "a text in quotes"
    return "a single value"


def _settings(
    cls: type, table: Mapping[str, Any], where: str, source: str, problems: list[Problem]
) -> Any:
    """Build one settings dataclass from a TOML table, reporting every bad key and value."""
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name not in _CODE_ONLY}
    kwargs: dict[str, Any] = {}
    bad = False
    for key, value in table.items():
        if key in _SUB_CONFIGS and cls is ScoringConfig:
            continue
        f = fields.get(key)
        if f is None:
            problems.append(unknown_key(where, key, sorted(fields), source))
            bad = True
            continue
        default = f.default if f.default is not dataclasses.MISSING else None
        annotation = str(f.type)
        if value == "none" and "None" in annotation:
            value = None
        elif not kind_ok(value, default, annotation):
            problems.append(
                Problem(
                    source,
                    f"must be {kind_name(default, annotation)}.",
                    column=f"{where}.{key}",
                    value=value,
                    hint=f"the default is {default!r}"
                    + ('; write "none" for no limit.' if "None" in annotation else "."),
                )
            )
            bad = True
            continue
        kwargs[key] = value
    if bad:
        return None
    try:
        return cls(**kwargs)
    except ParameterError as exc:  # one problem per bad key, named as in the file
        for message in exc.messages:
            named = [k for k in re.findall(r"`(\w+)`", message) if k in kwargs]
            only = named[0] if len(named) == 1 else None
            problems.append(
                Problem(
                    source,
                    message,
                    column=f"{where}.{only}" if only else where,
                    hint=f"check {', '.join(f'{where}.{k}' for k in named) or f'[{where}]'}.",
                )
            )
        return None
    except (ValueError, TypeError) as exc:
        problems.append(
            Problem(source, str(exc), column=where, value=None, hint=f"check [{where}].")
        )
        return None


def scoring_from_table(
    table: Mapping[str, Any], source: str, problems: list[Problem]
) -> ScoringConfig | None:
    """A ``[scoring]`` table as a :class:`ScoringConfig` (the one conversion, used by
    :meth:`ScoringConfig.from_mapping` and :func:`crossmatch.load_programme`).

    Every problem is appended to ``problems`` (so that a caller reporting a whole file
    raises them with its own); returns None when there was any.
    """
    n_before = len(problems)
    subs = {}
    for name, cls in _SUB_CONFIGS.items():
        sub = table.get(name, {})
        if not isinstance(sub, Mapping):
            problems.append(Problem(source, "must be a table.", column=f"scoring.{name}"))
            continue
        subs[name] = _settings(cls, sub, f"scoring.{name}", source, problems)
    config = _settings(ScoringConfig, table, "scoring", source, problems)
    if len(problems) > n_before or config is None:
        return None
    return dataclasses.replace(config, **{k: v for k, v in subs.items() if k in table})


def programme_scoring(programme: object) -> ScoringConfig | None:
    """The scoring settings a programme carries: a :class:`~crossmatch.Programme`'s
    ``.scoring``, or the raw ``[scoring]`` table of a programme file read by the intake
    (``Cohort.from_csv(..., programme="programme.toml")``) converted here; None when
    there is no programme.

    Raises
    ------
    ValidationError
        When the file's ``[scoring]`` table has bad keys or values (all of them).
    """
    found = getattr(programme, "scoring", None)
    if isinstance(found, ScoringConfig):
        return found
    if isinstance(found, Mapping):
        source = getattr(programme, "path", None) or "programme"
        problems: list[Problem] = []
        config = scoring_from_table(found, source, problems)
        if problems or config is None:
            raise ValidationError(problems, title=f"invalid programme file {source!r}")
        return config
    return None
