"""Safe CSV: the one writer behind every CSV crossmatch writes (ground floor).

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some,
tab or carriage return) as a formula, so an id or organisation of
``=HYPERLINK("http://evil", "click")`` becomes a live link or worse when a coordinator
opens the file (CSV injection). Following OWASP's advice, :func:`write_csv` prefixes such
text cells with a single quote ``'``; numbers are never touched (``-0.5`` in a numeric
column stays a number). A text cell that itself starts with ``'`` gets one too, so that
:func:`unguard` (used by every reader crossmatch provides) gives back exactly the values
that were written. ``safe=False`` writes values as they are, for machine-to-machine use.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["FORMULA_START", "guard", "guard_frame", "read_csv", "unguard", "write_csv"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


def guard(value: Any) -> Any:
    """One cell made safe: text starting with a formula character (or a quote) gets a
    leading ``'``; anything that is not text is returned as it is."""
    if isinstance(value, str) and value.startswith((*FORMULA_START, _QUOTE)):
        return _QUOTE + value
    return value


def unguard(value: Any) -> Any:
    """Undo :func:`guard`: drop the ``'`` in front of a formula character or a quote.
    Text that did not come from :func:`guard` (``'hello``) is left alone."""
    if (
        isinstance(value, str)
        and value.startswith(_QUOTE)
        and value[1:].startswith((*FORMULA_START, _QUOTE))
    ):
        return value[1:]
    return value


def _text_columns(frame: pd.DataFrame) -> Iterable[Any]:
    for name, dtype in frame.dtypes.items():
        if dtype.kind == "O" or isinstance(dtype, pd.StringDtype | pd.CategoricalDtype):
            yield name


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and column name) passed through
    :func:`guard`; numeric and boolean columns are untouched."""
    out = frame.copy()
    for name in _text_columns(frame):
        col = frame[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype(object)
        out[name] = col.map(guard, na_action="ignore")
    out.columns = [guard(c) for c in frame.columns]
    return out


def write_csv(
    frame: pd.DataFrame,
    path: str | os.PathLike[str] | None = None,
    *,
    safe: bool = True,
    float_format: str | None = None,
) -> str | None:
    """Write ``frame`` (without its index) as UTF-8 CSV with CRLF line ends (RFC 4180, so
    a carriage return inside a cell is quoted), formula-safe unless ``safe=False``.

    Returns the CSV text when ``path`` is None (as :meth:`pandas.DataFrame.to_csv`)."""
    data = guard_frame(frame) if safe else frame
    if path is None:
        return data.to_csv(index=False, float_format=float_format, lineterminator="\r\n")
    data.to_csv(Path(path), index=False, float_format=float_format, lineterminator="\r\n")
    return None


def read_csv(source: Any, **kwargs: Any) -> pd.DataFrame:
    """Read a CSV (a path, an open file or CSV text in a ``StringIO``) that crossmatch may
    have written, undoing the formula guard on text cells and column names. Empty
    cells stay missing; ``kwargs`` go to :func:`pandas.read_csv`."""
    if isinstance(source, str) and "\n" in source:
        source = io.StringIO(source)
    frame = pd.read_csv(source, **kwargs)
    frame.columns = [unguard(c) for c in frame.columns]
    for name in _text_columns(frame):
        frame[name] = frame[name].map(unguard, na_action="ignore")
    return frame
