"""Direct-matching benchmark: ``crossmatch.match`` at scale, and side by side with ``mentor-match``.

Usage::

    python benchmarks/bench_match.py [--quick] [--out PATH]
        [--peer-python /work/peer-venv/bin/python] [--peer-results FILE]
        [--only peer|scale|maxmin]

Rows (each size in a fresh subprocess, so peak memory is its own):

- ``match(per_mentee=3)`` on ``synthetic_cohort(n, m, seed=0, capacity=(4, 8))`` at
  10,000 x 2,000 on dense scores (:func:`crossmatch.score`) and on candidate scores
  (:func:`crossmatch.score_candidates`, each mentee's 10 best mentors and each
  mentor's 30 best mentees), and at 100,000 x 20,000 on candidate scores:
  scoring seconds, matching seconds, peak memory, coverage (mentees with a mentor, with
  three), total score and, on candidates, the bound that the full matrix cannot beat.
- ``match(objective="maxmin")`` at 10,000 x 2,000 (dense, ``per_mentee=1``): seconds,
  the floor, and the price of fairness against ``objective="total"``.
- The peer: ``mentor-match`` 7.0.1 (three Hungarian rounds, pure Python) on its own rules,
  and crossmatch with :func:`crossmatch.scoring.presets.civil_service_scheme` on the same
  synthetic people (one CSV pair both read), 1,000 + 1,000 people. The peer runs in its own
  virtual environment, through ``benchmarks/_peer_mentor_match.py``; skipped with a note
  when ``--peer-python`` is absent. ``--peer-results`` reuses a saved peer run (same seed
  and size). Reported: both times and their ratio, rules broken by each answer, mentees
  matched (and how many could have a mentor at all), and the total points of both answers
  computed by the peer's own rules.

Peak memory: ``ru_maxrss`` of the child process that ran the row (the peer's is measured
in its own process the same way).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `_harness` beside this script
from _harness import _fmt_s, _fmt_size, machine, peak_kib, plain

HERE = Path(__file__).resolve().parent
PEER_SCRIPT = HERE / "_peer_mentor_match.py"
DEFAULT_OUT = HERE / "results" / "match.json"
DEFAULT_PEER_PYTHON = "/work/peer-venv/bin/python"
QUIET_ENV = {"GLOG_minloglevel": "2", "ABSL_MIN_LOG_LEVEL": "2", "GLOG_logtostderr": "0"}
SEED = 0
PEER_SIZE = (1_000, 1_000)

DEPARTMENTS = (
    "HMRC",
    "DWP",
    "MoJ",
    "MoD",
    "HO",
    "DfE",
    "DHSC",
    "DfT",
    "Defra",
    "DESNZ",
    "DBT",
    "FCDO",
    "HMT",
    "CO",
    "DCMS",
    "MHCLG",
)
PROFESSIONS = (
    "policy",
    "operational delivery",
    "digital",
    "finance",
    "HR",
    "legal",
    "commercial",
    "analysis",
    "project delivery",
    "communications",
)


# ---------------------------------------------------------------------------- people
def civil_service_people(
    n_mentees: int, n_mentors: int, *, seed: int = SEED
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic civil-service people in crossmatch's input schema, plus ``grade`` (an
    integer level, higher = more senior), ``department`` (also the ``organisation``) and
    ``profession``. Built-in rules cannot bite: everyone is remote, shares one slot and
    has no seniority column, so only the scheme's rules decide who is eligible.

    Mentees lean junior and mentors senior, departments are of very unequal size and
    every mentor takes three mentees: three mentors per mentee then needs every place.
    """
    rng = np.random.default_rng(seed)
    dept_w = 1.0 / np.arange(1, len(DEPARTMENTS) + 1)
    prof_w = 1.0 / np.arange(1, len(PROFESSIONS) + 1) ** 0.7

    def side(n: int, prefix: str, grade_p: list[float]) -> pd.DataFrame:
        dept = rng.choice(len(DEPARTMENTS), size=n, p=dept_w / dept_w.sum())
        return pd.DataFrame(
            {
                "id": [f"{prefix}-{k:05d}" for k in range(1, n + 1)],
                "organisation": np.asarray(DEPARTMENTS, dtype=object)[dept],
                "sector": "central-government",
                "availability": "tue-pm",
                "cadence": "monthly",
                "mode": "remote",
                "region": "london",
                "grade": rng.choice(len(grade_p), size=n, p=grade_p) + 1,
                "profession": np.asarray(PROFESSIONS, dtype=object)[
                    rng.choice(len(PROFESSIONS), size=n, p=prof_w / prof_w.sum())
                ],
            }
        )

    mentees = side(n_mentees, "mentee", [0.10, 0.25, 0.30, 0.20, 0.10, 0.05, 0.0])
    mentees["goals"] = "leadership"
    mentors = side(n_mentors, "mentor", [0.0, 0.05, 0.15, 0.25, 0.25, 0.20, 0.10])
    mentors["expertise"] = "leadership"
    mentors["capacity"] = 3
    for t in (mentees, mentors):
        t["department"] = t["organisation"]
    return mentees, mentors


def write_peer_csv(folder: Path, mentees: pd.DataFrame, mentors: pd.DataFrame) -> None:
    """The same people in the peer's CSV format (``email`` is the id)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, t in (("mentees", mentees), ("mentors", mentors)):
        pd.DataFrame(
            {
                "first name": t["id"],
                "last name": "",
                "email": t["id"],
                "role": "",
                "organisation": t["organisation"],
                "grade": t["grade"],
                "profession": t["profession"],
            }
        ).to_csv(folder / f"{name}.csv", index=False)


def read_people(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """crossmatch's side of the shared CSV files (written by :func:`main`)."""
    return (
        pd.read_csv(folder / "cm_mentees.csv", keep_default_na=False),
        pd.read_csv(folder / "cm_mentors.csv", keep_default_na=False),
    )


def run_peer(peer_python: str, folder: Path, out: Path, timeout: float = 3600) -> dict[str, Any]:
    """The peer's matching in its own interpreter; its figures and pairs."""
    subprocess.run(
        [peer_python, str(PEER_SCRIPT), "match", str(folder), str(out)],
        check=True,
        timeout=timeout,
    )
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def peer_points(peer_python: str, folder: Path, pairs: list[list[str]]) -> dict[str, Any]:
    """Points (and broken rules) of ``pairs`` by the peer's own rules."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "pairs.json", Path(tmp) / "points.json"
        src.write_text(json.dumps(pairs))
        subprocess.run(
            [peer_python, str(PEER_SCRIPT), "points", str(folder), str(src), str(out)],
            check=True,
            timeout=600,
        )
        result: dict[str, Any] = json.loads(out.read_text())
        return result


# ---------------------------------------------------------------------------- children
def _peak_mb() -> float:
    return peak_kib() / 1024.0


def child_scale(n: int, m: int, kind: str, objective: str, per_mentee: int) -> dict[str, Any]:
    """One scale row, in its own process: score (dense or candidates), then match."""
    import crossmatch as cm

    t0 = time.perf_counter()
    mentees, mentors = cm.synthetic_cohort(n, m, seed=SEED, capacity=(4, 8))
    cohort = cm.Cohort.from_frames(mentees, mentors)
    t1 = time.perf_counter()
    if kind == "dense":
        scores = cm.score(cohort)
    else:  # three mentors each: ten candidates per mentee, 30 per mentor (capacity <= 8)
        scores = cm.score_candidates(cohort, per_mentee=10, per_mentor=30)
    t2 = time.perf_counter()
    a = cm.match(scores, per_mentee=per_mentee, objective=objective, waitlist=True)
    t3 = time.perf_counter()
    counts = a.counts()
    row = {
        "size": _fmt_size(n, m),
        "scores": kind,
        "objective": objective,
        "per_mentee": per_mentee,
        "pairs_solved": int(scores.n_pairs)
        if kind != "dense"
        else int(np.count_nonzero(scores.eligible)),
        "cohort_s": t1 - t0,
        "score_s": t2 - t1,
        "match_s": t3 - t2,
        "peak_mb": _peak_mb(),
        "coverage": int(a.matched.sum()),
        "n_mentees": n,
        "with_full_count": int((counts == per_mentee).sum()),
        "pairs": int(counts.sum()),
        "total": float(a.total_score),
        "bound": a.info.get("bound"),
        "rounding_bound": a.info["rounding_bound"],
        "status": a.info["status"],
    }
    for key in ("floor", "price_of_fairness", "total_without_floor", "widening_rounds", "priced"):
        if key in a.info:
            row[key] = a.info[key]
    return row


def child_peer_side(folder: str) -> dict[str, Any]:
    """crossmatch on the shared CSV: read, validate, score (civil-service scheme), match."""
    import crossmatch as cm
    from crossmatch.scoring.presets import civil_service_scheme

    t0 = time.perf_counter()
    mentees, mentors = read_people(Path(folder))
    config = civil_service_scheme(
        only_points=True, require_shared_slot=False, in_person_same_region=False
    )
    cohort = cm.Cohort.from_frames(mentees, mentors)
    t1 = time.perf_counter()
    scores = cm.score(cohort, config)
    t2 = time.perf_counter()
    a = cm.match(scores, per_mentee=3, waitlist=True)
    t3 = time.perf_counter()
    frame = a.to_frame().dropna(subset=["mentor_id"])
    most = most_points(scores, 3)
    return {
        "most_points_any_coverage": most[0],
        "coverage_at_most_points": most[1],
        "status": a.info["status"],
        "rounding_bound": a.info["rounding_bound"],
        "read_validate_s": t1 - t0,
        "score_s": t2 - t1,
        "match_s": t3 - t2,
        "peak_mb": _peak_mb(),
        "coverage": int(a.matched.sum()),
        "can_have_mentor": int((np.asarray(scores.eligible).sum(axis=1) > 0).sum()),
        "pairs": frame[["mentee_id", "mentor_id"]].astype(str).to_numpy().tolist(),
    }


def most_points(scores: Any, per_mentee: int) -> tuple[int, int]:
    """The most points any answer can have, whatever its coverage (a maximum-weight
    b-matching by one OR-Tools min-cost flow, on the scheme's integer points), and how
    many mentees that answer covers: what putting coverage first costs."""
    from ortools.graph.python import min_cost_flow

    ii, jj = np.nonzero(np.asarray(scores.eligible))
    points = np.rint(np.asarray(scores.components["civil_service"])[ii, jj] * 22).astype(np.int64)
    n, m = scores.shape
    src, snk = n + m, n + m + 1
    f = min_cost_flow.SimpleMinCostFlow()
    f.add_arcs_with_capacity_and_unit_cost(
        np.full(n, src), np.arange(n), np.full(n, per_mentee), np.zeros(n, np.int64)
    )
    arcs = f.add_arcs_with_capacity_and_unit_cost(ii, n + jj, np.ones(len(ii), np.int64), -points)
    f.add_arcs_with_capacity_and_unit_cost(
        n + np.arange(m), np.full(m, snk), scores.capacity.astype(np.int64), np.zeros(m, np.int64)
    )
    f.add_arc_with_capacity_and_unit_cost(src, snk, n * per_mentee, 0)
    f.set_nodes_supplies(np.array([src, snk]), np.array([n * per_mentee, -n * per_mentee]))
    if f.solve() != f.OPTIMAL:
        raise RuntimeError("max-points flow failed")
    used = f.flows(arcs) > 0
    return int(-f.optimal_cost()), len(np.unique(ii[used]))


def _child(args: list[str]) -> dict[str, Any]:
    """Run a row in a fresh interpreter; its JSON result."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "row.json"
        env = {**os.environ, **QUIET_ENV}
        subprocess.run(
            [sys.executable, __file__, "--child", *args, "--child-out", str(out)],
            check=True,
            env=env,
        )
        result: dict[str, Any] = json.loads(out.read_text())
        return result


# ---------------------------------------------------------------------------- rows
def peer_rows(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    n, m = PEER_SIZE if not args.quick else (200, 200)
    mentees, mentors = civil_service_people(n, m, seed=SEED)
    write_peer_csv(folder, mentees, mentors)
    mentees.to_csv(folder / "cm_mentees.csv", index=False)
    mentors.to_csv(folder / "cm_mentors.csv", index=False)
    ours = _child(["peer-side", str(folder)])
    out: dict[str, Any] = {
        "size": _fmt_size(n, m),
        "crossmatch": {k: v for k, v in ours.items() if k != "pairs"},
    }
    peer_python = args.peer_python
    if not peer_python or not Path(peer_python).exists():
        out["peer"] = None
        out["note"] = f"peer skipped: no interpreter at {peer_python!r} (see --peer-python)"
        return out
    if args.peer_results and Path(args.peer_results).exists():
        peer = json.loads(Path(args.peer_results).read_text())
        out["peer_source"] = f"saved run {args.peer_results}"
    else:
        saved = HERE / "results" / f"peer_mentor_match_{n}x{m}_seed{SEED}.json"
        peer = run_peer(peer_python, folder, saved)
        out["peer_source"] = f"run now (saved to {saved.name})"
    ours_pts = peer_points(peer_python, folder, ours["pairs"])
    peer_pts = peer_points(peer_python, folder, peer["pairs"])
    ours_s = ours["read_validate_s"] + ours["score_s"] + ours["match_s"]
    peer_matched = len({e for e, _ in peer["pairs"]})
    out["peer"] = {
        "seconds": peer["seconds"],
        "peak_mb": peer["peak_mb"],
        "coverage": peer_matched,
        "pairs": len(peer["pairs"]),
        "points": peer_pts["points"],
        "rules_broken": len(peer_pts["broken"]),
    }
    out["crossmatch"].update(
        {
            "seconds": ours_s,
            "pairs": len(ours["pairs"]),
            "points": ours_pts["points"],
            "rules_broken": len(ours_pts["broken"]),
        }
    )
    out["time_ratio"] = peer["seconds"] / ours_s
    out["time_ratio_match_only"] = peer["seconds"] / ours["match_s"]
    return out


def scale_rows(args: argparse.Namespace) -> list[dict[str, Any]]:
    plan = [
        (10_000, 2_000, "dense", "total", 3),
        (10_000, 2_000, "candidates", "total", 3),
        (100_000, 20_000, "candidates", "total", 3),
    ]
    if args.quick:
        plan = [(2_000, 400, "dense", "total", 3), (2_000, 400, "candidates", "total", 3)]
    rows = []
    for n, m, kind, objective, p in plan:
        print(f"  match {_fmt_size(n, m)} {kind} per_mentee={p} ...", flush=True)
        rows.append(_child(["scale", str(n), str(m), kind, objective, str(p)]))
    return rows


def maxmin_rows(args: argparse.Namespace) -> list[dict[str, Any]]:
    n, m = (10_000, 2_000) if not args.quick else (2_000, 400)
    print(f"  maxmin {_fmt_size(n, m)} ...", flush=True)
    return [_child(["scale", str(n), str(m), "dense", "maxmin", "1"])]


# ---------------------------------------------------------------------------- report
def print_tables(result: dict[str, Any]) -> None:
    rows = result.get("scale", []) + result.get("maxmin", [])
    if rows:
        head = (
            f"{'size':>15} {'scores':>10} {'objective':>9} {'p':>2} {'pairs in':>10} "
            f"{'score s':>8} {'match s':>8} {'peak MB':>8} {'coverage':>15} "
            f"{'with p':>8} {'total':>11} {'bound':>11}"
        )
        print(head)
        for r in rows:
            bound = "-" if r.get("bound") is None else f"{r['bound']:,.1f}"
            print(
                f"{r['size']:>15} {r['scores']:>10} {r['objective']:>9} {r['per_mentee']:>2} "
                f"{r['pairs_solved']:>10,} {_fmt_s(r['score_s']):>8} {_fmt_s(r['match_s']):>8} "
                f"{r['peak_mb']:>8.0f} {r['coverage']:>7,}/{r['n_mentees']:<7,} "
                f"{r['with_full_count']:>8,} {r['total']:>11,.1f} {bound:>11}"
            )
            if r.get("priced") is not None:
                proof = "optimal on the full matrix" if r["priced"] else "not proved"
                print(
                    f"{'':>15} candidates: {r['widening_rounds']} widening/pricing round(s); "
                    f"{proof}"
                )
            if "floor" in r:
                print(
                    f"{'':>15} maxmin floor {r['floor']:.4f}; price of fairness "
                    f"{r['price_of_fairness']:.3f} of {r['total_without_floor']:,.1f} "
                    f"({r['price_of_fairness'] / r['total_without_floor']:.3%})"
                )
    peer = result.get("peer")
    if peer:
        print()
        print(f"side by side with mentor-match 7.0.1 at {peer['size']} (civil-service rules)")
        if peer.get("peer") is None:
            print(f"  {peer['note']}")
            return
        c, p = peer["crossmatch"], peer["peer"]
        print(
            f"{'':>14} {'seconds':>9} {'peak MB':>8} {'matched':>8} {'pairs':>6} "
            f"{'points':>7} {'rules broken':>13}"
        )
        for name, r in (("mentor-match", p), ("crossmatch", c)):
            print(
                f"{name:>14} {_fmt_s(r['seconds']):>9} {r['peak_mb']:>8.0f} "
                f"{r['coverage']:>8} {r['pairs']:>6} {r['points']:>7} {r['rules_broken']:>13}"
            )
        print(
            f"  time ratio {peer['time_ratio']:.0f}x (read + validate + score + match; "
            f"{peer['time_ratio_match_only']:.0f}x on the matching step alone); "
            f"{c['can_have_mentor']} mentees can have a mentor, crossmatch matched "
            f"{c['coverage']}; peer: {peer['peer_source']}"
        )
        print(
            f"  crossmatch status {c['status']!r} (rounding bound {c['rounding_bound']:g}); "
            f"the most points of any answer: {c['most_points_any_coverage']} "
            f"(covering {c['coverage_at_most_points']} mentees)"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--peer-python", default=DEFAULT_PEER_PYTHON)
    ap.add_argument("--peer-results", default=None)
    ap.add_argument("--only", choices=["peer", "scale", "maxmin"], action="append")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        if kind == "scale":
            n, m, scores_kind, objective, p = rest
            row = child_scale(int(n), int(m), scores_kind, objective, int(p))
        else:
            row = child_peer_side(rest[0])
        args.child_out.write_text(json.dumps(plain(row)))
        return 0
    only = set(args.only or ["peer", "scale", "maxmin"])
    result: dict[str, Any] = {"machine": machine(), "seed": SEED}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if "peer" in only:
            print("  peer side by side ...", flush=True)
            result["peer"] = peer_rows(args, Path(tmp) / "people")
        if "scale" in only:
            result["scale"] = scale_rows(args)
        if "maxmin" in only:
            result["maxmin"] = maxmin_rows(args)
    args.out.write_text(json.dumps(plain(result), indent=1))
    print()
    print_tables(result)
    print(f"\nsaved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
