"""Reading a programme office's table: CSV in any common encoding and delimiter, or .xlsx.

- Encodings: UTF-8 with or without a byte-order mark; otherwise Windows-1252 (what
  Excel's "CSV (Comma delimited)" writes, with curly apostrophes as byte 0x92). Anything
  else needs ``encoding=``.
- Delimiters: ``,``, ``;`` (European Excel) or tab, sniffed from the first lines.
- ``.xlsx``/``.xlsm``: the first sheet, read with pandas and openpyxl (the ``excel`` extra).
- Every cell is read as text (ids such as ``007`` keep their zeros); an id column made only
  of plain integers becomes integers. The cell texts of :data:`~crossmatch.intake.vocab.NA_STRINGS`
  (``NA``, ``nan``, ``None``, ``#N/A``, ...) are missing values, as pandas reads them; a
  DataFrame's cells holding those strings are treated the same way by validation.
- Duplicate headers are an error naming the header (never a silent ``capacity.1``).
- Empty rows at the end of a file (a sheet's formatted but empty rows, ``,,,`` lines) are
  dropped; empty rows in between are kept, so row numbers stay those of the file.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from .._csv import unguard
from .._text import shorten
from ..errors import Problem, ValidationError

__all__ = ["TableSource", "ids_as_ints", "read_table"]

_CANONICAL_INT = re.compile(r"-?(0|[1-9]\d*)")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")
_EXCEL = (".xlsx", ".xlsm")
#: Spreadsheet formats pandas cannot read without engines crossmatch does not ship.
_UNSUPPORTED = {
    ".xls": "Excel 97-2003 workbooks (.xls)",
    ".xlsb": "Excel binary workbooks (.xlsb)",
    ".ods": "OpenDocument spreadsheets (.ods)",
    ".numbers": "Numbers spreadsheets (.numbers)",
}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the start of every .xls file
_ZIP = b"PK\x03\x04"  # the start of every .xlsx file
#: How to give an encoding, in each of the three ways crossmatch is driven.
ENCODING_HINT = (
    "give the file's encoding: `encoding='latin-1'` (Python), `--encoding latin-1` (command "
    'line) or `[input] encoding = "latin-1"` (programme file); or save it from Excel as '
    "'CSV UTF-8'."
)
_DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


@dataclass(frozen=True, slots=True)
class TableSource:
    """Where a table came from and how it was read (shown in the intake summary)."""

    path: str | None  # None for a DataFrame
    encoding: str | None = None
    delimiter: str | None = None
    #: The spreadsheet row of the headers (2 when a band of group labels sits above them).
    header_row: int = 1
    #: The group labels of a skipped band above the headers (``Your details``, ...).
    band: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.path is None:
            return "a DataFrame"
        if self.delimiter is None:
            text = f"{self.path} (Excel workbook, first sheet"
        else:
            name = _DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))
            text = f"{self.path} ({self.encoding}, {name}-separated"
        if self.header_row > 1:
            labels = ", ".join(map(repr, self.band[:4])) + (" ..." if len(self.band) > 4 else "")
            text += (
                f"; headers on row {self.header_row}: row 1 above them holds group labels "
                f"({labels}) and is skipped"
            )
        return text + ")"


def _fail(side: str, message: str, hint: str | None = None) -> ValidationError:
    return ValidationError([Problem(side, message, hint=hint)], title=f"could not read {side}")


def _sniff(text: str) -> str:
    """The delimiter (``,``, ``;`` or tab) that splits the first lines most consistently."""
    lines = text.splitlines()[:20]
    best, best_score = ",", (-1, -1)
    for d in _DELIMITERS:
        try:
            rows = [r for r in csv.reader(lines, delimiter=d) if r]
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        same = sum(len(r) == width for r in rows)
        score = (same if width > 1 else 0, width)
        if score > best_score:
            best, best_score = d, score
    return best


def _check_headers(headers: list[Any], side: str, where: str) -> list[str]:
    names: list[str] = []
    problems: list[Problem] = []
    for k, h in enumerate(headers):
        if h is None or (isinstance(h, float) and np.isnan(h)) or not str(h).strip():
            names.append(f"unnamed: {k}")
            continue
        names.append(str(h).strip() if isinstance(h, str) else str(h))
    seen: dict[str, int] = {}
    for k, name in enumerate(names):
        if name in seen:
            problems.append(
                Problem(
                    side,
                    f"the header {shorten(name)} appears twice in {where} (columns "
                    f"{seen[name] + 1} and {k + 1}).",
                    column=name,
                    hint="rename or delete one of the two columns; crossmatch never "
                    "guesses which one is meant.",
                )
            )
        else:
            seen[name] = k
    if problems:
        raise ValidationError(problems, title=f"invalid {side}")
    return names


def _first_guess(head: bytes, encoding: str | None) -> str:
    if encoding is not None:
        return encoding
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return "utf-8"


def _read_csv(path: str, side: str, encoding: str | None) -> tuple[pd.DataFrame, TableSource]:
    """pandas reads the file itself (no decoding in Python): UTF-8 first, then cp1252."""
    with open(path, "rb") as fh:
        data = fh.read()
    head = data[: 1 << 16]
    if not head.strip():
        raise _fail(side, f"{path!r} is empty.", "the first line must hold the headers.")
    first = _first_guess(head, encoding)
    # not UTF-8 is found by decoding the bytes (fast, in C) rather than by a pandas parse
    # that fails on the first non-UTF-8 byte, perhaps near the end of a long file
    if first != "utf-8" or encoding is not None or _utf8(data):
        try:
            return _unguarded(_parse_csv(path, data, first, side), data)
        except (UnicodeDecodeError, UnicodeError, LookupError) as exc:
            if encoding is not None:
                raise _fail(
                    side,
                    f"could not read {path!r} as {encoding!r}: {exc}.",
                    "check the encoding (`encoding=`, `--encoding` or [input] encoding); "
                    "common ones are 'utf-8', 'cp1252' and 'latin-1'.",
                ) from None
            if first != "utf-8":
                raise _fail(side, f"could not read {path!r} as {first}: {exc}.") from None
    try:  # not UTF-8: what Excel's "CSV (Comma delimited)" writes
        return _unguarded(_parse_csv(path, data, "cp1252", side), data)
    except (UnicodeDecodeError, UnicodeError) as exc:
        raise _fail(
            side,
            f"could not read {path!r}: it is neither UTF-8 nor Windows-1252 ({exc}).",
            ENCODING_HINT,
        ) from None


def _utf8(data: bytes) -> bool:
    """True when the bytes are valid UTF-8 (plain ASCII, the common case, at once)."""
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


#: A cell crossmatch's safe CSV writer guarded: a ``'`` before a formula character or a
#: quote (see :mod:`crossmatch._csv`). Files without one (nearly all) skip the cell pass.
_GUARDED = re.compile(rb"'[=+\-@\t\r']")


def _unguarded(
    read: tuple[pd.DataFrame, TableSource], data: bytes
) -> tuple[pd.DataFrame, TableSource]:
    """Undo crossmatch's own CSV-injection guard, so a table crossmatch wrote (``'=x``
    for the id ``=x``) reads back as it was; headers too (the header row is row 0)."""
    raw, source = read
    if b"'" not in data or _GUARDED.search(data) is None:  # a byte search first: fast
        return raw, source
    return raw.apply(lambda col: col.map(unguard, na_action="ignore")), source


def _parse_csv(
    path: str, data: bytes, encoding: str, side: str
) -> tuple[pd.DataFrame, TableSource]:
    """pandas parses the bytes already read (from memory: faster than from the path)."""
    head = data[: 1 << 16]
    sample = head.decode(encoding, errors="strict" if len(data) < 1 << 16 else "ignore")
    delimiter = "\t" if path.lower().endswith(".tsv") else _sniff(sample)
    try:
        raw = pd.read_csv(
            io.BytesIO(data),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=True,
            skip_blank_lines=True,
            encoding=encoding,
            encoding_errors="strict",
        )
    except pd.errors.EmptyDataError:
        raise _fail(side, f"{path!r} is empty.", "the first line must hold the headers.") from None
    except pd.errors.ParserError as exc:
        raise _fail(side, f"could not read {path!r} as CSV: {exc}") from None
    return raw, TableSource(path, encoding, delimiter)


def ids_as_ints(df: pd.DataFrame) -> pd.DataFrame:
    """An ``id`` column read from a file and made only of plain integers becomes integers."""
    ids = df.get("id")
    if ids is None or not len(ids):
        return df
    values = ids.tolist()
    # one pass that stops at the first id that is not a plain integer (most tables)
    if all(isinstance(v, str) and _CANONICAL_INT.fullmatch(v.strip()) for v in values):
        df["id"] = np.array([int(v) for v in values], dtype=np.int64)
    return df


def _read_excel(path: str, side: str) -> pd.DataFrame:
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise _fail(
            side,
            f"reading {path!r} needs openpyxl, which is not installed.",
            "install the `excel` extra: pip install 'crossmatch[excel]' (or save the sheet "
            "as CSV).",
        ) from None
    try:
        raw = pd.read_excel(path, header=None, dtype=str, sheet_name=0)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise _fail(side, f"could not read {path!r} as an Excel workbook: {exc}") from None
    return raw


def _refuse_unsupported(path: str, side: str) -> None:
    """A clear error for spreadsheet formats that are not CSV or .xlsx (by name, or by
    content: an .xls or .xlsx file renamed to .csv), instead of encoding advice."""
    ext = os.path.splitext(path)[1].lower()
    with open(path, "rb") as fh:
        head = fh.read(8)
    if ext in _UNSUPPORTED or (head.startswith(_OLE2) and ext not in _EXCEL):
        what = _UNSUPPORTED.get(ext, "Excel 97-2003 workbooks (.xls)")
        raise _fail(
            side,
            f"{path!r}: {what} are not supported.",
            "open it in Excel (or LibreOffice) and save it as .xlsx or as CSV (CSV UTF-8 is best).",
        )
    if head.startswith(_ZIP) and ext not in _EXCEL:
        raise _fail(
            side,
            f"{path!r} is a workbook (a zip file such as .xlsx), not a CSV text file.",
            "rename it to .xlsx if it is an Excel workbook, or save it from Excel as CSV.",
        )


def _last_filled(raw: pd.DataFrame) -> int:
    """The position of the last row with a cell filled (-1 if none), read from the end in
    growing blocks: a sheet's trailing empty rows are usually few, so the rest of the
    table is rarely looked at."""
    end, size = len(raw), 64
    while end > 0:
        start = max(0, end - size)
        filled = raw.iloc[start:end].notna().to_numpy().any(axis=1)
        if filled.any():
            return start + int(np.flatnonzero(filled)[-1])
        end, size = start, size * 2
    return -1


def _text_cells(row: pd.Series) -> list[str | None]:
    return [v.strip() or None if isinstance(v, str) else None for v in row.tolist()]


def _header_band(raw: pd.DataFrame) -> tuple[int, tuple[str, ...]]:
    """``(1, labels)`` when the first row is a band of group labels over the real headers,
    as a form tool or a sheet with merged header cells exports it (``Your details;;;;
    Meeting you;;``): the first cell and at most half of the row filled, then a row with
    every cell filled with distinct text that is not a number. Else ``(0, ())``."""
    if len(raw) < 3 or raw.shape[1] < 3:
        return 0, ()
    top, below = _text_cells(raw.iloc[0]), _text_cells(raw.iloc[1])
    labels = [v for v in top if v is not None]
    if top[0] is None or len(labels) * 2 > len(top):
        return 0, ()
    if any(v is None for v in below) or len(set(below)) != len(below):
        return 0, ()
    if any(_NUMBER.fullmatch(v or "") for v in below):
        return 0, ()
    return 1, tuple(labels)


def read_table(
    source: object, *, side: str = "table", encoding: str | None = None
) -> tuple[pd.DataFrame, TableSource]:
    """Read a CSV or Excel path, or copy a DataFrame, never touching the caller's object.

    Parameters
    ----------
    source : DataFrame, dict of columns, or path to a ``.csv``/``.txt``/``.tsv``/``.xlsx``
    side : str
        ``"mentees"`` or ``"mentors"``, for messages.
    encoding : str, optional
        The CSV file's encoding; by default UTF-8 (with or without BOM), else cp1252.

    Returns
    -------
    (DataFrame, TableSource)
        The table and how it was read.

    Raises
    ------
    ValidationError
        File missing or unreadable, duplicate headers (naming them).
    TypeError
        ``source`` is neither a table nor a path.
    """
    if isinstance(source, pd.DataFrame):
        _check_headers(list(source.columns), side, "the DataFrame")
        return source.copy(), TableSource(None)
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        if os.path.isdir(path):
            raise _fail(side, f"{path!r} is a directory, not a table file.", "give a file path.")
        if not os.path.exists(path):
            raise _fail(side, f"file not found: {path!r}.", "check the path.")
        _refuse_unsupported(path, side)
        if path.lower().endswith(_EXCEL):
            raw = _read_excel(path, side)
            how = TableSource(path)
        else:
            raw, how = _read_csv(path, side, encoding)
        if len(raw) == 0:
            raise _fail(side, f"{path!r} is empty.", "the first line must hold the headers.")
        start, band = _header_band(raw)
        if start:
            how = replace(how, header_row=start + 1, band=band)
        names = _check_headers(raw.iloc[start].tolist(), side, repr(path))
        last = _last_filled(raw) + 1  # trailing empty rows (Excel's) dropped
        df = raw.iloc[start + 1 : last].reset_index(drop=True)
        df.columns = pd.Index(names, dtype=object)
        return df, how
    if isinstance(source, Mapping):
        try:
            return pd.DataFrame(source), TableSource(None)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{side} could not be read as a table: {exc}") from None
    raise TypeError(
        f"{side} must be a pandas DataFrame or a path to a CSV or Excel file. "
        f"Got {type(source).__name__} instead."
    )
