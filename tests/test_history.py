"""Rounds with history: `score(history=)`, `shortlist(history=)`, derived priority, the CLI."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crossmatch as cm
from crossmatch.cli import main
from crossmatch.errors import ValidationError
from crossmatch.scoring.history import history_pairs, priority_classes


def matrix_scores(seed: int, n: int = 8, m: int = 4, cap: int = 2) -> cm.Scores:
    rng = np.random.default_rng(seed)
    return cm.Scores.from_matrix(
        np.round(rng.random((n, m)), 3),
        capacity=np.full(m, cap),
        mentee_ids=[f"e{i}" for i in range(n)],
        mentor_ids=[f"m{j}" for j in range(m)],
    )


def test_past_pairs_become_ineligible_with_their_round(caplog: pytest.LogCaptureFixture) -> None:
    s = matrix_scores(0)
    history = pd.DataFrame(
        {
            "mentee_id": ["e0", "e0", "e1", "e1", "gone"],
            "mentor_id": ["m0", "m1", "m0", "m0", "m2"],
            "round": [1, 2, 1, 3, 2],
        }
    )
    sl = cm.shortlist(s, k=2, history=history)
    assert sl.scores.reasons("e0", "m0") == ["paired before (round 1)"]
    assert sl.scores.reasons("e0", "m1") == ["paired before (round 2)"]
    assert sl.scores.reasons("e1", "m0") == ["paired before (round 3)"]  # the latest round
    assert sl.info["history_pairs"] == 3 and sl.info["history_rows_ignored"] == 1
    assert "1 row names a mentee or mentor not in these scores" in caplog.text
    assert "'gone'-'m2'" in caplog.text
    frame = sl.to_frame()
    pairs = set(zip(frame.mentee_id, frame.mentor_id, strict=True))
    assert not pairs & {("e0", "m0"), ("e0", "m1"), ("e1", "m0")}
    # without a round column
    sl = cm.shortlist(s, k=2, history=history[["mentee_id", "mentor_id"]])
    assert sl.scores.reasons("e0", "m0") == ["paired before"]


def test_score_takes_history() -> None:
    mentees, mentors = cm.synthetic_cohort(20, 8, seed=1)
    cohort = cm.Cohort.from_frames(mentees, mentors)
    plain = cm.score(cohort)
    i, j = np.argwhere(plain.eligible)[0]
    a, b = plain.mentee_ids[i], plain.mentor_ids[j]
    history = pd.DataFrame({"mentee_id": [a], "mentor_id": [b], "round": [4]})
    s = cm.score(cohort, history=history)
    assert not s.eligible[i, j] and s.reasons(a, b) == ["paired before (round 4)"]
    assert int(s.eligible.sum()) == int(plain.eligible.sum()) - 1
    np.testing.assert_array_equal(s.total, plain.total)


def test_continuing_pairs_go_through_fixed() -> None:
    s = matrix_scores(1)
    history = pd.DataFrame({"mentee_id": ["e0", "e1"], "mentor_id": ["m0", "m1"], "round": [1, 1]})
    sl = cm.shortlist(s, k=2, history=history, fixed={"e0": "m0"})
    assert sl.mentors[0, 0] == 0 and sl.recommended[0] == 0  # continues
    assert sl.scores.eligible[0, 0]
    assert sl.scores.reasons("e1", "m1") == ["paired before (round 1)"]


def test_waited_last_round_get_priority_by_default() -> None:
    s = cm.Scores.from_matrix(
        np.array([[0.9], [0.1], [0.5]]),
        capacity=[1],
        mentee_ids=["a", "b", "c"],
        mentor_ids=["X"],
    )
    history = pd.DataFrame(
        {
            "mentee_id": ["a", "b", "c", "b"],
            "mentor_id": ["Y", None, "Y", None],
            "round": [1, 1, 2, 2],
            "outcome": ["matched", "waitlisted", "matched", "unmatched"],
        }
    )
    sl = cm.shortlist(s, k=1, waitlist=True, history=history)
    assert sl.waitlisted.tolist() == [True, False, True]  # b waited: b first
    assert "higher priority" in sl.waitlist_reason[0]
    # overridable
    sl = cm.shortlist(s, k=1, waitlist=True, history=history, priority=[0, 0, 1])
    assert sl.waitlisted.tolist() == [True, True, False]
    # only the latest round counts
    assert priority_classes(s.mentee_ids, None, history[history["round"] == 1]).tolist() == [
        1,
        0,
        1,
    ]


def test_history_validation_lists_every_problem() -> None:
    s = matrix_scores(2)
    with pytest.raises(ValidationError) as err:
        cm.shortlist(s, history=pd.DataFrame({"mentee": ["e0"]}))
    assert "'mentee_id' is missing" in str(err.value)
    assert "'mentor_id' is missing" in str(err.value)
    bad = pd.DataFrame(
        {
            "mentee_id": ["e0", None, "e1"],
            "mentor_id": ["m0", "m1", "m1"],
            "round": [1, 2, "spring"],
            "outcome": ["matched", 3, None],
        }
    )
    with pytest.raises(ValidationError) as err:
        history_pairs(s.mentee_ids, s.mentor_ids, bad)
    text = str(err.value)
    assert "mentee_id is missing" in text and "round must be a number" in text
    assert "outcome must be text" in text
    with pytest.raises(cm.errors.ParameterError):
        cm.shortlist(s, history=[("e0", "m0")])


def test_candidates_take_history() -> None:
    mentees, mentors = cm.synthetic_cohort(30, 10, seed=2)
    cohort = cm.Cohort.from_frames(mentees, mentors)
    cs = cm.score_candidates(cohort, per_mentee=6, per_mentor=30)
    sl0 = cm.shortlist(cs, k=2, waitlist=True, allow_short=True)
    assert sl0.waitlisted.any() and sl0.info["waitlist_on_candidates"]
    frame = sl0.to_frame()
    history = frame[frame["recommended"]][["mentee_id", "mentor_id"]].assign(round=1)
    sl = cm.shortlist(cs, k=2, history=history, waitlist=True, allow_short=True)
    new = sl.to_frame().dropna(subset=["mentor_id"])
    old = set(zip(history.mentee_id, history.mentor_id, strict=True))
    assert not old & set(zip(new.mentee_id, new.mentor_id, strict=True))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), n_past=st.integers(0, 20))
def test_no_past_pair_is_repeated(seed: int, n_past: int) -> None:
    rng = np.random.default_rng(seed)
    s = matrix_scores(seed, n=8, m=4, cap=3)
    past = pd.DataFrame(
        {
            "mentee_id": [f"e{i}" for i in rng.integers(0, 8, n_past)],
            "mentor_id": [f"m{j}" for j in rng.integers(0, 4, n_past)],
            "round": rng.integers(1, 4, n_past),
        }
    )
    sl = cm.shortlist(s, k=2, waitlist=True, allow_short=True, exposure=8, history=past)
    old = set(zip(past.mentee_id, past.mentor_id, strict=True))
    got = sl.to_frame().dropna(subset=["mentor_id"])
    assert not old & set(zip(got.mentee_id, got.mentor_id, strict=True))
    a = cm.assign(sl)
    done = a.to_frame().dropna(subset=["mentor_id"])
    assert not old & set(zip(done.mentee_id, done.mentor_id, strict=True))


def test_cli_score_history(tmp_path, capsys) -> None:
    assert main(["synth", "--mentees", "12", "--mentors", "5", "--out", str(tmp_path)]) == 0
    ee = pd.read_csv(tmp_path / "mentees.csv")
    mr = pd.read_csv(tmp_path / "mentors.csv")
    past = pd.DataFrame({"mentee_id": ee["id"][:3], "mentor_id": mr["id"][:3], "round": [1, 1, 2]})
    past.to_csv(tmp_path / "history.csv", index=False)
    out = tmp_path / "scores.csv"
    args = ["score", str(tmp_path / "mentees.csv"), str(tmp_path / "mentors.csv")]
    assert main([*args, "--out", str(out), "--history", str(tmp_path / "history.csv")]) == 0
    table = pd.read_csv(out)
    for a, b in zip(past.mentee_id, past.mentor_id, strict=True):
        row = table[(table.mentee_id == a) & (table.mentor_id == b)]
        assert not row["eligible"].item()
        assert "paired before (round" in row["reason"].item()
    assert main([*args, "--out", str(out), "--history", str(tmp_path / "nope.csv")]) == 2
    assert "--history file not found" in capsys.readouterr().err


def test_cli_shortlist_waitlist_and_history(tmp_path) -> None:
    args = ["synth", "--mentees", "40", "--mentors", "6", "--capacity", "1", "2"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    ee = pd.read_csv(tmp_path / "mentees.csv")
    mr = pd.read_csv(tmp_path / "mentors.csv")
    past = pd.DataFrame({"mentee_id": ee["id"][:2], "mentor_id": mr["id"][:2], "round": [1, 1]})
    past.to_csv(tmp_path / "history.csv", index=False)
    tables = [str(tmp_path / "mentees.csv"), str(tmp_path / "mentors.csv")]
    out = tmp_path / "round2"
    code = main(
        [
            "shortlist",
            *tables,
            "--out",
            str(out),
            "--waitlist",
            "--allow-short",
            "--exposure",
            "40",
            "--no-report",
            "--history",
            str(tmp_path / "history.csv"),
        ]
    )
    assert code == 0
    lists = cm.Shortlists.from_json(out / "shortlists.json")
    assert lists.waitlisted.any()
    frame = lists.to_frame().dropna(subset=["mentor_id"])
    pairs = set(zip(frame.mentee_id, frame.mentor_id, strict=True))
    assert not pairs & set(zip(past.mentee_id, past.mentor_id, strict=True))


# ------------------------------------------------------------ score_candidates(history=)
def _cohort_and_past(seed: int, n: int, m: int, n_past: int) -> tuple[cm.Cohort, pd.DataFrame]:
    mentees, mentors = cm.synthetic_cohort(n, m, seed=seed, capacity=(1, 2))
    cohort = cm.Cohort.from_frames(mentees, mentors)
    rng = np.random.default_rng(seed)
    elig = np.argwhere(cm.score(cohort).eligible)
    pick = elig[rng.choice(len(elig), size=min(n_past, len(elig)), replace=False)]
    past = pd.DataFrame(
        {
            "mentee_id": cohort.mentee_ids[pick[:, 0]],
            "mentor_id": cohort.mentor_ids[pick[:, 1]],
            "round": rng.integers(1, 3, len(pick)),
        }
    )
    return cohort, past


def _pairs(frame: pd.DataFrame) -> set[tuple[object, object]]:
    got = frame.dropna(subset=["mentor_id"])
    return set(zip(got.mentee_id, got.mentor_id, strict=True))


def test_score_candidates_history_matches_score_history() -> None:
    """The same semantics as ``score(history=)``: the past pairs are ineligible before the
    candidates are chosen (each mentee keeps its ``per_mentee`` best *eligible* pairs),
    eligibility counts and reason counts agree with the dense scores."""
    cohort, past = _cohort_and_past(4, 60, 15, 40)
    dense = cm.score(cohort, history=past)
    cs = cm.score_candidates(cohort, per_mentee=4, per_mentor=6, history=past)
    hp = history_pairs(cohort.mentee_ids, cohort.mentor_ids, past)
    assert not cs.eligible[hp.rows, hp.cols].any()
    np.testing.assert_array_equal(cs.n_eligible, dense.eligible.sum(axis=1))
    for reason in set(hp.reasons):
        assert reason in cs.reason_names
    few = np.flatnonzero(cs.n_eligible < 4)
    assert few.size
    for name in cs.reason_names:
        a = cs.reason_counts_of(few)[:, cs.reason_names.index(name)]
        b = dense.reason_counts_of(few)[:, dense.reason_names.index(name)]
        np.testing.assert_array_equal(a, b)
    # each mentee's best eligible (history-aware) scores are all candidates
    vals = np.where(dense.eligible, dense.total, -np.inf)
    for i in range(cohort.n_mentees):
        want = np.sort(vals[i])[::-1][:4]
        want = want[np.isfinite(want)]
        mine = np.sort(cs.values[cs.rows == i])[::-1][: len(want)]
        np.testing.assert_array_equal(mine, want.astype(np.float32))
    # the history-free candidates would have held some past pairs
    plain = cm.score_candidates(cohort, per_mentee=4, per_mentor=6)
    assert plain.eligible[hp.rows, hp.cols].any()


def test_pricing_and_widening_never_bring_back_a_past_pair() -> None:
    cohort, past = _cohort_and_past(5, 50, 12, 60)
    hp = history_pairs(cohort.mentee_ids, cohort.mentor_ids, past)
    past_keys = set(zip(hp.rows.tolist(), hp.cols.tolist(), strict=True))
    cs = cm.score_candidates(cohort, per_mentee=1, per_mentor=1, history=past)
    n, m = cs.shape
    # a pass asking for every pair above -inf: all eligible pairs but the past ones
    _, r, c, _ = cs.price(np.zeros(m), np.full(n, 3), np.full(n, -np.inf), limit=m)
    assert not past_keys & set(zip(r.tolist(), c.tolist(), strict=True))
    dense = cm.score(cohort, history=past)
    assert cs.n_pairs + len(r) == int(dense.eligible.sum())
    # candidates this narrow must be widened (and priced) to hold shortlists
    sl = cm.shortlist(cs, k=2, allow_short=True, waitlist=True, exposure=20)
    assert sl.info.get("widened", 0) or sl.info.get("pricing_rounds")
    grown = sl.scores
    assert not grown.eligible[hp.rows, hp.cols].any()
    assert not _pairs(sl.to_frame()) & set(zip(past.mentee_id, past.mentor_id, strict=True))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), n_past=st.integers(0, 60), per=st.integers(1, 4))
def test_no_past_pair_on_history_aware_candidates(seed: int, n_past: int, per: int) -> None:
    """``shortlist`` and ``match`` on history-aware candidate scores never propose a past
    pair, whether the candidates hold an answer or must be widened and priced."""
    cohort, past = _cohort_and_past(seed % 1000, 30, 8, n_past)
    cs = cm.score_candidates(cohort, per_mentee=per, per_mentor=per, history=past)
    old = set(zip(past.mentee_id, past.mentor_id, strict=True))
    sl = cm.shortlist(cs, k=2, waitlist=True, allow_short=True, exposure=12)
    assert not _pairs(sl.to_frame()) & old
    assert not _pairs(cm.assign(sl).to_frame()) & old
    a = cm.match(cs, per_mentee=2, waitlist=True)
    assert not _pairs(a.to_frame()) & old


# ------------------------------------------------------------ the CLI, two rounds
SRC = str(Path(__file__).resolve().parents[1] / "src")


def _cli(*args: object, cwd: Path) -> dict:
    """``python -m crossmatch ARGS --json`` in a second process; its JSON summary."""
    env = {**os.environ, "PYTHONPATH": SRC, "CI": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "crossmatch", *map(str, args), "--json"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, (done.stdout, done.stderr)
    return json.loads(done.stdout)


def test_cli_two_rounds_every_scoring_command_reads_the_history(tmp_path: Path) -> None:
    """Round 1, then round 2 with its history: shortlist (``--history``), then rematch,
    report and explain of round 2 -- in other processes -- rescore with the recorded
    history: no past pair is proposed again, and they say why ("paired before")."""
    mentees, mentors = cm.synthetic_cohort(30, 14, seed=7, capacity=(2, 4))
    mentees.to_csv(tmp_path / "mentees.csv", index=False)
    mentors.to_csv(tmp_path / "mentors.csv", index=False)
    tables = [str(tmp_path / "mentees.csv"), str(tmp_path / "mentors.csv")]
    common = ["--waitlist", "--allow-short", "--no-report", "-k", "2"]
    assert main(["shortlist", *tables, *common, "--out", str(tmp_path / "r1")]) == 0
    assert main(["assign", str(tmp_path / "r1" / "shortlists.json"), "--no-report",
                 "--out", str(tmp_path / "a1")]) == 0  # fmt: skip
    first = pd.read_csv(tmp_path / "a1" / "assignment.csv")
    history = first[["mentee_id", "mentor_id"]].assign(
        round=1, outcome=np.where(first["mentor_id"].isna(), "waitlisted", "matched")
    )
    history.to_csv(tmp_path / "history.csv", index=False)
    past = _pairs(history)
    assert len(past) >= 20
    # round 2, in another process
    _cli("shortlist", *tables, *common, "--history", tmp_path / "history.csv",
         "--out", tmp_path / "r2", cwd=tmp_path)  # fmt: skip
    r2 = pd.read_csv(tmp_path / "r2" / "shortlists.csv")
    assert len(_pairs(r2)) > 20 and not _pairs(r2) & past
    assert main(["assign", str(tmp_path / "r2" / "shortlists.json"), "--no-report",
                 "--out", str(tmp_path / "a2")]) == 0  # fmt: skip
    a2 = pd.read_csv(tmp_path / "a2" / "assignment.csv")
    assert not _pairs(a2) & past
    # a mentee paired in both rounds: rematch them; report; explain their round-1 mentor
    both = a2.dropna(subset=["mentor_id"]).merge(
        history.dropna(subset=["mentor_id"]), on="mentee_id", suffixes=("", "_1")
    )
    who, old = both["mentee_id"].iloc[0], both["mentor_id_1"].iloc[0]
    a2_json = tmp_path / "a2" / "assignment.json"
    with ThreadPoolExecutor(max_workers=3) as pool:
        jobs = [
            pool.submit(_cli, "rematch", a2_json, "--mentees", who, "-k", "2", "--allow-short",
                        "--no-report", "--out", tmp_path / "r3", cwd=tmp_path),
            pool.submit(_cli, "report", a2_json, cwd=tmp_path),
            pool.submit(_cli, "explain", a2_json, who, old, cwd=tmp_path),
        ]  # fmt: skip
        _, rep, ex = (j.result() for j in jobs)
    r3 = pd.read_csv(tmp_path / "r3" / "shortlists.csv")
    assert (r3["mentee_id"] == who).any() and not _pairs(r3) & past
    assert "paired before (round 1)" in json.dumps(rep["report"])
    assert "paired before (round 1)" in ex["explanation"]["text"]
    # the rematch recorded the history too; --history overrides what was recorded
    lists = cm.Shortlists.from_json(tmp_path / "r3" / "shortlists.json")
    assert lists.info["inputs"]["history"] == str((tmp_path / "history.csv").resolve())
    none = tmp_path / "none.csv"
    pd.DataFrame({"mentee_id": ["x"], "mentor_id": ["y"]}).to_csv(none, index=False)
    out = tmp_path / "explain.json"
    args = ["explain", str(a2_json), str(who), str(old), "--history", str(none), "--json"]
    with open(out, "w") as f, contextlib.redirect_stdout(f):
        assert main(args) == 0
    assert "paired before" not in out.read_text()
    for command in (
        ["report", str(a2_json)],
        ["explain", str(a2_json), str(who)],
        ["rematch", str(a2_json), "--mentees", str(who), "--out", str(tmp_path)],
    ):
        assert main([*command, "--history", str(tmp_path / "nope.csv")]) == 2


def test_explanations_on_candidates_name_the_pairs_own_round() -> None:
    """A past pair excluded from candidate scores is explained by its own round, whether
    the history came to ``score_candidates`` or to ``shortlist``."""
    cohort, past = _cohort_and_past(3, 40, 12, 6)
    past["round"] = [1, 2, 2, 3, 1, 2][: len(past)]
    hp = history_pairs(cohort.mentee_ids, cohort.mentor_ids, past)
    plain = cm.score_candidates(cohort, per_mentee=4, per_mentor=6)
    for lists in (
        cm.shortlist(cm.score_candidates(cohort, per_mentee=4, per_mentor=6, history=past),
                     k=2, allow_short=True, waitlist=True),
        cm.shortlist(plain, k=2, allow_short=True, waitlist=True, history=past),
    ):  # fmt: skip
        for i, j, why in zip(hp.rows, hp.cols, hp.reasons, strict=True):
            text = cm.explain(lists, cohort.mentee_ids[i], cohort.mentor_ids[j]).text
            assert text.endswith(f": {why}."), text
