"""Name -> class registries for the pieces users pick by name (controllers, proposers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar, cast

from autotts.errors import ConfigError

__all__ = ["Registry"]

T = TypeVar("T", bound=type)
S = TypeVar("S", bound=type)


class Registry(Generic[T]):
    """Classes registered under unique names; an unknown name is a ConfigError listing the known ones."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._classes: dict[str, T] = {}

    def register(self, name: str) -> Callable[[S], S]:
        """Class decorator: record the class under ``name`` and set its ``name`` attribute.
        (Typed to return the decorated class itself, so subclasses keep their own type.)"""

        def wrap(cls: S) -> S:
            if name in self._classes:
                raise ValueError(f"{self.kind} {name!r} registered twice")
            cls.name = name  # type: ignore[attr-defined]  # every registered class declares a ClassVar name
            self._classes[name] = cast(T, cls)
            return cls

        return wrap

    def get(self, name: str) -> T:
        cls = self._classes.get(name)
        if cls is None:
            raise ConfigError(f"unknown {self.kind} {name!r}; registered: {', '.join(sorted(self._classes))}")
        return cls

    def as_dict(self) -> dict[str, T]:
        return dict(self._classes)
