"""JSON and CSV out and in: what strictness, lossless loading and the formula guard cost.

Usage::

    python benchmarks/bench_io.py [--quick] [--out PATH]

For each size (synthetic cohort, dense scores, ``shortlist(k=3)``, simulated choices), best
of 3 runs in this process:

- ``Shortlists.to_json`` against the baseline ``to_frame().to_json(orient="records")``
  (pandas; the entries only, and it writes NaN as null silently), and ``from_json``;
- ``assign`` on the loaded shortlists against ``assign`` on the original (the same answer
  is checked, not assumed);
- ``Assignment.to_json`` / ``from_json``;
- ``to_csv()`` (formula-safe) against ``to_csv(safe=False)`` (the same writer, no guard):
  the guard's overhead.

Prints a table and writes JSON (``benchmarks/results/io.json``; results are gitignored).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `_harness` beside this script
from _harness import machine, plain  # type: ignore[no-redef]

import crossmatch as cm

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "results" / "io.json"
SIZES = [(1_000, 400), (5_000, 2_000)]


def best(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def run(n: int, m: int) -> dict[str, Any]:
    mentees, mentors = cm.synthetic_cohort(n, m, seed=0, capacity=(2, 5))
    scores = cm.score(cm.Cohort.from_frames(mentees, mentors))
    lists = cm.shortlist(scores, k=3, method="flow", allow_short=True)
    choices = cm.simulate_choices(lists, seed=0)
    row: dict[str, Any] = {"size": f"{n:,}x{m:,}", "entries": int(lists.lengths().sum())}
    row["to_json_s"], text = best(lists.to_json)
    row["pandas_records_json_s"], _ = best(lambda: lists.to_frame().to_json(orient="records"))
    row["json_mb"] = len(text.encode()) / 1e6
    row["from_json_s"], loaded = best(lambda: cm.Shortlists.from_json(text))
    row["assign_original_s"], a = best(lambda: cm.assign(lists, choices))
    row["assign_loaded_s"], b = best(lambda: cm.assign(loaded, choices))
    row["same_assignment"] = bool(np.array_equal(a.mentor, b.mentor))
    row["assignment_to_json_s"], atext = best(a.to_json)
    row["assignment_from_json_s"], _ = best(lambda: cm.Assignment.from_json(atext))
    row["csv_safe_s"], _ = best(lists.to_csv)
    row["csv_raw_s"], _ = best(lambda: lists.to_csv(safe=False))
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the smallest size only")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    rows = [run(n, m) for n, m in (SIZES[:1] if args.quick else SIZES)]
    cols = [("size", "size", "{}"), ("entries", "entries", "{:,}"),
            ("to_json_s", "to_json s", "{:.3f}"),
            ("pandas_records_json_s", "pandas records s", "{:.3f}"),
            ("json_mb", "JSON MB", "{:.2f}"), ("from_json_s", "from_json s", "{:.3f}"),
            ("assign_original_s", "assign s", "{:.3f}"),
            ("assign_loaded_s", "assign loaded s", "{:.3f}"),
            ("same_assignment", "same", "{}"),
            ("assignment_to_json_s", "A.to_json s", "{:.3f}"),
            ("assignment_from_json_s", "A.from_json s", "{:.3f}"),
            ("csv_safe_s", "csv safe s", "{:.3f}"),
            ("csv_raw_s", "csv raw s", "{:.3f}")]  # fmt: skip
    print(" | ".join(h for _, h, _ in cols))
    for r in rows:
        print(" | ".join(f.format(r[k]) for k, _, f in cols))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(plain({"machine": machine(), "rows": rows}), indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
