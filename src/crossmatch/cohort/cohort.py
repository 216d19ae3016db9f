"""`Cohort`: the two input tables, validated and encoded as arrays.

Ids live here and at the result edges only; everything downstream works on arrays
whose rows are mentees and whose columns are mentors.
"""

from __future__ import annotations

import gc
import logging
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._text import norm_id, norm_key, shorten
from .._validation import Instance, check_params
from ..errors import Problem, ValidationError
from ..intake import (
    GoalMatcher,
    IntakeNote,
    IntakeSpec,
    IntakeSummary,
    NoteGroup,
    Recognised,
    TableSource,
    ids_as_ints,
    map_headers,
    read_programme,
)
from ..intake import read_table as _read
from ..intake.vocab import NA_STRINGS
from . import schema
from .schema import MENTEES, MENTORS, Side
from .taxonomy import Taxonomy

__all__ = ["Cohort", "read_table"]

TableLike = pd.DataFrame | str | os.PathLike[str]
logger = logging.getLogger("crossmatch")
_PATH_SEPARATORS = ("/", ">", ":")
_TABLE = Instance(
    (pd.DataFrame, str, os.PathLike, Mapping),
    "a pandas DataFrame, a dict of columns or a path to a CSV/Excel file",
)
_PATH = Instance((str, os.PathLike), "a path to a CSV or Excel file")
_PROGRAMME = Instance(
    (IntakeSpec, str, os.PathLike),
    "a Programme (see crossmatch.load_programme) or a programme file's path",
)


def read_table(source: object, *, side: str = "table", encoding: str | None = None) -> pd.DataFrame:
    """Read a CSV or Excel path, or copy a DataFrame-like input (never the caller's object).

    See :func:`crossmatch.intake.read_table` for encodings, delimiters and ``.xlsx``.
    From a file every column is read as text (so ids like ``007`` keep their zeros); an
    ``id`` column made only of plain integers becomes integers.
    """
    df, how = _read(source, side=side, encoding=encoding)
    return ids_as_ints(df) if how.path is not None else df


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, slots=True, eq=False)
class Cohort:
    """Mentees and mentors, validated and encoded.

    Build one with :meth:`from_frames` or :meth:`from_csv`; the constructor itself
    takes already-encoded arrays and is meant for internal use.

    Attributes
    ----------
    mentees, mentors : DataFrame
        Validated copies of the inputs (schema columns in canonical form, extra
        columns passed through untouched). The caller's frames are never modified.
    mentee_ids, mentor_ids : ndarray
        The ids in row order, as given but for surrounding white space (see
        :func:`crossmatch._text.norm_id`: every id looked up later is compared so too).
    taxonomy : Taxonomy
        The sector taxonomy used to read the ``sector`` and ``learning`` columns.
    goals : tuple of str
        The goal vocabulary (union of mentee goals and mentor expertise), sorted;
        bit ``k`` of a goal bit set is ``goals[k]``.
    regions, organisations : tuple of str
        Vocabularies that the ``*_region`` / ``*_org`` codes index: comparison keys
        (:func:`crossmatch._text.norm_key`: NFC, case-folded, spaces/hyphens/underscores
        and ``&``/``and`` alike), so the same-organisation and in-person same-region rules
        see ``Société Générale`` typed on two computers as one organisation.
    intake : IntakeSummary
        What was read as what (headers, values in people's words) and how sure, plus
        warnings (a mentee goal no mentor covers). ``str(cohort.intake)`` reads well;
        ``cohort.intake.to_frame()`` has every note.
    programme : Programme or None
        The programme the cohort was read with (``programme=``), so that
        :func:`crossmatch.score` called without settings uses its ``[scoring]``.
    """

    mentees: pd.DataFrame
    mentors: pd.DataFrame
    mentee_ids: np.ndarray
    mentor_ids: np.ndarray
    taxonomy: Taxonomy
    goals: tuple[str, ...]
    regions: tuple[str, ...]
    organisations: tuple[str, ...]
    # encoded mentees
    mentee_sector: np.ndarray  # int16 taxonomy node
    mentee_slots: np.ndarray  # uint32 slot mask
    mentee_cadence: np.ndarray  # int8
    mentee_mode: np.ndarray  # int8
    mentee_region: np.ndarray  # int32
    mentee_org: np.ndarray  # int32
    mentee_seniority: np.ndarray  # float64, NaN = unknown
    mentee_goal_bits: np.ndarray  # uint64 (n, words): all goals
    mentee_primary_goal: np.ndarray  # int32 index into goals
    mentee_n_goals: np.ndarray  # int16
    # encoded mentors
    mentor_sector: np.ndarray
    mentor_slots: np.ndarray
    mentor_cadence: np.ndarray
    mentor_mode: np.ndarray
    mentor_region: np.ndarray
    mentor_org: np.ndarray
    mentor_seniority: np.ndarray
    mentor_expertise_bits: np.ndarray  # uint64 (m, words)
    mentor_learning_bits: np.ndarray  # uint64 (m, taxonomy words): sectors they want to learn from
    capacity: np.ndarray  # int64
    excluded_pairs: np.ndarray  # int64 (p, 2): (mentee index, mentor index), either side's wish
    intake: IntakeSummary = field(default_factory=IntakeSummary)
    programme: IntakeSpec | None = None

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_frames(
        cls,
        mentees: TableLike | Mapping[str, Any],
        mentors: TableLike | Mapping[str, Any],
        *,
        columns: Mapping[str, Any] | None = None,
        aliases: Mapping[str, Mapping[str, str]] | None = None,
        programme: IntakeSpec | str | os.PathLike[str] | None = None,
        taxonomy: Taxonomy | None = None,
        encoding: str | None = None,
    ) -> Cohort:
        """Validate and encode the two tables, reading people's words on the way.

        Parameters
        ----------
        mentees, mentors : DataFrame, dict of columns, or path to a CSV or ``.xlsx`` file
            The input tables (see the README for the columns). List columns may hold
            ``;``/``,``-separated strings or Python lists. Extra columns pass through
            untouched, for custom scoring components. Files: see
            :func:`crossmatch.intake.read_table` (encodings, delimiters, Excel).
        columns : mapping, optional
            Their header -> our column: ``{"mentees": {"Mentee ID": "id"}, "mentors":
            {...}}``, or one flat mapping applied to both tables.
        aliases : mapping, optional
            Their value -> ours, per kind: ``{"sector": {"NHS Trust": "health-and-social-care"},
            "goals": {...}, "mode": {...}, "cadence": {...}, "region": {...},
            "organisation": {...}}``, looked up before the built-in synonyms.
        programme : Programme or path, optional
            From :func:`crossmatch.load_programme`, or the path of a programme file:
            the same as passing its columns, aliases and ``[input]`` encoding
            (``columns``/``aliases`` given as well add to it and win on a clash). Kept as
            :attr:`programme`, so ``crossmatch.score(cohort)`` uses its ``[scoring]``;
            pass its ``[shortlist]`` on with
            ``crossmatch.shortlist(scores, **cohort.programme.shortlist)``. A path is read
            by :func:`crossmatch.intake.read_programme` (a
            :class:`~crossmatch.intake.ProgrammeFile`): its intake tables are checked
            here, its ``[scoring]`` table when the cohort is scored (same conversion, same
            messages); :func:`~crossmatch.load_programme` checks the whole file at once.
        taxonomy : Taxonomy, optional
            Sector taxonomy; defaults to :meth:`Taxonomy.default`.
        encoding : str, optional
            Encoding of CSV files; by default the programme's ``[input] encoding``, else
            UTF-8 (with or without BOM), else cp1252.

        Returns
        -------
        Cohort
            With :attr:`intake`, the summary of what was read as what, and
            :attr:`programme`.

        Raises
        ------
        ParameterError
            An argument of the wrong kind (e.g. a list where a table is expected).
        ValidationError
            Listing every problem found in either table, with side, spreadsheet row,
            index, column, value and a hint; problems of one kind are grouped.
        """
        return cls._build(
            "Cohort.from_frames",
            mentees,
            mentors,
            columns=columns,
            aliases=aliases,
            programme=programme,
            taxonomy=taxonomy,
            encoding=encoding,
        )

    @classmethod
    def _build(cls, caller: str, mentees: Any, mentors: Any, **kwargs: Any) -> Cohort:
        """:meth:`_build_now` with Python's cyclic garbage collector paused.

        Reading a table makes hundreds of thousands of small tuples and lists (parsed
        cells, goal lists), none of them in reference cycles; with the collector on, each
        700 of them start a collection that walks every live one again (about a fifth of
        the time at 100,000 rows). Paused here, the collector runs as usual afterwards;
        left off if the caller had turned it off.
        """
        paused = gc.isenabled()
        gc.disable()
        try:
            return cls._build_now(caller, mentees, mentors, **kwargs)
        finally:
            if paused:
                gc.enable()

    @classmethod
    def _build_now(
        cls,
        caller: str,
        mentees: Any,
        mentors: Any,
        *,
        columns: Any,
        aliases: Any,
        programme: Any,
        taxonomy: Any,
        encoding: Any,
    ) -> Cohort:
        check_params(
            caller,
            {
                "mentees": mentees,
                "mentors": mentors,
                "columns": columns,
                "aliases": aliases,
                "programme": programme,
                "taxonomy": taxonomy,
                "encoding": encoding,
            },
            {
                "mentees": [_TABLE],
                "mentors": [_TABLE],
                "columns": ["mapping", None],
                "aliases": ["mapping", None],
                "programme": [_PROGRAMME, None],
                "taxonomy": [Instance(Taxonomy, "a Taxonomy"), None],
                "encoding": [Instance(str, "an encoding name such as 'cp1252'"), None],
            },
        )
        taxonomy = Taxonomy.default() if taxonomy is None else taxonomy
        if isinstance(programme, str | os.PathLike):
            programme = read_programme(programme)
        spec = programme if programme is not None else IntakeSpec()
        problems: list[Problem] = []
        if columns is not None or aliases is not None:
            try:
                spec = spec.merged(IntakeSpec(columns or {}, aliases or {}))
            except ValidationError as exc:  # reported with the sector aliases, at once
                problems.extend(exc.problems)
                raw = aliases.get("sector") if isinstance(aliases, Mapping) else None
                problems += _alias_problems(raw if isinstance(raw, Mapping) else {}, taxonomy)
                raise ValidationError(problems, title="invalid cohort") from None
        problems += _alias_problems(spec.aliases.get("sector", {}), taxonomy)
        encoding = spec.encoding if encoding is None else encoding
        ee_raw, ee_src = _read(mentees, side="mentees", encoding=encoding)
        or_raw, or_src = _read(mentors, side="mentors", encoding=encoding)
        notes: list[NoteGroup] = []
        ee, ee_parsed, ee_sheet = _validate_side(
            ee_raw, MENTEES, taxonomy, spec, problems, notes, source=ee_src
        )
        mr, mr_parsed, mr_sheet = _validate_side(
            or_raw, MENTORS, taxonomy, spec, problems, notes, source=or_src
        )
        problems.extend(_absent_headers(spec, ee_raw, or_raw))
        excluded = _exclusions(ee, mr, ee_parsed, mr_parsed, problems, (ee_sheet, mr_sheet))
        if problems:
            raise ValidationError(problems, title="invalid cohort")
        _match_goals(ee_parsed, mr_parsed, spec, notes)
        summary = IntakeSummary(
            sources=(("mentees", ee_src.describe()), ("mentors", or_src.describe())),
            groups=tuple(notes),
        )
        return _encode(ee, mr, ee_parsed, mr_parsed, excluded, taxonomy, summary, programme)

    @classmethod
    def from_csv(
        cls,
        mentees: str | os.PathLike[str],
        mentors: str | os.PathLike[str],
        *,
        columns: Mapping[str, Any] | None = None,
        aliases: Mapping[str, Mapping[str, str]] | None = None,
        programme: IntakeSpec | str | os.PathLike[str] | None = None,
        taxonomy: Taxonomy | None = None,
        encoding: str | None = None,
    ) -> Cohort:
        """Read two files (CSV in UTF-8 or cp1252, ``,``/``;``/tab, or ``.xlsx``) and build
        the cohort; the arguments are those of :meth:`from_frames`."""
        check_params(
            "Cohort.from_csv",
            {"mentees": mentees, "mentors": mentors},
            {"mentees": [_PATH], "mentors": [_PATH]},
        )
        return cls._build(
            "Cohort.from_csv",
            mentees,
            mentors,
            columns=columns,
            aliases=aliases,
            programme=programme,
            taxonomy=taxonomy,
            encoding=encoding,
        )

    # ------------------------------------------------------------------ properties
    @property
    def n_mentees(self) -> int:
        return len(self.mentee_ids)

    @property
    def n_mentors(self) -> int:
        return len(self.mentor_ids)

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_mentees, n_mentors)``: the shape of every score matrix."""
        return (self.n_mentees, self.n_mentors)

    @property
    def mentor_sector_names(self) -> np.ndarray:
        """Each mentor's sector name (the default ``mentor_groups`` of the solvers)."""
        return np.asarray(self.taxonomy.names, dtype=object)[self.mentor_sector]

    def __repr__(self) -> str:
        return (
            f"Cohort(n_mentees={self.n_mentees}, n_mentors={self.n_mentors}, "
            f"total_capacity={int(self.capacity.sum())}, taxonomy={self.taxonomy.name!r})"
        )

    def _repr_html_(self) -> str:
        from .._html import repr_html

        return repr_html(self)


# ---------------------------------------------------------------------------- validation
def _normalise_headers(
    df: pd.DataFrame,
    side: Side,
    spec: IntakeSpec,
    problems: list[Problem],
    notes: list[NoteGroup],
) -> pd.DataFrame:
    """Rename headers to schema columns (the programme's mapping, case, norm_key)."""
    other = "mentors" if side.name == "mentees" else "mentees"
    names, keep, matches = map_headers(
        list(df.columns),
        side=side.name,
        known=side.known,
        required=side.required,
        other_only=side.other_only,
        other_side=other,
        mapping=spec.columns[side.name],
        problems=problems,
    )
    notes.extend(
        NoteGroup.of(
            [IntakeNote(side.name, "(header)", m.header, m.column, m.how) for m in matches]
        )
    )
    out = df.copy(deep=False)
    out.columns = pd.Index(names, dtype=object)
    return out.loc[:, np.array(keep, dtype=bool)]


def _absent_headers(spec: IntakeSpec, ee: pd.DataFrame, mr: pd.DataFrame) -> list[Problem]:
    """Headers named by the column mapping that the tables do not have."""
    have = {
        "mentees": {norm_key(c) for c in ee.columns},
        "mentors": {norm_key(c) for c in mr.columns},
    }
    out: list[Problem] = []
    sides = (
        [("both tables", ("mentees", "mentors"))]
        if spec.flat
        else [(s, (s,)) for s in ("mentees", "mentors")]
    )
    for _, names in sides:
        for header in spec.columns[names[0]]:
            if all(norm_key(header) not in have[n] for n in names):
                present = sorted({str(c) for n in names for c in (ee if n == "mentees" else mr)})
                out.append(
                    Problem(
                        names[0] if len(names) == 1 else "columns",
                        f"the column mapping names the header {shorten(header)}, which "
                        f"{'neither table has' if len(names) > 1 else 'the table does not have'}.",
                        column=str(header),
                        hint="check the spelling in `columns=` / the programme file; headers "
                        "present: " + ", ".join(map(repr, present[:15])) + ".",
                    )
                )
    return out


def _alias_problems(sector: Mapping[str, object], taxonomy: Taxonomy) -> list[Problem]:
    out = []
    for their, ours in sector.items():
        if taxonomy.index(ours) is None:
            close = taxonomy.suggest(ours)
            out.append(
                Problem(
                    "aliases",
                    f"the sector alias for {shorten(their)} names an unknown sector.",
                    column=f"aliases.sector.{their}",
                    value=ours,
                    hint=("did you mean " + " or ".join(map(repr, close)) + "?")
                    if close
                    else f"use a sector of the {taxonomy.name!r} taxonomy.",
                )
            )
    return out


def _sector_parser(taxonomy: Taxonomy, aliases: Mapping[str, str]) -> Any:
    """Sector cells: the programme's aliases first, then :meth:`Taxonomy.resolve` (exact,
    normalised, the taxonomy's synonyms, ``group/leaf`` paths), noting how."""
    names = taxonomy.names

    def sector(value: object) -> schema.Parsed:
        key = norm_key(value)
        if key in aliases:
            i = taxonomy.index(aliases[key])
            if i is not None:
                return i, None, Recognised(names[i], "alias")
        found = taxonomy.resolve(value)
        if found is not None:
            note = None if found.how == "exact" else Recognised(found.name, found.how)
            return found.index, None, note
        close = taxonomy.suggest(value)
        hint = (
            "did you mean " + " or ".join(map(repr, close)) + "?"
            if close
            else f"use a sector of the {taxonomy.name!r} taxonomy, or pass your own Taxonomy."
        )
        hint += " Or map your word with `aliases={'sector': {...}}` / [aliases.sector]."
        return None, ("unknown sector.", hint), None

    return sector


def _validate_side(
    raw: pd.DataFrame,
    side: Side,
    taxonomy: Taxonomy,
    spec: IntakeSpec,
    problems: list[Problem],
    notes: list[NoteGroup],
    *,
    source: TableSource,
) -> tuple[pd.DataFrame, dict[str, list[Any]], np.ndarray]:
    raw, sheet = _skip_blank_rows(raw, side.name, notes, source.header_row)
    df = _normalise_headers(raw, side, spec, problems, notes)
    parsed: dict[str, list[Any]] = {}
    if len(df) == 0:
        problems.append(
            Problem(
                side.name, "the table has no rows.", hint=f"give at least one of the {side.name}."
            )
        )
        return df, parsed, sheet
    ids: list[Any] = [None] * len(df)
    if "id" in df.columns:
        df = ids_as_ints(df) if source.path is not None else df
        ids, parsed["id"] = _read_ids(df, side.name, problems, sheet)
    sector = _sector_parser(taxonomy, spec.alias_keys("sector"))

    def sectors(value: object) -> schema.Parsed:
        out = []
        for item in schema.split_list(value):
            i, err, _ = sector(item)
            if err is not None:
                return None, (f"unknown sector {item!r} in the list.", err[1]), None
            out.append(i)
        return tuple(out), None, None

    parsers: dict[str, tuple[Any, bool]] = {
        "organisation": (schema.text_parser(spec.alias_keys("organisation")), True),
        "sector": (sector, True),
        "availability": (schema.slots_parser(spec.alias_keys("availability")), True),
        "cadence": (schema.cadence_parser(spec.alias_keys("cadence")), True),
        "mode": (schema.mode_parser(spec.alias_keys("mode")), True),
        "region": (schema.text_parser(spec.alias_keys("region")), False),  # see _blank_regions
        "goals": (schema.parse_labels, True),
        "expertise": (schema.parse_labels, True),
        "capacity": (schema.parse_capacity, True),
        "seniority": (schema.seniority_parser(spec.alias_keys("seniority")), False),
        "exclude": (schema.parse_ids, False),
        "learning": (sectors, False),
    }
    for col in side.known:
        if col == "id" or col not in df.columns:
            continue
        parser, required = parsers[col]
        values, found, recognised = schema.parse_column(
            df[col],
            parser,
            side=side.name,
            column=col,
            ids=ids,
            required=required,
            sheet_rows=sheet,
        )
        if col == "region":
            values = _blank_regions(values, parsed.get("mode"), side.name, ids, df, sheet, spec)
            problems.extend(values.problems)
            if values.rows:
                notes.append(values.note(side.name))
        parsed[col] = list(values)
        problems.extend(found)
        if col in ("organisation", "region"):
            recognised = _spellings(recognised)
        found_, mapped, how, score, rows = recognised
        if found_:
            notes.append(
                NoteGroup(
                    side.name,
                    col,
                    tuple(map(str, found_)),
                    tuple(mapped),
                    tuple(how),
                    tuple(score),
                    tuple(rows),
                )
            )
    return df, parsed, sheet


class _Regions(list[Any]):
    """Parsed regions with the blanks resolved, and what was found on the way."""

    problems: list[Problem]
    rows: list[int]

    def note(self, side: str) -> NoteGroup:
        rows = self.rows
        shown = ", ".join(map(str, rows[:10])) + (
            f" and {len(rows) - 10} more" if len(rows) > 10 else ""
        )
        return NoteGroup(
            side,
            "region",
            (f"blank (spreadsheet row{'s' if len(rows) != 1 else ''} {shown})",),
            ("unknown: never the same region as anyone",),
            ("blank",),
            (100.0,),
            (len(rows),),
        )


def _blank_regions(
    values: list[Any],
    modes: list[Any] | None,
    side: str,
    ids: list[Any],
    df: pd.DataFrame,
    sheet: np.ndarray,
    spec: IntakeSpec,
) -> _Regions:
    """A blank region is allowed where it cannot matter: for a remote-only person (the
    region is read only to meet in person), and for everyone when the programme turns the
    in-person same-region rule off (``[scoring] in_person_same_region = false``). Such a
    region is *unknown*: a code of its own, never the same region as anyone's, so no
    face-to-face meeting is assumed. Elsewhere a blank region is a problem, as before."""
    scoring = getattr(spec, "scoring", None)  # a Programme's, or a file's table as read
    if isinstance(scoring, Mapping):
        rule_off = scoring.get("in_person_same_region", True) is False
    else:
        rule_off = getattr(scoring, "in_person_same_region", True) is False
    out = _Regions(values)
    out.problems, out.rows = [], []
    for pos, value in enumerate(values):
        if value is not None:
            continue
        mode = modes[pos] if modes is not None else None
        if rule_off or mode == "remote":
            out[pos] = f"(unknown region: {side} row {int(sheet[pos])})"
            out.rows.append(int(sheet[pos]))
            continue
        out.problems.append(
            Problem(
                side,
                "a value is required here but the cell is empty (or a missing-value "
                "marker such as 'NA').",
                row=df.index[pos],
                column="region",
                id=ids[pos],
                hint="fill in 'region' for this row, or remove the row. A region may be "
                "blank for remote-only people (mode 'remote'), and for everyone when "
                "[scoring] in_person_same_region = false in the programme file.",
                sheet_row=int(sheet[pos]),
            )
        )
    return out


def _skip_blank_rows(
    raw: pd.DataFrame, side: str, notes: list[NoteGroup], header_row: int = 1
) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows with every cell empty or white space (a ``,,,,`` line, a sheet's stray empty
    row) are not people: dropped, with one note naming them; the other rows keep their
    spreadsheet row numbers (returned: from the row after ``header_row``, which is row 1
    unless a band of group labels sits above the headers)."""
    sheet = np.arange(len(raw), dtype=np.int64) + header_row + 1
    if len(raw) == 0 or raw.shape[1] == 0:
        return raw, sheet
    rows_left = np.arange(len(raw))  # rows blank so far; column by column, few remain
    for k in _cheapest_first(raw):
        column = raw.iloc[:, k]
        if column.dtype.kind in "biufcmM":  # numbers: only a missing one is blank
            keep = column.isna().to_numpy()[rows_left]
        else:
            cells = column.to_numpy(dtype=object)
            cells = cells if len(rows_left) == len(cells) else cells[rows_left]
            # ``not v or v.isspace()`` is ``not v.strip()`` without making a stripped copy
            blank = [
                v is None or v != v or (isinstance(v, str) and (not v or v.isspace()))
                for v in cells
            ]
            keep = np.asarray(blank, dtype=bool)
        rows_left = rows_left[keep]
        if len(rows_left) == 0:
            return raw, sheet
    gone = np.zeros(len(raw), dtype=bool)
    gone[rows_left] = True
    if not gone.any():
        return raw, sheet
    rows = sheet[gone].tolist()
    shown = ", ".join(map(str, rows[:10])) + (
        f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    )
    notes.append(
        NoteGroup(
            side,
            "(blank rows)",
            (f"spreadsheet row{'s' if len(rows) != 1 else ''} {shown}",),
            ("skipped: every cell empty",),
            ("skipped",),
            (100.0,),
            (len(rows),),
        )
    )
    return raw.loc[~gone], sheet[~gone]


def _cheapest_first(raw: pd.DataFrame) -> list[int]:
    """Column positions, those cheapest to read whole first: numbers, then text columns
    by how few distinct objects their first rows hold (``in-person`` repeated is one
    object in memory; unique ids are as many objects as rows, spread out)."""

    def cost(k: int) -> tuple[int, int]:
        column = raw.iloc[:, k]
        if column.dtype.kind in "biufcmM":
            return (0, 0)
        head = column.to_numpy(dtype=object)[:256]
        return (1, len(set(map(id, head))))

    return sorted(range(raw.shape[1]), key=cost)


def _spellings(recognised: schema.Notes) -> schema.Notes:
    """Organisation/region notes: aliases, and spellings read as a more used one."""
    found, mapped, how, score, rows = recognised
    out: schema.Notes = ([], [], [], [], [])
    by_key: dict[str, list[tuple[object, int]]] = {}
    for k, h in enumerate(how):
        if h == "alias":
            _add(out, found[k], mapped[k], h, score[k], rows[k])
        else:
            by_key.setdefault(mapped[k], []).append((found[k], rows[k]))  # mapped: the key
    for group in by_key.values():
        if len(group) < 2:
            continue
        main = max(group, key=lambda t: (t[1], str(t[0])))[0]
        for raw, n in group:
            if not schema.same_but_case(raw, main):  # case alone is not worth a note
                _add(out, raw, str(main), "normalised", 100.0, n)
    return out


def _add(notes: schema.Notes, *values: Any) -> None:
    parts: tuple[list[Any], ...] = notes
    for part, value in zip(parts, values, strict=True):
        part.append(value)


def _read_ids(
    df: pd.DataFrame, side: str, problems: list[Problem], sheet: np.ndarray
) -> tuple[list[Any], list[Any]]:
    """The ``id`` column with surrounding white space removed from text ids (in place:
    everywhere after, ids are compared in this form, see :func:`crossmatch._text.norm_id`),
    checked for empty and duplicate ids.

    Returns the ids as a list and, as a one-item list, their index (id -> position) when
    every id is text (what ``exclude`` lists are looked up in), else ``[None]``.
    """
    column = df["id"]
    if column.dtype.kind in "iu":
        kind = "integer"
        values = column.tolist()
    else:
        # what the ids are is read on the column as given (its cells lie in row order in
        # memory; stripped ids would not)
        original = column.to_numpy(dtype=object)
        kind = pd.api.types.infer_dtype(original, skipna=False)
        # one pass in C when every id is text (``norm_id`` of text is ``str.strip``, which
        # returns the same object when there is nothing to strip; pandas' ``.str.strip()``
        # costs several times more), else id by id
        strip = str.strip if kind == "string" else norm_id
        values = list(map(strip, original.tolist()))
        df["id"] = pd.Series(values, index=df.index, dtype=object)
    # the common case in one hash pass: every id text (or every id an integer), all
    # distinct, none a missing-value marker; anything else is looked at row by row
    index = dict(zip(values, range(len(values)), strict=True))
    if len(index) == len(values) and (
        (kind == "string" and not any(na in index for na in NA_STRINGS)) or kind == "integer"
    ):
        return values, [index if kind == "string" else None]
    _check_ids(df["id"], side, problems, sheet)
    return values, [None]


def _check_ids(ids: pd.Series, side: str, problems: list[Problem], sheet: np.ndarray) -> None:
    """Empty and duplicate ids (``ids`` already stripped), found vectorised."""
    found: list[Problem] = []
    values = ids.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        # the common case, all text: one hash pass says "all distinct", and then only
        # the missing-value markers remain to look for
        _, uniques = pd.factorize(values, use_na_sentinel=True)
        if len(uniques) == len(values) and not ids.isin(list(NA_STRINGS)).any():
            return
    missing = ids.isna().to_numpy() | ids.isin(list(NA_STRINGS)).to_numpy()
    text = pd.Series(values, dtype=object).where(~missing).astype(str)
    dup = text.duplicated(keep="first").to_numpy() & ~missing
    for pos in np.flatnonzero(missing).tolist():
        value = values[pos]
        found.append(
            Problem(
                side,
                "the id is empty (or a missing-value marker such as 'NA').",
                row=ids.index[pos],
                column="id",
                value=value if isinstance(value, str) and value.strip() else None,
                hint="every row needs a unique, non-empty id.",
                sheet_row=int(sheet[pos]),
            )
        )
    if dup.any():
        first: dict[str, int] = {}
        keys: list[str] = text.tolist()
        for pos, key in enumerate(keys):
            if not missing[pos] and key not in first:
                first[key] = pos
        for pos in np.flatnonzero(dup).tolist():
            found.append(
                Problem(
                    side,
                    f"duplicate id (first seen in row {sheet[first[keys[pos]]]}).",
                    row=ids.index[pos],
                    column="id",
                    value=values[pos],
                    hint="ids must be unique within a table.",
                    sheet_row=int(sheet[pos]),
                )
            )
    problems.extend(sorted(found, key=lambda p: p.sheet_row or 0))


def _match_goals(
    ee: dict[str, list[Any]], mr: dict[str, list[Any]], spec: IntakeSpec, notes: list[NoteGroup]
) -> None:
    """One goal vocabulary for both tables: phrases -> labels (in place), with notes."""
    cells: Counter[tuple[str, ...]] = Counter(ee["goals"])
    cells.update(mr["expertise"])
    phrases: Counter[str] = Counter()
    for cell, n in cells.items():
        for p in cell:
            phrases[p] += n
    matcher = GoalMatcher.build(phrases, spec.aliases.get("goals"))
    notes.extend(
        NoteGroup.of(
            [
                IntakeNote("both", "goals/expertise", p, r.value, r.how, r.score, phrases[p])
                for p, r in matcher.labels.items()
                if r.how != "exact"
            ]
        )
    )
    mapped = {cell: matcher(cell) for cell in cells}
    ee["goals"] = [mapped[c] for c in ee["goals"]]
    mr["expertise"] = [mapped[c] for c in mr["expertise"]]


def _uncovered_goals(
    goals: Sequence[str], mentee_ids: np.ndarray, goal_bits: np.ndarray, expertise: np.ndarray
) -> list[str]:
    """One line per mentee goal that no mentor's expertise covers (naming the mentees)."""
    covered = np.bitwise_or.reduce(expertise, axis=0)
    gap = goal_bits & ~covered
    if not gap.any():
        return []
    lines = []
    for k, goal in enumerate(goals):
        word, bit = divmod(k, 64)
        rows = np.flatnonzero((gap[:, word] >> np.uint64(bit)) & np.uint64(1))
        if len(rows) == 0:
            continue
        ids = [str(mentee_ids[i]) for i in rows[:5]]
        more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
        lines.append(
            f"goal {goal!r} of {len(rows)} mentee{'s' if len(rows) != 1 else ''} "
            f"({', '.join(ids)}{more}) is in no mentor's expertise: it adds nothing to their "
            "goal score (map it to a goal mentors offer with [aliases.goals], or recruit)."
        )
    return lines


def _exclusions(
    ee: pd.DataFrame,
    mr: pd.DataFrame,
    ee_parsed: dict[str, list[Any]],
    mr_parsed: dict[str, list[Any]],
    problems: list[Problem],
    sheets: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """Resolve both sides' ``exclude`` lists into (mentee, mentor) index pairs."""
    if "id" not in ee.columns or "id" not in mr.columns or len(ee) == 0 or len(mr) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    if not any(any(lists or ()) for lists in (ee_parsed.get("exclude"), mr_parsed.get("exclude"))):
        return np.zeros((0, 2), dtype=np.int64)  # nobody excludes anybody
    # ids already stripped; the index of text ids is made once, by _read_ids
    ee_index = ee_parsed["id"][0] or {str(v): i for i, v in enumerate(ee["id"].tolist())}
    mr_index = mr_parsed["id"][0] or {str(v): j for j, v in enumerate(mr["id"].tolist())}
    pairs: set[tuple[int, int]] = set()
    for side, df, lists, other, other_name, sheet in (
        ("mentees", ee, ee_parsed.get("exclude"), mr_index, "mentors", sheets[0]),
        ("mentors", mr, mr_parsed.get("exclude"), ee_index, "mentees", sheets[1]),
    ):
        if lists is None:
            continue
        for pos, (label, items) in enumerate(zip(df.index, lists, strict=True)):
            for item in items or ():
                other_pos = other.get(item)
                if other_pos is None:
                    problems.append(
                        Problem(
                            side,
                            f"`exclude` names {item!r}, which is not an id in the "
                            f"{other_name} table.",
                            row=label,
                            column="exclude",
                            value=item,
                            id=df["id"].iat[pos],
                            hint=f"list ids of {other_name} (compared as text), separated by ';'.",
                            sheet_row=int(sheet[pos]),
                        )
                    )
                    continue
                pairs.add((pos, other_pos) if side == "mentees" else (other_pos, pos))
    return np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)


# ---------------------------------------------------------------------------- encoding
def _codes(values: Sequence[str], vocabulary: Mapping[str, int]) -> np.ndarray:
    return np.fromiter((vocabulary[v] for v in values), dtype=np.int32, count=len(values))


def _bits(rows: Sequence[Sequence[int]], n_bits: int) -> np.ndarray:
    """Rows of bit indices -> (n, ceil(n_bits / 64)) uint64 bit sets (computed per distinct row)."""
    words = max(1, -(-n_bits // 64))
    distinct: dict[tuple[int, ...], int] = {}
    codes = np.fromiter(
        (distinct.setdefault(tuple(r), len(distinct)) for r in rows),
        dtype=np.int64,
        count=len(rows),
    )
    table = np.zeros((max(1, len(distinct)), words), dtype=np.uint64)
    for key, k in distinct.items():
        for b in key:
            table[k, b // 64] |= np.uint64(1) << np.uint64(b % 64)
    return table[codes]


def _encode(
    ee: pd.DataFrame,
    mr: pd.DataFrame,
    ep: dict[str, list[Any]],
    mp: dict[str, list[Any]],
    excluded: np.ndarray,
    taxonomy: Taxonomy,
    summary: IntakeSummary,
    programme: IntakeSpec | None,
) -> Cohort:
    goals = tuple(
        sorted({g for gs in ep["goals"] for g in gs} | {g for gs in mp["expertise"] for g in gs})
    )
    goal_index = {g: k for k, g in enumerate(goals)}
    regions = tuple(sorted(set(ep["region"]) | set(mp["region"])))
    orgs = tuple(sorted(set(ep["organisation"]) | set(mp["organisation"])))
    region_index = {r: k for k, r in enumerate(regions)}
    org_index = {o: k for k, o in enumerate(orgs)}

    def seniority(values: list[Any] | None, n: int) -> np.ndarray:
        if values is None:
            return np.full(n, np.nan)
        return np.array([np.nan if v is None else float(v) for v in values])

    def canonical(df: pd.DataFrame, p: dict[str, list[Any]]) -> pd.DataFrame:
        out = df.copy()
        names = np.asarray(taxonomy.names, dtype=object)
        out["sector"] = names[np.asarray(p["sector"], dtype=np.int64)]
        out["availability"] = [a for a, _ in p["availability"]]
        out["cadence"] = p["cadence"]
        out["mode"] = p["mode"]
        for col in ("goals", "expertise"):
            if col in p:
                out[col] = [";".join(v) for v in p[col]]
        if "capacity" in p:
            out["capacity"] = np.asarray(p["capacity"], dtype=np.int64)
        if "seniority" in p:
            out["seniority"] = pd.array(p["seniority"], dtype="Int64")
        return out

    n, m = len(ee), len(mr)
    mode_code = {v: k for k, v in enumerate(schema.MODES)}
    cad_code = {v: k for k, v in enumerate(schema.CADENCES)}
    learning = mp.get("learning") or [None] * m
    learn_rows = [
        sorted(
            {int(x) for node in (nodes or ()) for x in taxonomy.leaves_of(node)} | set(nodes or ())
        )
        for nodes in learning
    ]
    goal_rows = [[goal_index[g] for g in gs] for gs in ep["goals"]]
    a: dict[str, Any] = dict(
        mentees=canonical(ee, ep),
        mentors=canonical(mr, mp),
        mentee_ids=ee["id"].to_numpy(dtype=object, copy=True),
        mentor_ids=mr["id"].to_numpy(dtype=object, copy=True),
        taxonomy=taxonomy,
        goals=goals,
        regions=regions,
        organisations=orgs,
        mentee_sector=np.asarray(ep["sector"], dtype=np.int16),
        mentee_slots=np.asarray([s for _, s in ep["availability"]], dtype=np.uint32),
        mentee_cadence=np.asarray([cad_code[c] for c in ep["cadence"]], dtype=np.int8),
        mentee_mode=np.asarray([mode_code[c] for c in ep["mode"]], dtype=np.int8),
        mentee_region=_codes(ep["region"], region_index),
        mentee_org=_codes(ep["organisation"], org_index),
        mentee_seniority=seniority(ep.get("seniority"), n),
        mentee_goal_bits=_bits(goal_rows, len(goals)),
        mentee_primary_goal=np.asarray([r[0] for r in goal_rows], dtype=np.int32),
        mentee_n_goals=np.asarray([len(r) for r in goal_rows], dtype=np.int16),
        mentor_sector=np.asarray(mp["sector"], dtype=np.int16),
        mentor_slots=np.asarray([s for _, s in mp["availability"]], dtype=np.uint32),
        mentor_cadence=np.asarray([cad_code[c] for c in mp["cadence"]], dtype=np.int8),
        mentor_mode=np.asarray([mode_code[c] for c in mp["mode"]], dtype=np.int8),
        mentor_region=_codes(mp["region"], region_index),
        mentor_org=_codes(mp["organisation"], org_index),
        mentor_seniority=seniority(mp.get("seniority"), m),
        mentor_expertise_bits=_bits(
            [[goal_index[g] for g in gs] for gs in mp["expertise"]], len(goals)
        ),
        mentor_learning_bits=_bits(learn_rows, len(taxonomy)),
        capacity=np.asarray(mp["capacity"], dtype=np.int64),
        excluded_pairs=excluded,
        programme=programme,
    )
    warnings = _uncovered_goals(
        goals, a["mentee_ids"], a["mentee_goal_bits"], a["mentor_expertise_bits"]
    )
    for line in warnings:
        logger.warning(line)
    a["intake"] = summary.with_warnings(warnings)
    for value in a.values():
        if isinstance(value, np.ndarray):
            _readonly(value)
    return Cohort(**a)
