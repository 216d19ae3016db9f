"""The command line: ``crossmatch demo | synth | init | score`` (the top floor).

It imports everything."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import numpy as np

from . import __version__
from .cohort import Cohort
from .errors import InfeasibleError, ValidationError
from .programme import Programme, check_options, draft_programme, load_programme
from .reporting import assignment_summary, explain_mentee, ineligibility_table, score_summary
from .scoring import Scores, score
from .solve import assign, shortlist
from .synth import simulate_choices, synthetic_cohort

__all__ = ["main"]


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="crossmatch",
        description="Match mentees with mentors across sectors.",
    )
    p.add_argument("--version", action="version", version=f"crossmatch {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    d = sub.add_parser("demo", help="run the pipeline on the built-in synthetic cohort")
    d.add_argument("--mentees", type=_positive, default=300)
    d.add_argument("--mentors", type=_positive, default=150)
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("-k", type=_positive, default=3, help="shortlist length (default 3)")
    d.add_argument("--method", default="auto", help="shortlist method: auto, flow or exact")

    s = sub.add_parser("synth", help="write a synthetic cohort as mentees.csv and mentors.csv")
    s.add_argument("--mentees", type=_positive, required=True)
    s.add_argument("--mentors", type=_positive, required=True)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--capacity", type=int, nargs=2, default=(1, 4), metavar=("LOW", "HIGH"))
    s.add_argument("--out", type=Path, required=True, help="output directory (created)")

    c = sub.add_parser("score", help="score every pair of two CSV tables")
    c.add_argument("mentees", type=Path, help="mentees CSV")
    c.add_argument("mentors", type=Path, help="mentors CSV")
    c.add_argument("--out", type=Path, required=True, help="output CSV (long table)")
    c.add_argument("--eligible-only", action="store_true", help="write eligible pairs only")
    c.add_argument("--top", type=_positive, default=None,
                   help="keep each mentee's TOP best eligible mentors only")  # fmt: skip
    _add_programme_option(c)

    i = sub.add_parser("init", help="draft a programme file from two tables (every guess marked)")
    i.add_argument("mentees", type=Path, help="mentees table (CSV or .xlsx)")
    i.add_argument("mentors", type=Path, help="mentors table (CSV or .xlsx)")
    i.add_argument("--out", type=Path, required=True, help="programme file to write (.toml)")
    i.add_argument("--force", action="store_true", help="overwrite an existing file")
    return p


# ---------------------------------------------------------------------------- tables in
def _add_programme_option(parser: argparse.ArgumentParser) -> None:
    """``--programme FILE`` and ``--problems FILE.csv`` for every command that reads tables."""
    parser.add_argument(
        "--programme",
        type=Path,
        default=None,
        metavar="FILE",
        help="programme file (TOML): columns, aliases, scoring, shortlist",
    )
    parser.add_argument(
        "--problems",
        type=Path,
        default=None,
        metavar="FILE.csv",
        help="if the tables are invalid, write every problem to this CSV",
    )


def _load_tables(args: argparse.Namespace) -> tuple[Cohort, Programme | None]:
    """The cohort of ``args.mentees``/``args.mentors`` read with ``--programme``; prints
    the intake summary to stderr and writes ``--problems`` when the tables are invalid."""
    try:
        programme = load_programme(args.programme) if args.programme is not None else None
        cohort = Cohort.from_csv(args.mentees, args.mentors, programme=programme)
    except ValidationError as exc:
        if args.problems is not None:
            args.problems.parent.mkdir(parents=True, exist_ok=True)
            exc.to_frame().to_csv(args.problems, index=False)
            print(f"wrote {len(exc.problems)} problems to {args.problems}", file=sys.stderr)
        raise
    if cohort.intake.notes:
        print(cohort.intake.format(warnings=False), file=sys.stderr)
    return cohort, programme


def _init(args: argparse.Namespace) -> int:
    if args.out.exists() and not args.force:
        raise ValueError(f"{args.out} exists; pass --force to overwrite it")
    text = draft_programme(args.mentees, args.mentors)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    guesses = text.count("# a guess")
    todo = text.count("= ???")
    print(
        f"wrote a draft programme file to {args.out}: {guesses} guess(es) to check"
        + (f", {todo} value(s) to fill in" if todo else ""),
        file=sys.stderr,
    )
    return 0


def _print_scores(scores: Scores, seconds: float, out: TextIO | None = None) -> None:
    w = out or sys.stdout
    s = score_summary(scores)
    n, m = scores.shape
    print(f"Scored {n * m:,} pairs in {seconds:.3f} s", file=w)
    print(
        f"Eligible pairs: {s['eligible_share']:.1%}; mentees with fewer than 5 eligible "
        f"mentors: {s['mentees_short_of_options']}, with none: {s['mentees_without_options']}",
        file=w,
    )
    reasons = ineligibility_table(scores)
    if len(reasons):
        print("Why pairs are ineligible (a pair may break several rules):", file=w)
        for row in reasons.itertuples():
            print(f"  {row.reason:<42} {row.pairs:>10,}  ({row.share:.1%} of pairs)", file=w)
    st = s["score"]
    print(
        f"Score of eligible pairs: mean {st['mean']:.3f}, median {st['median']:.3f}, "
        f"90th percentile {st['p90']:.3f}, best {st['max']:.3f}",
        file=w,
    )
    comps = ", ".join(f"{k} {v:.3f}" for k, v in s["components"].items())
    print(f"Component means over eligible pairs: {comps}", file=w)


def _demo(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    mentees, mentors = synthetic_cohort(args.mentees, args.mentors, seed=args.seed)
    cohort = Cohort.from_frames(mentees, mentors)
    t1 = time.perf_counter()
    print(
        f"crossmatch demo: synthetic cohort (seed {args.seed}) of {cohort.n_mentees} mentees "
        f"and {cohort.n_mentors} mentors (total capacity {int(cohort.capacity.sum())}), "
        f"built and validated in {t1 - t0:.3f} s"
    )
    sectors = cohort.mentees["sector"].value_counts().head(5)
    print("Largest mentee sectors: " + ", ".join(f"{k} {v}" for k, v in sectors.items()))
    t1 = time.perf_counter()
    scores = score(cohort)
    _print_scores(scores, time.perf_counter() - t1)
    i = int(np.argmax(scores.eligible.sum(axis=1) > 0))
    row = cohort.mentees.iloc[i]
    print(
        f"\nBest mentors for {row['id']} ({row['sector']}; seniority {row['seniority']}; "
        f"goals: {row['goals'].replace(';', ', ')}; {row['mode']}, {row['region']}):"
    )
    table = explain_mentee(scores, row["id"], top=5)
    print(table.to_string(index=False, float_format=lambda x: f"{x:.2f}"))

    t1 = time.perf_counter()
    lists = shortlist(scores, k=args.k, method=args.method, allow_short=True)
    t2 = time.perf_counter()
    short = int((lists.lengths() < args.k).sum())
    print(
        f"\nShortlists of {args.k} ({lists.method}, {lists.status}) in {t2 - t1:.2f} s: total "
        f"score {lists.objective:.2f}, upper bound {lists.bound:.2f} (gap {lists.gap:.3%})"
        + (f"; {short} mentee(s) have fewer than {args.k} options" if short else "")
    )
    shown = np.bincount(lists.mentors[lists.mentors >= 0], minlength=scores.n_mentors)
    print(
        f"Mentors shown: {int((shown > 0).sum())} of {scores.n_mentors}; most-shown mentor on "
        f"{int(shown.max())} shortlists (exposure limit {int(lists.exposure.max())})"
    )
    choices = simulate_choices(lists, seed=args.seed)
    print(
        f"Simulated choices: {choices['mentee_id'].nunique()} of {cohort.n_mentees} mentees "
        "ranked their shortlist (the rest keep the shortlist order)"
    )
    t1 = time.perf_counter()
    result = assign(lists, choices)
    t2 = time.perf_counter()
    a = assignment_summary(result)
    ranks = ", ".join(f"{c} got choice {r}" for r, c in enumerate(a["signature"], start=1))
    print(
        f"Assignment (rank-maximal) in {t2 - t1:.2f} s: {a['matched']} of {a['n_mentees']} "
        f"mentees matched; {a['first_choice_share']:.1%} got their first choice ({ranks})"
    )
    print(f"Score of assigned pairs: mean {a['mean_score']:.3f}, worst {a['worst_score']:.3f}")
    hist = ", ".join(f"{v} with {k}" for k, v in a["load_histogram"].items())
    print(
        f"Mentor load: {a['mentors_used']} mentors used, {a['mentors_full']} at capacity, mean "
        f"{a['mean_load']:.0%} of capacity (mentors by mentees assigned: {hist})"
    )
    return 0


def _synth(args: argparse.Namespace) -> int:
    mentees, mentors = synthetic_cohort(
        args.mentees, args.mentors, seed=args.seed, capacity=tuple(args.capacity)
    )
    args.out.mkdir(parents=True, exist_ok=True)
    mentees.to_csv(args.out / "mentees.csv", index=False)
    mentors.to_csv(args.out / "mentors.csv", index=False)
    print(f"wrote {len(mentees)} mentees and {len(mentors)} mentors to {args.out}/")
    return 0


def _score(args: argparse.Namespace) -> int:
    cohort, programme = _load_tables(args)
    t0 = time.perf_counter()
    scores = score(cohort, programme.scoring if programme is not None else None)
    seconds = time.perf_counter() - t0
    check_options(cohort, scores.config, scores=scores)
    frame = scores.to_frame(eligible_only=args.eligible_only or args.top is not None)
    if args.top is not None:
        frame = (
            frame.sort_values(["mentee_id", "score", "mentor_id"], ascending=[True, False, True])
            .groupby("mentee_id", sort=False)
            .head(args.top)
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out, index=False, float_format="%.6f")
    _print_scores(scores, seconds, sys.stderr)
    print(f"wrote {len(frame):,} rows to {args.out}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``crossmatch`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    handlers = {"demo": _demo, "synth": _synth, "score": _score, "init": _init}
    log = logging.getLogger("crossmatch")  # the library only logs; the command shows them
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("crossmatch: warning: %(message)s"))
    log.addHandler(handler)
    try:
        return handlers[args.command](args)
    except (ValidationError, InfeasibleError) as exc:
        print(f"crossmatch {args.command}: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # bad settings: a clear message, no traceback
        print(f"crossmatch {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    finally:
        log.removeHandler(handler)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
