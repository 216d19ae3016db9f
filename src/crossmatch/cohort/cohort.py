"""`Cohort`: the two input tables, validated and encoded as arrays.

Ids live here and at the result edges only; everything downstream works on arrays
whose rows are mentees and whose columns are mentors.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, ValidationError
from . import schema
from .schema import MENTEES, MENTORS, Side
from .taxonomy import Taxonomy

__all__ = ["Cohort", "read_table"]

TableLike = pd.DataFrame | str | os.PathLike[str]

_CANONICAL_INT = re.compile(r"-?(0|[1-9]\d*)")


def read_table(source: object, *, side: str = "table") -> pd.DataFrame:
    """Read a CSV path or copy a DataFrame-like input, never touching the caller's object.

    From CSV every column is read as text (so ids like ``007`` keep their zeros); an id
    column made only of plain integers (``1``, ``42``) becomes integers.
    """
    if isinstance(source, pd.DataFrame):
        return source.copy()
    if isinstance(source, str | os.PathLike):
        try:
            df = pd.read_csv(source, dtype=str, keep_default_na=True)
        except FileNotFoundError:
            raise ValidationError(
                [Problem(side, f"file not found: {os.fspath(source)!r}.", hint="check the path.")]
            ) from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise ValidationError(
                [Problem(side, f"could not read {os.fspath(source)!r} as CSV: {exc}")]
            ) from None
        ids = df.get("id")
        if ids is not None and len(ids) and ids.notna().all():
            text = ids.astype(str).str.strip()
            if text.str.fullmatch(_CANONICAL_INT).all():
                df["id"] = text.astype(np.int64)
        return df
    try:
        return pd.DataFrame(source)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise TypeError(
            f"{side} must be a pandas DataFrame or a path to a CSV file. "
            f"Got {type(source).__name__} instead."
        ) from None


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
        The ids, as given, in row order.
    taxonomy : Taxonomy
        The sector taxonomy used to read the ``sector`` and ``learning`` columns.
    goals : tuple of str
        The goal vocabulary (union of mentee goals and mentor expertise), sorted;
        bit ``k`` of a goal bit set is ``goals[k]``.
    regions, organisations : tuple of str
        Vocabularies (case-folded) that the ``*_region`` / ``*_org`` codes index.
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

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_frames(
        cls,
        mentees: TableLike,
        mentors: TableLike,
        *,
        taxonomy: Taxonomy | None = None,
    ) -> Cohort:
        """Validate and encode the two tables.

        Parameters
        ----------
        mentees, mentors : DataFrame or path to a CSV file
            The input tables (see the README for the columns). List columns may hold
            ``;``-separated strings or Python lists. Extra columns pass through untouched,
            for custom scoring components.
        taxonomy : Taxonomy, optional
            Sector taxonomy; defaults to :meth:`Taxonomy.default`.

        Raises
        ------
        ValidationError
            Listing every problem found in either table, with side, row, column,
            value and a hint.
        """
        taxonomy = Taxonomy.default() if taxonomy is None else taxonomy
        ee_raw = read_table(mentees, side="mentees")
        or_raw = read_table(mentors, side="mentors")
        problems: list[Problem] = []
        ee, ee_parsed = _validate_side(ee_raw, MENTEES, taxonomy, problems)
        mr, mr_parsed = _validate_side(or_raw, MENTORS, taxonomy, problems)
        excluded = _exclusions(ee, mr, ee_parsed, mr_parsed, problems)
        if problems:
            raise ValidationError(problems, title="invalid cohort")
        return _encode(ee, mr, ee_parsed, mr_parsed, excluded, taxonomy)

    @classmethod
    def from_csv(
        cls,
        mentees: str | os.PathLike[str],
        mentors: str | os.PathLike[str],
        *,
        taxonomy: Taxonomy | None = None,
    ) -> Cohort:
        """Read two CSV files and build the cohort (see :meth:`from_frames`)."""
        return cls.from_frames(mentees, mentors, taxonomy=taxonomy)

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
def _normalise_headers(df: pd.DataFrame, side: Side, problems: list[Problem]) -> pd.DataFrame:
    """Forgive case and white space in known column names; report the rest."""
    names: list[Any] = []
    keep: list[bool] = []
    seen: dict[str, Any] = {}
    for col in df.columns:
        key = str(col).strip().lower()
        if key in side.known or key in side.other_only:
            if key in seen:
                problems.append(
                    Problem(
                        side.name,
                        f"two columns both read as {key!r}.",
                        column=str(col),
                        hint=f"keep one of {seen[key]!r} and {col!r}.",
                    )
                )
                keep.append(False)  # drop it here, so each schema column is one Series
                names.append(col)
                continue
            seen[key] = col
            col = key
        keep.append(True)
        names.append(col)
    out = df.copy(deep=False)
    out.columns = pd.Index(names, dtype=object)
    out = out.loc[:, np.array(keep, dtype=bool)]
    present = {str(c) for c in out.columns}
    missing = [c for c in side.required if c not in present]
    for c in missing:
        problems.append(
            Problem(
                side.name,
                f"required column {c!r} is missing.",
                column=c,
                hint=f"add a {c!r} column; {side.name} need: {', '.join(side.required)}.",
            )
        )
    for c in side.other_only:
        if c in present:
            problems.append(
                Problem(
                    side.name,
                    f"column {c!r} belongs to the "
                    f"{'mentors' if side.name == 'mentees' else 'mentees'} table.",
                    column=c,
                    hint="check that the two tables are not swapped, or drop the column.",
                )
            )
    absent = [c for c in side.known if c not in present]
    for col in out.columns:
        key = str(col).strip().lower()
        if key in side.known or key in side.other_only:
            continue
        close = difflib.get_close_matches(key, absent, n=1, cutoff=0.8)
        if close:
            problems.append(
                Problem(
                    side.name,
                    f"unknown column {col!r}.",
                    column=str(col),
                    hint=f"did you mean {close[0]!r}? (extra columns are allowed and passed "
                    "through, but this one looks like a misspelt schema column)",
                )
            )
    return out


def _validate_side(
    raw: pd.DataFrame, side: Side, taxonomy: Taxonomy, problems: list[Problem]
) -> tuple[pd.DataFrame, dict[str, list[Any]]]:
    df = _normalise_headers(raw, side, problems)
    parsed: dict[str, list[Any]] = {}
    if len(df) == 0:
        problems.append(
            Problem(
                side.name, "the table has no rows.", hint=f"give at least one of the {side.name}."
            )
        )
        return df, parsed
    ids = df["id"].tolist() if "id" in df.columns else [None] * len(df)
    if "id" in df.columns:
        _check_ids(df["id"], side.name, problems)

    def sector(value: object) -> schema.Parsed:
        i = taxonomy.index(value)
        if i is not None:
            return i, None
        close = taxonomy.suggest(value)
        hint = (
            "did you mean " + " or ".join(map(repr, close)) + "?"
            if close
            else f"use a sector of the {taxonomy.name!r} taxonomy, or pass your own Taxonomy."
        )
        return None, ("unknown sector.", hint)

    def sectors(value: object) -> schema.Parsed:
        out = []
        for item in schema.split_list(value):
            i, err = sector(item)
            if err is not None:
                return None, (f"unknown sector {item!r} in the list.", err[1])
            out.append(i)
        return tuple(out), None

    parsers: dict[str, tuple[Any, bool]] = {
        "organisation": (schema.parse_text, True),
        "sector": (sector, True),
        "availability": (schema.parse_slots, True),
        "cadence": (schema.parse_cadence, True),
        "mode": (schema.parse_mode, True),
        "region": (schema.parse_text, True),
        "goals": (schema.parse_labels, True),
        "expertise": (schema.parse_labels, True),
        "capacity": (schema.parse_capacity, True),
        "seniority": (schema.parse_seniority, False),
        "exclude": (schema.parse_ids, False),
        "learning": (sectors, False),
    }
    for col in side.known:
        if col == "id" or col not in df.columns:
            continue
        parser, required = parsers[col]
        values, found = schema.parse_column(
            df[col], parser, side=side.name, column=col, ids=ids, required=required
        )
        parsed[col] = values
        problems.extend(found)
    return df, parsed


def _check_ids(ids: pd.Series, side: str, problems: list[Problem]) -> None:
    text: list[str | None] = []
    for label, value in zip(ids.index, ids.tolist(), strict=True):
        if schema.is_missing(value):
            problems.append(
                Problem(
                    side,
                    "the id is empty.",
                    row=label,
                    column="id",
                    hint="every row needs a unique, non-empty id.",
                )
            )
            text.append(None)
        else:
            text.append(str(value).strip())
    first: dict[str, Any] = {}
    for label, key, value in zip(ids.index, text, ids.tolist(), strict=True):
        if key is None:
            continue
        if key in first:
            problems.append(
                Problem(
                    side,
                    f"duplicate id (first seen in row {first[key]}).",
                    row=label,
                    column="id",
                    value=value,
                    hint="ids must be unique within a table.",
                )
            )
        else:
            first[key] = label


def _exclusions(
    ee: pd.DataFrame,
    mr: pd.DataFrame,
    ee_parsed: dict[str, list[Any]],
    mr_parsed: dict[str, list[Any]],
    problems: list[Problem],
) -> np.ndarray:
    """Resolve both sides' ``exclude`` lists into (mentee, mentor) index pairs."""
    if "id" not in ee.columns or "id" not in mr.columns or len(ee) == 0 or len(mr) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    ee_index = {str(v).strip(): i for i, v in enumerate(ee["id"].tolist())}
    mr_index = {str(v).strip(): j for j, v in enumerate(mr["id"].tolist())}
    pairs: set[tuple[int, int]] = set()
    for side, df, lists, other, other_name in (
        ("mentees", ee, ee_parsed.get("exclude"), mr_index, "mentors"),
        ("mentors", mr, mr_parsed.get("exclude"), ee_index, "mentees"),
    ):
        if lists is None:
            continue
        ids = df["id"].tolist()
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
                            id=ids[pos],
                            hint=f"list ids of {other_name} (compared as text), separated by ';'.",
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
    a = dict(
        mentees=canonical(ee, ep),
        mentors=canonical(mr, mp),
        mentee_ids=np.asarray(ee["id"].tolist(), dtype=object),
        mentor_ids=np.asarray(mr["id"].tolist(), dtype=object),
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
    )
    for value in a.values():
        if isinstance(value, np.ndarray):
            _readonly(value)
    return Cohort(**a)  # type: ignore[arg-type]
