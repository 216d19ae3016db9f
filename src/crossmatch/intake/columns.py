"""Column mapping: the programme's headers -> the schema's columns, and guesses for the rest.

A header is read as a schema column when (in this order) the programme maps it
(``columns=`` or ``[columns.*]``; compared exactly, then by :func:`norm_key`), it *is* the
column's name (case and surrounding white space forgiven: ``exact``), or it has the same
:func:`norm_key` (``Availability `` , ``ID``: ``normalised``). Nothing else is renamed
silently: headers in people's words (``Mentee ID``, ``How often?``) need a mapping, which
``crossmatch init`` drafts from :func:`guess_columns`, and a missing column's error message
names the closest headers present.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import get_close_matches

from rapidfuzz import fuzz

from .._text import norm_key, shorten
from ..errors import Problem

__all__ = ["HEADER_PHRASES", "ColumnMatch", "guess_columns", "map_headers"]

#: What people call each schema column in forms and spreadsheets (for guesses only).
HEADER_PHRASES: dict[str, tuple[str, ...]] = {
    "id": (
        "id",
        "mentee id",
        "mentor id",
        "participant id",
        "reference",
        "ref",
        "ref no",
        "staff number",
        "employee number",
        "participant number",
        "unique id",
    ),
    "organisation": (
        "organisation",
        "organization",
        "org",
        "employer",
        "company",
        "department",
        "agency",
        "organisation name",
        "where do you work",
        "workplace",
        "employer name",
    ),
    "sector": (
        "sector",
        "industry",
        "which sector do you work in",
        "sector you work in",
        "field",
        "type of organisation",
    ),
    "availability": (
        "availability",
        "when are you available",
        "when can you meet",
        "available times",
        "preferred times",
        "days and times",
        "time slots",
        "when can you meet?",
        "best times",
    ),
    "cadence": (
        "cadence",
        "how often",
        "frequency",
        "meeting frequency",
        "how often would you like to meet",
        "how frequently",
    ),
    "mode": (
        "mode",
        "meeting mode",
        "format",
        "meeting format",
        "in person or online",
        "online or in person",
        "how would you like to meet",
        "preferred format",
        "face to face or virtual",
    ),
    "region": (
        "region",
        "location",
        "where are you based",
        "based in",
        "city",
        "office",
        "office location",
        "area",
        "base",
    ),
    "seniority": ("seniority", "grade", "level", "band", "job level", "pay band", "grade level"),
    "exclude": (
        "exclude",
        "do not match with",
        "avoid",
        "conflicts",
        "not with",
        "conflict of interest",
        "do not pair",
    ),
    "goals": (
        "goals",
        "development goals",
        "what do you want help with",
        "objectives",
        "areas for development",
        "what would you like to work on",
        "looking for help with",
        "aims",
        "what do you want to get out of mentoring",
        "development areas",
    ),
    "expertise": (
        "expertise",
        "can help with",
        "skills",
        "areas of expertise",
        "what can you offer",
        "strengths",
        "topics",
        "i can help with",
        "experience in",
    ),
    "capacity": (
        "capacity",
        "max mentees",
        "number of mentees",
        "how many mentees",
        "maximum mentees",
        "mentees wanted",
        "max number of mentees",
    ),
    "learning": (
        "learning",
        "sectors to learn from",
        "want to learn about",
        "sectors of interest",
        "learn from sectors",
    ),
}


@dataclass(frozen=True, slots=True)
class ColumnMatch:
    """One header read as a schema column, and how."""

    header: str
    column: str
    how: str  # mapping, exact, normalised, header, guess
    score: float = 100.0


def _header_score(header: str, column: str) -> float:
    text = norm_key(header).replace("-", " ")
    if not text:
        return 0.0
    best = 0.0
    for phrase in HEADER_PHRASES.get(column, (column,)):
        p = phrase.replace("-", " ")
        s = fuzz.token_set_ratio(text, p) if len(p) > 3 else (100.0 if p in text.split() else 0)
        # a long header that merely contains a short phrase is a weaker sign
        if s == 100 and len(text) > 2 * len(p) + 12:
            s = 85.0
        best = max(best, float(s))
    return best


def guess_columns(
    headers: Sequence[str], columns: Sequence[str], *, cutoff: float = 70.0
) -> dict[str, ColumnMatch]:
    """Best guess of a header for each schema column (each header used at most once).

    Returns ``{column: ColumnMatch}`` for the columns with a header scoring at least
    ``cutoff`` (0-100, rapidfuzz ``token_set_ratio`` against :data:`HEADER_PHRASES`).
    A header that *is* the column name (after :func:`norm_key`) is ``normalised``; one
    that is, after :func:`norm_key`, one of the column's :data:`HEADER_PHRASES`
    (``Mentee ID``, ``Max mentees``) is ``header`` (a common header for it, not a guess);
    any other is a ``guess`` with its score.
    """
    scored = []
    for h in headers:
        for c in columns:
            if norm_key(h) == norm_key(c):
                s = 102.0
            elif norm_key(h) in {norm_key(p) for p in HEADER_PHRASES.get(c, ())}:
                s = 101.0
            else:
                s = _header_score(h, c)
            if s >= cutoff:
                scored.append((s, str(h), c))
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    out: dict[str, ColumnMatch] = {}
    used: set[str] = set()
    for s, h, c in scored:
        if c in out or h in used:
            continue
        used.add(h)
        how = "normalised" if s > 101 else "header" if s > 100 else "guess"
        out[c] = ColumnMatch(h, c, how, min(s, 100.0))
    return out


def _mapping_target(
    header: str,
    target: str,
    ours: Mapping[str, str],
    side: str,
    misspelt: set[str],
    problems: list[Problem],
) -> str:
    """The column a mapping's target means: a schema column written another way
    (``Capacity``) is that column; a target close to one (``capcity``) is reported, since
    it would silently become an extra column and leave the schema column missing; any
    other target is an extra, pass-through column of the user's choosing."""
    key = norm_key(target)
    if key in ours:
        return ours[key]
    close = get_close_matches(key, list(ours), n=1, cutoff=0.8)
    if close:
        misspelt.add(ours[close[0]])
        problems.append(
            Problem(
                side,
                f"the column mapping maps {shorten(header)} to {shorten(target)}, which is "
                "not a column crossmatch knows.",
                column=f"columns.{side}.{header}",
                value=target,
                hint=f"did you mean {ours[close[0]]!r}? (a target that is not a schema column "
                "is kept as an extra, pass-through column; this one looks misspelt)",
            )
        )
    return target


def map_headers(
    headers: Sequence[object],
    *,
    side: str,
    known: Sequence[str],
    required: Sequence[str],
    other_only: Sequence[str],
    other_side: str,
    mapping: Mapping[str, str],
    problems: list[Problem],
) -> tuple[list[object], list[bool], list[ColumnMatch]]:
    """New names for ``headers``, which to keep, and how each schema column was found.

    Reports (into ``problems``): two headers
    read as one column, required columns missing (with the closest headers present and a
    pointer to ``columns=``/the programme file), columns of the other table, and headers
    that look like a misspelt schema column.
    """
    norm_map = {norm_key(k): v for k, v in mapping.items()}
    names: list[object] = []
    keep: list[bool] = []
    matches: list[ColumnMatch] = []
    seen: dict[str, object] = {}
    used_keys: set[str] = set()
    ours = {norm_key(c): c for c in (*known, *other_only)}
    misspelt: set[str] = set()  # schema columns a mapping target seems to mean
    for col in headers:
        text = str(col)
        key = text.strip().lower()
        target: str | None = None
        how = ""
        if text in mapping or norm_key(text) in norm_map:
            target = mapping.get(text, norm_map.get(norm_key(text)))
            used_keys.add(norm_key(text))
            how = "mapping"
            if target is not None and target not in ours.values():
                target = _mapping_target(text, str(target), ours, side, misspelt, problems)
        elif key in known or key in other_only:
            target, how = key, "exact"
        elif norm_key(text) in {norm_key(c): c for c in (*known, *other_only)}:
            target = {norm_key(c): c for c in (*known, *other_only)}[norm_key(text)]
            how = "normalised"
        if target is None:
            names.append(col)
            keep.append(True)
            continue
        if target in seen:
            problems.append(
                Problem(
                    side,
                    f"two columns both read as {target!r}.",
                    column=text,
                    hint=f"keep one of {shorten(seen[target])} and {shorten(text)}, or map "
                    "one of them to another name with `columns=` / the programme file.",
                )
            )
            names.append(col)
            keep.append(False)  # drop it here, so each schema column is one Series
            continue
        seen[target] = col
        names.append(target)
        keep.append(True)
        if how != "exact":  # the column's own name (any case) is not worth a note
            matches.append(ColumnMatch(text, target, how))
    present = {str(n) for n, k in zip(names, keep, strict=True) if k}
    free = [str(h) for h, n in zip(headers, names, strict=True) if str(n) == str(h)]
    free = [h for h in free if h not in known]
    missing = [c for c in required if c not in present and c not in misspelt]
    guesses = guess_columns(free, missing, cutoff=60.0) if missing else {}
    for c in missing:
        hint = f"{side} need: {', '.join(required)}."
        g = guesses.get(c)
        if g is not None:
            hint = (
                f"is it {g.header!r}? Map it with `columns={{{g.header!r}: {c!r}}}` or "
                f"`[columns.{side}]` in the programme file (`crossmatch init` drafts one). " + hint
            )
        else:
            hint = (
                f"add a {c!r} column, or map your header to it with `columns=` or "
                f"`[columns.{side}]` in the programme file. " + hint
            )
        problems.append(Problem(side, f"required column {c!r} is missing.", column=c, hint=hint))
    for c in other_only:
        if c in present:
            problems.append(
                Problem(
                    side,
                    f"column {c!r} belongs to the {other_side} table.",
                    column=c,
                    hint="check that the two tables are not swapped, or drop the column.",
                )
            )
    absent = [c for c in known if c not in present]
    for h in free:
        if norm_key(h) in used_keys:
            continue
        close = get_close_matches(h.strip().lower(), absent, n=1, cutoff=0.8)
        if close:
            problems.append(
                Problem(
                    side,
                    f"unknown column {h!r}.",
                    column=h,
                    hint=f"did you mean {close[0]!r}? (extra columns are allowed and passed "
                    "through, but this one looks like a misspelt schema column)",
                )
            )
    return names, keep, matches
