"""Report and explanation benchmark: what reporting costs beside the solve it reports on.

Usage::

    python benchmarks/bench_report.py [--quick] [--out PATH]

For each size (300 x 150 dense; 3,000 x 1,000 dense; 10,000 x 2,000 on candidate pairs
from :func:`crossmatch.score_candidates`), on ``synthetic_cohort(n, m, seed=0,
capacity=(4, 8))`` with k = 3, the baseline is the solve in the same run (``shortlist``
then ``assign`` on simulated choices), and beside it:

- ``report``: :func:`crossmatch.report` of the assignment;
- ``html``: ``Report.to_html()`` without plots, and with the five plots (Agg);
- ``explain``: :func:`crossmatch.explain` of every shortlist entry of the first 200
  mentees (the mentee letters), per pair;
- ``explain_mentee``: one mentee against every mentor, mean of 5 mentees.

Times are the best of 3 (1 for the slow ones). ``--quick`` runs the smallest size only.
Results go to ``benchmarks/results/bench_report.json`` (gitignored).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `_harness` beside this script
from _harness import machine

SIZES = [(300, 150, "dense"), (3_000, 1_000, "dense"), (10_000, 2_000, "candidates")]


def best_of(func: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - t0)
    return best, out


def run(n: int, m: int, kind: str) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import crossmatch as cm

    mentees, mentors = cm.synthetic_cohort(n, m, seed=0, capacity=(4, 8))
    cohort = cm.Cohort.from_frames(mentees, mentors)
    t_score, scores = best_of(
        lambda: cm.score(cohort) if kind == "dense" else cm.score_candidates(cohort), 1
    )
    t_short, lists = best_of(lambda: cm.shortlist(scores, k=3, method="flow"), 1)
    choices = cm.simulate_choices(lists, seed=0)
    t_assign, assignment = best_of(lambda: cm.assign(lists, choices), 1)
    t_report, report = best_of(lambda: cm.report(assignment))
    t_html, page = best_of(lambda: report.to_html(plots=False))
    t_plots, page_plots = best_of(lambda: report.to_html(), 1)
    entries = lists.to_frame()
    first = set(lists.mentee_ids[:200].tolist())
    pairs = entries[entries.mentee_id.isin(first)][["mentee_id", "mentor_id"]]
    t_explain, _ = best_of(
        lambda: [cm.explain(lists, a, b) for a, b in pairs.itertuples(index=False)], 1
    )
    t_mentee, _ = best_of(
        lambda: [cm.explain_mentee(lists, e) for e in lists.mentee_ids[:5].tolist()], 1
    )
    return {
        "size": f"{n:,}x{m:,}",
        "scores": kind,
        "score_s": t_score,
        "solve_s": t_short + t_assign,
        "report_s": t_report,
        "html_s": t_html,
        "html_plots_s": t_plots,
        "html_kib": len(page) / 1024,
        "html_plots_kib": len(page_plots) / 1024,
        "explain_pairs": len(pairs),
        "explain_ms_per_pair": 1e3 * t_explain / max(1, len(pairs)),
        "explain_mentee_s": t_mentee / 5,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the smallest size only")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results/bench_report.json")
    args = ap.parse_args(argv)
    rows = [run(*size) for size in (SIZES[:1] if args.quick else SIZES)]
    head = (
        f"{'size':>13} {'scores':>10} {'solve s':>8} {'report s':>9} {'html s':>7} "
        f"{'+plots s':>9} {'html KiB':>9} {'explain ms/pair':>16} {'explain_mentee s':>17}"
    )
    print(head)
    for r in rows:
        print(
            f"{r['size']:>13} {r['scores']:>10} {r['solve_s']:>8.3f} {r['report_s']:>9.3f} "
            f"{r['html_s']:>7.3f} {r['html_plots_s']:>9.2f} {r['html_plots_kib']:>9.0f} "
            f"{r['explain_ms_per_pair']:>16.2f} {r['explain_mentee_s']:>17.3f}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": machine(), "rows": rows}, indent=1))
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
