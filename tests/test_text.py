"""Free-text similarity component: TF-IDF cosine of a mentee and a mentor column."""

from __future__ import annotations

import logging
import pickle
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

import crossmatch as cm

ABOUT = [
    "I lead a digital transformation team and want to grow as a leader of change",
    "Finance director in a council; budgeting, audit and risk",
    None,
    "   ",
    "Nurse manager: people management, confidence and resilience",
    "climbing",
]
BIO = [
    "Chief digital officer, led transformation programmes and change in a bank",
    "Audit partner: risk, finance and budgeting for public bodies",
    "",
    "People management and coaching for confidence; former nurse",
    float("nan"),
]


def cohort(about: list = ABOUT, bio: list = BIO, seed: int = 0) -> cm.Cohort:
    ee, mr = cm.synthetic_cohort(len(about), len(bio), seed=seed)
    ee["about"] = pd.Series(about, dtype=object).to_numpy()
    mr["bio"] = pd.Series(bio, dtype=object).to_numpy()
    return cm.Cohort.from_frames(ee, mr)


def direct(about: list, bio: list, **options: object) -> np.ndarray:
    """The documented definition, written directly with scikit-learn.

    Vocabulary: the mentors' (after pruning) plus the words only mentees use; IDF fitted on
    the mentor texts; cosine similarity of the TF-IDF rows.
    """

    def clean(values: list) -> list[str]:
        return ["" if v is None or (isinstance(v, float) and np.isnan(v)) else v for v in values]

    about, bio = clean(about), clean(bio)
    mentors_only = TfidfVectorizer(**options).fit(bio)
    analyze = mentors_only.build_analyzer()
    in_bios = {t for text in bio for t in analyze(text)}
    only_mentees = {t for text in about for t in analyze(text)} - in_bios
    vocabulary = sorted(set(mentors_only.vocabulary_) | only_mentees)
    vec = TfidfVectorizer(**options, vocabulary=vocabulary).fit(bio)
    return cosine_similarity(vec.transform(about), vec.transform(bio))


def text_scores(c: cm.Cohort, *, block_rows: int | None = None, **kwargs: object) -> np.ndarray:
    config = cm.ScoringConfig(custom=(cm.text_similarity("about", "bio", **kwargs),))
    return cm.score(c, config, block_rows=block_rows).components["text"]


def test_matches_a_direct_sklearn_computation() -> None:
    got = text_scores(cohort())
    np.testing.assert_allclose(got, direct(ABOUT, BIO), atol=1e-6)
    assert got[0, 0] > got[0, 1]  # digital transformation: the CDO, not the auditor
    assert got[1, 1] == got[1].max() > 0


@pytest.mark.parametrize(
    "options",
    [{"stop_words": "english"}, {"ngram_range": (1, 2), "sublinear_tf": True},
     {"min_df": 1, "max_df": 0.9, "norm": None}, {"use_idf": False}],
)  # fmt: skip
def test_options_are_passed_to_the_vectoriser(options: dict) -> None:
    got = text_scores(cohort(), **options)
    np.testing.assert_allclose(got, direct(ABOUT, BIO, **options), atol=1e-6)


def test_missing_and_blank_text_scores_zero() -> None:
    got = text_scores(cohort())
    assert np.all(got[2] == 0) and np.all(got[3] == 0)  # None, white space
    assert np.all(got[:, 2] == 0) and np.all(got[:, 4] == 0)  # "", NaN
    assert np.all(got[5] == 0)  # a word no mentor uses
    assert got.min() >= 0 and got.max() <= 1


def test_identical_texts_score_one() -> None:
    text = "strategy and board governance"
    got = text_scores(cohort([text, "governance"], [text, "board strategy"]))
    assert got[0, 0] == pytest.approx(1.0)
    assert 0 < got[1, 0] < 1


def test_words_no_mentor_uses_still_count() -> None:
    """Writing about more than a mentor covers lowers the score (no inflation)."""
    about = ["digital change", "digital change gardening poetry sailing"]
    got = text_scores(cohort(about, ["digital change", "audit"]))
    assert got[0, 0] == pytest.approx(1.0)
    assert 0 < got[1, 0] < got[0, 0]
    np.testing.assert_allclose(got, direct(about, ["digital change", "audit"]), atol=1e-6)


def test_fixed_vocabulary_counts_only_its_words() -> None:
    words = ["digital", "change", "audit", "risk", "finance"]
    got = text_scores(cohort(), vocabulary=words)
    clean = (
        ["" if not isinstance(v, str) else v for v in ABOUT],
        ["" if not isinstance(v, str) else v for v in BIO],
    )
    vec = TfidfVectorizer(vocabulary=words).fit(clean[1])
    expected = cosine_similarity(vec.transform(clean[0]), vec.transform(clean[1]))
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_blocks_give_the_same_scores_as_the_whole() -> None:
    whole = text_scores(cohort())
    for rows in (1, 2, 4):
        np.testing.assert_array_equal(text_scores(cohort(), block_rows=rows), whole)


WORDS = ["lead", "change", "finance", "risk", "digital", "care", "people", "coach", "data"]
texts = st.one_of(
    st.none(),
    st.just(""),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join),
)


@settings(max_examples=25, deadline=None)
@given(
    about=st.lists(texts, min_size=1, max_size=8),
    bio=st.lists(texts, min_size=1, max_size=5),
    rows=st.integers(1, 8),
)
def test_blockwise_equals_whole_and_sklearn(about: list, bio: list, rows: int) -> None:
    c = cohort(about, bio)
    whole = text_scores(c)
    np.testing.assert_array_equal(text_scores(c, block_rows=rows), whole)
    if any(b for b in bio):
        np.testing.assert_allclose(whole, direct(about, bio), atol=1e-6)
    else:
        assert np.all(whole == 0)


def test_weight_counts_in_the_total() -> None:
    c = cohort()
    plain = cm.score(c)
    comp = cm.text_similarity("about", "bio", weight=2.0)
    s = cm.score(c, cm.ScoringConfig(custom=(comp,)))
    # weighted mean: sector, goals, availability 1.0, seniority 0.5, text 2.0
    w = np.array([1.0, 1.0, 1.0, 0.5])
    names = ["sector", "goals", "availability", "seniority"]
    base = sum(wk * plain.components[n].astype(float) for wk, n in zip(w, names, strict=True))
    expected = (base + 2.0 * s.components["text"]) / (w.sum() + 2.0)
    ok = s.eligible
    np.testing.assert_allclose(s.total[ok], expected[ok], atol=1e-5)
    assert "text" in s.to_frame().columns


def test_all_blank_mentor_texts_score_zero_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="crossmatch"):
        got = text_scores(cohort(ABOUT, ["", None, "  "]))
    assert np.all(got == 0)
    assert "no words to compare" in caplog.text and "'bio'" in caplog.text


def test_missing_column_names_it() -> None:
    config = cm.ScoringConfig(custom=(cm.text_similarity("profile", "bio"),))
    with pytest.raises(KeyError, match=r"no column 'profile'.*mentee_column"):
        cm.score(cohort(), config)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"weight": -1}, "`weight` must be"), ({"mentee_column": 3}, "`mentee_column` must be"),
     ({"name": "sector"}, "built-in"), ({"ngram_range": "one"}, "TfidfVectorizer"),
     ({"no_such_option": 1}, "TfidfVectorizer"), ({"input": "filename"}, "`input`"),
     ({"smooth_idf": False}, "`smooth_idf` must be True")],
)  # fmt: skip
def test_bad_parameters(kwargs: dict, match: str) -> None:
    with pytest.raises(cm.ParameterError, match=match):
        cm.text_similarity(**kwargs)


def test_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in ("sklearn", "sklearn.feature_extraction", "sklearn.feature_extraction.text",
                   "sklearn.metrics", "sklearn.metrics.pairwise"):  # fmt: skip
        monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImportError, match=r"crossmatch\[text\]"):
        cm.text_similarity("about", "bio")


def test_component_pickles_for_process_pools() -> None:
    comp = cm.text_similarity("about", "bio", stop_words="english")
    c = cohort()
    first = comp.func(c.mentees, c.mentors)  # fills the cache, which is not pickled
    again = pickle.loads(pickle.dumps(comp))
    np.testing.assert_array_equal(again.func(c.mentees, c.mentors), first)
    assert again.weight == comp.weight and again.name == "text"


def test_candidate_pairs_and_threads_give_the_dense_values() -> None:
    """Candidate scoring calls the component on chunks and rows: same numbers as dense."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(0)
    about = [" ".join(rng.choice(WORDS, size=4)) for _ in range(60)]
    bio = [" ".join(rng.choice(WORDS, size=3)) for _ in range(20)]
    c = cohort(about, bio, seed=2)
    config = cm.ScoringConfig(custom=(cm.text_similarity("about", "bio"),))
    dense = cm.score(c, config).components["text"]
    with ThreadPoolExecutor(2) as pool:
        cands = cm.score_candidates(
            c, config, per_mentee=5, per_mentor=10, block_rows=7, executor=pool
        )
    rows, cols = np.divmod(cands.keys, c.n_mentors)
    np.testing.assert_array_equal(cands.pair_components["text"], dense[rows, cols])
