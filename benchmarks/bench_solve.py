"""Solve benchmark: scoring, shortlists, simulated choices and assignment at three sizes.

Usage::

    python benchmarks/bench_solve.py [--quick] [--out PATH] [--time-limit S] [--top-m M]

Every size (1,000 x 300, 10,000 x 2,000 and 50,000 x 10,000 mentees x mentors) runs in a
fresh subprocess on ``synthetic_cohort(n, m, seed=0, capacity=(4, 8))`` (total capacity
exceeds the mentees), with k = 5. Stages, in this order:

- ``score``: :func:`crossmatch.score` (dense). For 50,000 x 10,000 the dense result needs
  more than 10 GB, so :func:`crossmatch.iter_score_blocks` (``block_rows=64``) is streamed
  instead, each mentee keeps its top-``M`` (default 60) eligible mentors by total, and
  :meth:`crossmatch.Scores.from_frame` builds the scores of that long table (capacity
  from the cohort, every mentor id). Everything downstream of it solves the *pruned*
  candidate set: its objectives and bounds are not those of the full problem. If that
  set holds no complete assignment (both shortlist methods raise InfeasibleError), the
  size is run again as variant "(b)": each mentee's top-M UNION each mentor's top-T
  (``--mentor-top``, default 100) eligible mentees, streamed in the same pass.
- ``shortlist flow`` and ``shortlist auto`` (``time_limit`` 60 s): objective, bound, gap,
  status, the method used and the solver info (``lp_rounds`` etc. when the exact stage
  ran; whether the time limit was hit).
- ``choices``: :func:`crossmatch.simulate_choices` (seed 0) on the auto shortlists.
- ``assign``: ``stable`` and ``rank-maximal`` (signature, first-choice share, total score).
- ``max-score``: the best-total assignment on the same shortlist pairs, two ways. crossmatch
  :func:`crossmatch.solve.network.max_assignment` (integer-scaled weights restricted to the
  shortlist pairs, ``pair_mask`` = shortlist pairs, capacity = mentor capacities) against
  the baseline SciPy :func:`scipy.optimize.linear_sum_assignment` on the
  capacity-expanded matrix (one column per unit of mentor capacity; ``-score`` on
  shortlist pairs, a large cost elsewhere). Both times, their ratio (SciPy / crossmatch)
  and whether the two totals agree (relative 1e-5) are reported. SciPy runs only where the
  dense float64 matrix stays under ``--scipy-max-gb`` (default 4 GB).

Peak memory: per stage, the high-water mark ``VmHWM`` after resetting it
(``/proc/self/clear_refs``, Linux) at the stage start; the run's peak is the largest of
them (on Linux ``ru_maxrss`` follows the same reset high-water mark, so it cannot give the
whole run's peak once it has been reset; it is the fallback where /proc is missing).
The parent also polls the child's resident set and stops it above ``--mem-limit-gb``
(default 16); the streamed size is stopped after ``--stream-budget-s`` (default 900 s).
The child saves its results after every stage, so a stopped run still reports what it
measured. ``--quick`` runs only the smallest size (well under 60 s).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
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
ROOT = HERE.parent
DEFAULT_OUT = HERE / "results" / "solve.json"

#: (n_mentees, n_mentors, scoring method)
SIZES: list[tuple[int, int, str]] = [
    (1_000, 300, "dense"),
    (10_000, 2_000, "dense"),
    (50_000, 10_000, "stream"),
]
K = 5
SEED = 0
CAPACITY = (4, 8)
DENSE_TIMEOUT_S = 3600
#: Environment for children: silence OR-Tools / absl logging.
QUIET_ENV = {"GLOG_minloglevel": "2", "ABSL_MIN_LOG_LEVEL": "2", "GLOG_logtostderr": "0"}


# ---------------------------------------------------------------------------- memory
# ---------------------------------------------------------------------------- helpers
class Recorder:
    """Collects stage results and saves them after every stage (atomically)."""

    def __init__(self, path: Path, out: dict[str, Any]) -> None:
        self.path = path
        self.out = out
        self.save()

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(plain(self.out)))
        os.replace(tmp, self.path)

    def start(self, name: str) -> dict[str, Any]:
        gc.collect()
        stage = {"stage": name, "rss_before_mb": _mb(current_kib())}
        stage["peak_reset"] = reset_peak()
        self.out["in_progress"] = {"stage": name, "started_unix": time.time()}
        self.save()
        stage["_t0"] = time.perf_counter()
        return stage

    def done(self, stage: dict[str, Any]) -> dict[str, Any]:
        t0 = stage.pop("_t0")
        stage.setdefault("seconds", time.perf_counter() - t0)
        stage["wall_s"] = time.perf_counter() - t0
        stage["peak_mb"] = _mb(hwm_kib())
        stage["increase_mb"] = stage["peak_mb"] - stage["rss_before_mb"]
        self.out["stages"].append(stage)
        self.out.pop("in_progress", None)
        # ru_maxrss follows the reset high-water mark on Linux, so the run's peak is the
        # largest stage peak
        self.out["peak_mb"] = max(self.out.get("peak_mb", 0.0), stage["peak_mb"])
        self.save()
        return stage


def _error(e: BaseException) -> str:
    text = str(e).strip().replace("\n", " ")
    return f"{type(e).__name__}: {text[:600]}"


# ---------------------------------------------------------------------------- child stages
def stream_top_m(
    cohort: Any, top_m: int, block_rows: int, mentor_top: int = 0
) -> tuple[Any, dict[str, Any]]:
    """Stream the score blocks; keep each mentee's top-M eligible mentors by total and,
    if ``mentor_top`` > 0, also each mentor's top-T eligible mentees (the union).

    Returns the long table (``mentee_id``, ``mentor_id``, ``score``) and statistics."""
    import numpy as np
    import pandas as pd

    import crossmatch as cm

    n, m = cohort.shape
    k = min(top_m, m)
    top_idx = np.full((n, k), -1, dtype=np.int32)
    top_val = np.zeros((n, k), dtype=np.float32)
    n_eligible = np.zeros(n, dtype=np.int32)
    tt = min(mentor_top, n)
    mr_val = np.full((tt, m), -np.inf, dtype=np.float32)  # each mentor's best mentees so far
    mr_idx = np.full((tt, m), -1, dtype=np.int64)
    n_blocks = 0
    t0 = time.perf_counter()
    for block in cm.iter_score_blocks(cohort, block_rows=block_rows):
        n_blocks += 1
        ok = block.flags == 0
        t = np.where(ok, block.total, np.float32(-np.inf))
        part = np.argpartition(t, m - k, axis=1)[:, m - k :]
        vals = np.take_along_axis(t, part, axis=1)
        order = np.argsort(-vals, axis=1, kind="stable")
        part = np.take_along_axis(part, order, axis=1)
        vals = np.take_along_axis(vals, order, axis=1)
        good = np.isfinite(vals)
        top_idx[block.rows] = np.where(good, part, -1)
        top_val[block.rows] = np.where(good, vals, 0)
        n_eligible[block.rows] = ok.sum(axis=1)
        if tt:
            # only mentors for whom some mentee of this block beats their T-th best so far
            c = np.flatnonzero((t > mr_val.min(axis=0)).any(axis=0))
            if c.size:
                both = np.concatenate([mr_val[:, c], t[:, c]])
                rows_b = np.arange(block.rows.start, block.rows.stop)[:, None]
                ids = np.concatenate([mr_idx[:, c], np.broadcast_to(rows_b, (len(t), c.size))])
                keep = np.argpartition(both, len(both) - tt, axis=0)[len(both) - tt :]
                mr_val[:, c] = np.take_along_axis(both, keep, axis=0)
                mr_idx[:, c] = np.take_along_axis(ids, keep, axis=0)
    stream_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    rows, pos = np.nonzero(top_idx >= 0)
    cols = top_idx[rows, pos].astype(np.int64)
    vals = top_val[rows, pos]
    n_mentee_side = len(rows)
    if tt:
        good = np.isfinite(mr_val)
        rows = np.concatenate([rows, mr_idx[good]])
        cols = np.concatenate([cols, np.broadcast_to(np.arange(m), mr_val.shape)[good]])
        vals = np.concatenate([vals, mr_val[good]])
        _, first = np.unique(rows * m + cols, return_index=True)  # drop pairs kept twice
        rows, cols, vals = rows[first], cols[first], vals[first]
    frame = pd.DataFrame(
        {
            "mentee_id": cohort.mentee_ids[rows],
            "mentor_id": cohort.mentor_ids[cols],
            "score": vals.astype(np.float64),
        }
    )
    stats = {
        "top_m": k,
        "mentor_top": tt,
        "mentee_side_pairs": n_mentee_side,
        "added_by_mentor_side": len(frame) - n_mentee_side,
        "block_rows": block_rows,
        "n_blocks": n_blocks,
        "stream_s": stream_s,
        "long_table_s": time.perf_counter() - t1,
        "long_table_rows": len(frame),
        "eligible_pairs_full": int(n_eligible.sum()),
        "mean_eligible_per_mentee_full": float(n_eligible.mean()),
        "min_eligible_per_mentee_full": int(n_eligible.min()),
        "mentees_with_fewer_than_top_m": int((n_eligible < k).sum()),
    }
    return frame, stats


def shortlist_stage(
    rec: Recorder, scores: Any, method: str, time_limit: float | None, pruned: bool
) -> tuple[Any, dict[str, Any]]:
    import importlib

    import crossmatch as cm

    # the module, not the function of the same name that crossmatch.solve re-exports
    shortlist_mod = importlib.import_module("crossmatch.solve.methods")

    st = rec.start(f"shortlist {method}")
    st["method_requested"] = method
    st["time_limit_s"] = time_limit
    st["pruned"] = pruned
    sl = None
    t = time.perf_counter()
    try:
        sl = cm.shortlist(scores, k=K, method=method, time_limit=time_limit, seed=SEED)
    except Exception as e:  # InfeasibleError and friends: record and go on
        st["error"] = _error(e)
    st["seconds"] = time.perf_counter() - t
    if sl is not None:
        info = dict(sl.info)
        st.update(
            objective=sl.objective,
            bound=sl.bound,
            gap=sl.gap,
            status=sl.status,
            method=sl.method,
            info=info,
            lengths_min=int(sl.lengths().min()),
        )
        if method == "auto":
            n_pairs = int(scores.eligible.sum())
            st["eligible_pairs"] = n_pairs
            st["auto_exact_pairs_limit"] = shortlist_mod.AUTO_EXACT_PAIRS
            ran_exact = "lp_rounds" in info
            st["exact_stage_ran"] = ran_exact
            if not ran_exact:
                if info.get("stages") == "relaxation covers" or sl.status == "optimal":
                    st["exact_stage_note"] = "not needed: the flow answer is proved optimal"
                elif n_pairs > shortlist_mod.AUTO_EXACT_PAIRS:
                    st["exact_stage_note"] = (
                        f"skipped: {n_pairs:,} eligible pairs > AUTO_EXACT_PAIRS "
                        f"{shortlist_mod.AUTO_EXACT_PAIRS:,}, so auto returned the flow answer"
                    )
            limit = time_limit or shortlist_mod.AUTO_TIME_LIMIT
            hit = []
            if ran_exact and info.get("lp_seconds", 0.0) > limit:
                hit.append(f"LP pricing stopped by the limit after {info['lp_seconds']:.1f} s")
            if info.get("cpsat_status") not in (None, "OPTIMAL", "INFEASIBLE"):
                hit.append(f"CP-SAT stopped with {info['cpsat_status']}")
            if "note" in info:
                hit.append(str(info["note"]))
            if st["seconds"] > limit:
                hit.append(f"wall {st['seconds']:.1f} s > time_limit {limit:.0f} s")
            st["time_limit_hit"] = bool(hit) if ran_exact else False
            st["time_limit_notes"] = hit
    rec.done(st)
    return sl, st


def _first_share(sig: tuple[int, ...], n: int) -> float:
    return (sig[0] / n) if sig else 0.0


def assign_stage(rec: Recorder, sl: Any, choices: Any, method: str) -> dict[str, Any]:
    import crossmatch as cm

    st = rec.start(f"assign {method}")
    st["method"] = method
    t = time.perf_counter()
    try:
        a = cm.assign(sl, choices, method=method)
    except Exception as e:
        st["seconds"] = time.perf_counter() - t
        st["error"] = _error(e)
        rec.done(st)
        return st
    st["seconds"] = time.perf_counter() - t
    sig = a.signature()
    n = len(a.mentor)
    st.update(
        signature=list(sig),
        first_choice_share=_first_share(sig, n),
        matched=int(a.matched.sum()),
        n_mentees=n,
        total_score=a.total_score,
        info={k: v for k, v in dict(a.info).items() if k != "signature"},
    )
    rec.done(st)
    return st


def max_score_stage(rec: Recorder, scores: Any, sl: Any, scipy_max_gb: float) -> dict[str, Any]:
    """crossmatch max_assignment vs SciPy linear_sum_assignment on the shortlist pairs."""
    import numpy as np

    from crossmatch.solve import network as flow
    from crossmatch.solve.instance import Instance
    from crossmatch.solve.options import ShortlistOptions

    st = rec.start("max-score")
    # --- crossmatch: the canonical problem, shortlist pairs as a mask
    t = time.perf_counter()
    p = Instance.build(scores, ShortlistOptions(k=K))
    rank_e = np.empty(scores.n_mentees, np.int64)
    rank_e[p.ee] = np.arange(p.n)
    rank_m = np.empty(scores.n_mentors, np.int64)
    rank_m[p.mr] = np.arange(p.m)
    rows, pos = np.nonzero(sl.mentors >= 0)
    cols = sl.mentors[rows, pos]
    key = rank_e[rows] * p.m + rank_m[cols]
    pkey = p.pi * p.m + p.pj
    idx = np.searchsorted(pkey, key)
    assert np.array_equal(pkey[idx], key), "shortlist pair not among the eligible pairs"
    mask = np.zeros(p.n_pairs, dtype=bool)
    mask[idx] = True
    weights = p.weights()
    st["crossmatch_prep_s"] = time.perf_counter() - t
    st["shortlist_pairs"] = int(mask.sum())
    t = time.perf_counter()
    res = flow.max_assignment(p, p.capacity, weights=weights, pair_mask=mask)
    cm_s = time.perf_counter() - t
    cm_total = float(p.ps[res.pair_used].sum())
    st.update(
        seconds=cm_s,
        method="flow.max_assignment",
        crossmatch_s=cm_s,
        crossmatch_total=cm_total,
        crossmatch_matched=int(res.matched.sum()),
        n_mentees=p.n,
    )
    st["crossmatch_only_shortlist_pairs"] = bool(np.all(mask[res.pair_used]))
    del p, pkey, weights, res
    rec.out["in_progress"] = {"stage": "max-score (scipy)", "started_unix": time.time()}
    rec.save()

    # --- SciPy: dense capacity-expanded matrix
    cap = np.asarray(scores.capacity, dtype=np.int64)
    n, slots = scores.n_mentees, int(cap.sum())
    need_gb = n * slots * 8 / 1e9
    st["scipy_matrix"] = f"{n:,} x {slots:,} float64 = {need_gb:.2f} GB"
    if need_gb > scipy_max_gb:
        st["scipy_skipped"] = (
            f"dense expanded matrix {n:,} mentees x {slots:,} slots x 8 B = {need_gb:.1f} GB "
            f"> {scipy_max_gb:g} GB"
        )
        return _finish_max(rec, st)
    from scipy.optimize import linear_sum_assignment

    t = time.perf_counter()
    total = np.asarray(scores.total, dtype=np.float64)
    start = np.concatenate([[0], np.cumsum(cap)[:-1]])
    span = float(np.ptp(total[rows, cols])) or 1.0
    big = max(1e6, 10.0 * (n + 1) * span)  # any off-shortlist slot costs more than all scores
    mat = np.full((n, slots), big)
    reps = cap[cols]  # each shortlist pair fills all of its mentor's slots
    r_rep = np.repeat(rows, reps)
    first = np.repeat(start[cols], reps)
    offset = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    mat[r_rep, first + offset] = -np.repeat(total[rows, cols], reps)
    del r_rep, first, offset
    st["scipy_build_s"] = time.perf_counter() - t
    st["scipy_big_cost"] = big
    t = time.perf_counter()
    ri, ci = linear_sum_assignment(mat)
    sp_s = time.perf_counter() - t
    chosen = mat[ri, ci]
    sp_total = float(-chosen[chosen < big].sum())
    rel = abs(cm_total - sp_total) / max(1.0, abs(sp_total))
    st.update(
        scipy_s=sp_s,
        scipy_total=sp_total,
        scipy_matched=int((chosen < big).sum()),
        scipy_off_shortlist=int((chosen >= big).sum()),
        ratio=sp_s / cm_s if cm_s > 0 else None,
        ratio_with_build=(sp_s + st["scipy_build_s"]) / (cm_s + st["crossmatch_prep_s"]),
        total_rel_diff=rel,
        totals_agree=bool(rel <= 1e-5),
    )
    del mat
    return _finish_max(rec, st)


def _finish_max(rec: Recorder, st: dict[str, Any]) -> dict[str, Any]:
    return rec.done(st)  # "seconds" is crossmatch's; wall_s covers both solvers


def child_size(n: int, m: int, kind: str, args: argparse.Namespace, path: Path) -> None:
    import crossmatch as cm

    out: dict[str, Any] = {
        "n_mentees": n,
        "n_mentors": m,
        "pairs": n * m,
        "scoring": kind,
        "stages": [],
        "rss_after_imports_mb": _mb(current_kib()),
    }
    rec = Recorder(path, out)

    st = rec.start("cohort")
    t = time.perf_counter()
    mentees, mentors = cm.synthetic_cohort(n, m, seed=SEED, capacity=CAPACITY)
    st["generate_s"] = time.perf_counter() - t
    t = time.perf_counter()
    cohort = cm.Cohort.from_frames(mentees, mentors)
    st["validate_s"] = time.perf_counter() - t
    del mentees, mentors
    out["total_capacity"] = int(cohort.capacity.sum())
    rec.done(st)

    st = rec.start("score")
    pruned = kind.startswith("stream")
    mentor_top = args.mentor_top if kind == "stream-union" else 0
    out["mentor_top"] = mentor_top
    t = time.perf_counter()
    if pruned:
        frame, stats = stream_top_m(cohort, args.top_m, args.block_rows, mentor_top)
        t1 = time.perf_counter()
        scores = cm.Scores.from_frame(
            frame,
            capacity=cohort.capacity,
            mentor_ids=cohort.mentor_ids,
            mentee_ids=cohort.mentee_ids,
            mentor_groups=cohort.mentor_sector_names,
        )
        stats["from_frame_s"] = time.perf_counter() - t1
        del frame
        st.update(stats)
        st["method"] = (
            f"stream top-{stats['top_m']}"
            + (f" + mentor top-{mentor_top}" if mentor_top else "")
            + " + Scores.from_frame"
        )
    else:
        scores = cm.score(cohort)
        st["method"] = "score (dense)"
    st["seconds"] = time.perf_counter() - t
    elig = scores.eligible.sum(axis=1)
    st["eligible_pairs"] = int(elig.sum())
    st["min_eligible_per_mentee"] = int(elig.min())
    st["mentees_with_fewer_than_k"] = int((elig < K).sum())
    del elig
    rec.done(st)
    out["pruned"] = pruned

    sl_flow, _ = shortlist_stage(rec, scores, "flow", None, pruned)
    sl_auto, _ = shortlist_stage(rec, scores, "auto", args.time_limit, pruned)
    sl = sl_auto if sl_auto is not None else sl_flow
    if sl is None:
        out["stopped"] = "no shortlists: both shortlist methods failed"
        rec.save()
        return
    out["assign_shortlists"] = "auto" if sl_auto is not None else "flow"

    st = rec.start("choices")
    t = time.perf_counter()
    choices = cm.simulate_choices(sl, seed=SEED)
    st["seconds"] = time.perf_counter() - t
    st["rows"] = len(choices)
    st["responding_mentees"] = int(choices["mentee_id"].nunique())
    rec.done(st)

    # cheap stages first, so a stopped streamed run keeps as much as possible
    stable = assign_stage(rec, sl, choices, "stable")
    best = max_score_stage(rec, scores, sl, args.scipy_max_gb)
    rankmax = assign_stage(rec, sl, choices, "rank-maximal")
    for a in (stable, rankmax):
        if "total_score" in a and "crossmatch_total" in best:
            a["share_of_max_score"] = a["total_score"] / best["crossmatch_total"]
    out["finished"] = True
    rec.save()


# ---------------------------------------------------------------------------- parent
def run_child(
    n: int, m: int, kind: str, args: argparse.Namespace, timeout_s: float
) -> dict[str, Any]:
    """Run one size in a fresh process; stop it on timeout or above the memory limit."""
    fd, name = tempfile.mkstemp(prefix=f"bench_solve_{n}x{m}_", suffix=".json")
    os.close(fd)
    path = Path(name)
    errlog = tempfile.TemporaryFile(mode="w+")
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        str(n),
        str(m),
        kind,
        str(path),
        "--time-limit",
        str(args.time_limit),
        "--top-m",
        str(args.top_m),
        "--block-rows",
        str(args.block_rows),
        "--scipy-max-gb",
        str(args.scipy_max_gb),
        "--mentor-top",
        str(args.mentor_top),
    ]
    env = {**os.environ, **QUIET_ENV}
    limit_kib = args.mem_limit_gb * 1024 * 1024
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errlog, env=env)
    stopped = None
    max_seen = 0
    while proc.poll() is None:
        rss = _status_kib("VmRSS", proc.pid) or 0
        max_seen = max(max_seen, rss)
        if rss > limit_kib:
            stopped = f"stopped: resident set {_mb(rss) / 1024:.1f} GB > {args.mem_limit_gb:g} GB"
        elif time.perf_counter() - t > timeout_s:
            stopped = f"stopped: time budget of {timeout_s:.0f} s exceeded"
        if stopped:
            proc.kill()
            proc.wait()
            break
        time.sleep(0.2)
    wall = time.perf_counter() - t
    try:
        result = json.loads(path.read_text())
    except (OSError, ValueError):
        result = {"n_mentees": n, "n_mentors": m, "scoring": kind, "stages": []}
    finally:
        path.unlink(missing_ok=True)
        path.with_suffix(".tmp").unlink(missing_ok=True)
    result["wall_s"] = wall
    result["parent_sampled_max_rss_mb"] = _mb(max_seen)
    if stopped:
        ip = result.get("in_progress", {})
        where = ""
        if ip:
            ran = time.time() - ip["started_unix"]
            result["stopped_stage"] = ip["stage"]
            result["stopped_stage_elapsed_s"] = ran
            where = f" during '{ip['stage']}' (after {ran:.0f} s in that stage)"
        result["error"] = stopped + where
    elif proc.returncode != 0:
        errlog.seek(0)
        lines = [
            ln
            for ln in errlog.read().splitlines()
            if ln.strip() and not ln.startswith(("WARNING: All log", "I0", "W0"))
        ]
        ip = result.get("in_progress", {})
        where = f" during '{ip['stage']}'" if ip else ""
        result["error"] = f"child exited with {proc.returncode}{where}: " + " | ".join(lines[-4:])
    errlog.close()
    return result


def _infeasible_shortlists(r: dict[str, Any]) -> bool:
    """Both shortlist stages of a result failed with InfeasibleError."""
    errs = [s.get("error", "") for s in r.get("stages", []) if s["stage"].startswith("shortlist")]
    return len(errs) == 2 and all(e.startswith("InfeasibleError") for e in errs)


# ---------------------------------------------------------------------------- report
def _fmt_num(x: float | None) -> str:
    return "-" if x is None else f"{x:,.3f}"


def table(results: list[dict[str, Any]]) -> str:
    head = ["size", "stage", "method", "seconds", "peak MB", "objective", "bound", "gap",
            "status", "baseline s", "ratio", "detail"]  # fmt: skip
    rows = [head]
    for r in results:
        size = _label(r)
        star = ("**" if r.get("mentor_top") else "*") if r.get("pruned") else ""
        for s in r.get("stages", []):
            name = s["stage"]
            if name == "cohort":
                continue
            row = [size, name, "", _fmt_s(s.get("seconds")), f"{s['peak_mb']:.0f}"]
            row += ["", "", "", "", "", "", ""]
            if name == "score":
                row[2] = f"stream top-{s['top_m']}" if "top_m" in s else "dense"
                if s.get("mentor_top"):
                    row[2] += f" + mentor top-{s['mentor_top']}"
                row[11] = f"{s['eligible_pairs']:,} eligible pairs" + (
                    f" (of {s['eligible_pairs_full']:,}); stream {s['stream_s']:.1f} s + "
                    f"from_frame {s['from_frame_s']:.1f} s"
                    if "top_m" in s
                    else ""
                )
            elif name.startswith("shortlist"):
                if "error" in s:
                    row[2], row[8], row[11] = s["method_requested"], "ERROR", s["error"][:80]
                else:
                    row[2] = f"{s['method_requested']}->{s['method']}"
                    row[5], row[6] = _fmt_num(s["objective"]) + star, _fmt_num(s["bound"]) + star
                    row[7], row[8] = f"{s['gap']:.2e}", s["status"]
                    info = s.get("info", {})
                    bits = [str(info.get("stages", ""))]
                    if s.get("exact_stage_ran"):
                        bits.append(f"lp_rounds {info.get('lp_rounds')}")
                        if "cpsat_status" in info:
                            bits.append(f"cpsat {info['cpsat_status']}")
                    if s["method_requested"] == "auto":
                        bits.append(
                            "TIME LIMIT HIT" if s.get("time_limit_hit") else "limit not hit"
                        )
                        if not s.get("exact_stage_ran"):
                            bits.append("exact stage not run")
                    row[11] = "; ".join(b for b in bits if b)
            elif name == "choices":
                row[2] = "simulate_choices"
                row[11] = f"{s['rows']:,} rows, {s['responding_mentees']:,} responding"
            elif name.startswith("assign"):
                row[2] = s["method"]
                if "error" in s:
                    row[8], row[11] = "ERROR", s["error"][:80]
                else:
                    row[5] = _fmt_num(s["total_score"]) + star
                    row[8] = f"{s['matched']:,}/{s['n_mentees']:,} matched"
                    sig = ",".join(map(str, s["signature"]))
                    row[11] = f"1st {100 * s['first_choice_share']:.1f}%; sig ({sig})"
            elif name == "max-score":
                row[2] = "flow.max_assignment"
                row[5] = _fmt_num(s["crossmatch_total"]) + star
                row[8] = f"{s['crossmatch_matched']:,}/{s['n_mentees']:,} matched"
                if "scipy_s" in s:
                    row[9] = _fmt_s(s["scipy_s"])
                    row[10] = f"{s['ratio']:,.0f}x" if s["ratio"] else "-"
                    agree = "agree" if s["totals_agree"] else "DIFFER"
                    row[11] = (
                        f"scipy total {s['scipy_total']:,.3f} ({agree}, rel "
                        f"{s['total_rel_diff']:.1e})"
                    )
                else:
                    row[9], row[10] = "skipped", "-"
                    row[11] = "scipy: " + s.get("scipy_skipped", "")
            rows.append(row)
        if "error" in r:
            rows.append([size, "STOPPED", "", _fmt_s(r.get("wall_s")), "", "", "", "", "", "",
                         "", r["error"][:110]])  # fmt: skip
    widths = [max(len(row[c]) for row in rows) for c in range(len(head))]
    lines = []
    for k, row in enumerate(rows):
        cells = [
            cell.ljust(w) if c in (1, 2, 8, 11) else cell.rjust(w)
            for c, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _label(r: dict[str, Any]) -> str:
    size = _fmt_size(r["n_mentees"], r["n_mentors"])
    return size + (" (b)" if r.get("mentor_top") else "")


def notes_for(results: list[dict[str, Any]], args: argparse.Namespace) -> list[str]:
    notes = [
        f"synthetic_cohort(seed={SEED}, capacity={CAPACITY}), k={K}; auto time_limit "
        f"{args.time_limit:g} s; assignments use the auto shortlists and "
        "simulate_choices(seed=0)",
        "peak MB: VmHWM of the stage (high-water mark reset at the stage start), absolute",
        "ratio = SciPy linear_sum_assignment seconds / crossmatch flow.max_assignment seconds, "
        "both on the same shortlist pairs (matrix / network build excluded: see JSON)",
    ]
    for r in results:
        size = _label(r)
        if r.get("pruned"):
            sc = next((s for s in r["stages"] if s["stage"] == "score"), None)
            top = sc["top_m"] if sc else args.top_m
            if r.get("mentor_top"):
                notes.append(
                    f"** {size}: PRUNED candidate set, variant (b): each mentee's top {top} "
                    f"eligible mentors UNION each mentor's top {r['mentor_top']} eligible "
                    "mentees; objectives and bounds are for that set only, NOT the full problem"
                )
            else:
                notes.append(
                    f"* {size}: PRUNED candidate set: objectives and bounds are for each "
                    f"mentee's top {top} eligible mentors only, NOT the full problem"
                )
        for s in r.get("stages", []):
            if s["stage"] == "shortlist auto" and "exact_stage_note" in s:
                notes.append(f"{size} auto: {s['exact_stage_note']}")
            if s["stage"] == "shortlist auto" and s.get("time_limit_hit"):
                notes.append(f"{size} auto: time limit hit: {'; '.join(s['time_limit_notes'])}")
            if "error" in s:
                notes.append(f"{size} {s['stage']}: {s['error']}")
            if s["stage"] == "max-score" and "scipy_s" in s:
                notes.append(
                    f"{size} max-score: scipy build {s['scipy_build_s']:.2f} s "
                    f"({s['scipy_matrix']}) + solve {s['scipy_s']:.2f} s; crossmatch prep "
                    f"{s['crossmatch_prep_s']:.2f} s + solve {s['crossmatch_s']:.3f} s"
                )
        if "peak_mb" in r:
            notes.append(
                f"{size}: child peak {r['peak_mb']:,.0f} MB (largest stage VmHWM; parent "
                f"sampled {r['parent_sampled_max_rss_mb']:,.0f} MB), wall {r['wall_s']:.1f} s"
            )
        if "error" in r:
            notes.append(f"{size}: {r['error']}")
    return notes


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="only the smallest size (< 60 s)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results path")
    p.add_argument("--time-limit", type=float, default=60.0, help="auto's time_limit (s)")
    p.add_argument("--top-m", type=int, default=60, help="mentors kept per mentee (stream)")
    p.add_argument("--block-rows", type=int, default=64, help="mentee rows per streamed block")
    p.add_argument("--scipy-max-gb", type=float, default=4.0, help="largest SciPy matrix")
    p.add_argument("--mem-limit-gb", type=float, default=16.0, help="stop a child above this")
    p.add_argument("--stream-budget-s", type=float, default=900.0, help="streamed size budget")
    p.add_argument(
        "--mentor-top",
        type=int,
        default=100,
        help="if the top-M set is infeasible, rerun with each mentor's top-T mentees added "
        "(0: never)",
    )
    p.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    a = p.parse_args(argv)

    if a.child:  # one size in a fresh process; results go to the given JSON file
        n, m, kind, path = a.child
        child_size(int(n), int(m), kind, a, Path(path))
        return 0

    sizes = SIZES[:1] if a.quick else SIZES
    t0 = time.perf_counter()
    results = []
    for n, m, kind in sizes:
        budget = a.stream_budget_s if kind == "stream" else DENSE_TIMEOUT_S
        print(f"{_fmt_size(n, m)} ({kind}) ...", flush=True)
        r = run_child(n, m, kind, a, budget)
        r.setdefault("n_mentees", n)
        r.setdefault("n_mentors", m)
        print(f"  {r.get('error') or 'done'} in {r['wall_s']:.1f} s", flush=True)
        results.append(r)
        if "error" in r and kind == "stream":
            break
        if kind == "stream" and a.mentor_top > 0 and _infeasible_shortlists(r):
            print(
                f"{_fmt_size(n, m)}: the top-{a.top_m} candidate set has no complete assignment; "
                f"rerunning with each mentor's top-{a.mentor_top} mentees added ...",
                flush=True,
            )
            r = run_child(n, m, "stream-union", a, budget)
            r.setdefault("n_mentees", n)
            r.setdefault("n_mentors", m)
            print(f"  {r.get('error') or 'done'} in {r['wall_s']:.1f} s", flush=True)
            results.append(r)

    text = table(results)
    notes = notes_for(results, a)
    print()
    print(text)
    for note in notes:
        print(f"  {note}")

    payload = {
        "benchmark": "solve",
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": a.quick,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(),
        "settings": {
            "seed": SEED,
            "capacity": list(CAPACITY),
            "k": K,
            "auto_time_limit_s": a.time_limit,
            "top_m": a.top_m,
            "block_rows": a.block_rows,
            "scipy_max_gb": a.scipy_max_gb,
            "mem_limit_gb": a.mem_limit_gb,
            "stream_budget_s": a.stream_budget_s,
        },
        "results": results,
        "table": text,
        "notes": notes,
        "total_wall_s": time.perf_counter() - t0,
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(plain(payload), indent=2) + "\n")
    print(f"\nwrote {a.out}")
    ok = all("error" not in r for r in results) and all(
        "error" not in s for r in results for s in r.get("stages", [])
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
