"""Oversubscribed cohorts: the cost of `shortlist(..., waitlist=True)`.

Usage::

    python benchmarks/bench_waitlist.py [--quick] [--out PATH]

A skewed "popular mentor" matrix (as in ``bench_core``; 10,000 x 2,000, ``--quick``
2,000 x 400), capacity 4, k = 3, where each mentee is eligible for a random 20 % of the
mentors and total capacity is 80 % of the mentees (so a fifth must wait). Rows:

- ``baseline``: the same mentees and matrix with every capacity raised by one (no one
  needs to wait), plain ``shortlist`` -- the cost of a shortlist solve of this size;
- ``waitlist``: ``shortlist(waitlist=True)`` on the oversubscribed instance;
- ``waitlist + priority``: the same with three priority classes;
- ``waitlist on narrow candidates``: on ``CandidateScores.from_scores`` with 2 pairs per
  mentee and 5 per mentor (too few to serve the most: the candidates are widened);
- ``waitlist, before``: the previous version's rule (whom to serve by the sum of their
  k best scores only; no re-choice under the relaxation's mentor prices, no check that
  the chosen mentees' shortlists fit in exposure), measured in the same run.

For each: seconds, mentees served, the maximum number that can be served (an independent
SciPy maximum flow), the served count of the top priority class, objective, gap to the
bound and status. Prints a table and saves JSON in ``benchmarks/results/waitlist.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the test oracles
from _harness import machine
from oracles import max_cover_count

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "results" / "waitlist.json"
SIZES = {"full": (10_000, 2_000), "quick": (2_000, 400)}


def instance(n: int, m: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    popularity = rng.beta(0.5, 3.0, size=m)
    total = 0.6 * popularity[None, :] + 0.4 * rng.random((n, m))
    eligible = rng.random((n, m)) < 0.2
    capacity = np.full(m, max(1, round(0.8 * n / m)))
    return total, eligible, capacity


def main(argv: list[str] | None = None) -> int:
    import crossmatch as cm

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    n, m = SIZES["quick" if args.quick else "full"]
    total, eligible, capacity = instance(n, m)
    ids = {"mentee_ids": np.arange(n), "mentor_ids": np.arange(m)}
    priority = np.random.default_rng(1).integers(0, 3, size=n)
    best = max_cover_count(eligible, capacity)
    rows: list[dict[str, Any]] = []

    from crossmatch.solve import waitlist as wl

    def run(name: str, cap: np.ndarray, knobs: dict[str, Any] | None = None, **kw: Any) -> None:
        saved = {k: getattr(wl, k) for k in knobs or {}}
        for k, v in (knobs or {}).items():
            setattr(wl, k, v)
        try:
            once(name, cap, **kw)
        finally:
            for k, v in saved.items():
                setattr(wl, k, v)

    def once(name: str, cap: np.ndarray, narrow: bool = False, **kw: Any) -> None:
        s: Any = cm.Scores.from_matrix(total, eligible=eligible, capacity=cap, **ids)
        if narrow:
            s = cm.CandidateScores.from_scores(s, per_mentee=2, per_mentor=5)
        t0 = time.perf_counter()
        sl = cm.shortlist(s, k=3, allow_short=True, **kw)
        seconds = time.perf_counter() - t0
        served = ~sl.waitlisted
        top = int((served & (priority == 2)).sum()) if "priority" in kw else None
        rows.append(
            {
                "run": name,
                "seconds": round(seconds, 2),
                "served": int(served.sum()),
                "max_served": best if kw.get("waitlist") else n,
                "top_class_served": top,
                "top_class_size": int((priority == 2).sum()) if top is not None else None,
                "objective": round(sl.objective, 3),
                "bound": round(sl.bound, 3),
                "gap": round(sl.gap, 4),
                "status": sl.status,
                "choice": sl.info.get("waitlist_choice"),
            }
        )

    run("baseline (capacity +1, nobody waits)", capacity + 1)
    run("waitlist", capacity, waitlist=True)
    run("waitlist + priority (3 classes)", capacity, waitlist=True, priority=priority)
    before = {"CHOICE_RULE": "values", "JOINT_EXACT": False, "FIT_EXPOSURE": False}
    run("waitlist, before", capacity, before, waitlist=True)
    run("waitlist + priority, before", capacity, before, waitlist=True, priority=priority)
    run(
        "waitlist on narrow candidates (flow)",
        capacity,
        None,
        narrow=True,
        waitlist=True,
        method="flow",
    )
    print(
        f"{n:,} mentees x {m:,} mentors, capacity {int(capacity[0])} (total "
        f"{int(capacity.sum()):,}), 20 % eligible, k = 3"
    )
    head = f"{'run':<40} {'s':>7} {'served':>8} {'max':>8} {'top cls':>12} {'objective':>11}"
    head += f" {'gap':>7}"
    print(head)
    for r in rows:
        top = (
            ""
            if r["top_class_served"] is None
            else f"{r['top_class_served']}/{r['top_class_size']}"
        )
        print(
            f"{r['run']:<40} {r['seconds']:>7} {r['served']:>8} {r['max_served']:>8} "
            f"{top:>12} {r['objective']:>11} {r['gap']:>7.2%} {r['status']}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": machine(), "n": n, "m": m, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
