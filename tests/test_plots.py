"""Plots draw what the report says (Agg backend; matplotlib is in the `test` extra)."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

import crossmatch as cm
from crossmatch.reporting import plots

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(scope="module")
def demo():
    mentees, mentors = cm.synthetic_cohort(80, 30, seed=4, capacity=(2, 5))
    scores = cm.score(cm.Cohort.from_frames(mentees, mentors))
    sl = cm.shortlist(scores, k=3, allow_short=True)
    a = cm.assign(sl, cm.simulate_choices(sl, seed=1))
    return scores, sl, a, cm.report(a)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_each_plot_uses_the_given_axes_and_returns_it(demo):
    scores, _, a, r = demo
    for draw, arg in (
        (plots.plot_score_distribution, a),
        (plots.plot_mentor_load, a),
        (plots.plot_sector_mix, a),
        (plots.plot_choice_ranks, a),
        (plots.plot_sector_preference, scores),
    ):
        _, ax = plt.subplots()
        assert draw(arg, ax=ax) is ax
        assert ax.get_title()
        new = draw(r)  # a Report works too, and no ax gives a new figure
        assert new is not ax and new.figure is not ax.figure


def test_choice_ranks_bars_are_the_signature(demo):
    a = demo[2]
    ax = plots.plot_choice_ranks(a)
    heights = [p.get_height() for p in ax.patches]
    frame = a.to_frame()
    counts = frame.preference.value_counts().sort_index().tolist()
    assert heights == [*counts, frame.mentor_id.isna().sum()]


def test_mentor_load_bars(demo):
    a = demo[2]
    ax = plots.plot_mentor_load(a)
    cap_steps, load_steps = (p.get_data().values for p in ax.patches)
    load = a.to_frame().groupby("mentor_id").size()
    load = load.reindex(a.scores.mentor_ids, fill_value=0)
    caps = pd.Series(a.scores.capacity, index=a.scores.mentor_ids)
    # mentors sorted by capacity, then load (both descending)
    order = pd.DataFrame({"c": caps, "l": load}).sort_values(["c", "l"], ascending=False)
    np.testing.assert_array_equal(cap_steps, order.c.to_numpy())
    np.testing.assert_array_equal(load_steps, order.l.to_numpy())
    with pytest.raises(ValueError, match="shortlists or an assignment"):
        plots.plot_mentor_load(a.scores)


def test_sector_mix_heat_map_is_the_crosstab(demo):
    a = demo[2]
    ax = plots.plot_sector_mix(a)
    image = ax.images[0].get_array()
    c = a.scores.cohort
    frame = a.to_frame().dropna(subset=["mentor_id"])
    sec_e = c.mentees.set_index("id").sector
    sec_o = c.mentors.set_index("id").sector
    expect = pd.crosstab(frame.mentee_id.map(sec_e), frame.mentor_id.map(sec_o))
    np.testing.assert_array_equal(np.asarray(image), expect.to_numpy())
    assert [t.get_text() for t in ax.get_yticklabels()] == list(expect.index)
    region = plots.plot_sector_mix(a, region=True)
    assert np.asarray(region.images[0].get_array()).sum() == len(frame)


def test_sector_preference_curve(demo):
    scores = demo[0]
    ax = plots.plot_sector_preference(scores)
    x, y = ax.lines[0].get_data()
    np.testing.assert_allclose(y, scores.config.sector(x))
    levels, vals = ax.lines[1].get_data()
    np.testing.assert_allclose(vals, scores.config.sector(levels))
    distance = scores.cohort.taxonomy.distance
    np.testing.assert_allclose(np.sort(levels), np.unique(np.round(distance, 6)))
    (twin,) = [a for a in ax.figure.axes if a is not ax]
    counts = [p.get_height() for p in twin.patches]
    assert sum(counts) == int(scores.eligible.sum())  # every eligible pair, by distance
    config = cm.ScoringConfig(sector=cm.SectorPreference(peak=0.8, width=0.1))
    ax = plots.plot_sector_preference(config)
    x, y = ax.lines[0].get_data()
    assert x[np.argmax(y)] == pytest.approx(0.8)


def test_score_distribution_counts_every_pair(demo):
    _, sl, _, _ = demo
    ax = plots.plot_score_distribution(sl)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["score", *sl.scores.components]
    assert str(len(sl.to_frame())) in ax.get_title()


def test_missing_matplotlib_names_the_extra(demo, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"crossmatch\[plot\]"):
        plots.plot_choice_ranks(demo[2])
