"""Strict JSON for results (ground floor: imports nothing from the package).

Strict means what every JSON parser accepts: no ``NaN`` or ``Infinity`` (a missing or
non-finite number is ``null``), no NumPy scalars, no ``pandas.NA``. Ids keep their type:
integers stay integers and text stays text.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["dumps", "jsonable", "load_document"]


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types: NumPy scalars and arrays become Python numbers and
    lists, NaN / inf / ``pd.NA`` / ``NaT`` become None, mappings get string keys, tuples and
    sets become lists; anything else becomes its ``str``."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def _column(values: pd.Series) -> list[Any]:
    """One column as plain Python values, missing and non-finite numbers as None."""
    if not isinstance(values.dtype, np.dtype):  # nullable Int64, categories, ...: pd.NA
        return [jsonable(v) for v in values.astype(object).tolist()]
    if values.dtype.kind in "iub":
        return values.to_numpy().tolist()
    if values.dtype.kind == "f":
        arr = values.to_numpy()
        out = arr.astype(object)
        out[~np.isfinite(arr)] = None
        return out.tolist()
    return [jsonable(v) for v in values.tolist()]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a frame as JSON-safe dicts (missing values are None)."""
    columns = [str(c) for c in frame.columns]
    data = [_column(frame[c]) for c in frame.columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*data, strict=True)]


def _scalar(value: Any) -> Any:
    out = jsonable(value)
    if out is value:  # not a type jsonable converts: a bug, not output
        raise TypeError(f"cannot write {type(value).__name__} as JSON")
    return out


def dumps(document: Mapping[str, Any], *, indent: int | None = None) -> str:
    """Strict JSON text of a document of plain values (NumPy scalars converted; a stray
    NaN raises ValueError: ``allow_nan=False``, never output)."""
    return json.dumps(document, allow_nan=False, indent=indent, ensure_ascii=False, default=_scalar)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"strict JSON has no {name}; missing values must be null")


def load_document(source: Any, kind: str, schema: int) -> dict[str, Any]:
    """Parse JSON text, a path or an open file into a dict, checking ``kind`` and the
    ``schema`` version. Raises ValueError with what is wrong and how to fix it."""
    if isinstance(source, os.PathLike) or (
        isinstance(source, str) and not source.lstrip().startswith("{")
    ):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise FileNotFoundError(f"{kind} JSON file not found: {path}") from None
        except IsADirectoryError:
            raise IsADirectoryError(
                f"expected a {kind} JSON file, got a directory: {path}"
            ) from None
    elif isinstance(source, bytes | bytearray):
        text = bytes(source).decode("utf-8")
    elif isinstance(source, str):
        text = source
    elif hasattr(source, "read"):
        text = source.read()
    else:
        raise TypeError(
            f"expected {kind} JSON as text, bytes, a path or an open file. "
            f"Got {type(source).__name__} instead."
        )
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise ValueError(f"expected a JSON object for {kind}, got {type(doc).__name__}")
    if doc.get("kind") != kind:
        raise ValueError(
            f'expected {kind} JSON ("kind": "{kind}"), got kind {doc.get("kind")!r}; '
            "pass the file that crossmatch wrote for this step"
        )
    if doc.get("schema") != schema:
        raise ValueError(
            f"{kind} JSON has schema version {doc.get('schema')!r}; this crossmatch reads "
            f"version {schema}"
        )
    return doc
