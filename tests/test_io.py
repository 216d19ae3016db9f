"""Safe CSV on every writer, reading it back, choices in every form, logging and progress."""

from __future__ import annotations

import csv
import io
import logging

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import crossmatch as cm
from crossmatch._csv import FORMULA_START, guard, read_csv, unguard, write_csv
from crossmatch._log import progress_enabled
from crossmatch.results import Shortlists

EVIL_MENTEE = '=HYPERLINK("http://evil.example","click")'
EVIL = [EVIL_MENTEE, "+44 1234", "-2", "@SUM(A1)", "\tx", "\rx", "'=quoted", "plain"]


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_no_live_formula(text: str, numeric: tuple[str, ...] = ()) -> None:
    """No cell starts with a formula character, except numbers in ``numeric`` columns."""
    header, *rows = cells(text)
    for name in header:
        assert not name.startswith(FORMULA_START)
    skip = {header.index(c) for c in numeric}
    for row in rows:
        for k, cell in enumerate(row):
            if k in skip:
                float(cell or "nan")  # a plain number, not guarded text
            else:
                assert not cell.startswith(FORMULA_START), f"live formula cell {cell!r}"


@pytest.fixture(scope="module")
def evil_cohort():
    ee, mr = cm.synthetic_cohort(30, 12, seed=3, capacity=(2, 4))
    ee.loc[0, "id"] = EVIL_MENTEE
    ee.loc[1, "id"] = "-7"
    mr.loc[5, "id"] = "+mentor"
    mr.loc[6, "id"] = "@mentor"
    return cm.Cohort.from_frames(ee, mr)


@pytest.fixture(scope="module")
def evil_scores():
    """Scores with formula-like ids, text and integer ids mixed, and negative scores."""
    rng = np.random.default_rng(0)
    mat = rng.uniform(-1, 1, size=(len(EVIL) + 1, 4))
    return cm.Scores.from_matrix(
        mat, mentee_ids=[*EVIL, 12], mentor_ids=["=m1", "-m2", "m3", 4],
        capacity=[4, 3, 3, 3], mentor_groups=["=g", "+g", "g", "g"],
    )  # fmt: skip


# ---------------------------------------------------------------------------- the guard
def test_guard_follows_owasp():
    for bad in ("=1+1", "+1", "-1", "@x", "\tx", "\rx"):
        assert guard(bad) == "'" + bad
    assert guard("'=x") == "''=x" and guard("'plain") == "''plain"
    assert guard("plain") == "plain" and guard("") == ""
    assert guard(-1) == -1 and guard(-0.5) == -0.5 and guard(None) is None
    assert unguard("'hello") == "'hello"  # not from the guard: left alone


@given(st.text())
def test_guard_round_trips_any_text(s):
    g = guard(s)
    assert not g.startswith(FORMULA_START)
    assert unguard(g) == s


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"])), min_size=1))
def test_csv_round_trips_any_text_column(values):
    frame = pd.DataFrame({"text": values, "n": np.arange(len(values)) - 3})
    text = write_csv(frame)
    assert_no_live_formula(text, numeric=("n",))
    back = read_csv(io.StringIO(text), dtype={"text": str}, keep_default_na=False)
    assert back["text"].tolist() == values
    assert back["n"].tolist() == frame["n"].tolist()  # negative numbers untouched


# ---------------------------------------------------------------------------- every writer
def test_scores_to_csv_is_safe_and_numbers_untouched(evil_scores):
    text = evil_scores.to_csv()
    assert_no_live_formula(text, numeric=("score",))
    rows = cells(text)
    header, body = rows[0], rows[1:]
    col = header.index("score")
    assert any(r[col].startswith("-") for r in body)  # negative scores stay numbers
    assert float(body[0][col]) == pytest.approx(float(evil_scores.total[0, 0]))
    back = read_csv(io.StringIO(text), dtype={"mentee_id": str, "mentor_id": str})
    assert back["mentee_id"].iloc[0] == EVIL_MENTEE
    assert set(back["mentor_id"]) == {"=m1", "-m2", "m3", "4"}
    raw = evil_scores.to_csv(safe=False)
    assert cells(raw)[1][0] == EVIL_MENTEE  # the opt-out writes values as they are


def test_candidate_scores_to_csv_is_safe(evil_cohort):
    cands = cm.score_candidates(evil_cohort, per_mentee=5)
    text = cands.to_csv()
    assert_no_live_formula(text)
    assert "'=HYPERLINK" in text and "'+mentor" in text
    back = read_csv(io.StringIO(text))
    assert EVIL_MENTEE in set(back["mentee_id"])
    dense = cm.score(evil_cohort).to_csv(eligible_only=True)
    assert_no_live_formula(dense)


def test_shortlists_and_assignment_to_csv_are_safe(evil_scores, tmp_path):
    lists = cm.shortlist(evil_scores, k=2)
    a = cm.assign(lists)
    for result in (lists, a):
        text = result.to_csv()
        assert_no_live_formula(text, numeric=("score",))
        result.to_csv(tmp_path / "out.csv")
        back = read_csv(tmp_path / "out.csv", dtype={"mentee_id": str})
        assert back["mentee_id"].tolist() == [str(v) for v in result.to_frame()["mentee_id"]]
    header = cells(lists.to_csv())[0]
    assert header[:4] == ["mentee_id", "mentor_id", "rank", "score"]


def test_choices_made_from_a_shortlists_csv_give_the_original_assignment(evil_scores, tmp_path):
    """A coordinator picks rows from the shortlists CSV crossmatch wrote (formula-guarded
    ids included) and saves them as the choices file: assigning from it gives the same
    result as the choices made in memory."""
    lists = cm.shortlist(evil_scores, k=3)
    lists.to_csv(tmp_path / "shortlists.csv")
    table = read_csv(tmp_path / "shortlists.csv", dtype=str, keep_default_na=False)
    picked = table[table["rank"].isin(["2", "3"])].rename(columns={"rank": "preference"})
    picked["preference"] = picked["preference"].map({"2": "1", "3": "2"})
    write_csv(picked[["mentee_id", "mentor_id", "preference"]], tmp_path / "choices.csv")
    from_file = cm.assign(lists, cm.read_choices(tmp_path / "choices.csv"))
    frame = lists.to_frame()
    mem = frame[frame["rank"] > 1].assign(preference=lambda d: d["rank"] - 1)
    in_memory = cm.assign(lists, mem[["mentee_id", "mentor_id", "preference"]])
    assert np.array_equal(from_file.mentor, in_memory.mentor)
    assert np.array_equal(from_file.preference, in_memory.preference)
    assert from_file.to_frame()["mentee_id"].tolist()[0] == EVIL_MENTEE


# ---------------------------------------------------------------------------- choices forms
@pytest.fixture(scope="module")
def small():
    scores = cm.Scores.from_matrix(
        np.array([[0.9, 0.8, 0.1], [0.7, 0.9, 0.6], [0.2, 0.5, 0.9]]),
        mentee_ids=[1, 2, 3], mentor_ids=["x", "y", 7], capacity=[1, 1, 1],
    )  # fmt: skip
    return cm.shortlist(scores, k=2)


def test_every_form_of_choices_gives_the_same_assignment(small, tmp_path):
    long = pd.DataFrame(
        {"mentee_id": [1, 1, 2], "mentor_id": ["y", "x", "y"], "preference": [1, 2, 1]}
    )
    want = cm.assign(small, long)
    wide = pd.DataFrame({"mentee_id": [1, 2], "choice_1": ["y", "y"], "choice_2": ["x", None]})
    records = long.to_dict(orient="records")
    unranked = [{"mentee_id": 1, "mentor_id": "y"}, {"mentee_id": 1, "mentor_id": "x"},
                {"mentee_id": 2, "mentor_id": "y"}]  # fmt: skip
    mapping = {1: ["y", "x"], 2: ["y"]}
    forms_tool = pd.DataFrame({"mentee_id": ["1", "2"], "Choice 1": ["y", "y"],
                               "2nd choice": ["x", ""]})  # fmt: skip
    forms_tool.to_csv(tmp_path / "form.csv", index=False)
    long.to_csv(tmp_path / "long.csv", index=False)
    for choices in (wide, records, unranked, mapping, cm.read_choices(tmp_path / "form.csv"),
                    cm.read_choices(tmp_path / "long.csv"), cm.read_choices(wide)):  # fmt: skip
        got = cm.assign(small, choices)
        assert np.array_equal(got.mentor, want.mentor) and np.array_equal(
            got.preference, want.preference
        )


def test_read_choices_output_and_file_errors(tmp_path):
    pd.DataFrame({"mentee_id": ["a"], "choice_1": ["'=x"], "choice_2": ["y"]}).to_csv(
        tmp_path / "c.csv", index=False
    )
    got = cm.read_choices(tmp_path / "c.csv")
    assert got.to_dict(orient="list") == {
        "mentee_id": ["a", "a"], "mentor_id": ["=x", "y"], "preference": [1, 2],
    }  # fmt: skip
    with pytest.raises(FileNotFoundError, match="choices file not found"):
        cm.read_choices(tmp_path / "missing.csv")
    with pytest.raises(IsADirectoryError):
        cm.read_choices(tmp_path)
    with pytest.raises(cm.ValidationError, match="'mentor_id' is missing"):
        cm.read_choices(pd.DataFrame({"mentee_id": [1], "colour": ["red"]}))
    with pytest.raises(TypeError, match="list of records"):
        cm.assign(cm.shortlist(cm.Scores.from_matrix(np.ones((1, 1)), mentee_ids=[1],
                                                      mentor_ids=[2], capacity=[1]), k=1),
                  "choices.csv")  # fmt: skip


def test_bad_choices_are_reported_all_at_once(small):
    bad = [
        {"mentee_id": 99, "mentor_id": "x", "preference": 1},  # unknown mentee
        {"mentee_id": 3, "mentor_id": "x", "preference": 1},  # not on 3's shortlist
        {"mentee_id": 1, "mentor_id": "y", "preference": 1},
        {"mentee_id": 1, "mentor_id": "y", "preference": 2},  # duplicate choice
        {"mentee_id": 2, "mentor_id": "y", "preference": "first"},  # bad preference
    ]
    with pytest.raises(cm.ValidationError) as info:
        cm.assign(small, bad)
    text = str(info.value)
    assert "4 problems" in text
    assert "unknown mentee id" in text and "not on the mentee's shortlist" in text
    assert "duplicate choice" in text and "whole number" in text


# ---------------------------------------------------------------------------- logging
def test_front_ends_log_stage_sizes_and_seconds(small, caplog, capsys):
    with caplog.at_level(logging.INFO, logger="crossmatch"):
        lists = cm.shortlist(small.scores, k=2)
        cm.assign(lists)
    lines = [r.getMessage() for r in caplog.records if r.name == "crossmatch"]
    assert any(m.startswith("shortlist: Scores 3 mentees x 3 mentors -> Shortlists") for m in lines)
    assert any(m.startswith("assign: ") and "3 matched in" in m and m.endswith(" s") for m in lines)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""  # never prints


def test_progress_is_quiet_in_ci_and_off_a_terminal(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert progress_enabled(None) is False
    assert progress_enabled(True) is True
    monkeypatch.delenv("CI")
    assert progress_enabled(None) is False  # pytest captures stderr: not a terminal
    assert progress_enabled(False) is False


def test_loaded_shortlists_write_the_same_csv(evil_scores):
    lists = cm.shortlist(evil_scores, k=2)
    back = Shortlists.from_json(lists.to_json())
    assert back.to_csv() == lists.to_csv()


def test_a_forms_tool_export_with_loose_headers_and_extra_columns(small, tmp_path):
    (tmp_path / "form.csv").write_text(
        "Timestamp,Mentee ID,1st choice,2nd choice,Comments\n"
        "2026-01-05 10:00,1,y,x,thanks\n2026-01-05 11:00,2,y,,\n"
    )
    got = cm.read_choices(tmp_path / "form.csv")
    assert got.to_dict(orient="list") == {
        "mentee_id": ["1", "1", "2"], "mentor_id": ["y", "x", "y"], "preference": [1, 2, 1],
    }  # fmt: skip
    long = pd.DataFrame({"Mentee": [1, 1, 2], "Mentor": ["y", "x", "y"], "Rank": [1, 2, 1]})
    want = cm.assign(small, got)
    assert np.array_equal(cm.assign(small, long).mentor, want.mentor)
