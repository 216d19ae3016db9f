"""match(objective="maxmin") on a cohort's candidate scores, beside objective="total".

Usage::

    python benchmarks/bench_match_floor.py [--quick] [--out PATH]

A synthetic cohort (10,000 x 2,000; ``--quick``: 2,000 x 400), capacity 3 to 8,
``score_candidates(per_mentee=3, per_mentor=3)``, ``match(waitlist=True)`` with the
default objective and with ``"maxmin"`` (per_mentee=1), each measured in this process:
seconds, coverage, total, floor, whether the floor is proved for the full matrix. Run it
with another checkout first on ``PYTHONPATH`` for a before/after. Prints a table and
saves JSON in ``benchmarks/results/match_floor.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "results" / "match_floor.json"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    import crossmatch as cm

    logging.disable(logging.WARNING)
    n, m = (2_000, 400) if args.quick else (10_000, 2_000)
    mentees, mentors = cm.synthetic_cohort(n, m, seed=0, capacity=(3, 8))
    cohort = cm.Cohort.from_frames(mentees, mentors)
    t0 = time.perf_counter()
    cs = cm.score_candidates(cohort, per_mentee=3, per_mentor=3)
    rows: list[dict[str, Any]] = [{"run": "score_candidates", "seconds": time.perf_counter() - t0}]
    for objective in ("total", "maxmin"):
        t0 = time.perf_counter()
        a = cm.match(cs, objective=objective, waitlist=True)
        info = a.info
        rows.append(
            {
                "run": f"match {objective}",
                "seconds": time.perf_counter() - t0,
                "coverage": info["coverage"],
                "total": info["total"],
                "status": info["status"],
                "floor": info.get("floor"),
                "floor_on_candidates": info.get("floor_on_candidates"),
            }
        )
    print(f"crossmatch from {cm.__file__}; {n:,} x {m:,}")
    for r in rows:
        print(
            "  ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items())
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"n": n, "m": m, "rows": rows}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
