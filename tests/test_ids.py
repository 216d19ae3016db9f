"""Ids are compared without surrounding white space everywhere (issue 12): at intake, and
wherever a user names them afterwards (exclude lists, fixed pairs, choices, mentors'
choices, rematch, history and priority). ``None``/``NA``/``nan`` are never ids."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _data import mentees_frame, mentors_frame

import crossmatch as cm
from crossmatch import Cohort
from crossmatch._text import norm_id, norm_id_columns
from crossmatch.errors import ParameterError, ValidationError


@pytest.fixture(scope="module")
def scores() -> cm.Scores:
    ee, mr = cm.synthetic_cohort(12, 8, seed=1)  # every mentee has 3+ eligible mentors
    return cm.score(Cohort.from_frames(ee, mr))


def _pair(scores: cm.Scores) -> tuple[str, str]:
    i, j = np.argwhere(scores.eligible)[0]
    return str(scores.mentee_ids[i]), str(scores.mentor_ids[j])


def test_norm_id() -> None:
    assert norm_id(" m1\t") == "m1" and norm_id("m1") == "m1"
    assert norm_id(7) == 7 and norm_id(None) is None
    frame = pd.DataFrame({"mentee_id": [" a", "b "], "x": [" c ", 1]})
    out = norm_id_columns(frame)
    assert out["mentee_id"].tolist() == ["a", "b"] and out["x"].tolist() == [" c ", 1]
    assert frame["mentee_id"].tolist() == [" a", "b "]  # the caller's frame untouched


def test_shortlist_fixed(scores: cm.Scores) -> None:
    a, b = _pair(scores)
    want = cm.shortlist(scores, k=2, allow_short=True, fixed={a: b})
    got = cm.shortlist(scores, k=2, allow_short=True, fixed={f" {a} ": f"{b}\t"})
    assert np.array_equal(got.mentors, want.mentors) and got.mentors[0, 0] >= 0
    with pytest.raises(ParameterError, match="unknown mentee id"):
        cm.shortlist(scores, k=2, allow_short=True, fixed={"NA": b})


def test_match_fixed(scores: cm.Scores) -> None:
    a, b = _pair(scores)
    want = cm.match(scores, fixed={a: [b]})
    got = cm.match(scores, fixed={f" {a}": [f" {b} "]})
    assert np.array_equal(got.mentor, want.mentor)
    with pytest.raises(ValidationError, match="unknown mentor id"):
        cm.match(scores, fixed={a: ["nan"]})


def test_choices_and_mentor_choices(scores: cm.Scores, tmp_path: Path) -> None:
    lists = cm.shortlist(scores, k=3, allow_short=True)
    ee, mr = lists.mentee_ids.tolist(), lists.mentor_ids.tolist()
    picks = {ee[i]: [mr[j] for j in lists.mentors[i][::-1] if j >= 0] for i in range(len(ee))}
    spaced = {f" {a} ": [f"{b} " for b in bs] for a, bs in picks.items()}
    want = cm.assign(lists, picks)
    assert np.array_equal(cm.assign(lists, spaced).mentor, want.mentor)
    # the same from a CSV file, as a coordinator's spreadsheet has them
    rows = [(a, b, r) for a, bs in spaced.items() for r, b in enumerate(bs, start=1)]
    pd.DataFrame(rows, columns=["mentee_id", "mentor_id", "preference"]).to_csv(
        tmp_path / "choices.csv", index=False
    )
    got = cm.assign(lists, cm.read_choices(tmp_path / "choices.csv"))
    assert np.array_equal(got.mentor, want.mentor)
    # mentors' own say: a declined pair is never assigned, whether or not the ids are spaced
    i = 0
    j = int(want.mentor[i])
    decline = pd.DataFrame({"mentor_id": [f" {mr[j]} "], "mentee_id": [f"{ee[i]} "],
                            "accept": [False]})  # fmt: skip
    out = cm.assign(lists, picks, mentor_choices=decline)
    plain = cm.assign(lists, picks, mentor_choices=norm_id_columns(decline))
    assert out.mentor[i] != j and np.array_equal(out.mentor, plain.mentor)


def test_rematch(scores: cm.Scores) -> None:
    done = cm.assign(cm.shortlist(scores, k=2, allow_short=True))
    a = str(scores.mentee_ids[0])
    want = cm.rematch(done, mentees=[a], k=2, allow_short=True)
    got = cm.rematch(done, mentees=[f"  {a} "], k=2, allow_short=True)
    assert got.mentee_ids.tolist() == [a] and np.array_equal(got.mentors, want.mentors)
    with pytest.raises(ParameterError, match="Unknown: \\['None'\\]"):
        cm.rematch(done, mentees=["None"], k=2, allow_short=True)


def test_history_and_priority(scores: cm.Scores) -> None:
    a, b = _pair(scores)
    history = pd.DataFrame({"mentee_id": [f" {a} "], "mentor_id": [f"{b} "], "round": [1]})
    cohort = scores.cohort
    got = cm.score(cohort, history=history)
    assert got.reasons(a, b) == ["paired before (round 1)"]
    assert history["mentee_id"].tolist() == [f" {a} "]  # the caller's table untouched
    others = {str(v): 0.0 for v in scores.mentee_ids.tolist() if v != a}
    plain = cm.match(scores, priority={a: 1.0, **others})
    spaced = cm.match(scores, priority={f" {a}": 1.0, **{f"{k} ": v for k, v in others.items()}})
    assert np.array_equal(plain.mentor, spaced.mentor)


@pytest.mark.parametrize("marker", ["None", "NA", "nan"])
def test_missing_markers_are_never_ids(marker: str, tmp_path: Path) -> None:
    """From a DataFrame and from CSV alike, an id cell holding ``None``/``NA``/``nan`` is an
    empty id (reported), and an exclude list naming one names nobody."""
    ee = mentees_frame()
    ee.loc[1, "id"] = f" {marker} "
    ee.to_csv(tmp_path / "ee.csv", index=False)
    mentors_frame().to_csv(tmp_path / "mr.csv", index=False)
    for source in (ee, tmp_path / "ee.csv"):
        with pytest.raises(ValidationError) as info:
            Cohort.from_frames(source, mentors_frame())
        (p,) = info.value.problems
        assert (p.column, p.sheet_row) == ("id", 3) and "empty" in p.message
    mr = mentors_frame()
    mr["exclude"] = [marker, None, None, None]
    assert len(Cohort.from_frames(mentees_frame(), mr).excluded_pairs) == 0


def test_explain_and_reasons(scores: cm.Scores) -> None:
    a, b = _pair(scores)
    assert scores.reasons(f" {a} ", f"{b} ") == scores.reasons(a, b)
    lists = cm.shortlist(scores, k=2, allow_short=True)
    assert cm.explain(lists, f" {a}", f"{b}\t").text == cm.explain(lists, a, b).text
