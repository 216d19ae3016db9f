"""Validation of the two input tables by `Cohort.from_frames` / `Cohort.from_csv`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _data import mentees_frame, mentors_frame

from crossmatch import Cohort, Problem, ValidationError

FRAMES = {"mentees": mentees_frame, "mentors": mentors_frame}


def build(ee: pd.DataFrame | None = None, mr: pd.DataFrame | None = None) -> Cohort:
    return Cohort.from_frames(
        mentees_frame() if ee is None else ee, mentors_frame() if mr is None else mr
    )


def problems(ee: pd.DataFrame | None = None, mr: pd.DataFrame | None = None) -> list[Problem]:
    with pytest.raises(ValidationError) as info:
        build(ee, mr)
    return list(info.value.problems)


def broken(side: str, **changes: object) -> dict[str, pd.DataFrame]:
    """Valid frames, with ``changes`` applied to ``side`` as ``column=(row, value)``."""
    frames = {"ee": mentees_frame(), "mr": mentors_frame()}
    df = frames["ee" if side == "mentees" else "mr"]
    for column, (row, value) in changes.items():
        if column not in df.columns:
            df[column] = None
        df[column] = df[column].astype(object)
        df.at[row, column] = value
    return frames


def only(found: list[Problem]) -> Problem:
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


# ---------------------------------------------------------------------------- the basics
def test_valid_frames_build_and_are_left_untouched() -> None:
    ee, mr = mentees_frame(), mentors_frame()
    ee_before, mr_before = ee.copy(), mr.copy()
    cohort = Cohort.from_frames(ee, mr)
    assert cohort.shape == (3, 4)
    assert cohort.capacity.tolist() == [2, 1, 3, 1]
    pd.testing.assert_frame_equal(ee, ee_before)
    pd.testing.assert_frame_equal(mr, mr_before)


def test_frames_untouched_on_failure() -> None:
    ee, mr = mentees_frame(), mentors_frame()
    ee[" Sector "] = ee.pop("sector")  # header needing normalisation, plus bad values
    ee.loc[0, "cadence"] = " Daily "
    mr.loc[1, "capacity"] = -1
    mr["exclude"] = ["e9", None, None, None]
    ee_before, mr_before = ee.copy(), mr.copy()
    with pytest.raises(ValidationError):
        Cohort.from_frames(ee, mr)
    pd.testing.assert_frame_equal(ee, ee_before)
    pd.testing.assert_frame_equal(mr, mr_before)


def test_error_is_value_error_with_problem_table() -> None:
    with pytest.raises(ValueError) as info:
        build(**broken("mentors", sector=(2, "retial")))
    err = info.value
    assert isinstance(err, ValidationError)
    frame = err.to_frame()
    assert list(frame.columns) == [
        "side", "sheet_row", "row", "id", "column", "value", "message", "hint"
    ]  # fmt: skip
    record = frame.iloc[0]
    assert (record["side"], record["row"], record["id"]) == ("mentors", 2, "r3")
    assert record["sheet_row"] == 4  # header = row 1, index 0 = row 2
    assert (record["column"], record["value"]) == ("sector", "retial")
    assert "'retail'" in record["hint"]


def test_message_names_side_row_column_and_value() -> None:
    with pytest.raises(ValidationError) as info:
        build(**broken("mentors", sector=(2, "retial")))
    text = str(info.value)
    for part in (
        "1 problem",
        "mentors",
        "row 4 (index 2, id 'r3')",
        "'r3'",
        "'sector'",
        "'retial'",
        "'retail'",
    ):
        assert part in text, text


def test_every_problem_in_both_tables_is_reported_at_once() -> None:
    ee, mr = mentees_frame(), mentors_frame()
    ee.loc[0, "sector"] = "retial"
    ee.loc[1, "cadence"] = "daily"
    ee.loc[2, "id"] = "e1"  # duplicate
    mr.loc[0, "capacity"] = -1
    mr.loc[1, "mode"] = "carrier pigeon"
    mr.loc[3, "region"] = np.nan  # r4 meets in person too (a remote-only r3 may leave it blank)
    mr["exclude"] = [None, None, None, "nobody"]
    mr["capcity"] = 1  # misspelt copy of a present column: an extra column, not reported
    found = problems(ee, mr)
    assert sorted((p.side, p.row, p.column) for p in found) == [
        ("mentees", 0, "sector"),
        ("mentees", 1, "cadence"),
        ("mentees", 2, "id"),
        ("mentors", 0, "capacity"),
        ("mentors", 1, "mode"),
        ("mentors", 3, "exclude"),
        ("mentors", 3, "region"),
    ]


def test_row_is_the_index_label() -> None:
    ee = mentees_frame().set_axis(["a", "b", "c"])
    ee.loc["b", "mode"] = "carrier pigeon"
    p = only(problems(ee))
    assert (p.row, p.id, p.value, p.sheet_row) == ("b", "e2", "carrier pigeon", 3)


# ---------------------------------------------------------------------------- columns
@pytest.mark.parametrize(
    ("side", "column"),
    [("mentees", "id"), ("mentees", "region"), ("mentees", "goals"),
     ("mentors", "capacity"), ("mentors", "expertise"), ("mentors", "availability")],
)  # fmt: skip
def test_missing_column(side: str, column: str) -> None:
    frames = broken(side)
    frames["ee" if side == "mentees" else "mr"].pop(column)
    p = only(problems(**frames))
    assert (p.side, p.column, p.row) == (side, column, None)
    assert "missing" in p.message and column in p.hint


def test_misspelt_column_is_reported_with_suggestion() -> None:
    ee = mentees_frame()
    ee["sectr"] = ee.pop("sector")
    found = {p.column: p for p in problems(ee)}
    assert set(found) == {"sector", "sectr"}
    assert found["sectr"].side == "mentees" and "'sector'" in found["sectr"].hint


@pytest.mark.parametrize(
    ("side", "column", "value"),
    [("mentees", "capacity", 1), ("mentees", "expertise", "x"), ("mentees", "learning", "retail"),
     ("mentors", "goals", "x")],
)  # fmt: skip
def test_column_of_the_other_table(side: str, column: str, value: object) -> None:
    frames = broken(side)
    frames["ee" if side == "mentees" else "mr"][column] = value
    p = only(problems(**frames))
    other = "mentors" if side == "mentees" else "mentees"
    assert (p.side, p.column) == (side, column) and other in p.message


def test_extra_columns_pass_through_untouched() -> None:
    ee = mentees_frame()
    ee["notes"] = ["  Keep ME ", None, 3]
    ee[7] = [1.5, 2.5, 3.5]
    cohort = build(ee)
    pd.testing.assert_series_equal(cohort.mentees["notes"], ee["notes"])
    pd.testing.assert_series_equal(cohort.mentees[7], ee[7])


def test_header_case_and_space_forgiven_but_duplicates_reported() -> None:
    ee = mentees_frame().rename(columns={"sector": " Sector ", "mode": "MODE"})
    assert build(ee).mentees["sector"].tolist()[1] == "local-government"
    ee["sector"] = ee[" Sector "]  # now two columns read as 'sector'
    p = only(problems(ee))
    assert (p.side, p.column) == ("mentees", "sector") and "two columns" in p.message


# ---------------------------------------------------------------------------- ids
@pytest.mark.parametrize("side", ["mentees", "mentors"])
@pytest.mark.parametrize(
    ("ids", "dup"), [(["a", "b", "a"], "a"), ([1, 2, 1], 1), ([1, 2, "1"], "1")]
)
def test_duplicate_id(side: str, ids: list[object], dup: object) -> None:
    frames = broken(side)
    df = frames["ee" if side == "mentees" else "mr"]
    df["id"] = ids + list(range(100, 100 + len(df) - 3))
    p = only(problems(**frames))
    assert (p.side, p.row, p.column, p.value) == (side, 2, "id", dup)
    assert "duplicate" in p.message and "row 2" in p.message  # spreadsheet row of index 0
    assert p.sheet_row == 4


@pytest.mark.parametrize("side", ["mentees", "mentors"])
@pytest.mark.parametrize("empty", ["", "   ", None, np.nan])
def test_empty_id(side: str, empty: object) -> None:
    p = only(problems(**broken(side, id=(1, empty))))
    assert (p.side, p.row, p.column) == (side, 1, "id") and "empty" in p.message


def test_ids_are_kept_as_given() -> None:
    ee, mr = mentees_frame(), mentors_frame()
    ee["id"] = [10, 20, 30]
    cohort = build(ee, mr)
    assert cohort.mentee_ids.tolist() == [10, 20, 30]
    assert all(type(i) is int for i in cohort.mentee_ids)
    assert cohort.mentor_ids.tolist() == ["r1", "r2", "r3", "r4"]


# ---------------------------------------------------------------------------- categorical values
@pytest.mark.parametrize(
    ("side", "value", "suggestion"),
    [("mentors", "retial", "'retail'"), ("mentees", "locl-government", "'local-government'"),
     ("mentees", "local goverment", "'local-government'"),
     ("mentees", "local_govermnent", "'local-government'"),
     ("mentors", "zzzz", "taxonomy")],
)  # fmt: skip
def test_unknown_sector_suggests_closest(side: str, value: str, suggestion: str) -> None:
    p = only(problems(**broken(side, sector=(1, value))))
    assert (p.side, p.row, p.column, p.value) == (side, 1, "sector", value)
    assert "unknown sector" in p.message and suggestion in p.hint


@pytest.mark.parametrize(
    ("column", "value", "hint"),
    [("availability", "mon-am;funday", "'sunday'"), ("availability", "mon after lunch", "'lunch'"),
     ("availability", "mon 9-11", "days and times of day"), ("availability", ";", "at least"),
     ("mode", "in persn", "'in-person'"), ("mode", "zom", "aliases"),
     ("cadence", "fortnigthly", "'fortnightly'"), ("cadence", "daily", "'weekly'")],
)  # fmt: skip
@pytest.mark.parametrize("side", ["mentees", "mentors"])
def test_unknown_slot_mode_cadence(side: str, column: str, value: str, hint: str) -> None:
    p = only(problems(**broken(side, **{column: (0, value)})))
    assert (p.side, p.row, p.column, p.value) == (side, 0, column, value)
    assert hint in p.hint


def test_unknown_learning_sector_in_list() -> None:
    p = only(problems(**broken("mentors", learning=(3, "retail;techology"))))
    assert (p.row, p.column) == (3, "learning")
    assert "'techology'" in p.message and "'technology'" in p.hint


def test_white_space_and_case_forgiven_to_canonical_form() -> None:
    ee = mentees_frame()
    ee.loc[0, ["sector", "mode", "availability", "cadence"]] = [
        " Local-Government ", "EITHER", " Mon-AM ; wed-pm", "Monthly "
    ]  # fmt: skip
    row = build(ee).mentees.iloc[0]
    assert (row["sector"], row["mode"], row["availability"], row["cadence"]) == (
        "local-government", "either", "mon-am;wed-pm", "monthly"
    )  # fmt: skip


def test_python_lists_in_list_columns() -> None:
    ee, mr = mentees_frame(), mentors_frame()
    ee["availability"] = [["mon-am", "wed-pm"], ["tue-am"], ("fri-eve",)]
    ee["goals"] = [["confidence", "Leading change"], ["strategic leadership"], ["x"]]
    ee["exclude"] = [["r1", "r2"], [], None]
    mr["expertise"] = [["confidence"], ["leading change"], ["people management"], ["x"]]
    mr["learning"] = [["retail", "public"], None, [], ["charity"]]
    cohort = build(ee, mr)
    assert cohort.mentees["availability"].tolist() == ["mon-am;wed-pm", "tue-am", "fri-eve"]
    assert cohort.mentees["goals"].tolist()[0] == "confidence;leading change"
    assert cohort.excluded_pairs.tolist() == [[0, 0], [0, 1]]


# ---------------------------------------------------------------------------- capacity, NaN
@pytest.mark.parametrize("value", [-1, 2.5, "three", True, "-2", np.inf])
def test_bad_capacity(value: object) -> None:
    p = only(problems(**broken("mentors", capacity=(3, value))))  # row 1 holds a real 1
    assert (p.side, p.row, p.id, p.column, p.value) == ("mentors", 3, "r4", "capacity", value)
    assert "capacity" in p.message and "integer" in p.hint


@pytest.mark.parametrize("value", [3.0, "3", " 3 ", np.int64(3), 0])
def test_good_capacity(value: object) -> None:
    cohort = build(**broken("mentors", capacity=(3, value)))
    assert cohort.capacity.tolist() == [2, 1, 3, int(value)]
    assert cohort.mentors["capacity"].tolist() == [2, 1, 3, int(value)]


@pytest.mark.parametrize(
    ("side", "column"),
    [("mentors", "region"), ("mentees", "goals"), ("mentees", "sector"),
     ("mentors", "capacity"), ("mentors", "expertise"), ("mentors", "organisation")],
)  # fmt: skip
@pytest.mark.parametrize("missing", [np.nan, None, " "])
def test_missing_required_value(side: str, column: str, missing: object) -> None:
    p = only(problems(**broken(side, **{column: (1, missing)})))
    assert (p.side, p.row, p.column) == (side, 1, column)
    assert "required" in p.message and column in p.hint


def test_missing_optional_values_accepted() -> None:
    ee, mr = mentees_frame(), mentors_frame()
    ee["seniority"] = [3, np.nan, None]
    ee["exclude"] = [np.nan, "r2", None]
    mr["exclude"] = np.nan
    cohort = build(ee, mr)
    np.testing.assert_array_equal(cohort.mentee_seniority, [3.0, np.nan, np.nan])
    assert cohort.excluded_pairs.tolist() == [[1, 1]]


def test_non_integer_seniority() -> None:
    p = only(problems(**broken("mentees", seniority=(2, "senior"))))
    assert (p.row, p.column, p.value) == (2, "seniority", "senior")


# ---------------------------------------------------------------------------- tables, exclude
@pytest.mark.parametrize("side", ["mentees", "mentors"])
def test_empty_table(side: str) -> None:
    frames = broken(side)
    key = "ee" if side == "mentees" else "mr"
    frames[key] = frames[key].iloc[:0]
    p = only(problems(**frames))
    assert p.side == side and p.row is None and "no rows" in p.message


@pytest.mark.parametrize("side", ["mentees", "mentors"])
def test_exclude_unknown_id(side: str) -> None:
    other = "mentors" if side == "mentees" else "mentees"
    valid, own = ("r1", "e1") if side == "mentees" else ("e1", "r1")  # own side's id: unknown
    found = problems(**broken(side, exclude=(1, f"{valid}; {own} ;nobody")))
    assert [(p.side, p.row, p.id, p.column, p.value) for p in found] == [
        (side, 1, found[0].id, "exclude", own),
        (side, 1, found[0].id, "exclude", "nobody"),
    ]
    assert found[0].id == ("e2" if side == "mentees" else "r2")
    assert all(other in p.message for p in found)


def test_valid_exclude_from_both_sides() -> None:
    ee, mr = mentees_frame(), mentors_frame()
    ee["exclude"] = ["r2", None, " r1 ; r4 "]
    mr["exclude"] = ["e1", None, "e2;e1", None]
    cohort = build(ee, mr)
    assert cohort.excluded_pairs.tolist() == [[0, 0], [0, 1], [0, 2], [1, 2], [2, 0], [2, 3]]


def test_exclude_of_integer_ids_with_gaps() -> None:
    ee, mr = mentees_frame(), mentors_frame()
    mr["id"] = [10, 11, 12, 13]
    ee["exclude"] = [11, np.nan, np.nan]  # a float column: 11.0
    ee["id"] = [1, 2, 3]
    mr["exclude"] = [np.nan, np.nan, [3, 1], np.nan]
    assert build(ee, mr).excluded_pairs.tolist() == [[0, 1], [0, 2], [2, 2]]


# ---------------------------------------------------------------------------- CSV
def test_csv_round_trip(tmp_path) -> None:
    ee, mr = mentees_frame(), mentors_frame()
    ee["id"] = ["007", "008", "010"]
    ee["exclude"] = ["2", None, None]
    mr["id"] = [1, 2, 3, 4]
    mr["exclude"] = [None, "010", None, None]
    ee.to_csv(tmp_path / "ee.csv", index=False)
    mr.to_csv(tmp_path / "mr.csv", index=False)
    cohort = Cohort.from_csv(tmp_path / "ee.csv", str(tmp_path / "mr.csv"))
    assert cohort.mentee_ids.tolist() == ["007", "008", "010"]
    assert cohort.mentor_ids.tolist() == [1, 2, 3, 4]
    assert all(type(i) is int for i in cohort.mentor_ids)
    assert cohort.capacity.tolist() == [2, 1, 3, 1]
    assert cohort.excluded_pairs.tolist() == [[0, 1], [2, 1]]
    assert cohort.mentees["sector"].tolist() == mentees_frame()["sector"].tolist()


def test_csv_problems(tmp_path) -> None:
    mr = mentors_frame().astype({"capacity": object})
    mr.loc[2, "capacity"] = "three"
    mr.to_csv(tmp_path / "mr.csv", index=False)
    mentees_frame().iloc[:0].to_csv(tmp_path / "empty.csv", index=False)
    found = problems(tmp_path / "empty.csv", tmp_path / "mr.csv")
    assert sorted((p.side, p.row, p.column, p.value) for p in found) == [
        ("mentees", None, None, None),
        ("mentors", 2, "capacity", "three"),
    ]
    with pytest.raises(ValidationError, match="file not found") as info:
        Cohort.from_csv(tmp_path / "nope.csv", tmp_path / "mr.csv")
    assert only(list(info.value.problems)).side == "mentees"
