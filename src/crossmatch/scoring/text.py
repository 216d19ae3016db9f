"""Free-text similarity of a mentee column and a mentor column (optional extra ``text``).

Platforms hold free-text profiles: a mentee's ``about`` and a mentor's ``bio``.
:func:`text_similarity` turns them into a :class:`~crossmatch.CustomComponent` that scores
every pair by the TF-IDF cosine similarity of the two texts, with scikit-learn
(``pip install "crossmatch[text]"``).

What is fitted on what. Scoring calls a component on blocks of mentee rows with all the
mentors, so nothing may depend on which mentees share a block. The vectoriser is fitted on
the **mentor texts**: they give the vocabulary (after the user's ``min_df``, ``max_df``,
``max_features``, stop words) and every word's IDF. A mentee's words that no mentor uses
are kept in the mentee's vector too, with the IDF of a word in no document
(``ln(1 + n_mentors) + 1``, scikit-learn's smoothed IDF), so a mentee who writes about ten
things and shares one with a mentor is not scored as if they had written about that one
only. The result is exactly scikit-learn's TF-IDF cosine with the vocabulary "the mentors'
(pruned) vocabulary plus the words only mentees use" and IDF fitted on the mentor texts,
whatever the blocks. A word the options pruned from the mentors' vocabulary is ignored on
both sides. With a fixed ``vocabulary=`` option, only those words count.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._validation import Instance, Interval, check_params
from ..errors import ParameterError
from .config import BUILTIN_COMPONENTS, CustomComponent

__all__ = ["text_similarity"]

logger = logging.getLogger("crossmatch")

_INSTALL = 'pip install "crossmatch[text]"'


def _sklearn() -> tuple[Any, Any]:
    """``(TfidfVectorizer, cosine_similarity)``, or an ImportError naming the extra."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.metrics.pairwise import cosine_similarity
    except ImportError as exc:
        raise ImportError(
            "text_similarity needs scikit-learn, which is not installed. "
            f"Install the `text` extra: {_INSTALL}"
        ) from exc
    return TfidfVectorizer, cosine_similarity


def _texts(table: pd.DataFrame, column: str, side: str) -> list[str]:
    """The column as strings; missing values and blanks become ``""`` (they score 0)."""
    if column not in table.columns:
        shown = ", ".join(map(repr, list(table.columns)[:20]))
        raise KeyError(
            f"text_similarity: the {side} have no column {column!r} (columns: {shown}). "
            f"Pass the right name as `{'mentee' if side == 'mentees' else 'mentor'}_column`."
        )
    out = []
    for value in table[column].tolist():
        if isinstance(value, list | tuple):
            value = " ".join(map(str, value))
        elif value is None or (not isinstance(value, str) and bool(pd.isna(value))):
            value = ""
        out.append(str(value).strip())
    return out


class _TextSimilarity:
    """The component's function: picklable, so process pools can run it."""

    def __init__(self, mentee_column: str, mentor_column: str, options: Mapping[str, Any]):
        self.mentee_column = mentee_column
        self.mentor_column = mentor_column
        self.options = dict(options)
        self._cache: tuple[list[str], _Fitted | None] | None = None

    def __getstate__(self) -> dict[str, Any]:
        keep = ("mentee_column", "mentor_column", "options")
        return {key: getattr(self, key) for key in keep}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["mentee_column"], state["mentor_column"], state["options"])  # type: ignore[misc]

    def __repr__(self) -> str:
        return (
            f"text_similarity(mentee_column={self.mentee_column!r}, "
            f"mentor_column={self.mentor_column!r}, {self.options})"
        )

    def _fitted(self, mentor_texts: list[str]) -> _Fitted | None:
        """The vectoriser fitted on the mentor texts (None if they have no words)."""
        cache = self._cache
        if cache is not None and cache[0] == mentor_texts:
            return cache[1]
        fitted = _Fitted.fit(mentor_texts, self.options, self.mentor_column)
        self._cache = (mentor_texts, fitted)
        return fitted

    def __call__(self, mentees: pd.DataFrame, mentors: pd.DataFrame) -> np.ndarray:
        mentor_texts = _texts(mentors, self.mentor_column, "mentors")
        mentee_texts = _texts(mentees, self.mentee_column, "mentees")
        fitted = self._fitted(mentor_texts)
        if fitted is None:
            return np.zeros((len(mentee_texts), len(mentor_texts)))
        return fitted.similarity(mentee_texts)


class _Fitted:
    """A vectoriser fitted on the mentor texts, with what scoring a block needs."""

    def __init__(self, vectorizer: Any, mentors: Any, known: frozenset[str], idf_new: float):
        self.vectorizer = vectorizer  # fitted, norm=None: raw TF-IDF rows
        self.mentors = mentors  # the mentors' rows, l2-normalised
        self.known = known  # every term in a mentor text (kept or pruned)
        self.idf_new = idf_new  # IDF of a term in no mentor text
        self.analyze = vectorizer.build_analyzer()

    @classmethod
    def fit(cls, texts: list[str], options: Mapping[str, Any], column: str) -> _Fitted | None:
        vectorizer_cls, _ = _sklearn()
        from sklearn.preprocessing import normalize

        vectorizer = vectorizer_cls(**{**options, "norm": None})
        try:
            raw = vectorizer.fit_transform(texts)
        except ValueError as exc:
            if "empty vocabulary" not in str(exc) and "no terms remain" not in str(exc):
                raise
            logger.warning(
                "text_similarity: the mentor column %r has no words to compare (%s); "
                "every pair scores 0.",
                column,
                exc,
            )
            return None
        analyze = vectorizer.build_analyzer()
        if options.get("vocabulary") is not None:  # a fixed vocabulary: nothing else counts
            known: frozenset[str] = frozenset()
            idf_new = 0.0
        else:
            known = frozenset(term for text in texts for term in analyze(text))
            idf_new = math.log(1 + len(texts)) + 1 if vectorizer.use_idf else 1.0
        return cls(vectorizer, normalize(raw, norm="l2"), known, idf_new)

    def similarity(self, texts: list[str]) -> np.ndarray:
        """Cosine similarity of each text with every mentor, in [0, 1]."""
        raw = self.vectorizer.transform(texts)
        norm2 = np.asarray(raw.multiply(raw).sum(axis=1), dtype=np.float64).ravel()
        if self.idf_new:
            norm2 += [self._new_words(text) for text in texts]
        dots = np.asarray((raw @ self.mentors.T).todense(), dtype=np.float64)
        norm = np.sqrt(norm2)
        with np.errstate(invalid="ignore", divide="ignore"):
            sim = np.where(norm[:, None] > 0, dots / norm[:, None], 0.0)
        return np.clip(sim, 0.0, 1.0)

    def _new_words(self, text: str) -> float:
        """Sum of squared TF-IDF weights of the text's words that no mentor uses."""
        counts = Counter(t for t in self.analyze(text) if t not in self.known)
        if not counts:
            return 0.0
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.vectorizer.binary:
            tf[:] = 1.0
        if self.vectorizer.sublinear_tf:
            tf = 1.0 + np.log(tf)
        return float(np.sum((tf * self.idf_new) ** 2))


def text_similarity(
    mentee_column: str = "about",
    mentor_column: str = "bio",
    *,
    weight: float = 1.0,
    name: str = "text",
    **tfidf_options: Any,
) -> CustomComponent:
    """A component scoring the TF-IDF cosine similarity of two free-text columns.

    Needs scikit-learn (the ``text`` extra: ``pip install "crossmatch[text]"``).

    Parameters
    ----------
    mentee_column : str, default "about"
        The mentees' free-text column (extra columns pass through the cohort untouched).
    mentor_column : str, default "bio"
        The mentors' free-text column.
    weight : float, default 1.0
        Weight in the total, next to the built-in weights.
    name : str, default "text"
        The component's name in :meth:`Scores.to_frame` and ``Scores.components``.
    **tfidf_options
        Passed to :class:`sklearn.feature_extraction.text.TfidfVectorizer`, e.g.
        ``stop_words="english"``, ``ngram_range=(1, 2)``, ``sublinear_tf=True``,
        ``min_df=2``.

    Returns
    -------
    CustomComponent
        Add it to ``ScoringConfig(custom=(...,))``. Its scores are in [0, 1]: 1 for two
        texts with the same words in the same proportions, 0 when they share no word of
        the mentors' vocabulary, and 0 when either text is missing or blank.

    Notes
    -----
    The vocabulary and IDF weights are fitted on the mentor texts, so scores do not
    depend on how the mentees are split into blocks; a mentee's words that no mentor uses
    still count in the mentee's vector, with the IDF of a word in no document (see the
    module docstring). ``smooth_idf`` must stay True for that IDF to be finite. If no
    mentor text has a word left (all blank, or only stop words), every pair scores 0 and
    a warning is logged.

    Examples
    --------
    >>> import crossmatch as cm
    >>> config = cm.ScoringConfig(custom=(cm.text_similarity("about", "bio", weight=0.5),))
    """
    column = Instance(str, "a column name (str)")
    check_params(
        "text_similarity",
        dict(mentee_column=mentee_column, mentor_column=mentor_column, weight=weight, name=name),
        dict(
            mentee_column=[column],
            mentor_column=[column],
            weight=[Interval("real", 0, None)],
            name=[Instance(str, "a str")],
        ),
    )
    if not name or name in BUILTIN_COMPONENTS:
        raise ParameterError(
            "text_similarity",
            [f"`name` must be non-empty and not a built-in component. Got {name!r} instead."],
        )
    vectorizer_cls, _ = _sklearn()
    if tfidf_options.get("smooth_idf", True) is not True and tfidf_options.get("use_idf", True):
        raise ParameterError(
            "text_similarity",
            [
                "`smooth_idf` must be True: a mentee's words that no mentor uses need a "
                f"finite IDF. Got {tfidf_options['smooth_idf']!r}."
            ],
        )
    if "input" in tfidf_options and tfidf_options["input"] != "content":
        raise ParameterError(
            "text_similarity",
            [f"`input` must be 'content' (the texts are cells). Got {tfidf_options['input']!r}."],
        )
    try:
        vectorizer = vectorizer_cls(**tfidf_options)
        validate = getattr(vectorizer, "_validate_params", None)
        if validate is not None:
            validate()
    except (TypeError, ValueError) as exc:
        raise ParameterError(
            "text_similarity", [f"bad TfidfVectorizer option in {tfidf_options!r}: {exc}"]
        ) from None
    func = _TextSimilarity(mentee_column, mentor_column, tfidf_options)
    return CustomComponent(name, func, weight)
