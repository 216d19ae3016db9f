"""Scoring benchmark: cohort generation, validation and scoring at three sizes.

Usage::

    python benchmarks/bench_scoring.py [--quick] [--out PATH] [--block-rows N] [--top-k K]

Each size runs in a fresh subprocess, so its peak memory is its own. In the child,
``resource.getrusage(RUSAGE_SELF).ru_maxrss`` gives the peak; the high-water mark is reset
(``/proc/self/clear_refs``, Linux) after the cohort is built, so the scoring peak is
measured on its own and reported as an increase over the resident set after imports
and cohort build.

- 1,000 x 300 and 10,000 x 2,000: :func:`crossmatch.score` (the dense result).
- 50,000 x 10,000 (5e8 pairs): never materialised. :func:`crossmatch.iter_score_blocks`
  is streamed and every block is reduced to each mentee's top-``K`` eligible mentors by
  total (``np.argpartition``).
- 20,000 x 10,000 (2e8 pairs): kernel throughput only (the table below).

A second table gives, for every size, the throughput of the scoring kernels
(:class:`crossmatch.scoring.components.Kernels`) over blocks of the engine's default size:
the streaming path ``block(rows, components=False)`` (total + flags, what candidate
selection reads) and the full path ``block(rows)`` (every component too), each in 1 and
in 2 threads (``ThreadPoolExecutor`` mapping blocks; numpy releases the GIL), best of
several runs; and :func:`crossmatch.score` (best call, from the first table). Next to each,
the memory-bandwidth floor: the machine's copy bandwidth (``np.copyto`` of a 512 MB float32
array, best of 3, bytes copied per second) divided by the bytes the path writes per pair
(total 4 + flags 1 for streaming; + 4 per component for the full path; + the eligible
mask 1 for ``score``), and our share of that floor.

The baseline is the deliberately simple per-pair Python scorer of ``tests/reference.py``
on the first 20 mentees x all mentors of the 1,000 x 300 cohort, extrapolated to
pairs per second (best of 3); the speed-up column divides each size's pairs per second
by it. Dense sizes are scored several times in the same child: the first call (which
also pays for first-touching the result's memory) gives ``score s`` and pairs per second,
the best call ``best s``; the streamed run is timed once. ``--quick`` runs only the smallest size.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `_harness` beside this script
from _harness import _fmt_s, _fmt_size, _mb, current_kib, machine, peak_kib, reset_peak  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_OUT = HERE / "results" / "scoring.json"

#: (n_mentees, n_mentors, method)
SIZES: list[tuple[int, int, str]] = [
    (1_000, 300, "dense"),
    (10_000, 2_000, "dense"),
    (50_000, 10_000, "stream"),
    (20_000, 10_000, "kernels"),
]
#: Mentor capacities per method: ``kernels`` uses the setting of the throughput target.
CAPACITY = {"dense": (1, 4), "stream": (1, 4), "kernels": (4, 8)}
THREADS = (1, 2)
BANDWIDTH_MB = 512
BASELINE_SIZE = (1_000, 300)
BASELINE_MENTEES = 20
CHILD_TIMEOUT_S = 3600


# ---------------------------------------------------------------------------- memory
# ---------------------------------------------------------------------------- children
def _top_k_stream(cohort: Any, k: int, block_rows: int) -> dict[str, Any]:
    """Stream the blocks and keep each mentee's top-k eligible mentors by total."""
    import numpy as np

    import crossmatch as cm

    n, m = cohort.shape
    k = min(k, m)
    top_idx = np.full((n, k), -1, dtype=np.int32)
    top_val = np.full((n, k), np.nan, dtype=np.float32)
    n_eligible = np.zeros(n, dtype=np.int32)
    kernel_s = 0.0
    n_blocks = 0
    t0 = time.perf_counter()
    blocks = iter(cm.iter_score_blocks(cohort, block_rows=block_rows))
    while True:
        tk = time.perf_counter()
        block = next(blocks, None)
        kernel_s += time.perf_counter() - tk
        if block is None:
            break
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
        top_val[block.rows] = np.where(good, vals, np.nan)
        n_eligible[block.rows] = ok.sum(axis=1)
    total_s = time.perf_counter() - t0
    return {
        "top_idx": top_idx,
        "top_val": top_val,
        "seconds": total_s,
        "kernel_seconds": kernel_s,
        "reduce_seconds": total_s - kernel_s,
        "n_blocks": n_blocks,
        "block_rows": block_rows,
        "top_k": k,
        "mean_eligible_per_mentee": float(n_eligible.mean()),
        "mentees_with_fewer_than_k": int((n_eligible < k).sum()),
        "top_mean_total": float(np.nanmean(top_val)) if np.isfinite(top_val).any() else None,
    }


def _kernel_rates(cohort: Any) -> dict[str, Any]:
    """Pairs per second of ``Kernels.block`` (streaming and full paths, 1 and 2 threads)."""
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    from crossmatch.scoring import engine
    from crossmatch.scoring.components import Kernels
    from crossmatch.scoring.config import ScoringConfig

    kernels = Kernels(cohort, ScoringConfig())
    n, m = cohort.shape
    step = max(1, getattr(engine, "DEFAULT_BLOCK_PAIRS", 1 << 18) // m)
    blocks = [slice(s, min(s + step, n)) for s in range(0, n, step)]
    repeats = int(np.clip(np.ceil(1e8 / (n * m)), 2, 100))  # about 1e8 pairs or more
    out: dict[str, Any] = {
        "block_rows": step,
        "repeats": repeats,
        "components": list(kernels.component_names),
        "flag_bytes": int(np.dtype(kernels.flag_dtype).itemsize),
    }
    for path, components in (("stream", False), ("full", True)):
        for threads in THREADS:

            def run(rows: slice, components: bool = components) -> None:
                kernels.block(rows, components=components)

            times = []
            for _ in range(repeats):
                t = time.perf_counter()
                if threads == 1:
                    for rows in blocks:
                        run(rows)
                else:
                    with ThreadPoolExecutor(threads) as pool:
                        list(pool.map(run, blocks))
                times.append(time.perf_counter() - t)
            out[f"{path}_{threads}t_pairs_per_s"] = n * m / min(times)
    return out


def child_bandwidth(mb: int) -> dict[str, Any]:
    """Copy bandwidth: ``np.copyto`` of an ``mb`` MB float32 array, best of 3."""
    import numpy as np

    src = np.ones(mb * (1 << 20) // 4, dtype=np.float32)
    dst = np.zeros_like(src)  # both touched before timing
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        np.copyto(dst, src)
        runs.append(time.perf_counter() - t)
    return {
        "what": f"np.copyto of a {mb} MB float32 array, best of 3 (bytes copied per second)",
        "bytes": int(src.nbytes),
        "runs_s": runs,
        "bytes_per_s": src.nbytes / min(runs),
    }


def child_size(n: int, m: int, method: str, block_rows: int, top_k: int) -> dict[str, Any]:
    import numpy as np

    import crossmatch as cm

    out: dict[str, Any] = {"n_mentees": n, "n_mentors": m, "pairs": n * m, "method": method}
    out["rss_after_imports_mb"] = _mb(current_kib())

    t = time.perf_counter()
    out["capacity"] = list(CAPACITY[method])
    mentees, mentors = cm.synthetic_cohort(n, m, seed=0, capacity=CAPACITY[method])
    out["generate_s"] = time.perf_counter() - t
    t = time.perf_counter()
    cohort = cm.Cohort.from_frames(mentees, mentors)
    out["validate_s"] = time.perf_counter() - t
    del mentees, mentors  # the cohort keeps its own validated copies
    gc.collect()

    out["build_peak_mb"] = _mb(peak_kib())
    base = current_kib()
    out["rss_baseline_mb"] = _mb(base)  # after imports and cohort build
    out["peak_reset"] = reset_peak()

    if method == "kernels":
        out["kernels"] = _kernel_rates(cohort)
        return out
    if method == "dense":
        # several runs; drop each result before the next
        repeats = 5 if n * m <= 1_000_000 else 3
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            scores = cm.score(cohort)
            times.append(time.perf_counter() - t)
            out["eligible_share"] = float(scores.eligible.mean())
            del scores
            gc.collect()
        out["score_s"] = times[0]  # the first call in a fresh process: what a user pays
        out["score_best_s"] = min(times)  # warm (memory pages already mapped)
        out["score_runs_s"] = times
    else:
        res = _top_k_stream(cohort, top_k, block_rows)
        out["score_s"] = out["score_best_s"] = res.pop("seconds")
        res.pop("top_idx"), res.pop("top_val")
        out["stream"] = res

    score_peak = peak_kib()
    out["score_peak_mb"] = _mb(score_peak)
    out["score_increase_mb"] = _mb(score_peak - base)
    out["peak_mb"] = max(out["build_peak_mb"], out["score_peak_mb"])
    out["pairs_per_s"] = n * m / out["score_s"]
    out["pairs_per_s_best"] = n * m / out["score_best_s"]

    if method == "dense" and n * m <= 1_000_000:
        # check the streamed top-k reduction against the dense result on a small size
        scores = cm.score(cohort)
        res = _top_k_stream(cohort, top_k, block_rows)
        masked = np.where(scores.eligible, scores.total, -np.inf)
        want = -np.sort(-masked, axis=1)[:, : res["top_k"]]
        want = np.where(np.isfinite(want), want, np.nan).astype(np.float32)
        out["stream_check"] = bool(np.array_equal(want, res["top_val"], equal_nan=True))
    out["kernels"] = _kernel_rates(cohort)  # after the memory readings above
    return out


def child_baseline(n: int, m: int, n_sample: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "tests"))
    from reference import reference_scores

    import crossmatch as cm

    cohort = cm.Cohort.from_frames(*cm.synthetic_cohort(n, m, seed=0, capacity=(1, 4)))
    sample = cohort.mentees.iloc[:n_sample]
    runs = []
    for _ in range(3):  # best of 3, like the dense timings
        t = time.perf_counter()
        reference_scores(sample, cohort.mentors, taxonomy=cohort.taxonomy)
        runs.append(time.perf_counter() - t)
    seconds = min(runs)
    pairs = len(sample) * cohort.n_mentors
    return {
        "what": "tests/reference.py reference_scores (pure Python, per pair)",
        "n_mentees": n,
        "n_mentors": m,
        "sample_mentees": len(sample),
        "pairs": pairs,
        "seconds": seconds,
        "runs_s": runs,
        "pairs_per_s": pairs / seconds,
    }


def run_child(args: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    t = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {CHILD_TIMEOUT_S} s", "wall_s": CHILD_TIMEOUT_S}
    wall = time.perf_counter() - t
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or "").strip().splitlines()[-5:]
        return {"error": f"child exited with {proc.returncode}: {' | '.join(tail)}", "wall_s": wall}
    result = json.loads(lines[-1])
    result["wall_s"] = wall
    return result


# ---------------------------------------------------------------------------- report
def _fmt_rate(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x / 1e6:.2f}M" if x >= 1e5 else f"{x / 1e3:.1f}k"


def table(results: list[dict[str, Any]], baseline: dict[str, Any]) -> str:
    head = [
        "size",
        "pairs",
        "method",
        "gen s",
        "validate s",
        "score s",
        "best s",
        "pairs/s",
        "peak MB",
        "score +MB",
        "baseline pairs/s",
        "speed-up",
    ]
    rows = [head]
    base = baseline.get("pairs_per_s")
    for r in results:
        if r.get("method") == "kernels":
            continue  # throughput only: see kernel_table
        size = _fmt_size(r["n_mentees"], r["n_mentors"])
        if "error" in r:
            rows.append(
                [size, f"{r['n_mentees'] * r['n_mentors']:.1e}", r.get("method", "")]
                + ["ERROR"]
                + [""] * (len(head) - 4)
            )
            continue
        rate = r["pairs_per_s"]
        method = r["method"] + (f" top-{r['stream']['top_k']}" if "stream" in r else "")
        rows.append(
            [
                size,
                f"{r['pairs']:.1e}",
                method,
                f"{r['generate_s']:.2f}",
                f"{r['validate_s']:.2f}",
                _fmt_s(r["score_s"]),
                _fmt_s(r["score_best_s"]) if "score_runs_s" in r else "-",
                _fmt_rate(rate),
                f"{r['peak_mb']:.0f}",
                f"{r['score_increase_mb']:.0f}",
                _fmt_rate(base),
                f"{rate / base:,.0f}x" if base else "-",
            ]
        )
    return _layout(rows)


def _layout(rows: list[list[str]]) -> str:
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = []
    for k, row in enumerate(rows):
        lines.append("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def kernel_rows(r: dict[str, Any], bandwidth: float | None) -> list[dict[str, Any]]:
    """One row per path of a size: bytes written per pair, pairs/s, floor and share."""
    k = r["kernels"]
    head = 4 + k["flag_bytes"]  # total + flags
    paths = [
        ("block, no components", head, [k.get(f"stream_{t}t_pairs_per_s") for t in THREADS]),
        (
            "block, all components",
            head + 4 * len(k["components"]),
            [k.get(f"full_{t}t_pairs_per_s") for t in THREADS],
        ),
    ]
    if "score_runs_s" in r:  # dense: crossmatch.score, one thread, best call
        score_bytes = head + 1 + 4 * len(k["components"])  # + the eligible mask
        paths.append(
            ("score()", score_bytes, [r["pairs_per_s_best"]] + [None] * (len(THREADS) - 1))
        )
    out = []
    for path, nbytes, rates in paths:
        floor = bandwidth / nbytes if bandwidth else None
        best = max((x for x in rates if x is not None), default=None)
        out.append(
            {
                "path": path,
                "bytes_per_pair": nbytes,
                "pairs_per_s": dict(zip([f"{t}t" for t in THREADS], rates, strict=True)),
                "floor_pairs_per_s": floor,
                "share_of_floor": best / floor if floor and best else None,
            }
        )
    return out


def kernel_table(results: list[dict[str, Any]], bandwidth: float | None) -> str:
    head = ["size", "pairs", "path", "B/pair"]
    head += [f"pairs/s {t} thread{'s' if t > 1 else ''}" for t in THREADS]
    head += ["floor pairs/s", "share of floor"]
    rows = [head]
    for r in results:
        size = _fmt_size(r["n_mentees"], r["n_mentors"])
        if "kernels" not in r:
            rows.append([size, "", "ERROR"] + [""] * (len(head) - 3))
            continue
        for k in r["kernel_rows"]:
            share = k["share_of_floor"]
            rows.append(
                [
                    size,
                    f"{r['pairs']:.1e}",
                    k["path"],
                    str(k["bytes_per_pair"]),
                    *(_fmt_rate(x) for x in k["pairs_per_s"].values()),
                    _fmt_rate(k["floor_pairs_per_s"]),
                    "-" if share is None else f"{share:.1%}",
                ]
            )
    return _layout(rows)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="only the smallest size (< 30 s)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results path")
    p.add_argument("--block-rows", type=int, default=64, help="mentee rows per streamed block")
    p.add_argument("--top-k", type=int, default=20, help="mentors kept per mentee when streaming")
    p.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = p.parse_args(argv)

    if a.child:  # one measurement in a fresh process; the last stdout line is JSON
        kind, *rest = a.child
        if kind == "size":
            n, m, method, block_rows, top_k = rest
            res = child_size(int(n), int(m), method, int(block_rows), int(top_k))
        elif kind == "bandwidth":
            res = child_bandwidth(int(rest[0]))
        else:
            n, m, n_sample = rest
            res = child_baseline(int(n), int(m), int(n_sample))
        print(json.dumps(res))
        return 0

    sizes = SIZES[:1] if a.quick else SIZES
    t0 = time.perf_counter()
    print(
        f"baseline: reference scorer, {BASELINE_MENTEES} mentees x all mentors of "
        f"{_fmt_size(*BASELINE_SIZE)} ...",
        flush=True,
    )
    baseline = run_child(["baseline", *map(str, BASELINE_SIZE), str(BASELINE_MENTEES)])
    if "error" in baseline:
        print(f"  {baseline['error']}", flush=True)
    else:
        print(f"  {baseline['pairs']} pairs in {baseline['seconds']:.2f} s", flush=True)
    print(f"copy bandwidth: np.copyto of {BANDWIDTH_MB} MB ...", flush=True)
    bandwidth = run_child(["bandwidth", str(BANDWIDTH_MB)])
    bw = bandwidth.get("bytes_per_s")
    print(f"  {bandwidth.get('error') or f'{bw / 1e9:.1f} GB/s'}", flush=True)
    results = []
    for n, m, method in sizes:
        print(f"{_fmt_size(n, m)} ({method}) ...", flush=True)
        r = run_child(["size", str(n), str(m), method, str(a.block_rows), str(a.top_k)])
        r.setdefault("n_mentees", n)
        r.setdefault("n_mentors", m)
        r.setdefault("method", method)
        print(f"  {r.get('error') or 'done'} in {r['wall_s']:.1f} s", flush=True)
        results.append(r)

    for r in results:
        if "kernels" in r:
            r["kernel_rows"] = kernel_rows(r, bw)
    text = table(results, baseline)
    ktext = kernel_table(results, bw)
    print()
    print(text)
    notes = [
        "peak MB: ru_maxrss of the child (whole run); score +MB: scoring peak over the "
        "RSS after imports and cohort build"
        + ("" if all(r.get("peak_reset", True) for r in results) else " (peak NOT reset)"),
        f"baseline: tests/reference.py on {BASELINE_MENTEES} mentees x all mentors of "
        f"{_fmt_size(*BASELINE_SIZE)}, extrapolated (best of 3); speed-up = pairs/s / baseline",
        "score s: the first call in the fresh child (pairs/s and speed-up use it); best s: "
        "best of 5 (1,000x300) or 3 dense calls; stream = one run, kernels + top-k reduction",
    ]
    for r in results:
        if "stream" in r:
            s = r["stream"]
            notes.append(
                f"{_fmt_size(r['n_mentees'], r['n_mentors'])}: {s['n_blocks']} blocks of "
                f"{s['block_rows']} rows; kernels {s['kernel_seconds']:.1f} s + top-{s['top_k']} "
                f"reduction {s['reduce_seconds']:.1f} s; mean eligible mentors per mentee "
                f"{s['mean_eligible_per_mentee']:.0f}"
            )
        if "stream_check" in r:
            notes.append(
                f"{_fmt_size(r['n_mentees'], r['n_mentors'])}: streamed top-{a.top_k} equals "
                f"the dense result: {r['stream_check']}"
            )
    for note in notes:
        print(f"  {note}")
    print()
    print(ktext)
    knotes = [
        f"copy bandwidth {bw / 1e9:.2f} GB/s (np.copyto, {BANDWIDTH_MB} MB float32, best of 3; "
        "bytes copied per second, memory traffic is twice that)"
        if bw
        else f"copy bandwidth: {bandwidth.get('error')}",
        "floor pairs/s = copy bandwidth / bytes written per pair (B/pair); share = the best "
        "pairs/s of the row / floor",
        "block rows: Kernels.block over blocks of the engine's default size, default config, "
        "best of several runs; score(): crossmatch.score, best call (one thread)",
        f"sizes use capacity {CAPACITY['dense']}, except {CAPACITY['kernels']} for the "
        "kernels-only size",
    ]
    for note in knotes:
        print(f"  {note}")

    payload = {
        "benchmark": "scoring",
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": a.quick,
        "machine": machine(),
        "settings": {
            "seed": 0,
            "capacity": {k: list(v) for k, v in CAPACITY.items()},
            "threads": list(THREADS),
            "block_rows": a.block_rows,
            "top_k": a.top_k,
        },
        "baseline": baseline,
        "bandwidth": bandwidth,
        "results": results,
        "table": text,
        "kernel_table": ktext,
        "total_wall_s": time.perf_counter() - t0,
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nwrote {a.out}")
    ok = all("error" not in r for r in (*results, baseline, bandwidth))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
