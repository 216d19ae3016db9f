"""The command line, run as a real second process: the whole chain, every command, every
exit status, I/O errors as one line (never a traceback), and formula-safe CSV outputs."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crossmatch as cm
from crossmatch._csv import FORMULA_START, read_csv, write_csv
from crossmatch.check import check_assignment
from crossmatch.cli import main

SRC = str(Path(__file__).resolve().parents[1] / "src")
EVIL_ID = '=HYPERLINK("http://evil.example","click")'
COMMANDS = ["demo", "synth", "init", "score", "shortlist", "assign", "rematch", "report", "explain"]


def cli(*args: object, cwd: Path, code: int | None = 0) -> subprocess.CompletedProcess:
    """``python -m crossmatch ARGS`` in a new process with this source tree first."""
    env = {**os.environ, "PYTHONPATH": SRC, "CI": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "crossmatch", *map(str, args)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    if code is not None:
        assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    return done


def cli_many(calls: list[tuple[tuple, int]], cwd: Path) -> list[subprocess.CompletedProcess]:
    """Several independent :func:`cli` calls at once (each ``(args, expected code)``)."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        jobs = [pool.submit(cli, *args, cwd=cwd, code=code) for args, code in calls]
        return [j.result() for j in jobs]


def no_live_formula(path: Path, numeric: tuple[str, ...] = ()) -> None:
    with open(path, newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    skip = {header.index(c) for c in numeric if c in header}
    for row in rows:
        for k, cell in enumerate(row):
            if k not in skip:
                assert not cell.startswith(FORMULA_START), (path.name, cell)


def has_report() -> bool:
    return callable(getattr(cm, "report", None)) and callable(getattr(cm, "explain", None))


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """synth -> shortlist -> choices from the shortlists CSV -> assign -> rematch -> assign,
    every step a separate process, on a cohort whose ids and organisations are formulas."""
    d = tmp_path_factory.mktemp("chain")
    cli("synth", "--mentees", 60, "--mentors", 30, "--capacity", 2, 4, "--seed", 5,
        "--out", "data", cwd=d)  # fmt: skip
    ee = read_csv(d / "data/mentees.csv", dtype=str, keep_default_na=False)
    mr = read_csv(d / "data/mentors.csv", dtype=str, keep_default_na=False)
    ee.loc[0, "id"] = EVIL_ID
    mr.loc[0, "organisation"] = "=cmd|' /C calc'!A0"
    mr.loc[1, "id"] = "+mentor"
    ee["exclude"] = ee["exclude"].str.replace(mr.loc[1, "id"], "", regex=False)
    write_csv(ee, d / "data/mentees.csv", safe=False)  # as a programme office sends them
    write_csv(mr, d / "data/mentors.csv", safe=False)
    runs = {}
    runs["shortlist"] = cli("shortlist", "data/mentees.csv", "data/mentors.csv", "-k", 3,
                            "--sector-peak", 0.4, "--allow-short", "--out", "r1", "--json",
                            "--no-report", cwd=d)  # fmt: skip
    table = read_csv(d / "r1/shortlists.csv", dtype=str, keep_default_na=False)
    picks = table[table["rank"] != "1"].rename(columns={"rank": "preference"})
    picks["preference"] = picks["preference"].map({"2": "1", "3": "2"})
    write_csv(picks[["mentee_id", "mentor_id", "preference"]], d / "choices.csv")
    runs["assign"] = cli("assign", "r1/shortlists.json", "choices.csv", "--out", "final",
                         "--json", cwd=d)  # fmt: skip
    runs["rematch"] = cli("rematch", "final/assignment.json", "--mentees", EVIL_ID,
                          "mentee-0002", "-k", 2, "--allow-short", "--out", "r2", "--no-report",
                          cwd=d)  # fmt: skip
    runs["score"] = cli("score", "data/mentees.csv", "data/mentors.csv", "--out", "scores.csv",
                        cwd=d)  # fmt: skip
    runs["assign2"] = cli(
        "assign", "r2/shortlists.json", "--out", "final2", "--json", "--no-report", cwd=d
    )  # no choices: the shortlist order
    return d, runs


def test_shortlist_writes_results_letters_and_a_json_summary(chain):
    d, runs = chain
    summary = json.loads(runs["shortlist"].stdout)  # stdout is the JSON document only
    assert summary["status"] == "ok" and summary["exit_code"] == 0
    assert summary["n_mentees"] == 60 and summary["k"] == 3
    assert summary["objective"] <= summary["bound"]
    for name in ("shortlists.csv", "shortlists.json", "letters.txt", "letters.csv"):
        assert (d / "r1" / name).is_file()
        assert str(Path("r1") / name) in summary["files"].values()
    assert "wrote" in runs["shortlist"].stderr  # the human summary goes to stderr
    lists = cm.Shortlists.from_json(d / "r1/shortlists.json")
    assert lists.info["inputs"]["scoring"] == {"sector_peak": 0.4}
    letters = (d / "r1/letters.txt").read_text()
    assert letters.count("Mentee: ") == 60 and f"Mentee: {EVIL_ID}" in letters
    mail = read_csv(d / "r1/letters.csv", dtype=str, keep_default_na=False)
    assert len(mail) == 60 and mail.loc[0, "mentee_id"] == EVIL_ID
    assert {"mentor_1", "mentor_1_why", "mentor_3_why"} <= set(mail.columns)


def test_every_csv_the_cli_writes_is_formula_safe(chain):
    d, _ = chain
    for path in ("r1/shortlists.csv", "r1/letters.csv", "final/assignment.csv",
                 "r2/shortlists.csv", "final2/assignment.csv", "scores.csv"):  # fmt: skip
        no_live_formula(d / path, numeric=("score",))
    assert read_csv(d / "scores.csv")["mentee_id"].iloc[0] == EVIL_ID
    raw = (d / "r1/shortlists.csv").read_text()
    assert "'=HYPERLINK" in raw


def test_assign_from_the_choices_csv_equals_the_library(chain):
    d, runs = chain
    summary = json.loads(runs["assign"].stdout)
    assert summary["matched"] == 60 and summary["status"] == "ok"
    got = cm.Assignment.from_json(d / "final/assignment.json")
    lists = cm.Shortlists.from_json(d / "r1/shortlists.json")
    want = cm.assign(lists, cm.read_choices(d / "choices.csv"))
    assert np.array_equal(got.mentor, want.mentor)
    assert got.to_frame()["mentee_id"].iloc[0] == EVIL_ID
    assert sum(summary["signature"]) == 60 and summary["signature"][0] > 0


def test_rematch_then_assign_merges_into_the_previous_assignment(chain):
    d, runs = chain
    assert "merges into the previous assignment" in runs["rematch"].stdout
    first = cm.Assignment.from_json(d / "final/assignment.json")
    second = cm.Assignment.from_json(d / "final2/assignment.json")
    summary = json.loads(runs["assign2"].stdout)
    assert summary["rematched"] == [EVIL_ID, "mentee-0002"]
    rows = [0, 1]
    assert np.all(second.mentor[rows] != first.mentor[rows])
    assert np.array_equal(second.mentor[2:], first.mentor[2:])
    assert check_assignment(second) == []


def test_the_merged_assignment_can_be_rematched_again(chain, tmp_path):
    d, _ = chain
    cli("rematch", d / "final2/assignment.json", "--mentees", "mentee-0002", "-k", 1,
        "--allow-short", "--out", tmp_path / "r3", "--no-report", cwd=tmp_path)  # fmt: skip
    again = cm.Shortlists.from_json(tmp_path / "r3/shortlists.json")
    assert again.previous is not None and list(again.mentee_ids) == ["mentee-0002"]


def test_report_and_explain(chain):
    d, _ = chain
    rep, exp, one, js = cli_many(
        [(("report", "final2/assignment.json", "--out", "report.html"), 0),
         (("explain", "r1/shortlists.json", EVIL_ID), 0),
         (("explain", "final/assignment.json", "mentee-0002", "+mentor"), 0),
         (("report", "r1/shortlists.json", "--json"), 0)],
        cwd=d,
    )  # fmt: skip
    assert (d / "report.html").is_file() and (d / "final/report.html").is_file()
    assert not (d / "r1/report.html").exists()  # --no-report
    assert "matched: 60" in rep.stdout
    lines = exp.stdout.strip().splitlines()
    assert len(lines) == 30  # one line per mentor, ineligible ones included
    assert sum(ln.split(":")[1].strip().startswith("shortlisted") for ln in lines) == 3
    verdict = one.stdout.split(":", 1)[0]
    assert verdict in ("assigned", "ineligible", "outscored", "exposure", "capacity",
                       "group-limit", "trade-off", "shortlisted")  # fmt: skip
    doc = json.loads(js.stdout)
    assert doc["status"] == "ok" and "report" in doc


def test_programme_file_is_recorded_and_used_again_by_rematch(tmp_path):
    """init drafts a programme for a messy forms export; shortlist reads the tables with
    it; rematch reads them again with the same programme (recorded in the JSON)."""
    data = Path(__file__).resolve().parent / "data"
    ee, mr = data / "form_mentees.csv", data / "excel_mentors.csv"
    cli("init", ee, mr, "--out", "programme.toml", cwd=tmp_path)
    cli("shortlist", ee, mr, "--programme", "programme.toml", "-k", 1, "--allow-short",
        "--no-report", "--out", "r1", cwd=tmp_path)  # fmt: skip
    lists = cm.Shortlists.from_json(tmp_path / "r1/shortlists.json")
    assert lists.info["inputs"]["programme"] == str((tmp_path / "programme.toml").resolve())
    cli("assign", "r1/shortlists.json", "--no-report", "--out", "a", cwd=tmp_path)
    first = str(lists.mentee_ids[0])
    done = cli("rematch", "a/assignment.json", "--mentees", first, "-k", 1, "--allow-short",
               "--no-report", "--out", "r2", cwd=tmp_path, code=None)  # fmt: skip
    assert done.returncode in (0, 3), done.stderr  # 3: no free mentor left is a real answer
    assert "does not hold" not in done.stderr


def test_demo_writes_everything_and_says_where(tmp_path):
    done = cli("demo", "--mentees", 80, "--mentors", 40, "--seed", 3, "--out", "demo",
               cwd=tmp_path)  # fmt: skip
    out = done.stdout
    assert "80 mentees and 40 mentors" in out and "Best mentors for" in out
    assert "Shortlists of 3" in out and "mentees matched" in out and "Mentor load" in out
    assert "Everything is in demo/" in out
    for name in ("mentees.csv", "mentors.csv", "choices.csv", "shortlists/shortlists.json",
                 "shortlists/letters.txt", "assignment/assignment.json",
                 "assignment/assignment.csv", "rematch/shortlists.json"):  # fmt: skip
        assert (tmp_path / "demo" / name).is_file(), name
    a = cm.Assignment.from_json(tmp_path / "demo/assignment/assignment.json")
    assert a.matched.all()
    # the oversubscribed two-round example: who waits in round 1 is served first in round 2,
    # and no pair of round 1 is proposed again
    rounds = re.search(r"(\d+) served, (\d+) waitlisted", out)
    assert rounds is not None and int(rounds[2]) > 0, out
    again = re.search(r"Round 2 with history=round 1: (\d+) of the (\d+) who waited", out)
    assert again is not None and again[2] == rounds[2], out
    assert int(again[1]) == min(int(rounds[1]), int(rounds[2])), out
    assert "; 0 past pairs proposed again" in out


def test_help_of_every_command_shows_a_real_example_and_the_exit_codes(tmp_path, capsys):
    top = cli("--help", cwd=tmp_path)
    assert "exit status" in top.stdout and "3  infeasible" in top.stdout
    assert all(c in top.stdout for c in COMMANDS)
    for command in COMMANDS:  # the same parser in-process (a process each adds nothing)
        with pytest.raises(SystemExit) as info:
            main([command, "--help"])
        assert info.value.code == 0
        text = capsys.readouterr().out
        assert f"example:\n  crossmatch {command} " in text, command
        assert "2  invalid input" in text


# ---------------------------------------------------------------------------- failures
@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    """A small synthetic cohort where every mentee has at least 3 eligible mentors."""
    d = tmp_path_factory.mktemp("tables")
    for seed in range(50):
        ee, mr = cm.synthetic_cohort(30, 15, seed=seed, capacity=(2, 3))
        if (cm.score(cm.Cohort.from_frames(ee, mr)).eligible.sum(axis=1) >= 3).all():
            break
    write_csv(ee, d / "mentees.csv")
    write_csv(mr, d / "mentors.csv")
    return d


def test_missing_file_directory_and_unwritable_output_are_one_line_errors(tables, tmp_path):
    ee, mr = tables / "mentees.csv", tables / "mentors.csv"
    cases = [
        (["shortlist", tmp_path / "nope.csv", mr, "--out", tmp_path / "o"], "not found"),
        (["shortlist", tables, mr, "--out", tmp_path / "o"], "got a directory"),
        (["shortlist", ee, mr, "--out", ee], "is a file"),
        (["shortlist", ee, mr, "--out", ee / "sub"], "Not a directory"),
        (["assign", tmp_path / "nope.json", ee, "--out", tmp_path / "o"], "not found"),
        (["report", tables, "--json"], "got a directory"),
    ]
    runs = cli_many([(tuple(args), 2) for args, _ in cases], cwd=tmp_path)
    for (args, message), done in zip(cases, runs, strict=True):
        assert message in done.stderr, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    doc = json.loads(done.stdout)  # --json: the error as JSON on stdout too
    assert doc["status"] == "error" and doc["exit_code"] == 2


def test_invalid_input_exits_2_and_infeasible_exits_3(tables, tmp_path):
    mr = pd.read_csv(tables / "mentors.csv")
    mr.loc[1, "sector"] = "retial"
    mr.to_csv(tmp_path / "bad.csv", index=False)
    ee, mr = tables / "mentees.csv", tables / "mentors.csv"
    typo, infeasible, setting = cli_many(
        [(("shortlist", ee, tmp_path / "bad.csv", "--out", "o"), 2),
         (("shortlist", ee, mr, "-k", 6, "--out", "o", "--json"), 3),
         (("shortlist", ee, mr, "--sector-peak", "2", "--out", "o"), 2)],
        cwd=tmp_path,
    )  # fmt: skip
    assert "did you mean 'retail'" in typo.stderr and "index 1" in typo.stderr
    assert "fewer than k=6" in infeasible.stderr and "To fix" in infeasible.stderr
    assert json.loads(infeasible.stdout)["exit_code"] == 3
    assert "peak" in setting.stderr


def test_bad_choices_are_listed_all_at_once(tables, tmp_path):
    cli("shortlist", tables / "mentees.csv", tables / "mentors.csv", "-k", 2, "--allow-short",
        "--out", "r1", "--no-report", cwd=tmp_path)  # fmt: skip
    table = pd.read_csv(tmp_path / "r1/shortlists.csv")
    mentee, mentor = table.loc[0, ["mentee_id", "mentor_id"]]
    (tmp_path / "c.csv").write_text(
        f"mentee_id,choice_1,choice_2\nnobody,{mentor},\n{mentee},{mentor},{mentor}\n"
    )
    done, wrong, kind = cli_many(
        [(("assign", "r1/shortlists.json", "c.csv", "--out", "o"), 2),
         (("assign", tables / "mentees.csv", "c.csv", "--out", "o"), 2),
         (("rematch", "r1/shortlists.json", "--mentees", "x", "--out", "o"), 2)],
        cwd=tmp_path,
    )  # fmt: skip
    assert "unknown mentee id" in done.stderr and "duplicate choice" in done.stderr
    assert "problems found" in done.stderr
    assert "not valid JSON" in wrong.stderr
    assert "expected assignment JSON" in kind.stderr


def test_score_writes_a_safe_long_table(tables, tmp_path):
    out = tmp_path / "scores.csv"
    cli("score", tables / "mentees.csv", tables / "mentors.csv", "--out", out, "--top", 2,
        cwd=tmp_path)  # fmt: skip
    top = pd.read_csv(out)
    assert top.groupby("mentee_id").size().max() <= 2 and top["eligible"].all()
    assert {"mentee_id", "mentor_id", "score", "sector", "eligible", "reason"} <= set(top.columns)


def test_bad_arguments_are_rejected_by_argparse(capsys):
    with pytest.raises(SystemExit) as info:
        main(["demo", "--mentees", "0"])
    assert info.value.code == 2
    assert "positive integer" in capsys.readouterr().err


def test_verbose_logs_each_stage_with_sizes_and_seconds(tables, tmp_path):
    done = cli("shortlist", tables / "mentees.csv", tables / "mentors.csv", "-v", "--no-report",
               "--out", "o", cwd=tmp_path)  # fmt: skip
    lines = [x for x in done.stderr.splitlines() if x.startswith("crossmatch: info: ")]
    assert any("score: Cohort 30 mentees x 15 mentors -> Scores" in x for x in lines)
    assert any(x.startswith("crossmatch: info: shortlist: ") and x.endswith(" s") for x in lines)


def _examples() -> list[str]:
    """Every ``crossmatch ...`` line of the README's Command line section and of --help."""
    import re

    from crossmatch.cli import _parser

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Command line", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    lines = [ln.split("#", 1)[0].strip() for ln in block.strip().splitlines()]
    lines = [ln for ln in lines if ln.startswith("crossmatch ")]
    helps = [_parser().format_help()] + [
        a.format_help() for a in _parser()._subparsers._group_actions[0].choices.values()
    ]
    found = [m for h in helps for m in re.findall(r"example:\n  (crossmatch .*)", h)]
    return [ln for ln in lines if ln] + found


@pytest.mark.parametrize("line", _examples())
def test_documented_examples_are_valid_command_lines(line):
    import shlex

    from crossmatch.cli import _parser

    words = [w for w in shlex.split(line)[1:] if w not in ("[", "]", "|")]
    words = [w.strip("[]") for w in words if w.strip("[]")]
    if "--eligible-only" in words and "--top" in words:  # the README shows alternatives
        words = words[: words.index("--eligible-only")]
    args = _parser().parse_args(words)
    assert args.command == words[0]
