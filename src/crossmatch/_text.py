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

__all__ = ["norm_key", "shorten"]

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
