"""Sector taxonomy: names, groups and a distance in [0, 1] between any two sectors."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources

import numpy as np
import pandas as pd

__all__ = ["Taxonomy"]

_PATH_SEPARATORS = ("/", ">", ":")


def _norm(name: object) -> str:
    return str(name).strip().lower()


@dataclass(frozen=True, slots=True, eq=False)
class Taxonomy:
    """A set of sectors with a distance between every two of them.

    Most users never build one: :meth:`default` is the embedded cross-sector taxonomy
    (public, private and not-for-profit, with their leaves). Build your own with
    :meth:`from_groups` (a two-level tree) or :meth:`from_distance_matrix` (any
    symmetric matrix with a zero diagonal).

    Parameters
    ----------
    names : sequence of str
        Every sector that may appear in the data (leaves, and group names if groups
        may be used as sectors). Matched case-insensitively after stripping.
    distance : array of shape (n, n)
        Symmetric, zero diagonal, values in [0, 1]; 0 = same sector, 1 = furthest apart.
    groups : sequence of str, optional
        The top-level group of each name (a group's own group is itself). Used to
        expand a group named in a mentor's ``learning`` to all of its leaves, and to
        accept ``"group/leaf"`` spellings. Defaults to each name being its own group.
    name : str
        A label for messages.
    """

    names: tuple[str, ...]
    distance: np.ndarray
    groups: tuple[str, ...] = ()
    name: str = "custom"
    _index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names = tuple(_norm(n) for n in self.names)
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"Taxonomy names must be unique (case-insensitive). Got {dup}.")
        if not names:
            raise ValueError("A taxonomy needs at least one sector.")
        d = np.array(self.distance, dtype=np.float64)
        n = len(names)
        if d.shape != (n, n):
            raise ValueError(f"`distance` must have shape ({n}, {n}). Got {d.shape} instead.")
        if not np.all(np.isfinite(d)) or d.min() < 0 or d.max() > 1:
            raise ValueError("`distance` values must be finite and in [0, 1].")
        if not np.allclose(d, d.T):
            raise ValueError("`distance` must be symmetric.")
        if np.any(np.diag(d) != 0):
            raise ValueError("`distance` must have a zero diagonal (a sector is 0 from itself).")
        d.setflags(write=False)
        groups = tuple(_norm(g) for g in self.groups) if self.groups else names
        if len(groups) != n:
            raise ValueError(f"`groups` must have one entry per name ({n}). Got {len(groups)}.")
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "distance", d)
        object.__setattr__(self, "groups", groups)
        object.__setattr__(self, "_index", {nm: i for i, nm in enumerate(names)})

    # ------------------------------------------------------------------ builders
    @classmethod
    def default(cls) -> Taxonomy:
        """The embedded cross-sector taxonomy (``cohort/data/sectors.json``)."""
        text = resources.files("crossmatch.cohort").joinpath("data/sectors.json").read_text()
        spec = json.loads(text)
        between = {tuple(k.split("|")): v for k, v in spec["between"].items()}
        return cls.from_groups(
            spec["groups"], within=spec["within"], between=between, name=spec["name"]
        )

    @classmethod
    def from_groups(
        cls,
        groups: Mapping[str, Sequence[str]],
        *,
        within: float = 0.35,
        between: float | Mapping[tuple[str, str], float] = 1.0,
        name: str = "custom",
    ) -> Taxonomy:
        """Build a two-level taxonomy: groups of leaf sectors.

        Two leaves of one group are ``within`` apart; leaves of groups ``g`` and ``h`` are
        ``between[(g, h)]`` apart (or ``between`` if it is a number). A group name used as a
        sector sits ``within / 2`` from its own leaves and ``between`` from other groups.
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
                    raise ValueError(f"`between` has no distance for groups {g!r} and {h!r}.")
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
        return cls(names=tuple(names), distance=d, groups=tuple(node_group), name=name)

    @classmethod
    def from_distance_matrix(
        cls, matrix: pd.DataFrame | np.ndarray, names: Sequence[str] | None = None
    ) -> Taxonomy:
        """Build a taxonomy from a square distance matrix.

        ``matrix`` may be a DataFrame whose index and columns are the sector names (in
        the same order), or an array together with ``names``.
        """
        if isinstance(matrix, pd.DataFrame):
            if [_norm(c) for c in matrix.columns] != [_norm(i) for i in matrix.index]:
                raise ValueError("The distance DataFrame must have the same labels on both axes.")
            return cls(names=tuple(map(str, matrix.index)), distance=matrix.to_numpy(float))
        if names is None:
            raise ValueError("`names` is required when `matrix` is an array.")
        return cls(names=tuple(names), distance=np.asarray(matrix, dtype=float))

    # ------------------------------------------------------------------ look-ups
    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name: object) -> bool:
        return self.index(name) is not None

    def index(self, name: object) -> int | None:
        """Index of a sector name, or None. Forgives case and surrounding white space,
        and accepts a ``group/leaf`` (or ``group>leaf``, ``group:leaf``) spelling."""
        key = _norm(name)
        i = self._index.get(key)
        if i is not None:
            return i
        for sep in _PATH_SEPARATORS:
            if sep in key:
                head, _, tail = key.rpartition(sep)
                j = self._index.get(tail.strip())
                if j is not None and self.groups[j] == head.strip().rsplit(sep, 1)[-1].strip():
                    return j
        return None

    def suggest(self, name: object, n: int = 3) -> list[str]:
        """The closest known sector names, for error messages."""
        key = _norm(name).replace(" ", "-").replace("_", "-")
        return difflib.get_close_matches(key, self.names, n=n, cutoff=0.5)

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
