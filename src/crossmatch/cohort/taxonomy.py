"""Sector taxonomy: names, groups, synonyms and a distance in [0, 1] between any two sectors.

The default taxonomy is a *graded* map: each leaf sector is placed on a few named axes
(ownership, purpose, who it serves, accountability, scale, reach, how tangible its work
is, funding) and the distance of two sectors is the weighted L1 distance of their
positions, divided by the largest leaf-to-leaf value. The axes, positions, weights and a
rationale per sector are in ``cohort/data/sectors.json``; ``docs/sector-map.md`` shows the
resulting map.

How a value written by a person is recognised (:meth:`Taxonomy.resolve`), first match wins:

1. ``exact``: the sector's name, ignoring case and surrounding white space;
2. ``normalised``: the name under :func:`crossmatch._text.norm_key` (spaces, hyphens,
   underscores, apostrophes and ``&``/``and`` alike: ``Local Government``,
   ``Arm's Length Body``, ``Health & Social Care``);
3. ``synonym``: a synonym of the taxonomy, compared by ``norm_key`` too (``NHS``,
   ``Civil Service``, ``council``, ``third sector``);
4. ``path``: ``group/leaf`` written with ``/``, ``>``, ``:``, ``|`` or a spaced dash
   (``Private sector - Finance``, ``Public sector: Health``): the last two parts are each
   recognised by steps 1-3, and the leaf is accepted when the part before it names its
   group (or the leaf itself).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from types import MappingProxyType

import numpy as np
import pandas as pd

from .._text import norm_key, plural, shorten
from ..errors import ParameterError

__all__ = ["SectorMatch", "Taxonomy"]

# "/", ">", ":", "|" or a dash with a space on each side ("Private sector - Finance").
_PATH_SPLIT = re.compile(r"\s*[/>:|]\s*|\s+[-\u2013\u2014]\s+")
#: Suggestions must score at least this (difflib ratio of the norm_keys) ...
_SUGGEST_CUTOFF = 0.6
#: ... and be within this of the best suggestion.
_SUGGEST_MARGIN = 0.15


def _norm(name: object) -> str:
    return str(name).strip().lower()


@dataclass(frozen=True, slots=True)
class SectorMatch:
    """How a value was recognised as a sector (see :meth:`Taxonomy.resolve`).

    Attributes
    ----------
    index : int
        Index of the sector in :attr:`Taxonomy.names`.
    name : str
        The sector's name.
    how : str
        ``"exact"``, ``"normalised"``, ``"synonym"`` or ``"path"``. The last two are
        guesses worth reporting to whoever wrote the value.
    """

    index: int
    name: str
    how: str


@dataclass(frozen=True, slots=True, eq=False)
class Taxonomy:
    """A set of sectors with a distance between every two of them.

    Most users never build one: :meth:`default` is the embedded cross-sector taxonomy
    (public, private and not-for-profit, with their leaves, graded on named axes). Build
    your own with :meth:`from_axes` (sectors placed on axes), :meth:`from_groups` (a
    two-level tree) or :meth:`from_distance_matrix` (any symmetric matrix with a zero
    diagonal).

    Parameters
    ----------
    names : sequence of str
        Every sector that may appear in the data (leaves, and group names if groups
        may be used as sectors). Matched case-insensitively after stripping, and by
        :func:`~crossmatch._text.norm_key`; two names with one key are an error.
    distance : array of shape (n, n)
        Symmetric, zero diagonal, values in [0, 1]; 0 = same sector, 1 = furthest apart.
    groups : sequence of str, optional
        The top-level group of each name (a group's own group is itself). Used to
        expand a group named in a mentor's ``learning`` to all of its leaves, and to
        accept ``"group/leaf"`` spellings. Defaults to each name being its own group.
    name : str
        A label for messages.
    synonyms : mapping of str to str, optional
        Other words for a sector: ``{"NHS": "health-and-social-care"}``. Keys are
        compared by ``norm_key``; each value must be one of ``names``. A synonym that
        is another sector's name, or two synonyms with one key and different sectors,
        are errors. Stored read-only as ``{norm_key(synonym): sector name}``.
    """

    names: tuple[str, ...]
    distance: np.ndarray
    groups: tuple[str, ...] = ()
    name: str = "custom"
    synonyms: Mapping[str, str] = field(default_factory=dict)
    _index: dict[str, int] = field(init=False, repr=False)
    _keys: dict[str, int] = field(init=False, repr=False)
    _synonyms: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names = tuple(_norm(n) for n in self.names)
        if not names:
            raise ParameterError("Taxonomy", ["A taxonomy needs at least one sector."])
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ParameterError(
                "Taxonomy", [f"Taxonomy names must be unique (case-insensitive). Got {dup}."]
            )
        keys: dict[str, int] = {}
        clashes = []
        for i, nm in enumerate(names):
            k = norm_key(nm)
            if k in keys:
                clashes.append(f"{names[keys[k]]!r} and {nm!r}")
            keys.setdefault(k, i)
        if clashes:
            raise ParameterError(
                "Taxonomy",
                [
                    "Taxonomy names must differ in more than spaces, hyphens, underscores, "
                    f"apostrophes or '&'/'and'. Got {', '.join(clashes)}."
                ],
            )
        d = np.array(self.distance, dtype=np.float64)
        n = len(names)
        problems = []
        if d.shape != (n, n):
            problems.append(f"`distance` must have shape ({n}, {n}). Got {d.shape} instead.")
        elif not np.all(np.isfinite(d)) or d.min() < 0 or d.max() > 1:
            problems.append("`distance` values must be finite and in [0, 1].")
        else:
            if not np.allclose(d, d.T):
                problems.append("`distance` must be symmetric.")
            if np.any(np.diag(d) != 0):
                problems.append("`distance` must have a zero diagonal (a sector is 0 from itself).")
        groups = tuple(_norm(g) for g in self.groups) if self.groups else names
        if len(groups) != n:
            problems.append(f"`groups` must have one entry per name ({n}). Got {len(groups)}.")
        if problems:
            raise ParameterError("Taxonomy", problems)
        index = {nm: i for i, nm in enumerate(names)}
        syn = self._check_synonyms(self.synonyms, index, keys)
        d.setflags(write=False)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "distance", d)
        object.__setattr__(self, "groups", groups)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_keys", keys)
        object.__setattr__(self, "_synonyms", syn)
        shown = {key: names[i] for key, i in sorted(syn.items())}
        object.__setattr__(self, "synonyms", MappingProxyType(shown))

    def __reduce__(self) -> tuple[type[Taxonomy], tuple[object, ...]]:
        """Pickle by the constructor's arguments (process pools send cohorts to workers)."""
        args = (self.names, np.array(self.distance), self.groups, self.name, dict(self.synonyms))
        return (Taxonomy, args)

    @staticmethod
    def _check_synonyms(
        synonyms: object, index: Mapping[str, int], keys: Mapping[str, int]
    ) -> dict[str, int]:
        """``norm_key(synonym) -> sector index``; every problem reported at once."""
        if not isinstance(synonyms, Mapping):
            raise ParameterError(
                "Taxonomy",
                [
                    "`synonyms` must be a mapping of synonym -> sector name. "
                    f"Got {shorten(synonyms)} instead."
                ],
            )
        out: dict[str, int] = {}
        seen: dict[str, str] = {}
        problems = []
        for word, target in synonyms.items():
            if not isinstance(word, str) or not isinstance(target, str) or not norm_key(word):
                problems.append(
                    f"synonym {shorten(word)} -> {shorten(target)}: both must be non-empty strings."
                )
                continue
            j = index.get(_norm(target), keys.get(norm_key(target)))
            if j is None:
                known = ", ".join(map(repr, list(index)[:8])) + (", ..." if len(index) > 8 else "")
                problems.append(
                    f"synonym {word!r} points to {shorten(target)}, which is not a sector "
                    f"of this taxonomy; use one of its names ({known})."
                )
                continue
            key = norm_key(word)
            named = keys.get(key)
            if named is not None and named != j:
                problems.append(
                    f"synonym {word!r} -> {target!r} is the name of another sector "
                    f"({list(index)[named]!r})."
                )
            elif key in out and out[key] != j:
                problems.append(
                    f"synonyms {seen[key]!r} and {word!r} are the same word but point to "
                    "different sectors."
                )
            elif named is None:
                out[key] = j
                seen[key] = word
        if problems:
            raise ParameterError("Taxonomy", problems)
        return out

    # ------------------------------------------------------------------ builders
    @classmethod
    def default(cls) -> Taxonomy:
        """The embedded cross-sector taxonomy (``cohort/data/sectors.json``).

        Sixteen leaves in three groups, placed on named axes; see :meth:`from_axes` for
        how distances follow from the positions, and ``docs/sector-map.md`` for the map.
        """
        return _default_taxonomy()

    @classmethod
    def _build_default(cls) -> Taxonomy:
        spec = _default_spec()
        positions = {s: entry["position"] for s, entry in spec["sectors"].items()}
        weights = {a["name"]: a["weight"] for a in spec["axes"]}
        synonyms = {w: target for target, words in spec["synonyms"].items() for w in words}
        return cls.from_axes(
            positions,
            weights=weights,
            groups=spec["groups"],
            synonyms=synonyms,
            name=spec["name"],
        )

    @classmethod
    def from_axes(
        cls,
        positions: pd.DataFrame | Mapping[str, Mapping[str, float]],
        *,
        weights: Mapping[str, float] | None = None,
        groups: Mapping[str, Sequence[str]] | None = None,
        synonyms: Mapping[str, str] | None = None,
        name: str = "custom",
    ) -> Taxonomy:
        """Build a graded taxonomy from sectors placed on named axes.

        The distance of leaves ``a`` and ``b`` is ``sum_k w_k |x_ak - x_bk|`` divided by
        its largest value over all pairs of leaves, so it lies in [0, 1] and the
        furthest pair is 1. An axis that is a mix (shares summing to 1, such as
        ownership split into state, trust and shareholders) counts ``w_k`` times twice
        the share that differs.

        A group used as a sector is the mean of its leaves: its distance to a leaf is
        the mean distance of the group's leaves to that leaf (its own leaves included,
        each 0 from itself), to another group the mean over pairs of their leaves, and
        0 to itself.

        Parameters
        ----------
        positions : DataFrame or mapping
            One row per leaf sector (index = names), one column per axis, values in
            [0, 1]; or ``{sector: {axis: value}}`` with every axis given for every sector.
        weights : mapping of str to float, optional
            Weight of each axis (>= 0, not all 0). Default 1 for every axis.
        groups : mapping of str to sequence of str, optional
            ``{group: [leaf, ...]}``: every leaf in exactly one group. The groups are added
            as sectors. Default: no groups.
        synonyms : mapping of str to str, optional
            Other words for sectors (leaves or groups), see :class:`Taxonomy`.
        name : str
            A label for messages.
        """
        frame = (
            positions.copy()
            if isinstance(positions, pd.DataFrame)
            else pd.DataFrame.from_dict(dict(positions), orient="index")
        )
        axes = [str(c) for c in frame.columns]
        problems = []
        if frame.empty:
            raise ParameterError("Taxonomy.from_axes", ["`positions` has no sectors or no axes."])
        holes = np.argwhere(frame.isna().to_numpy())
        if len(holes):
            r, c = holes[0]
            problems.append(
                f"`positions` lacks {plural(len(holes), 'value')}, the first for sector "
                f"{str(frame.index[r])!r} on axis {axes[c]!r}."
            )
        values = frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
        if not problems and (np.isnan(values).any() or values.min() < 0 or values.max() > 1):
            problems.append("`positions` must be numbers in [0, 1].")
        w = dict.fromkeys(axes, 1.0) if weights is None else dict(weights)
        unknown = sorted(set(w) - set(axes))
        absent = [a for a in axes if a not in w]
        if unknown or absent:
            problems.append(
                f"`weights` must name exactly the axes {axes}. "
                f"Unknown: {unknown}; missing: {absent}."
            )
        else:
            wv = np.array([w[a] for a in axes], dtype=object)
            if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in wv):
                problems.append("`weights` must be numbers.")
            elif min(wv) < 0 or not np.isfinite(wv.astype(float)).all() or sum(wv) <= 0:
                problems.append("`weights` must be finite, >= 0 and not all 0.")
        if problems:
            raise ParameterError("Taxonomy.from_axes", problems)
        weight = np.array([float(w[a]) for a in axes])
        leaves = [str(s) for s in frame.index]
        raw = (np.abs(values[:, None, :] - values[None, :, :]) * weight).sum(axis=-1)
        top = raw.max()
        leaf_d = raw / top if top > 0 else raw
        np.fill_diagonal(leaf_d, 0.0)
        leaf_d = np.clip((leaf_d + leaf_d.T) / 2, 0.0, 1.0)
        if not groups:
            return cls(names=tuple(leaves), distance=leaf_d, name=name, synonyms=synonyms or {})
        return cls._with_group_means(leaves, leaf_d, groups, name=name, synonyms=synonyms)

    @classmethod
    def _with_group_means(
        cls,
        leaves: Sequence[str],
        leaf_d: np.ndarray,
        groups: Mapping[str, Sequence[str]],
        *,
        name: str,
        synonyms: Mapping[str, str] | None,
    ) -> Taxonomy:
        """Append each group as a sector, distances being means over its leaves."""
        at = {_norm(s): i for i, s in enumerate(leaves)}
        member = np.zeros((len(groups), len(leaves)))
        problems = []
        owner: dict[int, str] = {}
        for g, (gname, members) in enumerate(groups.items()):
            if isinstance(members, str) or not members:
                problems.append(f"group {gname!r} must list its leaves. Got {shorten(members)}.")
                continue
            for leaf in members:
                i = at.get(_norm(leaf))
                if i is None:
                    problems.append(f"group {gname!r} lists {leaf!r}, which has no position.")
                elif i in owner:
                    problems.append(f"{leaf!r} is in two groups: {owner[i]!r} and {gname!r}.")
                else:
                    owner[i] = str(gname)
                    member[g, i] = 1.0
        orphans = [leaves[i] for i in range(len(leaves)) if i not in owner]
        if orphans:
            problems.append(f"every leaf must be in a group; not in any: {orphans}.")
        if problems:
            raise ParameterError("Taxonomy", problems)
        share = member / member.sum(axis=1, keepdims=True)
        group_leaf = share @ leaf_d  # mean distance of a group's leaves to each leaf
        group_group = group_leaf @ share.T
        np.fill_diagonal(group_group, 0.0)
        d = np.block([[leaf_d, group_leaf.T], [group_leaf, group_group]])
        gnames = [str(g) for g in groups]
        node_group = [owner[i] for i in range(len(leaves))] + gnames
        return cls(
            names=(*leaves, *gnames),
            distance=d,
            groups=tuple(node_group),
            name=name,
            synonyms=synonyms or {},
        )

    @classmethod
    def from_groups(
        cls,
        groups: Mapping[str, Sequence[str]],
        *,
        within: float = 0.35,
        between: float | Mapping[tuple[str, str], float] = 1.0,
        name: str = "custom",
        synonyms: Mapping[str, str] | None = None,
    ) -> Taxonomy:
        """Build a two-level taxonomy: groups of leaf sectors.

        Two leaves of one group are ``within`` apart; leaves of groups ``g`` and ``h`` are
        ``between[(g, h)]`` apart (or ``between`` if it is a number). A group name used as a
        sector sits ``within / 2`` from its own leaves and ``between`` from other groups.
        ``synonyms`` are other words for the sectors, see :class:`Taxonomy`.
        """
        gnames = [_norm(g) for g in groups]
        leaves: list[str] = []
        leaf_group: list[str] = []
        for g, members in zip(gnames, groups.values(), strict=True):
            for leaf in members:
                leaves.append(_norm(leaf))
                leaf_group.append(g)

        def gap(g: str, h: str) -> float:
            if g == h:
                return 0.0
            if isinstance(between, Mapping):
                norm = {frozenset((_norm(a), _norm(b))): v for (a, b), v in between.items()}
                key = frozenset((g, h))
                if key not in norm:
                    raise ParameterError(
                        "Taxonomy.from_groups",
                        [f"`between` has no distance for groups {g!r} and {h!r}."],
                    )
                return float(norm[key])
            return float(between)

        names = leaves + gnames
        node_group = leaf_group + gnames
        is_leaf = [True] * len(leaves) + [False] * len(gnames)
        n = len(names)
        d = np.zeros((n, n))
        for a in range(n):
            for b in range(n):
                if a == b:
                    continue
                ga, gb = node_group[a], node_group[b]
                if ga != gb:
                    d[a, b] = gap(ga, gb)
                elif is_leaf[a] and is_leaf[b]:
                    d[a, b] = within
                else:  # a group and one of its own leaves
                    d[a, b] = within / 2
        return cls(
            names=tuple(names),
            distance=d,
            groups=tuple(node_group),
            name=name,
            synonyms=synonyms or {},
        )

    @classmethod
    def from_distance_matrix(
        cls,
        matrix: pd.DataFrame | np.ndarray,
        names: Sequence[str] | None = None,
        *,
        synonyms: Mapping[str, str] | None = None,
        name: str = "custom",
    ) -> Taxonomy:
        """Build a taxonomy from a square distance matrix.

        ``matrix`` may be a DataFrame whose index and columns are the sector names (in
        the same order), or an array together with ``names``. ``synonyms`` are other
        words for the sectors, see :class:`Taxonomy`.
        """
        syn = synonyms or {}
        if isinstance(matrix, pd.DataFrame):
            if [_norm(c) for c in matrix.columns] != [_norm(i) for i in matrix.index]:
                raise ParameterError(
                    "Taxonomy.from_distance_matrix",
                    ["The distance DataFrame must have the same labels on both axes."],
                )
            return cls(
                names=tuple(map(str, matrix.index)),
                distance=matrix.to_numpy(float),
                synonyms=syn,
                name=name,
            )
        if names is None:
            raise ParameterError(
                "Taxonomy.from_distance_matrix", ["`names` is required when `matrix` is an array."]
            )
        return cls(
            names=tuple(names), distance=np.asarray(matrix, dtype=float), synonyms=syn, name=name
        )

    # ------------------------------------------------------------------ look-ups
    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name: object) -> bool:
        return self.index(name) is not None

    def _word(self, text: str) -> tuple[int, str] | None:
        """Steps 1-3 of the resolution order for one word."""
        i = self._index.get(_norm(text))
        if i is not None:
            return i, "exact"
        key = norm_key(text)
        i = self._keys.get(key)
        if i is not None:
            return i, "normalised"
        i = self._synonyms.get(key)
        if i is not None:
            return i, "synonym"
        return None

    def resolve(self, name: object) -> SectorMatch | None:
        """Recognise a sector as people write it, and say how; None if not recognised.

        The order (first match wins) is: ``exact`` name (case and surrounding white space
        forgiven), ``normalised`` name (:func:`~crossmatch._text.norm_key`), ``synonym``
        (by ``norm_key``), then ``path``: ``group/leaf`` written with ``/``, ``>``, ``:``,
        ``|`` or a spaced dash, each of the last two parts recognised by the first three
        steps, the leaf accepted when the part before it is its group or itself.

        Examples
        --------
        >>> tax = Taxonomy.default()
        >>> tax.resolve("Local Government")
        SectorMatch(index=2, name='local-government', how='normalised')
        >>> tax.resolve("NHS").name, tax.resolve("Private sector - Finance").name
        ('health-and-social-care', 'financial-services')
        """
        if name is None or (isinstance(name, float) and name != name):
            return None
        text = str(name)
        found = self._word(text)
        if found is not None:
            return SectorMatch(found[0], self.names[found[0]], found[1])
        parts = [p for p in _PATH_SPLIT.split(text.strip()) if p]
        if len(parts) >= 2:
            head, tail = self._word(parts[-2]), self._word(parts[-1])
            if head is not None and tail is not None:
                h, j = head[0], tail[0]
                if h == j or (self.groups[h] == self.names[h] and self.groups[j] == self.names[h]):
                    return SectorMatch(j, self.names[j], "path")
        return None

    def index(self, name: object) -> int | None:
        """Index of a sector name, or None; see :meth:`resolve` for what is recognised."""
        found = self.resolve(name)
        return None if found is None else found.index

    def suggest(self, name: object, n: int = 3) -> list[str]:
        """The closest known sector names, for error messages.

        Names and synonyms are compared with the value by ``norm_key`` (difflib's
        similarity ratio, at least 0.6 and within 0.15 of the best), and a name or
        synonym whose words all appear in the value counts as a close match
        (``Metropolitan Police Service`` -> ``emergency-services``). Synonyms suggest
        the sector they stand for.
        """
        found = self.resolve(name)
        if found is not None:
            return [found.name]
        key = norm_key(name)
        if not key:
            return []
        words = set(key.split("-"))
        best: dict[int, float] = {}
        candidates = [*self._keys.items(), *self._synonyms.items()]
        for cand, i in candidates:
            ratio = difflib.SequenceMatcher(None, key, cand).ratio()
            if set(cand.split("-")) <= words and len(cand) >= 2:
                ratio = max(ratio, 0.9)
            if ratio > best.get(i, 0.0):
                best[i] = ratio
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        if not ranked or ranked[0][1] < _SUGGEST_CUTOFF:
            return []
        floor = max(_SUGGEST_CUTOFF, ranked[0][1] - _SUGGEST_MARGIN)
        return [self.names[i] for i, r in ranked[:n] if r >= floor]

    def leaves_of(self, i: int) -> np.ndarray:
        """Indices of every sector in the group of node ``i`` if ``i`` is a group; else ``[i]``."""
        name = self.names[i]
        if self.groups[i] == name:
            return np.flatnonzero(np.array(self.groups) == name)
        return np.array([i])

    def to_frame(self) -> pd.DataFrame:
        """The distance matrix as a labelled DataFrame."""
        return pd.DataFrame(self.distance, index=list(self.names), columns=list(self.names))

    def __repr__(self) -> str:
        return f"Taxonomy(name={self.name!r}, n_sectors={len(self.names)})"


@lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    """Built once: a Taxonomy is immutable (read-only distance and synonyms)."""
    return Taxonomy._build_default()


def _default_spec() -> dict:
    """The parsed ``cohort/data/sectors.json`` (axes, groups, positions, synonyms)."""
    text = resources.files("crossmatch.cohort").joinpath("data/sectors.json").read_text("utf-8")
    spec: dict = json.loads(text)
    return spec
