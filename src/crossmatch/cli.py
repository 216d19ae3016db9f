"""The command line (the top floor: imports everything).

The whole chain, each step reading what the one before wrote::

    crossmatch shortlist MENTEES.csv MENTORS.csv --out DIR      -> DIR/shortlists.json ...
    crossmatch assign DIR/shortlists.json CHOICES.csv --out DIR2 -> DIR2/assignment.json ...
    crossmatch rematch DIR2/assignment.json --mentees ID ... --out DIR3
    crossmatch report FILE.json          crossmatch explain FILE.json MENTEE [MENTOR]
    crossmatch demo --out DIR            crossmatch synth ...      crossmatch score ...
    crossmatch init MENTEES MENTORS --out programme.toml   (a draft programme file)

Exit status: 0 done; 2 invalid input (bad settings, invalid tables or choices, missing or
unreadable files, an output path that cannot be written); 3 infeasible (the rules cannot
be met: the message says who, why and what to change). Errors are one message on stderr,
never a traceback; with ``--json`` a JSON summary (also of errors) goes to stdout.

Structure: every command that reads the two tables gets its options from
:func:`add_table_options` (the files, ``--programme``, ``--problems`` and the scoring flags)
and reads them through :func:`read_inputs`, so an option for all of them is added in one
place.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from . import __version__
from ._csv import write_csv
from ._json import jsonable
from ._text import plural
from .choices import match_ids, read_choices
from .cohort import Cohort
from .errors import InfeasibleError, ValidationError
from .programme import check_options, draft_programme, load_programme
from .reporting import (
    assignment_summary,
    explain,
    explain_mentee,
    ineligibility_table,
    report,
    score_summary,
)
from .reporting._describe import person_label
from .results import Assignment, Shortlists
from .scoring import Scores, ScoringConfig, SectorPreference, score
from .solve import ASSIGN_METHODS, METHODS, assign, rematch, shortlist
from .synth import simulate_choices, synthetic_cohort

__all__ = [
    "EXIT_INFEASIBLE",
    "EXIT_INVALID",
    "EXIT_OK",
    "add_table_options",
    "load_tables",
    "main",
    "read_history",
    "read_inputs",
    "recorded_inputs",
    "rescore",
]

EXIT_OK, EXIT_INVALID, EXIT_INFEASIBLE = 0, 2, 3

EXIT_CODES = """\
exit status:
  0  done
  2  invalid input: bad settings, invalid tables or choices, a missing or unreadable
     file, or an output path that cannot be written (one message, no traceback)
  3  infeasible: the rules cannot be met (the message says who, why and what to change)
"""


class UsageError(ValueError):
    """A problem with the command line's own inputs (one line, exit status 2)."""


# ---------------------------------------------------------------------------- options
def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def add_table_options(p: argparse.ArgumentParser) -> None:
    """The options of every command that reads the mentees and mentors tables: the two
    files and the main scoring settings (read by :func:`load_tables`)."""
    p.add_argument("mentees", type=Path, help="mentees table (CSV or .xlsx)")
    p.add_argument("mentors", type=Path, help="mentors table (CSV or .xlsx)")
    _add_programme_option(p)
    g = p.add_argument_group("scoring (over the programme file's settings)")
    g.add_argument(
        "--sector-peak",
        type=float,
        default=None,
        metavar="D",
        help="sector distance that scores best, 0..1 (default 0.35)",
    )
    g.add_argument(
        "--sector-width",
        type=float,
        default=None,
        metavar="W",
        help="how fast the sector preference falls away (default 0.25)",
    )
    for name, default in (
        ("sector", 1.0),
        ("goals", 1.0),
        ("availability", 1.0),
        ("seniority", 0.5),
    ):
        g.add_argument(
            f"--{name}-weight",
            type=float,
            default=None,
            metavar="W",
            help=f"weight of the {name} component (default {default})",
        )
    g.add_argument(
        "--reverse-mentoring", action="store_true", help="mentors may be junior to their mentees"
    )
    g.add_argument("--allow-same-organisation", action="store_true",
                   help="do not exclude pairs from the same organisation")  # fmt: skip


def _add_solver_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("shortlists (over the programme file's [shortlist] settings)")
    g.add_argument("-k", type=_positive, default=None, help="shortlist length (default 3)")
    g.add_argument(
        "--exposure",
        type=_positive,
        default=None,
        metavar="N",
        help="most shortlists a mentor may appear on (default: from capacity)",
    )
    g.add_argument(
        "--max-per-group",
        type=_positive,
        default=None,
        metavar="D",
        help="at most D mentors of one sector per shortlist",
    )
    g.add_argument(
        "--method", choices=sorted(METHODS), default=None, help="shortlist solver (default auto)"
    )
    g.add_argument(
        "--time-limit",
        type=_seconds,
        default=None,
        metavar="S",
        help="seconds for the exact stage (default 30 under auto)",
    )
    g.add_argument(
        "--allow-short",
        action="store_true",
        default=None,
        help="shorter lists for mentees with fewer than k options, not an error",
    )
    g.add_argument("--seed", type=int, default=None, help="solver seed (default 0)")


def _scoring_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The scoring flags that were given, as a plain dict (recorded in the results)."""
    names = ("sector_peak", "sector_width", "sector_weight", "goals_weight",
             "availability_weight", "seniority_weight")  # fmt: skip
    out: dict[str, Any] = {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}
    if getattr(args, "reverse_mentoring", False):
        out["reverse_mentoring"] = True
    if getattr(args, "allow_same_organisation", False):
        out["allow_same_organisation"] = True
    return out


def scoring_config(settings: dict[str, Any], base: ScoringConfig | None = None) -> ScoringConfig:
    """``base`` (the programme file's scoring, or the defaults) with the recorded scoring
    flags (:func:`_scoring_settings`) applied over it."""
    base = base if base is not None else ScoringConfig()
    kw: dict[str, Any] = {
        k: float(settings[k])
        for k in ("sector_weight", "goals_weight", "availability_weight", "seniority_weight")
        if k in settings
    }
    if "sector_peak" in settings or "sector_width" in settings:
        kw["sector"] = SectorPreference(
            peak=float(settings.get("sector_peak", base.sector.peak)),
            width=float(settings.get("sector_width", base.sector.width)),
        )
    if settings.get("reverse_mentoring"):
        kw["seniority"] = replace(base.seniority, reverse=True)
    if settings.get("allow_same_organisation"):
        kw["same_organisation"] = False
    return replace(base, **kw) if kw else base


def _add_programme_option(parser: argparse.ArgumentParser) -> None:
    """``--programme FILE``, ``--problems FILE.csv`` and ``--encoding NAME`` for every command
    that reads tables."""
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
    parser.add_argument(
        "--encoding",
        default=None,
        metavar="NAME",
        help="encoding of the CSV files when neither UTF-8 nor cp1252 (e.g. latin-1)",
    )


def read_inputs(
    inputs: dict[str, Any], problems: Path | None = None
) -> tuple[Cohort, ScoringConfig, dict[str, Any]]:
    """The one place the command line reads tables: the cohort and scoring config that
    ``inputs`` (``mentees``, ``mentors`` paths, optional ``programme`` file and ``scoring``
    flags) describe, and the inputs to record in the results (absolute paths) so that a
    later ``rematch``, ``report`` or ``explain`` can score the same cohort the same way.

    With ``problems``, invalid tables also write every problem to that CSV. The intake
    summary (what was mapped or guessed) goes to stderr."""
    ee, mr = inputs.get("mentees"), inputs.get("mentors")
    if ee is None or mr is None:
        raise UsageError(
            "the file does not record its input tables; pass --mentees-file and --mentors-file"
        )
    ee, mr = Path(ee), Path(mr)
    _readable(ee, "mentees table")
    _readable(mr, "mentors table")
    prog_path = inputs.get("programme")
    if prog_path is not None:
        _readable(Path(prog_path), "programme file")
    settings = dict(inputs.get("scoring") or {})
    try:
        programme = load_programme(prog_path) if prog_path is not None else None
        cohort = Cohort.from_csv(ee, mr, programme=programme, encoding=inputs.get("encoding"))
    except ValidationError as exc:
        if problems is not None:
            problems.parent.mkdir(parents=True, exist_ok=True)
            write_csv(exc.to_frame(), problems)
            print(f"wrote {len(exc.problems)} problems to {problems}", file=sys.stderr)
        raise
    if cohort.intake is not None and cohort.intake.notes:
        print(cohort.intake.format(warnings=False), file=sys.stderr)
    config = scoring_config(settings, programme.scoring if programme is not None else None)
    recorded: dict[str, Any] = {"mentees": str(ee.resolve()), "mentors": str(mr.resolve()),
                                "scoring": settings}  # fmt: skip
    if prog_path is not None:
        recorded["programme"] = str(Path(prog_path).resolve())
    if inputs.get("encoding") is not None:
        recorded["encoding"] = inputs["encoding"]
    if programme is not None and programme.shortlist:
        recorded["programme_shortlist"] = dict(programme.shortlist)
    return cohort, config, recorded


def _add_history_option(p: argparse.ArgumentParser, recorded: bool = False) -> None:
    more = " (default: the file recorded in the input JSON, if any)" if recorded else ""
    p.add_argument("--history", type=Path, default=None, metavar="FILE",
                   help="CSV of past rounds (mentee_id, mentor_id[, round, outcome]): past "
                        "pairs are never proposed again" + more)  # fmt: skip


def read_history(path: Path | str | None, what: str = "--history file") -> pd.DataFrame | None:
    """The history table at ``path`` (None: no history)."""
    if path is None:
        return None
    path = Path(path)
    _readable(path, what)
    return pd.read_csv(path)


def _history(args: argparse.Namespace) -> pd.DataFrame | None:
    return read_history(getattr(args, "history", None))


def load_tables(args: argparse.Namespace) -> tuple[Cohort, ScoringConfig, dict[str, Any]]:
    """The inputs of a table-reading command (see :func:`add_table_options`)."""
    given = {"mentees": args.mentees, "mentors": args.mentors, "programme": args.programme,
             "scoring": _scoring_settings(args), "encoding": args.encoding}  # fmt: skip
    return read_inputs(given, problems=args.problems)


def _readable(path: Path, what: str) -> None:
    if not path.exists():
        raise FileNotFoundError(f"{what} not found: {path}")
    if path.is_dir():
        raise IsADirectoryError(f"expected a {what} file, got a directory: {path}")


def _out_dir(path: Path) -> Path:
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"--out must be a directory, but {path} is a file")
    path.mkdir(parents=True, exist_ok=True)
    if not os.access(path, os.W_OK):
        raise PermissionError(f"cannot write to the output directory {path}")
    return path


def _parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    p = argparse.ArgumentParser(
        prog="crossmatch",
        description="Match mentees with mentors across sectors.",
        epilog="example:\n  crossmatch demo --out demo/\n\n" + EXIT_CODES,
        formatter_class=fmt,
    )
    p.add_argument("--version", action="version", version=f"crossmatch {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, example: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".",
                           epilog=f"example:\n  {example}\n\n{EXIT_CODES}",
                           formatter_class=fmt)  # fmt: skip
        c.add_argument(
            "--json", action="store_true", help="print a machine-readable JSON summary on stdout"
        )
        c.add_argument("-v", "--verbose", action="store_true",
                       help="log each stage with its sizes and seconds (stderr)")  # fmt: skip
        return c

    d = command("demo", "run the whole chain on a synthetic cohort and write every output",
                "crossmatch demo --mentees 300 --mentors 150 --out demo/")  # fmt: skip
    d.add_argument("--no-report", action="store_true", help="do not write report.html")
    d.add_argument("--out", type=Path, default=Path("crossmatch-demo"),
                   help="output directory (default ./crossmatch-demo)")  # fmt: skip
    d.add_argument("--mentees", type=_positive, default=300)
    d.add_argument("--mentors", type=_positive, default=150)
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("-k", type=_positive, default=3, help="shortlist length (default 3)")
    d.add_argument("--method", choices=sorted(METHODS), default="auto", help="shortlist method")

    s = command("synth", "write a synthetic cohort as mentees.csv and mentors.csv",
                "crossmatch synth --mentees 300 --mentors 150 --seed 0 --out data/")  # fmt: skip
    s.add_argument("--mentees", type=_positive, required=True)
    s.add_argument("--mentors", type=_positive, required=True)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--capacity", type=int, nargs=2, default=(1, 4), metavar=("LOW", "HIGH"))
    s.add_argument("--out", type=Path, required=True, help="output directory (created)")

    c = command(
        "score",
        "score every pair of two CSV tables",
        "crossmatch score data/mentees.csv data/mentors.csv --out scores.csv --top 10",
    )
    add_table_options(c)
    c.add_argument("--out", type=Path, required=True, help="output CSV (long table)")
    c.add_argument("--eligible-only", action="store_true", help="write eligible pairs only")
    c.add_argument("--top", type=_positive, default=None,
                   help="keep each mentee's TOP best eligible mentors only")  # fmt: skip
    _add_history_option(c)

    i = command("init", "draft a programme file from two tables (every guess marked)",
                "crossmatch init mentees.csv mentors.xlsx --out programme.toml")  # fmt: skip
    i.add_argument("mentees", type=Path, help="mentees table (CSV or .xlsx)")
    i.add_argument("mentors", type=Path, help="mentors table (CSV or .xlsx)")
    i.add_argument("--out", type=Path, required=True, help="programme file to write (.toml)")
    i.add_argument("--force", action="store_true", help="overwrite an existing file")
    i.add_argument(
        "--encoding", default=None, metavar="NAME", help="CSV encoding ([input] encoding)"
    )

    sl = command(
        "shortlist",
        "score two tables and propose k mentors per mentee",
        "crossmatch shortlist data/mentees.csv data/mentors.csv -k 3 --out round1/",
    )
    add_table_options(sl)
    _add_solver_options(sl)
    _add_history_option(sl)
    sl.add_argument("--waitlist", action="store_true",
                    help="oversubscribed: serve as many mentees as possible, waitlist the rest "
                         "(mentees who waited in --history first)")  # fmt: skip
    sl.add_argument("--out", type=Path, required=True, help="output directory (created)")
    sl.add_argument("--no-report", action="store_true", help="do not write report.html")

    a = command(
        "assign",
        "assign one mentor per mentee from their choices",
        "crossmatch assign round1/shortlists.json choices.csv --out final/",
    )
    a.add_argument("shortlists", type=Path, help="shortlists.json written by shortlist/rematch")
    a.add_argument(
        "choices",
        type=Path,
        nargs="?",
        default=None,
        help="choices CSV: mentee_id,mentor_id,preference or mentee_id,choice_1,... "
        "(default: none; every mentee keeps the shortlist order)",
    )
    a.add_argument("--method", choices=sorted(ASSIGN_METHODS), default="rank-maximal")
    a.add_argument(
        "--per-mentee",
        type=int,
        default=1,
        metavar="M",
        help="up to M distinct mentors per mentee from their list (default 1)",
    )
    a.add_argument("--out", type=Path, required=True, help="output directory (created)")
    a.add_argument("--no-report", action="store_true", help="do not write report.html")

    r = command(
        "rematch",
        "new shortlists for mentees whose pairing did not work",
        "crossmatch rematch final/assignment.json --mentees mentee-0007 --out round2/",
    )
    r.add_argument("assignment", type=Path, help="assignment.json written by assign")
    r.add_argument(
        "--mentees",
        nargs="+",
        required=True,
        dest="who",
        metavar="ID",
        help="ids of the mentees to rematch",
    )
    r.add_argument(
        "--mentees-file",
        type=Path,
        default=None,
        dest="mentees",
        help="mentees CSV (default: the file recorded in the assignment)",
    )
    r.add_argument(
        "--mentors-file",
        type=Path,
        default=None,
        dest="mentors",
        help="mentors CSV (default: the file recorded in the assignment)",
    )
    _add_solver_options(r)
    _add_history_option(r, recorded=True)
    r.add_argument("--out", type=Path, required=True, help="output directory (created)")
    r.add_argument("--no-report", action="store_true", help="do not write report.html")

    rp = command(
        "report",
        "the coordinator's report of a shortlists or assignment JSON",
        "crossmatch report final/assignment.json --out report.html",
    )
    rp.add_argument("file", type=Path, help="shortlists.json or assignment.json")
    rp.add_argument("--out", type=Path, default=None, help="also write the report as HTML")
    _add_history_option(rp, recorded=True)

    e = command(
        "explain",
        "why (not) a mentor, for one mentee",
        "crossmatch explain round1/shortlists.json mentee-0001 mentor-0042",
    )
    e.add_argument("file", type=Path, help="shortlists.json or assignment.json")
    e.add_argument("mentee", help="mentee id")
    e.add_argument("mentor", nargs="?", default=None, help="mentor id (default: every mentor)")
    _add_history_option(e, recorded=True)
    return p  # fmt: skip


# ---------------------------------------------------------------------------- output
class Run:
    """What a command did: lines for people, a summary for machines, files written."""

    def __init__(self, command: str, as_json: bool) -> None:
        self.command, self.as_json = command, as_json
        self.summary: dict[str, Any] = {"command": command}
        self.html = True  # write report.html next to the results (--no-report: not)
        self.files: dict[str, str] = {}

    @property
    def out(self) -> TextIO:
        return sys.stderr if self.as_json else sys.stdout

    def say(self, text: str = "") -> None:
        print(text, file=self.out)

    def wrote(self, name: str, path: Path) -> None:
        key = name if name not in self.files else f"{path.parent.name}/{name}"
        self.files[key] = str(path)

    def finish(self, code: int = EXIT_OK) -> int:
        if self.files:
            where = sorted({str(Path(p).parent) for p in self.files.values()})
            self.say(f"wrote {plural(len(self.files), 'file')} to {', '.join(where)}")
        if self.as_json:
            doc = {**self.summary, "status": "ok", "exit_code": code, "files": self.files}
            print(json.dumps(jsonable(doc), allow_nan=False))
        return code


def _write_report(result: Any, path: Path, run: Run) -> None:
    if not run.html:
        return
    report(result).to_html(path)
    run.wrote("report_html", path)


def _letters(lists: Shortlists, cohort: Cohort | None, out: Path, run: Run) -> None:
    """The mentee-facing files: ``letters.txt`` (one block per mentee) and
    ``letters.csv`` (one row per mentee, for a mail merge)."""
    about: dict[Any, str] = {}
    if cohort is not None:
        about = {
            r["id"]: person_label(r["organisation"], r["sector"], r["region"])
            for r in cohort.mentors.to_dict(orient="records")
        }
    frame = lists.to_frame().dropna(subset=["mentor_id"])  # waitlisted mentees: below
    blocks, rows = [], []
    for mentee, group in frame.groupby("mentee_id", sort=False):
        lines = [f"Mentee: {mentee}", "Your shortlist (tell us your order of preference):"]
        row: dict[str, Any] = {"mentee_id": mentee, "options": len(group)}
        for rec in group.itertuples(index=False):
            who = about.get(rec.mentor_id, "")
            why = explain(lists, mentee, rec.mentor_id).text
            lines.append(f"  {rec.rank}. {rec.mentor_id}" + (f" - {who}" if who else ""))
            lines.append(f"     {why}")
            row[f"mentor_{rec.rank}"] = rec.mentor_id
            row[f"mentor_{rec.rank}_about"] = who
            row[f"mentor_{rec.rank}_why"] = why
        blocks.append("\n".join(lines))
        rows.append(row)
    waiting = [v for v, n in zip(lists.mentee_ids.tolist(), lists.lengths(), strict=True) if n == 0]
    reason = dict(zip(lists.mentee_ids.tolist(), lists.waitlist_reason, strict=True))
    for mentee in waiting:
        blocks.append(f"Mentee: {mentee}\nNo mentor could be shortlisted for you this round.")
        rows.append({"mentee_id": mentee, "options": 0, "waitlist_reason": reason[mentee]})
    (out / "letters.txt").write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    write_csv(pd.DataFrame(rows), out / "letters.csv")
    run.wrote("letters_txt", out / "letters.txt")
    run.wrote("letters_csv", out / "letters.csv")


def _save_shortlists(lists: Shortlists, cohort: Cohort | None, out: Path, run: Run) -> None:
    lists.to_csv(out / "shortlists.csv")
    lists.to_json(out / "shortlists.json")
    run.wrote("shortlists_csv", out / "shortlists.csv")
    run.wrote("shortlists_json", out / "shortlists.json")
    _letters(lists, cohort, out, run)
    _write_report(lists, out / "report.html", run)


def _save_assignment(result: Assignment, out: Path, run: Run) -> None:
    result.to_csv(out / "assignment.csv")
    result.to_json(out / "assignment.json")
    run.wrote("assignment_csv", out / "assignment.csv")
    run.wrote("assignment_json", out / "assignment.json")
    _write_report(result, out / "report.html", run)


def _describe_shortlists(lists: Shortlists, seconds: float, run: Run) -> None:
    short = int((lists.lengths() < lists.k).sum())
    shown = np.bincount(lists.mentors[lists.mentors >= 0], minlength=lists.scores.n_mentors)
    run.say(
        f"Shortlists of {lists.k} for {lists.n_mentees} mentees ({lists.method}, "
        f"{lists.status}) in {seconds:.2f} s: total score {lists.objective:.2f}, upper bound "
        f"{lists.bound:.2f} (gap {lists.gap:.3%})"
        + (
            f"; {plural(short, 'mentee')} {'has' if short == 1 else 'have'} fewer than "
            f"{lists.k} options"
            if short
            else ""
        )
    )
    run.say(f"Mentors shown: {int((shown > 0).sum())} of {lists.scores.n_mentors}")
    run.summary.update(
        n_mentees=lists.n_mentees, n_mentors=lists.scores.n_mentors, k=lists.k,
        method=lists.method, solver_status=lists.status, objective=lists.objective,
        bound=lists.bound, gap=lists.gap, short_lists=short, mentors_shown=int((shown > 0).sum()),
    )  # fmt: skip


def _describe_assignment(result: Assignment, seconds: float, run: Run) -> None:
    a = assignment_summary(result)
    ranks = ", ".join(f"{c} got choice {r}" for r, c in enumerate(a["signature"], start=1))
    run.say(
        f"Assignment ({result.method}) in {seconds:.2f} s: {a['matched']} of "
        f"{a['n_mentees']} mentees matched; {a['first_choice_share']:.1%} got their first "
        f"choice ({ranks or 'none'})"
    )
    if a["matched"]:
        mean, worst = a["mean_score"], a["worst_score"]
        run.say(f"Score of assigned pairs: mean {mean:.3f}, worst {worst:.3f}")
    rematched = list(result.info.get("rematched", []))
    if rematched:
        run.say(f"Merged into the previous assignment; rematched so far: {len(rematched)}")
    run.summary.update(
        n_mentees=a["n_mentees"], matched=a["matched"], unmatched=a["unmatched"],
        signature=list(a["signature"]), first_choice_share=a["first_choice_share"],
        mean_score=a["mean_score"], worst_score=a["worst_score"], rematched=rematched,
    )  # fmt: skip


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
        width = max(len(str(r)) for r in reasons["reason"])
        for row in reasons.itertuples():
            print(f"  {row.reason:<{width}} {row.pairs:>10,}  ({row.share:.1%} of pairs)", file=w)
    st = s["score"]
    print(
        f"Score of eligible pairs: mean {st['mean']:.3f}, median {st['median']:.3f}, "
        f"90th percentile {st['p90']:.3f}, best {st['max']:.3f}",
        file=w,
    )
    comps = ", ".join(f"{k} {v:.3f}" for k, v in s["components"].items())
    print(f"Component means over eligible pairs: {comps}", file=w)


SOLVER_OPTIONS = ("k", "exposure", "max_per_group", "method", "time_limit", "seed", "allow_short")


def _solver_options(args: argparse.Namespace, inputs: dict[str, Any]) -> dict[str, Any]:
    """The shortlist settings: flags given, else the programme file's ``[shortlist]``
    (recorded in ``inputs``), else :func:`crossmatch.shortlist`'s defaults."""
    out = dict(inputs.get("programme_shortlist") or {})
    out.update({k: getattr(args, k) for k in SOLVER_OPTIONS if getattr(args, k) is not None})
    return out


def _record(result: Any, inputs: dict[str, Any]) -> Any:
    """The result with the inputs recorded in its info (for a later rematch)."""
    return replace(result, info={**result.info, "inputs": inputs})


# ---------------------------------------------------------------------------- commands
def _shortlist(args: argparse.Namespace, run: Run) -> int:
    out = _out_dir(args.out)
    cohort, config, inputs = load_tables(args)
    t0 = time.perf_counter()
    history = _history(args)
    scores = score(cohort, config, history=history)
    check_options(cohort, scores.config, scores=scores)  # warns (logger) of settings that bite
    options = _solver_options(args, inputs)
    if args.history is not None:  # a later rematch, report or explain scores with it too
        inputs = {**inputs, "history": str(args.history.resolve())}
    if args.waitlist:
        lists = shortlist(scores, **options, waitlist=True, history=history)
    else:
        lists = shortlist(scores, **options)
    lists = _record(lists, {**inputs, "shortlist": options})
    _describe_shortlists(lists, time.perf_counter() - t0, run)
    _save_shortlists(lists, cohort, out, run)
    run.say(f"next: collect choices, then  crossmatch assign {out / 'shortlists.json'} CHOICES.csv")
    return run.finish()


def recorded_inputs(result: Shortlists | Assignment) -> dict[str, Any]:
    """The input tables and scoring settings a result was made from, as the command line
    records them in ``info["inputs"]`` (empty if it was made elsewhere)."""
    for obj in (result, getattr(result, "shortlists", None), getattr(result, "previous", None)):
        if obj is not None and obj.info.get("inputs"):
            return dict(obj.info["inputs"])
    return {}


def rescore(
    inputs: dict[str, Any],
    mentees: Path | None = None,
    mentors: Path | None = None,
    history: Path | None = None,
) -> tuple[Cohort, Scores, dict[str, Any]]:
    """The cohort and full scores that recorded inputs describe (``mentees`` / ``mentors``
    / ``history`` override the recorded files; the history's past pairs are ineligible,
    as when the result was made), and the inputs to record for what comes next."""
    given = {**inputs, **{k: v for k, v in (("mentees", mentees), ("mentors", mentors)) if v}}
    cohort, config, recorded = read_inputs(given)
    past = history if history is not None else inputs.get("history")
    table = read_history(past, "--history file" if history is not None else "history file")
    if past is not None:
        recorded["history"] = str(Path(past).resolve())
    return cohort, score(cohort, config, history=table), recorded


def _with_full_scores(
    result: Shortlists | Assignment, run: Run, history: Path | None = None
) -> Shortlists | Assignment:
    """``result`` over the full scores of its recorded input tables (with the recorded
    history, or ``history``), so that explanations and reports see every pair and why;
    as loaded (its own pairs only) when they cannot be read."""
    if history is not None:
        _readable(history, "--history file")
    try:
        _, full, _ = rescore(recorded_inputs(result), history=history)
        return result.with_scores(full)
    except (OSError, ValueError) as exc:  # missing or changed tables: say so, go on
        first = str(exc).strip().splitlines()[0]
        run.say(f"note: using the pairs in the file only (the full scores: {first})")
        return result


def _load_result(path: Path) -> Shortlists | Assignment:
    _readable(path, "JSON")
    text = path.read_text(encoding="utf-8")
    try:
        kind = json.loads(text).get("kind")
    except (json.JSONDecodeError, AttributeError):
        raise UsageError(f"{path} is not a crossmatch shortlists or assignment JSON") from None
    if kind == "shortlists":
        return Shortlists.from_json(text)
    if kind == "assignment":
        return Assignment.from_json(text)
    raise UsageError(f"{path} is not a crossmatch shortlists or assignment JSON (kind {kind!r})")


def _assign(args: argparse.Namespace, run: Run) -> int:
    _readable(args.shortlists, "shortlists JSON")
    if args.choices is not None:
        _readable(args.choices, "choices CSV")
    out = _out_dir(args.out)
    lists = Shortlists.from_json(args.shortlists)
    choices = None if args.choices is None else read_choices(args.choices)
    t0 = time.perf_counter()
    result = assign(lists, choices, method=args.method, per_mentee=args.per_mentee)
    inputs = lists.info.get("inputs") or (
        lists.previous.info.get("inputs") if lists.previous is not None else None
    )
    if inputs is not None:
        result = _record(result, dict(inputs))
    _describe_assignment(result, time.perf_counter() - t0, run)
    _save_assignment(result, out, run)
    return run.finish()


def _rematch(args: argparse.Namespace, run: Run) -> int:
    _readable(args.assignment, "assignment JSON")
    out = _out_dir(args.out)
    previous = Assignment.from_json(args.assignment)
    cohort, scores, inputs = rescore(
        recorded_inputs(previous), args.mentees, args.mentors, args.history
    )
    if not (
        np.array_equal(scores.mentee_ids, previous.scores.mentee_ids)
        and np.array_equal(scores.mentor_ids, previous.scores.mentor_ids)
    ):
        raise UsageError(
            f"the tables {inputs['mentees']} and {inputs['mentors']} do not hold the "
            "assignment's mentees and mentors (changed since?); pass the original files "
            "with --mentees-file/--mentors-file"
        )
    wanted = match_ids(pd.Series(args.who, dtype=object), previous.scores.mentee_ids).tolist()
    t0 = time.perf_counter()
    options = _solver_options(args, inputs)
    lists = rematch(previous, scores, mentees=wanted, **options)
    lists = _record(lists, {**inputs, "shortlist": options})
    _describe_shortlists(lists, time.perf_counter() - t0, run)
    run.summary["rematched"] = wanted
    _save_shortlists(lists, cohort, out, run)
    run.say(
        f"next: collect choices, then  crossmatch assign {out / 'shortlists.json'} CHOICES.csv"
        " (merges into the previous assignment)"
    )
    return run.finish()


def _report(args: argparse.Namespace, run: Run) -> int:
    loaded = _load_result(args.file)
    result = _with_full_scores(loaded, run, args.history)
    rep = report(result)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        rep.to_html(args.out)
        run.wrote("report_html", args.out)
    if run.as_json:
        run.summary["report"] = rep.to_dict()
    else:
        run.say(str(rep))
    return run.finish()


def _explain(args: argparse.Namespace, run: Run) -> int:
    loaded = _load_result(args.file)
    result = _with_full_scores(loaded, run, args.history)
    s = result.scores
    mentee = match_ids(pd.Series([args.mentee], dtype=object), s.mentee_ids).iloc[0]
    if mentee not in set(s.mentee_ids.tolist()):
        raise UsageError(f"unknown mentee id {args.mentee!r} in {args.file}")
    if args.mentor is None:
        table = explain_mentee(result, mentee)
        if run.as_json:
            run.summary["explanations"] = jsonable(table.to_dict(orient="records"))
        else:
            for rec in table.to_dict(orient="records"):
                run.say(f"{rec['mentor_id']}: {rec['verdict']} - {rec['text']}")
        return run.finish()
    mentor = match_ids(pd.Series([args.mentor], dtype=object), s.mentor_ids).iloc[0]
    if mentor not in set(s.mentor_ids.tolist()):
        raise UsageError(f"unknown mentor id {args.mentor!r} in {args.file}")
    ex = explain(result, mentee, mentor)
    if run.as_json:
        run.summary["explanation"] = ex.to_dict()
    else:
        run.say(f"{ex.verdict}: {ex.text}")
    return run.finish()


def _demo(args: argparse.Namespace, run: Run) -> int:
    out = _out_dir(args.out)
    t0 = time.perf_counter()
    mentees, mentors = synthetic_cohort(args.mentees, args.mentors, seed=args.seed)
    write_csv(mentees, out / "mentees.csv")
    write_csv(mentors, out / "mentors.csv")
    run.wrote("mentees_csv", out / "mentees.csv")
    run.wrote("mentors_csv", out / "mentors.csv")
    cohort, config, inputs = read_inputs(
        {"mentees": out / "mentees.csv", "mentors": out / "mentors.csv", "scoring": {}}
    )
    t1 = time.perf_counter()
    run.say(
        f"crossmatch demo: synthetic cohort (seed {args.seed}) of {cohort.n_mentees} mentees "
        f"and {cohort.n_mentors} mentors (total capacity {int(cohort.capacity.sum())}), "
        f"built and validated in {t1 - t0:.3f} s"
    )
    sectors = cohort.mentees["sector"].value_counts().head(5)
    run.say("Largest mentee sectors: " + ", ".join(f"{k} {v}" for k, v in sectors.items()))
    t1 = time.perf_counter()
    scores = score(cohort, config)
    _print_scores(scores, time.perf_counter() - t1, run.out)
    i = int(np.argmax(scores.eligible.sum(axis=1) > 0))
    row = cohort.mentees.iloc[i]
    run.say(
        f"\nBest mentors for {row['id']} ({row['sector']}; seniority {row['seniority']}; "
        f"goals: {row['goals'].replace(';', ', ')}; {row['mode']}, {row['region']}):"
    )
    table = explain_mentee(scores, row["id"], top=5)
    shown = [c for c in table.columns if c not in ("eligible", "text")]
    run.say(table[shown].to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    run.say(f"Why the first: {table['text'].iloc[0]}")

    t1 = time.perf_counter()
    options = {"k": args.k, "method": args.method, "allow_short": True}
    lists = _record(shortlist(scores, **options), {**inputs, "shortlist": options})
    run.say()
    _describe_shortlists(lists, time.perf_counter() - t1, run)
    _save_shortlists(lists, cohort, _out_dir(out / "shortlists"), run)
    choices = simulate_choices(lists, seed=args.seed)
    write_csv(choices, out / "choices.csv")
    run.wrote("choices_csv", out / "choices.csv")
    run.say(
        f"Simulated choices: {choices['mentee_id'].nunique()} of {cohort.n_mentees} mentees "
        "ranked their shortlist (the rest keep the shortlist order)"
    )
    t1 = time.perf_counter()
    result = _record(assign(lists, read_choices(out / "choices.csv")), lists.info["inputs"])
    _describe_assignment(result, time.perf_counter() - t1, run)
    a = assignment_summary(result)
    hist = ", ".join(f"{v} with {k}" for k, v in a["load_histogram"].items())
    run.say(
        f"Mentor load: {a['mentors_used']} mentors used, {a['mentors_full']} at capacity, mean "
        f"{a['mean_load']:.0%} of capacity (mentors by mentees assigned: {hist})"
    )
    _save_assignment(result, _out_dir(out / "assignment"), run)
    first = _easiest_to_rematch(result)
    try:
        again = rematch(result, mentees=[first], k=args.k, allow_short=True)
    except InfeasibleError as exc:  # a tiny cohort may have no free capacity left
        run.say(f"Rematch example skipped: {exc}")
    else:
        again = _record(again, {**inputs, "shortlist": options})
        _save_shortlists(again, cohort, _out_dir(out / "rematch"), run)
        run.say(f"Rematch example: new shortlist for {first} in {out / 'rematch'}")
    _demo_rounds(scores, args.k, run)
    page = out / "assignment" / "report.html"
    run.say(f"\nEverything is in {out}/" + (f" (start with {page})" if page.is_file() else ""))
    run.summary.update(out=str(out))
    return run.finish()


def _demo_rounds(scores: Scores, k: int, run: Run) -> None:
    """An oversubscribed cohort (every mentor's capacity halved) in two rounds: a
    waitlist, then history."""
    capacity = np.where(scores.capacity > 0, np.maximum(scores.capacity // 2, 1), 0)
    if capacity.sum() == 0 or capacity.sum() >= scores.n_mentees:
        return
    half = scores.with_capacity(capacity)
    try:
        first = shortlist(half, k=k, waitlist=True, allow_short=True)
    except InfeasibleError as exc:
        run.say(f"Oversubscribed example skipped: {exc}")
        return
    waiting = np.flatnonzero(first.waitlisted)
    reason = next((r for r in first.waitlist_reason if r), "")
    run.say(
        f"\nOversubscribed example (capacities halved: {int(capacity.sum())} "
        f"places for {scores.n_mentees} mentees), shortlist(waitlist=True): "
        f"{scores.n_mentees - len(waiting)} served, {len(waiting)} waitlisted, e.g. because "
        f"{reason}"
    )
    paired = assign(first, None)
    ids = scores.mentee_ids
    rows = np.flatnonzero(paired.mentor >= 0)
    history = pd.DataFrame(
        {
            "mentee_id": list(ids[rows]) + list(ids[waiting]),
            "mentor_id": list(scores.mentor_ids[paired.mentor[rows]]) + [None] * len(waiting),
            "round": 1,
            "outcome": ["matched"] * len(rows) + ["waitlisted"] * len(waiting),
        }
    )
    second = shortlist(half, k=k, waitlist=True, allow_short=True, history=history)
    again = set(ids[np.flatnonzero(~second.waitlisted)].tolist())
    served_again = sum(1 for m in ids[waiting].tolist() if m in again)
    repeats = sum(
        int(m) in set(second.mentors[r].tolist())
        for r, m in zip(rows, paired.mentor[rows], strict=True)
    )
    run.say(
        f"Round 2 with history=round 1: {served_again} of the {len(waiting)} who waited are "
        f"served first (priority derived from the history); {repeats} past pairs proposed again"
    )


def _easiest_to_rematch(result: Assignment) -> Any:
    """The mentee with the most eligible mentors that have room once they leave theirs."""
    s = result.scores
    free = s.capacity - result.load()
    room = np.asarray(s.eligible) & (free > 0)[None, :]
    room[np.arange(len(result.mentor)), np.maximum(result.mentor, 0)] &= result.mentor < 0
    return s.mentee_ids[int(np.argmax(room.sum(axis=1)))]


def _synth(args: argparse.Namespace, run: Run) -> int:
    mentees, mentors = synthetic_cohort(
        args.mentees, args.mentors, seed=args.seed, capacity=tuple(args.capacity)
    )
    out = _out_dir(args.out)
    write_csv(mentees, out / "mentees.csv")
    write_csv(mentors, out / "mentors.csv")
    run.wrote("mentees_csv", out / "mentees.csv")
    run.wrote("mentors_csv", out / "mentors.csv")
    run.say(f"{len(mentees)} mentees and {len(mentors)} mentors")
    run.summary.update(n_mentees=len(mentees), n_mentors=len(mentors))
    return run.finish()


def _score(args: argparse.Namespace, run: Run) -> int:
    cohort, config, _ = load_tables(args)
    if args.out.is_dir():
        raise IsADirectoryError(f"--out must be a CSV file, got a directory: {args.out}")
    t0 = time.perf_counter()
    scores = score(cohort, config, history=_history(args))
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
    write_csv(frame, args.out, float_format="%.6f")
    run.wrote("scores_csv", args.out)
    _print_scores(scores, seconds, sys.stderr)
    run.say(f"{len(frame):,} rows")
    run.summary.update(rows=len(frame), n_mentees=scores.n_mentees, n_mentors=scores.n_mentors)
    return run.finish()


def _init(args: argparse.Namespace, run: Run) -> int:
    if args.out.exists() and not args.force:
        raise UsageError(f"{args.out} exists; pass --force to overwrite it")
    text = draft_programme(args.mentees, args.mentors, encoding=args.encoding)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    run.wrote("programme_toml", args.out)
    guesses, todo = text.count("# a guess"), text.count("= ???")
    run.say(
        f"a draft programme file: {plural(guesses, 'guess', 'guesses')} to check"
        + (f", {plural(todo, 'value')} to fill in" if todo else "")
    )
    run.summary.update(guesses=guesses, to_fill_in=todo)
    return run.finish()


HANDLERS: dict[str, Callable[[argparse.Namespace, Run], int]] = {
    "demo": _demo, "synth": _synth, "init": _init, "score": _score, "shortlist": _shortlist,
    "assign": _assign, "rematch": _rematch, "report": _report, "explain": _explain,
}  # fmt: skip


def _fail(run: Run, code: int, message: str) -> int:
    print(f"crossmatch {run.command}: {message}", file=sys.stderr)
    if run.as_json:
        doc = {**run.summary, "status": "error", "exit_code": code, "error": message,
               "files": run.files}  # fmt: skip
        print(json.dumps(jsonable(doc), allow_nan=False))
    return code


class _LevelFormatter(logging.Formatter):
    """``crossmatch: warning: ...`` (and ``info:`` with -v)."""

    def format(self, record: logging.LogRecord) -> str:
        return f"crossmatch: {record.levelname.lower()}: {record.getMessage()}"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``crossmatch`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    run = Run(args.command, bool(getattr(args, "json", False)))
    run.html = not getattr(args, "no_report", False)
    # the library only logs: the command line shows its warnings (and, with -v, each stage)
    log = logging.getLogger("crossmatch")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LevelFormatter())
    level = log.level
    log.addHandler(handler)
    log.setLevel(logging.INFO if getattr(args, "verbose", False) else logging.WARNING)
    try:
        return HANDLERS[args.command](args, run)
    except InfeasibleError as exc:
        return _fail(run, EXIT_INFEASIBLE, str(exc))
    except ValidationError as exc:
        return _fail(run, EXIT_INVALID, str(exc))
    except BrokenPipeError:  # output piped into `head` and closed: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as exc:  # missing file, a directory for a file, no permission, ...
        text = str(exc) if not exc.filename else f"{exc.strerror or exc}: {exc.filename}"
        if exc.args and isinstance(exc.args[0], str) and len(exc.args) == 1:
            text = exc.args[0]
        return _fail(run, EXIT_INVALID, f"error: {text}")
    except ValueError as exc:  # bad settings or input (ParameterError too): a clear message
        return _fail(run, EXIT_INVALID, f"error: {exc}")
    finally:
        log.removeHandler(handler)
        log.setLevel(level)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
