"""Results of the solvers: `Shortlists` and `Assignment`, frozen, with table views.

Both keep mentor *indices* into the `Scores` they were solved from (columns of the score
matrix); ids appear only in :meth:`to_frame` / :meth:`to_records` / :meth:`to_json` /
:meth:`to_csv`.

JSON (``to_json`` / ``from_json``) is strict (no NaN or Infinity: missing is ``null``),
versioned (``"schema": 1``) and described by the JSON Schema files in
``crossmatch/schemas/``. Ids keep their type (integers stay integers, text stays text).
A loaded result holds the scores of the pairs it names only (a pairs-backed
:class:`~crossmatch.scoring.candidates.CandidateScores` without a cohort): enough for
:func:`crossmatch.assign`, which gives exactly the assignment the original would, for
``to_frame`` and for the checkers; :func:`crossmatch.rematch` and
:func:`crossmatch.shortlist` need the full scores (``rematch(loaded, scores=full, ...)``).
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ._csv import write_csv
from ._frozen import Picklable
from ._json import dumps, jsonable, load_document, records
from ._validation import Instance, Interval, check_params, validate_params
from .scoring import Scores
from .scoring.candidates import CandidateScores
from .scoring.scores import id_column

__all__ = ["SCHEMA_VERSION", "Assignment", "Shortlists", "rank_signature"]

#: Door checks of the writers (``path`` None returns the text).
_PATH = [Instance((str, os.PathLike), "a file path (str or os.PathLike)"), None]
_CSV_PARAMS: dict[str, list[Any]] = {"path": _PATH, "safe": ["boolean"]}
_JSON_PARAMS: dict[str, list[Any]] = {"path": _PATH, "indent": [Interval("int", 0, None), None]}
_SCORES = [Instance((Scores, CandidateScores), "a Scores or CandidateScores object")]
_SOURCE = [
    Instance((str, bytes, bytearray, os.PathLike, io.IOBase), "JSON text, a path or an open file")
]

#: Version of the JSON documents written by ``to_json`` (the ``"schema"`` field).
SCHEMA_VERSION = 1


def _readonly(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.setflags(write=False)


@dataclass(frozen=True, slots=True, eq=False)
class Shortlists(Picklable):
    """For every mentee, a ranked shortlist of mentors to choose from.

    Attributes
    ----------
    scores : Scores
        What was solved.
    mentors : ndarray of int, shape (n_mentees, k)
        Mentor column indices, best first (by score, ties by mentor id); ``-1`` pads a
        shorter list (``allow_short=True``, fixed pairs).
    recommended : ndarray of int, shape (n_mentees,)
        Each mentee's mentor in the complete assignment the shortlists contain (coverage).
    k : int
    exposure : ndarray of int
        The exposure limit used for each mentor.
    max_per_group : int or None
    objective : float
        Total score of all shortlist entries.
    bound : float
        An upper bound on the best possible objective: ``objective <= optimum <= bound``
        (with a waitlist, over every choice of whom to serve; on candidate scores, for
        the mentees served).
    status : {"optimal", "feasible"}
        "optimal" when the objective is proved optimal (up to ``1e-9`` relative).
    method : str
        The solver that produced the answer.
    info : mapping
        Timings and solver details.
    previous : Assignment or None
        For shortlists made by :func:`crossmatch.rematch`: the assignment they rematch.
        :func:`crossmatch.assign` then merges its answer into it (everyone else keeps
        their mentor), so the result is again a full assignment.
    waitlisted : ndarray of bool, shape (n_mentees,)
        Mentees left without a shortlist by ``shortlist(..., waitlist=True)`` (all False
        otherwise); their rows of ``mentors`` are empty.
    waitlist_reason : tuple of (str or None)
        Why each waitlisted mentee waits (None for the others).
    """

    scores: Scores | CandidateScores
    mentors: np.ndarray
    recommended: np.ndarray
    k: int
    exposure: np.ndarray
    max_per_group: int | None
    objective: float
    bound: float
    status: str
    method: str
    info: Any = field(default_factory=dict)
    previous: Assignment | None = None
    waitlisted: Any = None
    waitlist_reason: tuple[str | None, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "info", MappingProxyType(dict(self.info)))
        n = int(self.mentors.shape[0])
        w = np.zeros(n, bool) if self.waitlisted is None else np.array(self.waitlisted, bool)
        object.__setattr__(self, "waitlisted", w)
        reasons = tuple(self.waitlist_reason) or (None,) * n
        object.__setattr__(self, "waitlist_reason", reasons)
        _readonly(self.mentors, self.recommended, self.exposure, self.waitlisted)

    @property
    def mentee_ids(self) -> np.ndarray:
        return self.scores.mentee_ids

    @property
    def mentor_ids(self) -> np.ndarray:
        return self.scores.mentor_ids

    @property
    def n_mentees(self) -> int:
        return int(self.mentors.shape[0])

    @property
    def gap(self) -> float:
        """Relative distance to the bound: ``(bound - objective) / max(|bound|, 1e-12)``."""
        return max(0.0, (self.bound - self.objective) / max(abs(self.bound), 1e-12))

    def lengths(self) -> np.ndarray:
        """Number of mentors on each shortlist."""
        return (self.mentors >= 0).sum(axis=1)

    def to_frame(self) -> pd.DataFrame:
        """One row per shortlist entry: ``mentee_id``, ``mentor_id``, ``rank`` (1 = best),
        ``score``, one column per score component, ``recommended``. With waitlisted
        mentees, each of them adds one row without a mentor, and a ``waitlist_reason``
        column says why (missing on the other rows)."""
        ii, rr = np.nonzero(self.mentors >= 0)
        jj = self.mentors[ii, rr]
        s = self.scores
        data: dict[str, Any] = {
            "mentee_id": id_column(s.mentee_ids[ii]),
            "mentor_id": id_column(s.mentor_ids[jj]),
            "rank": rr + 1,
            "score": s.total[ii, jj].astype(np.float64),
        }
        for name, comp in s.components.items():
            data[name] = comp[ii, jj]
        data["recommended"] = self.recommended[ii] == jj
        frame = pd.DataFrame(data)
        if not self.waitlisted.any():
            return frame
        wait = np.flatnonzero(self.waitlisted)
        frame["waitlist_reason"] = pd.Series([None] * len(frame), dtype=object)
        extra = pd.DataFrame(
            {
                "mentee_id": id_column(s.mentee_ids[wait]),
                "mentor_id": pd.Series([None] * len(wait), dtype=object),
                "rank": pd.Series([pd.NA] * len(wait), dtype="Int64"),
                "waitlist_reason": [self.waitlist_reason[i] for i in wait.tolist()],
            }
        )
        out = pd.concat([frame.astype({"rank": "Int64"}), extra], ignore_index=True)
        out["recommended"] = out["recommended"].fillna(False).astype(bool)
        order = np.r_[ii, wait]
        return out.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)

    def to_records(self) -> list[dict[str, Any]]:
        """The rows of :meth:`to_frame` as plain, JSON-safe dicts (missing is None)."""
        return records(self.to_frame())

    @validate_params(_CSV_PARAMS)
    def to_csv(
        self, path: str | os.PathLike[str] | None = None, *, safe: bool = True
    ) -> str | None:
        """Write :meth:`to_frame` as CSV (the text, when ``path`` is None).

        With ``safe=True`` (default) text cells that a spreadsheet would run as a formula
        (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) get a leading
        ``'``; :func:`crossmatch.read_choices` undoes it. ``safe=False`` for machine use.
        """
        return write_csv(self.to_frame(), path, safe=safe)

    @validate_params(_JSON_PARAMS)
    def to_json(
        self, path: str | os.PathLike[str] | None = None, *, indent: int | None = None
    ) -> str | None:
        """Strict JSON of everything :func:`crossmatch.assign` needs (entries with their
        scores and components, mentor capacities and exposure, recommended mentors,
        settings, bound); the text, or None after writing ``path``."""
        return _write(dumps(self._document(), indent=indent), path)

    @classmethod
    @validate_params({"source": _SOURCE})
    def from_json(cls, source: Any) -> Shortlists:
        """Shortlists from :meth:`to_json` output: JSON text, a path or an open file.

        The loaded object's ``scores`` hold the shortlisted pairs only (see the module
        docs): ``assign`` works as on the original; ``rematch`` needs the full scores.
        """
        return cls._from_document(load_document(source, "shortlists", SCHEMA_VERSION))

    def _document(self) -> dict[str, Any]:
        s = self.scores
        return {
            "schema": SCHEMA_VERSION,
            "kind": "shortlists",
            "settings": {
                "k": int(self.k),
                "max_per_group": self.max_per_group,
                "method": self.method,
                "status": self.status,
                "objective": self.objective,
                "bound": self.bound,
            },
            **_people(s, self.exposure),
            "entries": [
                {k: v for k, v in r.items() if k != "waitlist_reason"}
                for r in self.to_records()
                if r.get("mentor_id") is not None
            ],
            "waitlist": [
                {"mentee_id": jsonable(s.mentee_ids[i]), "reason": self.waitlist_reason[i]}
                for i in np.flatnonzero(self.waitlisted).tolist()
            ],
            "info": jsonable(self.info),
            "previous": None if self.previous is None else self.previous._document(),
        }

    @classmethod
    def _from_document(cls, doc: dict[str, Any]) -> Shortlists:
        _require(doc, ("settings", "mentees", "mentors", "entries"), "shortlists")
        settings = doc["settings"]
        _require(settings, ("k", "method", "status", "objective"), "shortlists settings")
        k = int(settings["k"])
        people = _People.read(doc, "shortlists")
        n = len(people.mentee_ids)
        mentors = np.full((n, k), -1, dtype=np.int64)
        recommended = np.full(n, -1, dtype=np.int64)
        rows, cols = [], []
        for e in doc["entries"]:
            i, j = people.pair(e, "shortlists entry")
            rank = int(e.get("rank") or 0)
            if not 1 <= rank <= k or mentors[i, rank - 1] >= 0:
                raise ValueError(
                    f"shortlists entry for mentee {e.get('mentee_id')!r} has rank "
                    f"{e.get('rank')!r}: ranks must be 1..k={k}, once each"
                )
            mentors[i, rank - 1] = j
            if e.get("recommended"):
                recommended[i] = j
            rows.append(i)
            cols.append(j)
        scores = people.scores(doc["entries"], rows, cols, per_mentee=k)
        bound = settings.get("bound")
        waitlisted = np.zeros(n, dtype=bool)
        reasons: list[str | None] = [None] * n
        for w in doc.get("waitlist") or []:
            i = people.mentee(w.get("mentee_id"), "shortlists waitlist")
            waitlisted[i], reasons[i] = True, str(w.get("reason") or "waitlisted")
        return cls(
            scores=scores,
            mentors=mentors,
            recommended=recommended,
            k=k,
            exposure=people.exposure,
            max_per_group=settings.get("max_per_group"),
            objective=float(settings["objective"]),
            bound=float("inf") if bound is None else float(bound),
            status=str(settings["status"]),
            method=str(settings["method"]),
            info=dict(doc.get("info") or {}),
            previous=None
            if doc.get("previous") is None
            else Assignment._from_document(doc["previous"]),
            waitlisted=waitlisted,
            waitlist_reason=tuple(reasons),
        )

    def with_scores(self, scores: Scores | CandidateScores) -> Shortlists:
        """The same shortlists over other scores of the same people, e.g. the full scores
        recomputed for a loaded object (whose own scores hold the shortlisted pairs only),
        so that explanations and reports see every pair.

        ``scores`` must have the same mentors (ids, in order) and hold every mentee here
        (for rematch shortlists, the whole cohort: their rows are taken, and the mentors'
        capacities set to those the shortlists were solved with).
        """
        check_params("Shortlists.with_scores", {"scores": scores}, {"scores": _SCORES})
        return replace(self, scores=_same_people(self.scores, scores))

    def __repr__(self) -> str:
        waiting = int(self.waitlisted.sum())
        return (
            f"Shortlists(n_mentees={self.n_mentees}, k={self.k}, objective={self.objective:.4f}, "
            f"bound={self.bound:.4f}, status={self.status!r}, method={self.method!r}"
            + (f", waitlisted={waiting})" if waiting else ")")
        )

    def _repr_html_(self) -> str:
        from ._html import repr_html

        return repr_html(self)


def rank_signature(preference: np.ndarray) -> tuple[int, ...]:
    """How many mentees got their 1st, 2nd, ... choice (0 = unmatched, not counted)."""
    p = preference[preference > 0]
    if p.size == 0:
        return ()
    return tuple(int(c) for c in np.bincount(p, minlength=int(p.max()) + 1)[1:])


@dataclass(frozen=True, slots=True, eq=False)
class Assignment(Picklable):
    """One or several mentors per mentee (or an explicit reason why none).

    Attributes
    ----------
    scores : Scores
    mentor : ndarray of int, shape (n_mentees,)
        Mentor column index, ``-1`` where unmatched (with several mentors: the first of
        ``mentors``).
    preference : ndarray of int
        The rank of the assigned mentor in the mentee's own ordering (1 = first choice;
        0 where unmatched). Ranked choices come first, then unranked shortlist entries
        in shortlist order.
    reason : tuple of (str or None)
        Why a mentee is unmatched (None where matched).
    method : str
    shortlists : Shortlists or None
        What the mentees chose from (None after :meth:`merge`: the mentees then chose
        from different rounds).
    info : mapping
        Solver details (for "rank-maximal": ``signature``, the number of mentees getting
        their 1st, 2nd, ... choice; after :meth:`merge`, ``rematched``: the mentee ids
        assigned again, in order).
    mentors : ndarray of int, shape (n_mentees, per_mentee)
        Every mentor of each mentee (best first), ``-1`` padded; one column (``mentor``)
        when not given.
    """

    scores: Scores | CandidateScores
    mentor: np.ndarray
    preference: np.ndarray
    reason: tuple[str | None, ...]
    method: str
    shortlists: Shortlists | None = None
    info: Any = field(default_factory=dict)
    mentors: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.int64))

    def __post_init__(self) -> None:
        object.__setattr__(self, "info", MappingProxyType(dict(self.info)))
        many = np.asarray(self.mentors, dtype=np.int64)
        if many.shape == (0, 1) and len(self.mentor):  # not given: the one mentor
            many = np.asarray(self.mentor, dtype=np.int64).reshape(-1, 1).copy()
        elif (
            many.ndim != 2
            or many.shape[0] != len(self.mentor)
            or not np.array_equal(many[:, 0], self.mentor)
        ):
            raise ValueError("`mentors` must be (n_mentees, k) with `mentor` as its first column")
        object.__setattr__(self, "mentors", many)
        _readonly(self.mentor, self.preference, self.mentors)

    @property
    def mentee_ids(self) -> np.ndarray:
        return self.scores.mentee_ids

    @property
    def matched(self) -> np.ndarray:
        return self.mentor >= 0

    @property
    def per_mentee(self) -> int:
        """Columns of ``mentors``: the most mentors a mentee can have here."""
        return int(self.mentors.shape[1])

    @property
    def total_score(self) -> float:
        """Sum of the scores of every assigned pair."""
        i, k = np.nonzero(self.mentors >= 0)
        return float(self.scores.total[i, self.mentors[i, k]].astype(np.float64).sum())

    def counts(self) -> np.ndarray:
        """Number of mentors of each mentee."""
        return (self.mentors >= 0).sum(axis=1)

    def signature(self) -> tuple[int, ...]:
        """How many mentees got their 1st, 2nd, ... choice."""
        return rank_signature(self.preference)

    def load(self) -> np.ndarray:
        """Mentees assigned to each mentor."""
        m = self.scores.n_mentors
        return np.bincount(self.mentors[self.mentors >= 0], minlength=m)

    def to_frame(self) -> pd.DataFrame:
        """``mentee_id``, ``mentor_id`` (missing where unmatched), ``preference``, ``score``,
        ``reason``.

        With several mentors per mentee (``per_mentee > 1``): one row per pair, in mentee
        order, best mentor first, plus a ``slot`` column (1 = the mentee's first mentor,
        who carries ``preference``); an unmatched mentee has one row, mentor missing."""
        if self.per_mentee > 1:
            return self._pairs_frame()
        return self._mentee_frame()

    def _mentee_frame(self) -> pd.DataFrame:
        """One row per mentee: the columns of :meth:`to_frame` for the (first) mentor."""
        s = self.scores
        ok = self.matched
        j = np.where(ok, self.mentor, 0)
        i = np.arange(len(self.mentor))
        ids = np.empty(len(ok), dtype=object)
        ids[ok] = s.mentor_ids[j[ok]]
        mentor_id = id_column(ids)
        return pd.DataFrame(
            {
                "mentee_id": id_column(s.mentee_ids),
                "mentor_id": mentor_id,
                "preference": pd.Series(self.preference, dtype="Int64").mask(~ok),
                "score": np.where(ok, s.total[i, j].astype(np.float64), np.nan),
                "reason": list(self.reason),
            }
        )

    def _pairs_frame(self) -> pd.DataFrame:
        s = self.scores
        k = self.mentors.shape[1]
        has = self.mentors >= 0
        keep = has | ((np.arange(k) == 0)[None, :] & ~has[:, :1])  # unmatched: one row
        i, slot = np.nonzero(keep)
        j = self.mentors[i, slot]
        ok = j >= 0
        ids = np.empty(len(i), dtype=object)
        ids[ok] = s.mentor_ids[j[ok]]
        score = np.full(len(i), np.nan)
        score[ok] = np.asarray(s.total[i[ok], j[ok]], dtype=np.float64)
        first = ok & (slot == 0)
        return pd.DataFrame(
            {
                "mentee_id": id_column(s.mentee_ids[i]),
                "mentor_id": id_column(ids),
                "slot": pd.Series(slot + 1, dtype="Int64").mask(~ok),
                "preference": pd.Series(self.preference[i], dtype="Int64").mask(~first),
                "score": score,
                "reason": [self.reason[r] for r in i.tolist()],
            }
        )

    def to_records(self) -> list[dict[str, Any]]:
        """The rows of :meth:`to_frame` as plain, JSON-safe dicts (missing is None, never
        NaN)."""
        return records(self.to_frame())

    @validate_params(_CSV_PARAMS)
    def to_csv(
        self, path: str | os.PathLike[str] | None = None, *, safe: bool = True
    ) -> str | None:
        """Write :meth:`to_frame` as formula-safe CSV (see :meth:`Shortlists.to_csv`)."""
        return write_csv(self.to_frame(), path, safe=safe)

    @validate_params(_JSON_PARAMS)
    def to_json(
        self, path: str | os.PathLike[str] | None = None, *, indent: int | None = None
    ) -> str | None:
        """Strict JSON of the assignment (one row per mentee, with the shortlists it was
        chosen from when known); the text, or None after writing ``path``."""
        return _write(dumps(self._document(), indent=indent), path)

    @classmethod
    @validate_params({"source": _SOURCE})
    def from_json(cls, source: Any) -> Assignment:
        """An Assignment from :meth:`to_json` output: JSON text, a path or an open file.

        Its ``scores`` hold the shortlisted and assigned pairs only; to rematch, pass the
        full scores: ``rematch(loaded, scores=full, mentees=[...])``.
        """
        return cls._from_document(load_document(source, "assignment", SCHEMA_VERSION))

    def with_scores(self, scores: Scores | CandidateScores) -> Assignment:
        """The same assignment over other scores of the same mentees and mentors (see
        :meth:`Shortlists.with_scores`); its shortlists get them too."""
        check_params("Assignment.with_scores", {"scores": scores}, {"scores": _SCORES})
        lists = None if self.shortlists is None else self.shortlists.with_scores(scores)
        return replace(self, scores=_same_people(self.scores, scores), shortlists=lists)

    def merge(self, update: Assignment) -> Assignment:
        """This assignment with the mentees of ``update`` reassigned as ``update`` says.

        ``update`` assigns some of the same mentees (e.g. from :func:`crossmatch.rematch`
        shortlists, which :func:`crossmatch.assign` merges automatically) over the same
        mentors; everyone else keeps their mentor, preference and reason. The result is a
        full assignment over this one's scores (plus the new pairs' scores when these
        scores do not hold them) and can be rematched again.
        """
        check_params("Assignment.merge", {"update": update},
                     {"update": [Instance(Assignment, "an Assignment")]})  # fmt: skip
        s, u = self.scores, update.scores
        if self.per_mentee > 1 or update.per_mentee > 1:
            raise ValueError(
                "merging assignments with several mentors per mentee is not supported."
            )
        if not np.array_equal(s.mentor_ids, u.mentor_ids):
            raise ValueError("`update` must be over the same mentors as the assignment.")
        index = {v: i for i, v in enumerate(s.mentee_ids.tolist())}
        unknown = [v for v in u.mentee_ids.tolist() if v not in index]
        if unknown:
            raise ValueError(
                f"`update` names mentees that are not in the assignment: {unknown[:10]}."
            )
        rows = np.array([index[v] for v in u.mentee_ids.tolist()], dtype=np.int64)
        mentor = self.mentor.copy()
        mentor[rows] = update.mentor
        preference = self.preference.copy()
        preference[rows] = update.preference
        reason = list(self.reason)
        for r, why in zip(rows.tolist(), update.reason, strict=True):
            reason[r] = why
        ok = update.mentor >= 0
        scores = _with_pairs(s, rows[ok], update.mentor[ok], u, np.flatnonzero(ok))
        done = [*self.info.get("rematched", []), *u.mentee_ids.tolist()]
        info = {
            **{k: v for k, v in self.info.items() if k != "backend"},
            **{k: v for k, v in update.info.items() if k == "backend"},
            "signature": rank_signature(preference),
            "rematched": list(dict.fromkeys(done)),
        }
        return Assignment(
            scores=scores,
            mentor=mentor,
            preference=preference,
            reason=tuple(reason),
            method=update.method,
            shortlists=None,
            info=info,
        )

    def _document(self) -> dict[str, Any]:
        s = self.scores
        rows = records(self._mentee_frame())
        i = np.flatnonzero(self.matched)
        for row, comps in zip(rows, _pair_components(s, i, self.mentor[i], len(rows)), strict=True):
            row["components"] = comps
        many = getattr(self, "mentors", None)  # several mentors per mentee, where supported
        if isinstance(many, np.ndarray) and many.ndim == 2 and many.shape[1] > 1:
            ii, kk = np.nonzero(many[:, 1:] >= 0)
            jj = many[ii, kk + 1]
            total = np.asarray(s.total[ii, jj], np.float64).tolist()
            parts = _pair_components(s, np.arange(len(ii)), jj, len(ii), rows=ii)
            for r, j, v, c in zip(ii.tolist(), jj.tolist(), total, parts, strict=True):
                also = {"mentor_id": jsonable(s.mentor_ids[j]), "score": v, "components": c}
                rows[r].setdefault("also", []).append(also)
        return {
            "schema": SCHEMA_VERSION,
            "kind": "assignment",
            "method": self.method,
            **_people(s),
            "assignment": rows,
            "info": jsonable(self.info),
            "shortlists": None if self.shortlists is None else self.shortlists._document(),
        }

    @classmethod
    def _from_document(cls, doc: dict[str, Any]) -> Assignment:
        _require(doc, ("method", "mentees", "mentors", "assignment"), "assignment")
        lists = (
            None if doc.get("shortlists") is None else Shortlists._from_document(doc["shortlists"])
        )
        people = _People.read(doc, "assignment")
        n = len(people.mentee_ids)
        mentor = np.full(n, -1, dtype=np.int64)
        preference = np.zeros(n, dtype=np.int64)
        reason: list[str | None] = [None] * n
        seen = np.zeros(n, dtype=bool)
        pairs, rows, cols = [], [], []
        extra: list[tuple[int, int, int]] = []  # (mentee row, slot, mentor) beyond the first
        for row in doc["assignment"]:
            i = people.mentee(row.get("mentee_id"), "assignment row")
            if seen[i]:
                raise ValueError(f"assignment names mentee {row.get('mentee_id')!r} twice")
            seen[i] = True
            reason[i] = row.get("reason")
            if row.get("mentor_id") is None:
                continue
            _, j = people.pair(row, "assignment row")
            mentor[i] = j
            preference[i] = int(row.get("preference") or 0)
            pairs.append({"score": row.get("score"), **(row.get("components") or {})})
            rows.append(i)
            cols.append(j)
            for k, other in enumerate(row.get("also") or [], start=1):
                _, jk = people.pair({**other, "mentee_id": row.get("mentee_id")}, "assignment row")
                extra.append((i, k, jk))
                pairs.append({"score": other.get("score"), **(other.get("components") or {})})
                rows.append(i)
                cols.append(jk)
        if not seen.all():
            missing = people.mentee_ids[~seen].tolist()
            raise ValueError(f"assignment has no row for mentees {missing[:10]}")
        if lists is not None:
            people.same_as(lists.scores)
            r, c = np.array(rows, np.int64), np.array(cols, np.int64)
            own = people.scores(pairs, rows, cols, per_mentee=1)
            scores: Scores | CandidateScores = _with_pairs(lists.scores, r, c, own, r)
        else:
            scores = people.scores(pairs, rows, cols, per_mentee=1)
        more: dict[str, Any] = {}
        if extra:
            if "mentors" not in {f.name for f in fields(cls)}:
                raise ValueError("this version of crossmatch reads one mentor per mentee only")
            many = np.full((n, 1 + max(k for _, k, _ in extra)), -1, dtype=np.int64)
            many[:, 0] = mentor
            for i, k, j in extra:
                many[i, k] = j
            more["mentors"] = many
        return cls(
            scores=scores,
            mentor=mentor,
            preference=preference,
            reason=tuple(reason),
            method=str(doc["method"]),
            shortlists=lists,
            info=dict(doc.get("info") or {}),
            **more,
        )

    def __repr__(self) -> str:
        if self.per_mentee > 1:
            return (
                f"Assignment(n_mentees={len(self.mentor)}, matched={int(self.matched.sum())}, "
                f"pairs={int((self.mentors >= 0).sum())}, per_mentee={self.per_mentee}, "
                f"method={self.method!r})"
            )
        return (
            f"Assignment(n_mentees={len(self.mentor)}, matched={int(self.matched.sum())}, "
            f"method={self.method!r}, signature={self.signature()})"
        )

    def _repr_html_(self) -> str:
        from ._html import repr_html

        return repr_html(self)


# ---------------------------------------------------------------------------- JSON helpers
def _write(text: str, path: str | os.PathLike[str] | None) -> str | None:
    if path is None:
        return text
    Path(path).write_text(text, encoding="utf-8")
    return None


def _require(doc: Any, keys: tuple[str, ...], what: str) -> None:
    if not isinstance(doc, dict):
        raise ValueError(f"{what} JSON must be an object. Got {type(doc).__name__}.")
    missing = [k for k in keys if k not in doc]
    if missing:
        raise ValueError(
            f"{what} JSON is missing required {'key' if len(missing) == 1 else 'keys'}: "
            f"{', '.join(missing)}"
        )


def _eligible_counts(s: Scores | CandidateScores) -> np.ndarray:
    if isinstance(s, CandidateScores):
        return np.asarray(s.n_eligible, dtype=np.int64)
    return np.asarray(s.eligible.sum(axis=1), dtype=np.int64)


def _people(s: Scores | CandidateScores, exposure: np.ndarray | None = None) -> dict[str, Any]:
    """Mentees, mentors (capacity, exposure, group), components and weights."""
    groups = s.mentor_groups
    mentors = []
    for j, v in enumerate(s.mentor_ids.tolist()):
        row: dict[str, Any] = {"mentor_id": jsonable(v), "capacity": int(s.capacity[j])}
        if exposure is not None:
            row["exposure"] = int(exposure[j])
        row["group"] = None if groups is None else jsonable(groups[j])
        mentors.append(row)
    counts = _eligible_counts(s).tolist()
    return {
        "mentees": [
            {"mentee_id": jsonable(v), "eligible_mentors": int(c)}
            for v, c in zip(s.mentee_ids.tolist(), counts, strict=True)
        ],
        "mentors": mentors,
        "components": list(s.components),
        "weights": jsonable(dict(s.weights)),
        "groups": groups is not None,
    }


def _pair_components(
    s: Scores | CandidateScores,
    at: np.ndarray,
    cols: np.ndarray,
    size: int,
    rows: np.ndarray | None = None,
) -> list[dict[str, Any] | None]:
    """``size`` entries, None except at positions ``at``: the components of the pairs
    ``(rows or at, cols)`` as JSON-safe dicts."""
    out: list[dict[str, Any] | None] = [None] * size
    r = at if rows is None else rows
    if len(at) and s.components:
        values = pd.DataFrame(
            {name: np.asarray(c[r, cols], np.float64) for name, c in s.components.items()}
        )
        for k, comps in zip(at.tolist(), records(values), strict=True):
            out[k] = comps
    elif len(at):
        for k in at.tolist():
            out[k] = {}
    return out


def _id_array(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


@dataclass(frozen=True, slots=True)
class _People:
    """The mentees and mentors of a JSON document, and the pairs-backed scores built
    from the pairs it names."""

    mentee_ids: np.ndarray
    mentor_ids: np.ndarray
    mentee_pos: dict[Any, int]
    mentor_pos: dict[Any, int]
    capacity: np.ndarray
    exposure: np.ndarray
    groups: np.ndarray | None
    n_eligible: np.ndarray
    components: tuple[str, ...]
    weights: dict[str, float]

    @classmethod
    def read(cls, doc: dict[str, Any], what: str) -> _People:
        mentees, mentors = doc["mentees"], doc["mentors"]
        for r in mentees:
            _require(r, ("mentee_id",), f"{what} mentee")
        for r in mentors:
            _require(r, ("mentor_id", "capacity"), f"{what} mentor")
        ee = _id_array([r["mentee_id"] for r in mentees])
        mr = _id_array([r["mentor_id"] for r in mentors])
        for ids, side in ((ee, "mentee"), (mr, "mentor")):
            counts = pd.Series(ids.tolist(), dtype=object).value_counts()
            dup = counts[counts > 1].index.tolist()
            if dup or any(v is None for v in ids.tolist()):
                raise ValueError(f"{what} JSON has duplicate or empty {side} ids: {dup[:10]}")
        capacity = np.array([int(r["capacity"]) for r in mentors], dtype=np.int64)
        exposure = np.array(
            [int(r.get("exposure", r["capacity"]) or 0) for r in mentors], dtype=np.int64
        )
        groups = _id_array([r.get("group") for r in mentors]) if doc.get("groups") else None
        return cls(
            mentee_ids=ee,
            mentor_ids=mr,
            mentee_pos={v: i for i, v in enumerate(ee.tolist())},
            mentor_pos={v: j for j, v in enumerate(mr.tolist())},
            capacity=capacity,
            exposure=exposure,
            groups=groups,
            n_eligible=np.array([int(r.get("eligible_mentors") or 0) for r in mentees], np.int64),
            components=tuple(doc.get("components") or ()),
            weights={str(k): float(v) for k, v in (doc.get("weights") or {}).items()},
        )

    def mentee(self, value: Any, what: str) -> int:
        i = self.mentee_pos.get(value)
        if i is None:
            raise ValueError(f"{what} names an unknown mentee id {value!r}")
        return i

    def pair(self, row: dict[str, Any], what: str) -> tuple[int, int]:
        i = self.mentee(row.get("mentee_id"), what)
        j = self.mentor_pos.get(row.get("mentor_id"))
        if j is None:
            raise ValueError(f"{what} names an unknown mentor id {row.get('mentor_id')!r}")
        return i, j

    def same_as(self, s: Scores | CandidateScores) -> None:
        if not (
            np.array_equal(s.mentee_ids, self.mentee_ids)
            and np.array_equal(s.mentor_ids, self.mentor_ids)
        ):
            raise ValueError("the assignment's mentees and mentors differ from its shortlists'")

    def scores(
        self, pairs: list[dict[str, Any]], rows: list[int], cols: list[int], *, per_mentee: int
    ) -> CandidateScores:
        n, m = len(self.mentee_ids), len(self.mentor_ids)
        r, c = np.array(rows, np.int64), np.array(cols, np.int64)
        keys = r * m + c
        if len(np.unique(keys)) != len(keys):
            raise ValueError("the JSON names a (mentee, mentor) pair twice")

        def column(name: str) -> np.ndarray:
            vals = [p.get(name) for p in pairs]
            if name == "score" and any(v is None for v in vals):
                raise ValueError("every shortlisted or assigned pair needs a score")
            return np.array([np.nan if v is None else float(v) for v in vals], np.float64)

        order = np.argsort(keys, kind="stable")
        return CandidateScores(
            rows=r[order],
            cols=c[order],
            values=column("score")[order],
            n_eligible=self.n_eligible.copy(),
            reason_counts=np.zeros((n, 0), np.int64),
            mentee_cut=np.full(n, np.inf),
            mentor_cut=np.full(m, np.inf),
            per_mentee=per_mentee,
            per_mentor=int(np.bincount(c, minlength=1).max()),
            reason_names=(),
            mentee_ids=self.mentee_ids,
            mentor_ids=self.mentor_ids,
            capacity=self.capacity.copy(),
            pair_components={name: column(name)[order] for name in self.components},
            weights=self.weights,
            mentor_groups=self.groups,
        )


def _with_pairs(
    base: Scores | CandidateScores,
    rows: np.ndarray,
    cols: np.ndarray,
    src: Scores | CandidateScores,
    src_rows: np.ndarray,
) -> Scores | CandidateScores:
    """``base`` holding pairs ``(rows, cols)`` with the scores ``src`` gives them at
    ``(src_rows, cols)``: ``base`` itself when it already does."""
    if not len(rows):
        return base
    vals = np.asarray(src.total[src_rows, cols], np.float64)
    comps = {
        name: np.asarray(src.components[name][src_rows, cols], np.float64)
        for name in base.components
        if name in src.components
    }
    have = np.asarray(base.total[rows, cols], np.float64)
    if np.asarray(base.eligible[rows, cols], bool).all() and np.array_equal(have, vals):
        return base
    if isinstance(base, Scores):
        total = base.total.astype(np.float64)
        total[rows, cols] = vals
        eligible = base.eligible.copy()
        eligible[rows, cols] = True
        flags = base.reason_flags.copy()
        flags[rows, cols] = 0
        dense = {}
        for name, comp in base.components.items():
            dense[name] = comp.astype(np.float64)
            dense[name][rows, cols] = comps.get(name, np.nan)
        return replace(base, total=total, eligible=eligible, reason_flags=flags, components=dense)
    m = base.n_mentors
    keep = ~np.isin(base.keys, rows * m + cols)
    all_rows = np.concatenate([base.rows[keep], rows])
    all_cols = np.concatenate([base.cols[keep], cols])
    order = np.argsort(all_rows * m + all_cols, kind="stable")
    return replace(
        base,
        rows=all_rows[order],
        cols=all_cols[order],
        values=np.concatenate([base.values[keep].astype(np.float64), vals])[order],
        pair_components={
            name: np.concatenate(
                [v[keep].astype(np.float64), comps.get(name, np.full(len(rows), np.nan))]
            )[order]
            for name, v in base.pair_components.items()
        },
    )


def _same_people(
    own: Scores | CandidateScores, scores: Scores | CandidateScores
) -> Scores | CandidateScores:
    """``scores`` restricted to ``own``'s mentees, with ``own``'s capacities; ValueError
    unless they are the same people."""
    if not np.array_equal(own.mentor_ids, scores.mentor_ids):
        raise ValueError("`scores` must have the same mentors (ids, in order) as the result.")
    if np.array_equal(own.mentee_ids, scores.mentee_ids):
        out = scores
    else:
        index = {v: i for i, v in enumerate(scores.mentee_ids.tolist())}
        missing = [v for v in own.mentee_ids.tolist() if v not in index]
        if missing:
            raise ValueError(f"`scores` has no row for mentees {missing[:10]} of the result.")
        out = scores.take(np.array([index[v] for v in own.mentee_ids.tolist()], np.int64))
    if not np.array_equal(out.capacity, own.capacity):
        out = out.with_capacity(own.capacity)
    return out
