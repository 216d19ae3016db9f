"""`Scores`: every mentee-mentor pair's total score, components and eligibility."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._csv import write_csv
from .._frozen import Picklable
from .._text import norm_id, plural, shorten
from .._validation import DATAFRAME, Interval, describe_value, validate_params
from ..errors import ParameterError, Problem, ValidationError

if TYPE_CHECKING:
    from ..cohort import Cohort
    from .config import ScoringConfig

__all__ = ["MAX_ABS_SCORE", "MAX_CAPACITY", "Scores", "id_column"]

#: Reason names used by :meth:`Scores.from_matrix` (the built-in scorer has its own list).
MATRIX_REASONS: tuple[str, ...] = ("no score", "not eligible", "mentor capacity 0")

#: The valid score range: :meth:`Scores.from_matrix` and :meth:`Scores.from_frame` accept
#: real scores ``s`` with ``|s| <= MAX_ABS_SCORE`` (NaN: no score, the pair is ineligible)
#: and reject anything else (text, complex, infinite or larger) with a ValidationError.
#: The solvers turn scores into integers to solve exactly; a bounded range is what lets
#: them keep every difference between two scores that matters. Only the order and the
#: differences of scores count, so any model's scores can be scaled into the range. A
#: huge score meant to force a pair would flatten every other difference: pin the pair
#: with ``fixed=`` of :func:`crossmatch.shortlist` instead.
MAX_ABS_SCORE: float = 1e6

#: The largest mentor capacity accepted (2**31: more than any cohort has mentees, so a
#: capacity of ``n_mentees`` already means "no limit"; fits every integer type solvers use).
MAX_CAPACITY: int = 2**31

#: The constraints of a ``capacity`` argument (each value is then checked one by one).
CAPACITY: list[Any] = [Interval("int", 0, MAX_CAPACITY), "array-like", "mapping"]

#: Cells reported one by one for each kind of bad score; the rest are counted.
SHOWN_CELLS = 10


def flag_dtype(n_rules: int) -> type[np.unsignedinteger[Any]]:
    """The smallest unsigned integer type with a bit for each of ``n_rules`` rules."""
    for dtype in (np.uint8, np.uint16, np.uint32, np.uint64):
        if n_rules <= np.iinfo(dtype).bits:
            return dtype
    raise ValueError(f"At most 64 hard rules are supported. Got {n_rules}.")


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, slots=True, eq=False)
class Scores(Picklable):
    """Scores of every (mentee, mentor) pair, all arrays shaped ``(n_mentees, n_mentors)``.

    Made by :func:`crossmatch.score`, or from a platform's own affinity model with
    :meth:`from_matrix` / :meth:`from_frame`. Arrays are read-only.

    Attributes
    ----------
    total : ndarray of float
        The weighted total (in [0, 1] when made by :func:`crossmatch.score`). For an
        ineligible pair it is still computed, to show what the pair would have scored.
    eligible : ndarray of bool
        False where a hard rule excludes the pair.
    reason_flags : ndarray of unsigned int
        Bit ``b`` set where rule ``reason_names[b]`` excludes the pair (0 = eligible).
    reason_names : tuple of str
    mentee_ids, mentor_ids : ndarray
        Ids, as given, in row and column order.
    capacity : ndarray of int
        How many mentees each mentor takes.
    components : mapping of str to ndarray
        Each active component (``sector``, ``goals``, ``availability``, ``seniority`` and
        custom ones), in [0, 1]. Empty for scores built from a matrix.
    weights : mapping of str to float
        Weight of each component in the total.
    mentor_groups : ndarray or None
        A group label per mentor (the sector, for scored cohorts), for diversity rules.
    cohort, config : the inputs, when made by :func:`crossmatch.score`; else None.
    """

    total: np.ndarray
    eligible: np.ndarray
    reason_flags: np.ndarray
    reason_names: tuple[str, ...]
    mentee_ids: np.ndarray
    mentor_ids: np.ndarray
    capacity: np.ndarray
    components: Mapping[str, np.ndarray] = field(default_factory=lambda: MappingProxyType({}))
    weights: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    mentor_groups: np.ndarray | None = None
    cohort: Cohort | None = None
    config: ScoringConfig | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "components", MappingProxyType(dict(self.components)))
        object.__setattr__(self, "weights", MappingProxyType(dict(self.weights)))
        for a in (
            self.total,
            self.eligible,
            self.reason_flags,
            self.capacity,
            *self.components.values(),
        ):
            _readonly(a)

    # ------------------------------------------------------------------ builders
    @classmethod
    @validate_params(
        {
            "matrix": [DATAFRAME, "array-like"],
            "mentee_ids": ["array-like", None],
            "mentor_ids": ["array-like", None],
            "capacity": CAPACITY,
            "eligible": ["array-like", None],
            "mentor_groups": ["array-like", None],
        }
    )
    def from_matrix(
        cls,
        matrix: np.ndarray | pd.DataFrame,
        *,
        mentee_ids: Sequence[Any] | None = None,
        mentor_ids: Sequence[Any] | None = None,
        capacity: int | Sequence[int] | np.ndarray | Mapping[Any, int] | pd.Series,
        eligible: np.ndarray | None = None,
        mentor_groups: Sequence[Any] | np.ndarray | None = None,
    ) -> Scores:
        """Scores from a platform's own affinity matrix, skipping crossmatch's scoring.

        Parameters
        ----------
        matrix : array or DataFrame of shape (n_mentees, n_mentors)
            Real scores, higher is better, each in ``[-MAX_ABS_SCORE, MAX_ABS_SCORE]``
            (:data:`MAX_ABS_SCORE` = 1e6; scale your model's scores into it: only their
            order and differences matter). NaN (or None) marks a pair with no score,
            which is ineligible. A DataFrame's index and columns give the ids when
            ``mentee_ids`` / ``mentor_ids`` are not passed.
        mentee_ids, mentor_ids : sequence
            Unique ids, in row / column order.
        capacity : int, sequence of int, or mapping / Series from mentor id to int
            Each mentor's capacity: an integer in ``[0, MAX_CAPACITY]`` (2**31; 0 makes
            the mentor ineligible); a single int gives every mentor the same.
        eligible : bool array of shape (n_mentees, n_mentors), optional
            False for pairs that must never be matched. Defaults to all True.
        mentor_groups : sequence, optional
            A group label per mentor (e.g. sector), for ``max_per_group`` rules.

        Raises
        ------
        ParameterError
            When an argument is not of the documented type (a dict for the matrix, ...).
        ValidationError
            Listing every problem with the values: each bad cell (text, complex,
            infinite, or beyond ``MAX_ABS_SCORE``: the first ones by row and mentor,
            then a count), ids, capacities, eligibility and groups.

        Examples
        --------
        >>> s = Scores.from_matrix([[2.0, float("nan")]], mentee_ids=["a"],
        ...                        mentor_ids=["x", "y"], capacity=1)
        >>> s.eligible.tolist(), s.reasons("a", "y")
        ([[True, False]], ['no score'])
        >>> try:
        ...     Scores.from_matrix([[1e9]], mentee_ids=["a"], mentor_ids=["x"], capacity=1)
        ... except ValidationError as error:
        ...     print(error.problems[0].message)
        the score is outside [-1e+06, 1e+06] (MAX_ABS_SCORE).
        """
        problems: list[Problem] = []
        side = "scores"
        labels = None
        if isinstance(matrix, pd.DataFrame):
            if mentee_ids is None:
                mentee_ids = matrix.index.tolist()
            if mentor_ids is None:
                mentor_ids = matrix.columns.tolist()
            labels = matrix.index
            raw = matrix.to_numpy()
        else:
            try:
                raw = np.asarray(matrix)
                got = f"{raw.ndim}-D"
            except ValueError:  # rows of different lengths
                raw = np.asarray(matrix, dtype=object)
                got = "rows of different lengths"
        if raw.ndim != 2:
            raise ValidationError(
                [
                    Problem(
                        side,
                        f"the matrix must be 2-D (n_mentees, n_mentors). Got {got}.",
                        hint="one row per mentee, one column per mentor, all rows as long.",
                    )
                ],
                title="invalid scores",
            )
        n, m = raw.shape
        if n == 0 or m == 0:
            problems.append(Problem(side, f"the matrix is empty (shape {raw.shape})."))
        if mentee_ids is None or mentor_ids is None:
            raise ValidationError(
                [Problem(side, "`mentee_ids` and `mentor_ids` are required for an array.")],
                title="invalid scores",
            )
        ee = _ids(mentee_ids, n, "mentee_ids", problems)
        mr = _ids(mentor_ids, m, "mentor_ids", problems)

        def cell(k: int) -> dict[str, Any]:
            i, j = divmod(k, m)
            return {
                "row": i if labels is None else labels[i],
                "column": str(mr[j] if mr is not None else j),
                "id": ee[i] if ee is not None and labels is None else None,
            }

        mat = _scores(raw, cell, problems, parse_text=False)
        cap = _capacity(capacity, mr, m, problems)
        elig = np.ones((n, m), dtype=bool)
        if eligible is not None:
            e = np.asarray(eligible)
            if e.shape != (n, m) or e.dtype != np.bool_:
                problems.append(
                    Problem(
                        side,
                        f"`eligible` must be a bool array of shape {(n, m)}.",
                        value=f"{e.dtype} array of shape {e.shape}",
                    )
                )
            else:
                elig = e.copy()
        groups = None
        if mentor_groups is not None:
            groups = np.asarray(list(mentor_groups), dtype=object)
            if groups.shape != (m,):
                problems.append(
                    Problem(
                        side,
                        f"`mentor_groups` needs one label per mentor ({m}).",
                        value=f"{len(groups)} labels",
                    )
                )
        if problems:
            raise ValidationError(problems, title="invalid scores")
        assert cap is not None and ee is not None and mr is not None
        flags = np.zeros((n, m), dtype=np.uint8)
        flags |= np.isnan(mat).astype(np.uint8)  # bit 0: no score
        flags |= (~elig).astype(np.uint8) << 1  # bit 1: not eligible
        flags |= (cap == 0).astype(np.uint8)[None, :] << 2  # bit 2: capacity 0
        total = np.where(np.isnan(mat), 0.0, mat)
        return cls(
            total=total,
            eligible=flags == 0,
            reason_flags=flags,
            reason_names=MATRIX_REASONS,
            mentee_ids=ee,
            mentor_ids=mr,
            capacity=cap,
            mentor_groups=groups,
        )

    @classmethod
    @validate_params(
        {
            "frame": [DATAFRAME],
            "capacity": CAPACITY,
            "mentor_ids": ["array-like", None],
            "mentee_ids": ["array-like", None],
            "mentor_groups": ["array-like", None],
        }
    )
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        capacity: int | Sequence[int] | np.ndarray | Mapping[Any, int] | pd.Series,
        mentor_ids: Sequence[Any] | None = None,
        mentee_ids: Sequence[Any] | None = None,
        mentor_groups: Sequence[Any] | np.ndarray | None = None,
    ) -> Scores:
        """Scores from a long table with columns ``mentee_id``, ``mentor_id``, ``score``.

        Pairs not in the table have no score and are ineligible. Ids default to those in
        the table (in order of first appearance); pass ``mentor_ids`` (or a capacity
        mapping) to include mentors without any scored pair. Scores follow the rules
        of :meth:`from_matrix` (real, within ``MAX_ABS_SCORE``; text that reads as a
        number, as from a CSV file, is read as that number), and every bad row of the
        table is reported by its index label.
        """
        need = ["mentee_id", "mentor_id", "score"]
        missing = [c for c in need if c not in frame.columns]
        if missing:
            raise ValidationError(
                [
                    Problem("scores", f"required column {c!r} is missing.", column=c)
                    for c in missing
                ],
                title="invalid scores",
            )
        if mentee_ids is None:
            mentee_ids = pd.unique(frame["mentee_id"]).tolist()
        if mentor_ids is None:
            if isinstance(capacity, Mapping | pd.Series):
                mentor_ids = list(capacity.keys())
            else:
                mentor_ids = pd.unique(frame["mentor_id"]).tolist()
        ee_pos = {v: i for i, v in enumerate(mentee_ids)}
        mr_pos = {v: j for j, v in enumerate(mentor_ids)}
        rows = frame["mentee_id"].map(ee_pos)
        cols = frame["mentor_id"].map(mr_pos)
        checks = [
            (rows.isna(), "mentee_id", "unknown mentee id."),
            (cols.isna(), "mentor_id", "unknown mentor id."),
            (frame.duplicated(["mentee_id", "mentor_id"]), None, "duplicate pair."),
        ]
        problems: list[Problem] = []
        for mask, column, message in checks:
            for k in np.flatnonzero(mask.to_numpy()).tolist():
                value = None if column is None else _cut(frame[column].iloc[k])
                problems.append(
                    Problem("scores", message, row=frame.index[k], column=column, value=value)
                )
        mr = _ids(mentor_ids, len(mentor_ids), "mentor_ids", [])  # from_matrix reports these
        _capacity(capacity, mr, len(mentor_ids), problems)
        score = _scores(
            frame["score"].to_numpy(),
            lambda k: {"row": frame.index[k], "column": "score"},
            problems,
            parse_text=True,
        )
        if problems:
            raise ValidationError(problems, title="invalid scores")
        mat = np.full((len(mentee_ids), len(mentor_ids)), np.nan)
        mat[rows.to_numpy(np.int64), cols.to_numpy(np.int64)] = score
        return cls.from_matrix(
            mat,
            mentee_ids=mentee_ids,
            mentor_ids=mentor_ids,
            capacity=capacity,
            mentor_groups=mentor_groups,
        )

    # ------------------------------------------------------------------ views
    @property
    def shape(self) -> tuple[int, int]:
        return self.total.shape

    @property
    def n_mentees(self) -> int:
        return int(self.total.shape[0])

    @property
    def n_mentors(self) -> int:
        return int(self.total.shape[1])

    @validate_params({"capacity": CAPACITY, "reason": ["text"]})
    def with_capacity(self, capacity: np.ndarray, *, reason: str = "no free capacity") -> Scores:
        """The same scores with new mentor capacities; mentors left with capacity 0 become
        ineligible with ``reason`` (an extra reason bit)."""
        cap = self._capacity_arg("with_capacity", capacity)
        return self.with_exclusions(
            np.broadcast_to(cap == 0, self.shape), reason=reason, capacity=cap
        )

    @validate_params({"mask": ["array-like"], "reason": ["text"], "capacity": [*CAPACITY, None]})
    def with_exclusions(
        self, mask: np.ndarray, *, reason: str, capacity: np.ndarray | None = None
    ) -> Scores:
        """The same scores with the pairs in ``mask`` made ineligible for ``reason``.

        ``mask`` is a bool array of shape ``(n_mentees, n_mentors)`` (or one that
        broadcasts to it); ``capacity``, optional, replaces the mentors' capacities.
        """
        from dataclasses import replace

        given = np.asarray(mask)
        if given.dtype != np.bool_ or not _broadcasts(given.shape, self.shape):
            raise ParameterError(
                "Scores.with_exclusions",
                [
                    f"`mask` must be a bool array of shape {self.shape} (or broadcasting to "
                    f"it). Got {describe_value(given)} instead."
                ],
            )
        if capacity is not None:
            capacity = self._capacity_arg("with_exclusions", capacity)
        names = tuple(self.reason_names)
        if reason not in names:
            names = (*names, reason)
        bit = names.index(reason)
        dtype = flag_dtype(len(names))
        flags = self.reason_flags.astype(dtype)
        flags |= given.astype(dtype) << dtype(bit)
        return replace(
            self,
            eligible=flags == 0,
            reason_flags=flags,
            reason_names=names,
            capacity=self.capacity.copy()
            if capacity is None
            else np.array(capacity, dtype=np.int64),
        )

    @validate_params({"mentee_rows": ["array-like"]})
    def take(self, mentee_rows: np.ndarray) -> Scores:
        """The scores of some mentees only (``mentee_rows``: integer row positions in
        ``[0, n_mentees)``, in the order wanted)."""
        from dataclasses import replace

        given = np.asarray(mentee_rows)
        ok = given.ndim == 1 and (given.dtype.kind in "iu" or given.size == 0)
        if ok and given.size:
            ok = 0 <= int(given.min()) and int(given.max()) < self.n_mentees
        if not ok:
            raise ParameterError(
                "Scores.take",
                [
                    f"`mentee_rows` must be a 1-D array of integer row positions in [0, "
                    f"{self.n_mentees}) (for a bool mask, pass np.flatnonzero(mask)). "
                    f"Got {describe_value(given)} instead."
                ],
            )
        rows = given.astype(np.int64)
        return replace(
            self,
            total=self.total[rows],
            eligible=self.eligible[rows],
            reason_flags=self.reason_flags[rows],
            mentee_ids=self.mentee_ids[rows],
            capacity=self.capacity.copy(),
            components={name: c[rows] for name, c in self.components.items()},
            cohort=None,
        )

    # ------------------------------------------------------------------ the solvers' interface
    # (see crossmatch.scoring.interface.ScoreSource; CandidateScores implements it too)
    @property
    def pruned(self) -> bool:
        """False: dense scores hold every pair."""
        return False

    @property
    def cuts(self) -> tuple[np.ndarray, np.ndarray] | None:
        """None: no pair was pruned, so none needs a bound."""
        return None

    def pairs_of(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(row, col, score)`` of the eligible pairs of ``rows`` (row-major order)."""
        rows = np.asarray(rows, dtype=np.int64)
        ii, jj = np.nonzero(self.eligible[rows])
        ii = rows[ii]
        return ii, jj, self.total[ii, jj]

    def eligible_counts(self) -> np.ndarray:
        """How many eligible mentors each mentee has."""
        return np.count_nonzero(self.eligible, axis=1).astype(np.int64)

    def reason_counts_of(self, rows: np.ndarray) -> np.ndarray:
        """``(len(rows), n_reasons)``: per mentee, how many mentors each rule excludes."""
        flags = self.reason_flags[np.asarray(rows, dtype=np.int64)]
        out = np.zeros((len(flags), len(self.reason_names)), np.int64)
        for b in range(len(self.reason_names)):
            out[:, b] = np.count_nonzero((flags >> flags.dtype.type(b)) & 1, axis=1)
        return out

    def for_rows(
        self, rows: np.ndarray, *, capacity: np.ndarray, exclude: tuple[np.ndarray, np.ndarray],
        reason: str,
    ) -> Scores:  # fmt: skip
        """The scores of some mentees (``rows``, in order) with new mentor capacities and
        the pairs ``exclude`` (original rows, columns) made ineligible for ``reason``."""
        mask = np.zeros(self.shape, dtype=bool)
        mask[exclude] = True
        return self.with_capacity(capacity).with_exclusions(mask, reason=reason).take(rows)

    @property
    def source_rows(self) -> None:
        """None: rows are the cohort's own (``take`` drops the cohort)."""
        return None

    @property
    def excluded_keys(self) -> np.ndarray:
        """Empty: dense scores record every exclusion in ``reason_flags``."""
        return np.zeros(0, np.int64)

    def exclusion_reasons(self, i: int, j: int) -> list[str] | None:
        """None: no pair is excluded after scoring (see :attr:`excluded_keys`)."""
        return None

    def reason_flags_of(self, rows: np.ndarray) -> np.ndarray:
        """The reason flags of whole mentee rows, ``(len(rows), n_mentors)``."""
        return self.reason_flags[np.asarray(rows, dtype=np.int64)]

    def pair_reason(self, i: int, j: int) -> str:
        """The rules (``"; "``-joined) that exclude pair ``(i, j)`` (rows, columns)."""
        f = int(self.reason_flags[i, j])
        return "; ".join(n for b, n in enumerate(self.reason_names) if (f >> b) & 1)

    def without_pairs(self, rows: np.ndarray, cols: np.ndarray, *, reason: str) -> Scores:
        """The pairs ``(rows, cols)`` made ineligible for ``reason`` (:meth:`with_exclusions`)."""
        mask = np.zeros(self.shape, dtype=bool)
        mask[np.asarray(rows, np.int64), np.asarray(cols, np.int64)] = True
        return self.with_exclusions(mask, reason=reason)

    def with_pairs(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> Scores:
        """These scores: dense scores hold every eligible pair already."""
        return self

    def price(
        self,
        prices: np.ndarray,
        k: np.ndarray,
        threshold: np.ndarray,
        *,
        rows: np.ndarray | None = None,
        limit: int = 10,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """As :meth:`CandidateScores.price`: for each row (all, or ``rows``) the sum of
        the ``k[i]`` largest ``s_ij - prices[j]`` over its eligible mentors (NaN for rows
        not priced), exact whatever ``threshold``, and no new pair (every eligible pair
        is here already)."""
        n, m = self.shape
        want = np.arange(n) if rows is None else np.asarray(rows, np.int64)
        red = np.where(
            self.eligible[want],
            np.asarray(self.total[want], np.float64) - np.asarray(prices, np.float64),
            -np.inf,
        )
        red = -np.sort(-red, axis=1)
        top = (np.arange(m)[None, :] < np.asarray(k, np.int64)[want][:, None]) & np.isfinite(red)
        sums = np.full(n, np.nan)
        sums[want] = np.where(top, red, 0.0).sum(axis=1)
        none = np.zeros(0, np.int64)
        return sums, none, none.copy(), np.zeros(0, self.total.dtype)

    def reason_text(self, flags: np.ndarray | int) -> np.ndarray:
        """Reason strings (``"; "``-joined rule reasons) for an array of flag values (or
        one value: a 0-d array); None where the flag is 0 (eligible)."""
        f = np.asarray(flags)
        uniq, inverse = np.unique(f.ravel(), return_inverse=True)
        texts = np.empty(len(uniq), dtype=object)
        for k, u in enumerate(uniq.tolist()):
            names = [n for b, n in enumerate(self.reason_names) if (int(u) >> b) & 1]
            texts[k] = "; ".join(names) if names else None
        return texts[inverse.ravel()].reshape(f.shape)

    def reasons(self, mentee_id: Any, mentor_id: Any) -> list[str]:
        """The hard rules that exclude one pair (empty if it is eligible)."""
        i = _position(self.mentee_ids, mentee_id, "mentee")
        j = _position(self.mentor_ids, mentor_id, "mentor")
        f = int(self.reason_flags[i, j])
        return [n for b, n in enumerate(self.reason_names) if (f >> b) & 1]

    @validate_params({"eligible_only": ["boolean"]})
    def to_frame(self, *, eligible_only: bool = False) -> pd.DataFrame:
        """A long table, one row per pair, mentee-major.

        Columns: ``mentee_id``, ``mentor_id``, ``score``, one column per component (e.g.
        ``sector``, ``goals``, ``availability``, ``seniority``), ``eligible``, ``reason``
        (None for eligible pairs).
        """
        n, m = self.shape
        if eligible_only:
            ii, jj = np.nonzero(self.eligible)
        else:
            ii = np.repeat(np.arange(n), m)
            jj = np.tile(np.arange(m), n)
        data: dict[str, Any] = {
            "mentee_id": id_column(self.mentee_ids[ii]),
            "mentor_id": id_column(self.mentor_ids[jj]),
            "score": self.total[ii, jj],
        }
        for name, comp in self.components.items():
            data[name] = comp[ii, jj]
        data["eligible"] = self.eligible[ii, jj]
        data["reason"] = self.reason_text(self.reason_flags[ii, jj])
        return pd.DataFrame(data)

    def _capacity_arg(self, method: str, capacity: Any) -> np.ndarray:
        problems: list[Problem] = []
        cap = _capacity(capacity, self.mentor_ids, self.n_mentors, problems)
        if cap is None or problems:
            first = problems[0]
            got = (
                f"{first.value!r} for mentor {first.id!r}"
                if first.id is not None
                else f"{describe_value(capacity)}: {first.message[:-1]}"
            )
            raise ParameterError(
                f"Scores.{method}",
                [
                    f"`capacity` must be {self.n_mentors} integers in [0, {MAX_CAPACITY}], "
                    f"one per mentor (or a mapping from mentor id). Got {got} instead."
                ],
            )
        return cap

    def to_csv(self, path: Any = None, *, eligible_only: bool = False, safe: bool = True) -> Any:
        """:meth:`to_frame` as CSV, formula-safe unless ``safe=False`` (see ``crossmatch._csv``)."""
        return write_csv(self.to_frame(eligible_only=eligible_only), path, safe=safe)

    def __repr__(self) -> str:
        n, m = self.shape
        share = float(self.eligible.mean()) if self.eligible.size else 0.0
        comps = ", ".join(self.components) or "none"
        return f"Scores(n_mentees={n}, n_mentors={m}, eligible={share:.1%}, components=[{comps}])"

    def _repr_html_(self) -> str:
        from .._html import repr_html

        return repr_html(self)


# ---------------------------------------------------------------------------- helpers
def id_column(values: np.ndarray) -> pd.Series:
    """Ids (an object array, possibly with None) as a column with a proper dtype: integer
    ids become int64, text ids text; used by every ``to_frame``."""
    return pd.Series(values, dtype=object).infer_objects()


def _broadcasts(shape: tuple[int, ...], to: tuple[int, ...]) -> bool:
    try:
        return np.broadcast_shapes(shape, to) == to
    except ValueError:
        return False


def _position(ids: np.ndarray, value: Any, what: str) -> int:
    """The position of one id; KeyError naming it when unknown."""
    try:
        hash(value)
    except TypeError:
        raise ParameterError(
            "Scores.reasons",
            [f"`{what}_id` must be one {what} id. Got {describe_value(value)} instead."],
        ) from None
    value = norm_id(value)  # ' m1 ' is 'm1', as at intake
    key = np.empty((), dtype=object)
    key[()] = value  # one id even when it is a tuple: compared whole, never elementwise
    hits = np.flatnonzero(ids.astype(object) == key)
    if len(hits) == 0:
        raise KeyError(f"`{what}_id` {shorten(value)} is not a {what} id of these scores")
    return int(hits[0])


def _cut(value: Any) -> Any:
    """A value as shown in a Problem: itself when short, else its cut ``repr``."""
    if isinstance(value, np.generic):
        value = value.item()
    text = shorten(value)
    return value if text == repr(value) else text


#: What is wrong with a bad score, by kind, and how to fix it.
_SCORE_KINDS: dict[str, tuple[str, str]] = {
    "text": (
        "the score is not a number.",
        "scores must be real numbers (NaN for a pair with no score); convert them to floats.",
    ),
    "complex": (
        "the score is a complex number.",
        "scores must be real numbers; pass the real part if the imaginary part means nothing.",
    ),
    "infinite": (
        "the score is infinite.",
        "use NaN for a pair with no score, `eligible=False` for a pair that must never "
        "match, and `fixed=` of shortlist for a pair that must.",
    ),
    "range": (
        f"the score is outside [-{MAX_ABS_SCORE:g}, {MAX_ABS_SCORE:g}] (MAX_ABS_SCORE).",
        "scale the scores into that range (only their order and differences matter); a "
        "huge score to force a pair flattens every other difference: pin the pair with "
        "`fixed=` of shortlist instead.",
    ),
}


def _score_kind(value: Any, parse_text: bool) -> tuple[float, str | None]:
    """One cell as a float (NaN: no score) and what is wrong with it (None: nothing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return math.nan, None
    if isinstance(value, str) and parse_text:
        try:
            value = float(value)
        except ValueError:
            return math.nan, "text"
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Number):
        return math.nan, "text"
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        return math.nan, "complex"
    try:
        x = float(value)  # type: ignore[arg-type]
    except OverflowError:  # an int beyond the float range
        return math.nan, "range"
    except (TypeError, ValueError):
        return math.nan, "text"
    return x, None


def _scores(
    raw: np.ndarray,
    cell: Callable[[int], dict[str, Any]],
    problems: list[Problem],
    *,
    parse_text: bool,
) -> np.ndarray:
    """Scores as float64 (NaN: no score); every bad cell goes into ``problems``.

    ``cell(k)`` places the flat index ``k`` (row, column, id of the Problem). The first
    :data:`SHOWN_CELLS` cells of each kind are listed, then one line counts them all.
    """
    kinds = np.zeros(raw.shape, dtype=np.uint8)  # 0 fine, else 1 + index in _SCORE_KINDS
    names = list(_SCORE_KINDS)
    if raw.dtype.kind in "iuf":
        mat = raw.astype(np.float64)
    elif raw.dtype.kind == "c":
        mat = np.full(raw.shape, np.nan)
        kinds[...] = 1 + names.index("complex")
    else:  # objects, text, booleans, dates: cell by cell
        flat = raw.ravel().tolist() if raw.dtype.kind in "OUS" else [True] * raw.size
        pairs = [_score_kind(v, parse_text) for v in flat]
        mat = np.array([x for x, _ in pairs], dtype=np.float64).reshape(raw.shape)
        kinds.ravel()[:] = [0 if k is None else 1 + names.index(k) for _, k in pairs]
    with np.errstate(invalid="ignore"):
        kinds[np.abs(mat) > MAX_ABS_SCORE] = 1 + names.index("range")  # finite, too large
    kinds[np.isinf(mat)] = 1 + names.index("infinite")
    flat_raw = raw.ravel()
    for code, name in enumerate(names, start=1):
        bad = np.flatnonzero(kinds.ravel() == code)
        if bad.size == 0:
            continue
        message, hint = _SCORE_KINDS[name]
        for k in bad[:SHOWN_CELLS].tolist():
            problems.append(
                Problem("scores", message, value=_cut(flat_raw[k]), hint=hint, **cell(k))
            )
        if bad.size > SHOWN_CELLS:
            rows = list(dict.fromkeys(str(cell(k)["row"]) for k in bad[:1000].tolist()))
            more = ", ..." if len(rows) > SHOWN_CELLS or bad.size > 1000 else ""
            problems.append(
                Problem(
                    "scores",
                    f"and {bad.size - SHOWN_CELLS:,} more cells where {message[4:-1]} "
                    f"({bad.size:,} in all; rows {', '.join(rows[:SHOWN_CELLS])}{more}).",
                    hint=hint,
                )
            )
    return mat


def _ids(ids: Sequence[Any], n: int, name: str, problems: list[Problem]) -> np.ndarray | None:
    arr = np.fromiter(ids, dtype=object)
    if len(arr) != n:
        problems.append(
            Problem(
                "scores", f"`{name}` has {len(arr)} ids but the matrix has {n} along that axis."
            )
        )
        return None
    seen: dict[Any, int] = {}
    for k, v in enumerate(arr.tolist()):
        if (
            v is None
            or (isinstance(v, float) and np.isnan(v))
            or (isinstance(v, str) and not v.strip())
        ):
            problems.append(Problem("scores", f"`{name}` holds an empty id.", row=k, value=v))
            continue
        try:
            first = seen.setdefault(v, k)
        except TypeError:
            problems.append(
                Problem(
                    "scores",
                    f"`{name}` holds an id that cannot be a key (a {type(v).__name__}).",
                    row=k,
                    value=_cut(v),
                    hint="use strings or integers as ids.",
                )
            )
            continue
        if first != k:
            problems.append(
                Problem(
                    "scores", f"`{name}` holds a duplicate id (first at {first}).", row=k, value=v
                )
            )
    return arr


def _capacity_value(value: Any) -> int | str:
    """A capacity as an int, or what is wrong with it."""
    if isinstance(value, bool | np.bool_):
        return "capacity must be an integer >= 0, not a bool."
    if isinstance(value, numbers.Integral):
        x = int(value)
    elif isinstance(value, numbers.Real) and math.isfinite(v := float(value)) and v.is_integer():
        x = int(v)
    else:
        return "capacity must be an integer >= 0 (a float only without a fraction)."
    if x < 0:
        return "capacity must be an integer >= 0."
    if x > MAX_CAPACITY:
        return (
            f"capacity must be at most {MAX_CAPACITY:,} (MAX_CAPACITY = 2**31); a capacity "
            "of the number of mentees already means no limit."
        )
    return x


def _capacity(
    capacity: Any, mentor_ids: np.ndarray | None, m: int, problems: list[Problem]
) -> np.ndarray | None:
    """Each mentor's capacity as int64 (checked one by one), or None after problems."""
    if isinstance(capacity, Mapping | pd.Series):
        if mentor_ids is None:
            return None
        mapping = dict(capacity.items())
        missing = [v for v in mentor_ids.tolist() if v not in mapping]
        if missing:
            problems.append(
                Problem(
                    "scores",
                    f"`capacity` has no entry for {plural(len(missing), 'mentor')}.",
                    value=missing[:10],
                    hint="give every mentor id a capacity.",
                )
            )
            return None
        values = [mapping[v] for v in mentor_ids.tolist()]
    elif isinstance(capacity, numbers.Integral) and not isinstance(capacity, bool | np.bool_):
        values = [capacity] * m
    else:
        values = np.asarray(capacity, dtype=object).ravel().tolist()
    if len(values) != m:
        problems.append(
            Problem(
                "scores",
                f"`capacity` needs one value per mentor ({m}).",
                value=f"{len(values)} values",
            )
        )
        return None
    out = np.zeros(m, dtype=np.int64)
    for j, v in enumerate(values):
        x = _capacity_value(v)
        if isinstance(x, int):
            out[j] = x
        else:
            label = mentor_ids[j] if mentor_ids is not None else j
            problems.append(Problem("scores", x, row=j, column="capacity", value=_cut(v), id=label))
    return out
