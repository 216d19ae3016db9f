"""One solving core for every score source: a platform's own matrix gets the fast path.

Usage::

    python benchmarks/bench_core.py [--quick] [--out PATH] [--skip-old]

On a skewed "popular mentor" score matrix built from a seed (10,000 x 2,000; ``--quick``:
2,000 x 600), capacity 6, k = 5, exposure ``ceil(1.2 k n / m)``:

- ``matrix``: :meth:`crossmatch.Scores.from_matrix` -> :func:`crossmatch.shortlist`
  (default method), beside a plain dense OR-Tools min-cost flow on all pairs in the same
  run (the shortlist relaxation: k per mentee, exposure per mentor; its optimum is the
  relaxation bound every shortlist objective is below, and that any valid bound of ours
  must be above), and beside the dense path crossmatch took before this change (every
  eligible pair in one flow; ``--skip-old`` leaves it out: it takes about 18 s);
- ``long table``: the same through :meth:`crossmatch.Scores.from_frame` from a long
  table holding a random quarter of the pairs (the rest have no score), beside the plain
  flow on those pairs;
- ``deadline``: ``time_limit`` honoured across every stage (method "exact" on the matrix,
  whose MIP alone would run far longer): seconds taken, status and warning.

Target (issue 11): >= 10x faster than the plain dense flow, objective within 0.1 % of
the dense path's, bound >= the full relaxation optimum (so valid for the full problem).
Prints a table and saves JSON in ``benchmarks/results/core.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import machine

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "results" / "core.json"
SEED = 0
K = 5
CAPACITY = 6
SIZES = {"full": (10_000, 2_000), "quick": (2_000, 600)}
RESOLUTION = 1e-7


def popular_matrix(n: int, m: int, seed: int = SEED) -> np.ndarray:
    """Skewed scores: a mentor popularity (Beta(0.5, 3): few popular) everyone shares,
    plus each pair's own fit, in [0, 1]."""
    rng = np.random.default_rng(seed)
    popularity = rng.beta(0.5, 3.0, size=m)
    return 0.6 * popularity[None, :] + 0.4 * rng.random((n, m))


def plain_flow(total: np.ndarray, eligible: np.ndarray, k: int, exposure: int) -> float:
    """The baseline: one OR-Tools min-cost flow on every eligible pair (source -> mentee
    (k) -> mentor (1 per pair) -> sink (exposure)), costs the scores rounded to 1e-7
    of their range. Returns its objective in score units (the relaxation optimum)."""
    from ortools.graph.python import min_cost_flow

    n, m = total.shape
    ii, jj = np.nonzero(eligible)
    s = total[ii, jj]
    lo, span = float(s.min()), float(s.max() - s.min()) or 1.0
    w = np.rint((s - lo) / span / RESOLUTION).astype(np.int64)
    f = min_cost_flow.SimpleMinCostFlow()
    src, snk = n + m, n + m + 1
    f.add_arcs_with_capacity_and_unit_cost(
        np.full(n, src), np.arange(n), np.full(n, k, np.int64), np.zeros(n, np.int64)
    )
    arcs = f.add_arcs_with_capacity_and_unit_cost(ii, n + jj, np.ones(len(ii), np.int64), -w)
    f.add_arcs_with_capacity_and_unit_cost(
        n + np.arange(m), np.full(m, snk), np.full(m, exposure, np.int64), np.zeros(m, np.int64)
    )
    f.set_nodes_supplies(np.array([src, snk]), np.array([n * k, -n * k]))
    if f.solve_max_flow_with_min_cost() != f.OPTIMAL:
        raise RuntimeError("the baseline flow failed")
    used = f.flows(arcs) > 0
    return float(s[used].sum())


def timed(fn: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def run(quick: bool, skip_old: bool) -> dict[str, Any]:
    import importlib

    import pandas as pd

    import crossmatch as cm

    frontend = importlib.import_module("crossmatch.solve.colgen")

    n, m = SIZES["quick" if quick else "full"]
    exposure = math.ceil(1.2 * K * n / m)
    S = popular_matrix(n, m)
    ids_e, ids_m = np.arange(n), np.arange(m)
    rows: list[dict[str, Any]] = []
    facts: dict[str, Any] = {"n": n, "m": m, "k": K, "capacity": CAPACITY, "exposure": exposure}

    def row(source: str, sl: Any, seconds: float, relax: float, base_s: float, **more: Any) -> None:
        rows.append({
            "source": source, "seconds": seconds, "objective": sl.objective, "bound": sl.bound,
            "status": sl.status, "baseline": "plain dense min-cost flow", "baseline_s": base_s,
            "relaxation": relax, "ratio": base_s / seconds,
            "bound_valid": bool(sl.bound >= relax * (1 - 1e-12)),
            "candidate_pairs": sl.info.get("candidate_pairs"),
            "pricing_rounds": len(sl.info.get("pricing_rounds", [])), **more,
        })  # fmt: skip

    # 1. the matrix
    scores = cm.Scores.from_matrix(S, mentee_ids=ids_e, mentor_ids=ids_m,
                                   capacity=np.full(m, CAPACITY))  # fmt: skip
    relax, base_s = timed(lambda: plain_flow(scores.total, scores.eligible, K, exposure))
    sl, sec = timed(lambda: cm.shortlist(scores, k=K, exposure=exposure))
    old = None
    if not skip_old:
        saved = frontend.CANDIDATE_PAIRS
        frontend.CANDIDATE_PAIRS = 1 << 62  # the dense path, as before this change
        try:
            old, old_s = timed(lambda: cm.shortlist(scores, k=K, exposure=exposure))
        finally:
            frontend.CANDIDATE_PAIRS = saved
        facts["old_dense_path"] = {"seconds": old_s, "objective": old.objective,
                                   "bound": old.bound, "status": old.status}  # fmt: skip
    rel = None if old is None else (old.objective - sl.objective) / abs(old.objective)
    row("matrix (from_matrix)", sl, sec, relax, base_s, old_s=None if old is None else old_s,
        old_objective=None if old is None else old.objective, rel_diff_vs_old=rel)  # fmt: skip
    # 2. a long table with a quarter of the pairs
    rng = np.random.default_rng(SEED + 1)
    keep = rng.random((n, m)) < 0.25
    ii, jj = np.nonzero(keep)
    frame = pd.DataFrame({"mentee_id": ii, "mentor_id": jj, "score": S[ii, jj]})
    long_scores = cm.Scores.from_frame(frame, capacity=dict.fromkeys(ids_m.tolist(), CAPACITY),
                                       mentee_ids=ids_e.tolist())  # fmt: skip
    del frame
    relax2, base2 = timed(lambda: plain_flow(long_scores.total, long_scores.eligible, K,
                                             exposure))  # fmt: skip
    sl2, sec2 = timed(lambda: cm.shortlist(long_scores, k=K, exposure=exposure))
    row("long table (from_frame, 25% of pairs)", sl2, sec2, relax2, base2)
    # 3. one deadline across every stage
    facts["deadline"] = []
    for limit in (0.3, 1.0) if quick else (0.5, 3.0):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sl3, sec3 = timed(lambda limit=limit: cm.shortlist(
                scores, k=K, exposure=exposure, method="exact", time_limit=limit))  # fmt: skip
        warned = [str(w.message)[:90] for w in caught if issubclass(w.category, RuntimeWarning)]
        facts["deadline"].append(
            {"time_limit": limit, "seconds": sec3, "status": sl3.status, "gap": sl3.gap,
             "warning": warned[0] if warned else None}
        )  # fmt: skip
    return {"facts": facts, "rows": rows, "machine": machine()}


def table(res: dict[str, Any]) -> str:
    f = res["facts"]
    head = ("| source | seconds | objective | bound | status | plain flow s | ratio | "
            "relaxation (plain flow) | bound valid | candidate pairs |")  # fmt: skip
    lines = [f"{f['n']:,} x {f['m']:,}, k={f['k']}, capacity {f['capacity']}, exposure "
             f"{f['exposure']}", "", head, "|" + "---|" * 10]  # fmt: skip
    for r in res["rows"]:
        lines.append(
            f"| {r['source']} | {r['seconds']:.3f} | {r['objective']:,.3f} | {r['bound']:,.3f} "
            f"| {r['status']} | {r['baseline_s']:.3f} | {r['ratio']:.1f}x | "
            f"{r['relaxation']:,.3f} | {'yes' if r['bound_valid'] else 'NO'} | "
            f"{r['candidate_pairs'] or '-'} |"
        )
    old = f.get("old_dense_path")
    if old:
        r = res["rows"][0]
        lines.append(
            f"\nthe dense path before this change: {old['seconds']:.2f} s, objective "
            f"{old['objective']:,.3f} (relative difference to the new path "
            f"{r['rel_diff_vs_old']:.2e}; positive: the old one is higher), status {old['status']}"
        )
    for d in f["deadline"]:
        lines.append(
            f"deadline: method='exact', time_limit={d['time_limit']} s -> {d['seconds']:.2f} s, "
            f"status {d['status']}, gap {d['gap']:.2e}, RuntimeWarning: {d['warning'] or 'none'}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--skip-old", action="store_true")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    res = run(args.quick, args.skip_old)
    print(table(res))
    out = args.out or (DEFAULT_OUT.with_name("core_quick.json") if args.quick else DEFAULT_OUT)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2, default=float))
    print(f"\nsaved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
