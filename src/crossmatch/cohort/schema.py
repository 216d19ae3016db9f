"""The input schema: columns, vocabularies and value parsers.

Every parser takes one *distinct* cell value and returns ``(parsed, error, note)``, where
``error`` is ``None`` or ``(message, hint)`` and ``note`` is ``None`` or the
:class:`~crossmatch.intake.phrases.Recognised` saying how a value in people's words was
read (for the intake summary). Columns are parsed once per distinct
value (see :func:`parse_column`), so a 100,000-row table with a few hundred distinct
availability strings costs a few hundred parses, not 100,000.
"""

from __future__ import annotations

import difflib
import math
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._text import norm_key
from ..errors import Problem
from ..intake import phrases
from ..intake.phrases import LIST_SEP, Recognised
from ..intake.vocab import CADENCES, DAYS, MODES, NA_STRINGS, PERIODS, SLOT_BIT, SLOTS

__all__ = [
    "CADENCES",
    "DAYS",
    "MODES",
    "PERIODS",
    "SLOTS",
    "SLOT_BIT",
    "Side",
    "is_missing",
    "parse_column",
    "split_list",
]

IN_PERSON, REMOTE, EITHER = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Side:
    """The columns of one input table."""

    name: str  # "mentees" or "mentors"
    required: tuple[str, ...]
    optional: tuple[str, ...]
    other_only: tuple[str, ...]  # columns that belong to the other table

    @property
    def known(self) -> tuple[str, ...]:
        return self.required + self.optional


_COMMON = ("id", "organisation", "sector", "availability", "cadence", "mode", "region")
MENTEES = Side(
    "mentees",
    required=(*_COMMON, "goals"),
    optional=("seniority", "exclude"),
    other_only=("expertise", "capacity", "learning"),
)
MENTORS = Side(
    "mentors",
    required=(*_COMMON, "expertise", "capacity"),
    optional=("seniority", "exclude", "learning"),
    other_only=("goals",),
)

# ---------------------------------------------------------------------------- helpers
Error = tuple[str, str | None]
Parsed = tuple[Any, Error | None, Recognised | None]
#: Notes of one column, column-wise: found, mapped_to, how, score, rows.
Notes = tuple[list[Any], list[str], list[str], list[float], list[int]]
_BOOL = "\0bool"


def is_missing(value: object) -> bool:
    """True for None, NaN, pandas NA, blank strings and the missing-value markers
    ``NA``, ``N/A``, ``nan``, ``None``, ``NULL``, ``#N/A``, ... (pandas' defaults, which is
    what a CSV read by crossmatch turns into NaN: a DataFrame is read the same way)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and (not value.strip() or value.strip() in NA_STRINGS)


def split_list(value: object) -> list[str]:
    """Split a ``;``-separated string (or a list) into stripped, non-empty items."""
    if isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Series):
        items = [str(v) for v in value if not is_missing(v)]
    else:
        items = str(value).replace(LIST_SEP, ";").split(";")
    return [s for s in (i.strip() for i in items) if s]


def _hashable(value: object) -> object:
    if type(value) is str:
        return None if value.strip() in NA_STRINGS else value
    if isinstance(value, bool | np.bool_):
        return (_BOOL, bool(value))  # True == 1 == 1.0 hash alike but must not share a parse
    if isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Series):
        # a list cell keeps its items whole (a goal may hold a comma): see LIST_SEP
        return LIST_SEP.join(str(v) for v in value if not is_missing(v))
    if is_missing(value):
        return None
    return value


#: Mean length of text cells (in a sample) above which Python's own string hashing
#: (``dict``) factorizes faster than pandas' (which hashes text byte by byte): sentences
#: such as "Monday mornings, Wednesday afternoons", phrases lists.
_LONG_TEXT = 40
_SAMPLE = 200


def _long_text(values: np.ndarray) -> bool:
    lengths = [len(v) for v in values[:_SAMPLE].tolist() if type(v) is str]
    return bool(lengths) and sum(lengths) > _LONG_TEXT * len(lengths)


def _factorize_dict(values: np.ndarray) -> tuple[np.ndarray, Any]:
    """``pd.factorize`` by a ``dict``: codes in order of first appearance, missing cells
    (NaN, None) among the distinct values (the caller drops them, as it drops ``"NA"``)."""
    index: dict[object, int] = {}
    put = index.setdefault
    codes = np.array([put(v, len(index)) for v in values.tolist()], dtype=np.int64)
    return codes, list(index)


def _factorize(series: pd.Series) -> tuple[np.ndarray, list[object]]:
    """Codes (-1 = missing) and the distinct values of a column, parsed once each."""
    values = series.to_numpy(dtype=object)
    try:
        if _long_text(values):
            codes, uniques = _factorize_dict(values)
        else:
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # lists in cells
        return _factorize_cells(values)
    # what the cells hold is read on the distinct values, not on every cell: text (the
    # common case) cannot have merged with anything else; booleans would have merged
    # with 1 and 0 (True == 1), so a number column of object dtype is looked at whole;
    # tuples, booleans and mixtures are read cell by cell
    if not isinstance(series.dtype, pd.StringDtype) and series.dtype.kind not in "iuf":
        kind = pd.api.types.infer_dtype(uniques, skipna=True)
        if kind in ("integer", "floating", "mixed-integer-float"):
            kind = pd.api.types.infer_dtype(values, skipna=True)
        if kind not in ("string", "integer", "floating", "mixed-integer-float", "empty"):
            return _factorize_cells(values)
    distinct = list(uniques)
    na = NA_STRINGS
    # text inline (most distinct values; ``strip`` returns the text itself when there is
    # nothing to strip), anything else through _hashable
    keys_u = [
        (None if u.strip() in na else u) if type(u) is str else _hashable(u) for u in distinct
    ]
    gone = [k for k, u in enumerate(keys_u) if u is None]
    if gone:  # blank strings and "NA"-like markers are missing too
        remap = np.arange(len(distinct) + 1, dtype=np.int64)
        remap[-1] = -1
        for k in gone:
            remap[k] = -1
        codes = remap[codes]
    return codes, keys_u


def _factorize_cells(values: np.ndarray) -> tuple[np.ndarray, list[object]]:
    """:func:`_factorize` for lists in cells, or booleans that must not merge with 1 and 0:
    every cell made hashable on its own first."""
    keys = np.empty(len(values), dtype=object)
    keys[:] = [_hashable(v) for v in values]
    codes, uniques = pd.factorize(keys, use_na_sentinel=True)
    return codes, list(uniques)


def parse_column(
    series: pd.Series,
    parser: Callable[[object], Parsed],
    *,
    side: str,
    column: str,
    ids: Sequence[object],
    required: bool,
    sheet_rows: np.ndarray | None = None,
) -> tuple[list[Any], list[Problem], Notes]:
    """Parse every cell of ``series`` with ``parser``, once per distinct value.

    Returns the parsed values (one per row; ``None`` for a missing cell), the problems
    found (one per bad row, with the spreadsheet row number) and the notes: each
    distinct value the parser recognised as something other than itself, with how and
    the number of rows holding it, column-wise: ``(found, mapped_to, how, score, rows)``.
    A parser may return a shared note with an empty ``value``: the note then reads the
    parsed value (its first item for a tuple). ``sheet_rows``: each row's spreadsheet
    row number (default: position + 2, the header being row 1).
    """
    codes, keys = _factorize(series)
    sheet = np.arange(len(series)) + 2 if sheet_rows is None else sheet_rows
    n_u = len(keys)
    parsed: np.ndarray = np.empty(n_u + 1, dtype=object)  # the last slot: missing -> None
    errors: dict[int, Error] = {}
    noted: list[Recognised | None] = [None] * n_u  # each distinct value's note, if any
    for k, key in enumerate(keys):
        if key is None:
            continue
        raw = key[1] if isinstance(key, tuple) and key and key[0] == _BOOL else key
        value, err, note = parser(raw)
        parsed[k] = value
        if err is not None:
            errors[k] = err
        if note is not None:
            noted[k] = note
    # the notes, column-wise
    note_k = [k for k, r in enumerate(noted) if r is not None]
    note_r: list[Recognised] = [r for r in noted if r is not None]
    # a shared note's empty value stands for the parsed value (its first item)
    mapped = [
        r.value or (v[0] if type(v) is tuple else str(v))
        for r, v in zip(note_r, parsed[note_k].tolist(), strict=True)
    ]
    out = parsed[codes].tolist()
    problems: list[Problem] = []
    labels = series.index
    raw_values = series.to_numpy(dtype=object)
    if required:
        for pos in np.flatnonzero(codes < 0).tolist():
            problems.append(
                Problem(
                    side,
                    "a value is required here but the cell is empty (or a missing-value "
                    "marker such as 'NA').",
                    row=labels[pos],
                    column=column,
                    id=ids[pos],
                    hint=f"fill in {column!r} for this row, or remove the row.",
                    sheet_row=int(sheet[pos]),
                )
            )
    if errors:
        bad = np.flatnonzero(np.isin(codes, np.fromiter(errors, dtype=np.int64)))
        for pos in bad.tolist():
            message, hint = errors[int(codes[pos])]
            problems.append(
                Problem(
                    side,
                    message,
                    row=labels[pos],
                    column=column,
                    value=raw_values[pos],
                    hint=hint,
                    id=ids[pos],
                    sheet_row=int(sheet[pos]),
                )
            )
        problems.sort(key=lambda p: p.sheet_row or 0)
    notes: Notes = ([], [], [], [], [])
    if note_k:
        ks = np.asarray(note_k, dtype=np.int64)
        rows = np.bincount(codes[codes >= 0], minlength=n_u)[ks].tolist()
        found = [keys[k] for k in note_k]
        if len(set(map(id, note_r))) == 1:  # one shared note (thousands of sentences)
            hows = [note_r[0].how] * len(note_r)
            scores = [note_r[0].score] * len(note_r)
        else:
            hows = [r.how for r in note_r]
            scores = [r.score for r in note_r]
        if not _NEVER_CASE_ONLY.issuperset(hows):  # availability sentences skip this pass
            # a change of letter case only is certain and never listed (``Monthly``)
            keep = [
                j
                for j, (f, m) in enumerate(zip(found, mapped, strict=True))
                if hows[j] in _NEVER_CASE_ONLY or not same_but_case(f, m)
            ]
            found = [found[j] for j in keep]
            mapped = [mapped[j] for j in keep]
            hows = [hows[j] for j in keep]
            scores = [scores[j] for j in keep]
            rows = [rows[j] for j in keep]
        notes = (found, mapped, hows, scores, rows)
    return out, problems, notes


#: Notes that are never a change of case alone: the programme's own aliases, and
#: availability sentences (a sentence differs from its slot list by more than case).
_NEVER_CASE_ONLY = frozenset({"alias", "parsed"})


def same_but_case(found: object, mapped: object) -> bool:
    """True when two values differ only in letter case and surrounding white space."""
    return str(found).strip().casefold() == str(mapped).strip().casefold()


def _closest(word: str, vocabulary: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(word.replace(" ", "-").replace("_", "-"), vocabulary, n=3)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    return None


def _choice(
    vocabulary: Sequence[str],
    what: str,
    recognise: Callable[[object, Mapping[str, str] | None], Recognised | None],
    aliases: Mapping[str, str] | None,
    kind: str,
) -> Callable[[object], Parsed]:
    def parse(value: object) -> Parsed:
        found = recognise(value, aliases)
        if found is not None:
            return found.value, None, (None if found.how == "exact" else found)
        key = str(value).strip().lower()
        hint = _closest(key, vocabulary) or "use one of " + ", ".join(map(repr, vocabulary)) + "."
        hint += f" Or map your word with `aliases={{{kind!r}: {{...}}}}` / [aliases.{kind}]."
        return None, (f"unknown {what}.", hint), None

    return parse


def cadence_parser(aliases: Mapping[str, str] | None = None) -> Callable[[object], Parsed]:
    """Cadence cells: canonical names, built-in synonyms (``every two weeks``), ``aliases``."""
    return _choice(CADENCES, "cadence", phrases.recognise_cadence, aliases, "cadence")


def mode_parser(aliases: Mapping[str, str] | None = None) -> Callable[[object], Parsed]:
    """Mode cells: canonical names, built-in synonyms (``Face to face``), ``aliases``."""
    return _choice(MODES, "mode", phrases.recognise_mode, aliases, "mode")


parse_cadence = cadence_parser()
parse_mode = mode_parser()


def slots_parser(aliases: Mapping[str, str] | None = None) -> Callable[[object], Parsed]:
    """Availability cells, with the programme's ``aliases`` (``norm_key`` -> slots) first."""

    def parse(value: object) -> Parsed:
        key = norm_key(value) if aliases else ""
        if aliases and key in aliases:
            mask, _, _ = phrases.slots_mask(aliases[key])
            if mask:
                return _slots(mask, "alias")
        return parse_slots(value)

    return parse


_NOTES = {"parsed": Recognised("", "parsed"), "alias": Recognised("", "alias")}


def _slots(mask: int, how: str) -> Parsed:
    # the shared note's empty value stands for the parsed text (thousands of sentences)
    return (phrases._canonical(mask), mask), None, _NOTES.get(how)


_SLOT_WORDS = (
    *DAYS,
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "morning",
    "afternoon",
    "evening",
    "weekday",
    "weekend",
    "am",
    "pm",
    "eve",
)


def parse_slots(value: object) -> Parsed:
    """An availability cell -> ((canonical string, bit mask), error, note).

    ``mon-am;wed-pm`` and sentences such as ``Tuesday mornings, Thursday afternoons``
    (see :func:`crossmatch.intake.phrases.recognise_slots`).
    """
    mask, how, unknown = phrases.slots_mask(value)
    if mask:
        return _slots(mask, how)
    if not unknown:
        return None, ("no availability slot given.", "list at least one slot, e.g. 'mon-am'."), None
    hints = []
    for w in unknown[:5]:
        close = difflib.get_close_matches(w, _SLOT_WORDS, n=1, cutoff=0.7)
        hints.append(
            f"{w!r}: did you mean {close[0]!r}?" if close else f"{w!r}: not a day or time of day"
        )
    message = (
        "could not read the availability: "
        + ", ".join(map(repr, unknown[:5]))
        + (" ..." if len(unknown) > 5 else "")
        + " not understood."
    )
    hint = (
        "write days and times of day, e.g. 'Tuesday mornings, Thursday afternoons', "
        "'weekday evenings' or slots 'mon-am;wed-pm' (days mon..sun; periods am, pm, "
        "eve); map your own words with `aliases={'availability': {...}}` / "
        "[aliases.availability]. " + "; ".join(hints)
    )
    return None, (message, hint), None


def parse_labels(value: object) -> Parsed:
    """A list of free phrases (goals, expertise): split on ``;``, ``,``, new lines and
    bullets, lower-cased, in order (see :func:`crossmatch.intake.phrases.split_phrases`)."""
    items = phrases.split_phrases(value)
    if not items:
        return None, ("the list is empty.", "give at least one item, separated by ';'."), None
    return tuple(items), None, None


def text_parser(aliases: Mapping[str, str] | None = None) -> Callable[[object], Parsed]:
    """A free categorical label (organisation, region), compared by its
    :func:`~crossmatch._text.norm_key` (so ``Société Générale`` typed with a combining
    accent, ``HM Treasury`` and ``hm-treasury`` are one); ``aliases`` first."""

    def parse(value: object) -> Parsed:
        key = norm_key(value)
        if aliases and key in aliases:
            return norm_key(aliases[key]), None, Recognised(aliases[key], "alias")
        # a note for every spelling: the cohort reports those that share a key
        return key, None, Recognised(key, "normalised")

    return parse


parse_text = text_parser()


def parse_ids(value: object) -> Parsed:
    """A ``;``-separated list of ids of the other side, compared as stripped text."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # integer ids in a column with NaN gaps arrive as floats (2.0)
    return tuple(dict.fromkeys(split_list(value))), None, None


def _as_int(value: object) -> int | None:
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        f = float(value)
        return int(f) if math.isfinite(f) and f.is_integer() else None
    if isinstance(value, str):
        s = value.strip()
        if re.fullmatch(r"[+-]?\d+", s):
            return int(s)
        if re.fullmatch(r"[+-]?\d+\.0*", s):
            return int(float(s))
    return None


def parse_capacity(value: object) -> Parsed:
    n = _as_int(value)
    if n is None:
        return (
            None,
            (
                "capacity must be a whole number of mentees.",
                "use an integer >= 0 (0 means the mentor takes nobody this round).",
            ),
            None,
        )
    if n < 0:
        return None, ("capacity must not be negative.", "use an integer >= 0."), None
    return n, None, None


def seniority_parser(aliases: Mapping[str, str] | None = None) -> Callable[[object], Parsed]:
    """Seniority cells: whole numbers (higher = more senior), or the programme's own
    words mapped to numbers first (``[aliases.seniority]`` ``"Grade 7" = 6``)."""

    def parse(value: object) -> Parsed:
        if aliases:
            key = norm_key(value)
            if key in aliases and _as_int(aliases[key]) is not None:
                return _as_int(aliases[key]), None, Recognised(aliases[key], "alias")
        n = _as_int(value)
        if n is None:
            return (
                None,
                (
                    "seniority must be an integer level (higher = more senior).",
                    "use whole numbers such as 3, 4, 5, or leave the cell empty if unknown; "
                    "map grade names to numbers with `aliases={'seniority': {'Grade 7': 6}}` "
                    "/ [aliases.seniority].",
                ),
                None,
            )
        return n, None, None

    return parse


parse_seniority = seniority_parser()
