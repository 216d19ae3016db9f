"""Score components and hard rules, vectorised over a block of mentee rows.

Each kernel maps a block of mentees (a slice of rows) against *all* mentors to a
``(rows, n_mentors)`` float32 array in [0, 1]. Goals and slots are bit sets, so a pair
costs a few AND / popcount operations and no Python loop runs over pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..cohort import Cohort
from ..cohort.schema import CADENCES, IN_PERSON, MODES, REMOTE
from ..errors import Problem, ValidationError
from .config import BUILTIN_RULES, ScoringConfig
from .scores import flag_dtype

__all__ = ["Block", "Kernels"]

F32 = np.float32


@dataclass(frozen=True, slots=True, eq=False)
class Block:
    """Scores of one block of mentee rows against all mentors."""

    rows: slice
    total: np.ndarray
    components: dict[str, np.ndarray]
    flags: np.ndarray


def mode_table(remote_score: float) -> np.ndarray:
    """``M[mode_i, mode_j, same_region]``: how well two meeting modes fit."""
    table = np.zeros((len(MODES), len(MODES), 2), dtype=F32)
    for a in range(len(MODES)):
        for b in range(len(MODES)):
            for same in (0, 1):
                face = a != REMOTE and b != REMOTE and same
                remote = a != IN_PERSON and b != IN_PERSON
                table[a, b, same] = 1.0 if face else (remote_score if remote else 0.0)
    return table


def cadence_table(step_penalty: float) -> np.ndarray:
    """``C[c_i, c_j] = max(0, 1 - step_penalty * |c_i - c_j|)``."""
    c = np.arange(len(CADENCES))
    return np.clip(1.0 - step_penalty * np.abs(c[:, None] - c[None, :]), 0.0, 1.0).astype(F32)


def _bit(words_t: np.ndarray, index: np.ndarray) -> np.ndarray:
    """For each row r, bit ``index[r]`` of every column's bit set: (rows, n_cols) uint8.

    ``words_t`` is the column bit sets transposed to (n_words, n_cols)."""
    w = (index // 64).astype(np.intp)
    b = (index % 64).astype(np.uint64)
    return ((words_t[w] >> b[:, None]) & np.uint64(1)).astype(np.uint8)


class Kernels:
    """Precomputed tables and per-block kernels for one cohort and one config."""

    def __init__(self, cohort: Cohort, config: ScoringConfig) -> None:
        self.cohort = cohort
        self.config = config
        c = cohort
        self.sector_pref = config.sector(c.taxonomy.distance).astype(F32)
        self.cadence = cadence_table(config.availability.cadence_step_penalty)
        self.mode = mode_table(config.availability.remote_score).reshape(-1)
        self.expertise_t = np.ascontiguousarray(c.mentor_expertise_bits.T)
        self.learning_t = np.ascontiguousarray(c.mentor_learning_bits.T)
        self.use_learning = config.goals.learning_weight > 0 and bool(c.mentor_learning_bits.any())
        self.use_seniority = bool(
            np.isfinite(c.mentee_seniority).any() and np.isfinite(c.mentor_seniority).any()
        )
        self.mentor_in_person = c.mentor_mode == IN_PERSON
        self.mentor_capacity_zero = c.capacity == 0
        order = np.lexsort((c.excluded_pairs[:, 1], c.excluded_pairs[:, 0]))
        self.excluded = c.excluded_pairs[order]
        names = ["sector", "goals", "availability"]
        if self.use_seniority:
            names.append("seniority")
        names += [comp.name for comp in config.custom]
        self.component_names: tuple[str, ...] = tuple(names)
        w = config.weights
        self.weights = {k: w[k] for k in names}
        wsum = sum(self.weights.values())
        if wsum <= 0:
            raise ValueError(
                "The weights of the active components sum to 0; give one a weight > 0."
            )
        self.norm_weights = {k: F32(v / wsum) for k, v in self.weights.items()}
        self.reason_names: tuple[str, ...] = tuple(r for _, r in BUILTIN_RULES) + tuple(
            r.reason for r in config.rules
        )
        self.flag_dtype = flag_dtype(len(self.reason_names))

    # ------------------------------------------------------------------ components
    def sector(self, rows: slice) -> np.ndarray:
        c = self.cohort
        return self.sector_pref[c.mentee_sector[rows]][:, c.mentor_sector]

    def goals(self, rows: slice) -> np.ndarray:
        c, g = self.cohort, self.config.goals
        mine = c.mentee_goal_bits[rows]
        covered = np.zeros((mine.shape[0], c.n_mentors), dtype=np.uint8)
        for w in range(mine.shape[1]):
            covered += np.bitwise_count(mine[:, w, None] & self.expertise_t[w][None, :])
        primary = _bit(self.expertise_t, c.mentee_primary_goal[rows])
        n_goals = c.mentee_n_goals[rows].astype(F32)
        a = np.where(n_goals == 1, F32(1.0), F32(g.primary_weight)).astype(F32)
        b = np.where(n_goals > 1, (1 - F32(g.primary_weight)) / np.maximum(n_goals - 1, 1), 0)
        cover = a[:, None] * primary + b.astype(F32)[:, None] * (covered - primary)
        if self.use_learning:
            met = _bit(self.learning_t, c.mentee_sector[rows].astype(np.int64))
            cover += F32(g.learning_weight) * met * (1 - cover)
        return np.clip(cover, 0, 1, out=cover)

    def availability(self, rows: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Returns (availability score, shared-slot count, same-region mask)."""
        c, a = self.cohort, self.config.availability
        shared = np.bitwise_count(c.mentee_slots[rows, None] & c.mentor_slots[None, :])
        full = a.slots_for_full_score
        slot = np.minimum(shared, full).astype(F32) * F32(1.0 / full)
        cad = self.cadence[c.mentee_cadence[rows]][:, c.mentor_cadence]
        same = c.mentee_region[rows, None] == c.mentor_region[None, :]
        idx = (c.mentee_mode[rows, None].astype(np.intp) * len(MODES) + c.mentor_mode[None, :]) * 2
        mode = self.mode[idx + same]
        wsum = a.slots_weight + a.cadence_weight + a.mode_weight
        out = slot * F32(a.slots_weight / wsum)
        out += cad * F32(a.cadence_weight / wsum)
        out += mode * F32(a.mode_weight / wsum)
        return np.clip(out, 0, 1, out=out), shared, same

    def seniority(self, rows: slice) -> tuple[np.ndarray, np.ndarray]:
        """Returns (seniority score, outside-band mask for known gaps)."""
        c, s = self.cohort, self.config.seniority
        gap = c.mentor_seniority[None, :] - c.mentee_seniority[rows, None]
        if s.reverse:
            gap = -gap
        known = np.isfinite(gap)
        hi = np.inf if s.max_gap is None else s.max_gap
        inside = (gap >= s.min_gap) & (gap <= hi)
        span = max(s.preferred_gap - s.min_gap, (3 if s.max_gap is None else hi - s.preferred_gap))
        score = 1.0 - np.abs(gap - s.preferred_gap) / (span + 1)
        score = np.where(inside, np.clip(score, 0, 1), 0.0)
        score = np.where(known, score, s.unknown_score).astype(F32)
        return score, known & ~inside

    def _custom(self, rows: slice, func: object, name: str, kind: str) -> np.ndarray:
        c = self.cohort
        n_rows = len(range(*rows.indices(c.n_mentees)))
        try:
            value = np.asarray(func(c.mentees.iloc[rows], c.mentors))  # type: ignore[operator]
            out = np.broadcast_to(value, (n_rows, c.n_mentors))
        except ValueError as exc:
            raise ValidationError(
                [
                    Problem(
                        "config",
                        f"custom {kind} {name!r} returned an array that does not fit "
                        f"shape {(n_rows, c.n_mentors)}: {exc}",
                        hint="return an array of shape (len(mentees), len(mentors)).",
                    )
                ],
                title="invalid custom scoring",
            ) from None
        if kind == "rule":
            if out.dtype != np.bool_:
                raise ValidationError(
                    [
                        Problem(
                            "config",
                            f"custom rule {name!r} must return booleans "
                            f"(True = allowed). Got dtype {out.dtype}.",
                        )
                    ],
                    title="invalid custom scoring",
                )
            return out
        out = out.astype(F32)
        bad = ~np.isfinite(out) | (out < 0) | (out > 1)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise ValidationError(
                [
                    Problem(
                        "config",
                        f"custom component {name!r} returned {int(bad.sum())} "
                        f"value(s) outside [0, 1] or not finite, the first for mentee "
                        f"{c.mentee_ids[rows][i]!r} and mentor {c.mentor_ids[j]!r}.",
                        value=float(out[i, j]),
                        hint="rescale the component to [0, 1].",
                    )
                ],
                title="invalid custom scoring",
            )
        return out

    # ------------------------------------------------------------------ one block
    def block(self, rows: slice) -> Block:
        c, cfg = self.cohort, self.config
        comps: dict[str, np.ndarray] = {"sector": self.sector(rows), "goals": self.goals(rows)}
        avail, shared, same_region = self.availability(rows)
        comps["availability"] = avail
        n_rows = avail.shape[0]
        flags = np.zeros((n_rows, c.n_mentors), dtype=self.flag_dtype)

        def set_flag(bit: int, mask: np.ndarray) -> None:
            flags[...] |= mask.astype(self.flag_dtype) << self.flag_dtype(bit)

        if cfg.same_organisation:
            set_flag(0, c.mentee_org[rows, None] == c.mentor_org[None, :])
        start, stop, _ = rows.indices(c.n_mentees)
        lo, hi = np.searchsorted(self.excluded[:, 0], [start, stop])
        if hi > lo:
            pairs = self.excluded[lo:hi]
            flags[pairs[:, 0] - start, pairs[:, 1]] |= self.flag_dtype(1 << 1)
        set_flag(2, np.broadcast_to(self.mentor_capacity_zero[None, :], flags.shape))
        if cfg.require_shared_slot:
            set_flag(3, shared == 0)
        if cfg.in_person_same_region:
            ip = (c.mentee_mode[rows] == IN_PERSON)[:, None] | self.mentor_in_person[None, :]
            set_flag(4, ip & ~same_region)
        if self.use_seniority:
            comps["seniority"], outside = self.seniority(rows)
            if cfg.seniority.enforce:
                set_flag(5, outside)
        for comp in cfg.custom:
            comps[comp.name] = self._custom(rows, comp.func, comp.name, "component")
        for k, rule in enumerate(cfg.rules):
            allowed = self._custom(rows, rule.func, rule.name, "rule")
            set_flag(len(BUILTIN_RULES) + k, ~allowed)
        total = np.zeros((n_rows, c.n_mentors), dtype=F32)
        for name, w in self.norm_weights.items():
            total += w * comps[name]
        np.clip(total, 0, 1, out=total)
        return Block(rows=rows, total=total, components=comps, flags=flags)
