"""Score components and hard rules, vectorised over a block of rows or a list of pairs.

Every kernel is written once, against broadcastable indices (:class:`_Pairs`): a block
of mentee rows against *all* mentors gives ``(rows, n_mentors)`` arrays, a list of
``(mentee, mentor)`` pairs gives ``(pairs,)`` arrays, and the same float32 operations run
in the same order for both, so a pair scores the same bits either way.

Speed comes from three habits:

- A quantity that depends on the mentee only through a few categorical fields (sector,
  cadence, mode and region, seniority) is computed once per distinct value into a
  ``(n_keys, n_mentors)`` table (:class:`_Keyed`); a block then copies one table row
  per mentee instead of recomputing it.
- Goals and slots are bit sets in the narrowest unsigned type that holds them, so a pair
  costs a few AND / popcount operations on one or two bytes.
- Blocks are computed in chunks of :data:`CHUNK_PAIRS` pairs, small enough that every
  temporary stays in the core's cache; only the outputs travel to memory.

No Python loop runs over pairs or rows, and nothing is shared between calls, so blocks
may be computed in several threads at once (numpy releases the GIL).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._text import plural
from ..cohort import Cohort
from ..cohort.schema import CADENCES, IN_PERSON, MODES, REMOTE
from ..errors import Problem, ValidationError
from .config import BUILTIN_RULES, ScoringConfig
from .scores import flag_dtype

__all__ = ["Block", "Kernels"]

F32 = np.float32

#: Pairs computed at a time inside a block: large enough to amortise the ~40 numpy calls
#: per chunk, small enough that the temporaries stay in cache (measured best on 2e8 pairs).
CHUNK_PAIRS = 1 << 17
#: Largest table of per-key values (bytes); a larger one is computed per pair instead.
TABLE_BYTES = 64 << 20
#: Pairs per call of a custom function when :meth:`Kernels.pairs` evaluates it.
CUSTOM_PAIRS = 1 << 20

_BIT = {name: bit for bit, (name, _) in enumerate(BUILTIN_RULES)}


@dataclass(frozen=True, slots=True, eq=False)
class Block:
    """Scores of a block of mentee rows against all mentors, or of a list of pairs.

    Attributes
    ----------
    rows : slice or ndarray
        From :meth:`Kernels.block`: the slice of mentee rows; every array is
        ``(rows, n_mentors)``. From :meth:`Kernels.pairs`: the mentee row of every pair
        (the ``i`` array); every array is ``(n_pairs,)``.
    total : ndarray of float32
        The weighted total in [0, 1].
    components : dict of str to ndarray of float32
        Every active component in [0, 1], by name; empty when asked for without components.
    flags : ndarray of unsigned int
        Bit ``k`` set when hard rule ``k`` (``Kernels.reason_names[k]``) excludes the
        pair; 0 = eligible.
    cols : ndarray or None
        From :meth:`Kernels.pairs`: the mentor column of every pair (``j``); None for a block.
    """

    rows: slice | np.ndarray
    total: np.ndarray
    components: dict[str, np.ndarray]
    flags: np.ndarray
    cols: np.ndarray | None = None


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


# ---------------------------------------------------------------------------- indices
class _Pairs:
    """The pairs one kernel call covers, as broadcastable mentee and mentor indices.

    ``cols is None``: mentee ``rows`` (a slice or an index array) against every mentor,
    shape ``(rows, n_mentors)``. Otherwise pair ``p`` is ``(rows[p], cols[p])``, shape
    ``(n_pairs,)``.
    """

    __slots__ = ("cols", "rows", "shape")

    def __init__(self, rows: slice | np.ndarray, cols: np.ndarray | None, n_mentors: int) -> None:
        self.rows = rows
        self.cols = cols
        if cols is None:
            n = len(rows) if isinstance(rows, np.ndarray) else rows.stop - rows.start
            self.shape: tuple[int, ...] = (n, n_mentors)
        else:
            self.shape = (len(cols),)

    def mentee(self, x: np.ndarray) -> np.ndarray:
        """A per-mentee array, broadcastable against :meth:`mentor`."""
        v = x[self.rows]
        return v[:, None] if self.cols is None else v

    def mentor(self, x: np.ndarray) -> np.ndarray:
        """A per-mentor array, broadcastable against :meth:`mentee`."""
        return x if self.cols is None else x[self.cols]

    def lookup(self, table: np.ndarray, codes: np.ndarray, out: np.ndarray | None) -> np.ndarray:
        """``table[codes[mentee], mentor]``: one table row per mentee of a block."""
        keys = codes[self.rows]
        if self.cols is None:
            return np.take(table, keys, axis=0, out=out, mode="clip")
        if out is None:
            return table[keys, self.cols]
        out[...] = table[keys, self.cols]
        return out


def _into(value: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    if out is None:
        return value
    out[...] = value
    return out


class _Keyed:
    """A pair kernel that sees the mentee only through ``keys``, tabulated per distinct key.

    The table is the kernel itself evaluated on one mentee per key against every mentor,
    so a lookup returns exactly what the kernel would. When the table would exceed
    :data:`TABLE_BYTES`, the kernel runs on every call instead.
    """

    def __init__(
        self,
        func: Callable[[_Pairs], np.ndarray],
        keys: Sequence[np.ndarray],
        n_mentors: int,
        dtype: Any,
    ) -> None:
        self.func = func
        self.table: np.ndarray | None = None
        combined = np.zeros(len(keys[0]), dtype=np.int64)
        for key in keys:  # codes of the distinct key tuples so far, then with this key
            _, codes = np.unique(key, return_inverse=True)
            combined = combined * (int(codes.max(initial=0)) + 1) + codes.reshape(-1)
            _, first, combined = np.unique(combined, return_index=True, return_inverse=True)
            combined = combined.reshape(-1)
        codes = combined
        if len(first) * n_mentors * np.dtype(dtype).itemsize <= TABLE_BYTES:
            ix = _Pairs(first, None, n_mentors)
            self.table = np.ascontiguousarray(np.broadcast_to(func(ix), ix.shape), dtype=dtype)
            self.codes = codes.reshape(-1).astype(np.intp)

    def __call__(self, ix: _Pairs, out: np.ndarray | None = None) -> np.ndarray:
        if self.table is None:
            value = self.func(ix)
            if out is None and value.shape != ix.shape:
                out = np.empty(ix.shape, dtype=value.dtype)
            return _into(value, out)
        return ix.lookup(self.table, self.codes, out)


def _uint_for(n_bits: int) -> Any:
    for dtype in (np.uint8, np.uint16, np.uint32):
        if n_bits <= np.iinfo(dtype).bits:
            return dtype
    return np.uint64


# ---------------------------------------------------------------------------- kernels
class Kernels:
    """Precomputed tables and kernels for one cohort and one config.

    :meth:`block` scores mentee rows against all mentors, :meth:`pairs` any list of
    pairs; both return a :class:`Block` and agree bit for bit. Thread-safe.
    """

    def __init__(self, cohort: Cohort, config: ScoringConfig) -> None:
        self.cohort = cohort
        self.config = config
        c = cohort
        m = c.n_mentors
        self.sector_pref = config.sector(c.taxonomy.distance).astype(F32)
        self.cadence = cadence_table(config.availability.cadence_step_penalty)
        self.mode = mode_table(config.availability.remote_score).reshape(-1)
        self.learning_t = np.ascontiguousarray(c.mentor_learning_bits.T)
        self.use_learning = config.goals.learning_weight > 0 and bool(c.mentor_learning_bits.any())
        self.use_seniority = bool(
            np.isfinite(c.mentee_seniority).any() and np.isfinite(c.mentor_seniority).any()
        )
        self.mentor_in_person = c.mentor_mode == IN_PERSON
        self.mentor_capacity_zero = c.capacity == 0
        self.mentor_index = np.arange(m)
        order = np.lexsort((c.excluded_pairs[:, 1], c.excluded_pairs[:, 0]))
        self.excluded = c.excluded_pairs[order]
        self.excluded_keys = self.excluded[:, 0] * m + self.excluded[:, 1]

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

        self._init_goals()
        a = config.availability
        wsum_a = a.slots_weight + a.cadence_weight + a.mode_weight
        self.slot_scale = F32(1.0 / a.slots_for_full_score)
        self.slot_weight = F32(a.slots_weight / wsum_a)
        self.cadence_weight = F32(a.cadence_weight / wsum_a)
        self.mode_weight = F32(a.mode_weight / wsum_a)
        # narrow codes: the organisation test then reads 2 bytes per pair, not 4
        org_dtype = np.int16 if len(c.organisations) < (1 << 15) else np.int32
        self.mentee_org = c.mentee_org.astype(org_dtype)
        self.mentor_org = c.mentor_org.astype(org_dtype)

        sector, cadence = [c.mentee_sector], [c.mentee_cadence]
        place = [c.mentee_mode, c.mentee_region]
        self._sector = _Keyed(self._sector_pairs, sector, m, F32)
        self._learning = _Keyed(self._learning_pairs, sector, m, F32) if self.use_learning else None
        self._cadence = _Keyed(self._cadence_pairs, cadence, m, F32)
        self._mode = _Keyed(self._mode_pairs, place, m, F32)
        seniority = [c.mentee_seniority] if self.use_seniority else []
        self._seniority = _Keyed(self._seniority_pairs, seniority, m, F32) if seniority else None
        enforce = self.use_seniority and config.seniority.enforce
        self._base_flags = _Keyed(
            self._base_flag_pairs, place + (seniority if enforce else []), m, self.flag_dtype
        )

    def _init_goals(self) -> None:
        """Goal bit sets split into the primary goal and the others, narrowed if they fit."""
        c, g = self.cohort, self.config.goals
        bits = c.mentee_goal_bits
        primary = np.zeros_like(bits)
        p = c.mentee_primary_goal.astype(np.int64)
        primary[np.arange(len(p)), p // 64] = np.left_shift(
            np.uint64(1), (p % 64).astype(np.uint64)
        )
        others = bits & ~primary
        expertise = c.mentor_expertise_bits
        dtype = _uint_for(len(c.goals)) if bits.shape[1] == 1 else np.uint64
        self.goal_words = [
            (
                np.ascontiguousarray(primary[:, w], dtype=dtype),
                np.ascontiguousarray(others[:, w], dtype=dtype),
                np.ascontiguousarray(expertise[:, w], dtype=dtype),
            )
            for w in range(bits.shape[1])
        ]
        self.goal_count_dtype = np.uint8 if len(c.goals) < 256 else np.uint16
        n_goals = c.mentee_n_goals.astype(F32)
        pw = F32(g.primary_weight)
        self.goal_a = np.where(n_goals == 1, F32(1.0), pw).astype(F32)
        self.goal_b = np.where(n_goals > 1, (1 - pw) / np.maximum(n_goals - 1, 1), 0).astype(F32)

    # ------------------------------------------------------------------ pair kernels
    # Each takes broadcastable indices and returns values for those pairs; the tabulated
    # ones are called through their `_Keyed` wrapper.
    def _sector_pairs(self, ix: _Pairs) -> np.ndarray:
        c = self.cohort
        return self.sector_pref[ix.mentee(c.mentee_sector), ix.mentor(c.mentor_sector)]

    def _learning_pairs(self, ix: _Pairs) -> np.ndarray:
        """``learning_weight`` where the mentor hopes to learn from the mentee's sector."""
        s = self.cohort.mentee_sector.astype(np.int64)
        word = ix.mentee(s // 64)
        bit = ix.mentee((s % 64).astype(np.uint64))
        met = (self.learning_t[word, ix.mentor(self.mentor_index)] >> bit) & np.uint64(1)
        return F32(self.config.goals.learning_weight) * met.astype(np.uint8)

    def _cadence_pairs(self, ix: _Pairs) -> np.ndarray:
        c = self.cohort
        cad = self.cadence[ix.mentee(c.mentee_cadence), ix.mentor(c.mentor_cadence)]
        return cad * self.cadence_weight

    def _same_region(self, ix: _Pairs) -> np.ndarray:
        c = self.cohort
        return ix.mentee(c.mentee_region) == ix.mentor(c.mentor_region)

    def _mode_pairs(self, ix: _Pairs) -> np.ndarray:
        c = self.cohort
        modes = ix.mentee(c.mentee_mode).astype(np.intp) * len(MODES) + ix.mentor(c.mentor_mode)
        return self.mode[modes * 2 + self._same_region(ix)] * self.mode_weight

    def _seniority_band(self, ix: _Pairs) -> tuple[np.ndarray, np.ndarray]:
        """(seniority score, outside-band mask for known gaps)."""
        c, s = self.cohort, self.config.seniority
        gap = ix.mentor(c.mentor_seniority) - ix.mentee(c.mentee_seniority)
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

    def _seniority_pairs(self, ix: _Pairs) -> np.ndarray:
        return self._seniority_band(ix)[0]

    def _base_flag_pairs(self, ix: _Pairs) -> np.ndarray:
        """Capacity 0, in person in different regions, conflicting modes and seniority band,
        as flag bits."""
        cfg, fd = self.config, self.flag_dtype
        flags = np.zeros(ix.shape, dtype=fd)
        flags |= ix.mentor(self.mentor_capacity_zero) * fd(1 << _BIT["capacity_zero"])
        if cfg.in_person_same_region:
            ip = (ix.mentee(self.cohort.mentee_mode) == IN_PERSON) | ix.mentor(
                self.mentor_in_person
            )
            flags |= (ip & ~self._same_region(ix)) * fd(1 << _BIT["in_person_region"])
        if cfg.require_compatible_mode:
            me, mo = ix.mentee(self.cohort.mentee_mode), ix.mentor(self.cohort.mentor_mode)
            clash = ((me == IN_PERSON) & (mo == REMOTE)) | ((me == REMOTE) & (mo == IN_PERSON))
            flags |= clash * fd(1 << _BIT["mode_conflict"])
        if self.use_seniority and cfg.seniority.enforce:
            flags |= self._seniority_band(ix)[1] * fd(1 << _BIT["seniority_band"])
        return flags

    def _goals(self, ix: _Pairs, out: np.ndarray | None) -> np.ndarray:
        """Goal coverage: ``a * primary covered + b * others covered``, then learning."""
        words = iter(self.goal_words)
        primary, others, expertise = next(words)
        e = ix.mentor(expertise)
        n_other = np.bitwise_count(np.bitwise_and(ix.mentee(others), e))
        hit = np.bitwise_and(ix.mentee(primary), e)
        for primary, others, expertise in words:  # more than 64 goals
            e = ix.mentor(expertise)
            n = np.bitwise_count(np.bitwise_and(ix.mentee(others), e))
            n_other = np.add(n_other, n, dtype=self.goal_count_dtype)
            hit |= np.bitwise_and(ix.mentee(primary), e)
        cover = np.multiply(hit != 0, ix.mentee(self.goal_a), out=out)
        tmp = np.multiply(n_other, ix.mentee(self.goal_b))
        cover += tmp
        if self._learning is not None:
            np.subtract(F32(1), cover, out=tmp)
            tmp *= self._learning(ix)
            cover += tmp
        return np.clip(cover, 0, 1, out=cover)

    def _availability(self, ix: _Pairs, out: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(availability score, shared slot bits)."""
        c, a = self.cohort, self.config.availability
        shared = np.bitwise_and(ix.mentee(c.mentee_slots), ix.mentor(c.mentor_slots))
        n_shared = np.bitwise_count(shared)
        np.clip(n_shared, 0, a.slots_for_full_score, out=n_shared)
        avail = np.multiply(n_shared, self.slot_scale, out=out)
        avail *= self.slot_weight
        part = self._cadence(ix)
        avail += part
        avail += self._mode(ix, out=part)
        return np.clip(avail, 0, 1, out=avail), shared

    # ------------------------------------------------------------------ one chunk
    def _fill(
        self,
        ix: _Pairs,
        total: np.ndarray,
        flags: np.ndarray,
        comps: dict[str, np.ndarray] | None,
        custom: dict[str, np.ndarray],
        rules: list[np.ndarray],
    ) -> None:
        """Score the pairs of ``ix`` into ``total``, ``flags`` and (if given) ``comps``.

        ``custom`` and ``rules`` hold the custom components' values and the custom rules'
        allowed masks for these pairs. Exclusions by request are left to the caller.
        """
        cfg, w, fd = self.config, self.norm_weights, self.flag_dtype

        def out(name: str) -> np.ndarray | None:
            return None if comps is None else comps[name]

        tmp = np.empty(ix.shape, dtype=F32)
        # total = sum of weight * component, accumulated in the order of component_names
        sector = self._sector(ix, out=out("sector"))
        np.multiply(sector, w["sector"], out=total)
        total += np.multiply(self._goals(ix, out("goals")), w["goals"], out=tmp)
        avail, shared = self._availability(ix, out("availability"))
        total += np.multiply(avail, w["availability"], out=tmp)
        if self._seniority is not None:
            seniority = self._seniority(ix, out=out("seniority"))
            total += np.multiply(seniority, w["seniority"], out=tmp)
        for name, value in custom.items():
            if comps is not None:
                comps[name][...] = value
            total += np.multiply(value, w[name], out=tmp)
        np.clip(total, 0, 1, out=total)

        self._base_flags(ix, out=flags)
        if cfg.same_organisation:  # bit 0: a bool is the flag itself
            same = ix.mentee(self.mentee_org) == ix.mentor(self.mentor_org)
            np.bitwise_or(flags, same, out=flags)
        if cfg.require_shared_slot:
            flags |= np.logical_not(shared) * fd(1 << _BIT["no_shared_slot"])
        for k, allowed in enumerate(rules):
            flags |= np.logical_not(allowed) * fd(1 << (len(BUILTIN_RULES) + k))

    # ------------------------------------------------------------------ custom functions
    def _custom(self, rows: slice | np.ndarray, func: object, name: str, kind: str) -> np.ndarray:
        """Call a custom component or rule on mentee ``rows`` x all mentors and check it."""
        c = self.cohort
        n_rows = len(rows) if isinstance(rows, np.ndarray) else len(range(c.n_mentees)[rows])
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
                        f"custom component {name!r} returned {plural(int(bad.sum()), 'value')} "
                        "outside [0, 1] or not finite, the first for mentee "
                        f"{c.mentee_ids[rows][i]!r} and mentor {c.mentor_ids[j]!r}.",
                        value=float(out[i, j]),
                        hint="rescale the component to [0, 1].",
                    )
                ],
                title="invalid custom scoring",
            )
        return out

    def _custom_all(
        self, rows: slice | np.ndarray
    ) -> tuple[dict[str, np.ndarray], list[np.ndarray]]:
        cfg = self.config
        custom = {
            comp.name: self._custom(rows, comp.func, comp.name, "component") for comp in cfg.custom
        }
        rules = [self._custom(rows, rule.func, rule.name, "rule") for rule in cfg.rules]
        return custom, rules

    def _custom_pairs(
        self, i: np.ndarray, j: np.ndarray
    ) -> tuple[dict[str, np.ndarray], list[np.ndarray]]:
        """Custom values at pairs ``(i, j)``: each function runs on groups of distinct
        mentee rows against all mentors, and the pairs are read from its result."""
        cfg = self.config
        custom = {comp.name: np.empty(len(i), dtype=F32) for comp in cfg.custom}
        rules = [np.empty(len(i), dtype=bool) for _ in cfg.rules]
        if not custom and not rules:
            return custom, rules
        distinct, local = np.unique(i, return_inverse=True)
        step = max(1, CUSTOM_PAIRS // max(1, self.cohort.n_mentors))
        order = np.argsort(local, kind="stable")
        bounds = np.searchsorted(local[order], np.arange(0, len(distinct) + step, step))
        for g, start in enumerate(range(0, len(distinct), step)):
            rows = distinct[start : start + step]
            sel = order[bounds[g] : bounds[g + 1]]
            at = (local[sel] - start, j[sel])
            values, masks = self._custom_all(rows)
            for name, v in values.items():
                custom[name][sel] = v[at]
            for mask, v in zip(rules, masks, strict=True):
                mask[sel] = v[at]
        return custom, rules

    # ------------------------------------------------------------------ public
    def block(self, rows: slice, *, components: bool = True) -> Block:
        """Score mentee ``rows`` (a slice with step 1) against all mentors.

        With ``components=False`` only ``total`` and ``flags`` are computed (the same
        values), and ``components`` is empty: the fast path for streaming.
        """
        c = self.cohort
        start, stop, step = rows.indices(c.n_mentees)
        if step != 1:
            raise ValueError(f"`rows` must be a slice with step 1. Got {rows!r} instead.")
        stop = max(start, stop)
        blk = self._rows(slice(start, stop), stop - start, components)
        lo, hi = np.searchsorted(self.excluded[:, 0], [start, stop])
        if hi > lo:
            pairs = self.excluded[lo:hi]
            blk.flags[pairs[:, 0] - start, pairs[:, 1]] |= self.flag_dtype(1 << _BIT["excluded"])
        return Block(rows=rows, total=blk.total, components=blk.components, flags=blk.flags)

    def rows(self, rows: np.ndarray, *, components: bool = True) -> Block:
        """Score the mentee rows ``rows`` (an index array, any order) against all mentors:
        the values :meth:`block` gives for the same rows, without scoring the rows between."""
        idx = np.asarray(rows, dtype=np.int64)
        if idx.ndim != 1 or (idx.size and (idx.min() < 0 or idx.max() >= self.cohort.n_mentees)):
            raise IndexError(f"`rows` must be 1-D mentee rows in [0, {self.cohort.n_mentees}).")
        blk = self._rows(idx, len(idx), components)
        if len(self.excluded) and idx.size:
            # every copy of a row, for each excluded pair on it
            order = np.argsort(idx, kind="stable")
            srt = idx[order]
            lo = np.searchsorted(srt, self.excluded[:, 0], side="left")
            cnt = np.searchsorted(srt, self.excluded[:, 0], side="right") - lo
            which = np.repeat(np.arange(len(cnt)), cnt)
            pos = (
                np.repeat(lo, cnt)
                + np.arange(int(cnt.sum()))
                - np.repeat(np.cumsum(cnt) - cnt, cnt)
            )
            blk.flags[order[pos], self.excluded[which, 1]] |= self.flag_dtype(1 << _BIT["excluded"])
        return blk

    def _rows(self, index: slice | np.ndarray, n_rows: int, components: bool) -> Block:
        """Mentee rows ``index`` (a step-1 slice or an index array) against all mentors,
        excluded pairs not marked."""
        c = self.cohort
        shape = (n_rows, c.n_mentors)
        total = np.empty(shape, dtype=F32)
        flags = np.empty(shape, dtype=self.flag_dtype)
        names = self.component_names if components else ()
        comps = {name: np.empty(shape, dtype=F32) for name in names}
        custom, rules = self._custom_all(index)
        chunk = max(1, CHUNK_PAIRS // max(1, c.n_mentors))
        for a in range(0, n_rows, chunk):
            b = min(a + chunk, n_rows)
            sub = (
                slice(index.start + a, index.start + b) if isinstance(index, slice) else index[a:b]
            )
            self._fill(
                _Pairs(sub, None, c.n_mentors),
                total[a:b],
                flags[a:b],
                {k: v[a:b] for k, v in comps.items()} if components else None,
                {k: v[a:b] for k, v in custom.items()},
                [r[a:b] for r in rules],
            )
        return Block(rows=index, total=total, components=comps, flags=flags)

    def pairs(self, i: np.ndarray, j: np.ndarray, *, components: bool = True) -> Block:
        """Score the pairs ``(i[p], j[p])``: mentee row ``i[p]`` with mentor column ``j[p]``.

        Parameters
        ----------
        i, j : 1-D integer arrays of the same length
            Mentee rows in ``[0, n_mentees)`` and mentor columns in ``[0, n_mentors)``;
            pairs may repeat and come in any order.
        components : bool, default True
            False: compute only ``total`` and ``flags``.

        Returns
        -------
        Block
            ``rows`` is ``i`` and ``cols`` is ``j``; every array has shape ``(len(i),)``
            and equals :meth:`block` at those pairs bit for bit.
        """
        c = self.cohort
        i = self._index("i", i, c.n_mentees)
        j = self._index("j", j, c.n_mentors)
        if len(i) != len(j):
            raise ValueError(
                f"`i` and `j` must have the same length. Got {len(i)} and {len(j)} instead."
            )
        n = len(i)
        total = np.empty(n, dtype=F32)
        flags = np.empty(n, dtype=self.flag_dtype)
        names = self.component_names if components else ()
        comps = {name: np.empty(n, dtype=F32) for name in names}
        custom, rules = self._custom_pairs(i, j)
        for a in range(0, n, CHUNK_PAIRS):
            b = min(a + CHUNK_PAIRS, n)
            self._fill(
                _Pairs(i[a:b], j[a:b], c.n_mentors),
                total[a:b],
                flags[a:b],
                {k: v[a:b] for k, v in comps.items()} if components else None,
                {k: v[a:b] for k, v in custom.items()},
                [r[a:b] for r in rules],
            )
        if len(self.excluded_keys):
            keys = i * c.n_mentors + j
            pos = np.searchsorted(self.excluded_keys, keys)
            hit = self.excluded_keys[np.minimum(pos, len(self.excluded_keys) - 1)] == keys
            flags[hit] |= self.flag_dtype(1 << _BIT["excluded"])
        return Block(rows=i, total=total, components=comps, flags=flags, cols=j)

    @staticmethod
    def _index(name: str, x: object, n: int) -> np.ndarray:
        a = np.asarray(x)
        if a.ndim != 1 or not (np.issubdtype(a.dtype, np.integer) or a.size == 0):
            raise ValueError(
                f"`{name}` must be a 1-D integer array. Got shape {a.shape} and dtype "
                f"{a.dtype} instead."
            )
        a = a.astype(np.intp, copy=False)
        if a.size and (a.min() < 0 or a.max() >= n):
            bad = a[(a < 0) | (a >= n)][0]
            raise ValueError(f"`{name}` must hold indices in [0, {n}). Got {bad} instead.")
        return a
