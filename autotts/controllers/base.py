"""The controller interface and the registry of built-in controllers."""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from autotts.errors import ConfigError
from autotts.registry import Registry
from autotts.replay.episode import QuestionView

if TYPE_CHECKING:
    import numpy as np

    from autotts.replay.arrays import ReplayArrays

__all__ = ["Controller", "build_controller", "coerce_params", "register", "registered"]


class Controller(ABC):
    """A test-time-scaling policy: solves one question through its view, returns an answer.

    Built-ins are frozen dataclasses whose fields are their parameters (the
    defaults are the paper's settings); step-wise controllers with a budget
    knob have a ``beta`` field in [0, 1]. A controller must not keep state
    across questions: the evaluator calls ``solve`` once per episode.
    """

    name: ClassVar[str] = ""
    # Each parameter's allowed range, ends included (``None``: unbounded): a value outside is a
    # ConfigError when the controller is built, never a silent evaluation of nonsense (SC@0 scores 0%).
    limits: ClassVar[Mapping[str, tuple[float | None, float | None]]] = {}

    def __post_init__(self) -> None:
        for key, (low, high) in self.limits.items():
            value = getattr(self, key)
            if (low is not None and value < low) or (high is not None and value > high):
                allowed = f"in [{low:g}, {high:g}]" if low is not None and high is not None else (
                    f"at least {low:g}" if low is not None else f"at most {high:g}")
                raise ConfigError(f"controller {self.name!r}: {key} must be {allowed}, got {value:g}")

    @abstractmethod
    def solve(self, question: QuestionView) -> str | None:
        """Spend tokens on ``question`` and return the chosen answer (``None`` = no answer)."""

    def replay_arrays(self, arrays: ReplayArrays) -> tuple[np.ndarray, ...] | None:
        """A compiled equivalent of ``solve`` over every episode, or ``None`` (the default) to replay
        through ``solve``: ``(answer_ids, tokens, sequential_tokens, opened)``, ``[seeds, questions]`` each."""
        return None


_REGISTRY: Registry[type[Controller]] = Registry("controller")
register = _REGISTRY.register


def registered() -> dict[str, type[Controller]]:
    """Name -> class of every registered controller."""
    return _REGISTRY.as_dict()


def build_controller(name: str, params: Mapping[str, Any]) -> Controller:
    """Instantiate the registered controller ``name`` from (possibly string) params."""
    cls = _REGISTRY.get(name)
    return cls(**coerce_params(cls, params, where=f"controller {name!r}"))


def coerce_params(cls: type, params: Mapping[str, Any], *, where: str) -> dict[str, Any]:
    """Check ``params`` against a dataclass's fields and convert strings to the field types."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key not in fields:
            known = ", ".join(fields) or "none"
            raise ConfigError(f"{where}: unknown parameter {key!r} (parameters: {known})")
        out[key] = _convert(fields[key].type, value, where=f"{where}: parameter {key!r}")
    return out


def _convert(kind: Any, value: Any, *, where: str) -> Any:
    kind_name = kind if isinstance(kind, str) else getattr(kind, "__name__", str(kind))
    try:
        if kind_name == "int":
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(value)
        if kind_name == "float":
            return float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: expected {kind_name}, got {value!r}") from None
    return value
