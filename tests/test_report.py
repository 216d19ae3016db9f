"""The coordinator's report: every figure against an independent pandas computation."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError

import numpy as np
import pandas as pd
import pytest

import crossmatch as cm


def strict_json(obj):
    def bad(name):
        raise ValueError(f"not strict JSON: {name}")

    return json.loads(json.dumps(obj), parse_constant=bad)


@pytest.fixture(scope="module")
def demo():
    mentees, mentors = cm.synthetic_cohort(90, 40, seed=11, capacity=(2, 4))
    cohort = cm.Cohort.from_frames(mentees, mentors)
    scores = cm.score(cohort)
    sl = cm.shortlist(scores, k=3, allow_short=True)
    a = cm.assign(sl, cm.simulate_choices(sl, seed=2))
    return cohort, scores, sl, a


def with_labels(pairs: pd.DataFrame, cohort) -> pd.DataFrame:
    ee = cohort.mentees.set_index("id")[["sector", "region"]].add_prefix("mentee_")
    mr = cohort.mentors.set_index("id")[["sector", "region"]].add_prefix("mentor_")
    return pairs.join(ee, on="mentee_id").join(mr, on="mentor_id")


def check_scores(r, pairs: pd.DataFrame, scores) -> None:
    """Score figures of the report against the pairs' rows of the long score table."""
    table = scores.to_frame()
    merged = pairs[["mentee_id", "mentor_id"]].merge(table, on=["mentee_id", "mentor_id"])
    assert len(merged) == len(pairs) == r.figures["pairs"]
    st = r.figures["score"]
    assert st["mean"] == pytest.approx(merged.score.mean())
    assert st["median"] == pytest.approx(merged.score.median())
    assert st["worst"] == pytest.approx(merged.score.min())
    for name in scores.components:
        c = r.figures["components"][name]
        assert c["mean"] == pytest.approx(merged[name].mean(), rel=1e-6)
        assert c["median"] == pytest.approx(merged[name].median(), rel=1e-6)
        assert c["worst"] == pytest.approx(merged[name].min(), rel=1e-6)


def check_mix(r, pairs: pd.DataFrame, cohort) -> None:
    lab = with_labels(pairs, cohort)
    for mix, a, b in (
        (r.sector_mix, "mentee_sector", "mentor_sector"),
        (r.region_mix, "mentee_region", "mentor_region"),
    ):
        expect = pd.crosstab(lab[a], lab[b])
        pd.testing.assert_frame_equal(
            mix, expect.astype(np.int64), check_names=False, check_dtype=False
        )


def check_ineligible(r, scores, min_options) -> None:
    table = scores.to_frame()
    reasons = table.reason.dropna().str.split("; ").explode().value_counts()
    got = r.ineligible.set_index("reason").pairs
    pd.testing.assert_series_equal(
        got.sort_index(), reasons.sort_index(), check_names=False, check_dtype=False
    )
    assert r.figures["ineligible"]["eligible_share"] == pytest.approx(table.eligible.mean())
    per = table.groupby("mentee_id").eligible.sum()
    few = per[per < min_options]
    assert sorted(r.few_options.mentee_id) == sorted(few.index)
    assert r.figures["few_options"]["mentees"] == len(few)


def test_assignment_report(demo):
    cohort, scores, sl, a = demo
    r = cm.report(a, min_options=12)
    frame = a.to_frame()
    assigned = frame[frame.mentor_id.notna()]
    # matched / waiting
    assert r.figures["matched"]["matched"] == len(assigned)
    assert r.figures["matched"]["waiting"] == frame.mentor_id.isna().sum()
    # share with their 1st, 2nd, ... choice
    shares = assigned.preference.value_counts(normalize=True).sort_index()
    assert r.figures["choice_share"] == pytest.approx({str(k): v for k, v in shares.items()})
    counts = assigned.preference.value_counts().sort_index()
    assert r.figures["choices"] == {str(k): int(v) for k, v in counts.items()}
    check_scores(r, assigned, scores)
    # mentor load against capacity and exposure
    load = assigned.groupby("mentor_id").size()
    caps = cohort.mentors.set_index("id").capacity
    got = r.mentors.set_index("mentor_id")
    assert (got.assigned == load.reindex(got.index, fill_value=0)).all()
    assert (got.capacity == caps.reindex(got.index)).all()
    full = (load.reindex(caps.index, fill_value=0) >= caps) & (caps > 0)
    assert r.figures["mentors"]["full"] == full.sum()
    assert r.figures["mentors"]["used"] == load.size
    ratio = load.reindex(caps.index, fill_value=0)[caps > 0] / caps[caps > 0]
    assert r.figures["mentors"]["mean_load"] == pytest.approx(ratio.mean())
    shown = sl.to_frame().groupby("mentor_id").size()
    assert (got.shown == shown.reindex(got.index, fill_value=0)).all()
    limit = (got.shown >= got.exposure) & (got.exposure > 0)
    assert r.figures["mentors"]["at_exposure_limit"] == limit.sum()
    check_mix(r, assigned, cohort)
    check_ineligible(r, scores, 12)
    b = r.figures["bound"]
    assert (b["objective"], b["bound"]) == (sl.objective, sl.bound)
    assert b["gap"] == pytest.approx(max(0.0, (sl.bound - sl.objective) / abs(sl.bound)))


def test_shortlists_report(demo):
    cohort, scores, sl, _ = demo
    r = cm.report(sl)
    entries = sl.to_frame()
    check_scores(r, entries, scores)
    check_mix(r, entries, cohort)
    check_ineligible(r, scores, 5)
    rec = entries[entries.recommended].groupby("mentor_id").size()
    got = r.mentors.set_index("mentor_id").assigned
    assert (got == rec.reindex(got.index, fill_value=0)).all()
    assert r.figures["shortlists"]["short"] == (entries.groupby("mentee_id").size() < 3).sum()
    assert "choices" not in r.figures


def test_scores_report_describes_each_mentees_best_mentor(demo):
    cohort, scores, _, _ = demo
    r = cm.report(scores)
    table = scores.to_frame(eligible_only=True)
    best = table.sort_values(["mentee_id", "score"], ascending=[True, False], kind="stable")
    best = best.groupby("mentee_id").head(1)
    check_scores(r, best, scores)
    check_mix(r, best, cohort)
    assert r.figures["matched"]["matched"] == best.mentee_id.nunique()
    assert "bound" not in r.figures and "assigned" not in r.mentors.columns


def test_candidate_scores_report(demo):
    cohort, scores, _, _ = demo
    cs = cm.score_candidates(cohort, per_mentee=5, per_mentor=5)
    r = cm.report(cs)
    dense = cm.report(scores)
    # every mentee's best eligible pair is a candidate: the same pairs are described
    assert r.figures["score"] == pytest.approx(dense.figures["score"])
    assert r.figures["ineligible"]["complete"] is False
    csl = cm.shortlist(cs, k=3, allow_short=True)
    r2 = cm.report(cm.assign(csl))
    assert r2.figures["matched"]["matched"] == scores.n_mentees
    strict_json(r2.to_dict())


def test_waiting_mentees_and_reasons():
    s = cm.Scores.from_matrix(
        [[0.9, 0.1], [0.8, 0.2], [0.7, 0.3]], mentee_ids=["a", "b", "c"],
        mentor_ids=["x", "y"], capacity=[1, 1],
    )  # fmt: skip
    a = cm.Assignment(
        scores=s,
        mentor=np.array([0, -1, 1]),
        preference=np.array([1, 0, 2]),
        reason=(None, "every mentor on the list was filled", None),
        method="manual",
    )
    r = cm.report(a)
    assert r.figures["matched"] == {
        "matched": 2,
        "waiting": 1,
        "reasons": {"every mentor on the list was filled": 1},
    }
    assert r.waiting.to_dict(orient="list") == {
        "mentee_id": ["b"],
        "reason": ["every mentor on the list was filled"],
    }
    assert r.figures["choices"] == {"1": 1, "2": 1}
    assert r.figures["score"]["mean"] == pytest.approx(0.6)
    assert r.sector_mix.empty  # no cohort
    text = str(r)
    assert "waiting: 1" in text and "every mentor on the list was filled" in text
    strict_json(r.to_dict())


def test_outputs(demo, tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    _, _, _, a = demo
    r = cm.report(a)
    d = strict_json(r.to_dict())
    assert d["figures"]["matched"]["matched"] == r.figures["matched"]["matched"]
    assert sum(sum(row.values()) for row in d["sector_mix"].values()) == len(r.pairs)
    text = str(r)
    assert f"matched: {r.figures['matched']['matched']}" in text
    assert "choice 1" in text and "gap" in text
    path = tmp_path / "report.html"
    page = r.to_html(path)
    assert path.read_text(encoding="utf-8") == page
    assert page.startswith("<!DOCTYPE html>") and page.count("data:image/png;base64,") == 5
    assert "<script" not in page and 'src="http' not in page  # self-contained
    view = r._repr_html_()
    assert "<table>" in view and "<img" not in view
    with pytest.raises(FrozenInstanceError):
        r.kind = "x"  # type: ignore[misc]


def test_html_escapes_ids():
    s = cm.Scores.from_matrix(
        [[0.9]], mentee_ids=["<b>x</b>"], mentor_ids=["=HYPERLINK()"], capacity=[1]
    )
    a = cm.assign(cm.shortlist(s, k=1))
    page = cm.report(a).to_html(plots=False)
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in a._repr_html_()


def test_compact_html_views(demo):
    cohort, scores, sl, a = demo
    for obj, words in (
        (cohort, "total capacity"),
        (scores, "eligible pairs"),
        (sl, "bound"),
        (a, "matched"),
    ):
        view = obj._repr_html_()
        assert view.startswith('<div class="crossmatch">') and words in view


def test_bad_input(demo):
    with pytest.raises(cm.ParameterError, match="`result` must be a Scores"):
        cm.report("scores.csv")
    with pytest.raises(cm.ParameterError, match="`min_options` must be an int"):
        cm.report(demo[1], min_options=-1)


def test_html_without_matplotlib_says_which_extra(demo, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    page = cm.report(demo[3]).to_html()
    assert "data:image/png" not in page
    assert 'pip install "crossmatch[plot]"' in page


def test_waiting_for_lack_of_eligible_mentors_names_the_rules():
    s = cm.Scores.from_matrix(
        [[0.9, np.nan], [0.8, 0.7], [np.nan, np.nan]], mentee_ids=["a", "b", "c"],
        mentor_ids=["x", "y"], capacity=[1, 0],
    )  # fmt: skip
    r = cm.report(s)
    table = s.to_frame()
    per = table.groupby("mentee_id").eligible.sum()
    assert r.figures["matched"]["matched"] == (per > 0).sum() == 2
    rules = table[table.mentee_id == "c"].reason.str.split("; ").explode().value_counts()
    expect = ", ".join(f"{n}: {c}" for n, c in rules.items())
    assert r.waiting.set_index("mentee_id").reason["c"] == f"no eligible mentor ({expect})"


# ---------------------------------------------------------------------------- property
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def solved(draw):
    n, m = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    grid = st.integers(0, 20).map(lambda v: v / 20)
    S = [[draw(grid) for _ in range(m)] for _ in range(n)]
    cap = [draw(st.integers(1, 3)) for _ in range(m)]
    k = draw(st.integers(1, min(2, m)))
    return S, cap, k, draw(st.integers(0, 10))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(solved())
def test_assignment_figures_match_pandas_on_random_problems(problem):
    S, cap, k, seed = problem
    s = cm.Scores.from_matrix(
        S, mentee_ids=[f"e{i}" for i in range(len(S))],
        mentor_ids=[f"m{j}" for j in range(len(cap))], capacity=cap,
    )  # fmt: skip
    try:
        sl = cm.shortlist(s, k=k, allow_short=True)
    except cm.InfeasibleError:
        assume(False)
    a = cm.assign(sl, cm.simulate_choices(sl, seed=seed), method="stable")
    r = cm.report(a)
    frame = a.to_frame()
    got = frame[frame.mentor_id.notna()]
    f = r.figures
    assert f["matched"]["matched"] == len(got)
    assert f["matched"]["waiting"] == len(frame) - len(got)
    assert f["matched"]["reasons"] == frame.reason.dropna().value_counts().to_dict()
    counts = got.preference.value_counts()
    assert f["choices"] == {str(int(p)): int(c) for p, c in counts.sort_index().items()}
    if len(got):
        assert f["score"]["mean"] == pytest.approx(got.score.mean())
        assert f["score"]["median"] == pytest.approx(got.score.median())
        assert f["score"]["worst"] == pytest.approx(got.score.min())
    load = got.groupby("mentor_id").size().reindex(s.mentor_ids, fill_value=0)
    assert r.mentors.assigned.tolist() == load.tolist()
    shown = sl.to_frame().groupby("mentor_id").size().reindex(s.mentor_ids, fill_value=0)
    assert r.mentors.shown.tolist() == shown.tolist()
    strict_json(r.to_dict())


def test_report_and_explain_show_why_a_waitlisted_mentee_waits():
    """An oversubscribed cohort with waitlist=True: the report's waiting table and every
    explanation for a waitlisted mentee give the shortlist's own waitlist reason."""
    mentees, mentors = cm.synthetic_cohort(120, 20, seed=3, capacity=(1, 3))
    scores = cm.score(cm.Cohort.from_frames(mentees, mentors))
    lists = cm.shortlist(scores, k=2, waitlist=True)
    rows = np.flatnonzero(lists.waitlisted)
    assert 0 < len(rows) < lists.n_mentees
    waiting = cm.report(lists).waiting.set_index("mentee_id")["reason"]
    for i in rows.tolist():
        reason = lists.waitlist_reason[i]
        assert waiting[lists.mentee_ids[i]] == f"waitlisted: {reason}"
    i = int(rows[0])
    e = cm.explain(lists, lists.mentee_ids[i], scores.mentor_ids[0])
    assert e.details["waitlisted"] == lists.waitlist_reason[i]
    assert e.text.startswith(f"{lists.mentee_ids[i]} is on the waitlist (")
    served = int(np.flatnonzero(~lists.waitlisted)[0])
    assert "waitlist" not in cm.explain(lists, lists.mentee_ids[served], scores.mentor_ids[0]).text


def test_mix_counts_pairs_with_a_blank_region():
    # crosstab alone drops rows with a missing key: every pair must be counted
    from crossmatch.reporting._figures import NOT_GIVEN, mix

    pairs = pd.DataFrame(
        {
            "mentee_region": ["north", None, "south", np.nan],
            "mentor_region": ["south", "north", None, "north"],
        }
    )
    got = mix(pairs, "mentee_region", "mentor_region")
    assert int(got.to_numpy().sum()) == len(pairs)
    assert got.loc[NOT_GIVEN, "north"] == 2
    assert got.loc["south", NOT_GIVEN] == 1
