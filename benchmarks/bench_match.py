"""Direct-matching benchmark: ``crossmatch.match`` at scale, and side by side with ``mentor-match``.

Usage::

    python benchmarks/bench_match.py [--quick] [--out PATH]
        [--peer-python /work/peer-venv/bin/python] [--peer-sizes NxM ...]
        [--peer-seeds S ...] [--reuse-peer]
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
  synthetic people (one CSV pair both read), on several cohorts: seeds 0-4 at 1,000 +
  1,000 and at 500 + 500 people by default (``--peer-sizes``, ``--peer-seeds``). The peer
  runs in its own virtual environment, through ``benchmarks/_peer_mentor_match.py``;
  skipped with a note when ``--peer-python`` is absent. Its runs are saved per cohort in
  ``benchmarks/results/`` and ``--reuse-peer`` reuses them. Reported per cohort: both
  times and their ratio, rules broken by each answer, mentees matched (and how many could
  have a mentor at all), and the total points of both answers computed by the peer's own
  rules.

  The oracle: the peer lists every pair its rules allow, with its points (its own
  ``Match``); crossmatch's eligible pairs and points must be exactly that list (checked
  pair by pair), and SciPy's :func:`~scipy.optimize.milp` (HiGHS, relative gap 0) solves
  on it, with up to three mentors per mentee and three mentees per mentor: the most
  points when every mentee who can have a mentor has one (or, if that is impossible, as
  many as can), and the most points of any answer (then the most mentees such an answer
  can cover). When the peer's points exceed the first, no answer that matches everyone
  who can be matched reaches them: the table says so, cohort by cohort.

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


def peer_pair_list(peer_python: str, folder: Path) -> dict[str, Any]:
    """Every pair the peer's rules allow, with its points, by the peer's own ``Match``:
    ``{"mentees": [...], "mentors": [...], "pairs": [[i, j, points], ...]}`` (positions
    in the CSV files' order)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "pairs.json"
        subprocess.run(
            [peer_python, str(PEER_SCRIPT), "pairs", str(folder), str(out)],
            check=True,
            timeout=1800,
        )
        result: dict[str, Any] = json.loads(out.read_text())
        return result


def milp_oracle(
    ii: np.ndarray, jj: np.ndarray, points: np.ndarray, n: int, m: int, per_mentee: int = 3,
    capacity: int = 3,
) -> dict[str, Any]:  # fmt: skip
    """Independent optimum of the peer's problem by SciPy's :func:`~scipy.optimize.milp`
    (HiGHS, relative gap 0) on a pair list (mentee ``ii``, mentor ``jj``, integer
    ``points``): ``x_p`` in {0, 1} per pair (distinct mentors), at most ``per_mentee``
    pairs per mentee and ``capacity`` per mentor, and ``z_i`` in {0, 1} (mentee ``i``
    has a mentor: ``z_i <= sum_j x_ij``).

    - ``max_coverage``: the most mentees that can have a mentor at once (max sum z);
    - ``points_full_coverage``: the most points with that many mentees covered;
    - ``points_any_coverage``: the most points of any answer, and
      ``coverage_at_most_points`` the most mentees such an answer covers (one
      lexicographic MILP: points times ``n + 1`` plus coverage).

    Each figure carries HiGHS's status; points are integers, so "Optimal" with gap 0
    is a proof."""
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    P = len(ii)
    pts = np.asarray(points, np.float64)
    ones = np.ones(P)
    by_mentee = sparse.csr_matrix((ones, (ii, np.arange(P))), shape=(n, P))
    by_mentor = sparse.csr_matrix((ones, (jj, np.arange(P))), shape=(m, P))
    # variables [x (P), z (n)]; z_i - sum_j x_ij <= 0
    link = sparse.hstack([-by_mentee, sparse.identity(n)]).tocsr()
    base = [
        LinearConstraint(sparse.hstack([by_mentee, sparse.csr_matrix((n, n))]), 0, per_mentee),
        LinearConstraint(sparse.hstack([by_mentor, sparse.csr_matrix((m, n))]), 0, capacity),
        LinearConstraint(link, -np.inf, 0),
    ]
    cover_row = np.concatenate([np.zeros(P), np.ones(n)])
    integrality = np.ones(P + n)
    bounds = Bounds(0, 1)

    def solve(c: np.ndarray, extra: list[Any]) -> tuple[Any, float]:
        t0 = time.perf_counter()
        r = milp(c, constraints=base + extra, integrality=integrality, bounds=bounds,
                 options={"mip_rel_gap": 0.0})  # fmt: skip
        if r.status != 0:
            raise RuntimeError(f"MILP oracle: {r.message}")
        return r, time.perf_counter() - t0

    out: dict[str, Any] = {"pairs": P, "can_have_mentor": len(np.unique(ii))}
    r, sec = solve(-cover_row, [])
    cover = round(-r.fun)
    out.update(max_coverage=cover, max_coverage_s=sec)
    r, sec = solve(-np.concatenate([pts, np.zeros(n)]),
                   [LinearConstraint(cover_row[None, :], cover, np.inf)])  # fmt: skip
    x = r.x[:P] > 0.5
    out.update(points_full_coverage=round(-r.fun), points_full_coverage_s=sec,
               points_full_coverage_check=int(pts[x].sum()),
               covered_at_full=len(np.unique(ii[x])))  # fmt: skip
    r, sec = solve(-np.concatenate([pts * (n + 1), np.ones(n)]), [])
    x = r.x[:P] > 0.5
    out.update(points_any_coverage=int(pts[x].sum()), points_any_coverage_s=sec,
               coverage_at_most_points=len(np.unique(ii[x])))  # fmt: skip
    out["status"] = "optimal (HiGHS, gap 0)"
    return out


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
    # our eligible pairs and points (the scheme's points: the component times 22), for
    # the check against the peer's own pair list
    ii, jj = np.nonzero(np.asarray(scores.eligible))
    pts = np.asarray(scores.components["civil_service"], np.float64)[ii, jj] * 22.0
    np.savez(Path(folder) / "cm_pairs.npz", ii=ii, jj=jj, points=pts,
             total=np.asarray(scores.total, np.float64)[ii, jj])  # fmt: skip
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
PEER_SIZES = ("1000x1000", "500x500")
PEER_SEEDS = (0, 1, 2, 3, 4)
#: How far crossmatch's points (22 x a float32 component) may be from the peer's integers.
POINTS_TOL = 1e-4


def _size(text: str) -> tuple[int, int]:
    n, _, m = text.lower().partition("x")
    return int(n), int(m)


def same_pairs(ours_file: Path, peer_list: dict[str, Any], mentees: pd.DataFrame,
               mentors: pd.DataFrame) -> dict[str, Any]:  # fmt: skip
    """Whether crossmatch's eligible pairs and points are exactly the peer's (pair by
    pair; both in the CSV files' order, checked by id)."""
    ours = np.load(ours_file)
    if list(mentees["id"]) != peer_list["mentees"] or list(mentors["id"]) != peer_list["mentors"]:
        return {"same": False, "why": "the two sides read the people in different orders"}
    m = len(mentors)
    peer = np.asarray(peer_list["pairs"], np.int64).reshape(-1, 3)
    pk, ok = peer[:, 0] * m + peer[:, 1], ours["ii"].astype(np.int64) * m + ours["jj"]
    po, oo = np.argsort(pk), np.argsort(ok)
    out: dict[str, Any] = {"peer_pairs": len(pk), "our_pairs": len(ok)}
    if len(pk) != len(ok) or not np.array_equal(pk[po], ok[oo]):
        out.update(same=False, why="different eligible pairs",
                   only_peer=len(np.setdiff1d(pk, ok)),
                   only_ours=len(np.setdiff1d(ok, pk)))  # fmt: skip
        return out
    diff = np.abs(peer[po, 2] - ours["points"][oo])
    total_diff = np.abs(ours["total"] * 22.0 - ours["points"])
    # scores are stored as float32: 22 x a component is an integer to within ~4e-7
    out.update(same=bool(diff.max(initial=0) < POINTS_TOL),
               max_points_diff=float(diff.max(initial=0)),
               total_is_points_over_22=bool(total_diff.max(initial=0) < POINTS_TOL))  # fmt: skip
    if not out["same"]:
        out["why"] = "different points on some pairs"
    return out


def peer_cohort(args: argparse.Namespace, root: Path, n: int, m: int, seed: int) -> dict[str, Any]:
    """One cohort side by side: crossmatch, the peer, both answers' points by the peer's
    rules, the pair-list check and the MILP oracle."""
    folder = root / f"{n}x{m}_seed{seed}"
    mentees, mentors = civil_service_people(n, m, seed=seed)
    write_peer_csv(folder, mentees, mentors)
    mentees.to_csv(folder / "cm_mentees.csv", index=False)
    mentors.to_csv(folder / "cm_mentors.csv", index=False)
    ours = _child(["peer-side", str(folder)])
    out: dict[str, Any] = {
        "size": _fmt_size(n, m),
        "seed": seed,
        "crossmatch": {k: v for k, v in ours.items() if k != "pairs"},
    }
    peer_python = args.peer_python
    if not peer_python or not Path(peer_python).exists():
        out["peer"] = None
        out["note"] = f"peer skipped: no interpreter at {peer_python!r} (see --peer-python)"
        return out
    saved = HERE / "results" / f"peer_mentor_match_{n}x{m}_seed{seed}.json"
    if args.reuse_peer and saved.exists():
        peer = json.loads(saved.read_text())
        out["peer_source"] = f"saved run {saved.name}"
    else:
        saved.parent.mkdir(parents=True, exist_ok=True)
        peer = run_peer(peer_python, folder, saved)
        out["peer_source"] = f"run now (saved to {saved.name})"
    ours_pts = peer_points(peer_python, folder, ours["pairs"])
    peer_pts = peer_points(peer_python, folder, peer["pairs"])
    ours_s = ours["read_validate_s"] + ours["score_s"] + ours["match_s"]
    out["peer"] = {
        "seconds": peer["seconds"],
        "peak_mb": peer["peak_mb"],
        "coverage": len({e for e, _ in peer["pairs"]}),
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
    plist = peer_pair_list(peer_python, folder)
    out["pair_check"] = same_pairs(folder / "cm_pairs.npz", plist, mentees, mentors)
    tri = np.asarray(plist["pairs"], np.int64).reshape(-1, 3)
    out["oracle"] = milp_oracle(tri[:, 0], tri[:, 1], tri[:, 2], n, m)
    o, c, p = out["oracle"], out["crossmatch"], out["peer"]
    out["ours_ge_peer"] = c["points"] >= p["points"]
    out["ours_is_full_coverage_optimum"] = (
        c["coverage"] == o["max_coverage"] and c["points"] == o["points_full_coverage"]
    )
    out["peer_reachable_at_full_coverage"] = p["points"] <= o["points_full_coverage"]
    return out


def peer_rows(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """Every cohort of ``--peer-sizes`` x ``--peer-seeds``; the first is the headline."""
    sizes = args.peer_sizes or (["200x200"] if args.quick else list(PEER_SIZES))
    seeds = args.peer_seeds or ([0, 1] if args.quick else list(PEER_SEEDS))
    cohorts = []
    for size in sizes:
        n, m = _size(size)
        for seed in seeds:
            print(f"  peer cohort {_fmt_size(n, m)} seed {seed} ...", flush=True)
            cohorts.append(peer_cohort(args, folder, n, m, seed))
    return {**cohorts[0], "cohorts": cohorts}


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
            f"the most points of any answer (crossmatch's own flow): "
            f"{c['most_points_any_coverage']} (that answer covers {c['coverage_at_most_points']})"
        )
    cohorts = result.get("peer_cohorts") or []
    if cohorts and cohorts[0].get("peer"):
        print_cohorts(cohorts)


def print_cohorts(cohorts: list[dict[str, Any]]) -> None:
    """One line per cohort: both answers' points (by the peer's rules) beside the MILP
    oracle's optimum at full coverage and without it."""
    print()
    print("every cohort, points by the peer's own rules; MILP = SciPy milp (HiGHS, gap 0) on")
    print("the peer's own list of allowed pairs and points, 3 mentors per mentee, 3 mentees per")
    print("mentor; can: mentees with an allowed pair, max: the most covered at once (MILP);")
    print("full cov: max covered; (covers): the most mentees an answer of the most points covers")
    print(
        f"{'size':>10} {'seed':>4} {'can':>5} {'max':>5} | {'peer':>6} {'matched':>7} "
        f"{'peer s':>7} | "
        f"{'ours':>6} {'matched':>7} {'ours s':>6} {'ratio':>6} | {'MILP full cov':>13} "
        f"{'MILP any cov':>12} {'(covers)':>8} | {'ours>=peer':>10} {'peer at full cov':>16} "
        f"{'pairs same':>10}"
    )
    n_ge = 0
    for r in cohorts:
        c, p, o = r["crossmatch"], r["peer"], r["oracle"]
        n_ge += bool(r["ours_ge_peer"])
        reach = "reachable" if r["peer_reachable_at_full_coverage"] else "UNREACHABLE"
        print(
            f"{r['size']:>10} {r['seed']:>4} {o['can_have_mentor']:>5} {o['max_coverage']:>5} | "
            f"{p['points']:>6} "
            f"{p['coverage']:>7} {p['seconds']:>7.1f} | {c['points']:>6} {c['coverage']:>7} "
            f"{c['seconds']:>6.2f} {r['time_ratio']:>5.0f}x | {o['points_full_coverage']:>13} "
            f"{o['points_any_coverage']:>12} {o['coverage_at_most_points']:>8} | "
            f"{'yes' if r['ours_ge_peer'] else 'no':>10} {reach:>16} "
            f"{'yes' if r['pair_check'].get('same') else 'NO':>10}"
        )
    opt = sum(bool(r["ours_is_full_coverage_optimum"]) for r in cohorts)
    unreach = [r for r in cohorts if not r["peer_reachable_at_full_coverage"]]
    print(
        f"  crossmatch >= the peer's points on {n_ge} of {len(cohorts)} cohorts; crossmatch "
        f"equals the MILP optimum at full coverage (coverage and points) on {opt} of "
        f"{len(cohorts)}; on {len(unreach)} cohort(s) the peer's points exceed that optimum, "
        "so no answer that matches everyone who can be matched reaches them"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--peer-python", default=DEFAULT_PEER_PYTHON)
    ap.add_argument(
        "--peer-sizes", nargs="+", default=None, help="NxM cohorts (default 1000x1000 500x500)"
    )
    ap.add_argument("--peer-seeds", nargs="+", type=int, default=None, help="default 0 1 2 3 4")
    ap.add_argument(
        "--reuse-peer", action="store_true", help="reuse saved peer runs of the same cohort"
    )
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
            result["peer_cohorts"] = result["peer"].pop("cohorts")
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
