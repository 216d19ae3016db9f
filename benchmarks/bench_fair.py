"""The fairness objective and several mentors from choices, beside the defaults.

Usage::

    python benchmarks/bench_fair.py [--quick] [--out PATH]

On the skewed "popular mentor" matrix of ``bench_core.py`` (10,000 x 2,000; ``--quick``:
2,000 x 600), capacity 6, k = 5, exposure ``ceil(1.2 k n / m)``, choices simulated from
the shortlists (``simulate_choices``, seed 0), each run measured in this one process, the
default beside the new setting:

- ``shortlist``: ``objective="total"`` (default) vs ``"maxmin"`` -- seconds, total,
  status, the worst recommended pair's score (the floor), the price of fairness;
- ``assign``: rank-maximal (default) vs ``objective="maxmin"`` -- seconds, floor, choice
  signature, price of fairness;
- ``assign``: ``per_mentee=1`` (default) vs ``per_mentee=3`` -- seconds, coverage, pairs,
  pair signature.

Prints a table and saves JSON in ``benchmarks/results/fair.json``.
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
from _harness import machine, plain
from bench_core import CAPACITY, SIZES, K, popular_matrix

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "results" / "fair.json"


def timed(fn: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def worst_recommended(sl: Any) -> float:
    ok = sl.recommended >= 0
    rows = np.flatnonzero(ok)
    return float(sl.scores.total[rows, sl.recommended[rows]].min())


def worst_assigned(a: Any) -> float:
    r, k = np.nonzero(a.mentors >= 0)
    v = np.bincount(r, weights=a.scores.total[r, a.mentors[r, k]], minlength=len(a.mentor))
    return float(v[a.matched].min())


def run(quick: bool) -> dict[str, Any]:
    import crossmatch as cm

    n, m = SIZES["quick" if quick else "full"]
    exposure = math.ceil(1.2 * K * n / m)
    S = popular_matrix(n, m)
    scores = cm.Scores.from_matrix(S, mentee_ids=np.arange(n), mentor_ids=np.arange(m),
                                   capacity=np.full(m, CAPACITY))  # fmt: skip
    rows: list[dict[str, Any]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "auto"'s exact stage, reported
        base, base_s = timed(lambda: cm.shortlist(scores, k=K, exposure=exposure))
        fair, fair_s = timed(
            lambda: cm.shortlist(scores, k=K, exposure=exposure, objective="maxmin")
        )
    for name, sl, sec in (("total (default)", base, base_s), ("maxmin", fair, fair_s)):
        rows.append({"step": "shortlist", "setting": name, "seconds": sec,
                     "total": sl.objective, "status": sl.status,
                     "floor": worst_recommended(sl),
                     "price_of_fairness": sl.info.get("price_of_fairness"),
                     "ratio_to_default": sec / base_s})  # fmt: skip
    choices = cm.simulate_choices(base, seed=0)
    a1, a1_s = timed(lambda: cm.assign(base, choices))
    a2, a2_s = timed(lambda: cm.assign(base, choices, objective="maxmin"))
    a3, a3_s = timed(lambda: cm.assign(base, choices, per_mentee=3))
    for name, a, sec in (("rank-maximal (default)", a1, a1_s), ("maxmin", a2, a2_s),
                         ("per_mentee=3", a3, a3_s)):  # fmt: skip
        rows.append({"step": "assign", "setting": name, "seconds": sec,
                     "total": a.total_score, "status": a.info.get("status", "optimal"),
                     "floor": worst_assigned(a), "coverage": int(a.matched.sum()),
                     "pairs": int(a.counts().sum()), "signature": a.signature(),
                     "pair_signature": a.info.get("pair_signature"),
                     "price_of_fairness": a.info.get("price_of_fairness"),
                     "ratio_to_default": sec / a1_s})  # fmt: skip
    facts = {"n": n, "m": m, "k": K, "capacity": CAPACITY, "exposure": exposure,
             "shortlist_info": {k: fair.info.get(k) for k in
                                ("floor_without", "floor", "candidate_pairs", "lp_seconds",
                                 "time_limit_reached", "floor_on_candidates")}}  # fmt: skip
    return {"facts": facts, "rows": rows, "machine": machine()}


def table(res: dict[str, Any]) -> str:
    f = res["facts"]
    lines = [f"{f['n']:,} x {f['m']:,}, k={f['k']}, capacity {f['capacity']}, exposure "
             f"{f['exposure']}", "",
             "| step | setting | seconds | x default | total | floor | price of fairness | "
             "status | coverage / pairs | signature |", "|" + "---|" * 10]  # fmt: skip
    for r in res["rows"]:
        price = r.get("price_of_fairness")
        cov = f"{r['coverage']:,} / {r['pairs']:,}" if "coverage" in r else "-"
        sig = r.get("pair_signature") or r.get("signature") or "-"
        lines.append(
            f"| {r['step']} | {r['setting']} | {r['seconds']:.2f} | {r['ratio_to_default']:.1f} "
            f"| {r['total']:,.3f} | {r['floor']:.4f} | "
            f"{'-' if price is None else format(price, '.4f')} | {r['status']} | {cov} | {sig} |"
        )
    lines.append(f"\nshortlist maxmin details: {f['shortlist_info']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    res = run(args.quick)
    print(table(res))
    out = args.out or (DEFAULT_OUT.with_name("fair_quick.json") if args.quick else DEFAULT_OUT)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(plain(res), indent=2))
    print(f"\nsaved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
