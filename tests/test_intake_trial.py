"""What a new user's trial of intake ran into, each written the way it was hit: real files
(tests/data or tmp_path), and the command line as a second process where it was the CLI."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

import crossmatch as cm
from crossmatch import Cohort, ParameterError, ValidationError

DATA = Path(__file__).parent / "data"
FORM_MENTEES = DATA / "form_mentees.csv"
EXCEL_MENTORS = DATA / "excel_mentors.csv"
PROGRAMME = DATA / "form_programme.toml"
SRC = Path(cm.__file__).resolve().parent.parent


def run_cli(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m crossmatch ...`` as a user runs it: a second process."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run(
        [sys.executable, "-m", "crossmatch", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def programme_file(tmp_path: Path, extra: str) -> Path:
    """The test programme with more tables appended, as a user edits it."""
    path = tmp_path / "programme.toml"
    path.write_text(PROGRAMME.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- 1. alias targets
def test_the_trial_repro_alias_to_a_synonym_reads_the_synonym() -> None:
    prog = cm.load_programme(PROGRAMME)
    cohort = Cohort.from_csv(
        FORM_MENTEES,
        EXCEL_MENTORS,
        programme=prog,
        aliases={"cadence": {"every two weeks": "biweekly"}},
    )
    assert cohort.mentees.loc[0, "cadence"] == "fortnightly"
    got = cohort.intake.to_frame().set_index(["side", "column", "found"])
    assert got.loc[("mentees", "cadence", "every two weeks"), "mapped_to"] == "fortnightly"
    assert got.loc[("mentees", "cadence", "every two weeks"), "how"] == "alias"


def test_plausible_alias_targets_in_a_programme_file(tmp_path: Path) -> None:
    path = programme_file(
        tmp_path,
        """
[aliases.mode]
"Online" = "online"
"Video" = "zoom"
"Face to face" = "face to face"
"in person" = "In person"
"Hybrid" = "Remote"

[aliases.cadence]
"Monthly" = "once a month"
"every week" = "Weekly"
"Every 2 weeks" = "biweekly"
""",
    )
    cohort = Cohort.from_csv(FORM_MENTEES, EXCEL_MENTORS, programme=cm.load_programme(path))
    ee = cohort.mentees.set_index("id")
    assert ee.loc["M-002", ["mode", "cadence"]].tolist() == ["remote", "monthly"]
    assert set(cohort.mentees["mode"]) <= set(cm.cohort.MODES)
    assert set(cohort.mentees["cadence"]) <= set(cm.cohort.CADENCES)
    # "Hybrid" was aliased to "Remote": the alias wins over the built-in synonym
    assert ee.loc[ee.index[cohort.mentees["mode"].eq("remote").to_numpy()]].shape[0] >= 3
    notes = cohort.intake.to_frame()
    hybrid = notes[(notes.side == "mentees") & (notes.found == "Hybrid")]
    assert hybrid[["mapped_to", "how"]].values.tolist() == [["remote", "alias"]]


def test_alias_target_nobody_understands_lists_the_valid_values(tmp_path: Path) -> None:
    path = programme_file(
        tmp_path, '[aliases.mode]\n"Online" = "carrier pigeon"\n[aliases.cadence]\n"x" = "daily"\n'
    )
    with pytest.raises(ValidationError) as info:
        cm.load_programme(path)
    got = {p.column: p for p in info.value.problems}
    assert "in-person, remote or either" in got["aliases.mode.Online"].hint
    assert "weekly, fortnightly or monthly" in got["aliases.cadence.x"].hint


# ---------------------------------------------------------------------------- 2. programme scoring
def test_score_uses_the_programme_the_cohort_was_read_with(
    caplog: pytest.LogCaptureFixture,
) -> None:
    prog = cm.load_programme(PROGRAMME)
    assert prog.scoring != cm.ScoringConfig()  # seniority_weight = 0.5, max_gap = 4
    cohort = Cohort.from_csv(FORM_MENTEES, EXCEL_MENTORS, programme=prog)
    assert cohort.programme is prog
    with caplog.at_level(logging.INFO, logger="crossmatch"):
        scores = cm.score(cohort)
    assert scores.config == prog.scoring
    assert "form_programme.toml" in caplog.text
    assert cm.score(cohort, prog).config == prog.scoring
    explicit = cm.score(cohort, cm.ScoringConfig())  # an explicit config still wins
    assert explicit.config == cm.ScoringConfig()
    assert cm.score_candidates(cohort, per_mentee=3, per_mentor=3).config == prog.scoring
    plain = Cohort.from_frames(cohort.mentees, cohort.mentors)
    assert plain.programme is None and cm.score(plain).config == cm.ScoringConfig()


def test_python_api_scores_like_the_cli_with_the_same_programme(tmp_path: Path) -> None:
    out = tmp_path / "scores.csv"
    done = run_cli(
        "score", FORM_MENTEES, EXCEL_MENTORS, "--programme", PROGRAMME, "--out", out, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    cli = pd.read_csv(out).set_index(["mentee_id", "mentor_id"])["score"]
    cohort = Cohort.from_csv(FORM_MENTEES, EXCEL_MENTORS, programme=cm.load_programme(PROGRAMME))
    api = cm.score(cohort).to_frame().set_index(["mentee_id", "mentor_id"])["score"]
    pd.testing.assert_series_equal(
        api.loc[cli.index].astype(float), cli.astype(float), check_names=False, atol=1e-6
    )


def _same_cohort(a: Cohort, b: Cohort) -> None:
    """Every field of two cohorts equal (the programme aside: a Programme vs a file)."""
    import dataclasses

    import numpy as np

    for f in dataclasses.fields(Cohort):
        if f.name == "programme":
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y)
        elif isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y)
            assert x.dtype == y.dtype, f.name
        else:
            assert x == y, f.name


@pytest.mark.parametrize("as_path", [str, Path])
def test_programme_path_is_the_same_as_the_programme(as_path) -> None:
    prog = cm.load_programme(PROGRAMME)
    by_prog = Cohort.from_csv(FORM_MENTEES, EXCEL_MENTORS, programme=prog)
    by_path = Cohort.from_frames(FORM_MENTEES, EXCEL_MENTORS, programme=as_path(PROGRAMME))
    _same_cohort(by_prog, by_path)
    assert isinstance(by_path.programme, cm.intake.ProgrammeFile)
    assert by_path.programme.path == str(PROGRAMME)
    a, b = cm.score(by_prog), cm.score(by_path)
    assert b.config == a.config == prog.scoring != cm.ScoringConfig()
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    assert (
        dict(by_path.programme.shortlist) == dict(prog.shortlist) == {"k": 2, "allow_short": True}
    )
    la = cm.shortlist(a, **by_prog.programme.shortlist)
    lb = cm.shortlist(b, **by_path.programme.shortlist)
    pd.testing.assert_frame_equal(la.to_frame(), lb.to_frame())
    assert cm.check_options(by_path).warnings == cm.check_options(by_prog).warnings


def test_programme_path_reports_every_problem_of_its_tables_at_once(tmp_path: Path) -> None:
    path = programme_file(tmp_path, "")
    path.write_text(
        '[colums.mentees]\nx = "id"\n[aliases.mode]\n"Teams" = "carrier pigeon"\n'
        '[input]\nencoding = "klingon"\n[scoring]\nsector_wieght = 2.0\n'
        'same_organisation = "yes"\n[scoring.sector]\npeak = 2.0\n',
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as at_intake:  # the intake's tables, before reading
        Cohort.from_csv(FORM_MENTEES, EXCEL_MENTORS, programme=path)
    with pytest.raises(ValidationError) as whole:
        cm.load_programme(path)
    intake = {p.column for p in at_intake.value.problems}
    assert intake == {"colums", "aliases.mode.Teams", "input.encoding"}
    assert "invalid programme file" in str(at_intake.value)
    # the [scoring] problems: the same messages as load_programme's, when scored
    path.write_text(
        '[scoring]\nsector_wieght = 2.0\nsame_organisation = "yes"\n[scoring.sector]\npeak = 2.0\n',
        encoding="utf-8",
    )
    cohort = Cohort.from_csv(FORM_MENTEES, EXCEL_MENTORS, columns=_form_columns(), programme=path)
    with pytest.raises(ValidationError) as at_score:
        cm.score(cohort)
    with pytest.raises(ValidationError) as whole:
        cm.load_programme(path)
    assert [str(p) for p in at_score.value.problems] == [str(p) for p in whole.value.problems]
    assert {p.column for p in at_score.value.problems} == {
        "scoring.sector_wieght",
        "scoring.same_organisation",
        "scoring.sector.peak",
    }


def _form_columns() -> dict[str, dict[str, str]]:
    prog = cm.load_programme(PROGRAMME)
    return {side: dict(m) for side, m in prog.columns.items()}


def test_scoring_config_from_mapping_is_load_programmes_conversion() -> None:
    prog = cm.load_programme(PROGRAMME)
    table = {"seniority_weight": 0.5, "seniority": {"max_gap": 4}}
    assert cm.ScoringConfig.from_mapping(table) == prog.scoring
    assert cm.ScoringConfig.from_mapping({}) == cm.ScoringConfig()
    with pytest.raises(ValidationError, match=r"scoring\.goals_weight"):
        cm.ScoringConfig.from_mapping({"goals_weight": "high"})


def test_errors_name_from_csv() -> None:
    with pytest.raises(ParameterError, match=r"^Cohort\.from_csv\(\): `programme`"):
        Cohort.from_csv(FORM_MENTEES, EXCEL_MENTORS, programme=3)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"^Cohort\.from_csv\(\): `aliases`"):
        Cohort.from_csv(FORM_MENTEES, EXCEL_MENTORS, aliases=["NHS"])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="programme file not found"):
        cm.load_programme("no such programme.toml")
    with pytest.raises(ValidationError, match="programme file not found"):
        Cohort.from_csv(FORM_MENTEES, EXCEL_MENTORS, programme="no such programme.toml")
    prog = cm.load_programme(PROGRAMME)
    cohort = Cohort.from_csv(FORM_MENTEES, EXCEL_MENTORS, programme=prog)
    assert cohort.programme is prog and cohort.programme.shortlist["k"] == 2


def test_a_cohort_with_its_programme_pickles() -> None:
    import pickle

    cohort = Cohort.from_csv(FORM_MENTEES, EXCEL_MENTORS, programme=cm.load_programme(PROGRAMME))
    back = pickle.loads(pickle.dumps(cohort))
    assert back.programme.scoring == cohort.programme.scoring
    by_path = Cohort.from_csv(FORM_MENTEES, EXCEL_MENTORS, programme=PROGRAMME)
    back = pickle.loads(pickle.dumps(by_path))
    assert back.programme == by_path.programme
    assert cm.score(back).config == cm.score(by_path).config
    assert dict(back.programme.columns["mentors"]) == dict(cohort.programme.columns["mentors"])


# ---------------------------------------------------------------------------- 3. summary lines
def test_summary_says_how_many_more_and_never_lists_a_case_change(tmp_path: Path) -> None:
    mentees, mentors = cm.synthetic_cohort(30, 12, seed=0)
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    mentees["availability"] = [
        f"{days[i % 6]} mornings and {days[(i // 6) % 6]} evenings" for i in range(30)
    ]  # 30 distinct sentences: more than the summary shows
    mentees["sector"] = mentees["sector"].str.title()  # "Charity": a case change only
    mentees["cadence"] = mentees["cadence"].str.title()  # "Monthly": a case change only
    ee, mr = tmp_path / "mentees.csv", tmp_path / "mentors.csv"
    mentees.to_csv(ee, index=False)
    mentors.to_csv(mr, index=False)
    cohort = Cohort.from_csv(ee, mr)
    notes = cohort.intake.to_frame()
    assert not notes["column"].isin(["sector", "cadence"]).any()
    shown = cohort.intake.max_lines
    n = int((notes.column == "availability").sum())
    assert n == 30 > shown
    text = str(cohort.intake)
    assert f"... and {n - shown} more (see .to_frame())" in text
    assert sum("(likely: read from a sentence" in line for line in text.splitlines()) == shown


# ---------------------------------------------------------------------------- 4. blank rows
def test_blank_rows_mid_file_are_skipped_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    lines = FORM_MENTEES.read_text(encoding="utf-8-sig").splitlines()
    lines.insert(3, ",,,,,,,,,,")  # spreadsheet row 4
    lines.insert(6, " , ,\t,,,,,,,,")  # after row 5, a record with a two-line cell: row 6
    last = lines[-1]
    lines[-1] = last.replace("M-008", "").replace("monthly", "when we can")  # row 11
    path = tmp_path / "mentees.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        Cohort.from_csv(path, EXCEL_MENTORS, programme=cm.load_programme(PROGRAMME))
    problems = info.value.problems
    assert sorted((p.column, p.sheet_row) for p in problems) == [("cadence", 11), ("id", 11)]
    assert "nan" not in str(info.value)  # an empty id is never shown as "id nan"
    lines[-1] = last
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cohort = Cohort.from_csv(path, EXCEL_MENTORS, programme=cm.load_programme(PROGRAMME))
    assert cohort.n_mentees == 8
    blank = cohort.intake.to_frame().query("column == '(blank rows)'")
    assert blank[["found", "rows"]].values.tolist() == [["spreadsheet rows 4, 6", 2]]
    assert "spreadsheet rows 4, 6" in str(cohort.intake)


def test_xlsx_with_a_stray_white_space_cell_below_the_data(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    frame, _ = cm.intake.read_table(EXCEL_MENTORS)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    sheet.cell(row=len(frame) + 6, column=3, value="   ")  # a stray space, 5 rows below
    path = tmp_path / "mentors.xlsx"
    book.save(path)
    cohort = Cohort.from_csv(FORM_MENTEES, path, programme=cm.load_programme(PROGRAMME))
    assert cohort.n_mentors == len(frame)
    blank = cohort.intake.to_frame().query("column == '(blank rows)'")
    assert blank["rows"].tolist() == [5]


def test_blank_rows_from_the_cli(tmp_path: Path) -> None:
    lines = FORM_MENTEES.read_text(encoding="utf-8-sig").splitlines()
    lines.insert(3, ",,,,,,,,,,")
    ee = tmp_path / "mentees.csv"
    ee.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run_cli(
        "score", ee, EXCEL_MENTORS, "--programme", PROGRAMME, "--out", "s.csv", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "spreadsheet row 4" in done.stderr
    assert len(pd.read_csv(tmp_path / "s.csv")) == 8 * 7


# ---------------------------------------------------------------------------- 5. mapping targets
def test_a_misspelt_mapping_target_is_named_on_the_command_line(tmp_path: Path) -> None:
    text = PROGRAMME.read_text(encoding="utf-8").replace(
        '"Max mentees" = "capacity"', '"Max mentees" = "capcity"'
    )
    prog = tmp_path / "programme.toml"
    prog.write_text(text, encoding="utf-8")
    done = run_cli(
        "score", FORM_MENTEES, EXCEL_MENTORS, "--programme", prog, "--out", "s.csv", cwd=tmp_path
    )
    assert done.returncode == 2
    assert "maps 'Max mentees' to 'capcity'" in done.stderr
    assert "did you mean 'capacity'?" in done.stderr
    assert "required column 'capacity' is missing" not in done.stderr  # said once, precisely


def test_mapping_targets_written_another_way_or_deliberately_extra() -> None:
    ee = pd.read_csv(DATA / "clean_mentees.csv", dtype=str).rename(columns={"region": "Where"})
    mr = pd.read_csv(DATA / "clean_mentors.csv", dtype=str)
    mr = mr.rename(columns={"capacity": "Max mentees"}).assign(Notes="x")
    cohort = Cohort.from_frames(
        ee,
        mr,
        columns={
            "mentees": {"Where": "Region"},  # our column in another case: that column
            "mentors": {"Max mentees": "capacity", "Notes": "coordinator notes"},  # an extra
        },
    )
    assert "region" in cohort.mentees.columns
    assert "coordinator notes" in cohort.mentors.columns


# ---------------------------------------------------------------------------- 6. file types
def test_an_xls_workbook_is_refused_by_name_not_given_encoding_advice(tmp_path: Path) -> None:
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8  # an Excel 97 file
    (tmp_path / "mentors.xls").write_bytes(ole2)
    (tmp_path / "renamed.csv").write_bytes(ole2)  # the same workbook renamed to .csv
    for name in ("mentors.xls", "renamed.csv"):
        done = run_cli("score", FORM_MENTEES, name, "--out", "s.csv", cwd=tmp_path)
        assert done.returncode == 2
        assert ".xls) are not supported" in done.stderr
        assert "save it as .xlsx or as CSV" in done.stderr
        assert "encoding" not in done.stderr


def test_an_encoding_neither_utf8_nor_cp1252_names_the_cli_option(tmp_path: Path) -> None:
    text = FORM_MENTEES.read_text(encoding="utf-8-sig").replace("Yorkshire", "Zürich")
    text = unicodedata.normalize("NFC", text)  # cp850 has é but no combining accent
    (tmp_path / "mentees.csv").write_bytes(text.encode("cp850"))  # ü is byte 0x81
    mentors = EXCEL_MENTORS.read_text(encoding="cp1252").replace("\u2019", "'")
    (tmp_path / "mentors.csv").write_bytes(mentors.encode("cp850"))  # one encoding: both files
    args = ("score", "mentees.csv", "mentors.csv", "--programme", PROGRAMME, "--out", "s.csv")
    done = run_cli(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert "--encoding latin-1" in done.stderr and "[input] encoding" in done.stderr
    done = run_cli(*args, "--encoding", "cp850", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    cohort = Cohort.from_csv(
        tmp_path / "mentees.csv",
        tmp_path / "mentors.csv",
        programme=cm.load_programme(PROGRAMME),
        encoding="cp850",
    )
    assert "zürich" in cohort.regions


# ---------------------------------------------------------------------------- 7. real forms
def _form_with(tmp_path: Path, edit: dict[str, dict[str, str]]) -> Path:
    """The form export with some cells changed: ``{mentee id: {header: value}}``."""
    frame, _ = cm.intake.read_table(FORM_MENTEES)
    frame["Mentee ID"] = frame["Mentee ID"].str.strip()
    for who, cells in edit.items():
        for header, value in cells.items():
            frame.loc[frame["Mentee ID"] == who, header] = value
    path = tmp_path / "mentees.csv"
    frame.to_csv(path, index=False)
    return path


def test_blank_region_for_a_remote_only_person(tmp_path: Path) -> None:
    # M-002 meets "Online" (remote): the region cannot matter
    filled = Cohort.from_csv(
        _form_with(tmp_path, {}), EXCEL_MENTORS, programme=cm.load_programme(PROGRAMME)
    )
    path = _form_with(tmp_path, {"M-002": {"Where are you based?": ""}})
    blank = Cohort.from_csv(path, EXCEL_MENTORS, programme=cm.load_programme(PROGRAMME))
    row = list(blank.mentee_ids).index("M-002")
    assert blank.mentees.loc[row, "mode"] == "remote"
    note = blank.intake.to_frame().query("column == 'region' and how == 'blank'")
    assert note["found"].tolist() == ["blank (spreadsheet row 3)"]
    a, b = cm.score(filled), cm.score(blank)
    assert (a.components["availability"][row] == b.components["availability"][row]).all()
    # an in-person mentee's blank region is still a problem, with the way out named
    path = _form_with(tmp_path, {"M-001": {"Where are you based?": ""}})
    with pytest.raises(ValidationError) as info:
        Cohort.from_csv(path, EXCEL_MENTORS, programme=cm.load_programme(PROGRAMME))
    (problem,) = info.value.problems
    assert (problem.column, problem.sheet_row) == ("region", 2)
    assert "in_person_same_region = false" in problem.hint


def test_blank_regions_when_the_programme_turns_the_region_rule_off(tmp_path: Path) -> None:
    prog = programme_file(tmp_path, "").read_text(encoding="utf-8")
    prog = prog.replace("[scoring]\n", "[scoring]\nin_person_same_region = false\n")
    (tmp_path / "off.toml").write_text(prog, encoding="utf-8")
    path = _form_with(
        tmp_path, {"M-001": {"Where are you based?": ""}, "M-006": {"Where are you based?": " "}}
    )
    done = run_cli(
        "score", path, EXCEL_MENTORS, "--programme", "off.toml", "--out", "s.csv", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    cohort = Cohort.from_csv(
        path, EXCEL_MENTORS, programme=cm.load_programme(tmp_path / "off.toml")
    )
    r1, r6 = (list(cohort.mentee_ids).index(i) for i in ("M-001", "M-006"))
    # unknown regions: never the same region as anyone's (not even each other's)
    codes = cohort.mentee_region
    assert codes[r1] != codes[r6]
    assert not (cohort.mentor_region == codes[r1]).any()
    # the file's path reads its [scoring] rule too, as load_programme does
    _same_cohort(cohort, Cohort.from_csv(path, EXCEL_MENTORS, programme=tmp_path / "off.toml"))
    # and so with columns= given beside the programme (merged, the rule kept)
    both = Cohort.from_csv(
        path, EXCEL_MENTORS, columns=_form_columns(), programme=tmp_path / "off.toml"
    )
    _same_cohort(cohort, both)


def test_grade_names_mapped_to_levels(tmp_path: Path) -> None:
    path = _form_with(tmp_path, {"M-001": {"Grade": "Grade 7"}, "M-002": {"Grade": " scs1"}})
    with pytest.raises(ValidationError) as info:
        Cohort.from_csv(path, EXCEL_MENTORS, programme=cm.load_programme(PROGRAMME))
    assert all("[aliases.seniority]" in (p.hint or "") for p in info.value.problems)
    prog = cm.load_programme(
        programme_file(tmp_path, '[aliases.seniority]\n"Grade 7" = 6\n"SCS1" = "8"\n')
    )
    cohort = Cohort.from_csv(path, EXCEL_MENTORS, programme=prog)
    ids = list(cohort.mentee_ids)
    assert cohort.mentee_seniority[ids.index("M-001")] == 6
    assert cohort.mentee_seniority[ids.index("M-002")] == 8  # " scs1" = "SCS1" normalised
    bad = programme_file(tmp_path, '[aliases.seniority]\n"Grade 7" = "senior"\n')
    with pytest.raises(ValidationError, match=r"aliases\.seniority\.Grade 7"):
        cm.load_programme(bad)


def test_availability_hint_names_the_alias_table(tmp_path: Path) -> None:
    path = _form_with(tmp_path, {"M-003": {"When are you available?": "Lunchtimes"}})
    with pytest.raises(ValidationError) as info:
        Cohort.from_csv(path, EXCEL_MENTORS, programme=cm.load_programme(PROGRAMME))
    (problem,) = info.value.problems
    assert "[aliases.availability]" in problem.hint


# ---------------------------------------------------------------------------- 8. messages
def test_a_bad_scoring_value_names_its_key(tmp_path: Path) -> None:
    path = programme_file(tmp_path, "")
    text = path.read_text(encoding="utf-8").replace(
        "seniority_weight = 0.5", "seniority_weight = -1"
    )
    path.write_text(text, encoding="utf-8")
    args = ("score", FORM_MENTEES, EXCEL_MENTORS, "--programme", path, "--out", "s.csv")
    done = run_cli(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert "key 'scoring.seniority_weight'" in done.stderr
    assert "column 'scoring'" not in done.stderr and "ScoringConfig()" not in done.stderr


def test_init_draft_marks_known_headers_and_groups_sentences(tmp_path: Path) -> None:
    mentees, mentors = cm.synthetic_cohort(40, 12, seed=1)
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    mentees["availability"] = [
        f"{days[i % 5]} mornings, {days[(i // 5) % 5]} evenings" for i in range(40)
    ]
    mentees = mentees.rename(columns={"id": "Mentee ID", "cadence": "How often?"})
    mentees["How often?"] = mentees["How often?"].str.title()  # "Weekly": case only
    mentees.to_csv(tmp_path / "ee.csv", index=False)
    mentors.to_csv(tmp_path / "mr.csv", index=False)
    done = run_cli("init", "ee.csv", "mr.csv", "--out", "p.toml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    draft = (tmp_path / "p.toml").read_text(encoding="utf-8")
    assert '"Mentee ID" = "id"   # likely: a common header for it' in draft
    assert '"How often?" = "cadence"   # a guess' in draft
    lines = draft.splitlines()
    sentences = [ln for ln in lines if " mornings, " in ln]
    assert len(sentences) == 5  # examples, not one line per distinct sentence
    assert "# 25 availability sentences read (likely: read from a sentence)" in draft
    assert "#   ... and 20 more" in lines
    assert '"Weekly" is read as' not in draft  # a change of case is not worth a line
    cm.load_programme(tmp_path / "p.toml")  # the draft reads back


def test_every_alias_kind_takes_a_target_in_peoples_words(tmp_path: Path) -> None:
    path = _form_with(
        tmp_path,
        {
            "M-001": {"Sector": "Trust", "When are you available?": "Lunchtimes"},
            "M-002": {"Where are you based?": "Greater London"},
        },
    )
    prog = programme_file(
        tmp_path,
        """
[aliases.availability]
"Lunchtimes" = "weekday afternoons"
[aliases.region]
"Greater London" = "LONDON"
[aliases.goals]
"Build confidence" = "Self-Confidence"
""",
    ).read_text(encoding="utf-8")
    prog = prog.replace("[aliases.sector]\n", '[aliases.sector]\n"Trust" = "NHS"\n')
    (tmp_path / "p.toml").write_text(prog, encoding="utf-8")
    cohort = Cohort.from_csv(path, EXCEL_MENTORS, programme=cm.load_programme(tmp_path / "p.toml"))
    ee = cohort.mentees.set_index("id")
    assert ee.loc["M-001", "sector"] == "health-and-social-care"
    assert ee.loc["M-001", "availability"] == "mon-pm;tue-pm;wed-pm;thu-pm;fri-pm"
    regions = [cohort.regions[k] for k in cohort.mentee_region]
    assert (
        regions[list(cohort.mentee_ids).index("M-002")]
        == regions[
            list(cohort.mentee_ids).index("M-003")  # in "London"
        ]
    )
    assert "confidence" in ee.loc["M-001", "goals"].split(";")


def test_check_options_uses_the_cohorts_programme(tmp_path: Path) -> None:
    text = PROGRAMME.read_text(encoding="utf-8").replace(
        "max_gap = 4", "min_gap = 9\npreferred_gap = 9\nmax_gap = 9"
    )  # nobody is 9 grades apart: everyone with a grade is stuck
    (tmp_path / "p.toml").write_text(text, encoding="utf-8")
    cohort = Cohort.from_csv(
        FORM_MENTEES, EXCEL_MENTORS, programme=cm.load_programme(tmp_path / "p.toml")
    )
    own = cm.check_options(cohort).warnings
    assert any("seniority gap" in w for w in own)
    assert own == cm.check_options(cohort, cohort.programme.scoring).warnings
    assert own != cm.check_options(cohort, cm.ScoringConfig()).warnings


def test_init_with_an_encoding_writes_it_to_the_draft(tmp_path: Path) -> None:
    text = FORM_MENTEES.read_text(encoding="utf-8-sig").replace("Yorkshire", "Zürich")
    (tmp_path / "ee.csv").write_bytes(unicodedata.normalize("NFC", text).encode("cp850"))
    mentors = EXCEL_MENTORS.read_text(encoding="cp1252").replace("\u2019", "'")
    (tmp_path / "mr.csv").write_bytes(mentors.encode("cp850"))
    args = ("init", "ee.csv", "mr.csv", "--out", "p.toml", "--encoding", "cp850")
    done = run_cli(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    prog = cm.load_programme(tmp_path / "p.toml")
    assert prog.encoding == "cp850"
    cohort = Cohort.from_csv(tmp_path / "ee.csv", tmp_path / "mr.csv", programme=prog)
    assert "zürich" in cohort.regions
