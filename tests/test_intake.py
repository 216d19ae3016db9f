"""Intake: programme offices' files as they come (tests/data/), mapping, recognition, summary."""

from __future__ import annotations

import builtins
import logging
import shutil
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _data import mentees_frame, mentors_frame
from hypothesis import given, settings
from hypothesis import strategies as st

import crossmatch as cm
from crossmatch import Cohort, ParameterError, ValidationError
from crossmatch._text import norm_key
from crossmatch.cli import main
from crossmatch.intake import (
    FUZZY_THRESHOLD,
    GoalMatcher,
    goal_key,
    read_table,
    recognise_cadence,
    recognise_mode,
    recognise_slots,
    split_phrases,
)
from crossmatch.programme import draft_programme

DATA = Path(__file__).parent / "data"
FORM_MENTEES = DATA / "form_mentees.csv"  # a form tool's export: UTF-8 with BOM, commas
EXCEL_MENTORS = DATA / "excel_mentors.csv"  # Excel "CSV": cp1252, ';', curly apostrophes
PROGRAMME = DATA / "form_programme.toml"

WEEKDAY = ["mon", "tue", "wed", "thu", "fri"]


def slots(days: list[str], periods: list[str]) -> str:
    return ";".join(
        s for s in cm.cohort.SLOTS if s.split("-")[0] in days and s.split("-")[1] in periods
    )


ALL_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@pytest.fixture(scope="module")
def programme() -> cm.Programme:
    return cm.load_programme(PROGRAMME)


@pytest.fixture(scope="module")
def messy(programme: cm.Programme) -> Cohort:
    return Cohort.from_csv(FORM_MENTEES, EXCEL_MENTORS, programme=programme)


@pytest.fixture(scope="module")
def clean() -> Cohort:
    return Cohort.from_csv(DATA / "clean_mentees.csv", DATA / "clean_mentors.csv")


# ---------------------------------------------------------------------------- reading files
def test_encodings_and_delimiters_are_recognised() -> None:
    ee, how = read_table(FORM_MENTEES, side="mentees")
    assert (how.encoding, how.delimiter) == ("utf-8-sig", ",")
    assert list(ee.columns)[:2] == ["Timestamp", "Mentee ID"]  # no BOM glued to the header
    mr, how = read_table(EXCEL_MENTORS, side="mentors")
    assert (how.encoding, how.delimiter) == ("cp1252", ";")
    assert "Arm\u2019s Length Body" in mr["Sector"].tolist()  # byte 0x92, decoded
    assert mr.shape == (7, 10)


def test_tab_separated_and_explicit_encoding(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes("id\tsector\n1\tcaf\u00e9\n".encode("latin-1"))
    df, how = read_table(path, encoding="latin-1")
    assert how.delimiter == "\t" and df["sector"].tolist() == ["caf\u00e9"]
    with pytest.raises(ValidationError, match="encoding="):
        read_table(path, encoding="utf-8")


def test_undecodable_file_names_the_encoding_option(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"id,sector\n1,\x81\x8d\x9d\n")  # bytes undefined in cp1252 too
    with pytest.raises(ValidationError, match="encoding='latin-1'"):
        read_table(path)


def test_duplicate_headers_name_the_header_never_a_suffix() -> None:
    with pytest.raises(ValidationError) as info:
        Cohort.from_csv(DATA / "duplicate_headers.csv", EXCEL_MENTORS)
    (p,) = info.value.problems
    assert p.column == "capacity" and "appears twice" in p.message
    assert "columns 3 and 5" in p.message and "capacity.1" not in str(info.value)


def test_duplicate_headers_in_a_dataframe() -> None:
    ee = mentees_frame()
    ee.insert(1, "region_copy", ee["region"])
    ee.columns = [c if c != "region_copy" else "region" for c in ee.columns]
    with pytest.raises(ValidationError, match="'region' appears twice"):
        Cohort.from_frames(ee, mentors_frame())


@pytest.fixture
def xlsx_mentors(tmp_path: Path) -> Path:
    """The cp1252 mentors, as the workbook an office without CSV export sends."""
    openpyxl = pytest.importorskip("openpyxl")
    frame, _ = read_table(EXCEL_MENTORS)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([int(v) if str(v).isdigit() else v for v in row])  # numbers as numbers
    path = tmp_path / "mentors.xlsx"
    book.save(path)
    return path


def test_xlsx_reads_like_the_csv(
    xlsx_mentors: Path, messy: Cohort, programme: cm.Programme
) -> None:
    cohort = Cohort.from_csv(FORM_MENTEES, xlsx_mentors, programme=programme)
    pd.testing.assert_frame_equal(cohort.mentors, messy.mentors)
    assert "Excel workbook" in str(cohort.intake)
    draft = draft_programme(FORM_MENTEES, xlsx_mentors)
    assert '"Max mentees" = "capacity"' in draft and "Excel workbook" in draft


def test_xlsx_without_openpyxl_names_the_extra(
    xlsx_mentors: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = builtins.__import__

    def no_openpyxl(name: str, *args: object, **kwargs: object) -> object:
        if name == "openpyxl":
            raise ImportError("No module named 'openpyxl'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_openpyxl)
    with pytest.raises(ValidationError, match=r"crossmatch\[excel\]"):
        read_table(xlsx_mentors, side="mentors")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="file not found"):
        Cohort.from_csv(tmp_path / "nope.csv", EXCEL_MENTORS)
    with pytest.raises(ValidationError, match="is a directory"):
        Cohort.from_csv(tmp_path, EXCEL_MENTORS)


# ---------------------------------------------------------------------------- recognition
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tuesday mornings, Thursday afternoons", "tue-am;thu-pm"),
        ("Tuesday and Thursday mornings", "tue-am;thu-am"),
        ("Monday, Wednesday and Friday mornings", "mon-am;wed-am;fri-am"),
        ("Mon AM / Wed PM", "mon-am;wed-pm"),
        ("Tue & Thu AM", "tue-am;thu-am"),
        ("tuesday a.m.", "tue-am"),
        ("weekday evenings", slots(WEEKDAY, ["eve"])),
        ("Mon-Fri pm", slots(WEEKDAY, ["pm"])),
        ("Monday to Wednesday evenings", slots(["mon", "tue", "wed"], ["eve"])),
        ("mornings on Tuesday and afternoons on Friday", "tue-am;fri-pm"),
        ("Weekends; Wednesday evenings", "wed-eve;" + slots(["sat", "sun"], ["am", "pm", "eve"])),
        (
            "Wednesday evenings and weekends",
            "wed-eve;" + slots(["sat", "sun"], ["am", "pm", "eve"]),
        ),
        ("mornings", slots(ALL_DAYS, ["am"])),
        ("any time", slots(ALL_DAYS, ["am", "pm", "eve"])),
        ("Fridays", "fri-am;fri-pm;fri-eve"),
        ("mon-am;wed-pm", "mon-am;wed-pm"),
    ],
)
def test_availability_sentences(text: str, expected: str) -> None:
    found, unknown = recognise_slots(text)
    assert unknown == [] and found is not None
    assert found.value == expected
    assert found.how == ("exact" if text == "mon-am;wed-pm" else "parsed")


def test_availability_words_not_understood_are_reported() -> None:
    found, unknown = recognise_slots("Tuesdays after 5")
    assert found is None and unknown == ["after", "5"]


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("Face to face", "in-person"),
        ("F2F", "in-person"),
        ("in person", "in-person"),
        ("online", "remote"),
        ("Virtual", "remote"),
        ("video call", "remote"),
        ("Hybrid", "either"),
        ("No preference", "either"),
        ("either", "either"),
    ],
)
def test_modes(text: str, mode: str) -> None:
    r = recognise_mode(text)
    assert r is not None and r.value == mode


@pytest.mark.parametrize(
    ("text", "cadence"),
    [
        ("every week", "weekly"),
        ("Once a week", "weekly"),
        ("every two weeks", "fortnightly"),
        ("Every 2 weeks", "fortnightly"),
        ("biweekly", "fortnightly"),
        ("bi-weekly", "fortnightly"),
        ("twice a month", "fortnightly"),
        ("once a month", "monthly"),
        ("Monthly", "monthly"),
    ],
)
def test_cadences(text: str, cadence: str) -> None:
    r = recognise_cadence(text)
    assert r is not None and r.value == cadence


def test_goal_lists_split_on_commas_semicolons_lines_and_bullets() -> None:
    assert split_phrases("Build confidence, lead change") == ["build confidence", "lead change"]
    assert split_phrases("\u2022 Networking\n\u2022 Public speaking; networking") == [
        "networking",
        "public speaking",
    ]
    assert split_phrases("1. strategy\n2) influencing") == ["strategy", "influencing"]


def test_goal_forms_synonyms_and_fuzzy_threshold() -> None:
    assert goal_key("Leading change") == goal_key("lead changes")
    m = GoalMatcher.build(
        {
            "lead change": 2,
            "leading change": 5,
            "people management": 3,
            "project management": 2,
            "stakeholder managment": 1,
            "stakeholder management": 4,
            "managing people": 1,
            "networking": 1,
        }
    )
    label = {p: r.value for p, r in m.labels.items()}
    assert label["lead change"] == label["leading change"] == "leading change"
    assert m.labels["lead change"].how == "normalised"
    assert label["managing people"] == "people management"
    assert m.labels["managing people"].how == "synonym"
    fuzzy = m.labels["stakeholder managment"]
    assert (fuzzy.value, fuzzy.how) == ("stakeholder management", "fuzzy")
    assert fuzzy.score >= FUZZY_THRESHOLD
    assert label["project management"] == "project management"  # 75 < 90: kept apart
    assert m(["leading change", "lead change", "networking"]) == ("leading change", "networking")


def test_goal_aliases_come_first() -> None:
    m = GoalMatcher.build(
        {"stakeholder mgmt": 2, "stakeholder management": 1},
        {"Stakeholder Mgmt": "stakeholder management"},
    )
    r = m.labels["stakeholder mgmt"]
    assert (r.value, r.how) == ("stakeholder management", "alias")


# ---------------------------------------------------------------------------- the messy pair
def test_each_recognised_value_matches_the_clean_table(messy: Cohort, clean: Cohort) -> None:
    columns = ["id", "sector", "availability", "cadence", "mode", "seniority", "goals"]
    pd.testing.assert_frame_equal(
        messy.mentees[columns].reset_index(drop=True),
        clean.mentees[columns].reset_index(drop=True),
        check_dtype=False,
    )
    columns = [c if c != "goals" else "expertise" for c in columns] + ["capacity"]
    pd.testing.assert_frame_equal(
        messy.mentors[columns].reset_index(drop=True),
        clean.mentors[columns].reset_index(drop=True),
        check_dtype=False,
    )
    assert messy.goals == clean.goals
    assert messy.mentee_ids.tolist()[0] == "M-001"  # ' M-001 ' stripped


def test_messy_pair_scores_exactly_like_the_clean_pair(
    messy: Cohort, clean: Cohort, programme: cm.Programme
) -> None:
    a, b = cm.score(messy, programme.scoring), cm.score(clean, programme.scoring)
    np.testing.assert_array_equal(a.total, b.total)
    np.testing.assert_array_equal(a.reason_flags, b.reason_flags)


def test_nfc_and_nfd_spellings_are_one_organisation(messy: Cohort) -> None:
    ee, _ = read_table(FORM_MENTEES)
    mr, _ = read_table(EXCEL_MENTORS)
    nfd, nfc = ee.loc[2, "Organisation"], mr.loc[1, "Organisation"]
    assert nfd != nfc and unicodedata.normalize("NFC", nfd) == nfc
    scores = cm.score(messy)
    assert scores.reasons("M-003", "T-02") == ["same organisation"]
    assert len(set(messy.organisations)) == len(messy.organisations) == 14


def test_summary_shows_every_guess(messy: Cohort) -> None:
    frame = messy.intake.to_frame()
    assert list(frame.columns) == [
        "side",
        "column",
        "found",
        "mapped_to",
        "how",
        "sure",
        "score",
        "rows",
    ]
    got = {(r.side, r.column, r.found): (r.mapped_to, r.how) for r in frame.itertuples()}
    assert got[("mentees", "(header)", "Mentee ID")] == ("id", "mapping")
    assert got[("mentees", "sector", "Local Government")] == ("local-government", "normalised")
    assert got[("mentors", "sector", "Arm\u2019s Length Body")] == (
        "arms-length-body",
        "normalised",
    )
    assert got[("mentees", "sector", "Private sector - Finance")] == ("financial-services", "alias")
    assert got[("mentees", "mode", "Face to face")] == ("in-person", "synonym")
    assert got[("mentees", "cadence", "every two weeks")] == ("fortnightly", "synonym")
    assert got[("mentees", "availability", "Tuesday mornings, Thursday afternoons")] == (
        "tue-am;thu-pm",
        "parsed",
    )
    assert got[("both", "goals/expertise", "stakeholder managment")] == (
        "stakeholder management",
        "fuzzy",
    )
    assert got[("both", "goals/expertise", "lead change")] == ("leading change", "normalised")
    # a change of letter case alone is never a note (the same rule for every column)
    assert ("mentees", "region", "london") not in got
    assert ("mentees", "cadence", "Monthly") not in got
    assert ("mentors", "mode", "Remote") not in got
    text = str(messy.intake)
    assert "a guess: similar wording, score 98" in text and "cp1252, semicolon" in text
    assert {n.how for n in messy.intake.guesses} == {"synonym", "parsed", "fuzzy"}


def test_uncovered_goal_is_warned_and_logged(
    programme: cm.Programme, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="crossmatch"):
        cohort = Cohort.from_csv(FORM_MENTEES, EXCEL_MENTORS, programme=programme)
    (line,) = cohort.intake.warnings
    assert "'digital transformation'" in line and "M-007" in line
    assert any(line == r.getMessage() for r in caplog.records)


def test_no_eligible_mentor_names_mentees_and_the_setting() -> None:
    ee, mr = mentees_frame(), mentors_frame()
    ee.loc[2, "region"] = "cornwall"  # in person only, and no mentor in cornwall
    cohort = Cohort.from_frames(ee, mr)
    summary = cm.check_options(cohort)
    (line,) = summary.warnings
    assert "e3" in line and "in_person_same_region=False" in line
    again = cm.check_options(cohort, scores=cm.score(cohort))
    assert again.warnings == summary.warnings
    relaxed = cm.ScoringConfig(in_person_same_region=False)
    assert cm.check_options(cohort, relaxed).warnings == ()


def test_seniority_fix_names_seniority_config() -> None:
    ee, mr = mentees_frame(), mentors_frame()
    ee["seniority"] = [1, 4, 5]  # e1: every mentor is 4+ levels more senior
    summary = cm.check_options(Cohort.from_frames(ee, mr))
    assert any("e1" in w and "SeniorityConfig(max_gap=...)" in w for w in summary.warnings)


# ---------------------------------------------------------------------------- mappings
def test_flat_columns_apply_to_both_tables() -> None:
    ee, mr = mentees_frame(), mentors_frame()
    ee = ee.rename(columns={"id": "Person", "region": "Where"})
    mr = mr.rename(columns={"id": "Person", "region": "Where"})
    cohort = Cohort.from_frames(ee, mr, columns={"Person": "id", "Where": "region"})
    assert cohort.mentee_ids.tolist() == ["e1", "e2", "e3"]
    assert cohort.mentor_ids.tolist() == ["r1", "r2", "r3", "r4"]


def test_mapping_a_header_nobody_has_is_reported() -> None:
    with pytest.raises(ValidationError) as info:
        Cohort.from_frames(mentees_frame(), mentors_frame(), columns={"Mentee Ref": "id"})
    (p,) = info.value.problems
    assert "'Mentee Ref'" in p.message and "neither table" in p.message


def test_missing_column_suggests_the_closest_header_and_the_setting() -> None:
    ee = mentees_frame().rename(columns={"id": "Mentee ID", "cadence": "How often?"})
    with pytest.raises(ValidationError) as info:
        Cohort.from_frames(ee, mentors_frame())
    hints = {p.column: p.hint for p in info.value.problems}
    assert "is it 'Mentee ID'?" in hints["id"] and "columns=" in hints["id"]
    assert "is it 'How often?'?" in hints["cadence"] and "[columns.mentees]" in hints["cadence"]


def test_value_aliases_for_every_kind() -> None:
    ee, mr = mentees_frame(), mentors_frame()
    ee.loc[0, ["sector", "mode", "cadence", "availability", "region"]] = [
        "Quango",
        "Teams call",
        "every 3 weeks",
        "Lunchtimes",
        "Greater London",
    ]
    mr.loc[0, "organisation"] = "Agency A (HQ)"
    aliases = {
        "sector": {"quango": "arms-length-body"},
        "mode": {"Teams call": "remote"},
        "cadence": {"every 3 weeks": "monthly"},
        "availability": {"lunchtimes": "mon-am;wed-pm"},
        "region": {"Greater London": "London"},
        "organisation": {"Agency A (HQ)": "agency a"},
    }
    cohort = Cohort.from_frames(ee, mr, aliases=aliases)
    row = cohort.mentees.iloc[0]
    assert (row["sector"], row["mode"], row["cadence"], row["availability"]) == (
        "arms-length-body",
        "remote",
        "monthly",
        "mon-am;wed-pm",
    )
    assert cohort.mentee_region[0] == cohort.mentor_region[0]  # both london
    assert cohort.mentee_org[0] == cohort.mentor_org[0]  # same organisation now
    assert cm.score(cohort).reasons("e1", "r1") == ["same organisation"]


def test_bad_aliases_are_reported_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        Cohort.from_frames(
            mentees_frame(),
            mentors_frame(),
            aliases={"mode": {"x": "carrier pigeon"}, "colour": {}, "sector": {"y": "retial"}},
        )
    columns = sorted(p.column for p in info.value.problems)
    assert columns == ["aliases.colour", "aliases.mode.x", "aliases.sector.y"]
    assert "did you mean 'retail'" in next(
        p.hint for p in info.value.problems if "sector" in p.column
    )


def test_door_checks() -> None:
    with pytest.raises(ParameterError, match="`mentees` must be a pandas DataFrame"):
        Cohort.from_frames([{"id": 1}], mentors_frame())  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="`programme` must be a Programme"):
        Cohort.from_frames(mentees_frame(), mentors_frame(), programme={"columns": {}})  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="`mentors` must be a path"):
        Cohort.from_csv(FORM_MENTEES, mentors_frame())  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- missing values, ids
@pytest.mark.parametrize("marker", ["NA", "nan", "None", "N/A", "#N/A", "null"])
def test_na_strings_are_missing_from_a_frame_as_from_csv(marker: str, tmp_path: Path) -> None:
    ee = mentees_frame().astype({"seniority": object})
    ee.loc[0, "seniority"] = marker
    from_frame = Cohort.from_frames(ee, mentors_frame())
    ee.to_csv(tmp_path / "ee.csv", index=False)
    mentors_frame().to_csv(tmp_path / "mr.csv", index=False)
    from_csv = Cohort.from_csv(tmp_path / "ee.csv", tmp_path / "mr.csv")
    assert np.isnan(from_frame.mentee_seniority[0]) and np.isnan(from_csv.mentee_seniority[0])
    ee.loc[2, "region"] = marker  # an in-person mentee: the region is needed
    for source in (ee, tmp_path / "ee2.csv"):
        if isinstance(source, Path):
            ee.to_csv(source, index=False)
        with pytest.raises(ValidationError) as info:
            Cohort.from_frames(source, mentors_frame())
        (p,) = info.value.problems
        assert (p.column, p.sheet_row) == ("region", 4) and "empty" in p.message


def test_ids_are_stripped_everywhere() -> None:
    ee, mr = mentees_frame(), mentors_frame()
    ee["id"] = [" e1", "e2 ", " e3 "]
    mr["exclude"] = ["e1 ", None, None, None]
    cohort = Cohort.from_frames(ee, mr)
    assert cohort.mentee_ids.tolist() == ["e1", "e2", "e3"]
    assert cohort.excluded_pairs.tolist() == [[0, 0]]
    assert cm.score(cohort).reasons("e1", "r1") == ["excluded by request"]


# ---------------------------------------------------------------------------- errors
def test_problems_of_one_kind_are_one_line_with_spreadsheet_rows() -> None:
    mr = pd.concat([mentors_frame()] * 8, ignore_index=True)
    mr["id"] = [f"r{i}" for i in range(len(mr))]
    mr["sector"] = "Widget making"
    with pytest.raises(ValidationError) as info:
        Cohort.from_frames(mentees_frame(), mr)
    err = info.value
    assert len(err.problems) == 32
    lines = str(err).splitlines()
    assert lines[0] == "invalid cohort: 32 problems found (1 distinct)"
    assert lines[1].startswith("  - mentors rows 2, 3, 4 and 29 more column 'sector': unknown")
    frame = err.to_frame()
    assert len(frame) == 32 and frame["sheet_row"].tolist() == list(range(2, 34))
    assert frame["row"].tolist() == list(range(32))


def test_huge_cells_are_cut_in_messages() -> None:
    ee = mentees_frame()
    ee.loc[0, "mode"] = "x" * 1_000_000
    with pytest.raises(ValidationError) as info:
        Cohort.from_frames(ee, mentors_frame())
    assert len(str(info.value)) < 2_000 and "1,000,000 characters" in str(info.value)
    assert info.value.problems[0].value == "x" * 1_000_000  # the full value stays on .problems


# ---------------------------------------------------------------------------- programme file
def test_programme_file_round_trip(programme: cm.Programme) -> None:
    assert programme.columns["mentors"]["Max mentees"] == "capacity"
    assert programme.aliases["sector"]["Private sector - Finance"] == "financial-services"
    assert programme.scoring.seniority.max_gap == 4
    assert dict(programme.shortlist) == {"k": 2, "allow_short": True}
    with pytest.raises(TypeError):
        programme.shortlist["k"] = 3  # type: ignore[index]
    example = cm.load_programme(Path(__file__).parents[1] / "examples" / "programme.toml")
    assert example.scoring == cm.ScoringConfig()  # the example shows the defaults


def test_programme_problems_are_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        """
[colums.mentees]
x = "id"
[aliases.mode]
"Teams" = "carrier pigeon"
[scoring]
sector_wieght = 2.0
same_organisation = "yes"
[scoring.sector]
peak = 2.0
[scoring.seniority]
max_gap = "none"
[shortlist]
k = "three"
colour = 1
""",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as info:
        cm.load_programme(path)
    got = {p.column: p for p in info.value.problems}
    assert set(got) == {
        "colums",
        "aliases.mode.Teams",
        "scoring.sector_wieght",
        "scoring.same_organisation",
        "scoring.sector.peak",
        "shortlist.k",
        "shortlist.colour",
    }
    assert "did you mean 'columns'" in got["colums"].hint
    assert "did you mean 'sector_weight'" in got["scoring.sector_wieght"].hint
    assert got["scoring.same_organisation"].value == "yes"
    assert all(p.side == str(path) for p in info.value.problems)


def test_not_toml_says_so(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("[columns.mentees]\nMentee ID = id\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="not a valid TOML file"):
        cm.load_programme(path)


# ---------------------------------------------------------------------------- command line
def test_init_then_score_runs_on_the_messy_pair(tmp_path: Path, capsys) -> None:
    ee, mr = tmp_path / "form export.csv", tmp_path / "mentors (excel).csv"
    shutil.copy(FORM_MENTEES, ee)
    shutil.copy(EXCEL_MENTORS, mr)
    prog = tmp_path / "programme.toml"
    assert main(["init", str(ee), str(mr), "--out", str(prog)]) == 0
    draft = prog.read_text(encoding="utf-8")
    assert '"Max mentees" = "capacity"   # likely: a common header for it' in draft
    assert '"Meeting preference" = "mode"   # a guess, score 74' in draft
    assert '"stakeholder managment" = "stakeholder management"   # a guess' in draft
    assert main(["init", str(ee), str(mr), "--out", str(prog)]) == 2  # no silent overwrite
    out = tmp_path / "scores.csv"
    code = main(["score", str(ee), str(mr), "--programme", str(prog), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "intake summary" in err and "digital transformation" in err
    scores = pd.read_csv(out)
    assert len(scores) == 8 * 7 and set(scores["mentee_id"]) >= {"M-001", "M-008"}


def test_problems_file(tmp_path: Path, capsys) -> None:
    out = tmp_path / "problems.csv"
    code = main(
        [
            "score",
            str(FORM_MENTEES),
            str(EXCEL_MENTORS),
            "--out",
            str(tmp_path / "s.csv"),
            "--problems",
            str(out),
        ]
    )
    assert code == 2
    assert "columns=" in capsys.readouterr().err
    frame = pd.read_csv(out)
    assert {"sheet_row", "column", "hint"} <= set(frame.columns)
    assert "id" in set(frame["column"])


# ---------------------------------------------------------------------------- properties
@given(st.text(max_size=40))
def test_norm_key_is_idempotent(text: str) -> None:
    assert norm_key(norm_key(text)) == norm_key(text)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_goal_key_is_idempotent(text: str) -> None:
    assert goal_key(goal_key(text)) == goal_key(text)


_DAY = dict(
    zip(
        ALL_DAYS,
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
        strict=True,
    )
)
_PERIOD = {"am": "mornings", "pm": "afternoons", "eve": "evenings"}
_MODE = {
    "in-person": ["Face to face", "In person", "F2F"],
    "remote": ["Online", "Virtual"],
    "either": ["Hybrid", "No preference"],
}
_CADENCE = {
    "weekly": ["every week", "Weekly"],
    "fortnightly": ["every two weeks", "Biweekly"],
    "monthly": ["once a month", "Monthly"],
}


def _messify(df: pd.DataFrame, draw: st.DrawFn, side: str) -> pd.DataFrame:
    out = df.copy()
    pick = lambda options: draw(st.sampled_from(options))  # noqa: E731
    out["sector"] = [pick([s, s.replace("-", " ").title(), s.replace("-", "_")]) for s in df.sector]
    out["availability"] = [
        ", ".join(f"{_DAY[s.split('-')[0]]} {_PERIOD[s.split('-')[1]]}" for s in a.split(";"))
        for a in df.availability
    ]
    out["mode"] = [pick(_MODE[m]) for m in df["mode"]]
    out["cadence"] = [pick(_CADENCE[c]) for c in df.cadence]
    out["organisation"] = [
        pick([o, o.upper(), " " + unicodedata.normalize("NFD", o.lower()) + " "])
        for o in df.organisation
    ]
    out["region"] = [pick([r, r.title(), r.upper()]) for r in df.region]
    col = "goals" if side == "mentees" else "expertise"
    out[col] = [pick([g, g.replace(";", ", "), g.title().replace(";", "\n")]) for g in df[col]]
    out["id"] = [pick([i, f" {i} "]) for i in df["id"]]
    names = {
        "mentees": {"id": "Mentee ID", "goals": "What would you like help with?"},
        "mentors": {"id": "Mentor ID", "expertise": "Can help with"},
    }[side]
    return out.rename(columns=names)


@settings(max_examples=25, deadline=None)
@given(st.data(), st.integers(0, 10_000))
def test_recognised_table_scores_like_its_clean_equivalent(data: st.DataObject, seed: int) -> None:
    ee, mr = cm.synthetic_cohort(12, 6, seed=seed)
    for df in (ee, mr):  # accented names, typed NFC in the clean table, NFD in the messy one
        df["organisation"] = df["organisation"] + " Soci\u00e9t\u00e9"
    mee = _messify(ee, data.draw, "mentees")
    mmr = _messify(mr, data.draw, "mentors")
    columns = {
        "mentees": {"Mentee ID": "id", "What would you like help with?": "goals"},
        "mentors": {"Mentor ID": "id", "Can help with": "expertise"},
    }
    a = cm.score(Cohort.from_frames(ee, mr))
    b = cm.score(Cohort.from_frames(mee, mmr, columns=columns))
    np.testing.assert_array_equal(a.total, b.total)
    np.testing.assert_array_equal(a.reason_flags, b.reason_flags)


def test_sector_synonyms_and_paths_are_reported_as_such() -> None:
    ee = mentees_frame()
    ee["sector"] = ["NHS", "Civil Service", "Private sector - Finance"]
    cohort = Cohort.from_frames(ee, mentors_frame())
    assert cohort.mentees["sector"].tolist() == [
        "health-and-social-care",
        "central-government",
        "financial-services",
    ]
    notes = cohort.intake.to_frame()
    got = dict(zip(notes.found, notes.how, strict=True))
    assert (
        got["NHS"] == got["Civil Service"] == "synonym"
        and got["Private sector - Finance"] == "path"
    )
    assert {n.found for n in cohort.intake.guesses} >= {"NHS", "Civil Service"}


def test_programme_input_encoding_is_used(tmp_path: Path) -> None:
    ee = mentees_frame()
    ee.loc[0, "organisation"] = "Soci\u00e9t\u00e9"
    ee.to_csv(tmp_path / "ee.csv", index=False, encoding="cp437")  # DOS: é is byte 0x82
    mentors_frame().to_csv(tmp_path / "mr.csv", index=False)
    (tmp_path / "p.toml").write_text('[input]\nencoding = "cp437"\n', encoding="utf-8")
    prog = cm.load_programme(tmp_path / "p.toml")
    cohort = Cohort.from_csv(tmp_path / "ee.csv", tmp_path / "mr.csv", programme=prog)
    assert cohort.mentees.loc[0, "organisation"] == "Soci\u00e9t\u00e9"
    assert "cp437" in str(cohort.intake)


def test_programme_problems_go_to_the_problems_file(tmp_path: Path, capsys) -> None:
    (tmp_path / "p.toml").write_text("[scoring]\nsector_wieght = 2\n", encoding="utf-8")
    out = tmp_path / "problems.csv"
    code = main(
        [
            "score",
            str(FORM_MENTEES),
            str(EXCEL_MENTORS),
            "--programme",
            str(tmp_path / "p.toml"),
            "--out",
            str(tmp_path / "s.csv"),
            "--problems",
            str(out),
        ]
    )
    assert code == 2 and "sector_weight" in capsys.readouterr().err
    assert pd.read_csv(out)["column"].tolist() == ["scoring.sector_wieght"]


_WORDS = [
    *_DAY.values(),
    "Tue",
    "weekday",
    "weekends",
    *_PERIOD.values(),
    "AM",
    "pm",
    "and",
    ",",
    ";",
    "/",
    "any time",
    "Mon-Fri",
]


@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8))
def test_availability_reading_is_idempotent(words: list[str]) -> None:
    found, unknown = recognise_slots(" ".join(words))
    assert unknown == []
    if found is not None:  # only separators: nothing to read
        again, _ = recognise_slots(found.value)
        assert again is not None and (again.value, again.how) == (found.value, "exact")
        assert set(found.value.split(";")) <= set(cm.cohort.SLOTS)


def test_list_cells_keep_their_items_whole() -> None:
    ee = mentees_frame().astype({"goals": object, "availability": object})
    ee.at[0, "goals"] = ["People, process and change", "Confidence"]
    ee.at[1, "availability"] = ["Tuesday mornings", "thu-pm"]
    mr = mentors_frame()
    mr["exclude"] = [["e1", " e2 "], None, None, None]
    cohort = Cohort.from_frames(ee, mr)
    assert cohort.mentees.loc[0, "goals"] == "people, process and change;confidence"
    assert cohort.mentees.loc[1, "availability"] == "tue-am;thu-pm"
    assert cohort.excluded_pairs.tolist() == [[0, 0], [1, 0]]


def test_docs_list_every_builtin_synonym() -> None:
    from crossmatch.intake import columns, phrases

    text = (Path(__file__).parents[1] / "docs" / "intake.md").read_text(encoding="utf-8")
    tables = [phrases._MODE_SYNONYMS, phrases._CADENCE_SYNONYMS, phrases._GOAL_SYNONYMS]
    for table in tables:
        for theirs, ours in table.items():
            assert f"`{theirs}`" in text and f"`{ours}`" in text, theirs
    for column, said in columns.HEADER_PHRASES.items():
        assert all(f"`{s}`" in text for s in said), column


def test_trailing_empty_rows_are_dropped_and_row_numbers_kept(tmp_path: Path) -> None:
    ee = mentees_frame()
    text = ee.to_csv(index=False)
    lines = text.splitlines()
    lines.insert(2, ",,,,,,,,")  # an empty row between data rows: spreadsheet row 3
    (tmp_path / "ee.csv").write_text("\n".join([*lines, ",,,,,,,,", ",,,,,,,,"]) + "\n")
    df, _ = read_table(tmp_path / "ee.csv")
    assert len(df) == 4  # three people and the empty row between them
    # the empty row between people is not a person: skipped, with one note naming row 3
    cohort = Cohort.from_frames(tmp_path / "ee.csv", mentors_frame())
    assert cohort.n_mentees == 3
    blank = cohort.intake.to_frame().query("column == '(blank rows)'")
    assert blank["found"].tolist() == ["spreadsheet row 3"]


def test_a_cohort_written_by_crossmatch_reads_back_identically(tmp_path: Path) -> None:
    """crossmatch's CSV writer guards formula-like cells with a ``'`` (CSV injection);
    ``from_csv`` undoes it, so a written cohort reads back as it was."""
    from crossmatch._csv import write_csv

    ee, mr = mentees_frame(), mentors_frame()
    ee["id"] = ["=e1", "-e2", "'e3"]
    ee["organisation"] = ['=HYPERLINK("http://x", "x")', "+Council B", "@Trust C"]
    mr["id"] = ["@r1", "+r2", "r3", "'=r4"]
    mr["exclude"] = ["-e2", None, None, "=e1;'e3"]
    cohort = Cohort.from_frames(ee, mr)
    write_csv(cohort.mentees, tmp_path / "ee.csv")
    write_csv(cohort.mentors, tmp_path / "mr.csv")
    assert "'=e1" in (tmp_path / "ee.csv").read_text(encoding="utf-8")  # it was guarded
    back = Cohort.from_csv(tmp_path / "ee.csv", tmp_path / "mr.csv")
    assert back.mentee_ids.tolist() == ["=e1", "-e2", "'e3"]
    assert back.mentor_ids.tolist() == ["@r1", "+r2", "r3", "'=r4"]
    assert (
        back.excluded_pairs.tolist() == cohort.excluded_pairs.tolist() == [[0, 3], [1, 0], [2, 3]]
    )
    assert back.organisations == cohort.organisations
    for a, b in ((back.mentees, cohort.mentees), (back.mentors, cohort.mentors)):
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert len(back.intake) == len(cohort.intake)


def test_the_garbage_collector_is_left_as_it_was() -> None:
    import gc

    assert gc.isenabled()
    Cohort.from_frames(mentees_frame(), mentors_frame())
    assert gc.isenabled()
    bad = mentors_frame().assign(capacity=-1)
    with pytest.raises(ValidationError):
        Cohort.from_frames(mentees_frame(), bad)
    assert gc.isenabled()  # also after an error
    gc.disable()
    try:
        Cohort.from_frames(mentees_frame(), mentors_frame())
        assert not gc.isenabled()  # the caller's choice kept
    finally:
        gc.enable()


# ---------------------------------------------------------------------------- factorizing
_LONG = [
    "Monday mornings, Wednesday afternoons, Friday evenings and weekends",
    "monday mornings, wednesday afternoons, friday evenings and weekends",
    "Tuesday afternoons, Thursday mornings (but not in August, please)",
    "  NA  ",
    "",
    "short",
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(_LONG), st.none(), st.just(float("nan"))),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from(["object", "str"]),
)
def test_long_text_is_factorized_like_pandas(cells, dtype) -> None:
    # long text goes through a dict (Python's string hash); each row must read as the
    # same distinct value, and missing rows as missing, as with pandas' factorize
    from crossmatch.cohort import schema

    series = pd.Series(cells, dtype=dtype)
    codes, keys = schema._factorize(series)
    got = [None if c < 0 else keys[c] for c in codes.tolist()]
    old = schema._LONG_TEXT
    try:
        schema._LONG_TEXT = 10**9  # pandas' factorize for every column
        ref_codes, ref_keys = schema._factorize(series)
    finally:
        schema._LONG_TEXT = old
    want = [None if c < 0 else ref_keys[c] for c in ref_codes.tolist()]
    assert got == want
    # distinct values in order of first appearance
    seen = [k for k in dict.fromkeys(got) if k is not None]
    assert seen == [k for k in dict.fromkeys(want) if k is not None]


def test_sentences_take_the_dict_path_and_codes_do_not() -> None:
    import numpy as np

    from crossmatch.cohort import schema

    assert schema._long_text(np.array(_LONG[:3] * 5, dtype=object))
    assert not schema._long_text(np.array(["mon-am;tue-pm", "wed-eve"] * 5, dtype=object))
