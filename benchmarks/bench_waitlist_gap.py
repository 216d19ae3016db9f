"""Oversubscribed cohorts: how close ``shortlist(waitlist=True)`` comes to the joint optimum.

Usage::

    python benchmarks/bench_waitlist_gap.py [--instances N] [--family tight|test] [--out PATH]

The waitlist first fixes how many mentees are served (the most, by priority class);
*whom* to serve then matters for the shortlist total. The true optimum chooses whom to
serve jointly with the shortlists: SciPy's MILP (``tests/oracles.py``,
``milp_waitlist``: binary ``z_i`` served, ``x``, ``y``), on small random oversubscribed
instances whose optimum exists. Families: ``tight`` (6-9 mentees, 3-5 mentors, popular
mentors, k 1-3, capacity 1-2, exposure 1..n, a third with three priority classes) and
``test`` (the bound test of ``tests/test_waitlist.py``: 6 x 4, k 2, exposure 2..6).
Rules, side by side in the same run (the module's knobs set per row):

- ``before: values``: the previous version: whom to serve by the largest sum of each
  mentee's k best scores, no check that their shortlists fit in exposure;
- ``values + fit exposure``: the same, chosen again when the shortlists do not fit (and
  fewer served only when no choice of the most mentees fits);
- ``priced``: the mentors priced by the served mentees' shortlist relaxation and whom to
  serve chosen again by each mentee's best-k sum under those prices, keeping the choice
  of best relaxation (``PRICE_ROUNDS`` = 1, 2; 1 is the default);
- ``joint MIP``: whom to serve as a variable of the MIP (``method="exact"``; the default
  ``"auto"`` on problems this small).

For each: mean and worst relative gap to the optimum over the instances solved, how
many reached it, errors (InfeasibleError raised), whether every bound held (``bound >=
optimum``) and every "optimal" status was true, and seconds. Prints a table and saves
JSON in ``benchmarks/results/waitlist_gap.json`` (``_test`` for the test family).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from _harness import machine  # noqa: E402
from oracles import milp_waitlist  # noqa: E402

DEFAULT_OUT = HERE / "results" / "waitlist_gap.json"


def test_family(seed: int) -> dict[str, Any]:
    """The instances of ``tests/test_waitlist.py``'s bound test (6 x 4, k 2, every
    mentee eligible for two mentors, exposure 2..6), one class."""
    rng = np.random.default_rng(seed)
    n, m = 6, 4
    eligible = rng.random((n, m)) < np.linspace(0.95, 0.4, m)[None, :]
    eligible[:, :2] = True
    matrix = np.round(rng.random((n, m)), 3)
    capacity = rng.integers(1, 3, size=m)
    exposure = rng.integers(2, n + 1, size=m)
    return {"matrix": matrix, "eligible": eligible, "capacity": capacity,
            "exposure": exposure, "k": 2, "priority": np.zeros(n, np.int64)}  # fmt: skip


def instance(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(6, 10)), int(rng.integers(3, 6))
    k = int(rng.integers(1, 4))
    eligible = rng.random((n, m)) < np.linspace(0.95, 0.4, m)[None, :]
    eligible[:, : min(k, m)] = True  # enough eligible mentors for a shortlist
    popular = np.linspace(0.4, 0.0, m)[None, :]  # popular mentors score higher
    matrix = np.round(popular + 0.6 * rng.random((n, m)), 3)
    capacity = rng.integers(1, 3, size=m)
    exposure = rng.integers(1, n + 1, size=m)
    classes = rng.integers(0, 3, size=n) if seed % 3 == 0 else np.zeros(n, np.int64)
    return {"matrix": matrix, "eligible": eligible, "capacity": capacity,
            "exposure": exposure, "k": k, "priority": -classes}  # fmt: skip


OLD = {"CHOICE_RULE": "values", "JOINT_EXACT": False, "FIT_EXPOSURE": False}
RULES = [
    ("before: values", "flow", OLD),
    ("values + fit exposure", "flow", {"CHOICE_RULE": "values", "JOINT_EXACT": False}),
    ("priced, 1 round", "flow", {"CHOICE_RULE": "priced", "PRICE_ROUNDS": 1}),
    ("priced, 2 rounds", "flow", {"CHOICE_RULE": "priced", "PRICE_ROUNDS": 2}),
    ("before: values", "exact", OLD),
    ("joint MIP", "exact", {"JOINT_EXACT": True}),
    ("before: values", "auto", OLD),
    ("after (default)", "auto", {}),
]


def main(argv: list[str] | None = None) -> int:
    import crossmatch as cm
    from crossmatch.errors import InfeasibleError
    from crossmatch.solve import waitlist as wl

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", type=int, default=150)
    ap.add_argument("--family", choices=["tight", "test"], default="tight",
                    help="tight: 6-9 x 3-5, k 1-3, exposure 1..n, a third with classes; "
                         "test: the bound test's 6 x 4, k 2")  # fmt: skip
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    knobs_all = ("CHOICE_RULE", "PRICE_ROUNDS", "JOINT_EXACT", "FIT_EXPOSURE")
    defaults = {k: getattr(wl, k) for k in knobs_all}
    cases = []
    for seed in range(args.instances * 3):  # instances whose optimum exists
        inst = instance(seed) if args.family == "tight" else test_family(seed)
        classes = -inst["priority"]
        found = milp_waitlist(inst["matrix"], inst["eligible"], inst["capacity"],
                              inst["exposure"], inst["k"], classes)  # fmt: skip
        if found is not None and found[0] > 0:
            cases.append((seed, inst, found[0]))
        if len(cases) == args.instances:
            break
    rows: list[dict[str, Any]] = []
    for name, method, knobs in RULES:
        for key, value in {**defaults, **knobs}.items():
            setattr(wl, key, value)
        gaps, errors, bad_bound, bad_status, seconds = [], 0, 0, 0, 0.0
        for _seed, inst, best in cases:
            n, m = inst["matrix"].shape
            s = cm.Scores.from_matrix(
                inst["matrix"], eligible=inst["eligible"], capacity=inst["capacity"],
                mentee_ids=np.arange(n), mentor_ids=np.arange(m),
            )  # fmt: skip
            t0 = time.perf_counter()
            try:
                sl = cm.shortlist(
                    s, k=inst["k"], exposure=inst["exposure"], waitlist=True,
                    priority=inst["priority"], allow_short=True, method=method,
                )  # fmt: skip
            except InfeasibleError:
                errors += 1
                continue
            finally:
                seconds += time.perf_counter() - t0
            gaps.append(max(0.0, (best - sl.objective) / best))
            bad_bound += sl.bound < best - 1e-6
            bad_status += sl.status == "optimal" and sl.objective < best - 1e-6
        g = np.array(gaps)
        rows.append({"rule": name, "method": method, "instances": len(cases),
                     "mean_gap": float(g.mean()), "worst_gap": float(g.max()),
                     "optimal": int((g <= 1e-9).sum()), "errors": errors,
                     "bounds_broken": int(bad_bound), "false_optimal": int(bad_status),
                     "seconds": round(seconds, 2)})  # fmt: skip
    for key, value in defaults.items():
        setattr(wl, key, value)
    print(f"{len(cases)} small oversubscribed instances ({args.family}); gap to the joint "
          "optimum (SciPy MILP)")  # fmt: skip
    print("(mean and worst over the instances solved; errors: InfeasibleError raised)")
    print(f"{'rule':<22} {'method':<6} {'mean gap':>9} {'worst':>8} {'reached':>8} "
          f"{'errors':>6} {'bound<opt':>9} {'false opt':>9} {'s':>6}")  # fmt: skip
    for r in rows:
        print(f"{r['rule']:<22} {r['method']:<6} {r['mean_gap']:>9.3%} {r['worst_gap']:>8.2%} "
              f"{r['optimal']:>8} {r['errors']:>6} {r['bounds_broken']:>9} "
              f"{r['false_optimal']:>9} {r['seconds']:>6}")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    doc = {"machine": machine(), "family": args.family, "rows": rows}
    out = args.out if args.family == "tight" else args.out.with_name(f"{args.out.stem}_test.json")
    out.write_text(json.dumps(doc, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
