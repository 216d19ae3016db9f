"""A second form-tool export as a programme office sends it (tests/data/band_*.csv):
cp1252, ``;``, a band of group labels above the headers (merged header cells), ids with
trailing spaces, ``N/A`` cells, grade names, goal synonyms on both sides. From
``crossmatch init`` to shortlists and the report with no hand-written code."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crossmatch as cm
from crossmatch import Cohort
from crossmatch.cli import main
from crossmatch.errors import ValidationError
from crossmatch.intake import GoalMatcher, read_table

DATA = Path(__file__).parent / "data"
MENTEES, MENTORS = DATA / "band_mentees.csv", DATA / "band_mentors.csv"
LEVELS = {"EO": 2, "HEO": 3, "SEO": 4, "Grade 7": 5, "Band 7": 5, "Inspector": 5,
          "Director": 8, "Partner": 8, "VP": 8, "MD": 9}  # fmt: skip


def test_a_band_of_group_labels_above_the_headers_is_skipped_and_said() -> None:
    df, how = read_table(MENTEES, side="mentees")
    assert list(df.columns)[:3] == ["Mentee ID", "Full name", "Organisation"]
    assert len(df) == 8 and df["Mentee ID"].iloc[0] == "M01 "
    assert (how.encoding, how.delimiter, how.header_row) == ("cp1252", ";", 2)
    assert how.band == ("Your details", "Meeting you", "Your development")
    assert "headers on row 2" in how.describe()


def test_no_band_is_seen_in_an_ordinary_table(tmp_path: Path) -> None:
    # a full header row, and a first header row with one blank (an unnamed column)
    for text in ("id,name,capacity\na,b,2\nc,d,3\n", "id,,capacity\nx,y,z\na,b,2\n"):
        (tmp_path / "t.csv").write_text(text, encoding="utf-8")
        df, how = read_table(tmp_path / "t.csv")
        assert how.header_row == 1 and df.columns[0] == "id" and len(df) == 2


def test_spreadsheet_rows_count_from_the_real_header() -> None:
    prog = cm.Programme(
        columns={
            "mentees": {"Mentee ID": "id", "Grade": "seniority",
                        "When are you available?": "availability",
                        "How often would you like to meet?": "cadence",
                        "Face to face or online?": "mode", "Where are you based?": "region",
                        "What would you like help with?": "goals"},
            "mentors": {"Mentor ID": "id", "Employer": "organisation", "Industry": "sector",
                        "Days and times": "availability", "Frequency": "cadence",
                        "Format": "mode", "Office location": "region",
                        "I can help with": "expertise", "Max mentees": "capacity",
                        "Level": "seniority"},
        }
    )  # fmt: skip
    with pytest.raises(ValidationError) as info:
        Cohort.from_csv(MENTEES, MENTORS, programme=prog)
    first = next(p for p in info.value.problems if p.side == "mentees")
    assert (first.value, first.sheet_row, first.id) == ("Grade 7", 3, "M01")  # row 3: M01
    levels = cm.Programme(columns=prog.columns, aliases={"seniority": LEVELS})
    cohort = Cohort.from_csv(MENTEES, MENTORS, programme=levels)
    assert cohort.mentee_ids.tolist()[:2] == ["M01", "M02"]  # trailing spaces gone
    assert cohort.mentor_ids.tolist()[0] == "T1"
    assert np.isnan(cohort.mentee_seniority[4])  # "N/A" is missing
    # 'managing budgets' (a mentee) and 'budgeting' (a mentor) are one goal, though the
    # synonyms' own goal, 'financial management', is in neither table
    ee = cohort.mentees.set_index("id")
    assert ee.loc["M04", "goals"] == "budgeting;strategic planning"
    assert not any("managing budgets" in w for w in cohort.intake.warnings)


def test_synonyms_of_an_absent_goal_join_each_other() -> None:
    m = GoalMatcher.build({"managing budgets": 1, "budgeting": 2, "strategic thinking": 1})
    assert m.labels["managing budgets"].value == "budgeting"
    assert m.labels["managing budgets"].how == "synonym"
    assert m.labels["strategic thinking"].value == "strategic thinking"  # nothing to join
    m = GoalMatcher.build({"budgeting": 1, "financial management": 1})
    assert m.labels["budgeting"].value == "financial management"  # the goal itself wins


def test_init_shortlist_report_with_no_hand_written_code(tmp_path: Path, capsys) -> None:
    ee, mr = tmp_path / "mentees.csv", tmp_path / "mentors.csv"
    shutil.copy(MENTEES, ee)
    shutil.copy(MENTORS, mr)
    prog = tmp_path / "programme.toml"
    assert main(["init", str(ee), str(mr), "--out", str(prog)]) == 0
    assert "5 guesses to check, 10 values to fill in" in capsys.readouterr().out
    draft = prog.read_text(encoding="utf-8")
    assert '"Mentee ID" = "id"' in draft and '"Max mentees" = "capacity"' in draft
    assert "headers on row 2" in draft
    assert '# "Director" = ???   # a level (3 rows)' in draft
    assert '"managing budgets" = "budgeting"   # likely: built-in synonym' in draft
    # the coordinator fills in the grades and the programme's own settings
    for grade, level in LEVELS.items():
        draft = re.sub(rf'# "{grade}" = \?\?\?   # a level \(\d+ rows?\)',
                       f'"{grade}" = {level}', draft)  # fmt: skip
    draft = draft.replace("# k = 3", "k = 2\nallow_short = true")
    prog.write_text(draft + "\n[scoring.seniority]\nmax_gap = 6\n", encoding="utf-8")
    out = tmp_path / "run"
    code = main(["shortlist", str(ee), str(mr), "--programme", str(prog), "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    lists = pd.read_csv(out / "shortlists.csv")
    assert set(lists["mentee_id"]) == {f"M0{i}" for i in range(1, 9)}
    assert main(["report", str(out / "shortlists.json")]) == 0
    assert "8 mentees, 6 mentors" in capsys.readouterr().out
