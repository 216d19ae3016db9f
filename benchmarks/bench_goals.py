"""The issue's performance goals, each measured in one command.

Usage::

    python benchmarks/bench_goals.py [--goal 1 2 3 4 5] [--quick] [--out PATH]
                                     [--budget-s S] [--report JSON [JSON ...]]
    python -m benchmarks            # the quick version (< 1 minute)
    python -m benchmarks --full     # the full sizes

Every goal runs in a fresh subprocess (so its peak memory is its own) on
``synthetic_cohort(n, m, seed=0, capacity=(4, 8))`` (skewed: popular mentors) with k = 5,
and yields rows of one table: goal, size, what, seconds, peak MB, objective, bound,
baseline (name), baseline objective, baseline seconds, ratio (baseline seconds / ours),
target, met.

1. 10,000 x 2,000 whole chain: :func:`crossmatch.score_candidates` (two threads) ->
   :func:`crossmatch.shortlist` (k=5, flow) -> :func:`crossmatch.simulate_choices` ->
   :func:`crossmatch.assign` (rank-maximal); median of 3 runs, < 5 s and < 1 GB. Beside
   it, the dense chain (:func:`crossmatch.score` -> the same stages), 1 run.
2. 100,000 x 20,000 (2e9 pairs) the same chain, 1 run, < 180 s and < 6 GB. The parent
   stops it after ``--budget-s`` (default 900 s); the child saves every stage as it
   finishes, so a stopped run still reports them. Baseline: the dense matrix, not run,
   with the memory it would need (n m (4 + 4 components + 1) bytes).
3. 10,000 x 2,000: the candidate answer against the dense optimum (the dense flow
   shortlist): relative gap <= 0.1 % and the candidate bound >= the dense objective (a
   valid upper bound for the unpruned problem); the relaxation values side by side.
4. a) 6,000 x 2,000, capacity 3: the maximum-total-score assignment over all eligible
   pairs, :func:`crossmatch.solve.network.max_assignment` against SciPy
   :func:`~scipy.optimize.linear_sum_assignment` on the capacity-expanded dense matrix,
   >= 5x and the same total (relative 1e-6).
   b) 10,000 x 2,000: the shortlist on candidates against the dense flow shortlist
   (the same run as goal 3), >= 10x with the same objective (within goal 3).
5. Scoring throughput of the full default score (every component, hard rules
   included): streamed candidates at 20,000 x 10,000 with two threads and with none, and
   the dense :func:`crossmatch.score` at 10,000 x 2,000, >= 100 million pairs/s. The
   baseline is the memory-bandwidth floor measured in the same run (best of 3 NumPy copies
   of a 512 MB float32 array, read + write bytes): the time to move each pair's output
   bytes once (streamed: 4 total + 1 flags; dense: 4 total + 4 per component + 1 flags).

``--quick`` runs small sizes (the whole thing in well under a minute); quick sizes do not
test the goals, they show the benchmark works. Peak memory is the child's resident-set
high-water mark (``VmHWM``, reset at every stage start; a row's peak is the largest of its
stages), absolute: it includes the interpreter, the libraries and the cohort.
``--report`` prints the combined table of saved JSON files (no run).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `_harness` beside this script
from _harness import (
    _fmt_s,
    _fmt_size,
    _mb,
    _status_kib,
    current_kib,
    hwm_kib,
    machine,
    plain,
    reset_peak,
)

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "results" / "goals.json"
K = 5
SEED = 0
CAPACITY = (4, 8)
QUIET_ENV = {"GLOG_minloglevel": "2", "ABSL_MIN_LOG_LEVEL": "2", "GLOG_logtostderr": "0"}

#: child name -> (full sizes, quick sizes); goal 4 runs "4a" and "3" (4b reuses goal 3)
SIZES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "1": ({"n": 10_000, "m": 2_000}, {"n": 2_000, "m": 400}),
    "2": ({"n": 100_000, "m": 20_000}, {"n": 10_000, "m": 2_000}),
    "3": ({"n": 10_000, "m": 2_000}, {"n": 2_000, "m": 400}),
    "4a": ({"n": 6_000, "m": 2_000}, {"n": 1_500, "m": 500}),
    "5": (
        {"n": 20_000, "m": 10_000, "dense_n": 10_000, "dense_m": 2_000},
        {"n": 5_000, "m": 2_000, "dense_n": 5_000, "dense_m": 2_000},
    ),
}
CHILD_ORDER = ["1", "3", "4a", "5", "2"]
RUNS_GOAL1 = 3
CHAIN_S = {"1": 5.0, "2": 180.0}
CHAIN_MB = {"1": 1024.0, "2": 6 * 1024.0}
GAP_PCT = 0.1
ASSIGN_RATIO = 5.0
SHORTLIST_RATIO = 10.0
PAIRS_PER_S = 1e8
REL_TOL = 1e-6


# ---------------------------------------------------------------------------- helpers
def _error(e: BaseException) -> str:
    text = str(e).strip().replace("\n", " ")
    return f"{type(e).__name__}: {text[:400]}"


class Rec:
    """Stage results of one child, saved (atomically) after every stage."""

    def __init__(self, path: Path, out: dict[str, Any]) -> None:
        self.path, self.out = path, out
        out.setdefault("stages", {})
        out.setdefault("rows", [])
        self.save()

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(plain(self.out)))
        os.replace(tmp, self.path)

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[dict[str, Any]]:
        gc.collect()
        st: dict[str, Any] = {"rss_before_mb": _mb(current_kib()), "peak_reset": reset_peak()}
        self.out["in_progress"] = {"stage": name, "started_unix": time.time()}
        self.save()
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            yield st
        except Exception as e:  # recorded; the caller decides whether to go on
            st["error"] = _error(e)
        st.setdefault("seconds", time.perf_counter() - t0)
        # CPU seconds of every thread of the process: less sensitive to a shared machine
        st.setdefault("cpu_seconds", time.process_time() - c0)
        st["peak_mb"] = _mb(hwm_kib())
        self.out["stages"][name] = st
        self.out.pop("in_progress", None)
        self.out["peak_mb"] = max(self.out.get("peak_mb", 0.0), st["peak_mb"])
        self.save()

    def row(self, **row: Any) -> None:
        self.out["rows"].append(row)
        self.save()


def _cohort(rec: Rec, n: int, m: int, capacity: tuple[int, int] = CAPACITY) -> Any:
    import crossmatch as cm

    with rec.stage("cohort") as st:
        cohort = cm.Cohort.from_frames(*cm.synthetic_cohort(n, m, seed=SEED, capacity=capacity))
        st["total_capacity"] = int(cohort.capacity.sum())
    return cohort


def _score_candidates(cohort: Any, threads: int = 2) -> Any:
    from concurrent.futures import ThreadPoolExecutor

    import crossmatch as cm

    if threads <= 1:
        return cm.score_candidates(cohort, progress=False)
    with ThreadPoolExecutor(threads) as ex:
        return cm.score_candidates(cohort, executor=ex, progress=False)


@contextlib.contextmanager
def _every_pair(on: bool = True) -> Iterator[None]:
    """Dense scores solved on every eligible pair (the baselines), not on candidate pairs
    as ``shortlist`` does for large dense problems since issue 11."""
    import importlib

    colgen = importlib.import_module("crossmatch.solve.colgen")
    saved = colgen.CANDIDATE_PAIRS
    if on:
        colgen.CANDIDATE_PAIRS = 1 << 62
    try:
        yield
    finally:
        colgen.CANDIDATE_PAIRS = saved


def _sl_facts(sl: Any) -> dict[str, Any]:
    info = dict(sl.info)
    rounds = info.pop("pricing_rounds", None)
    if rounds is not None:
        info["pricing_rounds_n"] = len(rounds)
        info["pricing_rounds"] = rounds[:10]
    return {
        "objective": float(sl.objective),
        "bound": float(sl.bound),
        "gap": float(sl.gap),
        "status": sl.status,
        "lengths_min": int(sl.lengths().min()),
        "info": info,
    }


def chain(rec: Rec, cohort: Any, prefix: str, dense: bool) -> dict[str, Any]:
    """score -> shortlist (flow) -> simulate_choices -> assign (rank-maximal)."""
    from concurrent.futures import ThreadPoolExecutor

    import crossmatch as cm

    names = [prefix + s for s in ("score", "shortlist", "choices", "assign")]
    res: dict[str, Any] = {"stages": names}
    with rec.stage(names[0]) as st:
        sc = cm.score(cohort) if dense else _score_candidates(cohort)
        st["pairs"] = int(sc.n_mentees * sc.n_mentors) if dense else int(sc.n_pairs)
    if "error" in st:
        return res
    with rec.stage(names[1]) as st, ThreadPoolExecutor(2) as ex:
        # on candidates the pricing and widening passes stream too: both cores
        with _every_pair(dense):  # the dense baseline: one flow on every pair, as before
            sl = cm.shortlist(sc, k=K, method="flow", executor=None if dense else ex)
        st.update(_sl_facts(sl))
    del sc
    if "error" in st:
        return res
    with rec.stage(names[2]) as st:
        choices = cm.simulate_choices(sl, seed=SEED)
        st["rows"] = len(choices)
    if "error" in st:
        return res
    with rec.stage(names[3]) as st:
        a = cm.assign(sl, choices, method="rank-maximal")
        st.update(matched=int(a.matched.sum()), n=len(a.mentor), total_score=a.total_score)
    res["done"] = "error" not in st
    return res


def _chain_sum(rec: Rec, names: list[str]) -> tuple[float, float]:
    stages = [rec.out["stages"][s] for s in names if s in rec.out["stages"]]
    return sum(s["seconds"] for s in stages), max((s["peak_mb"] for s in stages), default=0.0)


def _stage_text(rec: Rec, names: list[str]) -> str:
    bits = []
    for s in names:
        st = rec.out["stages"].get(s)
        if st is not None:
            bits.append(f"{s.split(' ')[-1]} {st['seconds']:.2f} s")
    return ", ".join(bits)


def _cpu(st: dict[str, Any]) -> float:
    """A stage's CPU seconds (NaN in results saved before they were recorded)."""
    return float(st.get("cpu_seconds", math.nan))


def _yes(ok: bool) -> str:
    return "yes" if ok else "no"


# ---------------------------------------------------------------------------- goals
def goal_1(rec: Rec, n: int, m: int) -> None:
    cohort = _cohort(rec, n, m)
    runs = []
    for r in range(RUNS_GOAL1):
        res = chain(rec, cohort, f"run{r + 1} ", dense=False)
        if not res.get("done"):
            break
        runs.append(_chain_sum(rec, res["stages"]))
    if not runs:
        rec.row(
            goal="1",
            size=_fmt_size(n, m),
            what="chain (candidates)",
            met="no",
            detail="chain failed: see JSON",
        )
        return
    secs = [s for s, _ in runs]
    med = statistics.median(secs)
    peak = max(p for _, p in runs)
    sl = rec.out["stages"]["run1 shortlist"]
    dense = chain(rec, cohort, "dense ", dense=True)
    d_s, d_peak = _chain_sum(rec, dense["stages"]) if dense.get("done") else (None, None)
    d_obj = rec.out["stages"].get("dense shortlist", {}).get("objective")
    rec.out["goal1"] = {
        "seconds_runs": secs,
        "median_s": med,
        "dense_chain_s": d_s,
        "dense_chain_peak_mb": d_peak,
    }
    ok = med < CHAIN_S["1"] and peak < CHAIN_MB["1"]
    stage_med = {
        part: statistics.median(
            rec.out["stages"][f"run{r + 1} {part}"]["seconds"] for r in range(len(runs))
        )
        for part in ("score", "shortlist", "choices", "assign")
    }
    rec.out["goal1"]["stage_median_s"] = stage_med
    rec.row(
        goal="1",
        size=_fmt_size(n, m),
        what=f"chain, candidates (median of {len(runs)})",
        seconds=med,
        peak_mb=peak,
        objective=sl["objective"],
        bound=sl["bound"],
        baseline="dense chain",
        baseline_obj=d_obj,
        baseline_s=d_s,
        ratio=(d_s / med) if d_s else None,
        target="< 5 s, < 1024 MB",
        met=_yes(ok),
        detail=f"runs {', '.join(f'{s:.2f}' for s in secs)} s; stage medians "
        + ", ".join(f"{k} {v:.2f} s" for k, v in stage_med.items())
        + f"; {sl['info'].get('candidate_pairs', 0):,} candidate pairs; dense chain "
        + (f"peak {d_peak:,.0f} MB ({_stage_text(rec, dense['stages'])})" if d_s else "failed"),
    )


def goal_2(rec: Rec, n: int, m: int) -> None:
    import crossmatch as cm

    cohort = _cohort(rec, n, m)
    with rec.stage("probe") as st:  # how many components the full dense result would hold
        small = cm.synthetic_cohort(50, 20, seed=SEED, capacity=CAPACITY)
        n_comp = len(cm.score(cm.Cohort.from_frames(*small)).components)
    if "error" in st:
        n_comp = 0
    dense_gb = n * m * (4 + 4 * n_comp + 1) / 1e9
    rec.out["dense_gb"] = dense_gb
    rec.out["components"] = n_comp
    res = chain(rec, cohort, "", dense=False)
    secs, peak = _chain_sum(rec, res["stages"])
    sl = rec.out["stages"].get("shortlist", {})
    ok = bool(res.get("done")) and secs < CHAIN_S["2"] and peak < CHAIN_MB["2"]
    rec.row(
        goal="2",
        size=_fmt_size(n, m),
        what="chain, candidates",
        seconds=secs,
        peak_mb=peak,
        objective=sl.get("objective"),
        bound=sl.get("bound"),
        baseline=f"dense matrix: {dense_gb:,.1f} GB (not run)",
        target="< 180 s, < 6144 MB",
        met=_yes(ok),
        detail=_stage_text(rec, res["stages"])
        + f"; {sl.get('info', {}).get('candidate_pairs', 0):,} candidate pairs of "
        f"{n * m:,}; status {sl.get('status')}, widened {sl.get('info', {}).get('widened')}",
    )


def goal_3(rec: Rec, n: int, m: int) -> None:
    """Goal 3 and goal 4b: dense flow shortlist against the candidate shortlist."""
    from concurrent.futures import ThreadPoolExecutor

    import crossmatch as cm

    cohort = _cohort(rec, n, m)
    with rec.stage("dense score") as st:
        scores = cm.score(cohort)
    with rec.stage("dense shortlist") as st:
        with _every_pair():  # the baseline: the dense path, one flow on every pair
            st.update(_sl_facts(cm.shortlist(scores, k=K, method="flow")))
    del scores
    with rec.stage("candidates score") as st:
        cands = _score_candidates(cohort)
        st["pairs"] = int(cands.n_pairs)
    with rec.stage("candidates shortlist") as st, ThreadPoolExecutor(2) as ex:
        # as in the chain: the streamed pricing passes use both cores (the dense flow
        # has no streamed pass; OR-Tools solves on one core either way)
        st.update(_sl_facts(cm.shortlist(cands, k=K, method="flow", executor=ex)))
    with rec.stage("candidates shortlist, one thread") as st:
        st.update(_sl_facts(cm.shortlist(cands, k=K, method="flow")))
    del cands
    S = rec.out["stages"]
    d, c = S["dense shortlist"], S["candidates shortlist"]
    size = _fmt_size(n, m)
    if "error" in d or "error" in c:
        rec.row(
            goal="3",
            size=size,
            what="candidates vs dense optimum",
            met="no",
            detail=f"dense: {d.get('error', 'ok')}; candidates: {c.get('error', 'ok')}",
        )
        return
    gap_pct = 100.0 * (d["objective"] - c["objective"]) / abs(d["objective"])
    valid = c["bound"] >= d["objective"] * (1 - 1e-12)
    feasible = c["lengths_min"] >= K
    ok3 = gap_pct <= GAP_PCT and valid and feasible
    rec.out["goal3"] = {"gap_pct": gap_pct, "bound_valid": valid, "feasible": feasible}
    d_rel = d["info"].get("relaxation_bound")
    c_rel = c["info"].get("relaxation_bound")
    rec.row(
        goal="3",
        size=size,
        what="candidate answer vs dense optimum",
        seconds=S["candidates score"]["seconds"] + c["seconds"],
        peak_mb=max(S["candidates score"]["peak_mb"], c["peak_mb"]),
        objective=c["objective"],
        bound=c["bound"],
        baseline="dense flow shortlist",
        baseline_obj=d["objective"],
        baseline_s=S["dense score"]["seconds"] + d["seconds"],
        ratio=(S["dense score"]["seconds"] + d["seconds"])
        / (S["candidates score"]["seconds"] + c["seconds"]),
        target="gap <= 0.1%, bound >= dense obj",
        met=_yes(ok3),
        detail=f"gap {gap_pct:.2e} % (negative: the candidate answer is better; neither "
        f"flow answer is proved optimal); candidate certified gap (bound - objective) / bound "
        f"{100 * (c['bound'] - c['objective']) / abs(c['bound']):.3f} %; "
        f"candidate bound - dense objective = "
        f"{c['bound'] - d['objective']:.3g} ({'valid' if valid else 'INVALID'}); "
        f"shortest list {c['lengths_min']} (k={K}); widened {c['info'].get('widened')}, "
        f"pricing rounds {c['info'].get('pricing_rounds_n')}; {S['candidates score']['pairs']:,} "
        f"candidate pairs of {n * m:,}; status candidates {c['status']}, dense {d['status']}",
    )
    rec.row(
        goal="3",
        size=size,
        what="relaxation values (flow LP)",
        objective=c_rel,
        bound=c["info"].get("pruned_bound"),
        baseline="dense relaxation bound",
        baseline_obj=d_rel,
        detail="objective: the candidate relaxation bound (info relaxation_bound); bound: "
        "info pruned_bound; baseline: the dense info relaxation_bound; relative difference "
        + (f"{(d_rel - c_rel) / abs(d_rel):.2e}" if d_rel and c_rel else "-"),
    )
    same = abs(gap_pct) <= GAP_PCT

    def vs_dense(what: str, st: dict[str, Any], **more: Any) -> None:
        rec.row(goal="4b", size=size, what=what, seconds=st["seconds"],
                peak_mb=st["peak_mb"], objective=st["objective"], bound=st["bound"],
                baseline="dense shortlist (flow)", baseline_obj=d["objective"],
                baseline_s=d["seconds"], ratio=d["seconds"] / st["seconds"], **more)  # fmt: skip

    vs_dense(
        "shortlist: candidates vs dense flow",
        c,
        target=">= 10x, same objective",
        met=_yes(d["seconds"] / c["seconds"] >= SHORTLIST_RATIO and same),
        detail=f"objective rel diff {gap_pct / 100:.2e}; dense shortlist peak "
        f"{d['peak_mb']:,.0f} MB; pricing passes on a 2-thread executor (as in the chain); "
        f"CPU seconds (all threads) {_cpu(c):.3f} vs dense {_cpu(d):.2f}: "
        f"{_cpu(d) / _cpu(c):.1f}x; status "
        f"{c['status']}, pricing rounds {c['info'].get('pricing_rounds_n')}",
    )
    one = S.get("candidates shortlist, one thread", {})
    if "seconds" in one and "error" not in one:
        vs_dense(
            "shortlist: candidates (one thread) vs dense flow",
            one,
            target="(context)",
            met="-",
            detail="the same shortlist without an executor; same answer: "
            + _yes(one["objective"] == c["objective"] and one["bound"] == c["bound"])
            + f"; CPU {_cpu(one):.3f} s: {_cpu(d) / _cpu(one):.1f}x",
        )
    cs = S["candidates score"]["seconds"] + c["seconds"]
    ds = S["dense score"]["seconds"] + d["seconds"]
    rec.row(
        goal="4b",
        size=size,
        what="score + shortlist: candidates vs dense",
        seconds=cs,
        peak_mb=max(S["candidates score"]["peak_mb"], c["peak_mb"]),
        objective=c["objective"],
        bound=c["bound"],
        baseline="dense score + shortlist",
        baseline_obj=d["objective"],
        baseline_s=ds,
        ratio=ds / cs,
        target="(context)",
        met="-",
        detail=f"score_candidates {S['candidates score']['seconds']:.2f} s, dense score "
        f"{S['dense score']['seconds']:.2f} s",
    )


def goal_4a(rec: Rec, n: int, m: int) -> None:
    import numpy as np

    import crossmatch as cm
    from crossmatch.solve import network as flow
    from crossmatch.solve.instance import Instance
    from crossmatch.solve.options import ShortlistOptions

    cohort = _cohort(rec, n, m, capacity=(3, 3))
    with rec.stage("dense score"):
        scores = cm.score(cohort)
    with rec.stage("crossmatch prep") as st:
        p = Instance.build(scores, ShortlistOptions(k=1))
        weights = p.weights()
        st["pairs"] = int(p.n_pairs)
    with rec.stage("crossmatch max_assignment") as st:
        res = flow.max_assignment(p, p.capacity, weights=weights)
    ours = float(p.ps[res.pair_used].sum())
    ours_matched = int(res.matched.sum())
    del p, weights, res
    with rec.stage("scipy build") as st:
        cap = np.asarray(scores.capacity, dtype=np.int64)
        total = np.asarray(scores.total, dtype=np.float64)
        elig = np.asarray(scores.eligible, dtype=bool)
        span = float(np.ptp(total[elig])) if elig.any() else 1.0
        big = max(1e6, 10.0 * (n + 1) * (span + float(np.abs(total[elig]).max())))
        mat = np.repeat(np.where(elig, -total, big), cap, axis=1)
        del total, elig
        st["matrix"] = f"{mat.shape[0]:,} x {mat.shape[1]:,} float64 = {mat.nbytes / 1e9:.2f} GB"
    from scipy.optimize import linear_sum_assignment

    with rec.stage("scipy linear_sum_assignment") as st:
        ri, ci = linear_sum_assignment(mat)
    chosen = mat[ri, ci]
    theirs = float(-chosen[chosen < big].sum())
    their_matched = int((chosen < big).sum())
    del mat, chosen
    S = rec.out["stages"]
    ours_s, sp_s = (
        S["crossmatch max_assignment"]["seconds"],
        S["scipy linear_sum_assignment"]["seconds"],
    )
    rel = abs(ours - theirs) / max(1.0, abs(theirs))
    same = rel <= REL_TOL and ours_matched == their_matched
    rec.out["goal4a"] = {
        "ours_total": ours,
        "scipy_total": theirs,
        "rel_diff": rel,
        "ours_matched": ours_matched,
        "scipy_matched": their_matched,
    }
    size = _fmt_size(n, m) + " cap 3"
    rec.row(
        goal="4a",
        size=size,
        what="max-score assignment: flow vs SciPy LSA",
        seconds=ours_s,
        peak_mb=S["crossmatch max_assignment"]["peak_mb"],
        objective=ours,
        baseline="SciPy linear_sum_assignment",
        baseline_obj=theirs,
        baseline_s=sp_s,
        ratio=sp_s / ours_s,
        target=">= 5x, same objective",
        met=_yes(sp_s / ours_s >= ASSIGN_RATIO and same),
        detail=f"totals rel diff {rel:.1e} ({'agree' if same else 'DIFFER'}); matched "
        f"{ours_matched:,} / {their_matched:,}; {S['crossmatch prep']['pairs']:,} eligible "
        f"pairs; SciPy matrix {S['scipy build']['matrix']}, peak "
        f"{S['scipy linear_sum_assignment']['peak_mb']:,.0f} MB",
    )
    prep = S["crossmatch prep"]["seconds"] + ours_s
    build = S["scipy build"]["seconds"] + sp_s
    rec.row(
        goal="4a",
        size=size,
        what="the same, with problem / matrix build",
        seconds=prep,
        peak_mb=max(S["crossmatch prep"]["peak_mb"], S["crossmatch max_assignment"]["peak_mb"]),
        objective=ours,
        baseline="SciPy build + LSA",
        baseline_obj=theirs,
        baseline_s=build,
        ratio=build / prep,
        target=">= 5x, same objective",
        met=_yes(build / prep >= ASSIGN_RATIO and same),
        detail=f"Problem.build + scaled {S['crossmatch prep']['seconds']:.2f} s; expanded "
        f"matrix build {S['scipy build']['seconds']:.2f} s",
    )


def goal_5(rec: Rec, n: int, m: int, dense_n: int, dense_m: int) -> None:
    import numpy as np

    import crossmatch as cm

    with rec.stage("bandwidth") as st:
        a = np.ones(128 * 1024 * 1024, dtype=np.float32)  # 512 MB
        b = np.empty_like(a)
        best = math.inf
        for _ in range(3):
            t = time.perf_counter()
            np.copyto(b, a)
            best = min(best, time.perf_counter() - t)
        st["copy_s"] = best
        st["gb_per_s"] = 2 * a.nbytes / best / 1e9  # read + write
        del a, b
    bw = rec.out["stages"]["bandwidth"]["gb_per_s"] * 1e9
    small = cm.Cohort.from_frames(*cm.synthetic_cohort(500, 200, seed=SEED, capacity=CAPACITY))
    _score_candidates(small), _score_candidates(small, 1), cm.score(small)  # warm-up
    n_comp = len(cm.score(small).components)
    cohort = _cohort(rec, n, m)
    from concurrent.futures import ThreadPoolExecutor

    from crossmatch.scoring.components import Kernels

    kernels = Kernels(cohort, cm.ScoringConfig())
    step = max(1, (1 << 18) // m)
    blocks = [slice(a, min(a + step, n)) for a in range(0, n, step)]
    for threads in (2, 1):
        # the full default score (every component and hard rule) of all n x m pairs,
        # block by block as score() and score_candidates() compute it, none of it kept
        name = f"full score blocks {threads} thread" + ("s" if threads > 1 else "")
        with rec.stage(name), ThreadPoolExecutor(threads) as ex:
            for _ in ex.map(kernels.block, blocks):
                pass
        _throughput_row(rec, name, n, m, 4 + 4 * n_comp + 1, bw,
                        f"4 total + 4 x {n_comp} components + 1 flags")  # fmt: skip
    for threads in (2, 1):
        name = f"score_candidates {threads} thread" + ("s" if threads > 1 else "")
        with rec.stage(name) as st:
            c = _score_candidates(cohort, threads)
            st["candidate_pairs"] = int(c.n_pairs)
        del c
        _throughput_row(rec, name, n, m, 5, bw, "4 total + 1 flags")
    del cohort
    rec.out["stages"]["cohort stream"] = rec.out["stages"].pop("cohort")
    cohort = _cohort(rec, dense_n, dense_m)
    with rec.stage("dense score") as st:
        s = cm.score(cohort)
        st["components"] = len(s.components)
    del s
    per = 4 + 4 * n_comp + 1
    _throughput_row(
        rec,
        "dense score",
        dense_n,
        dense_m,
        per,
        bw,
        f"4 total + 4 x {n_comp} components + 1 flags",
    )


def _throughput_row(
    rec: Rec, name: str, n: int, m: int, per_pair: int, bw: float, bytes_text: str
) -> None:
    st = rec.out["stages"][name]
    pairs = n * m
    rate = pairs / st["seconds"]
    floor_s = pairs * per_pair / bw
    st.update(pairs_per_s=rate, floor_pairs_per_s=bw / per_pair, bytes_per_pair=per_pair)
    rec.row(
        goal="5",
        size=_fmt_size(n, m),
        what=f"{name}: {rate / 1e6:,.0f}M pairs/s",
        seconds=st["seconds"],
        peak_mb=st["peak_mb"],
        baseline=f"bandwidth floor {bw / 1e9:.1f} GB/s",
        baseline_s=floor_s,
        ratio=floor_s / st["seconds"],
        target=">= 100M pairs/s",
        met=_yes(rate >= PAIRS_PER_S),
        detail=f"floor {bw / per_pair / 1e6:,.0f}M pairs/s "
        f"({per_pair} B/pair: {bytes_text})" + ("" if "error" not in st else f"; {st['error']}"),
    )


def child(name: str, path: Path, quick: bool) -> None:
    sizes = SIZES[name][1 if quick else 0]
    out: dict[str, Any] = {"child": name, "sizes": sizes, "rss_after_imports_mb": 0.0}
    import crossmatch  # noqa: F401

    out["rss_after_imports_mb"] = _mb(current_kib())
    out["loadavg_start"] = os.getloadavg()  # other processes on the machine skew timings
    rec = Rec(path, out)
    {"1": goal_1, "2": goal_2, "3": goal_3, "4a": goal_4a, "5": goal_5}[name](rec, **sizes)
    out["finished"] = True
    out["loadavg_end"] = os.getloadavg()
    rec.save()


# ---------------------------------------------------------------------------- parent
def run_child(name: str, quick: bool, timeout_s: float, mem_limit_gb: float) -> dict[str, Any]:
    """One goal in a fresh process; stopped on timeout or above the memory limit."""
    fd, tmp = tempfile.mkstemp(prefix=f"bench_goal_{name}_", suffix=".json")
    os.close(fd)
    path = Path(tmp)
    errlog = tempfile.TemporaryFile(mode="w+")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name, str(path)]
    cmd += ["--quick"] if quick else []
    t = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=errlog, env={**os.environ, **QUIET_ENV}
    )
    stopped, max_seen = None, 0
    while proc.poll() is None:
        rss = _status_kib("VmRSS", proc.pid) or 0
        max_seen = max(max_seen, rss)
        if rss > mem_limit_gb * 1024 * 1024:
            stopped = f"stopped: resident set {_mb(rss) / 1024:.1f} GB > {mem_limit_gb:g} GB"
        elif time.perf_counter() - t > timeout_s:
            stopped = f"stopped: wall budget of {timeout_s:.0f} s exceeded"
        if stopped:
            proc.kill()
            proc.wait()
            break
        time.sleep(0.1)
    wall = time.perf_counter() - t
    try:
        result = json.loads(path.read_text())
    except (OSError, ValueError):
        result = {"child": name, "stages": {}, "rows": []}
    finally:
        path.unlink(missing_ok=True)
        path.with_suffix(".tmp").unlink(missing_ok=True)
    result["wall_s"] = wall
    result["parent_sampled_max_rss_mb"] = _mb(max_seen)
    ip = result.get("in_progress")
    where = ""
    if ip:
        result["stopped_stage"] = ip["stage"]
        where = f" during '{ip['stage']}' (after {time.time() - ip['started_unix']:.0f} s in it)"
    if stopped:
        result["error"] = stopped + where
    elif proc.returncode != 0:
        errlog.seek(0)
        lines = [ln for ln in errlog.read().splitlines() if ln.strip()]
        result["error"] = f"child exited with {proc.returncode}{where}: " + " | ".join(lines[-3:])
    errlog.close()
    if "error" in result:
        sizes = SIZES[name][1 if quick else 0]
        done = {k: round(v["seconds"], 2) for k, v in result.get("stages", {}).items()}
        result["rows"].append(
            {
                "goal": name,
                "size": _fmt_size(sizes["n"], sizes["m"]),
                "what": "STOPPED" if stopped else "FAILED",
                "seconds": wall,
                "peak_mb": _mb(max_seen),
                "met": "no",
                "detail": f"{result['error']}; finished stages (s): {done}",
            }
        )
    return result


# ---------------------------------------------------------------------------- report
HEAD = [
    "goal",
    "size",
    "what",
    "seconds",
    "peak MB",
    "objective",
    "bound",
    "baseline",
    "baseline obj",
    "baseline s",
    "ratio",
    "target",
    "met",
]


def _num(x: Any, digits: int = 3) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def table(rows: list[dict[str, Any]]) -> str:
    body = [HEAD]
    for r in rows:
        ratio = r.get("ratio")
        body.append(
            [
                r["goal"],
                r.get("size", ""),
                r.get("what", ""),
                _fmt_s(r.get("seconds")),
                _num(r.get("peak_mb"), 0),
                _num(r.get("objective")),
                _num(r.get("bound")),
                r.get("baseline", "-"),
                _num(r.get("baseline_obj")),
                _fmt_s(r.get("baseline_s")),
                "-" if ratio is None else (f"{ratio:.1f}x" if ratio >= 1 else f"{ratio:.2g}x"),
                r.get("target", "-"),
                r.get("met", "-"),
            ]
        )
    widths = [max(len(row[c]) for row in body) for c in range(len(HEAD))]
    left = {0, 1, 2, 7, 11, 12}
    lines = []
    for k, row in enumerate(body):
        cells = [
            cell.ljust(w) if c in left else cell.rjust(w)
            for c, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("| " + " | ".join(cells) + " |")
        if k == 0:
            lines.append(
                "|"
                + "|".join(
                    ("-" * (w + 1) + ":") if c not in left else ("-" * (w + 2))
                    for c, w in enumerate(widths)
                )
                + "|"
            )
    return "\n".join(lines)


def _goal_key(g: str) -> tuple[int, str]:
    return int(g[0]), g[1:]


def all_rows(results: list[dict[str, Any]], goals: set[str]) -> list[dict[str, Any]]:
    rows = [r for res in results for r in res.get("rows", []) if r["goal"][0] in goals]
    return sorted(rows, key=lambda r: _goal_key(r["goal"]))


def print_report(rows: list[dict[str, Any]], header: str = "") -> str:
    text = table(rows)
    notes = [
        f"- goal {r['goal']} {r.get('what', '')}: {r['detail']}" for r in rows if r.get("detail")
    ]
    if header:
        print(header)
    print(text)
    print()
    print("\n".join(notes))
    return text + "\n\n" + "\n".join(notes)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--goal",
        nargs="+",
        default=["1", "2", "3", "4", "5"],
        choices=["1", "2", "3", "4", "5"],
        help="goals to run (default: all)",
    )
    p.add_argument("--quick", action="store_true", help="small sizes (< 60 s in all)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results path")
    p.add_argument("--budget-s", type=float, default=900.0, help="goal 2 wall budget (s)")
    p.add_argument("--timeout-s", type=float, default=3600.0, help="other goals' budget (s)")
    p.add_argument("--mem-limit-gb", type=float, default=16.0, help="stop a child above this")
    p.add_argument("--report", nargs="+", type=Path, help="print the table of saved JSON files")
    p.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    a = p.parse_args(argv)

    if a.child:
        child(a.child[0], Path(a.child[1]), a.quick)
        return 0

    if a.report:
        payloads = [json.loads(f.read_text()) for f in a.report]
        rows = sorted(
            (r for pl in payloads for r in pl["rows"]), key=lambda r: _goal_key(r["goal"])
        )
        mach = payloads[0]["machine"]
        print(
            f"{', '.join(pl['created'] for pl in payloads)}; {mach['processor']}, "
            f"{mach['cpu_count']} cpus; {mach['platform']}; python {mach['python']}, numpy "
            f"{mach['numpy']}, crossmatch {mach['crossmatch']}\n"
        )
        print_report(rows)
        return 0

    goals = set(a.goal)
    names = [c for c in CHILD_ORDER if c[0] in goals or (c == "3" and "4" in goals)]
    t0 = time.perf_counter()
    results = []
    for name in names:
        print(f"goal {name} ...", flush=True)
        budget = a.budget_s if name == "2" else a.timeout_s
        r = run_child(name, a.quick, budget, a.mem_limit_gb)
        load = r.get("loadavg_start", [None])[0]
        print(
            f"  {r.get('error') or 'done'} in {r['wall_s']:.1f} s (load average at start {load})",
            flush=True,
        )
        results.append(r)
    rows = all_rows(results, goals)
    total = time.perf_counter() - t0
    print()
    text = print_report(rows)
    print(f"\ntotal {total:.1f} s")
    payload = {
        "benchmark": "goals",
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": a.quick,
        "goals": sorted(goals),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(),
        "settings": {
            "seed": SEED,
            "capacity": list(CAPACITY),
            "k": K,
            "budget_s": a.budget_s,
            "sizes": {k: v[1 if a.quick else 0] for k, v in SIZES.items()},
        },
        "rows": rows,
        "results": results,
        "table": text,
        "total_wall_s": total,
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(plain(payload), indent=2) + "\n")
    print(f"wrote {a.out}")
    return 0 if all("error" not in r for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
