"""Pickling for the frozen result classes, whose read-only mappings
(``types.MappingProxyType``) cannot be pickled as they are."""

from __future__ import annotations

from dataclasses import fields
from types import MappingProxyType
from typing import Any


def _rebuild(cls: type, state: dict[str, Any]) -> Any:
    return cls(**state)


class Picklable:
    """Mixin for frozen dataclasses: pickles the init fields (read-only mappings as
    dicts) and rebuilds through ``__init__``, so ``__post_init__`` runs again."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        state = {}
        for f in fields(self):  # type: ignore[arg-type]
            if f.init:
                v = getattr(self, f.name)
                state[f.name] = dict(v) if isinstance(v, MappingProxyType) else v
        return (_rebuild, (type(self), state))
