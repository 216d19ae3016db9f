"""The command line: demo, synth, score; errors exit non-zero without a traceback."""

from __future__ import annotations

import pandas as pd
import pytest

from crossmatch.cli import main


def test_demo_prints_a_summary(capsys):
    assert main(["demo", "--mentees", "120", "--mentors", "60", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "120 mentees and 60 mentors" in out
    assert "Eligible pairs" in out and "Best mentors for" in out
    assert "Shortlists of 3" in out and "mentees matched" in out and "first choice" in out
    assert "Mentor load" in out


def test_synth_then_score_round_trip(tmp_path, capsys):
    assert (
        main(["synth", "--mentees", "30", "--mentors", "12", "--seed", "1", "--out", str(tmp_path)])
        == 0
    )
    ee = pd.read_csv(tmp_path / "mentees.csv")
    assert len(ee) == 30 and ee["id"].is_unique
    out = tmp_path / "scores.csv"
    args = [
        "score",
        str(tmp_path / "mentees.csv"),
        str(tmp_path / "mentors.csv"),
        "--out",
        str(out),
    ]
    assert main(args) == 0
    table = pd.read_csv(out)
    assert len(table) == 30 * 12
    assert {"mentee_id", "mentor_id", "score", "sector", "eligible", "reason"} <= set(table.columns)
    assert main([*args, "--top", "2"]) == 0
    top = pd.read_csv(out)
    assert top.groupby("mentee_id").size().max() <= 2 and top["eligible"].all()


def test_score_bad_input_exits_2_with_the_validation_message(tmp_path, capsys):
    main(["synth", "--mentees", "5", "--mentors", "4", "--out", str(tmp_path)])
    mr = pd.read_csv(tmp_path / "mentors.csv")
    mr.loc[1, "sector"] = "retial"
    mr.to_csv(tmp_path / "mentors.csv", index=False)
    code = main(["score", str(tmp_path / "mentees.csv"), str(tmp_path / "mentors.csv"),
                 "--out", str(tmp_path / "s.csv")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "did you mean 'retail'" in err and "row 3 (index 1, id " in err
    assert "Traceback" not in err


def test_missing_file_exits_2(tmp_path, capsys):
    code = main(
        ["score", str(tmp_path / "nope.csv"), str(tmp_path / "nope2.csv"), "--out", "x.csv"]
    )
    assert code == 2
    assert "file not found" in capsys.readouterr().err


def test_bad_arguments_are_rejected_by_argparse(capsys):
    with pytest.raises(SystemExit) as info:
        main(["demo", "--mentees", "0"])
    assert info.value.code == 2
    assert "positive integer" in capsys.readouterr().err
