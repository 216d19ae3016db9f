"""`Scores`: every mentee-mentor pair's total score, components and eligibility."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._frozen import Picklable
from ..errors import Problem, ValidationError

if TYPE_CHECKING:
    from ..cohort import Cohort
    from .config import ScoringConfig

__all__ = ["Scores", "id_column"]

#: Reason names used by :meth:`Scores.from_matrix` (the built-in scorer has its own list).
MATRIX_REASONS: tuple[str, ...] = ("no score", "not eligible", "mentor capacity 0")


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
    def from_matrix(
        cls,
        matrix: np.ndarray | pd.DataFrame,
        *,
        mentee_ids: Sequence[Any] | None = None,
        mentor_ids: Sequence[Any] | None = None,
        capacity: Sequence[int] | np.ndarray | Mapping[Any, int] | pd.Series,
        eligible: np.ndarray | None = None,
        mentor_groups: Sequence[Any] | np.ndarray | None = None,
    ) -> Scores:
        """Scores from a platform's own affinity matrix, skipping crossmatch's scoring.

        Parameters
        ----------
        matrix : array or DataFrame of shape (n_mentees, n_mentors)
            Any finite real scores, higher is better. NaN marks a pair with no score,
            which is ineligible. A DataFrame's index and columns give the ids when
            ``mentee_ids`` / ``mentor_ids`` are not passed.
        mentee_ids, mentor_ids : sequence
            Unique ids, in row / column order.
        capacity : sequence of int, or mapping / Series from mentor id to int
            Each mentor's capacity (integer >= 0; 0 makes the mentor ineligible).
        eligible : bool array of shape (n_mentees, n_mentors), optional
            False for pairs that must never be matched. Defaults to all True.
        mentor_groups : sequence, optional
            A group label per mentor (e.g. sector), for ``max_per_group`` rules.

        Raises
        ------
        ValidationError
            Listing every problem with the inputs.
        """
        problems: list[Problem] = []
        side = "scores"
        if isinstance(matrix, pd.DataFrame):
            if mentee_ids is None:
                mentee_ids = matrix.index.tolist()
            if mentor_ids is None:
                mentor_ids = matrix.columns.tolist()
            values = matrix.to_numpy()
        else:
            values = np.asarray(matrix)
        try:
            mat = np.array(values, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValidationError(
                [Problem(side, "the matrix must hold numbers.", hint="convert it to floats.")],
                title="invalid scores",
            ) from None
        if mat.ndim != 2:
            raise ValidationError(
                [
                    Problem(
                        side, f"the matrix must be 2-D (n_mentees, n_mentors). Got {mat.ndim}-D."
                    )
                ],
                title="invalid scores",
            )
        n, m = mat.shape
        if n == 0 or m == 0:
            problems.append(Problem(side, f"the matrix is empty (shape {mat.shape})."))
        if mentee_ids is None or mentor_ids is None:
            raise ValidationError(
                [Problem(side, "`mentee_ids` and `mentor_ids` are required for an array.")],
                title="invalid scores",
            )
        ee = _ids(mentee_ids, n, "mentee_ids", problems)
        mr = _ids(mentor_ids, m, "mentor_ids", problems)
        if np.isinf(mat).any():
            i, j = np.argwhere(np.isinf(mat))[0]
            problems.append(
                Problem(
                    side,
                    f"the matrix holds {int(np.isinf(mat).sum())} infinite value(s), the first "
                    f"at row {i}, column {j}.",
                    value=float(mat[i, j]),
                    hint="use finite numbers, or NaN for a pair with no score.",
                )
            )
        cap = _capacity(capacity, mr if mr is not None else None, m, problems)
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
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        capacity: Sequence[int] | np.ndarray | Mapping[Any, int] | pd.Series,
        mentor_ids: Sequence[Any] | None = None,
        mentee_ids: Sequence[Any] | None = None,
        mentor_groups: Sequence[Any] | np.ndarray | None = None,
    ) -> Scores:
        """Scores from a long table with columns ``mentee_id``, ``mentor_id``, ``score``.

        Pairs not in the table have no score and are ineligible. Ids default to those in
        the table (in order of first appearance); pass ``mentor_ids`` (or a capacity
        mapping) to include mentors without any scored pair.
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
        score = pd.to_numeric(frame["score"], errors="coerce")
        checks = [
            (rows.isna(), "mentee_id", "unknown mentee id."),
            (cols.isna(), "mentor_id", "unknown mentor id."),
            (
                frame.duplicated(["mentee_id", "mentor_id"]),
                None,
                "duplicate (mentee_id, mentor_id) pair.",
            ),
            (score.isna() & frame["score"].notna(), "score", "score is not a number."),
        ]
        problems = [
            Problem("scores", message, row=frame.index[int(k)], column=column,
                    value=None if column is None else frame[column].iloc[int(k)])
            for mask, column, message in checks
            for k in np.flatnonzero(mask.to_numpy())
        ]  # fmt: skip
        if problems:
            raise ValidationError(problems, title="invalid scores")
        mat = np.full((len(mentee_ids), len(mentor_ids)), np.nan)
        mat[rows.to_numpy(np.int64), cols.to_numpy(np.int64)] = score.to_numpy(np.float64)
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

    def with_capacity(self, capacity: np.ndarray, *, reason: str = "no free capacity") -> Scores:
        """The same scores with new mentor capacities; mentors left with capacity 0 become
        ineligible with ``reason`` (an extra reason bit)."""
        cap = np.asarray(capacity, dtype=np.int64)
        if cap.shape != self.capacity.shape or np.any(cap < 0):
            raise ValueError(f"`capacity` must be {self.n_mentors} integers >= 0.")
        return self.with_exclusions(
            np.broadcast_to(cap == 0, self.shape), reason=reason, capacity=cap
        )

    def with_exclusions(
        self, mask: np.ndarray, *, reason: str, capacity: np.ndarray | None = None
    ) -> Scores:
        """The same scores with the pairs in ``mask`` made ineligible for ``reason``."""
        from dataclasses import replace

        names = tuple(self.reason_names)
        if reason not in names:
            names = (*names, reason)
        bit = names.index(reason)
        dtype = flag_dtype(len(names))
        flags = self.reason_flags.astype(dtype)
        flags |= np.asarray(mask, dtype=bool).astype(dtype) << dtype(bit)
        return replace(
            self,
            eligible=flags == 0,
            reason_flags=flags,
            reason_names=names,
            capacity=self.capacity.copy()
            if capacity is None
            else np.array(capacity, dtype=np.int64),
        )

    def take(self, mentee_rows: np.ndarray) -> Scores:
        """The scores of some mentees only (rows in the given order)."""
        from dataclasses import replace

        rows = np.asarray(mentee_rows, dtype=np.int64)
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

    def reason_text(self, flags: np.ndarray | int) -> np.ndarray:
        """Reason strings (``"; "``-joined rule reasons) for an array of flag values;
        None where the flag is 0 (eligible)."""
        f = np.asarray(flags)
        uniq, inverse = np.unique(f, return_inverse=True)
        texts = np.empty(len(uniq), dtype=object)
        for k, u in enumerate(uniq.tolist()):
            names = [n for b, n in enumerate(self.reason_names) if (int(u) >> b) & 1]
            texts[k] = "; ".join(names) if names else None
        return texts[inverse].reshape(f.shape)

    def reasons(self, mentee_id: Any, mentor_id: Any) -> list[str]:
        """The hard rules that exclude one pair (empty if it is eligible)."""
        i = _position(self.mentee_ids, mentee_id, "mentee")
        j = _position(self.mentor_ids, mentor_id, "mentor")
        f = int(self.reason_flags[i, j])
        return [n for b, n in enumerate(self.reason_names) if (f >> b) & 1]

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

    def __repr__(self) -> str:
        n, m = self.shape
        share = float(self.eligible.mean()) if self.eligible.size else 0.0
        comps = ", ".join(self.components) or "none"
        return f"Scores(n_mentees={n}, n_mentors={m}, eligible={share:.1%}, components=[{comps}])"


# ---------------------------------------------------------------------------- helpers
def id_column(values: np.ndarray) -> pd.Series:
    """Ids (an object array, possibly with None) as a column with a proper dtype: integer
    ids become int64, text ids text; used by every ``to_frame``."""
    return pd.Series(values, dtype=object).infer_objects()


def _position(ids: np.ndarray, value: Any, what: str) -> int:
    hits = np.flatnonzero(ids == value)
    if len(hits) == 0:
        raise KeyError(f"unknown {what} id {value!r}")
    return int(hits[0])


def _ids(ids: Sequence[Any], n: int, name: str, problems: list[Problem]) -> np.ndarray | None:
    arr = np.empty(len(ids), dtype=object)
    arr[:] = list(ids)
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
        elif v in seen:
            problems.append(
                Problem(
                    "scores", f"`{name}` holds a duplicate id (first at {seen[v]}).", row=k, value=v
                )
            )
        else:
            seen[v] = k
    return arr


def _capacity(
    capacity: Any, mentor_ids: np.ndarray | None, m: int, problems: list[Problem]
) -> np.ndarray | None:
    if isinstance(capacity, Mapping | pd.Series):
        if mentor_ids is None:
            return None
        mapping = dict(capacity.items())
        missing = [v for v in mentor_ids.tolist() if v not in mapping]
        if missing:
            problems.append(
                Problem(
                    "scores",
                    f"`capacity` has no entry for {len(missing)} mentor(s).",
                    value=missing[:10],
                    hint="give every mentor id a capacity.",
                )
            )
            return None
        values = [mapping[v] for v in mentor_ids.tolist()]
    else:
        values = list(np.asarray(capacity).ravel()) if not np.isscalar(capacity) else [capacity] * m
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
        ok = isinstance(v, int | np.integer | float | np.floating) and not isinstance(
            v, bool | np.bool_
        )
        if ok and float(v).is_integer() and v >= 0:
            out[j] = int(v)
        else:
            label = mentor_ids[j] if mentor_ids is not None else j
            problems.append(
                Problem(
                    "scores",
                    "capacity must be an integer >= 0.",
                    row=j,
                    column="capacity",
                    value=v,
                    id=label,
                )
            )
    return out
