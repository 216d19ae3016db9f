"""Logging and progress bars (ground floor: imports nothing from the package).

Library code never prints. Front ends (``score``, ``score_candidates``, ``shortlist``,
``assign``, ``rematch``) are wrapped with :func:`logged`, which logs one INFO line per
call to the ``"crossmatch"`` logger: the stage, the sizes in and out, and the seconds::

    import logging
    logging.basicConfig(level=logging.INFO)   # then: INFO:crossmatch:shortlist: ...

Progress bars (``tqdm.auto``, so they render in Jupyter too) are on by default only in
a terminal or a Jupyter kernel, and never when the ``CI`` environment variable is set;
``progress=True`` / ``False`` overrides.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

__all__ = ["describe", "logged", "logger", "progress_enabled"]

logger = logging.getLogger("crossmatch")
logger.addHandler(logging.NullHandler())

F = TypeVar("F", bound=Callable[..., Any])


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _in_jupyter() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None or "ipykernel" not in sys.modules:
        return False
    ip = getattr(shell, "get_ipython", lambda: None)()
    return ip is not None and "IPKernelApp" in getattr(ip, "config", {})


def progress_enabled(progress: bool | None) -> bool:
    """Whether to show progress bars: ``progress`` when given; else only on a terminal
    or in a Jupyter kernel, and not when ``CI`` is set."""
    if progress is not None:
        return bool(progress)
    if _in_ci():
        return False
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):
        tty = False
    return tty or _in_jupyter()


def describe(obj: Any) -> str:
    """The sizes of a pipeline object, for log lines (duck-typed: no imports)."""
    name = type(obj).__name__
    n = getattr(obj, "n_mentees", None)
    if name == "Assignment":
        matched = getattr(obj, "matched", None)
        got = int(matched.sum()) if matched is not None else "?"
        return f"Assignment of {len(obj.mentor)} mentees, {got} matched"
    if name == "Shortlists":
        return f"Shortlists of {n} mentees (k={obj.k})"
    m = getattr(obj, "n_mentors", None)
    if n is not None and m is not None:
        pairs = getattr(obj, "n_pairs", None)
        extra = f", {pairs:,} candidate pairs" if isinstance(pairs, int) else ""
        return f"{name} {n} mentees x {m} mentors{extra}"
    shape = getattr(obj, "shape", None)
    return f"{name} {shape}" if shape is not None else name


def logged(stage: str) -> Callable[[F], F]:
    """Decorator for a front end: log its stage, sizes in and out, and seconds (INFO)."""

    def wrap(func: F) -> F:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            if not logger.isEnabledFor(logging.INFO):
                return func(*args, **kwargs)
            given = describe(args[0]) if args else ""
            logger.debug("%s: start on %s", stage, given)
            t0 = time.perf_counter()
            result = func(*args, **kwargs)
            logger.info(
                "%s: %s -> %s in %.3f s",
                stage,
                given,
                describe(result),
                time.perf_counter() - t0,
            )
            return result

        return cast(F, run)

    return wrap
