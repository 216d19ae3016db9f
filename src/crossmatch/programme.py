"""A programme file: one programme's columns, aliases, scoring and solver settings (TOML).

This module sits above ``scoring`` and ``solve`` (it builds a
:class:`~crossmatch.scoring.ScoringConfig` and checks the solver's keyword arguments) and
below the command line; the column and alias tables are checked by
:class:`crossmatch.intake.IntakeSpec`, which :class:`Programme` extends, so
``Cohort.from_csv(..., programme=prog)`` needs nothing from this floor.

The file's tables are laid out as the arguments are (see ``examples/programme.toml``)::

    [input]              encoding = "cp1252"              (optional)
    [columns.mentees]    "Mentee ID" = "id"               (their header = our column)
    [columns.mentors]    "Max mentees" = "capacity"
    [aliases.sector]     "NHS Trust" = "health-and-social-care"
    [aliases.goals]      "stakeholder mgmt" = "stakeholder management"
    [aliases.mode]  [aliases.cadence]  [aliases.region]  [aliases.organisation]
    [scoring]            sector_weight = 1.0, require_shared_slot = true, ...
    [scoring.sector]     peak = 0.35  (and [scoring.goals], [scoring.availability],
                                       [scoring.seniority]: the fields of those settings)
    [shortlist]          k = 3, method = "auto", ...       (keyword arguments of shortlist)

Unknown tables and keys, and values of the wrong kind, are reported all at once as a
:class:`~crossmatch.errors.ValidationError` whose problems name the file, the key
(``scoring.sector.peak``), the value and a hint.
"""

from __future__ import annotations

import difflib
import inspect
import json
import logging
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from ._text import norm_key
from ._validation import Instance, check_params
from .cohort import Cohort, Taxonomy
from .cohort.schema import MENTEES, MENTORS, is_missing, same_but_case
from .errors import ParameterError, Problem, ValidationError
from .intake import (
    CADENCES,
    MODES,
    SLOTS,
    GoalMatcher,
    IntakeSpec,
    IntakeSummary,
    guess_columns,
    read_table,
    recognise_cadence,
    recognise_mode,
    recognise_slots,
    split_phrases,
)
from .intake.programme_file import read_programme_file, unknown_key
from .intake.summary import SURE
from .scoring import Scores, ScoringConfig, iter_score_blocks
from .scoring.config import (
    BUILTIN_RULES,
    kind_name,
    kind_ok,
    programme_scoring,
    scoring_from_table,
)
from .solve import shortlist as _shortlist

__all__ = ["Programme", "check_options", "draft_programme", "load_programme"]

logger = logging.getLogger("crossmatch")

#: shortlist() arguments that are not settings (data, or Python objects).
_NOT_SETTINGS = ("scores", "fixed", "executor", "progress")


@dataclass(frozen=True, slots=True)
class Programme(IntakeSpec):
    """A programme's settings, from :func:`load_programme`.

    Attributes
    ----------
    columns : mapping
        ``{"mentees": {their header: our column}, "mentors": {...}}``.
    aliases : mapping
        ``{kind: {their value: our value}}`` (kinds: sector, goals, mode, cadence,
        availability, region, organisation).
    scoring : ScoringConfig
        From ``[scoring]`` and its sub-tables (defaults where absent).
    shortlist : mapping
        Keyword arguments for :func:`crossmatch.shortlist` (``k``, ``method``, ...).
    encoding : str or None
        ``[input] encoding``: the CSV files' encoding, if not UTF-8/cp1252.
    path : str or None
        The file it was read from.

    Examples
    --------
    The whole programme, from files to shortlists, in its own settings::

        prog = crossmatch.load_programme("programme.toml")
        cohort = crossmatch.Cohort.from_csv("mentees.csv", "mentors.csv", programme=prog)
        scores = crossmatch.score(cohort)  # prog.scoring: the cohort keeps its programme
        lists = crossmatch.shortlist(scores, **prog.shortlist)
    """

    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    shortlist: Mapping[str, Any] = field(default_factory=dict)
    path: str | None = None

    def __post_init__(self) -> None:
        IntakeSpec.__post_init__(self)
        object.__setattr__(self, "shortlist", MappingProxyType(dict(self.shortlist)))

    def __repr__(self) -> str:
        n_cols = sum(len(v) for v in self.columns.values())
        n_alias = sum(len(v) for v in self.aliases.values())
        return (
            f"Programme(path={self.path!r}, columns={n_cols}, aliases={n_alias}, "
            f"shortlist={dict(self.shortlist)})"
        )


def _shortlist_args(table: Mapping[str, Any], source: str, problems: list[Problem]) -> dict:
    params = inspect.signature(_shortlist).parameters
    allowed = {n: p for n, p in params.items() if n not in _NOT_SETTINGS}
    out = {}
    for key, value in table.items():
        p = allowed.get(key)
        if p is None:
            problems.append(unknown_key("shortlist", key, sorted(allowed), source))
            continue
        default = None if p.default is inspect.Parameter.empty else p.default
        annotation = str(p.annotation)
        if value == "none" and "None" in annotation:
            value = None
        elif default is not None and not kind_ok(value, default, annotation):
            problems.append(
                Problem(
                    source,
                    f"must be {kind_name(default, annotation)}.",
                    column=f"shortlist.{key}",
                    value=value,
                    hint=f"the default is {default!r}.",
                )
            )
            continue
        out[key] = value
    return out


def load_programme(path: str | os.PathLike[str]) -> Programme:
    """Read a programme file (TOML).

    Parameters
    ----------
    path : str or path-like
        The file, e.g. one drafted by ``crossmatch init`` (see ``examples/programme.toml``
        for every key, commented).

    Returns
    -------
    Programme
        Frozen: ``.columns``, ``.aliases``, ``.scoring`` (a ScoringConfig), ``.shortlist``
        (keyword arguments of :func:`crossmatch.shortlist`).

    Raises
    ------
    ValidationError
        Every unknown table or key and every bad value at once, each naming the file,
        the key, the value and a hint.
    """
    check_params(
        "load_programme", {"path": path}, {"path": [Instance((str, os.PathLike), "a path")]}
    )
    problems: list[Problem] = []
    tables = read_programme_file(path, problems)  # [input], [columns], [aliases]
    source = tables.source
    config = scoring_from_table(tables.scoring, source, problems)
    short = _shortlist_args(tables.shortlist, source, problems)
    if problems or config is None:
        raise ValidationError(problems, title=f"invalid programme file {source!r}")
    return Programme(
        columns=tables.columns,
        aliases=tables.aliases,
        scoring=config,
        shortlist=short,
        encoding=tables.encoding,
        path=source,
    )


_FIX = {
    "same organisation": "`ScoringConfig(same_organisation=False)` / [scoring] "
    "same_organisation = false",
    "no shared slot": "`ScoringConfig(require_shared_slot=False)` / [scoring] "
    "require_shared_slot = false, or widen their availability",
    "in-person only, different regions": "`ScoringConfig(in_person_same_region=False)` / "
    "[scoring] in_person_same_region = false, or let them meet remotely (mode 'either')",
    "modes conflict (in-person only vs remote only)": "`ScoringConfig("
    "require_compatible_mode=False)` / [scoring] require_compatible_mode = false, or ask "
    "them whether they could meet either way (mode 'either')",
    "seniority gap outside the allowed band": "`SeniorityConfig(max_gap=...)` or "
    "`min_gap=...` / [scoring.seniority] max_gap = ..., or enforce = false",
    "excluded by request": "the `exclude` lists",
    "mentor capacity 0": "mentor capacities",
}


def check_options(
    cohort: Cohort, config: ScoringConfig | None = None, *, scores: Scores | None = None
) -> IntakeSummary:
    """Mentees with no eligible mentor under the current rules, as intake warnings.

    Parameters
    ----------
    cohort : Cohort
    config : ScoringConfig, optional
        The rules to check (default: the ``[scoring]`` of the programme the cohort was
        read with, else ``ScoringConfig()``, as :func:`crossmatch.score`).
    scores : Scores, optional
        Already computed scores of this cohort: their eligibility is used instead of
        scoring again (free after :func:`crossmatch.score`).

    Returns
    -------
    IntakeSummary
        ``cohort.intake`` with one warning line per rule that left mentees without any
        eligible mentor, naming them and the setting that would help; each line is also
        logged on the ``crossmatch`` logger.

    Notes
    -----
    Without ``scores`` the cohort is scored block by block (nothing is kept), which
    costs about as much as :func:`crossmatch.iter_score_blocks`.
    """
    check_params(
        "check_options",
        {"cohort": cohort, "config": config, "scores": scores},
        {
            "cohort": [Instance(Cohort, "a Cohort")],
            "config": [Instance(ScoringConfig, "a ScoringConfig"), None],
            "scores": [Instance(Scores, "a Scores"), None],
        },
    )
    n = cohort.n_mentees
    any_ok = np.zeros(n, dtype=bool)
    why = np.zeros(n, dtype=np.uint64)
    if scores is not None:
        if tuple(scores.shape) != cohort.shape:
            raise ParameterError(
                "check_options",
                [
                    f"`scores` must be the scores of this cohort, shape {cohort.shape}. "
                    f"Got shape {tuple(scores.shape)} instead."
                ],
            )
        flags = np.asarray(scores.reason_flags)
        names = tuple(scores.reason_names)
        any_ok = (flags == 0).any(axis=1)
        why = np.bitwise_or.reduce(flags.astype(np.uint64), axis=1)
    else:
        own = programme_scoring(cohort.programme)
        cfg = config if config is not None else own if own is not None else ScoringConfig()
        names = tuple(r for _, r in BUILTIN_RULES) + tuple(r.reason for r in cfg.rules)
        for block in iter_score_blocks(cohort, cfg):
            f = np.asarray(block.flags)
            any_ok[block.rows] = (f == 0).any(axis=1)
            why[block.rows] = np.bitwise_or.reduce(f.astype(np.uint64), axis=1)
    lines = []
    stuck = np.flatnonzero(~any_ok)
    if len(stuck):
        ids = [str(cohort.mentee_ids[i]) for i in stuck[:5]]
        more = f" and {len(stuck) - 5} more" if len(stuck) > 5 else ""
        seen = int(np.bitwise_or.reduce(why[stuck]))
        rules = [nm for b, nm in enumerate(names) if seen >> b & 1]
        fixes = "; ".join(f"{r}: {_FIX.get(r, 'the rule ' + repr(r))}" for r in rules)
        lines.append(
            f"{len(stuck)} mentee{'s' if len(stuck) != 1 else ''} ({', '.join(ids)}{more}) "
            f"{'have' if len(stuck) != 1 else 'has'} no eligible mentor under the current rules "
            f"(ruled out by: {', '.join(rules) or 'no mentors'}). To change: {fixes or '-'}."
        )
    for line in lines:
        logger.warning(line)
    return cohort.intake.with_warnings(lines)


# ---------------------------------------------------------------------------- drafting
def _q(text: object) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(str(text), ensure_ascii=False)


def _sure(how: str, score: float = 100.0) -> str:
    return SURE.get(how, how) + (f", score {score:.0f}" if how in ("fuzzy", "guess") else "")


def _distinct(series: Any) -> Counter[str]:
    out: Counter[str] = Counter()
    for v in series.tolist():
        if not is_missing(v):
            out[str(v).strip()] += 1
    return out


def _rows(n: int) -> str:
    return f"{n} row{'s' if n != 1 else ''}"


def _sector_guess(value: str, taxonomy: Taxonomy) -> tuple[str, float] | None:
    """The closest sector name and its rapidfuzz WRatio (at least 75), or None."""
    words = norm_key(value).replace("-", " ")
    names = [n.replace("-", " ") for n in taxonomy.names]
    best = process.extractOne(words, names, scorer=fuzz.WRatio, score_cutoff=75)
    if best is None:
        return None
    return taxonomy.names[best[2]], float(best[1])


#: Values read from sentences that a draft shows as examples (the rest are counted).
_SHOWN = 5


def _as_level(value: str) -> int | None:
    """A whole-number seniority level written as text (``"5"``, ``"5.0"``), else None."""
    try:
        f = float(value)
    except ValueError:
        return None
    return int(f) if f.is_integer() else None


def draft_programme(
    mentees: Any,
    mentors: Any,
    *,
    taxonomy: Taxonomy | None = None,
    encoding: str | None = None,
) -> str:
    """Draft a programme file (TOML text) from the two tables' headers and values.

    Every entry is a best guess marked with how sure it is (``# certain``, ``# likely:
    built-in synonym``, ``# a guess, score 87``); values crossmatch cannot read at all
    are listed as comments to fill in. This is what ``crossmatch init`` writes.

    Parameters
    ----------
    mentees, mentors : DataFrame or path to a CSV/Excel file
    taxonomy : Taxonomy, optional
        Sector taxonomy the sector guesses are made in (default: the built-in one).
    encoding : str, optional
        Encoding of CSV files, if not UTF-8/cp1252.

    Returns
    -------
    str
        The TOML text; :func:`load_programme` reads it back.
    """
    check_params(
        "draft_programme",
        {"taxonomy": taxonomy, "encoding": encoding},
        {"taxonomy": [Instance(Taxonomy, "a Taxonomy"), None], "encoding": [str, None]},
    )
    taxonomy = Taxonomy.default() if taxonomy is None else taxonomy
    tables = {}
    sources = {}
    for side, src in (("mentees", mentees), ("mentors", mentors)):
        df, how = read_table(src, side=side, encoding=encoding)
        tables[side] = df
        sources[side] = how
    out = [
        "# crossmatch programme file: a DRAFT written by `crossmatch init`.",
        "# Every entry is a guess marked with how sure it is; check the ones marked",
        "# 'a guess', then run e.g.:",
        "#   crossmatch score MENTEES MENTORS --programme THIS_FILE --out scores.csv",
        "# Every key is documented in examples/programme.toml.",
        "",
    ]
    for side in ("mentees", "mentors"):
        out.append(f"# {side}: {sources[side].describe()}, {len(tables[side])} rows")
    enc = {s.encoding for s in sources.values() if s.encoding}
    if encoding:
        out += ["", "[input]", f"encoding = {_q(encoding)}"]
    elif enc - {"utf-8", "utf-8-sig"}:
        out.append(f"# read as {', '.join(sorted(enc))} (recognised without a setting)")
    sides = {"mentees": MENTEES, "mentors": MENTORS}
    mapped: dict[str, dict[str, str]] = {}
    for side, df in tables.items():
        spec = sides[side]
        out += ["", f"[columns.{side}]"]
        guesses = guess_columns([str(c) for c in df.columns], spec.known, cutoff=70.0)
        mapped[side] = {}
        for col in spec.known:
            g = guesses.get(col)
            if g is None:
                if col in spec.required:
                    out.append(f"# ??? = {_q(col)}   # no header looks like {col!r}: required")
                continue
            mapped[side][g.header] = col
            if g.how == "normalised" and g.header.strip().lower() == col:
                continue  # already the column's own name
            out.append(f"{_q(g.header)} = {_q(col)}   # {_sure(g.how, g.score)}")
        extra = [str(c) for c in df.columns if str(c) not in mapped[side]]
        if extra:
            out.append("# passed through unchanged: " + ", ".join(map(_q, extra)))

    def values(column: str) -> Counter[str]:
        total: Counter[str] = Counter()
        for side, df in tables.items():
            for header, col in mapped[side].items():
                if col == column:
                    total.update(_distinct(df[header]))
        return total

    # sectors
    out += ["", "[aliases.sector]"]
    for value, n in sorted(values("sector").items()):
        found = taxonomy.resolve(value)
        if found is not None:
            if found.how in ("synonym", "path"):
                out.append(f"# {_q(value)} is read as {_q(found.name)}: {_sure(found.how)}")
            continue
        guess = _sector_guess(value, taxonomy)
        if guess is None:
            out.append(
                f"# {_q(value)} = ???   # no close sector ({_rows(n)}): choose one of "
                + ", ".join(taxonomy.names[:6])
                + ", ..."
            )
        else:
            out.append(f"{_q(value)} = {_q(guess[0])}   # {_sure('guess', guess[1])}, {_rows(n)}")
    for kind, recognise, canon in (
        ("mode", recognise_mode, MODES),
        ("cadence", recognise_cadence, CADENCES),
    ):
        out += ["", f"[aliases.{kind}]"]
        for value, n in sorted(values(kind).items()):
            r = recognise(value)
            if r is not None:
                if r.how != "exact" and not same_but_case(value, r.value):  # case: certain
                    out.append(f"# {_q(value)} is read as {_q(r.value)}: {_sure(r.how)}")
                continue
            close = difflib.get_close_matches(value.lower(), canon, n=1, cutoff=0.5)
            if close:
                out.append(f"{_q(value)} = {_q(close[0])}   # {_sure('guess', 60)}, {_rows(n)}")
            else:
                out.append(f"# {_q(value)} = ???   # one of {', '.join(canon)} ({_rows(n)})")
    out += ["", "[aliases.availability]"]
    read: list[str] = []
    for value, n in sorted(values("availability").items(), key=lambda t: (-t[1], t[0])):
        r, unknown = recognise_slots(value)
        if r is None:
            out.append(
                f"# {_q(value)} = ???   # could not read {', '.join(map(repr, unknown))} "
                f'({_rows(n)}): write slots such as "tue-pm;thu-am"'
            )
        elif r.how != "exact":
            shown = "every slot" if r.value.count(";") == len(SLOTS) - 1 else r.value
            read.append(f"#   {_q(value)} = {_q(shown)}")
    if read:  # read from sentences: a few examples, not one line per distinct sentence
        out.append(
            f"# {len(read)} availability sentence{'s' if len(read) != 1 else ''} read "
            f"({_sure('parsed')}), the most used first;"
        )
        out.append("# `cohort.intake` lists them all:")
        out += read[:_SHOWN]
        if len(read) > _SHOWN:
            out.append(f"#   ... and {len(read) - _SHOWN} more")
    grades = sorted(
        ((v, n) for v, n in values("seniority").items() if _as_level(v) is None),
        key=lambda t: (-t[1], t[0]),
    )
    if grades:  # grade names: levels only the programme office knows
        out += [
            "",
            "[aliases.seniority]",
            '# grade names as whole-number levels, higher = more senior (e.g. "Grade 7" = 6);',
            "# or remove the seniority line from [columns.*] to leave seniority out",
        ]
        out += [f"# {_q(value)} = ???   # a level ({_rows(n)})" for value, n in grades]
    phrases: Counter[str] = Counter()
    for column in ("goals", "expertise"):
        for value, n in values(column).items():
            for p in split_phrases(value):
                phrases[p] += n
    matcher = GoalMatcher.build(phrases)
    out += ["", "[aliases.goals]"]
    for phrase, r in sorted(matcher.labels.items()):
        if r.how in ("fuzzy", "synonym"):
            out.append(f"{_q(phrase)} = {_q(r.value)}   # {_sure(r.how, r.score)}")
        elif r.how == "normalised":
            out.append(f"# {_q(phrase)} is read as {_q(r.value)}: {_sure(r.how)}")
    out += [
        "",
        "[scoring]",
        "# sector_weight = 1.0",
        "# goals_weight = 1.0",
        "# availability_weight = 1.0",
        "# seniority_weight = 0.5",
        "# same_organisation = true",
        "# require_shared_slot = true",
        "# in_person_same_region = true",
        "# require_compatible_mode = true",
        "",
        "[shortlist]",
        "# k = 3",
        '# method = "auto"',
        "",
    ]
    return "\n".join(out)
