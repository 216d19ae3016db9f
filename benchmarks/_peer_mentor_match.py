"""Run the peer package ``mentor-match`` 7.0.1 on its own rules (run with the PEER's Python).

Not imported by crossmatch: ``bench_match.py`` runs this file with the interpreter of a
separate virtual environment holding ``mentor-match==7.0.1``::

    /work/peer-venv/bin/python benchmarks/_peer_mentor_match.py match DIR OUT.json
    /work/peer-venv/bin/python benchmarks/_peer_mentor_match.py points DIR PAIRS.json OUT.json
    /work/peer-venv/bin/python benchmarks/_peer_mentor_match.py pairs DIR OUT.json

``DIR`` holds ``mentees.csv`` and ``mentors.csv`` in the peer's format (``email``,
``first name``, ``last name``, ``role``, ``organisation``, ``grade``, ``profession``).

The rules are the civil-service scheme's, written with the peer's own rule classes:
no same organisation; the mentor one or two grades more senior (both disqualifying);
grade gap 2: +12, grade gap 1: +9, same profession: +10; three rounds (three mentors per
mentee and, one per round, at most three mentees per mentor).

``match`` times :func:`matching.process.process_data` (the three Hungarian rounds) and
writes the pairs (mentee email, mentor email), the seconds and the peak resident set.
``points`` scores any list of pairs with the peer's :class:`matching.match.Match` and the
same rules, and reports the pairs those rules disqualify. ``pairs`` writes every pair the
rules allow with its points (mentee and mentor positions in the CSV files' order): the
pair list of the independent MILP oracle in ``bench_match.py``.
"""

from __future__ import annotations

import json
import operator
import resource
import sys
import time
from pathlib import Path


def rules() -> list:
    from matching.rules import rule as rl

    return [
        rl.Disqualify(lambda m: m.mentee.organisation == m.mentor.organisation),
        rl.Disqualify(lambda m: not 1 <= m.mentor.grade - m.mentee.grade <= 2),
        rl.Grade(2, operator.eq, {True: 12, False: 0}),
        rl.Grade(1, operator.eq, {True: 9, False: 0}),
        rl.Equivalent("profession", {True: 10, False: 0}),
    ]


def load(folder: Path) -> tuple[list, list]:
    from matching.mentee import Mentee
    from matching.mentor import Mentor
    from matching.process import create_participant_list_from_path

    mentors = create_participant_list_from_path(Mentor, folder)
    mentees = create_participant_list_from_path(Mentee, folder)
    return mentors, mentees


def run_match(folder: Path, out: Path) -> None:
    from matching.process import process_data

    mentors, mentees = load(folder)
    t0 = time.perf_counter()
    process_data(mentors, mentees, [rules(), rules(), rules()])
    seconds = time.perf_counter() - t0
    pairs = [[e.email, r.email] for e in mentees for r in e.mentors]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.write_text(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "pairs": pairs}))


def run_points(folder: Path, pairs_file: Path, out: Path) -> None:
    from matching.match import Match

    mentors, mentees = load(folder)
    by_email = {p.email: p for p in mentors}
    ee_by_email = {p.email: p for p in mentees}
    total, broken = 0, []
    for ee, mr in json.loads(pairs_file.read_text()):
        match = Match(by_email[mr], ee_by_email[ee], rules()).calculate_match()
        if match.disallowed:
            broken.append([ee, mr])
        total += match.score
    out.write_text(json.dumps({"points": total, "broken": broken}))


def run_pairs(folder: Path, out: Path) -> None:
    from matching.match import Match

    mentors, mentees = load(folder)
    pairs = []
    for i, ee in enumerate(mentees):
        for j, mr in enumerate(mentors):
            match = Match(mr, ee, rules()).calculate_match()
            if not match.disallowed:
                pairs.append([i, j, match.score])
    out.write_text(
        json.dumps(
            {
                "mentees": [p.email for p in mentees],
                "mentors": [p.email for p in mentors],
                "pairs": pairs,
            }
        )
    )


if __name__ == "__main__":
    mode, folder = sys.argv[1], Path(sys.argv[2])
    if mode == "match":
        run_match(folder, Path(sys.argv[3]))
    elif mode == "points":
        run_points(folder, Path(sys.argv[3]), Path(sys.argv[4]))
    elif mode == "pairs":
        run_pairs(folder, Path(sys.argv[3]))
    else:
        raise SystemExit(f"unknown mode {mode!r}: use 'match', 'points' or 'pairs'")
