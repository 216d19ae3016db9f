"""Text normalisation shared by intake, the taxonomy and the hard rules (ground floor).

People write the same category many ways: ``Local Government``, ``local_government``,
``local-government``, ``Arm's Length Body``, ``Health & Social Care``. :func:`norm_key`
maps all of them to one key, so comparisons forgive what does not change the meaning:

- Unicode NFC normalisation (``Société`` typed with a combining accent is ``Société``);
- case folding (``ß`` == ``ss``, ``É`` == ``é``);
- spaces, hyphens, underscores, dots and apostrophes (straight and curly) treated alike,
  runs of them collapsed;
- ``&`` and the word ``and`` treated alike;
- leading and trailing separators dropped.

The key is for *comparing*; what is shown to people keeps their own spelling.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

__all__ = ["norm_id", "norm_id_columns", "norm_key", "plural", "shorten"]

_APOSTROPHES = str.maketrans({"'": "", "\u2019": "", "\u2018": "", "`": "", "\u00b4": ""})
_SEPARATORS = re.compile(r"[\s\-_.\u2010-\u2015]+")
_AND = re.compile(r"(?:^|-)(?:&|and)(?=-|$)")


def norm_key(value: object) -> str:
    """The comparison key of a category value.

    Examples
    --------
    >>> norm_key("Local Government") == norm_key("local_government") == "local-government"
    True
    >>> norm_key("Arm\u2019s Length Body")
    'arms-length-body'
    >>> norm_key("Health & Social Care") == norm_key("health and social care")
    True
    >>> nfd, nfc = "Socie\u0301te\u0301", "Soci\u00e9t\u00e9"
    >>> norm_key(nfd) == norm_key(nfc)
    True
    """
    text = unicodedata.normalize("NFC", str(value)).casefold().translate(_APOSTROPHES)
    text = text.replace("&", " & ")
    text = _SEPARATORS.sub("-", text).strip("-")
    text = _AND.sub(lambda m: ("-" if m.group(0).startswith("-") else "") + "and", text)
    return text


def shorten(value: object, limit: int = 60) -> str:
    """``repr`` of a value cut to about ``limit`` characters, for messages.

    A 1 MB cell must not produce a 1 MB message.

    >>> shorten("x" * 100, 10)
    "'xxxxxx... (100 characters)"
    """
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[: max(limit - 3, 1)]}... ({len(str(value)):,} characters)"


def norm_id(value: object) -> object:
    """An id as crossmatch compares it everywhere: text without surrounding white space.

    Ids are stripped when a table is read (``" m1 "`` in a CSV is ``"m1"``), and every
    id a user gives afterwards (``exclude`` lists, ``fixed=`` pairs, choices, ``rematch``
    mentees, history tables) goes through this function before it is looked up, so
    ``" m1 "`` is ``"m1"`` there too. Anything that is not text (an integer id) is
    returned as it is. The texts ``None``, ``NA`` and ``nan`` are *not* special here:
    they are ordinary text, which no id can be (a table's id cell holding one of them is
    an empty id, reported when the table is read), so looking one up names an unknown id.

    >>> norm_id("  m1\t"), norm_id(7), norm_id("NA")
    ('m1', 7, 'NA')
    """
    return value.strip() if isinstance(value, str) else value


def plural(n: int, word: str, many: str | None = None) -> str:
    """``"1 mentee"``, ``"3 mentees"``: a count with its noun in the right number.

    ``many`` is the plural when it is not ``word + "s"`` (``plural(2, "guess",
    "guesses")``).

    >>> plural(1, "mentee"), plural(0, "mentor"), plural(2, "guess", "guesses")
    ('1 mentee', '0 mentors', '2 guesses')
    """
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def norm_id_columns(frame: Any, columns: tuple[str, ...] = ("mentee_id", "mentor_id")) -> Any:
    """A copy of a table (DataFrame) with the ids of ``columns`` through :func:`norm_id`;
    the table itself when it has none of them. The caller's table is never changed."""
    present = [c for c in columns if c in frame.columns]
    if not present:
        return frame
    out = frame.copy()
    for c in present:
        out[c] = out[c].map(norm_id).astype(object)
    return out
