"""Mentees' choices in the forms platforms and forms tools produce.

:func:`crossmatch.assign` takes choices as

- a **long** table (DataFrame or list of records): ``mentee_id, mentor_id, preference``
  (1 = first choice; without ``preference``, each mentee's rows in order);
- a **wide** table, as a forms tool exports it: ``mentee_id, choice_1, choice_2, ...``
  (also ``Choice 1``, ``1st choice``, ``preference 2``, ...; empty cells are skipped,
  other columns such as a timestamp are ignored);
- a mapping ``{mentee_id: [first, second, ...]}``.

:func:`read_choices` reads either table from a CSV file (undoing the formula guard of
crossmatch's own CSVs, so a choices file made from a shortlists CSV gives back the ids
as written) and returns the long form. Ids read from text are matched to the
shortlists' ids when assigning (``"42"`` names mentor ``42`` when the ids are integers).
Headers are matched loosely (``Mentee ID``, ``mentee``, ``Rank`` ...; see :data:`ALIASES`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._csv import read_csv, unguard
from ._text import norm_id, norm_key
from ._validation import Instance, describe_value, validate_params
from .errors import ParameterError, Problem, ValidationError

__all__ = ["as_choices", "as_mentor_choices", "match_ids", "read_choices"]

LONG = ("mentee_id", "mentor_id", "preference")
_CHOICE = re.compile(
    r"^(?:(?:choice|pick|preference|option|rank|mentor)[\s_#.-]*(\d+)"
    r"|(\d+)(?:st|nd|rd|th)?[\s_.-]*(?:choice|pick|preference|option|mentor))$",
    re.IGNORECASE,
)


#: Header spellings taken for the long form's columns (compared by ``norm_key``).
ALIASES = {
    "mentee_id": ("mentee-id", "mentee", "mentee-ref", "your-id"),
    "mentor_id": ("mentor-id", "mentor", "mentor-ref"),
    "preference": ("preference", "rank", "choice", "order"),
}


def _canonical_headers(frame: pd.DataFrame) -> pd.DataFrame:
    """``Mentee ID`` -> ``mentee_id`` and the like, where the canonical name is missing."""
    names: dict[Any, str] = {}
    for canonical, spellings in ALIASES.items():
        if canonical in frame.columns:
            continue
        hits = [c for c in frame.columns if norm_key(c) in spellings]
        if len(hits) == 1:
            names[hits[0]] = canonical
    return frame.rename(columns=names) if names else frame


def _choice_number(column: Any) -> int | None:
    m = _CHOICE.match(str(column).strip())
    if m is None:
        return None
    return int(m.group(1) or m.group(2))


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v == ""


def _number(v: Any) -> Any:
    """Whole-number text as int (``"2"`` -> 2); anything else as it is, for validation."""
    if isinstance(v, str) and v.strip().lstrip("+").isdigit():
        return int(v.strip())
    return v


def _from_wide(frame: pd.DataFrame, columns: dict[Any, int]) -> pd.DataFrame:
    rows = []
    for _, rec in frame.iterrows():
        for col, number in sorted(columns.items(), key=lambda kv: kv[1]):
            v = rec[col]
            if not _missing(v):
                rows.append((rec["mentee_id"], v, number))
    return pd.DataFrame(rows, columns=list(LONG))


def _from_long(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if "preference" not in out.columns and {"mentee_id", "mentor_id"} <= set(out.columns):
        out["preference"] = out.groupby("mentee_id", sort=False).cumcount() + 1
    return out


def _frame(choices: Any) -> pd.DataFrame:
    """Any accepted form as a long table (ids and preferences not yet checked)."""
    if isinstance(choices, Mapping):
        rows = [
            (mentee, mentor, rank)
            for mentee, picks in choices.items()
            for rank, mentor in enumerate(
                [picks] if isinstance(picks, str | int) else list(picks), start=1
            )
        ]
        return pd.DataFrame(rows, columns=list(LONG))
    if isinstance(choices, pd.DataFrame):
        frame = choices
    elif isinstance(choices, Sequence) and not isinstance(choices, str | bytes):
        bad = next((r for r in choices if not isinstance(r, Mapping)), None)
        if bad is not None:
            raise ParameterError(
                "assign",
                ["`choices` as a list must hold records (dicts), e.g. {'mentee_id': 'a', "
                 f"'mentor_id': 'x', 'preference': 1}}. Got {describe_value(bad)} instead."],
            )  # fmt: skip
        frame = pd.DataFrame.from_records(list(choices))
    else:
        raise ParameterError(
            "assign",
            ["`choices` must be a DataFrame, a list of records, a mapping of mentee id to "
             "ranked mentor ids, or None (crossmatch.read_choices reads a CSV file). "
             f"Got {describe_value(choices)} instead."],
        )  # fmt: skip
    frame = _canonical_headers(frame)
    wide = {c: n for c in frame.columns if (n := _choice_number(c)) is not None}
    if wide and "mentor_id" not in frame.columns:
        if "mentee_id" not in frame.columns:
            raise ValidationError(
                [Problem("choices", "required column 'mentee_id' is missing.",
                         column="mentee_id", hint="name the column of mentee ids 'mentee_id'.")],
                title="invalid choices",
            )  # fmt: skip
        return _from_wide(frame, wide)
    return _from_long(frame)


def match_ids(values: pd.Series, ids: np.ndarray) -> pd.Series:
    """Text ids that are not ids but spell exactly one become that id: ``" m1 "`` is
    ``"m1"`` (surrounding white space never counts, see :func:`crossmatch._text.norm_id`)
    and ``"42"`` is 42 when the ids are integers."""
    known = set(ids.tolist())
    spelled: dict[str, Any] = {}
    clash: set[str] = set()
    for v in ids.tolist():
        key = str(v)
        if key in spelled:
            clash.add(key)
        spelled[key] = v
    for key in clash:
        del spelled[key]

    def fix(v: Any) -> Any:
        if isinstance(v, str) and v not in known:
            v = norm_id(v)  # ' m1 ' is 'm1', as at intake
            return v if v in known else spelled.get(v, v)
        return v

    return values.map(fix).astype(object)


def as_choices(choices: Any, mentee_ids: np.ndarray, mentor_ids: np.ndarray) -> pd.DataFrame | None:
    """Choices in any accepted form as the long table ``assign`` validates, with text ids
    matched to ``mentee_ids`` / ``mentor_ids``. None stays None."""
    if choices is None:
        return None
    frame = _frame(choices)
    out = frame.copy()
    if "mentee_id" in out.columns:
        out["mentee_id"] = match_ids(out["mentee_id"], np.asarray(mentee_ids, dtype=object))
    if "mentor_id" in out.columns:
        out["mentor_id"] = match_ids(out["mentor_id"], np.asarray(mentor_ids, dtype=object))
    if "preference" in out.columns:
        out["preference"] = out["preference"].map(_number).astype(object)
    return out


def as_mentor_choices(mentor_choices: pd.DataFrame, shortlists: Any) -> pd.DataFrame:
    """``assign``'s ``mentor_choices`` with their ids matched to the shortlists' ids as
    the mentees' choices are (:func:`match_ids`: ``" m1 "`` is ``"m1"``); a copy."""
    if not isinstance(mentor_choices, pd.DataFrame):
        return mentor_choices  # assign's own checks say what is wrong
    out = mentor_choices.copy()
    for column, ids in (("mentee_id", shortlists.mentee_ids), ("mentor_id", shortlists.mentor_ids)):
        if column in out.columns:
            out[column] = match_ids(out[column], np.asarray(ids, dtype=object))
    return out


@validate_params(
    {
        "source": [
            Instance(
                (str, os.PathLike, pd.DataFrame, list, tuple, Mapping),
                "a CSV path, a DataFrame, a list of records or a mapping",
            )
        ]
    }
)
def read_choices(source: str | os.PathLike[str] | pd.DataFrame | Any) -> pd.DataFrame:
    """Read mentees' choices, long or wide, into the long table ``assign`` takes.

    Parameters
    ----------
    source : path, DataFrame, list of records or mapping
        A CSV file (UTF-8) or a table, either long (``mentee_id, mentor_id,
        preference``; ``preference`` optional) or wide (``mentee_id, choice_1,
        choice_2, ...`` as forms tools export). Text cells lose the ``'`` crossmatch's
        CSV writer puts before formula characters, so values come back as written.

    Returns
    -------
    DataFrame
        Columns ``mentee_id``, ``mentor_id``, ``preference``; ids as text when read from
        a file (``assign`` matches them to the shortlists' ids).

    Examples
    --------
    >>> import pandas as pd
    >>> wide = pd.DataFrame({"mentee_id": ["a", "b"], "choice_1": ["x", "y"],
    ...                      "choice_2": ["y", None]})
    >>> read_choices(wide)
      mentee_id mentor_id  preference
    0         a         x           1
    1         a         y           2
    2         b         y           1
    """
    if isinstance(source, str | os.PathLike) and not isinstance(source, pd.DataFrame):
        path = Path(source)
        if path.is_dir():
            raise IsADirectoryError(f"expected a choices CSV file, got a directory: {path}")
        if not path.exists():
            raise FileNotFoundError(f"choices file not found: {path}")
        frame = read_csv(path, dtype=str, keep_default_na=False)
    else:
        frame = source.copy() if isinstance(source, pd.DataFrame) else source
        if isinstance(frame, pd.DataFrame):
            frame.columns = [unguard(c) for c in frame.columns]
    long = _frame(frame)
    missing = [c for c in LONG if c not in long.columns]
    if missing:
        raise ValidationError(
            [Problem("choices", f"required column {c!r} is missing.", column=c,
                     hint="use mentee_id, mentor_id, preference (long) or mentee_id, "
                     "choice_1, choice_2, ... (wide).") for c in missing],
            title="invalid choices",
        )  # fmt: skip
    long = long[list(LONG)].copy()
    keep = ~(long["mentor_id"].map(_missing) & long["mentee_id"].map(_missing))
    long = long[keep].reset_index(drop=True)
    long["preference"] = long["preference"].map(_number)
    if all(isinstance(v, int) for v in long["preference"].tolist()):
        long["preference"] = long["preference"].astype(np.int64)
    return long
